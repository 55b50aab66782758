//! `report.html`: written by run, compare and sensitivity, self-contained, rebuilt byte for byte
//! by `vetsim plot` and checked by `vetsim plot --check`.

use super::{root, vetsim};
use predicates::prelude::*;
use std::fs;
use std::path::Path;

/// Decodes standard base64 (what the report's `data:` URIs hold).
fn unbase64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let bytes: Vec<u8> = s.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= u32::from(val(c)) << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

/// Checks what every report holds and returns its text: no `http://` or `https://` anywhere in
/// the page (so no request: the charts are `data:` URIs, the style inline, and there is no
/// script); each chart inline as exactly the bytes of its file, whose only URL is the SVG
/// namespace (an identifier, never fetched); listed in the manifest of `main`; the headlines,
/// the provenance and the inputs table.
fn check_report(dir: &Path, main: &str, charts: &[&str]) -> String {
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(!html.contains("http://") && !html.contains("https://"));
    assert!(!html.contains("<script") && !html.contains("<link"));
    let mut found = Vec::new();
    for part in html.split("src=\"data:image/svg+xml;base64,").skip(1) {
        let b64 = part.split('"').next().unwrap();
        found.push(unbase64(b64));
    }
    assert_eq!(found.len(), charts.len());
    for (svg, name) in found.iter().zip(charts) {
        assert_eq!(svg, &fs::read(dir.join(name)).unwrap(), "{name} inline");
        let text = String::from_utf8(svg.clone()).unwrap();
        let urls: Vec<&str> = text
            .match_indices("http")
            .map(|(i, _)| &text[i..(i + 30).min(text.len())])
            .collect();
        assert!(
            urls.iter()
                .all(|u| u.starts_with("http://www.w3.org/2000/svg\"")),
            "{name}: {urls:?}"
        );
        assert_eq!(urls.len(), 1, "{name}: the xmlns alone");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join(main)).unwrap()).unwrap();
    let digest = json["manifest"]["files"]["report.html"].as_str().unwrap();
    use sha2::Digest;
    let actual: String = sha2::Sha256::digest(html.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, actual, "report.html sealed in {main}");
    // Provenance.
    let meta = &json["meta"];
    for key in ["scenario_file", "scenario_hash", "version"] {
        assert!(html.contains(meta[key].as_str().unwrap()), "{key}");
    }
    assert!(html.contains(&format!("<td>{}</td>", meta["seed"])));
    assert!(html.contains(&format!("<td>{}</td>", meta["format_version"])));
    // Headings in order, tables captioned.
    let h1 = html.find("<h1>").unwrap();
    assert!(h1 < html.find("<h2").unwrap());
    assert!(!html.contains("<h3") && !html.contains("<h4"));
    assert_eq!(
        html.matches("<table").count(),
        html.matches("<caption>").count()
    );
    html
}

#[test]
fn run_compare_and_sensitivity_write_a_self_contained_report() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    vetsim()
        .current_dir(root())
        .args(["run", "scenarios/met-2023.toml", "-n", "24", "-q", "-o"])
        .arg(&run)
        .assert()
        .success();
    let html = check_report(
        &run,
        "summary.json",
        &[
            "screening.svg",
            "caseload.svg",
            "completion.svg",
            "waiting.svg",
            "staffing.svg",
        ],
    );
    assert!(html.contains("<h1>met-2023</h1>"));
    // The headlines are the charts' titles (as the SVG escapes them: &apos;).
    let svg = fs::read_to_string(run.join("caseload.svg")).unwrap();
    let title = svg
        .lines()
        .find(|l| l.starts_with("Open cases peak at"))
        .unwrap();
    assert!(
        html.contains(&format!("<li>{}</li>", title.replace("&apos;", "&#x27;"))),
        "{title}"
    );
    // The inputs as written, each beside its comment, an assumption beside its source.
    assert!(html.contains("<code>records</code></th><td><code>50000</code></td><td class=\"comment\">FACT: all employees (about 34,000-34,500 of them officers)"));
    assert!(html.contains("Source: judgment: no published hours per investigation"));
    assert!(html.contains("<code>[[screening.hits]]</code> potential misconduct"));
    // Key dates with their intervals and errors.
    assert!(html.contains("<th scope=\"row\">Last case closed</th>"));
    assert!(html.contains(" working days</td>"));

    let cmp = dir.path().join("cmp");
    vetsim()
        .current_dir(root())
        .args([
            "compare",
            "scenarios/met-2023.toml",
            "--vary",
            "teams.diverted_soc_ct.headcount=0,90",
            "-n",
            "8",
            "-q",
            "-o",
        ])
        .arg(&cmp)
        .assert()
        .success();
    let html = check_report(
        &cmp,
        "comparison.json",
        &[
            "compare-finish.svg",
            "compare-peak.svg",
            "compare-tradeoff.svg",
        ],
    );
    assert!(html.contains("Comparison"));
    // Variants are named by their settings: a `--vary` has no label, so its path.
    assert!(html.contains(r#"<th scope="row">teams.diverted_soc_ct.headcount: 0</th>"#));
    assert!(
        html.contains(r#"<th scope="row">teams.diverted_soc_ct.headcount: 90 — baseline</th>"#)
    );
    // A `[[experiment.vary]]` with a label is named by it, dates as dates, nothing repeated.
    let levers = dir.path().join("levers");
    vetsim()
        .current_dir(root())
        .args([
            "compare",
            "scenarios/met-2023-diversion.toml",
            "-n",
            "2",
            "-q",
            "-o",
        ])
        .arg(&levers)
        .assert()
        .success();
    let html = fs::read_to_string(levers.join("report.html")).unwrap();
    assert!(html.contains(
        r#"<th scope="row">Officers diverted from SOC&#x2f;CT: 45; Diverted until: 6 Oct 2023</th>"#
    ));
    assert!(
        !html.contains("(teams.diverted_soc_ct"),
        "settings repeated in brackets"
    );

    let sens = dir.path().join("sens");
    vetsim()
        .current_dir(root())
        .args([
            "sensitivity",
            "scenarios/met-2023.toml",
            "-n",
            "4",
            "-q",
            "-o",
        ])
        .arg(&sens)
        .assert()
        .success();
    let html = check_report(&sens, "sensitivity.json", &["sensitivity.svg"]);
    assert!(html.contains("Assumptions, ranked by how far each moves"));

    // `plot` rebuilds each byte for byte; `plot --check` finds an edited one (exit 3, naming it).
    for d in [&run, &cmp, &sens] {
        let before = fs::read(d.join("report.html")).unwrap();
        fs::remove_file(d.join("report.html")).unwrap();
        vetsim()
            .arg("plot")
            .arg("--check")
            .arg(d)
            .assert()
            .code(3)
            .stderr(predicate::str::contains("report.html"));
        vetsim()
            .arg("plot")
            .arg(d)
            .assert()
            .success()
            .stdout(predicate::str::contains("report.html"));
        assert_eq!(fs::read(d.join("report.html")).unwrap(), before);
        vetsim()
            .arg("plot")
            .arg("--check")
            .arg(d)
            .assert()
            .success();
        let edited = String::from_utf8(before.clone())
            .unwrap()
            .replacen("<h1>", "<h1>Edited ", 1);
        fs::write(d.join("report.html"), edited).unwrap();
        vetsim()
            .arg("plot")
            .arg("--check")
            .arg(d)
            .assert()
            .code(3)
            .stderr(predicate::str::contains("report.html"));
        vetsim().arg("plot").arg(d).assert().success();
        assert_eq!(fs::read(d.join("report.html")).unwrap(), before);
    }
}

/// What a scenario says is shown as text: a comment or a source holding markup is escaped.
#[test]
fn markup_in_a_scenario_is_shown_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("tests/bad-scenarios/base.toml")).unwrap();
    let text = format!(
        "# <script>alert(1)</script> & \"quotes\"\n\n# above the name\n{}",
        text.replacen(
            "seed = 1\n",
            "seed = 1  # <img src=x onerror=alert(2)>\n",
            1
        )
    );
    assert!(text.contains("onerror"));
    let file = dir.path().join("markup.toml");
    fs::write(&file, &text).unwrap();
    let out = dir.path().join("out");
    vetsim()
        .args(["run", "-n", "4", "-q", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "no script element");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; &quot;quotes&quot;"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
}
