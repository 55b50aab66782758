//! Where in the file a problem is: byte offsets to line and column, a caret snippet, and the walk
//! from a validation path such as `teams[1].headcount[0].to` to the place in the TOML that holds it.
//!
//! Validation works on parsed values and knows only paths; this module re-reads the text with
//! `toml_edit` (which keeps spans) so that every message can name a line. It never fails: a path
//! it cannot follow points at the nearest enclosing part that exists.

use super::FieldError;
use std::ops::Range;
use toml_edit::{Document, Item, Value};

/// 1-based (line, column) of a byte offset; columns count characters.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text
        .get(line_start..offset)
        .map(|s| s.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}

/// The line holding `span` with carets under the span (clipped to that line), as toml shows it.
/// The line is shown as a terminal would draw it under the caret line: tabs expanded to spaces (to
/// the next multiple of [`TAB_WIDTH`] columns; a tab reproduced in the caret line would be as wide
/// only where the terminal's tab stops agree) and invisible characters escaped (`\u{200b}`), so
/// that the carets stand under the text they mean and a bidi control cannot reorder the line.
pub(crate) fn snippet(text: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let (line, column) = line_col(text, start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let width = text
        .get(start..span.end.min(text.len()))
        .map(|s| s.split('\n').next().unwrap_or("").chars().count())
        .unwrap_or(1)
        .max(1);
    // A very long line (a whole table on one line, a pasted blob) is shown as a window of
    // SNIPPET_CHARS around the caret, so that the message stays readable.
    let chars: Vec<char> = line_text.chars().collect();
    let at = column - 1;
    let (from, to) = if chars.len() <= SNIPPET_CHARS + 20 {
        (0, chars.len())
    } else {
        let from = at
            .saturating_sub(SNIPPET_CHARS / 2)
            .min(chars.len().saturating_sub(SNIPPET_CHARS));
        (from, (from + SNIPPET_CHARS).min(chars.len()))
    };
    // Columns as drawn: each character of the window becomes one piece of the shown line.
    let mut shown = String::new();
    let mut col = 0;
    if from > 0 {
        shown.push('…');
        col += 1;
    }
    let (mut caret_at, mut caret_width) = (None, 0);
    for (i, &ch) in chars.iter().enumerate().take(to).skip(from) {
        let piece = match ch {
            '\t' => " ".repeat(TAB_WIDTH - col % TAB_WIDTH),
            _ if crate::quote::is_invisible(ch) => crate::quote::escape(ch),
            _ => ch.to_string(),
        };
        let w = piece.chars().count();
        if i == at {
            caret_at = Some(col);
        }
        if (at..at + width).contains(&i) {
            caret_width += w;
        }
        col += w;
        shown.push_str(&piece);
    }
    if to < chars.len() {
        shown.push('…');
    }
    // At the end of the line (an unclosed string) the caret stands just after it.
    let caret_at = caret_at.unwrap_or(col);
    let gutter = line.to_string().len();
    format!(
        "{:gutter$} |\n{line} | {shown}\n{:gutter$} | {}{}",
        "",
        "",
        " ".repeat(caret_at),
        "^".repeat(caret_width.max(1)),
    )
}

/// Columns between tab stops in a snippet's line.
const TAB_WIDTH: usize = 4;

/// Most characters of a line shown in a snippet.
const SNIPPET_CHARS: usize = 100;

/// Adds a "did you mean" to serde's "unknown field `x`, expected `a`, `b` or `c`" and "unknown
/// variant" messages when one valid name is close to the misspelt one, and shows the name the
/// user wrote with its invisible characters escaped (serde writes it as it is).
pub(crate) fn polish_serde_message(msg: &str) -> String {
    let msg = msg.trim_end();
    let Some(rest) = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("unknown variant `"))
    else {
        return msg.to_string();
    };
    let Some(end) = rest.find('`') else {
        return msg.to_string();
    };
    let given = &rest[..end];
    let expected: Vec<&str> = rest[end + 1..].split('`').skip(1).step_by(2).collect();
    let shown = crate::quote::escaped(given);
    let msg = &msg.replacen(&format!("`{given}`"), &format!("`{shown}`"), 1);
    let best = expected
        .iter()
        .map(|e| (edit_distance(given, e), *e))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, name)) if d <= 2.max(given.len() / 3) && d > 0 => {
            format!("{msg} (did you mean `{name}`?)")
        }
        _ => msg.to_string(),
    }
}

/// Replaces serde's Rust type names at the end of a message ("expected u64") with words a planner
/// reads, and shortens a huge float literal that serde writes out in full (`1e99` as 100 digits).
pub(crate) fn plain_types(msg: &str) -> String {
    const TYPES: [(&str, &str); 6] = [
        ("expected u64", "expected a whole number, 0 or more"),
        (
            "expected u32",
            "expected a whole number from 0 to 4,294,967,295",
        ),
        (
            "expected i32",
            "expected a whole number from -2,147,483,648 to 2,147,483,647",
        ),
        ("expected f64", "expected a number"),
        ("expected a sequence", "expected a list [...]"),
        ("expected a map", "expected a table"),
    ];
    let mut out = msg.to_string();
    // toml reads an integer beyond 64 bits as an i128, which serde calls the wrong type
    // ("invalid type: integer `N` as i128, expected u64"): the type is right, the size is not.
    if let Some(rest) = out.strip_prefix("invalid type: integer `")
        && let Some((n, expected)) = rest.split_once("` as i128, ")
    {
        let expected = match expected {
            "expected u64" if !n.starts_with('-') => {
                "expected a whole number from 0 to 18,446,744,073,709,551,615"
            }
            "expected f64" => "expected a number: write one this large with an exponent, e.g. 1e20",
            other => other,
        };
        out = format!("invalid value: integer `{n}`, {expected}");
    }
    for (rust, plain) in TYPES {
        if let Some(head) = out.strip_suffix(rust) {
            out = format!("{head}{plain}");
            break;
        }
    }
    // serde's names of what was written: the scenario's words for them.
    for (serde_name, plain) in [
        ("invalid type: sequence,", "invalid type: a list,"),
        ("invalid type: map,", "invalid type: a table,"),
    ] {
        if let Some(rest) = out.strip_prefix(serde_name) {
            out = format!("{plain}{rest}");
        }
    }
    // serde names the Rust type of a table ("expected struct RawCalendar"): a user wrote a
    // table, whatever its type is called here.
    if let Some(i) = out.find("expected struct Raw")
        && out[i + 19..].chars().all(|c| c.is_ascii_alphanumeric())
    {
        out = format!("{}expected a table", &out[..i]);
    }
    // "floating point `1000…0.0`": keep it short.
    if let Some(start) = out.find("floating point `")
        && let Some(len) = out[start + 16..].find('`')
        && len > 24
    {
        let lit = &out[start + 16..start + 16 + len];
        if let Ok(v) = lit.parse::<f64>() {
            out = format!("{}{v:e}{}", &out[..start + 16], &out[start + 16 + len..]);
        }
    }
    out
}

/// `text` as a `toml_edit` document, for its spans. `toml_edit` refuses numbers that `toml` reads
/// (an integer beyond the 64-bit signed range, such as a seed or count up to 2^64 - 1) or that
/// overflow (`1e400`): each such literal is replaced by `0` and spaces, of its length, so that the
/// document parses and every other span stays where it was. Without this, one such number left a
/// file's every problem without a line. `None` when the text is not TOML for another reason (or
/// holds more than [`MAX_PATCHES`] such numbers: each costs a parse).
fn document(text: &str) -> Option<Document<String>> {
    let mut text = text.to_string();
    for _ in 0..=MAX_PATCHES {
        let e = match Document::parse(text.clone()) {
            Ok(doc) => return Some(doc),
            Err(e) => e,
        };
        let span = e.span().filter(|s| !s.is_empty())?;
        if !e.message().contains("overflowed") {
            return None;
        }
        let len = text.get(span.clone())?.len();
        text.replace_range(span, &format!("0{}", " ".repeat(len - 1)));
    }
    None
}

/// Most numbers out of `toml_edit`'s range that [`document`] replaces in one text.
const MAX_PATCHES: usize = 100;

/// The field path (`teams[1].headcount[0].count`, in the form validation uses) of the innermost
/// key or value of the document whose span holds byte `offset`; `None` when the text is not
/// well-formed TOML or the offset is at the top level. Used to name the field of a type error.
pub(crate) fn path_at(text: &str, offset: usize) -> Option<String> {
    let doc = document(text)?;
    let mut best = None;
    walk_table(doc.as_table(), "", offset, &mut best);
    best.map(|(_, path)| path)
        .filter(|p: &String| !p.is_empty())
}

/// Keeps `path` if `span` holds `offset` and is no wider than the best so far (ties go to the
/// later, deeper candidate).
fn consider(
    span: Option<Range<usize>>,
    path: &str,
    offset: usize,
    best: &mut Option<(usize, String)>,
) {
    let Some(s) = span else { return };
    if s.start <= offset && offset < s.end.max(s.start + 1) {
        let width = s.end.saturating_sub(s.start);
        if best.as_ref().is_none_or(|(w, _)| width <= *w) {
            *best = Some((width, path.to_string()));
        }
    }
}

/// `prefix.key`, the key in quotes as TOML writes it when it is not a bare key: a quoted key
/// `"hours_per_day.x"` was shown as the dotted path `hours_per_day.x`, two keys.
fn join(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let key = if bare {
        key.to_string()
    } else {
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
    };
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk_table(
    t: &toml_edit::Table,
    prefix: &str,
    offset: usize,
    best: &mut Option<(usize, String)>,
) {
    if !prefix.is_empty() {
        consider(t.span(), prefix, offset, best);
    }
    for (k, item) in t.iter() {
        let path = join(prefix, k);
        consider(t.key(k).and_then(|k| k.span()), &path, offset, best);
        match item {
            Item::Table(t) => walk_table(t, &path, offset, best),
            Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    walk_table(t, &format!("{path}[{i}]"), offset, best);
                }
            }
            Item::Value(v) => walk_value(v, &path, offset, best),
            Item::None => {}
        }
    }
}

fn walk_value(v: &Value, path: &str, offset: usize, best: &mut Option<(usize, String)>) {
    consider(v.span(), path, offset, best);
    match v {
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_value(x, &format!("{path}[{i}]"), offset, best);
            }
        }
        Value::InlineTable(t) => {
            for (k, x) in t.iter() {
                let p = join(path, k);
                consider(t.key(k).and_then(|k| k.span()), &p, offset, best);
                walk_value(x, &p, offset, best);
            }
        }
        _ => {}
    }
}

/// Levenshtein distance, for suggestions.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn segments(path: &str) -> Vec<Seg<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key));
        }
        while let Some(close) = rest.find(']') {
            if let Ok(i) = rest[1..close].parse() {
                out.push(Seg::Index(i));
            }
            rest = &rest[close + 1..];
        }
    }
    out
}

enum Node<'a> {
    Item(&'a Item),
    Value(&'a Value),
    Table(&'a toml_edit::Table),
}

impl<'a> Node<'a> {
    fn span(&self) -> Option<Range<usize>> {
        match self {
            Node::Item(Item::Table(t)) => t.span(),
            Node::Item(Item::ArrayOfTables(a)) => a.span(),
            Node::Item(i) => i.span(),
            Node::Value(v) => v.span(),
            Node::Table(t) => t.span(),
        }
    }

    fn child(&self, seg: &Seg) -> Option<Node<'a>> {
        match (self, seg) {
            (Node::Item(Item::Table(t)), Seg::Key(k)) => t.get(k).map(Node::Item),
            (Node::Item(Item::Value(v)), s) => Node::Value(v).child(s),
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(i)) => a.get(*i).map(Node::Table),
            (Node::Value(Value::InlineTable(t)), Seg::Key(k)) => t.get(k).map(Node::Value),
            (Node::Value(Value::Array(a)), Seg::Index(i)) => a.get(*i).map(Node::Value),
            (Node::Table(t), Seg::Key(k)) => t.get(k).map(Node::Item),
            _ => None,
        }
    }
}

/// Fills in `line` and `column` of each error from its path.
pub(crate) fn attach_positions(text: &str, errors: &mut [FieldError]) {
    let Some(doc) = document(text) else {
        return;
    };
    let root = doc.as_item();
    for e in errors.iter_mut() {
        let mut node = Node::Item(root);
        let mut best: Option<Range<usize>> = None;
        for seg in segments(&e.path) {
            match node.child(&seg) {
                Some(next) => {
                    if let Some(s) = next.span() {
                        best = Some(s);
                    }
                    node = next;
                }
                None => break,
            }
        }
        if let Some(span) = best {
            let (l, c) = line_col(text, span.start);
            e.line = Some(l);
            e.column = Some(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }

    /// A long line is shown as a window around the caret, which still points at the same text.
    #[test]
    fn snippets_of_long_lines_are_a_window_around_the_caret() {
        let line = format!("x = [{}BAD{}]", "1, ".repeat(20_000), ", 2".repeat(20_000));
        let at = line.find("BAD").unwrap();
        let text = format!("a = 1\n{line}\n");
        let start = 6 + at;
        let snip = snippet(&text, start..start + 3);
        let lines: Vec<&str> = snip.lines().collect();
        assert_eq!(lines.len(), 3, "{snip}");
        assert!(lines[1].chars().count() < 120, "{}", lines[1]);
        assert!(lines[1].contains('…'));
        // The caret sits under "BAD".
        let caret = lines[2].find('^').unwrap();
        let shown: Vec<char> = lines[1].chars().collect();
        let prefix_chars = lines[2][..caret].chars().count();
        let under: String = shown[prefix_chars..prefix_chars + 3].iter().collect();
        assert_eq!(under, "BAD", "{snip}");
        assert_eq!(lines[2].matches('^').count(), 3);
        // A short line is shown whole.
        let snip = snippet("a = 1\nb = oops\n", 10..14);
        assert!(
            snip.contains("2 | b = oops") && snip.ends_with("    ^^^^"),
            "{snip}"
        );
    }

    /// The text under the carets of a snippet (every shown character is one column wide).
    fn under_carets(snip: &str) -> String {
        let lines: Vec<&str> = snip.lines().collect();
        let shown: Vec<char> = lines[1].chars().collect();
        let carets: Vec<char> = lines[2].chars().collect();
        (0..carets.len())
            .filter(|&i| carets[i] == '^')
            .filter_map(|i| shown.get(i))
            .collect()
    }

    /// Tabs before (or inside) the span are expanded in the shown line, so the carets stand
    /// under the text they mean; invisible characters are shown escaped, and counted so.
    #[test]
    fn snippets_align_the_caret_after_tabs_and_invisible_characters() {
        let text = "a = 1\n\tname\t=\t\"x\toops\n";
        let at = text.find("oops").unwrap();
        let snip = snippet(text, at..at + 4);
        assert_eq!(under_carets(&snip), "oops", "{snip}");
        assert!(!snip.contains('\t'), "{snip}");
        // Tab stops every 4 columns from the start of the shown line.
        assert!(snip.contains("2 |     name    =   \"x  oops"), "{snip}");
        let snip = snippet(text, at - 3..at + 4);
        assert_eq!(under_carets(&snip), "\"x  oops", "{snip}");
        let text = "a = 1\nb = \"x\u{200b}\u{202e}y\" oops\n";
        let at = text.find("oops").unwrap();
        let snip = snippet(text, at..at + 4);
        assert_eq!(under_carets(&snip), "oops", "{snip}");
        assert!(snip.contains("b = \"x\\u{200b}\\u{202e}y\" oops"), "{snip}");
        let at = text.find('\u{200b}').unwrap();
        assert_eq!(under_carets(&snippet(text, at..at + 3)), "\\u{200b}");
        // A caret at the end of the line stands just after it.
        let text = "a = 1\n\tb = \"open\n";
        let snip = snippet(text, text.len() - 1..text.len());
        assert!(snip.ends_with(&format!("| {}^", " ".repeat(13))), "{snip}");
    }

    #[test]
    fn suggests_close_field_names() {
        let m = polish_serde_message(
            "unknown field `hours_per_dya`, expected `name`, `hours_per_day` or `headcount`",
        );
        assert!(m.ends_with("(did you mean `hours_per_day`?)"), "{m}");
        let m = polish_serde_message("unknown field `zzz`, expected `name` or `count`");
        assert!(!m.contains("did you mean"), "{m}");
        // The name as written, with its invisible characters escaped.
        let m = polish_serde_message(
            "unknown variant `none\u{200b}`, expected one of `england-and-wales`, `scotland`, \
             `northern-ireland`, `none`",
        );
        assert_eq!(
            m,
            "unknown variant `none\\u{200b}`, expected one of `england-and-wales`, `scotland`, \
             `northern-ireland`, `none` (did you mean `none`?)"
        );
        let m = polish_serde_message(
            "unknown variant `Scotland`, expected one of `england-and-wales`, `scotland`, \
             `northern-ireland`, `none`",
        );
        assert!(m.ends_with("(did you mean `scotland`?)"), "{m}");
    }

    #[test]
    fn names_types_in_words_and_shortens_huge_literals() {
        assert_eq!(
            plain_types("invalid type: string \"x\", expected struct RawCalendar"),
            "invalid type: string \"x\", expected a table"
        );
        assert_eq!(
            plain_types("invalid type: string \"six\", expected f64"),
            "invalid type: string \"six\", expected a number"
        );
        assert_eq!(
            plain_types("invalid value: integer `-1`, expected u64"),
            "invalid value: integer `-1`, expected a whole number, 0 or more"
        );
        let huge = format!(
            "invalid type: floating point `1{}.0`, expected i32",
            "0".repeat(99)
        );
        assert_eq!(
            plain_types(&huge),
            "invalid type: floating point `1e99`, expected a whole number from -2,147,483,648 to 2,147,483,647"
        );
        // An integer beyond 64 bits is the right type but too large (toml reads it as an i128).
        assert_eq!(
            plain_types("invalid type: integer `18446744073709551616` as i128, expected u64"),
            "invalid value: integer `18446744073709551616`, expected a whole number from 0 to 18,446,744,073,709,551,615"
        );
        assert_eq!(
            plain_types("invalid type: integer `-99999999999999999999` as i128, expected u64"),
            "invalid value: integer `-99999999999999999999`, expected a whole number, 0 or more"
        );
        assert_eq!(
            plain_types("invalid type: integer `-99999999999999999999` as i128, expected i32"),
            "invalid value: integer `-99999999999999999999`, expected a whole number from -2,147,483,648 to 2,147,483,647"
        );
        assert_eq!(
            plain_types("invalid type: integer `99999999999999999999` as i128, expected f64"),
            "invalid value: integer `99999999999999999999`, expected a number: write one this large with an exponent, e.g. 1e20"
        );
        // Anything else passes through.
        assert_eq!(plain_types("expected u64 or so"), "expected u64 or so");
    }

    #[test]
    fn finds_the_path_at_an_offset() {
        let text = "name = \"x\"\n[[teams]]\nname = \"a\"\n[[teams]]\nhours = \"six\"\nheadcount = [ { count = 1, to = 2023-01-01 } ]\n";
        let at = |needle: &str| path_at(text, text.find(needle).unwrap());
        assert_eq!(at("\"six\"").as_deref(), Some("teams[1].hours"));
        assert_eq!(
            at("count = 1").as_deref(),
            Some("teams[1].headcount[0].count")
        );
        assert_eq!(at("2023").as_deref(), Some("teams[1].headcount[0].to"));
        assert_eq!(at("[[teams]]\nhours").as_deref(), Some("teams[1]"));
        // A key that is not bare is shown in quotes, as TOML writes it: one key, not two.
        let quoted = "[[teams]]\n\"hours.x\" = 6\ny = { 'a b' = 1 }\n";
        let at = |needle: &str| path_at(quoted, quoted.find(needle).unwrap());
        assert_eq!(at("6").as_deref(), Some("teams[0].\"hours.x\""));
        assert_eq!(at("1 }").as_deref(), Some("teams[0].y.\"a b\""));
        // The top level has no path, and broken TOML none at all.
        assert_eq!(path_at(text, 0).as_deref(), Some("name"));
        assert_eq!(path_at("name = \"x\"\n\n", 11), None);
        assert_eq!(path_at("name = \"x", 3), None);
    }

    /// Numbers that toml reads but toml_edit refuses (beyond i64, or overflowing to infinity) do
    /// not cost the file its positions.
    #[test]
    fn positions_are_found_beside_numbers_beyond_64_bits() {
        let text = "seed = 18446744073709551615\n[[backlogs]]\ncount = 18446744073709551615\nx = [1e400, -99999999999999999999]\nat = 2024-01-01\n";
        let mut errs = vec![
            FieldError::new("backlogs[0].count", "bad"),
            FieldError::new("backlogs[0].at", "bad"),
            FieldError::new("seed", "bad"),
        ];
        attach_positions(text, &mut errs);
        let at: Vec<_> = errs.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            at,
            [(Some(3), Some(9)), (Some(5), Some(6)), (Some(1), Some(8))]
        );
        let offset = text.find("-9999").unwrap();
        assert_eq!(path_at(text, offset).as_deref(), Some("backlogs[0].x[1]"));
        // Not TOML for another reason: no document.
        assert!(document("seed = 18446744073709551615\nx = \"open\n").is_none());
    }

    #[test]
    fn finds_nested_paths() {
        let text = "name = \"x\"\n[[teams]]\nname = \"a\"\n[[teams]]\nname = \"b\"\nheadcount = [ { count = 1, to = 2023-01-01 } ]\n";
        let mut errs = vec![
            FieldError::new("teams[1].headcount[0].to", "bad"),
            FieldError::new("teams[1].missing", "bad"),
            FieldError::new("nowhere", "bad"),
        ];
        attach_positions(text, &mut errs);
        assert_eq!(errs[0].line, Some(6));
        assert_eq!(errs[0].column, Some(33));
        // A missing key points at the enclosing table.
        assert_eq!(errs[1].line, Some(4));
        assert_eq!(errs[2].line, None);
    }
}
