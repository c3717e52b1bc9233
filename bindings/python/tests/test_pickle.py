"""Every public value pickles (for multiprocessing, joblib and a notebook's saved state) and comes
back equal; copy and deepcopy give independent values."""

from __future__ import annotations

import copy
import datetime
import pickle
from pathlib import Path
from typing import Any, TypeVar

import barnvern as bv
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

T = TypeVar("T")
PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)
AS_OF = datetime.date(2025, 3, 31)


def round_trip(value: T, protocol: int = pickle.DEFAULT_PROTOCOL) -> T:
    back = pickle.loads(pickle.dumps(value, protocol=protocol))
    assert type(back) is type(value)
    return back


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_identity_numbers_cases_and_instruments(se_case_json: str, protocol: int) -> None:
    pid = bv.PersonId.parse("189001019802")
    assert round_trip(pid, protocol) == pid
    case = bv.Case.from_json(se_case_json)
    assert round_trip(case, protocol) == case
    instrument = bv.Instrument.builtin("sdq-p-4-17")
    assert round_trip(instrument, protocol) == instrument


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_deadlines(se_case_json: str, protocol: int) -> None:
    deadlines = bv.Case.from_json(se_case_json).deadlines(datetime.date(2025, 6, 30))
    assert deadlines
    for deadline in deadlines:
        back = round_trip(deadline, protocol)
        assert back == deadline
        assert back.to_dict() == deadline.to_dict()
        assert repr(back) == repr(deadline)
    assert round_trip(deadlines, protocol) == deadlines


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_scores_keep_values_types_bands_and_warnings(protocol: int) -> None:
    answers: dict[str, int | None] = {"somatic": 2, "worries": 2, "unhappy": 0, "clingy": None}
    scores = bv.score("sdq-p-4-17", answers, age=3)
    assert scores.warnings, "age 3 is outside the form's range: a warning to keep"
    back = round_trip(scores, protocol)
    assert back == scores
    assert dict(back) == dict(scores)
    assert [type(v) for v in back.values()] == [type(v) for v in scores.values()]
    assert back.bands == scores.bands
    assert back.warnings == scores.warnings
    assert (back.instrument, back.version, back.algorithm, back.engine_version, back.informant) == (
        scores.instrument,
        scores.version,
        scores.algorithm,
        scores.engine_version,
        scores.informant,
    )
    assert back.to_dict() == scores.to_dict()
    swemwbs = bv.score("swemwbs", {item: 3 for item in bv.Instrument.builtin("swemwbs").items})
    assert round_trip(swemwbs, protocol).to_dict() == swemwbs.to_dict()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_trials(trial_json: str, protocol: int) -> None:
    trial = bv.Trial.from_json(trial_json)
    back = round_trip(trial, protocol)
    assert back == trial
    assert back.consort(AS_OF) == trial.consort(AS_OF)


def test_a_randomiser_continues_its_sequence_after_pickling() -> None:
    for randomiser in (bv.Randomiser(42), bv.Randomiser(7, block_sizes=[4, 6])):
        for _ in range(5):
            randomiser.assign()
        for protocol in PROTOCOLS:
            back = round_trip(randomiser, protocol)
            assert back == randomiser
            assert back.assigned == 5
        back = round_trip(randomiser)
        assert [back.assign() for _ in range(12)] == [randomiser.assign() for _ in range(12)]
        assert back == randomiser


@given(
    seed=st.integers(min_value=0, max_value=2**64 - 1),
    blocks=st.one_of(st.none(), st.lists(st.sampled_from([2, 4, 6, 8]), min_size=1, max_size=3)),
    before=st.integers(min_value=0, max_value=30),
)
def test_any_randomiser_pickles_mid_sequence(seed: int, blocks: list[int] | None, before: int) -> None:
    randomiser = bv.Randomiser(seed, block_sizes=blocks)
    for _ in range(before):
        randomiser.assign()
    back = round_trip(randomiser)
    assert [back.assign() for _ in range(10)] == [randomiser.assign() for _ in range(10)]


def test_randomisers_are_equal_only_with_the_same_seed_design_and_position() -> None:
    assert bv.Randomiser(1) == bv.Randomiser(1)
    assert bv.Randomiser(1) != bv.Randomiser(2)
    assert bv.Randomiser(1) != bv.Randomiser(1, block_sizes=[4])
    assert bv.Randomiser(1) != bv.Randomiser(1, assigned=1)
    moved = bv.Randomiser(1)
    moved.assign()
    assert moved == bv.Randomiser(1, assigned=1)


def test_a_dataset_pickles_as_its_directory_and_is_read_again(small_dataset_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Opened through a relative path: the pickle holds the absolute one.
    monkeypatch.chdir(small_dataset_dir.parent)
    dataset = bv.read_dataset(small_dataset_dir.name)
    data = pickle.dumps(dataset)
    monkeypatch.chdir("/")
    back = pickle.loads(data)
    assert isinstance(back, bv.Dataset)
    assert Path(back.path) == small_dataset_dir.resolve()
    assert back.manifest == dataset.manifest
    assert back.rows == dataset.rows
    assert pa.table(back.table("referrals")).equals(pa.table(dataset.table("referrals")))


def test_a_dataset_whose_directory_is_gone_does_not_unpickle(tmp_path: Path, small_dataset_dir: Path) -> None:
    import shutil

    copied = tmp_path / "copy"
    shutil.copytree(small_dataset_dir, copied)
    data = pickle.dumps(bv.read_dataset(copied))
    shutil.rmtree(copied)
    with pytest.raises(bv.DatasetError):
        pickle.loads(data)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_table_reports(small_dataset: bv.Dataset, protocol: int) -> None:
    referrals = pa.table(small_dataset.table("referrals"))
    reporter = referrals.column("reporter").to_pylist()
    reporter[1] = "astrologer"
    bad = referrals.set_column(
        referrals.schema.get_field_index("reporter"), "reporter", pa.array(reporter, pa.string())
    ).append_column("note", pa.array(["x"] * referrals.num_rows))
    for report in (bv.validate_table("referrals", bad), bv.validate_table("cases", small_dataset.table("cases"))):
        back = round_trip(report, protocol)
        assert (back.table, back.rows, back.ok, len(back)) == (report.table, report.rows, report.ok, len(report))
        assert back.to_list() == report.to_list()
        assert pa.table(back.findings).equals(pa.table(report.findings))
        assert repr(back) == repr(report)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_extract_summaries(small_dataset_dir: Path, tmp_path: Path, protocol: int) -> None:
    cohort = tmp_path / "c.jsonl"
    bv.synth(cohort, children=20, seed=5, faults=0.3)
    summary = bv.extract(cohort, tmp_path / "out", key=b"y" * 32, as_of=AS_OF)
    assert summary.rejected > 0
    back = round_trip(summary, protocol)
    for name in ("dataset", "quarantine", "read", "accepted", "rejected", "rejected_by_code", "empty_files", "ok", "manifest"):
        assert getattr(back, name) == getattr(summary, name), name
    assert repr(back) == repr(summary)


def _raised(call: Any) -> BaseException:
    try:
        call()
    except bv.BarnvernError as err:
        return err
    raise AssertionError("nothing was raised")


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_exceptions_keep_their_message_findings_and_fields(se_case_json: str, tmp_path: Path, protocol: int) -> None:
    invalid = _raised(lambda: bv.PersonId.parse("189001019803"))
    assert isinstance(invalid, bv.InvalidIdentifierError)
    back = round_trip(invalid, protocol)
    assert str(back) == str(invalid) and back.findings == invalid.findings and back.findings
    assert isinstance(back, ValueError)

    refused = _raised(lambda: bv.Case.from_json('{"schema_version": "1.2"}'))
    assert isinstance(refused, bv.ValidationError)
    back_refused = round_trip(refused, protocol)
    assert back_refused.findings == refused.findings and refused.findings

    case = bv.Case.from_json(se_case_json)
    provenance = {"recorded_at": "2099-01-01T00:00:00Z", "recorded_by": {"role": "caseworker", "staff": "sw-1"}, "source_system": "test"}
    conclude = {
        "type": "investigation_concluded",
        "investigation_id": "no-such-investigation",
        "concluded_on": "2025-04-01",
        "conclusion": {"code": "measures"},
        "provenance": provenance,
    }
    workflow = _raised(lambda: case.apply(conclude))
    assert isinstance(workflow, bv.WorkflowError)
    back_workflow = round_trip(workflow, protocol)
    for name in ("event", "state", "code", "path"):
        assert getattr(back_workflow, name) == getattr(workflow, name), name
    assert str(back_workflow) == str(workflow)

    version = _raised(lambda: bv.Case.from_json('{"schema_version": "9.9"}'))
    assert isinstance(version, bv.SchemaVersionError)
    back_version = round_trip(version, protocol)
    assert (back_version.found, back_version.supported) == (version.found, version.supported)

    missing = _raised(lambda: bv.read_dataset(tmp_path / "nowhere"))
    assert isinstance(missing, bv.DatasetError)
    assert round_trip(missing, protocol).path == missing.path

    key = _raised(lambda: bv.extract(tmp_path / "x.jsonl", tmp_path / "out", key=b"short"))
    assert isinstance(key, bv.ProjectKeyError)
    assert str(round_trip(key, protocol)) == str(key)

    made = bv.ValidationError("made by hand", [{"path": "p", "code": "c", "severity": "error", "message": "m"}])
    assert round_trip(made, protocol).findings == made.findings


def test_copies_are_independent(se_case_json: str, trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    for copied in (copy.copy(trial), copy.deepcopy(trial)):
        assert copied == trial and copied is not trial
    case = bv.Case.from_json(se_case_json)
    assert copy.deepcopy([case, case]) == [case, case]

    deadline = case.deadlines(AS_OF)[0]
    assert copy.copy(deadline) == deadline and copy.deepcopy(deadline) == deadline
    scores = bv.score("sdq-p-4-17", {"somatic": 2})
    assert copy.deepcopy(scores) == scores

    randomiser = bv.Randomiser(3, block_sizes=[4])
    randomiser.assign()
    twin = copy.deepcopy(randomiser)
    assert twin == randomiser
    twin.assign()
    assert twin.assigned == 2 and randomiser.assigned == 1
