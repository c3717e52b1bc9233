"""The exceptions barnvern raises.

Every error is a :class:`BarnvernError`. A refused value is a :class:`ValidationError`, which is
also a :class:`ValueError` and carries the structured findings in ``.findings``::

    try:
        bv.PersonId.parse(text)
    except bv.InvalidIdentifierError as err:
        for finding in err.findings:
            print(finding["code"], finding["message"])

A file barnvern cannot read or write is a :class:`FileError`, which is also an
:class:`OSError` (``errno``, ``strerror`` and ``filename`` as the operating system gave them), so
``except OSError`` keeps working.

These classes are plain Python so that ``ValidationError`` can inherit from both
``BarnvernError`` and ``ValueError``; the Rust extension module raises instances of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from barnvern._types import Severity

__all__ = [
    "BarnvernError",
    "DatasetError",
    "ExtractError",
    "FileError",
    "Finding",
    "InvalidIdentifierError",
    "ProjectKeyError",
    "SchemaVersionError",
    "Severity",
    "ValidationError",
    "WorkflowError",
]

class Finding(TypedDict):
    """One validation finding, as in the row-level report and the quarantine file: where, which
    rule, how serious, and why."""

    path: str
    """Path to the value inside its record, e.g. ``referrals[2].received_at``; empty for the
    whole record."""
    code: str
    """Stable machine code of the rule that failed, e.g. ``id.se.check_digit``."""
    severity: Severity
    """How serious the finding is."""
    message: str
    """A message a caseworker understands. Never contains an identity number."""


class BarnvernError(Exception):
    """Base class of every error barnvern raises."""


class ValidationError(BarnvernError, ValueError):
    """A value was refused.

    ``findings`` lists every finding (at least one of severity ``"error"``), in the order found.
    """

    findings: list[Finding]

    def __init__(self, message: str, findings: Iterable[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


class InvalidIdentifierError(ValidationError):
    """An identity number was refused. The message names the rule that failed, never the
    digits."""


class WorkflowError(BarnvernError):
    """An event is impossible in the current state of a case; the message names the event and
    the state. The case is left unchanged."""

    event: str = ""
    """The refused event's type, as in JSON, e.g. ``"investigation_concluded"``."""
    state: str = ""
    """The relevant state of the case, e.g. ``'no investigation "i1" has started'``."""
    code: str = ""
    """Stable code of the rule, e.g. ``"workflow.investigation_not_started"``."""
    path: str = ""
    """Path of the offending value, where there is one."""


class SchemaVersionError(ValidationError):
    """A document has a schema version this version of barnvern cannot read: a refused value, so
    a :class:`ValidationError` (and a ``ValueError``) whose ``.findings`` holds the one finding
    (code ``schema.version``, path ``schema_version``)."""

    found: str = ""
    """The version found, when it is short and shaped like a version; empty when the document
    has none or when the value is not shown (long, or text that could be personal data)."""
    supported: str = ""
    """The versions this build reads, comma-separated."""


class DatasetError(BarnvernError):
    """A research dataset cannot be read or written: the directory or a file is missing or
    unreadable, the manifest and the files disagree, or the target exists and ``overwrite`` was
    not given. (A dataset of an unknown schema version is a :class:`SchemaVersionError`.)"""

    path: str = ""
    """The file or directory concerned, where there is one."""


class FileError(BarnvernError, OSError):
    """A file cannot be read or written (an SSB XML file, a report's output). Also an
    :class:`OSError`: ``errno``, ``strerror`` and ``filename`` are the operating system's, so
    ``except OSError`` and ``except FileNotFoundError``-style checks on ``errno`` keep working.
    (A research dataset that cannot be read or written is a :class:`DatasetError`.)"""


class ProjectKeyError(BarnvernError, ValueError):
    """No usable project key: none given (no ``key``, ``key_file`` or ``BARNVERN_KEY``), the key
    file cannot be read, or the key is shorter than 32 bytes. The message never repeats the
    key."""


class ExtractError(BarnvernError):
    """An extract or validation run stopped as a whole (no input files, a quarantine path inside
    the output or over an input, a failed internal count). Bad input lines never raise: they are
    quarantined and counted."""
