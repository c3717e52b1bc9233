"""Validating a research table: barnvern.validate_table against a pydantic v2 model.

Builds 1,000,000 referral rows (fixed seed) from the table spec that barnvern stores in every
Parquet file (column names, types, nullability, canonical code lists), with 0.1% of the rows
given an unknown reporter code, and validates the same rows both ways:

- barnvern: ``bv.validate_table("referrals", table)`` on the pyarrow Table (the whole call,
  including reading the Arrow stream and building the errors table);
- pydantic: a v2 model of the same table (strict types, required and optional fields, codes as
  ``Literal`` unions, the ranges the spec states), validated with ``TypeAdapter(list[Model])``
  on the rows as Python dicts, which is how pydantic takes data. Making the dicts
  (``table.to_pylist()``) is *not* timed, which favours pydantic.

Both must find the same bad rows. It prints rows per second for each and the ratio (goal: at
least 20 times faster); it never fails on time.

Run with a release build:

    maturin build --release --manifest-path bindings/python/Cargo.toml --out /tmp/wheel
    pip install /tmp/wheel/barnvern-*.whl pyarrow pydantic
    python bindings/python/benchmarks/bench_validate_table.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import datetime
import json
import tempfile
import time
from pathlib import Path
from typing import Any, Literal, Optional

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

import barnvern as bv

SEED = 20261126
REPO_ROOT = Path(__file__).resolve().parents[3]
KEY = b"benchmark key: at least 32 bytes, not a secret"


def referral_spec() -> dict[str, Any]:
    """The referrals table spec, as barnvern writes it into each file (via a one-case extract)."""
    with tempfile.TemporaryDirectory() as tmp:
        case = (REPO_ROOT / "examples" / "se-case.json").read_text(encoding="utf-8")
        inputs = Path(tmp) / "case.json"
        inputs.write_text(case, encoding="utf-8")
        bv.extract(inputs, Path(tmp) / "out", key=KEY, as_of=datetime.date(2025, 10, 1))
        first = next((Path(tmp) / "out" / "referrals").rglob("*.parquet"))
        spec: dict[str, Any] = json.loads(pq.read_metadata(first).metadata[b"barnvern.table_spec"])
        return spec


def make_table(spec: dict[str, Any], rows: int, bad_rows: int) -> pa.Table:
    """`rows` valid referral rows from the spec, then `bad_rows` of them given an unknown code."""
    rng = np.random.default_rng(SEED)
    columns: dict[str, pa.Array] = {}
    start = np.datetime64("2020-01-01T00:00:00", "us").astype(np.int64)
    span = 6 * 365 * 86_400 * 1_000_000
    for field in spec["fields"]:
        name, ty = field["name"], field["type"]
        if "codes" in field:
            codes = field["codes"]
            if name == "jurisdiction":
                codes = ["SE", "NO"]
            indices = rng.integers(0, len(codes), rows, dtype=np.int32)
            columns[name] = pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(codes))
        elif ty.startswith("dictionary"):
            # Source systems and source codes: null where nullable, else one system name.
            if field["nullable"]:
                columns[name] = pa.nulls(rows, pa.dictionary(pa.int32(), pa.string()))
            else:
                columns[name] = pa.DictionaryArray.from_arrays(
                    pa.array(rng.integers(0, 3, rows, dtype=np.int32)), pa.array(["procapita", "treserva", "lifecare"])
                )
        elif ty == "string":
            raw = rng.integers(0, 256, rows * 32, dtype=np.uint8).tobytes().hex()
            columns[name] = pa.array([raw[i * 64 : (i + 1) * 64] for i in range(rows)], pa.string())
        elif ty == "int32":
            if "offset" in name:
                columns[name] = pa.array(rng.choice([60, 120], rows).astype(np.int32))
            else:
                columns[name] = pa.array(rng.integers(0, 4, rows, dtype=np.int32))
        elif ty == "bool":
            columns[name] = pa.array(rng.random(rows) < 0.5)
        elif ty == "date32":
            days = (start // 86_400_000_000 + rng.integers(0, 6 * 365, rows)).astype(np.int32)
            columns[name] = pa.array(days, pa.date32())
        elif ty.startswith("timestamp"):
            columns[name] = pa.array(start + rng.integers(0, span, rows), pa.timestamp("us", tz="UTC"))
        else:
            raise SystemExit(f"no generator for {name} ({ty})")
    table = pa.table(columns)
    if bad_rows:
        reporter = table.column("reporter").combine_chunks()
        values = reporter.dictionary.to_pylist() + ["astrologer"]
        indices = reporter.indices.to_numpy(zero_copy_only=False).copy()
        bad = rng.choice(rows, bad_rows, replace=False)
        indices[bad] = len(values) - 1
        fixed = pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(values))
        table = table.set_column(table.schema.get_field_index("reporter"), "reporter", fixed)
    return table


def pydantic_model(spec: dict[str, Any]) -> type[BaseModel]:
    """A strict pydantic v2 model of the table: types, nullability, code lists, ranges."""
    fields: dict[str, Any] = {}
    for field in spec["fields"]:
        name, ty = field["name"], field["type"]
        constraint: dict[str, Any] = {}
        if "codes" in field:
            codes = field["codes"] if name != "jurisdiction" else ["SE", "NO"]
            # One Literal of every code: pydantic-core checks it with one hash look-up.
            annotation: Any = Literal[tuple(codes)]
        elif ty.startswith("dictionary") or ty == "string":
            annotation = str
        elif ty == "int32":
            annotation = int
            if name.endswith("_index"):
                constraint = {"ge": 0, "le": 2**31 - 1}
            elif name.endswith("offset_minutes"):
                constraint = {"ge": -1439, "le": 1439}
            else:
                constraint = {"ge": -(2**31), "le": 2**31 - 1}
        elif ty == "bool":
            annotation = bool
        elif ty == "date32":
            annotation = datetime.date
        elif ty.startswith("timestamp"):
            annotation = datetime.datetime
        else:
            raise SystemExit(f"no annotation for {name} ({ty})")
        if field["nullable"]:
            fields[name] = (Optional[annotation], Field(default=None, **constraint))
        else:
            fields[name] = (annotation, Field(**constraint))
    model: type[BaseModel] = create_model(
        "Referral", __config__=ConfigDict(strict=True), **fields
    )
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bad_rows = args.rows // 1000

    spec = referral_spec()
    table = make_table(spec, args.rows, bad_rows)
    print(f"{args.rows:,} referral rows, {table.num_columns} columns, {bad_rows:,} with an unknown reporter code")

    best_bv = float("inf")
    report = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        report = bv.validate_table("referrals", table)
        errors = pa.table(report.findings)
        best_bv = min(best_bv, time.perf_counter() - t0)
    assert report is not None
    bv_bad = sorted(set(errors.column("row").to_pylist()))

    model = pydantic_model(spec)
    adapter = TypeAdapter(list[model])  # type: ignore[valid-type]
    rows = table.to_pylist()  # not timed
    best_pd = float("inf")
    pd_bad: list[int] = []
    for _ in range(max(1, min(args.repeat, 2))):
        t0 = time.perf_counter()
        try:
            adapter.validate_python(rows)
            pd_errors = []
        except ValidationError as err:
            pd_errors = err.errors(include_url=False, include_input=False)
        best_pd = min(best_pd, time.perf_counter() - t0)
        pd_bad = sorted({int(e["loc"][0]) for e in pd_errors})

    assert bv_bad == pd_bad, f"barnvern found {len(bv_bad)} bad rows, pydantic {len(pd_bad)}"
    print(f"both found the same {len(bv_bad):,} bad rows ({report!r})")
    print(f"barnvern.validate_table  {best_bv * 1000:9.1f} ms  {args.rows / best_bv:14,.0f} rows/s")
    print(f"pydantic v2 TypeAdapter  {best_pd * 1000:9.1f} ms  {args.rows / best_pd:14,.0f} rows/s")
    print(f"ratio (pydantic time / barnvern time): {best_pd / best_bv:.1f}x (goal: at least 20x)")


if __name__ == "__main__":
    main()
