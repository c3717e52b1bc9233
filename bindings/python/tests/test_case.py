"""The Case contract: JSON round trips, validation errors, the workflow and deadlines."""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
from typing import Any

import barnvern as bv
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def prov(at: str = "2099-01-01T00:00:00Z") -> dict[str, Any]:
    return {"recorded_at": at, "recorded_by": {"role": "caseworker", "staff": "sw-1"}, "source_system": "test"}


def empty_case() -> bv.Case:
    return bv.Case.from_dict(
        {
            "schema_version": "1.1",
            "case_id": "c-1",
            "jurisdiction": "SE",
            "municipality": "0180",
            "opened_on": "2024-01-02",
            "child": {"identity": {"national_id": "201801012392"}},
        }
    )


def test_round_trip_is_lossless(se_case_json: str, no_case_json: str) -> None:
    for text in (se_case_json, no_case_json):
        case = bv.Case.from_json(text)
        assert json.loads(case.to_json()) == json.loads(text)
        assert bv.Case.from_json(case.to_json(indent=True)) == case
        assert case.to_dict() == json.loads(text)


def test_properties_and_repr(se_case_json: str) -> None:
    case = bv.Case.from_json(se_case_json)
    assert (case.case_id, case.jurisdiction, case.municipality) == ("SE-0180-2024-001234", "SE", "0180")
    assert case.opened_on == dt.date(2024, 11, 4)
    assert case.schema_version == "1.3"
    assert not case.is_closed
    assert repr(case).startswith("Case(case_id='SE-0180-2024-001234', jurisdiction='SE'")
    assert "201801012392" not in repr(case)


def test_case_pickles_and_copies(no_case_json: str) -> None:
    case = bv.Case.from_json(no_case_json)
    assert pickle.loads(pickle.dumps(case)) == case
    assert copy.deepcopy(case) == case


def test_deadlines(se_case_json: str) -> None:
    case = bv.Case.from_json(se_case_json)
    deadlines = case.deadlines(dt.date(2025, 9, 25))
    by_key = {(d.record_id, d.kind): d for d in deadlines}
    screening = by_key[("ref-2", "screening")]
    assert (screening.due, screening.completed_on, screening.status) == (dt.date(2025, 9, 24), None, "overdue")
    assert screening.rule_id == "se.sol2025.screening"
    inv = by_key[("inv-1", "investigation")]
    assert (inv.start, inv.due, inv.extended_due) == (dt.date(2024, 11, 12), dt.date(2025, 3, 12), dt.date(2025, 4, 12))
    assert inv.status == "met_after_extension"
    assert inv.to_dict()["status"] == "met_after_extension"
    assert "met_after_extension" in repr(inv)
    assert inv.start_basis == "investigation_start" == inv.to_dict()["start_basis"]


def test_norwegian_investigation_counts_from_the_end_of_the_review() -> None:
    # Reviewed on day 4, recorded as started two weeks later: three months from the review.
    case = bv.Case.from_json(json.dumps(_norwegian_case("2024-03-04", "2024-03-18")))
    inv = next(d for d in case.deadlines(dt.date(2024, 5, 1)) if d.kind == "investigation")
    assert (inv.start, inv.start_basis, inv.due) == (dt.date(2024, 3, 4), "review_concluded", dt.date(2024, 6, 4))
    # Reviewed late: from receipt + 7 days.
    case = bv.Case.from_json(json.dumps(_norwegian_case("2024-03-20", "2024-03-20")))
    inv = next(d for d in case.deadlines(dt.date(2024, 5, 1)) if d.kind == "investigation")
    assert (inv.start, inv.start_basis, inv.due) == (dt.date(2024, 3, 8), "review_limit", dt.date(2024, 6, 8))


def _norwegian_case(screened: str, started: str) -> dict[str, object]:
    provenance = {"recorded_at": "2099-01-01T00:00:00Z", "recorded_by": {"role": "caseworker", "staff": "sw-1"}, "source_system": "test"}
    return {
        "schema_version": "1.3",
        "case_id": "c-1",
        "jurisdiction": "NO",
        "municipality": "4601",
        "opened_on": "2024-03-01",
        "child": {"identity": {"national_id": "03851598730"}},
        "referrals": [{"id": "r1", "received_at": "2024-03-01T10:00:00+01:00", "reporter": {"code": "school"}, "provenance": provenance}],
        "screenings": [{"id": "s1", "referral_id": "r1", "decided_on": screened, "outcome": {"code": "open_investigation"}, "provenance": provenance}],
        "investigations": [{"id": "i1", "screening_id": "s1", "started_on": started, "provenance": provenance}],
    }


def test_validation_errors_carry_path_code_and_severity(se_case_json: str) -> None:
    data = json.loads(se_case_json)
    data["referrals"][1]["colour"] = "red"
    with pytest.raises(bv.ValidationError) as info:
        bv.Case.from_dict(data)
    assert isinstance(info.value, ValueError)
    first = info.value.findings[0]
    assert (first["path"], first["code"], first["severity"]) == ("referrals[1].colour", "json.unknown_field", "error")

    data = json.loads(se_case_json)
    data["child"]["identity"]["national_id"] = "201801012393"
    with pytest.raises(bv.ValidationError) as info:
        bv.Case.from_dict(data)
    assert info.value.findings[0]["path"] == "child.identity.national_id"
    assert "201801012393" not in str(info.value)


def test_schema_version_error(se_case_json: str) -> None:
    data = json.loads(se_case_json)
    data["schema_version"] = "0.1"
    with pytest.raises(bv.SchemaVersionError) as info:
        bv.Case.from_dict(data)
    assert (info.value.found, info.value.supported) == ("0.1", "1.0, 1.1, 1.2, 1.3")
    assert isinstance(info.value, bv.BarnvernError)


def test_workflow_accepts_and_refuses() -> None:
    case = empty_case()
    case.apply(
        {
            "type": "referral_received",
            "referral": {
                "id": "r1",
                "received_at": "2024-03-01T10:00:00+01:00",
                "reporter": {"code": "school"},
                "provenance": prov(),
            },
        }
    )
    assert case.history_length == 1
    before = case.to_json()
    conclude = {
        "type": "investigation_concluded",
        "investigation_id": "i1",
        "concluded_on": "2024-04-01",
        "conclusion": {"code": "measures"},
        "provenance": prov(),
    }
    with pytest.raises(bv.WorkflowError) as info:
        case.apply(conclude)
    err = info.value
    assert (err.event, err.code) == ("investigation_concluded", "workflow.investigation_not_started")
    assert "i1" in err.state
    assert case.to_json() == before, "a refused event leaves the case unchanged"

    decision = {"type": "decision_made", "decision_id": "d1", "decided_on": "2024-04-01", "kind": "measure", "provenance": prov()}
    with pytest.raises(bv.WorkflowError) as info:
        case.apply(json.dumps(decision))
    assert info.value.code == "workflow.decision_without_legal_basis"

    with pytest.raises(bv.ValidationError):
        case.apply({"type": "teleported"})
    with pytest.raises(bv.ValidationError):
        case.apply(42)  # type: ignore[arg-type]


def test_violence_query_is_a_finding() -> None:
    case = empty_case()
    case.apply(
        {
            "type": "referral_received",
            "referral": {
                "id": "r1",
                "received_at": "2024-03-01T10:00:00+01:00",
                "reporter": {"code": "police"},
                "violence": [{"form": "physical", "mode": "direct"}],
                "provenance": prov(),
            },
        }
    )
    case.apply(
        {
            "type": "screening_decided",
            "screening": {"id": "s1", "referral_id": "r1", "decided_on": "2024-03-02", "outcome": {"code": "no_investigation"}, "provenance": prov()},
        }
    )
    findings = case.validate()
    assert [(f["code"], f["severity"]) for f in findings] == [("se.violence_not_investigated", "query")]


def test_json_schema_is_a_dict() -> None:
    # As pydantic's model_json_schema(): a dict, ready for jsonschema or json.dumps.
    schema = bv.Case.json_schema()
    assert isinstance(schema, dict)
    assert "referrals" in schema["properties"]
    assert json.loads(json.dumps(schema)) == schema


def test_from_json_takes_str_or_bytes(se_case_json: str) -> None:
    from_text = bv.Case.from_json(se_case_json)
    assert bv.Case.from_json(se_case_json.encode("utf-8")) == from_text
    with pytest.raises(bv.ValidationError) as bad:
        bv.Case.from_json(b"\xff{}")
    assert bad.value.findings[0]["code"] == "json.utf8"
    with pytest.raises(bv.ValidationError) as wrong:
        bv.Case.from_json(42)  # type: ignore[arg-type]
    assert wrong.value.findings[0]["code"] == "json.argument"


@given(st.text(max_size=300))
def test_random_text_never_crashes_the_reader(text: str) -> None:
    with pytest.raises((bv.ValidationError, bv.SchemaVersionError)):
        bv.Case.from_json(text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=4000), st.characters())
def test_mangled_bundles_raise_with_a_code(se_case_json: str, at: int, ch: str) -> None:
    text = se_case_json[: at % len(se_case_json)] + ch + se_case_json[at % len(se_case_json) + 1 :]
    try:
        bv.Case.from_json(text)
    except bv.ValidationError as err:
        assert err.findings and all(e["code"] for e in err.findings)
    except bv.SchemaVersionError:
        pass
