"""Properties of PersonId parsing over generated input."""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path

import barnvern as bv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

_TESTDATA = Path(__file__).resolve().parents[3] / "crates" / "barnvern-core" / "testdata"
with (_TESTDATA / "se-test-personnummer.json").open(encoding="utf-8") as _f:
    SE_NUMBERS: list[str] = json.load(_f)

REFERENCE_DATE = datetime.date(2026, 11, 26)

# Text that looks like an identity number: digits, separators, spaces, the odd letter.
number_like = st.from_regex(r"\A[0-9]{0,13}[-+ ]?[0-9]{0,5}[a-zA-Z]?\Z")
# Any text, including lone surrogates, control characters and non-ASCII digits.
any_text = st.text(st.characters(exclude_categories=()), max_size=30)
jurisdictions = st.sampled_from([None, "SE", "NO"])
reference_dates = st.none() | st.dates(datetime.date(1900, 1, 1), datetime.date(2100, 12, 31))


@settings(max_examples=500)
@given(text=number_like | any_text, jurisdiction=jurisdictions, reference_date=reference_dates)
def test_any_text_parses_or_raises_invalid_identifier(
    text: str,
    jurisdiction: bv.Jurisdiction | None,
    reference_date: datetime.date | None,
) -> None:
    try:
        pid = bv.PersonId.parse(text, jurisdiction=jurisdiction, reference_date=reference_date)
    except bv.InvalidIdentifierError as err:
        assert err.findings, "a refusal carries at least one finding"
        assert any(f["severity"] == "error" for f in err.findings)
        assert all(f["code"].startswith("id.") for f in err.findings)
    else:
        # Whatever was accepted is a canonical number that parses to the same value.
        canonical = str(pid)
        assert canonical.isascii() and canonical.isdigit()
        assert len(canonical) == (12 if pid.jurisdiction == "SE" else 11)
        again = bv.PersonId.parse(
            canonical, jurisdiction=pid.jurisdiction, reference_date=reference_date
        )
        assert again == pid
        assert canonical not in repr(pid)


@given(text=st.sampled_from(SE_NUMBERS), wrong=st.integers(1, 9))
def test_any_other_check_digit_is_refused(text: str, wrong: int) -> None:
    digit = (int(text[-1]) + wrong) % 10
    with pytest.raises(bv.InvalidIdentifierError) as info:
        bv.PersonId.parse(text[:-1] + str(digit))
    assert [f["code"] for f in info.value.findings] == ["id.se.check_digit"]


@given(text=st.sampled_from(SE_NUMBERS), protocol=st.integers(0, pickle.HIGHEST_PROTOCOL))
def test_pickle_and_written_forms_round_trip(text: str, protocol: int) -> None:
    pid = bv.PersonId.parse(text)
    assert pickle.loads(pickle.dumps(pid, protocol=protocol)) == pid
    assert bv.PersonId.parse(str(pid)) == pid
    year = int(text[:4])
    if year != REFERENCE_DATE.year - 100:  # the year of the 100th birthday: '+' by date or year
        separator = "+" if year < REFERENCE_DATE.year - 100 else "-"
        short = f"{text[2:8]}{separator}{text[8:]}"
        assert bv.PersonId.parse(short, reference_date=REFERENCE_DATE) == pid
