"""barnvern: a validated data domain for child protection in Sweden and Norway.

>>> import barnvern as bv
>>> pid = bv.PersonId.parse("189001019802")
>>> pid
PersonId(jurisdiction='SE', kind='personnummer')

The types are defined in Rust (the private extension module ``barnvern._core``); every error is
a :class:`BarnvernError` (see :mod:`barnvern.exceptions`).
"""

from __future__ import annotations

# The exceptions first: the extension module raises these classes.
from barnvern.exceptions import (
    BarnvernError,
    ErrorDetail,
    InvalidIdentifierError,
    SchemaVersionError,
    Severity,
    ValidationError,
    WorkflowError,
)

from barnvern._core import (
    Case,
    Deadline,
    PersonId,
    __version__,
)
from barnvern._types import DeadlineKind, DeadlineStatus, Jurisdiction, PersonIdKind, Sex

__all__ = [
    # identifiers
    "PersonId",
    # cases
    "Case",
    "Deadline",
    # value names for annotations
    "DeadlineKind",
    "DeadlineStatus",
    "Jurisdiction",
    "PersonIdKind",
    "Sex",
    # exceptions
    "BarnvernError",
    "ErrorDetail",
    "InvalidIdentifierError",
    "SchemaVersionError",
    "Severity",
    "ValidationError",
    "WorkflowError",
    # package
    "__version__",
]
