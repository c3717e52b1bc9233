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
    DatasetError,
    ExtractError,
    FileError,
    Finding,
    InvalidIdentifierError,
    ProjectKeyError,
    SchemaVersionError,
    Severity,
    ValidationError,
    WorkflowError,
)

from collections.abc import Mapping

from barnvern._core import (
    Case,
    Dataset,
    Deadline,
    extract,
    ExtractSummary,
    Instrument,
    instruments,
    PersonId,
    Randomiser,
    read_dataset,
    report,
    score,
    score_table,
    Scores,
    synth,
    TableReport,
    validate_bundles,
    validate_table,
    read_ssb_xml,
    ssb_controls,
    write_ssb_xml,
    Trial,
    default_programme,
    trial_harms,
    __version__,
)
from barnvern._types import (
    ArrowStreamExportable,
    ArrowTable,
    DeadlineKind,
    DeadlineStatus,
    Informant,
    Jurisdiction,
    PersonIdKind,
    Sex,
)

# Scores is written in Rust; registering it makes isinstance(s, Mapping) true, as its stub says.
Mapping.register(Scores)

__all__ = [
    # identifiers
    "PersonId",
    # cases
    "Case",
    "Deadline",
    # the Family Partner trial
    "Randomiser",
    "Trial",
    "default_programme",
    "trial_harms",
    # outcome measures
    "Instrument",
    "Scores",
    "instruments",
    "score",
    "score_table",
    # research datasets and the extract pipeline
    "Dataset",
    "ExtractSummary",
    "TableReport",
    "extract",
    "read_dataset",
    "report",
    "synth",
    "validate_bundles",
    "validate_table",
    # Norway's national reporting format (SSB child-welfare XML)
    "read_ssb_xml",
    "ssb_controls",
    "write_ssb_xml",
    # value names for annotations
    "ArrowStreamExportable",
    "ArrowTable",
    "DeadlineKind",
    "DeadlineStatus",
    "Informant",
    "Jurisdiction",
    "PersonIdKind",
    "Sex",
    # exceptions
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
    # package
    "__version__",
]
