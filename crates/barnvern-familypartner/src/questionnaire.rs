//! Questionnaires collected at an assessment wave: which instrument, who answered it, when, and
//! the item responses in the form of [`barnvern_outcomes::Responses`].
//!
//! In JSON:
//!
//! ```json
//! {"instrument": "sdq-p-4-17", "informant": "parent", "completed_on": "2024-10-28",
//!  "responses": {"consid": 2, "restles": null,
//!                "somatic": {"status": "not_done", "reason": "refused"}}}
//! ```
//!
//! The instrument is an id of [`barnvern_outcomes::builtin()`]; checking
//! ([`Questionnaire::check`]) refuses an unknown instrument, items that are not the
//! instrument's and answers that are not one of the item's response codes.

use barnvern_core::{Issue, Report};
use barnvern_outcomes::{Informant, Instrument, InstrumentId, Responses};
use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// How many days before the wave's record date a questionnaire may have been completed: a
/// wave's collection may take several visits and is recorded on the day it closes.
pub const COMPLETED_DAYS_BEFORE_WAVE: u64 = 14;

/// One questionnaire answered at a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// The instrument (an id of the built-in instruments, e.g. `sdq-p-4-17`, `aim`).
    pub instrument: InstrumentId,
    /// Who answered it.
    pub informant: Informant,
    /// The date it was completed.
    pub completed_on: NaiveDate,
    /// The item responses: item name to a response code, `null` (not done) or
    /// `{"status": "not_done", "reason": "..."}`.
    #[schemars(schema_with = "responses_schema")]
    pub responses: Responses,
}

fn responses_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "description": "Item name to a whole-number response code, null (not done) or {\"status\": \"not_done\", \"reason\": \"...\"}.",
        "additionalProperties": {
            "anyOf": [
                {"type": "integer"},
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "status": {"const": "not_done"},
                        "reason": {"type": ["string", "null"]}
                    },
                    "required": ["status"],
                    "additionalProperties": false
                }
            ]
        }
    })
}

impl Questionnaire {
    /// The built-in instrument, if the id names one.
    pub fn definition(&self) -> Option<&'static Instrument> {
        barnvern_outcomes::builtin(self.instrument.as_str())
    }

    /// Findings, with paths relative to the questionnaire (`responses.consid`): the instrument
    /// is known (`fp.unknown_instrument`), every item is one of its items
    /// (`outcomes.unknown_item`) and every answer one of the item's response codes
    /// (`outcomes.out_of_range`); an informant other than the form's is a warning
    /// (`fp.informant_not_the_forms`). `wave_on` is the wave's record date: the questionnaire
    /// is completed on it or in the [`COMPLETED_DAYS_BEFORE_WAVE`] days before it
    /// (`fp.questionnaire_date`).
    pub fn check(&self, wave_on: NaiveDate) -> Report {
        let mut r = Report::new();
        let earliest = wave_on
            .checked_sub_days(chrono::Days::new(COMPLETED_DAYS_BEFORE_WAVE))
            .unwrap_or(wave_on);
        if self.completed_on > wave_on || self.completed_on < earliest {
            r.push(Issue::error(
                "completed_on",
                "fp.questionnaire_date",
                format!(
                    "a questionnaire is completed on the wave's date {wave_on} or in the \
                     {COMPLETED_DAYS_BEFORE_WAVE} days before it"
                ),
            ));
        }
        let Some(instrument) = self.definition() else {
            r.push(Issue::error(
                "instrument",
                "fp.unknown_instrument",
                format!(
                    "{:?} is not an instrument barnvern knows: use one of {}",
                    self.instrument.as_str(),
                    barnvern_outcomes::builtin_ids()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            return r;
        };
        if let Some(form) = instrument.def().informant
            && form != self.informant
        {
            r.push(Issue::warning(
                "informant",
                "fp.informant_not_the_forms",
                format!(
                    "{} is answered by the informant {form}, not {}",
                    instrument.id(),
                    self.informant
                ),
            ));
        }
        if let Err(e) = self.responses.check(instrument) {
            r.issues.extend(e.report.issues);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(json: &str) -> Questionnaire {
        serde_json::from_str(json).unwrap()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, day).unwrap()
    }

    #[test]
    fn json_round_trips_and_a_good_questionnaire_passes() {
        let text = r#"{"instrument":"sdq-p-4-17","informant":"parent","completed_on":"2024-10-28","responses":{"consid":2,"restles":null,"somatic":{"status":"not_done","reason":"refused"}}}"#;
        let one = q(text);
        assert_eq!(serde_json::to_string(&one).unwrap(), text);
        assert!(one.check(d(10, 28)).is_empty());
    }

    #[test]
    fn unknown_items_bad_codes_and_dates_are_found_with_their_paths() {
        let one = q(
            r#"{"instrument":"sdq-p-4-17","informant":"parent","completed_on":"2024-10-29","responses":{"consid":7,"nosuch":1}}"#,
        );
        let r = one.check(d(10, 28));
        let found: Vec<(&str, &str)> = r
            .issues
            .iter()
            .map(|i| (i.path.as_str(), i.code.as_str()))
            .collect();
        assert!(found.contains(&("completed_on", "fp.questionnaire_date")));
        assert!(found.contains(&("responses.consid", "outcomes.out_of_range")));
        assert!(found.contains(&("responses.nosuch", "outcomes.unknown_item")));
        let unknown = q(
            r#"{"instrument":"cbcl","informant":"parent","completed_on":"2024-10-20","responses":{}}"#,
        );
        assert_eq!(
            unknown.check(d(10, 28)).issues[0].code,
            "fp.unknown_instrument"
        );
    }

    #[test]
    fn another_informant_than_the_forms_is_a_warning() {
        let one = q(
            r#"{"instrument":"aim","informant":"parent","completed_on":"2024-10-28","responses":{"aim1":4}}"#,
        );
        let r = one.check(d(10, 28));
        assert_eq!(r.issues.len(), 1);
        assert_eq!(r.issues[0].code, "fp.informant_not_the_forms");
        assert!(!r.has_errors());
    }
}
