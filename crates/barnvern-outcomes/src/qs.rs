//! A long layout of responses and scores following the concepts of the CDISC SDTM
//! Questionnaires (QS) domain: one row per item or derived score.
//!
//! | field       | SDTM      | item row                               | derived score row        |
//! |-------------|-----------|----------------------------------------|--------------------------|
//! | `qscat`     | QSCAT     | instrument id                          | instrument id            |
//! | `qstestcd`  | QSTESTCD  | item variable name                     | the score's `qs_testcd`  |
//! | `qstest`    | QSTEST    | item variable name (no wording)        | score label              |
//! | `qsorres`   | QSORRES   | recorded value as text                 | none                     |
//! | `qsstresn`  | QSSTRESN  | the option's weight (before reversing) | the score                |
//! | `qsstat`    | QSSTAT    | `NOT DONE` when not done               | `NOT DONE` when missing  |
//! | `qsreasnd`  | QSREASND  | the reason given                       | none                     |
//! | `qsdrvfl`   | QSDRVFL   | false                                  | true                     |
//! | `qseval`    | QSEVAL    | informant                              | informant                |
//!
//! Score ids are readable (`hyperactivity`); SDTM keeps QSTESTCD to 8 characters, so a derived
//! row carries the short code each scale and composite defines (`SDQHYPR`).
//!
//! Derived rows also name the algorithm and the definition version, so a score can always be
//! traced to the rules that made it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::instrument::{Informant, Instrument};
use crate::response::{ItemResponse, Responses};
use crate::scoring::Scores;

/// The QSSTAT value of a response or score that is not there.
pub const NOT_DONE: &str = "NOT DONE";

/// One row of the long layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QsRow {
    /// The subject key (a pseudonym in research data), USUBJID.
    pub usubjid: String,
    /// Sequence number within the subject and instrument, from 1 (QSSEQ).
    pub qsseq: u32,
    /// The instrument id (QSCAT).
    pub qscat: String,
    /// The item variable name, or the score's short code such as `SDQEMOT` (QSTESTCD).
    pub qstestcd: String,
    /// The test name: the item variable name (no wording is shipped) or the score label (QSTEST).
    pub qstest: String,
    /// The original response, as text (QSORRES).
    pub qsorres: Option<String>,
    /// The standardised numeric result (QSSTRESN).
    pub qsstresn: Option<f64>,
    /// `NOT DONE` when the item was not done or the score is missing (QSSTAT).
    pub qsstat: Option<String>,
    /// Why the item was not done (QSREASND).
    pub qsreasnd: Option<String>,
    /// True for derived scores (QSDRVFL = "Y").
    pub qsdrvfl: bool,
    /// The informant (QSEVAL).
    pub qseval: Option<Informant>,
    /// For derived rows, the scoring algorithm.
    pub algorithm: Option<String>,
    /// For derived rows, the definition version applied.
    pub version: Option<String>,
}

/// The long rows of one respondent: an item row per item of the instrument in form order (not
/// recorded items are `NOT DONE`), then a derived row per score.
pub fn qs_rows(
    instrument: &Instrument,
    usubjid: &str,
    responses: &Responses,
    scores: &Scores,
) -> Vec<QsRow> {
    let mut rows = Vec::with_capacity(instrument.items().len() + scores.scores.len());
    let mut seq = 0u32;
    let mut next = || {
        seq += 1;
        seq
    };
    for item in instrument.items() {
        let name = item.name.as_str();
        let (orres, stresn, stat, reason) = match responses.get(name) {
            Some(ItemResponse::Answered(v)) => {
                let weight = instrument
                    .options(name)
                    .and_then(|opts| opts.iter().find(|o| o.value == *v))
                    .map(|o| o.weight as f64);
                (Some(v.to_string()), weight, None, None)
            }
            Some(ItemResponse::NotDone { reason }) => {
                (None, None, Some(NOT_DONE.to_owned()), reason.clone())
            }
            None => (None, None, Some(NOT_DONE.to_owned()), None),
        };
        rows.push(QsRow {
            usubjid: usubjid.to_owned(),
            qsseq: next(),
            qscat: instrument.id().to_owned(),
            qstestcd: name.to_owned(),
            qstest: name.to_owned(),
            qsorres: orres,
            qsstresn: stresn,
            qsstat: stat,
            qsreasnd: reason,
            qsdrvfl: false,
            qseval: scores.informant,
            algorithm: None,
            version: None,
        });
    }
    for score in &scores.scores {
        rows.push(QsRow {
            usubjid: usubjid.to_owned(),
            qsseq: next(),
            qscat: scores.instrument.clone(),
            qstestcd: instrument
                .qs_testcd(&score.id)
                .unwrap_or(&score.id)
                .to_owned(),
            qstest: score.label.clone(),
            qsorres: None,
            qsstresn: score.value,
            qsstat: score.value.is_none().then(|| NOT_DONE.to_owned()),
            qsreasnd: None,
            qsdrvfl: true,
            qseval: scores.informant,
            algorithm: Some(scores.algorithm.clone()),
            version: Some(scores.version.clone()),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScoreOptions, builtin, score};

    #[test]
    fn items_then_derived_scores() {
        let aim = builtin("aim").unwrap();
        let mut r = Responses::new();
        r.answer("aim1", 4).answer("aim2", 4).answer("aim3", 5);
        r.not_done("aim4", Some("refused".into()));
        let scores = score(aim, &r, &ScoreOptions::default()).unwrap();
        let rows = qs_rows(aim, "P001", &r, &scores);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].qstestcd, "aim1");
        assert_eq!(rows[0].qsorres.as_deref(), Some("4"));
        assert_eq!(rows[0].qsstresn, Some(4.0));
        assert_eq!(rows[3].qsstat.as_deref(), Some(NOT_DONE));
        assert_eq!(rows[3].qsreasnd.as_deref(), Some("refused"));
        assert!(rows[4].qsdrvfl);
        assert_eq!(rows[4].qsstat.as_deref(), Some(NOT_DONE));
        assert_eq!(rows[4].algorithm.as_deref(), Some(aim.algorithm()));
        assert_eq!(rows[4].qsseq, 5);
        assert_eq!(rows[4].qstestcd, "AIMMEAN");
        assert_eq!(rows[4].qstest, "Acceptability of Intervention Measure");
    }
}
