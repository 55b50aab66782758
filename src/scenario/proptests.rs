//! Property: whatever is done to a valid scenario (keys dropped, entries duplicated, values
//! retyped, numbers set to extremes, NaN or negatives, dates moved or swapped), loading it gives a
//! valid scenario or a clean [`ScenarioError`] with a message, never a panic; and a scenario that
//! loads also runs (a small one, for a couple of replications) without a panic.
//!
//! The perturbations work on the parsed value tree (`toml::Table`), then write it back as TOML, so
//! every mutant is well-formed TOML and the checks after parsing are what is exercised; the fuzz
//! target (`fuzz/`) covers malformed text.

use super::*;
use proptest::prelude::*;
use proptest::sample::Index;
use toml::Value;

const SHIPPED: [&str; 5] = [
    include_str!("../../scenarios/met-2023.toml"),
    include_str!("../../scenarios/verification/screen-v1.toml"),
    include_str!("../../scenarios/verification/screen-v1-stress.toml"),
    include_str!("../../scenarios/verification/mmc.toml"),
    include_str!("../../scenarios/verification/mm1.toml"),
];

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone)]
enum Op {
    /// Remove the value (a key from its table, an element from its array).
    Drop,
    /// Insert a copy of the value beside itself when it is in an array (a second team with the
    /// same name, a repeated outcome); a table key is copied to a sibling array element instead.
    Duplicate,
    /// Replace the value by one of another type.
    Retype(u8),
    /// Replace by a float.
    Float(f64),
    /// Replace by an integer.
    Int(i64),
    /// Replace by a date.
    Date(&'static str),
    /// Swap `start` and `horizon` (whatever the chosen value).
    SwapDates,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Drop),
        2 => Just(Op::Duplicate),
        2 => (0u8..7).prop_map(Op::Retype),
        3 => prop::sample::select(vec![
            0.0, -1.0, 1e300, -1e300, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-300, 0.5,
            1.0, 2.0, 1e9, 1e15,
        ])
        .prop_map(Op::Float),
        3 => prop::sample::select(vec![
            0i64, -1, 1, 2, i64::MAX, i64::MIN, 1 << 32, 1 << 53, 10_000_001, 1_000_000_001,
            4_294_967_296, 2_000_000,
        ])
        .prop_map(Op::Int),
        2 => prop::sample::select(vec![
            "0001-01-01", "9999-12-31", "1900-01-01", "2023-01-01", "2023-06-30", "2024-02-29",
            "2026-12-31", "2100-01-01",
        ])
        .prop_map(Op::Date),
        1 => Just(Op::SwapDates),
    ]
}

/// Paths of every value in the tree below `v`.
fn paths(v: &Value, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match v {
        Value::Table(t) => {
            for (k, x) in t {
                prefix.push(Seg::Key(k.clone()));
                out.push(prefix.clone());
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                prefix.push(Seg::Index(i));
                out.push(prefix.clone());
                paths(x, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> Option<&'a mut Value> {
    let mut cur = v;
    for seg in path {
        cur = match (cur, seg) {
            (Value::Table(t), Seg::Key(k)) => t.get_mut(k)?,
            (Value::Array(a), Seg::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn apply(root: &mut Value, path: &[Seg], op: &Op) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    if let Op::SwapDates = op {
        if let Value::Table(t) = root
            && let (Some(s), Some(h)) = (t.get("start").cloned(), t.get("horizon").cloned())
        {
            t.insert("start".into(), h);
            t.insert("horizon".into(), s);
        }
        return;
    }
    let Some(parent) = get_mut(root, parent_path) else {
        return;
    };
    match (op, parent, last) {
        (Op::Drop, Value::Table(t), Seg::Key(k)) => {
            t.remove(k);
        }
        (Op::Drop, Value::Array(a), Seg::Index(i)) => {
            a.remove(*i);
        }
        (Op::Duplicate, Value::Array(a), Seg::Index(i)) => {
            let copy = a[*i].clone();
            a.insert(*i, copy);
        }
        (Op::Duplicate, Value::Table(t), Seg::Key(k)) => {
            // Duplicate the table entry's value into every array it holds (e.g. teams of a type).
            if let Some(Value::Array(a)) = t.get_mut(k)
                && let Some(first) = a.first().cloned()
            {
                a.push(first);
            }
        }
        (op, parent, seg) => {
            let new = match op {
                Op::Retype(0) => Value::String("x".into()),
                Op::Retype(1) => Value::Boolean(true),
                Op::Retype(2) => Value::Array(Vec::new()),
                Op::Retype(3) => Value::Table(toml::Table::new()),
                Op::Retype(4) => Value::Integer(1),
                Op::Retype(5) => Value::Float(0.5),
                Op::Retype(_) => Value::String(String::new()),
                Op::Float(x) => Value::Float(*x),
                Op::Int(i) => Value::Integer(*i),
                Op::Date(d) => Value::Datetime(d.parse().expect("a valid date")),
                Op::Drop | Op::Duplicate | Op::SwapDates => return,
            };
            match (parent, seg) {
                (Value::Table(t), Seg::Key(k)) => {
                    t.insert(k.clone(), new);
                }
                (Value::Array(a), Seg::Index(i)) => a[*i] = new,
                _ => {}
            }
        }
    }
}

/// Loads `text` and checks the outcome is clean; runs it when it is valid and small.
fn check(text: &str) -> Result<(), TestCaseError> {
    match Scenario::from_toml_str(text, "mutant.toml") {
        Ok(s) => {
            if s.expected_cases < 20_000.0 && s.calendar.len() < 5_000 {
                // A valid scenario must run; a failed run would be a clean RunError, also fine.
                let _ = crate::engine::run(&s, 2, 1, &crate::engine::Silent);
            }
        }
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(msg.starts_with("mutant.toml"), "{msg}");
            if let ScenarioError::Invalid { errors, .. } = &e {
                prop_assert!(!errors.is_empty());
                for fe in errors {
                    prop_assert!(!fe.message.trim().is_empty(), "{msg}");
                    prop_assert!(!fe.path.is_empty(), "{msg}");
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn perturbed_scenarios_load_cleanly_and_run(
        which in 0..SHIPPED.len(),
        edits in prop::collection::vec((any::<Index>(), op()), 1..4),
    ) {
        let mut root = Value::Table(toml::from_str(SHIPPED[which]).expect("shipped scenarios parse"));
        for (at, op) in &edits {
            let mut all = Vec::new();
            paths(&root, &mut Vec::new(), &mut all);
            if all.is_empty() {
                break;
            }
            apply(&mut root, &all[at.index(all.len())], op);
        }
        let Value::Table(t) = root else { unreachable!() };
        // The writer refuses some trees (e.g. NaN keys are impossible, but a table after a value
        // in an array is fine); anything it writes is checked.
        if let Ok(text) = toml::to_string(&t) {
            check(&text)?;
        }
    }
}

#[test]
fn every_shipped_scenario_survives_the_harness_unchanged() {
    // The harness itself: writing a scenario back through the value tree keeps it valid.
    for text in SHIPPED {
        let t: toml::Table = toml::from_str(text).unwrap();
        let back = toml::to_string(&t).unwrap();
        Scenario::from_toml_str(&back, "x.toml").unwrap();
    }
}
