"""Norway's national reporting format: SSB child-welfare XML read, written and checked."""

from __future__ import annotations

import datetime as dt
import errno
import shutil
import subprocess
from pathlib import Path

import barnvern as bv
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SAMPLES = REPO_ROOT / "crates" / "barnvern-ssb" / "tests" / "data"
XSD = REPO_ROOT / "crates" / "barnvern-ssb" / "data" / "Barnevern_v4.xsd"


def xmllint(path: Path) -> None:
    exe = shutil.which("xmllint")
    assert exe is not None, "xmllint (Debian libxml2-utils) is needed; scripts/test installs it"
    done = subprocess.run([exe, "--noout", "--schema", str(XSD), str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_read_write_read_gives_the_same_case(tmp_path: Path) -> None:
    cases = bv.read_ssb_xml(SAMPLES / "test01_file09_total.xml")
    assert len(cases) == 1
    case = cases[0]
    assert case.jurisdiction == "NO"
    assert case.municipality == "3401"
    reporter = case.to_dict()["referrals"][0]["reporter"]
    assert reporter["source"] == {"system": "no.ssb.barnevern.melder", "code": "1"}

    written = bv.write_ssb_xml(case, tmp_path / "one.xml")
    assert [Path(p).name for p in written] == ["one.xml"]
    xmllint(tmp_path / "one.xml")
    assert bv.read_ssb_xml(tmp_path / "one.xml") == [case]


def test_several_cases_go_to_a_directory(tmp_path: Path, no_case_json: str) -> None:
    cases = [bv.Case.from_json(no_case_json), *bv.read_ssb_xml(SAMPLES / "test01_file09_total.xml")]
    written = bv.write_ssb_xml(cases, tmp_path / "out")
    assert len(written) == 2
    for p in written:
        xmllint(Path(p))
    with pytest.raises(ValueError):
        bv.write_ssb_xml(cases, tmp_path / "both.xml")


def test_controls_use_ssb_ids_and_the_common_finding_shape() -> None:
    case = bv.read_ssb_xml(SAMPLES / "test01_file09_total.xml")[0]
    found = bv.ssb_controls(case, as_of=dt.date(2022, 1, 31))
    assert found, "SSB's own sample fails some controls (e.g. Tiltak Kontroll 21)"
    for f in found:
        assert set(f) == {"path", "code", "severity", "message"}
        assert "Kontroll" in f["code"]
        assert f["severity"] in ("error", "warning")
        assert "02011088123" not in f["message"]
    assert any(f["code"] == "Tiltak Kontroll 21" for f in found)

    # The same controls through the common validation call, after barnvern's own findings.
    combined = case.validate(rules="ssb", as_of=dt.date(2022, 1, 31))
    own = case.validate()
    assert combined[: len(own)] == own
    assert combined[len(own) :] == found
    with pytest.raises(bv.ValidationError, match="unknown rule set") as unknown:
        case.validate(rules="nope")  # type: ignore[arg-type]
    assert unknown.value.findings[0]["code"] == "case.unknown_rules"


def test_bad_files_raise_validation_error_with_locations(tmp_path: Path) -> None:
    with pytest.raises(bv.ValidationError) as info:
        bv.read_ssb_xml(SAMPLES / "invalid.xml")
    assert any("Avgiver" in e["path"] for e in info.value.findings)

    laughs = tmp_path / "laughs.xml"
    laughs.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<Barnevern Id="x" DatoUttrekk="2024-01-01T00:00:00Z"><Fagsystem Navn="&b;" Leverandor="abc" Versjon="1"/></Barnevern>'
    )
    with pytest.raises(bv.ValidationError) as info:
        bv.read_ssb_xml(laughs)
    assert info.value.findings[0]["code"] == "ssb.dtd_refused"
    assert info.value.findings[0]["path"].startswith(str(laughs))

    # Inside the BarnvernError tree, and still an OSError with the operating system's errno.
    with pytest.raises(bv.FileError) as missing:
        bv.read_ssb_xml(tmp_path / "missing.xml")
    assert isinstance(missing.value, bv.BarnvernError) and isinstance(missing.value, OSError)
    assert missing.value.errno == errno.ENOENT
    assert missing.value.filename == str(tmp_path / "missing.xml")
