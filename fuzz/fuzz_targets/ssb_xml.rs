//! See checks/ssb_xml.rs.
#![no_main]

include!("../checks/ssb_xml.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_ssb_xml(data));
