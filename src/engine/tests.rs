//! Verification of the engine against theory and against the semantics of DESIGN.md §4.
//! Stochastic checks use fixed seeds and tolerances of 4 Monte Carlo standard errors.

use super::*;
use crate::model::{NoProbe, Prepared, Probe, Workspace, run_replication};
use crate::report::{self, summarise};
use crate::scenario::Scenario;
use crate::stats::mmc;

const MMC: &str = include_str!("../../scenarios/verification/mmc.toml");
const MM1: &str = include_str!("../../scenarios/verification/mm1.toml");
const SCREEN_V1: &str = include_str!("../../scenarios/verification/screen-v1.toml");
const SCREEN_V1_STRESS: &str = include_str!("../../scenarios/verification/screen-v1-stress.toml");
const MET: &str = include_str!("../../scenarios/met-2023.toml");

fn load(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// A one-replication scenario over 2024 with no holidays, named `name`; `body` follows its
/// `[calendar]` table (so it may start with more calendar keys), then its other tables.
fn small(name: &str, body: &str) -> Scenario {
    load(&format!(
        "name = \"{name}\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nreplications = 1\n\
         [calendar]\nholidays = \"none\"\n{body}"
    ))
}

fn metric<'a>(s: &'a report::Summary, name: &str, ct: Option<&str>) -> &'a report::Metric {
    s.metrics
        .iter()
        .find(|m| m.metric == name && m.case_type.as_deref() == ct)
        .unwrap_or_else(|| panic!("no metric {name} {ct:?}"))
}

fn run_summary(s: &Scenario, reps: u64, seed: u64) -> (RunResult, report::Summary) {
    let r = run(s, reps, seed, &Silent).unwrap();
    let sum = summarise(s, &r);
    (r, sum)
}

/// |estimate − truth| ≤ 4 Monte Carlo standard errors (and the error is not degenerate).
fn within_4_mcse(name: &str, est: f64, mcse: f64, truth: f64) {
    assert!(mcse > 0.0 && mcse.is_finite(), "{name}: mcse {mcse}");
    assert!(
        (est - truth).abs() <= 4.0 * mcse,
        "{name}: estimate {est} vs theory {truth}: {:.2} standard errors (mcse {mcse})",
        (est - truth) / mcse
    );
}

#[test]
fn mmc_matches_erlang_c() {
    let s = load(MMC);
    let (_, sum) = run_summary(&s, s.replications, s.seed);
    let th = mmc(20.0, 10.0, 3).unwrap();
    assert!((th.p_wait - 4.0 / 9.0).abs() < 1e-12);
    let w = metric(&sum, "wait_days", Some("job"));
    within_4_mcse(
        "M/M/3 mean wait [h]",
        w.mean.unwrap(),
        w.mcse.unwrap(),
        th.mean_wait,
    );
    let p = metric(&sum, "waited_share", Some("job"));
    within_4_mcse("M/M/3 P(wait)", p.mean.unwrap(), p.mcse.unwrap(), th.p_wait);
    let t = metric(&sum, "time_in_system_days", Some("job"));
    within_4_mcse(
        "M/M/3 time in system [h]",
        t.mean.unwrap(),
        t.mcse.unwrap(),
        th.mean_time_in_system,
    );
    // The tolerance is meaningful: 4 standard errors are a small fraction of the quantity.
    assert!(4.0 * w.mcse.unwrap() < 0.05 * th.mean_wait);
}

#[test]
fn mm1_matches_theory() {
    let s = load(MM1);
    let (_, sum) = run_summary(&s, s.replications, s.seed);
    let th = mmc(8.0, 10.0, 1).unwrap();
    assert!((th.mean_wait - 0.4).abs() < 1e-12);
    let w = metric(&sum, "wait_days", Some("job"));
    within_4_mcse("M/M/1 mean wait [h]", w.mean.unwrap(), w.mcse.unwrap(), 0.4);
    let p = metric(&sum, "waited_share", Some("job"));
    within_4_mcse("M/M/1 P(wait)", p.mean.unwrap(), p.mcse.unwrap(), 0.8);
}

#[test]
fn littles_law_holds_on_every_sample_path() {
    // With every case closed inside the run, ∫ open cases dt = Σ time in system (Little's law on
    // a finite path that starts and ends empty).
    let s = load(SCREEN_V1_STRESS);
    let r = run(&s, 20, 3, &Silent).unwrap();
    for rec in &r.records {
        assert_eq!(rec.open_at_end, 0);
        let sum_tis = rec.all.sum_time_in_system;
        assert!(
            (rec.open_area - sum_tis).abs() <= 1e-9 * sum_tis,
            "rep {}: area {} vs Σ time in system {}",
            rec.replication,
            rec.open_area,
            sum_tis
        );
    }
}

#[test]
fn littles_law_in_steady_state() {
    // L = λ W on the M/M/3 output, as the sample-path identity behind it: the area under the
    // number in system equals the summed time in system of the cases that closed, plus the time so
    // far of those still open at the end (each between 0 and the run's length). No tolerance to
    // choose: only float rounding.
    // Every closed case counts here: without the warm-up.
    let s = load(&MMC.replace("warmup = ", "# warmup = "));
    assert_eq!(s.warmup, 0.0);
    let r = run(&s, 10, 5, &Silent).unwrap();
    for rec in &r.records {
        let closed = rec.all.sum_time_in_system;
        let eps = 1e-9 * rec.open_area.max(1.0);
        assert!(
            rec.open_area + eps >= closed,
            "area {} < closed {closed}",
            rec.open_area
        );
        assert!(
            rec.open_area <= closed + rec.open_at_end as f64 * rec.end_time + eps,
            "area {} exceeds closed {closed} + open {} x T",
            rec.open_area,
            rec.open_at_end
        );
        // And so L and λW, over the whole run, differ by at most (open at end) / (cases closed)
        // of L: here a handful of cases among tens of thousands.
        let l = rec.open_area / rec.end_time;
        let lambda_w = closed / rec.end_time;
        assert!(l >= lambda_w - eps);
    }
    // And the time-average number in system matches L = λ W from Erlang C, within 4 Monte Carlo
    // standard errors over replications (starting empty biases L down by a few cases over
    // tens of thousands of hours: far below the error).
    let th = mmc(20.0, 10.0, 3).unwrap();
    let ls: Vec<f64> = r.records.iter().map(|x| x.open_area / x.end_time).collect();
    let e = crate::stats::mean_and_mcse(&ls).unwrap();
    within_4_mcse(
        "M/M/3 mean number in system",
        e.mean,
        e.mcse,
        20.0 * th.mean_time_in_system,
    );
}

/// The warm-up leaves out of the waiting statistics exactly the cases opened before it: a
/// backlog of 6 opened at the start and 4 opened later, one person, fixed efforts of one day.
#[test]
fn a_warm_up_leaves_out_exactly_the_cases_opened_before_it() {
    let body = |warmup: &str| {
        format!(
            "{warmup}\n[[backlogs]]\ncase_type = \"job\"\ncount = 6\n\
             [[backlogs]]\ncase_type = \"job\"\ncount = 4\nat = 2024-03-01\n\
             [[case_types]]\nname = \"job\"\neffort = {{ dist = \"fixed\", value = 6 }}\nteams = [\"crew\"]\n\
             [[teams]]\nname = \"crew\"\nhours_per_day = 6\nheadcount = [{{ count = 1 }}]\n"
        )
    };
    let plain = small("w", &body(""));
    // The warm-up goes before the tables: `small` puts the body after `[calendar]`, so say it
    // there as a top-level key by closing nothing: use a scenario of our own.
    let warm = load(&format!(
        "name = \"w\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nreplications = 1\n\
         warmup = 2024-02-01\n[calendar]\nholidays = \"none\"\n{}",
        body("")
    ));
    assert!(warm.warmup > 0.0);
    let a = run(&plain, 1, 1, &Silent).unwrap();
    let b = run(&warm, 1, 1, &Silent).unwrap();
    let (a, b) = (&a.records[0].all, &b.records[0].all);
    // The same cases, worked the same way: only what is measured differs.
    assert_eq!((a.opened, a.closed, a.measured), (10, 10, 10));
    assert_eq!((b.opened, b.closed, b.measured), (10, 10, 4));
    // The backlog of 6 waited 0, 1, ..., 5 days; the 4 opened on 1 March (working day 43 of a
    // Monday-to-Friday year: the crew is idle again by then) waited 0, 1, 2, 3.
    assert_eq!(a.sum_wait, 15.0 + 6.0);
    assert_eq!(b.sum_wait, 6.0);
    assert_eq!(b.waited, 3);
    assert_eq!(b.sum_time_in_system, 6.0 + 4.0);
    // A warm-up outside start..horizon is refused, naming the field.
    for bad in ["2023-12-01", "2025-01-02"] {
        let e = Scenario::from_toml_str(
            &format!(
                "name = \"w\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nwarmup = {bad}\n{}",
                body("")
            ),
            "w.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("warmup"), "{e}");
    }
}

/// At high load (ρ = 0.9) the empty start biases waits down for a long while: with a warm-up the
/// measured mean wait and P(wait) match Erlang C within 4 Monte Carlo standard errors.
#[test]
fn mmc_at_high_load_matches_erlang_c_after_a_warm_up() {
    let text = MMC
        .replace("rate_per_day = 20 ", "rate_per_day = 27 ")
        .replace("horizon = 2029-06-22", "horizon = 2026-09-26") // 1,000 hours
        .replace("warmup = 2024-04-10", "warmup = 2024-02-20"); // 50 hours
    assert!(text.contains("rate_per_day = 27 ") && text.contains("warmup = 2024-02-20"));
    let s = load(&text);
    assert_eq!(s.warmup, 50.0);
    let (_, sum) = run_summary(&s, 40, 21);
    let th = mmc(27.0, 10.0, 3).unwrap();
    let w = metric(&sum, "wait_days", Some("job"));
    within_4_mcse(
        "M/M/3 ρ=0.9 mean wait [h]",
        w.mean.unwrap(),
        w.mcse.unwrap(),
        th.mean_wait,
    );
    let p = metric(&sum, "waited_share", Some("job"));
    within_4_mcse(
        "M/M/3 ρ=0.9 P(wait)",
        p.mean.unwrap(),
        p.mcse.unwrap(),
        th.p_wait,
    );
    assert!(4.0 * w.mcse.unwrap() < 0.1 * th.mean_wait);
}

/// Value stability of a whole short run: screen-v1-stress, seed 1, three replications; the key
/// figures of each replication pinned bit for bit (promised on x86-64 Linux, glibc). Any change
/// of the model, the streams or the samplers shows here.
#[test]
fn a_short_run_is_pinned() {
    let s = load(SCREEN_V1_STRESS);
    let r = run(&s, 3, 1, &Silent).unwrap();
    let got: Vec<String> = r
        .records
        .iter()
        .map(|x| {
            format!(
                "{} {:?} {:x} {} {:x} {} {:x} {:x}",
                x.replication,
                x.screening_last_day,
                x.all_closed.unwrap_or(f64::NAN).to_bits(),
                x.peak_open,
                x.peak_time.to_bits(),
                x.all.closed,
                x.all.sum_wait.to_bits(),
                x.open_area.to_bits()
            )
        })
        .collect();
    assert_eq!(got, PINNED_RUN, "\n{got:#?}");
}

/// Replication, last screening day, all cases closed, peak open, its time, cases closed, summed
/// waits and the area under open cases (floats as bits) of [`a_short_run_is_pinned`].
const PINNED_RUN: [&str; 3] = [
    "0 Some(227) 40721b862548f4b2 79 406c800000000000 475 40badc3c71cb34f6 40c3040d8e1fdef7",
    "1 Some(227) 407155fdd0664396 84 406ae00000000000 468 40bb1dea01df2d7a 40c2e7c4ba142021",
    "2 Some(227) 40723d9ddf29d4e3 98 406c600000000000 473 40c130d837e90e9a 40c6b0359a0fd3fb",
];

/// A headcount entry whose last day comes before the first working day (start on a Saturday,
/// `to` the Sunday) has no working day: it must not work. It used to keep its people for the
/// whole run, with no end event (found while writing docs/model.md).
#[test]
fn an_entry_ending_before_the_first_working_day_never_works() {
    let s = load(
        "name = \"weekend\"\nstart = 2024-01-06\nhorizon = 2024-12-31\nreplications = 1\n\
         [calendar]\nholidays = \"none\"\n\
         [[backlogs]]\ncase_type = \"job\"\ncount = 20\n\
         [[case_types]]\nname = \"job\"\neffort = { dist = \"fixed\", value = 6 }\nteams = [\"crew\"]\n\
         [[teams]]\nname = \"crew\"\nhours_per_day = 6\n\
         headcount = [{ count = 1 }, { count = 5, to = 2024-01-07 }]\n",
    );
    let r = run(&s, 1, 1, &Silent).unwrap();
    // One person, one day a case: the twentieth closes at the end of working day 19.
    assert_eq!(r.records[0].all_closed, Some(20.0));
}

/// Quantiles across replications carry 95 % order-statistic intervals that contain them;
/// pooled per-case metrics carry none; too few replications give `null`, not a made-up interval.
#[test]
fn across_replication_quantiles_have_intervals_and_pooled_ones_do_not() {
    let s = load(SCREEN_V1_STRESS);
    let (_, sum) = run_summary(&s, 200, 4);
    let m = metric(&sum, "all_cases_closed", None);
    let [lo, hi] = m.p90_ci.unwrap().unwrap();
    let (lo, hi, p90) = (lo.unwrap(), hi.unwrap(), m.p90.unwrap());
    assert!(lo <= p90 && p90 <= hi && lo < hi, "{lo} {p90} {hi}");
    let [dlo, dhi] = m.dates.as_ref().unwrap().p90_ci.clone().unwrap().unwrap();
    assert!(dlo.unwrap() <= dhi.unwrap());
    let [lo, hi] = m.p50_ci.unwrap().unwrap();
    assert!(lo.unwrap() <= m.p50.unwrap() && m.p50.unwrap() <= hi.unwrap());
    let w = metric(&sum, "wait_days", Some("misconduct"));
    assert!(w.p50_ci.is_none() && w.p90_ci.is_none());
    let json = String::from_utf8(report::summary_json(&sum)).unwrap();
    assert!(json.contains("\"p90_ci\": ["), "{}", &json[..2000]);
    // 20 replications: too few for a P90 interval at 95 % (it needs 36), written as null.
    let (_, small) = run_summary(&s, 20, 4);
    let m = metric(&small, "all_cases_closed", None);
    assert_eq!(m.p90_ci, Some(None));
    assert!(m.p50_ci.unwrap().is_some());
    let json = String::from_utf8(report::summary_json(&small)).unwrap();
    assert!(json.contains("\"p90_ci\": null"));
    // And they read back as written (present and null, or absent).
    let back: report::Summary = serde_json::from_str(&json).unwrap();
    assert_eq!(metric(&back, "all_cases_closed", None).p90_ci, Some(None));
    assert_eq!(metric(&back, "wait_days", Some("all")).p90_ci, None);
}

/// Consecutive ranges absorbed into one another are exactly one run over them all: records,
/// pooled histograms, and so every output.
#[test]
fn consecutive_ranges_absorb_into_exactly_one_run() {
    let s = load(SCREEN_V1_STRESS);
    let whole = run(&s, 70, 8, &Silent).unwrap();
    let mut parts = run_range(&s, 0..33, 8, &Silent).unwrap();
    parts.absorb(run_range(&s, 33..40, 8, &Silent).unwrap());
    parts.absorb(run_range(&s, 40..70, 8, &Silent).unwrap());
    assert_eq!(parts.replications, 70);
    assert_eq!(
        format!("{:?}", parts.records),
        format!("{:?}", whole.records)
    );
    assert_eq!(parts.pooled, whole.pooled);
    let bytes = |r: &RunResult| report::summary_json(&summarise(&s, r));
    assert_eq!(bytes(&parts), bytes(&whole));
}

/// Stopping on precision: blocks of 1,000 until the P90's interval is narrow enough; the run
/// is the fixed-n run of the count it stopped at, and it stops at the first block that meets the
/// target (the block before did not).
#[test]
fn a_run_to_precision_stops_at_the_first_block_that_meets_it() {
    let s = load(SCREEN_V1_STRESS);
    // Two thirds of the half-width one block gives: about (3/2)² as many replications needed.
    let one_block = Precision::of(&run(&s, PRECISION_BLOCK, 2, &Silent).unwrap());
    let target = one_block.half_width.unwrap() * 2.0 / 3.0;
    let (r, p, met) = run_to_precision(&s, target, 20_000, 2, &Silent).unwrap();
    assert!(met && p.half_width.unwrap() <= target, "{p:?}");
    let n = r.replications;
    assert_eq!(n % PRECISION_BLOCK, 0);
    assert!(
        n >= 2 * PRECISION_BLOCK,
        "a target this tight needs more than one block: {n}"
    );
    let fixed = run(&s, n, 2, &Silent).unwrap();
    assert_eq!(Precision::of(&fixed), p);
    let before = run(&s, n - PRECISION_BLOCK, 2, &Silent).unwrap();
    assert!(Precision::of(&before).half_width.unwrap() > target);
    // At the cap: stops there, not met.
    let (r, _, met) = run_to_precision(&s, 0.001, 1500, 2, &Silent).unwrap();
    assert!(!met && r.replications == 1500);
    // The P90 after the horizon: no number of replications helps, so it stops after one block
    // and says why.
    let short = load(&SCREEN_V1_STRESS.replace("horizon = 2026-12-31", "horizon = 2024-01-31"));
    let (r, p, met) = run_to_precision(&short, 5.0, 100_000, 2, &Silent).unwrap();
    assert!(!met && r.replications == PRECISION_BLOCK, "{p:?}");
    assert!(p.censored_share > 0.1);
    assert!(p.why_unknown().unwrap().contains("give a later horizon"));
}

/// The split, on constructed cases. Nothing uncertain: every share exactly 0 (no twins needed).
/// Only the screening pace uncertain and ample staff: the screening's end is all assumption
/// (share 1). Observed-count hit rates: twins share the drawn rates and pace, not the cases; the
/// shares lie in [0, 1] within their errors.
#[test]
fn the_split_is_0_with_nothing_uncertain_and_1_for_what_only_assumptions_move() {
    let s = load(SCREEN_V1);
    assert!(s.epistemic_inputs().is_empty());
    let r = run(&s, 100, 3, &Silent).unwrap();
    let sum = report::summarise_split(&s, &r, &[], &[]);
    let split = sum.meta.split.as_ref().unwrap();
    assert_eq!(split.twins, 0);
    for name in ["all_cases_closed", "peak_open_cases"] {
        let m = metric(&sum, name, None);
        assert_eq!(m.assumptions_share, Some(Some(0.0)), "{name}");
        assert_eq!(m.assumptions_share_mcse, Some(Some(0.0)), "{name}");
    }
    // (The screening's end is the same day in every run: nothing to split.)
    assert_eq!(
        metric(&sum, "screening_complete", None).assumptions_share,
        Some(None)
    );
    // The pace drawn per replication, everything else as before.
    let paced = load(&SCREEN_V1.replace(
        "throughput = { records_per_day = 220 }",
        "throughput = { records_per_day = { dist = \"uniform\", min = 180, max = 260 } }",
    ));
    assert_eq!(
        paced.epistemic_inputs(),
        ["screening.throughput.records_per_day"]
    );
    let r = run(&paced, 200, 3, &Silent).unwrap();
    let twins = run_twins(&paced, 200, 3, &Silent).unwrap();
    for (a, b) in r.records.iter().zip(&twins) {
        assert_eq!(a.screening_pace, b.screening_pace);
        assert_eq!(a.screening_last_day, b.screening_last_day);
    }
    let sum = report::summarise_split(&paced, &r, &twins, &[]);
    let m = metric(&sum, "screening_complete", None);
    assert_eq!(m.assumptions_share, Some(Some(1.0)));
    // Observed-count hit rates: the twins draw the same rates, other cases.
    let counted = load(
        &SCREEN_V1
            .replace("rate = 0.0038", "rate = { observed = 38, of = 10000 }")
            .replace("rate = 0.0055", "rate = { observed = 55, of = 10000 }"),
    );
    assert_eq!(counted.epistemic_inputs().len(), 2);
    let r = run(&counted, 400, 3, &Silent).unwrap();
    let twins = run_twins(&counted, 400, 3, &Silent).unwrap();
    assert!(
        r.records
            .iter()
            .zip(&twins)
            .all(|(a, b)| a.hit_rates == b.hit_rates)
    );
    assert!(
        r.records
            .iter()
            .zip(&twins)
            .any(|(a, b)| a.all.opened != b.all.opened)
    );
    let sum = report::summarise_split(&counted, &r, &twins, &[]);
    // The screening's end does not vary here (a fixed pace): no spread to split, whatever is
    // uncertain.
    assert_eq!(
        metric(&sum, "screening_complete", None).assumptions_share,
        Some(None)
    );
    for (name, group) in [
        ("cases_opened", Some("misconduct")),
        ("all_cases_closed", None),
    ] {
        let m = metric(&sum, name, group);
        let share = m.assumptions_share.unwrap().unwrap();
        let mcse = m.assumptions_share_mcse.unwrap().unwrap();
        assert!(
            mcse > 0.0 && (-4.0 * mcse..=1.0 + 4.0 * mcse).contains(&share),
            "{name}: {share} ± {mcse}"
        );
    }
    // Cases opened: the Beta(39, 9963) posterior's variance against the binomial's, about
    // 50,000² × Var(p) / (that + 50,000 p (1 − p)) = 0.83 for misconduct.
    let m = metric(&sum, "cases_opened", Some("misconduct"));
    let (a, b) = (39.0f64, 9963.0f64);
    let var_p = a * b / ((a + b).powi(2) * (a + b + 1.0));
    let p = a / (a + b);
    let theory = 50_000f64.powi(2) * var_p / (50_000f64.powi(2) * var_p + 50_000.0 * p * (1.0 - p));
    let (share, mcse) = (
        m.assumptions_share.unwrap().unwrap(),
        m.assumptions_share_mcse.unwrap().unwrap(),
    );
    assert!(
        (share - theory).abs() <= 4.0 * mcse,
        "{share} ± {mcse} against {theory}"
    );
}

#[test]
fn cases_are_conserved() {
    let s = load(MET);
    let r = run(&s, 16, 9, &Silent).unwrap();
    for rec in &r.records {
        let mut open = 0;
        for t in &rec.types {
            assert!(t.opened >= t.closed);
            open += t.opened - t.closed;
        }
        assert_eq!(open, rec.open_at_end, "rep {}", rec.replication);
        assert_eq!(rec.all.opened - rec.all.closed, rec.open_at_end);
    }
}

#[test]
fn screening_hits_open_exactly_one_case_each() {
    // screen-v1 has no routing and no other source: cases opened = hits. The expected count is
    // 50,000 × p; the sample mean over replications is within 4 standard errors of it.
    let s = load(SCREEN_V1);
    let (r, sum) = run_summary(&s, 200, 1);
    for (name, p) in [("misconduct", 0.0038), ("association", 0.0055)] {
        let m = metric(&sum, "cases_opened", Some(name));
        within_4_mcse(name, m.mean.unwrap(), m.mcse.unwrap(), 50_000.0 * p);
    }
    for rec in &r.records {
        assert_eq!(rec.screening_last_day, Some(227));
        assert_eq!(rec.all.opened, rec.all.closed);
    }
}

#[test]
fn arrivals_above_capacity_grow_the_queue() {
    // λ = 20/h against c μ = 10/h: the queue grows at about 10 an hour.
    let text = MMC
        .replace("headcount = [{ count = 3 }]", "headcount = [{ count = 1 }]")
        .replace("horizon = 2029-06-22", "horizon = 2024-04-09") // 100 hours
        .replace("warmup = ", "# warmup = ");
    let s = load(&text);
    let r = run(&s, 20, 1, &Silent).unwrap();
    let ends: Vec<f64> = r.records.iter().map(|x| x.open_at_end as f64).collect();
    // Expected growth (λ − μ) T = 1,000 cases, plus μ times the server's expected idle time at
    // the start (about 1/(λ − μ) = 0.1 h, so about 1 case). Within 4 Monte Carlo standard errors
    // of that (the spread per replication is about sqrt((λ + μ) T) = 55).
    let e = crate::stats::mean_and_mcse(&ends).unwrap();
    within_4_mcse("open cases at the end", e.mean, e.mcse, 1001.0);
    assert!(r.records.iter().all(|x| x.open_at_end > 500));
    // And it grows day by day: the P50 of open cases rises through the run.
    let rows = report::daily_rows(&s, &r);
    let p50 = |day: u64| {
        rows.iter()
            .find(|x| x.working_day == day && x.metric == "open_cases" && x.case_type == "all")
            .unwrap()
            .p50
    };
    assert!(p50(10) < p50(50) && p50(50) < p50(90));
}

#[test]
fn unlimited_staff_means_no_waiting() {
    let text = SCREEN_V1.replace("{ count = 40 },", "{ count = 100000 },");
    let s = load(&text);
    let (r, sum) = run_summary(&s, 20, 2);
    for rec in &r.records {
        assert_eq!(rec.all.waited, 0);
        assert_eq!(rec.all.sum_wait, 0.0);
    }
    assert_eq!(metric(&sum, "wait_days", Some("all")).p95, Some(0.0));
}

/// Records (id, type, effort) of every case opened.
#[derive(Default)]
struct Trace(Vec<(u64, usize, u64)>);
impl Probe for Trace {
    fn opened(&mut self, id: u64, case_type: usize, _t: f64, effort: f64) {
        self.0.push((id, case_type, effort.to_bits()));
    }
}

fn trace(s: &Scenario, rep: u64) -> (Vec<(u64, usize, u64)>, crate::model::RepRecord) {
    let prep = Prepared::new(s);
    let mut ws = Workspace::default();
    let mut t = Trace::default();
    let rec = run_replication(s, &prep, rep, &mut ws, &mut t).unwrap();
    t.0.sort();
    (t.0, rec)
}

#[test]
fn common_random_numbers_staffing_changes_nothing_but_timing() {
    // Only the number of diverted officers differs; hits, efforts and routings must not.
    let base = load(MET);
    let fewer = load(&MET.replace(
        "headcount = [{ count = 90, to = 2023-07-06, source = \"SOC/CT\" }]",
        "headcount = [{ count = 10, to = 2023-07-06, source = \"SOC/CT\" }]",
    ));
    assert_ne!(base.teams[2].staff[0].count, fewer.teams[2].staff[0].count);
    for rep in 0..4 {
        let (a, rec_a) = trace(&base, rep);
        let (b, rec_b) = trace(&fewer, rep);
        assert!(rec_a.all_closed.is_some() && rec_b.all_closed.is_some());
        assert_ne!(
            rec_a.all.sum_wait, rec_b.all.sum_wait,
            "staffing changes the waiting"
        );
        assert_eq!(a.len(), b.len(), "rep {rep}: same number of cases");
        assert_eq!(
            a, b,
            "rep {rep}: same cases, types and efforts (hence same routings)"
        );
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let s = load(MET);
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let r = pool.install(|| run(&s, 70, 4, &Silent).unwrap());
        let sum = summarise(&s, &r);
        (
            report::summary_json(&sum),
            report::daily_csv(&report::daily_rows(&s, &r)),
            {
                let mut csv = Vec::new();
                report::write_replications_csv(&s, &r, &mut csv).unwrap();
                csv
            },
        )
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(3));
}

#[test]
fn unfinished_replications_are_censored_not_dropped() {
    // screen-v1-stress needs well over a year; stop it after 200 working days.
    let text = SCREEN_V1_STRESS.replace("horizon = 2026-12-31", "horizon = 2023-10-06");
    let s = load(&text);
    let (r, sum) = run_summary(&s, 30, 1);
    assert_eq!(r.records.len(), 30);
    let m = metric(&sum, "all_cases_closed", None);
    assert_eq!(m.censored, 30);
    assert_eq!(m.censored_share, 1.0);
    assert_eq!(m.mean, None);
    assert_eq!(m.p50, None);
    let sc = metric(&sum, "screening_complete", None);
    assert_eq!(sc.censored, 30, "screening ends on day 227 > 199");
    assert!(r.records.iter().all(|x| x.open_at_end > 0));
}

fn two_case_scenario(policy: &str) -> Scenario {
    // Two cases of 12 h each at t = 0; two people, one of whom leaves at t = 1 (6 h a day).
    small(
        "policy",
        &format!(
            r#"
[[backlogs]]
case_type = "c"
count = 2
[[case_types]]
name = "c"
effort = 12
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
on_reduction = "{policy}"
headcount = [{{ count = 1 }}, {{ count = 1, to = 2024-01-01, source = "x" }}]
"#
        ),
    )
}

#[test]
fn finish_policy_lets_leavers_complete() {
    let s = two_case_scenario("finish");
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    assert_eq!(rec.all_closed, Some(2.0));
    assert_eq!(rec.all.waited, 0);
    // The leaver stays one extra day to finish: 1 planned + 1 overrun officer-day.
    assert_eq!(rec.source_days, vec![2.0]);
}

#[test]
fn handover_policy_returns_the_case_with_its_remaining_hours() {
    let s = two_case_scenario("handover");
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    // Case 2 is handed back at t = 1 with 6 h left, waits for the other person (free at t = 2)
    // and closes at t = 3.
    assert_eq!(rec.all_closed, Some(3.0));
    assert_eq!(rec.all.waited, 1);
    assert_eq!(rec.all.sum_wait, 1.0);
    assert_eq!(rec.source_days, vec![1.0]);
}

#[test]
fn handed_back_cases_resume_in_the_order_they_first_joined_the_queue() {
    // One permanent person and two diverted ones who leave (handing back) at t = 2. Cases of
    // 18 h (3 days at 6 h a day): A and B open at t = 0 (A with the permanent person, B with a
    // diverted one), C at t = 1 with the other diverted person. At t = 2, B (6 h left) and C (12
    // h left) are handed back together; B joined the queue first, so B resumes first (when A
    // closes at t = 3, closing at 4) and C next (4 to 6). The other order would close C at 5 and
    // B at 6.
    let s = small(
        "handback-order",
        r#"
working_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
[[backlogs]]
case_type = "c"
count = 2
[[backlogs]]
case_type = "c"
count = 1
at = 2024-01-02
[[case_types]]
name = "c"
effort = 18
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
on_reduction = "handover"
headcount = [{ count = 1 }, { count = 2, to = 2024-01-02, source = "x" }]
"#,
    );
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    assert_eq!(rec.all_closed, Some(6.0));
    // Waits: A 0, B 1 (2 to 3), C 2 (2 to 4); times in system: A 3, B 4, C 5.
    assert_eq!(rec.all.sum_wait, 3.0);
    assert_eq!(rec.all.sum_time_in_system, 12.0);
    assert_eq!(rec.all.waited, 2);
}

/// A routing drawn so that a stage keeps sending its cases back to itself (a near-zero Dirichlet
/// prior on two outcomes observed 0 times puts almost all the share on one of them) stops the run
/// with an error naming the replication and the case type, instead of growing without end.
#[test]
fn a_routing_that_keeps_creating_cases_stops_with_the_case_type_named() {
    let s = small(
        "loop",
        r#"
[[backlogs]]
case_type = "start"
count = 1
[[case_types]]
name = "start"
routing = [{ to = ["review"], share = 1.0 }]
[[case_types]]
name = "review"
routing = [{ count = 0, to = ["review"] }, { count = 0 }]
routing_prior = 0.001
"#,
    );
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    // Some replication draws a share of almost 1 for the loop; find the first (it is early).
    let err = (0..50)
        .find_map(|rep| run_replication(&s, &prep, rep, &mut ws, &mut NoProbe).err())
        .expect("some replication loops");
    match &err {
        SimError::TooManyCases { case_type, .. } => assert_eq!(case_type, "review"),
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("\"review\"") && msg.contains("multiplies cases"),
        "{msg}"
    );
}

/// An arrival rate drawn far above its central value (an empirical law: 1 a day, or a million in
/// one replication in ten) stops the run with an error naming the stream and the drawn value's
/// setting, not the routing, and before the million arrivals a day are drawn.
#[test]
fn too_many_arrivals_name_their_stream_and_fail_before_they_are_drawn() {
    let s = small(
        "flood",
        r#"
[[arrivals]]
name = "hotline"
case_type = "report"
rate_per_day = { dist = "empirical", values = [1, 1000000], weights = [9, 1] }
[[case_types]]
name = "report"
effort = 1
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{ count = 1 }]
"#,
    );
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    let err = (0..100)
        .find_map(|rep| run_replication(&s, &prep, rep, &mut ws, &mut NoProbe).err())
        .expect("some replication draws a million a day");
    match &err {
        SimError::TooManyCases {
            case_type, from, ..
        } => {
            assert_eq!(case_type, "report");
            assert_eq!(from.as_deref(), Some("arrival stream \"hotline\""));
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("from arrival stream \"hotline\"") && !msg.contains("routing"),
        "{msg}"
    );
    // The limit with its thousands separated, as every count vetsim prints.
    let SimError::TooManyCases { limit, .. } = err else {
        unreachable!()
    };
    assert!(limit >= 1000, "{limit}");
    let shown = crate::report::text::thousands(limit as f64);
    assert!(
        shown.contains(',') && msg.contains(&format!("more than {shown} cases")),
        "{msg}"
    );
    // Failed before drawing: what the workspace holds is no more than a day-a-rate year's worth.
    assert!(ws.arrivals_drawn() < 1000, "{} drawn", ws.arrivals_drawn());
}

#[test]
fn priority_then_fifo() {
    // One person; at t = 0 a low-priority backlog (listed first) and a high-priority one.
    let s = load(
        r#"
name = "prio"
start = 2024-01-01
horizon = 2024-12-31
[calendar]
holidays = "none"
[[backlogs]]
case_type = "low"
count = 2
[[backlogs]]
case_type = "high"
count = 2
[[case_types]]
name = "low"
effort = 6
priority = 2
teams = ["t"]
[[case_types]]
name = "high"
effort = 6
priority = 1
teams = ["t"]
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{ count = 1 }]
"#,
    );
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    // high cases start at 0 and 1, low ones at 2 and 3.
    assert_eq!(rec.types[1].sum_wait, 1.0);
    assert_eq!(rec.types[0].sum_wait, 5.0);
    assert_eq!(rec.all_closed, Some(4.0));
}

#[test]
fn every_shipped_scenario_loads_and_runs() {
    // Every .toml under scenarios/, found on disk so that a new file is covered without asking:
    // it must load, run, open cases, and (with an [experiment]) build its variants.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("verification")] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for must in [
        "met-2023",
        "met-2023-diversion",
        "screen-v1",
        "screen-v1-stress",
        "mmc",
        "mm1",
    ] {
        assert!(
            names.iter().any(|n| n == must),
            "{must} is shipped: {names:?}"
        );
    }
    for (path, name) in files.iter().zip(&names) {
        let text = std::fs::read_to_string(path).unwrap();
        let s = Scenario::from_toml_str(&text, &path.display().to_string())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&s.name, name, "a scenario's name is its file's");
        let r = run(&s, 4, 1, &Silent).unwrap();
        assert_eq!(r.records.len(), 4);
        assert!(
            r.records.iter().all(|x| x.all.opened > 0),
            "{name} opens cases"
        );
        if !s.experiment.is_empty() {
            let varies: Vec<crate::compare::Vary> = s
                .experiment
                .iter()
                .map(|(p, vs, label)| crate::compare::Vary {
                    path: p.clone(),
                    label: label.clone(),
                    values: vs
                        .iter()
                        .map(|v| crate::compare::variant::parse_value(v).unwrap())
                        .collect(),
                })
                .collect();
            let v = crate::compare::build_variants(&text, name, &varies).unwrap();
            assert!(v.len() > 1, "{name}: its experiment makes variants");
        }
    }
}

#[test]
fn screening_pace_is_closed_form_and_consistent() {
    use crate::model::Pace;
    let s = load(SCREEN_V1);
    let sc = s.screening.as_ref().unwrap();
    let p = Pace::new(sc, 220.0, 1.0);
    assert_eq!(p.checked_by_end_of(0), 220);
    assert_eq!(p.day_of(219, 1e9), Some(0));
    assert_eq!(p.day_of(220, 1e9), Some(1));
    assert_eq!(p.day_of(49_999, 1e9), Some(227));
    assert_eq!(p.checked_by_end_of(226), 49_940);
    assert_eq!(p.checked_by_end_of(227), 50_000);
    assert_eq!(p.day_of(49_999, 227.0), None, "not before the horizon");
    // Every record's day agrees with the running count.
    let p = Pace::new(sc, 185.37, 1.3);
    for i in (0..50_000).step_by(97) {
        let d = p.day_of(i, 1e9).unwrap();
        assert!(p.checked_by_end_of(d) > i);
        assert!(d == 0 || p.checked_by_end_of(d - 1) <= i);
    }
}

/// A case goes to the first team in its type's order of preference that has room, whatever the
/// teams' order in the file (dispatch reads that order from bit masks when every type lists its
/// teams in file order, and from the list otherwise).
#[test]
fn the_first_team_in_the_order_of_preference_takes_the_case() {
    for (prefs, expected) in [(r#"["fast", "slow"]"#, 1.0), (r#"["slow", "fast"]"#, 2.0)] {
        let s = small(
            "preference",
            &format!(
                r#"
[[backlogs]]
case_type = "c"
count = 1
[[case_types]]
name = "c"
effort = 12
teams = {prefs}
[[teams]]
name = "fast"
hours_per_day = 12
headcount = [{{ count = 1 }}]
[[teams]]
name = "slow"
hours_per_day = 6
headcount = [{{ count = 1 }}]
"#
            ),
        );
        for prep in [
            Prepared::new(&s),
            Prepared::new(&s).with_scanning_dispatch(),
        ] {
            let rec =
                run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
            assert_eq!(rec.all_closed, Some(expected), "teams {prefs}");
        }
    }
}

#[test]
fn bit_mask_dispatch_chooses_as_the_full_scan_does() {
    // Dispatch uses bit masks up to 64 case types and teams and scans otherwise: both must pick
    // the same case every time. Met 2023 has many types, priorities and shared teams.
    // Met 2023 again with one type preferring its teams in another order than the file's.
    let reordered = MET.replacen(
        r#"teams = ["dps_investigators", "dps_new_staff", "diverted_soc_ct"]"#,
        r#"teams = ["diverted_soc_ct", "dps_investigators", "dps_new_staff"]"#,
        1,
    );
    assert_ne!(reordered, MET);
    // And with the diverted officers handing their cases back when they leave.
    let handover = MET.replace(r#"on_reduction = "finish""#, r#"on_reduction = "handover""#);
    assert_ne!(handover, MET);
    for text in [MET, SCREEN_V1_STRESS, &reordered, &handover] {
        let s = load(text);
        let fast = Prepared::new(&s);
        let slow = Prepared::new(&s).with_scanning_dispatch();
        let mut ws = Workspace::default();
        for rep in 0..6 {
            let a = run_replication(&s, &fast, rep, &mut ws, &mut NoProbe).unwrap();
            let b = run_replication(&s, &slow, rep, &mut ws, &mut NoProbe).unwrap();
            assert_eq!(a, b, "replication {rep} of {}", s.name);
        }
    }
}

/// The per-case `closed` hook and the per-type `closed_cases` hand-over carry the same values
/// (the pooled histograms use the second), and match the replication's record.
#[test]
fn closed_and_closed_cases_report_the_same_cases() {
    #[derive(Default)]
    struct Both {
        each: Vec<Vec<(u64, u64)>>,
        batch: Vec<Vec<(u64, u64)>>,
    }
    impl Probe for Both {
        fn closed(&mut self, case_type: usize, wait: f64, time_in_system: f64) {
            if self.each.len() <= case_type {
                self.each.resize(case_type + 1, Vec::new());
            }
            // The bits of non-negative values, -0.0 counted as +0.0 as the engine does.
            let b = |x: f64| (x + 0.0).to_bits();
            self.each[case_type].push((b(wait), b(time_in_system)));
        }
        fn closed_cases(&mut self, case_type: usize, zeros: u64, waits: &[u64], tis: &[u64]) {
            if self.batch.len() <= case_type {
                self.batch.resize(case_type + 1, Vec::new());
            }
            // No order is promised, not even between the two lists: they are compared as sets.
            // Waits of zero come as a count, the others as values.
            assert!(waits.iter().all(|&w| f64::from_bits(w) > 0.0));
            let all_waits = waits.iter().copied().chain((0..zeros).map(|_| 0u64));
            assert_eq!(waits.len() as u64 + zeros, tis.len() as u64);
            self.batch[case_type].extend(all_waits.zip(tis.iter().copied()));
        }
    }
    let s = load(MET);
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    for rep in 0..3 {
        let mut p = Both::default();
        let rec = run_replication(&s, &prep, rep, &mut ws, &mut p).unwrap();
        assert_eq!(p.batch.len(), s.case_types.len());
        p.each.resize(s.case_types.len(), Vec::new());
        for (ti, (each, batch)) in p.each.into_iter().zip(p.batch).enumerate() {
            assert_eq!(each.len(), rec.types[ti].closed as usize, "type {ti}");
            for part in [0, 1] {
                let pick = |v: &[(u64, u64)]| {
                    let mut x: Vec<u64> = v
                        .iter()
                        .map(|p| if part == 0 { p.0 } else { p.1 })
                        .collect();
                    x.sort_unstable();
                    x
                };
                assert_eq!(pick(&each), pick(&batch), "type {ti}, part {part}");
            }
        }
    }
}

/// Fixed efforts scaled by one uncertain factor, every other input certain and staff that never
/// runs short: the finish is a function of the factor alone, so its whole spread is assumption
/// (share exactly 1), and with the factor at its median every replication finishes on the same
/// day (the fixed-assumption band is a point, at the finish of the median factor).
#[test]
fn a_scale_on_fixed_efforts_is_all_assumption() {
    let s = small(
        "scaled",
        "[[case_types]]\nname = \"job\"\neffort = 6\n\
         effort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\nteams = [\"t\"]\n\
         [[teams]]\nname = \"t\"\nhours_per_day = 6\nheadcount = [{ count = 1 }]\n\
         [[backlogs]]\ncase_type = \"job\"\ncount = 40\n",
    );
    assert_eq!(s.epistemic_inputs(), ["case_types.job.effort_scale"]);
    let r = run(&s, 200, 7, &Silent).unwrap();
    let twins = run_twins(&s, 200, 7, &Silent).unwrap();
    let central = run_central(&s, 200, 7, &Silent).unwrap();
    let sum = report::summarise_split(&s, &r, &twins, &central);
    let m = metric(&sum, "all_cases_closed", None);
    assert_eq!(m.assumptions_share, Some(Some(1.0)));
    // 40 jobs of 6 h × scale, one person doing 6 h a day: 40 × scale working days.
    for x in &r.records {
        let scale = x.assumptions[0];
        assert!((0.5..=1.5).contains(&scale));
        assert!((x.all_closed.unwrap() - 40.0 * scale).abs() < 1e-9);
    }
    let band = m.fixed_assumptions.as_ref().unwrap();
    assert_eq!((band.p10, band.p50), (Some(40.0), Some(40.0)));
    assert_eq!(band.p90, Some(40.0));
    assert!(m.p10.unwrap() < 35.0 && m.p90.unwrap() > 45.0, "{m:?}");
}

/// With nothing uncertain the fixed-assumption band is the run's own band, exactly.
#[test]
fn with_nothing_uncertain_the_fixed_band_is_the_run() {
    let s = load(SCREEN_V1);
    let r = run(&s, 100, 3, &Silent).unwrap();
    let sum = report::summarise_split(&s, &r, &[], &[]);
    for name in ["all_cases_closed", "peak_open_cases", "screening_complete"] {
        let m = metric(&sum, name, None);
        let band = m.fixed_assumptions.as_ref().unwrap();
        assert_eq!(
            (band.p10, band.p50, band.p90),
            (m.p10, m.p50, m.p90),
            "{name}"
        );
    }
    // And a central run of a scenario without assumptions is the run itself.
    let central = run_central(&s, 100, 3, &Silent).unwrap();
    assert_eq!(
        central.iter().map(|x| x.all_closed).collect::<Vec<_>>(),
        r.records.iter().map(|x| x.all_closed).collect::<Vec<_>>()
    );
}

/// An assumption's draws depend on its name, the seed and the replication only: renaming and
/// reordering other entries (teams, case types, outcomes) leaves them as they were; one
/// declared assumption used by two teams is one value (one column) in both.
#[test]
fn assumptions_are_keyed_by_name_not_by_position() {
    let base = "[assumptions]\nhours = { dist = \"triangular\", min = 4.5, mode = 5.5, max = 6.5, source = \"judgment\" }\n\
         [[case_types]]\nname = \"job\"\neffort = { dist = \"exponential\", mean = 6 }\n\
         effort_scale = { dist = \"uniform\", min = 0.8, max = 1.2 }\nteams = [\"a\", \"b\"]\n\
         routing = [{ name = \"done\", count = 5 }, { name = \"again\", count = 2, to = [\"other\"] }]\n\
         [[case_types]]\nname = \"other\"\neffort = 2\nteams = [\"a\"]\n\
         [[teams]]\nname = \"a\"\nhours_per_day = { assumption = \"hours\" }\nheadcount = [{ count = 2 }]\n\
         [[teams]]\nname = \"b\"\nhours_per_day = { assumption = \"hours\" }\nheadcount = [{ count = 1 }]\n\
         [[backlogs]]\ncase_type = \"job\"\ncount = 30\n";
    let s = small("keyed", base);
    let names = s.epistemic_inputs();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(
        s.assumptions.list[0].uses.len(),
        2,
        "one belief, two settings"
    );
    // The other case type renamed, a team added before the others.
    let moved = base
        .replace("name = \"other\"", "name = \"second\"")
        .replace("to = [\"other\"]", "to = [\"second\"]")
        .replace("teams = [\"a\"]", "teams = [\"z\", \"a\"]")
        .replace("[[teams]]\nname = \"a\"", "[[teams]]\nname = \"z\"\nhours_per_day = 7\nheadcount = [{ count = 1 }]\n[[teams]]\nname = \"a\"");
    let t = small("keyed", &moved);
    let col = |s: &Scenario, name: &str| {
        s.assumption_columns()
            .iter()
            .position(|c| c == name)
            .unwrap()
    };
    let r1 = run(&s, 50, 11, &Silent).unwrap();
    let r2 = run(&t, 50, 11, &Silent).unwrap();
    for name in [
        "hours",
        "case_types.job.effort_scale",
        "case_types.job.routing.done",
        "case_types.job.routing.again",
    ] {
        let (i, j) = (col(&s, name), col(&t, name));
        for (a, b) in r1.records.iter().zip(&r2.records) {
            assert_eq!(a.assumptions[i], b.assumptions[j], "{name}");
        }
    }
    // The values differ between replications and stay in their ranges.
    let h = col(&s, "hours");
    let hs: Vec<f64> = r1.records.iter().map(|x| x.assumptions[h]).collect();
    assert!(hs.iter().all(|x| (4.5..=6.5).contains(x)));
    assert!(hs.windows(2).any(|w| w[0] != w[1]));
    // The central run puts every scalar at its median: the triangular's is 5.5 here.
    let c = run_central(&s, 3, 11, &Silent).unwrap();
    assert!(c.iter().all(|x| (x.assumptions[h] - 5.5).abs() < 1e-12));
}

/// Pinning one assumption at u moves it alone: the tornado's paired swing. A counted routing
/// pinned at its low moves its largest outcome to its marginal's P10, the others rescaled.
#[test]
fn one_assumption_pinned_moves_alone() {
    use crate::model::sim::{RepKeys, run_replication_keyed};
    use crate::scenario::Pin;
    let s = load(MET);
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    let cols = s.assumption_columns();
    let routing = s
        .assumptions
        .list
        .iter()
        .position(|a| a.name == "case_types.external_panel.routing")
        .unwrap();
    let factor = s
        .assumptions
        .list
        .iter()
        .position(|a| a.name == "screening.throughput.factor")
        .unwrap();
    let keys = RepKeys::of(s.seed, 4);
    let mut at = |pin| {
        run_replication_keyed(&s, &prep, 4, keys.pinned(pin), &mut ws, &mut NoProbe)
            .unwrap()
            .assumptions
    };
    let centre = at(Pin::Central);
    let low = at(Pin::One {
        assumption: factor,
        u: 0.1,
    });
    let fcol = cols
        .iter()
        .position(|c| c == "screening.throughput.factor")
        .unwrap();
    for (i, (a, b)) in centre.iter().zip(&low).enumerate() {
        if i == fcol {
            assert!((b - s.assumptions.list[factor].low).abs() < 1e-12);
        } else {
            assert_eq!(a, b, "{}", cols[i]);
        }
    }
    let low = at(Pin::One {
        assumption: routing,
        u: 0.1,
    });
    let x = &s.assumptions.list[routing];
    let inv = cols
        .iter()
        .position(|c| c == "case_types.external_panel.routing.misconduct investigation")
        .unwrap();
    assert!(
        (low[inv] - x.low).abs() < 1e-12,
        "{} vs {}",
        low[inv],
        x.low
    );
    let (nfa, frm) = (inv - 1, inv + 1);
    let ratio = |v: &[f64]| v[nfa] / v[frm];
    assert!(
        (ratio(&low) - ratio(&centre)).abs() < 1e-12,
        "the others keep their ratio"
    );
    assert!((low[nfa] + low[inv] + low[frm] - 1.0).abs() < 1e-12);
}

/// The latest time a case was opened.
#[derive(Default)]
struct Latest(f64);
impl Probe for Latest {
    fn opened(&mut self, _id: u64, _case_type: usize, t: f64, _effort: f64) {
        self.0 = self.0.max(t);
    }
}

/// A stream of 4 calls a working day from the start whose end is `to` (TOML), 5 people
/// clearing each in half an hour; `before` goes before the stream.
fn calls_until(process: &str, to: &str, before: &str) -> Scenario {
    small(
        "ends",
        &format!(
            "[[case_types]]\nname = \"call\"\neffort = 0.5\nteams = [\"t\"]\n\
             [[teams]]\nname = \"t\"\nhours_per_day = 6\nheadcount = [{{ count = 5 }}]\n{before}\
             [[arrivals]]\nname = \"calls\"\ncase_type = \"call\"\nprocess = \"{process}\"\n\
             rate_per_day = 4\nto = {to}\n"
        ),
    )
}

/// An arrival stream whose end is uncertain draws it once per replication (its `assumption__`
/// column) and brings arrivals only before it: evenly spaced, exactly those at k/4 < end;
/// Poisson, rate × end of them within Monte Carlo error. The replication cannot finish before
/// its drawn end (the stream is tracked). The central run ends at the median date, a pinned one
/// at the pinned quantile, and an end drawn past the horizon stops at the horizon.
#[test]
fn an_uncertain_stream_end_is_drawn_once_per_replication() {
    use crate::model::sim::{RepKeys, run_replication_keyed};
    use crate::scenario::Pin;
    // Working days 45, 77 and 109 of 2024 (no holidays): symmetric, so the median is the mode.
    let triangle = "{ dist = \"triangular\", min = 2024-03-01, mode = 2024-04-16, max = 2024-05-30, source = \"judgment\" }";
    let s = calls_until("fixed", triangle, "");
    assert_eq!(s.epistemic_inputs(), ["arrivals.calls.to"]);
    let a = &s.assumptions.list[0];
    assert_eq!(a.central, 77.0);
    assert_eq!(
        s.calendar.date_at_time(a.central).to_string(),
        "2024-04-16",
        "the median date is the mode"
    );
    let evenly = |end: f64| (4.0 * end.min(s.horizon_time())).ceil() as u32 - 1;
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    let n = 200;
    let mut below = 0;
    for rep in 0..n {
        let mut latest = Latest::default();
        let x = run_replication(&s, &prep, rep, &mut ws, &mut latest).unwrap();
        let end = x.assumptions[0];
        assert!(45.0 < end && end < 109.0, "{end}");
        assert!(
            latest.0 < end,
            "rep {rep}: a call at {} after {end}",
            latest.0
        );
        assert_eq!(x.types[0].opened, evenly(end), "rep {rep}");
        assert!(x.all_closed.unwrap() >= end);
        below += usize::from(end < a.central);
    }
    // Half the draws below the median, within 4 standard errors.
    let share = below as f64 / n as f64;
    assert!(
        (share - 0.5).abs() <= 4.0 * (0.25 / n as f64).sqrt(),
        "{share}"
    );
    // And the run's records are these replications.
    let r = run(&s, 20, s.seed, &Silent).unwrap();
    assert!(
        r.records
            .iter()
            .all(|x| x.types[0].opened == evenly(x.assumptions[0]))
    );
    assert!(
        r.records
            .windows(2)
            .any(|w| w[0].assumptions != w[1].assumptions)
    );
    // The central run: every replication ends at the median, and finishes then.
    for x in run_central(&s, 5, 3, &Silent).unwrap() {
        assert_eq!(x.assumptions[0], 77.0);
        assert_eq!(x.types[0].opened, 307);
        assert_eq!(x.all_closed, Some(77.0));
    }
    // Pinned at its P90, as the tornado pins it.
    let keys = RepKeys::of(s.seed, 4).pinned(Pin::One {
        assumption: 0,
        u: 0.9,
    });
    let x = run_replication_keyed(&s, &prep, 4, keys, &mut ws, &mut NoProbe).unwrap();
    assert_eq!(x.assumptions[0], a.high);
    assert_eq!(x.types[0].opened, evenly(a.high));
    // Poisson arrivals: given its end, a replication has Poisson(4 × end) of them.
    let s = calls_until("poisson", triangle, "");
    let r = run(&s, 400, 9, &Silent).unwrap();
    let d: Vec<f64> = (r.records.iter())
        .map(|x| f64::from(x.types[0].opened) - 4.0 * x.assumptions[0])
        .collect();
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    let var_mean = r
        .records
        .iter()
        .map(|x| 4.0 * x.assumptions[0])
        .sum::<f64>()
        / (d.len() as f64).powi(2);
    within_4_mcse(
        "Poisson calls before the drawn end",
        mean,
        var_mean.sqrt(),
        0.0,
    );
    // An end that can fall after the horizon (262 working days in 2024): the stream stops
    // there, and those replications finish on the horizon.
    let s = calls_until(
        "fixed",
        "{ dist = \"uniform\", min = 2024-10-01, max = 2025-06-30 }",
        "",
    );
    let h = s.horizon_time();
    assert_eq!(h, 262.0);
    let r = run(&s, 100, 2, &Silent).unwrap();
    let mut past = 0;
    for x in &r.records {
        let end = x.assumptions[0];
        assert_eq!(x.types[0].opened, evenly(end));
        if end > h {
            past += 1;
            assert_eq!(x.all_closed, Some(h));
        } else {
            assert!(x.all_closed.unwrap() >= end);
        }
    }
    // From the end of working day 197 (1 October) to 391 (262 + the 129 weekdays of 2025 to
    // the end of June): 129 of its 194 working days lie after the horizon.
    let a = &s.assumptions.list[0];
    assert!((a.low - (197.0 + 0.1 * 194.0)).abs() < 1e-9, "{}", a.low);
    assert!((a.high - (197.0 + 0.9 * 194.0)).abs() < 1e-9, "{}", a.high);
    let p = 129.0 / 194.0;
    let share = past as f64 / 100.0;
    assert!(
        (share - p).abs() <= 4.0 * (p * (1.0 - p) / 100.0).sqrt(),
        "{share}"
    );
}

/// A stream's uncertain end is keyed by the stream's name: other streams, case types and teams
/// added, renamed or reordered leave its draws as they were.
#[test]
fn an_uncertain_stream_end_is_keyed_by_its_stream() {
    let to = "{ dist = \"uniform\", min = 2024-03-01, max = 2024-05-30 }";
    let s = calls_until("poisson", to, "");
    let t = calls_until(
        "poisson",
        to,
        "[[arrivals]]\nname = \"letters\"\ncase_type = \"call\"\nrate_per_day = 1\n\
         to = { dist = \"uniform\", min = 2024-02-01, max = 2024-04-30 }\n",
    );
    assert_eq!(
        t.epistemic_inputs(),
        ["arrivals.letters.to", "arrivals.calls.to"]
    );
    // meta.assumptions says what their values are; other assumptions have no unit there.
    let metas = report::summary::AssumptionMeta::of(&t);
    assert!((metas.iter()).all(|m| m.unit.as_deref() == Some("working days since the start")));
    // In the built-in scenario, only the hotline's end is a date.
    let met = report::summary::AssumptionMeta::of(&load(MET));
    for m in &met {
        let date = m.name == "arrivals.public hotline calls.to";
        assert_eq!(m.unit.is_some(), date, "{}", m.name);
    }
    let numbers: Vec<_> = met.iter().filter(|m| m.unit.is_none()).collect();
    assert!(
        !serde_json::to_string(&numbers)
            .unwrap()
            .contains("\"unit\"")
    );
    let r1 = run(&s, 50, 11, &Silent).unwrap();
    let r2 = run(&t, 50, 11, &Silent).unwrap();
    for (a, b) in r1.records.iter().zip(&r2.records) {
        assert_eq!(a.assumptions[0], b.assumptions[1]);
        assert_ne!(b.assumptions[0], b.assumptions[1]);
    }
    // The central run of an end whose median is 16 April is the run with that end written:
    // the same calls, the same finish.
    let triangle =
        "{ dist = \"triangular\", min = 2024-03-01, mode = 2024-04-16, max = 2024-05-30 }";
    let central = run_central(&calls_until("poisson", triangle, ""), 30, 4, &Silent).unwrap();
    let fixed = calls_until("poisson", "2024-04-16", "");
    assert!(fixed.assumptions.is_empty());
    assert_eq!(fixed.arrivals[0].to.central, 77.0);
    let written = run(&fixed, 30, 4, &Silent).unwrap();
    for (c, w) in central.iter().zip(&written.records) {
        assert_eq!(c.types[0].opened, w.types[0].opened);
        assert_eq!(c.all_closed, w.all_closed);
        assert!(c.all_closed.unwrap() >= 77.0);
    }
}

/// Issue 18: a pure backlog with no arrivals and target 0 is back to target exactly when its
/// last case closes, which `all_cases_closed` already reports (the backlog at the start is the
/// only tracked work, so no screening or stream end comes later); a target at or above the
/// backlog is never exceeded (back at time 0); and a backlog too big to finish is never back.
#[test]
fn back_to_target_of_a_pure_backlog_at_0_is_its_last_closing() {
    let scenario = |old: u32, people: u32| {
        small(
            "backlog-target",
            &format!(
                r#"
[[backlogs]]
case_type = "old"
count = {old}
[[backlogs]]
case_type = "small"
count = 5
track = false
[[case_types]]
name = "old"
effort = {{ dist = "lognormal", mean = 10, sd = 6 }}
teams = ["t"]
backlog_target = 0
[[case_types]]
name = "small"
effort = {{ dist = "exponential", mean = 4 }}
teams = ["t"]
backlog_target = 5
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{{ count = {people} }}]
"#
            ),
        )
    };
    let s = scenario(60, 3);
    assert_eq!(s.backlog_targets(), vec![(0, 0), (1, 5)]);
    let (r, sum) = run_summary(&s, 40, 3);
    for rec in &r.records {
        assert!(
            rec.all_closed.is_some(),
            "60 cases of 10 h for 3 people finish"
        );
        assert_eq!(
            rec.back_to_target[0], rec.all_closed,
            "rep {}",
            rec.replication
        );
        assert_eq!(rec.back_to_target[1], Some(0.0), "5 never exceeds 5");
    }
    // The summary of the first is all_cases_closed's, number for number.
    let (a, b) = (
        metric(&sum, "back_to_target", Some("old")),
        metric(&sum, "all_cases_closed", None),
    );
    assert_eq!(a.target, Some(0));
    assert_eq!(
        (a.quantiles(), a.mean, a.mcse, &a.dates, &a.distribution),
        (b.quantiles(), b.mean, b.mcse, &b.dates, &b.distribution)
    );
    let c = metric(&sum, "back_to_target", Some("small"));
    assert_eq!((c.target, c.p95, c.censored), (Some(5), Some(0.0), 0));
    // No metric for a type without a target, none for `all`.
    assert!(
        sum.metrics
            .iter()
            .filter(|m| m.metric == "back_to_target")
            .count()
            == 2
    );

    // 600 cases of 10 h for 1 person (6 h a day) need about 1,000 working days: never by the
    // end of 2024, and "never" is censoring, as for all_cases_closed.
    let s = scenario(600, 1);
    let (r, sum) = run_summary(&s, 5, 3);
    assert!(r.records.iter().all(|x| x.back_to_target[0].is_none()));
    let m = metric(&sum, "back_to_target", Some("old"));
    assert_eq!(
        (m.censored, m.censored_share, m.p50, m.mean),
        (5, 1.0, None, None)
    );
}

/// The open cases of each type at the end of every working day.
#[derive(Default)]
struct DayCounts(Vec<Vec<u32>>);
impl Probe for DayCounts {
    fn day_end(&mut self, day: u32, open_by_type: &[u32], _open_total: u32) {
        assert_eq!(day as usize, self.0.len());
        self.0.push(open_by_type.to_vec());
    }
}

/// Issue 18: `back_to_target` never comes before the last end of a day at which the type's open
/// cases (as `daily.csv` counts them) were above the target, and every day that ends after it
/// is at or below; "never" exactly when the last day ends above. And a target changes no other
/// number of a run.
#[test]
fn back_to_target_agrees_with_the_daily_counts_and_changes_nothing_else() {
    let base = load(MET);
    let with = |text: &str, ty: &str, target: u32| {
        let line = format!("name = \"{ty}\"\n");
        assert!(text.contains(&line));
        text.replace(&line, &format!("{line}backlog_target = {target}\n"))
    };
    // A level the investigations pass on the way down, one the hearings (which wait months
    // for a date) may or may not reach, and none for the BAU stream, which still has cases
    // open at the horizon (never back).
    let text = with(MET, "misconduct_investigation", 150);
    let text = with(&text, "bau_allegation", 0);
    let text = with(&text, "misconduct_hearing", 120);
    let s = load(&text);
    let targets = s.backlog_targets();
    assert_eq!(targets.len(), 3);
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    let horizon = s.horizon_time();
    let (mut came_back, mut never) = (0, 0);
    for rep in 0..12 {
        let mut days = DayCounts::default();
        let rec = run_replication(&s, &prep, rep, &mut ws, &mut days).unwrap();
        for (k, &(ty, target)) in targets.iter().enumerate() {
            let count = |d: usize| days.0.get(d).map_or(0, |c| c[ty]) as u64;
            let last_above = (0..horizon as usize).rev().find(|&d| count(d) > target);
            match rec.back_to_target[k] {
                Some(b) => {
                    came_back += 1;
                    assert!((0.0..=horizon).contains(&b), "rep {rep} type {ty}: {b}");
                    if let Some(d) = last_above {
                        // Above at the end of day d (t = d + 1), so back strictly after it.
                        assert!(b > (d + 1) as f64, "rep {rep} type {ty}: {b} vs day {d}");
                    }
                    // At or below from b on: every day ending at or after b.
                    let first = (b.ceil() as usize).saturating_sub(1);
                    assert!(
                        (first..horizon as usize)
                            .all(|d| ((d + 1) as f64) < b || count(d) <= target),
                        "rep {rep} type {ty}"
                    );
                }
                None => {
                    never += 1;
                    assert!(count(horizon as usize - 1) > target, "rep {rep} type {ty}");
                }
            }
        }
    }
    assert!(
        came_back > 0 && never > 0,
        "{came_back} back, {never} never"
    );

    // The same run without targets: every other number the same.
    let (r0, sum0) = run_summary(&base, 6, 5);
    let (r1, sum1) = run_summary(&s, 6, 5);
    for (a, b) in r0.records.iter().zip(&r1.records) {
        assert!(a.back_to_target.is_empty());
        assert_eq!(b.back_to_target.len(), 3);
        let mut b = b.clone();
        b.back_to_target.clear();
        assert_eq!(*a, b);
    }
    assert_eq!(report::daily_rows(&base, &r0), report::daily_rows(&s, &r1));
    let others: Vec<_> = sum1
        .metrics
        .iter()
        .filter(|m| m.metric != "back_to_target")
        .cloned()
        .collect();
    assert_eq!(sum0.metrics, others);
    assert_eq!(sum1.metrics.len(), others.len() + 3);
}

// ---- Utilisation (issue 18) ----

/// Team utilisation in the M/M/c and M/M/1 scenarios is ρ = λ/(cμ): 2/3 and 0.8, within 4 Monte
/// Carlo standard errors. (Busy server-time over [0, H] is the work done, the work arrived less
/// the work left at H; the bias of starting empty is that work left, about 0.3 h of 2,000 × 3
/// server-hours for M/M/3, far below the error.)
#[test]
fn utilisation_matches_rho_in_the_m_m_c_scenarios() {
    for (text, team, rho) in [(MMC, "servers", 20.0 / 30.0), (MM1, "server", 0.8)] {
        let s = load(text);
        let (_, sum) = run_summary(&s, s.replications, s.seed);
        let u = sum
            .metrics
            .iter()
            .find(|m| m.metric == "utilisation" && m.team.as_deref() == Some(team))
            .expect("a utilisation metric per team");
        assert_eq!(u.n, s.replications);
        within_4_mcse(
            &format!("{team} utilisation"),
            u.mean.unwrap(),
            u.mcse.unwrap(),
            rho,
        );
        // The tolerance is meaningful: 4 standard errors are under 1 % of ρ.
        assert!(4.0 * u.mcse.unwrap() < 0.01 * rho, "mcse {:?}", u.mcse);
    }
}

/// Sums the effort of every case opened [person-hours].
#[derive(Default)]
struct Efforts(f64);
impl Probe for Efforts {
    fn opened(&mut self, _id: u64, _case_type: usize, _t: f64, effort: f64) {
        self.0 += effort;
    }
}

/// Conservation: with every case closed, the person-time spent busy, at 6 h a day, is the work
/// the cases needed, under both reduction policies (a handed-back case keeps the hours still to
/// do, so no work is counted twice or lost).
#[test]
fn busy_person_time_is_the_work_done() {
    for policy in ["finish", "handover"] {
        let mut s = load(SCREEN_V1_STRESS);
        if policy == "handover" {
            for t in &mut s.teams {
                t.policy = crate::scenario::ReductionPolicy::Handover;
            }
        }
        let prep = Prepared::new(&s);
        let mut ws = Workspace::default();
        for rep in 0..10 {
            let mut e = Efforts::default();
            let rec = run_replication(&s, &prep, rep, &mut ws, &mut e).unwrap();
            assert_eq!(rec.open_at_end, 0);
            let busy_hours: f64 = rec.teams.iter().map(|t| t.busy * 6.0).sum();
            assert!(
                (busy_hours - e.0).abs() <= 1e-9 * e.0,
                "{policy}, rep {rep}: busy {busy_hours} h vs work {} h",
                e.0
            );
            for t in &rec.teams {
                assert!(t.busy <= t.on_duty * (1.0 + 1e-12));
            }
        }
    }
}

/// Person-time on duty and busy, worked out by hand; a team with no work has utilisation 0, a
/// team with nobody none (`null`), and a leaver finishing a case is on duty while they do.
#[test]
fn utilisation_by_hand_idle_and_empty_teams() {
    // Two 12 h cases at t = 0, 6 h a day. Team t: 2 people, plus 1 lent for day 0 only (who gets
    // no case: the first group with room takes both). Team idle: 2 people for day 0 only, and
    // team nobody, 0 people, listed only by a case type that never has a case.
    let s = small(
        "util",
        r#"
[[backlogs]]
case_type = "c"
count = 2
[[case_types]]
name = "c"
effort = 12
teams = ["t"]
[[case_types]]
name = "never"
effort = 1
teams = ["idle", "nobody"]
[[teams]]
name = "t"
hours_per_day = 6
headcount = [{ count = 2 }, { count = 1, to = 2024-01-01, source = "x" }]
[[teams]]
name = "idle"
hours_per_day = 6
headcount = [{ count = 2, to = 2024-01-01 }]
[[teams]]
name = "nobody"
hours_per_day = 6
headcount = [{ count = 0 }]
"#,
    );
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    assert_eq!(rec.end_time, 2.0);
    // t: busy 2 people × 2 days; on duty 3 on day 0 and 2 on day 1.
    assert_eq!(rec.teams[0].busy, 4.0);
    assert_eq!(rec.teams[0].on_duty, 5.0);
    assert_eq!(rec.teams[0].utilisation(), Some(0.8));
    // Its periods: the whole run, and day 0 alone (2 busy of 3).
    assert_eq!(rec.periods[0].utilisation(), Some(0.8));
    assert_eq!(rec.periods[1].busy, 2.0);
    assert_eq!(rec.periods[1].on_duty, 3.0);
    assert_eq!(rec.teams[1].busy, 0.0);
    assert_eq!(rec.teams[1].on_duty, 2.0);
    assert_eq!(rec.teams[1].utilisation(), Some(0.0));
    assert_eq!(rec.teams[2].on_duty, 0.0);
    assert_eq!(rec.teams[2].utilisation(), None);

    let r = run(&s, 1, s.seed, &Silent).unwrap();
    let sum = summarise(&s, &r);
    let util = |team: &str| {
        sum.metrics
            .iter()
            .find(|m| m.metric == "utilisation" && m.team.as_deref() == Some(team))
            .unwrap()
    };
    assert_eq!(util("t").mean, Some(0.8));
    assert_eq!(util("idle").mean, Some(0.0));
    assert_eq!((util("nobody").n, util("nobody").mean), (0, None));
    assert_eq!(util("nobody").p50, None);
    let json = String::from_utf8(report::summary_json(&sum)).unwrap();
    assert!(!json.contains("NaN"));
    // Daily: t at 2/3 then 1; idle at 0 on day 0 and undefined (empty) on day 1, when it has
    // nobody; nobody undefined throughout.
    let rows = report::daily_rows(&s, &r);
    let day = |d: u64, team: &str| {
        rows.iter()
            .find(|x| x.working_day == d && x.metric == "utilisation" && x.case_type == team)
            .unwrap_or_else(|| panic!("no utilisation row for {team} on day {d}"))
    };
    assert_eq!(day(0, "t").mean, Some(0.6666667));
    assert_eq!(day(0, "t").p50, Some(0.67));
    assert_eq!(day(1, "t").mean, Some(1.0));
    assert_eq!(day(0, "idle").mean, Some(0.0));
    assert_eq!(day(1, "idle").mean, None);
    assert!(day(1, "idle").quantiles().iter().all(Option::is_none));
    assert_eq!(day(0, "nobody").mean, None);
}

/// A leaver who finishes a case after their entry ends (`finish`) is on duty while they do, so
/// a team is never more than fully busy (with the roster's headcount alone it would read 4/3).
#[test]
fn a_leaver_finishing_a_case_is_on_duty_until_it_closes() {
    let s = two_case_scenario("finish");
    let prep = Prepared::new(&s);
    let rec = run_replication(&s, &prep, 0, &mut Workspace::default(), &mut NoProbe).unwrap();
    assert_eq!(rec.teams[0].busy, 4.0);
    assert_eq!(rec.teams[0].on_duty, 4.0);
    // The lent entry's period is day 0: both of its team's people busy.
    assert_eq!(rec.periods[1].utilisation(), Some(1.0));
}

/// A run whose records go to disk (a budget of 0 bytes), handed over in several waves, gives
/// exactly the outputs of a run that holds them: the summary (with `--split`'s shares and bands),
/// `daily.csv`, `replications.csv` and the pooled histograms, byte for byte.
#[test]
fn a_run_whose_records_are_on_disk_writes_the_same_bytes() {
    let s = load(MET);
    let (n, seed) = (150, 11);
    let held = run(&s, n, seed, &Silent).unwrap();
    let spilled = run_waves(&s, 0..n, seed, &Silent, Records::with_budget(0), 64).unwrap();
    assert!(spilled.records.spilled());
    assert_eq!(spilled.records.count(), n as usize);
    assert_eq!(spilled.pooled, held.pooled);
    assert_eq!(spilled.replications, held.replications);
    let twins = run_twins(&s, n, seed, &Silent).unwrap();
    let central = run_central(&s, n, seed, &Silent).unwrap();
    let summaries = |r: &RunResult<Records>| {
        [
            report::summary_json(&report::summarise_records(&s, r).unwrap()),
            report::summary_json(
                &report::summarise_split_records(&s, r, &twins, &central).unwrap(),
            ),
        ]
    };
    let want = [
        report::summary_json(&summarise(&s, &held)),
        report::summary_json(&report::summarise_split(&s, &held, &twins, &central)),
    ];
    assert_eq!(summaries(&spilled), want);
    assert_eq!(
        report::daily_csv(&report::daily_rows_of(&s, &spilled).unwrap()),
        report::daily_csv(&report::daily_rows(&s, &held))
    );
    let csv = |r: &dyn Fn(&mut Vec<u8>)| {
        let mut v = Vec::new();
        r(&mut v);
        v
    };
    assert_eq!(
        csv(&|v| report::write_replications_csv(&s, &spilled, v).unwrap()),
        csv(&|v| report::write_replications_csv(&s, &held, v).unwrap())
    );
    // And a range that starts elsewhere (a shard's block), in waves, is that block of the run.
    let block = run_waves(&s, 40..n, seed, &Silent, Records::with_budget(0), 32).unwrap();
    let back = block.records.column(|r| r.replication).unwrap();
    assert_eq!(back, (40..n).collect::<Vec<_>>());
}
