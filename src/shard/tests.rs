use super::codec::{self, ShardData};
use super::*;
use crate::engine::{
    Silent, run, run_central, run_central_range, run_range, run_twins, run_twins_range,
};
use proptest::prelude::*;

const SCREEN_V1_STRESS: &str = include_str!("../../scenarios/verification/screen-v1-stress.toml");
const MET: &str = include_str!("../../scenarios/met-2023.toml");

fn load(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The blocks of 1..=M partition 0..N in order, their sizes differ by at most one, and the
    /// first N mod M are the longer ones.
    #[test]
    fn blocks_partition_the_replications(n in 1u64..5000, m in 1u64..200) {
        let blocks: Vec<Range<u64>> = (1..=m).map(|k| block(k, m, n)).collect();
        prop_assert_eq!(blocks[0].start, 0);
        prop_assert_eq!(blocks[blocks.len() - 1].end, n);
        for w in blocks.windows(2) {
            prop_assert_eq!(w[0].end, w[1].start);
        }
        let sizes: Vec<u64> = blocks.iter().map(|b| b.end - b.start).collect();
        let (lo, hi) = (*sizes.iter().min().unwrap(), *sizes.iter().max().unwrap());
        prop_assert!(hi - lo <= 1);
        for (k, &size) in sizes.iter().enumerate() {
            let longer = (k as u64) < n % m;
            prop_assert_eq!(size, n / m + u64::from(longer));
        }
    }
}

#[test]
fn blocks_of_ten_in_three() {
    assert_eq!(block(1, 3, 10), 0..4);
    assert_eq!(block(2, 3, 10), 4..7);
    assert_eq!(block(3, 3, 10), 7..10);
    assert_eq!(block(1, 1, 5), 0..5);
    assert_eq!(block(3, 3, 3), 2..3);
}

#[test]
fn shard_specs_parse_and_bad_ones_are_refused() {
    assert_eq!(
        "2/8".parse::<ShardSpec>().unwrap(),
        ShardSpec { index: 2, count: 8 }
    );
    assert_eq!("1/1".parse::<ShardSpec>().unwrap().to_string(), "1/1");
    for (bad, says) in [
        ("0/3", "from 1 to 3"),
        ("4/3", "from 1 to 3"),
        ("1/0", "at least 1"),
        ("3", "give K/M"),
        ("a/3", "\"a\" is not a whole number"),
        ("1/-3", "not a whole number"),
        ("18446744073709551617/3", "is too large"),
        ("", "give K/M"),
    ] {
        let e = bad.parse::<ShardSpec>().unwrap_err();
        assert!(matches!(e, ShardError::Spec { .. }), "{bad}: {e:?}");
        assert!(e.to_string().contains(says), "{bad}: {e}");
    }
}

fn shard_of(s: &Scenario, range: Range<u64>, seed: u64, split: bool) -> ShardData {
    ShardData {
        run: run_range(s, range.clone(), seed, &Silent).unwrap(),
        first: range.start,
        twins: if split {
            run_twins_range(s, range.clone(), seed, &Silent).unwrap()
        } else {
            Vec::new()
        },
        central: if split {
            run_central_range(s, range, seed, &Silent).unwrap()
        } else {
            Vec::new()
        },
    }
}

fn encoded(d: &ShardData) -> Vec<u8> {
    let mut v = Vec::new();
    codec::encode(d, &mut v).unwrap();
    v
}

fn records_bytes(list: &[RepRecord]) -> Vec<Vec<u8>> {
    list.iter().map(codec::record_bytes).collect()
}

/// What goes into shard.bin comes out bit for bit, NaNs included.
#[test]
fn shard_data_round_trip_exactly() {
    let s = load(MET);
    assert!(!s.epistemic_inputs().is_empty(), "met-2023 has assumptions");
    let d = shard_of(&s, 5..13, 4, true);
    let back = codec::decode(&encoded(&d)).unwrap();
    assert_eq!(back.first, 5);
    assert_eq!(back.run.seed, 4);
    assert_eq!(back.run.replications, 13);
    assert_eq!(
        records_bytes(&back.run.records),
        records_bytes(&d.run.records)
    );
    assert_eq!(records_bytes(&back.twins), records_bytes(&d.twins));
    assert_eq!(records_bytes(&back.central), records_bytes(&d.central));
    assert_eq!(back.run.pooled, d.run.pooled);
    // Something in a record is NaN (screening_pace without screening, p90 of no cases) or not:
    // either way the bytes are compared, not the floats.
    assert_eq!(encoded(&back), encoded(&d));
}

/// The blocks of M shards, absorbed in order, are the run of them all, twins and fixed-assumption
/// runs included: every reduction depends only on replication indices.
#[test]
fn shards_absorb_into_exactly_the_whole_run() {
    let s = load(MET);
    let (n, m, seed) = (10, 3, 11);
    let shards: Vec<ShardData> = (1..=m)
        .map(|k| codec::decode(&encoded(&shard_of(&s, block(k, m, n), seed, true))).unwrap())
        .collect();
    let mut iter = shards.into_iter();
    let first = iter.next().unwrap();
    let (mut all, mut twins, mut central) = (first.run, first.twins, first.central);
    for d in iter {
        all.absorb(d.run);
        twins.extend(d.twins);
        central.extend(d.central);
    }
    let whole = run(&s, n, seed, &Silent).unwrap();
    assert_eq!(records_bytes(&all.records), records_bytes(&whole.records));
    assert_eq!(all.pooled, whole.pooled);
    assert_eq!(all.replications, n);
    assert_eq!(
        records_bytes(&twins),
        records_bytes(&run_twins(&s, n, seed, &Silent).unwrap())
    );
    assert_eq!(
        records_bytes(&central),
        records_bytes(&run_central(&s, n, seed, &Silent).unwrap())
    );
    let split = |r: &RunResult, t: &[RepRecord], c: &[RepRecord]| {
        crate::report::summary_json(&crate::report::summarise_split(&s, r, t, c))
    };
    assert_eq!(
        split(&all, &twins, &central),
        split(
            &whole,
            &run_twins(&s, n, seed, &Silent).unwrap(),
            &run_central(&s, n, seed, &Silent).unwrap()
        )
    );
}

/// A cut, appended to or altered file is an error, never a panic or a wrong result read quietly.
#[test]
fn damaged_shard_data_is_refused_without_panicking() {
    let s = load(SCREEN_V1_STRESS);
    let bytes = encoded(&shard_of(&s, 0..3, 2, false));
    let step = (bytes.len() / 400).max(1);
    for cut in (0..bytes.len())
        .step_by(step)
        .chain(0..200)
        .chain([bytes.len() - 1])
    {
        assert!(codec::decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(
        codec::decode(&longer)
            .unwrap_err()
            .to_string()
            .contains("after the end")
    );
    let mut other = bytes.clone();
    other[0] = b'X';
    assert!(
        codec::decode(&other)
            .unwrap_err()
            .to_string()
            .contains("VSIMSHRD")
    );
    // Any single byte set to 0xff: decoding ends (Ok or Err), without a panic or a huge
    // allocation.
    for i in (0..bytes.len()).step_by(step).chain(0..400) {
        let mut b = bytes.clone();
        b[i] = 0xff;
        let _ = codec::decode(&b);
    }
}

#[test]
fn count_histograms_must_be_canonical() {
    assert!(crate::stats::CountHist::from_parts(0, vec![]).is_some());
    assert!(crate::stats::CountHist::from_parts(3, vec![]).is_none());
    assert!(crate::stats::CountHist::from_parts(3, vec![0, 1]).is_none());
    assert!(crate::stats::CountHist::from_parts(3, vec![1, 0]).is_none());
    assert!(crate::stats::CountHist::from_parts(u32::MAX, vec![1, 1]).is_none());
    let mut h = crate::stats::CountHist::new();
    h.add(5);
    h.add(9);
    let (base, counts) = h.parts();
    assert_eq!(
        crate::stats::CountHist::from_parts(base, counts.to_vec()),
        Some(h)
    );
}

/// The command a missing shard's message gives is the one that makes it: `run` with its
/// options, `compare` with every --vary and --baseline as one shell word each, `sensitivity`.
#[test]
fn a_missing_shard_is_named_with_the_command_that_runs_it() {
    let meta = ShardMeta {
        tool: Tool::this(),
        scenario: "x".into(),
        scenario_file: "x.toml".into(),
        scenario_hash: "00".into(),
        seed: 7,
        replications: 10,
        split: true,
        png: true,
        compare: None,
        sensitivity: None,
    };
    assert_eq!(
        meta.command(2, 3),
        "vetsim run SCENARIO --split -n 10 --seed 7 --png --shard 2/3"
    );
    let compare = ShardMeta {
        split: false,
        png: false,
        compare: Some(CompareShard {
            vary: vec![
                "teams.a.headcount=1,2".into(),
                "arrivals.hotline calls.rate_per_day=1,2".into(),
            ],
            baseline: vec!["name='it's'".into()],
            variants: 4,
        }),
        ..meta.clone()
    };
    assert_eq!(
        compare.command(1, 2),
        "vetsim compare SCENARIO --vary teams.a.headcount=1,2 --vary 'arrivals.hotline calls.rate_per_day=1,2' --baseline 'name='\\''it'\\''s'\\''' -n 10 --seed 7 --shard 1/2"
    );
    assert_eq!(compare.runs(), 4);
    let sensitivity = ShardMeta {
        split: false,
        png: false,
        sensitivity: Some(SensitivityShard { runs: 9 }),
        ..meta
    };
    assert_eq!(
        sensitivity.command(3, 3),
        "vetsim sensitivity SCENARIO -n 10 --seed 7 --shard 3/3"
    );
    assert_eq!(sensitivity.runs(), 9);
}
