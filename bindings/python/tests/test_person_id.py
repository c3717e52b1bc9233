"""The PersonId contract: parsing, properties, equality, pickling and privacy."""

from __future__ import annotations

import copy
import csv
import datetime
import pickle
from dataclasses import dataclass
from pathlib import Path

import barnvern as bv
import pytest

VALID_SE = "189001019802"
BAD_CHECK_DIGIT_SE = "189001019803"
TODAY = datetime.date(2026, 11, 26)


# --- Sweden -------------------------------------------------------------------------------------


def test_parses_a_swedish_personnummer() -> None:
    pid = bv.PersonId.parse(VALID_SE)
    assert pid.jurisdiction == "SE"
    assert pid.kind == "personnummer"
    assert pid.birth_date == datetime.date(1890, 1, 1)
    assert pid.birth_year == 1890
    assert pid.birth_month == 1
    assert pid.sex == "female"  # serial 980: third digit even
    assert pid.is_synthetic is False
    assert str(pid) == VALID_SE


def test_constructor_is_parse() -> None:
    assert bv.PersonId(VALID_SE) == bv.PersonId.parse(VALID_SE)
    assert bv.PersonId(VALID_SE, jurisdiction="SE") == bv.PersonId.parse(VALID_SE)


def test_ten_digit_forms_take_the_century_from_the_reference_date() -> None:
    old = bv.PersonId.parse("900101+9802", reference_date=TODAY)
    assert str(old) == VALID_SE
    assert old == bv.PersonId.parse(VALID_SE)
    young = bv.PersonId.parse("900101-9802", reference_date=TODAY)
    assert str(young) == "199001019802"
    assert young.birth_date == datetime.date(1990, 1, 1)
    assert bv.PersonId.parse("9001019802", reference_date=TODAY) == young


def test_samordningsnummer_has_day_plus_sixty() -> None:
    pid = bv.PersonId.parse("191401682396")
    assert pid.jurisdiction == "SE"
    assert pid.kind == "samordningsnummer"
    assert pid.birth_date == datetime.date(1914, 1, 8)
    assert pid.sex == "male"  # serial 239: third digit odd


def test_rejects_a_wrong_check_digit_without_repeating_the_digits() -> None:
    with pytest.raises(bv.InvalidIdentifierError) as info:
        bv.PersonId.parse(BAD_CHECK_DIGIT_SE)
    err = info.value
    assert isinstance(err, bv.ValidationError)
    assert isinstance(err, ValueError)
    [finding] = err.findings
    assert finding["code"] == "id.se.check_digit"
    assert finding["severity"] == "error"
    # The message names the rule ...
    assert "id.se.check_digit" in str(err)
    # ... and never the number, in any of its forms.
    for shown in (str(err), repr(err), finding["message"]):
        assert BAD_CHECK_DIGIT_SE not in shown
        assert BAD_CHECK_DIGIT_SE[2:] not in shown
        assert "900101" not in shown


def test_every_skatteverket_test_personnummer_parses(se_personnummer: list[str]) -> None:
    assert len(se_personnummer) > 40_000
    for text in se_personnummer:
        pid = bv.PersonId.parse(text)
        assert (pid.jurisdiction, pid.kind, str(pid)) == ("SE", "personnummer", text)
        assert pid.birth_year == int(text[:4])


def test_every_skatteverket_test_samordningsnummer_parses(
    se_samordningsnummer: list[str],
) -> None:
    # About a tenth have no calendar date (month 00, day 60, 31 April): still valid numbers.
    assert len(se_samordningsnummer) > 2_000
    for text in se_samordningsnummer:
        pid = bv.PersonId.parse(text)
        assert (pid.jurisdiction, pid.kind, str(pid)) == ("SE", "samordningsnummer", text)


# --- Norway -------------------------------------------------------------------------------------



@dataclass(frozen=True)
class NorwegianExample:
    """One row of Skatteetaten's worked examples."""

    number: str
    synthetic: bool
    valid: bool
    description: str


def _norwegian_examples() -> list[NorwegianExample]:
    testdata = Path(__file__).resolve().parents[3] / "crates" / "barnvern-core" / "testdata"
    with (testdata / "no-skatteetaten-foedselsnummer.csv").open(encoding="utf-8") as f:
        return [
            NorwegianExample(
                number=row["fødselsnummer"],
                synthetic=row["erSyntetisk"] == "true",
                valid=row["erGyldig"] == "true",
                description=row["beskrivelse"],
            )
            for row in csv.DictReader(f)
        ]


NORWEGIAN = _norwegian_examples()


@pytest.mark.parametrize("example", NORWEGIAN, ids=[e.description for e in NORWEGIAN])
def test_skatteetaten_examples(example: NorwegianExample) -> None:
    if not example.valid:
        with pytest.raises(bv.InvalidIdentifierError) as info:
            bv.PersonId.parse(example.number)
        assert info.value.findings
        assert all(f["code"].startswith("id.no.") for f in info.value.findings)
        assert example.number not in str(info.value)
        return
    pid = bv.PersonId.parse(example.number)
    assert pid.jurisdiction == "NO"
    assert pid.is_synthetic is example.synthetic
    expected_kind = "d_number" if "D-nummer" in example.description else "fodselsnummer"
    assert pid.kind == expected_kind
    assert str(pid) == example.number
    assert bv.PersonId.parse(example.number, jurisdiction="NO") == pid


def test_norwegian_1964_number_encodes_birth_date_and_sex() -> None:
    pid = bv.PersonId.parse("20036914700")
    assert pid.birth_date == datetime.date(1969, 3, 20)  # individual number 147: 1900-1999
    assert pid.sex == "male"  # ninth digit 7: odd
    leap_day = bv.PersonId.parse("29020073150")
    assert leap_day.birth_date == datetime.date(2000, 2, 29)  # individual number 731, year 00


def test_norwegian_synthetic_number_has_month_plus_eighty() -> None:
    pid = bv.PersonId.parse("03851598730")
    assert pid.is_synthetic
    assert pid.birth_date == datetime.date(2015, 5, 3)


def test_jurisdiction_must_match() -> None:
    with pytest.raises(bv.InvalidIdentifierError):
        bv.PersonId.parse(VALID_SE, jurisdiction="NO")
    with pytest.raises(bv.InvalidIdentifierError):
        bv.PersonId.parse("20036914700", jurisdiction="SE")


# --- Python object behaviour --------------------------------------------------------------------


def test_repr_never_shows_the_digits() -> None:
    pid = bv.PersonId.parse(VALID_SE)
    assert repr(pid) == "PersonId(jurisdiction='SE', kind='personnummer')"
    assert VALID_SE not in repr(pid)
    assert VALID_SE not in repr([pid, {"child": pid}])
    no = bv.PersonId.parse("20036914700")
    assert repr(no) == "PersonId(jurisdiction='NO', kind='fodselsnummer')"
    assert f"{pid!r}" == repr(pid)


def test_equal_numbers_are_equal_and_hash_alike() -> None:
    a = bv.PersonId.parse(VALID_SE)
    b = bv.PersonId.parse("900101+9802", reference_date=TODAY)
    c = bv.PersonId.parse("199001019802")
    assert a == b and hash(a) == hash(b)
    assert a != c
    assert len({a, b, c}) == 2
    assert a != VALID_SE  # not equal to its digits: compare str(pid) for that


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(protocol: int) -> None:
    for text in (VALID_SE, "191401682396", "20036914700", "03851598730", "55102499947"):
        pid = bv.PersonId.parse(text)
        back = pickle.loads(pickle.dumps(pid, protocol=protocol))
        assert type(back) is bv.PersonId
        assert back == pid
        assert str(back) == text
        assert (back.kind, back.is_synthetic, back.birth_date) == (
            pid.kind,
            pid.is_synthetic,
            pid.birth_date,
        )


def test_copy_gives_an_equal_value() -> None:
    pid = bv.PersonId.parse(VALID_SE)
    assert copy.copy(pid) == pid
    assert copy.deepcopy(pid) == pid


def test_is_immutable() -> None:
    pid = bv.PersonId.parse(VALID_SE)
    with pytest.raises(AttributeError):
        pid.jurisdiction = "NO"  # type: ignore[misc]


def test_class_lives_in_the_public_package() -> None:
    assert bv.PersonId.__module__ == "barnvern"
    assert bv.PersonId.__name__ == "PersonId"
    assert bv.PersonId is bv._core.PersonId


def test_version_is_the_crate_version() -> None:
    assert isinstance(bv.__version__, str)
    assert bv.__version__.count(".") >= 2
