// Shared by the integration tests (included, not a test target of its own).
use std::path::Path;
use std::process::Command;

/// Runs xmllint against Barnevern_v4.xsd. xmllint is part of the test environment
/// (scripts/test installs libxml2-utils): its absence is a failure, not a skip.
pub fn xmllint(file: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/Barnevern_v4.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "xmllint is needed to validate written SSB files against Barnevern_v4.xsd but \
                 could not be run ({e}); install Debian's libxml2-utils (scripts/test does)"
            )
        });
    assert!(
        out.status.success(),
        "{} does not validate against Barnevern_v4.xsd:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

