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
//! The instrument is an id of [`barnvern_outcomes::builtin()`] or of one of the trial's own
//! definitions ([`UserInstrument`], in the design's `instruments`: a scale defined by the user's
//! JSON, as `barnvern score` reads it, e.g. a licensed scale with the user's own key); checking
//! ([`Questionnaire::check_with`]) refuses an unknown instrument, items that are not the
//! instrument's and answers that are not one of the item's response codes.

use barnvern_core::{Finding, Findings};
use barnvern_outcomes::{Informant, Instrument, InstrumentId, Responses, ScoreOptions, Scores};
use chrono::NaiveDate;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// How many days before the wave's record date a questionnaire may have been completed: a
/// wave's collection may take several visits and is recorded on the day it closes.
pub const COMPLETED_DAYS_BEFORE_WAVE: u64 = 14;

/// An instrument defined by the user's own JSON (the definition format of
/// [`barnvern_outcomes::Instrument`], which `barnvern score` reads): checked and compiled when
/// the trial is read, so its questionnaires are checked and scored with it exactly as a
/// built-in one. Nothing of it is shipped: the user brings the key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct UserInstrument(Instrument);

// A checked definition holds only finite numbers (weights are integers; benchmarks, conversions
// and band bounds are checked finite), so equality is reflexive.
impl Eq for UserInstrument {}

impl UserInstrument {
    /// Wraps a checked definition.
    pub fn new(instrument: Instrument) -> UserInstrument {
        UserInstrument(instrument)
    }

    /// Reads and checks a definition from JSON.
    pub fn from_json(text: &str) -> Result<UserInstrument, barnvern_core::ValidationError> {
        Instrument::from_json(text).map(UserInstrument)
    }

    /// The checked definition.
    pub fn instrument(&self) -> &Instrument {
        &self.0
    }
}

/// The instrument `id`: a built-in one, else one of `user`.
pub fn instrument<'a>(id: &str, user: &'a [UserInstrument]) -> Option<&'a Instrument> {
    barnvern_outcomes::builtin(id).or_else(|| {
        user.iter()
            .map(UserInstrument::instrument)
            .find(|i| i.id() == id)
    })
}

/// One questionnaire answered at a wave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// The instrument (an id of the built-in instruments, e.g. `sdq-p-4-17`, `aim`).
    pub instrument: InstrumentId,
    /// Who answered it.
    pub informant: Informant,
    /// The date it was completed.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
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

    /// The instrument: a built-in one, else one of the trial's own definitions `user`.
    pub fn definition_in<'a>(&self, user: &'a [UserInstrument]) -> Option<&'a Instrument> {
        instrument(self.instrument.as_str(), user)
    }

    /// The scores of the questionnaire under its instrument (built-in or one of `user`), with
    /// the informant as recorded where the form does not fix another; `None` when the
    /// instrument is unknown or the responses do not fit it (the check reports why).
    pub fn scores(&self, user: &[UserInstrument]) -> Option<Scores> {
        let instrument = self.definition_in(user)?;
        let informant = match instrument.def().informant {
            Some(fixed) if fixed != self.informant => None,
            _ => Some(self.informant),
        };
        let options = ScoreOptions {
            informant,
            ..ScoreOptions::default()
        };
        barnvern_outcomes::score(instrument, &self.responses, &options).ok()
    }

    /// Findings for the responses whose item is not a valid name (`outcomes.invalid_name`: see
    /// [`barnvern_outcomes::instrument::check_name`]), at `responses` (the name is not
    /// repeated in the path). Needs no instrument: it holds for every questionnaire, also of a
    /// trial whose definitions are not loaded, whose item names still reach the research tables.
    pub fn check_item_names(&self) -> Findings {
        let mut r = Findings::new();
        for (name, _) in self.responses.iter() {
            if let Err(mut f) = barnvern_outcomes::instrument::check_name(name) {
                f.path = "responses".to_owned();
                f.message = format!("an item name: {}", f.message);
                r.push(f);
            }
        }
        r
    }

    /// [`Questionnaire::check_with`] against the built-in instruments only.
    pub fn check(&self, wave_on: NaiveDate) -> Findings {
        self.check_with(wave_on, &[])
    }

    /// Findings, with paths relative to the questionnaire (`responses.consid`): the instrument
    /// is known (`fp.unknown_instrument`), every item is one of its items
    /// (`outcomes.unknown_item`) and every answer one of the item's response codes
    /// (`outcomes.out_of_range`); an informant other than the form's is a warning
    /// (`fp.informant_not_the_forms`). `wave_on` is the wave's record date: the questionnaire
    /// is completed on it or in the [`COMPLETED_DAYS_BEFORE_WAVE`] days before it
    /// (`fp.questionnaire_date`). `user` are the trial's own definitions.
    pub fn check_with(&self, wave_on: NaiveDate, user: &[UserInstrument]) -> Findings {
        let mut r = Findings::new();
        let earliest = wave_on
            .checked_sub_days(chrono::Days::new(COMPLETED_DAYS_BEFORE_WAVE))
            .unwrap_or(wave_on);
        if self.completed_on > wave_on || self.completed_on < earliest {
            r.push(Finding::error(
                "completed_on",
                "fp.questionnaire_date",
                format!(
                    "a questionnaire is completed on the wave's date {wave_on} or in the \
                     {COMPLETED_DAYS_BEFORE_WAVE} days before it"
                ),
            ));
        }
        let Some(instrument) = self.definition_in(user) else {
            r.push(Finding::error(
                "instrument",
                "fp.unknown_instrument",
                format!(
                    "{:?} is not an instrument barnvern knows: use one of {}, or add its \
                     definition to the trial design's instruments",
                    self.instrument.as_str(),
                    barnvern_outcomes::builtin_ids()
                        .map(str::to_owned)
                        .chain(user.iter().map(|u| u.instrument().id().to_owned()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            return r;
        };
        if let Some(form) = instrument.def().informant
            && form != self.informant
        {
            r.push(Finding::warning(
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
            r.findings.extend(e.findings);
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
            .findings
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
            unknown.check(d(10, 28)).findings[0].code,
            "fp.unknown_instrument"
        );
    }

    #[test]
    fn another_informant_than_the_forms_is_a_warning() {
        let one = q(
            r#"{"instrument":"sdq-t-4-17","informant":"parent","completed_on":"2024-10-28","responses":{"consid":1}}"#,
        );
        let r = one.check(d(10, 28));
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].code, "fp.informant_not_the_forms");
        assert!(!r.has_errors());
    }

    #[test]
    fn acceptability_is_rated_by_staff_and_by_families_alike() {
        for informant in ["staff", "parent"] {
            let one = q(&format!(
                r#"{{"instrument":"aim","informant":"{informant}","completed_on":"2024-10-28","responses":{{"aim1":4}}}}"#
            ));
            assert!(one.check(d(10, 28)).is_empty(), "{informant}");
        }
    }
}
