//! The built-in instruments: definition files in `data/`, compiled into the crate and checked on
//! first use exactly like a user's file.

use std::sync::OnceLock;

use crate::instrument::Instrument;

/// The shipped definition files, by id.
const FILES: [(&str, &str); 9] = [
    ("sdq-p-4-17", include_str!("../data/sdq-p-4-17.json")),
    ("sdq-p-2-4", include_str!("../data/sdq-p-2-4.json")),
    ("sdq-t-4-17", include_str!("../data/sdq-t-4-17.json")),
    ("sdq-s-11-17", include_str!("../data/sdq-s-11-17.json")),
    ("swemwbs", include_str!("../data/swemwbs.json")),
    ("wemwbs", include_str!("../data/wemwbs.json")),
    ("aim", include_str!("../data/aim.json")),
    ("iam", include_str!("../data/iam.json")),
    ("fim", include_str!("../data/fim.json")),
];

fn loaded() -> &'static [Option<Instrument>] {
    static LOADED: OnceLock<Vec<Option<Instrument>>> = OnceLock::new();
    // A file that failed its checks would be left out rather than panic; the tests below prove
    // every shipped file loads.
    LOADED.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, text)| Instrument::from_json(text).ok())
            .collect()
    })
}

/// The ids of the built-in instruments: `sdq-p-4-17`, `sdq-p-2-4`, `sdq-t-4-17`, `sdq-s-11-17`,
/// `swemwbs`, `wemwbs`, `aim`, `iam`, `fim`.
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(id, _)| *id)
}

/// The built-in instrument `id`, if there is one.
pub fn builtin(id: &str) -> Option<&'static Instrument> {
    let index = FILES.iter().position(|(name, _)| *name == id)?;
    loaded().get(index)?.as_ref()
}

/// The shipped definition file of `id` as JSON text, to copy as the start of a user's own.
pub fn builtin_json(id: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(name, _)| *name == id)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_parses_and_passes_its_checks() {
        for (id, text) in FILES {
            let instrument = Instrument::from_json(text).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(instrument.id(), id);
            assert!(builtin(id).is_some());
        }
        assert_eq!(builtin_ids().count(), 9);
        assert!(builtin("cbcl").is_none());
    }

    #[test]
    fn sdq_p_2_4_scores_like_the_4_17_form_and_marks_every_band_unverified() {
        let young = builtin("sdq-p-2-4").unwrap();
        let old = builtin("sdq-p-4-17").unwrap();
        assert_eq!(young.def().age_range.map(|a| (a.min, a.max)), Some((2, 4)));
        assert!(
            young
                .def()
                .notice
                .as_deref()
                .unwrap_or("")
                .contains("Unverified")
        );
        // Same items, scales and keys as data; every band table unverified.
        let names = |i: &Instrument| {
            i.def()
                .items
                .iter()
                .map(|x| x.name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(young), names(old));
        assert_eq!(young.def().reverse_keyed, old.def().reverse_keyed);
        assert!(!young.def().band_tables.is_empty());
        assert!(young.def().band_tables.iter().all(|t| !t.verified));
        // Scored as the 4-17 form: emotional 2+1+1 over 3 items = 6.67 -> 7.
        let r =
            crate::Responses::from_json(r#"{"somatic": 2, "worries": 1, "unhappy": 1}"#).unwrap();
        let options = crate::ScoreOptions {
            age: Some(3),
            ..crate::ScoreOptions::default()
        };
        let s = crate::score(young, &r, &options).unwrap();
        assert_eq!(s.value("emotional"), Some(7.0));
        // The band is given, and says it is unverified.
        let band = s.get("emotional").and_then(|x| x.band.as_ref()).unwrap();
        assert!(!band.verified);
    }

    #[test]
    fn sdq_files_mark_self_report_and_impact_bands_unverified() {
        for id in ["sdq-p-4-17", "sdq-t-4-17", "sdq-s-11-17"] {
            for table in &builtin(id).unwrap().def().band_tables {
                let expected = id != "sdq-s-11-17" && table.score.as_str() != "impact";
                assert_eq!(table.verified, expected, "{id} {}", table.score);
            }
        }
    }
}
