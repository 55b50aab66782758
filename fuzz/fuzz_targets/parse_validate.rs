//! Arbitrary bytes (as text when they are UTF-8) through the scenario parser and validator, and
//! the error through its Display: any panic, overflow or hang is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vetsim::scenario::Scenario;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match Scenario::from_toml_str(text, "fuzz.toml") {
            Ok(s) => {
                std::hint::black_box(s.expected_cases);
            }
            Err(e) => {
                assert!(!e.to_string().is_empty());
            }
        }
    }
});
