//! Conversion both ways: research cases to one Arrow [`RecordBatch`] per table, and batches
//! back to research cases, losslessly.

use std::collections::HashMap;

use arrow_array::RecordBatch;
use barnvern_core::Jurisdiction;

use crate::columns::{TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use crate::spec::{TableSpec, tables};
use crate::tables::{self, Ctx, Sink, Staged};
use barnvern_research::case::ResearchCase;

/// One batch of one table.
pub type TableBatch = (&'static TableSpec, RecordBatch);

/// Writes into one unpartitioned writer per table.
struct Unpartitioned {
    writers: Vec<TableWriter>,
}

impl Sink for Unpartitioned {
    fn writer(&mut self, table: &'static str, _: Jurisdiction, _: i32) -> Result<&mut TableWriter> {
        self.writers
            .iter_mut()
            .find(|w| w.spec().name == table)
            .ok_or_else(|| Error::Schema {
                table: table.to_owned(),
                message: "no such table".to_owned(),
            })
    }
}

/// One batch per table (every table, in [`tables`] order, empty ones included) holding the
/// rows of `cases`, with the schema of the table's spec.
pub fn to_batches(cases: &[ResearchCase]) -> Result<Vec<TableBatch>> {
    let mut sink = Unpartitioned {
        writers: tables().iter().map(TableWriter::new).collect(),
    };
    for case in cases {
        tables::write_case(case, &mut sink)?;
    }
    sink.writers
        .iter_mut()
        .map(|w| Ok((w.spec(), w.finish()?)))
        .collect()
}

/// The research cases held by `batches` (any number of batches per table, in any order; a
/// table with no batch has no rows). Cases come in the order of the `cases` table's rows.
///
/// Fails with [`Error::Data`] when the rows do not fit together: a record of a case that is
/// not in `cases`, a case without its `children` row, a gap or repeat in a record's position,
/// a required value missing or a code unknown; with [`Error::Schema`] when a batch lacks a
/// column of its spec.
pub fn from_batches(batches: &[TableBatch]) -> Result<Vec<ResearchCase>> {
    let readers = |name: &'static str| -> Result<Vec<TableReader<'_>>> {
        let spec = tables::spec_of(name)?;
        batches
            .iter()
            .filter(|(s, _)| s.name == name)
            .map(|(_, b)| TableReader::new(spec, b))
            .collect()
    };

    let mut rows = Vec::new();
    for r in readers(tables::cases::NAME)? {
        tables::cases::read(&r, &mut rows)?;
    }
    let mut by_key = HashMap::with_capacity(rows.len());
    for (i, (row, c)) in rows.iter().enumerate() {
        if by_key.insert(c.case_key.as_str().to_owned(), i).is_some() {
            return Err(Error::data(
                cell_path(tables::cases::NAME, *row, "case_key"),
                "research.duplicate_case",
                "the case appears twice in the cases table",
            ));
        }
    }
    let ctx = Ctx { by_key };

    let mut children = Vec::new();
    for r in readers(tables::children::NAME)? {
        tables::children::read(&r, &ctx, &mut children)?;
    }
    let mut child_of: Vec<Option<barnvern_research::case::ResearchChild>> = vec![None; rows.len()];
    for (case, row, child) in children {
        let path = || cell_path(tables::children::NAME, row, "child_key");
        let slot = child_of
            .get_mut(case)
            .ok_or_else(|| Error::data(path(), "research.unknown_case", "no such case"))?;
        if slot.is_some() {
            return Err(Error::data(
                path(),
                "research.duplicate_case",
                "the case has two children rows",
            ));
        }
        if rows.get(case).map(|(_, c)| &c.child_key) != Some(&child.key) {
            return Err(Error::data(
                path(),
                "research.child_mismatch",
                "the child differs from the child of the case in the cases table",
            ));
        }
        *slot = Some(child);
    }

    let mut cases = Vec::with_capacity(rows.len());
    for ((row, c), child) in rows.into_iter().zip(child_of) {
        let child = child.ok_or_else(|| {
            Error::data(
                cell_path(tables::cases::NAME, row, "case_key"),
                "research.missing_child",
                "the case has no row in the children table",
            )
        })?;
        cases.push(ResearchCase {
            case_key: c.case_key,
            jurisdiction: c.jurisdiction,
            municipality: c.municipality,
            opened_on: c.opened_on,
            child,
            people: Vec::new(),
            referrals: Vec::new(),
            protection_assessments: Vec::new(),
            screenings: Vec::new(),
            investigations: Vec::new(),
            decisions: Vec::new(),
            follow_ups: Vec::new(),
            closures: Vec::new(),
            deadlines_as_of: c.deadlines_as_of,
            deadlines: Vec::new(),
            interventions: Vec::new(),
            plans: Vec::new(),
            meetings: Vec::new(),
            family_partner: None,
            board_referrals: Vec::new(),
            moves: Vec::new(),
        });
    }

    macro_rules! read_into {
        ($module:ident, $pick:ident) => {{
            let mut staged = Staged::new(tables::$module::NAME);
            for r in readers(tables::$module::NAME)? {
                tables::$module::read(&r, &ctx, &mut staged)?;
            }
            staged.assemble(&mut cases, $pick)?;
        }};
    }

    read_into!(people, pick_people);
    read_into!(referrals, pick_referrals);
    read_into!(referral_reasons, pick_reasons);
    read_into!(violence_exposures, pick_violence);
    read_into!(protection_assessments, pick_assessments);
    read_into!(screenings, pick_screenings);
    read_into!(investigations, pick_investigations);
    read_into!(investigation_extensions, pick_extensions);
    read_into!(child_participation, pick_participation);
    read_into!(risk_assessments, pick_risk_assessments);
    read_into!(decision_grounds, pick_grounds);
    let mut applications = Vec::new();
    for r in readers(tables::extension_applications::NAME)? {
        tables::extension_applications::read(&r, &ctx, &mut applications)?;
    }
    for c in &mut cases {
        for inv in &mut c.investigations {
            inv.extension_applications = vec![None; inv.extensions.len()];
        }
    }
    for (case, inv, ext, row, a) in applications {
        let slot = cases
            .get_mut(case)
            .and_then(|c| c.investigations.get_mut(usize::try_from(inv).ok()?))
            .and_then(|i| i.extension_applications.get_mut(usize::try_from(ext).ok()?));
        match slot {
            Some(slot @ None) => *slot = Some(a),
            _ => {
                return Err(Error::data(
                    cell_path(tables::extension_applications::NAME, row, "extension_index"),
                    "research.unknown_parent",
                    "the application belongs to no extension in investigation_extensions, or \
                     the extension has two",
                ));
            }
        }
    }
    read_into!(decisions, pick_decisions);
    read_into!(decision_status, pick_status);
    read_into!(decision_claims, pick_claims);
    let mut ends = Vec::new();
    for r in readers(tables::decision_ends::NAME)? {
        tables::decision_ends::read(&r, &ctx, &mut ends)?;
    }
    for (case, decision, row, end) in ends {
        let slot = cases
            .get_mut(case)
            .and_then(|c| c.decisions.get_mut(usize::try_from(decision).ok()?))
            .map(|d| &mut d.ended_on);
        match slot {
            Some(slot @ None) => *slot = Some(end),
            _ => {
                return Err(Error::data(
                    cell_path(tables::decision_ends::NAME, row, "decision_index"),
                    "research.unknown_parent",
                    "the end belongs to no decision in decisions, or the decision has two",
                ));
            }
        }
    }
    read_into!(board_referrals, pick_board_referrals);
    read_into!(moves, pick_moves);
    read_into!(follow_ups, pick_follow_ups);
    {
        // One table, two parents: the stage column says which.
        let name = tables::violence_disclosures::NAME;
        let mut by_investigation = Staged::new(name);
        let mut by_follow_up = Staged::new(name);
        for r in readers(name)? {
            tables::violence_disclosures::read(&r, &ctx, &mut by_investigation, &mut by_follow_up)?;
        }
        by_investigation.assemble(&mut cases, pick_investigation_violence)?;
        by_follow_up.assemble(&mut cases, pick_follow_up_violence)?;
    }
    let mut aftercare = Vec::new();
    for r in readers(tables::aftercare_conclusions::NAME)? {
        tables::aftercare_conclusions::read(&r, &ctx, &mut aftercare)?;
    }
    for (case, f, row, a) in aftercare {
        let slot = cases
            .get_mut(case)
            .and_then(|c| c.follow_ups.get_mut(usize::try_from(f).ok()?))
            .map(|f| &mut f.aftercare);
        match slot {
            Some(slot @ None) => *slot = Some(a),
            _ => {
                return Err(Error::data(
                    cell_path(tables::aftercare_conclusions::NAME, row, "follow_up_index"),
                    "research.unknown_parent",
                    "the conclusion belongs to no follow-up in follow_ups, or the follow-up has two",
                ));
            }
        }
    }
    read_into!(closures, pick_closures);
    read_into!(deadlines, pick_deadlines);
    read_into!(interventions, pick_interventions);
    read_into!(intervention_evaluations, pick_intervention_evaluations);
    read_visits(&readers, &ctx, &mut cases)?;
    read_into!(plans, pick_plans);
    read_into!(plan_evaluations, pick_plan_evaluations);
    read_into!(meetings, pick_meetings);
    read_into!(meeting_agencies, pick_meeting_agencies);

    let mut families = Vec::new();
    for r in readers(tables::fp_enrolments::NAME)? {
        tables::fp_enrolments::read(&r, &ctx, &mut families)?;
    }
    for (case, row, family) in families {
        let slot = cases.get_mut(case).map(|c| &mut c.family_partner);
        match slot {
            Some(slot @ None) => *slot = Some(family),
            _ => {
                return Err(Error::data(
                    cell_path(tables::fp_enrolments::NAME, row, "case_key"),
                    "research.duplicate_family",
                    "the case has two family records",
                ));
            }
        }
    }
    read_into!(fp_contacts, pick_fp_contacts);
    read_into!(fp_contact_components, pick_fp_components);
    read_into!(fp_guidance_sessions, pick_fp_guidance);
    read_into!(fp_coordination, pick_fp_coordination);
    read_into!(fp_coordination_agencies, pick_fp_coordination_agencies);
    read_into!(fp_goals, pick_fp_goals);
    read_into!(fp_goal_reviews, pick_fp_goal_reviews);
    read_into!(fp_interviews, pick_fp_interviews);
    read_into!(waves, pick_waves);
    read_into!(questionnaires, pick_questionnaires);
    read_into!(item_responses, pick_items);
    read_into!(scores, pick_scores);
    let mut costs = Vec::new();
    for r in readers(tables::costs::NAME)? {
        tables::costs::read(&r, &ctx, &mut costs)?;
    }
    for (case, row, x) in costs {
        match cases.get_mut(case).and_then(|c| c.family_partner.as_mut()) {
            Some(f) if f.costs.is_none() => f.costs = Some(x),
            _ => {
                return Err(Error::data(
                    cell_path(tables::costs::NAME, row, "case_key"),
                    "research.unknown_parent",
                    "the costs row has no family in fp_enrolments, or the family has two",
                ));
            }
        }
    }
    Ok(cases)
}

/// Puts `item` at position `index` of `list`, which must be the next position.
fn place<T>(list: &mut Vec<T>, index: u32, item: T, table: &str, row: usize) -> Result<()> {
    if usize::try_from(index).ok() != Some(list.len()) {
        return Err(Error::data(
            cell_path(table, row, ""),
            "research.index",
            format!(
                "position {index} does not follow the {} earlier records (a gap or a repeat)",
                list.len()
            ),
        ));
    }
    list.push(item);
    Ok(())
}

/// The supervision or follow-up visits of intervention `iv` of case `case`.
fn visits_slot(
    cases: &mut [ResearchCase],
    case: usize,
    iv: u32,
    kind: barnvern_intervention::visits::VisitKind,
) -> Option<&mut Option<ResearchVisits>> {
    use barnvern_intervention::visits::VisitKind;
    let iv = cases
        .get_mut(case)?
        .interventions
        .get_mut(usize::try_from(iv).ok()?)?;
    Some(match kind {
        VisitKind::Supervision => &mut iv.supervision,
        VisitKind::FollowUp => &mut iv.follow_up_visits,
    })
}

/// Supervision and follow-up visits of placements: frequencies (which make the record),
/// responsible municipalities and visits, from their three tables.
fn read_visits<'a>(
    readers: &dyn Fn(&'static str) -> Result<Vec<TableReader<'a>>>,
    ctx: &Ctx,
    cases: &mut [ResearchCase],
) -> Result<()> {
    use barnvern_intervention::visits::VisitKind;
    let orphan = |table: &str, row: usize| {
        Error::data(
            cell_path(table, row, "intervention_index"),
            "research.unknown_parent",
            "the row belongs to no placement with visit frequencies",
        )
    };
    let mut freqs = Vec::new();
    for r in readers(tables::placement_visit_frequencies::NAME)? {
        tables::placement_visit_frequencies::read(&r, ctx, &mut freqs)?;
    }
    freqs.sort_by_key(|(c, iv, k, i, _, _)| (*c, *iv, *k, *i));
    for (case, iv, kind, i, row, f) in freqs {
        let table = tables::placement_visit_frequencies::NAME;
        let v = visits_slot(cases, case, iv, kind).ok_or_else(|| orphan(table, row))?;
        let v = v.get_or_insert_with(|| ResearchVisits {
            responsible: Vec::new(),
            frequency: Vec::new(),
            visits: Vec::new(),
        });
        place(&mut v.frequency, i, f, table, row)?;
    }
    let mut resp = Vec::new();
    for r in readers(tables::supervision_responsibility::NAME)? {
        tables::supervision_responsibility::read(&r, ctx, &mut resp)?;
    }
    resp.sort_by_key(|(c, iv, i, _, _)| (*c, *iv, *i));
    for (case, iv, i, row, x) in resp {
        let table = tables::supervision_responsibility::NAME;
        let v = visits_slot(cases, case, iv, VisitKind::Supervision)
            .and_then(Option::as_mut)
            .ok_or_else(|| orphan(table, row))?;
        place(&mut v.responsible, i, x, table, row)?;
    }
    let mut visits = Vec::new();
    for r in readers(tables::placement_visits::NAME)? {
        tables::placement_visits::read(&r, ctx, &mut visits)?;
    }
    visits.sort_by_key(|(c, iv, k, i, _, _)| (*c, *iv, *k, *i));
    for (case, iv, kind, i, row, on) in visits {
        let table = tables::placement_visits::NAME;
        let v = visits_slot(cases, case, iv, kind)
            .and_then(Option::as_mut)
            .ok_or_else(|| orphan(table, row))?;
        place(&mut v.visits, i, on, table, row)?;
    }
    Ok(())
}

/// Where the records of a top-level table go.
macro_rules! top {
    ($name:ident, $field:ident, $t:ty) => {
        fn $name(c: &mut ResearchCase, _: u32) -> Option<&mut Vec<$t>> {
            Some(&mut c.$field)
        }
    };
}

/// Where the records of a nested table go: into the parent record at position `p`.
macro_rules! nested {
    ($name:ident, $parent:ident, $field:ident, $t:ty) => {
        fn $name(c: &mut ResearchCase, p: u32) -> Option<&mut Vec<$t>> {
            c.$parent
                .get_mut(usize::try_from(p).ok()?)
                .map(|x| &mut x.$field)
        }
    };
}

use barnvern_research::case::*;
top!(pick_people, people, ResearchPerson);
top!(pick_referrals, referrals, ResearchReferral);
nested!(
    pick_reasons,
    referrals,
    reasons,
    barnvern_core::codelist::SourceCode
);
nested!(pick_violence, referrals, violence, ResearchViolence);
nested!(
    pick_investigation_violence,
    investigations,
    violence,
    ResearchDisclosure
);
nested!(
    pick_follow_up_violence,
    follow_ups,
    violence,
    ResearchDisclosure
);
nested!(
    pick_risk_assessments,
    investigations,
    risk_assessments,
    ResearchRiskAssessment
);
top!(pick_assessments, protection_assessments, ResearchAssessment);
top!(pick_screenings, screenings, ResearchScreening);
top!(pick_investigations, investigations, ResearchInvestigation);
nested!(
    pick_extensions,
    investigations,
    extensions,
    ResearchExtension
);
nested!(
    pick_participation,
    investigations,
    child_participation,
    ResearchCoded<barnvern_case::investigation::ChildParticipation>
);
top!(pick_decisions, decisions, ResearchDecision);
nested!(pick_status, decisions, status_history, ResearchStatusChange);
nested!(pick_claims, decisions, claims, ResearchClaim);
nested!(
    pick_grounds,
    investigations,
    decision_grounds,
    ResearchGround
);
top!(pick_board_referrals, board_referrals, ResearchBoardReferral);
top!(pick_moves, moves, ResearchMove);
top!(pick_follow_ups, follow_ups, ResearchFollowUp);
top!(pick_closures, closures, ResearchClosure);
top!(pick_deadlines, deadlines, ResearchDeadline);
top!(pick_interventions, interventions, ResearchIntervention);
nested!(
    pick_intervention_evaluations,
    interventions,
    evaluations,
    ResearchEvaluation
);
top!(pick_plans, plans, ResearchPlan);
nested!(
    pick_plan_evaluations,
    plans,
    evaluations,
    ResearchPlanEvaluation
);
top!(pick_meetings, meetings, ResearchMeeting);
nested!(
    pick_meeting_agencies,
    meetings,
    agencies,
    ResearchCoded<barnvern_intervention::meeting::Agency>
);

/// Where the records of a Family Partner table go: into the case's family.
macro_rules! family {
    ($name:ident, $field:ident, $t:ty) => {
        fn $name(c: &mut ResearchCase, _: u32) -> Option<&mut Vec<$t>> {
            c.family_partner.as_mut().map(|f| &mut f.$field)
        }
    };
}

use barnvern_research::family::*;
family!(pick_fp_contacts, contacts, ResearchContact);
family!(pick_fp_guidance, guidance_sessions, ResearchGuidanceSession);
family!(pick_fp_coordination, coordination, ResearchCoordination);
family!(pick_fp_goals, goals, ResearchGoal);
family!(pick_fp_interviews, interviews, ResearchInterview);
family!(pick_waves, waves, ResearchWave);

fn pick_fp_components(c: &mut ResearchCase, p: u32) -> Option<&mut Vec<String>> {
    c.family_partner
        .as_mut()?
        .contacts
        .get_mut(usize::try_from(p).ok()?)
        .map(|x| &mut x.components)
}

fn pick_fp_coordination_agencies(
    c: &mut ResearchCase,
    p: u32,
) -> Option<&mut Vec<ResearchCoded<barnvern_intervention::meeting::Agency>>> {
    c.family_partner
        .as_mut()?
        .coordination
        .get_mut(usize::try_from(p).ok()?)
        .map(|x| &mut x.agencies)
}

fn pick_fp_goal_reviews(c: &mut ResearchCase, p: u32) -> Option<&mut Vec<ResearchGoalReview>> {
    c.family_partner
        .as_mut()?
        .goals
        .get_mut(usize::try_from(p).ok()?)
        .map(|g| &mut g.reviews)
}
family!(pick_questionnaires, questionnaires, ResearchQuestionnaire);
family!(pick_scores, scores, ResearchScore);

fn pick_items(c: &mut ResearchCase, p: u32) -> Option<&mut Vec<ResearchItem>> {
    c.family_partner
        .as_mut()?
        .questionnaires
        .get_mut(usize::try_from(p).ok()?)
        .map(|q| &mut q.responses)
}
