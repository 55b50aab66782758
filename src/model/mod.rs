//! The simulated system: random streams keyed by identity, people's work rates, and one
//! replication's event loop. Pure: no I/O, no threads, no global state; the engine runs it.
//!
//! The semantics in prose, with every policy and metric: `docs/model.md` (keep it in step).

mod agenda;
mod heap;
pub mod random;
pub mod sim;
pub mod staff;

pub use sim::{
    NoProbe, Pace, Prepared, Probe, RepKeys, RepRecord, SimError, StaffTime, TypeRecord, Workspace,
    run_replication, run_replication_keyed,
};
