//! The crate's error type, and how findings name their location.

use barnvern_core::Finding;

/// Everything that can go wrong reading or writing SSB files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The input is not an SSB file barnvern can read (malformed XML, a DTD or entity, no
    /// `Barnevern` root): the finding says where.
    #[error("{0}")]
    Input(Finding),
    /// A case could not be written as SSB XML (the finding says which value).
    #[error("{0}")]
    Write(Finding),
}

impl Error {
    /// The error as a finding (path, code, severity, message).
    pub fn to_finding(&self) -> Finding {
        match self {
            Error::Io { path, source } => Finding::error(
                path.clone(),
                "ssb.io",
                format!("could not read or write: {source}"),
            ),
            Error::Input(finding) | Error::Write(finding) => finding.clone(),
        }
    }
}

/// The location of a finding in a file: `file:line:/Barnevern/Sak/Melding`. Parts that are
/// unknown are left out.
pub fn located(file: &str, line: u64, path: &str) -> String {
    match (file.is_empty(), line) {
        (true, 0) => path.to_owned(),
        (true, l) => format!("line {l}:{path}"),
        (false, 0) => format!("{file}:{path}"),
        (false, l) => format!("{file}:{l}:{path}"),
    }
}

/// Replaces every run of six or more digits by `######`: messages built from input text must
/// never repeat an identity number.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        flush(&mut out, &mut run);
        out.push(c);
    }
    flush(&mut out, &mut run);
    out
}

fn flush(out: &mut String, run: &mut String) {
    if run.len() >= 6 {
        out.push_str("######");
    } else {
        out.push_str(run);
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_are_redacted() {
        assert_eq!(redact("nr 02011088123 on 2021"), "nr ###### on 2021");
        assert_eq!(located("a.xml", 3, "/Barnevern"), "a.xml:3:/Barnevern");
    }
}
