"""Names for the string values barnvern uses, for type annotations (``bv.Jurisdiction``, ...)."""

from __future__ import annotations

from typing import Any, Literal, Protocol, Union

__all__ = [
    "ArrowStreamExportable",
    "ArrowTable",
    "DeadlineKind",
    "DeadlineStatus",
    "Informant",
    "Jurisdiction",
    "PersonIdKind",
    "Severity",
    "Sex",
]

# Each alias is written as a Union of one-value Literals, which means the same as
# Literal["SE", "NO"] to a type checker. Written this way because stubtest (mypy 2.4) sees a
# several-value Literal as a Union in the stub and then refuses the runtime object, whose origin
# is Literal rather than Union.

Jurisdiction = Union[Literal["SE"], Literal["NO"]]
"""The country whose law applies, as an ISO 3166-1 alpha-2 code."""

PersonIdKind = Union[
    Literal["personnummer"],
    Literal["samordningsnummer"],
    Literal["fodselsnummer"],
    Literal["d_number"],
    Literal["h_number"],
]
"""The kind of an identity number: SE personnummer or samordningsnummer (day + 60); NO
fødselsnummer, D-number (day + 40) or H-number (month + 40)."""

Sex = Union[Literal["female"], Literal["male"]]
"""Legal sex as encoded in an identity number."""

Severity = Union[Literal["error"], Literal["query"], Literal["warning"]]
"""How serious a validation finding is: ``"error"`` (refused), ``"query"`` (a person should check
it), ``"warning"`` (allowed, worth attention)."""

DeadlineKind = Union[
    Literal["protection_assessment"],
    Literal["screening"],
    Literal["investigation"],
    Literal["measure_evaluation"],
]
"""What a statutory deadline requires: SE skyddsbedömning; SE förhandsbedömning or NO gjennomgang
av melding; SE utredning or NO undersøkelse; NO evaluering av hjelpetiltak (a help measure
evaluated, as a rule every 3 months, guideline Q-0982)."""

DeadlineStatus = Union[
    Literal["pending"],
    Literal["met"],
    Literal["met_after_extension"],
    Literal["breached"],
    Literal["overdue"],
]
"""Where a statutory deadline stands as of a date."""

Informant = Union[Literal["parent"], Literal["teacher"], Literal["self"], Literal["staff"]]
"""Who answered a questionnaire: a parent or carer, a teacher, the child or young person
(``"self"``), or a practitioner (``"staff"``; AIM, IAM and FIM)."""


class ArrowStreamExportable(Protocol):
    """Tabular data that exports an Arrow C stream (the Arrow PyCapsule interface): a pyarrow
    ``Table`` or ``RecordBatchReader``, a polars ``DataFrame``, a DuckDB relation, ..."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """A PyCapsule holding an Arrow C stream of the data."""
        ...


class ArrowTable(Protocol):
    """The Arrow table barnvern returns. Read it with ``pyarrow.table(t)``,
    ``polars.DataFrame(t)`` or any other library that takes the Arrow PyCapsule interface; no
    data is copied."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """A PyCapsule holding an Arrow C stream of the table."""
        ...
    def __arrow_c_schema__(self) -> Any:
        """A PyCapsule holding the table's Arrow C schema."""
        ...
    def __len__(self) -> int:
        """The number of rows."""
        ...
    @property
    def num_rows(self) -> int:
        """The number of rows."""
        ...
    @property
    def num_columns(self) -> int:
        """The number of columns."""
        ...
    @property
    def column_names(self) -> list[str]:
        """The column names, in order."""
        ...
