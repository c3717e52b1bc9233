"""Scoring outcome instruments from Python: the hand-computed SDQ vectors of DESIGN.md section 7,
bad input, user-defined instruments, and the bulk Arrow form agreeing with the per-respondent
form."""

from __future__ import annotations

import collections.abc
import json
import math
import pickle
from typing import Any

import barnvern as bv
import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SDQ_ITEMS = [
    "consid", "restles", "somatic", "shares", "tantrum", "loner", "obeys", "worries", "caring",
    "fidgety", "friend", "fights", "unhappy", "popular", "distrac", "clingy", "kind", "lies",
    "bullied", "helpout", "reflect", "steals", "oldbest", "afraid", "attends",
]  # fmt: skip
IMPACT_ITEMS = ["ebddiff", "distres", "imphome", "impfrie", "impclas", "impleis"]
REVERSED = {"obeys", "friend", "popular", "reflect", "attends"}
SCALES = {
    "emotional": ["somatic", "worries", "unhappy", "clingy", "afraid"],
    "conduct": ["tantrum", "obeys", "fights", "lies", "steals"],
    "hyperactivity": ["restles", "fidgety", "distrac", "reflect", "attends"],
    "peer": ["loner", "friend", "popular", "bullied", "oldbest"],
    "prosocial": ["consid", "shares", "caring", "kind", "helpout"],
}
SDQ_SCORES = [
    "emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact", "total",
    "externalising", "internalising",
]  # fmt: skip


def scale_answers(scale: str, points: int) -> dict[str, int]:
    """Answers to the five items of `scale` that score `points` (0-10), reverse keys undone."""
    answers = {}
    for item in SCALES[scale]:
        weight = min(2, points)
        points -= weight
        answers[item] = 2 - weight if item in REVERSED else weight
    return answers


# --- DESIGN.md section 7, through the Python API -------------------------------------------------


def test_four_points_over_three_items_is_seven() -> None:
    s = bv.score("sdq-p-4-17", {"somatic": 2, "worries": 2, "unhappy": 0})
    assert s["emotional"] == 7
    assert type(s["emotional"]) is int


def test_four_items_summing_to_two_round_half_up_to_three() -> None:
    s = bv.score("sdq-p-4-17", {"somatic": 1, "worries": 1, "unhappy": 0, "clingy": 0})
    assert s["emotional"] == 3


def test_all_zeros_give_total_ten_through_the_reverse_keys() -> None:
    s = bv.score("sdq-p-4-17", {item: 0 for item in SDQ_ITEMS})
    assert dict(s) | {"impact": None} == {
        "emotional": 0,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 4,
        "prosocial": 0,
        "impact": None,
        "total": 10,
        "externalising": 6,
        "internalising": 4,
    }
    assert list(s) == SDQ_SCORES


def test_three_missing_items_make_the_scale_and_the_total_missing() -> None:
    answers: dict[str, int | None] = {item: 1 for item in SDQ_ITEMS}
    answers.update(somatic=None, worries=None, unhappy=None)
    s = bv.score("sdq-p-4-17", answers)
    assert s["emotional"] is None
    assert s["total"] is None
    assert s["internalising"] is None
    assert s["externalising"] is not None
    assert s.bands["emotional"] is None


def test_impact_is_zero_after_no_difficulties() -> None:
    s = bv.score("sdq-p-4-17", {"ebddiff": 0})
    assert s["impact"] == 0
    s = bv.score("sdq-p-4-17", {"ebddiff": 1, "distres": 3, "imphome": 2, "impfrie": 1, "impclas": 0})
    assert s["impact"] is None  # impleis missing: the published syntax gives no impact score
    s = bv.score(
        "sdq-p-4-17",
        {"ebddiff": 1, "distres": 3, "imphome": 2, "impfrie": 1, "impclas": 0, "impleis": 3},
    )
    assert s["impact"] == 2 + 1 + 0 + 0 + 2


@pytest.mark.parametrize(
    ("instrument", "scale", "points", "band"),
    [
        ("sdq-p-4-17", "emotional", 3, "close to average"),
        ("sdq-p-4-17", "emotional", 4, "slightly raised"),
        ("sdq-p-4-17", "emotional", 6, "high"),
        ("sdq-p-4-17", "emotional", 7, "very high"),
        ("sdq-p-4-17", "hyperactivity", 8, "high"),
        ("sdq-p-4-17", "prosocial", 8, "close to average"),
        ("sdq-p-4-17", "prosocial", 7, "slightly lowered"),
        ("sdq-p-4-17", "prosocial", 5, "very low"),
        ("sdq-t-4-17", "emotional", 5, "high"),
        ("sdq-t-4-17", "emotional", 6, "very high"),
        ("sdq-t-4-17", "prosocial", 3, "very low"),
        ("sdq-t-4-17", "peer", 4, "slightly raised"),
    ],
)
def test_band_boundaries(instrument: str, scale: str, points: int, band: str) -> None:
    s = bv.score(instrument, scale_answers(scale, points), age=10)
    assert s[scale] == points
    assert s.bands[scale] == band


@pytest.mark.parametrize(("total", "band"), [(13, "close to average"), (14, "slightly raised"), (16, "slightly raised"), (17, "high"), (20, "very high")])
def test_parent_total_band_boundaries(total: int, band: str) -> None:
    answers: dict[str, int] = {}
    remaining = total
    for scale in ["emotional", "conduct", "hyperactivity", "peer"]:
        points = min(10, remaining)
        remaining -= points
        answers.update(scale_answers(scale, points))
    s = bv.score("sdq-p-4-17", answers)
    assert s["total"] == total
    assert s.bands["total"] == band
    assert s.to_dict()["total_band"] == band


# --- the Scores mapping ----------------------------------------------------------------------


def test_scores_is_a_read_only_mapping_with_provenance() -> None:
    s = bv.score("sdq-p-4-17", {"somatic": 2, "worries": 2, "unhappy": 0}, age=9)
    assert isinstance(s, collections.abc.Mapping)
    assert len(s) == 9
    assert "emotional" in s and "emotion" not in s
    assert 3 not in s  # type: ignore[comparison-overlap]
    assert s.get("nope") is None and s.get("nope", -1) == -1 and s.get("emotional") == 7
    assert list(s.keys()) == SDQ_SCORES
    assert ("emotional", 7) in s.items()
    with pytest.raises(KeyError):
        s["emotion"]
    assert s == dict(s)
    assert s.instrument == "sdq-p-4-17"
    assert s.algorithm == bv.Instrument.builtin("sdq-p-4-17").algorithm
    assert s.version == bv.Instrument.builtin("sdq-p-4-17").version
    assert s.engine_version == bv.__version__
    assert s.informant == "parent"
    assert s.warnings == []
    assert "impact" in s.bands and "externalising" not in s.bands
    assert repr(s).startswith("Scores(instrument='sdq-p-4-17', version='")
    assert "'emotional': 7" in repr(s)


def test_to_dict_is_the_row_score_table_gives() -> None:
    answers = {"somatic": 2, "worries": 2, "unhappy": 0, "ebddiff": 0}
    row = bv.score("sdq-p-4-17", answers).to_dict()
    table = pa.table(bv.score_table("sdq-p-4-17", pa.table({k: [v] for k, v in answers.items()}), allow_missing_items=True))
    assert table.column_names == list(row)
    assert table.to_pylist()[0] == row


def test_whole_scores_are_ints_and_means_are_floats() -> None:
    aim = bv.score("aim", {"aim1": 4, "aim2": 4, "aim3": 5, "aim4": 4})
    assert aim["aim"] == 4.25 and type(aim["aim"]) is float
    aim = bv.score("aim", {"aim1": 4, "aim2": 4, "aim3": 4, "aim4": 4})
    assert type(aim["aim"]) is float
    swem = bv.score("swemwbs", {f"swemwbs{i}": 1 for i in range(1, 8)})
    assert swem["swemraw"] == 7 and type(swem["swemraw"]) is int
    assert swem["swemwbs"] == 7.0 and type(swem["swemwbs"]) is float
    assert swem.bands == {}


def test_age_outside_the_form_is_a_warning() -> None:
    s = bv.score("sdq-p-4-17", {"somatic": 2}, age=3)
    codes = [w["code"] for w in s.warnings]
    assert "outcomes.age_outside_range" in codes
    assert all(w["severity"] == "warning" for w in s.warnings)


# --- bad input -------------------------------------------------------------------------------


def only_error(err: pytest.ExceptionInfo[bv.ValidationError]) -> tuple[str, str]:
    assert len(err.value.findings) == 1, err.value.findings
    return err.value.findings[0]["path"], err.value.findings[0]["code"]


def test_out_of_range_names_the_item() -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {"obeys": 3})
    assert only_error(err) == ("responses.obeys", "outcomes.out_of_range")
    assert "obeys" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_unknown_item_names_the_item() -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {"obeyz": 1})
    assert only_error(err) == ("responses.obeyz", "outcomes.unknown_item")


@pytest.mark.parametrize("value", [True, False, 1.0, 2.5, math.nan, "1", [1], {"status": "not_done"}])
def test_wrong_types_are_never_coerced(value: Any) -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {"somatic": 1, "obeys": value})
    assert only_error(err) == ("responses.obeys", "outcomes.wrong_type")
    assert "obeys" in err.value.findings[0]["message"]


def test_every_bad_item_is_reported_at_once() -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {"obeys": "2", "lies": 1.0})  # type: ignore[dict-item]
    assert sorted(e["path"] for e in err.value.findings) == ["responses.lies", "responses.obeys"]


def test_bad_arguments() -> None:
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq", {})
    assert only_error(err)[1] == "outcomes.unknown_instrument"
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {}, informant="teacher")
    assert only_error(err)[1] == "outcomes.informant_mismatch"
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {}, informant="mother")  # type: ignore[arg-type]
    assert only_error(err)[1] == "outcomes.informant"
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", [("obeys", 1)])  # type: ignore[arg-type]
    assert only_error(err)[1] == "outcomes.responses_type"
    with pytest.raises(bv.ValidationError) as err:
        bv.score(42, {})  # type: ignore[arg-type]
    assert only_error(err)[1] == "outcomes.instrument_type"
    with pytest.raises(bv.ValidationError):
        bv.score("sdq-p-4-17", {}, age=-1)
    # Beyond 64 bits, or not an int: the same ValidationError, not an OverflowError or TypeError.
    for age in (2**64, -(2**70), 10.0, "10", True):
        with pytest.raises(bv.ValidationError) as err:
            bv.score("sdq-p-4-17", {}, age=age)  # type: ignore[arg-type]
        assert only_error(err) == ("age", "outcomes.age")
    huge = 10**5000
    with pytest.raises(bv.ValidationError) as err:
        bv.score("sdq-p-4-17", {"obeys": huge}, age=huge)
    assert all(len(e["message"]) < 200 for e in err.value.findings)


# --- instruments -----------------------------------------------------------------------------

PROPRIETARY = {
    "id": "my-scale",
    "version": "1",
    "algorithm": "sum-with-my-key",
    "name": "A licensed scale scored with the user's own key",
    "response_sets": {"r": [{"value": 1, "weight": 1}, {"value": 2, "weight": 2}, {"value": 3, "weight": 3}]},
    "items": [{"name": f"q{i}", "position": i, "responses": "r"} for i in range(1, 5)],
    "reverse_keyed": ["q4"],
    "scales": [
        {
            "id": "distress",
            "label": "distress",
            "qs_testcd": "MYDIST",
            "items": ["q1", "q2", "q3", "q4"],
            "method": "sum",
            "min_answered": 4,
            "rounding": {"mode": "none"},
        }
    ],
    "band_tables": [
        {
            "score": "distress",
            "age": {"min": 0, "max": 120},
            "verified": True,
            "source": "the user's licence",
            "bands": [{"min": 4, "max": 8, "label": "normal"}, {"min": 9, "max": 12, "label": "clinical"}],
        }
    ],
}


def test_instruments_and_builtins() -> None:
    ids = bv.instruments()
    assert ids == ["sdq-p-4-17", "sdq-p-2-4", "sdq-t-4-17", "sdq-s-11-17", "swemwbs", "wemwbs", "aim", "iam", "fim"]
    sdq = bv.Instrument.builtin("sdq-p-4-17")
    assert (sdq.id, sdq.informant) == ("sdq-p-4-17", "parent")
    assert sdq.scores == SDQ_SCORES
    assert sdq.items[:25] == SDQ_ITEMS
    assert set(IMPACT_ITEMS) <= set(sdq.items)
    assert repr(sdq).startswith("Instrument(id='sdq-p-4-17', version='")
    assert bv.Instrument.from_json(sdq.to_json()) == sdq
    assert pickle.loads(pickle.dumps(sdq)) == sdq
    assert bv.score(sdq, {"somatic": 2, "worries": 2, "unhappy": 0})["emotional"] == 7
    assert "InstrumentDef" in bv.Instrument.json_schema()["title"]
    assert bv.Instrument.from_json(sdq.to_json().encode("utf-8")) == sdq


def test_a_user_defined_instrument_scores_like_a_builtin() -> None:
    mine = bv.Instrument.from_json(json.dumps(PROPRIETARY))
    assert (mine.id, mine.scores, mine.informant) == ("my-scale", ["distress"], None)
    s = bv.score(mine, {"q1": 3, "q2": 3, "q3": 2, "q4": 1})
    assert s["distress"] == 3 + 3 + 2 + 3
    assert s.bands == {"distress": "clinical"}
    assert s.instrument == "my-scale" and s.algorithm == "sum-with-my-key"


def test_a_broken_definition_is_refused_with_paths() -> None:
    broken = json.loads(json.dumps(PROPRIETARY))
    broken["scales"][0]["items"].append("q9")
    broken["scales"][0]["qs_testcd"] = "much-too-long"
    with pytest.raises(bv.ValidationError) as err:
        bv.Instrument.from_json(json.dumps(broken))
    paths = {e["path"] for e in err.value.findings}
    assert {"scales[0].items[4]", "scales[0].qs_testcd"} <= paths


# --- the bulk form ---------------------------------------------------------------------------


def answer_strategy() -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(0, 2))


@st.composite
def respondents(draw: st.DrawFn) -> list[dict[str, int | None]]:
    n = draw(st.integers(0, 25))
    rows = []
    for _ in range(n):
        row = {item: draw(answer_strategy()) for item in SDQ_ITEMS}
        row["ebddiff"] = draw(st.one_of(st.none(), st.integers(0, 3)))
        for item in IMPACT_ITEMS[1:]:
            row[item] = draw(st.one_of(st.none(), st.integers(0, 3)))
        rows.append(row)
    return rows


@given(rows=respondents(), age=st.one_of(st.none(), st.integers(2, 19)))
@settings(max_examples=60)
def test_bulk_agrees_with_one_respondent_at_a_time(rows: list[dict[str, int | None]], age: int | None) -> None:
    items = SDQ_ITEMS + IMPACT_ITEMS
    columns: dict[str, Any] = {"pid": [f"p{i}" for i in range(len(rows))]}
    columns.update({item: pa.array([r[item] for r in rows], pa.int8()) for item in items})
    columns["age"] = pa.array([age] * len(rows), pa.int16())
    table = pa.table(columns)
    result = pa.table(bv.score_table("sdq-p-4-17", table, id_columns=["pid"], age_column="age"))
    assert result.num_rows == len(rows)
    assert result.column("pid").to_pylist() == columns["pid"]
    for row, got in zip(rows, result.drop_columns(["pid"]).to_pylist()):
        expected = bv.score("sdq-p-4-17", row, age=age).to_dict()
        assert got == {k: (float(v) if isinstance(v, int) else v) for k, v in expected.items()}


def test_bulk_reads_polars_and_every_integer_width() -> None:
    widths = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()]
    items = SCALES["emotional"] + SCALES["conduct"]
    table = pa.table({item: pa.array([1, None, 2], widths[i % len(widths)]) for i, item in enumerate(items)})
    from_arrow = pa.table(bv.score_table("sdq-p-4-17", table, allow_missing_items=True))
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    from_polars = pl.DataFrame(bv.score_table("sdq-p-4-17", frame, allow_missing_items=True))
    assert from_polars.equals(pl.from_arrow(from_arrow))  # type: ignore[arg-type]
    assert from_polars["emotional"].to_list() == [5.0, None, 10.0]
    assert from_polars.schema["emotional"] == pl.Float64
    assert from_polars.schema["emotional_band"] == pl.Categorical
    assert from_polars["emotional_band"].to_list() == ["high", None, "very high"]


def test_bulk_result_types_and_metadata() -> None:
    result = bv.score_table("aim", pa.table({"aim1": [4], "aim2": [4], "aim3": [5], "aim4": [4]}))
    assert result.num_rows == 1 and len(result) == 1
    assert result.column_names == ["aim"]
    table = pa.table(result)
    assert table.schema.field("aim").type == pa.float64()
    assert table.column("aim").to_pylist() == [4.25]
    meta = {k.decode(): v.decode() for k, v in table.schema.metadata.items()}
    assert meta["barnvern.instrument"] == "aim"
    assert meta["barnvern.instrument_version"] == bv.Instrument.builtin("aim").version
    sdq = pa.table(bv.score_table("sdq-t-4-17", pa.table({"obeys": pa.array([0], pa.int8())}), allow_missing_items=True))
    assert pa.types.is_dictionary(sdq.schema.field("total_band").type)
    assert "externalising_band" not in sdq.column_names


def test_bulk_handles_empty_and_chunked_input() -> None:
    empty = pa.table({"pid": pa.array([], pa.string()), "obeys": pa.array([], pa.int8())})
    result = pa.table(bv.score_table("sdq-p-4-17", empty, id_columns=["pid"], allow_missing_items=True))
    assert result.num_rows == 0 and result.column_names[:2] == ["pid", "emotional"]
    chunked = pa.concat_tables([pa.table({"somatic": [2, 1]}), pa.table({"somatic": [0]})])
    result = pa.table(bv.score_table("sdq-p-4-17", chunked, allow_missing_items=True))
    assert result.num_rows == 3
    ids_only = pa.table(
        bv.score_table("sdq-p-4-17", pa.table({"pid": ["a", "b"]}), id_columns=["pid"], allow_missing_items=True)
    )
    assert ids_only.column("total").to_pylist() == [None, None]


def bulk_error(data: Any, **kwargs: Any) -> list[tuple[str, str]]:
    kwargs.setdefault("allow_missing_items", True)
    with pytest.raises(bv.ValidationError) as err:
        bv.score_table("sdq-p-4-17", data, **kwargs)
    return [(e["path"], e["code"]) for e in err.value.findings]


def test_bulk_bad_input_names_the_column_and_row() -> None:
    assert bulk_error(pa.table({"obeys": [1.0, 2.0]})) == [("columns.obeys", "outcomes.column_type")]
    assert bulk_error(pa.table({"obeys": ["1"]})) == [("columns.obeys", "outcomes.column_type")]
    assert bulk_error(pa.table({"pid": ["a"], "obeys": [1]})) == [("columns.pid", "outcomes.unknown_column")]
    assert bulk_error(pa.table({"obeys": [1]}), id_columns=["pid"]) == [("columns.pid", "outcomes.unknown_column")]
    assert bulk_error(pa.table({"obeys": [1, 2, 0, 3]})) == [("columns.obeys[3]", "outcomes.out_of_range")]
    chunked = pa.concat_tables([pa.table({"lies": [1, 2]}), pa.table({"lies": [7]})])
    assert bulk_error(chunked) == [("columns.lies[2]", "outcomes.out_of_range")]
    assert bulk_error(pa.table({"obeys": [1], "age": [-4]}), age_column="age") == [("columns.age[0]", "outcomes.age")]
    assert bulk_error({"obeys": [1]}) == [("data", "outcomes.not_arrow")]
    assert bulk_error(pa.table({"obeys": [1]}), informant="teacher") == [("options.informant", "outcomes.informant_mismatch")]


def test_a_missing_item_column_is_an_error_unless_allowed() -> None:
    # A misspelt header ("aim3x") must not silently score "aim3" as unanswered in every row.
    aim = {"aim1": [4], "aim2": [4], "aim4": [4]}
    with pytest.raises(bv.ValidationError) as err:
        bv.score_table("aim", pa.table({**aim, "aim3x": [5]}))
    assert [(e["path"], e["code"]) for e in err.value.findings] == [
        ("columns.aim3x", "outcomes.unknown_column"),
        ("columns.aim3", "outcomes.missing_column"),
    ]
    with pytest.raises(bv.ValidationError) as err:
        bv.score_table("aim", pa.table(aim))
    assert [(e["path"], e["code"]) for e in err.value.findings] == [("columns.aim3", "outcomes.missing_column")]
    allowed = pa.table(bv.score_table("aim", pa.table(aim), allow_missing_items=True))
    assert allowed.column("aim").to_pylist() == [None]  # AIM scores complete cases only
