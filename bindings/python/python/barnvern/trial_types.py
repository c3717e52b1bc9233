"""The shapes of the Family Partner trial's metrics, for type annotations.

``Trial.recruitment``, ``Trial.feasibility``, ``Trial.sites`` and ``barnvern.trial_harms``
return plain dicts and lists (``pandas.json_normalize`` flattens them); these ``TypedDict``
classes say which keys they hold.
"""

from __future__ import annotations

import datetime
from typing import Literal, Optional, TypedDict, Union

__all__ = [
    "Arm",
    "ArmHarms",
    "ArmOutcome",
    "FamilyHarms",
    "Feasibility",
    "HarmCount",
    "HarmEvent",
    "HarmKind",
    "Interval",
    "OutcomeEvent",
    "OutcomeKind",
    "Ratio",
    "Recruitment",
    "RecruitmentMonth",
    "Site",
    "SiteRecruitment",
    "TrialHarms",
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
