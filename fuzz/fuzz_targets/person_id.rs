//! An identity number from outside: see checks/person_id.rs.
#![no_main]

include!("../checks/person_id.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_person_id(data));
