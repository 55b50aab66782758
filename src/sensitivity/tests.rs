use super::*;
use crate::engine::Silent;

fn load(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// Two kinds of job with fixed efforts, each scaled by its own uniform factor, done one after
/// another by one person who never runs short of work: the last case closes at
/// T = 20·a + 20·b working days (20 jobs of 8 h each, 8 h a day). Everything is known but the
/// two scales, so with Var a = 1/12 (uniform on [0.5, 1.5]) and Var b = 0.04/12 (uniform on
/// [0.9, 1.1]) the first-order indices are 1/1.04 and 0.04/1.04, the swings 20·(1.4 − 0.6) = 16
/// and 20·(1.08 − 0.92) = 3.2 working days exactly, and the whole spread is assumption.
const ADDITIVE: &str = "name = \"additive\"\nstart = 2024-01-01\nhorizon = 2024-12-31\nreplications = 1\n\
    [calendar]\nholidays = \"none\"\n\
    [[case_types]]\nname = \"a\"\neffort = 8\neffort_scale = { dist = \"uniform\", min = 0.5, max = 1.5 }\nteams = [\"t\"]\n\
    [[case_types]]\nname = \"b\"\neffort = 8\neffort_scale = { dist = \"uniform\", min = 0.9, max = 1.1 }\nteams = [\"t\"]\n\
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
    let (a, b) = ("case_types.a.effort_scale", "case_types.b.effort_scale");
    // The dominant assumption is ranked first.
    assert_eq!(r.assumptions[0].assumption.name, a);
    assert_eq!(r.assumptions[0].rank, 1);
    assert_eq!(r.assumptions[1].rank, 2);
    let (ea, eb) = (effect(&r, a, RANKED_BY), effect(&r, b, RANKED_BY));
    // The swings are exact: nothing but the pinned scale differs between the paired runs.
    assert!((ea.swing - 16.0).abs() < 1e-9, "{ea:?}");
    assert!((eb.swing - 3.2).abs() < 1e-9, "{eb:?}");
    assert!(ea.swing_mcse < 1e-9);
    assert!((ea.at_low - (20.0 * 0.6 + 20.0)).abs() < 1e-9, "{ea:?}");
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
    assert_eq!(o.mean, o.central_mean);
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
