"""The exception tree: what `except` clauses in user code rely on."""

from __future__ import annotations

import pickle

import barnvern as bv
import barnvern.exceptions as exc
import pytest


def test_every_error_is_a_barnvern_error() -> None:
    for cls in (
        bv.ValidationError,
        bv.InvalidIdentifierError,
        bv.WorkflowError,
        bv.SchemaVersionError,
        bv.DatasetError,
        bv.ProjectKeyError,
        bv.ExtractError,
        bv.FileError,
    ):
        assert issubclass(cls, bv.BarnvernError)
    assert issubclass(bv.BarnvernError, Exception)


def test_validation_errors_are_value_errors() -> None:
    assert issubclass(bv.ValidationError, ValueError)
    assert issubclass(bv.InvalidIdentifierError, bv.ValidationError)
    assert issubclass(bv.InvalidIdentifierError, ValueError)


def test_workflow_errors_are_not_value_errors() -> None:
    assert not issubclass(bv.WorkflowError, ValueError)
    assert not issubclass(bv.WorkflowError, bv.ValidationError)


def test_schema_version_errors_are_validation_errors() -> None:
    # A schema version is a refused value (issue 19): `except ValidationError` catches it.
    assert issubclass(bv.SchemaVersionError, bv.ValidationError)
    assert issubclass(bv.SchemaVersionError, ValueError)


def test_file_errors_are_os_errors() -> None:
    # `except OSError` around file work keeps working; errno and filename are OSError's own.
    assert issubclass(bv.FileError, OSError)
    err = bv.FileError(2, "No such file or directory", "x.xml")
    assert (err.errno, err.strerror, err.filename) == (2, "No such file or directory", "x.xml")
    assert pickle.loads(pickle.dumps(err)).filename == "x.xml"


def test_package_reexports_the_exceptions_module() -> None:
    assert bv.BarnvernError is exc.BarnvernError
    assert bv.ValidationError is exc.ValidationError
    assert bv.InvalidIdentifierError is exc.InvalidIdentifierError
    assert bv.WorkflowError is exc.WorkflowError
    assert bv.SchemaVersionError is exc.SchemaVersionError
    for name in exc.__all__:
        assert name in bv.__all__


def test_validation_error_carries_findings() -> None:
    finding: bv.Finding = {
        "path": "referrals[2].received_at",
        "code": "date.order",
        "severity": "error",
        "message": "received before it was sent",
    }
    err = bv.ValidationError("refused", [finding])
    assert str(err) == "refused"
    assert err.findings == [finding]
    assert bv.ValidationError("refused").findings == []


def test_validation_error_pickles_with_its_findings() -> None:
    finding: bv.Finding = {
        "path": "",
        "code": "id.se.check_digit",
        "severity": "error",
        "message": "wrong check digit",
    }
    err = bv.InvalidIdentifierError("refused", [finding])
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is bv.InvalidIdentifierError
    assert str(copy) == "refused"
    assert copy.findings == [finding]


def test_an_error_raised_by_rust_is_the_python_class() -> None:
    # Raised before any identity-number rule runs: a bad jurisdiction argument.
    with pytest.raises(bv.ValidationError) as info:
        bv.PersonId.parse("189001019802", jurisdiction="DK")  # type: ignore[arg-type]
    assert type(info.value) is bv.ValidationError
    assert isinstance(info.value, ValueError)
    [finding] = info.value.findings
    assert finding["code"] == "jurisdiction.unknown"
    assert finding["severity"] == "error"
    assert finding["path"] == ""
    assert "jurisdiction.unknown" in str(info.value)
