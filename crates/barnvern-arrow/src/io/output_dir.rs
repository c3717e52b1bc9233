//! Output files and folders written atomically, and folders replaced only when barnvern wrote
//! them. This module is the one place barnvern writes an output: every file through
//! [`AtomicFile`] (or [`write_file`]), every folder through [`StagedDir`].
//!
//! A file is written into a hidden temporary file beside it (`.NAME.tmp-PID-XXXXXX`, the same
//! folder, so the move is a rename within one filesystem), synced to disk, then moved onto its
//! target and the folder synced: a reader sees the old file or the whole new one, a failed or
//! interrupted write leaves the old file as it was, and no temporary file stays behind (a
//! dropped [`AtomicFile`] removes its own, the next write to the same target a killed run's).
//!
//! Every command that writes a folder (a research dataset, a report, the demo, an SSB export)
//! goes through [`StagedDir`]: the folder is written into a hidden sibling
//! (`.NAME.tmp-PID-NANOS`) and moved onto its target at [`StagedDir::publish`], so an
//! interrupted run leaves no half folder (a dropped `StagedDir` removes its staging folder, and
//! the next run removes a killed run's). What is already at the target is judged by
//! [`check_target`], the one place that decides: nothing there, or an empty folder, is fine; a
//! folder is replaced only when it is recognisably one of barnvern's of that kind (its marker
//! file, such as a dataset's `manifest.json`, is there and reads right) and holds nothing
//! barnvern did not write there; anything else (a folder of other files, a regular file, a
//! symbolic link) is refused with [`Error::NotReplaceable`] and left as it was.
//!
//! ```
//! use barnvern_arrow::io::output_dir::{OutputKind, StagedDir};
//!
//! /// A folder of notes, marked by `.notes` (an example kind).
//! const NOTES: OutputKind = OutputKind {
//!     what: "notes folder",
//!     marker: ".notes",
//!     marker_text: Some("Written by the notes example; it may replace this folder.\n"),
//!     is_marker: |bytes| bytes.starts_with(b"Written by the notes example"),
//!     owns: |name| name == "notes.txt",
//! };
//!
//! # fn main() -> barnvern_arrow::Result<()> {
//! let root = tempfile::tempdir().map_err(|e| barnvern_arrow::Error::Io {
//!     path: std::env::temp_dir(),
//!     source: e,
//! })?;
//! let target = root.path().join("notes");
//! for _ in 0..2 {
//!     // The second run replaces the first run's folder: it carries the marker.
//!     let staged = StagedDir::create(&target, &NOTES, true)?;
//!     std::fs::write(staged.path().join("notes.txt"), "hello").map_err(|e| {
//!         barnvern_arrow::Error::Io { path: staged.path().to_owned(), source: e }
//!     })?;
//!     staged.publish()?;
//! }
//! assert!(target.join("notes.txt").exists());
//!
//! // A folder barnvern did not write is refused and left alone.
//! let other = root.path().join("thesis");
//! std::fs::create_dir(&other).ok();
//! std::fs::write(other.join("thesis.docx"), "years of work").ok();
//! assert!(StagedDir::create(&other, &NOTES, true).is_err());
//! assert!(other.join("thesis.docx").exists());
//! # Ok(())
//! # }
//! ```

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::error::{Error, Result};

/// A kind of folder barnvern writes, and how to recognise one it wrote.
#[derive(Debug, Clone, Copy)]
pub struct OutputKind {
    /// What the folder is, for messages ("research dataset").
    pub what: &'static str,
    /// The file whose presence marks the folder as barnvern's (`manifest.json`,
    /// `.barnvern-report`, ...).
    pub marker: &'static str,
    /// The marker's text, written by [`StagedDir::create`]; `None` when the writer writes the
    /// marker itself (a dataset's manifest).
    pub marker_text: Option<&'static str>,
    /// Whether the marker's bytes (at most [`MAX_MARKER_BYTES`]) are this kind's.
    pub is_marker: fn(&[u8]) -> bool,
    /// Whether a name at the top of the folder is one barnvern writes there (the marker need
    /// not be listed).
    pub owns: fn(&str) -> bool,
}

/// The most bytes of a marker file read to recognise it.
pub const MAX_MARKER_BYTES: u64 = 64 << 20;

/// A research dataset: `manifest.json` with `"format": "barnvern-research-dataset"`.
pub const DATASET: OutputKind = OutputKind {
    what: "barnvern research dataset",
    marker: crate::io::dataset::MANIFEST,
    marker_text: None,
    is_marker: |bytes| {
        #[derive(serde::Deserialize)]
        struct Probe {
            format: Option<String>,
        }
        serde_json::from_slice::<Probe>(bytes)
            .ok()
            .and_then(|p| p.format)
            .is_some_and(|f| f == crate::io::dataset::FORMAT)
    },
    owns: |name| {
        matches!(
            name,
            "dictionary.md" | "dictionary.csv" | "dictionary.html" | "tables.json"
        ) || name == "quarantine.jsonl"
            || crate::spec::tables().iter().any(|t| t.name == name)
    },
};

/// What [`check_target`] found at a target that may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Nothing is there.
    Absent,
    /// An empty folder, or a folder of this kind that barnvern wrote: it may be replaced.
    Replaceable,
}

/// Decides whether `target` may be written as a folder of `kind`: [`Target::Absent`] when
/// nothing is there; [`Target::Replaceable`] for an empty folder or a folder of this kind
/// (marker present and recognised, nothing else but what barnvern writes) when `replace` is
/// set; [`Error::Exists`] for such a folder without `replace`; and
/// [`Error::NotReplaceable`] for anything else, whatever `replace` says. Reads, never writes.
pub fn check_target(target: &Path, kind: &OutputKind, replace: bool) -> Result<Target> {
    let refuse = |reason: String| Error::NotReplaceable {
        path: target.to_owned(),
        what: kind.what,
        marker: kind.marker,
        reason,
    };
    let meta = match fs::symlink_metadata(target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Target::Absent),
        Err(e) => return Err(Error::io(target, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("it is a symbolic link, not a folder".to_owned()));
    }
    if !meta.is_dir() {
        return Err(refuse("it is a file, not a folder".to_owned()));
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(target).map_err(|e| Error::io(target, e))? {
        let entry = entry.map_err(|e| Error::io(target, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    if !names.is_empty() {
        if !names.iter().any(|n| n == kind.marker) || !marker_is(target, kind)? {
            return Err(refuse(format!(
                "it is not a {} (it has no {} of barnvern's)",
                kind.what, kind.marker
            )));
        }
        names.sort();
        if let Some(other) = names
            .iter()
            .find(|n| n.as_str() != kind.marker && !(kind.owns)(n))
        {
            return Err(refuse(format!(
                "it holds {other:?}, which barnvern does not write there"
            )));
        }
    }
    if !replace {
        return Err(Error::Exists {
            path: target.to_owned(),
        });
    }
    Ok(Target::Replaceable)
}

/// Whether the marker file in `folder` is `kind`'s.
fn marker_is(folder: &Path, kind: &OutputKind) -> Result<bool> {
    let path = folder.join(kind.marker);
    let meta = fs::symlink_metadata(&path).map_err(|e| Error::io(&path, e))?;
    if !meta.is_file() {
        return Ok(false);
    }
    let mut bytes = Vec::new();
    fs::File::open(&path)
        .and_then(|f| f.take(MAX_MARKER_BYTES).read_to_end(&mut bytes))
        .map_err(|e| Error::io(&path, e))?;
    Ok((kind.is_marker)(&bytes))
}

/// The last component of `target`, refused when the path names none (`..`, a root).
fn target_name(target: &Path, what: &'static str) -> Result<String> {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::NotReplaceable {
            path: target.to_owned(),
            what,
            marker: "",
            reason: format!("the path names no {what} (it ends in `..` or is a root)"),
        })
}

/// The prefix of everything staged beside `target` by this process: `.NAME.tmp-PID-`
/// ([`remove_stale_staging`] reads the process id back).
fn staging_prefix(name: &str) -> String {
    format!(".{name}.tmp-{}-", std::process::id())
}

/// A hidden sibling of `target` to stage it in: `.NAME.tmp-PID-NANOS`.
pub fn staging_path(target: &Path) -> Result<PathBuf> {
    let name = target_name(target, "folder")?;
    let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    Ok(parent_of(target).join(format!("{}{nanos}", staging_prefix(&name))))
}

/// A file being written beside its target and moved onto it at [`AtomicFile::commit`]; see
/// the module documentation. It is a [`Write`]r (wrap it in a `BufWriter` for small writes).
/// Dropped uncommitted, it removes its temporary file and leaves the target as it was.
///
/// ```
/// use std::io::Write;
/// use barnvern_arrow::io::output_dir::AtomicFile;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let target = dir.path().join("cases.jsonl");
/// std::fs::write(&target, "the old file\n")?;
/// let mut file = AtomicFile::create(&target)?;
/// file.write_all(b"half of the new")?;
/// drop(file); // a failure before commit: the old file stays, no temporary file is left
/// assert_eq!(std::fs::read_to_string(&target)?, "the old file\n");
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
///
/// let mut file = AtomicFile::create(&target)?;
/// file.write_all(b"the new file\n")?;
/// file.commit()?;
/// assert_eq!(std::fs::read_to_string(&target)?, "the new file\n");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AtomicFile {
    target: PathBuf,
    temp: tempfile::NamedTempFile,
}

impl AtomicFile {
    /// Creates the temporary file beside `target` (removing what killed runs left there).
    /// Nothing at `target` is touched until [`AtomicFile::commit`]. The file gets the
    /// permissions a newly created file gets (`0666` less the process's umask), as
    /// `File::create` would give it.
    pub fn create(target: impl AsRef<Path>) -> Result<AtomicFile> {
        let target = target.as_ref().to_owned();
        let name = target_name(&target, "file")?;
        let dir = parent_of(&target);
        remove_stale_staging(&target);
        let prefix = staging_prefix(&name);
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(AtomicFile { target, temp })
    }

    /// The file the data go to when committed.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// The temporary file being written.
    pub fn file(&self) -> &fs::File {
        self.temp.as_file()
    }

    /// Syncs the data to disk, moves the file onto its target (replacing what is there in one
    /// step) and syncs the folder, so the new name survives a crash too.
    pub fn commit(self) -> Result<()> {
        let AtomicFile { target, temp } = self;
        temp.as_file()
            .sync_all()
            .map_err(|e| Error::io(&target, e))?;
        temp.persist(&target)
            .map_err(|e| Error::io(&target, e.error))?;
        sync_dir(&parent_of(&target))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.temp.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.temp.write_all(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
    }
}

/// Writes `bytes` to `target` atomically ([`AtomicFile`]).
pub fn write_file(target: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(target)?;
    let path = file.target().to_owned();
    file.write_all(bytes).map_err(|e| Error::io(&path, e))?;
    file.commit()
}

/// Syncs a folder, so that a file renamed into it is there after a crash. Where folders
/// cannot be opened to sync (not Unix), the rename alone has to do.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// Removes what runs that were killed (their process no longer runs) left beside `target`
/// (`.NAME.tmp-PID-...`, folders or files), so a rerun starts clean; a folder an overwrite had
/// moved aside (`...-old`) is put back when nothing is at the target. Only where `/proc` tells
/// which processes run; best effort.
pub fn remove_stale_staging(target: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&prefix) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        // `<staging>-old` is a folder an overwrite moved aside and was killed before it put
        // the new one in: with nothing at the target, it is put back, not removed.
        if rest.ends_with("-old")
            && fs::symlink_metadata(target).is_err()
            && fs::rename(entry.path(), target).is_ok()
        {
            continue;
        }
        let path = entry.path();
        match fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {
                let _ = fs::remove_dir_all(&path);
            }
            Ok(_) => {
                let _ = fs::remove_file(&path);
            }
            Err(_) => {}
        }
    }
}

/// Makes `target` an empty folder of `kind` (with its marker when it has a text), for a writer
/// that must write in place rather than beside (the demo, whose files name their own paths):
/// what is there is judged by [`check_target`] as [`StagedDir::create`] does with `replace`,
/// and removed only when replaceable. Unlike [`StagedDir`], a run that fails leaves its
/// partial folder, marked, for the next run to replace.
pub fn prepare_in_place(target: &Path, kind: &OutputKind) -> Result<()> {
    if check_target(target, kind, true)? == Target::Replaceable {
        fs::remove_dir_all(target).map_err(|e| Error::io(target, e))?;
    }
    fs::create_dir_all(target).map_err(|e| Error::io(target, e))?;
    if let Some(text) = kind.marker_text {
        let marker = target.join(kind.marker);
        fs::write(&marker, text).map_err(|e| Error::io(&marker, e))?;
    }
    Ok(())
}

/// A folder being written beside its target and moved onto it at [`StagedDir::publish`]; see
/// the module documentation. Dropped unpublished, it removes what it wrote.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    temp: PathBuf,
    kind: OutputKind,
    replace: bool,
    published: bool,
}

impl StagedDir {
    /// Checks the target ([`check_target`]; nothing is written when it refuses), removes what
    /// killed runs left beside it, and creates the staging folder, with the kind's marker file
    /// when it has a text. `replace` allows replacing a folder of this kind.
    pub fn create(target: impl AsRef<Path>, kind: &OutputKind, replace: bool) -> Result<Self> {
        let target = target.as_ref().to_owned();
        check_target(&target, kind, replace)?;
        let temp = staging_path(&target)?;
        remove_stale_staging(&target);
        fs::create_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
        let staged = StagedDir {
            target,
            temp,
            kind: *kind,
            replace,
            published: false,
        };
        if let Some(text) = kind.marker_text {
            let marker = staged.temp.join(kind.marker);
            fs::write(&marker, text).map_err(|e| Error::io(&marker, e))?;
        }
        Ok(staged)
    }

    /// The staging folder: write the output here.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The target the folder is published to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the staged folder onto the target: a rename when nothing is there; when a folder
    /// is there, it is checked again ([`check_target`]: something else may have appeared
    /// meanwhile), then swapped with the new one in one step (Linux `renameat2` with
    /// `RENAME_EXCHANGE`) and removed. Where no such exchange exists, the old folder is moved
    /// aside (`<staging>-old`) first; a kill between the two renames leaves it there, and the
    /// next run puts it back.
    pub fn publish(mut self) -> Result<()> {
        // The folder's files reach the disk before its name does.
        sync_tree(&self.temp)?;
        match check_target(&self.target, &self.kind, self.replace)? {
            Target::Absent => {
                fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))?
            }
            Target::Replaceable => {
                if exchange(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))? {
                    // The staging folder now holds the old one. Should this removal not
                    // happen (a kill), the next run removes it as a dead run's leftover.
                    let _ = fs::remove_dir_all(&self.temp);
                } else {
                    let mut old = self.temp.clone().into_os_string();
                    old.push("-old");
                    let old = PathBuf::from(old);
                    fs::rename(&self.target, &old).map_err(|e| Error::io(&self.target, e))?;
                    fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))?;
                    fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
                }
            }
        }
        self.published = true;
        sync_dir(&parent_of(&self.target))
    }
}

/// Syncs every file and folder under `dir` (and `dir` itself) to disk.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(|e| Error::io(&path, e))?;
        }
    }
    sync_dir(dir)
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.published {
            // Best effort: an unpublished folder leaves nothing behind.
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

/// Swaps two directories in one step (Linux `renameat2` with `RENAME_EXCHANGE`). `Ok(false)`
/// when the system or filesystem has no such exchange.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Swaps two directories in one step: not available on this system.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn an_aborted_file_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // An SSB export file, say: one Sak per file.
        let target = dir.path().join("0001.xml");
        fs::write(&target, "<Sak>old</Sak>").unwrap();
        {
            let mut file = AtomicFile::create(&target).unwrap();
            file.write_all(b"<Sak>half of the new").unwrap();
            // Dropped without commit: an error or a panic half way.
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "<Sak>old</Sak>");
        assert_eq!(entries(dir.path()), ["0001.xml"]);

        write_file(&target, b"<Sak>new</Sak>").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "<Sak>new</Sak>");
        assert_eq!(entries(dir.path()), ["0001.xml"]);

        // A killed run's temporary file (its process no longer runs) goes at the next write.
        let stale = dir
            .path()
            .join(format!(".0001.xml.tmp-{}-abc123", u32::MAX));
        fs::write(&stale, "left by a killed run").unwrap();
        write_file(&target, b"<Sak>newer</Sak>").unwrap();
        assert_eq!(entries(dir.path()), ["0001.xml"]);
    }

    #[test]
    fn a_failed_commit_leaves_what_was_there_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should go: the rename fails.
        let target = dir.path().join("out.xml");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("keep.txt"), "kept").unwrap();
        assert!(write_file(&target, b"<Sak/>").is_err());
        assert_eq!(entries(dir.path()), ["out.xml"]);
        assert_eq!(fs::read_to_string(target.join("keep.txt")).unwrap(), "kept");
    }

    const NOTES: OutputKind = OutputKind {
        what: "notes folder",
        marker: ".notes",
        marker_text: Some("notes v1\n"),
        is_marker: |b| b.starts_with(b"notes v1"),
        owns: |n| n == "a.txt",
    };

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn targets_are_judged_by_marker_and_contents() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("t");
        assert_eq!(check_target(&t, &NOTES, false).unwrap(), Target::Absent);
        fs::create_dir(&t).unwrap();
        assert!(matches!(
            check_target(&t, &NOTES, false),
            Err(Error::Exists { .. })
        ));
        assert_eq!(check_target(&t, &NOTES, true).unwrap(), Target::Replaceable);
        fs::write(t.join("a.txt"), "x").unwrap();
        assert!(matches!(
            check_target(&t, &NOTES, true),
            Err(Error::NotReplaceable { .. })
        ));
        fs::write(t.join(".notes"), "something else").unwrap();
        assert!(matches!(
            check_target(&t, &NOTES, true),
            Err(Error::NotReplaceable { .. })
        ));
        fs::write(t.join(".notes"), "notes v1\n").unwrap();
        assert_eq!(check_target(&t, &NOTES, true).unwrap(), Target::Replaceable);
        fs::write(t.join("b.txt"), "y").unwrap();
        let err = check_target(&t, &NOTES, true).unwrap_err().to_string();
        assert!(err.contains("b.txt"), "{err}");
        let f = root.path().join("f");
        fs::write(&f, "file").unwrap();
        assert!(matches!(
            check_target(&f, &NOTES, true),
            Err(Error::NotReplaceable { .. })
        ));
    }

    #[test]
    fn refused_and_dropped_runs_leave_nothing_and_published_ones_replace() {
        let root = tempfile::tempdir().unwrap();
        let f = root.path().join("f");
        fs::write(&f, "file").unwrap();
        assert!(StagedDir::create(&f, &NOTES, true).is_err());
        let t = root.path().join("t");
        let staged = StagedDir::create(&t, &NOTES, true).unwrap();
        fs::write(staged.path().join("a.txt"), "1").unwrap();
        drop(staged);
        assert_eq!(names(root.path()), ["f"]);
        for text in ["1", "2"] {
            let staged = StagedDir::create(&t, &NOTES, true).unwrap();
            fs::write(staged.path().join("a.txt"), text).unwrap();
            staged.publish().unwrap();
            assert_eq!(fs::read_to_string(t.join("a.txt")).unwrap(), text);
        }
        assert_eq!(names(root.path()), ["f", "t"]);
        assert_eq!(names(&t), [".notes", "a.txt"]);
    }

    #[test]
    fn a_dead_runs_leftover_files_and_folders_are_removed() {
        let root = tempfile::tempdir().unwrap();
        let t = root.path().join("t");
        let dead = (1..4_000_000u32)
            .rev()
            .find(|pid| !Path::new(&format!("/proc/{pid}")).exists())
            .unwrap();
        fs::write(root.path().join(format!(".t.tmp-{dead}-1")), "file").unwrap();
        fs::create_dir(root.path().join(format!(".t.tmp-{dead}-2"))).unwrap();
        fs::write(root.path().join(".u.tmp-1-1"), "another target's").unwrap();
        remove_stale_staging(&t);
        assert_eq!(names(root.path()), [".u.tmp-1-1"]);
    }
}
