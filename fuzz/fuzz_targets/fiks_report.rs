//! A Fiks bekymringsmelding (message type and JSON body) from outside: see
//! checks/fiks_report.rs.
#![no_main]

include!("../checks/fiks_report.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_fiks_report(data));
