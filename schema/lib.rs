//! Nothing: this package exists for its test, `tests/validate.rs`.
