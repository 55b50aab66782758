//! Screening progress: records checked against date, P10–P90 band and P50 line across runs, the
//! progress observed before the start, and the target date.

use super::{FONT, RunData, colour, date_axis, draw_err, frame, human, svg, thousands, x_of};
use crate::calendar::Date;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CHART: &str = "the screening progress chart";

/// A share as a percentage for a title: "100%", "23%", "0.4%".
pub(super) fn pct(share: f64) -> String {
    let p = 100.0 * share;
    if p == p.round() || p >= 10.0 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    let records = meta.screening_records.unwrap_or(0) as f64;
    let checked0 = meta.screening_already_checked.unwrap_or(0) as f64;
    let start = d.date(&meta.start, CHART)?;
    let since = match &meta.screening_observed_since {
        Some(s) => Some(d.date(s, CHART)?),
        None => None,
    };
    let target = match &meta.screening_target {
        Some(s) => Some(d.date(s, CHART)?),
        None => None,
    };
    let rows = d.series("screened_records", "");
    let pts: Vec<(f64, f64, f64, f64)> = rows
        .iter()
        // Counts are always given (`RunData::check`).
        .map(|r| {
            let v = |x: Option<f64>| x.unwrap_or(0.0);
            Ok((x_of(d.date(&r.date, CHART)?), v(r.p10), v(r.p50), v(r.p90)))
        })
        .collect::<Result<_, super::PlotError>>()?;
    let done = d.metric("screening_complete", None);

    // Finding for the title.
    let dates = done.and_then(|m| m.dates.as_ref());
    let p50 = dates.and_then(|x| x.p50.as_deref()).map(human);
    let p90 = dates.and_then(|x| x.p90.as_deref()).map(human);
    let title = match (&p50, &p90) {
        (Some(a), Some(b)) => {
            format!("Screening finishes by {a} in half the runs, by {b} in 9 runs of 10")
        }
        (Some(a), None) => format!(
            "Screening finishes by {a} in half the runs; {} of runs are not done by {}",
            pct(done.map(|m| m.censored_share).unwrap_or(0.0)),
            human(&meta.horizon)
        ),
        _ => format!(
            "Screening is not finished by {} in {} of runs",
            human(&meta.horizon),
            pct(done.map(|m| m.censored_share).unwrap_or(1.0))
        ),
    };
    let mut subtitle = format!(
        "Records checked of {}, across {} runs: band P10–P90, line P50.",
        thousands(records),
        thousands(meta.replications as f64)
    );
    if checked0 == 0.0 {
        // No label at the start point: at zero it would sit on the x axis.
        subtitle.push_str(&format!(" None checked before {}.", start.human()));
    }
    if let (Some(t), Some(m)) = (target, d.metric("screening_by_target", None)) {
        let share = m.mean.unwrap_or(0.0);
        subtitle.push_str(&format!(
            " Target {} met in {:.0}% of runs.",
            t.human(),
            100.0 * share
        ));
    }

    // Axis span: from the observed start (or day 0) to when nine runs in ten are done, with room
    // for the target.
    let first = since.unwrap_or(start).add_days(-7);
    let mut last = pts
        .iter()
        .find(|p| p.3 >= records - 0.5 && p.1 >= records - 0.5)
        .map(|p| Date::from_days_since_epoch(p.0 as i64))
        .or_else(|| pts.last().map(|p| Date::from_days_since_epoch(p.0 as i64)))
        .unwrap_or(start);
    if let Some(t) = target {
        last = last.max(t);
    }
    let span = last.days_since(first).max(30);
    let last = last.add_days(span / 15);

    let svg = svg((960, 560), CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &super::provenance(d), &title, &subtitle, CHART)?;
        let (x_axis, x_fmt) = date_axis(first, last, 10);
        let mut chart = ChartBuilder::on(&area)
            .margin_right(20)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(x_axis, 0.0..records * 1.08)
            .map_err(&e)?;
        mesh!(
            chart,
            &x_fmt,
            &|y| thousands(*y),
            "Date (end of working day)",
            "Records checked",
            &e
        );

        // Whole cohort.
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x_of(first), records), (x_of(last), records)],
                colour::GREY.stroke_width(1),
            )))
            .map_err(&e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("all {} records", thousands(records)),
                (x_of(first) + 3.0, records * 1.055),
                (FONT, 12).into_font().color(&colour::GREY),
            )))
            .map_err(&e)?;

        // P10–P90 band and P50 line.
        let mut band: Vec<(f64, f64)> = pts.iter().map(|p| (p.0, p.3)).collect();
        band.extend(pts.iter().rev().map(|p| (p.0, p.1)));
        chart
            .draw_series(std::iter::once(Polygon::new(
                band,
                colour::BAND_OUTER.filled(),
            )))
            .map_err(&e)?
            .label("P10–P90 across runs")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], colour::BAND_OUTER.filled())
            });
        chart
            .draw_series(LineSeries::new(
                pts.iter().map(|p| (p.0, p.2)),
                colour::LINE.stroke_width(2),
            ))
            .map_err(&e)?
            .label("P50 across runs, day by day")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour::LINE.stroke_width(2))
            });

        // What had been observed by the start.
        let start_pt = (x_of(start), checked0);
        if let Some(s) = since {
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x_of(s), 0.0), start_pt],
                    6,
                    4,
                    colour::TEXT.stroke_width(2),
                ))
                .map_err(&e)?
                .label(format!("observed: average pace since {}", s.human()))
                .legend(|(x, y)| {
                    DashedPathElement::new(
                        vec![(x, y), (x + 22, y)],
                        5,
                        3,
                        colour::TEXT.stroke_width(2),
                    )
                });
        }
        chart
            .draw_series(std::iter::once(Circle::new(
                start_pt,
                5,
                colour::TEXT.filled(),
            )))
            .map_err(&e)?;
        let span = x_of(last) - x_of(first);
        // The label goes below and to the right of the point, or above it when below would
        // reach the x axis (a label line is about 4 % of the axis).
        let low = checked0 < 0.06 * records * 1.08;
        if checked0 > 0.0 {
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{} checked by {}", thousands(checked0), start.human()),
                    (
                        start_pt.0 + 0.012 * span,
                        start_pt.1 + if low { 0.015 * records } else { 0.0 },
                    ),
                    (FONT, 12).into_font().color(&colour::TEXT).pos(Pos::new(
                        HPos::Left,
                        if low { VPos::Bottom } else { VPos::Top },
                    )),
                )))
                .map_err(&e)?;
        }

        // The target.
        if let Some(t) = target {
            let x = x_of(t);
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(x, 0.0), (x, records * 1.08)],
                    8,
                    5,
                    colour::ACCENT.stroke_width(2),
                ))
                .map_err(&e)?
                .label(format!("target {}", t.human()))
                .legend(|(x, y)| {
                    DashedPathElement::new(
                        vec![(x, y), (x + 22, y)],
                        6,
                        3,
                        colour::ACCENT.stroke_width(2),
                    )
                });
        }

        // Median finish, marked on the P50 line and labelled with its date.
        if let (Some(iso), Some(label)) = (dates.and_then(|x| x.p50.as_deref()), &p50) {
            let x = x_of(d.date(iso, CHART)?);
            chart
                .draw_series(std::iter::once(Circle::new(
                    (x, records),
                    5,
                    colour::LINE.filled(),
                )))
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("P50 {label}"),
                    (x - 0.008 * span, records * 1.01),
                    (FONT, 13)
                        .into_font()
                        .color(&colour::LINE)
                        .pos(Pos::new(HPos::Right, VPos::Bottom)),
                )))
                .map_err(&e)?;
        }

        legend!(chart, SeriesLabelPosition::LowerRight, &e);
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title,
        subtitle,
    })
}
