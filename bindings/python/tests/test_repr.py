"""Every public class has a repr that names the class and shows the value, and none shows an
identity number: reprs end up in logs, tracebacks and notebooks."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import barnvern as bv
import pytest

AS_OF = datetime.date(2025, 6, 30)


def _national_ids(value: Any) -> list[str]:
    """Every ``national_id`` in a case bundle, as written."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "national_id" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(_national_ids(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_national_ids(item))
    return found


def _digit_windows(number: str, width: int = 6) -> set[str]:
    """Every run of ``width`` consecutive digits of an identity number: a birth date (YYMMDD)
    or any longer part is enough to identify a child."""
    digits = re.sub(r"\D", "", number)
    return {digits[i : i + width] for i in range(len(digits) - width + 1)}


def _assert_shows_no_identity_number(text: str, numbers: list[str]) -> None:
    assert numbers
    for number in numbers:
        for window in _digit_windows(number):
            assert window not in text, f"{text!r} shows part of an identity number"


def test_identity_numbers_and_cases_never_show_the_numbers(se_case_json: str, no_case_json: str) -> None:
    for text in (se_case_json, no_case_json):
        case = bv.Case.from_json(text)
        numbers = _national_ids(json.loads(text))
        shown = repr(case)
        assert shown.startswith("Case(case_id=") and f"jurisdiction='{case.jurisdiction}'" in shown
        assert "referrals=" in shown and "closed=" in shown
        _assert_shows_no_identity_number(shown, numbers)
        _assert_shows_no_identity_number(str(case), numbers)
        for number in numbers:
            pid = bv.PersonId.parse(number)
            _assert_shows_no_identity_number(repr(pid), [number])
            _assert_shows_no_identity_number(repr([pid, {"id": pid}]), [number])
            assert repr(pid) == f"PersonId(jurisdiction='{pid.jurisdiction}', kind='{pid.kind}')"
        for deadline in case.deadlines(AS_OF):
            _assert_shows_no_identity_number(repr(deadline), numbers)


def test_an_error_about_a_case_never_shows_its_identity_numbers(se_case_json: str) -> None:
    data = json.loads(se_case_json)
    number = _national_ids(data)[0]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    bad = se_case_json.replace(number, wrong)
    with pytest.raises(bv.ValidationError) as err:
        bv.Case.from_json(bad)
    shown = " ".join([str(err.value), repr(err.value), json.dumps(err.value.findings)])
    _assert_shows_no_identity_number(shown, [number, wrong])


def test_case_values_have_informative_reprs(se_case_json: str, trial_json: str) -> None:
    case = bv.Case.from_json(se_case_json)
    deadline = case.deadlines(AS_OF)[0]
    shown = repr(deadline)
    assert shown.startswith("Deadline(kind=")
    for part in (f"kind='{deadline.kind}'", f"status='{deadline.status}'", f"due='{deadline.due.isoformat()}'"):
        assert part in shown

    trial = bv.Trial.from_json(trial_json)
    assert repr(trial) == f"Trial(trial_id='{trial.trial_id}', families=12)"


def test_a_randomiser_shows_its_design_and_position_but_never_its_seed() -> None:
    seed = 918273645501
    simple = bv.Randomiser(seed)
    simple.assign()
    assert repr(simple) == "Randomiser(block_sizes=None, assigned=1)"
    blocks = bv.Randomiser(seed, block_sizes=[4, 6], assigned=3)
    assert repr(blocks) == "Randomiser(block_sizes=[4, 6], assigned=3)"
    for shown in (repr(simple), repr(blocks), str(blocks)):
        assert str(seed) not in shown


def test_outcome_values_have_informative_reprs() -> None:
    instrument = bv.Instrument.builtin("sdq-p-4-17")
    assert repr(instrument).startswith("Instrument(id='sdq-p-4-17', version=")
    scores = bv.score(instrument, {"somatic": 2, "worries": 2, "unhappy": 0})
    shown = repr(scores)
    assert shown.startswith("Scores(instrument='sdq-p-4-17', version=")
    assert "'emotional': 7" in shown and "'total': None" in shown


def test_dataset_values_have_informative_reprs(small_dataset: bv.Dataset, small_dataset_dir: Path, tmp_path: Path) -> None:
    shown = repr(small_dataset)
    assert shown == (
        f"Dataset(path={str(small_dataset_dir)!r}, schema_version='{small_dataset.schema_version}', "
        f"case_count={small_dataset.case_count}, tables={len(small_dataset.tables)}, "
        f"rows={sum(small_dataset.rows.values())}, findings=0)"
    )

    report = bv.validate_table("cases", small_dataset.table("cases"))
    assert repr(report) == f"TableReport(table='cases', rows={small_dataset.rows['cases']}, ok=True, errors=0, findings=0)"

    cohort = tmp_path / "c.jsonl"
    bv.synth(cohort, children=10, seed=2, faults=0.5)
    out = tmp_path / "a quote ' in the name"
    summary = bv.extract(cohort, out, key=b"z" * 32, as_of=AS_OF)
    shown = repr(summary)
    assert shown.startswith(f"ExtractSummary(dataset={str(out)!r}, read=10, ")
    assert f"accepted={summary.accepted}, rejected={summary.rejected}" in shown
    assert f"rejected_by_code={summary.rejected_by_code!r}" in shown


def test_every_public_class_has_a_repr_naming_it(
    se_case_json: str, trial_json: str, small_dataset: bv.Dataset
) -> None:
    case = bv.Case.from_json(se_case_json)
    instances: list[object] = [
        bv.PersonId.parse("189001019802"),
        case,
        case.deadlines(AS_OF)[0],
        bv.Trial.from_json(trial_json),
        bv.Randomiser(1),
        bv.Instrument.builtin("aim"),
        bv.score("aim", {}),
        small_dataset,
        bv.validate_table("cases", small_dataset.table("cases")),
    ]
    classes = {type(x) for x in instances}
    public = {getattr(bv, n) for n in bv.__all__ if isinstance(getattr(bv, n), type) and getattr(bv, n).__module__ == "barnvern"}
    assert public - classes == {bv.ExtractSummary}, "every public class is covered here or above"
    for value in instances:
        shown = repr(value)
        assert re.fullmatch(rf"{type(value).__name__}\(\w+=.*\)", shown, re.DOTALL), shown
        assert " object at 0x" not in shown
