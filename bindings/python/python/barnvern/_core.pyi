"""The Rust extension module of barnvern. Import from ``barnvern``, not from here."""

import datetime
import os
import pathlib
from collections.abc import ItemsView, Iterator, KeysView, Mapping, Sequence, ValuesView
from typing import Any, Callable, ClassVar, Literal, TypeVar, final, overload

import pandas  # type: ignore[import-untyped]
import polars

from barnvern._types import (
    ArrowStreamExportable,
    ArrowTable,
    DeadlineKind,
    DeadlineStatus,
    Informant,
    Jurisdiction,
    PersonIdKind,
    Severity,
    Sex,
)
from barnvern.exceptions import Finding
from barnvern.trial_types import (
    Acceptability,
    CaseloadPeriod,
    ConsortFlow,
    ConsortRow,
    Feasibility,
    InterviewCounts,
    PhaseDose,
    PhaseFidelity,
    ProgressionResult,
    QuestionnaireCompleteness,
    Ratio,
    Recruitment,
    Retention,
    Site,
    TrialHarms,
)

__all__ = [
    "Case",
    "Dataset",
    "Deadline",
    "ExtractSummary",
    "Instrument",
    "PersonId",
    "Randomiser",
    "Scores",
    "TableReport",
    "Trial",
    "__version__",
    "default_programme",
    "extract",
    "instruments",
    "read_dataset",
    "read_ssb_xml",
    "report",
    "score",
    "score_table",
    "ssb_controls",
    "synth",
    "trial_harms",
    "validate_bundles",
    "validate_table",
    "write_ssb_xml",
]

_T = TypeVar("_T")

__version__: str
"""The version of barnvern (the same as the Rust crates)."""

@final
class PersonId:
    """A validated personal identity number.

    Sweden: personnummer and samordningsnummer (coordination number, day + 60). Norway:
    fødselsnummer, D-number (day + 40) and H-number (month + 40); synthetic test numbers
    (month + 80) are accepted and flagged by ``is_synthetic``.

    ``str(pid)`` gives the canonical digits (12 for Sweden, 11 for Norway); ``repr(pid)`` never
    shows them, so a repr in a log or a notebook cannot leak a number. Equal numbers are equal
    and hash alike; a ``PersonId`` pickles as its canonical digits.

    Identity numbers are personal data: keep them out of research extracts.
    """

    def __new__(
        cls,
        text: str,
        /,
        *,
        jurisdiction: Jurisdiction | None = None,
        reference_date: datetime.date | None = None,
    ) -> PersonId:
        """Parses an identity number; the same as :meth:`PersonId.parse`."""

    @staticmethod
    def parse(
        text: str,
        /,
        *,
        jurisdiction: Jurisdiction | None = None,
        reference_date: datetime.date | None = None,
    ) -> PersonId:
        """Parses an identity number in any common written form.

        Sweden: ``YYMMDD-NNNC``, ``YYMMDD+NNNC`` (100 or older), ``YYMMDDNNNC``,
        ``YYYYMMDDNNNC`` or ``YYYYMMDD-NNNC``. Norway: ``DDMMYYIIIKK``.

        Args:
            text: The number as written.
            jurisdiction: ``"SE"`` or ``"NO"``; when ``None`` it is recognised from the form.
            reference_date: The date the number was read on. A ten-digit Swedish number needs it
                to find the century; Norwegian numbers that no longer encode the century use it
                too.

        Raises:
            InvalidIdentifierError: The number was refused. The message names the rule that
                failed (never the digits); ``.findings`` holds the finding with its stable code,
                e.g. ``id.se.check_digit``.
            ValidationError: ``jurisdiction`` is not ``"SE"`` or ``"NO"``.
        """

    @property
    def jurisdiction(self) -> Jurisdiction:
        """The issuing country: ``"SE"`` or ``"NO"``."""

    @property
    def kind(self) -> PersonIdKind:
        """The kind of number: ``"personnummer"``, ``"samordningsnummer"``, ``"fodselsnummer"``,
        ``"d_number"`` or ``"h_number"``."""

    @property
    def is_synthetic(self) -> bool:
        """Whether the number is a synthetic test number (Norway: month + 80)."""

    @property
    def birth_date(self) -> datetime.date | None:
        """The birth date, where every part is known.

        The date in a number can be a nearby day rather than the real birth date; a
        samordningsnummer may have an unknown month or day.
        """

    @property
    def birth_year(self) -> int | None:
        """The birth year, where known."""

    @property
    def birth_month(self) -> int | None:
        """The birth month (1-12), where known."""

    @property
    def sex(self) -> Sex | None:
        """Legal sex as encoded in the number, or ``None`` where the number no longer encodes
        it."""

    def __str__(self) -> str:
        """The canonical digits."""

    def __repr__(self) -> str:
        """``PersonId(jurisdiction='SE', kind='personnummer')``: never the digits."""

    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[type[PersonId], tuple[str]]: ...

@final
class Case:
    """A validated case bundle: a child's case from the report of concern (SE orosanmälan, NO
    bekymringsmelding) through protection assessment, screening, investigation, decision and
    follow-up to closure.

    A case is read from its canonical JSON (``from_json``), which validates it through the same
    rules the Rust code uses, and changed only with ``apply``: every change is an event, and an
    event the case's state does not allow raises :class:`WorkflowError` and leaves the case as it
    was. Statutory deadlines are computed, never stored (``deadlines``).
    """

    @staticmethod
    def from_json(text: str | bytes) -> Case:
        """Reads and validates a case bundle from JSON text.

        Raises:
            ValidationError: The bundle is invalid; ``.findings`` lists every finding with its
                path (``referrals[1].reporter.code``), code and message. Unknown fields are
                refused.
            SchemaVersionError: ``schema_version`` is missing or not one this build reads.
        """

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Case:
        """Reads and validates a case bundle from a dict (as ``json.loads`` gives it)."""

    def to_json(self, *, indent: bool = False) -> str:
        """The canonical JSON of the bundle; ``Case.from_json(case.to_json()) == case``."""

    def to_dict(self) -> dict[str, Any]:
        """The bundle as a dict."""

    def apply(self, event: str | dict[str, Any]) -> None:
        """Applies an event, e.g. ``{"type": "investigation_concluded", ...}``.

        Raises:
            ValidationError: The event itself is malformed (unknown type or field, bad value).
            WorkflowError: The case's state does not allow the event; ``.event``, ``.state`` and
                ``.code`` say which event, in which state, under which rule. The case is
                unchanged.
        """

    def deadlines(self, as_of: datetime.date) -> list[Deadline]:
        """Every statutory deadline of the case, with its status as of ``as_of``."""

    def validate(
        self,
        *,
        rules: Literal["barnvern", "ssb"] = "barnvern",
        as_of: datetime.date | None = None,
    ) -> list[Finding]:
        """Every finding about the case under a rule set: ``"barnvern"`` (default) gives
        barnvern's queries and warnings (a valid case holds no errors); ``"ssb"`` adds SSB's
        validation controls (code = SSB's control id, which may be errors), judged as of
        `as_of` (default: the latest record).

        Raises:
            ValidationError: ``rules`` is not a rule set (``case.unknown_rules``).
        """

    @staticmethod
    def json_schema() -> dict[str, Any]:
        """The JSON Schema of the case bundle, as JSON text."""

    @property
    def schema_version(self) -> str:
        """The bundle's schema version, e.g. ``"1.0"``."""

    @property
    def case_id(self) -> str:
        """The case identifier."""

    @property
    def jurisdiction(self) -> Jurisdiction:
        """``"SE"`` or ``"NO"``."""

    @property
    def municipality(self) -> str:
        """The municipality code (SE kommunkod, NO kommunenummer), four digits."""

    @property
    def opened_on(self) -> datetime.date:
        """The date the case was opened."""

    @property
    def is_closed(self) -> bool:
        """Whether the case is closed (and not reopened)."""

    @property
    def history_length(self) -> int:
        """The number of events applied through ``apply``: the audit trail's length."""

    def __eq__(self, other: object, /) -> bool: ...
    def __repr__(self) -> str:
        """``Case(case_id='SE-0180-2024-000123', jurisdiction='SE', municipality='0180',
        referrals=1, investigations=1, decisions=2, closed=False)``: counts of records, never an
        identity number."""
    def __reduce__(self) -> tuple[Callable[[str], Case], tuple[str]]: ...
    def __copy__(self) -> Case: ...
    def __deepcopy__(self, memo: Any, /) -> Case: ...

@final
class Deadline:
    """One statutory deadline of a case as of a date: due date, extension, completion and
    status. The rule comes from a versioned table chosen by jurisdiction and the law in force on
    the date the referral was received.

    Deadlines are values: equal deadlines compare equal, and a deadline pickles (as its JSON)
    and copies. ``pandas.DataFrame([d.to_dict() for d in case.deadlines(as_of)])`` makes a
    table of them.
    """

    @property
    def kind(self) -> DeadlineKind:
        """What must be done: ``"protection_assessment"``, ``"screening"``,
        ``"investigation"`` or ``"measure_evaluation"`` (NO: a help measure evaluated)."""

    @property
    def rule_id(self) -> str:
        """The rule applied, e.g. ``"se.sol2001.screening"``."""

    @property
    def citation(self) -> str:
        """The legal source."""

    @property
    def record(self) -> str:
        """The record the deadline belongs to, e.g. ``"referrals[0]"``."""

    @property
    def record_id(self) -> str:
        """That record's id."""

    @property
    def start(self) -> datetime.date:
        """The date the period starts from: the receipt, the investigation's start (SE), the
        end of the report review (NO: the date the review concluded, at the latest receipt + 7
        days), or the measure's start."""

    @property
    def start_basis(self) -> str:
        """What ``start`` is: ``"receipt"``, ``"investigation_start"``, ``"review_concluded"``,
        ``"review_limit"`` (NO: receipt + 7 days, the review concluded later or not at all) or
        ``"measure_start"``."""

    @property
    def due(self) -> datetime.date:
        """The statutory due date."""

    @property
    def extended_due(self) -> datetime.date | None:
        """The due date after an extension, if any."""

    @property
    def completed_on(self) -> datetime.date | None:
        """The date it was done, if it was."""

    @property
    def status(self) -> DeadlineStatus:
        """``"pending"``, ``"met"``, ``"met_after_extension"``, ``"breached"`` or
        ``"overdue"``."""

    @property
    def as_of(self) -> datetime.date:
        """The date the status is computed for."""

    @property
    def severity(self) -> Severity:
        """How serious a breach is."""

    def to_dict(self) -> dict[str, Any]:
        """The deadline as a dict, e.g. for ``pandas.DataFrame``."""

    def __eq__(self, other: object, /) -> bool: ...
    def __repr__(self) -> str:
        """``Deadline(kind='screening', record='referrals[0]', due='2024-11-18',
        extended_due=None, completed_on='2024-11-12', status='met')``."""
    def __reduce__(self) -> tuple[Callable[[str], Deadline], tuple[str]]: ...

@final
class Instrument:
    """An outcome instrument as data: items (variable names, never wording), response options
    with their weights, reverse keys, scales, composites and band tables keyed by informant, age
    and country, with a version that every score names.

    Built-in definitions (``barnvern.instruments()``) and a user's own (for example a
    proprietary scale scored with the user's licensed key) go through the same checks.
    """

    @staticmethod
    def builtin(id: str) -> Instrument:
        """A built-in instrument: ``"sdq-p-4-17"``, ``"sdq-t-4-17"``, ``"sdq-s-11-17"``,
        ``"swemwbs"``, ``"wemwbs"``, ``"aim"``, ``"iam"`` or ``"fim"``.

        Raises:
            ValidationError: No built-in instrument has this id (code
                ``outcomes.unknown_instrument``).
        """

    @staticmethod
    def from_json(text: str | bytes) -> Instrument:
        """Reads and checks a definition (the JSON Schema is :meth:`json_schema`; a built-in's
        ``to_json()`` is a good start for your own).

        Raises:
            ValidationError: The definition breaks a rule; ``.findings`` lists every finding with
                its path (``scales[1].items[3]``) and code (``json.*``,
                ``outcomes.definition.*``).
        """

    def to_json(self) -> str:
        """The definition as indented JSON; ``Instrument.from_json(i.to_json()) == i``."""

    @staticmethod
    def json_schema() -> dict[str, Any]:
        """The JSON Schema of a definition file, as JSON text."""

    @property
    def id(self) -> str:
        """The instrument id, e.g. ``"sdq-p-4-17"``."""

    @property
    def version(self) -> str:
        """The version of the definition, e.g. ``"2026.1"``."""

    @property
    def algorithm(self) -> str:
        """The scoring algorithm's name, e.g. ``"sdq-prorated-half-up"``."""

    @property
    def name(self) -> str:
        """The instrument's English name."""

    @property
    def informant(self) -> Informant | None:
        """The informant fixed by the form (``"parent"`` for the SDQ parent form), if any."""

    @property
    def items(self) -> list[str]:
        """The item variable names in form order."""

    @property
    def scores(self) -> list[str]:
        """The score ids, scales first then composites. SDQ: ``emotional``, ``conduct``,
        ``hyperactivity``, ``peer``, ``prosocial``, ``impact``, ``total``, ``externalising``,
        ``internalising``."""

    def __eq__(self, other: object, /) -> bool: ...
    def __repr__(self) -> str:
        """``Instrument(id='aim', version='...', items=4, scores=['aim'])``."""
    def __reduce__(self) -> tuple[Callable[[str], Instrument], tuple[str]]: ...

@final
class Scores(Mapping[str, int | float | None]):
    """The scores of one respondent: a read-only mapping from score id to value, in the
    instrument's order (scales, then composites).

    A value is an ``int`` when the score can only be a whole number (every SDQ score: scales
    are rounded half up, totals are sums; WEMWBS and the SWEMWBS raw sum), a ``float`` otherwise
    (AIM/IAM/FIM means, the SWEMWBS metric score), and ``None`` when it is missing (too few
    items answered, or a composite with a missing part).

    ``dict(scores)`` gives the plain values; ``scores.to_dict()`` one flat row with the bands.
    Scores pickle and copy with every value, band and warning.
    """

    def __getitem__(self, key: str, /) -> int | float | None:
        """The value of score ``key``.

        Raises:
            KeyError: ``key`` is not a score id of the instrument.
        """
    def __len__(self) -> int:
        """The number of scores (scales and composites)."""
    def __iter__(self) -> Iterator[str]: ...
    def __contains__(self, key: object, /) -> bool: ...
    @overload
    def get(self, key: str, /) -> int | float | None:
        """The value of score ``key``, or ``default`` (``None``) when there is no such score."""
    @overload
    def get(self, key: str, default: float | None | _T, /) -> int | float | None | _T: ...
    def keys(self) -> KeysView[str]:
        """The score ids."""
    def values(self) -> ValuesView[int | float | None]:
        """The values."""
    def items(self) -> ItemsView[str, int | float | None]:
        """The (score id, value) pairs."""
    def __eq__(self, other: object, /) -> bool:
        """Equal to any mapping with the same ids and values."""
    __hash__: ClassVar[None]  # type: ignore[assignment]

    @property
    def bands(self) -> dict[str, str | None]:
        """The band of each score that has band tables for the informant, e.g.
        ``{"total": "slightly raised", ...}``; ``None`` when the score is missing or no table
        fits the age. Scores without band tables (impact aside, SWEMWBS, AIM, ...) are absent."""

    @property
    def instrument(self) -> str:
        """The instrument id."""

    @property
    def algorithm(self) -> str:
        """The scoring algorithm's name."""

    @property
    def version(self) -> str:
        """The version of the instrument definition that was applied."""

    @property
    def engine_version(self) -> str:
        """The version of the scoring engine (the barnvern version)."""

    @property
    def informant(self) -> Informant | None:
        """The informant the bands were chosen for."""

    @property
    def warnings(self) -> list[Finding]:
        """Findings that did not stop scoring: no band table for the age
        (``outcomes.no_band_table``), an age outside the form's range
        (``outcomes.age_outside_range``)."""

    def to_dict(self) -> dict[str, int | float | str | None]:
        """One flat row with the columns :func:`score_table` gives, in its order: each score's
        value, followed by ``<score>_band`` when the score has band tables."""

    def __repr__(self) -> str:
        """``Scores(instrument='sdq-p-4-17', version='2026.1', values={'emotional': 7, ...})``."""
    def __reduce__(
        self,
    ) -> tuple[
        Callable[[str, list[float | None], list[bool]], Scores],
        tuple[str, list[float | None], list[bool]],
    ]: ...

def instruments() -> list[str]:
    """The ids of the built-in instruments."""

def score(
    instrument: str | Instrument,
    responses: Mapping[str, int | None],
    *,
    informant: Informant | None = None,
    age: int | None = None,
) -> Scores:
    """Scores one respondent.

    Args:
        instrument: A built-in id (``"sdq-p-4-17"``) or an :class:`Instrument`.
        responses: Item name to the recorded response code (an ``int``), or ``None`` for an item
            not done. Items left out count as not done. Nothing is coerced: a ``bool``,
            ``float`` or ``str`` is refused.
        informant: Who answered; defaults to the form's. Chooses the band tables.
        age: The child's age in whole years, to choose the band table.

    Raises:
        ValidationError: ``.findings`` names each bad item at ``responses.<item>``: an unknown
            item (``outcomes.unknown_item``), a value that is not a response option
            (``outcomes.out_of_range``), a value that is not an ``int`` or ``None``
            (``outcomes.wrong_type``); or an informant the form does not allow
            (``outcomes.informant_mismatch``).

    >>> import barnvern as bv
    >>> s = bv.score("sdq-p-4-17", {"somatic": 2, "worries": 2, "unhappy": 0})
    >>> s["emotional"]
    7
    """

def score_table(
    instrument: str | Instrument,
    data: ArrowStreamExportable,
    *,
    informant: Informant | None = None,
    age_column: str | None = None,
    id_columns: Sequence[str] = (),
    allow_missing_items: bool = False,
) -> ArrowTable:
    """Scores a table of respondents, one row each, with the same rules as :func:`score` (and as
    ``barnvern score``, which shares this column plan).

    ``data`` is any Arrow tabular data (a pyarrow ``Table``, a polars ``DataFrame``, ...) with one
    integer column per item (any width; nulls are items not done), the columns named in
    ``id_columns`` and, optionally, ``age_column`` (integer years). Any other column is an error,
    so a misspelt item name cannot be skipped silently; so is an item without a column
    (``outcomes.missing_column``), unless ``allow_missing_items`` is true: then such an item is
    not done in every row and the instrument's missing-item rules decide what is scored.

    The result has the id columns, then for each score a ``float64`` column named after it and,
    for each score with band tables, a dictionary-encoded ``<score>_band`` column (``int8``
    keys, ``int16`` past 128 labels). The schema metadata names the instrument, its version and
    the algorithm. The GIL is released while scoring. The item columns are read in place (no
    conversion or copy of the input) and the score columns are built once, so scoring runs near
    memory speed; the result has the input's rows in order, a large record batch coming back as
    one batch per core that scored it.

    The result is Arrow data for any Arrow library: ``polars.DataFrame(result)``,
    ``pyarrow.table(result)`` (no copy) or ``pyarrow.table(result).to_pandas()``.

    Raises:
        ValidationError: A column that is not an item and not named (``outcomes.unknown_column``),
            an item without a column (``outcomes.missing_column``), a float or text item column (``outcomes.column_type``), a value that is not a
            response option (``outcomes.out_of_range``, path ``columns.<item>[<row>]`` with the
            0-based row), or ``data`` that is not Arrow data (``outcomes.not_arrow``).
    """

@final
class Trial:
    """A Family Partner trial (FAMPART): the programme definition, the design (randomisation,
    waves, primary wave) and every family's records, validated as a whole (eligibility and
    consent before randomisation, contacts only inside an enrolment, none after withdrawal, the
    caseload cap of the programme).

    Metrics take an ``as_of`` date and count only what had happened by then. Each ratio is a
    dict with ``numerator``, ``denominator``, ``value`` (``None`` when the denominator is 0)
    and labels naming both. Dates are ``datetime.date``. The metrics that are tables
    (``consort_table``, ``retention``, ``dose``, ``caseload``) are lists of dicts, one per row:
    ``pandas.DataFrame(rows)`` or ``polars.DataFrame(rows)`` reads them, and
    ``pandas.json_normalize(rows)`` flattens the ratios into columns such as
    ``retention.value``.

    A trial pickles as its canonical JSON (validated again on load) and copies.
    """

    @staticmethod
    def from_json(text: str | bytes) -> Trial:
        """Reads and validates a trial from JSON text (``str``, or UTF-8 ``bytes``).

        Raises:
            ValidationError: The trial is invalid; ``.findings`` lists every finding with its path.
            SchemaVersionError: Its ``schema_version`` is not one this build reads.
        """

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Trial:
        """Reads and validates a trial from a dict (as ``json.loads`` gives it).

        Raises:
            ValidationError: The trial is invalid; ``.findings`` lists every finding with its path.
            SchemaVersionError: Its ``schema_version`` is not one this build reads.
        """

    def to_json(self) -> str:
        """The canonical JSON of the trial, indented."""

    def to_dict(self) -> dict[str, Any]:
        """The trial as a dict."""

    def apply(self, event: str | dict[str, Any]) -> None:
        """Applies an event ``{"family": ..., "change": {"type": ...}, "provenance": ...}``.

        Raises:
            ValidationError: The event is malformed.
            WorkflowError: The trial's state does not allow it (``.code`` names the rule, e.g.
                ``fp.no_consent``); the trial is unchanged.
        """

    def randomise(
        self, family: str, on: datetime.date, randomiser: Randomiser, provenance: dict[str, Any] | str
    ) -> dict[str, Any]:
        """Randomises ``family`` on ``on``: the rules are checked first, so a refused step
        draws no allocation. Returns the allocation: ``arm`` (``"intervention"`` or
        ``"control"``), ``sequence``, ``block`` (``None`` for rolling 1:1), ``on`` (the date)
        and ``provenance``.

        Raises:
            WorkflowError: The family may not be randomised (not screened, not eligible, no
                consent, already randomised, withdrawn).
        """

    def validate(self) -> list[Finding]:
        """Every finding about the trial: queries and warnings (a trial holds no errors)."""

    def consort(self, as_of: datetime.date, *, site: str | None = None) -> ConsortFlow:
        """The CONSORT flow as a mapping: ``approached``, ``assessed``, ``excluded``,
        ``excluded_by_reason``, ``awaiting_randomisation``, ``randomised``, ``arms`` (per arm
        ``allocated``, ``received``, ``not_received``, ``discontinued``, ``follow_up`` per wave,
        ``analysed``) and ``findings``: every violated invariant (excluded + randomised =
        assessed; allocated = received + not received; ...), never a silently adjusted count.

        Every metric takes ``site=``: the same figure over that site's families only.

        Raises:
            ValidationError: ``site`` is not one of the trial's sites (``fp.unknown_site``).
        """

    def consort_table(self, as_of: datetime.date, *, site: str | None = None) -> list[ConsortRow]:
        """The CONSORT flow as a tidy table: one row per count, each a dict with the keys
        ``arm``, ``count``, ``reason``, ``stage`` and ``wave`` (in that order; select columns by
        name).

        ``pandas.DataFrame(trial.consort_table(as_of))`` reads it as a DataFrame.
        """

    def retention(self, as_of: datetime.date, *, site: str | None = None) -> list[Retention]:
        """Retention per wave per arm: completed / randomised (``retention``) and completed /
        families already due at the wave (``retention_among_due``), each a ratio with its 95%
        Wilson interval (``ci95``), with partial and not-yet-due counts.

        ``pandas.DataFrame(trial.retention(as_of))`` reads it as a DataFrame (one row per wave
        and arm, the ratio as a dict); ``pandas.json_normalize(trial.retention(as_of))``
        flattens the ratio into ``retention.numerator``, ``retention.denominator`` and
        ``retention.value``.
        """

    def dose(self, as_of: datetime.date, *, site: str | None = None) -> list[PhaseDose]:
        """Dose per phase: delivered / expected contacts, overall and per family, both counted
        over the same whole weeks or months of the family's time in the phase
        (``counted_until``).

        ``pandas.DataFrame(trial.dose(as_of))`` reads it as a DataFrame, one row per phase;
        ``pandas.json_normalize`` flattens the ratios.
        """

    def adherence(self, as_of: datetime.date, *, site: str | None = None) -> Ratio:
        """Adherence: delivered / planned contacts that were due."""

    def caseload(self, as_of: datetime.date, *, site: str | None = None) -> list[CaseloadPeriod]:
        """Caseload per Family Partner over time, each period with ``breach`` when over the cap.

        ``pandas.DataFrame(trial.caseload(as_of))`` reads it as a DataFrame, one row per
        period (``from`` and ``until`` as ``datetime.date``).
        """

    def feasibility(self, as_of: datetime.date, *, site: str | None = None) -> Feasibility:
        """Eligibility (eligible / screened), consent (consenting / eligible), retention at
        each wave among families already due there (both arms and each arm) and completion
        (enrolments completed / ended), each with its 95% Wilson score interval (``ci95``)."""

    def fidelity(self, as_of: datetime.date, *, site: str | None = None) -> list[PhaseFidelity]:
        """Fidelity per phase: the components the programme definition lists for the phase,
        covered in at least one delivered contact in each family's time in it (``covered``,
        ``missing``), and components covered / expected per family and over the phase."""

    def questionnaire_completeness(
        self, as_of: datetime.date, *, site: str | None = None
    ) -> list[QuestionnaireCompleteness]:
        """Questionnaire completeness per wave and instrument: ``returned`` (families with the
        questionnaire / families with completed or partial data at the wave, with its 95%
        Wilson interval) and ``items_answered`` (items answered / items on the forms returned;
        ``None`` for an instrument neither built in nor defined in the design's
        ``instruments``)."""

    def acceptability(self, as_of: datetime.date, *, site: str | None = None) -> list[Acceptability]:
        """AIM, IAM and FIM rated by the families (informant ``parent``) as well as the staff:
        per wave, instrument, informant and arm, ``forms``, ``scored`` (all 4 items answered),
        ``median`` (of the forms scored), ``benchmark``, ``median_meets_benchmark`` and
        ``at_or_above_benchmark`` (forms at or above / forms scored, with its 95% Wilson
        interval)."""

    def interviews(self, as_of: datetime.date) -> list[InterviewCounts]:
        """The qualitative sub-sample log per site and arm, then the whole trial per arm
        (``site`` ``None``): ``invited``, ``families_invited``, ``consented`` and
        ``interviewed`` (each a share of invitations with its 95% Wilson interval),
        ``declined``, ``withdrawn``, ``open`` and ``reasons``."""

    def recruitment(self, as_of: datetime.date) -> Recruitment:
        """Recruitment per calendar month and per site against the target (CONSORT pilot item
        14a): ``sites`` (each site in the design's order) and ``total`` (the whole trial, its
        months summed over the sites), each with ``rate_per_month`` (randomised / recruitment
        months), ``against_target`` and ``per_month``."""

    def progression(
        self, criteria: str | dict[str, Any], as_of: datetime.date, *, site: str | None = None
    ) -> list[ProgressionResult]:
        """Progression criteria (metric, green and amber thresholds, direction, inclusive or
        exclusive bounds) evaluated to ``green``, ``amber``, ``red`` or ``not_available``. The
        light judges the point estimate; a proportion shows its 95% interval (``ratio.ci95``)
        and the lights of the interval's ends (``ci_spans``). Retention and loss criteria
        count only families already due at the wave."""

    @property
    def sites(self) -> list[Site]:
        """The trial's sites, as the design declares them (empty without a site list)."""

    @property
    def trial_id(self) -> str:
        """The trial's id."""

    @property
    def families(self) -> int:
        """The number of families approached."""

    def __eq__(self, other: object, /) -> bool: ...
    def __repr__(self) -> str:
        """``Trial(trial_id='fampart-test', families=12)``."""
    def __reduce__(self) -> tuple[Callable[[str], Trial], tuple[str]]: ...
    def __copy__(self) -> Trial: ...
    def __deepcopy__(self, memo: Any, /) -> Trial: ...

def default_programme() -> dict[str, Any]:
    """The default programme definition shipped with barnvern (FAMPART: phases with expected
    contacts, components, guidance modules, eligibility, caseload cap, costs), as a dict. Its
    dose schedule is an assumption (``status``), not the manual: a starting point for a
    trial's own definition, which ``Trial.from_json`` takes under ``programme``."""

def trial_harms(
    cases: Sequence[Case], trial_id: str, as_of: datetime.date, *, site: str | None = None
) -> TrialHarms:
    """Harms (CONSORT item 19) and maltreatment outcomes per arm of trial ``trial_id`` as of
    ``as_of``, derived from the families' case bundles: new reports of concern,
    investigations, emergency placements and care orders after randomisation (counts,
    families with the harm, rates per family-month), and re-referral, substantiated
    investigation and out-of-home placement within 6 and 12 months (proportions with 95%
    Wilson intervals). Follow-up ends at a withdrawal from the study; a family in several
    bundles counts once. With ``site``, only that site's families. The GIL is released.

    Raises:
        ValidationError: ``trial_id`` or ``site`` is not a valid identifier.
    """

@final
class Randomiser:
    """A seeded, reproducible randomiser: rolling 1:1 (simple) or permuted blocks. The same seed
    gives the same sequence; the next allocation cannot be read before it is made.

    Two randomisers are equal when they will make the same allocations from here on (the same
    seed, block sizes and ``assigned``). A randomiser pickles and copies as
    ``Randomiser(seed, block_sizes=..., assigned=...)`` and continues the same sequence. Its
    repr never shows the seed, but a pickle holds it: whoever knows the seed can read every
    allocation in advance, so keep pickles from the people who enrol families.
    """

    def __new__(
        cls,
        seed: int,
        *,
        block_sizes: list[int] | None = None,
        assigned: int = 0,
        design: str | dict[str, Any] | None = None,
        made: dict[str, int] | None = None,
    ) -> Randomiser:
        """A randomiser from ``seed``; ``block_sizes`` (each even) for permuted blocks;
        ``assigned`` to resume after that many allocations. Or, with ``design`` (a trial
        design's ``randomisation``: block sizes, allocation ``ratio``, ``strata``), ``made``: the
        allocations made so far per stratum id (``""`` without strata).

        Raises:
            ValidationError: The design is invalid, or both a design and block sizes are given.
        """

    @staticmethod
    def for_trial(seed: int, trial: Trial) -> Randomiser:
        """The randomiser of ``trial``'s design (allocation ratio, strata: each stratum its own
        sequence) at the trial's place in the sequence of ``seed``."""

    @property
    def assigned(self) -> int:
        """How many allocations have been made (over all strata)."""

    def assign(self, stratum: str | None = None) -> dict[str, Any]:
        """Makes the next allocation: ``{"arm": "intervention" | "control", "sequence": n,
        "block": b}``; under a stratified design, in ``stratum`` (e.g. ``"site-a"``), named
        in the result.

        Raises:
            ValidationError: A stratum is given to an unstratified design, or none to a
                stratified one (``randomisation.stratum``).
        """

    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]
    def __repr__(self) -> str:
        """``Randomiser(block_sizes=[4, 6], assigned=3)``: the design and the position, never
        the seed."""
    def __reduce__(
        self,
    ) -> tuple[Callable[..., Randomiser], tuple[type[Randomiser], tuple[int], dict[str, Any]]]: ...


# --- research datasets and tables (barnvern-arrow, barnvern-extract) ---------------------------

@final
class Dataset:
    """A research dataset opened by :func:`read_dataset`. Opening reads ``manifest.json`` only;
    a table is read when asked for, with only the columns and partitions asked for:

    .. code-block:: python

        ds = bv.read_dataset("extract")
        referrals = ds.table("referrals", columns=["case_key", "received_on", "reporter"],
                             filter={"jurisdiction": "NO", "year": [2023, 2024]})

    ``ds.table(...)`` is Arrow data for any Arrow library; ``ds.to_polars(...)`` and
    ``ds.to_pandas(...)`` give DataFrames directly; ``ds.scan(name)`` hands the table's files to
    ``pyarrow.dataset`` for queries pushed down to the files. Each read checks the files it
    opens (schema version, columns, rows against the manifest) and validates the rows it
    hands out; :attr:`findings` keeps what each table's latest read found, and
    :meth:`validate` reads every table to fill it.

    A dataset pickles as its directory (made absolute) and is opened again when unpickled, so
    a pickle is small and holds no data (nor the findings); unpickling raises
    :class:`DatasetError` if the directory is gone, and gives what the directory holds then.
    """

    @property
    def path(self) -> str:
        """The dataset directory."""

    @property
    def manifest(self) -> dict[str, Any]:
        """``manifest.json`` as a dict: ``schema_version``, ``producer``, ``created_at``,
        ``code_lists``, ``cases``, ``tables`` (rows and files per table), ``input_digests``,
        ``read``, ``rejected``, ``key_fingerprint`` (never the key), ``demo_key``."""

    @property
    def schema_version(self) -> str:
        """The research schema version of the dataset, e.g. ``"1.2"``."""

    @property
    def case_count(self) -> int:
        """The number of research cases in the dataset (a count; the cases themselves are the
        ``cases`` table)."""

    @property
    def tables(self) -> list[str]:
        """The table names, in dataset order (``children``, ``cases``, ``referrals``, ...)."""

    @property
    def rows(self) -> dict[str, int]:
        """Rows per table, in dataset order (from the manifest: nothing is read)."""

    def table(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filter: Mapping[str, str | int | Sequence[str] | Sequence[int]] | None = None,
    ) -> ArrowTable:
        """One table as Arrow data (the Arrow PyCapsule interface), read now:
        ``pyarrow.table(t)``, ``polars.DataFrame(t)`` and ``duckdb`` read it without copying.
        Codes are dictionary-encoded, dates ``date32``, instants ``timestamp[us, tz=UTC]``.
        The GIL is released while reading.

        Args:
            name: The table, one of :attr:`tables`.
            columns: Only these columns, in this order (default: every column, the partition
                column ``jurisdiction`` included). Only these Parquet columns are read.
            filter: Only these partitions: ``{"jurisdiction": "NO"}``,
                ``{"year": [2023, 2024]}`` or both; each value is one value or a list of them.
                Only the files of the partitions selected are opened; a year with no data
                selects no rows (not an error).

        Rows are validated as they are read (required values, codes, and the partition year
        when the year column is read); the findings, whose paths count rows in the table
        returned (``referrals[12].reporter``), replace the table's in :attr:`findings`.

        Raises:
            ValidationError: ``name`` is not a table of the dataset
                (``research.unknown_table``); a column is not one of the table's
                (``research.unknown_column``), is named twice (``research.duplicate_column``)
                or none is (``research.no_columns``); ``filter`` is not a mapping
                (``research.filter``), has a key other than ``jurisdiction`` and ``year``
                (``research.unknown_filter``), or a value that is not a jurisdiction code or a
                year (``research.filter_value``).
            DatasetError: A file is missing or unreadable, or its rows disagree with the
                manifest (``.path`` names it).
            SchemaVersionError: A file was written under a research schema version this build
                does not read.
        """

    def to_polars(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filter: Mapping[str, str | int | Sequence[str] | Sequence[int]] | None = None,
    ) -> polars.DataFrame:
        """One table as a polars DataFrame: ``polars.DataFrame(ds.table(name, columns,
        filter))``, read through the Arrow PyCapsule interface (the arguments are those of
        :meth:`table`). Codes are ``pl.Categorical``, dates ``pl.Date``, instants
        ``pl.Datetime("us", "UTC")``.

        polars is imported only when this is called; it is not a dependency of barnvern.

        Raises:
            ValidationError: As :meth:`table`.
            ImportError: polars is not installed (``pip install polars``).
        """

    def to_pandas(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        filter: Mapping[str, str | int | Sequence[str] | Sequence[int]] | None = None,
    ) -> pandas.DataFrame:
        """One table as a pandas DataFrame, through pyarrow (the arguments are those of
        :meth:`table`). The dtypes keep what the Arrow types say, whether or not a column holds
        a null:

        - codes (dictionary columns) are ``category``;
        - dates are ``datetime64[ms]`` (midnight), so ``.dt`` and comparisons with
          ``pandas.Timestamp`` work; ``.dt.date`` gives ``datetime.date`` objects;
        - instants are ``datetime64[us, UTC]``;
        - integers are pandas' nullable integer dtypes (``Int32``, ``Int64``, ...) and
          booleans ``boolean``, with ``pandas.NA`` for a null;
        - text is pandas' default string dtype.

        pandas and pyarrow are imported only when this is called; neither is a dependency of
        barnvern.

        Raises:
            ValidationError: As :meth:`table`.
            ImportError: pandas or pyarrow is not installed (``pip install pandas pyarrow``).
        """

    def scan(
        self,
        name: str,
        filter: Mapping[str, str | int | Sequence[str] | Sequence[int]] | None = None,
    ) -> Any:
        """A ``pyarrow.dataset.Dataset`` over the table's Parquet files (of the partitions
        ``filter`` selects, as in :meth:`table`), with hive partitioning, so ``jurisdiction``
        and ``year`` are columns: for queries that pyarrow, polars
        (``polars.scan_pyarrow_dataset``) or duckdb push down to the files. Nothing is read or
        validated here.

        pyarrow is imported only when this is called; it is not a dependency of barnvern.

        Raises:
            ValidationError: ``name`` or ``filter`` is refused, as by :meth:`table`.
            ImportError: pyarrow is not installed (``pip install pyarrow``).
        """

    @property
    def findings(self) -> list[Finding]:
        """Row-level findings of the tables read so far: the latest read of each, in dataset
        order (``path`` is ``table[row].column``); a read with a column or partition selection
        validates what it read. Empty before any read, and for a dataset barnvern wrote from
        valid cases. :meth:`validate` fills it for every table."""

    def validate(self) -> list[Finding]:
        """Reads every table whole, a batch at a time (keeping no rows, so memory holds one
        batch), checks every file and validates every row; returns the findings, which
        :attr:`findings` then holds. The GIL is released while reading.

        Raises:
            DatasetError: A file is missing or unreadable, or its rows disagree with the
                manifest (``.path`` names it).
            SchemaVersionError: A file was written under a research schema version this build
                does not read.
        """

    def __repr__(self) -> str:
        """``Dataset(path='/data/extract', schema_version='1.2', case_count=200, tables=45,
        rows=4974, findings=0)``: ``findings`` counts :attr:`findings`."""
    def __reduce__(self) -> tuple[Callable[[str], Dataset], tuple[str]]: ...

def read_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Opens the research dataset in directory ``path``: reads and checks ``manifest.json``
    (schema version, format) and that every Parquet file it lists is there. No table is read
    until one is asked for (:meth:`Dataset.table`), so opening a national dataset costs
    milliseconds and no memory.

    Raises:
        DatasetError: The directory, its manifest or a file it lists is missing or unreadable
            (``.path`` names it).
        SchemaVersionError: The dataset was written under a research schema version this
            build does not read (``.found``, ``.supported``).
    """

@final
class TableReport:
    """What :func:`validate_table` found. ``len(report)`` is the number of findings;
    ``report.to_polars()`` and ``report.to_pandas()`` give them as a DataFrame. A report pickles
    (its findings, with the findings table built again on load)."""

    @property
    def table(self) -> str:
        """The table validated."""

    @property
    def rows(self) -> int:
        """The rows given."""

    @property
    def ok(self) -> bool:
        """True when no finding has severity ``"error"`` (an unknown extra column is only a
        warning)."""

    @property
    def findings(self) -> ArrowTable:
        """Every finding as an Arrow table sorted by row: ``row`` (int64 from 0 over the whole
        input; null for a finding about a whole column), ``path`` (``table[row].column`` or
        ``table.column``), ``code``, ``severity`` and ``message``."""

    def to_list(self) -> list[dict[str, Any]]:
        """Every finding as a dict with ``row``, ``path``, ``code``, ``severity`` and
        ``message``."""

    def to_polars(self) -> polars.DataFrame:
        """The findings (:attr:`findings`) as a polars DataFrame: ``row`` (``Int64``, null for a
        whole column), ``path``, ``code``, ``severity``, ``message``.

        Raises:
            ImportError: polars is not installed (``pip install polars``).
        """

    def to_pandas(self) -> pandas.DataFrame:
        """The findings (:attr:`findings`) as a pandas DataFrame: ``row`` as the nullable
        ``Int64`` (``pandas.NA`` for a whole column), then ``path``, ``code``, ``severity``,
        ``message`` as strings.

        Raises:
            ImportError: pandas or pyarrow is not installed (``pip install pandas pyarrow``).
        """

    def __len__(self) -> int: ...
    def __repr__(self) -> str:
        """``TableReport(table='referrals', rows=120, ok=False, errors=2, findings=3)``."""
    def __reduce__(self) -> tuple[Callable[[str], TableReport], tuple[str]]: ...

def validate_table(
    name: str, data: ArrowStreamExportable, *, max_per_column: int | None = None
) -> TableReport:
    """Validates Arrow data (a pyarrow ``Table`` or ``RecordBatch``, a polars ``DataFrame``,
    anything with ``__arrow_c_stream__`` or ``__arrow_c_array__``) as rows of the research
    table ``name``, with the GIL released.

    Checks: every column of the table is present (``research.missing_column``) with a type
    that holds its values (``research.column_type``); required columns hold no nulls
    (``research.null``); coded columns hold codes of their code list
    (``codelist.unknown_code``); positions are not negative and the ranges the spec states
    hold (``research.range``); a hive ``year`` column matches the row's date
    (``dataset.partition_year``). Another producer's types are accepted where no value is
    lost: any integer width (each value must fit in 32 bits), any string type or dictionary
    of strings, ``float32``, ``date64`` of whole days, timestamps of any unit *with* a time
    zone (nanoseconds must be whole microseconds). Text is never parsed into numbers or dates
    and a timestamp without a time zone is refused. Columns the table does not have are
    warnings (``research.unknown_column``).

    ``max_per_column``: list at most this many findings per column and count the rest in one
    ``research.more_findings`` finding (default: list all).

    Raises:
        ValidationError: ``name`` is not a research table (``research.unknown_table``), or
            ``data`` is not Arrow data (``research.not_arrow``).
    """

@final
class ExtractSummary:
    """What :func:`extract` did. A summary pickles (its counts, paths and manifest; the dataset
    stays where it is)."""

    @property
    def dataset(self) -> str:
        """The dataset directory."""

    @property
    def quarantine(self) -> str:
        """The quarantine file: JSON Lines of ``{"file", "line", "errors"}``, one per rejected
        line (and one per empty input file)."""

    @property
    def read(self) -> int:
        """Lines read from all inputs (= accepted + rejected)."""

    @property
    def accepted(self) -> int:
        """Lines accepted: the cases in the dataset."""

    @property
    def rejected(self) -> int:
        """Lines rejected to the quarantine file."""

    @property
    def rejected_by_code(self) -> dict[str, int]:
        """Rejected lines by the code of their first error."""

    @property
    def empty_files(self) -> list[str]:
        """Input files with no lines at all."""

    @property
    def ok(self) -> bool:
        """True when nothing was rejected and no input was empty (``TableReport.ok`` likewise
        means nothing was wrong)."""

    @property
    def manifest(self) -> dict[str, Any]:
        """The dataset's manifest (see :attr:`Dataset.manifest`)."""

    def __repr__(self) -> str:
        """``ExtractSummary(dataset='/data/extract', read=200, accepted=198, rejected=2,
        rejected_by_code={'json.syntax': 2})``."""
    def __reduce__(self) -> tuple[Callable[[str], ExtractSummary], tuple[str]]: ...

def extract(
    inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    *,
    key: bytes | bytearray | str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    as_of: datetime.date | None = None,
    quarantine: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    threads: int = 0,
) -> ExtractSummary:
    """Extracts case bundles (JSON Lines; a ``.json`` file is one bundle) into a pseudonymised
    research dataset at ``out``: every line validated, person, case and staff keys replaced by
    HMAC-SHA256 pseudonyms under the project key, birth dates coarsened to year and month, free
    text dropped, deadlines derived as of ``as_of`` (default: today). Rejected lines go to the
    quarantine file (default ``out/quarantine.jsonl``) with line number and errors; read =
    accepted + rejected is checked. The dataset appears atomically. Runs on ``threads`` worker
    threads (0: one per core) with the GIL released.

    The project key (at least 32 bytes) is ``key`` (bytes; a ``str`` is taken as its UTF-8
    bytes, as ``BARNVERN_KEY`` is), else the file ``key_file``, else the environment variable
    ``BARNVERN_KEY``. The manifest holds its fingerprint, never the key. A key file that its
    group or others may read or write gets a ``UserWarning`` (as ssh warns), naming the file and
    its mode.

    Raises:
        ProjectKeyError: No key, an unreadable key file, or a key shorter than 32 bytes.
        DatasetError: ``out`` exists and ``overwrite`` is false, ``out`` is something other than
            a barnvern dataset or an empty folder (never replaced, whatever ``overwrite`` says),
            or a file cannot be read or written (``.path`` names it).
        ExtractError: No inputs, or a quarantine path inside ``out`` or over an input.
    """

def validate_bundles(
    inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *, threads: int = 0
) -> dict[str, Any]:
    """Validates case bundle files with the extract's reader and checks, writing nothing.
    Returns ``read``, ``accepted``, ``rejected``, ``by_code`` (findings per code),
    ``empty_files``, ``ok`` and ``lines``: one dict per line with findings (``file``,
    ``line`` from 1 or None for the whole file, ``accepted``, ``findings``).

    Raises:
        ExtractError: No inputs were given.
        DatasetError: An input cannot be read.
    """

def synth(
    out: str | os.PathLike[str],
    *,
    children: int = 10_000,
    seed: int = 1,
    faults: float = 0.0,
    as_of: datetime.date | None = None,
    se_share: float = 0.5,
    trial_families: int | None = None,
    trial_sites: int = 6,
) -> dict[str, Any]:
    """Writes a seeded synthetic cohort of ``children`` case bundles (JSON Lines, one per
    child, Swedish and Norwegian, with a Family Partner trial) to ``out``; the same seed and
    options give the same bytes. Swedish identity numbers come only from Skatteverket's test
    list and Norwegian ones are synthetic, so none can belong to a real person. ``faults``
    (0 to 1) makes that fraction of lines faulty, of many kinds. ``as_of``: the extraction
    date (default fixed, 2026-06-30). The trial's size: ``trial_families``, the most families
    it approaches (default every family that qualifies), and ``trial_sites``, its number of
    sites (1 to 6: Oslo, Bergen, Trondheim, Stavanger, Kristiansand, Drammen). The file appears
    only when complete; the GIL is released.

    Returns the summary: ``lines``, ``valid``, ``faulty`` (lines per fault kind), ``bytes``,
    ``se_cases``, ``no_cases``, ``trial_families``, ``randomised``.

    Raises:
        ValidationError: An option is out of range (``synth.options``).
        DatasetError: ``out`` cannot be written.
    """

def report(
    dataset: Dataset | str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    min_cell: int = 5,
    as_of: datetime.date | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """The aggregate report of a research dataset: deadline compliance by jurisdiction,
    municipality, year and kind and, where the dataset holds the Family Partner trial, its
    CONSORT flow, dose, retention, progression criteria, SDQ change and costs. Counts from 1
    to ``min_cell - 1`` are withheld (shown as ``"<5"`` by default) with secondary suppression,
    so no total gives one back.

    Returns ``markdown`` and ``html`` (one self-contained page, inline SVG) as text, ``json``
    as a dict, and ``paths``: with ``out``, the ``report.md``, ``report.html`` and
    ``report.json`` written there (the directory is created). The GIL is released.

    Raises:
        DatasetError: The dataset cannot be read (``.path`` names the file where there is one).
        SchemaVersionError: The dataset's schema version is not one this build reads.
        FileError: ``out`` or a report file in it cannot be written (also an ``OSError``).
    """

def read_ssb_xml(path: str | os.PathLike[str]) -> list[Case]:
    """Reads an SSB child-welfare XML file (Norway's national reporting format, schema v1, v3
    or v4) into validated cases, one per ``Sak``. SSB's codes are kept as source codes next to
    the canonical values; what the bundle has no field for is kept with it, so
    :func:`write_ssb_xml` gives it back.

    Raises:
        ValidationError: The file is not well-formed, has a DTD or entity (refused, never
            expanded), or any finding is an error (an unknown element or code, an identity
            number failing its check digits, a ``Sak`` that is not a valid case). ``.findings``
            holds every error; each ``path`` names file, line and element.
        FileError: The file cannot be read (also an ``OSError``, with ``errno`` and
            ``filename``).
    """

def write_ssb_xml(
    cases: Case | Sequence[Case], path: str | os.PathLike[str]
) -> list[pathlib.Path]:
    """Writes cases as SSB XML v4 (valid against Barnevern_v4.xsd, which has one ``Sak`` per
    file): one case to ``path`` when it ends in ``.xml``, otherwise one ``<Sak Id>.xml`` per
    case in the directory ``path`` (created if missing). Returns the paths written.

    Raises:
        ValidationError: A case cannot be written as SSB XML (the finding names the value).
        FileError: A file or the directory cannot be written (also an ``OSError``).
    """

def ssb_controls(case: Case, *, as_of: datetime.date | None = None) -> list[Finding]:
    """SSB's validation controls (Kravspesifikasjon) on any case: each finding's ``code`` is
    SSB's control id (``"Melding Kontroll 3"``), ``severity`` SSB's (ERROR as ``"error"``,
    WARNING and INFO as ``"warning"``; data migrated from KOSTRA gets warnings), ``message``
    SSB's (Norwegian). ``as_of``: the day deadlines and ages are judged on."""
