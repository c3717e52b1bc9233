//! A directory that appears whole or not at all: written in a hidden staging directory beside
//! its target (`.NAME.tmp-PID-NANOS`) and renamed onto the target when finished, the same way
//! [`crate::dataset::DatasetWriter`] publishes a dataset. An existing target is swapped out in
//! one step where the system can (Linux `renameat2` exchange), else moved aside first. Dropped
//! unpublished, the staging directory is removed; one a killed run left behind is removed by
//! the next [`StagedDir::create`] for the same target (and a target a killed publish had moved
//! aside is put back).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::Utc;

/// A directory being written beside its target.
#[derive(Debug)]
pub struct StagedDir {
    target: PathBuf,
    temp: PathBuf,
    published: bool,
}

impl StagedDir {
    /// Starts a directory for `target` (created in `target`'s parent, which must exist),
    /// after removing what killed runs for the same target left.
    pub fn create(target: impl AsRef<Path>) -> io::Result<StagedDir> {
        let target = target.as_ref().to_owned();
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| io::Error::other("the target has no directory name"))?;
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        remove_stale(&parent, &name, &target);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let temp = parent.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
        fs::create_dir(&temp)?;
        Ok(StagedDir {
            target,
            temp,
            published: false,
        })
    }

    /// Where to write until [`StagedDir::publish`].
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The directory it will become.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Moves the directory onto its target. An existing target is replaced only with
    /// `replace` (the caller decides whether it may be: this never looks inside it); without
    /// it, an existing target is an `AlreadyExists` error and the staging directory is removed.
    pub fn publish(mut self, replace: bool) -> io::Result<()> {
        if fs::symlink_metadata(&self.target).is_ok() {
            if !replace {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} already exists", self.target.display()),
                ));
            }
            if crate::dataset::exchange(&self.temp, &self.target)? {
                // The staging directory now holds the old one.
                self.published = true;
                let _ = fs::remove_dir_all(&self.temp);
                return Ok(());
            }
            let mut old = self.temp.clone().into_os_string();
            old.push("-old");
            let old = PathBuf::from(old);
            fs::rename(&self.target, &old)?;
            fs::rename(&self.temp, &self.target)?;
            self.published = true;
            fs::remove_dir_all(&old)?;
        } else {
            fs::rename(&self.temp, &self.target)?;
            self.published = true;
        }
        Ok(())
    }
}

/// Removes staging directories of `target` whose process no longer runs, and puts back a
/// target a killed publish had moved aside (`<staging>-old` with no target). Only where
/// `/proc` tells which processes run; best effort.
fn remove_stale(parent: &Path, name: &str, target: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else {
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
        if rest.ends_with("-old")
            && fs::symlink_metadata(target).is_err()
            && fs::rename(entry.path(), target).is_ok()
        {
            continue;
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.published {
            // Best effort: an unpublished directory leaves nothing behind.
            let _ = fs::remove_dir_all(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn appears_whole_replaces_only_when_asked_and_leaves_nothing_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let s = StagedDir::create(&target).unwrap();
        fs::write(s.path().join("a"), "1").unwrap();
        assert!(!target.exists());
        s.publish(false).unwrap();
        assert_eq!(fs::read_to_string(target.join("a")).unwrap(), "1");

        let s = StagedDir::create(&target).unwrap();
        fs::write(s.path().join("b"), "2").unwrap();
        let err = StagedDir::publish(s, false).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(target.join("a").exists() && !target.join("b").exists());

        let s = StagedDir::create(&target).unwrap();
        fs::write(s.path().join("b"), "2").unwrap();
        s.publish(true).unwrap();
        assert!(!target.join("a").exists() && target.join("b").exists());

        let s = StagedDir::create(&target).unwrap();
        let temp = s.path().to_owned();
        drop(s);
        assert!(!temp.exists());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the target is left");
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed_and_a_target_moved_aside_is_put_back() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        // No process has this id (above the kernel's pid_max).
        let dead = dir.path().join(".out.tmp-4294967-1");
        fs::create_dir(&dead).unwrap();
        let aside = dir.path().join(".out.tmp-4294968-1-old");
        fs::create_dir(&aside).unwrap();
        fs::write(aside.join("kept"), "x").unwrap();
        let s = StagedDir::create(&target).unwrap();
        assert!(!dead.exists());
        assert!(target.join("kept").exists(), "the target is put back");
        drop(s);
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
