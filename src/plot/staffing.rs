//! Staffing over time: headcount by team as steps, the total, and the periods in which officers
//! are lent by other units shaded and named; below it, when `daily.csv` has them, each team's
//! utilisation by working day (the median across runs of the share of its on-duty person-time
//! spent on cases), so that a team with little work shows at once.

use super::caseload::pretty;
use super::{
    FONT, RunData, colour, date_axis, draw_err, frame, nice_ceiling, svg, thousands, x_of,
};
use crate::calendar::Date;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const CHART: &str = "the staffing chart";

/// A team's headcount as (date, headcount, lent) steps, each holding until the next.
struct Steps {
    team: String,
    sources: Vec<String>,
    steps: Vec<(Date, f64, f64)>,
}

/// Ticks on whole numbers of people (never 0.5 of a person), at most about eight.
fn whole_ticks(ymax: f64) -> Vec<f64> {
    let step = [
        1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0,
    ]
    .into_iter()
    .find(|s| ymax / s <= 8.0)
    .unwrap_or_else(|| super::nice_ceiling(ymax / 8.0));
    (0..=(ymax / step) as usize)
        .map(|i| i as f64 * step)
        .collect()
}

/// Headcount and officers lent at date `d`. The first step is dated on the first working day,
/// which may come after the start date (a weekend, a holiday): it holds from the start.
fn value_at(steps: &[(Date, f64, f64)], d: Date) -> (f64, f64) {
    steps
        .iter()
        .rev()
        .find(|s| s.0 <= d)
        .or(steps.first())
        .map(|s| (s.1, s.2))
        .unwrap_or((0.0, 0.0))
}

/// The last working day before the roster step dated `step` (the daily series knows the
/// working days); the calendar day before it when the series does not reach that far.
fn last_working_day_before(d: &RunData, step: Date) -> Date {
    let working_day = d
        .summary
        .staffing
        .iter()
        .flat_map(|t| t.steps.iter())
        .find(|s| Date::parse(&s.date).ok() == Some(step))
        .map(|s| s.working_day);
    working_day
        .and_then(|w| w.checked_sub(1))
        .and_then(|w| d.daily.iter().find(|r| r.working_day == w))
        .and_then(|r| Date::parse(&r.date).ok())
        .unwrap_or_else(|| step.add_days(-1))
}

/// Most teams whose utilisation gets a strip of its own; more share one panel (a strip of a
/// thousand teams would be a chart of nothing else).
const MAX_STRIPS: usize = 8;

/// The height of a team's utilisation strip \[pixels\]: a line from 0 % to 100 % and its name.
const STRIP: u32 = 64;

pub(super) fn draw(d: &RunData) -> Result<super::Drawn, super::PlotError> {
    let meta = &d.summary.meta;
    let start = d.date(&meta.start, CHART)?;
    let end = d.time_axis_end(CHART)?;
    let mut teams = Vec::new();
    for t in &d.summary.staffing {
        let steps = t
            .steps
            .iter()
            .map(|s| Ok((d.date(&s.date, CHART)?, s.headcount as f64, s.lent as f64)))
            .collect::<Result<Vec<_>, super::PlotError>>()?;
        teams.push(Steps {
            team: t.team.clone(),
            sources: t.sources.clone(),
            steps,
        });
    }
    // Every date where some headcount changes, within the axis.
    let mut change_dates: Vec<Date> = teams
        .iter()
        .flat_map(|t| t.steps.iter().map(|s| s.0))
        .filter(|x| *x >= start && *x <= end)
        .collect();
    change_dates.push(start);
    change_dates.sort();
    change_dates.dedup();
    let total_at = |x: Date| -> (f64, f64) {
        teams.iter().fold((0.0, 0.0), |acc, t| {
            let (h, l) = value_at(&t.steps, x);
            (acc.0 + h, acc.1 + l)
        })
    };
    // Lending periods: maximal runs of change dates with lent > 0.
    let mut periods: Vec<(Date, Date, f64)> = Vec::new();
    for (i, &x) in change_dates.iter().enumerate() {
        let (_, lent) = total_at(x);
        let next = change_dates.get(i + 1).copied().unwrap_or(end);
        if lent > 0.0 {
            match periods.last_mut() {
                Some(p) if p.1 == x => {
                    p.1 = next;
                    p.2 = p.2.max(lent);
                }
                _ => periods.push((x, next, lent)),
            }
        }
    }
    let sources: Vec<String> = meta.sources.clone();
    let total0 = total_at(start).0;
    let total_max = change_dates
        .iter()
        .map(|x| total_at(*x).0)
        .fold(0.0f64, f64::max);
    // When the first lending period ends: the first roster date after it starts (looking past the
    // axis) on which nobody is lent any more; none means it lasts to the end of the run.
    let mut all_dates: Vec<Date> = teams
        .iter()
        .flat_map(|t| t.steps.iter().map(|s| s.0))
        .collect();
    all_dates.sort();
    all_dates.dedup();
    let lent_at = |x: Date| -> f64 { teams.iter().map(|t| value_at(&t.steps, x).1).sum() };
    let officers = |n: f64| {
        if n == 1.0 {
            "1 officer".to_string()
        } else {
            format!("{} officers", thousands(n))
        }
    };
    // When the peak holds: a short overlap of rosters (new staff arriving the week the lent
    // officers leave) is a peak of days, not months, and the title says so.
    let peak = match change_dates
        .iter()
        .position(|x| total_at(*x).0 == total_max)
    {
        // It ends at the first later change that lowers the total (cohorts of the same size
        // taking over from one another keep it).
        // (Looking past the axis, as for the end of lending.)
        Some(i) => match all_dates
            .iter()
            .find(|x| **x > change_dates[i] && total_at(**x).0 < total_max)
        {
            Some(&next) => format!(
                "staff peak at {} ({} to {})",
                thousands(total_max),
                change_dates[i].human(),
                last_working_day_before(d, next).human()
            ),
            None => format!(
                "staff peak at {} (from {})",
                thousands(total_max),
                change_dates[i].human()
            ),
        },
        None => format!("staff peak at {}", thousands(total_max)),
    };
    let title = match periods.first() {
        Some(&(from, _, lent)) => {
            match all_dates.iter().find(|&&x| x > from && lent_at(x) == 0.0) {
                Some(&end) => format!(
                    "{} lent by {} until {}; {peak}",
                    officers(lent),
                    sources.join(" and "),
                    last_working_day_before(d, end).human(),
                ),
                None => format!(
                    "{} lent by {} from {} to the end of the run; {peak}",
                    officers(lent),
                    sources.join(" and "),
                    from.human(),
                ),
            }
        }
        None => format!(
            "Staff: {} at the start, {} at most; no officers lent by other units",
            thousands(total0),
            thousands(total_max)
        ),
    };
    // Each team's median utilisation by working day, as runs of consecutive defined days
    // (undefined where nobody of the team was on duty): none in results written before vetsim
    // wrote utilisation.
    let utilisation: Vec<Vec<Vec<(f64, f64)>>> = teams
        .iter()
        .map(|t| {
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            let mut open = false;
            for r in d.series("utilisation", &t.team) {
                let Ok(x) = Date::parse(&r.date) else {
                    continue;
                };
                // Only while the team has people on its roster: leavers finishing a case after
                // their team's headcount fell to nothing are all busy, and a line at 100 % there
                // would read as a busy team.
                match r.p50 {
                    Some(u) if x <= end && value_at(&t.steps, x).0 > 0.0 => {
                        if !open {
                            runs.push(Vec::new());
                            open = true;
                        }
                        runs.last_mut().expect("a run is open").push((x_of(x), u));
                    }
                    _ => open = false,
                }
            }
            runs
        })
        .collect();
    let with_utilisation = utilisation.iter().any(|r| !r.is_empty());
    // The teams with a utilisation line. Up to MAX_STRIPS of them each get a strip of their
    // own: in one panel, teams at 100 % (or 0 %) together lay their lines on top of each other,
    // and met-2023's new staff were hidden at 100 % from May to September 2023.
    let busy: Vec<usize> = (0..teams.len())
        .filter(|&i| !utilisation[i].is_empty())
        .collect();
    let strips = busy.len() <= MAX_STRIPS;
    let mut subtitle = "People on each team's roster (steps); shaded: officers lent by other units. Productive hours and ramp-up are in the scenario.".to_string();
    if with_utilisation {
        subtitle.push_str(if strips {
            " Below, a strip per team: the share of its people on duty who are busy on cases, by working day (median across runs, while the team has people on its roster)."
        } else {
            " Below: the share of each team's people on duty who are busy on cases, by working day (median across runs, while the team has people on its roster)."
        });
    }

    let ymax = nice_ceiling(total_max.max(1.0) * 1.12);
    // The lower part: a strip of STRIP pixels per team and the date axis, or one panel.
    let lower_height = match (with_utilisation, strips) {
        (false, _) => 0,
        // 10 between the parts, 12 over the first strip for its name, 36 of date axis.
        (true, true) => 10 + 12 + STRIP * busy.len() as u32 + 36,
        (true, false) => 240,
    };
    let height = 560 + lower_height;
    let svg = svg((960, height), CHART, |root| {
        let e = draw_err(CHART);
        let area = frame(root, &super::provenance(d), &title, &subtitle, CHART)?;
        let (area, lower) = if with_utilisation {
            let h = area.dim_in_pixel().1;
            let (a, b) = area.split_vertically(h - (lower_height - 10));
            (a, Some(b))
        } else {
            (area, None)
        };
        let (x_axis, x_fmt) = date_axis(start, end, 10);
        if let (Some(lower), true) = (&lower, strips) {
            let mut rest = lower.clone();
            for (k, &i) in busy.iter().enumerate() {
                let last = k + 1 == busy.len();
                let (strip, below) = if last {
                    (rest.clone(), None)
                } else {
                    let (a, b) = rest.split_vertically(STRIP + if k == 0 { 12 } else { 0 });
                    (a, Some(b))
                };
                let col = colour::SERIES[i % colour::SERIES.len()];
                let mut chart = ChartBuilder::on(&strip)
                    .margin_right(24)
                    .margin_top(if k == 0 { 30 } else { 18 })
                    .margin_bottom(2)
                    .x_label_area_size(if last { 36 } else { 0 })
                    .y_label_area_size(60)
                    .build_cartesian_2d(
                        date_axis(start, end, 10).0,
                        super::Ticked::new(0.0..1.0, vec![0.0, 0.5, 1.0]),
                    )
                    .map_err(&e)?;
                chart
                    .configure_mesh()
                    .x_label_formatter(&x_fmt)
                    .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
                    .x_desc(if last { "Date" } else { "" })
                    .axis_desc_style((FONT, 14))
                    .label_style((FONT, 12))
                    .light_line_style(TRANSPARENT)
                    .bold_line_style(colour::LIGHT_GREY)
                    .draw()
                    .map_err(&e)?;
                // The team's name over its strip, in its colour, left-aligned with the plot.
                strip
                    .draw(&Text::new(
                        format!("{}: busy on cases", pretty(&teams[i].team)),
                        (62, if k == 0 { 12 } else { 0 }),
                        (FONT, 13)
                            .into_font()
                            .color(&col)
                            .pos(Pos::new(HPos::Left, VPos::Top)),
                    ))
                    .map_err(&e)?;
                let style = col.stroke_width(2);
                for run in &utilisation[i] {
                    line!(chart, run.iter().copied(), style, super::dash_of(i), &e);
                }
                if let Some(b) = below {
                    rest = b;
                }
            }
        } else if let Some(lower) = &lower {
            let mut chart = ChartBuilder::on(lower)
                .margin_right(24)
                .margin_top(14)
                .x_label_area_size(36)
                .y_label_area_size(60)
                .build_cartesian_2d(
                    date_axis(start, end, 10).0,
                    super::Ticked::new(0.0..1.0, vec![0.0, 0.25, 0.5, 0.75, 1.0]),
                )
                .map_err(&e)?;
            mesh!(
                chart,
                &x_fmt,
                &|y| format!("{:.0}%", y * 100.0),
                "Date",
                "Busy on cases",
                &e
            );
            for (i, runs) in utilisation.iter().enumerate() {
                let col = colour::SERIES[i % colour::SERIES.len()];
                let style = col.stroke_width(2);
                for run in runs {
                    line!(chart, run.iter().copied(), style, super::dash_of(i), &e);
                }
            }
        }
        let mut chart = ChartBuilder::on(&area)
            .margin_right(24)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(x_axis, super::Ticked::new(0.0..ymax, whole_ticks(ymax)))
            .map_err(&e)?;
        let x_desc = if lower.is_some() { "" } else { "Date" };
        mesh!(chart, &x_fmt, &|y| thousands(*y), x_desc, "People", &e);
        for &(from, to, lent) in &periods {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x_of(from), 0.0), (x_of(to), ymax)],
                    colour::ACCENT.mix(0.12).filled(),
                )))
                .map_err(&e)?;
            let lenders: Vec<&str> = teams
                .iter()
                .filter(|t| value_at(&t.steps, from).1 > 0.0)
                .flat_map(|t| t.sources.iter().map(|s| s.as_str()))
                .collect();
            // How busy the lending team was over the loan (median across runs), when one team
            // lends and the summary has its utilisation.
            let lending: Vec<&Steps> = teams
                .iter()
                .filter(|t| value_at(&t.steps, from).1 > 0.0)
                .collect();
            let busy = match lending.as_slice() {
                [t] => d
                    .summary
                    .metrics
                    .iter()
                    .find(|m| {
                        m.metric == "utilisation_in_period"
                            && m.team.as_deref() == Some(t.team.as_str())
                            && m.period.as_ref().is_some_and(|p| {
                                p.lent > 0
                                    && p.from.as_deref().and_then(|x| Date::parse(x).ok())
                                        == Some(from)
                            })
                    })
                    .and_then(|m| m.p50),
                _ => None,
            };
            // The figure is the whole team's: said of the lent officers only when they are the
            // whole team at the loan's start, else of the team by name.
            let label = match (busy, lending.as_slice()) {
                (Some(u), [t]) if value_at(&t.steps, from).0 == value_at(&t.steps, from).1 => {
                    format!(
                        "{} lent by {}: busy {:.0}% of the time",
                        thousands(lent),
                        lenders.join(", "),
                        u * 100.0
                    )
                }
                (Some(u), [t]) => format!(
                    "{} lent by {}; {} busy {:.0}% over the loan",
                    thousands(lent),
                    lenders.join(", "),
                    pretty(&t.team),
                    u * 100.0
                ),
                _ => format!("{} lent by {}", thousands(lent), lenders.join(", ")),
            };
            chart
                .draw_series(std::iter::once(Text::new(
                    label,
                    (x_of(from) + 2.0, ymax * 0.97),
                    (FONT, 13)
                        .into_font()
                        .color(&colour::ACCENT_TEXT)
                        .pos(Pos::new(HPos::Left, VPos::Top)),
                )))
                .map_err(&e)?;
        }
        let step_points = |f: &dyn Fn(Date) -> f64| -> Vec<(f64, f64)> {
            let mut pts = Vec::new();
            let mut prev: Option<f64> = None;
            for &x in &change_dates {
                let v = f(x);
                if let Some(p) = prev {
                    pts.push((x_of(x), p));
                }
                pts.push((x_of(x), v));
                prev = Some(v);
            }
            if let Some(p) = prev {
                pts.push((x_of(end), p));
            }
            pts
        };
        let total = step_points(&|x| total_at(x).0);
        chart
            .draw_series(LineSeries::new(total, colour::TEXT.stroke_width(3)))
            .map_err(&e)?
            .label("all teams")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 22, y)], colour::TEXT.stroke_width(3))
            });
        for (i, t) in teams.iter().enumerate() {
            let col = colour::SERIES[i % colour::SERIES.len()];
            let pts = step_points(&|x| value_at(&t.steps, x).0);
            let name = if t.sources.is_empty() {
                pretty(&t.team)
            } else {
                format!(
                    "{} (with officers lent by {})",
                    pretty(&t.team),
                    t.sources.join(", ")
                )
            };
            line!(chart, pts, col.stroke_width(2), super::dash_of(i), name, &e);
        }
        legend!(chart, SeriesLabelPosition::UpperRight, &e);
        Ok(())
    })?;
    Ok(super::Drawn {
        svg,
        title,
        subtitle,
    })
}
