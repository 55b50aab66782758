use super::*;

#[test]
fn thousands_groups_digits() {
    assert_eq!(thousands(0.0), "0");
    assert_eq!(thousands(999.0), "999");
    assert_eq!(thousands(1000.0), "1,000");
    assert_eq!(thousands(50000.0), "50,000");
    assert_eq!(thousands(1234567.0), "1,234,567");
    assert_eq!(thousands(2.5), "2.5");
    assert_eq!(
        thousands(0.96),
        "1.0",
        "rounding carries into the whole part"
    );
    assert_eq!(thousands(-2.25), "-2.2");
    assert_eq!(thousands(-1500.0), "-1,500");
}

#[test]
fn nice_ceiling_is_above_and_round() {
    for (x, want) in [
        (0.0, 1.0),
        (7.0, 8.0),
        (51_000.0, 60_000.0),
        (1.0, 1.0),
        (101.0, 120.0),
    ] {
        assert_eq!(nice_ceiling(x), want, "{x}");
    }
}

use crate::calendar::Date;
use crate::scenario::Scenario;

const MET: &str = include_str!("../../scenarios/met-2023.toml");
const MMC: &str = include_str!("../../scenarios/verification/mmc.toml");

/// Runs `text` and returns the run's files, as `vetsim run` makes them, plus the charts drawn from
/// them.
fn run_and_draw(text: &str, reps: u64) -> (RunData, Vec<(String, Vec<u8>)>) {
    let s = Scenario::from_toml_str(text, "test.toml").unwrap();
    let r = crate::engine::run(&s, reps, 11, &crate::engine::Silent).unwrap();
    let summary = crate::report::summarise(&s, &r);
    let files = crate::report::run_files(&s, &r, &summary).unwrap();
    let get = |n: &str| files.iter().find(|f| f.0 == n).unwrap().1.clone();
    let d = RunData::from_bytes(Path::new("run"), &get("summary.json"), &get("daily.csv")).unwrap();
    let charts = render_all(&d).unwrap();
    (d, charts)
}

/// Files that parse but cannot be a run's (edited, truncated, mixed) are refused, naming the
/// file and where; the files a run writes pass.
#[test]
fn plot_refuses_run_files_that_contradict_themselves() {
    let s = Scenario::from_toml_str(MET, "test.toml").unwrap();
    let r = crate::engine::run(&s, 5, 11, &crate::engine::Silent).unwrap();
    let summary = crate::report::summarise(&s, &r);
    let files = crate::report::run_files(&s, &r, &summary).unwrap();
    let get =
        |n: &str| String::from_utf8(files.iter().find(|f| f.0 == n).unwrap().1.clone()).unwrap();
    let (json, csv) = (get("summary.json"), get("daily.csv"));
    let dir = Path::new("run");
    RunData::from_bytes(dir, json.as_bytes(), csv.as_bytes()).unwrap();
    let header = csv.lines().next().unwrap();
    let mut all = csv.lines().filter(|l| l.contains(",open_cases,all,"));
    let (first, second) = (all.next().unwrap(), all.next().unwrap());
    let fields: Vec<&str> = first.split(',').collect();
    let with = |i: usize, v: &str| {
        let mut f = fields.clone();
        f[i] = v;
        format!("{header}\n{}\n", f.join(","))
    };
    let start = &fields[0];
    let bad_daily = [
        (format!("{header}\n"), "no rows"),
        (with(0, "2023-13-01"), "line 2: date"),
        (with(0, "1999-01-01"), "outside the run"),
        (with(1, "99999999"), "working_day 99999999"),
        (with(3, "nobody"), "unknown series open_cases / \"nobody\""),
        (with(4, "NaN"), "finite"),
        (with(5, "-1"), "finite and not negative"),
        (with(11, "0"), "not in increasing order"),
        (
            format!("{header}\n{second}\n{first}\n"),
            "goes back or repeats",
        ),
    ];
    for (daily, says) in bad_daily {
        let e = RunData::from_bytes(dir, json.as_bytes(), daily.as_bytes()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("daily.csv") && msg.contains(says),
            "{says}: {msg}"
        );
    }
    let bad_summary = [
        (
            json.replacen(
                &format!("\"start\": \"{start}\""),
                "\"start\": \"2023-02-30\"",
                1,
            ),
            "meta.start",
        ),
        (
            json.replacen("\"all_cases_closed\"", "\"all_cases_closed_x\"", 1),
            "no all_cases_closed",
        ),
        (
            json.replacen("\"censored_share\": 0.0", "\"censored_share\": 1.5", 1),
            "censored_share is not between 0 and 1",
        ),
        (
            json.replacen("\"p5\": ", "\"p5\": 1e15, \"was_p5\": ", 1),
            "quantiles p5 to p95 are not finite and in increasing order",
        ),
        (
            json.replacen("\"share\": ", "\"share\": -1, \"was\": ", 1),
            "distribution: shares must be between 0 and 1",
        ),
        (
            json.replacen(
                &format!(
                    "\"format_version\": {}",
                    crate::report::summary::FORMAT_VERSION
                ),
                "\"format_version\": 99",
                1,
            ),
            "meta.format_version is 99 (written by vetsim",
        ),
        (
            json.replacen(
                &format!(
                    "\"format_version\": {},",
                    crate::report::summary::FORMAT_VERSION
                ),
                "",
                1,
            ),
            "meta has no format_version",
        ),
    ];
    for (summary, says) in bad_summary {
        assert_ne!(summary, json, "{says}: the edit applies");
        let e = RunData::from_bytes(dir, summary.as_bytes(), csv.as_bytes()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("summary.json") && msg.contains(says),
            "{says}: {msg}"
        );
    }
}

/// The SVG as text, without the embedded font and its notice (whose base64 and words could
/// contain anything the tests look for).
fn text_of(svg: &[u8]) -> String {
    super::font::drawing_only(std::str::from_utf8(svg).unwrap())
}

/// The words an SVG's text elements hold, in order, single-spaced: a subtitle wraps into
/// several elements, so a sentence is looked for across them.
fn words_of(svg: &str) -> String {
    let words = svg
        .split('<')
        .filter_map(|t| t.split_once('>').map(|x| x.1))
        .collect::<Vec<_>>()
        .join(" ");
    words.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn charts_are_byte_stable_and_state_their_findings() {
    let (d, a) = run_and_draw(MET, 24);
    let (_, b) = run_and_draw(MET, 24);
    assert_eq!(a, b, "same run, same bytes");
    let names: Vec<&str> = a.iter().map(|f| f.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "screening.svg",
            "caseload.svg",
            "completion.svg",
            "waiting.svg",
            "staffing.svg"
        ]
    );
    for (name, bytes) in &a {
        let t = text_of(bytes);
        assert!(t.starts_with("<svg"), "{name} is SVG");
        assert!(
            !t.contains("NaN") && !t.contains("inf"),
            "{name} has no NaN/inf"
        );
        assert!(t.contains("sha256 "), "{name} has the provenance footer");
        assert!(
            t.contains(&d.summary.meta.scenario_hash[..12]),
            "{name} names the hash"
        );
        assert!(t.contains("seed 11"), "{name} names the seed");
    }
    // The screening title quotes the median finish date from the summary.
    let p50 = d
        .metric("screening_complete", None)
        .and_then(|m| m.dates.as_ref())
        .and_then(|x| x.p50.clone())
        .unwrap();
    let want = format!(
        "Screening finishes by {}",
        Date::parse(&p50).unwrap().human()
    );
    assert!(text_of(&a[0].1).contains(&want), "title says {want}");
    // The staffing chart names the lending unit and the diversion.
    let staffing = text_of(&a[4].1);
    assert!(
        staffing.contains("90 officers lent by SOC/CT until 6 Jul 2023"),
        "{}",
        &staffing[..400]
    );
    assert!(staffing.contains("90 lent by SOC/CT"));
    // Its peak is the overlap of the July new staff and the lent officers' last days, and the
    // title says how short it is.
    assert!(
        staffing.contains("staff peak at 232 (3 Jul 2023 to 6 Jul 2023)"),
        "{}",
        &staffing[..400]
    );
    // The completion chart marks P50 and P90 of both curves.
    let completion = text_of(&a[2].1);
    assert_eq!(completion.matches("P50 ").count(), 2);
    assert_eq!(completion.matches("P90 ").count(), 2);
}

#[test]
fn a_scenario_without_screening_draws_no_screening_chart() {
    let (_, charts) = run_and_draw(MMC, 8);
    let names: Vec<&str> = charts.iter().map(|f| f.0.as_str()).collect();
    assert!(!names.contains(&"screening.svg"));
    assert_eq!(names.len(), 4);
    // The M/M/3 check tracks nothing: the completion chart says so rather than "the last case
    // closes by" the start date.
    let completion = text_of(&charts.iter().find(|f| f.0 == "completion.svg").unwrap().1);
    assert!(completion.contains("No tracked work"), "{completion}");
    // ... and draws no curve at the start, nor P10 to P90 marked there; the terminal summary
    // and the report page give no "last case closed" on the start date either.
    assert!(completion.contains("Nothing to draw across the 8 runs"));
    for p in ["P10 ", "P50 ", "P90 ", "last case closed"] {
        assert!(!completion.contains(p), "{p} in {completion}");
    }
    let (d, _) = run_and_draw(MMC, 8);
    assert!(d.summary.tracks_nothing());
    let text = crate::report::text::render(&d.summary);
    assert!(
        text.contains("No tracked work") && !text.contains("All cases closed"),
        "{text}"
    );
    let page = crate::page::run_page(&d.summary, &[], b"").unwrap();
    assert!(
        !String::from_utf8(page)
            .unwrap()
            .contains("Last case closed")
    );
    // A run with tracked work is not mistaken for one without.
    let (_, met) = run_and_draw(MET, 4);
    let completion = text_of(&met.iter().find(|f| f.0 == "completion.svg").unwrap().1);
    assert!(!completion.contains("No tracked work"));
    let (d, _) = run_and_draw(MET, 4);
    assert!(!d.summary.tracks_nothing());
}

#[test]
fn censored_runs_are_said_plainly() {
    // A horizon too early for the casework: every run is censored.
    let text = MET.replace("horizon = 2026-12-31", "horizon = 2023-10-31");
    assert_ne!(text, MET, "the horizon line was found");
    let (d, charts) = run_and_draw(&text, 12);
    let m = d.metric("all_cases_closed", None).unwrap();
    assert_eq!(m.censored, 12);
    let completion = text_of(&charts.iter().find(|f| f.0 == "completion.svg").unwrap().1);
    assert!(
        completion.contains("last case closed not by 31 Oct 2023 in 100.0% of runs"),
        "{completion}"
    );
    assert!(completion.contains("horizon 31 Oct 2023"));
    // The charts of daily counts and of closed cases say what the horizon leaves open.
    let open = d.metric("open_cases_at_end", None).unwrap().mean.unwrap();
    let said = |lead: &str| {
        format!(
            "{lead} (31 Oct 2023): {} cases a run on average; the last case not closed by then in 100.0% of runs.",
            thousands(open)
        )
    };
    for (name, lead) in [
        ("caseload.svg", "Still open at the horizon"),
        (
            "waiting.svg",
            "Not included: cases still open at the horizon",
        ),
    ] {
        let said = said(lead);
        let svg = text_of(&charts.iter().find(|f| f.0 == name).unwrap().1);
        // The subtitle may wrap: compare the words.
        let words = words_of(&svg);
        assert!(words.contains(&said), "{name}: {words}");
    }
}

/// The caseload title's peak is the P50 of the runs' peaks, above the highest point of the P50
/// line drawn under it: the subtitle gives the line's top, which is that of the daily P50s.
#[test]
fn the_caseload_subtitle_gives_the_p50_lines_top_when_below_the_peak() {
    let (d, charts) = run_and_draw(MET, 40);
    let svg = text_of(&charts.iter().find(|f| f.0 == "caseload.svg").unwrap().1);
    let words = words_of(&svg);
    let top = d
        .series("open_cases", "all")
        .iter()
        .filter_map(|r| r.p50)
        .fold(f64::MIN, f64::max);
    let peak = d.metric("peak_open_cases", None).unwrap().p50.unwrap();
    assert!(top.round() < peak.round(), "{top} {peak}");
    assert!(
        words.contains(&format!(
            "The P50 line of all case types tops out at {}, below the title&apos;s peak",
            thousands(top)
        )),
        "{words}"
    );
}

/// The first curve's P10 label, with no room left of its point (met-2023's screening reaches
/// 10 % within weeks of the start), goes in the legend, once, not across the y axis; its P50
/// and P90 labels, with room, stay beside their points.
#[test]
fn a_completion_label_with_no_room_goes_in_the_legend() {
    let (d, charts) = run_and_draw(MET, 40);
    let svg = text_of(&charts.iter().find(|f| f.0 == "completion.svg").unwrap().1);
    let texts: Vec<&str> = svg
        .split("<text")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|x| x.1.split_once("</text>")))
        .map(|x| x.0.trim())
        .collect();
    let dates = d
        .metric("screening_complete", None)
        .unwrap()
        .dates
        .clone()
        .unwrap();
    let p10 = format!("P10 {}", human(dates.p10.as_deref().unwrap()));
    let with = |t: &str| texts.iter().filter(|x| x.contains(t)).count();
    assert_eq!(with(&p10), 1, "{texts:?}");
    assert!(
        texts.contains(&format!("screening finished ({p10})").as_str()),
        "{texts:?}"
    );
    for (name, p) in [("P50", &dates.p50), ("P90", &dates.p90)] {
        let label = format!("{name} {}", human(p.as_deref().unwrap()));
        assert_eq!(with(&label), 1, "{label} beside its point: {texts:?}");
        assert!(texts.contains(&label.as_str()), "{texts:?}");
    }
}

#[test]
fn completion_distribution_ends_at_one_minus_the_censored_share() {
    let text = MET.replace("horizon = 2026-12-31", "horizon = 2023-12-29");
    let (d, _) = run_and_draw(&text, 40);
    let m = d.metric("screening_complete", None).unwrap();
    let dist = m.distribution.as_ref().unwrap();
    let last = dist.last().map(|p| p.share).unwrap_or(0.0);
    assert!((last - (1.0 - m.censored_share)).abs() < 1e-12);
    assert!(
        dist.windows(2)
            .all(|w| w[0].working_day < w[1].working_day && w[0].finished < w[1].finished)
    );
    assert_eq!(
        dist.last().map(|p| p.finished).unwrap_or(0),
        m.n - m.censored
    );
}

#[test]
fn date_axes_label_months_or_days() {
    let (axis, fmt) = date_axis(
        Date::parse("2023-04-06").unwrap(),
        Date::parse("2024-06-30").unwrap(),
        10,
    );
    let ticks = axis.key_points(plotters::coord::ranged1d::BoldPoints(10));
    assert!(ticks.len() <= 10 && ticks.len() >= 4, "{ticks:?}");
    for t in &ticks {
        let d = Date::from_days_since_epoch(*t as i64);
        assert_eq!(d.ymd().2, 1, "monthly ticks fall on the 1st: {d}");
        assert_eq!(
            d.ymd().1 % 2,
            1,
            "14 months in 10 labels: every other month from Jan: {d}"
        );
    }
    assert_eq!(fmt(&ticks[0]), "May 2023");
    let (axis, fmt) = date_axis(
        Date::parse("2024-01-01").unwrap(),
        Date::parse("2024-01-20").unwrap(),
        10,
    );
    let ticks = axis.key_points(plotters::coord::ranged1d::BoldPoints(10));
    assert!(!ticks.is_empty() && ticks.len() <= 10);
    assert_eq!(fmt(&ticks[0]), "1 Jan");
}

#[test]
fn a_directory_that_is_not_a_run_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let e = RunData::load(dir.path()).unwrap_err();
    assert!(matches!(e, PlotError::Read { .. }));
    assert!(e.to_string().contains("summary.json"), "{e}");
    std::fs::write(dir.path().join("summary.json"), b"{\"meta\": 1}").unwrap();
    std::fs::write(dir.path().join("daily.csv"), b"").unwrap();
    let e = RunData::load(dir.path()).unwrap_err();
    assert!(matches!(e, PlotError::Unsealed { .. }), "{e}");
    assert!(e.to_string().contains("carries no manifest"), "{e}");
    let e = RunData::from_bytes(dir.path(), b"{\"meta\": 1}", b"").unwrap_err();
    assert!(e.to_string().contains("is not a vetsim summary"), "{e}");
}

/// Every chart of a run carries a font subset that parses and draws every character of its text
/// (so a browser without DejaVu Sans draws none in another font), under its own family name.
#[test]
fn each_chart_carries_a_subset_drawing_all_its_text() {
    use base64::Engine as _;
    let (_, charts) = run_and_draw(MET, 24);
    let mut families = std::collections::BTreeSet::new();
    for (name, bytes) in &charts {
        let svg = String::from_utf8(bytes.clone()).unwrap();
        assert_eq!(svg.matches("@font-face").count(), 1, "{name}");
        assert!(svg.contains(font::NOTICE), "{name} carries the notice");
        let b64 = svg
            .split(";base64,")
            .nth(1)
            .and_then(|r| r.split(')').next())
            .unwrap();
        let subset = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let family = font::family_of(&subset);
        assert_eq!(
            svg.matches("<text").count(),
            svg.matches(&format!("font-family=\"{family}, {FONT}\""))
                .count(),
            "{name}: every text names its subset first"
        );
        let face = ttf_parser::Face::parse(&subset, 0).unwrap();
        let used = font::used_chars(&svg);
        assert!(used.len() > 20, "{name}: {used:?}");
        for c in used {
            assert!(
                face.glyph_index(c).is_some_and(|g| g.0 != 0),
                "{name}: {c:?} is not in its font"
            );
        }
        families.insert(family);
    }
    assert_eq!(families.len(), charts.len(), "one family per subset");
}

#[test]
fn committed_charts_redraw_identically_in_this_build_profile() {
    // output/met-2023 was drawn by the release binary; this test runs in the test profile. Same
    // summaries, same bytes: rendering does not depend on optimisation.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023");
    let d = RunData::load(&dir).unwrap();
    for (name, bytes) in render_all(&d).unwrap() {
        let committed = std::fs::read(dir.join(&name)).unwrap();
        assert!(
            committed == bytes,
            "{name} differs from the committed chart"
        );
    }
}

/// Each team with a utilisation line has a strip of its own under the rosters, named in its
/// colour: in one panel, met-2023's new staff were hidden at 100 % under the other teams.
#[test]
fn each_team_busy_on_cases_has_its_own_strip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023");
    let d = RunData::load(&dir).unwrap();
    let charts = render_all(&d).unwrap();
    let svg = text_of(&charts.iter().find(|f| f.0 == "staffing.svg").unwrap().1);
    let words = words_of(&svg);
    let teams: Vec<&str> = (d.summary.staffing.iter())
        .map(|t| t.team.as_str())
        .filter(|t| d.series("utilisation", t).iter().any(|r| r.p50.is_some()))
        .collect();
    assert!(teams.len() >= 4, "{teams:?}");
    for t in &teams {
        let name = format!("{}: busy on cases", super::caseload::pretty(t));
        assert_eq!(words.matches(&name).count(), 1, "{name} in {words}");
    }
    assert!(words.contains("Below, a strip per team:"), "{words}");
}

/// A wait is time in a queue for staff only, so the waiting chart says which case type stays
/// open longest when that is not the one that waits longest (in met-2023 a hearing, a delay of
/// months that needs nobody), and beside a row with no box how long its cases stay open.
#[test]
fn the_waiting_chart_names_the_case_type_open_longest() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023");
    let d = RunData::load(&dir).unwrap();
    let p50 = |metric: &str, g: &str| {
        (d.summary.metrics.iter())
            .find(|m| m.metric == metric && m.case_type.as_deref() == Some(g))
            .and_then(|m| m.p50)
            .unwrap()
    };
    let types = &d.summary.meta.case_types;
    let open_longest = (types.iter())
        .max_by(|a, b| p50("time_in_system_days", a).total_cmp(&p50("time_in_system_days", b)))
        .unwrap();
    let waits_longest = (types.iter())
        .max_by(|a, b| p50("wait_days", a).total_cmp(&p50("wait_days", b)))
        .unwrap();
    assert_ne!(open_longest, waits_longest, "the case this test is about");
    let charts = render_all(&d).unwrap();
    let svg = text_of(&charts.iter().find(|f| f.0 == "waiting.svg").unwrap().1);
    let words = words_of(&svg);
    assert!(
        words.contains(&format!(
            "Open longest, from opening to closing: {}, median {:.0} working days",
            super::caseload::pretty(open_longest),
            p50("time_in_system_days", open_longest)
        )),
        "{words}"
    );
    assert!(words.contains("Longest wait for staff: "), "{words}");
    assert!(
        words.contains("no wait for staff (open for median "),
        "{words}"
    );
}

/// The trade-off chart of comparison `c`, as drawn.
fn tradeoff_svg(c: &crate::compare::Comparison) -> String {
    let charts = render_comparison(c).unwrap();
    let (_, svg) = charts
        .into_iter()
        .find(|f| f.0 == "compare-tradeoff.svg")
        .unwrap();
    String::from_utf8(svg).unwrap()
}

/// The committed diversion comparison's trade-off chart names, under its title, the most saved
/// for fewer officer-days than the best: found here from the comparison's own figures.
#[test]
fn the_trade_off_subtitle_names_the_step_before_the_best() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023-diversion-comparison");
    let c = load_comparison_dir(&dir).unwrap();
    // (number, officer-days, days saved, its standard error), as the chart draws them.
    let drawn: Vec<(usize, f64, f64, f64)> = (c.variants.iter().enumerate())
        .filter_map(|(i, r)| {
            let v = &r.versus_baseline;
            Some((i + 1, v.officer_days.mean?, v.days_saved?, 0.0))
        })
        .collect();
    let best = compare::most_saved(drawn.iter());
    let before = compare::step_before(&drawn, best).unwrap();
    let best = best.unwrap();
    let words = words_of(&text_of(tradeoff_svg(&c).as_bytes()));
    let said = format!(
        "For fewer officer-days, the most saved is {:.1} working days: no. {} (",
        before.2, before.0
    );
    assert!(words.contains(&said), "{said} in {words}");
    assert!(
        words.contains(&format!(
            "for {} fewer officer-days than no. {}.",
            thousands(best.1 - before.1),
            best.0
        )),
        "{words}"
    );
    // With how much later it finishes over the paired runs: more than 2 standard errors of
    // the difference in the committed comparison, so it is not "as much within noise".
    let w = &c.variants[before.0 - 1].versus_variants[best.0 - 1];
    let (m, se) = (w.mean.unwrap(), w.mcse.unwrap());
    assert!(m > 2.0 * se, "{m} {se}");
    let said = format!(
        "It finishes {m:.2} working days after no. {} on average over the same runs, ± {:.2} (2 standard errors of the paired difference).",
        best.0,
        2.0 * se
    );
    assert!(words.contains(&said), "{said} in {words}");
    assert!(!words.contains("within noise"), "{words}");

    // Were that difference within 2 standard errors, the title would say the step before saves
    // about as much, and the subtitle that the two cannot be told apart.
    let render = |c: &crate::compare::Comparison| words_of(&text_of(tradeoff_svg(c).as_bytes()));
    let mut wide = c.clone();
    for (i, j) in [(before.0, best.0), (best.0, before.0)] {
        wide.variants[i - 1].versus_variants[j - 1].mcse = Some(m);
    }
    let words = render(&wide);
    let said = format!(
        "; no. {} saves about as much (within noise) for {} fewer",
        before.0,
        thousands((best.1 - before.1).round())
    );
    assert!(words.contains(&said), "{said} in {words}");
    assert!(
        words.contains("(2 standard errors of the paired difference): within noise, the two cannot be told apart."),
        "{words}"
    );
    assert!(!words.contains("within noise of the baseline"), "{words}");
    // A best whose own saving is within 2 of its standard errors of the baseline says so.
    let mut weak = c.clone();
    let v = &mut weak.variants[best.0 - 1].versus_baseline;
    v.days_saved_mcse = Some(v.days_saved.unwrap());
    assert!(render(&weak).contains(" working days sooner (within noise of the baseline) for "));
    // With one replication there is no error to judge by: no ± and no "within noise".
    let mut one = wide.clone();
    one.meta.replications = 1;
    let words = render(&one);
    assert!(
        !words.contains("within noise") && !words.contains("It finishes"),
        "{words}"
    );
}

#[test]
fn staffing_title_ends_lending_on_the_last_working_day() {
    // Lent until Good Friday 2024 (a bank holiday): the last working day lent is Thursday 28 March.
    let text = r#"
name = "tiny"
start = 2024-01-01
horizon = 2024-12-31
[[backlogs]]
case_type = "job"
count = 30
[[case_types]]
name = "job"
effort = { dist = "lognormal", mean = 12, sd = 6 }
teams = ["crew"]
[[teams]]
name = "crew"
hours_per_day = 6
headcount = [{ count = 2 }, { count = 1, from = 2024-02-01, to = 2024-03-29, source = "Roads" }]
"#;
    let (_, charts) = run_and_draw(text, 6);
    let staffing = text_of(&charts.iter().find(|f| f.0 == "staffing.svg").unwrap().1);
    assert!(
        staffing.contains("1 officer lent by Roads until 28 Mar 2024"),
        "{}",
        &staffing[..600]
    );
    // Two cohorts of the same size, one taking over from the other: the peak holds across the
    // change and ends when the total drops.
    let cohorts = text.replace(
        "{ count = 1, from = 2024-02-01, to = 2024-03-29, source = \"Roads\" }",
        "{ count = 1, from = 2024-02-01, to = 2024-02-29, source = \"Roads\" }, { count = 1, from = 2024-03-01, to = 2024-03-29, source = \"Roads\" }",
    );
    assert_ne!(cohorts, text);
    let (_, charts) = run_and_draw(&cohorts, 6);
    let staffing = text_of(&charts.iter().find(|f| f.0 == "staffing.svg").unwrap().1);
    assert!(
        staffing.contains("staff peak at 3 (1 Feb 2024 to 28 Mar 2024)"),
        "{}",
        &staffing[..600]
    );
}

#[test]
fn subtitles_wrap_at_spaces_within_the_width() {
    // One pixel per character, for the arithmetic.
    let width = |s: &str| s.chars().count() as u32;
    assert_eq!(wrap("aa bb cc", 5, width), vec!["aa bb", "cc"]);
    assert_eq!(wrap("aa bb cc", 8, width), vec!["aa bb cc"]);
    // A word longer than the width stands alone rather than being cut.
    assert_eq!(
        wrap("a toolongword b", 5, width),
        vec!["a", "toolongword", "b"]
    );
    assert_eq!(wrap("", 5, width), vec![""]);
}

/// At the last representable dates, stepping a day saturates: the tick loops must still end, with
/// at most as many ticks as asked for (they once looped there until memory ran out).
#[test]
fn date_axes_end_at_the_last_representable_day() {
    for (from, to) in [
        ("9999-11-01", "9999-12-31"),
        ("9999-12-27", "9999-12-31"),
        ("9999-12-31", "9999-12-31"),
        ("9990-01-01", "9999-12-31"),
    ] {
        let (axis, _) = date_axis(Date::parse(from).unwrap(), Date::parse(to).unwrap(), 10);
        let ticks = axis.key_points(plotters::coord::ranged1d::BoldPoints(10));
        assert!(ticks.len() <= 11, "{from} to {to}: {} ticks", ticks.len());
        assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{from} to {to}");
    }
}

/// A completion curve censored in every run lies on the x axis: it is said in words on the chart
/// and in its legend (it was invisible).
#[test]
fn a_curve_censored_in_every_run_is_said_in_words() {
    let text = r#"
name = "never"
start = 2024-01-01
horizon = 2024-03-29
[[backlogs]]
case_type = "job"
count = 500
[[case_types]]
name = "job"
effort = 12
teams = ["crew"]
[[teams]]
name = "crew"
hours_per_day = 6
headcount = [{ count = 1 }]
"#;
    let (d, charts) = run_and_draw(text, 4);
    let m = d.metric("all_cases_closed", None).unwrap();
    assert_eq!(m.censored, 4, "every run censored");
    let svg = text_of(&charts.iter().find(|f| f.0 == "completion.svg").unwrap().1);
    assert_eq!(
        svg.matches("last case closed: in no run by 29 Mar 2024")
            .count(),
        2,
        "once on the curve and once in the legend"
    );
}

/// Titles wrap at spaces but never inside a date (`6 Apr 2023`, `Apr 2023`): the staffing title
/// once broke after "6 Apr".
#[test]
fn wrapping_never_breaks_a_date() {
    let chars = |t: &str| 10 * t.chars().count() as u32;
    let text = "Headcount falls on 6 Apr 2023, rises in Jan 2024 and ends (31 Dec 2026).";
    for max in (40..=400).step_by(10) {
        let lines = super::wrap(text, max, chars);
        assert_eq!(lines.join(" "), text, "max {max}: words lost or reordered");
        for date in ["6 Apr 2023,", "Jan 2024", "(31 Dec 2026)."] {
            assert!(
                lines.iter().any(|l| l.contains(date)),
                "max {max}: {date:?} split in {lines:?}"
            );
        }
    }
    // Wide enough lines are still filled greedily.
    assert_eq!(super::wrap("a b c", 30, chars), vec!["a b", "c"]);
}

/// With nothing checked before the start, the start point has no label (at zero it sat on the x
/// axis, over the tick labels) and the subtitle says it; with some checked, the label is drawn.
#[test]
fn a_screening_that_starts_from_nothing_has_no_label_on_the_axis() {
    let from_nothing = MET
        .replace("already_checked = 10000", "already_checked = 0")
        .replace("observed_since = 2023-01-20", "records_per_day = 185");
    assert_ne!(from_nothing, MET, "met-2023 moved: update this test");
    for (text, checked) in [(MET, true), (from_nothing.as_str(), false)] {
        let (_, charts) = run_and_draw(text, 5);
        let svg = &charts.iter().find(|c| c.0 == "screening.svg").unwrap().1;
        let words = text_of(svg);
        assert_eq!(words.contains("checked by 6 Apr 2023"), checked, "{words}");
        assert_eq!(
            words.contains("None checked before 6 Apr 2023."),
            !checked,
            "{words}"
        );
    }
}

/// The loan label gives the lending team's utilisation over the loan: of "the lent officers"
/// only when they are the whole team, else of the team by name (screen-v1-stress: 10
/// investigators and 30 lent to the same team), in a colour dark enough on the shading.
#[test]
fn the_loan_label_says_whose_utilisation_it_is() {
    let text = include_str!("../../scenarios/verification/screen-v1-stress.toml");
    let (_, charts) = run_and_draw(text, 4);
    let staffing = text_of(&charts.iter().find(|f| f.0 == "staffing.svg").unwrap().1);
    assert!(
        regex_lite_like(
            &staffing,
            "30 lent by SOC/CT; investigators busy ",
            "% over the loan"
        ),
        "{staffing}"
    );
    assert!(!staffing.contains("SOC/CT: busy"));
    // met-2023 lends 90 officers to a team of their own.
    let (_, charts) = run_and_draw(MET, 4);
    let staffing = text_of(&charts.iter().find(|f| f.0 == "staffing.svg").unwrap().1);
    assert!(
        regex_lite_like(&staffing, "90 lent by SOC/CT: busy ", "% of the time"),
        "{staffing}"
    );
    let svg = String::from_utf8(
        charts
            .iter()
            .find(|f| f.0 == "staffing.svg")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(svg.contains("#963C00"), "the label's darker accent");
}

/// Whether `text` holds `head`, a whole number, then `tail`.
fn regex_lite_like(text: &str, head: &str, tail: &str) -> bool {
    text.match_indices(head).any(|(i, _)| {
        let rest = &text[i + head.len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(tail)
    })
}

/// The tornado's centre is a mean over runs that may be censored at the horizon: then a lower
/// bound, and the subtitle says "or later" of it as of the forecast's mean. From the committed
/// analysis (no run censored), with its shares set by hand.
#[test]
fn the_tornado_says_or_later_of_censored_means() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023-sensitivity");
    let bytes = std::fs::read(dir.join("sensitivity.json")).unwrap();
    let s = load_sensitivity(&dir, &bytes).unwrap();
    let k = (s.outputs.iter())
        .position(|o| o.metric == "all_cases_closed")
        .unwrap();
    let words = |s: &crate::sensitivity::Sensitivity| {
        let charts = render_sensitivity(s).unwrap();
        words_of(&text_of(&charts[0].1))
    };
    let plain = words(&s);
    assert!(!plain.contains("or later"), "{plain}");
    let mut censored = s.clone();
    censored.outputs[k].central_censored_share = 0.25;
    censored.outputs[k].censored_share = 0.3;
    let said = words(&censored);
    assert!(
        said.contains(", every assumption at its median. With every assumption drawn")
            && said.matches(" or later").count() >= 2,
        "{said}"
    );
    assert!(
        said.contains("or later, every assumption at its median."),
        "{said}"
    );
}

/// The trade-off chart's key holds as many lines as its height allows and says how many
/// variants it left out, however long their labels: twelve labels of two lines each once ran
/// over the footer. From the committed comparison, its labels made long by hand.
#[test]
fn the_trade_off_key_stays_above_the_footer() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("output/met-2023-diversion-comparison");
    let mut c = load_comparison_dir(&dir).unwrap();
    // Not a grid any more (a setting beyond those varied, so none to name once above the
    // entries): each entry is its whole label.
    for (i, v) in c.variants.iter_mut().enumerate() {
        v.settings.push(crate::compare::Setting {
            path: "extra".into(),
            value: "1".into(),
        });
        v.label = format!(
            "variant {i} with a label long enough to take three lines of the key beside the plot"
        );
    }
    let svg = tradeoff_svg(&c);
    // (x, y) of every line of text: the footer is the lowest at the left edge.
    let at: Vec<(i32, i32)> = svg
        .split("<text x=\"")
        .skip(1)
        .map(|t| {
            let n: Vec<i32> = t
                .split('"')
                .step_by(2)
                .take(2)
                .map(|v| v.parse().unwrap())
                .collect();
            (n[0], n[1])
        })
        .collect();
    let footer = at.iter().filter(|p| p.0 < 40).map(|p| p.1).max().unwrap();
    let key_bottom = at.iter().filter(|p| p.0 > 600).map(|p| p.1).max().unwrap();
    assert!(
        key_bottom + 14 <= footer,
        "key to {key_bottom}, footer at {footer}"
    );
    let words = words_of(&text_of(svg.as_bytes()));
    assert!(words.contains("more: see comparison.csv"), "{words}");
}
