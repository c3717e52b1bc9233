"""The research dataset is the interface beyond one machine (DESIGN.md section 10): pyarrow,
polars, DuckDB and Spark read barnvern's hive-partitioned Parquet as it is, and each agrees with
``barnvern.read_dataset`` on every value of every column, not only on counts.

Each reader's rows are sorted by the table's key columns (from the table spec stored in each
file) and compared value by value: codes as text (readers differ on dictionary encoding, which
is a physical choice), dates as ``datetime.date``, instants as UTC instants. Each reader must
also *type* them as dates and instants (no casts by the test), and the hive column ``year``
must be the year of the table's year column.

PySpark starts a JVM: one local session (``local[2]``, session time zone UTC) per module.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import barnvern as bv
import duckdb
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pads  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = REPO_ROOT / "examples"
KEY = b"interop test key: at least 32 bytes, not a secret"
AS_OF = datetime.date(2025, 10, 1)

# Tables compared: the wide ones, every column type (dictionary codes, plain strings, int32,
# bool, date32, timestamp[us, UTC], list<int32>, double) and both jurisdictions.
TABLES = [
    "children",
    "cases",
    "people",
    "referrals",
    "violence_exposures",
    "screenings",
    "investigations",
    "decisions",
    "deadlines",
    "interventions",
    "fp_enrolments",
    "fp_contacts",
    "waves",
    "item_responses",
    "scores",
    "costs",
]

Row = tuple[Any, ...]


def _bundles(copies: int) -> Iterator[str]:
    """Copies of the example bundles, each with its own case id."""
    for i in range(copies):
        for name in ("se-case.json", "no-case.json"):
            case: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
            case["case_id"] = f"{case['case_id'].rsplit('-', 1)[0]}-{500000 + i:06d}"
            yield json.dumps(case)


@pytest.fixture(scope="module")
def dataset_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interop")
    inputs = root / "cases.jsonl"
    # A synthetic cohort (many municipalities, years and codes, the Family Partner tables
    # filled) and the shipped examples.
    bv.synth(root / "cohort.jsonl", children=400, seed=20261126)
    text = (root / "cohort.jsonl").read_text(encoding="utf-8")
    inputs.write_text(text + "\n".join(_bundles(2)) + "\n", encoding="utf-8")
    summary = bv.extract(inputs, root / "extract", key=KEY, as_of=AS_OF)
    assert summary.ok, summary.rejected_by_code
    return root / "extract"


@pytest.fixture(scope="module")
def dataset(dataset_dir: Path) -> bv.Dataset:
    ds = bv.read_dataset(dataset_dir)
    assert ds.validate() == []
    return ds


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("PySpark needs Java 17 or later on PATH (or JAVA_HOME)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("barnvern-interop")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _spec(dataset_dir: Path, table: str) -> dict[str, Any]:
    """The table spec stored in the key-value metadata of the table's first file."""
    first = next((dataset_dir / table).rglob("*.parquet"))
    meta = pq.read_metadata(first).metadata
    spec: dict[str, Any] = json.loads(meta[b"barnvern.table_spec"])
    return spec


def _check_types(table: pa.Table, spec: dict[str, Any], reader: str) -> None:
    """Dates must be dates and instants instants (in UTC) as the reader types them."""
    for field in spec["fields"]:
        found = table.schema.field(field["name"]).type
        if field["type"] == "date32":
            assert pa.types.is_date32(found), f"{reader}: {field['name']} is {found}"
        elif field["type"].startswith("timestamp"):
            assert pa.types.is_timestamp(found) and found.tz in ("UTC", "Etc/UTC", "+00:00"), (
                f"{reader}: {field['name']} is {found}, not an instant in UTC"
            )
        elif field["type"] == "int32":
            assert pa.types.is_int32(found), f"{reader}: {field['name']} is {found}"
        elif field["type"] == "bool":
            assert pa.types.is_boolean(found), f"{reader}: {field['name']} is {found}"
        elif field["type"] == "double":
            assert pa.types.is_float64(found), f"{reader}: {field['name']} is {found}"


def _values(column: pa.ChunkedArray) -> list[Any]:
    """Python values: dictionaries decoded to text, instants to UTC microseconds."""
    ty = column.type
    if pa.types.is_dictionary(ty):
        column = column.cast(ty.value_type)
    if pa.types.is_timestamp(ty):
        column = column.cast(pa.timestamp("us", tz="UTC"))
    values: list[Any] = column.to_pylist()
    return values


def _rows(table: pa.Table, spec: dict[str, Any]) -> list[Row]:
    """The table's rows in spec column order, sorted by the key columns (then the rest)."""
    names = [f["name"] for f in spec["fields"]]
    columns = [_values(table.column(n)) for n in names]
    rows = list(zip(*columns)) if columns else []
    key = [names.index(k) for k in spec["key"]]

    def order(row: Row) -> tuple[str, ...]:
        return tuple(repr(row[i]) for i in key) + tuple(repr(v) for v in row)

    return sorted(rows, key=order)


def _check_year(table: pa.Table, spec: dict[str, Any], reader: str) -> None:
    """The hive column `year` is the year of the row's year column."""
    year_column = spec["partitioning"]["year"].removeprefix("year of ")
    years = table.column("year").cast(pa.int64()).to_pylist()
    dates = table.column(year_column).to_pylist()
    assert all(y == d.year for y, d in zip(years, dates)), reader


def _read_pyarrow(directory: Path, _: Any) -> pa.Table:
    return pads.dataset(directory, format="parquet", partitioning="hive").to_table()


def _read_polars(directory: Path, _: Any) -> pa.Table:
    frame = pl.scan_parquet(directory / "**" / "*.parquet", hive_partitioning=True).collect()
    return frame.to_arrow()


def _read_duckdb(directory: Path, _: Any) -> pa.Table:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = con.read_parquet(str(directory / "*" / "*" / "*.parquet"), hive_partitioning=True)
    table: pa.Table = relation.to_arrow_table()
    con.close()
    return table


def _read_spark(directory: Path, session: Any) -> pa.Table:
    frame = session.read.parquet(str(directory))
    table: pa.Table = frame.toArrow()
    return table


READERS: dict[str, Callable[[Path, Any], pa.Table]] = {
    "pyarrow.dataset": _read_pyarrow,
    "polars.scan_parquet": _read_polars,
    "duckdb.read_parquet": _read_duckdb,
}


def _compare(dataset: bv.Dataset, dataset_dir: Path, reader: str, read: Callable[[Path, Any], pa.Table], session: Any) -> int:
    compared = 0
    for name in TABLES:
        assert name in dataset.tables, name
        spec = _spec(dataset_dir, name) if dataset.rows[name] else None
        if spec is None:
            continue
        expected = _rows(pa.table(dataset.table(name)), spec)
        table = read(dataset_dir / name, session)
        assert table.num_rows == dataset.rows[name], f"{reader}: {name}"
        assert set(table.column_names) == {f["name"] for f in spec["fields"]} | {"year"}, f"{reader}: {name}"
        _check_types(table, spec, reader)
        _check_year(table, spec, reader)
        found = _rows(table, spec)
        for i, (want, got) in enumerate(zip(expected, found)):
            assert want == got, f"{reader}: {name} row {i} differs:\n  barnvern {want}\n  {reader} {got}"
        assert len(found) == len(expected)
        compared += 1
    return compared


@pytest.mark.parametrize("reader", sorted(READERS))
def test_readers_agree_with_barnvern_on_every_value(dataset: bv.Dataset, dataset_dir: Path, reader: str) -> None:
    compared = _compare(dataset, dataset_dir, reader, READERS[reader], None)
    assert compared >= 8, "too few tables had rows to compare"


def test_spark_agrees_with_barnvern_on_every_value(dataset: bv.Dataset, dataset_dir: Path, spark: Any) -> None:
    compared = _compare(dataset, dataset_dir, "pyspark", _read_spark, spark)
    assert compared >= 8
    # Spark's own types, not only what its Arrow export makes of them.
    from pyspark.sql import types as T

    schema = spark.read.parquet(str(dataset_dir / "referrals")).schema
    assert isinstance(schema["received_on"].dataType, T.DateType)
    assert isinstance(schema["received_at"].dataType, T.TimestampType)
    assert isinstance(schema["referral_index"].dataType, T.IntegerType)
    assert isinstance(schema["year"].dataType, T.IntegerType)


def test_what_readers_give_back_validates_as_the_table(dataset: bv.Dataset, dataset_dir: Path) -> None:
    """validate_table takes each reader's output as it is (polars' int64 partitions and string
    views, DuckDB's strings, pyarrow's dictionaries) with the hive `year` column."""
    for reader, read in READERS.items():
        for name in ("referrals", "deadlines", "investigations"):
            report = bv.validate_table(name, read(dataset_dir / name, None))
            assert report.ok and len(report) == 0, (reader, name, report.to_list()[:3])
