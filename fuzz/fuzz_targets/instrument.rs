//! See checks/instrument.rs.
#![no_main]

include!("../checks/instrument.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_instrument(data));
