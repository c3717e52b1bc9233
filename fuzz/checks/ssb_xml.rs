// The checks of the `ssb_xml` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-ssb, so that both check the same things.

/// Reads `data` as an SSB barnevern XML file. Every finding's message and path hold nothing
/// shaped like an identity number; a `Sak` that maps to a case bundle must be written as v4 XML
/// and read back to the same bundle (its source-format extension aside, and ids that are not
/// SSB's UUIDs renamed, and SSB source codes added to values recorded in canonical form only),
/// which is then a fixed point of the round trip; SSB's controls run on it without panicking.
pub fn check_ssb_xml(data: &[u8]) {
    use barnvern_core::identifier::looks_like_identity_number;
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let clean = |finding: &barnvern_core::Finding| {
        assert!(
            !looks_like_identity_number(&finding.message) && !looks_like_identity_number(&finding.path),
            "a finding shows an identity number: {finding}"
        );
    };
    for read in barnvern_ssb::read_str(text, "fuzz.xml") {
        let sak = match read {
            Ok(sak) => sak,
            Err(finding) => {
                clean(&finding);
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
        // First hop: no record is lost or changed. Record ids that are not the UUIDs SSB's
        // schema requires are replaced by ids derived from the case and record when written
        // (`barnvern_ssb::ids::ssb_id`), so ids and references are compared on the second hop.
        let case2 = ssb_round_trip(&case);
        let changed = ssb_changed(&case, &case2, true);
        assert!(
            changed.is_empty(),
            "the bundle changed in a v4 round trip, in {changed:?}"
        );
        // Second hop: a case read from v4 is a fixed point, ids and references included.
        let case3 = ssb_round_trip(&case2);
        let changed = ssb_changed(&case2, &case3, false);
        assert!(
            changed.is_empty(),
            "a v4 bundle changed in a second round trip, in {changed:?}"
        );
    }
}

/// Writes `case` as v4 XML and reads it back.
fn ssb_round_trip(case: &barnvern_case::Case) -> barnvern_case::Case {
    let written = barnvern_ssb::write_case(case).expect("a mapped case writes as v4 XML");
    barnvern_ssb::read_str(&written.xml, "written.xml")
        .into_iter()
        .next()
        .expect("the written file holds the Sak")
        .expect("the written file reads")
        .into_case()
        .expect("the written Sak maps")
}

/// The top-level fields of the bundle that differ, by name only (their values may be personal
/// data). `source_extensions` is left out: it keeps the source file's own element tree (a v1
/// or v3 file's dialect, elements SSB has since dropped), which writing as v4 changes.
fn ssb_changed(a: &barnvern_case::Case, b: &barnvern_case::Case, without_ids: bool) -> Vec<String> {
    fn mask_ids(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                // The source code of a coded value goes, and ids are blanked: a value recorded
                // in canonical form only is written with its SSB code, which reads back as its
                // source; the canonical code and text are still compared.
                m.retain(|k, x| !(k == "source" && x.get("system").is_some()));
                for (k, x) in m.iter_mut() {
                    if k == "id" || k.ends_with("_id") || k.ends_with("_ids") {
                        *x = serde_json::Value::Null;
                    } else {
                        mask_ids(x);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask_ids),
            _ => {}
        }
    }
    let mut a = serde_json::to_value(&**a).expect("a case is JSON");
    let mut b = serde_json::to_value(&**b).expect("a case is JSON");
    if without_ids {
        mask_ids(&mut a);
        mask_ids(&mut b);
        // A decision with no recorded status is written as approved on its date (SSB requires
        // a Status; the writer warns `ssb.write.status_assumed`): read back, it has that one.
        let before = a["decisions"].as_array().cloned().unwrap_or_default();
        if let Some(after) = b["decisions"].as_array_mut() {
            for (x, y) in before.iter().zip(after.iter_mut()) {
                let assumed =
                    serde_json::json!([{"status": {"code": "approved"}, "on": x["decided_on"]}]);
                if x.get("status_history").is_none()
                    && y.get("status_history") == Some(&assumed)
                    && let Some(m) = y.as_object_mut()
                {
                    m.remove("status_history");
                }
            }
        }
    }
    a.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| k.as_str() != "source_extensions" && b.get(k.as_str()) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect()
}
