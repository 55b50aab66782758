//! Variants of a scenario: a path into the scenario file and the values it takes. A variant is the
//! scenario text with those values written in (with `toml_edit`, so everything else is kept) and
//! then validated like any scenario: a value that breaks a rule is reported as that rule.
//!
//! Paths are dotted keys as in TOML; an array of tables is indexed by position (`teams[2]`) or by
//! the `name` of its entry (`teams.diverted_soc_ct`). `teams.NAME.headcount` is short for the
//! `count` of a team's only headcount entry.

use crate::quote::{escaped, quoted};
use crate::scenario::{Scenario, ScenarioError};
use toml_edit::{DocumentMut, Item, Value};

/// Why a `--vary`/`--param` or an `[experiment]` cannot be used. Always bad input (exit code 2).
/// The paths, values and names in these messages are the user's (and the messages quote names
/// from the file), so each part is shown with invisible characters escaped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaryError {
    #[error("{}: {}", escaped(spec), escaped(message))]
    Syntax { spec: String, message: String },
    #[error("{}: no such setting in {file}: {}", escaped(path), escaped(message))]
    UnknownPath {
        file: String,
        path: String,
        message: String,
    },
    #[error("{} = {}: {}", escaped(path), escaped(value), escaped(message))]
    BadValue {
        path: String,
        value: String,
        message: String,
    },
    #[error("variant {} is not a valid scenario:\n{source}", escaped(label))]
    Invalid {
        label: String,
        #[source]
        source: Box<ScenarioError>,
    },
    /// The scenario is valid but cannot be rewritten into variants (a number beyond what
    /// `toml_edit` holds).
    #[error(transparent)]
    Unrewritable(Box<ScenarioError>),
}

/// One varied setting: a path and the values it takes, in order.
#[derive(Debug, Clone)]
pub struct Vary {
    pub path: String,
    pub values: Vec<Value>,
    /// What to call it on axes, legends and in `comparison.csv` (`[[experiment.vary]]`'s
    /// `label`); `None`: its path.
    pub label: Option<String>,
}

impl Vary {
    /// Parses `PATH=V1,V2,...` (values are TOML: numbers, dates, quoted strings, booleans).
    pub fn parse(spec: &str) -> Result<Vary, VaryError> {
        let syntax = |message: &str| VaryError::Syntax {
            spec: spec.to_string(),
            message: message.to_string(),
        };
        // The first '=' outside quotes: a quoted key may hold one (`teams."a=b".headcount`).
        let path = cut_outside(spec, '=')[0];
        let values = spec.get(path.len() + 1..).ok_or_else(|| {
            if spec.contains('=') {
                syntax("a quote or bracket opened before the '=' is not closed (a name with dots is written teams.\"pro.std\".headcount, an entry teams.x.headcount[0].count)")
            } else {
                syntax("expected PATH=VALUE1,VALUE2,... (e.g. teams.diverted_soc_ct.headcount=0,45,90,150)")
            }
        })?;
        let path = path.trim();
        if path.is_empty() {
            return Err(syntax("the path before '=' is empty"));
        }
        let mut vals = Vec::new();
        for v in split_values(values) {
            let v = v.trim();
            if v.is_empty() {
                return Err(syntax("an empty value (two commas, or a trailing comma)"));
            }
            vals.push(parse_value(v).map_err(|m| VaryError::BadValue {
                path: path.to_string(),
                value: v.to_string(),
                message: m,
            })?);
        }
        Ok(Vary {
            path: path.to_string(),
            values: vals,
            label: None,
        })
    }
}

/// `V1,V2,...` cut at the commas between values: not at those inside a quoted string, an array or
/// an inline table (`{ dist = "fixed", value = 3 },4`). An unclosed string or bracket runs to the
/// end, where the value's own parse reports it.
pub(crate) fn split_values(values: &str) -> Vec<&str> {
    cut_outside(values, ',')
}

/// `text` cut at each `sep` that is outside quotes (TOML's: `"..."` with `\` escapes, `'...'`
/// literal) and outside brackets and braces.
fn cut_outside(text: &str, sep: char) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if ch == '\\' && q == '"' {
                escaped = true;
            } else if ch == q {
                quote = None;
            }
            continue;
        }
        match ch {
            '"' | '\'' => quote = Some(ch),
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            c if c == sep && depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

/// A TOML value from command-line text; bare words that are not TOML are taken as strings.
pub fn parse_value(text: &str) -> Result<Value, String> {
    match text.parse::<Value>() {
        Ok(v) => Ok(v.decorated("", "")),
        Err(_)
            if text
                .chars()
                .all(|c| c.is_alphanumeric() || "-_/ ".contains(c)) =>
        {
            Ok(Value::from(text))
        }
        // The parser's message alone: its full text is a drawing of the value over several
        // lines, which came out as one line of literal \n in a --vary error.
        Err(e) => Err(format!("not a TOML value: {}", e.message().trim())),
    }
}

/// The value's text as it would be written in the file (no decoration).
pub fn value_text(v: &Value) -> String {
    v.clone().decorated("", "").to_string()
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

/// Whether varying `path` can change what the random streams draw (which records hit, which cases
/// exist, the work they need, where they go), rather than only staffing and timing. Errs towards
/// yes for anything it does not know. Staffing (`teams`), a case type's `teams` and `priority`,
/// and the screening pace and target change when things happen, not what is drawn: hits are keyed
/// by record and cases by their origin, so every variant then sees the same hits, efforts and
/// routings.
pub(super) fn changes_draws(path: &str) -> bool {
    let Ok(segs) = segments(path) else {
        return true;
    };
    let key = |i: usize| match segs.get(i) {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    match key(0) {
        Some("case_types") => !matches!(key(2), Some("teams" | "priority")),
        Some("screening") => !matches!(key(1), Some("throughput" | "target")),
        // The horizon also decides which hits and arrivals fall inside the run at all.
        Some("arrivals" | "backlogs" | "horizon") => true,
        _ => false,
    }
}

/// `path` cut at its dots, except those inside a quoted key (`teams."pro.std".hours_per_day`).
fn path_parts(path: &str) -> Vec<&str> {
    cut_outside(path, '.')
}

/// A key written in quotes, as TOML writes one (`"pro.std"`, `'a b'`), and what follows it.
fn quoted_key(part: &str) -> Result<(String, &str), String> {
    let q = part.chars().next().unwrap_or('"');
    let mut escaped = false;
    let end = part
        .char_indices()
        .skip(1)
        .find(|&(_, ch)| {
            let close = ch == q && !escaped;
            escaped = !escaped && ch == '\\' && q == '"';
            close
        })
        .map(|(i, _)| i)
        .ok_or_else(|| format!("unclosed quote in {}", quoted(part)))?;
    let key = part[..=end]
        .parse::<Value>()
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .ok_or_else(|| format!("{} is not a quoted key", quoted(&part[..=end])))?;
    Ok((key, &part[end + 1..]))
}

fn segments(path: &str) -> Result<Vec<Seg>, String> {
    let mut out = Vec::new();
    for part in path_parts(path) {
        let (key, mut rest) = if part.starts_with(['"', '\'']) {
            let (key, rest) = quoted_key(part)?;
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("unexpected {} after a quoted key", quoted(rest)));
            }
            if key.is_empty() {
                return Err("an empty quoted key".into());
            }
            (std::borrow::Cow::Owned(key), rest)
        } else {
            match part.find('[') {
                Some(i) => (std::borrow::Cow::Borrowed(&part[..i]), &part[i..]),
                None => (std::borrow::Cow::Borrowed(part), ""),
            }
        };
        if key.is_empty() && rest.is_empty() {
            return Err("an empty part between dots (as in a..b, or a dot at either end)".into());
        }
        if key.is_empty() && out.is_empty() {
            return Err("a path starts with a key".into());
        }
        if !key.is_empty() {
            out.push(Seg::Key(key.into_owned()));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("unclosed '[' in {}", quoted(part)))?;
            let idx: usize = rest[1..close]
                .trim()
                .parse()
                .map_err(|_| format!("{} is not an index", quoted(&rest[1..close])))?;
            out.push(Seg::Index(idx));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("unexpected {} after ']'", quoted(rest)));
            }
        }
    }
    if out.is_empty() {
        return Err("empty path".into());
    }
    Ok(out)
}

/// "No entry named": the names there are, and how to write one with a dot in it (a path's
/// dots otherwise separate its parts).
fn no_entry(at: &str, name: &str, names: &[&str]) -> String {
    let mut m = format!(
        "{at} has no entry named {name}; names: {}",
        names.join(", ")
    );
    if let Some(dotted) = names.iter().find(|n| n.contains('.')) {
        m.push_str(&format!(
            " (write a name with a dot in quotes: {at}.{})",
            quoted(dotted)
        ));
    }
    m
}

/// Names a table's keys for a message.
fn keys_of(t: &dyn toml_edit::TableLike) -> String {
    let keys: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    if keys.is_empty() {
        "(none)".into()
    } else {
        keys.join(", ")
    }
}

fn unknown_path(file: &str, path: &str, message: String) -> VaryError {
    VaryError::UnknownPath {
        file: file.to_string(),
        path: path.to_string(),
        message,
    }
}

/// Writes `value` at `path` in `doc`, checking that the path exists (or that its last key may be
/// added to an existing table) and that the value has the type of the one it replaces.
pub fn set_path(
    doc: &mut DocumentMut,
    file: &str,
    path: &str,
    value: &Value,
) -> Result<(), VaryError> {
    let segs = expanded(path).map_err(|m| VaryError::Syntax {
        spec: path.to_string(),
        message: m,
    })?;
    // The shorthand teams.NAME.headcount means the count of the team's only headcount entry.
    if let [Seg::Key(a), Seg::Key(team), Seg::Key(c), ..] = segs.as_slice()
        && a == "teams"
        && c == "headcount"
        && segments(path).is_ok_and(|s| s.len() == 3)
        && let Some(n) = headcount_entries(doc, team)
        && n != 1
    {
        return Err(unknown_path(
            file,
            path,
            format!(
                "team {team} has {n} headcount entries: say which, e.g. teams.{}.headcount[0].count",
                if team.contains(['.', '"', '\'']) {
                    format!("{team:?}")
                } else {
                    team.clone()
                }
            ),
        ));
    }

    set_in_table(doc.as_table_mut(), &segs, value, path, file, "")
}

/// How many headcount entries team `team` has, however the file writes the teams and their
/// entries (`[[teams]]` or an inline array; `headcount = [...]` or `[[teams.headcount]]`).
fn headcount_entries(doc: &DocumentMut, team: &str) -> Option<usize> {
    let named = |t: &dyn toml_edit::TableLike| t.get("name").and_then(|n| n.as_str()) == Some(team);
    let teams = doc.get("teams")?;
    match teams.as_array_of_tables() {
        Some(a) => {
            let headcount = a.iter().find(|t| named(*t))?.get("headcount")?;
            headcount
                .as_array()
                .map(|a| a.len())
                .or_else(|| headcount.as_array_of_tables().map(|a| a.len()))
        }
        None => teams
            .as_array()?
            .iter()
            .filter_map(|v| v.as_inline_table())
            .find(|t| named(*t))?
            .get("headcount")?
            .as_array()
            .map(|a| a.len()),
    }
}

fn set_in_table(
    t: &mut toml_edit::Table,
    rest: &[Seg],
    value: &Value,
    path: &str,
    file: &str,
    at: &str,
) -> Result<(), VaryError> {
    let unknown = |message: String| unknown_path(file, path, message);
    let full = |k: &str| {
        if at.is_empty() {
            k.to_string()
        } else {
            format!("{at}.{k}")
        }
    };
    let at_name = if at.is_empty() { "the scenario" } else { at };
    let Some((first, rest)) = rest.split_first() else {
        return Err(unknown(format!(
            "{at_name} is a whole table: give one of its settings ({})",
            keys_of(t)
        )));
    };
    let Seg::Key(k) = first else {
        return Err(unknown(format!(
            "{at_name} is a table, not a list: give one of its settings ({})",
            keys_of(t)
        )));
    };
    if rest.is_empty() && !t.contains_key(k) {
        t.insert(k, Item::Value(value.clone()));
        return Ok(());
    }
    let keys = keys_of(t);
    let item = t
        .get_mut(k)
        .ok_or_else(|| unknown(format!("{at_name} has no {k}; it has: {keys}")))?;
    let at = full(k);
    // A distribution written as a table of its own (`[x.rate]`, or dotted keys) may be set to
    // a number too, like one written inline (see `replace_value`).
    if rest.is_empty()
        && matches!(value, Value::Integer(_) | Value::Float(_))
        && matches!(&*item, Item::Table(tb) if UNCERTAIN_KEYS.iter().any(|k| tb.contains_key(k)))
    {
        *item = Item::Value(value.clone());
        return Ok(());
    }
    match item {
        Item::Value(v) => {
            if rest.is_empty() {
                replace_value(v, value, path)
            } else {
                set_in_value(v, rest, value, path, file, &at)
            }
        }
        Item::Table(t) => set_in_table(t, rest, value, path, file, &at),
        Item::ArrayOfTables(a) => match rest.first() {
            Some(Seg::Index(n)) => {
                let len = a.len();
                let t = a
                    .get_mut(*n)
                    .ok_or_else(|| unknown(format!("{at} has {len} entries")))?;
                set_in_table(t, &rest[1..], value, path, file, &format!("{at}[{n}]"))
            }
            Some(Seg::Key(name)) => {
                let names: Vec<&str> = a
                    .iter()
                    .filter_map(|t| t.get("name").and_then(|x| x.as_str()))
                    .collect();
                let pos = a
                    .iter()
                    .position(|t| t.get("name").and_then(|x| x.as_str()) == Some(name.as_str()))
                    .ok_or_else(|| unknown(no_entry(&at, name, &names)))?;
                let t = a.get_mut(pos).expect("found");
                set_in_table(t, &rest[1..], value, path, file, &format!("{at}.{name}"))
            }
            None => Err(unknown(format!(
                "{at} is a list of tables: say which entry"
            ))),
        },
        Item::None => Err(unknown(format!("{at} is empty"))),
    }
}

fn set_in_value(
    v: &mut Value,
    rest: &[Seg],
    value: &Value,
    path: &str,
    file: &str,
    at: &str,
) -> Result<(), VaryError> {
    let unknown = |message: String| unknown_path(file, path, message);
    let Some((first, rest)) = rest.split_first() else {
        return replace_value(v, value, path);
    };
    match (first, v) {
        (Seg::Index(n), Value::Array(a)) => {
            let len = a.len();
            let x = a.get_mut(*n).ok_or_else(|| {
                unknown(format!(
                    "{at} has {len} entries (indices 0 to {})",
                    len.saturating_sub(1)
                ))
            })?;
            set_in_value(x, rest, value, path, file, &format!("{at}[{n}]"))
        }
        (Seg::Key(name), Value::Array(a)) => {
            let names: Vec<&str> = a
                .iter()
                .filter_map(|x| x.as_inline_table()?.get("name")?.as_str())
                .collect();
            let missing = no_entry(at, name, &names);
            let pos = a
                .iter()
                .position(|x| {
                    x.as_inline_table()
                        .and_then(|t| t.get("name"))
                        .and_then(|n| n.as_str())
                        == Some(name.as_str())
                })
                .ok_or_else(|| unknown(missing))?;
            let x = a.get_mut(pos).expect("found");
            set_in_value(x, rest, value, path, file, &format!("{at}.{name}"))
        }
        (Seg::Key(k), Value::InlineTable(t)) => {
            if rest.is_empty() && !t.contains_key(k) {
                t.insert(k, value.clone());
                return Ok(());
            }
            let keys = keys_of(t);
            let x = t
                .get_mut(k)
                .ok_or_else(|| unknown(format!("{at} has no {k}; it has: {keys}")))?;
            set_in_value(x, rest, value, path, file, &format!("{at}.{k}"))
        }
        _ => Err(unknown(format!(
            "{at} is a single value: nothing inside it to set"
        ))),
    }
}

/// The keys that make a table an uncertain setting: a distribution, a reference to an
/// assumption, a rate observed as so many of so many.
const UNCERTAIN_KEYS: [&str; 3] = ["dist", "assumption", "observed"];

/// Replaces `old` with `new`, which must be of the same kind (an integer may replace a float).
fn replace_value(old: &mut Value, new: &Value, path: &str) -> Result<(), VaryError> {
    let kind = |v: &Value| match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::InlineTable(_) => "a table",
    };
    let new = match (&*old, new) {
        (Value::Float(_), Value::Integer(i)) => Value::from(*i.value() as f64),
        (Value::Integer(_), Value::Integer(_))
        | (Value::Float(_), Value::Float(_))
        | (Value::String(_), Value::String(_))
        | (Value::Boolean(_), Value::Boolean(_))
        | (Value::Datetime(_), Value::Datetime(_)) => new.clone(),
        // A distribution written as a plain number may be set to another number.
        (Value::Integer(_), Value::Float(_)) => new.clone(),
        // An uncertain setting (a distribution, a reference to an assumption, a rate observed
        // as so many of so many) may be set to a number, which makes it certain in that
        // variant, as scenarios/README.md says.
        (Value::InlineTable(t), Value::Integer(_) | Value::Float(_))
            if UNCERTAIN_KEYS.iter().any(|k| t.contains_key(k)) =>
        {
            new.clone()
        }
        (Value::Array(_), Value::Array(_)) | (Value::InlineTable(_), Value::InlineTable(_)) => {
            return Err(VaryError::BadValue {
                path: path.to_string(),
                value: value_text(new),
                message: if matches!(old, Value::Array(_)) {
                    format!("a list cannot be varied whole: vary one of its items, e.g. {path}[0]")
                } else {
                    format!("a table cannot be varied whole: vary one of its keys, e.g. {path}.KEY")
                },
            });
        }
        (_, Value::String(text)) => {
            // A number, date or boolean in quotes is a string to TOML: say so, rather than "6 is
            // not a number" or "false is not true or false". (Not taken for the value: the
            // checks before writing, repeated values and the baseline, compare values as given.)
            let unquoted = text.value().trim().parse::<Value>().ok();
            let quoted_same_kind = matches!(
                (&*old, &unquoted),
                (
                    Value::Integer(_) | Value::Float(_),
                    Some(Value::Integer(_) | Value::Float(_)),
                ) | (Value::Boolean(_), Some(Value::Boolean(_)))
                    | (Value::Datetime(_), Some(Value::Datetime(_)))
            );
            let message = if quoted_same_kind {
                format!(
                    "\"{}\" is a string (it is in quotes): the scenario has {} there ({}); write it without quotes",
                    text.value(),
                    kind(old),
                    value_text(old)
                )
            } else {
                // A bare word that is not TOML: most likely a mistyped number or date.
                format!(
                    "{} is not {} (the scenario has {} there)",
                    text.value(),
                    kind(old),
                    value_text(old)
                )
            };
            return Err(VaryError::BadValue {
                path: path.to_string(),
                value: text.value().clone(),
                message,
            });
        }
        _ => {
            return Err(VaryError::BadValue {
                path: path.to_string(),
                value: value_text(new),
                message: format!(
                    "the scenario has {} there ({}), not {}",
                    kind(old),
                    value_text(old),
                    kind(new)
                ),
            });
        }
    };
    let decor = old.decor().clone();
    *old = new;
    *old.decor_mut() = decor;
    Ok(())
}

/// The path with the shorthand expanded (`teams.NAME.headcount` → `...headcount[0].count`).
fn expanded(path: &str) -> Result<Vec<Seg>, String> {
    let mut segs = segments(path)?;
    if let [Seg::Key(a), Seg::Key(_), Seg::Key(c)] = segs.as_slice()
        && a == "teams"
        && c == "headcount"
    {
        segs.push(Seg::Index(0));
        segs.push(Seg::Key("count".into()));
    }
    Ok(segs)
}

/// Walks `segs` in `doc` read-only: the canonical form of the path (names of entries replaced by
/// their positions) and the value there (`None` for a table). `None` when the path does not exist.
fn walk(doc: &DocumentMut, segs: &[Seg]) -> Option<(String, Option<Value>)> {
    enum Node<'a> {
        Item(&'a Item),
        Table(&'a toml_edit::Table),
        Value(&'a Value),
    }
    let mut node = Node::Item(doc.as_item());
    let mut canon = String::new();
    let key = |canon: &mut String, k: &str| {
        if !canon.is_empty() {
            canon.push('.');
        }
        canon.push_str(k);
    };
    for seg in segs {
        node = match (node, seg) {
            (Node::Item(Item::Table(t)), Seg::Key(k)) | (Node::Table(t), Seg::Key(k)) => {
                key(&mut canon, k);
                Node::Item(t.get(k)?)
            }
            (Node::Item(Item::ArrayOfTables(a)), Seg::Index(n)) => {
                canon.push_str(&format!("[{n}]"));
                Node::Table(a.get(*n)?)
            }
            (Node::Item(Item::ArrayOfTables(a)), Seg::Key(k)) => {
                let pos = a
                    .iter()
                    .position(|t| t.get("name").and_then(|x| x.as_str()) == Some(k.as_str()))?;
                canon.push_str(&format!("[{pos}]"));
                Node::Table(a.get(pos)?)
            }
            (Node::Item(Item::Value(v)), s) | (Node::Value(v), s) => match (v, s) {
                (Value::Array(a), Seg::Index(n)) => {
                    canon.push_str(&format!("[{n}]"));
                    Node::Value(a.get(*n)?)
                }
                (Value::Array(a), Seg::Key(k)) => {
                    let pos = a.iter().position(|x| {
                        x.as_inline_table()
                            .and_then(|t| t.get("name"))
                            .and_then(|n| n.as_str())
                            == Some(k.as_str())
                    })?;
                    canon.push_str(&format!("[{pos}]"));
                    Node::Value(a.get(pos)?)
                }
                (Value::InlineTable(t), Seg::Key(k)) => {
                    key(&mut canon, k);
                    Node::Value(t.get(k)?)
                }
                _ => return None,
            },
            _ => return None,
        };
    }
    match node {
        Node::Item(Item::Value(v)) | Node::Value(v) => Some((canon, Some(v.clone()))),
        _ => Some((canon, None)),
    }
}

/// The value at `path` in the scenario text as written, if the path exists there.
pub fn current_value(text: &str, path: &str) -> Option<Value> {
    let doc: DocumentMut = text.parse().ok()?;
    walk(&doc, &expanded(path).ok()?)?.1
}

/// One spelling for every path to the same setting (`teams.x.headcount` and
/// `teams[2].headcount[0].count` alike), so that a setting cannot be varied twice.
pub fn canonical_path(text: &str, path: &str) -> String {
    let (Ok(doc), Ok(segs)) = (text.parse::<DocumentMut>(), expanded(path)) else {
        return path.to_string();
    };
    if let Some((c, _)) = walk(&doc, &segs) {
        return c;
    }
    // A setting not written yet: its table's (or inline table's) canonical path and the key.
    if let Some((Seg::Key(k), parent)) = segs.split_last()
        && let Some((c, None | Some(Value::InlineTable(_)))) = walk(&doc, parent)
    {
        return if c.is_empty() {
            k.clone()
        } else {
            format!("{c}.{k}")
        };
    }
    path.to_string()
}

/// Settings that variants may not change, and why.
fn not_variable(canonical: &str) -> Option<&'static str> {
    let root = canonical.split(['.', '[']).next().unwrap_or(canonical);
    match root {
        "seed" | "replications" => Some(
            "every variant runs the same replications with the same seed (that is what makes them comparable); set them with --seed and -n",
        ),
        "name" | "description" => Some("it does not change the model"),
        "start" | "calendar" => Some(
            "variants must share one calendar so that their working-day times compare; vary dates within it instead",
        ),
        "experiment" => Some("it describes the comparison itself"),
        _ => None,
    }
}

/// Most variants one comparison may make (each is a whole run).
pub const MAX_VARIANTS: usize = 1000;

/// One scenario of a comparison: the settings that make it, and the validated scenario.
#[derive(Debug, Clone)]
pub struct Variant {
    /// e.g. `count=45, to=2023-10-06`, or `as written`.
    pub label: String,
    /// (path, value as written) for each varied path.
    pub settings: Vec<(String, String)>,
    pub scenario: Scenario,
    /// The baseline: the scenario as written (every varied path at its written value), or the
    /// variant `--baseline` chose ([`choose_baseline`]).
    pub is_baseline: bool,
}

/// Points an error found in a variant's text at the written file: a position on a line the
/// variant changed or added (a key set where the file has none, an inline array rewritten) is
/// not a line of the file, so the field's own position in the file is given instead (or its
/// enclosing table's), without the variant's snippet.
fn relocate(e: &mut ScenarioError, text: &str, vtext: &str) {
    let same = |line: usize| {
        line >= 1 && {
            let (a, b) = (text.lines().nth(line - 1), vtext.lines().nth(line - 1));
            a.is_some() && a == b
        }
    };
    match e {
        ScenarioError::Invalid { errors, .. } => {
            for fe in errors.iter_mut() {
                if fe.line.is_some_and(|l| !same(l)) {
                    (fe.line, fe.column) = crate::scenario::position_of(text, &fe.path);
                }
            }
        }
        ScenarioError::Parse {
            line,
            column,
            message,
            snippet,
            ..
        } if !same(*line) => {
            // The message starts with the field's path when it has one ("arrivals[0].track: ").
            let path = message
                .split_once(": ")
                .map(|(p, _)| p)
                .filter(|p| !p.is_empty() && !p.contains(' ') && !p.starts_with('`'));
            if let (Some(l), c) =
                path.map_or((None, None), |p| crate::scenario::position_of(text, p))
            {
                *line = l;
                *column = c.unwrap_or(1);
                snippet.clear();
            }
        }
        _ => {}
    }
}

/// The shortest dotted ending of each varied path that tells it apart from the others: the
/// last key alone when that is unique (`headcount`, `to`), else more of the path
/// (`dps_investigators.headcount` beside `vetting_unit.headcount`), so that labels stay short and
/// two settings never share a name.
pub(crate) fn short_names(paths: &[&str]) -> Vec<String> {
    // Cut as paths are read: not at a dot inside a quoted key (`teams."pro.std".x`).
    let parts: Vec<Vec<&str>> = paths.iter().map(|p| path_parts(p)).collect();
    let longest = parts.iter().map(Vec::len).max().unwrap_or(1);
    let mut k = 1;
    loop {
        let names: Vec<String> = parts
            .iter()
            .map(|p| p[p.len().saturating_sub(k)..].join("."))
            .collect();
        let unique = names
            .iter()
            .enumerate()
            .all(|(i, a)| names[..i].iter().all(|b| a != b));
        if unique || k >= longest {
            return names;
        }
        k += 1;
    }
}
/// The name of each varied setting in variant labels: its `label` where the experiment gives
/// one, as the charts' axes and legends call it (`Vetting officers=6`), else the shortest ending
/// of its path ([`short_names`]). Labels that would make two settings share a name give way to
/// the paths' endings, for all of them.
fn variant_names(varies: &[Vary]) -> Vec<String> {
    let paths: Vec<&str> = varies.iter().map(|v| v.path.as_str()).collect();
    let labels: Vec<Option<&str>> = varies.iter().map(|v| v.label.as_deref()).collect();
    setting_names(&paths, &labels)
}

/// [`variant_names`] from the paths and labels alone (as `comparison.json`'s `meta.varied`
/// holds them), for the charts' keys.
pub(crate) fn setting_names(paths: &[&str], labels: &[Option<&str>]) -> Vec<String> {
    let shorts = short_names(paths);
    let named: Vec<String> = labels
        .iter()
        .zip(&shorts)
        .map(|(l, s)| l.map_or_else(|| s.clone(), str::to_string))
        .collect();
    let unique = named
        .iter()
        .enumerate()
        .all(|(i, a)| named[..i].iter().all(|b| a != b));
    if unique { named } else { shorts }
}

/// Builds the grid of variants (every combination of the values, first path slowest) and the
/// baseline: the scenario as written. When some variant has every varied path at its written
/// value, it is the baseline; otherwise the baseline is added first.
pub fn build_variants(text: &str, file: &str, varies: &[Vary]) -> Result<Vec<Variant>, VaryError> {
    let base_doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        VaryError::Unrewritable(Box::new(crate::scenario::rewrite_error(text, file, &e)))
    })?;
    let mut seen: Vec<(String, &str)> = Vec::new();
    let mut n_variants: usize = 1;
    for v in varies {
        let canon = canonical_path(text, &v.path);
        if let Some(why) = not_variable(&canon) {
            return Err(VaryError::BadValue {
                path: v.path.clone(),
                value: v
                    .values
                    .iter()
                    .map(value_text)
                    .collect::<Vec<_>>()
                    .join(","),
                message: format!("{canon} cannot be varied: {why}"),
            });
        }
        if let Some((_, other)) = seen.iter().find(|(c, _)| *c == canon) {
            return Err(VaryError::Syntax {
                spec: v.path.clone(),
                message: format!("the same setting as {other} ({canon}): give all its values once"),
            });
        }
        // The same value twice (`2,2`, or `2,0x2,2.0` spelled apart) made identical variants,
        // one of them the baseline, run twice over.
        // Integers compare exactly (as f64, two above 2^53 could read as one), and a whole
        // float as the integer it is (`2.0` is `2`).
        let key = |x: &Value| match x {
            Value::Integer(i) => format!("{}", i.value()),
            Value::Float(f) => {
                let f = *f.value() + 0.0;
                if f.fract() == 0.0 && f.abs() < 9.2e18 {
                    format!("{}", f as i64)
                } else {
                    format!("{f:?}")
                }
            }
            // By content: 'x' and "x" (and escapes) are one string.
            Value::String(t) => format!("{:?}", t.value()),
            other => value_text(other),
        };
        for (i, x) in v.values.iter().enumerate() {
            if let Some(y) = v.values[..i].iter().find(|y| key(y) == key(x)) {
                return Err(VaryError::BadValue {
                    path: v.path.clone(),
                    value: value_text(x),
                    message: format!(
                        "the same value as {} before it: give each value once (each makes one variant)",
                        value_text(y)
                    ),
                });
            }
        }
        seen.push((canon, v.path.as_str()));
        n_variants = n_variants.saturating_mul(v.values.len().max(1));
    }
    if n_variants > MAX_VARIANTS {
        return Err(VaryError::Syntax {
            spec: varies
                .iter()
                .map(|v| v.path.as_str())
                .collect::<Vec<_>>()
                .join(" x "),
            message: format!("{n_variants} variants: at most {MAX_VARIANTS} (each is a whole run)"),
        });
    }
    let written: Vec<Option<String>> = varies
        .iter()
        .map(|v| current_value(text, &v.path).map(|x| value_text(&x)))
        .collect();
    let shorts = variant_names(varies);
    let mut combos: Vec<Vec<usize>> = vec![Vec::new()];
    for v in varies {
        let mut next = Vec::new();
        for c in &combos {
            for i in 0..v.values.len() {
                let mut c = c.clone();
                c.push(i);
                next.push(c);
            }
        }
        combos = next;
    }
    let make = |settings: Vec<(String, Value)>,
                label: String,
                is_baseline: bool|
     -> Result<Variant, VaryError> {
        let mut doc = base_doc.clone();
        for (p, v) in &settings {
            set_path(&mut doc, file, p, v)?;
        }
        let vtext = doc.to_string();
        // Positions in the message are in the variant's text, not the file: say so.
        let vfile = if settings.is_empty() {
            file.to_string()
        } else {
            format!("{file} (variant {label})")
        };
        let scenario = Scenario::from_toml_str_variant(&vtext, file).map_err(|mut e| {
            if let ScenarioError::Parse { file: f, .. } | ScenarioError::Invalid { file: f, .. } =
                &mut e
            {
                f.clone_from(&vfile);
            }
            relocate(&mut e, text, &vtext);
            e
        });
        let scenario = scenario.map_err(|e| match &e {
            // A key added where the format has none: an unknown path, with the valid names. The
            // message starts with the field's path: the setting that added it, when one did.
            ScenarioError::Parse { message, .. } if message.contains("unknown field") => {
                let field = message.split_once(": ").map_or("", |(p, _)| p);
                let path = match settings
                    .iter()
                    .find(|(p, _)| canonical_path(text, p) == field)
                {
                    Some((p, _)) => p.clone(),
                    None => settings
                        .iter()
                        .map(|(p, _)| p.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                VaryError::UnknownPath {
                    file: file.to_string(),
                    path,
                    message: message.clone(),
                }
            }
            _ => VaryError::Invalid {
                label: label.clone(),
                source: Box::new(e),
            },
        })?;
        Ok(Variant {
            label,
            settings: settings
                .iter()
                .map(|(p, v)| (p.clone(), value_text(v)))
                .collect(),
            scenario,
            is_baseline,
        })
    };
    let mut out = Vec::new();
    let mut have_baseline = false;
    for c in &combos {
        let settings: Vec<(String, Value)> = varies
            .iter()
            .zip(c)
            .map(|(v, &i)| (v.path.clone(), v.values[i].clone()))
            .collect();
        let is_baseline = settings.iter().zip(&written).all(|((_, v), w)| {
            w.as_deref() == Some(value_text(v).as_str()) || same_number(w.as_deref(), v)
        });
        have_baseline |= is_baseline;
        let label = settings
            .iter()
            .zip(&shorts)
            .map(|((_, v), short)| format!("{short}={}", value_text(v)))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(make(settings, label, is_baseline)?);
    }
    if !have_baseline {
        out.insert(0, make(Vec::new(), "as written".into(), true)?);
    }
    // Mark only the first match as the baseline (two equal settings would otherwise both claim it).
    let mut seen = false;
    for v in &mut out {
        if v.is_baseline {
            v.is_baseline = !seen;
            seen = true;
        }
    }
    Ok(out)
}

/// Makes the variant whose settings are `chosen` (path and value each; every varied path need
/// not be named) the baseline instead of the scenario as written, which is then not run unless
/// it is in the grid. `text` is the scenario as written (to tell spellings of one path apart).
/// Refused (a [`VaryError`], exit 2) when a path is not varied or no variant has those values.
pub fn choose_baseline(
    mut variants: Vec<Variant>,
    text: &str,
    chosen: &[Vary],
) -> Result<Vec<Variant>, VaryError> {
    if chosen.is_empty() {
        return within_limit(variants);
    }
    let spec = chosen
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c.path,
                c.values
                    .iter()
                    .map(value_text)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let bad = |message: String| VaryError::Syntax {
        spec: format!("--baseline {spec}"),
        message,
    };
    let varied: Vec<String> = variants
        .iter()
        .find(|v| !v.settings.is_empty())
        .map(|v| v.settings.iter().map(|(p, _)| p.clone()).collect())
        .unwrap_or_default();
    let mut wanted: Vec<(usize, String)> = Vec::new();
    for c in chosen {
        let [value] = c.values.as_slice() else {
            return Err(bad(format!(
                "{}: give one value (the baseline is one variant)",
                c.path
            )));
        };
        let canon = canonical_path(text, &c.path);
        let Some(i) = varied.iter().position(|p| canonical_path(text, p) == canon) else {
            return Err(bad(format!(
                "{} is not varied; the varied settings are {}",
                c.path,
                varied.join(", ")
            )));
        };
        wanted.push((i, value_text(value)));
    }
    let matches = |v: &Variant| {
        !v.settings.is_empty()
            && wanted.iter().all(|(i, w)| {
                let got = &v.settings[*i].1;
                got == w
                    || got
                        .parse::<f64>()
                        .ok()
                        .zip(w.parse::<f64>().ok())
                        .is_some_and(|(a, b)| a == b)
            })
    };
    let Some(first) = variants.iter().position(matches) else {
        return Err(bad(
            "no variant has these values: choose among the values varied".to_string(),
        ));
    };
    for (k, v) in variants.iter_mut().enumerate() {
        v.is_baseline = k == first;
    }
    // The scenario as written, run only to be the baseline, is not needed now.
    variants.retain(|v| !v.settings.is_empty() || v.is_baseline);
    within_limit(variants)
}

/// [`MAX_VARIANTS`] over the variants that will run: a grid at the limit, plus the scenario as
/// written added as its baseline, made one run more than the limit promised.
fn within_limit(variants: Vec<Variant>) -> Result<Vec<Variant>, VaryError> {
    if variants.len() <= MAX_VARIANTS {
        return Ok(variants);
    }
    Err(VaryError::Syntax {
        spec: variants
            .iter()
            .find(|v| !v.settings.is_empty())
            .map(|v| {
                v.settings
                    .iter()
                    .map(|(p, _)| p.as_str())
                    .collect::<Vec<_>>()
                    .join(" x ")
            })
            .unwrap_or_default(),
        message: format!(
            "{} variants with the scenario as written, which is added as the baseline because no variant has every varied setting at its written value: at most {MAX_VARIANTS} (each is a whole run); give one value fewer, include the written value, or choose the baseline with --baseline",
            variants.len()
        ),
    })
}

fn same_number(written: Option<&str>, v: &Value) -> bool {
    let Some(w) = written.and_then(|w| w.parse::<f64>().ok()) else {
        return false;
    };
    match v {
        Value::Integer(i) => *i.value() as f64 == w,
        Value::Float(f) => *f.value() == w,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MET: &str = include_str!("../../scenarios/met-2023.toml");

    #[test]
    fn labels_name_each_setting_by_the_shortest_ending_that_tells_it_apart() {
        assert_eq!(
            short_names(&["teams.x.headcount", "teams.x.headcount[0].to"]),
            ["headcount", "to"]
        );
        assert_eq!(
            short_names(&[
                "teams.dps_investigators.headcount",
                "teams.vetting_unit.headcount"
            ]),
            ["dps_investigators.headcount", "vetting_unit.headcount"]
        );
        assert_eq!(short_names(&["seed_like"]), ["seed_like"]);
        // Not cut at a dot inside a quoted key.
        assert_eq!(
            short_names(&[r#"teams."pro.std".x"#, r#"teams."pro.adv".x"#]),
            [r#""pro.std".x"#, r#""pro.adv".x"#]
        );
    }

    /// A variant names each setting as the charts do: by the experiment's label where it has
    /// one; two settings labelled alike fall back to their paths' endings, all of them.
    #[test]
    fn variant_labels_use_the_experiments_labels() {
        let vary = |spec: &str, label: Option<&str>| Vary {
            label: label.map(str::to_string),
            ..Vary::parse(spec).unwrap()
        };
        let a = vary("teams.dps_investigators.headcount=40", Some("DPS staff"));
        let b = vary("teams.vetting_unit.headcount=6", None);
        assert_eq!(
            variant_names(&[a.clone(), b.clone()]),
            ["DPS staff", "vetting_unit.headcount"]
        );
        let b = vary("teams.vetting_unit.headcount=6", Some("DPS staff"));
        assert_eq!(
            variant_names(&[a, b]),
            ["dps_investigators.headcount", "vetting_unit.headcount"]
        );
        let v = build_variants(
            MET,
            "met.toml",
            &[vary(
                "teams.diverted_soc_ct.headcount=0,90",
                Some("Lent officers"),
            )],
        )
        .unwrap();
        let labels: Vec<&str> = v.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(labels, ["Lent officers=0", "Lent officers=90"]);
    }

    /// Values are cut at the commas between them, not at those inside an inline table, an
    /// array or a quoted string.
    #[test]
    fn values_are_cut_at_the_commas_between_them() {
        let v = Vary::parse(
            r#"case_types.x.effort={ dist = "fixed", value = 3 }, 4,"a,b",'c,d',[1, 2],"e\",f""#,
        )
        .unwrap();
        let texts: Vec<String> = v.values.iter().map(value_text).collect();
        assert_eq!(
            texts,
            [
                r#"{ dist = "fixed", value = 3 }"#,
                "4",
                r#""a,b""#,
                "'c,d'",
                "[1, 2]",
                r#""e\",f""#
            ]
        );
        // An unclosed table runs to the end and is reported as one value that is not TOML.
        let e = Vary::parse("teams.x.headcount={ a = 1, 2").unwrap_err();
        assert!(e.to_string().contains("{ a = 1, 2"), "{e}");
    }

    /// `teams.NAME.headcount` is refused for a team with several entries however the file
    /// writes its teams and entries (it used to set entry 0 of an inline team in silence).
    #[test]
    fn the_headcount_shorthand_needs_a_single_entry_in_every_layout() {
        let layouts = [
            "[[teams]]\nname = \"ps\"\nheadcount = [{ count = 6 }, { count = 4 }]\n",
            "teams = [{ name = \"ps\", headcount = [{ count = 6 }, { count = 4 }] }]\n",
            "[[teams]]\nname = \"ps\"\n[[teams.headcount]]\ncount = 6\n[[teams.headcount]]\ncount = 4\n",
        ];
        for text in layouts {
            let mut doc: DocumentMut = text.parse().unwrap();
            let e = set_path(&mut doc, "f.toml", "teams.ps.headcount", &Value::from(9))
                .unwrap_err()
                .to_string();
            assert!(e.contains("team ps has 2 headcount entries"), "{text}: {e}");
            assert_eq!(doc.to_string(), text, "nothing written");
            set_path(
                &mut doc,
                "f.toml",
                "teams.ps.headcount[1].count",
                &Value::from(9),
            )
            .unwrap();
            assert!(doc.to_string().contains('9'), "{text}");
        }
        let one = "teams = [{ name = \"ps\", headcount = [{ count = 6 }] }]\n";
        let mut doc: DocumentMut = one.parse().unwrap();
        set_path(&mut doc, "f.toml", "teams.ps.headcount", &Value::from(9)).unwrap();
        assert!(doc.to_string().contains("count = 9"), "{doc}");
    }

    /// A value that is not TOML is said so on one line: the parser's drawing of the value, over
    /// several lines, came out as literal \n in a --vary error.
    #[test]
    fn a_value_that_is_not_toml_is_said_on_one_line() {
        for bad in ["2=3", "[1,", "{a ="] {
            let e = parse_value(bad).unwrap_err();
            assert!(e.starts_with("not a TOML value: "), "{e}");
            assert!(!e.contains('\n') && !e.contains('|'), "{bad}: {e}");
        }
    }

    /// A quoted date or number is said to be a string in quotes, not "6 is not a number".
    #[test]
    fn quoted_dates_and_numbers_are_named_as_strings() {
        let text = "[[teams]]\nname = \"t\"\nhours_per_day = 6.5\nto = 2024-07-01\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let date = parse_value("\"2024-08-01\"").unwrap();
        let e = set_path(&mut doc, "f.toml", "teams.t.to", &date)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"2024-08-01\" is a string (it is in quotes)"),
            "{e}"
        );
        let e = set_path(&mut doc, "f.toml", "teams.t.to", &Value::from("August"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("August is not a date"), "{e}");
        let six = parse_value("\"6\"").unwrap();
        let e = set_path(&mut doc, "f.toml", "teams.t.hours_per_day", &six)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"6\" is a string (it is in quotes)") && e.contains("without quotes"),
            "{e}"
        );
    }

    /// The limit counts the scenario as written when it is added as the baseline: a grid of
    /// 1,000 values without the written one ran 1,001 variants against a limit of 1,000.
    #[test]
    fn the_variant_limit_counts_an_added_baseline() {
        let values: Vec<String> = (1001..=2000).map(|x| x.to_string()).collect();
        let spec = format!("teams.diverted_soc_ct.headcount={}", values.join(","));
        let vs = build_variants(MET, "met.toml", &[Vary::parse(&spec).unwrap()]).unwrap();
        assert_eq!(vs.len(), MAX_VARIANTS + 1);
        let e = choose_baseline(vs.clone(), MET, &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("1001 variants with the scenario as written"),
            "{e}"
        );
        let chosen = [Vary::parse("teams.diverted_soc_ct.headcount=1001").unwrap()];
        assert_eq!(
            choose_baseline(vs, MET, &chosen).unwrap().len(),
            MAX_VARIANTS
        );
    }

    /// Values are the same when they are equal as numbers (`2` and `2.0`), and integers above
    /// 2^53, which are equal as f64, are told apart.
    #[test]
    fn repeated_values_are_compared_exactly() {
        let e = error_of("teams.diverted_soc_ct.headcount=2,2.0");
        assert!(e.contains("the same value as 2 before it"), "{e}");
        // (Refused for what they are, a headcount past the limit, not as one value twice.)
        let e = error_of("teams.diverted_soc_ct.headcount=9007199254740992,9007199254740993");
        assert!(!e.contains("the same value"), "{e}");
    }

    /// A name with a dot in it is written in quotes, as TOML writes such a key; unquoted, the
    /// message says so.
    #[test]
    fn quoted_keys_in_paths_name_entries_with_dots() {
        let text = "[[teams]]\nname = \"pro.std\"\nhours_per_day = 6\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        for path in [
            r#"teams."pro.std".hours_per_day"#,
            "teams.'pro.std'.hours_per_day",
        ] {
            set_path(&mut doc, "f.toml", path, &Value::from(5)).unwrap();
        }
        assert!(doc.to_string().contains("hours_per_day = 5"), "{doc}");
        let e = set_path(
            &mut doc,
            "f.toml",
            "teams.pro.std.hours_per_day",
            &Value::from(5),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("no entry named pro; names: pro.std")
                && e.contains(r#"in quotes: teams."pro.std""#),
            "{e}"
        );
        // A quoted key may hold '=' too: the path ends at the first one outside quotes.
        let v = Vary::parse(r#"teams."a=b".headcount = 1, {x = 2}"#).unwrap();
        assert_eq!(v.path, r#"teams."a=b".headcount"#);
        assert_eq!(v.values.len(), 2);
        assert!(Vary::parse(r#"teams."a=b".headcount"#).is_err());
        for unclosed in [
            r#"teams."a=b.headcount=1,2"#,
            "teams.o'x.headcount=1,2",
            "teams.x[0.headcount=1,2",
        ] {
            let e = Vary::parse(unclosed).unwrap_err().to_string();
            assert!(e.contains("is not closed"), "{unclosed}: {e}");
        }
        assert!(segments(r#"teams."pro.std"x"#).is_err());
        assert!(segments(r#"teams."pro.std"#).is_err());
        assert!(segments(r#"teams."".x"#).is_err());
    }

    /// The message of building the variants of one `--vary` spec, which must fail.
    fn error_of(spec: &str) -> String {
        build_variants(MET, "met.toml", &[Vary::parse(spec).unwrap()])
            .unwrap_err()
            .to_string()
    }

    /// A path or name with an invisible character in it is shown with the character escaped, so
    /// that "no entry named x" cannot name what looks like an existing entry.
    #[test]
    fn invisible_characters_in_paths_and_names_are_shown_escaped() {
        let m = error_of("teams.diverted_soc_ct\u{200b}.headcount=1");
        assert!(
            m.starts_with("teams.diverted_soc_ct\\u{200b}.headcount: no such setting")
                && m.contains("no entry named diverted_soc_ct\\u{200b};"),
            "{m}"
        );
        assert!(!m.contains('\u{200b}'), "{m}");
        let m = error_of("teams[1\u{202e}].x=1");
        assert!(m.contains("\"1\\u{202e}\" is not an index"), "{m}");
    }

    /// A seed beyond what toml_edit holds (valid for `run`) is reported where it is written, not
    /// at line 1 as a variant that is not valid.
    #[test]
    fn a_seed_variants_cannot_hold_is_reported_at_its_line() {
        let line = MET.lines().position(|l| l.starts_with("seed = ")).unwrap() + 1;
        let text = MET.replacen("seed = 20230406", "seed = 18446744073709551615", 1);
        assert_ne!(text, MET);
        let vary = Vary::parse("teams.diverted_soc_ct.headcount=0").unwrap();
        let m = build_variants(&text, "met.toml", &[vary])
            .unwrap_err()
            .to_string();
        assert!(
            m.starts_with(&format!(
                "met.toml:{line}:8: seed: 18446744073709551615 is more than 9,223,372,036,854,775,807, the largest whole number that compare and solve can write"
            )),
            "{m}"
        );
    }

    /// Which settings change what is drawn (the comparison's common-random-numbers sentence).
    #[test]
    fn only_settings_that_change_the_draws_are_flagged() {
        for path in [
            "teams.diverted_soc_ct.headcount",
            "teams[2].hours_per_day",
            "case_types.bau_allegation.priority",
            "case_types[3].teams",
            "screening.throughput.factor.max",
            "screening.target",
        ] {
            assert!(!changes_draws(path), "{path}");
        }
        for path in [
            "case_types.misconduct_investigation.effort.mean",
            "case_types[4].delay.max",
            "case_types.hotline_report.routing[1].share",
            "screening.records",
            "screening.hits[0].rate",
            "arrivals[0].rate_per_day",
            "backlogs.historic.count",
            "horizon",
            "not a path[",
        ] {
            assert!(changes_draws(path), "{path}");
        }
    }

    #[test]
    fn sets_a_team_count_by_name_and_shorthand() {
        for path in [
            "teams.diverted_soc_ct.headcount",
            "teams.diverted_soc_ct.headcount[0].count",
            "teams[2].headcount[0].count",
        ] {
            let vary = Vary::parse(&format!("{path}=0,45")).unwrap();
            let vs = build_variants(MET, "met.toml", &[vary]).unwrap();
            assert_eq!(vs.len(), 3, "{path}: baseline (90) added to 0 and 45");
            assert!(vs[0].is_baseline && vs[0].label == "as written");
            let team = |v: &Variant| {
                let t = v
                    .scenario
                    .teams
                    .iter()
                    .find(|t| t.name == "diverted_soc_ct")
                    .unwrap();
                t.staff[0].count
            };
            assert_eq!(
                [team(&vs[0]), team(&vs[1]), team(&vs[2])],
                [90, 0, 45],
                "{path}"
            );
        }
    }

    #[test]
    fn the_written_value_is_the_baseline() {
        let vary = Vary::parse("teams.diverted_soc_ct.headcount=0,90,150").unwrap();
        let vs = build_variants(MET, "met.toml", &[vary]).unwrap();
        assert_eq!(vs.len(), 3);
        assert_eq!(vs.iter().filter(|v| v.is_baseline).count(), 1);
        assert!(vs[1].is_baseline, "count=90 is the scenario as written");
    }

    #[test]
    fn grids_combine_paths_first_slowest() {
        let a = Vary::parse("teams.diverted_soc_ct.headcount=45,90").unwrap();
        let b = Vary::parse("teams.diverted_soc_ct.headcount[0].to=2023-07-06,2023-10-06").unwrap();
        let vs = build_variants(MET, "met.toml", &[a, b]).unwrap();
        let labels: Vec<&str> = vs.iter().map(|v| v.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "headcount=45, to=2023-07-06",
                "headcount=45, to=2023-10-06",
                "headcount=90, to=2023-07-06",
                "headcount=90, to=2023-10-06"
            ]
        );
        assert!(vs[2].is_baseline);
    }

    #[test]
    fn unknown_paths_list_what_is_there() {
        let e = error_of("teams.diverted.headcount=1");
        let m = e.to_string();
        assert!(
            m.contains("no entry named diverted") && m.contains("diverted_soc_ct"),
            "{m}"
        );
        let e = error_of("teams.diverted_soc_ct.head=1");
        let m = e.to_string();
        assert!(m.contains("unknown field") || m.contains("head"), "{m}");
        let e = error_of("teams.dps_new_staff.headcount=1");
        assert!(e.to_string().contains("3 headcount entries"), "{e}");
        let e = error_of("teams[9].headcount[0].count=1");
        assert!(e.to_string().contains("has 4 entries"), "{e}");
    }

    /// An error on a line the variant added or rewrote is given at the field's place in the
    /// written file (or its table's), never at a line number of the variant's own text.
    #[test]
    fn variant_errors_point_into_the_written_file() {
        let stream = MET
            .lines()
            .position(|l| l.trim() == "[[arrivals]]")
            .unwrap()
            + 1;
        // `track` is not written for the first stream: the variant adds it.
        let e = error_of("arrivals[0].track=\"no\"");
        assert!(
            e.contains(&format!(
                "met.toml (variant track=\"no\"):{stream}:1: arrivals[0].track: invalid type"
            )),
            "{e}"
        );
        // A rule broken by a value on a line the variant left as it was keeps that line.
        let e = error_of("teams.diverted_soc_ct.headcount[0].to=2019-01-01");
        let to = MET
            .lines()
            .position(|l| l.contains("to = 2023-07-06, source = \"SOC/CT\""))
            .unwrap()
            + 1;
        assert!(e.contains(&format!(":{to}:")), "{e}");
    }

    #[test]
    fn values_keep_their_type_and_rules() {
        let e = error_of("teams.diverted_soc_ct.headcount=lots");
        assert!(e.to_string().contains("an integer"), "{e}");
        let e = error_of("teams.diverted_soc_ct.headcount[0].to=2019-01-01");
        assert!(
            e.starts_with("variant to=2019-01-01 is not a valid scenario"),
            "{e}"
        );
        assert!(Vary::parse("teams.x.headcount").is_err());
        assert!(Vary::parse("teams.x.headcount=1,,2").is_err());
    }

    #[test]
    fn settings_that_would_break_the_pairing_are_refused() {
        for (spec, says) in [
            ("seed=1,2", "seed cannot be varied"),
            ("replications=10,20", "replications cannot be varied"),
            ("start=2023-04-06,2023-04-28", "share one calendar"),
            ("calendar.holidays=\"none\"", "share one calendar"),
            ("name=\"x\"", "does not change the model"),
        ] {
            let e = build_variants(MET, "met.toml", &[Vary::parse(spec).unwrap()]).unwrap_err();
            assert!(e.to_string().contains(says), "{spec}: {e}");
        }
    }

    #[test]
    fn one_setting_cannot_be_varied_twice_under_two_spellings() {
        let a = Vary::parse("teams.diverted_soc_ct.headcount=0,45").unwrap();
        let b = Vary::parse("teams[2].headcount[0].count=90").unwrap();
        let e = build_variants(MET, "met.toml", &[a, b]).unwrap_err();
        assert!(
            e.to_string()
                .contains("the same setting as teams.diverted_soc_ct.headcount"),
            "{e}"
        );
        assert_eq!(
            canonical_path(MET, "teams.diverted_soc_ct.headcount"),
            "teams[2].headcount[0].count"
        );
    }

    #[test]
    fn an_uncertain_setting_may_be_set_to_a_number() {
        // met-2023 draws the screening factor (triangular) and the investigators' productive
        // hours (a declared assumption): a number makes each certain in its variants.
        for (spec, name) in [
            (
                "screening.throughput.factor=1,1.5",
                "screening.throughput.factor",
            ),
            (
                "teams.dps_investigators.hours_per_day=5,6.5",
                "productive_hours",
            ),
        ] {
            let vs = build_variants(MET, "met.toml", &[Vary::parse(spec).unwrap()]).unwrap();
            let grid: Vec<_> = vs.iter().filter(|v| !v.settings.is_empty()).collect();
            assert_eq!(grid.len(), 2, "{spec}");
            let base = vs.iter().find(|v| v.is_baseline).unwrap();
            let uses = |v: &Variant| {
                v.scenario
                    .assumptions
                    .list
                    .iter()
                    .filter(|a| a.name == name)
                    .map(|a| a.uses.len())
                    .sum::<usize>()
            };
            assert!(uses(base) > 0, "{spec}: the baseline draws it");
            for v in grid {
                assert!(uses(v) < uses(base), "{spec}: {} still draws it", v.label);
            }
        }
        // The same distribution written with dotted keys (a table of its own to toml_edit).
        let dotted = MET.replace(
            r#"factor = { dist = "triangular", min = 0.8, mode = 1.2, max = 2.0, source = "judgment: observed 185 a day; the NPCC's 31 March 2023 deadline was missed" }"#,
            "factor.dist = \"triangular\"\nfactor.min = 0.8\nfactor.mode = 1.2\nfactor.max = 2.0",
        );
        assert_ne!(dotted, MET);
        let vs = build_variants(
            &dotted,
            "met.toml",
            &[Vary::parse("screening.throughput.factor=1,1.5").unwrap()],
        )
        .unwrap();
        assert_eq!(vs.iter().filter(|v| !v.settings.is_empty()).count(), 2);
        // A table that is no distribution is still refused whole.
        let e = build_variants(
            MET,
            "met.toml",
            &[Vary::parse("screening.throughput=5").unwrap()],
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("not an integer") || e.to_string().contains("table"),
            "{e}"
        );
    }

    #[test]
    fn a_value_given_twice_is_refused_however_it_is_spelled() {
        for (spec, says) in [
            (
                "teams.diverted_soc_ct.headcount=2,2",
                "= 2: the same value as 2",
            ),
            (
                "teams.diverted_soc_ct.headcount=45,0x2d",
                "= 0x2d: the same value as 45",
            ),
            (
                "teams.diverted_soc_ct.headcount=1,2.0,2",
                "= 2: the same value as 2.0",
            ),
            (
                "teams.diverted_soc_ct.on_reduction=finish,'finish'",
                "the same value as",
            ),
            (
                "teams.diverted_soc_ct.headcount[0].to=2023-07-06,2023-07-06",
                "the same value as 2023-07-06",
            ),
        ] {
            let e = build_variants(MET, "met.toml", &[Vary::parse(spec).unwrap()]).unwrap_err();
            assert!(e.to_string().contains(says), "{spec}: {e}");
        }
        // Values that differ are kept.
        let ok = Vary::parse("teams.diverted_soc_ct.headcount=0,45,90").unwrap();
        assert!(build_variants(MET, "met.toml", &[ok]).is_ok());
    }

    #[test]
    fn malformed_paths_and_too_many_variants_are_refused() {
        for spec in [
            "teams..x=1",
            "teams.x.=1",
            ".teams=1",
            "teams[x]=1",
            "teams[1=1",
        ] {
            let e = Vary::parse(spec)
                .and_then(|v| build_variants(MET, "met.toml", &[v]))
                .unwrap_err();
            assert!(matches!(e, VaryError::Syntax { .. }), "{spec}: {e}");
        }
        let many: String = (0..40).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let a = Vary::parse(&format!("teams.diverted_soc_ct.headcount={many}")).unwrap();
        let b = Vary::parse(&format!("teams.vetting_unit.headcount={many}")).unwrap();
        let e = build_variants(MET, "met.toml", &[a, b]).unwrap_err();
        assert!(e.to_string().contains("1600 variants: at most 1000"), "{e}");
        let e = build_variants(MET, "met.toml", &[Vary::parse("start=2023-13-45").unwrap()]);
        assert!(e.is_err());
        let e = error_of("teams[2].headcount[0].to=2023-13-45");
        assert!(e.to_string().contains("2023-13-45 is not a date"), "{e}");
    }
}
