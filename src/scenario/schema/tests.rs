//! The committed schema against `vetsim schema`, and the `#:schema` line of every shipped
//! scenario. Validation against a real JSON Schema validator is in the `vetsim-schema-check`
//! package (`schema/tests/validate.rs`, `cargo test -p vetsim-schema-check`), so that `cargo test`
//! does not build one.

use super::*;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
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
fn the_committed_schema_is_what_vetsim_schema_prints() {
    let path = root().join("schema/vetsim-scenario.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == json_schema(),
        "{} is stale: regenerate it with `cargo run -- schema > schema/vetsim-scenario.schema.json`",
        path.display()
    );
}

#[test]
fn every_shipped_scenario_names_the_schema() {
    let files = shipped();
    assert!(files.len() >= 8, "{files:?}");
    let committed = root()
        .join("schema/vetsim-scenario.schema.json")
        .canonicalize()
        .unwrap();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Its first line points an editor at the committed schema, relative to the file.
        let first = text.lines().next().unwrap_or_default();
        let target = first
            .strip_prefix("#:schema ")
            .unwrap_or_else(|| panic!("{}: first line {first:?}", f.display()));
        let resolved = f.parent().unwrap().join(target).canonicalize().ok();
        assert_eq!(
            resolved.as_ref(),
            Some(&committed),
            "{}: #:schema {target}",
            f.display()
        );
    }
}

#[test]
fn init_replaces_the_schema_line_with_how_to_make_one() {
    let text = "#:schema ../schema/vetsim-scenario.schema.json\nname = \"x\"\n";
    let out = relocatable(text);
    assert_eq!(out, format!("{SCHEMA_HINT}\nname = \"x\"\n"));
    assert!(!out.lines().any(|l| l.starts_with("#:schema")));
    assert_eq!(
        relocatable("# other\nname = \"x\"\n"),
        "# other\nname = \"x\"\n"
    );
}
