//! The short plain-English summary printed on the terminal, made from a [`Summary`] alone.

use super::summary::{Metric, Summary};
use std::fmt::Write;

fn find<'a>(s: &'a Summary, metric: &str, case_type: Option<&str>) -> Option<&'a Metric> {
    s.metrics
        .iter()
        .find(|m| m.metric == metric && m.case_type.as_deref() == case_type)
}

fn pct(x: f64) -> String {
    let p = x * 100.0;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// Thousands separators for counts.
pub fn thousands(x: f64) -> String {
    let n = x.round() as i64;
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// One line of P50, P10 and P90 dates of `m`, after `label`; "after" the horizon where a
/// quantile is censored, and then `unfinished` ("not finished by", "still above it at") before
/// the horizon and the share of runs censored.
fn date_line(out: &mut String, label: &str, m: &Metric, horizon: &str, unfinished: &str) {
    let d = m.dates.as_ref();
    let get = |q: fn(&super::summary::DateEstimates) -> &Option<String>| {
        d.and_then(|d| q(d).clone())
            .unwrap_or_else(|| format!("after {horizon}"))
    };
    let _ = write!(
        out,
        "{label} {} (P50); P10 {}, P90 {}",
        get(|d| &d.p50),
        get(|d| &d.p10),
        get(|d| &d.p90)
    );
    if m.censored > 0 {
        let _ = write!(
            out,
            "; {unfinished} {horizon} in {} of runs",
            pct(m.censored_share)
        );
    }
    out.push_str(".\n");
}

/// The terminal summary.
pub fn render(s: &Summary) -> String {
    let mut out = String::new();
    let meta = &s.meta;
    let _ = writeln!(
        out,
        "{}: {} replications, seed {}, scenario {} (sha256 {})",
        meta.scenario,
        thousands(meta.replications as f64),
        meta.seed,
        meta.scenario_file,
        &meta.scenario_hash[..12.min(meta.scenario_hash.len())]
    );
    if let Some(m) = find(s, "screening_complete", None) {
        date_line(
            &mut out,
            "Screening finishes",
            m,
            &meta.horizon,
            "not finished by",
        );
        if let (Some(target), Some(share)) = (
            &meta.screening_target,
            find(s, "screening_by_target", None).and_then(|x| x.mean),
        ) {
            let _ = writeln!(
                out,
                "  Finished by the target date ({target}) in {} of runs.",
                pct(share)
            );
        }
    }
    if s.tracks_nothing() {
        let _ = writeln!(
            out,
            "No tracked work: every stream and backlog is untracked, so there is no last case to wait for."
        );
    } else if let Some(m) = find(s, "all_cases_closed", None) {
        date_line(
            &mut out,
            "All cases closed",
            m,
            &meta.horizon,
            "not finished by",
        );
        if let Some(Some(share)) = m.assumptions_share {
            let _ = writeln!(
                out,
                "  About {} of the spread of that date comes from what the scenario assumes{}; the rest is chance (interactions of the two included).",
                pct(share.clamp(0.0, 1.0)),
                m.assumptions_share_mcse
                    .flatten()
                    .map(|e| format!(" (± {} at 95 %)", pct(2.09 * e)))
                    .unwrap_or_default()
            );
            if m.censored > 0 {
                let _ = writeln!(
                    out,
                    "  ({} of runs are not finished by the horizon: for them the date counts as the horizon.)",
                    pct(m.censored_share)
                );
            }
        }
    }
    if let (Some(p), Some(t)) = (
        find(s, "peak_open_cases", None),
        find(s, "peak_open_time", None),
    ) {
        let _ = writeln!(
            out,
            "Peak caseload {} open cases (P50; P10 {}, P90 {}), reached around {} (P50).",
            thousands(p.p50.unwrap_or(0.0)),
            thousands(p.p10.unwrap_or(0.0)),
            thousands(p.p90.unwrap_or(0.0)),
            t.dates
                .as_ref()
                .and_then(|d| d.p50.clone())
                .unwrap_or_default()
        );
    }
    for m in s.metrics.iter().filter(|m| m.metric == "back_to_target") {
        let label = format!(
            "Open {} cases back to {} or fewer for good",
            m.case_type.as_deref().unwrap_or("?"),
            thousands(m.target.unwrap_or(0) as f64)
        );
        date_line(&mut out, &label, m, &meta.horizon, "still above it at");
    }
    let waits: Vec<&Metric> = s
        .metrics
        .iter()
        .filter(|m| m.metric == "wait_days" && m.n > 0)
        .collect();
    if !waits.is_empty() {
        let width = waits
            .iter()
            .filter_map(|m| m.case_type.as_ref().map(|c| c.len()))
            .max()
            .unwrap_or(10)
            .max(9);
        let _ = writeln!(
            out,
            "Waiting time before work starts, over all cases (working days):"
        );
        let _ = writeln!(
            out,
            "  {:<width$} {:>8} {:>8} {:>8} {:>10}",
            "case type", "mean", "P50", "P90", "cases/run"
        );
        for m in waits {
            let ct = m.case_type.as_deref().unwrap_or("");
            let opened = find(s, "cases_opened", Some(ct))
                .and_then(|o| o.mean)
                .unwrap_or(0.0);
            let _ = writeln!(
                out,
                "  {:<width$} {:>8.1} {:>8.1} {:>8.1} {:>10.1}",
                ct,
                m.mean.unwrap_or(f64::NAN),
                m.p50.unwrap_or(f64::NAN),
                m.p90.unwrap_or(f64::NAN),
                opened
            );
        }
    }
    for m in s
        .metrics
        .iter()
        .filter(|m| m.metric == "diverted_officer_days")
    {
        let _ = writeln!(
            out,
            "Officers diverted from {}: {} officer-days (mean).",
            m.source.as_deref().unwrap_or("?"),
            thousands(m.mean.unwrap_or(0.0))
        );
    }
    out
}
