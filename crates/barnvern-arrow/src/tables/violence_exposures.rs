//! `violence_exposures`: violence the child was exposed to, as recorded on each referral.

use barnvern_case::violence::{ExposureMode, Relation, ViolenceForm};
use barnvern_core::codelist::SourceCode;
use chrono::NaiveDate;

use arrow_array::{BooleanArray, Int32Array, StringArray};

use super::{Ctx, Sink, SourceCols, Staged, declare};
use crate::columns::{Col, DictCol, TableReader, TableWriter, cell_path};
use crate::error::{Error, Result};
use barnvern_research::pseudonym::Pseudonym;
use barnvern_research::case::{PersonLink, ResearchCase, ResearchViolence};
use crate::spec::{
    ColumnType as T, FieldSpec, Range, Sensitivity as S, code, f, opt, opt_code, source_fields,
};

table! {
    name: "violence_exposures",
    grain: "one row per violence exposure recorded on a referral",
    description: "Violence the child is reported to be exposed to: form, direct or witnessed, perpetrator and victim.",
    year: received_on,
    key: [case_key, referral_index, exposure_index],
    columns: {
        referral_index: u32 = "Position of the referral in the case (joins referrals.referral_index).",
        exposure_index: u32 = "Position of the exposure on the referral (0, 1, ...).",
        received_on: NaiveDate = "Local date the referral was received (its year is the partition year).",
        exposure: ResearchViolence = "",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, r) in c.referrals.iter().enumerate() {
        let received_on = r.received_on();
        for (j, v) in r.violence.iter().enumerate() {
            put(
                sink,
                Row {
                    case: c,
                    referral_index: declare::pos(i),
                    exposure_index: declare::pos(j),
                    received_on,
                    exposure: v,
                },
            )?;
        }
    }
    Ok(())
}

pub(crate) fn read(r: &TableReader, ctx: &Ctx, out: &mut Staged<ResearchViolence>) -> Result<()> {
    read_rows(r, ctx, |x| {
        out.push(x.case, x.referral_index, x.exposure_index, x.row, x.exposure);
        Ok(())
    })
}

/// The exposure columns of [`exposure_fields`] (their names are fixed: the field's own name is
/// not used).
impl declare::Column for ResearchViolence {
    type In<'a> = &'a ResearchViolence;
    type Reader<'a> = ExposureCols<'a>;
    fn fields(_: &str, _: &str, _: Option<S>, _: Option<Range>) -> Vec<FieldSpec> {
        exposure_fields()
    }
    fn put(w: &mut TableWriter, v: &ResearchViolence) {
        put_exposure(w, v);
    }
    fn reader<'a>(r: &TableReader<'a>, _: &'static str) -> Result<ExposureCols<'a>> {
        ExposureCols::new(r, r.table())
    }
    fn get(r: &ExposureCols<'_>, row: usize) -> Result<ResearchViolence> {
        r.get(row)
    }
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
    use declare::Column;
    let perpetrator = v.perpetrator.as_ref();
    ViolenceForm::put(w, v.form);
    ExposureMode::put(w, v.mode);
    Option::<Relation>::put(w, v.perpetrator_relation);
    Option::<u32>::put(w, perpetrator.map(|p| p.person_index));
    Option::<Pseudonym>::put(w, perpetrator.and_then(|p| p.key.as_ref()));
    Option::<Relation>::put(w, v.victim);
    Option::<SourceCode>::put(w, v.source.as_ref());
    bool::put(w, v.has_text);
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
