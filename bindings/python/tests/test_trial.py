"""The Family Partner trial through Python: the hand-checked trial's numbers (worked out on
paper in crates/barnvern-familypartner/tests/hand_checked.rs), the workflow and randomisation."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import barnvern as bv
import pytest

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
    # Delivered contacts count over the same whole months as the expected ones (fam-05's
    # contact in the month still running at its withdrawal does not count): 17 / 24.
    assert [(d["numerator"], d["denominator"], d["value"]) for d in active] == [(17, 24, 17 / 24)]
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
        bv.Trial.from_dict(data)
    assert any(e["path"].startswith("families[0].contacts[0]") for e in info.value.findings)


def test_proportions_carry_a_wilson_interval(trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    rows = {(r["wave"], r["arm"]): r for r in trial.retention(AS_OF)}
    # 3 of 4: p = 0.75, n = 4, z = 1.959964: centre (0.75 + 0.480182) / 1.960365 = 0.627527,
    # half 0.999793 * sqrt(0.046875 + 0.060023) = 0.326885 -> 0.300642 to 0.954413.
    ci = rows[(12, "intervention")]["retention"]["ci95"]
    assert ci["lower"] == pytest.approx(0.300642, abs=1e-6)
    assert ci["upper"] == pytest.approx(0.954413, abs=1e-6)
    due = rows[(18, "intervention")]["retention_among_due"]
    assert due["denominator"] == rows[(18, "intervention")]["retention"]["denominator"] - rows[(18, "intervention")]["not_yet_due"]
    feasibility = trial.feasibility(AS_OF)
    consent = feasibility["consent"]
    assert (consent["numerator"], consent["denominator"]) == (8, 9)
    assert consent["ci95"]["lower"] == pytest.approx(0.565, abs=1e-6)
    assert consent["ci95"]["upper"] == pytest.approx(0.980109, abs=1e-6)
    assert [w["wave"] for w in feasibility["retention"]] == [0, 3, 6, 12, 18]
    # The light judges the point estimate; the interval is shown beside it.
    criteria = {"version": "t", "description": "t", "criteria": [{
        "id": "consent", "description": "consent", "metric": {"kind": "consent_rate"},
        "direction": "higher_is_better", "green": {"value": 0.85, "inclusive": True},
        "amber": {"value": 0.5, "inclusive": True}}]}
    [result] = trial.progression(criteria, AS_OF)
    assert result["light"] == "green"
    assert result["ci_spans"] == ["amber", "green"]


def with_sites(trial_json: str) -> str:
    """The hand-checked trial with two sites: odd-numbered families at site A, the rest at B."""
    data = json.loads(trial_json)
    data["design"]["sites"] = [
        {"code": "site-a", "name": "Barneverntjenesten i bydel Alna", "jurisdiction": "NO",
         "municipality": "0301", "district": "Alna", "recruitment_opened_on": "2024-01-01", "target_per_month": 2},
        {"code": "site-b", "name": "Barneverntjenesten i Bergen", "jurisdiction": "NO",
         "municipality": "4601", "recruitment_opened_on": "2024-01-01"},
    ]
    for f in data["families"]:
        f["site"] = "site-a" if int(f["family"].split("-")[1]) % 2 else "site-b"
    return json.dumps(data)


def test_every_metric_by_site_adds_up_to_the_trial(trial_json: str) -> None:
    trial = bv.Trial.from_json(with_sites(trial_json))
    assert [s["code"] for s in trial.sites] == ["site-a", "site-b"]
    assert trial.sites[0]["recruitment_opened_on"] == dt.date(2024, 1, 1)
    whole = trial.consort(AS_OF)
    parts = [trial.consort(AS_OF, site=s) for s in ("site-a", "site-b")]
    for key in ("approached", "assessed", "excluded", "randomised"):
        assert sum(p[key] for p in parts) == whole[key]
    dose = [sum(p["dose"]["numerator"] for p in trial.dose(AS_OF, site=s)) for s in ("site-a", "site-b")]
    assert sum(dose) == sum(p["dose"]["numerator"] for p in trial.dose(AS_OF))
    recruitment = trial.recruitment(AS_OF)
    assert [s["site"] for s in recruitment["sites"]] == ["site-a", "site-b"]
    assert sum(s["randomised"] for s in recruitment["sites"]) == whole["randomised"]
    # 2024-01 to 2025-03: 15 months at each site; site A's target 2 x 15 = 30.
    site_a = recruitment["sites"][0]
    assert site_a["months"] == 15
    assert site_a["against_target"] is not None and site_a["against_target"]["denominator"] == 30
    assert recruitment["sites"][1]["against_target"] is None
    with pytest.raises(bv.ValidationError):
        trial.consort(AS_OF, site="site-c")


def test_harms_from_the_case_bundles(no_case_json: str) -> None:
    case = bv.Case.from_json(no_case_json)
    data = json.loads(no_case_json)
    trial_id = data["family_partner"]["trial_id"]
    randomised = dt.date.fromisoformat(data["family_partner"]["family"]["allocation"]["on"])
    later = [r for r in data["referrals"] if dt.date.fromisoformat(r["received_at"][:10]) > randomised]
    harms = bv.trial_harms([case], trial_id, dt.date(2025, 10, 1))
    intervention = harms["arms"][0]
    assert (intervention["arm"], intervention["families"]) == ("intervention", 1)
    reports = next(h for h in intervention["harms"] if h["kind"] == "report_of_concern")
    assert reports["events"] == len(later) == 1
    # Follow-up from 2024-07-26 to 2025-10-01: 432 days = 14.193 family-months.
    assert harms["families"][0]["follow_up_days"] == 432
    assert reports["rate_per_family_month"] == pytest.approx(1 / (432 / 30.4375))
    assert harms["families"][0]["harms"][0] == {"kind": "report_of_concern", "on": dt.date(2025, 1, 10)}
    assert bv.trial_harms([case], "another-trial", dt.date(2025, 10, 1))["families"] == []


def test_the_default_programme_is_reachable(trial_json: str) -> None:
    programme = bv.default_programme()
    assert programme["id"] == "fampart"
    assert programme["caseload_cap"] == 5
    design = json.loads(trial_json)["design"]
    trial = bv.Trial.from_dict({"schema_version": "1.1", "trial_id": "t", "programme": programme, "design": design})
    assert trial.families == 0


def test_stratified_randomisation_at_a_ratio_through_a_trial(trial_json: str) -> None:
    """A trial stratified by site at 2:1 in blocks of 3: each site's blocks keep the ratio, the
    randomiser resumes from the trial and pickles with its place in every stratum."""
    import pickle

    design = {"randomisation": {"algorithm": "chacha20-v1", "block_sizes": [3],
                                "ratio": {"intervention": 2, "control": 1}, "strata": [{"factor": "site"}]},
              "waves": [{"month": 0, "opens_days_before": 0, "closes_days_after": 30}], "primary_wave": 0,
              "sites": [{"code": site, "name": f"office {site}", "jurisdiction": "NO", "municipality": "0301",
                         "recruitment_opened_on": "2025-01-01"} for site in ("site-a", "site-b")]}
    trial = bv.Trial.from_dict({"schema_version": "1.1", "trial_id": "strata", "programme": bv.default_programme(),
                                "design": design})
    families = [(f"f{i}", "site-a" if i % 2 else "site-b") for i in range(12)]
    for family, site in families:
        for change in ({"type": "approached", "on": "2025-01-02", "site": site},
                       {"type": "screened", "screening": {"on": "2025-01-03", "child_age_years": 5,
                                                          "receives_child_welfare_services": True}},
                       {"type": "consent_recorded", "consent": {"on": "2025-01-04", "given": True}}):
            trial.apply({"family": family, "change": change, "provenance": prov()})
    randomiser = bv.Randomiser.for_trial(99, trial)
    allocations = {}
    for family, _site in families[:7]:
        allocations[family] = trial.randomise(family, dt.date(2025, 1, 5), randomiser, prov())
    # A pickled randomiser, and one made again from the trial, continue the same sequences.
    copy = pickle.loads(pickle.dumps(randomiser))
    assert copy == randomiser == bv.Randomiser.for_trial(99, trial)
    for family, _site in families[7:]:
        allocations[family] = trial.randomise(family, dt.date(2025, 1, 5), randomiser, prov())
    assert [copy.assign(site)["arm"] for _, site in families[7:]] == [allocations[f]["arm"] for f, _ in families[7:]]
    for site in ("site-a", "site-b"):
        arms = [a["arm"] for f, a in allocations.items() if a["stratum"] == site]
        assert len(arms) == 6 and arms.count("intervention") == 4, (site, arms)
    assert [a["sequence"] for a in allocations.values()] == list(range(1, 13))
    with pytest.raises(bv.ValidationError):
        randomiser.assign()


def test_fidelity_per_phase(trial_json: str) -> None:
    # Worked out in crates/barnvern-familypartner/tests/hand_checked.rs: every delivered contact
    # covers "relationship" only, one of the establishing phase's two components.
    phases = {p["phase"]: p for p in bv.Trial.from_json(trial_json).fidelity(AS_OF)}
    establishing = phases["establishing"]
    assert (establishing["fidelity"]["numerator"], establishing["fidelity"]["denominator"]) == (3, 6)
    assert establishing["families"][0]["missing"] == ["goal_setting"]


def test_questionnaire_completeness_is_empty_without_questionnaires(trial_json: str) -> None:
    # The hand-checked trial records waves but no questionnaires; the Rust test
    # (tests/completeness.rs) counts the example family's forms by hand.
    assert bv.Trial.from_json(trial_json).questionnaire_completeness(AS_OF) == []


def test_acceptability_rated_by_families_and_the_interview_log(trial_json: str) -> None:
    """Parents of fam-01 and fam-03 (Family Partner) rate AIM at 3 months, fam-01's partner too;
    fam-02's parent (ordinary services) is invited to an interview, consents and is interviewed,
    fam-04's declines."""
    data = json.loads(trial_json)
    fams = {f["family"]: f for f in data["families"]}

    def aim(items: list[int], informant: str, on: str) -> dict[str, Any]:
        return {"instrument": "aim", "informant": informant, "completed_on": on,
                "responses": {f"aim{k + 1}": v for k, v in enumerate(items)}}

    for fam, forms in (("fam-01", [([4, 4, 3, 4], "parent"), ([5, 5, 4, 4], "staff")]),
                       ("fam-03", [([3, 3, 3, 3], "parent")])):
        wave = next(w for w in fams[fam]["waves"] if w["wave"] == 3)
        wave["questionnaires"] = [aim(items, who, wave["on"]) for items, who in forms]
    fams["fam-02"]["interviews"] = [{"informant": "parent", "invited_on": "2024-08-01",
                                     "consented_on": "2024-08-05", "interviewed_on": "2024-08-20"}]
    fams["fam-04"]["interviews"] = [{"informant": "parent", "invited_on": "2024-08-01",
                                     "ended": {"on": "2024-08-03", "reason": "no_time"}}]
    trial = bv.Trial.from_json(json.dumps(data))
    rows = trial.acceptability(AS_OF)
    parents = next(r for r in rows if r["informant"] == "parent")
    # Means 3.75 and 3.0: median 3.375, under the 3.5 benchmark; 1 of 2 at or above it.
    assert (parents["wave"], parents["arm"], parents["scored"]) == (3, "intervention", 2)
    assert parents["median"] == pytest.approx(3.375)
    assert parents["median_meets_benchmark"] is False
    at_or_above = parents["at_or_above_benchmark"]
    assert at_or_above is not None and at_or_above["numerator"] == 1
    staff = next(r for r in rows if r["informant"] == "staff")
    assert staff["median"] == pytest.approx(4.5)
    [control] = trial.interviews(AS_OF)
    assert control["site"] is None and control["arm"] == "control"
    assert (control["invited"], control["consented"]["numerator"], control["interviewed"]["numerator"]) == (2, 1, 1)
    assert control["declined"] == 1
    assert control["reasons"] == [{"reason": "no_time", "declined": 1, "withdrawn": 0}]
    assert control["interviewed"]["ci95"] is not None


def _has_the_keys_of(value: Any, shape: Any) -> None:
    """`value` holds every required key of the TypedDict `shape` and no key it does not name."""
    keys = set(value)
    assert shape.__required_keys__ <= keys, (shape.__name__, shape.__required_keys__ - keys)
    assert keys <= shape.__required_keys__ | shape.__optional_keys__, (shape.__name__, keys)


def test_metric_dicts_have_the_keys_their_typed_dicts_declare(trial_json: str, progression_json: str) -> None:
    """The stubs' TypedDicts are what a type checker trusts: each metric's dicts must hold
    exactly those keys (a renamed or added Rust field fails here, not in a user's notebook)."""
    from barnvern import trial_types as tt

    trial = bv.Trial.from_json(trial_json)
    flow = trial.consort(AS_OF)
    _has_the_keys_of(flow, tt.ConsortFlow)
    for arm in flow["arms"]:
        _has_the_keys_of(arm, tt.ArmFlow)
        for wave in arm["follow_up"]:
            _has_the_keys_of(wave, tt.WaveFollowUp)
    _has_the_keys_of(trial.adherence(AS_OF), tt.Ratio)
    produced: dict[Any, list[Any]] = {
        tt.ConsortRow: trial.consort_table(AS_OF),
        tt.Retention: trial.retention(AS_OF),
        tt.PhaseDose: trial.dose(AS_OF),
        tt.CaseloadPeriod: trial.caseload(AS_OF),
        tt.PhaseFidelity: trial.fidelity(AS_OF),
        tt.ProgressionResult: trial.progression(progression_json, AS_OF),
    }
    for shape, rows in produced.items():
        assert rows, f"the hand-checked trial gives {shape.__name__} rows"
        for row in rows:
            _has_the_keys_of(row, shape)
    for dose in trial.dose(AS_OF):
        for family in dose["families"]:
            _has_the_keys_of(family, tt.FamilyDose)
            _has_the_keys_of(family["dose"], tt.Ratio)
    for phase in trial.fidelity(AS_OF):
        for fam in phase["families"]:
            _has_the_keys_of(fam, tt.FamilyFidelity)
    for q in trial.questionnaire_completeness(AS_OF):
        _has_the_keys_of(q, tt.QuestionnaireCompleteness)
    for a in trial.acceptability(AS_OF):
        _has_the_keys_of(a, tt.Acceptability)
    for i in trial.interviews(AS_OF):
        _has_the_keys_of(i, tt.InterviewCounts)


def test_from_json_takes_str_or_bytes_and_from_dict_a_dict(trial_json: str) -> None:
    trial = bv.Trial.from_json(trial_json)
    assert bv.Trial.from_json(trial_json.encode("utf-8")) == trial
    assert bv.Trial.from_dict(json.loads(trial_json)) == trial
