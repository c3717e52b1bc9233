"""barnvern.extract and barnvern.validate_bundles: the extract pipeline from Python."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import barnvern as bv
import pytest

KEY = b"a test project key of at least 32 bytes, not secret"
AS_OF = datetime.date(2025, 10, 1)


@pytest.fixture()
def inputs(tmp_path: Path, se_case_json: str, no_case_json: str) -> Path:
    """Four good lines, one truncated line, one wrong type and one duplicate case id."""
    lines = []
    for i, text in enumerate([se_case_json, no_case_json, se_case_json, no_case_json]):
        case: dict[str, Any] = json.loads(text)
        case["case_id"] = f"{case['case_id'].rsplit('-', 1)[0]}-{800000 + i:06d}"
        lines.append(json.dumps(case))
    lines.append(lines[0][: len(lines[0]) // 2])
    wrong: dict[str, Any] = json.loads(se_case_json)
    wrong["case_id"] = "SE-0180-2024-700000"
    wrong["opened_on"] = 20241104
    lines.append(json.dumps(wrong))
    lines.append(lines[1])
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_extract_counts_what_it_read_accepted_and_quarantined(inputs: Path, tmp_path: Path) -> None:
    summary = bv.extract([inputs], tmp_path / "out", key=KEY, as_of=AS_OF)
    assert (summary.read, summary.accepted, summary.rejected) == (7, 4, 3)
    assert sum(summary.rejected_by_code.values()) == 3
    assert summary.rejected_by_code["extract.duplicate_case_id"] == 1
    assert not summary.ok
    assert summary.dataset == str(tmp_path / "out")
    quarantine = [json.loads(line) for line in Path(summary.quarantine).read_text(encoding="utf-8").splitlines()]
    assert [q["line"] for q in quarantine] == [5, 6, 7]
    assert all(q["errors"] and q["errors"][0]["code"] for q in quarantine)
    assert summary.manifest["read"] == 7 and summary.manifest["rejected"] == 3
    assert summary.manifest["key_fingerprint"].startswith("sha256:")
    assert "accepted=4" in repr(summary)
    dataset = bv.read_dataset(summary.dataset)
    assert dataset.case_count == 4


def test_a_quarantine_path_outside_the_dataset(inputs: Path, tmp_path: Path) -> None:
    summary = bv.extract(str(inputs), tmp_path / "out", key=KEY, as_of=AS_OF, quarantine=tmp_path / "q.jsonl")
    assert summary.quarantine == str(tmp_path / "q.jsonl")
    assert len((tmp_path / "q.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_short_missing_and_double_keys_are_refused(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(bv.ProjectKeyError, match="at least 32 bytes") as short:
        bv.extract(inputs, tmp_path / "out", key=b"too short")
    assert "too short" not in str(short.value)
    assert isinstance(short.value, ValueError)

    monkeypatch.delenv("BARNVERN_KEY", raising=False)
    with pytest.raises(bv.ProjectKeyError, match="BARNVERN_KEY"):
        bv.extract(inputs, tmp_path / "out")
    monkeypatch.setenv("BARNVERN_KEY", "short-env-key")
    with pytest.raises(bv.ProjectKeyError, match="BARNVERN_KEY has 13 bytes"):
        bv.extract(inputs, tmp_path / "out")

    key_file = tmp_path / "key"
    key_file.write_text("short\n", encoding="utf-8")
    key_file.chmod(0o600)  # owner-only: no permission warning, only the refusal
    with pytest.raises(bv.ProjectKeyError, match="5 bytes"):
        bv.extract(inputs, tmp_path / "out", key_file=key_file)
    with pytest.raises(bv.ProjectKeyError, match="cannot read"):
        bv.extract(inputs, tmp_path / "out", key_file=tmp_path / "no-such-key")
    with pytest.raises(bv.ProjectKeyError, match="not both"):
        bv.extract(inputs, tmp_path / "out", key=KEY, key_file=key_file)
    with pytest.raises(bv.ProjectKeyError, match="must be bytes"):
        bv.extract(inputs, tmp_path / "out", key=12345)  # type: ignore[arg-type]
    assert not (tmp_path / "out").exists()


def test_the_key_comes_from_the_environment_and_a_key_file(inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BARNVERN_KEY", KEY.decode())
    from_env = bv.extract(inputs, tmp_path / "env", as_of=AS_OF)
    key_file = tmp_path / "key"
    key_file.write_bytes(KEY + b"\n")
    from_file = bv.extract(inputs, tmp_path / "file", key_file=key_file, as_of=AS_OF)
    from_arg = bv.extract(inputs, tmp_path / "arg", key=KEY.decode(), as_of=AS_OF)
    fingerprints = {s.manifest["key_fingerprint"] for s in (from_env, from_file, from_arg)}
    assert len(fingerprints) == 1


def test_an_existing_dataset_is_replaced_only_when_asked(inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = bv.extract(inputs, out, key=KEY, as_of=AS_OF)
    with pytest.raises(bv.DatasetError, match="already exists") as exists:
        bv.extract(inputs, out, key=KEY, as_of=AS_OF)
    assert exists.value.path == str(out)
    again = bv.extract(inputs, out, key=KEY, as_of=AS_OF, overwrite=True)
    assert again.accepted == first.accepted
    assert bv.read_dataset(out).case_count == first.accepted


def test_no_inputs_and_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(bv.ExtractError, match="no input files"):
        bv.extract([], tmp_path / "out", key=KEY)
    with pytest.raises(bv.DatasetError) as missing:
        bv.extract(tmp_path / "missing.jsonl", tmp_path / "out", key=KEY)
    assert "missing.jsonl" in missing.value.path
    assert not (tmp_path / "out").exists()


def test_validate_bundles_reports_every_line_without_writing(inputs: Path, tmp_path: Path) -> None:
    result = bv.validate_bundles([inputs])
    assert (result["read"], result["accepted"], result["rejected"]) == (7, 4, 3)
    assert not result["ok"]
    rejected = [line for line in result["lines"] if not line["accepted"]]
    assert [line["line"] for line in rejected] == [5, 6, 7]
    assert all(line["findings"][0]["severity"] == "error" for line in rejected)
    assert list(tmp_path.iterdir()) == [inputs]


def test_synth_extract_and_report_end_to_end(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    made = bv.synth(cohort, children=60, seed=7, faults=0.1)
    assert made["lines"] == 60 and made["valid"] + sum(made["faulty"].values()) == 60
    assert cohort.read_bytes().count(b"\n") == 60  # some faults are not UTF-8
    again = tmp_path / "again.jsonl"
    bv.synth(again, children=60, seed=7, faults=0.1)
    assert again.read_bytes() == cohort.read_bytes()

    summary = bv.extract(cohort, tmp_path / "out", key=KEY, as_of=AS_OF)
    assert summary.read == 60 and summary.rejected > 0
    assert summary.accepted + summary.rejected == 60

    dataset = bv.read_dataset(summary.dataset)
    result = bv.report(dataset, tmp_path / "report", min_cell=5)
    assert "Deadline compliance" in result["markdown"]
    assert result["html"].startswith("<!DOCTYPE html>")
    assert result["json"]["suppression"]["threshold"] == 5
    assert sorted(Path(p).name for p in result["paths"]) == ["report.html", "report.json", "report.md"]
    assert bv.report(summary.dataset)["paths"] == []

    with pytest.raises(bv.ValidationError) as bad:
        bv.synth(tmp_path / "x.jsonl", children=1, faults=2.0)
    assert bad.value.findings[0]["code"] == "synth.options"
    assert not (tmp_path / "x.jsonl").exists()
    with pytest.raises(bv.DatasetError) as nowhere:
        bv.report(tmp_path / "nowhere")
    assert "nowhere" in nowhere.value.path
    # An output folder that cannot be made (a file is in the way): a FileError, also an OSError.
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(bv.FileError) as taken:
        bv.report(dataset, tmp_path / "taken", min_cell=5)
    assert isinstance(taken.value, OSError) and taken.value.filename == str(tmp_path / "taken")


def test_synth_takes_the_trial_size(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.jsonl"
    made = bv.synth(cohort, children=3000, seed=4, trial_families=10, trial_sites=2)
    assert made["trial_families"] == 10
    sites = set()
    for line in cohort.read_text(encoding="utf-8").splitlines():
        bundle = json.loads(line)
        if "family_partner" in bundle:
            sites.add(bundle["family_partner"]["site"]["code"])
    assert sites <= {"oslo", "bergen"} and sites
    with pytest.raises(bv.ValidationError) as bad:
        bv.synth(tmp_path / "x.jsonl", children=1, trial_sites=7)
    assert bad.value.findings[0]["code"] == "synth.options"


def test_a_key_file_others_may_read_is_warned_about(inputs: Path, tmp_path: Path) -> None:
    import warnings

    key_file = tmp_path / "key"
    key_file.write_bytes(KEY)
    key_file.chmod(0o644)
    with pytest.warns(UserWarning, match="chmod 600") as caught:
        bv.extract(str(inputs), tmp_path / "out", key_file=key_file, as_of=AS_OF)
    assert all(KEY.decode() not in str(w.message) for w in caught)
    key_file.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bv.extract(str(inputs), tmp_path / "out2", key_file=key_file, as_of=AS_OF)
