//! A sensitivity analysis as bytes: `sensitivity.json`, `sensitivity.csv` and the terminal table.

use super::{RANKED_BY, Sensitivity};
use crate::report::text::thousands as int;

/// `sensitivity.json`: pretty-printed, newline-terminated.
pub fn sensitivity_json(s: &Sensitivity) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(s).expect("a sensitivity analysis serialises");
    v.push(b'\n');
    v
}

use crate::report::real_cell as opt;

/// `sensitivity.csv`: tidy, one row per assumption and headline output, in rank order.
pub fn sensitivity_csv(s: &Sensitivity) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let header = [
        "rank",
        "assumption",
        "outcome",
        "low",
        "central",
        "high",
        "metric",
        "case_type",
        "at_low",
        "at_low_censored_share",
        "at_high",
        "at_high_censored_share",
        "swing",
        "swing_mcse",
        "first_order",
        "first_order_mcse",
        "censored_share",
    ];
    w.write_record(header)
        .expect("writing into a Vec cannot fail");
    for a in &s.assumptions {
        let m = &a.assumption;
        for (k, e) in a.effects.iter().enumerate() {
            // The main run's, which the index comes from.
            let censored = s.outputs.get(k).map(|o| o.censored_share);
            w.write_record([
                a.rank.to_string(),
                m.name.clone(),
                m.outcome.clone().unwrap_or_default(),
                crate::report::decimal::real(m.low),
                crate::report::decimal::real(m.central),
                crate::report::decimal::real(m.high),
                e.metric.clone(),
                e.case_type.clone().unwrap_or_default(),
                crate::report::decimal::real(e.at_low),
                crate::report::decimal::real(e.at_low_censored_share),
                crate::report::decimal::real(e.at_high),
                crate::report::decimal::real(e.at_high_censored_share),
                crate::report::decimal::real(e.swing),
                opt(e.swing_mcse),
                opt(e.first_order),
                opt(e.first_order_mcse),
                opt(censored),
            ])
            .expect("writing into a Vec cannot fail");
        }
    }
    w.into_inner().expect("a Vec cannot fail to flush")
}

/// A value of an assumption as the table shows it: four significant digits at most.
pub fn value(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let t = format!("{x:.digits$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

/// An assumption's low and high as the table and chart show them: dates for an assumption of
/// dates, else numbers of four significant digits.
pub fn range_of(a: &super::AssumptionRow) -> (String, String) {
    match &a.dates {
        Some([low, _, high]) => (low.clone(), high.clone()),
        None => (value(a.assumption.low), value(a.assumption.high)),
    }
}

/// A share as a whole percentage with its error: `62% ± 4%` (± 2 standard errors); `None`
/// without an estimate.
fn pct(x: Option<f64>, se: Option<f64>) -> Option<String> {
    // `{:.0}` of a small negative number is "-0".
    let whole = |v: f64| {
        let r = (100.0 * v).round();
        if r == 0.0 { 0.0 } else { r }
    };
    // A share of the spread lies in [0, 1]; its estimate from few runs can fall outside (a
    // twin estimate of -0.42 from two runs): shown clamped, as `run --split` shows it.
    match (x.map(|x| x.clamp(0.0, 1.0)), se) {
        (Some(x), Some(e)) => Some(format!("{}% ± {}%", whole(x), whole(2.0 * e))),
        (Some(x), None) => Some(format!("{}% (too few runs to give its error)", whole(x))),
        _ => None,
    }
}

/// The terminal table: the split of the last case's date, then every assumption by rank with its
/// swing and first-order index on that date.
pub fn sensitivity_text(s: &Sensitivity) -> String {
    let m = &s.meta;
    let mut t = format!(
        "{}: {} replications, seed {}; {} assumption{}, {} replications run in all.\n",
        m.scenario,
        int(m.replications as f64),
        m.seed,
        s.assumptions.len(),
        if s.assumptions.len() == 1 { "" } else { "s" },
        int(m.replications_run as f64),
    );
    let Some(out) = s.outputs.iter().find(|o| o.metric == RANKED_BY) else {
        return t;
    };
    let horizon = &m.horizon;
    if out.censored_share >= 1.0 {
        t.push_str(&format!(
            "No run closes the last case by the horizon ({horizon}): nothing can be ranked by when it closes.\n"
        ));
        return t;
    }
    if let (Some(a), Some(b)) = (&out.mean_date, &out.central_mean_date) {
        if out.censored_share > 0.0 {
            t.push_str(&format!(
                "{:.1}% of runs do not close the last case by the horizon ({horizon}); counting them as the horizon, it closes on {a} on average, or later ({b} with every assumption at its median).\n",
                100.0 * out.censored_share
            ));
        } else {
            t.push_str(&format!(
                "The last case closes on {a} on average ({b} with every assumption at its median).\n"
            ));
        }
    }
    if s.assumptions.is_empty() {
        t.push_str("Nothing in this scenario is uncertain: there is nothing to rank.\n");
        return t;
    }
    let too_few = m.replications < 8;
    match (
        pct(out.assumptions_share, out.assumptions_share_mcse),
        pct(out.first_order_sum, out.first_order_sum_mcse),
    ) {
        (Some(share), Some(sum)) => t.push_str(&format!(
            "Of its spread, {share} comes from what is assumed; the assumptions' first-order indices add up to {sum} (± 2 standard errors; in expectation the sum is at most the share).\n\n"
        )),
        (Some(share), None) => t.push_str(&format!(
            "Of its spread, {share} comes from what is assumed{}; first-order indices need at least 8 replications.\n\n",
            if out.assumptions_share_mcse.is_some() {
                " (± 2 standard errors)"
            } else {
                ""
            }
        )),
        _ if too_few => t.push_str("Too few replications to split its spread.\n\n"),
        _ => t.push_str("It is the same in every run: there is no spread to split.\n\n"),
    }
    t.push_str(" #  last case closes       first-order   assumption (P10 to P90)\n");
    t.push_str("    P90 run minus P10 run  index\n");
    let k = s
        .outputs
        .iter()
        .position(|o| o.metric == RANKED_BY)
        .unwrap_or(0);
    let mut censored = false;
    for a in &s.assumptions {
        let Some(e) = a.effects.get(k) else { continue };
        let bound = e.at_low_censored_share > 0.0 || e.at_high_censored_share > 0.0;
        censored |= bound || out.censored_share > 0.0;
        let mark = |b: bool| if b { "^" } else { "" };
        let swing = match e.swing_mcse {
            Some(se) => format!("{:+.1} ± {:.1}{}", e.swing, 2.0 * se, mark(bound)),
            None => format!("{:+.1}{}", e.swing, mark(bound)),
        };
        let index = match (e.first_order, e.first_order_mcse) {
            (Some(x), Some(se)) => format!("{x:.2} ± {:.2}", 2.0 * se),
            (Some(x), None) => format!("{x:.2}"),
            _ => "-".into(),
        } + mark(out.censored_share > 0.0);
        let am = &a.assumption;
        let what = match &am.outcome {
            Some(o) => format!(" (share of {o})"),
            None => String::new(),
        };
        let (low, high) = range_of(a);
        t.push_str(&format!(
            "{:>2}  {:<22} {:<13} {}{what} ({low} to {high})\n",
            a.rank, swing, index, am.name
        ));
    }
    t.push_str(
        "Swings are in working days, indices fractions of the spread (± 2 standard errors).\n",
    );
    if too_few {
        t.push_str("- first-order indices need at least 8 replications.\n");
    }
    if censored {
        t.push_str("^ some runs do not close the last case by the horizon and count as the horizon:\n  a swing is then at most its true size when later is later in every run.\n");
    }
    t
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn values_keep_four_significant_digits() {
        assert_eq!(value(0.17534), "0.1753");
        assert_eq!(value(5.5), "5.5");
        assert_eq!(value(1234.56), "1235");
        assert_eq!(value(0.0038), "0.0038");
        assert_eq!(value(0.0), "0");
        assert_eq!(value(12.0), "12");
    }
}
