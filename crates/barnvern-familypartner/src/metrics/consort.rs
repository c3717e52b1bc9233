//! The CONSORT flow, with its invariants checked. Each count is computed from the records on
//! its own, and the sums that must hold are then checked: a violation is a finding, never a
//! silently adjusted count.

use barnvern_core::Finding;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::enrolment::WithdrawalReason;
use crate::family::FamilyRecord;
use crate::randomisation::Arm;
use crate::screening::{Eligibility, IneligibilityReason};
use crate::trial::TrialData;
use crate::waves::WaveStatus;

/// Why an assessed family was not randomised (CONSORT "excluded"). A family with several
/// reasons counts once, under the first in this order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// Not eligible: no child under the age limit.
    ChildTooOld,
    /// Not eligible: no child-welfare services.
    NoChildWelfareServices,
    /// Not eligible: another recorded reason.
    OtherIneligibility,
    /// Eligible, but declined to take part.
    DeclinedConsent,
    /// Consented, but withdrew before randomisation.
    WithdrewBeforeRandomisation,
}

impl ExclusionReason {
    /// Every reason, in order.
    pub const ALL: [ExclusionReason; 5] = [
        ExclusionReason::ChildTooOld,
        ExclusionReason::NoChildWelfareServices,
        ExclusionReason::OtherIneligibility,
        ExclusionReason::DeclinedConsent,
        ExclusionReason::WithdrewBeforeRandomisation,
    ];
}

/// Why an allocated family did not receive its allocated intervention, or discontinued it
/// (CONSORT item 13b). A withdrawal's reason where the family withdrew; otherwise what the
/// records show.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlowReason {
    /// Withdrew: no longer wishes to take part.
    NoLongerWishes,
    /// Withdrew: moved.
    Moved,
    /// Withdrew: the child was placed out of home.
    ChildPlaced,
    /// Withdrew: another service was needed.
    OtherServiceNeeded,
    /// Withdrew: consent withdrawn.
    ConsentWithdrawn,
    /// Withdrew for another recorded reason.
    OtherWithdrawal,
    /// Family Partner arm, not enrolled and no withdrawal recorded (enrolment pending or the
    /// reason not recorded).
    NotEnrolledNoReasonRecorded,
    /// Ordinary-services arm, enrolled with a Family Partner all the same (contamination).
    EnrolledAgainstAllocation,
}

impl FlowReason {
    /// Every reason, in order.
    pub const ALL: [FlowReason; 8] = [
        FlowReason::NoLongerWishes,
        FlowReason::Moved,
        FlowReason::ChildPlaced,
        FlowReason::OtherServiceNeeded,
        FlowReason::ConsentWithdrawn,
        FlowReason::OtherWithdrawal,
        FlowReason::NotEnrolledNoReasonRecorded,
        FlowReason::EnrolledAgainstAllocation,
    ];

    /// The reason of a withdrawal.
    pub fn of_withdrawal(r: WithdrawalReason) -> FlowReason {
        match r {
            WithdrawalReason::NoLongerWishes => FlowReason::NoLongerWishes,
            WithdrawalReason::Moved => FlowReason::Moved,
            WithdrawalReason::ChildPlaced => FlowReason::ChildPlaced,
            WithdrawalReason::OtherServiceNeeded => FlowReason::OtherServiceNeeded,
            WithdrawalReason::ConsentWithdrawn => FlowReason::ConsentWithdrawn,
            WithdrawalReason::Other => FlowReason::OtherWithdrawal,
        }
    }

    /// The reason in words, for a diagram.
    pub fn label(self) -> &'static str {
        match self {
            FlowReason::NoLongerWishes => "no longer wished to take part",
            FlowReason::Moved => "moved",
            FlowReason::ChildPlaced => "child placed out of home",
            FlowReason::OtherServiceNeeded => "needed another service",
            FlowReason::ConsentWithdrawn => "withdrew consent",
            FlowReason::OtherWithdrawal => "other reason",
            FlowReason::NotEnrolledNoReasonRecorded => "not enrolled, no reason recorded",
            FlowReason::EnrolledAgainstAllocation => "enrolled with a Family Partner",
        }
    }
}

/// Families of an arm for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowReasonCount {
    /// The reason.
    pub reason: FlowReason,
    /// How many families.
    pub families: u64,
}

/// Families excluded for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionCount {
    /// The reason.
    pub reason: ExclusionReason,
    /// How many families.
    pub families: u64,
}

/// Follow-up at one wave in one arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveFollowUp {
    /// The wave (months from randomisation).
    pub wave: u32,
    /// Completed data.
    pub completed: u64,
    /// Partial data.
    pub partial: u64,
    /// Lost to follow-up: the window closed with no data.
    pub lost: u64,
    /// Withdrawn from the study before the window closed.
    pub withdrawn: u64,
    /// Window still open.
    pub not_yet_due: u64,
}

/// The flow of one arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArmFlow {
    /// The arm.
    pub arm: Arm,
    /// Families allocated to it.
    pub allocated: u64,
    /// Received the allocated intervention: for Family Partner, enrolled; for ordinary
    /// services, not enrolled with a Family Partner.
    pub received: u64,
    /// Did not receive it: Family Partner families never enrolled; ordinary-services
    /// families enrolled all the same (contamination).
    pub not_received: u64,
    /// Why families did not receive it, by reason (only reasons with families); the counts sum
    /// to `not_received`.
    pub not_received_by_reason: Vec<FlowReasonCount>,
    /// Discontinued: withdrew from the intervention or the study.
    pub discontinued: u64,
    /// Why families discontinued: the reason of each family's first withdrawal (only reasons
    /// with families); the counts sum to `discontinued`.
    pub discontinued_by_reason: Vec<FlowReasonCount>,
    /// Follow-up per wave.
    pub follow_up: Vec<WaveFollowUp>,
    /// Analysed: completed or partial data at the primary wave.
    pub analysed: u64,
}

/// The CONSORT flow as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsortFlow {
    /// The date.
    #[serde(deserialize_with = "barnvern_core::rfc3339::de::date")]
    pub as_of: NaiveDate,
    /// Families approached.
    pub approached: u64,
    /// Assessed for eligibility (screened).
    pub assessed: u64,
    /// Excluded: assessed and not randomised for a reason.
    pub excluded: u64,
    /// Excluded, by reason.
    pub excluded_by_reason: Vec<ExclusionCount>,
    /// Assessed, eligible, not excluded and not yet randomised (consent pending or
    /// randomisation pending). Zero in a final diagram.
    pub awaiting_randomisation: u64,
    /// Randomised.
    pub randomised: u64,
    /// Per arm, intervention first.
    pub arms: Vec<ArmFlow>,
    /// Violated invariants and other problems; empty when the flow is consistent.
    pub findings: Vec<Finding>,
}

/// One row of the CONSORT flow in tidy (long) form: a stage, and where it applies the arm, the
/// wave and the exclusion reason, with the count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ConsortRow {
    /// The stage: `approached`, `assessed`, `excluded`, `awaiting_randomisation`,
    /// `randomised`, `allocated`, `received`, `not_received`, `discontinued`, the wave
    /// statuses `completed`, `partial`, `lost_to_follow_up`, `withdrawn`, `not_yet_due`, and
    /// `analysed`.
    pub stage: &'static str,
    /// The arm, for the stages after randomisation.
    pub arm: Option<Arm>,
    /// The wave (months from randomisation), for the follow-up stages.
    pub wave: Option<u32>,
    /// The reason: for exclusions by reason (the `excluded` total has none), and for
    /// `not_received` and `discontinued` by reason (CONSORT 13b; their totals have none).
    pub reason: Option<RowReason>,
    /// The number of families.
    pub count: u64,
}

/// The reason of a tidy row: an exclusion before randomisation, or a reason for not receiving
/// or discontinuing the allocated intervention. In JSON, the reason's name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RowReason {
    /// Why an assessed family was not randomised.
    Exclusion(ExclusionReason),
    /// Why an allocated family did not receive or discontinued the intervention.
    Flow(FlowReason),
}

impl ConsortFlow {
    /// The flow as tidy rows, one count per row, in diagram order.
    pub fn tidy(&self) -> Vec<ConsortRow> {
        let row = |stage, arm, wave, reason, count| ConsortRow {
            stage,
            arm,
            wave,
            reason,
            count,
        };
        let mut out = vec![
            row("approached", None, None, None, self.approached),
            row("assessed", None, None, None, self.assessed),
            row("excluded", None, None, None, self.excluded),
        ];
        out.extend(self.excluded_by_reason.iter().map(|e| {
            row(
                "excluded",
                None,
                None,
                Some(RowReason::Exclusion(e.reason)),
                e.families,
            )
        }));
        out.push(row(
            "awaiting_randomisation",
            None,
            None,
            None,
            self.awaiting_randomisation,
        ));
        out.push(row("randomised", None, None, None, self.randomised));
        for a in &self.arms {
            let arm = Some(a.arm);
            out.push(row("allocated", arm, None, None, a.allocated));
            out.push(row("received", arm, None, None, a.received));
            out.push(row("not_received", arm, None, None, a.not_received));
            for r in &a.not_received_by_reason {
                let why = Some(RowReason::Flow(r.reason));
                out.push(row("not_received", arm, None, why, r.families));
            }
            out.push(row("discontinued", arm, None, None, a.discontinued));
            for r in &a.discontinued_by_reason {
                let why = Some(RowReason::Flow(r.reason));
                out.push(row("discontinued", arm, None, why, r.families));
            }
            for w in &a.follow_up {
                let wave = Some(w.wave);
                out.push(row("completed", arm, wave, None, w.completed));
                out.push(row("partial", arm, wave, None, w.partial));
                out.push(row("lost_to_follow_up", arm, wave, None, w.lost));
                out.push(row("withdrawn", arm, wave, None, w.withdrawn));
                out.push(row("not_yet_due", arm, wave, None, w.not_yet_due));
            }
            out.push(row("analysed", arm, None, None, a.analysed));
        }
        out
    }
}

/// The CONSORT flow as of `as_of`, with its invariants checked:
/// excluded + randomised (+ awaiting randomisation) = assessed; the reasons sum to excluded;
/// the arms sum to randomised; per arm allocated = received + not received; per arm and wave
/// the statuses sum to allocated.
pub fn consort(data: &TrialData, as_of: NaiveDate) -> ConsortFlow {
    let view = data.as_of(as_of);
    let data = &view;
    let criteria = &data.programme.eligibility;
    let families: Vec<_> = data.families.iter().collect();
    let approached = families.len() as u64;
    let assessed = families.iter().filter(|f| f.screening.is_some()).count() as u64;
    let randomised = families.iter().filter(|f| f.allocation.is_some()).count() as u64;
    let mut reasons = [0u64; 5];
    let mut awaiting = 0;
    let mut findings = Vec::new();
    for (i, f) in families.iter().enumerate() {
        let Some(eligibility) = f.eligibility(criteria) else {
            continue;
        };
        if f.allocation.is_some() {
            if !eligibility.is_eligible() || !f.consented() {
                findings.push(Finding::error(
                    format!("families[{i}].allocation"),
                    "consort.randomised_not_eligible",
                    format!(
                        "family {} was randomised without eligibility and consent",
                        f.family
                    ),
                ));
            }
            continue;
        }
        let reason = match eligibility {
            Eligibility::NotEligible { reasons } => match reasons.first() {
                Some(IneligibilityReason::ChildTooOld) => Some(ExclusionReason::ChildTooOld),
                Some(IneligibilityReason::NoChildWelfareServices) => {
                    Some(ExclusionReason::NoChildWelfareServices)
                }
                _ => Some(ExclusionReason::OtherIneligibility),
            },
            Eligibility::Eligible => match &f.consent {
                Some(c) if !c.given => Some(ExclusionReason::DeclinedConsent),
                _ if f.withdrawn_on().is_some() => {
                    Some(ExclusionReason::WithdrewBeforeRandomisation)
                }
                _ => None,
            },
        };
        match reason {
            Some(r) => {
                if let Some(slot) = ExclusionReason::ALL.iter().position(|x| *x == r) {
                    reasons[slot] += 1;
                }
            }
            None => awaiting += 1,
        }
    }
    let excluded_by_reason: Vec<ExclusionCount> = ExclusionReason::ALL
        .iter()
        .zip(reasons)
        .map(|(r, n)| ExclusionCount {
            reason: *r,
            families: n,
        })
        .collect();
    let excluded = families
        .iter()
        .filter(|f| {
            f.allocation.is_none()
                && match f.eligibility(criteria) {
                    None => false,
                    Some(Eligibility::NotEligible { .. }) => true,
                    Some(Eligibility::Eligible) => {
                        f.consent.as_ref().is_some_and(|c| !c.given) || f.withdrawn_on().is_some()
                    }
                }
        })
        .count() as u64;

    let mut arms = Vec::new();
    for arm in Arm::ALL {
        let in_arm: Vec<_> = families.iter().filter(|f| f.arm() == Some(arm)).collect();
        let allocated = in_arm.len() as u64;
        let enrolled = in_arm.iter().filter(|f| f.enrolment.is_some()).count() as u64;
        let never_enrolled = in_arm.iter().filter(|f| f.enrolment.is_none()).count() as u64;
        let (received, not_received) = match arm {
            Arm::Intervention => (enrolled, never_enrolled),
            Arm::Control => (never_enrolled, enrolled),
        };
        let discontinued = in_arm
            .iter()
            .filter(|f| f.withdrawn_on().is_some_and(|d| d <= as_of))
            .count() as u64;
        let first_withdrawal = |f: &FamilyRecord| {
            f.withdrawals
                .iter()
                .filter(|w| w.on <= as_of)
                .min_by_key(|w| w.on)
                .map(|w| FlowReason::of_withdrawal(w.reason.code))
        };
        let not_received_reasons: Vec<FlowReason> = in_arm
            .iter()
            .filter(|f| match arm {
                Arm::Intervention => f.enrolment.is_none(),
                Arm::Control => f.enrolment.is_some(),
            })
            .map(|f| match arm {
                Arm::Intervention => {
                    first_withdrawal(f).unwrap_or(FlowReason::NotEnrolledNoReasonRecorded)
                }
                Arm::Control => FlowReason::EnrolledAgainstAllocation,
            })
            .collect();
        let discontinued_reasons: Vec<FlowReason> =
            in_arm.iter().filter_map(|f| first_withdrawal(f)).collect();
        let by_reason = |reasons: &[FlowReason]| -> Vec<FlowReasonCount> {
            FlowReason::ALL
                .iter()
                .map(|r| FlowReasonCount {
                    reason: *r,
                    families: reasons.iter().filter(|x| *x == r).count() as u64,
                })
                .filter(|c| c.families > 0)
                .collect()
        };
        let mut follow_up = Vec::new();
        let mut analysed = 0;
        for wave in &data.design.waves {
            let statuses: Vec<Option<WaveStatus>> =
                in_arm.iter().map(|f| f.wave_status(wave, as_of)).collect();
            let count = |s: WaveStatus| statuses.iter().filter(|x| **x == Some(s)).count() as u64;
            let row = WaveFollowUp {
                wave: wave.month,
                completed: count(WaveStatus::Completed),
                partial: count(WaveStatus::Partial),
                lost: count(WaveStatus::Missed),
                withdrawn: count(WaveStatus::Withdrawn),
                not_yet_due: count(WaveStatus::NotYetDue),
            };
            if wave.month == data.design.primary_wave {
                analysed = row.completed + row.partial;
            }
            let sum = row.completed + row.partial + row.lost + row.withdrawn + row.not_yet_due;
            if sum != allocated {
                findings.push(Finding::error(
                    format!("arms.{}.follow_up.{}", arm.as_str(), wave.month),
                    "consort.wave_sum",
                    format!(
                        "at month {} the statuses of arm {} sum to {sum}, not the {allocated} allocated",
                        wave.month,
                        arm.as_str()
                    ),
                ));
            }
            follow_up.push(row);
        }
        if received + not_received != allocated {
            findings.push(Finding::error(
                format!("arms.{}", arm.as_str()),
                "consort.allocated_received",
                format!(
                    "arm {}: allocated {allocated} != received {received} + not received {not_received}",
                    arm.as_str()
                ),
            ));
        }
        arms.push(ArmFlow {
            arm,
            allocated,
            received,
            not_received,
            not_received_by_reason: by_reason(&not_received_reasons),
            discontinued,
            discontinued_by_reason: by_reason(&discontinued_reasons),
            follow_up,
            analysed,
        });
    }

    if assessed > approached {
        findings.push(Finding::error(
            "assessed",
            "consort.assessed_exceeds_approached",
            format!("{assessed} assessed but only {approached} approached"),
        ));
    }
    if reasons.iter().sum::<u64>() != excluded {
        findings.push(Finding::error(
            "excluded_by_reason",
            "consort.reasons_sum",
            format!("the exclusion reasons do not sum to the {excluded} excluded"),
        ));
    }
    if excluded + randomised + awaiting != assessed {
        findings.push(Finding::error(
            "randomised",
            "consort.excluded_plus_randomised",
            format!(
                "excluded {excluded} + randomised {randomised} + awaiting {awaiting} != assessed {assessed}: some randomised families were never screened"
            ),
        ));
    } else if awaiting > 0 {
        findings.push(Finding::warning(
            "awaiting_randomisation",
            "consort.awaiting_randomisation",
            format!(
                "{awaiting} assessed families are neither excluded nor randomised yet, so excluded + randomised != assessed until they are"
            ),
        ));
    }
    let arm_sum: u64 = arms.iter().map(|a| a.allocated).sum();
    if arm_sum != randomised {
        findings.push(Finding::error(
            "arms",
            "consort.arms_sum",
            format!("the arms hold {arm_sum} families but {randomised} were randomised"),
        ));
    }
    ConsortFlow {
        as_of,
        approached,
        assessed,
        excluded,
        excluded_by_reason,
        awaiting_randomisation: awaiting,
        randomised,
        arms,
        findings,
    }
}
