//! vetsim: a Monte Carlo engine for screening a workforce against intelligence records and working
//! the cases it uncovers.
//!
//! The library knows nothing of the terminal: it loads and validates scenarios ([`scenario`]), maps
//! calendar dates to working-day time ([`calendar`]), simulates replications ([`model`]) in parallel
//! ([`engine`]), summarises them ([`stats`], [`report`]), draws charts from the written summaries ([`plot`]) and
//! writes them atomically; every message shows the user's strings through [`quote`]. The binary in
//! `main.rs` is a thin shell around [`app`].
//!
//! What the model does, step by step in the order the code applies it, and what every output
//! number means: `docs/model.md` in the repository.

// `!(x > 0.0)` is how this crate says "not a positive number, NaN included" (the rand_distr
// habit); clippy's suggested `partial_cmp` would hide that intent.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
// Nothing prints with the macros that panic when the stream is closed (`vetsim validate a b 2>&1 |
// head -1`): the binary writes through `app::print` and `app::eprint_line`, which cannot panic.
#![cfg_attr(not(test), deny(clippy::print_stdout, clippy::print_stderr))]

pub mod app;
pub mod calendar;
pub mod cli;
pub mod compare;
pub mod engine;
pub mod model;
pub mod page;
pub mod plot;
pub mod quote;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod shard;
pub mod stats;
