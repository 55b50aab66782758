//! Open caseload over time: fan charts (P10–P90, P25–P75, P50) of the cases open at the end of
//! each working day, all types together and then one small panel per case type. A type with a
//! `backlog_target` has it drawn as a dashed level, with a dot at the P50 of `back_to_target`
//! (or, when most runs never get back to it, how often that is).

use super::{
    FONT, RunData, colour, date_axis, draw_err, frame, human, nice_ceiling, percent, svg,
    thousands, x_of,
};
use crate::report::Metric;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CHART: &str = "the open caseload chart";

/// Panel titles: `misconduct_hearing` → `misconduct hearing`.
pub(super) fn pretty(name: &str) -> String {
    name.replace('_', " ")
}

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    let start = d.date(&meta.start, CHART)?;
    let mut end = d.time_axis_end(CHART)?;
    // The types' back-to-target metrics (only types have them), by case type.
    let targets: Vec<&Metric> = d
        .summary
        .metrics
        .iter()
        .filter(|m| m.metric == "back_to_target" && m.target.is_some() && m.case_type.is_some())
        .collect();
    // The axis reaches their dates too (an untracked type may come back after the last tracked
    // case closes): to the horizon when some runs never do, as for the last case closing.
    let horizon = d.date(&meta.horizon, CHART)?;
    for m in &targets {
        match m.dates.as_ref().and_then(|x| x.p95.as_deref()) {
            Some(iso) if m.censored == 0 => {
                let p95 = d.date(iso, CHART)?;
                if p95 >= end {
                    let pad = (p95.days_since(start) / 12).max(14);
                    end = p95.add_days(pad).min(horizon);
                }
            }
            _ => end = horizon,
        }
    }
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
    // The title's peak is the middle of the runs' peaks, each at any moment; the line, the
    // middle of each day's end-of-day counts. Each run peaks on its own day, and within the
    // day, so the line tops out lower (even over one run): said, lest the two be read as
    // contradicting each other.
    let line_top = groups.first().and_then(|g| {
        d.series("open_cases", g)
            .iter()
            .filter_map(|r| r.p50)
            .max_by(f64::total_cmp)
    });
    if let (Some(top), Some(p)) = (line_top, peak.and_then(|m| m.p50))
        && top.round() < p.round()
    {
        subtitle = format!(
            "{subtitle} The P50 line of {} tops out at {}, below the title's peak: each run peaks on its own day, and at its own moment within it (the line counts the cases open at each day's end).",
            match groups.first().map(String::as_str) {
                Some("all") | None => "all case types".to_string(),
                Some(g) => pretty(g),
            },
            thousands(top)
        );
    }
    if let Some(open) = super::open_at_horizon(d, "Still open at the horizon") {
        subtitle = format!("{subtitle} {open}.");
    }
    if !targets.is_empty() {
        subtitle.push_str(
            " Dashed line: a type's backlog target; dot: the P50 date after which its open cases stay at or below it.",
        );
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
                    // Counts are always given (`RunData::check`).
                    let q = [r.p10, r.p25, r.p50, r.p75, r.p90].map(|v| v.unwrap_or(0.0));
                    (x <= end).then(|| (x_of(x), q))
                })
                .collect();
            let target = targets
                .iter()
                .find(|m| m.case_type.as_deref() == Some(g.as_str()))
                .copied();
            let top = series
                .iter()
                .map(|p| p.1[4])
                .fold(0.0f64, f64::max)
                .max(1.0);
            // The target is on the scale unless it is far above the caseload (then the panel
            // says so rather than flattening the fan).
            let level = target.and_then(|m| m.target).map(|x| x as f64);
            let shown = level.filter(|&l| l <= 3.0 * top);
            // Room above the level for its label (up to three lines).
            let ymax = nice_ceiling(top.max(shown.map_or(0.0, |l| l * 1.2 + 0.3 * top)) * 1.05);
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
                .y_labels(6)
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
            if let (Some(m), Some(level)) = (target, level) {
                let (x0, x1) = (x_of(start), x_of(end));
                draw_target(&mut chart, d, m, level, shown.is_some(), (x0, x1), ymax)?;
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

/// A type's backlog target in its panel: the level as a dashed line, and a dot on it at the P50
/// of `back_to_target`, labelled above the line beside the dot in short stacked lines (the
/// target, the P50 date, how often runs never get back); when most runs never do, no dot, the
/// label at the right end. A target far above the caseload gets a note at the top instead.
fn draw_target<DB: DrawingBackend, X: plotters::coord::ranged1d::Ranged<ValueType = f64>>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    d: &RunData,
    m: &Metric,
    level: f64,
    on_scale: bool,
    (x0, x1): (f64, f64),
    ymax: f64,
) -> Result<(), super::PlotError> {
    let e = draw_err(CHART);
    let span = x1 - x0;
    let font = |h: HPos, v: VPos| {
        (FONT, 11)
            .into_font()
            .color(&colour::ACCENT)
            .pos(Pos::new(h, v))
    };
    let never = (m.censored > 0).then(|| format!("never in {} of runs", percent(m.censored_share)));
    if !on_scale {
        let mut text = format!("target {}, above this scale", thousands(level));
        if let Some(n) = &never {
            text = format!("{text}: {n}");
        }
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (x1 - 0.01 * span, ymax * 0.98),
                font(HPos::Right, VPos::Top),
            )))
            .map_err(&e)?;
        return Ok(());
    }
    chart
        .draw_series(DashedLineSeries::new(
            vec![(x0, level), (x1, level)],
            6,
            4,
            colour::ACCENT.stroke_width(2),
        ))
        .map_err(&e)?;
    let mut lines = vec![format!("target {}", thousands(level))];
    let p50 = m.dates.as_ref().and_then(|x| x.p50.as_deref());
    let x = match p50 {
        Some(iso) => {
            let x = x_of(d.date(iso, CHART)?).clamp(x0, x1);
            chart
                .draw_series(std::iter::once(Circle::new(
                    (x, level),
                    4,
                    colour::ACCENT.filled(),
                )))
                .map_err(&e)?;
            lines.push(format!("P50 {}", human(iso)));
            x
        }
        None => x1,
    };
    lines.extend(never);
    // Beside the dot, towards the middle of the panel so that the label stays inside it.
    let (xt, h) = if x - x0 > 0.5 * span {
        (x - 0.015 * span, HPos::Right)
    } else {
        (x + 0.015 * span, HPos::Left)
    };
    // Pixels in the units of the axes: a line of text is 13 pixels of the plotting area.
    let area = chart.plotting_area();
    let (w_px, h_px) = area.dim_in_pixel();
    let (x_per_px, y_per_px) = (span / f64::from(w_px.max(1)), ymax / f64::from(h_px.max(1)));
    let line = 13.0 * y_per_px;
    let bottom = level + 0.25 * line;
    // A pale backing under the label, so that it reads over the bands.
    let width = lines
        .iter()
        .map(|t| {
            area.estimate_text_size(t, &font(h, VPos::Bottom))
                .map_or(0, |(w, _)| w)
        })
        .max()
        .unwrap_or(0);
    let width = f64::from(width + 4) * x_per_px;
    let (left, right) = match h {
        HPos::Right => (xt - width, xt + 2.0 * x_per_px),
        _ => (xt - 2.0 * x_per_px, xt + width),
    };
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [
                (left, bottom),
                (right, bottom + lines.len() as f64 * line + 2.0 * y_per_px),
            ],
            WHITE.mix(0.75).filled(),
        )))
        .map_err(&e)?;
    let n = lines.len();
    for (i, text) in lines.into_iter().enumerate() {
        chart
            .draw_series(std::iter::once(Text::new(
                text,
                (xt, bottom + (n - 1 - i) as f64 * line),
                font(h, VPos::Bottom),
            )))
            .map_err(&e)?;
    }
    Ok(())
}
