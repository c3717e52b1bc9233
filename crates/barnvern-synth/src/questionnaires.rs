//! Questionnaires at the trial's waves: the SDQ parent form (2-4 years below 4, 4-17 years from
//! 4) for every child old enough, and AIM, IAM and FIM for families in the intervention arm at 3 and 12 months, rated
//! by the Family Partner and by the parent (acceptability rated by families). Answers follow a family's difficulty level, which
//! eases over time (more in the intervention arm); some items are left out (`null`) or refused.

use barnvern_familypartner::{Arm, Questionnaire, WaveOutcome};
use barnvern_outcomes::{Informant, InstrumentId, Responses};
use chrono::NaiveDate;

use crate::Error;
use crate::people::age_on;
use crate::rng::{Draw, sub_days};

/// SDQ items in form order; `true` where a higher raw code means fewer difficulties (the
/// prosocial items and the reverse-keyed ones).
const SDQ_ITEMS: [(&str, bool); 25] = [
    ("consid", true),
    ("restles", false),
    ("somatic", false),
    ("shares", true),
    ("tantrum", false),
    ("loner", false),
    ("obeys", true),
    ("worries", false),
    ("caring", true),
    ("fidgety", false),
    ("friend", true),
    ("fights", false),
    ("unhappy", false),
    ("popular", true),
    ("distrac", false),
    ("clingy", false),
    ("kind", true),
    ("lies", false),
    ("bullied", false),
    ("helpout", true),
    ("reflect", true),
    ("steals", false),
    ("oldbest", false),
    ("afraid", false),
    ("attends", true),
];

/// Impact supplement items (parent form), asked when the parent reports difficulties.
const IMPACT_ITEMS: [&str; 5] = ["distres", "imphome", "impfrie", "impclas", "impleis"];

fn instrument(id: &str) -> Result<InstrumentId, Error> {
    InstrumentId::new(id).map_err(|e| Error::Data(format!("instrument id refused: {e}")))
}

/// Records `value`, or leaves the item out with probability `p_missing` (half as `null`, half
/// as refused).
fn answer(d: &mut Draw, r: &mut Responses, item: &str, value: i64, p_missing: f64) {
    if d.chance(p_missing) {
        if d.chance(0.5) {
            r.not_done(item, None);
        } else {
            r.not_done(item, Some("refused".to_owned()));
        }
    } else {
        r.answer(item, value);
    }
}

/// The questionnaires of one wave.
pub(crate) fn for_wave(
    d: &mut Draw,
    month: u32,
    on: NaiveDate,
    child_born: NaiveDate,
    arm: Option<Arm>,
    outcome: WaveOutcome,
    level: f64,
) -> Result<Vec<Questionnaire>, Error> {
    let mut out = Vec::new();
    let p_missing = if outcome == WaveOutcome::Partial {
        0.35
    } else {
        0.03
    };
    let completed_on = sub_days(on, d.below(10));
    let age = age_on(child_born, completed_on);
    // The 2-4 form below 4, the 4-17 form from 4 (the forms overlap at 4).
    let sdq = match age {
        2..=3 => Some("sdq-p-2-4"),
        4..=17 => Some("sdq-p-4-17"),
        _ => None,
    };
    if let Some(sdq) = sdq {
        let easing = match arm {
            Some(Arm::Intervention) => 0.035,
            _ => 0.015,
        };
        let level = (level - easing * f64::from(month) / 3.0).clamp(0.05, 0.95);
        let mut r = Responses::new();
        for (item, good) in SDQ_ITEMS {
            let x = level + (d.unit() - 0.5) * 0.6;
            let difficulty: i64 = if x > 0.75 {
                2
            } else if x > 0.4 {
                1
            } else {
                0
            };
            let value = if good { 2 - difficulty } else { difficulty };
            answer(d, &mut r, item, value, p_missing);
        }
        let ebddiff: i64 = if level > 0.6 {
            2 + i64::from(d.chance(0.3))
        } else if level > 0.3 {
            1
        } else {
            i64::from(d.chance(0.3))
        };
        answer(d, &mut r, "ebddiff", ebddiff, p_missing);
        if ebddiff > 0 {
            for item in IMPACT_ITEMS {
                let v = i64::try_from(d.below(2)).unwrap_or(0) + (ebddiff - 1).min(1);
                answer(d, &mut r, item, v, p_missing);
            }
        }
        out.push(Questionnaire {
            instrument: instrument(sdq)?,
            informant: Informant::Parent,
            completed_on,
            responses: r,
        });
    }
    if arm == Some(Arm::Intervention) && (month == 3 || month == 12) {
        // The parent rates the programme in most families, a little less warmly than staff.
        for (informant, p_rates, warm) in
            [(Informant::Staff, 1.0, 0.6), (Informant::Parent, 0.85, 0.5)]
        {
            if !d.chance(p_rates) {
                continue;
            }
            for id in ["aim", "iam", "fim"] {
                let mut r = Responses::new();
                // Mostly agreeing (the published pilot's benchmark is a median of 3.5).
                let centre = 3 + i64::from(d.chance(warm));
                for k in 1..=4 {
                    let v = (centre + i64::try_from(d.below(3)).unwrap_or(1) - 1).clamp(1, 5);
                    answer(d, &mut r, &format!("{id}{k}"), v, p_missing / 2.0);
                }
                out.push(Questionnaire {
                    instrument: instrument(id)?,
                    informant,
                    completed_on,
                    responses: r,
                });
            }
        }
    }
    Ok(out)
}
