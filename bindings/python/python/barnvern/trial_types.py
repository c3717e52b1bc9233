"""The shapes of the Family Partner trial's metrics, for type annotations.

Every metric of ``Trial`` (``consort``, ``retention``, ``dose``, ``adherence``, ``caseload``,
``feasibility``, ``fidelity``, ``questionnaire_completeness``, ``acceptability``,
``interviews``, ``recruitment``, ``progression``), ``Trial.sites`` and ``barnvern.trial_harms``
return plain dicts and lists (``pandas.json_normalize`` flattens them); these ``TypedDict``
classes say which keys they hold. Every count is shown with its numerator and denominator
(:class:`Ratio`).
"""

from __future__ import annotations

import datetime
from typing import Literal, Optional, TypedDict, Union

from barnvern._types import Informant
from barnvern.exceptions import Finding

__all__ = [
    "Acceptability",
    "Arm",
    "ArmFlow",
    "ArmHarms",
    "ArmOutcome",
    "CaseloadPeriod",
    "ConsortFlow",
    "ConsortRow",
    "ExclusionCount",
    "ExclusionReason",
    "FamilyDose",
    "FamilyFidelity",
    "FamilyHarms",
    "Feasibility",
    "FlowReason",
    "FlowReasonCount",
    "HarmCount",
    "HarmEvent",
    "HarmKind",
    "InterviewCounts",
    "InterviewReason",
    "InterviewReasonCount",
    "Interval",
    "Light",
    "OutcomeEvent",
    "OutcomeKind",
    "PhaseDose",
    "PhaseFidelity",
    "ProgressionResult",
    "QuestionnaireCompleteness",
    "Ratio",
    "Recruitment",
    "RecruitmentMonth",
    "Retention",
    "Site",
    "SiteRecruitment",
    "TrialHarms",
    "WaveFollowUp",
    "WaveRetention",
]

Arm = Union[Literal["intervention"], Literal["control"]]
"""A trial arm: Family Partner (``"intervention"``) or ordinary services (``"control"``)."""

HarmKind = Union[
    Literal["report_of_concern"],
    Literal["investigation"],
    Literal["emergency_placement"],
    Literal["care_order"],
]
"""A harm after randomisation (CONSORT item 19): a new report of concern, a new investigation,
an emergency decision (SE omedelbart omhändertagande, NO akuttvedtak) or a care order."""

OutcomeKind = Union[
    Literal["re_referral"],
    Literal["substantiated_investigation"],
    Literal["out_of_home_placement"],
]
"""A maltreatment outcome within 6 or 12 months of randomisation."""


class Interval(TypedDict):
    """A 95% Wilson score interval of a proportion."""

    lower: float
    upper: float


class _RatioParts(TypedDict):
    numerator: int
    denominator: int
    value: Optional[float]
    """numerator / denominator; ``None`` when the denominator is 0."""
    numerator_label: str
    denominator_label: str


class Ratio(_RatioParts, total=False):
    """numerator / denominator with both named; a proportion also has ``ci95``."""

    ci95: Interval
    """The 95% Wilson score interval (proportions only, and not when the denominator is 0)."""


class Site(TypedDict, total=False):
    """A trial site as the design declares it (``district`` and ``target_per_month`` may be
    absent)."""

    code: str
    name: str
    jurisdiction: Literal["SE", "NO"]
    municipality: str
    district: str
    recruitment_opened_on: datetime.date
    """The first day of recruitment."""
    target_per_month: int


class RecruitmentMonth(TypedDict):
    """One site's (or the trial's) recruitment in one calendar month."""

    site: Optional[str]
    month: str
    """``YYYY-MM``."""
    approached: int
    screened: int
    randomised: int
    target: Optional[int]


class SiteRecruitment(TypedDict):
    """One site's (``site`` set) or the whole trial's (``site`` ``None``) recruitment."""

    site: Optional[str]
    opened_on: Optional[datetime.date]
    months: int
    """Recruitment months: calendar months from the opening month to the as-of month, both
    counted whole (summed over the sites for the whole trial)."""
    randomised: int
    rate_per_month: Ratio
    against_target: Optional[Ratio]
    per_month: list[RecruitmentMonth]


class Recruitment(TypedDict):
    """Recruitment per site and for the whole trial (CONSORT pilot item 14a)."""

    as_of: datetime.date
    sites: list[SiteRecruitment]
    total: SiteRecruitment


class WaveRetention(TypedDict):
    """Retention at one wave among families already due there."""

    wave: int
    both: Ratio
    intervention: Ratio
    control: Ratio


class Feasibility(TypedDict):
    """The feasibility proportions, each with its 95% Wilson interval."""

    as_of: datetime.date
    eligibility: Ratio
    consent: Ratio
    retention: list[WaveRetention]
    completion: Ratio


class HarmEvent(TypedDict):
    """A harm on a date."""

    kind: HarmKind
    on: datetime.date


class OutcomeEvent(TypedDict):
    """An outcome event on a date."""

    kind: OutcomeKind
    on: datetime.date


class FamilyHarms(TypedDict):
    """One family's follow-up and events after randomisation."""

    family: str
    arm: Arm
    site: Optional[str]
    randomised_on: datetime.date
    follow_up_until: datetime.date
    follow_up_days: int
    harms: list[HarmEvent]
    outcomes: list[OutcomeEvent]


class HarmCount(TypedDict):
    """One kind of harm in one arm."""

    kind: HarmKind
    events: int
    families_with: Ratio
    rate_per_family_month: Optional[float]
    """events / family-months of follow-up."""


class ArmHarms(TypedDict):
    """The harms of one arm."""

    arm: Arm
    families: int
    family_months: float
    """Days of follow-up / 30.4375."""
    harms: list[HarmCount]


class ArmOutcome(TypedDict):
    """One maltreatment outcome in one arm within one window."""

    arm: Arm
    kind: OutcomeKind
    months: int
    proportion: Ratio


class TrialHarms(TypedDict):
    """Harms and maltreatment outcomes per arm, from the families' case data."""

    trial_id: str
    as_of: datetime.date
    site: Optional[str]
    arms: list[ArmHarms]
    outcomes: list[ArmOutcome]
    families: list[FamilyHarms]


ExclusionReason = Union[
    Literal["child_too_old"],
    Literal["no_child_welfare_services"],
    Literal["other_ineligibility"],
    Literal["declined_consent"],
    Literal["withdrew_before_randomisation"],
]
"""Why an assessed family was not randomised (CONSORT "excluded")."""

FlowReason = Union[
    Literal["no_longer_wishes"],
    Literal["moved"],
    Literal["child_placed"],
    Literal["other_service_needed"],
    Literal["consent_withdrawn"],
    Literal["other_withdrawal"],
    Literal["not_enrolled_no_reason_recorded"],
    Literal["enrolled_against_allocation"],
]
"""Why a randomised family did not receive its allocation or discontinued."""

InterviewReason = Union[
    Literal["not_interested"],
    Literal["no_time"],
    Literal["unreachable"],
    Literal["too_burdensome"],
    Literal["other"],
]
"""Why a family declined or withdrew from the qualitative interviews."""

Light = Union[Literal["green"], Literal["amber"], Literal["red"], Literal["not_available"]]
"""A progression criterion's traffic light."""


class ExclusionCount(TypedDict):
    """Families excluded for one reason."""

    reason: ExclusionReason
    families: int


class FlowReasonCount(TypedDict):
    """Families that did not receive, or discontinued, for one reason."""

    reason: FlowReason
    families: int


class WaveFollowUp(TypedDict):
    """One arm's follow-up at one wave."""

    wave: int
    completed: int
    partial: int
    lost: int
    withdrawn: int
    not_yet_due: int


class ArmFlow(TypedDict):
    """One arm of the CONSORT flow."""

    arm: Arm
    allocated: int
    received: int
    not_received: int
    not_received_by_reason: list[FlowReasonCount]
    discontinued: int
    discontinued_by_reason: list[FlowReasonCount]
    follow_up: list[WaveFollowUp]
    analysed: int


class ConsortFlow(TypedDict):
    """The CONSORT flow (``Trial.consort``)."""

    as_of: datetime.date
    approached: int
    assessed: int
    excluded: int
    excluded_by_reason: list[ExclusionCount]
    awaiting_randomisation: int
    randomised: int
    arms: list[ArmFlow]
    findings: list[Finding]
    """Every violated invariant (excluded + randomised = assessed; allocated = received + not
    received; ...), never a silently adjusted count."""


class ConsortRow(TypedDict):
    """One count of the CONSORT flow as a tidy row (``Trial.consort_table``)."""

    stage: str
    arm: Optional[Arm]
    wave: Optional[int]
    reason: Optional[Union[ExclusionReason, FlowReason]]
    count: int


class Retention(TypedDict):
    """Retention at one wave in one arm (``Trial.retention``)."""

    wave: int
    arm: Arm
    retention: Ratio
    """Completed / randomised."""
    retention_among_due: Ratio
    """Completed / families already due at the wave."""
    partial: int
    not_yet_due: int


# "from" is a Python keyword, so the two shapes that hold it use the functional syntax.
FamilyDose = TypedDict(
    "FamilyDose",
    {
        "family": str,
        "from": datetime.date,
        "until": datetime.date,
        "counted_until": datetime.date,
        "dose": Ratio,
    },
)
"""One family's dose in one phase: ``from``, ``until``, and ``counted_until`` (the end of the
whole weeks or months counted)."""


class PhaseDose(TypedDict):
    """Dose in one phase (``Trial.dose``): delivered / expected contacts."""

    phase: str
    dose: Ratio
    families: list[FamilyDose]


CaseloadPeriod = TypedDict(
    "CaseloadPeriod",
    {
        "partner": str,
        "from": datetime.date,
        "until": Optional[datetime.date],
        "load": Ratio,
        "breach": bool,
    },
)
"""One Family Partner's caseload over one period (``Trial.caseload``): ``load`` is families /
the caseload cap, ``breach`` true when over it."""


class FamilyFidelity(TypedDict):
    """One family's components covered in one phase."""

    family: str
    expected: list[str]
    covered: list[str]
    missing: list[str]
    fidelity: Ratio


class PhaseFidelity(TypedDict):
    """Fidelity in one phase (``Trial.fidelity``)."""

    phase: str
    fidelity: Ratio
    families: list[FamilyFidelity]


class QuestionnaireCompleteness(TypedDict):
    """One instrument at one wave (``Trial.questionnaire_completeness``)."""

    wave: int
    instrument: str
    returned: Ratio
    items_answered: Optional[Ratio]
    """``None`` for an instrument neither built in nor defined in the design."""


class Acceptability(TypedDict):
    """AIM, IAM or FIM at one wave, for one informant and arm (``Trial.acceptability``)."""

    wave: int
    instrument: str
    scale: str
    informant: Informant
    arm: Arm
    forms: int
    scored: int
    median: Optional[float]
    benchmark: Optional[float]
    median_meets_benchmark: Optional[bool]
    at_or_above_benchmark: Optional[Ratio]


class InterviewReasonCount(TypedDict):
    """Declines and withdrawals from the interviews for one reason."""

    reason: InterviewReason
    declined: int
    withdrawn: int


class InterviewCounts(TypedDict):
    """The qualitative sub-sample at one site (``site`` ``None``: the whole trial) in one arm
    (``Trial.interviews``)."""

    site: Optional[str]
    arm: Arm
    families_invited: int
    invited: int
    consented: Ratio
    interviewed: Ratio
    declined: int
    withdrawn: int
    open: int
    reasons: list[InterviewReasonCount]


class _ProgressionResultParts(TypedDict):
    criterion_id: str
    ratio: Ratio
    light: Light
    rule: str
    """The rule applied, in words (thresholds and whether each bound is inclusive)."""


class ProgressionResult(_ProgressionResultParts, total=False):
    """One progression criterion evaluated (``Trial.progression``)."""

    ci_spans: list[Light]
    """The two lights of the 95% interval's lower and upper ends (proportions only)."""
