//! `meetings`: coordination meetings (SE samordningsmöte, NO samarbeidsmøte).

use barnvern_intervention::meeting::MeetingType;
use chrono::Datelike;

use super::{
    CaseCol, CodedCols, Ctx, ProvCols, Sink, Staged, coded_names, put_case, put_coded,
    put_provenance,
};
use crate::columns::TableReader;
use crate::error::Result;
use crate::research::{ResearchCase, ResearchMeeting};
use crate::spec::{
    ColumnType as T, Sensitivity as S, TableSpec, case_fields, coded_fields, f, opt,
    provenance_fields,
};

pub(crate) const NAME: &str = "meetings";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "meeting_index",
            T::Int32,
            S::Index,
            "Position of the meeting in the case (0, 1, ...).",
        ),
        f(
            "held_on",
            T::Date32,
            S::Date,
            "Date of the meeting (its year is the partition year).",
        ),
    ]);
    fields.extend(coded_fields::<MeetingType>(
        "meeting_type",
        "the meeting type (SIP, responsibility group, cooperation, network)",
        false,
    ));
    fields.extend([
        f(
            "child_took_part",
            T::Bool,
            S::Flag,
            "Whether the child took part.",
        ),
        f(
            "carers_took_part",
            T::Bool,
            S::Flag,
            "Whether carers took part.",
        ),
        opt(
            "plan_index",
            T::Int32,
            S::Index,
            "Position of the plan the meeting concerns (joins plans.plan_index).",
        ),
    ]);
    fields.extend(provenance_fields());
    TableSpec::new(
        NAME,
        "one row per coordination meeting",
        "Coordination meetings: type, who took part and the plan concerned. The agencies present are in meeting_agencies.",
        "held_on",
        vec!["case_key", "meeting_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, m) in c.meetings.iter().enumerate() {
        let w = sink.writer(NAME, c.jurisdiction, m.held_on.year())?;
        put_case(w, c);
        w.u32("meeting_index", u32::try_from(i).ok())
            .date("held_on", Some(m.held_on));
        put_coded(w, coded_names!("meeting_type"), Some(&m.meeting_type));
        w.bool("child_took_part", Some(m.child_took_part))
            .bool("carers_took_part", Some(m.carers_took_part))
            .u32("plan_index", m.plan_index);
        put_provenance(w, &m.provenance);
        w.end_row()?;
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchMeeting>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let index = r.i32("meeting_index")?;
    let held = r.date("held_on")?;
    let kind = CodedCols::new(r, coded_names!("meeting_type"))?;
    let child = r.bool("child_took_part")?;
    let carers = r.bool("carers_took_part")?;
    let plan = r.i32("plan_index")?;
    let prov = ProvCols::new(r)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            0,
            index.req_index(row)?,
            row,
            ResearchMeeting {
                held_on: held.req(row)?,
                meeting_type: kind.req(row)?,
                agencies: Vec::new(),
                child_took_part: child.req(row)?,
                carers_took_part: carers.req(row)?,
                plan_index: plan.index(row)?,
                provenance: prov.get(row)?,
            },
        );
    }
    Ok(())
}
