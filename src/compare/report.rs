//! A comparison and a solution as bytes: `comparison.json`, `comparison.csv`, `solution.json` and
//! the terminal tables (80 columns).

use super::{Comparison, Solution, VariantRow};
use crate::report::Metric;
use crate::report::text::thousands as int;

/// `comparison.json`: pretty-printed, newline-terminated.
pub fn comparison_json(c: &Comparison) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(c).expect("comparison serialises");
    v.push(b'\n');
    v
}

/// `solution.json`.
pub fn solution_json(s: &Solution) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(s).expect("solution serialises");
    v.push(b'\n');
    v
}

/// Officer-days lent by all source units together (mean over replications).
fn officer_days(r: &VariantRow) -> f64 {
    r.metrics
        .iter()
        .filter(|m| m.metric == "diverted_officer_days")
        .filter_map(|m| m.mean)
        .sum()
}

pub(crate) fn metric<'a>(row: &'a VariantRow, name: &str) -> Option<&'a Metric> {
    row.metrics.iter().find(|m| m.metric == name)
}

/// One of a date metric's estimates as an ISO date, or `censored` when it falls among the runs
/// not finished by the horizon.
fn date(
    m: Option<&Metric>,
    q: fn(&crate::report::summary::DateEstimates) -> Option<String>,
    censored: &str,
) -> String {
    m.and_then(|m| m.dates.as_ref())
        .and_then(q)
        .unwrap_or_else(|| censored.into())
}

/// How `comparison.csv` writes a date estimate beyond the horizon: empty, so that the column
/// holds dates only (`censored_share` says how many runs did not finish).
const NOT_BY_HORIZON: &str = "";

use crate::report::real_cell as opt;

fn real(x: f64) -> String {
    crate::report::decimal::real(x)
}

/// The values of one varied setting's column, as written, except that a column of numbers in
/// which some are not whole is written all as reals (`1.0` beside `1.5`), so it reads as one type.
fn one_type(values: Vec<String>) -> Vec<String> {
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    match numbers {
        Some(xs) if values.iter().any(|v| v.contains(['.', 'e', 'E'])) => {
            xs.into_iter().map(real).collect()
        }
        _ => values,
    }
}

/// `comparison.csv`: one row per variant, the settings first (one column per varied path).
pub fn comparison_csv(c: &Comparison) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut header: Vec<String> = vec![
        "variant",
        "label",
        "is_baseline",
        "lent_officers",
        "screening_complete_p50",
        "screening_complete_p90",
        "all_cases_closed_p10",
        "all_cases_closed_p50",
        "all_cases_closed_p90",
        "all_cases_closed_mean_days",
        "censored_share",
        "peak_open_cases_p50",
        "peak_open_cases_p90",
        "officer_days",
        "officer_days_vs_baseline",
        "days_saved",
        "days_saved_mcse",
        "p_finish_before_baseline",
        "days_saved_per_officer",
        "days_saved_per_100_officer_days",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // A varied setting's column is headed by its label when the experiment gives one.
    header.extend(
        c.meta
            .varied
            .iter()
            .map(|v| v.label.clone().unwrap_or_else(|| v.path.clone())),
    );
    w.write_record(&header).expect("in-memory CSV");
    let varied_columns: Vec<Vec<String>> = c
        .meta
        .varied
        .iter()
        .map(|varied| {
            one_type(
                c.variants
                    .iter()
                    .map(|r| {
                        r.settings
                            .iter()
                            .find(|s| s.path == varied.path)
                            .map(|s| s.value.clone())
                            .or_else(|| varied.as_written.clone())
                            .unwrap_or_default()
                    })
                    .collect(),
            )
        })
        .collect();
    for (i, r) in c.variants.iter().enumerate() {
        let sc = metric(r, "screening_complete");
        let ac = metric(r, "all_cases_closed");
        let pk = metric(r, "peak_open_cases");
        let od = officer_days(r);
        let v = &r.versus_baseline;
        let dated = |q: fn(&crate::report::summary::DateEstimates) -> Option<String>| {
            if sc.is_some() {
                date(sc, q, NOT_BY_HORIZON)
            } else {
                String::new()
            }
        };
        let mut fields: Vec<String> = vec![
            (i + 1).to_string(),
            r.label.clone(),
            r.is_baseline.to_string(),
            real(r.lent_officers),
            dated(|d| d.p50.clone()),
            dated(|d| d.p90.clone()),
            date(ac, |d| d.p10.clone(), NOT_BY_HORIZON),
            date(ac, |d| d.p50.clone(), NOT_BY_HORIZON),
            date(ac, |d| d.p90.clone(), NOT_BY_HORIZON),
            opt(ac.and_then(|m| m.mean)),
            real(ac.map(|m| m.censored_share).unwrap_or(0.0)),
            opt(pk.and_then(|m| m.p50)),
            opt(pk.and_then(|m| m.p90)),
            real(od),
            opt(v.officer_days.mean),
            opt(v.days_saved),
            opt(v.days_saved_mcse),
            real(v.p_finish_before_baseline),
            opt(v.days_saved_per_officer),
            opt(v.days_saved_per_100_officer_days),
        ];
        fields.extend(varied_columns.iter().map(|col| col[i].clone()));
        w.write_record(&fields).expect("in-memory CSV");
    }
    w.into_inner().expect("in-memory CSV")
}

/// Breaks `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The terminal table, within 80 columns.
pub fn comparison_text(c: &Comparison) -> String {
    let m = &c.meta;
    let mut t = String::new();
    t.push_str(&format!(
        "{}: {} variants x {} replications, seed {}.\n",
        m.scenario,
        c.variants.len(),
        int(m.replications as f64),
        m.seed
    ));
    t.push_str(&wrap(
        &format!("Common random numbers: {}.", m.common_random_numbers),
        78,
    ));
    t.push('\n');
    for (i, r) in c.variants.iter().enumerate() {
        let mark = if r.is_baseline { "*" } else { " " };
        let label = if r.settings.is_empty() {
            "the scenario as written".to_string()
        } else {
            r.label.clone()
        };
        t.push_str(&format!("  {:>2}{mark} {label}\n", i + 1));
    }
    t.push_str(if m.baseline_chosen {
        "  * baseline (chosen with --baseline); differences are variant minus baseline.\n\n"
    } else {
        "  * baseline (the scenario as written); differences are variant minus baseline.\n\n"
    });
    t.push_str(&format!(
        "{:>2}  {:<21} {:>6}  {:>12}  {:>7}  {:>12}  {:>4}\n",
        "#", "last case closes", "peak", "days saved", "P(sooner", "officer-days", "lent"
    ));
    t.push_str(&format!(
        "{:>2}  {:<10} {:<10} {:>6}  {:>12}  {:>7}  {:>12}  {:>4}\n",
        "", "P50", "P90", "P50", "mean ± 2se", "than *)", "taken", ""
    ));
    for (i, r) in c.variants.iter().enumerate() {
        let ac = metric(r, "all_cases_closed");
        let pk = metric(r, "peak_open_cases");
        let od = officer_days(r);
        let v = &r.versus_baseline;
        let saved = if r.is_baseline {
            "-".to_string()
        } else {
            match (v.days_saved, v.days_saved_mcse) {
                (Some(s), Some(e)) => format!("{s:+.1} ± {:.1}", 2.0 * e),
                _ => "censored".into(),
            }
        };
        let p = if r.is_baseline {
            "-".to_string()
        } else {
            format!("{:.0}%", 100.0 * v.p_finish_before_baseline)
        };
        let d = |q: fn(&crate::report::summary::DateEstimates) -> Option<String>| {
            date(ac, q, "after hor.")
        };
        t.push_str(&format!(
            "{:>2}  {:<10} {:<10} {:>6}  {:>12}  {:>7}  {:>12}  {:>4}\n",
            i + 1,
            d(|x| x.p50.clone()),
            d(|x| x.p90.clone()),
            pk.and_then(|m| m.p50).map(int).unwrap_or_default(),
            saved,
            p,
            int(od),
            int(r.lent_officers)
        ));
    }
    if m.sources.is_empty() {
        t.push_str(
            "Days are working days. No officers are lent by other units in this scenario.\n",
        );
    } else {
        t.push_str(&format!(
            "Days are working days; officer-days are lent by {};\nlent = most officers lent at once.\n",
            m.sources.join(", ")
        ));
    }
    t
}

/// The terminal answer to `solve`.
pub fn solution_text(s: &Solution) -> String {
    let what = match s.finish {
        super::Finish::AllCasesClosed => "the last case closes",
        super::Finish::ScreeningComplete => "screening finishes",
    };
    let pct = |p: f64| format!("{:.1}%", 100.0 * p);
    // A probability with its uncertainty: all or none of the runs has no binomial spread worth
    // quoting, so give the count instead.
    let n = s.replications;
    let with_error = |p: &super::Probe| {
        if p.probability == 0.0 || p.probability == 1.0 {
            format!(
                "{} of runs ({} of {})",
                pct(p.probability),
                int((p.probability * n as f64).round()),
                int(n as f64)
            )
        } else {
            format!(
                "{} of runs (± {} at 2 s.e.)",
                pct(p.probability),
                pct(2.0 * p.mcse)
            )
        }
    };
    let mut t = String::new();
    match s.status.as_str() {
        "found" => {
            let a = s.at_answer.as_ref().expect("found has a probe");
            t.push_str(&format!(
                "{} = {} is the smallest value with which {what} by {} in at least {} of runs: {}.\n",
                s.path,
                s.answer.unwrap_or_default(),
                s.target_date,
                pct(s.confidence),
                with_error(a)
            ));
            if let Some(b) = &s.below_answer {
                t.push_str(&format!(
                    "With {} it is {} of runs.\n",
                    b.value,
                    pct(b.probability)
                ));
                // Both values ran the same replications, so few runs differ between them; still,
                // a gap smaller than the probability's own error deserves a word of caution.
                if (a.probability - b.probability).abs() < 2.0 * a.mcse {
                    t.push_str(&format!(
                        "Caution: {} and {} differ by less than the Monte Carlo error of either; the chance of finishing hardly moves with {} here. More replications (-n) would make the answer firmer.\n",
                        b.value,
                        s.answer.unwrap_or_default(),
                        s.path
                    ));
                }
            }
        }
        "min_is_enough" => {
            let a = s.at_answer.as_ref().expect("has a probe");
            t.push_str(&format!(
                "Even the minimum, {} = {}, is enough: {what} by {} in {} of runs (wanted {}).\n",
                s.path,
                s.min,
                s.target_date,
                pct(a.probability),
                pct(s.confidence)
            ));
        }
        _ => {
            let a = s.at_answer.as_ref().expect("has a probe");
            t.push_str(&format!(
                "Not even the maximum, {} = {}, is enough: {what} by {} in only {} of runs (wanted {}).\n",
                s.path,
                s.max,
                s.target_date,
                pct(a.probability),
                pct(s.confidence)
            ));
        }
    }
    t.push_str(&format!(
        "Searched {}..={} with {} replications per value (seed {}, common random numbers); tried {}.\n",
        s.min,
        s.max,
        int(s.replications as f64),
        s.seed,
        s.probes
            .iter()
            .map(|p| format!("{} ({})", p.value, pct(p.probability)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if s.no_effect {
        t.push_str(&format!(
            "Every value tried gave the same probability: {} does not change when {what}.\n",
            s.path
        ));
    }
    if !s.monotone {
        t.push_str("Warning: a larger value finished by the date less often than a smaller one; the answer assumes more never hurts.\n");
    }
    t
}

#[cfg(test)]
mod one_type_tests {
    use super::one_type;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn a_column_of_numbers_with_some_not_whole_is_written_all_as_reals() {
        assert_eq!(one_type(v(&["1", "1.5", "2"])), v(&["1.0", "1.5", "2.0"]));
        assert_eq!(one_type(v(&["0", "1e-3"])), v(&["0.0", "0.001"]));
        // Whole numbers stay integers; dates and text are left as written.
        assert_eq!(one_type(v(&["40", "60"])), v(&["40", "60"]));
        assert_eq!(
            one_type(v(&["2023-07-06", "2023-10-06"])),
            v(&["2023-07-06", "2023-10-06"])
        );
        assert_eq!(one_type(v(&["finish", "1.5"])), v(&["finish", "1.5"]));
    }
}
