//! A case bundle (JSON) from outside: see checks/bundle_json.rs.
#![no_main]

include!("../checks/bundle_json.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_bundle_json(data));
