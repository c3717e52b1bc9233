//! See checks/extract_line.rs.
#![no_main]

include!("../checks/extract_line.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_extract_line(data));
