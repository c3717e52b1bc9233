"""The Family Partner trial through Python: the hand-checked trial's numbers (worked out on
paper in crates/barnvern-familypartner/tests/hand_checked.rs), the workflow and randomisation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

import barnvern as bv

AS_OF = dt.date(2025, 3, 31)


def prov() -> dict[str, Any]:
    return {"recorded_at": "2025-04-01T08:00:00Z", "recorded_by": {"role": "researcher", "staff": "r-1"}, "source_system": "test"}


def test_consort_flow_as_a_mapping(trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    flow = trial.consort(AS_OF)
    assert (flow["approached"], flow["assessed"], flow["excluded"], flow["randomised"]) == (12, 11, 3, 8)
    assert flow["excluded"] + flow["randomised"] + flow["awaiting_randomisation"] == flow["assessed"]
    arms = {a["arm"]: a for a in flow["arms"]}
    assert (arms["intervention"]["allocated"], arms["intervention"]["received"], arms["intervention"]["not_received"]) == (4, 3, 1)
    assert (arms["control"]["allocated"], arms["control"]["analysed"]) == (4, 2)
    assert flow["findings"] == []
    assert flow["as_of"] == AS_OF


def test_consort_flow_as_a_tidy_table(trial_json: str) -> None:
    rows = bv.Trial.from_json(trial_json).consort_table(AS_OF)
    assert set(rows[0]) == {"stage", "arm", "wave", "reason", "count"}
    reasons = {r["reason"]: r["count"] for r in rows if r["stage"] == "excluded" and r["reason"]}
    assert sum(reasons.values()) == 3
    lost = [(r["arm"], r["count"]) for r in rows if r["stage"] == "lost_to_follow_up" and r["wave"] == 6]
    assert lost == [("intervention", 1), ("control", 1)]


def test_retention_dose_and_adherence(trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    retention = {(r["wave"], r["arm"]): r["retention"] for r in trial.retention(AS_OF)}
    assert (retention[(12, "intervention")]["numerator"], retention[(12, "intervention")]["denominator"]) == (3, 4)
    assert retention[(12, "control")]["value"] == 0.5
    dose = {p["phase"]: p["dose"] for p in trial.dose(AS_OF)}
    active = [d for name, d in dose.items() if "active" in name]
    assert [(d["numerator"], d["denominator"], d["value"]) for d in active] == [(18, 24, 0.75)]
    adherence = trial.adherence(AS_OF)
    assert (adherence["numerator"], adherence["denominator"]) == (32, 37)


def test_progression_lights_on_each_bound(trial_json: str, progression_json: str) -> None:
    results = bv.Trial.from_json(trial_json).progression(progression_json, AS_OF)
    light = {r["criterion_id"]: r["light"] for r in results}
    assert light["recruitment"] == "green"
    assert light["recruitment_strict"] == "amber"
    assert light["retention_12m_control_strict"] == "red"
    assert light["loss_6m_intervention"] == "amber"
    assert light["loss_6m_intervention_inclusive"] == "green"
    assert light["loss_12m_control_strict"] == "red"


def test_caseload(trial_json: str) -> None:
    periods = bv.Trial.from_json(trial_json).caseload(AS_OF)
    assert periods and not any(p["breach"] for p in periods)
    assert isinstance(periods[0]["from"], dt.date)


def test_randomisation_is_reproducible_and_refused_without_screening(trial_json: str) -> None:
    a, b = bv.Randomiser(42), bv.Randomiser(42)
    assert [a.assign()["arm"] for _ in range(20)] == [b.assign()["arm"] for _ in range(20)]
    blocks = bv.Randomiser(7, block_sizes=[4])
    arms = [blocks.assign()["arm"] for _ in range(8)]
    assert arms[:4].count("intervention") == 2 and arms[4:].count("intervention") == 2
    resumed = bv.Randomiser(42, assigned=20)
    assert resumed.assigned == 20

    trial = bv.Trial.from_json(trial_json)
    before = trial.to_json()
    randomiser = bv.Randomiser(1, assigned=8)
    with pytest.raises(bv.WorkflowError) as info:
        trial.randomise("fam-12", dt.date(2025, 4, 1), randomiser, prov())
    assert info.value.code == "fp.not_screened"
    assert randomiser.assigned == 8, "a refused step draws no allocation"
    assert trial.to_json() == before


def test_invalid_trials_are_refused_with_paths(trial_json: str) -> None:
    data = json.loads(trial_json)
    data["families"][0]["contacts"][0]["on"] = "2023-01-01"
    with pytest.raises(bv.ValidationError) as info:
        bv.Trial.from_json(data)
    assert any(e["path"].startswith("families[0].contacts[0]") for e in info.value.errors)
