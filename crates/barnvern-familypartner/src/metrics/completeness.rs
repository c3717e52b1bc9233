//! Questionnaire completeness per wave and instrument: how many of the families with data at a
//! wave answered each instrument, and how many of its items they answered.

use std::collections::BTreeMap;

use barnvern_outcomes::ItemResponse;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Ratio;
use crate::trial::TrialData;
use crate::waves::WaveOutcome;

/// Completeness of one instrument at one wave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireCompleteness {
    /// The wave (months from randomisation).
    pub wave: u32,
    /// The instrument id.
    pub instrument: String,
    /// Families with a questionnaire of the instrument / families with completed or partial
    /// data at the wave (95% Wilson interval).
    pub returned: Ratio,
    /// Items answered / the instrument's items, summed over the questionnaires returned (items
    /// not done or left blank count as not answered). `None` for an instrument that is neither
    /// built in nor one of the trial's own definitions (its items are not known here).
    pub items_answered: Option<Ratio>,
}

/// Completeness per wave (in the design's order) and instrument (by id) as of `as_of`, over
/// the instruments answered at each wave.
pub fn questionnaire_completeness(
    data: &TrialData,
    as_of: NaiveDate,
) -> Vec<QuestionnaireCompleteness> {
    let view = data.as_of(as_of);
    let mut out = Vec::new();
    for wave in &view.design.waves {
        let records: Vec<_> = view
            .families
            .iter()
            .filter(|f| f.allocation.is_some())
            .filter_map(|f| f.waves.iter().find(|w| w.wave == wave.month))
            .filter(|w| matches!(w.outcome, WaveOutcome::Completed | WaveOutcome::Partial))
            .collect();
        // instrument -> (families returning it, items answered, items expected, known)
        let mut by: BTreeMap<&str, (u64, u64, u64, bool)> = BTreeMap::new();
        for r in &records {
            let mut seen = std::collections::BTreeSet::new();
            for q in &r.questionnaires {
                let id = q.instrument.as_str();
                let e = by.entry(id).or_insert((0, 0, 0, true));
                if seen.insert(id) {
                    e.0 += 1;
                }
                match q.definition_in(&view.design.instruments) {
                    Some(def) => {
                        let items = &def.def().items;
                        e.2 += items.len() as u64;
                        e.1 += items
                            .iter()
                            .filter(|i| {
                                matches!(
                                    q.responses.get(i.name.as_str()),
                                    Some(ItemResponse::Answered(_))
                                )
                            })
                            .count() as u64;
                    }
                    None => e.3 = false,
                }
            }
        }
        for (id, (returned, answered, expected, known)) in by {
            out.push(QuestionnaireCompleteness {
                wave: wave.month,
                instrument: id.to_owned(),
                returned: Ratio::proportion(
                    returned,
                    records.len() as u64,
                    "families returning the questionnaire",
                    "families with data at the wave",
                ),
                items_answered: known.then(|| {
                    Ratio::new(
                        answered,
                        expected,
                        "items answered",
                        "items on the forms returned",
                    )
                }),
            });
        }
    }
    out
}
