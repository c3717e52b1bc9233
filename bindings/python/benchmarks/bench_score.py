"""Bulk SDQ scoring: barnvern.score_table against a plain vectorised pandas implementation.

Scores 1,000,000 parent SDQ respondents (25 items, the impact supplement; random answers with
about 5% missing, fixed seed) both ways, checks that every score and band agrees, and prints rows
per second for each and the ratio. It prints figures and never fails on time.

Beside them, the bandwidth anchor, measured in the same run: a plain ``np.sum`` over the 25 SDQ
item columns, timing only the sums. Two forms: the columns as ``to_numpy(zero_copy_only=False)``
gives them (int8 with nulls cannot be viewed without a copy, so float64 with NaN, 8 bytes a
value), and the int8 value buffers viewed in place (1 byte a value, the validity ignored): the
least work any scorer could do to read the answers.

The pandas side is written with fair effort, as a careful analyst would: whole-column numpy
arithmetic, no Python loop over rows, exact half-up rounding done in integers
(floor((10·sum + n) / (2·n)) = round-half-up(sum / n × 5)), at least 3 of 5 items answered,
reverse keys, totals, impact with its 0,0,1,2 weights and the "no difficulties" rule, and the
UK parent bands. Its input is a pandas DataFrame built beforehand (not timed), float64 with NaN
for missing, which is how pandas holds integer columns with gaps; barnvern's input is the
pyarrow Table the DataFrame came from, and its time includes reading the result back as a
pyarrow Table.

Run with a release build (the figures of a debug build mean little):

    python -m venv /tmp/bench && /tmp/bench/bin/pip install numpy pandas pyarrow maturin
    maturin build --release --manifest-path bindings/python/Cargo.toml --out /tmp/wheel
    /tmp/bench/bin/pip install /tmp/wheel/barnvern-*.whl
    /tmp/bench/bin/python bindings/python/benchmarks/bench_score.py [--rows N] [--repeat K]
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]

import barnvern as bv

SEED = 20261126
INSTRUMENT = "sdq-p-4-17"

SCALES = {
    "emotional": ["somatic", "worries", "unhappy", "clingy", "afraid"],
    "conduct": ["tantrum", "obeys", "fights", "lies", "steals"],
    "hyperactivity": ["restles", "fidgety", "distrac", "reflect", "attends"],
    "peer": ["loner", "friend", "popular", "bullied", "oldbest"],
    "prosocial": ["consid", "shares", "caring", "kind", "helpout"],
}
REVERSED = ["obeys", "friend", "popular", "reflect", "attends"]
SDQ_ITEMS = [item for items in SCALES.values() for item in items]
IMPACT_ITEMS = ["distres", "imphome", "impfrie", "impclas", "impleis"]  # parent form

# UK four-band cut-offs, parent report (DESIGN.md section 7); impact bands as the definition
# ships them (unverified). Inclusive (low, high) per band, most typical first.
BANDS = {
    "emotional": [(0, 3), (4, 4), (5, 6), (7, 10)],
    "conduct": [(0, 2), (3, 3), (4, 5), (6, 10)],
    "hyperactivity": [(0, 5), (6, 7), (8, 8), (9, 10)],
    "peer": [(0, 2), (3, 3), (4, 4), (5, 10)],
    "prosocial": [(8, 10), (7, 7), (6, 6), (0, 5)],
    "impact": [(0, 0), (1, 1), (2, 2), (3, 10)],
    "total": [(0, 13), (14, 16), (17, 19), (20, 40)],
}
DIFFICULTY_LABELS = ["close to average", "slightly raised", "high", "very high"]
PROSOCIAL_LABELS = ["close to average", "slightly lowered", "low", "very low"]


def make_data(rows: int, missing: float = 0.05) -> pa.Table:
    """Random parent SDQ responses: items 0-2, ebddiff and impact items 0-3, about 5% missing."""
    rng = np.random.default_rng(SEED)
    columns = {}
    for item in SDQ_ITEMS:
        values = rng.integers(0, 3, rows, dtype=np.int8)
        columns[item] = pa.array(values, pa.int8(), mask=rng.random(rows) < missing)
    for item in ["ebddiff", *IMPACT_ITEMS]:
        values = rng.integers(0, 4, rows, dtype=np.int8)
        columns[item] = pa.array(values, pa.int8(), mask=rng.random(rows) < missing)
    return pa.table(columns)


def pandas_scores(df: pd.DataFrame) -> pd.DataFrame:
    """The SDQ parent scoring rules in vectorised pandas/numpy. `df` is float64 with NaN."""
    out: dict[str, Any] = {}
    items = df[SDQ_ITEMS].to_numpy(dtype=np.float64, copy=True)
    index = {item: i for i, item in enumerate(SDQ_ITEMS)}
    for item in REVERSED:
        items[:, index[item]] = 2.0 - items[:, index[item]]
    for scale, names in SCALES.items():
        block = items[:, [index[n] for n in names]]
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1).astype(np.int64)
        n = np.maximum(answered, 1)
        # mean x 5 rounded half up, exactly: floor((10*sum + n) / (2*n)).
        value = ((10 * total + n) // (2 * n)).astype(np.float64)
        out[scale] = np.where(answered >= 3, value, np.nan)
    # Impact: options 0,1,2,3 score 0,0,1,2; missing if any item is missing; 0 after "no
    # difficulties" (ebddiff == 0).
    impact_items = df[IMPACT_ITEMS].to_numpy(dtype=np.float64)
    impact = np.maximum(impact_items - 1.0, 0.0).sum(axis=1)  # NaN propagates
    out["impact"] = np.where(df["ebddiff"].to_numpy() == 0, 0.0, impact)
    out["total"] = out["emotional"] + out["conduct"] + out["hyperactivity"] + out["peer"]
    out["externalising"] = out["conduct"] + out["hyperactivity"]
    out["internalising"] = out["emotional"] + out["peer"]

    result = {}
    for score in ["emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact", "total"]:
        values = out[score]
        labels = PROSOCIAL_LABELS if score == "prosocial" else DIFFICULTY_LABELS
        conditions = [(values >= lo) & (values <= hi) for lo, hi in BANDS[score]]
        codes = np.select(conditions, range(len(labels)), default=-1)
        result[score] = values
        result[f"{score}_band"] = pd.Categorical.from_codes(codes, categories=labels)
    result["externalising"] = out["externalising"]
    result["internalising"] = out["internalising"]
    return pd.DataFrame(result)


def barnvern_scores(table: pa.Table) -> pa.Table:
    return pa.table(bv.score_table(INSTRUMENT, table))


def median_of(repeat: int, run: Callable[[], Any]) -> tuple[float, float, Any]:
    """The median and the best time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), min(times), result


def numpy_sum(arrays: list[np.ndarray]) -> float:
    """The bandwidth anchor: a plain sum over each column."""
    return sum(float(np.sum(a)) for a in arrays)


def int8_views(table: pa.Table) -> list[np.ndarray]:
    """The int8 value buffers of the SDQ item columns, viewed in place (nulls ignored)."""
    views = []
    for item in SDQ_ITEMS:
        for chunk in table.column(item).chunks:
            data = chunk.buffers()[1]
            views.append(np.frombuffer(data, dtype=np.int8)[chunk.offset : chunk.offset + len(chunk)])
    return views


def check_identical(ours: pa.Table, theirs: pd.DataFrame) -> None:
    assert ours.num_rows == len(theirs)
    for name in theirs.columns:
        mine = ours.column(name)
        if name.endswith("_band"):
            got = pd.Series(mine.to_pylist(), dtype=object)
            expected = pd.Series(theirs[name].astype(object).where(theirs[name].notna(), None))
            mismatches = int((got.fillna("<none>") != expected.fillna("<none>")).sum())
        else:
            got_values = mine.to_numpy(zero_copy_only=False).astype(np.float64)
            expected_values = theirs[name].to_numpy(dtype=np.float64)
            both_nan = np.isnan(got_values) & np.isnan(expected_values)
            mismatches = int((~both_nan & (got_values != expected_values)).sum())
        assert mismatches == 0, f"{name}: {mismatches} rows differ"
    assert ours.column_names == list(theirs.columns), (ours.column_names, list(theirs.columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    table = make_data(args.rows)
    frame = table.to_pandas()  # float64 with NaN: how pandas holds it (not timed)
    as_numpy = [table.column(item).to_numpy(zero_copy_only=False) for item in SDQ_ITEMS]
    in_place = int8_views(table)
    print(f"barnvern {bv.__version__}, pandas {pd.__version__}, numpy {np.__version__}, pyarrow {pa.__version__}")
    print(
        f"{args.rows:,} parent SDQ respondents, {table.num_columns} item columns, seed {SEED}, "
        f"median of {args.repeat} runs (best in brackets)"
    )

    ours, ours_best, result = median_of(args.repeat, lambda: barnvern_scores(table))
    theirs, theirs_best, expected = median_of(args.repeat, lambda: pandas_scores(frame))
    anchor, anchor_best, _ = median_of(args.repeat, lambda: numpy_sum(as_numpy))
    raw, raw_best, _ = median_of(args.repeat, lambda: numpy_sum(in_place))
    check_identical(result, expected)
    print("scores and bands identical on every row: yes")

    def line(label: str, median: float, best: float) -> None:
        print(f"{label:<44}: {median * 1e3:8.1f} ms ({best * 1e3:7.1f})  {args.rows / median:14,.0f} rows/s")

    line("barnvern.score_table", ours, ours_best)
    line("pandas (vectorised)", theirs, theirs_best)
    line(f"np.sum, {len(as_numpy)} columns as to_numpy gives them ({as_numpy[0].dtype})", anchor, anchor_best)
    line(f"np.sum, {len(SDQ_ITEMS)} int8 value buffers in place", raw, raw_best)
    print(f"barnvern / pandas, rows per second: {theirs / ours:.2f}x (goal: at least 5x)")
    print(f"barnvern time / np.sum over to_numpy columns: {ours / anchor:.2f}x (goal: at most 3x)")
    print(f"barnvern time / np.sum over int8 buffers in place: {ours / raw:.2f}x")


if __name__ == "__main__":
    main()
