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
pub(crate) fn snippet(text: &str, span: Range<usize>) -> String {
    let start = span.start.min(text.len());
    let (line, column) = line_col(text, start);
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let width = text
        .get(start..span.end.min(text.len()))
        .map(|s| s.split('\n').next().unwrap_or("").chars().count())
        .unwrap_or(1)
        .max(1);
    let gutter = line.to_string().len();
    format!(
        "{:gutter$} |\n{line} | {line_text}\n{:gutter$} | {}{}",
        "",
        "",
        " ".repeat(column - 1),
        "^".repeat(width),
    )
}

/// Adds a "did you mean" to serde's "unknown field `x`, expected `a`, `b` or `c`" and "unknown
/// variant" messages when one valid name is close to the misspelt one.
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
    let Ok(doc) = Document::parse(text) else {
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

    #[test]
    fn suggests_close_field_names() {
        let m = polish_serde_message(
            "unknown field `hours_per_dya`, expected `name`, `hours_per_day` or `headcount`",
        );
        assert!(m.ends_with("(did you mean `hours_per_day`?)"), "{m}");
        let m = polish_serde_message("unknown field `zzz`, expected `name` or `count`");
        assert!(!m.contains("did you mean"), "{m}");
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
