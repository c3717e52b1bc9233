"""DataFrames in a notebook: Dataset.to_polars/to_pandas, TableReport.to_polars/to_pandas, the
Arrow result of score_table in polars and pandas, and the trial metrics in pandas."""

from __future__ import annotations

import datetime
import sys

import barnvern as bv
import pandas as pd  # type: ignore[import-untyped]
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pytest


def test_every_table_reaches_polars_with_its_rows_and_columns(small_dataset: bv.Dataset) -> None:
    assert len(small_dataset.tables) > 10
    for name in small_dataset.tables:
        frame = small_dataset.to_polars(name)
        assert isinstance(frame, pl.DataFrame)
        arrow = pa.table(small_dataset.table(name))
        assert frame.height == small_dataset.rows[name] == arrow.num_rows, name
        assert frame.columns == arrow.column_names, name


def test_polars_reads_referrals_with_the_values_of_the_arrow_table(small_dataset: bv.Dataset) -> None:
    frame = small_dataset.to_polars("referrals")
    assert frame.height == small_dataset.rows["referrals"] > 0
    arrow = pa.table(small_dataset.table("referrals"))
    assert frame["referral_index"].to_list() == arrow.column("referral_index").to_pylist()
    assert frame["jurisdiction"].to_list() == arrow.column("jurisdiction").to_pylist()
    # Codes are categoricals, dates dates, instants in UTC.
    assert frame.schema["jurisdiction"] == pl.Categorical
    assert frame.schema["received_on"] == pl.Date
    assert frame.schema["received_at"] == pl.Datetime("us", "UTC")


def test_every_table_reaches_pandas_with_its_rows_and_columns(small_dataset: bv.Dataset) -> None:
    for name in small_dataset.tables:
        frame = small_dataset.to_pandas(name)
        assert isinstance(frame, pd.DataFrame)
        arrow = pa.table(small_dataset.table(name))
        assert len(frame) == small_dataset.rows[name], name
        assert list(frame.columns) == arrow.column_names, name


def test_pandas_dtypes_follow_the_arrow_types(small_dataset: bv.Dataset) -> None:
    """Dates are datetime64 (midnight), instants datetime64 in UTC, codes categoricals and
    integers pandas' nullable integers, whether or not a column holds a null."""
    seen: set[str] = set()
    for name in small_dataset.tables:
        arrow = pa.table(small_dataset.table(name))
        frame = small_dataset.to_pandas(name)
        for field in arrow.schema:
            column = frame[field.name]
            values = arrow.column(field.name).to_pylist()
            where = f"{name}.{field.name}"
            if pa.types.is_date32(field.type):
                seen.add("date")
                assert pd.api.types.is_datetime64_dtype(column.dtype), where
                got = [None if pd.isna(v) else v.date() for v in column]
                assert got == values, where
            elif pa.types.is_timestamp(field.type):
                seen.add("timestamp")
                assert isinstance(column.dtype, pd.DatetimeTZDtype), where
                assert str(column.dtype.tz) == "UTC", where
            elif pa.types.is_dictionary(field.type):
                seen.add("code")
                assert isinstance(column.dtype, pd.CategoricalDtype), where
                assert [None if pd.isna(v) else v for v in column] == values, where
            elif pa.types.is_integer(field.type):
                seen.add("integer")
                assert isinstance(column.dtype, pd.api.extensions.ExtensionDtype), where
                assert pd.api.types.is_integer_dtype(column.dtype), where
                assert [None if pd.isna(v) else int(v) for v in column] == values, where
            elif pa.types.is_boolean(field.type):
                seen.add("boolean")
                assert column.dtype == pd.BooleanDtype(), where
    assert seen == {"date", "timestamp", "code", "integer", "boolean"}


def test_dates_in_pandas_support_the_dt_accessor(small_dataset: bv.Dataset) -> None:
    cases = small_dataset.to_pandas("cases")
    opened = cases["opened_on"]
    assert pd.api.types.is_datetime64_dtype(opened.dtype)
    assert set(opened.dt.year.dropna().astype(int)) <= set(range(2000, 2027))
    assert (opened <= pd.Timestamp("2026-06-30")).all()


def test_an_unknown_table_is_refused_as_by_table(small_dataset: bv.Dataset) -> None:
    for convert in (small_dataset.to_polars, small_dataset.to_pandas):
        with pytest.raises(bv.ValidationError) as err:
            convert("nope")
        assert err.value.findings[0]["code"] == "research.unknown_table"


def _bad_report(small_dataset: bv.Dataset) -> bv.TableReport:
    """Three row findings and one column finding (row null)."""
    referrals = pa.table(small_dataset.table("referrals"))
    reporter = referrals.column("reporter").to_pylist()
    reporter[1] = "astrologer"
    reporter[2] = None
    bad = referrals.set_column(
        referrals.schema.get_field_index("reporter"), "reporter", pa.array(reporter, pa.string())
    ).append_column("note", pa.array(["x"] * referrals.num_rows))
    return bv.validate_table("referrals", bad)


def test_a_table_report_as_polars_and_pandas(small_dataset: bv.Dataset) -> None:
    report = _bad_report(small_dataset)
    assert len(report) == 3
    frame = report.to_polars()
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == ["row", "path", "code", "severity", "message"]
    assert frame.height == len(report)
    assert frame["row"].to_list() == [None, 1, 2]
    assert frame["code"].to_list() == [f["code"] for f in report.to_list()]

    table = report.to_pandas()
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["row", "path", "code", "severity", "message"]
    # The row numbers stay integers next to the null of the column finding.
    assert table["row"].dtype == pd.Int64Dtype()
    assert table["row"].isna().tolist() == [True, False, False]
    assert table["row"].iloc[1] == 1
    assert table["severity"].tolist() == ["warning", "error", "error"]


def test_a_clean_report_gives_empty_frames_with_the_columns(small_dataset: bv.Dataset) -> None:
    report = bv.validate_table("cases", small_dataset.table("cases"))
    assert report.ok and len(report) == 0
    assert report.to_polars().columns == ["row", "path", "code", "severity", "message"]
    assert report.to_polars().height == 0
    assert len(report.to_pandas()) == 0


def test_a_missing_polars_is_an_import_error_that_says_what_to_install(
    small_dataset: bv.Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match=r"Dataset\.to_polars needs .*'polars'.*pip install polars") as err:
        small_dataset.to_polars("cases")
    assert err.value.name == "polars"
    with pytest.raises(ImportError, match=r"TableReport\.to_polars .*pip install polars"):
        bv.validate_table("cases", small_dataset.table("cases")).to_polars()
    # The other conversions do not need polars.
    assert len(small_dataset.to_pandas("cases")) == small_dataset.rows["cases"]


@pytest.mark.parametrize("missing", ["pandas", "pyarrow"])
def test_a_missing_pandas_or_pyarrow_is_an_import_error_that_says_what_to_install(
    small_dataset: bv.Dataset, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    report = bv.validate_table("cases", small_dataset.table("cases"))
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ImportError, match=rf"Dataset\.to_pandas needs .*'{missing}'.*pip install pandas pyarrow"):
        small_dataset.to_pandas("cases")
    with pytest.raises(ImportError, match=r"TableReport\.to_pandas .*pip install pandas pyarrow"):
        report.to_pandas()
    assert small_dataset.to_polars("cases").height == small_dataset.rows["cases"]


def test_score_table_results_read_in_polars_and_pandas() -> None:
    responses = pl.DataFrame(
        {"id": ["a", "b"], "somatic": [2, 0], "worries": [2, None], "unhappy": [0, 1]},
        schema_overrides={"somatic": pl.Int8, "worries": pl.Int8, "unhappy": pl.Int8},
    )
    result = bv.score_table("sdq-p-4-17", responses, id_columns=["id"], allow_missing_items=True)
    frame = pl.DataFrame(result)
    assert frame["id"].to_list() == ["a", "b"]
    assert frame.columns[:2] == ["id", "emotional"]
    assert "total_band" in frame.columns
    expected = bv.score("sdq-p-4-17", {"somatic": 2, "worries": 2, "unhappy": 0})["emotional"]
    assert frame["emotional"][0] == expected
    table = pa.table(result).to_pandas()
    assert list(table.columns) == frame.columns


def test_trial_metrics_read_as_pandas_frames(trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    as_of = datetime.date(2025, 3, 31)
    for rows in (trial.consort_table(as_of), trial.retention(as_of), trial.dose(as_of), trial.caseload(as_of)):
        frame = pd.DataFrame(rows)
        assert len(frame) == len(rows) > 0
        assert list(frame.columns) == list(rows[0])
    flat = pd.json_normalize(trial.retention(as_of))
    assert {"wave", "arm", "retention.numerator", "retention.denominator", "retention.value"} <= set(flat.columns)
