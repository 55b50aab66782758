//! The table of a scenario's inputs as written, for the report: each setting of the scenario copy
//! (`scenario.toml`) beside the comment that documents it, read with `toml_edit` (which keeps
//! comments), section by section in file order.
//!
//! A setting's comment is the block of comment lines directly above it (no blank line between)
//! and the comment at the end of its line; earlier blocks above a table header describe the
//! section. An assumption's `source = "..."` (inside its inline table) is shown as its source,
//! beside the comment, and left out of the value.

use serde::Serialize;
use toml_edit::{DocumentMut, Item, Table, Value};

/// The inputs of one scenario file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Inputs {
    /// The comment at the top of the file (before the first setting), one paragraph per block.
    pub preface: Vec<String>,
    pub sections: Vec<Section>,
}

/// One table of the file (`[screening]`, one entry of `[[teams]]`); the settings at the top of
/// the file are the section with an empty `header`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// As written in the file: `[screening.throughput]`, `[[teams]]`, or empty.
    pub header: String,
    /// The entry's `name`, for an entry of an array of tables that has one.
    pub name: Option<String>,
    /// The comment above the header.
    pub comment: String,
    pub rows: Vec<Row>,
}

/// One setting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The key within its section (dotted for dotted keys).
    pub key: String,
    /// The value as written (without its comments, or its `source`).
    pub value: String,
    /// The comment above it and at the end of its line, joined.
    pub comment: String,
    /// The `source` of an assumption written inline.
    pub source: Option<String>,
}

/// The inputs of `text`, a scenario file; `None` if it does not parse as TOML (the caller has
/// checked it against its digest, so it always does).
pub fn inputs(text: &str) -> Option<Inputs> {
    let doc: DocumentMut = text.parse().ok()?;
    let mut sections: Vec<(isize, Section)> = Vec::new();
    let root = doc.as_table();
    // The file's opening comment sits before its first key (or first table): all blocks but the
    // last are the preface, the last documents that key.
    let mut preface = Vec::new();
    let mut top = Section {
        header: String::new(),
        name: None,
        comment: String::new(),
        rows: Vec::new(),
    };
    rows_of(root, "", &mut top.rows, &mut preface);
    // With no top-level setting, the first table's header carries the file's opening comment.
    let headed = top.rows.is_empty();
    sections.push((-1, top));
    walk(root, "", &mut sections, &mut preface, headed);
    sections.sort_by_key(|(p, _)| *p);
    Some(Inputs {
        preface: preface
            .iter()
            .flat_map(|b| b.split("\n\n"))
            .map(str::to_string)
            .collect(),
        sections: sections
            .into_iter()
            .map(|(_, s)| s)
            .filter(|s| !s.rows.is_empty() || !s.comment.is_empty())
            .collect(),
    })
}

/// Comment blocks of a prefix (the whitespace and comments before a key or header), each block
/// a paragraph of its lines without `#`; directive lines (`#:schema`) and rules (`# ----`) are
/// left out.
fn blocks(prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    // Lines of a block are joined with spaces (they were wrapped to fit the file), except a line
    // that starts an item of a list (`- `).
    let join = |lines: &[String]| {
        let mut s = String::new();
        let mut para = true;
        for l in lines {
            if l.is_empty() {
                // An empty comment line: a paragraph break.
                para = true;
                continue;
            }
            if !s.is_empty() {
                s.push_str(match (para, l.starts_with("- ")) {
                    (true, _) => "\n\n",
                    (false, true) => "\n",
                    (false, false) => " ",
                });
            }
            para = false;
            s.push_str(l);
        }
        s
    };
    for line in prefix.lines() {
        let line = line.trim();
        match line.strip_prefix('#') {
            None => {
                if !cur.is_empty() {
                    out.push(join(&cur));
                    cur.clear();
                }
            }
            Some(rest) => {
                if rest.starts_with(':')
                    || (!rest.trim().is_empty()
                        && rest
                            .trim()
                            .chars()
                            .all(|c| matches!(c, '-' | '=' | '#' | '*')))
                {
                    continue;
                }
                cur.push(rest.trim().to_string());
            }
        }
    }
    if !cur.is_empty() {
        out.push(join(&cur));
    }
    out
}

/// Whether the last comment of a prefix is parted from what follows it by a blank line (so it
/// does not document that key or header). False when the prefix has no comment.
fn detached(prefix: &str) -> bool {
    let mut after_comment = None;
    for line in prefix.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            after_comment = Some(false);
        } else if line.is_empty()
            && let Some(blank) = after_comment.as_mut()
        {
            *blank = true;
        }
    }
    after_comment.unwrap_or(false)
}

/// The comment at the end of a value's line.
fn trailing(v: &Value) -> String {
    v.decor()
        .suffix()
        .and_then(|s| s.as_str())
        .map(|s| s.trim().trim_start_matches('#').trim().to_string())
        .unwrap_or_default()
}

/// The settings (values, and dotted keys' values) of `t`, with `prefix` before their keys. The
/// comment blocks above the first one beyond its own go to `extra` (the file's preface).
fn rows_of(t: &Table, prefix: &str, rows: &mut Vec<Row>, extra: &mut Vec<String>) {
    for (k, item) in t.iter() {
        let key = format!("{prefix}{k}");
        match item {
            Item::Value(v) => {
                let mut above = t
                    .key(k)
                    .and_then(|k| k.leaf_decor().prefix())
                    .and_then(|p| p.as_str())
                    .map(blocks)
                    .unwrap_or_default();
                let first = prefix.is_empty() && rows.is_empty() && extra.is_empty();
                let raw = t.key(k).and_then(|k| k.leaf_decor().prefix());
                // The file's first setting: a last block followed by a blank line belongs to
                // the preface (the usual header of a scenario), not to the setting.
                let mut comment = if first && raw.and_then(|p| p.as_str()).is_some_and(detached) {
                    String::new()
                } else {
                    above.pop().unwrap_or_default()
                };
                if first {
                    extra.append(&mut above);
                }
                let tail = trailing(v);
                if !tail.is_empty() {
                    if !comment.is_empty() {
                        comment.push('\n');
                    }
                    comment.push_str(&tail);
                }
                let (value, source) = as_written(v);
                rows.push(Row {
                    key,
                    value,
                    comment,
                    source,
                });
            }
            Item::Table(sub) if sub.is_dotted() => {
                rows_of(sub, &format!("{key}."), rows, extra);
            }
            _ => {}
        }
    }
}

/// A value as written, without its decoration; an inline table without its `source`, returned
/// apart.
fn as_written(v: &Value) -> (String, Option<String>) {
    let mut v = v.clone();
    v.decor_mut().clear();
    let mut source = None;
    if let Value::InlineTable(t) = &mut v
        && let Some(s) = t.get("source").and_then(|s| s.as_str()).map(str::to_string)
    {
        t.remove("source");
        // Spacing as the TOML formatter writes it (the space before `}` went with `source`).
        t.fmt();
        source = Some(s);
    }
    (v.to_string().trim().to_string(), source)
}

/// Every table below `t` (path `path`) as a section, keyed by its position in the file.
fn walk(
    t: &Table,
    path: &str,
    out: &mut Vec<(isize, Section)>,
    preface: &mut Vec<String>,
    headed: bool,
) {
    for (k, item) in t.iter() {
        let here = if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        };
        match item {
            Item::Table(sub) if !sub.is_dotted() => {
                if !sub.is_implicit() {
                    out.push((
                        sub.position().unwrap_or(isize::MAX),
                        section(sub, format!("[{here}]"), preface, headed),
                    ));
                }
                walk(sub, &here, out, preface, headed);
            }
            Item::ArrayOfTables(a) => {
                for sub in a.iter() {
                    out.push((
                        sub.position().unwrap_or(isize::MAX),
                        section(sub, format!("[[{here}]]"), preface, headed),
                    ));
                    walk(sub, &here, out, preface, headed);
                }
            }
            _ => {}
        }
    }
}

/// `headed`: the file has no top-level setting, so its first header (document position 1, the
/// root being 0) carries the file's opening comment.
fn section(t: &Table, header: String, preface: &mut Vec<String>, headed: bool) -> Section {
    let mut above = t
        .decor()
        .prefix()
        .and_then(|p| p.as_str())
        .map(blocks)
        .unwrap_or_default();
    // A table at the very top of a file with no top-level settings carries the file's preface:
    // every block but the last, and the last too when a blank line parts it from the header.
    let prefix_text = t.decor().prefix().and_then(|p| p.as_str()).unwrap_or("");
    if headed && t.position() == Some(1) && preface.is_empty() {
        if detached(prefix_text) {
            preface.append(&mut above);
        } else if above.len() > 1 {
            let last = above.pop().unwrap_or_default();
            preface.append(&mut above);
            above.push(last);
        }
    }
    let mut rows = Vec::new();
    rows_of(t, "", &mut rows, &mut Vec::new());
    Section {
        header,
        name: t.get("name").and_then(|n| n.as_str()).map(str::to_string),
        comment: above.join("\n\n"),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_beside_its_comment_and_an_assumption_beside_its_source() {
        let text = r#"#:schema ../schema/x.json
# A scenario.
#
# Field reference: elsewhere.

# The name.
name = "x"
start = 2023-04-06   # FACT: the date

# ----------
# Screening
# ----------
[screening]
records = 50000      # FACT: all employees
[assumptions]
# Of a 7.5 h day.
productive_hours = { dist = "triangular", min = 4.5, mode = 5.5, max = 6.5, source = "judgment <b>" }

[[teams]]
name = "psd"
headcount = [{ count = 2 }]
"#;
        let i = inputs(text).unwrap();
        assert_eq!(i.preface, ["A scenario.", "Field reference: elsewhere."]);
        let top = &i.sections[0];
        assert_eq!(top.header, "");
        assert_eq!(top.rows[0].key, "name");
        assert_eq!(top.rows[0].value, "\"x\"");
        assert_eq!(top.rows[0].comment, "The name.");
        assert_eq!(top.rows[1].comment, "FACT: the date");
        let s = &i.sections[1];
        assert_eq!(s.header, "[screening]");
        assert_eq!(s.comment, "Screening");
        assert_eq!(s.rows[0].value, "50000");
        assert_eq!(s.rows[0].comment, "FACT: all employees");
        let a = &i.sections[2].rows[0];
        assert_eq!(a.key, "productive_hours");
        assert_eq!(
            a.value,
            r#"{ dist = "triangular", min = 4.5, mode = 5.5, max = 6.5 }"#
        );
        assert_eq!(a.source.as_deref(), Some("judgment <b>"));
        assert_eq!(a.comment, "Of a 7.5 h day.");
        let t = &i.sections[3];
        assert_eq!(
            (t.header.as_str(), t.name.as_deref()),
            ("[[teams]]", Some("psd"))
        );
        assert_eq!(t.rows[1].value, "[{ count = 2 }]");
    }

    /// A file's header comment followed by a blank line is the preface, not the comment of the
    /// first setting (or table) after it: met-2023's preface once sat beside `name`.
    #[test]
    fn a_header_parted_by_a_blank_line_is_the_preface() {
        let i = inputs("# A scenario.\n#\n# Its sources.\n\nname = \"x\"\n").unwrap();
        assert_eq!(i.preface, ["A scenario.", "Its sources."]);
        assert_eq!(i.sections[0].rows[0].comment, "");
        // Two blocks, the last against the key: the last documents it.
        let i = inputs("# Header.\n\n# The name.\nname = \"x\"\n").unwrap();
        assert_eq!(i.preface, ["Header."]);
        assert_eq!(i.sections[0].rows[0].comment, "The name.");
        // The same for a file that starts with a table.
        let i = inputs("# Header.\n\n[screening]\nrecords = 5\n").unwrap();
        assert_eq!(i.preface, ["Header."]);
        assert_eq!(i.sections[0].comment, "");
        let i = inputs("# Header.\n\n# Screening.\n[screening]\nrecords = 5\n").unwrap();
        assert_eq!(i.preface, ["Header."]);
        assert_eq!(i.sections[0].comment, "Screening.");
        assert!(!detached("") && !detached("\n\n") && detached("# a\n\n"));
        assert!(!detached("# a\n") && !detached("\n# a\n"));
    }
}
