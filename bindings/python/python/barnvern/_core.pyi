"""The Rust extension module of barnvern. Import from ``barnvern``, not from here."""

import datetime
from typing import Any, Callable, final

from barnvern._types import DeadlineKind, DeadlineStatus, Jurisdiction, PersonIdKind, Severity, Sex
from barnvern.exceptions import ErrorDetail

__all__ = ["Case", "Deadline", "PersonId", "__version__"]

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
                failed (never the digits); ``.errors`` holds the finding with its stable code,
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
    def from_json(text: str) -> Case:
        """Reads and validates a case bundle from JSON text.

        Raises:
            ValidationError: The bundle is invalid; ``.errors`` lists every finding with its
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

    def validate(self) -> list[ErrorDetail]:
        """Every finding about the case: queries and warnings (a case holds no errors)."""

    @staticmethod
    def json_schema() -> str:
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
    def __repr__(self) -> str: ...
    def __reduce__(self) -> tuple[Callable[[str], Case], tuple[str]]: ...
    def __copy__(self) -> Case: ...
    def __deepcopy__(self, memo: Any, /) -> Case: ...

@final
class Deadline:
    """One statutory deadline of a case as of a date: due date, extension, completion and
    status. The rule comes from a versioned table chosen by jurisdiction and the law in force on
    the date the referral was received."""

    @property
    def kind(self) -> DeadlineKind:
        """What must be done: ``"protection_assessment"``, ``"screening"`` or
        ``"investigation"``."""

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
        """The date the period starts from (receipt, or the investigation's start)."""

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
    def __repr__(self) -> str: ...
