//! `extension_applications`: the application behind each extension of an investigation
//! deadline, where recorded (NO SSB `UtvidetFrist`: received on, granted or not).

use chrono::NaiveDate;

use super::{Ctx, Sink, declare};
use crate::columns::TableReader;
use crate::error::Result;
use barnvern_research::case::{ResearchCase, ResearchExtensionApplication};

table! {
    name: "extension_applications",
    grain: "one row per extension whose application is recorded",
    description: "Applications for extending the investigation deadline (NO utvidet frist, bvl. § 2-2): when received, and whether granted.",
    year: decided_on,
    key: [case_key, investigation_index, extension_index],
    columns: {
        investigation_index: u32 = "Position of the investigation in the case (joins investigations.investigation_index).",
        extension_index: u32 = "Position of the extension on the investigation (joins investigation_extensions.extension_index).",
        decided_on: NaiveDate = "Date of the extension decision (its year is the partition year).",
        applied_on: Option<NaiveDate> = "When the application for the extension was received (SSB UtvidetFrist/@StartDato).",
        granted: Option<bool> = "Whether it was granted (SSB UtvidetFrist/@Innvilget 1 yes, 2 no); null when not recorded. A refused application extends nothing.",
    }
}

pub(crate) fn write(c: &ResearchCase, sink: &mut dyn Sink) -> Result<()> {
    for (i, inv) in c.investigations.iter().enumerate() {
        let extensions = inv.extensions.iter().zip(&inv.extension_applications);
        for (j, (e, a)) in extensions.enumerate() {
            let Some(a) = a else {
                continue;
            };
            put(
                sink,
                Row {
                    case: c,
                    investigation_index: declare::pos(i),
                    extension_index: declare::pos(j),
                    decided_on: e.decided_on,
                    applied_on: a.applied_on,
                    granted: a.granted,
                },
            )?;
        }
    }
    Ok(())
}

/// Each application with its case, investigation and extension position.
pub(crate) fn read(
    r: &TableReader,
    ctx: &Ctx,
    out: &mut Vec<(usize, u32, u32, usize, ResearchExtensionApplication)>,
) -> Result<()> {
    read_rows(r, ctx, |x| {
        let application = ResearchExtensionApplication {
            applied_on: x.applied_on,
            granted: x.granted,
        };
        out.push((x.case, x.investigation_index, x.extension_index, x.row, application));
        Ok(())
    })
}
