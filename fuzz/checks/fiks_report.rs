// The checks of the `fiks_report` fuzz target, included (`include!`) by the target and by the
// corpus replay test of barnvern-fiks, so that both check the same things.

/// Reads `data` as a Fiks bekymringsmelding: the first byte picks the message type (modulo 4,
/// in the order of `MessageType::ALL`), the rest is the body. Parsing never panics. A report
/// that parses writes back and parses to the same report, and every child opens a valid case
/// with its referral; a refusal carries findings. No message, path or reply shows a long digit
/// run (an identity number, the input's or any other) or the masking that would have hidden
/// one: messages never repeat values in the first place.
pub fn check_fiks_report(data: &[u8]) {
    use barnvern_fiks::{MessageType, Reply, parse};
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let kind = MessageType::ALL[usize::from(selector) % MessageType::ALL.len()];
    match parse(kind, body) {
        Ok(report) => {
            let json = report.to_json();
            let again = parse(kind, json.as_bytes()).expect("a written report reads back");
            assert_eq!(report, again, "the report changed in a JSON round trip");
            for finding in report.findings() {
                fiks_assert_no_number(&finding.message);
                fiks_assert_no_number(&finding.path);
            }
            for (i, child) in report.children().iter().enumerate() {
                let case_id = barnvern_core::ids::CaseId::new(format!("fuzz-{i}")).expect("id");
                let referral_id = barnvern_core::ids::ReferralId::new("m-1").expect("id");
                let mut case = barnvern_case::Case::new(report.case_header(child, case_id))
                    .expect("a reported child opens a valid case");
                case.apply(report.referral_event(child, referral_id))
                    .expect("the referral joins the new case");
            }
        }
        Err(err) => {
            assert!(!err.findings().is_empty(), "a refusal without findings");
            for finding in err.findings() {
                fiks_assert_no_number(&finding.message);
                fiks_assert_no_number(&finding.path);
            }
            fiks_assert_no_number(&err.to_string());
            let reply = Reply::failed(&err);
            fiks_assert_no_number(&String::from_utf8_lossy(reply.body()));
        }
    }
}

/// `text` holds no run of 10 or more digits (the shortest identity number) and no run of 10 or
/// more `*` (what the last-line masking of findings leaves of one).
fn fiks_assert_no_number(text: &str) {
    let mut digits = 0;
    let mut stars = 0;
    for c in text.chars() {
        digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
        stars = if c == '*' { stars + 1 } else { 0 };
        assert!(
            digits < 10 && stars < 10,
            "a message shows (or had to mask) a long digit run: {text}"
        );
    }
}
