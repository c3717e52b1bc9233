// The checks of the `ssb_xml` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-ssb, so that both check the same things.

/// Reads `data` as an SSB barnevern XML file. Every finding's message and path hold nothing
/// shaped like an identity number; a `Sak` that maps to a case bundle must be written as v4 XML
/// and read back to the same bundle (its source-format extension aside); SSB's controls run on it without panicking.
pub fn check_ssb_xml(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let clean = |issue: &barnvern_core::Issue| {
        assert!(
            !looks_like_identity_number(&issue.message) && !looks_like_identity_number(&issue.path),
            "a finding shows an identity number: {issue}"
        );
    };
    for read in barnvern_ssb::read_str(text, "fuzz.xml") {
        let sak = match read {
            Ok(sak) => sak,
            Err(issue) => {
                clean(&issue);
                continue;
            }
        };
        sak.findings.iter().for_each(clean);
        let case = match sak.into_case() {
            Ok(case) => case,
            Err(findings) => {
                assert!(!findings.is_empty(), "a refused Sak without findings");
                findings.iter().for_each(clean);
                continue;
            }
        };
        let _ = barnvern_ssb::check(&case, None);
        let written = barnvern_ssb::write_case(&case).expect("a mapped case writes as v4 XML");
        let mut again = barnvern_ssb::read_str(&written.xml, "written.xml").into_iter();
        let sak2 = again
            .next()
            .expect("the written file holds the Sak")
            .expect("the written file reads");
        let case2 = sak2.into_case().expect("the written Sak maps");
        // The mapped bundle must survive. `source_extensions` is left out: it keeps the source
        // file's own element tree (a v1 or v3 file's dialect, elements SSB has since dropped),
        // which writing the case as v4 legitimately changes.
        let (a, b) = (
            serde_json::to_value(&*case).expect("a case is JSON"),
            serde_json::to_value(&*case2).expect("a case is JSON"),
        );
        // Name the fields that changed, not their values (they may be personal data).
        let changed: Vec<&String> = a
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| k.as_str() != "source_extensions" && b.get(k.as_str()) != Some(*v))
            .map(|(k, _)| k)
            .collect();
        assert!(changed.is_empty(), "the bundle changed in a v4 round trip, in {changed:?}");
    }
}
