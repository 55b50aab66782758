use super::*;
use crate::engine::Silent;

fn load(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Two kinds of job with fixed efforts, each scaled by its own uniform factor, done one after
/// another by one person who never runs short of work: the last case closes at
/// T = 20·a + 20·b working days (20 jobs of 8 h each, 8 h a day). Everything is known but the
/// two scales, so with Var a = 0.04/12 (uniform on [0.9, 1.1]) and Var b = 1/12 (uniform on
/// [0.5, 1.5]) the first-order indices are 0.04/1.04 and 1/1.04, the swings 20·(1.08 − 0.92) =
/// 3.2 and 20·(1.4 − 0.6) = 16 working days exactly, and the whole spread is assumption. (The
/// wide one is b, so that ranking by name would put it second.)
const ADDITIVE: &str = "name = \"additive\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nreplications = 1\n\
    [calendar]\nholidays = \"none\"\n\
    [[case_types]]\nname = \"a\"\neffort = 8\neffort_scale = { dist = \"uniform\", min = 0.9, max = 1.1 }\nteams = [\"t\"]\n\
    [[case_types]]\nname = \"b\"\neffort = 8\neffort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\nteams = [\"t\"]\n\
    [[teams]]\nname = \"t\"\nhours_per_day = 8\nheadcount = [{ count = 1 }]\n\
    [[backlogs]]\ncase_type = \"a\"\ncount = 20\n\
    [[backlogs]]\ncase_type = \"b\"\ncount = 20\n";

fn effect<'a>(s: &'a Sensitivity, name: &str, metric: &str) -> &'a Effect {
    let a = s
        .assumptions
        .iter()
        .find(|a| a.assumption.name == name)
        .unwrap_or_else(|| panic!("no assumption {name}"));
    a.effects
        .iter()
        .find(|e| e.metric == metric && e.case_type.is_none())
        .unwrap()
}

fn output<'a>(s: &'a Sensitivity, metric: &str) -> &'a OutputRow {
    s.outputs
        .iter()
        .find(|o| o.metric == metric && o.case_type.is_none())
        .unwrap()
}

#[test]
fn an_additive_finish_has_the_analytic_indices_and_swings() {
    let s = load(ADDITIVE);
    let n = 2000;
    let r = analyse(&s, n, 17, &Silent).unwrap();
    assert_eq!(r.meta.replications_run, n * (1 + 2 + 2 * 2));
    let (a, b) = ("case_types.b.effort_scale", "case_types.a.effort_scale");
    // The dominant assumption is ranked first.
    assert_eq!(r.assumptions[0].assumption.name, a);
    assert_eq!(r.assumptions[0].rank, 1);
    assert_eq!(r.assumptions[1].rank, 2);
    let (ea, eb) = (effect(&r, a, RANKED_BY), effect(&r, b, RANKED_BY));
    // The swings are exact: nothing but the pinned scale differs between the paired runs.
    assert!((ea.swing - 16.0).abs() < 1e-9, "{ea:?}");
    assert!((eb.swing - 3.2).abs() < 1e-9, "{eb:?}");
    assert!(ea.swing_mcse.unwrap() < 1e-9);
    assert!((ea.at_low - (20.0 + 20.0 * 0.6)).abs() < 1e-9, "{ea:?}");
    // The indices within 4 standard errors of the analytic values.
    for (e, truth) in [(ea, 1.0 / 1.04), (eb, 0.04 / 1.04)] {
        let (x, se) = (e.first_order.unwrap(), e.first_order_mcse.unwrap());
        assert!(
            se > 0.0 && (x - truth).abs() < 4.0 * se,
            "{x} ± {se} vs {truth}"
        );
    }
    // The whole spread is assumption, and the indices add up to it within their error.
    let o = output(&r, RANKED_BY);
    assert_eq!(o.assumptions_share, Some(1.0));
    let (sum, se) = (o.first_order_sum.unwrap(), o.first_order_sum_mcse.unwrap());
    assert!((sum - 1.0).abs() < 4.0 * se, "{sum} ± {se}");
    // With both scales at their medians every run closes the last case at 40.
    assert!((o.central_mean.unwrap() - 40.0).abs() < 1e-9);
    assert_eq!(o.censored_share, 0.0);
    // Cases opened do not depend on any scale: no swing, no spread (index undefined).
    let opened = &r.assumptions[0]
        .effects
        .iter()
        .find(|e| e.metric == "cases_opened")
        .unwrap();
    assert_eq!((opened.swing, opened.first_order), (0.0, None));
}

/// The first-order estimator sees an assumption with no effect as none: a third scale on a case
/// type nobody opens scores 0 within its errors, and is ranked last with a swing of exactly 0.
#[test]
fn an_assumption_without_effect_scores_nothing() {
    let text = ADDITIVE.replace(
        "[[teams]]",
        "[[case_types]]\nname = \"c\"\neffort = 8\neffort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\nteams = [\"t\"]\n[[teams]]",
    );
    let s = load(&text);
    let r = analyse(&s, 1000, 3, &Silent).unwrap();
    let last = r.assumptions.last().unwrap();
    assert_eq!(last.assumption.name, "case_types.c.effort_scale");
    let e = effect(&r, "case_types.c.effort_scale", RANKED_BY);
    assert_eq!(e.swing, 0.0);
    let (x, se) = (e.first_order.unwrap(), e.first_order_mcse.unwrap());
    assert!(x.abs() < 4.0 * se, "{x} ± {se}");
}

/// Nothing uncertain: the main run alone, every share exactly 0, nothing ranked.
#[test]
fn with_nothing_uncertain_there_is_nothing_to_rank() {
    let text = ADDITIVE
        .replace(
            "effort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\n",
            "",
        )
        .replace(
            "effort_scale = { dist = \"uniform\", min = 0.9, max = 1.1 }\n",
            "",
        );
    let s = load(&text);
    let r = analyse(&s, 50, 3, &Silent).unwrap();
    assert!(r.assumptions.is_empty());
    assert_eq!(r.meta.replications_run, 50);
    let o = output(&r, RANKED_BY);
    // Fixed efforts, nothing random: no spread at all (the share is undefined, not 0).
    assert_eq!(o.assumptions_share, None);
    assert_eq!(o.first_order_sum, None);
    let text = report::sensitivity_text(&r);
    assert!(text.contains("nothing to rank"), "{text}");
}

/// The analysis of the built-in scenario is the same whatever the thread count, byte for byte,
/// and its main run is `run`'s: the fixed-assumption band is the one `run --split` reports.
#[test]
fn the_analysis_does_not_depend_on_the_thread_count() {
    let s = load(crate::scenario::DEFAULT_SCENARIO_TOML);
    let at = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| analyse(&s, 40, 5, &Silent).unwrap())
    };
    let (one, two) = (at(1), at(2));
    assert_eq!(
        report::sensitivity_json(&one),
        report::sensitivity_json(&two)
    );
    assert_eq!(report::sensitivity_csv(&one), report::sensitivity_csv(&two));
    assert_eq!(one.assumptions.len(), s.assumptions.list.len());
    // Ranked by the size of the swing on the last case closing.
    let k = one
        .outputs
        .iter()
        .position(|o| o.metric == RANKED_BY)
        .unwrap();
    let swings: Vec<f64> = one
        .assumptions
        .iter()
        .map(|a| a.effects[k].swing.abs())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    // The JSON reads back (to the last bit of a float: serde_json parses to the nearest f64
    // only within an ulp, so the numbers are compared to 1e-12 relative).
    let back: Sensitivity = serde_json::from_slice(&report::sensitivity_json(&one)).unwrap();
    assert_eq!(back.meta, one.meta);
    for (a, b) in back.assumptions.iter().zip(&one.assumptions) {
        assert_eq!((a.rank, &a.assumption.name), (b.rank, &b.assumption.name));
        for (x, y) in a.effects.iter().zip(&b.effects) {
            assert!((x.swing - y.swing).abs() <= 1e-12 * y.swing.abs());
        }
    }
}

/// A routing given as counts draws two numbers for three outcomes, and the share of its second
/// outcome depends on both: its first-order index comes from a pick-freeze run, not from binning
/// one number. 200 jobs route to x (opens a "p"), y (opens a "q") or z with counts 10, 10, 10:
/// the shares are Dirichlet(10, 10, 10), each marginal Beta(10, 20), so the cases opened of q
/// are Binomial(200, s_y) given the routing: Var E[Y | routing] = 200² Var s_y and
/// Var Y = 200 E[s(1 − s)] + 200² Var s. A second assumption (a scale on the jobs' effort) moves
/// nothing here, so the pick-freeze partner differs from a twin. The index is within 4 standard
/// errors of the analytic value, and the sum of indices stays within its errors of the share.
#[test]
fn a_counted_routing_has_the_index_of_all_its_draws() {
    let s = load(
        "name = \"routing\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nreplications = 1\n\
         [calendar]\nholidays = \"none\"\n\
         [[case_types]]\nname = \"job\"\neffort = 0.1\neffort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\nteams = [\"t\"]\n\
         routing = [{ name = \"x\", count = 10, to = [\"p\"] }, { name = \"y\", count = 10, to = [\"q\"] }, { name = \"z\", count = 10 }]\n\
         [[case_types]]\nname = \"p\"\neffort = 0.1\nteams = [\"t\"]\n\
         [[case_types]]\nname = \"q\"\neffort = 0.1\nteams = [\"t\"]\n\
         [[teams]]\nname = \"t\"\nhours_per_day = 8\nheadcount = [{ count = 5 }]\n\
         [[backlogs]]\ncase_type = \"job\"\ncount = 200\n",
    );
    let n = 1000;
    let r = analyse(&s, n, 29, &Silent).unwrap();
    // One pick-freeze run for the one counted routing.
    assert_eq!(r.meta.replications_run, n * (1 + 2 + 2 * 2 + 1));
    let k = r
        .outputs
        .iter()
        .position(|o| o.metric == "cases_opened" && o.case_type.as_deref() == Some("q"))
        .unwrap();
    let routing = r
        .assumptions
        .iter()
        .find(|a| a.assumption.name == "case_types.job.routing")
        .unwrap();
    let (alpha, beta, m) = (10.0, 20.0, 200.0);
    let var_s = alpha * beta / ((alpha + beta) * (alpha + beta) * (alpha + beta + 1.0));
    let mean_s = alpha / (alpha + beta);
    let e_s1s = mean_s - (var_s + mean_s * mean_s);
    let truth = m * m * var_s / (m * e_s1s + m * m * var_s);
    let e = &routing.effects[k];
    let (x, se) = (e.first_order.unwrap(), e.first_order_mcse.unwrap());
    assert!((x - truth).abs() < 4.0 * se, "{x} ± {se} vs {truth}");
    let o = &r.outputs[k];
    let (share, sum) = (o.assumptions_share.unwrap(), o.first_order_sum.unwrap());
    let bound = 4.0 * (o.assumptions_share_mcse.unwrap() + o.first_order_sum_mcse.unwrap());
    assert!(sum <= share + bound, "{sum} against {share} (± {bound})");
}

/// The analysis put together from blocks of replications run apart (as `merge` puts a
/// sharded analysis together) is the analysis of them all run at once, to the byte: on the
/// built-in scenario (scalar assumptions and counted routings, so pick-freeze runs too), with
/// blocks of unequal length in two thread pools.
#[test]
fn an_analysis_put_together_from_blocks_is_the_whole_analysis() {
    let s = load(crate::scenario::DEFAULT_SCENARIO_TOML);
    let (n, seed) = (23, 9);
    let whole = analyse(&s, n, seed, &Silent).unwrap();
    let pinned = pinned_runs(&s);
    assert!(pinned.iter().any(|p| matches!(p, PinnedRun::Keep(_))));
    assert_eq!(
        replications_run(&s, n),
        n * (3 + pinned.len() as u64),
        "the main run, twins, fixed-assumption run and every pinned run"
    );
    // Blocks run apart, then added in replication order.
    struct Block {
        main: Option<(RunResult, Vec<RepRecord>, Vec<RepRecord>)>,
        pinned: Vec<(usize, Vec<RepRecord>)>,
    }
    impl BlockSink for Block {
        fn main(
            &mut self,
            main: RunResult,
            twins: Vec<RepRecord>,
            central: Vec<RepRecord>,
        ) -> Result<(), RunError> {
            self.main = Some((main, twins, central));
            Ok(())
        }
        fn pinned(&mut self, i: usize, records: Vec<RepRecord>) -> Result<(), RunError> {
            self.pinned.push((i, records));
            Ok(())
        }
    }
    let blocks: Vec<Block> = [(0..10, 1), (10..11, 2), (11..n, 2)]
        .into_iter()
        .map(|(range, threads)| {
            let mut block = Block {
                main: None,
                pinned: Vec::new(),
            };
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run_block(&s, range.clone(), seed, &Silent, &mut block))
                .unwrap();
            let want: Vec<usize> = (0..pinned.len()).collect();
            assert_eq!(block.pinned.iter().map(|p| p.0).collect::<Vec<_>>(), want);
            assert!(
                block
                    .pinned
                    .iter()
                    .all(|(_, r)| r.len() as u64 == range.end - range.start)
            );
            block
        })
        .collect();
    let mut runs = Runs::new(&s);
    for b in blocks {
        let (main, twins, central) = b.main.unwrap();
        runs.add_main(main, twins, central);
        for (i, r) in b.pinned {
            runs.add_pinned(&s, i, &r);
        }
    }
    let pieced = analysis(&s, n, seed, runs);
    assert_eq!(
        report::sensitivity_json(&pieced),
        report::sensitivity_json(&whole)
    );
    assert_eq!(pieced, whole);
}

/// Runs not finished by the horizon count as the horizon, and every figure says so. With the
/// horizon at 40 working days the additive finish 20·a + 20·b (18-22 plus 10-30) is censored in
/// some runs; with b at its P90 (1.4) every run ends after 40, so that run's mean is the horizon
/// exactly and the swing is cut short of its 16 working days.
#[test]
fn censored_runs_count_as_the_horizon_and_are_reported() {
    let s = load(&ADDITIVE.replace("horizon = 2024-12-31", "horizon = 2024-02-23"));
    assert_eq!(s.horizon_time(), 40.0);
    let r = analyse(&s, 400, 5, &Silent).unwrap();
    let o = output(&r, RANKED_BY);
    assert!(o.censored_share > 0.2 && o.censored_share < 0.8, "{o:?}");
    let e = effect(&r, "case_types.b.effort_scale", RANKED_BY);
    assert_eq!((e.at_high, e.at_high_censored_share), (40.0, 1.0));
    assert_eq!(e.at_low_censored_share, 0.0);
    assert!(e.swing > 0.0 && e.swing < 16.0, "{e:?}");
    let text = report::sensitivity_text(&r);
    assert!(
        text.contains("do not close the last case by the horizon"),
        "{text}"
    );
    assert!(text.contains('^'), "{text}");
    let csv = String::from_utf8(report::sensitivity_csv(&r)).unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",censored_share"));
    let svg = crate::plot::render_sensitivity(&r).unwrap();
    let svg = String::from_utf8_lossy(&svg[0].1);
    assert!(
        svg.contains("least 8.0 working days later"),
        "the title says the swing is cut short"
    );
}

/// Too few replications for an index: null, and the text says why rather than "no spread".
#[test]
fn too_few_replications_for_an_index_say_so() {
    let s = load(ADDITIVE);
    let r = analyse(&s, 5, 1, &Silent).unwrap();
    assert!(
        r.assumptions
            .iter()
            .all(|a| a.effects.iter().all(|e| e.first_order.is_none()))
    );
    let text = report::sensitivity_text(&r);
    assert!(text.contains("at least 8 replications"), "{text}");
    let one = analyse(&s, 1, 1, &Silent).unwrap();
    assert_eq!(
        effect(&one, "case_types.b.effort_scale", RANKED_BY).swing_mcse,
        None
    );
    assert!(report::sensitivity_text(&one).contains("Too few replications"));
}

/// An assumption of dates (an arrival stream's end) is shown as dates, in the JSON, the table
/// and the chart; its swing is measured like any other.
#[test]
fn an_uncertain_end_date_is_shown_as_dates() {
    let text = format!(
        "{ADDITIVE}[[arrivals]]\nname = \"s\"\ncase_type = \"a\"\nrate_per_day = 1\n\
         to = {{ dist = \"uniform\", min = 2024-02-01, max = 2024-03-01, source = \"judgment\" }}\n"
    );
    let s = load(&text);
    let r = analyse(&s, 40, 3, &Silent).unwrap();
    let row = r
        .assumptions
        .iter()
        .find(|a| a.assumption.name == "arrivals.s.to")
        .unwrap();
    let [low, central, high] = row.dates.clone().unwrap();
    assert!(low.as_str() < central.as_str() && central.as_str() < high.as_str());
    assert!(
        low.starts_with("2024-02") && high.starts_with("2024-02"),
        "{low} {high}"
    );
    assert_eq!(row.assumption.source.as_deref(), Some("judgment"));
    // A later end brings more jobs: the last case closes later.
    assert!(row.effects[0].swing > 0.0, "{:?}", row.effects[0]);
    assert!(report::sensitivity_text(&r).contains(&format!("({low} to {high})")));
}
