//! Waiting time by case type: a box per type (P25–P75, median mark, whiskers P10–P90) over every
//! closed case of every run, in working days. The whiskers end at the P90 that each row's label
//! and the title quote, so that a reader finds the number where the line ends.

use super::caseload::pretty;
use super::{FONT, RunData, colour, draw_err, frame, nice_ceiling, svg, thousands};
use crate::report::Metric;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CHART: &str = "the waiting time chart";

fn days(x: f64) -> String {
    if x == 0.0 {
        "0".to_string()
    } else if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    // Case types whose cases queue for staff (an effort): those with closed cases and a wait
    // metric; "all" first.
    let mut rows: Vec<(String, &Metric)> = Vec::new();
    // With one case type, "all" would repeat it.
    let all = (meta.case_types.len() != 1).then(|| "all".to_string());
    for g in all.into_iter().chain(meta.case_types.iter().cloned()) {
        if let Some(m) = d
            .summary
            .metrics
            .iter()
            .find(|m| m.metric == "wait_days" && m.case_type.as_deref() == Some(g.as_str()))
            && m.n > 0
            && m.p50.is_some()
        {
            rows.push((g, m));
        }
    }
    // Longest by median; medians that tie (the pooled histogram's bins make that common) are
    // told apart by the P90, then the mean, before the name.
    let worst = rows.iter().filter(|(g, _)| g != "all").max_by(|a, b| {
        let key = |m: &Metric| [m.p50, m.p90, m.mean].map(|x| x.unwrap_or(0.0));
        let (ka, kb) = (key(a.1), key(b.1));
        ka[0]
            .total_cmp(&kb[0])
            .then(ka[1].total_cmp(&kb[1]))
            .then(ka[2].total_cmp(&kb[2]))
            .then(b.0.cmp(&a.0))
    });
    let title = match worst {
        Some((g, m)) if m.p50.unwrap_or(0.0) > 0.0 => format!(
            "Longest wait for staff: {}, median {} working days (P90 {})",
            pretty(g),
            days(m.p50.unwrap_or(0.0)),
            days(m.p90.unwrap_or(0.0))
        ),
        Some(_) => "No case waits for staff in the median run".to_string(),
        None => "No case closed: no waiting times to show".to_string(),
    };
    let mut subtitle = format!(
        "Working days from joining a queue to work starting, over every closed case of {} runs: box P25–P75, mark median, whiskers P10–P90.",
        thousands(meta.replications as f64)
    );
    // A wait is only the time in a queue for staff: a stage's delay (a hearing, an external
    // panel) needs nobody and is no wait, so a case type can wait least and stay open longest.
    // Said whenever the type open longest is not the one that waits longest, lest the title be
    // read as the bottleneck of the finish date.
    let in_system = |g: &str| {
        d.summary.metrics.iter().find(|m| {
            m.metric == "time_in_system_days" && m.case_type.as_deref() == Some(g) && m.n > 0
        })
    };
    let open_longest = rows
        .iter()
        .filter(|(g, _)| g != "all")
        .filter_map(|(g, w)| Some((g, w, in_system(g)?.p50?, in_system(g)?.p90?)))
        .max_by(|a, b| {
            a.2.total_cmp(&b.2)
                .then(a.3.total_cmp(&b.3))
                .then(b.0.cmp(a.0))
        });
    if let Some((g, w, p50, p90)) = open_longest
        && worst.is_none_or(|(x, _)| x != g)
    {
        subtitle = format!(
            "{subtitle} Open longest, from opening to closing: {}, median {} working days (P90 {}), of which the wait for staff is median {}.",
            pretty(g),
            days(p50),
            days(p90),
            days(w.p50.unwrap_or(0.0)),
        );
    }
    // Their waits are unknown (some never started): the boxes leave them out.
    if let Some(open) = super::open_at_horizon(d, "Not included: cases still open at the horizon") {
        subtitle = format!("{subtitle} {open}.");
    }

    let xmax = nice_ceiling(
        rows.iter()
            .map(|(_, m)| m.p90.unwrap_or(0.0))
            .fold(0.0f64, f64::max)
            .max(1.0)
            * 1.3,
    );
    let n = rows.len().max(1);
    let height = 150 + 38 * n as u32 + 60;
    let svg = svg((960, height.max(320)), CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &super::provenance(d), &title, &subtitle, CHART)?;
        let ticks: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let names: Vec<String> = rows
            .iter()
            .map(|(g, _)| {
                if g == "all" {
                    "all case types".to_string()
                } else {
                    pretty(g)
                }
            })
            .collect();
        let mut chart = ChartBuilder::on(&area)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(210)
            .build_cartesian_2d(0.0..xmax, super::Ticked::new((n as f64 - 0.5)..-0.5, ticks))
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_label_formatter(&|y| {
                let i = y.round();
                if i >= 0.0 && (i as usize) < names.len() {
                    names[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| thousands(*x))
            .x_desc("Waiting time (working days)")
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 13))
            .light_line_style(TRANSPARENT)
            .bold_line_style(colour::LIGHT_GREY)
            .draw()
            .map_err(&e)?;
        for (i, (g, m)) in rows.iter().enumerate() {
            let y = i as f64;
            let q = |x: Option<f64>| x.unwrap_or(0.0);
            let (p10, p25, p50, p75, p90) = (q(m.p10), q(m.p25), q(m.p50), q(m.p75), q(m.p90));
            let h = 0.28;
            chart
                .draw_series([
                    PathElement::new(vec![(p10, y), (p90, y)], colour::GREY.stroke_width(1)),
                    PathElement::new(
                        vec![(p10, y - h / 2.0), (p10, y + h / 2.0)],
                        colour::GREY.stroke_width(1),
                    ),
                    PathElement::new(
                        vec![(p90, y - h / 2.0), (p90, y + h / 2.0)],
                        colour::GREY.stroke_width(1),
                    ),
                ])
                .map_err(&e)?;
            chart
                .draw_series([
                    Rectangle::new([(p25, y - h), (p75, y + h)], colour::BAND_INNER.filled()),
                    Rectangle::new([(p25, y - h), (p75, y + h)], colour::LINE.stroke_width(1)),
                ])
                .map_err(&e)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(p50, y - h - 0.05), (p50, y + h + 0.05)],
                    colour::LINE.stroke_width(3),
                )))
                .map_err(&e)?;
            // A row without a box would read as a case type done at once: how long its cases
            // stay open is said beside it.
            let open_for = match in_system(g).and_then(|t| t.p50.zip(t.p90)) {
                Some((a, b)) if b > 0.0 => {
                    format!(" (open for median {}, P90 {})", days(a), days(b))
                }
                _ => String::new(),
            };
            let label = if p90 <= 0.0 && m.mean.unwrap_or(0.0) <= 0.0 {
                format!("no wait for staff{open_for}")
            } else if p90 <= 0.0 {
                format!("no wait for staff in 90% of cases{open_for}")
            } else {
                format!("median {}, P90 {}", days(p50), days(p90))
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (p90 + xmax * 0.012, y),
                    (FONT, 12)
                        .into_font()
                        .color(&colour::TEXT)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
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
