//! The tornado chart of a sensitivity analysis (`sensitivity.svg`), drawn from
//! `sensitivity.json` alone: one bar per assumption, by rank, from the mean date the last case
//! closes with the assumption at its P10 to that with it at its P90 (every other at its median),
//! measured from the date with every assumption at its median.

use super::{FONT, PlotError, colour, draw_err, frame, human, percent, svg, thousands};
use crate::sensitivity::{RANKED_BY, Sensitivity};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const CHART: &str = "the sensitivity chart";

/// Most bars drawn; the rest are in sensitivity.csv (the subtitle says how many).
const MOST_BARS: usize = 30;

/// Parses `sensitivity.json`; `dir` only names it in errors.
pub fn load_sensitivity(dir: &Path, bytes: &[u8]) -> Result<Sensitivity, PlotError> {
    super::parse_checked(
        dir,
        "sensitivity.json",
        "sensitivity analysis",
        bytes,
        check,
    )
}

/// Refuses an analysis that parses but cannot be what `vetsim sensitivity` wrote, so that the
/// chart never contradicts its data. `vetsim sensitivity` draws from the bytes it made through
/// this check, so every rule here holds for anything it writes.
fn check(s: &Sensitivity) -> Result<(), String> {
    super::span_of(&s.meta.start, &s.meta.horizon)?;
    let k = ranked_output(s).ok_or_else(|| format!("outputs: no {RANKED_BY}"))?;
    for (i, a) in s.assumptions.iter().enumerate() {
        if a.rank != i as u64 + 1 {
            return Err(format!(
                "assumptions[{i}].rank: {} where {} was expected (ranked in order)",
                a.rank,
                i + 1
            ));
        }
        if a.effects.len() != s.outputs.len() {
            return Err(format!(
                "assumptions[{i}].effects: {} where there are {} outputs",
                a.effects.len(),
                s.outputs.len()
            ));
        }
        let e = &a.effects[k];
        if e.metric != RANKED_BY {
            return Err(format!(
                "assumptions[{i}].effects[{k}]: {} where {RANKED_BY} was expected",
                e.metric
            ));
        }
        if !(e.at_low.is_finite() && e.at_high.is_finite()) {
            return Err(format!(
                "assumptions[{i}].effects[{k}]: a mean is not a number"
            ));
        }
    }
    Ok(())
}

fn ranked_output(s: &Sensitivity) -> Option<usize> {
    s.outputs
        .iter()
        .position(|o| o.metric == RANKED_BY && o.case_type.is_none())
}

/// `sensitivity.svg`.
pub fn sensitivity_charts(s: &Sensitivity) -> Result<Vec<super::Chart>, PlotError> {
    super::register_font()?;
    Ok(vec![draw(s)?.named("sensitivity.svg")])
}

/// The file of [`sensitivity_charts`], by name.
pub fn render_sensitivity(s: &Sensitivity) -> Result<Vec<(String, Vec<u8>)>, PlotError> {
    Ok(super::chart_files(&sensitivity_charts(s)?))
}

fn footer(s: &Sensitivity) -> String {
    let m = &s.meta;
    super::footer_line(
        &m.scenario,
        &m.scenario_file,
        &m.scenario_hash,
        m.seed,
        &format!(
            "{} replications per run, {} in all",
            thousands(m.replications as f64),
            thousands(m.replications_run as f64)
        ),
        &format!("{} {}", m.tool.tool, m.tool.version),
    )
}

/// "+12.3" working days, one decimal, with its sign.
fn signed(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r == 0.0 {
        "0".into()
    } else {
        format!("{r:+.1}")
    }
}

fn draw(s: &Sensitivity) -> Result<super::Drawn, PlotError> {
    let k = ranked_output(s).ok_or_else(|| PlotError::Draw {
        chart: CHART,
        message: format!("no {RANKED_BY} output"),
    })?;
    let out = &s.outputs[k];
    let centre = out.central_mean.unwrap_or(0.0);
    let centre_date = out
        .central_mean_date
        .as_deref()
        .map(human)
        .unwrap_or_default();
    // A mean that counts runs censored at the horizon is a lower bound: said so.
    let centre_said = if out.central_censored_share > 0.0 {
        format!("{centre_date} or later")
    } else {
        centre_date.clone()
    };
    let rows: Vec<_> = s.assumptions.iter().take(MOST_BARS).collect();
    let top = rows.first().map(|a| (a, &a.effects[k]));
    let title = match top {
        None => format!(
            "Nothing in {} is uncertain: no assumption to rank",
            s.meta.scenario
        ),
        _ if out.censored_share >= 1.0 => format!(
            "No run closes the last case by the horizon ({}): the assumptions cannot be ranked by when it closes",
            human(&s.meta.horizon)
        ),
        Some((_, e)) if e.swing.abs() < 0.05 => {
            "No assumption moves the last case's mean date by a tenth of a working day".to_string()
        }
        Some((a, e)) => {
            let bound = e.at_low_censored_share > 0.0 || e.at_high_censored_share > 0.0;
            let name = match &a.assumption.outcome {
                Some(o) => format!("{} (share of {o})", a.assumption.name),
                None => a.assumption.name.clone(),
            };
            format!(
                "The finish hinges most on {name}: from its P10 to its P90 the last case closes {}{:.1} working days {} on average",
                if bound { "at least " } else { "" },
                e.swing.abs(),
                if e.swing > 0.0 { "later" } else { "sooner" }
            )
        }
    };
    // The forecast's mean beside the centre: a reader holding the run's completion chart sees
    // a date a month later than 0 here (met-2023: 11 Jul against 3 Jun 2024), because a finish
    // that waits on the slowest of many uncertain parts is later on average than the finish
    // with each part at its median.
    let drawn = match out.mean_date.as_deref().map(human) {
        Some(d) if out.censored_share > 0.0 => {
            format!(" With every assumption drawn, as in the forecast, the mean is {d} or later.")
        }
        Some(d) => format!(" With every assumption drawn, as in the forecast, the mean is {d}."),
        None => String::new(),
    };
    let mut subtitle = format!(
        "Mean date the last case closes with each assumption at its P10 (light) and at its P90 (dark), every other at its median, over the same {} runs; 0 is {centre_said}, every assumption at its median.{drawn}",
        thousands(s.meta.replications as f64)
    );
    // Clamped to [0, 100] %, as the terminal and `run --split` show a share (an estimate
    // from few runs can fall outside).
    let with_error = |x: f64, se: Option<f64>| match se {
        Some(se) => format!("{} ± {}", percent(x.clamp(0.0, 1.0)), percent(2.0 * se)),
        None => percent(x.clamp(0.0, 1.0)),
    };
    if let Some(share) = out.assumptions_share {
        subtitle.push_str(&format!(
            " The assumptions together make {} of the spread of the date",
            with_error(share, out.assumptions_share_mcse)
        ));
        match out.first_order_sum {
            Some(sum) => subtitle.push_str(&format!(
                "; their first-order indices add up to {} (± 2 standard errors).",
                with_error(sum, out.first_order_sum_mcse)
            )),
            None => subtitle.push('.'),
        }
    }
    let censored = rows.iter().any(|a| {
        let e = &a.effects[k];
        e.at_low_censored_share > 0.0 || e.at_high_censored_share > 0.0
    });
    if censored || out.censored_share > 0.0 {
        subtitle.push_str(&format!(
            " Runs not closed by the horizon count as the horizon ({} of the ordinary runs; ^ where a pinned run has some): a swing is then at most its true size.",
            percent(out.censored_share)
        ));
    }
    if s.assumptions.len() > rows.len() {
        let more = s.assumptions.len() - rows.len();
        subtitle.push_str(&if more == 1 {
            " The smallest one is in sensitivity.csv.".to_string()
        } else {
            format!(" The {more} smallest are in sensitivity.csv.")
        });
    }

    // x: working days from the centre; room on both sides for the value labels.
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for a in &rows {
        let e = &a.effects[k];
        for v in [e.at_low - centre, e.at_high - centre] {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let span = (hi - lo).max(1.0);
    let (x0, x1) = (lo - 0.22 * span, hi + 0.22 * span);
    let n = rows.len().max(1);
    let height = 190 + 44 * n as u32 + 40;
    let svg = svg((960, height.max(320)), CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &footer(s), &title, &subtitle, CHART)?;
        let mut chart = ChartBuilder::on(&area)
            .margin_right(24)
            .margin_left(16)
            .x_label_area_size(36)
            .build_cartesian_2d(x0..x1, (n as f64)..-0.9)
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-9 && x.round() != 0.0 {
                    format!("{:+}", x.round() as i64)
                } else {
                    signed(*x)
                }
            })
            .x_desc(format!(
                "Change in the mean date the last case closes (working days from {centre_date})"
            ))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 13))
            .light_line_style(TRANSPARENT)
            .bold_line_style(colour::LIGHT_GREY)
            .draw()
            .map_err(&e)?;
        // The centre (every assumption at its median) through each bar, not through the labels.
        chart
            .draw_series((0..rows.len()).map(|i| {
                let y = i as f64 + 0.15;
                PathElement::new(
                    vec![(0.0, y - 0.32), (0.0, y + 0.32)],
                    colour::GREY.stroke_width(1),
                )
            }))
            .map_err(&e)?;
        for (i, a) in rows.iter().enumerate() {
            let ef = &a.effects[k];
            let y = i as f64 + 0.15;
            let h = 0.2;
            let (l, r) = (ef.at_low - centre, ef.at_high - centre);
            // Each half from 0 to its end, the longer first so that both show when they lie
            // on the same side (an effect that is not monotone).
            let mut halves = [(l, colour::BAND_INNER), (r, colour::LINE)];
            if l.abs() < r.abs() {
                halves.reverse();
            }
            chart
                .draw_series(
                    halves
                        .iter()
                        .map(|(v, c)| Rectangle::new([(0.0, y - h), (*v, y + h)], c.filled())),
                )
                .map_err(&e)?;
            let am = &a.assumption;
            let name = match &am.outcome {
                Some(o) => format!("{}. {} (share of {o})", a.rank, am.name),
                None => format!("{}. {}", a.rank, am.name),
            };
            let (low, high) = crate::sensitivity::report::range_of(a);
            let range = format!("· P10 {low} · P90 {high}");
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{name} {range}"),
                    (x0 + 0.005 * (x1 - x0), y - h - 0.12),
                    (FONT, 12)
                        .into_font()
                        .color(&colour::TEXT)
                        .pos(Pos::new(HPos::Left, VPos::Bottom)),
                )))
                .map_err(&e)?;
            let mark = |share: f64| if share > 0.0 { "^" } else { "" };
            // Each end's value beside it, outside the bar.
            for (v, share) in [
                (l, ef.at_low_censored_share),
                (r, ef.at_high_censored_share),
            ] {
                if v == 0.0 && (l != 0.0 || r != 0.0) {
                    continue;
                }
                let (x, pos) = if v < 0.0 {
                    (v - 0.01 * span, HPos::Right)
                } else {
                    (v + 0.01 * span, HPos::Left)
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        format!("{}{}", signed(v), mark(share)),
                        (x, y),
                        (FONT, 12)
                            .into_font()
                            .color(&colour::GREY)
                            .pos(Pos::new(pos, VPos::Center)),
                    )))
                    .map_err(&e)?;
            }
        }
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title,
        subtitle,
    })
}
