//! Summary statistics for the Monte Carlo output: sample quantiles, means with Monte Carlo standard
//! errors, mergeable histograms, and the closed-form queueing results used to verify the engine.
//!
//! This module owns the arithmetic only. It does no I/O, prints nothing and knows nothing of
//! scenarios, the engine or the report format.
//!
//! Determinism rule: results must be byte-identical whatever the thread count, so
//! - everything merged across threads ([`CountHist`], [`LogHist`]) holds integer counts only, which
//!   makes a merge exact and its order irrelevant;
//! - every float reduction ([`mean_and_mcse`], [`ratio_estimate`]) runs sequentially in slice order,
//!   and callers pass slices in replication order.
//!
//! Memory does not grow with the number of replications beyond what the caller stores per
//! replication: [`CountHist`] grows with the *range* of the values it sees, [`LogHist`] is fixed
//! size.
//!
//! Submodules: `quantile` (Hyndman-Fan type 7), `interval` (distribution-free intervals for
//! quantiles from order statistics), `split` (the share of the spread that comes from the
//! assumptions, from twin replications), `first_order` (one input's main effect, from the draws of a
//! run, by binned correlation ratio), `estimate` (means and standard errors), `hist` (histograms)
//! and `theory` (Erlang B and M/M/c).

mod estimate;
mod first_order;
mod hist;
mod interval;
mod quantile;
mod split;
mod theory;

pub use estimate::{Estimate, mean_and_mcse, ratio_estimate};
pub use first_order::{FirstOrder, bins_for, first_order_index, jackknife_se};
pub use hist::{CountHist, LogHist};
pub use interval::{coverage, quantile_interval_ranks, quantile_interval_sorted};
pub use quantile::{
    QUANTILE_NAMES, QUANTILE_PROBS, quantile_type7_nonneg_bits,
    quantile_type7_nonneg_bits_and_zeros, quantile_type7_sorted, quantile_type7_sorted_then,
    quantile_type7_unsorted,
};
pub use split::{JACKKNIFE_BLOCKS, Share, assumptions_share, block_of, janon};
pub use theory::{MmcTheory, erlang_b, mmc, mmc_wait_exceeds, mmc_wait_quantile};

/// A small deterministic generator for test inputs, shared by the stats tests. It uses the
/// model's SplitMix64 mix so there is one definition of that function in the crate.
#[cfg(test)]
pub(crate) mod test_rng {
    pub(crate) struct Rng(pub(crate) u64);
    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            crate::model::random::mix64(self.0)
        }
        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        pub(crate) fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }
}
