use super::*;
use crate::calendar::Date;
use crate::engine::Silent;

const MET: &str = include_str!("../../scenarios/met-2023.toml");

fn variants(spec: &[&str]) -> Vec<Variant> {
    let v: Vec<Vary> = spec.iter().map(|s| Vary::parse(s).unwrap()).collect();
    build_variants(MET, "met.toml", &v).unwrap()
}

#[test]
fn a_variant_identical_to_the_baseline_differs_by_exactly_zero() {
    // Two values that make the same model (a diversion that lasts past the horizon either
    // way): the first is the baseline, the second an identical variant. (The same value twice
    // is refused.)
    let vs = choose_baseline(
        variants(&["teams.diverted_soc_ct.headcount[0].to=2027-01-01,2028-01-01"]),
        MET,
        &[Vary::parse("teams.diverted_soc_ct.headcount[0].to=2027-01-01").unwrap()],
    )
    .unwrap();
    assert_eq!(vs.len(), 2);
    assert!(vs[0].is_baseline && !vs[1].is_baseline);
    let runs = run_variants(vs, 24, 5, &Silent).unwrap();
    assert_eq!(
        runs[0].per_rep, runs[1].per_rep,
        "every replication identical"
    );
    let c = compare(&runs, &[], MET, 24, 5);
    let v = &c.variants[1].versus_baseline;
    assert_eq!(v.all_cases_closed.mean, Some(0.0));
    assert_eq!(v.all_cases_closed.mcse, Some(0.0));
    assert_eq!(v.all_cases_closed.share_equal, 1.0);
    assert_eq!(v.peak_open_cases.mean, Some(0.0));
    assert_eq!(v.p_finish_before_baseline, 0.0);
    assert_eq!(
        v.days_saved.map(f64::to_bits),
        Some(0.0f64.to_bits()),
        "+0, not -0"
    );
}

fn variance(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64
}

#[test]
fn common_random_numbers_shrink_the_variance_of_differences() {
    // 45 against 90 diverted officers, paired (same seed) and independent (another seed).
    let n = 200;
    let paired = run_variants(
        variants(&["teams.diverted_soc_ct.headcount=45,90"]),
        n,
        7,
        &Silent,
    )
    .unwrap();
    let other = run_variants(
        variants(&["teams.diverted_soc_ct.headcount=45"]),
        n,
        8,
        &Silent,
    )
    .unwrap();
    let closed =
        |r: &VariantRun| -> Vec<f64> { r.per_rep.iter().map(|p| p.all_closed.unwrap()).collect() };
    let (a45, a90) = (closed(&paired[0]), closed(&paired[1]));
    assert!(paired[1].variant.is_baseline);
    let b45 = closed(other.iter().find(|r| !r.variant.is_baseline).unwrap());
    let d_paired: Vec<f64> = a45.iter().zip(&a90).map(|(x, y)| x - y).collect();
    let d_indep: Vec<f64> = b45.iter().zip(&a90).map(|(x, y)| x - y).collect();
    let (vp, vi) = (variance(&d_paired), variance(&d_indep));
    println!(
        "variance of the difference in all_cases_closed, 45 vs 90 officers, {n} replications: paired {vp:.3}, independent {vi:.3} (working days²), ratio {:.1}",
        vi / vp
    );
    // Var(X - Y) = Var X + Var Y - 2 Cov: pairing removes most of it. The ratio's own sampling
    // error at n = 200 is about ±20 %, so a 4-fold margin cannot flake.
    assert!(
        vp * 4.0 < vi,
        "paired variance {vp:.2} should be far below independent {vi:.2} (working days²)"
    );
    // The paired comparison's MCSE follows.
    let c = compare(&paired, &[], MET, n, 7);
    let se = c.variants[0].versus_baseline.all_cases_closed.mcse.unwrap();
    assert!((se - (vp / n as f64).sqrt()).abs() < 1e-9);
}

#[test]
fn fewer_officers_cost_days_and_more_cost_officer_days() {
    let runs = run_variants(
        variants(&["teams.diverted_soc_ct.headcount=0,90,150"]),
        40,
        3,
        &Silent,
    )
    .unwrap();
    let c = compare(&runs, &[], MET, 40, 3);
    let [none, base, more] = [&c.variants[0], &c.variants[1], &c.variants[2]];
    assert!(base.is_baseline);
    assert_eq!(
        (none.lent_officers, base.lent_officers, more.lent_officers),
        (0.0, 90.0, 150.0)
    );
    let saved = |v: &VariantRow| v.versus_baseline.days_saved.unwrap();
    assert!(
        saved(none) < 0.0,
        "no diversion finishes later: {}",
        saved(none)
    );
    assert!(
        saved(more) > 0.0,
        "more officers finish sooner: {}",
        saved(more)
    );
    let od = &more.versus_baseline.officer_days_by_source;
    assert_eq!(od.len(), 1);
    assert!(od[0] > 0.0);
    let per = more.versus_baseline.days_saved_per_officer.unwrap();
    assert!((per - saved(more) / 60.0).abs() < 1e-12);
    let per100 = more
        .versus_baseline
        .days_saved_per_100_officer_days
        .unwrap();
    let dod = more.versus_baseline.officer_days.mean.unwrap();
    assert!((per100 - 100.0 * saved(more) / dod).abs() < 1e-9);
    // Every variant against every other: against the baseline exactly its versus_baseline,
    // against itself 0, a against b the negative of b against a, and the error that of the
    // paired differences, computed here from the replications.
    for (i, v) in c.variants.iter().enumerate() {
        let numbers: Vec<usize> = v.versus_variants.iter().map(|w| w.variant).collect();
        assert_eq!(numbers, [1, 2, 3]);
        let w = &v.versus_variants[1];
        assert_eq!(w.mean, v.versus_baseline.all_cases_closed.mean, "{i}");
        assert_eq!(w.mcse, v.versus_baseline.all_cases_closed.mcse, "{i}");
        assert_eq!(v.versus_variants[i].mean, Some(0.0));
        for (j, o) in c.variants.iter().enumerate() {
            let (a, b) = (v.versus_variants[j].mean, o.versus_variants[i].mean);
            assert!((a.unwrap() + b.unwrap()).abs() < 1e-9, "{i} {j}");
        }
    }
    let d: Vec<f64> = (runs[2].per_rep.iter().zip(&runs[0].per_rep))
        .map(|(a, b)| a.all_closed.unwrap() - b.all_closed.unwrap())
        .collect();
    let w = &more.versus_variants[0];
    let m = d.iter().sum::<f64>() / 40.0;
    assert!((w.mean.unwrap() - m).abs() < 1e-9);
    assert!((w.mcse.unwrap() - (variance(&d) / 40.0).sqrt()).abs() < 1e-9);
}

/// A loan kept longer is another roster, even with as many officers: its ratios are given, with
/// the officer-days it adds as their denominator.
#[test]
fn a_longer_loan_of_as_many_officers_has_its_ratios() {
    let runs = run_variants(
        variants(&["teams.diverted_soc_ct.headcount[0].to=2023-07-06,2024-01-05"]),
        20,
        3,
        &Silent,
    )
    .unwrap();
    let c = compare(&runs, &[], MET, 20, 3);
    let [base, longer] = [&c.variants[0], &c.variants[1]];
    assert!(base.is_baseline);
    assert_eq!(base.lent_officers, longer.lent_officers);
    let v = &longer.versus_baseline;
    let dod = v.officer_days.mean.unwrap();
    assert!(dod > 1000.0, "six more months of 90 officers: {dod}");
    let per100 = v.days_saved_per_100_officer_days.unwrap();
    assert!((per100 - 100.0 * v.days_saved.unwrap() / dod).abs() < 1e-9);
    // No more officers, so no days saved per officer.
    assert_eq!(v.days_saved_per_officer, None);
    assert_eq!(base.versus_baseline.days_saved_per_100_officer_days, None);
}

/// 100 cases of exactly one person-day each, at the start, for a team of N: the last closes at
/// the end of working day ceil(100 / N) - 1 (7-day weeks, no holidays, from Monday 2024-01-01).
const BLOCK: &str = r#"
name = "block"
start = 2024-01-01
horizon = 2024-12-31
replications = 5
[calendar]
working_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
holidays = "none"
[[backlogs]]
case_type = "job"
count = 100
[[case_types]]
name = "job"
effort = 6
teams = ["crew"]
[[teams]]
name = "crew"
hours_per_day = 6
headcount = [{ count = 3 }]
"#;

#[test]
fn solve_finds_the_answer_known_by_hand() {
    // By 2024-01-10 (day 9): ceil(100 / N) <= 10 needs N >= 10; 9 people need 12 days.
    let spec = SolveSpec {
        path: "teams.crew.headcount".into(),
        target: Date::parse("2024-01-10").unwrap(),
        confidence: 0.9,
        min: 1,
        max: 50,
        finish: Finish::AllCasesClosed,
    };
    // The progress hears each value as it is tried: the top of the range, the bottom, then
    // the bisection, each value once.
    struct Notes(std::sync::Mutex<Vec<String>>);
    impl crate::engine::Progress for Notes {
        fn note(&self, what: &str) {
            self.0.lock().unwrap().push(what.to_string());
        }
    }
    let notes = Notes(std::sync::Mutex::new(Vec::new()));
    let s = solve(BLOCK, "block.toml", &spec, 5, 1, &notes).unwrap();
    let heard = notes.0.into_inner().unwrap();
    let tried: Vec<i64> = s.probes.iter().map(|p| p.value).collect();
    assert_eq!(
        heard,
        tried
            .iter()
            .map(|v| format!("trying teams.crew.headcount = {v}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(&tried[..2], &[50, 1]);
    assert_eq!(s.answer, Some(10));
    assert_eq!(s.status, "found");
    assert_eq!(s.at_answer.as_ref().unwrap().probability, 1.0);
    assert_eq!(s.below_answer.as_ref().unwrap().value, 9);
    assert_eq!(s.below_answer.as_ref().unwrap().probability, 0.0);
    assert!(s.monotone);

    // Out of range both ways, said plainly.
    let s = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            max: 8,
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap();
    assert_eq!((s.answer, s.status.as_str()), (None, "max_not_enough"));
    let s = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            min: 20,
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap();
    assert_eq!((s.answer, s.status.as_str()), (Some(20), "min_is_enough"));
    assert!(s.below_answer.is_none());

    // A setting where more makes finishing later: the backlog. 30 jobs (3 people, 10 days)
    // make the date, 300 do not: the smallest value that is enough is the minimum, with a
    // warning that the setting works the other way, never "not even the maximum".
    let s = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            path: "backlogs[0].count".into(),
            min: 30,
            max: 300,
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap();
    assert_eq!((s.answer, s.status.as_str()), (Some(30), "min_is_enough"));
    assert!(!s.monotone);
    assert!(
        crate::compare::report::solution_text(&s).contains("assumes more never hurts"),
        "{}",
        crate::compare::report::solution_text(&s)
    );
    // Min and max the same: one value, tried once.
    let s = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            min: 12,
            max: 12,
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap();
    assert_eq!((s.answer, s.probes.len()), (Some(12), 1));
}

#[test]
fn solve_refuses_what_it_cannot_search() {
    let spec = SolveSpec {
        path: "start".into(),
        target: Date::parse("2024-01-10").unwrap(),
        confidence: 0.9,
        min: 1,
        max: 50,
        finish: Finish::AllCasesClosed,
    };
    let e = solve(BLOCK, "block.toml", &spec, 5, 1, &Silent).unwrap_err();
    assert!(e.to_string().contains("not an integer"), "{e}");
    let e = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            path: "teams.crew.size".into(),
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("unknown field `size`") && e.to_string().contains("hours_per_day"),
        "{e}"
    );
    let e = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            path: "teams.crew.headcount".into(),
            confidence: 1.5,
            ..spec.clone()
        },
        5,
        1,
        &Silent,
    )
    .unwrap_err();
    assert!(e.to_string().contains("confidence"), "{e}");
}

#[test]
fn paired_diff_counts_censored_runs_as_later() {
    let v = [Some(1.0), None, Some(3.0), None];
    let b = [Some(2.0), Some(2.0), None, None];
    let d = paired_diff(&v, &b);
    assert_eq!((d.n, d.censored_pairs), (1, 3));
    assert_eq!(d.mean, None, "a censored pair makes the mean unknown");
    assert_eq!(
        (d.share_smaller, d.share_equal, d.share_larger),
        (0.5, 0.25, 0.25)
    );
}

/// The comparisons shipped beside the built-in scenario are that scenario plus an experiment:
/// their baselines are the plan as written.
#[test]
fn the_shipped_comparisons_are_met_2023_plus_an_experiment() {
    for (file, text, first) in [
        (
            "met-2023-diversion.toml",
            include_str!("../../scenarios/met-2023-diversion.toml"),
            vec!["0", "45", "90", "150"],
        ),
        (
            "met-2023-levers.toml",
            include_str!("../../scenarios/met-2023-levers.toml"),
            vec!["40", "60", "100"],
        ),
    ] {
        let mut a: toml::Table = toml::from_str(MET).unwrap();
        let mut b: toml::Table = toml::from_str(text).unwrap();
        for key in ["name", "description", "experiment"] {
            a.remove(key);
            b.remove(key);
        }
        assert_eq!(
            a, b,
            "{file}: everything but name, description and [experiment] matches met-2023"
        );
        let s = crate::scenario::Scenario::from_toml_str(text, file).unwrap();
        assert_eq!(s.experiment.len(), 2, "{file}");
        assert_eq!(s.experiment[0].1, first, "{file}");
    }
}

#[test]
fn solve_says_when_the_date_is_before_the_start_or_the_setting_has_no_effect() {
    let spec = SolveSpec {
        path: "teams.crew.headcount".into(),
        target: Date::parse("2023-12-01").unwrap(),
        confidence: 0.9,
        min: 1,
        max: 50,
        finish: Finish::AllCasesClosed,
    };
    let e = solve(BLOCK, "block.toml", &spec, 5, 1, &Silent).unwrap_err();
    assert!(e.to_string().contains("before the scenario starts"), "{e}");
    // The start itself, a bank holiday: before the first working day, so no value can do it.
    let holiday = BLOCK.replace("holidays = \"none\"", "holidays = \"england-and-wales\"");
    let on_start = SolveSpec {
        target: Date::parse("2024-01-01").unwrap(),
        ..spec.clone()
    };
    let e = solve(&holiday, "block.toml", &on_start, 5, 1, &Silent).unwrap_err();
    assert!(
        e.to_string()
            .contains("comes before the scenario's first working day (2024-01-02)"),
        "{e}"
    );
    // A whole year is enough for anyone: every value gives probability 1.
    let s = solve(
        BLOCK,
        "block.toml",
        &SolveSpec {
            target: Date::parse("2024-12-31").unwrap(),
            min: 1,
            max: 3,
            ..spec
        },
        5,
        1,
        &Silent,
    )
    .unwrap();
    assert_eq!(s.status, "min_is_enough");
    assert!(
        !s.no_effect,
        "all runs finish at both ends: saturated, not 'no effect'"
    );

    // A team that works only other, untracked cases later on: its size cannot matter. With random
    // efforts about half
    // the runs finish by 2 Feb 2024 (100 cases of about one person-day for 3 people).
    let idle = BLOCK.replace(
        "effort = 6",
        "effort = { dist = \"lognormal\", mean = 6, sd = 3 }",
    ) + "[[teams]]\nname = \"idle\"\nhours_per_day = 6\nheadcount = [{ count = 2 }]\n"
        + "[[case_types]]\nname = \"later\"\neffort = 6\nteams = [\"idle\"]\n"
        + "[[backlogs]]\ncase_type = \"later\"\ncount = 5\nat = 2024-06-03\ntrack = false\n";
    let s = solve(
        &idle,
        "idle.toml",
        &SolveSpec {
            path: "teams.idle.headcount".into(),
            target: Date::parse("2024-02-02").unwrap(),
            confidence: 0.05,
            min: 1,
            max: 3,
            finish: Finish::AllCasesClosed,
        },
        40,
        1,
        &Silent,
    )
    .unwrap();
    let p = s.at_answer.as_ref().unwrap().probability;
    assert!(
        p > 0.0 && p < 1.0,
        "probability {p} strictly between 0 and 1"
    );
    assert!(s.no_effect, "{s:?}");
}

/// With the horizon cutting into the casework (as in a planner's short look-ahead), mean days
/// saved are undefined for variants with unfinished runs: the trade-off chart says so, draws the
/// baseline at the origin and marks the others, instead of claiming that no variant is sooner;
/// the finish chart draws the horizon that the censored P90s sit on.
#[test]
fn comparison_charts_say_what_censoring_hides() {
    let text = MET.replace("horizon = 2026-12-31", "horizon = 2024-06-28");
    assert_ne!(text, MET, "the horizon line was found");
    let v = vec![Vary::parse("teams.dps_investigators.headcount=20,60,100").unwrap()];
    let vs = build_variants(&text, "short.toml", &v).unwrap();
    let runs = run_variants(vs, 40, 3, &Silent).unwrap();
    let c = compare(&runs, &v, &text, 40, 3);
    let more = &c.variants[2];
    assert!(c.variants[1].is_baseline);
    assert_eq!(more.versus_baseline.days_saved, None, "censored pairs");
    assert!(more.versus_baseline.all_cases_closed.share_smaller > 0.0);
    let json = crate::compare::report::comparison_json(&c);
    let parsed = crate::plot::load_comparison(std::path::Path::new("x"), &json).unwrap();
    let charts = crate::plot::render_comparison(&parsed).unwrap();
    let svg = |name: &str| {
        String::from_utf8(charts.iter().find(|f| f.0 == name).unwrap().1.clone()).unwrap()
    };
    let tradeoff = svg("compare-tradeoff.svg");
    assert!(!tradeoff.contains("No variant closes"), "{tradeoff}");
    assert!(tradeoff.contains("Days saved cannot be averaged for 2 of the 3 variants"));
    // The key names the setting once, then each variant's value.
    assert!(tradeoff.contains("headcount:"), "{tradeoff}");
    assert!(tradeoff.contains("3: 100 (not drawn)"), "{tradeoff}");
    assert!(tradeoff.contains("2: 60 (baseline)"), "{tradeoff}");
    assert!(tradeoff.contains("<circle"), "the baseline is drawn");
    let finish = svg("compare-finish.svg");
    assert!(finish.contains("horizon 28 Jun 2024: a P90 on this line is later"));
}

/// `--baseline` makes a variant of the grid the one the others are compared with: the scenario
/// as written (not in the grid) is then not run, the differences are against the chosen one, and
/// a path not varied, a value not tried or two values are refused.
#[test]
fn a_chosen_baseline_replaces_the_scenario_as_written() {
    let vs = variants(&["teams.diverted_soc_ct.headcount=0,45"]);
    assert_eq!(
        vs.len(),
        3,
        "the scenario as written (90) runs as the baseline"
    );
    let pick = |spec: &str| choose_baseline(vs.clone(), MET, &[Vary::parse(spec).unwrap()]);
    let chosen = pick("teams.diverted_soc_ct.headcount=0").unwrap();
    assert_eq!(chosen.len(), 2);
    assert!(chosen[0].is_baseline && !chosen[1].is_baseline);
    assert_eq!(chosen[0].label, "headcount=0");
    // Another spelling of the same setting, and a number written differently, choose it too.
    let same = pick("teams.diverted_soc_ct.headcount[0].count=0.0").unwrap();
    assert!(same[0].is_baseline);
    let runs = run_variants(chosen, 20, 3, &Silent).unwrap();
    let c = compare(
        &runs,
        &[Vary::parse("teams.diverted_soc_ct.headcount=0,45").unwrap()],
        MET,
        20,
        3,
    );
    assert_eq!(c.meta.baseline, "headcount=0");
    assert!(c.meta.baseline_chosen);
    // 45 diverted officers lend officer-days that none do not: a positive difference.
    assert!(c.variants[1].versus_baseline.officer_days.mean.unwrap() > 0.0);
    for bad in [
        "teams.diverted_soc_ct.headcount=7",
        "teams.vetting_unit.headcount=12",
        "teams.diverted_soc_ct.headcount=0,45",
    ] {
        assert!(pick(bad).is_err(), "{bad}");
    }
}

/// An experiment's labels name its settings on the axis, in the legend and in the csv header.
#[test]
fn an_experiments_labels_name_its_settings_on_axes_legends_and_in_the_csv() {
    let mut diverted = Vary::parse("teams.diverted_soc_ct.headcount=0,45").unwrap();
    diverted.label = Some("Officers diverted".into());
    let mut vetting = Vary::parse("teams.vetting_unit.headcount=6,12").unwrap();
    vetting.label = Some("Vetting officers".into());
    let varies = vec![diverted, vetting];
    let vs = build_variants(MET, "met.toml", &varies).unwrap();
    let runs = run_variants(vs, 5, 1, &Silent).unwrap();
    let c = compare(&runs, &varies, MET, 5, 1);
    let csv = String::from_utf8(report::comparison_csv(&c)).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("Officers diverted,Vetting officers"),
        "{header}"
    );
    let charts = crate::plot::render_comparison(&c).unwrap();
    let finish = String::from_utf8_lossy(&charts[0].1);
    assert!(finish.contains("Officers diverted"));
    assert!(!finish.contains("(the varied setting)"));
    assert!(finish.contains("Vetting officers=6"));
}
