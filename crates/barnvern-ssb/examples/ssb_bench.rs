//! Benchmark: a synthetic cohort of N children (default 100 000) exported to SSB XML v4 (one
//! file per case, as v4 has one Sak per file) and imported back; prints cases per second each
//! way. Peak memory: run under `/usr/bin/time -v`.
//!
//! ```text
//! cargo run --release -p barnvern-ssb --example ssb_bench -- 100000 /tmp/ssb-bench
//! ```
//!
//! The cases are examples/no-case.json cloned and varied (case id, child's synthetic identity
//! number and birth date, dates shifted), so every one is a valid bundle.

use std::path::PathBuf;
use std::time::Instant;

use barnvern_case::{Case, CaseData};
use barnvern_core::{Jurisdiction, PersonId, PersonIdentity};
use barnvern_ssb::{read_file, write_case};

/// A Tenor-style synthetic Norwegian number (month + 80) for birth date `day` after 2010-01-01,
/// with valid check digits.
fn synthetic_number(i: usize) -> Option<String> {
    let birth = chrono::NaiveDate::from_ymd_opt(2010, 1, 1)?
        .checked_add_days(chrono::Days::new((i % 4000) as u64))?;
    use chrono::Datelike;
    for individual in (500 + (i / 4000) % 400)..1000 {
        let base = format!(
            "{:02}{:02}{:02}{:03}",
            birth.day(),
            birth.month() + 80,
            birth.year() % 100,
            individual
        );
        let d: Vec<u32> = base.bytes().map(|b| u32::from(b - b'0')).collect();
        let k1w = [3, 7, 6, 1, 8, 9, 4, 5, 2];
        let s1: u32 = d.iter().zip(k1w).map(|(a, b)| a * b).sum();
        let k1 = (11 - s1 % 11) % 11;
        if k1 == 10 {
            continue;
        }
        let k2w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let s2: u32 = d
            .iter()
            .chain([k1].iter())
            .zip(k2w)
            .map(|(a, b)| a * b)
            .sum();
        let k2 = (11 - s2 % 11) % 11;
        if k2 == 10 {
            continue;
        }
        return Some(format!("{base}{k1}{k2}"));
    }
    None
}

fn variant(template: &CaseData, i: usize) -> Option<Case> {
    let mut data = template.clone();
    data.case_id = barnvern_case::ids::CaseId::new(format!("NO-4601-{i:07}")).ok()?;
    let number = synthetic_number(i)?;
    data.child.identity =
        PersonIdentity::NationalId(PersonId::parse(&number, Some(Jurisdiction::No), None).ok()?);
    Case::from_data(data).ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/tmp/barnvern-ssb-bench".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let json = include_str!("../../../examples/no-case.json");
    let template = Case::from_json(json)?.into_data();

    let start = Instant::now();
    let mut bytes = 0usize;
    let mut written = 0usize;
    for i in 0..n {
        let Some(case) = variant(&template, i) else {
            continue;
        };
        let out = write_case(&case)?;
        bytes += out.xml.len();
        std::fs::write(dir.join(format!("{i:07}.xml")), out.xml)?;
        written += 1;
    }
    let export = start.elapsed().as_secs_f64();
    println!(
        "export: {written} cases in {export:.2} s = {:.0} cases/s ({:.1} MB of XML)",
        written as f64 / export,
        bytes as f64 / 1e6
    );

    let start = Instant::now();
    let mut read = 0usize;
    let mut refused = 0usize;
    for i in 0..n {
        let path = dir.join(format!("{i:07}.xml"));
        if !path.exists() {
            continue;
        }
        for item in read_file(&path)? {
            match item.map_err(|e| e.to_string())?.into_case() {
                Ok(_) => read += 1,
                Err(_) => refused += 1,
            }
        }
    }
    let import = start.elapsed().as_secs_f64();
    println!(
        "import: {read} cases in {import:.2} s = {:.0} cases/s ({refused} refused)",
        read as f64 / import
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
