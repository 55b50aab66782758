//! The schema against the shipped scenarios, the bad-scenario corpus and the parser, with a real
//! JSON Schema validator (draft-07, formats checked) over the JSON form of each TOML file.
//!
//! A package of its own (`cargo test -p vetsim-schema-check`, run by CI) so that vetsim's own
//! `cargo test` does not build the validator and its dependencies.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use vetsim::scenario::json_schema;

/// The repository's root (this package is its `schema/` directory).
fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&json_schema()).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema is a valid draft-07 schema")
}

/// The JSON form of a TOML document, as taplo validates it: a date becomes its string.
fn to_json(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => json!(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => json!(f),
        toml::Value::Boolean(b) => json!(b),
        toml::Value::Datetime(d) => json!(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Whether every float in `v` is finite.
fn finite(v: &toml::Value) -> bool {
    match v {
        toml::Value::Float(f) => f.is_finite(),
        toml::Value::Array(a) => a.iter().all(finite),
        toml::Value::Table(t) => t.values().all(finite),
        _ => true,
    }
}

/// The schema's errors for a scenario's text (empty when it conforms).
fn errors(v: &jsonschema::Validator, text: &str) -> Vec<String> {
    let doc: toml::Value = toml::from_str(text).expect("TOML");
    let json = to_json(&doc);
    v.iter_errors(&json)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

fn toml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// The scenarios that ship: the examples, the verification models and the starters.
fn shipped() -> Vec<PathBuf> {
    ["scenarios", "scenarios/verification", "assets/starters"]
        .iter()
        .flat_map(|d| toml_files(d))
        .collect()
}

#[test]
fn every_shipped_scenario_conforms() {
    let v = validator();
    let files = shipped();
    assert!(files.len() >= 8, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let errors = errors(&v, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn mistakes_of_form_fail_the_schema() {
    let v = validator();
    let base = std::fs::read_to_string(root().join("assets/starters/minimal.toml")).unwrap();
    assert_eq!(errors(&v, &base), Vec::<String>::new());
    for (what, from, to) in [
        ("unknown field", "\nseed = ", "\nsed = "),
        (
            "wrong type",
            "\nreplications = 1000",
            "\nreplications = \"1000\"",
        ),
        (
            "date-time for a date",
            "start = 2024-04-01",
            "start = 2024-04-01T09:00:00",
        ),
        (
            "impossible date",
            "start = 2024-04-01",
            "start = \"2024-02-30\"",
        ),
        (
            "unknown weekday",
            "[calendar]\n",
            "[calendar]\nworking_days = [\"Lun\"]\n",
        ),
        ("unknown dist", "dist = \"triangular\"", "dist = \"beta\""),
    ] {
        assert!(base.contains(from), "{what}: {from:?} not in the starter");
        let bad = base.replacen(from, to, 1);
        assert!(!errors(&v, &bad).is_empty(), "{what}: accepted");
    }
}

/// Edits of the starter around the hand-written schemas, each read the same by the parser and
/// the schema (accepted by both or refused by both).
#[test]
fn the_schema_agrees_with_the_parser_on_each_kind_of_value() {
    let v = validator();
    let base = std::fs::read_to_string(root().join("assets/starters/minimal.toml")).unwrap();
    let rate = "rate = { observed = 4, of = 1000 }";
    let effort = "effort = { dist = \"lognormal\", mean = 12, sd = 6 }";
    let hours = "hours_per_day = 5.5";
    let to = "to = 2024-12-31";
    let calendar = "[calendar]\n";
    let holidays = "holidays = \"england-and-wales\"";
    let top = "\nseed = 1";
    let count = "{ count = 6 }";
    let teams = "teams = [\"professional standards\"]\nrouting";
    let cases: &[(&str, &str, bool)] = &[
        (
            calendar,
            "[calendar]\nworking_days = [\"monday\", \"TUE\", \"Wednesday\"]\n",
            true,
        ),
        (calendar, "[calendar]\nworking_days = [\"Mo\"]\n", false),
        (holidays, "holidays = \"none\"", true),
        (holidays, "holidays = \"None\"", false),
        (
            calendar,
            "[calendar]\nextra_holidays = [2024-12-27, \"2024-12-30\"]\n",
            true,
        ),
        (
            calendar,
            "[calendar]\nextra_holidays = [2250-01-01]\n",
            false,
        ),
        (rate, "rate = 0.004", true),
        (
            rate,
            "rate = { observed = 4, of = 1000, prior = [1, 1] }",
            true,
        ),
        (
            rate,
            "rate = { observed = 4, of = 1000, source = \"pilot\" }",
            false,
        ),
        (rate, "rate = { observed = 4 }", false),
        (
            rate,
            "rate = { dist = \"uniform\", min = 0.001, max = 0.01, source = \"x\" }",
            true,
        ),
        (rate, "rate = { assumption = \"r\" }", true),
        (rate, "rate = { assumption = \"r\", source = \"x\" }", false),
        (rate, "rate = \"0.004\"", false),
        (effort, "effort = 12", true),
        (
            effort,
            "effort = { dist = \"empirical\", values = [1, 2], weights = [3, 1] }",
            true,
        ),
        (
            effort,
            "effort = { dist = \"lognormal\", mean = 12, sd = 6, source = \"x\" }",
            false,
        ),
        (
            effort,
            "effort = { dist = \"lognormal\", mean = 12 }",
            false,
        ),
        (
            effort,
            "effort = { dist = \"lognormal\", mean = 12, sd = 6, max = 9 }",
            false,
        ),
        (effort, "effort = { assumption = \"e\" }", false),
        (
            hours,
            "hours_per_day = { dist = \"fixed\", value = 5.5 }",
            true,
        ),
        (
            hours,
            "hours_per_day = { dist = \"gamma\", mean = 5, sd = 1, source = \"x\" }",
            true,
        ),
        (hours, "hours_per_day = { assumption = \"h\" }", true),
        (hours, "hours_per_day = [5.5]", false),
        (to, "to = \"2024-12-31\"", true),
        (
            to,
            "to = { dist = \"uniform\", min = 2024-10-01, max = 2024-12-31 }",
            true,
        ),
        (
            to,
            "to = { dist = \"triangular\", min = 2024-10-01, mode = 2024-11-01, max = 2024-12-31, source = \"x\" }",
            true,
        ),
        (to, "to = { dist = \"uniform\", min = 1, max = 2 }", false),
        (to, "to = { dist = \"lognormal\", mean = 1, sd = 2 }", false),
        (to, "to = { assumption = \"end\" }", true),
        (to, "to = 2024-12-31T17:00:00", false),
        (to, "to = 5", false),
        (
            top,
            "\nseed = 1\n[assumptions]\na = 5\nb = 2024-01-01\nc = { dist = \"uniform\", min = 1, max = 2, source = \"x\" }\nd = { dist = \"uniform\", min = 2024-01-01, max = 2024-02-01 }",
            true,
        ),
        (top, "\nseed = 1\n[assumptions]\na = \"five\"", false),
        (
            top,
            "\nseed = 1\n[assumptions]\na = { dist = \"beta\", a = 1, b = 2 }",
            false,
        ),
        (
            top,
            "\nseed = 1\n[assumptions]\na = { dist = \"uniform\", min = 1, max = 2, note = \"x\" }",
            false,
        ),
        (top, "\nseed = -1", false),
        (top, "\nseed = 1.5", false),
        (count, "{ count = 4294967296 }", false),
        (count, "{ count = 4294967295 }", true),
        (count, "{ count = 6, for = \"6 months\" }", true),
        (count, "{ count = 6, working_days = 130 }", true),
        (
            teams,
            "priority = -2147483649\nteams = [\"professional standards\"]\nrouting",
            false,
        ),
        (
            teams,
            "priority = -2147483648\nteams = [\"professional standards\"]\nrouting",
            true,
        ),
        (
            top,
            "\nseed = 1\n[experiment]\nvary = [{ path = \"seed\", values = [1, 2], label = \"Seed\" }]",
            true,
        ),
        (
            top,
            "\nseed = 1\n[experiment]\nvary = [{ path = \"seed\" }]",
            false,
        ),
    ];
    for (from, to, accepted) in cases {
        assert!(base.contains(from), "{from:?} not in the starter");
        let text = base.replacen(from, to, 1);
        let parsed = toml::from_str::<vetsim::scenario::RawScenario>(&text);
        assert_eq!(parsed.is_ok(), *accepted, "parser on {to:?}: {parsed:?}");
        let errors = errors(&v, &text);
        assert_eq!(
            errors.is_empty(),
            *accepted,
            "schema on {to:?}: {errors:#?}"
        );
    }
}

/// The schema accepts what the parser accepts, and refuses what it refuses, over the
/// bad-scenario corpus (one fault each) and every shipped scenario.
#[test]
fn the_schema_agrees_with_the_parser() {
    let v = validator();
    let mut files = toml_files("tests/bad-scenarios");
    files.extend(shipped());
    let mut disagree = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let Ok(doc) = toml::from_str::<toml::Value>(&text) else {
            continue; // Not TOML: no JSON form to check.
        };
        if !finite(&doc) {
            continue; // JSON has no NaN or infinity (validation refuses them in TOML).
        }
        let parsed = toml::from_str::<vetsim::scenario::RawScenario>(&text);
        let errors = errors(&v, &text);
        if parsed.is_ok() != errors.is_empty() {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            disagree.push((name, parsed.err().map(|e| e.to_string()), errors));
        }
    }
    assert!(disagree.is_empty(), "{disagree:#?}");
}
