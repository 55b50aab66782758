//! When will it be done: the share of runs finished by each date (the empirical distribution
//! function over runs) for the screening and for the last case closing, with P10, P50 and P90
//! marked and runs not finished by the horizon said plainly.

use super::screening::pct;
use super::{FONT, RunData, colour, date_axis, draw_err, frame, human, svg, thousands, x_of};
use crate::calendar::Date;
use crate::report::Metric;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CHART: &str = "the completion chart";

struct Curve<'a> {
    label: &'static str,
    metric: &'a Metric,
    /// (x, share finished by the end of that day).
    steps: Vec<(f64, f64)>,
}

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    let start = d.date(&meta.start, CHART)?;
    let horizon = d.date(&meta.horizon, CHART)?;
    let mut curves = Vec::new();
    for (name, label) in [
        ("screening_complete", "screening finished"),
        ("all_cases_closed", "last case closed"),
    ] {
        let Some(m) = d.metric(name, None) else {
            continue;
        };
        let Some(dist) = &m.distribution else {
            continue;
        };
        let steps = dist
            .iter()
            .map(|p| Ok((x_of(d.date(&p.date, CHART)?), p.share)))
            .collect::<Result<Vec<_>, super::PlotError>>()?;
        curves.push(Curve {
            label,
            metric: m,
            steps,
        });
    }

    let p50 = |m: &Metric| m.dates.as_ref().and_then(|x| x.p50.as_deref()).map(human);
    // Nothing to wait for: no screening, and the last tracked case "closes" at time 0 in every
    // run (every stream and backlog is `track = false`, as in the M/M/c checks).
    let nothing_tracked = d.summary.tracks_nothing();
    let title = if nothing_tracked {
        "No tracked work: every stream and backlog is untracked, so no run has a last case to wait for"
            .to_string()
    } else {
        let s = curves.iter().find(|c| c.label == "screening finished");
        let a = curves.iter().find(|c| c.label == "last case closed");
        match (s.and_then(|c| p50(c.metric)), a.and_then(|c| p50(c.metric))) {
            (Some(x), Some(y)) => {
                format!("In half the runs screening is done by {x} and the last case closes by {y}")
            }
            (None, Some(y)) if s.is_none() => {
                format!("In half the runs the last case closes by {y}")
            }
            (Some(x), None) => format!(
                "In half the runs screening is done by {x}; in {} the last case is not closed by {}",
                pct(a.map(|c| c.metric.censored_share).unwrap_or(1.0)),
                horizon.human()
            ),
            (None, _) => {
                let worst = curves
                    .iter()
                    .map(|c| c.metric.censored_share)
                    .fold(0.0, f64::max);
                format!(
                    "In {} of runs the work is not done by {}",
                    pct(worst),
                    horizon.human()
                )
            }
        }
    };
    let censored: Vec<String> = curves
        .iter()
        .filter(|c| c.metric.censored > 0)
        .map(|c| {
            format!(
                "{} not by {} in {} of runs",
                c.label,
                horizon.human(),
                super::percent(c.metric.censored_share)
            )
        })
        .collect();
    // Nothing to draw: a curve at the start (every run's "last case" at time 0) with P10 to P90
    // marked there would read as work finished on day one.
    if nothing_tracked {
        curves.clear();
    }
    let subtitle = if nothing_tracked {
        format!(
            "Nothing to draw across the {} runs: with no tracked case there is no finish date. The untracked streams' queues are in the caseload chart and their waits in the waiting chart.",
            thousands(meta.replications as f64)
        )
    } else if censored.is_empty() {
        format!(
            "Share of {} runs finished by each date; every run finished before the horizon ({}).",
            thousands(meta.replications as f64),
            horizon.human()
        )
    } else {
        format!(
            "Share of {} runs finished by each date; {}.",
            thousands(meta.replications as f64),
            censored.join("; ")
        )
    };

    let any_censored = curves.iter().any(|c| c.metric.censored > 0);
    let first_x = curves
        .iter()
        .filter_map(|c| c.steps.first().map(|p| p.0))
        .fold(f64::INFINITY, f64::min);
    let last_x = curves
        .iter()
        .filter_map(|c| c.steps.last().map(|p| p.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let (first, last) = if first_x.is_finite() {
        let f = Date::from_days_since_epoch(first_x as i64);
        let l = if any_censored {
            horizon
        } else {
            Date::from_days_since_epoch(last_x as i64)
        };
        let pad = (l.days_since(f) / 12).max(10);
        (f.add_days(-pad), l.add_days(pad).min(horizon.add_days(pad)))
    } else {
        (start, horizon)
    };

    let svg = svg((960, 560), CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &super::provenance(d), &title, &subtitle, CHART)?;
        let (x_axis, x_fmt) = date_axis(first, last, 10);
        let mut chart = ChartBuilder::on(&area)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(60)
            // The band above 100% holds the legend, clear of the curves and their labels: it has
            // no ticks or grid lines, so that the axis reads as ending at 100%.
            .build_cartesian_2d(
                x_axis,
                super::Ticked::new(0.0..1.2, (0..=10).map(|k| f64::from(k) / 10.0).collect()),
            )
            .map_err(&e)?;
        let y_fmt = |y: &f64| format!("{:.0}%", 100.0 * y);
        mesh!(chart, &x_fmt, &y_fmt, "Date", "Runs finished", &e);
        for level in [0.1, 0.5, 0.9] {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x_of(first), level), (x_of(last), level)],
                    3,
                    4,
                    colour::GREY.stroke_width(1),
                ))
                .map_err(&e)?;
        }
        if any_censored {
            let x = x_of(horizon);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, 1.0)],
                    colour::TEXT.stroke_width(1),
                )))
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("horizon {} ", horizon.human()),
                    (x, 0.985),
                    (FONT, 12)
                        .into_font()
                        .color(&colour::TEXT)
                        .pos(Pos::new(HPos::Right, VPos::Top)),
                )))
                .map_err(&e)?;
        }
        for (i, c) in curves.iter().enumerate() {
            let col = [colour::LINE, colour::ACCENT][i % 2];
            // A step function: flat until the day, then up to that day's share.
            let mut pts = vec![(x_of(first), 0.0)];
            let mut prev = 0.0;
            for &(x, s) in &c.steps {
                pts.push((x - 0.5, prev));
                pts.push((x + 0.5, s));
                prev = s;
            }
            let end = if c.metric.censored > 0 {
                x_of(horizon)
            } else {
                x_of(last)
            };
            pts.push((end, prev));
            let style = col.stroke_width(if i == 0 { 3 } else { 2 });
            // Censored in every run: the curve lies on the x axis, where it cannot be seen, so
            // it is said in words just above it (and in the legend).
            let label = if c.steps.is_empty() {
                let text = format!("{}: in no run by {}", c.label, horizon.human());
                chart
                    .draw_series(std::iter::once(Text::new(
                        text.clone(),
                        (x_of(first), 0.03 + 0.06 * i as f64),
                        (FONT, 13)
                            .into_font()
                            .color(&col)
                            .pos(Pos::new(HPos::Left, VPos::Bottom)),
                    )))
                    .map_err(&e)?;
                text
            } else {
                c.label.to_string()
            };
            // P10, P50 and P90, marked where the curve crosses them and labelled with their
            // dates. A rising curve leaves the space above-left and below-right of it empty: the
            // first curve is labelled above-left, the second below-right. A first-curve label
            // with no room left of its point (it would cross the y axis) goes in the legend:
            // below-right it could lie on the second curve.
            let dates = c.metric.dates.as_ref();
            let span = x_of(last) - x_of(first);
            let left = chart.plotting_area().get_pixel_range().0.start;
            let mut marks = Vec::new();
            let mut in_legend = Vec::new();
            for (q, iso, name) in [
                (0.1, dates.and_then(|x| x.p10.clone()), "P10"),
                (0.5, dates.and_then(|x| x.p50.clone()), "P50"),
                (0.9, dates.and_then(|x| x.p90.clone()), "P90"),
            ] {
                let Some(iso) = iso else { continue };
                let x = x_of(d.date(&iso, CHART)?);
                let text = format!("{name} {}", human(&iso));
                let width = chart
                    .plotting_area()
                    .estimate_text_size(&text, &(FONT, 13).into_font().color(&col))
                    .map_err(&e)?
                    .0 as i32;
                let room_left = chart.backend_coord(&(x - 0.008 * span, q)).0 - width > left;
                if i == 0 && !room_left {
                    in_legend.push(text.clone());
                }
                marks.push((q, x, text, i != 0 || room_left));
            }
            let label = if in_legend.is_empty() {
                label
            } else {
                format!("{label} ({})", in_legend.join(", "))
            };
            if i == 0 {
                chart
                    .draw_series(LineSeries::new(pts, style))
                    .map_err(&e)?
                    .label(label)
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 22, y)], style));
            } else {
                chart
                    .draw_series(DashedLineSeries::new(pts, 9, 4, style))
                    .map_err(&e)?
                    .label(label)
                    .legend(move |(x, y)| {
                        DashedPathElement::new(vec![(x, y), (x + 24, y)], 7, 3, style)
                    });
            }
            for (q, x, text, labelled) in marks {
                chart
                    .draw_series(std::iter::once(Circle::new((x, q), 5, col.filled())))
                    .map_err(&e)?;
                if !labelled {
                    continue;
                }
                let (pos, dx, dy) = if i == 0 {
                    (Pos::new(HPos::Right, VPos::Bottom), -0.008 * span, 0.015)
                } else {
                    (Pos::new(HPos::Left, VPos::Top), 0.008 * span, -0.015)
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        text,
                        (x + dx, q + dy),
                        (FONT, 13).into_font().color(&col).pos(pos),
                    )))
                    .map_err(&e)?;
            }
        }
        if !curves.is_empty() {
            legend!(chart, SeriesLabelPosition::UpperLeft, &e);
        }
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title,
        subtitle,
    })
}
