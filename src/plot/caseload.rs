//! Open caseload over time: fan charts (P10–P90, P25–P75, P50) of the cases open at the end of
//! each working day, all types together and then one small panel per case type.

use super::{
    FONT, RunData, colour, date_axis, draw_err, frame, human, nice_ceiling, svg, thousands, x_of,
};
use plotters::prelude::*;

const CHART: &str = "the open caseload chart";

/// Panel titles: `misconduct_hearing` → `misconduct hearing`.
pub(super) fn pretty(name: &str) -> String {
    name.replace('_', " ")
}

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    let start = d.date(&meta.start, CHART)?;
    let end = d.time_axis_end(CHART)?;
    // With one case type, "all" would repeat it.
    let mut groups: Vec<String> = Vec::new();
    if meta.case_types.len() != 1 {
        groups.push("all".to_string());
    }
    groups.extend(meta.case_types.iter().cloned());

    let peak = d.metric("peak_open_cases", None);
    let peak_at = d
        .metric("peak_open_time", None)
        .and_then(|m| m.dates.as_ref())
        .and_then(|x| x.p50.clone());
    let title = match (peak.and_then(|m| m.p50), peak.and_then(|m| m.p90)) {
        (Some(a), Some(b)) => format!(
            "Open cases peak at {} (P50 of the runs' peaks; P90 {}){}",
            thousands(a),
            thousands(b),
            peak_at
                .map(|x| format!(", around {}", human(&x)))
                .unwrap_or_default()
        ),
        _ => "Open cases over time".to_string(),
    };
    let mut subtitle = format!(
        "Cases open at the end of each working day, across {} runs: light band P10–P90, dark band P25–P75, line P50 (day by day). Each panel has its own scale.",
        thousands(meta.replications as f64)
    );
    if let Some(open) = super::open_at_horizon(d, "Still open at the horizon") {
        subtitle = format!("{subtitle} {open}.");
    }

    let cols = groups.len().clamp(1, 3);
    let rows = groups.len().div_ceil(cols).max(1);
    let size = (
        if cols == 1 { 960 } else { 1200u32 },
        150 + 210 * rows as u32 + if cols == 1 { 200 } else { 0 },
    );
    let svg = svg(size, CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &super::provenance(d), &title, &subtitle, CHART)?;
        let panels = area.split_evenly((rows, cols));
        for (g, panel) in groups.iter().zip(panels.iter()) {
            let series: Vec<(f64, [f64; 5])> = d
                .series("open_cases", g)
                .into_iter()
                .filter_map(|r| {
                    let x = crate::calendar::Date::parse(&r.date).ok()?;
                    (x <= end).then(|| (x_of(x), [r.p10, r.p25, r.p50, r.p75, r.p90]))
                })
                .collect();
            let ymax = nice_ceiling(
                series
                    .iter()
                    .map(|p| p.1[4])
                    .fold(0.0f64, f64::max)
                    .max(1.0)
                    * 1.05,
            );
            let name = if g == "all" {
                "all case types".to_string()
            } else {
                pretty(g)
            };
            let (x_axis, x_fmt) = date_axis(start, end, 4);
            let mut chart = ChartBuilder::on(panel)
                .margin(6)
                .margin_right(14)
                .caption(name, (FONT, 14))
                .x_label_area_size(22)
                .y_label_area_size(48)
                .build_cartesian_2d(x_axis, 0.0..ymax)
                .map_err(&e)?;
            chart
                .configure_mesh()
                .x_label_formatter(&x_fmt)
                .y_label_formatter(&|y| thousands(*y))
                .y_labels(4)
                .label_style((FONT, 12))
                .light_line_style(TRANSPARENT)
                .bold_line_style(colour::LIGHT_GREY)
                .draw()
                .map_err(&e)?;
            for (lo, hi, c) in [
                (0usize, 4usize, colour::BAND_OUTER),
                (1, 3, colour::BAND_INNER),
            ] {
                let mut band: Vec<(f64, f64)> = series.iter().map(|p| (p.0, p.1[hi])).collect();
                band.extend(series.iter().rev().map(|p| (p.0, p.1[lo])));
                chart
                    .draw_series(std::iter::once(Polygon::new(band, c.filled())))
                    .map_err(&e)?;
            }
            chart
                .draw_series(LineSeries::new(
                    series.iter().map(|p| (p.0, p.1[2])),
                    colour::LINE.stroke_width(2),
                ))
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
