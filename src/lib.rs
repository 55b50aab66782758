//! vetsim: a Monte Carlo engine for screening a workforce against intelligence records and working the
//! cases it uncovers.
//!
//! The library knows nothing of the terminal: it loads and validates scenarios ([`scenario`]), maps
//! calendar dates to working-day time ([`calendar`]), simulates replications ([`model`], [`engine`]),
//! summarises them ([`stats`]) and turns the summary into bytes ([`report`]). The binary in `main.rs`
//! is a thin shell around [`app`].

pub mod calendar;
pub mod stats;
