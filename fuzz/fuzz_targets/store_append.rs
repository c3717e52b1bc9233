//! See checks/store_append.rs.
#![no_main]

include!("../checks/store_append.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_store_append(data));
