//! See checks/score_csv.rs.
#![no_main]

include!("../checks/score_csv.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_score_csv(data));
