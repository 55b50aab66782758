//! Speed of the engine, from the smallest piece to a whole run (criterion).
//!
//! Run with `cargo bench -p vetsim-bench --bench engine` (benches/ is its own package, so that
//! `cargo test` does not build criterion); figures quoted in BENCHMARKS.md come from
//! here, on the project's 2-core machine. Nothing here asserts a time.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use vetsim::engine::{self, Silent};
use vetsim::model::random::{self, Purpose};
use vetsim::model::{NoProbe, Prepared, Workspace, run_replication};
use vetsim::scenario::{Dist, DistSpec, Scenario};

const STRESS: &str = include_str!("../scenarios/verification/screen-v1-stress.toml");
const MET: &str = include_str!("../scenarios/met-2023.toml");

fn sampling(c: &mut Criterion) {
    let mut g = c.benchmark_group("sampling");
    let lognormal = Dist::new(
        &DistSpec::Lognormal {
            mean: 60.0,
            sd: 40.0,
        },
        true,
    )
    .unwrap();
    let key = random::replication_key(1, 0);
    g.bench_function("keyed stream + lognormal draw (one case's effort)", |b| {
        let mut id = 0u64;
        b.iter(|| {
            id += 1;
            let mut r = random::stream(key, Purpose::Effort, id);
            black_box(lognormal.sample(&mut r))
        })
    });
    let mut r = random::stream(key, Purpose::Effort, 0);
    g.bench_function("lognormal draw from an open stream", |b| {
        b.iter(|| black_box(lognormal.sample(&mut r)))
    });
    g.finish();
}

fn one_replication(c: &mut Criterion) {
    let s = Scenario::from_toml_str(STRESS, "screen-v1-stress.toml").unwrap();
    let prep = Prepared::new(&s);
    let mut ws = Workspace::default();
    let mut rep = 0u64;
    c.bench_function("one replication of screen-v1-stress", |b| {
        b.iter(|| {
            rep += 1;
            black_box(run_replication(&s, &prep, rep, &mut ws, &mut NoProbe).unwrap())
        })
    });
}

fn whole_runs(c: &mut Criterion) {
    let mut g = c.benchmark_group("runs");
    g.sample_size(10);
    let met = Scenario::from_toml_str(MET, "met-2023.toml").unwrap();
    g.bench_function("met-2023, 1,000 replications (engine only)", |b| {
        b.iter(|| black_box(engine::run(&met, 1000, 1, &Silent).unwrap()))
    });
    let stress = Scenario::from_toml_str(STRESS, "screen-v1-stress.toml").unwrap();
    g.bench_function("screen-v1-stress, 10,000 replications (engine only)", |b| {
        b.iter(|| black_box(engine::run(&stress, 10_000, 1, &Silent).unwrap()))
    });
    g.finish();
}

/// The target: `vetsim sensitivity` on the built-in scenario at its defaults (1,000
/// replications per run) in under a minute on 2 cores. Ten samples of the whole analysis (the
/// simulation and its statistics; the files are a few hundred kilobytes more).
fn sensitivity(c: &mut Criterion) {
    let mut g = c.benchmark_group("sensitivity");
    g.sample_size(10);
    let met = Scenario::from_toml_str(MET, "met-2023.toml").unwrap();
    g.bench_function(
        "met-2023 at its defaults (1,000 replications per run)",
        |b| {
            b.iter(|| {
                black_box(vetsim::sensitivity::analyse(&met, 1000, met.seed, &Silent).unwrap())
            })
        },
    );
    g.finish();
}

/// The Beta quantile of our own (`dist::beta_quantile`), at a hit rate's posterior: one call per
/// Beta slot per replication.
fn beta_quantile(c: &mut Criterion) {
    let mut u = 0.0f64;
    c.bench_function("beta quantile, Beta(39, 9963)", |b| {
        b.iter(|| {
            u = (u + 0.618_033_988_749_895) % 1.0;
            black_box(vetsim::scenario::dist::beta_quantile(
                39.0,
                9963.0,
                u.max(1e-9),
            ))
        })
    });
}

// No HTML plots: criterion would draw them with plotters, which this crate builds without system
// fonts (its charts register an embedded font; criterion's do not), and the numbers are what
// the README quotes.
criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = sampling, one_replication, whole_runs, sensitivity, beta_quantile
}
criterion_main!(benches);
