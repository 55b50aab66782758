//! Comparison charts, drawn from `comparison.json` alone: the last case closing and the peak
//! caseload against the varied setting (P10–P90 band, P50 line, one line per combination of any
//! other varied settings), and the trade-off of working days saved against officer-days taken
//! from the lending units.

use super::{
    FONT, PlotError, Ticked, colour, date_axis, draw_err, human, nice_ceiling, percent, thousands,
    x_of,
};
use crate::calendar::Date;
use crate::compare::report::metric;
use crate::compare::{Comparison, VariantRow};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

/// A tick label formatter.
type Formatter = Box<dyn Fn(&f64) -> String>;

/// Parses `comparison.json`; `dir` only names it in errors.
pub fn load_comparison(dir: &Path, bytes: &[u8]) -> Result<Comparison, PlotError> {
    super::parse_checked(dir, "comparison.json", "comparison", bytes, check)
}

/// Refuses a comparison that parses but cannot be what `vetsim compare` wrote (edited by hand,
/// truncated), as [`super::RunData`] does for a run, so that charts never contradict their data.
/// `vetsim compare` itself draws from the bytes it made through this check, so every rule here
/// must hold for anything it can write.
fn check(c: &Comparison) -> Result<(), String> {
    super::span_of(&c.meta.start, &c.meta.horizon)?;
    if c.variants.is_empty() {
        return Err("variants: none".into());
    }
    // Labels may repeat: the same value given twice is the way to make a variant identical to
    // the baseline.
    for (i, v) in c.variants.iter().enumerate() {
        if !(v.lent_officers.is_finite() && v.lent_officers >= 0.0) {
            return Err(format!(
                "variants[{i}].lent_officers: {} is not a number of officers",
                v.lent_officers
            ));
        }
        for needed in super::NEEDED_METRICS {
            if !v.metrics.iter().any(|m| m.metric == needed) {
                return Err(format!("variants[{i}].metrics: no {needed} metric"));
            }
        }
        // Every variant against every other, in order: the trade-off chart reads them by number.
        let n = c.variants.len();
        if v.versus_variants.len() != n
            || v.versus_variants
                .iter()
                .enumerate()
                .any(|(j, w)| w.variant != j + 1)
        {
            return Err(format!(
                "variants[{i}].versus_variants: not one entry for each of the {n} variants, in order"
            ));
        }
    }
    if !c.variants.iter().any(|v| v.label == c.meta.baseline) {
        return Err(format!(
            "meta.baseline: no variant is labelled {}",
            crate::quote::quoted(&c.meta.baseline)
        ));
    }
    Ok(())
}

/// Reads `comparison.json` from a comparison's directory.
pub fn load_comparison_dir(dir: &Path) -> Result<Comparison, PlotError> {
    let sealed = super::read_sealed(dir, "comparison.json", &[])?;
    load_comparison(dir, &sealed.main)
}

/// `compare-finish.svg`, `compare-peak.svg`, `compare-tradeoff.svg`.
pub fn comparison_charts(c: &Comparison) -> Result<Vec<super::Chart>, PlotError> {
    super::register_font()?;
    Ok(vec![
        finish(c)?.named("compare-finish.svg"),
        peak(c)?.named("compare-peak.svg"),
        tradeoff(c)?.named("compare-tradeoff.svg"),
    ])
}

/// The files of [`comparison_charts`], by name.
pub fn render_comparison(c: &Comparison) -> Result<Vec<(String, Vec<u8>)>, PlotError> {
    Ok(super::chart_files(&comparison_charts(c)?))
}

fn footer(c: &Comparison) -> String {
    let m = &c.meta;
    super::footer_line(
        &m.scenario,
        &m.scenario_file,
        &m.scenario_hash,
        m.seed,
        &format!(
            "{} replications per variant, common random numbers",
            thousands(m.replications as f64)
        ),
        &format!("{} {}", m.tool.tool, m.tool.version),
    )
}

/// Rows grouped into lines: x position from the first varied setting, one line per combination
/// of the others. Rows without settings (the scenario as written, outside the grid) are returned
/// apart.
struct Layout<'a> {
    comparison: &'a Comparison,
    x_labels: Vec<String>,
    /// Whether the x values have an order (numbers or dates), so that joining them by lines and
    /// bands means something; then they are placed in that order, whatever order they were given
    /// in. Text settings such as `on_reduction` keep their given order and are drawn as points.
    ordered: bool,
    /// Where each of `x_labels` sits on the x axis, within [0, n - 1]: in proportion to the
    /// values when they are numbers or dates (so that a line's slope is per unit of the setting:
    /// 0, 45, 90, 150 officers are not evenly spaced), else at their index.
    x_pos: Vec<f64>,
    axis_name: String,
    lines: Vec<(String, Vec<(usize, &'a VariantRow)>)>,
    apart: Vec<&'a VariantRow>,
}

fn layout(c: &Comparison) -> Layout<'_> {
    let first = c.meta.varied.first();
    let mut x_labels: Vec<String> = first.map(|v| v.values.clone()).unwrap_or_default();
    // The experiment's label, or the path with a word of explanation.
    let axis_name = first
        .map(|v| match &v.label {
            Some(l) => l.clone(),
            None => format!("{} (the varied setting)", v.path),
        })
        .unwrap_or_default();
    let keys: Option<Vec<f64>> = x_labels.iter().map(|v| order_key(v)).collect();
    let ordered = keys.is_some();
    let mut x_pos: Vec<f64> = (0..x_labels.len()).map(|i| i as f64).collect();
    if let Some(keys) = keys {
        let mut by_key: Vec<(f64, String)> = keys.into_iter().zip(x_labels).collect();
        by_key.sort_by(|a, b| a.0.total_cmp(&b.0));
        x_pos = positions(&by_key.iter().map(|k| k.0).collect::<Vec<_>>());
        x_labels = by_key.into_iter().map(|(_, v)| v).collect();
    }
    let mut lines: Vec<(String, Vec<(usize, &VariantRow)>)> = Vec::new();
    let mut apart = Vec::new();
    // Named as in the variants' labels: by the shortest ending that tells the settings apart.
    let paths: Vec<&str> = c.meta.varied.iter().map(|v| v.path.as_str()).collect();
    let shorts = crate::compare::variant::short_names(&paths);
    for r in &c.variants {
        if r.settings.is_empty() {
            apart.push(r);
            continue;
        }
        let x = x_labels
            .iter()
            .position(|v| *v == r.settings[0].value)
            .unwrap_or(0);
        let key = r.settings[1..]
            .iter()
            .map(|s| {
                let short = paths
                    .iter()
                    .position(|p| *p == s.path)
                    .map_or(s.path.as_str(), |i| match &c.meta.varied[i].label {
                        Some(l) => l.as_str(),
                        None => shorts[i].as_str(),
                    });
                format!("{short}={}", s.value)
            })
            .collect::<Vec<_>>()
            .join(", ");
        match lines.iter_mut().find(|l| l.0 == key) {
            Some(l) => {
                if !l.1.iter().any(|(i, _)| *i == x) {
                    l.1.push((x, r));
                }
            }
            None => lines.push((key, vec![(x, r)])),
        }
    }
    Layout {
        comparison: c,
        x_labels,
        ordered,
        x_pos,
        axis_name,
        lines,
        apart,
    }
}

/// Axis positions of sorted values in proportion to them, spread over [0, n - 1] (as their
/// indices would be); the indices when all are equal, or when two would sit closer than
/// [`MIN_GAP`] (0, 1, 2 and 150: their labels would overlap), as on a category axis.
fn positions(sorted: &[f64]) -> Vec<f64> {
    let index = || (0..sorted.len()).map(|i| i as f64).collect();
    match (sorted.first(), sorted.last()) {
        (Some(&lo), Some(&hi)) if hi > lo => {
            let last = (sorted.len() - 1) as f64;
            let p: Vec<f64> = sorted.iter().map(|k| (k - lo) / (hi - lo) * last).collect();
            if p.windows(2).all(|w| w[1] - w[0] >= MIN_GAP) {
                p
            } else {
                index()
            }
        }
        _ => index(),
    }
}

/// Closest two values may sit on a value-spaced axis, in units of the even spacing (below it
/// their tick and point labels collide).
const MIN_GAP: f64 = 0.3;

/// Where a varied value falls in the values' order: the number itself, or a date's day count;
/// `None` for text.
fn order_key(v: &str) -> Option<f64> {
    let v = v.trim_matches('"');
    v.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .or_else(|| Date::parse(v).ok().map(|d| f64::from(d.days_since_epoch())))
}

/// How [`bands`] draws the quantiles, for the subtitle.
fn how_drawn(l: &Layout) -> &'static str {
    if l.ordered {
        "P10–P90 (band or bars), line P50"
    } else {
        "P10–P90 bars, dot P50"
    }
}

fn label_of(r: &VariantRow) -> String {
    if r.settings.is_empty() {
        "as written".into()
    } else {
        r.label.clone()
    }
}

/// What [`bands`] draws on its y axis.
enum Quantity {
    /// A number of cases (axis from 0).
    Count,
    /// A date (as days since the epoch), with a line at the horizon when some quantile drawn
    /// sits there because it is beyond it.
    Date { horizon_line: Option<f64> },
}

/// A chart of one quantity (P10/P50/P90 per variant) against the first varied setting.
fn bands(
    l: &Layout,
    chart_name: &'static str,
    title: &str,
    subtitle: &str,
    y_desc: &str,
    q: &dyn Fn(&VariantRow) -> Option<[f64; 3]>,
    axis: Quantity,
) -> Result<super::Drawn, PlotError> {
    let (dates, horizon) = match axis {
        Quantity::Count => (false, None),
        Quantity::Date { horizon_line } => (true, horizon_line),
    };
    let c = l.comparison;
    let n = l.x_labels.len().max(1);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for r in &c.variants {
        if let Some(v) = q(r) {
            lo = lo.min(v[0]);
            hi = hi.max(v[2]);
        }
    }
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    // Room above the data for the legend (one row per line).
    let pad = ((hi - lo) * 0.12).max(1.0);
    let top = (hi - lo).max(1.0) * (0.12 + 0.07 * (l.lines.len() + l.apart.len()) as f64);
    let (y0, y1) = if dates {
        (lo - pad, hi + top)
    } else {
        (0.0, nice_ceiling(hi + top))
    };
    let svg = super::svg((960, 560), chart_name, |root| {
        let e = draw_err(chart_name);
        let area = super::frame(root, &footer(c), title, subtitle, chart_name)?;
        let xticks: Vec<f64> = if l.x_pos.is_empty() {
            vec![0.0]
        } else {
            l.x_pos.clone()
        };
        let x_axis = Ticked::new(-0.4..(n as f64 - 0.6), xticks);
        let (labels, pos) = (l.x_labels.clone(), l.x_pos.clone());
        // Ticks are exactly the positions, so each finds its own label.
        let x_fmt = move |x: &f64| {
            pos.iter()
                .position(|p| p == x)
                .map(|i| labels[i].trim_matches('"').to_string())
                .unwrap_or_default()
        };
        let (y_axis, y_fmt): (Ticked, Formatter) = if dates {
            let (a, f) = date_axis(
                Date::from_days_since_epoch(y0 as i64),
                Date::from_days_since_epoch(y1 as i64),
                8,
            );
            (a, Box::new(f))
        } else {
            let r: plotters::coord::types::RangedCoordf64 = (y0..y1).into();
            let ticks = r.key_points(8usize);
            (
                Ticked::new(y0..y1, ticks),
                Box::new(|y: &f64| thousands(*y)),
            )
        };
        let mut chart = ChartBuilder::on(&area)
            .margin_right(24)
            .x_label_area_size(52)
            .y_label_area_size(76)
            .build_cartesian_2d(x_axis, y_axis)
            .map_err(&e)?;
        mesh!(chart, &x_fmt, &y_fmt, l.axis_name.clone(), y_desc, &e);
        for r in &l.apart {
            if let Some(v) = q(r) {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        vec![(-0.4, v[1]), (n as f64 - 0.6, v[1])],
                        6,
                        4,
                        colour::GREY.stroke_width(2),
                    )))
                    .map_err(&e)?
                    .label(format!("{} (P50)", label_of(r)))
                    .legend(|(x, y)| {
                        DashedPathElement::new(
                            vec![(x, y), (x + 22, y)],
                            5,
                            3,
                            colour::GREY.stroke_width(2),
                        )
                    });
            }
        }
        let many = l.lines.len() > 1;
        // With several lines, the baseline's label is drawn after them all, under the bars of
        // its position on the x axis: beside its point, the lines drawn later struck it through.
        let mut baseline_label: Option<(f64, f64, RGBColor)> = None;
        for (li, (name, pts)) in l.lines.iter().enumerate() {
            let col = colour::SERIES[li % colour::SERIES.len()];
            // Several lines: each shifted a little sideways so that their bars do not hide one
            // another, and P10–P90 drawn as bars rather than overlapping bands.
            let dodge = if many {
                (li as f64 - (l.lines.len() as f64 - 1.0) / 2.0) * 0.07
            } else {
                0.0
            };
            let mut pts: Vec<(f64, [f64; 3], bool)> = pts
                .iter()
                .filter_map(|(x, r)| q(r).map(|v| (l.x_pos[*x] + dodge, v, r.is_baseline)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            // A band under a single line of ordered values; bars stand alone otherwise.
            let banded = !many && l.ordered;
            if banded {
                let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.1[2])).collect();
                band.extend(pts.iter().rev().map(|p| (p.0, p.1[0])));
                chart
                    .draw_series(std::iter::once(Polygon::new(band, col.mix(0.18).filled())))
                    .map_err(&e)?;
            }
            for p in &pts {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(p.0, p.1[0]), (p.0, p.1[2])],
                        col.mix(if banded { 0.5 } else { 0.9 })
                            .stroke_width(if banded { 1 } else { 2 }),
                    )))
                    .map_err(&e)?;
            }
            let series_name = if name.is_empty() {
                "P50; P10–P90".to_string()
            } else {
                format!("{name}: P50; P10–P90")
            };
            if l.ordered {
                line!(
                    chart,
                    pts.iter().map(|p| (p.0, p.1[1])),
                    col.stroke_width(2),
                    super::dash_of(li),
                    series_name,
                    &e
                );
            } else {
                // Categories without an order: the points below, and a point in the legend.
                chart
                    .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
                    .map_err(&e)?
                    .label(series_name)
                    .legend(move |(x, y)| Circle::new((x + 12, y), 4, col.filled()));
            }
            for p in &pts {
                let size = if p.2 { 7 } else { 4 };
                chart
                    .draw_series(std::iter::once(Circle::new(
                        (p.0, p.1[1]),
                        size,
                        col.filled(),
                    )))
                    .map_err(&e)?;
                if many {
                    if p.2 {
                        baseline_label = Some((p.0, p.1[1], col));
                    }
                    continue;
                }
                let text = if dates {
                    human(&Date::from_days_since_epoch(p.1[1].round() as i64).to_string())
                } else {
                    thousands(p.1[1])
                };
                let text = if p.2 {
                    format!("{text} (baseline)")
                } else {
                    text
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (p.0 + 0.05, p.1[1]),
                        (FONT, 12)
                            .into_font()
                            .color(&col)
                            .pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )))
                    .map_err(&e)?;
            }
        }
        if let Some((x, p50, col)) = baseline_label {
            // Under the lowest bar end among the lines at the baseline's position (the legend
            // is above), or above the highest when there is no room below.
            let all = || l.lines.iter().flat_map(|(_, pts)| pts.iter());
            let at_x = all().find(|(_, r)| r.is_baseline).map(|(xi, _)| *xi);
            let here: Vec<[f64; 3]> = all()
                .filter(|(xi, _)| Some(*xi) == at_x)
                .filter_map(|(_, r)| q(r))
                .collect();
            let low = here.iter().map(|v| v[0].min(v[2])).fold(p50, f64::min);
            let high = here.iter().map(|v| v[0].max(v[2])).fold(p50, f64::max);
            let text = if dates {
                human(&Date::from_days_since_epoch(p50.round() as i64).to_string())
            } else {
                thousands(p50)
            };
            let (_, pixels_y) = chart.plotting_area().get_pixel_range();
            let below = chart.backend_coord(&(x, low)).1 + 22 <= pixels_y.end;
            let (at, dy, v) = if below {
                (low, 6, VPos::Top)
            } else {
                (high, -6, VPos::Bottom)
            };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, at))
                        + Text::new(
                            format!("baseline P50: {text}"),
                            (0, dy),
                            (FONT, 12)
                                .into_font()
                                .color(&col)
                                .pos(Pos::new(HPos::Center, v)),
                        ),
                ))
                .map_err(&e)?;
        }
        if let Some(y) = horizon {
            // Quantiles beyond the horizon are drawn on it: the line says where that is.
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(-0.4, y), (n as f64 - 0.6, y)],
                    6,
                    4,
                    colour::GREY.stroke_width(1),
                )))
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!(
                        "horizon {}: a P90 on this line is later",
                        human(&c.meta.horizon)
                    ),
                    (-0.35, y),
                    (FONT, 12)
                        .into_font()
                        .color(&colour::GREY)
                        .pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))
                .map_err(&e)?;
        }
        legend!(chart, SeriesLabelPosition::UpperRight, &e);
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title: title.to_string(),
        subtitle: subtitle.to_string(),
    })
}

/// Calendar-day coordinates of P10/P50/P90 of the last case closing; censored quantiles sit at
/// the horizon.
fn closed_dates(c: &Comparison) -> impl Fn(&VariantRow) -> Option<[f64; 3]> + '_ {
    let horizon = Date::parse(&c.meta.horizon).ok();
    move |r: &VariantRow| {
        let d = metric(r, "all_cases_closed")?.dates.as_ref()?;
        // No P50 (half the runs or more not finished by the horizon): nothing to draw; the
        // subtitle names the variant instead. P10/P90 beyond the horizon sit at the horizon.
        let p50 = Date::parse(d.p50.as_deref()?).ok()?;
        let at = |x: &Option<String>| {
            x.as_deref()
                .and_then(|s| Date::parse(s).ok())
                .or(horizon)
                .map(x_of)
        };
        Some([at(&d.p10)?, x_of(p50), at(&d.p90)?])
    }
}

/// Numbers of the variants whose median last case is not closed by the horizon.
fn unfinished(c: &Comparison) -> Vec<String> {
    c.variants
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            metric(r, "all_cases_closed")
                .and_then(|m| m.dates.as_ref())
                .is_some_and(|d| d.p50.is_none())
        })
        .map(|(i, _)| (i + 1).to_string())
        .collect()
}

fn extreme_p50<'a>(
    c: &'a Comparison,
    q: &dyn Fn(&VariantRow) -> Option<[f64; 3]>,
) -> Option<(&'a VariantRow, &'a VariantRow)> {
    let with: Vec<(&VariantRow, f64)> = c
        .variants
        .iter()
        .filter_map(|r| q(r).map(|v| (r, v[1])))
        .collect();
    let lo = with.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let hi = with.iter().max_by(|a, b| a.1.total_cmp(&b.1))?;
    Some((lo.0, hi.0))
}

fn finish(c: &Comparison) -> Result<super::Drawn, PlotError> {
    let l = layout(c);
    let q = closed_dates(c);
    let title = match extreme_p50(c, &q) {
        Some((early, late)) => {
            let d = |r: &VariantRow| {
                Date::from_days_since_epoch(q(r).map(|v| v[1]).unwrap_or(0.0) as i64).human()
            };
            if d(early) == d(late) {
                format!("Last case closes (P50) by {} in every variant", d(early))
            } else {
                format!(
                    "Last case closes (P50) between {} and {} across the {} variants",
                    d(early),
                    d(late),
                    c.variants.len()
                )
            }
        }
        None => "When the last case closes, by variant".into(),
    };
    let mut subtitle = format!(
        "Date the last case closes across {} paired runs per variant: {}; large dot: baseline.",
        thousands(c.meta.replications as f64),
        how_drawn(&l)
    );
    // Some drawn variant has a P10 or P90 beyond the horizon (drawn at the horizon).
    let capped = c.variants.iter().any(|r| {
        metric(r, "all_cases_closed")
            .and_then(|m| m.dates.as_ref())
            .is_some_and(|d| d.p50.is_some() && (d.p10.is_none() || d.p90.is_none()))
    });
    let late = unfinished(c);
    if !late.is_empty() {
        subtitle = format!(
            "Not closed by {} in half the runs or more (not drawn): variant {}. {subtitle}",
            human(&c.meta.horizon),
            late.join(", ")
        );
    }
    bands(
        &l,
        "the comparison finish chart",
        &title,
        &subtitle,
        "Last case closes",
        &q,
        Quantity::Date {
            horizon_line: capped
                .then(|| Date::parse(&c.meta.horizon).ok().map(x_of))
                .flatten(),
        },
    )
}

fn peak(c: &Comparison) -> Result<super::Drawn, PlotError> {
    let l = layout(c);
    let q = |r: &VariantRow| {
        let m = metric(r, "peak_open_cases")?;
        Some([m.p10?, m.p50?, m.p90?])
    };
    let title = match extreme_p50(c, &q) {
        Some((lo, hi)) => {
            let (a, b) = (
                thousands(q(lo).map(|v| v[1]).unwrap_or(0.0)),
                thousands(q(hi).map(|v| v[1]).unwrap_or(0.0)),
            );
            if a == b {
                format!("Peak caseload (P50) {a} open cases in every variant")
            } else {
                format!(
                    "Peak caseload (P50) between {a} and {b} open cases across the {} variants",
                    c.variants.len()
                )
            }
        }
        None => "Peak caseload by variant".into(),
    };
    let subtitle = format!(
        "Most cases open at once in each of {} paired runs per variant: {}.",
        thousands(c.meta.replications as f64),
        how_drawn(&l)
    );
    bands(
        &l,
        "the comparison peak chart",
        &title,
        &subtitle,
        "Peak open cases",
        &q,
        Quantity::Count,
    )
}

fn tradeoff(c: &Comparison) -> Result<super::Drawn, PlotError> {
    const CHART: &str = "the comparison trade-off chart";
    let pts: Vec<(&VariantRow, f64, f64, f64)> = c
        .variants
        .iter()
        .filter_map(|r| {
            // The baseline is the origin by definition, even when its runs are censored (a
            // mean difference from itself is then undefined, not unknown).
            if r.is_baseline {
                return Some((r, 0.0, 0.0, 0.0));
            }
            let v = &r.versus_baseline;
            Some((
                r,
                v.officer_days.mean?,
                v.days_saved?,
                v.days_saved_mcse.unwrap_or(0.0),
            ))
        })
        .collect();
    // Variants with no mean difference to draw: some of their paired runs (or the baseline's)
    // do not close the last case by the horizon.
    let undrawn: Vec<(usize, &VariantRow)> = c
        .variants
        .iter()
        .enumerate()
        .filter(|(_, r)| !pts.iter().any(|p| std::ptr::eq(p.0, *r)))
        .map(|(i, r)| (i + 1, r))
        .collect();
    let sources = if c.meta.sources.is_empty() {
        "other units".to_string()
    } else {
        c.meta.sources.join(" and ")
    };
    // The variant that saves most (the cheaper of equals, then the first of the grid).
    let best = most_saved(pts.iter());
    let number = |r: &VariantRow| {
        c.variants
            .iter()
            .position(|x| std::ptr::eq(x, r))
            .map(|i| i + 1)
            .unwrap_or(0)
    };
    // Variant a's finish minus variant b's, mean and standard error over the paired runs.
    let versus = |a: &VariantRow, b: &VariantRow| -> Option<(f64, f64)> {
        let w = a.versus_variants.get(number(b).checked_sub(1)?)?;
        Some((w.mean?, w.mcse?))
    };
    // The step before the best (the most saved for fewer officer-days, a variant that saves
    // days) and whether the two can be told apart: the step's finish is not later than the
    // best's by 2 standard errors of their paired difference. One comparison, of the two
    // variants the chart names, so no search among many for one that passes. With one
    // replication there is no error to judge by.
    let step = step_before(&pts, best);
    let paired_error = c.meta.replications >= 2;
    let step_within_noise = paired_error
        && best
            .zip(step)
            .and_then(|(b, n)| versus(n.0, b.0))
            .is_some_and(|(m, se)| m <= 2.0 * se);
    // And the best against the baseline, by its own paired error.
    let best_within_noise = paired_error && best.is_some_and(|b| b.2 <= 2.0 * b.3);
    let horizon = human(&c.meta.horizon);
    let title = match best {
        _ if c.meta.sources.is_empty() => {
            "No officers are lent by other units in these variants: nothing to trade off"
                .to_string()
        }
        Some(p) => format!(
            "Most saved{}: {} (no. {}), {:.1} working days sooner{} {}{}",
            if undrawn.is_empty() {
                ""
            } else {
                " of the variants drawn"
            },
            label_of(p.0),
            number(p.0),
            p.2,
            if best_within_noise {
                " (within noise of the baseline)"
            } else {
                ""
            },
            officer_days_phrase(p.1, &sources),
            match step {
                Some(n) if step_within_noise => format!(
                    "; no. {} saves about as much (within noise) for {} fewer",
                    number(n.0),
                    thousands((p.1 - n.1).round())
                ),
                _ => String::new(),
            },
        ),
        None if undrawn.is_empty() => {
            "No variant closes the last case sooner than the baseline".to_string()
        }
        None => format!(
            "Days saved cannot be averaged for {} of the {} variants: some runs do not close the last case by {horizon}",
            undrawn.len(),
            c.variants.len()
        ),
    };
    // The x axis is the lending units' cost alone: a variant that adds the force's own staff
    // can sit left of the baseline (its lent officers finish their cases sooner) at a cost the
    // chart does not show, so the subtitle says so.
    let mut subtitle = format!(
        "Each point a variant (numbered as in comparison.csv) against the baseline at (0, 0), paired over the same runs; bars ± 2 standard errors. Officer-days count only those taken from {sources} (lent, or kept on to finish a case), not the cost of other settings varied."
    );
    // What the best's last days cost: the most saved for fewer officer-days (the staircase's
    // step before it), with what it saves and what it spares, and how much later it finishes
    // over the paired runs. In met-2023-diversion the best saves 3.9 days and the step before
    // 3.8, for 9,286 fewer officer-days; the title alone read as "the more officers, the
    // better", and the two means alone could not say whether 0.09 days is more than chance
    // (it is: ± 0.06).
    if let Some((b, n)) = best.zip(step) {
        let later = match versus(n.0, b.0) {
            Some((m, se)) if paired_error => format!(
                " It finishes {m:.2} working days after no. {} on average over the same runs, ± {:.2} (2 standard errors of the paired difference){}.",
                number(b.0),
                2.0 * se,
                if step_within_noise {
                    ": within noise, the two cannot be told apart"
                } else {
                    ""
                }
            ),
            _ => String::new(),
        };
        subtitle = format!(
            "For fewer officer-days, the most saved is {:.1} working days: no. {} ({}), for {} fewer officer-days than no. {}.{later} {subtitle}",
            n.2,
            number(n.0),
            label_of(n.0),
            thousands((b.1 - n.1).round()),
            number(b.0),
        );
    }
    if !undrawn.is_empty() {
        // What can still be said of them: how often each closes sooner or later than the
        // baseline in the paired runs (a censored run counts as later than any date).
        const LISTED: usize = 4;
        let mut shares = undrawn
            .iter()
            .take(LISTED)
            .map(|(i, r)| {
                let d = &r.versus_baseline.all_cases_closed;
                format!(
                    "no. {i} sooner in {}, later in {} of paired runs",
                    percent(d.share_smaller),
                    percent(d.share_larger)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        if undrawn.len() > LISTED {
            shares.push_str(&format!(
                "; {} more in comparison.csv",
                undrawn.len() - LISTED
            ));
        }
        subtitle =
            format!("Not drawn (runs not finished by {horizon}, so no mean): {shares}. {subtitle}");
    }
    let (mut x0, mut x1, mut y0, mut y1) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for p in &pts {
        x0 = x0.min(p.1);
        x1 = x1.max(p.1);
        y0 = y0.min(p.2 - 2.0 * p.3);
        y1 = y1.max(p.2 + 2.0 * p.3);
    }
    let px = ((x1 - x0) * 0.15).max(10.0);
    let py = ((y1 - y0) * 0.15).max(1.0);
    let (x0, x1, y0, y1) = (x0 - px, x1 + px, y0 - py, y1 + py);
    // Whole days, or tenths when the axis spans only a few days (so that ticks 0.2 apart do not
    // all read "0" or "-1"); never "-0".
    let decimals = if y1 - y0 < 10.0 { 1 } else { 0 };
    let y_label = move |y: &f64| {
        let s = format!("{y:.decimals$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    };
    let svg = super::svg((960, 560), CHART, |root| {
        let e = draw_err(CHART);
        let page = super::frame(root, &footer(c), &title, &subtitle, CHART)?;
        // The key to the variant numbers sits beside the plot, never over it.
        let (pw, _) = page.dim_in_pixel();
        let (area, key) = page.split_horizontally(pw.saturating_sub(290));
        let mut chart = ChartBuilder::on(&area)
            .margin_right(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(&e)?;
        mesh!(
            chart,
            &|x: &f64| thousands(*x),
            &y_label,
            format!("Officer-days taken from {sources}, more than the baseline"),
            "Working days saved on the last case",
            &e
        );
        for line in [vec![(x0, 0.0), (x1, 0.0)], vec![(0.0, y0), (0.0, y1)]] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    line,
                    colour::GREY.stroke_width(1),
                )))
                .map_err(&e)?;
        }
        let frontier = staircase(&pts.iter().map(|p| (p.1, p.2)).collect::<Vec<_>>(), x1);
        line!(
            chart,
            frontier,
            colour::LINE.mix(0.6).stroke_width(2),
            Some((6, 4)),
            "most saved for the officer-days".to_string(),
            &e
        );
        legend!(chart, SeriesLabelPosition::LowerRight, &e);
        // Points are labelled with their variant numbers (as in comparison.csv and the terminal
        // table); variants that coincide share one label.
        let mut labels: Vec<(f64, f64, Vec<String>)> = Vec::new();
        for p in &pts {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p.1, p.2 - 2.0 * p.3), (p.1, p.2 + 2.0 * p.3)],
                    colour::LINE.stroke_width(2),
                )))
                .map_err(&e)?;
            let size = if p.0.is_baseline { 7 } else { 5 };
            chart
                .draw_series(std::iter::once(Circle::new(
                    (p.1, p.2),
                    size,
                    colour::LINE.filled(),
                )))
                .map_err(&e)?;
            let num = c
                .variants
                .iter()
                .position(|r| std::ptr::eq(r, p.0))
                .map(|i| (i + 1).to_string())
                .unwrap_or_default();
            let near = |a: &(f64, f64, Vec<String>)| {
                (a.0 - p.1).abs() <= (x1 - x0) * 0.01 && (a.1 - p.2).abs() <= (y1 - y0) * 0.01
            };
            match labels.iter_mut().find(|a| near(a)) {
                Some(a) => a.2.push(num),
                None => labels.push((p.1, p.2, vec![num])),
            }
        }
        // The key: one entry per variant, wrapped within the key's width (a continuation
        // line indented under the label), as many lines as the key's height holds. A grid of
        // variants names its settings once, above, and each entry gives its values alone:
        // "Officers diverted from SOC/CT=150, Diverted until=2024-01-05" twelve times took two
        // lines each and ran off the page.
        let key_style: TextStyle = (FONT, 12).into_font().color(&colour::TEXT);
        let (kw, kh) = key.dim_in_pixel();
        let most_lines = ((kh as usize).saturating_sub(10) / 17).max(2);
        let width = |t: &str| key.estimate_text_size(t, &key_style).map_or(0, |(x, _)| x);
        let paths: Vec<&str> = c.meta.varied.iter().map(|v| v.path.as_str()).collect();
        let given: Vec<Option<&str>> = c.meta.varied.iter().map(|v| v.label.as_deref()).collect();
        let names = crate::compare::variant::setting_names(&paths, &given);
        let grid = !names.is_empty()
            && c.variants
                .iter()
                .all(|r| r.settings.is_empty() || r.settings.len() == names.len());
        let mut key_lines: Vec<(String, bool)> = Vec::new();
        if grid {
            for line in super::wrap(
                &format!("{}:", names.join(", ")),
                kw.saturating_sub(12),
                width,
            ) {
                key_lines.push((line, true));
            }
        }
        let mut shown = 0;
        for (i, r) in c.variants.iter().enumerate() {
            let mark = if r.is_baseline {
                " (baseline)"
            } else if undrawn.iter().any(|(_, u)| std::ptr::eq(*u, r)) {
                " (not drawn)"
            } else {
                ""
            };
            let text = if grid && !r.settings.is_empty() {
                let values: Vec<&str> = r.settings.iter().map(|s| s.value.as_str()).collect();
                values.join(", ")
            } else {
                label_of(r)
            };
            let lines = super::wrap(&format!("{text}{mark}"), kw.saturating_sub(40), width);
            // The last line is kept for "... and N more" unless this is the last variant.
            let room = if i + 1 < c.variants.len() {
                most_lines - 1
            } else {
                most_lines
            };
            if key_lines.len() + lines.len() > room {
                break;
            }
            for (k, line) in lines.into_iter().enumerate() {
                key_lines.push((
                    if k == 0 {
                        format!("{}: {line}", i + 1)
                    } else {
                        format!("      {line}")
                    },
                    false,
                ));
            }
            shown = i + 1;
        }
        for (i, (line, header)) in key_lines.iter().enumerate() {
            let style = if *header {
                (FONT, 12).into_font().color(&colour::GREY)
            } else {
                key_style.clone()
            };
            key.draw(&Text::new(line.clone(), (6, 10 + 17 * i as i32), style))
                .map_err(&e)?;
        }
        if c.variants.len() > shown {
            key.draw(&Text::new(
                format!(
                    "... and {} more: see comparison.csv",
                    c.variants.len() - shown
                ),
                (6, 10 + 17 * key_lines.len() as i32),
                (FONT, 12).into_font().color(&colour::GREY),
            ))
            .map_err(&e)?;
        }
        // Each label's box in pixels, right of and below its point; a label that would cover
        // one placed above it moves down below that one (points a fraction of a day apart, like
        // variants 4 and 5 of the levers comparison, had their numbers printed over each other).
        let label_style: TextStyle = (FONT, 13)
            .into_font()
            .color(&colour::TEXT)
            .pos(Pos::new(HPos::Left, VPos::Top));
        let (_, py_range) = chart.plotting_area().get_pixel_range();
        let (top_px, bottom_px) = (py_range.start as f64, py_range.end as f64);
        let mut boxes: Vec<(i32, i32, i32, i32, String, f64)> = labels
            .iter()
            .map(|(x, y, nums)| {
                let text = nums.join(", ");
                let x = *x + (x1 - x0) * 0.008;
                let (px, py) = chart.backend_coord(&(x, *y));
                let (w, h) = area
                    .estimate_text_size(&text, &label_style)
                    .unwrap_or((0, 13));
                (px, py, w as i32, h as i32 + 2, text, x)
            })
            .collect();
        boxes.sort_by_key(|b| (b.1, b.0));
        let placed = place_labels(
            &boxes
                .iter()
                .map(|b| (b.0, b.1, b.2, b.3))
                .collect::<Vec<_>>(),
            py_range.end,
        );
        for (b, top) in boxes.iter().zip(placed) {
            // Back from pixels to the axis' units (the chart draws in those).
            let y = y1 - (f64::from(top) - top_px) / (bottom_px - top_px) * (y1 - y0);
            chart
                .draw_series(std::iter::once(Text::new(
                    b.4.clone(),
                    (b.5, y),
                    label_style.clone(),
                )))
                .map_err(&e)?;
        }
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title,
        subtitle,
    })
}

/// The top of each label box `(left, top, width, height)` in pixels, given in order of `top`:
/// its own, or just below the lowest of the boxes placed before it that it would overlap; or,
/// when that would take it past `bottom` (the plot's lower edge, with the axis' numbers under
/// it), just above the highest of them instead.
fn place_labels(boxes: &[(i32, i32, i32, i32)], bottom: i32) -> Vec<i32> {
    let mut placed: Vec<(i32, i32, i32, i32)> = Vec::with_capacity(boxes.len());
    for &(left, first, w, h) in boxes {
        let hits = |top: i32, placed: &[(i32, i32, i32, i32)]| {
            placed
                .iter()
                .filter(|p| left < p.0 + p.2 && p.0 < left + w && top < p.1 + p.3 && p.1 < top + h)
                .map(|p| (p.1, p.1 + p.3))
                .collect::<Vec<_>>()
        };
        // Each move goes past a placed box, so at most one move per placed box.
        let mut top = first;
        for _ in 0..=placed.len() {
            match hits(top, &placed).iter().map(|h| h.1).max() {
                Some(below) => top = below,
                None => break,
            }
        }
        if top + h > bottom && top != first {
            top = first;
            for _ in 0..=placed.len() {
                match hits(top, &placed).iter().map(|h| h.0).min() {
                    Some(above) => top = above - h,
                    None => break,
                }
            }
        }
        placed.push((left, top, w, h));
    }
    placed.iter().map(|p| p.1).collect()
}

/// "for 1,234 more officer-days", "for 36 fewer officer-days" or "for no more officer-days"
/// (a variant may take fewer officers from the lending units than the baseline). Whole days: the
/// figure is a mean over runs, and "36.1 fewer" claimed a precision its noise does not have
/// (met-2023-levers, where no variant lends differently and the difference is officers kept
/// on to finish their cases).
fn officer_days_phrase(more: f64, sources: &str) -> String {
    let more = more.round();
    if more > 0.0 {
        format!("for {} more officer-days from {sources}", thousands(more))
    } else if more < 0.0 {
        format!("for {} fewer officer-days from {sources}", thousands(-more))
    } else {
        format!("for no more officer-days from {sources}")
    }
}

/// Of the points `(row, officer-days, days saved, its standard error)` that save days at all,
/// the one that saves the most: the cheaper of equals, then the first (the grid's values run in
/// the order given, usually the smaller first). `min_by` keeps the first of equals where
/// `max_by` kept the last, which named 20 vetting officers where 12 did as well.
pub(super) fn most_saved<'a, T: 'a>(
    pts: impl Iterator<Item = &'a (T, f64, f64, f64)>,
) -> Option<&'a (T, f64, f64, f64)> {
    pts.filter(|p| p.2 > 0.0)
        .min_by(|x, y| y.2.total_cmp(&x.2).then(x.1.total_cmp(&y.1)))
}

/// Of the points that take fewer officer-days than `best`, the one that saves the most
/// ([`most_saved`]): the step of the staircase before the best.
pub(super) fn step_before<'a, T>(
    pts: &'a [(T, f64, f64, f64)],
    best: Option<&(T, f64, f64, f64)>,
) -> Option<&'a (T, f64, f64, f64)> {
    let b = best?;
    most_saved(pts.iter().filter(|p| p.1 < b.1))
}

/// The most saved for at most so many officer-days, as a step line through `(officer-days,
/// saved)` points: flat from each variant that saves more than every cheaper one to the next
/// such variant, then up. Variants cannot be mixed (half of one staffing, half of another), so
/// a sloping line between them would promise savings no variant gives, and jag up and down with
/// the Monte Carlo noise of the points between.
///
/// The last step runs on flat to `right` (the plot's right edge): more officer-days than the
/// best variant takes buy no more than it saves. Without it a comparison whose cheapest variant
/// also saves the most had a line of one point, invisible, under a legend entry that named it.
fn staircase(points: &[(f64, f64)], right: f64) -> Vec<(f64, f64)> {
    let mut sorted = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut line: Vec<(f64, f64)> = Vec::new();
    for &(x, y) in &sorted {
        match line.last() {
            None => line.push((x, y)),
            Some(&(_, best)) if y > best => {
                line.push((x, best));
                line.push((x, y));
            }
            Some(_) => {}
        }
    }
    if let Some(&(x, best)) = line.last()
        && right > x
    {
        line.push((right, best));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::{
        most_saved, officer_days_phrase, order_key, place_labels, positions, staircase, step_before,
    };

    /// The step before the best: met-2023's diversion grid, in which 150 officers to October
    /// save 3.8 days against 3.9 to January, for 9,300 fewer officer-days.
    #[test]
    fn the_most_saved_for_fewer_officer_days_is_found() {
        // (number, officer-days, days saved, its standard error)
        let pts = [
            (7, 0.0, 0.0f64, 0.0f64),
            (9, 11_300.0, 2.66, 0.21),
            (10, 3_600.0, 1.87, 0.14),
            (11, 13_300.0, 3.82, 0.24),
            (12, 22_600.0, 3.91, 0.25),
        ];
        let best = most_saved(pts.iter());
        assert_eq!(best.map(|p| p.0), Some(12));
        assert_eq!(step_before(&pts, best).map(|p| p.0), Some(11));
        // Of equal savings, the cheaper.
        let tie = [
            (1, 10.0, 2.0f64, 0.1f64),
            (2, 5.0, 2.0, 0.1),
            (3, 20.0, 3.0, 0.1),
        ];
        assert_eq!(step_before(&tie, tie.get(2)).map(|p| p.0), Some(2));
        // The best of equals is the cheaper, then the first; a loss is never the best.
        let level = [
            (1, 10.0, 2.0f64, 0.1f64),
            (2, 5.0, 2.0, 0.1),
            (3, 5.0, 2.0, 0.1),
        ];
        assert_eq!(most_saved(level.iter()).map(|p| p.0), Some(2));
        let losses = [(1, 10.0, -2.0f64, 0.1f64), (2, 5.0, 0.0, 0.1)];
        assert_eq!(most_saved(losses.iter()), None);
        // None cheaper that saves days: none named.
        let alone = [
            (1, 10.0, 3.9f64, 0.2f64),
            (2, 20.0, 3.8, 0.2),
            (3, 5.0, -1.0, 0.2),
        ];
        assert_eq!(step_before(&alone, alone.first()), None);
        assert_eq!(step_before(&pts, None), None);
    }

    #[test]
    fn the_frontier_is_a_rising_staircase_through_the_best_variants() {
        // (cost, saved): the 4th saves less than the 3rd for more, so it is under the line.
        let pts = [
            (0.0, 0.0),
            (10.0, 2.5),
            (-5.0, -4.0),
            (20.0, 2.4),
            (30.0, 3.8),
            (30.0, 1.0),
        ];
        let line = staircase(&pts, 40.0);
        assert_eq!(
            line,
            vec![
                (-5.0, -4.0),
                (0.0, -4.0),
                (0.0, 0.0),
                (10.0, 0.0),
                (10.0, 2.5),
                (30.0, 2.5),
                (30.0, 3.8),
                (40.0, 3.8)
            ]
        );
        // Never down, never left: the most saved for at most x officer-days.
        for w in line.windows(2) {
            assert!(w[1].0 >= w[0].0 && w[1].1 >= w[0].1, "{line:?}");
        }
        assert!(staircase(&[], 5.0).is_empty());
        // The cheapest variant saves the most: still a line, flat to the edge (the levers
        // comparison, where more investigators also take fewer officer-days).
        assert_eq!(
            staircase(&[(0.0, 0.0), (-36.0, 7.4), (24.0, -9.6)], 30.0),
            vec![(-36.0, 7.4), (30.0, 7.4)]
        );
        assert_eq!(staircase(&[(1.0, 1.0)], 1.0), vec![(1.0, 1.0)]);
    }

    #[test]
    fn labels_that_would_overlap_move_down_below_each_other() {
        // (left, top, width, height): the second covers the first, the third covers the second
        // once that has moved, the fourth is clear of all.
        let boxes = [
            (100, 50, 30, 15),
            (105, 55, 10, 15),
            (100, 66, 40, 15),
            (300, 52, 20, 15),
        ];
        assert_eq!(place_labels(&boxes, 500), vec![50, 65, 80, 52]);
        // No room below the plot's edge at 90: the third goes above the second instead (the
        // second, moved to 65, ends at 80; the third would end at 95).
        assert_eq!(place_labels(&boxes, 90), vec![50, 65, 35, 52]);
        for bottom in [500, 90] {
            let tops = place_labels(&boxes, bottom);
            for (i, a) in boxes.iter().enumerate() {
                for (j, b) in boxes.iter().enumerate().skip(i + 1) {
                    let (ta, tb) = (tops[i], tops[j]);
                    let apart =
                        a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0 || ta + a.3 <= tb || tb + b.3 <= ta;
                    assert!(
                        apart,
                        "labels {i} and {j} overlap with the edge at {bottom}"
                    );
                }
            }
        }
        assert!(place_labels(&[], 0).is_empty());
    }

    #[test]
    fn negative_officer_days_read_as_fewer() {
        assert_eq!(
            officer_days_phrase(-36.1, "SOC/CT"),
            "for 36 fewer officer-days from SOC/CT"
        );
        assert_eq!(
            officer_days_phrase(-0.4, "SOC/CT"),
            "for no more officer-days from SOC/CT"
        );
        assert_eq!(
            officer_days_phrase(22607.0, "SOC/CT"),
            "for 22,607 more officer-days from SOC/CT"
        );
        assert_eq!(
            officer_days_phrase(0.0, "SOC/CT"),
            "for no more officer-days from SOC/CT"
        );
    }

    #[test]
    fn numeric_settings_are_spaced_by_value() {
        let p = positions(&[0.0, 45.0, 90.0, 150.0]);
        for (got, want) in p.iter().zip([0.0, 0.9, 1.8, 3.0]) {
            assert!((got - want).abs() < 1e-12, "{p:?}");
        }
        assert_eq!(positions(&[5.0, 5.0]), vec![0.0, 1.0]);
        // Clustered values would put labels on top of one another: evenly spaced instead.
        assert_eq!(positions(&[0.0, 1.0, 2.0, 150.0]), vec![0.0, 1.0, 2.0, 3.0]);
        assert_eq!(positions(&[7.0]), vec![0.0]);
        assert!(positions(&[]).is_empty());
        // Dates by their day counts: 92 days, then 91 more.
        let keys: Vec<f64> = ["2023-07-06", "2023-10-06", "2024-01-05"]
            .iter()
            .map(|d| order_key(d).unwrap())
            .collect();
        let p = positions(&keys);
        assert!((p[1] - 92.0 / 183.0 * 2.0).abs() < 1e-12, "{p:?}");
    }
}
