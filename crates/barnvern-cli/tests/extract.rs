#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `barnvern extract` and `barnvern validate` on good and bad input: every bad line quarantined
//! with its reason, read = accepted + rejected, exit codes, privacy of every output byte, and an
//! interrupted run that leaves no dataset behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;

const KEY: &str = "a test project key that is long enough, 0123456789";

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// `n` valid bundles, alternating the Swedish and Norwegian examples, each with its own case id.
fn valid_lines(n: usize) -> Vec<String> {
    let se = example("se-case.json");
    let no = example("no-case.json");
    (0..n)
        .map(|i| {
            let mut v = if i % 2 == 0 { se.clone() } else { no.clone() };
            v["case_id"] = Value::String(format!("case-{i:06}"));
            v.to_string()
        })
        .collect()
}

fn barnvern() -> Command {
    let mut cmd = Command::cargo_bin("barnvern").unwrap();
    cmd.env_remove("BARNVERN_KEY");
    cmd
}

/// Every identity number in the inputs, in each form it can be written: with and without the
/// century, with and without a separator.
fn identity_forms(lines: &[String]) -> Vec<String> {
    let mut numbers = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "national_id"
                        && let Some(s) = v.as_str()
                    {
                        out.push(s.to_owned());
                    }
                    walk(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    for l in lines {
        if let Ok(v) = serde_json::from_str::<Value>(l) {
            walk(&v, &mut numbers);
        }
    }
    let mut forms = Vec::new();
    for n in numbers {
        let digits: String = n.chars().filter(|c| c.is_ascii_digit()).collect();
        forms.push(digits.clone());
        if digits.len() == 12 {
            forms.push(format!("{}-{}", &digits[..8], &digits[8..]));
            forms.push(digits[2..].to_owned());
            forms.push(format!("{}-{}", &digits[2..8], &digits[8..]));
        }
        if digits.len() == 11 {
            forms.push(format!("{} {}", &digits[..6], &digits[6..]));
        }
    }
    forms.sort();
    forms.dedup();
    assert!(
        forms.len() >= 8,
        "the test needs identity numbers to look for"
    );
    forms
}

/// Everything a dataset holds, as text: raw bytes of every file, and every Parquet value and
/// key-value metadata entry decoded (the files are compressed, so raw bytes alone prove
/// nothing).
fn all_output_text(dir: &Path) -> String {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let mut text = String::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = fs::read(&p).unwrap();
            text.push_str(&String::from_utf8_lossy(&bytes));
            if p.extension().is_some_and(|x| x == "parquet") {
                let reader = SerializedFileReader::new(fs::File::open(&p).unwrap()).unwrap();
                if let Some(kv) = reader.metadata().file_metadata().key_value_metadata() {
                    for e in kv {
                        text.push_str(&format!("{}={:?}\n", e.key, e.value));
                    }
                }
                for row in reader.get_row_iter(None).unwrap() {
                    text.push_str(&row.unwrap().to_string());
                    text.push('\n');
                }
            }
        }
    }
    text
}

struct Faulty {
    dir: tempfile::TempDir,
    input: PathBuf,
    empty: PathBuf,
    lines: Vec<String>,
    /// (line number, expected code of its first error)
    expected: Vec<(u64, &'static str)>,
}

/// 20 valid lines with one bad line of each kind among them, and an empty file.
fn faulty_input() -> Faulty {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = valid_lines(20);
    let mut bad: Vec<(Vec<u8>, &'static str)> = Vec::new();
    let se = example("se-case.json");

    let whole = lines[0].clone();
    bad.push((whole.as_bytes()[..whole.len() / 2].to_vec(), "json.eof"));

    let mut utf8 = valid_lines(1)[0].clone().into_bytes();
    let at = utf8.len() - 10;
    utf8.splice(at..at, [0xff, 0xfe]);
    bad.push((utf8, "input.utf8"));

    let mut v = se.clone();
    v["case_id"] = "bad-type".into();
    v["opened_on"] = Value::from(20240101);
    bad.push((v.to_string().into_bytes(), "json.invalid_value"));

    let mut v = se.clone();
    v["case_id"] = "bad-id".into();
    v["child"]["identity"]["national_id"] = "201801012393".into(); // check digit off by one
    bad.push((v.to_string().into_bytes(), "id.se.check_digit"));

    let mut v = se.clone();
    v["case_id"] = "bad-order".into();
    v["screenings"][0]["decided_on"] = "2024-10-01".into(); // before the referral it screens
    bad.push((v.to_string().into_bytes(), "date.order"));

    let mut v = se.clone();
    v["case_id"] = "bad-code".into();
    v["referrals"][0]["reporter"]["code"] = "astrologer".into();
    bad.push((v.to_string().into_bytes(), "json.unknown_variant"));

    // A repeat of the first valid line's case id.
    bad.push((lines[0].clone().into_bytes(), "extract.duplicate_case_id"));

    // A line of 10 MB (over the 8 MiB default limit).
    let mut huge = b"{\"schema_version\": \"1.2\", \"padding\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 10 << 20));
    huge.extend(b"\"}");
    bad.push((huge, "input.line_too_long"));

    bad.push((Vec::new(), "input.blank_line"));

    // Interleave: a bad line after every second valid one.
    let mut out: Vec<u8> = Vec::new();
    let mut expected = Vec::new();
    let mut line_no = 0u64;
    let mut bad_iter = bad.into_iter();
    let mut all_lines = Vec::new();
    for (i, l) in lines.drain(..).enumerate() {
        line_no += 1;
        out.extend(l.as_bytes());
        out.push(b'\n');
        all_lines.push(l);
        if i % 2 == 1
            && let Some((b, code)) = bad_iter.next()
        {
            line_no += 1;
            out.extend(&b);
            out.push(b'\n');
            expected.push((line_no, code));
            all_lines.push(String::from_utf8_lossy(&b).into_owned());
        }
    }
    assert!(bad_iter.next().is_none());
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, &out).unwrap();
    let empty = dir.path().join("empty.jsonl");
    fs::write(&empty, b"").unwrap();
    Faulty {
        dir,
        input,
        empty,
        lines: all_lines,
        expected,
    }
}

#[test]
fn every_bad_line_is_quarantined_with_its_reason_and_nothing_is_lost() {
    let f = faulty_input();
    let out = f.dir.path().join("extract");
    let assert = barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--as-of", "2025-10-01", "--out"])
        .arg(&out)
        .arg(&f.input)
        .arg(&f.empty)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains("read 29 lines, accepted 20, rejected 9"),
        "{stdout}"
    );

    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["read"], 29);
    assert_eq!(manifest["rejected"], 9);
    assert_eq!(manifest["cases"], 20);
    assert_eq!(manifest["input_digests"].as_array().unwrap().len(), 2);
    assert!(
        manifest["key_fingerprint"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert_eq!(manifest["demo_key"], false);

    let quarantine = fs::read_to_string(out.join("quarantine.jsonl")).unwrap();
    let records: Vec<Value> = quarantine
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Nine bad lines (the repeat of a valid case id included) and the empty file.
    assert_eq!(records.len(), 10, "{quarantine}");
    for (line, code) in &f.expected {
        let r = records
            .iter()
            .find(|r| r["line"] == *line)
            .unwrap_or_else(|| panic!("line {line} not quarantined: {quarantine}"));
        let first = &r["errors"][0];
        if !code.is_empty() {
            assert_eq!(first["code"], *code, "line {line}: {r}");
        }
        assert!(!first["message"].as_str().unwrap().is_empty());
        assert!(r["file"].as_str().unwrap().ends_with("cases.jsonl"));
    }
    let empty = records.iter().find(|r| r["line"].is_null()).unwrap();
    assert_eq!(empty["errors"][0]["code"], "input.empty_file");

    // The impossible date order names the rule and the path of the screening.
    let order = records
        .iter()
        .find(|r| r["line"] == f.expected[4].0)
        .unwrap();
    assert!(
        order["errors"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with("screenings[0]"),
        "{order}"
    );

    // With --allow-rejects the same run exits 0.
    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--allow-rejects", "--overwrite", "--out"])
        .arg(&out)
        .arg(&f.input)
        .assert()
        .success();
}

#[test]
fn no_identity_number_reaches_any_output_byte() {
    let f = faulty_input();
    let out = f.dir.path().join("extract");
    let q = f.dir.path().join("rejected.jsonl");
    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--allow-rejects", "--out"])
        .arg(&out)
        .arg("--quarantine")
        .arg(&q)
        .arg(&f.input)
        .assert()
        .success();
    let validate = barnvern()
        .args(["validate", "--format", "json"])
        .arg(&f.input)
        .assert()
        .code(1);
    let mut text = all_output_text(&out);
    text.push_str(&fs::read_to_string(&q).unwrap());
    text.push_str(&String::from_utf8_lossy(&validate.get_output().stdout));
    text.push_str(&String::from_utf8_lossy(&validate.get_output().stderr));
    assert!(text.contains("sha256:"), "the scan must see the manifest");
    for form in identity_forms(&f.lines) {
        assert!(
            !text.contains(&form),
            "an identity number appears in the output"
        );
    }
}

#[test]
fn validate_reports_the_same_findings_the_extract_quarantines() {
    let f = faulty_input();
    let assert = barnvern()
        .args(["validate", "--format", "json"])
        .arg(&f.input)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    for (line, code) in &f.expected {
        let found = stdout.lines().any(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["line"] == *line && (code.is_empty() || v["code"] == *code)
        });
        assert!(found, "line {line} ({code}) missing from: {stdout}");
    }
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("read 29 lines: 20 valid, 9 rejected"),
        "{stderr}"
    );

    // Clean input passes with exit 0.
    let good = f.dir.path().join("good.jsonl");
    fs::write(&good, valid_lines(4).join("\n")).unwrap();
    barnvern().arg("validate").arg(&good).assert().success();
}

/// `--format summary` prints, instead of every finding, one row per severity and code with
/// the number of findings and the first place found: the same counts as the findings `--format
/// json` lists, with the same exit code; no finding's message.
#[test]
fn validate_summary_counts_the_findings_of_each_code() {
    let f = faulty_input();
    let json = barnvern()
        .args(["validate", "--format", "json"])
        .arg(&f.input)
        .assert()
        .code(1);
    let mut expected: std::collections::BTreeMap<(String, String), (u64, String)> =
        std::collections::BTreeMap::new();
    let mut messages = Vec::new();
    for l in String::from_utf8_lossy(&json.get_output().stdout).lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        let key = (
            v["severity"].as_str().unwrap().to_owned(),
            v["code"].as_str().unwrap().to_owned(),
        );
        let at = format!(
            "{}:{}: {}",
            v["file"].as_str().unwrap(),
            v["line"],
            v["path"].as_str().unwrap()
        );
        expected.entry(key).or_insert((0, at)).0 += 1;
        messages.push(v["message"].as_str().unwrap().to_owned());
    }
    assert!(expected.values().any(|(n, _)| *n > 1) || expected.len() > 5);
    let summary = barnvern()
        .args(["validate", "--format", "summary"])
        .arg(&f.input)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&summary.get_output().stdout).into_owned();
    let mut found = std::collections::BTreeMap::new();
    for row in stdout.lines().skip(2) {
        let cells: Vec<&str> = row.split_whitespace().collect();
        if cells.len() < 4 || !["error", "query", "warning"].contains(&cells[0]) {
            continue;
        }
        let first = row[row.find(cells[3]).unwrap()..].trim_end().to_owned();
        let n: u64 = cells[2].parse().unwrap();
        found.insert((cells[0].to_owned(), cells[1].to_owned()), (n, first));
    }
    let expected: std::collections::BTreeMap<_, _> = expected
        .into_iter()
        .map(|(k, (n, at))| (k, (n, at.trim_end().to_owned())))
        .collect();
    assert_eq!(found, expected, "{stdout}");
    let total: u64 = found.values().map(|(n, _)| n).sum();
    assert!(
        stdout.contains(&format!("{total} finding(s) of {} code(s)", found.len())),
        "{stdout}"
    );
    for m in messages {
        assert!(!stdout.contains(&m), "a message in the summary: {m}");
    }

    let good = f.dir.path().join("good.jsonl");
    fs::write(&good, valid_lines(4).join("\n")).unwrap();
    let clean = barnvern()
        .args(["validate", "--format", "summary"])
        .arg(&good)
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&clean.get_output().stdout),
        "no findings\n"
    );

    // SSB's controls summarised the same way.
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../barnvern-ssb/tests/data/sluttdato_etter_startdato.xml");
    let ssb = barnvern()
        .args(["validate", "--rules", "ssb", "--format", "summary"])
        .arg(&sample)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&ssb.get_output().stdout).into_owned();
    assert!(stdout.lines().any(|l| l.starts_with("error ")), "{stdout}");
    assert!(stdout.contains("finding(s) of"), "{stdout}");
}

#[test]
fn a_key_is_required_and_a_short_one_refused_without_echoing_it() {
    let f = faulty_input();
    let out = f.dir.path().join("x");
    let a = barnvern()
        .args(["extract", "--out"])
        .arg(&out)
        .arg(&f.input)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("BARNVERN_KEY"));
    let a = barnvern()
        .env("BARNVERN_KEY", "short-secret")
        .args(["extract", "--out"])
        .arg(&out)
        .arg(&f.input)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("at least 32 bytes"), "{err}");
    assert!(!err.contains("short-secret"));
    assert!(!out.exists());
}

#[test]
fn an_existing_dataset_is_replaced_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, valid_lines(3).join("\n")).unwrap();
    let out = dir.path().join("extract");
    let run = |extra: &[&str]| {
        let mut c = barnvern();
        c.env("BARNVERN_KEY", KEY)
            .args(["extract", "--out"])
            .arg(&out)
            .arg(&input)
            .args(extra);
        c.assert()
    };
    run(&[]).success();
    let a = run(&[]).code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("--overwrite"));
    run(&["--overwrite"]).success();
    // Nothing is left beside the dataset.
    let names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// An overwrite killed after it moved the old dataset aside (where no atomic exchange exists)
/// leaves it at `<staging>-old`: the next extract puts it back instead of removing it.
#[test]
fn a_dataset_moved_aside_by_a_killed_overwrite_is_put_back() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, valid_lines(3).join("\n")).unwrap();
    let out = dir.path().join("extract");
    let extract = || {
        let mut c = barnvern();
        c.env("BARNVERN_KEY", KEY)
            .args(["extract", "--out"])
            .arg(&out)
            .arg(&input);
        c.assert()
    };
    extract().success();
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    // A process id that does not run.
    let dead = (1..4_000_000u32)
        .rev()
        .find(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
        .unwrap();
    let aside = dir.path().join(format!(".extract.tmp-{dead}-1-old"));
    fs::rename(&out, &aside).unwrap();

    // The old dataset is back, so without --overwrite the run refuses to replace it.
    extract().code(2);
    assert_eq!(
        fs::read_to_string(out.join("manifest.json")).unwrap(),
        manifest
    );
    assert!(!aside.exists());
}

#[test]
fn killing_the_extract_leaves_no_dataset_and_a_rerun_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    let mut file = fs::File::create(&input).unwrap();
    for l in valid_lines(2_000) {
        writeln!(file, "{l}").unwrap();
    }
    drop(file);
    let out = dir.path().join("extract");
    let bin = assert_cmd::cargo::cargo_bin("barnvern");
    let mut child = StdCommand::new(&bin)
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--out"])
        .arg(&out)
        .arg(&input)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it as soon as it has started writing (its staging directory exists).
    let staging_exists = || {
        fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".extract.tmp-")
        })
    };
    while !staging_exists() {
        if child.try_wait().unwrap().is_some() {
            panic!("the extract ended before it could be interrupted; make the input larger");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.exists(), "a killed extract published a dataset");

    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    assert!(out.join("manifest.json").exists());
    assert!(
        !staging_exists(),
        "the killed run's staging directory was not cleaned up"
    );
}

#[test]
fn validate_with_ssb_rules_prints_ssb_findings_as_json_and_fails_on_an_error() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../barnvern-ssb/tests/data/sluttdato_etter_startdato.xml");
    let a = barnvern()
        .args(["validate", "--rules", "ssb", "--format", "json"])
        .arg(&sample)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    let findings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!findings.is_empty());
    for f in &findings {
        for key in ["code", "severity", "path", "message"] {
            assert!(f[key].is_string(), "{key} missing in {f}");
        }
    }
    assert!(
        findings.iter().any(|f| f["severity"] == "error"),
        "{stdout}"
    );
}

/// `--buffer-mib` changes only how rows are cut into row groups and files: a 1 MiB buffer
/// gives the same rows per table as the default; 0 is refused as a usage error.
#[test]
fn a_small_buffer_gives_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, valid_lines(40).join("\n")).unwrap();
    let rows = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        barnvern()
            .env("BARNVERN_KEY", KEY)
            .args(["extract", "--as-of", "2025-10-01", "--out"])
            .arg(&out)
            .arg(&input)
            .args(extra)
            .assert()
            .success();
        let m: Value =
            serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        m["tables"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(t, e)| (t.clone(), e["rows"].as_u64().unwrap()))
            .collect::<Vec<_>>()
    };
    let default = rows("default", &[]);
    assert!(default.iter().any(|(_, n)| *n > 0));
    assert_eq!(rows("small", &["--buffer-mib", "1"]), default);
    let refused = barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--buffer-mib", "0", "--out"])
        .arg(dir.path().join("zero"))
        .arg(&input)
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&refused.get_output().stderr).contains("--buffer-mib"));
}

/// The names in `dir`, sorted.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `--overwrite` replaces a dataset, never a folder or file that is not one: a folder holding
/// a user's file and a regular file are refused (exit 2) and left as they were, with nothing
/// hidden left beside them.
#[test]
fn overwrite_refuses_what_is_not_a_dataset_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, valid_lines(3).join("\n")).unwrap();
    let extract = |out: &Path| {
        let mut c = barnvern();
        c.env("BARNVERN_KEY", KEY)
            .args(["extract", "--overwrite", "--out"])
            .arg(out)
            .arg(&input);
        c.assert()
    };

    let thesis = dir.path().join("thesis");
    fs::create_dir(&thesis).unwrap();
    fs::write(thesis.join("thesis.docx"), "years of work").unwrap();
    let refused = extract(&thesis).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("not a barnvern research dataset"),
        "{stderr}"
    );
    assert_eq!(names_in(&thesis), ["thesis.docx"]);
    assert_eq!(
        fs::read_to_string(thesis.join("thesis.docx")).unwrap(),
        "years of work"
    );

    let file = dir.path().join("notes.txt");
    fs::write(&file, "a regular file").unwrap();
    let refused = extract(&file).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("not a folder"), "{stderr}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "a regular file");

    // A dataset with a file barnvern did not write is not replaced either.
    let data = dir.path().join("data");
    extract(&data).success();
    fs::write(data.join("my-notes.md"), "mine").unwrap();
    let refused = extract(&data).code(2);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(stderr.contains("my-notes.md"), "{stderr}");
    assert!(data.join("my-notes.md").exists());
    fs::remove_file(data.join("my-notes.md")).unwrap();
    // An empty folder and an earlier dataset are replaced.
    extract(&data).success();
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    extract(&empty).success();
    assert!(empty.join("manifest.json").exists());

    assert_eq!(
        names_in(dir.path()),
        ["cases.jsonl", "data", "empty", "notes.txt", "thesis"]
    );
}

/// Code-system names, source codes and source systems are text typed by people: an identity
/// number typed there (any written form) is refused with the line, and never reaches the
/// dataset; a well-formed system barnvern does not know is a finding, not silence.
#[test]
fn identity_numbers_typed_into_code_fields_never_reach_the_dataset() {
    // Public test numbers (shared/testdata): Skatteverket's 189001019802, Skatteetaten's
    // 20036914700.
    let forms = [
        "189001019802",
        "18900101-9802",
        "900101-9802",
        "900101+9802",
        "20036914700",
        "200369 14700",
    ];
    let se = example("se-case.json");
    let no = example("no-case.json");
    type Edit = fn(&mut Value, &str);
    let edits: [(&str, Edit); 7] = [
        ("se", |v, s| {
            v["referrals"][0]["provenance"]["source_system"] = s.into()
        }),
        ("se", |v, s| {
            v["referrals"][0]["reporter"]["source"]["system"] = s.into()
        }),
        ("se", |v, s| {
            v["interventions"][0]["type"]["source"]["code"] = s.into()
        }),
        ("no", |v, s| {
            v["referrals"][0]["reasons"][0]["system"] = s.into()
        }),
        ("no", |v, s| {
            v["referrals"][0]["violence"][0]["source"]["code"] = s.into()
        }),
        ("no", |v, s| {
            v["screenings"][0]["outcome"]["source"]["system"] = s.into()
        }),
        ("no", |v, s| {
            v["interventions"][0]["type"]["source"]["system"] = s.into()
        }),
    ];
    let mut lines = Vec::new();
    for (i, (base, edit)) in edits.iter().enumerate() {
        for (j, form) in forms.iter().enumerate() {
            let mut v = if *base == "se" {
                se.clone()
            } else {
                no.clone()
            };
            v["case_id"] = Value::String(format!("case-{i}-{j}"));
            edit(&mut v, &format!("x {form}"));
            lines.push(v.to_string());
        }
    }
    let mut known = se.clone();
    known["case_id"] = "case-known".into();
    lines.push(known.to_string());
    let mut unknown = se.clone();
    unknown["case_id"] = "case-unknown-system".into();
    unknown["referrals"][0]["reporter"]["source"]["system"] = "my.local.system".into();
    lines.push(unknown.to_string());

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("extract");
    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--allow-rejects", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    let manifest: Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["rejected"], (edits.len() * forms.len()) as u64);
    let text = all_output_text(&out);
    for form in forms {
        let digits: String = form.chars().filter(char::is_ascii_digit).collect();
        assert!(!text.contains(&digits), "{form} reached the dataset");
        assert!(!text.contains(form), "{form} reached the dataset");
    }
    let validate = barnvern()
        .args(["validate", "--format", "json"])
        .arg(&input)
        .assert()
        .code(1);
    let stdout = String::from_utf8_lossy(&validate.get_output().stdout).into_owned();
    assert!(stdout.contains("privacy.identity_number"), "{stdout}");
    assert!(stdout.contains("codelist.unknown_system"), "{stdout}");
}

/// Findings never repeat a value that could be personal data: a reference holding an identity
/// number, a code not in its list, an unbounded schema version. Neither in `validate`'s output
/// nor in the quarantine file.
#[test]
fn findings_do_not_echo_values_that_could_be_personal_data() {
    // A public test personnummer (shared/testdata), in two written forms.
    let number = "189001019802";
    let se = example("se-case.json");
    let mut reference = se.clone();
    reference["case_id"] = "case-ref".into();
    reference["screenings"][0]["referral_id"] = number.into();
    let mut code = example("no-case.json");
    code["case_id"] = "case-code".into();
    code["referrals"][0]["reporter"]["source"]["code"] = "Kari Nordmann".into();
    let mut version = se.clone();
    version["case_id"] = "case-version".into();
    version["schema_version"] = format!("9-{}", "x".repeat(100_000)).into();
    let mut person = se.clone();
    person["case_id"] = "case-person".into();
    person["people"][0]["person_ref"] = "18900101-9802".into();
    let lines = [reference, code, version, person].map(|v| v.to_string());

    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("extract");
    barnvern()
        .env("BARNVERN_KEY", KEY)
        .args(["extract", "--allow-rejects", "--out"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    let quarantine = fs::read_to_string(out.join("quarantine.jsonl")).unwrap();
    for format in ["text", "json"] {
        let validate = barnvern()
            .args(["validate", "--format", format])
            .arg(&input)
            .assert()
            .code(1);
        let output = validate.get_output();
        let text = format!(
            "{}{}{quarantine}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains("case.unknown_reference"), "{text}");
        assert!(text.contains("codelist.unknown_code"), "{text}");
        assert!(text.contains("schema_version"), "{text}");
        for secret in ["9802", "Kari", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"] {
            assert!(!text.contains(secret), "{secret} echoed: {text}");
        }
    }
}

/// A key file that group or others may read gets a warning, as ssh gives; the run goes on.
#[cfg(unix)]
#[test]
fn a_key_file_open_to_others_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("cases.jsonl");
    fs::write(&input, valid_lines(2).join("\n")).unwrap();
    let key = dir.path().join("project.key");
    fs::write(&key, KEY).unwrap();
    let extract = |out: &str| {
        let mut c = barnvern();
        c.args(["extract", "--key-file"])
            .arg(&key)
            .arg("--out")
            .arg(dir.path().join(out))
            .arg(&input);
        c.assert().success()
    };
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    let open = extract("a");
    let stderr = String::from_utf8_lossy(&open.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning") && stderr.contains("0644"),
        "{stderr}"
    );
    assert!(!stderr.contains(KEY));
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
    let closed = extract("b");
    assert!(!String::from_utf8_lossy(&closed.get_output().stderr).contains("warning"));
}
