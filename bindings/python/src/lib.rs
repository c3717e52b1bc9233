//! Python bindings of barnvern: the private extension module `barnvern._core`.
//!
//! The public package is `barnvern` (`bindings/python/python/barnvern`), which re-exports what
//! is defined here and adds the exception tree (`barnvern.exceptions`, pure Python). Every rule
//! lives in the domain crates; this crate only converts between Rust and Python.
//!
//! Binding code never calls `unwrap()` or `expect()`: a Rust panic reaches Python as a
//! `PanicException`, which `except Exception` does not catch. Errors go through
//! `errors::ToPyErr`.

use pyo3::prelude::*;

/// mimalloc for the extension's own allocations, as in the `barnvern` command: an extract
/// allocates and frees many small values per case, and with the system allocator it took
/// 11.9 s instead of 9.3 s for 100,000 children. Arrow buffers handed to pyarrow or polars are
/// freed through their release callback, by this same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod case;
mod dataset;
mod errors;
mod extract;
mod familypartner;
mod identifier;
mod outcomes;
mod pickle;
mod report;
mod ssb;
mod synth;
// One module per domain area; each has a `register` function called below.

/// The extension module. Its contents are described by `barnvern/_core.pyi`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<identifier::PyPersonId>()?;
    case::register(m)?;
    dataset::register(m)?;
    extract::register(m)?;
    familypartner::register(m)?;
    outcomes::register(m)?;
    report::register(m)?;
    ssb::register(m)?;
    synth::register(m)?;
    Ok(())
}
