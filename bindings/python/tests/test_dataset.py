"""barnvern.read_dataset and barnvern.validate_table: research tables as Arrow data."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import barnvern as bv
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
import pytest

KEY = b"a test project key of at least 32 bytes, not secret"
AS_OF = datetime.date(2025, 10, 1)


def _bundles(se_case_json: str, no_case_json: str, copies: int) -> list[str]:
    """`copies` copies of each example bundle, each with its own case id."""
    out = []
    for i in range(copies):
        for text in (se_case_json, no_case_json):
            case: dict[str, Any] = json.loads(text)
            prefix = case["case_id"].rsplit("-", 1)[0]
            case["case_id"] = f"{prefix}-{900000 + i:06d}"
            out.append(json.dumps(case))
    return out


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory, se_case_json: str, no_case_json: str) -> Path:
    root = tmp_path_factory.mktemp("dataset")
    inputs = root / "cases.jsonl"
    inputs.write_text("\n".join(_bundles(se_case_json, no_case_json, 3)) + "\n", encoding="utf-8")
    bv.extract(inputs, root / "extract", key=KEY, as_of=AS_OF)
    return root / "extract"


@pytest.fixture(scope="module")
def dataset(dataset_dir: Path) -> bv.Dataset:
    return bv.read_dataset(dataset_dir)


def test_a_dataset_reads_back_with_its_manifest_tables_and_no_findings(dataset: bv.Dataset) -> None:
    assert dataset.case_count == 6
    assert dataset.schema_version == dataset.manifest["schema_version"]
    assert dataset.manifest["read"] == 6
    assert dataset.manifest["key_fingerprint"].startswith("sha256:")
    assert dataset.tables[:4] == ["children", "cases", "people", "referrals"]
    assert dataset.rows["cases"] == 6
    assert dataset.validate() == []
    assert dataset.findings == []
    text = repr(dataset)
    assert text.startswith("Dataset(path=") and "case_count=6" in text and "findings=0" in text


def test_tables_reach_pyarrow_and_polars_through_the_capsule_interface(dataset: bv.Dataset) -> None:
    table = pa.table(dataset.table("referrals"))
    assert table.num_rows == dataset.rows["referrals"]
    assert table.schema.field("received_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("received_on").type == pa.date32()
    assert table.schema.field("reporter").type == pa.dictionary(pa.int32(), pa.string())
    assert set(table.column("jurisdiction").to_pylist()) == {"SE", "NO"}
    frame = pl.DataFrame(dataset.table("referrals"))
    assert frame.height == table.num_rows
    assert frame["case_key"].to_list() == table.column("case_key").to_pylist()
    # An empty table still has the table's columns.
    for name in dataset.tables:
        assert pa.table(dataset.table(name)).num_columns > 2


def test_unknown_table_missing_directory_and_unknown_schema_version(dataset_dir: Path, dataset: bv.Dataset, tmp_path: Path) -> None:
    with pytest.raises(bv.ValidationError, match="not a research table") as err:
        dataset.table("referals")
    assert err.value.findings[0]["code"] == "research.unknown_table"

    with pytest.raises(bv.DatasetError, match="manifest.json") as missing:
        bv.read_dataset(tmp_path / "nowhere")
    assert missing.value.path.endswith("manifest.json")

    copy = tmp_path / "copy"
    copy.mkdir()
    manifest = json.loads((dataset_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = "9.0"
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(bv.SchemaVersionError, match="9.0") as version:
        bv.read_dataset(copy)
    assert version.value.found == "9.0"
    assert "1.1" in version.value.supported


def test_a_valid_table_gives_an_empty_report(dataset: bv.Dataset) -> None:
    for name in ("referrals", "cases", "children", "deadlines"):
        report = bv.validate_table(name, dataset.table(name))
        assert report.ok and len(report) == 0, report.to_list()
        assert report.rows == dataset.rows[name]
        assert report.table == name
    # The same rows through pyarrow and polars, as their producers type them.
    referrals = pa.table(dataset.table("referrals"))
    assert bv.validate_table("referrals", referrals).ok
    assert bv.validate_table("referrals", referrals.to_batches()[0]).ok
    frame = pl.from_arrow(referrals)
    assert isinstance(frame, pl.DataFrame)
    assert bv.validate_table("referrals", frame).ok
    # polars' own types: 64-bit integers, strings and categoricals.
    widened = frame.with_columns(pl.col("referral_index").cast(pl.Int64), pl.col("reporter").cast(pl.String))
    assert bv.validate_table("referrals", widened).ok


def _errors(report: bv.TableReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pa.table(report.findings).to_pylist()
    return rows


def test_the_errors_table_names_row_path_code_severity_and_message(dataset: bv.Dataset) -> None:
    referrals = pa.table(dataset.table("referrals"))
    n = referrals.num_rows
    reporter = referrals.column("reporter").to_pylist()
    reporter[1] = "astrologer"
    reporter[2] = None
    index = referrals.column("referral_index").to_pylist()
    index[3] = -1
    bad = (
        referrals.set_column(
            referrals.schema.get_field_index("reporter"), "reporter", pa.array(reporter, pa.string())
        )
        .set_column(referrals.schema.get_field_index("referral_index"), "referral_index", pa.array(index, pa.int64()))
    )
    report = bv.validate_table("referrals", bad)
    assert not report.ok
    errors = pa.table(report.findings)
    assert errors.schema.names == ["row", "path", "code", "severity", "message"]
    assert errors.schema.field("row").type == pa.int64()
    assert [(e["row"], e["path"], e["code"], e["severity"]) for e in _errors(report)] == [
        (1, "referrals[1].reporter", "codelist.unknown_code", "error"),
        (2, "referrals[2].reporter", "research.null", "error"),
        (3, "referrals[3].referral_index", "research.range", "error"),
    ]
    assert "astrologer" in _errors(report)[0]["message"]
    assert len(report) == 3 and report.to_list()[0]["row"] == 1
    assert "ok=False" in repr(report) and f"rows={n}" in repr(report)


def test_wrong_types_and_missing_columns_are_column_findings(dataset: bv.Dataset) -> None:
    referrals = pa.table(dataset.table("referrals"))
    i = referrals.schema.get_field_index("received_at")
    naive = referrals.set_column(i, "received_at", referrals.column("received_at").cast(pa.timestamp("us")))
    as_text = naive.set_column(
        referrals.schema.get_field_index("referral_index"),
        "referral_index",
        pc.cast(referrals.column("referral_index"), pa.string()),
    )
    report = bv.validate_table("referrals", as_text.drop_columns(["has_free_text"]).append_column("note", pa.array(["x"] * referrals.num_rows)))
    found = {(e["row"], e["path"], e["code"], e["severity"]) for e in _errors(report)}
    assert found == {
        (None, "referrals.referral_index", "research.column_type", "error"),
        (None, "referrals.received_at", "research.column_type", "error"),
        (None, "referrals.has_free_text", "research.missing_column", "error"),
        (None, "referrals.note", "research.unknown_column", "warning"),
    }
    messages = " ".join(e["message"] for e in _errors(report))
    assert "without a time zone" in messages

    # Only a warning: the report is still ok.
    extra = referrals.append_column("note", pa.array(["x"] * referrals.num_rows))
    assert bv.validate_table("referrals", extra).ok


def test_nulls_in_required_columns_and_the_limit_per_column(dataset: bv.Dataset) -> None:
    cases = pa.table(dataset.table("cases"))
    i = cases.schema.get_field_index("case_key")
    nulls = cases.set_column(i, "case_key", pa.nulls(cases.num_rows, pa.string()))
    report = bv.validate_table("cases", nulls)
    assert [e["code"] for e in _errors(report)] == ["research.null"] * cases.num_rows
    limited = bv.validate_table("cases", nulls, max_per_column=2)
    assert [e["code"] for e in _errors(limited)] == ["research.more_findings", "research.null", "research.null"]


def test_bad_arguments_are_refused(dataset: bv.Dataset) -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.validate_table("nope", dataset.table("cases"))
    assert err.value.findings[0]["code"] == "research.unknown_table"
    with pytest.raises(bv.ValidationError) as err:
        bv.validate_table("cases", [{"case_key": "x"}])  # type: ignore[arg-type]
    assert err.value.findings[0]["code"] == "research.not_arrow"


def test_tables_leave_rust_without_a_copy(dataset: bv.Dataset) -> None:
    """Two exports of a table read once share the buffers barnvern read: pyarrow gets
    pointers. (Each ``dataset.table`` call reads the files again: a dataset keeps no rows.)"""
    cases = dataset.table("cases")
    first = pa.table(cases).column("case_key").chunk(0)
    second = pa.table(cases).column("case_key").chunk(0)
    assert first.buffers()[2].address == second.buffers()[2].address


def _spoil(path: Path) -> None:
    """Overwrites a Parquet file with bytes no reader takes: a read that succeeds did not open it."""
    path.write_bytes(b"not parquet")


def _spoilt_copy(dataset_dir: Path, tmp_path: Path, keep: str) -> Path:
    """A copy of the dataset whose Parquet files are all spoilt but those whose path holds ``keep``."""
    import shutil

    copy = tmp_path / "spoilt"
    shutil.copytree(dataset_dir, copy)
    for part in copy.rglob("*.parquet"):
        if keep not in str(part.relative_to(copy)):
            _spoil(part)
    return copy


def test_opening_reads_the_manifest_only(dataset_dir: Path, tmp_path: Path) -> None:
    copy = _spoilt_copy(dataset_dir, tmp_path, keep="no file is kept")
    ds = bv.read_dataset(copy)
    assert ds.rows["referrals"] > 0 and ds.findings == []
    with pytest.raises(bv.DatasetError) as err:
        ds.table("referrals")
    assert "referrals/jurisdiction=" in err.value.path


def test_columns_select_only_those_columns_in_order(dataset: bv.Dataset) -> None:
    whole = pa.table(dataset.table("referrals"))
    some = pa.table(dataset.table("referrals", columns=["reporter", "jurisdiction", "case_key"]))
    assert some.schema.names == ["reporter", "jurisdiction", "case_key"]
    assert some.equals(whole.select(["reporter", "jurisdiction", "case_key"]))
    assert some.nbytes < whole.nbytes
    frame = dataset.to_polars("referrals", columns=["case_key"])
    assert frame.columns == ["case_key"] and frame.height == whole.num_rows
    assert list(dataset.to_pandas("referrals", columns=["received_on"]).columns) == ["received_on"]


def test_a_filter_opens_only_the_files_of_its_partitions(dataset_dir: Path, tmp_path: Path) -> None:
    copy = _spoilt_copy(dataset_dir, tmp_path, keep="referrals/jurisdiction=NO/")
    ds = bv.read_dataset(copy)
    manifest_rows = sum(f["rows"] for f in ds.manifest["tables"]["referrals"]["files"] if f["jurisdiction"] == "NO")
    norwegian = pa.table(ds.table("referrals", filter={"jurisdiction": "NO"}))
    assert norwegian.num_rows == manifest_rows > 0
    assert set(norwegian.column("jurisdiction").to_pylist()) == {"NO"}
    assert ds.findings == []
    years = sorted({f["year"] for f in ds.manifest["tables"]["referrals"]["files"] if f["jurisdiction"] == "NO"})
    one_year = pa.table(ds.table("referrals", columns=["received_on"], filter={"jurisdiction": ["no"], "year": years[0]}))
    assert {d.year for d in one_year.column("received_on").to_pylist()} == {years[0]}
    # A year with no partition selects no rows; the table keeps its columns.
    empty = pa.table(ds.table("referrals", filter={"jurisdiction": "NO", "year": [1990]}))
    assert empty.num_rows == 0 and "case_key" in empty.schema.names
    # Every other partition is spoilt.
    with pytest.raises(bv.DatasetError):
        ds.table("referrals")


@pytest.mark.parametrize(
    ("columns", "filter", "code"),
    [
        (["case_key", "recieved_on"], None, "research.unknown_column"),
        (["case_key", "case_key"], None, "research.duplicate_column"),
        ([], None, "research.no_columns"),
        (None, {"country": "NO"}, "research.unknown_filter"),
        (None, {"jurisdiction": "DK"}, "research.filter_value"),
        (None, {"jurisdiction": 7}, "research.filter_value"),
        (None, {"year": "2024"}, "research.filter_value"),
        (None, {"year": [2024, True]}, "research.filter_value"),
        (None, ["jurisdiction", "NO"], "research.filter"),
    ],
)
def test_a_bad_selection_is_a_validation_error_with_a_stable_code(
    dataset: bv.Dataset, columns: list[str] | None, filter: Any, code: str
) -> None:
    with pytest.raises(bv.ValidationError) as err:
        dataset.table("referrals", columns=columns, filter=filter)
    assert err.value.findings[0]["code"] == code


def test_findings_are_those_of_the_tables_read(dataset_dir: Path, tmp_path: Path) -> None:
    """A file with an unknown code: the finding appears when its table is read, with the row
    counted in the table returned, and stays out of a read that does not select the column."""
    import shutil

    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    copy = tmp_path / "bad"
    shutil.copytree(dataset_dir, copy)
    ds = bv.read_dataset(copy)
    files = ds.manifest["tables"]["referrals"]["files"]
    last = copy / files[-1]["path"]
    table = pq.read_table(last)
    reporter = table.column("reporter").to_pylist()
    reporter[0] = "astrologer"
    bad = table.set_column(
        table.schema.get_field_index("reporter"),
        table.schema.field("reporter"),
        pa.array(reporter, pa.string()).dictionary_encode(),
    )
    pq.write_table(bad.replace_schema_metadata(table.schema.metadata), last)
    ds = bv.read_dataset(copy)
    assert ds.findings == []
    ds.table("referrals", columns=["case_key"])
    assert ds.findings == []
    first_row = sum(f["rows"] for f in files[:-1])
    ds.table("referrals")
    assert [(f["path"], f["code"]) for f in ds.findings] == [
        (f"referrals[{first_row}].reporter", "codelist.unknown_code")
    ]
    assert "findings=1" in repr(ds)
    assert [f["path"] for f in ds.validate()] == [f"referrals[{first_row}].reporter"]


def test_scan_hands_the_files_to_pyarrow_dataset(dataset: bv.Dataset) -> None:
    import pyarrow.dataset  # type: ignore[import-untyped]  # noqa: F401

    scanned = dataset.scan("referrals")
    assert scanned.count_rows() == dataset.rows["referrals"]
    assert {"jurisdiction", "year", "case_key"} <= set(scanned.schema.names)
    swedish = dataset.scan("referrals", filter={"jurisdiction": "SE"}).to_table()
    assert set(swedish.column("jurisdiction").to_pylist()) == {"SE"}
    assert swedish.num_rows == pa.table(dataset.table("referrals", filter={"jurisdiction": "SE"})).num_rows
