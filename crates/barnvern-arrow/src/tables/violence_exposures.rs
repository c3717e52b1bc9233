//! `violence_exposures`: violence the child was exposed to, as recorded on each referral.

use barnvern_case::violence::{ExposureMode, Relation, ViolenceForm};
use chrono::Datelike;

use arrow_array::{BooleanArray, Int32Array, StringArray};

use super::{CaseCol, Ctx, Sink, SourceCols, Staged, put_case, put_source};
use crate::columns::{Col, DictCol, TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use crate::pseudonym::Pseudonym;
use crate::research::{PersonLink, ResearchCase, ResearchViolence};
use crate::spec::{
    ColumnType as T, FieldSpec, Sensitivity as S, TableSpec, case_fields, code, f, opt, opt_code,
    source_fields,
};

pub(crate) const NAME: &str = "violence_exposures";

pub(crate) fn spec() -> TableSpec {
    let mut fields = case_fields();
    fields.extend([
        f(
            "referral_index",
            T::Int32,
            S::Index,
            "Position of the referral in the case (joins referrals.referral_index).",
        ),
        f(
            "exposure_index",
            T::Int32,
            S::Index,
            "Position of the exposure on the referral (0, 1, ...).",
        ),
        f(
            "received_on",
            T::Date32,
            S::Date,
            "Local date the referral was received (its year is the partition year).",
        ),
    ]);
    fields.extend(exposure_fields());
    TableSpec::new(
        NAME,
        "one row per violence exposure recorded on a referral",
        "Violence the child is reported to be exposed to: form, direct or witnessed, perpetrator and victim.",
        "received_on",
        vec!["case_key", "referral_index", "exposure_index"],
        fields,
    )
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, r) in c.referrals.iter().enumerate() {
        let received_on = r.received_on();
        for (j, v) in r.violence.iter().enumerate() {
            let w = sink.writer(NAME, c.jurisdiction, received_on.year())?;
            put_case(w, c);
            w.u32("referral_index", u32::try_from(i).ok())
                .u32("exposure_index", u32::try_from(j).ok())
                .date("received_on", Some(received_on));
            put_exposure(w, v);
            w.end_row()?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchViolence>) -> Result<()> {
    let case = CaseCol::new(r, NAME)?;
    let referral = r.i32("referral_index")?;
    let index = r.i32("exposure_index")?;
    let exposure = ExposureCols::new(r, NAME)?;
    for row in 0..r.rows() {
        out.push(
            case.case(ctx, row)?,
            referral.req_index(row)?,
            index.req_index(row)?,
            row,
            exposure.get(row)?,
        );
    }
    Ok(())
}

/// The columns of one violence exposure, shared with `violence_disclosures`: form, mode,
/// perpetrator (relation, person, pseudonym), victim, source code, whether text was recorded.
pub(crate) fn exposure_fields() -> Vec<FieldSpec> {
    let mut fields = vec![
        code::<ViolenceForm>("form", "Form of violence (SE våldsform, NO voldsform)."),
        code::<ExposureMode>(
            "mode",
            "Directed at the child (direct) or witnessed (SE bevittnat våld, NO vitne til vold).",
        ),
        opt_code::<Relation>(
            "perpetrator_relation",
            "How the perpetrator is related to the child.",
        ),
        opt(
            "perpetrator_person_index",
            T::Int32,
            S::Index,
            "The perpetrator's position among the case's people (joins people.person_index); null when not among them.",
        ),
        opt(
            "perpetrator_key",
            T::Utf8,
            S::Pseudonym,
            "Pseudonym of the perpetrator, where they are among the case's people and identified.",
        ),
        opt_code::<Relation>(
            "victim",
            "Who the violence was directed at, when the child witnessed it.",
        ),
    ];
    fields.extend(source_fields("violence_", "the exposure"));
    fields.push(f(
        "has_text",
        T::Bool,
        S::Flag,
        "Whether free text was recorded (never exported).",
    ));
    fields
}

/// Writes the columns of [`exposure_fields`].
pub(crate) fn put_exposure(w: &mut TableWriter, v: &ResearchViolence) {
    w.code("form", Some(v.form))
        .code("mode", Some(v.mode))
        .code("perpetrator_relation", v.perpetrator_relation)
        .u32(
            "perpetrator_person_index",
            v.perpetrator.as_ref().map(|p| p.person_index),
        )
        .utf8(
            "perpetrator_key",
            v.perpetrator
                .as_ref()
                .and_then(|p| p.key.as_ref())
                .map(Pseudonym::as_str),
        )
        .code("victim", v.victim);
    put_source(
        w,
        ["violence_source_system", "violence_source_code"],
        v.source.as_ref(),
    );
    w.bool("has_text", Some(v.has_text));
}

/// Reads the columns of [`exposure_fields`].
pub(crate) struct ExposureCols<'a> {
    table: &'static str,
    form: DictCol<'a>,
    mode: DictCol<'a>,
    relation: DictCol<'a>,
    person: Col<'a, Int32Array>,
    key: Col<'a, StringArray>,
    victim: DictCol<'a>,
    source: SourceCols<'a>,
    text: Col<'a, BooleanArray>,
}

impl<'a> ExposureCols<'a> {
    pub(crate) fn new(r: &TableReader<'a>, table: &'static str) -> Result<Self> {
        Ok(ExposureCols {
            table,
            form: r.dict("form")?,
            mode: r.dict("mode")?,
            relation: r.dict("perpetrator_relation")?,
            person: r.i32("perpetrator_person_index")?,
            key: r.utf8("perpetrator_key")?,
            victim: r.dict("victim")?,
            source: SourceCols::new(r, ["violence_source_system", "violence_source_code"])?,
            text: r.bool("has_text")?,
        })
    }

    pub(crate) fn get(&self, row: usize) -> Result<ResearchViolence> {
        let key = self.key.parse(row, Pseudonym::new)?;
        let perpetrator = match (self.person.index(row)?, key) {
            (Some(person_index), key) => Some(PersonLink { person_index, key }),
            (None, None) => None,
            (None, Some(_)) => {
                return Err(Error::data(
                    cell_path(self.table, row, "perpetrator_person_index"),
                    "research.null",
                    "a perpetrator key needs the perpetrator's person index",
                ));
            }
        };
        Ok(ResearchViolence {
            form: self.form.req_code(row)?,
            mode: self.mode.req_code(row)?,
            perpetrator_relation: self.relation.code(row)?,
            perpetrator,
            victim: self.victim.code(row)?,
            source: self.source.get(row)?,
            has_text: self.text.req(row)?,
        })
    }
}
