//! Keeping the evidence folder sound: checking every stored file against its name, and
//! removing what no record needs (copies left by a crashed attach, content no proof names).
//!
//! Nothing here knows the store: the caller passes the hashes its records name, and `now`.

use crate::CopyProgress;
use crate::EvidenceError;
use crate::folder::{EvidenceFolder, INCOMING, Lock, stream};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

/// How old a file must be before the clean-up may remove it: a leftover in `.incoming`, or
/// stored content that no record names.
///
/// An attach in progress, possibly in another process (the app and the CLI may work on one
/// shop), writes its partial file at least once per copy buffer, but then falls silent
/// while it checks a stored copy of the same content (one read of up to a few GB) and
/// until the app records the proof, a moment later; a copy from a stalled network drive
/// or USB stick can pause for minutes. A day is far beyond all of these, and also covers a
/// file server whose clock is hours off; what it costs is only that a leftover occupies
/// disk space one day longer.
pub const CLEAN_GRACE: Duration = Duration::from_secs(24 * 60 * 60);

/// A content file in the evidence folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    /// The SHA-256 the file is named by.
    pub hash: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// What checking the evidence folder found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Content files checked.
    pub checked: usize,
    /// Bytes read.
    pub bytes: u64,
    /// Files whose bytes no longer match the hash they are named by.
    pub damaged: Vec<StoredFile>,
    /// Hashes a record names that have no file.
    pub missing: Vec<String>,
}

/// A file the clean-up removed (or, in a dry run, would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CleanedFile {
    /// The file.
    pub path: PathBuf,
    /// The content hash, for stored content; `None` for a leftover copy.
    pub hash: Option<String>,
    /// Its size in bytes.
    pub size: u64,
}

/// What the clean-up of one kind of file did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Cleaning {
    /// Removed, or in a dry run to be removed.
    pub removed: Vec<CleanedFile>,
    /// Files that would go but are younger than [`CLEAN_GRACE`], so are kept for now.
    pub kept_recent: usize,
}

impl Cleaning {
    /// Bytes freed (or, in a dry run, that would be freed).
    pub fn bytes(&self) -> u64 {
        self.removed.iter().map(|f| f.size).sum()
    }
}

impl EvidenceFolder {
    /// Every content file: `<two hex digits>/<64 hex digits>` whose name starts with its
    /// folder's. Anything else (a file a user dropped in, the lock file, `.incoming`) is
    /// not content and is left out, so that nothing here ever touches it.
    pub fn stored_files(&self) -> Result<Vec<StoredFile>, EvidenceError> {
        let mut files = Vec::new();
        for shard in read_dir(self.root())? {
            let Some(shard_name) = name_of(&shard) else {
                continue;
            };
            if shard_name.len() != 2 || !is_lower_hex(&shard_name) || !shard.is_dir() {
                continue;
            }
            for path in read_dir(&shard)? {
                let Some(name) = name_of(&path) else {
                    continue;
                };
                if name.len() != 64 || !is_lower_hex(&name) || !name.starts_with(&shard_name) {
                    continue;
                }
                let Ok(metadata) = std::fs::symlink_metadata(&path) else {
                    continue;
                };
                if metadata.is_file() {
                    files.push(StoredFile {
                        hash: name,
                        path,
                        size: metadata.len(),
                    });
                }
            }
        }
        files.sort_by(|a, b| a.hash.cmp(&b.hash));
        Ok(files)
    }

    /// Hashes every stored file again and compares it with its name, and lists the hashes
    /// in `referenced` (those the shop's records name) that have no file.
    ///
    /// Reads every byte once through the copy buffer; `progress` counts bytes over all
    /// files and `cancel` stops within one buffer. Nothing is changed: a damaged file is
    /// repaired by attaching the original again.
    pub fn verify(
        &self,
        referenced: &BTreeSet<String>,
        progress: &mut dyn FnMut(CopyProgress),
        cancel: &AtomicBool,
    ) -> Result<Verification, EvidenceError> {
        let files = self.stored_files()?;
        let total: u64 = files.iter().map(|f| f.size).sum();
        let mut report = Verification::default();
        for file in &files {
            let mut input = match File::open(&file.path) {
                Ok(input) => input,
                // Removed since it was listed (another process's clean-up): it is checked
                // as missing below if a record still names it.
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(source) => {
                    return Err(EvidenceError::Unreadable {
                        path: file.path.clone(),
                        source,
                    });
                }
            };
            let before = report.bytes;
            let (hash, read) = stream(
                &mut input,
                &file.path,
                file.size,
                &mut |p| {
                    progress(CopyProgress {
                        done: before + p.done,
                        total: total.max(before + p.done),
                    })
                },
                cancel,
                |_| Ok(()),
            )?;
            report.checked += 1;
            report.bytes += read;
            if hash != file.hash {
                report.damaged.push(file.clone());
            }
        }
        report.missing = referenced
            .iter()
            .filter(|hash| !self.path_of(hash).is_file())
            .cloned()
            .collect();
        Ok(report)
    }

    /// Removes the copies a crashed or killed attach left in `.incoming`, those older than
    /// [`CLEAN_GRACE`] at `now`; younger ones may belong to an attach still running.
    /// With `dry_run` nothing is removed and the report says what would be.
    pub fn sweep_incoming(
        &self,
        now: SystemTime,
        dry_run: bool,
    ) -> Result<Cleaning, EvidenceError> {
        let mut cleaning = Cleaning::default();
        for path in read_dir(&self.root().join(INCOMING))? {
            let Ok(metadata) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if !metadata.is_file() {
                continue;
            }
            if !is_older_than_grace(&metadata, now) {
                cleaning.kept_recent += 1;
                continue;
            }
            if !dry_run {
                remove(&path)?;
            }
            cleaning.removed.push(CleanedFile {
                path,
                hash: None,
                size: metadata.len(),
            });
        }
        Ok(cleaning)
    }

    /// Removes stored content that no hash in `referenced` names, once it is older than
    /// [`CLEAN_GRACE`] at `now`. With `dry_run` nothing is removed.
    ///
    /// `referenced` must hold every hash any record could still need: live proofs and
    /// detached ones (a detach can be undone, and sync will need the file), of every
    /// database that shares this folder. The grace period and the folder's lock keep a file
    /// that an attach has just placed, and whose record is not written yet, from going.
    pub fn remove_unreferenced(
        &self,
        referenced: &BTreeSet<String>,
        now: SystemTime,
        dry_run: bool,
    ) -> Result<Cleaning, EvidenceError> {
        let mut cleaning = Cleaning::default();
        let candidates: Vec<StoredFile> = self
            .stored_files()?
            .into_iter()
            .filter(|f| !referenced.contains(&f.hash))
            .collect();
        if candidates.is_empty() {
            return Ok(cleaning);
        }
        // Held while each file's age is read and the file removed, so that no attach can
        // check a copy, find it intact and count on it in between.
        let _removing = self.lock(Lock::Exclusive)?;
        for file in candidates {
            let Ok(metadata) = std::fs::symlink_metadata(&file.path) else {
                continue;
            };
            if !is_older_than_grace(&metadata, now) {
                cleaning.kept_recent += 1;
                continue;
            }
            if !dry_run {
                remove(&file.path)?;
            }
            cleaning.removed.push(CleanedFile {
                path: file.path,
                hash: Some(file.hash),
                size: metadata.len(),
            });
        }
        Ok(cleaning)
    }
}

/// Whether a file was last written more than [`CLEAN_GRACE`] before `now`. A file whose
/// time cannot be read, or lies after `now` (another computer's clock), counts as young:
/// when in doubt, keep.
fn is_older_than_grace(metadata: &std::fs::Metadata, now: SystemTime) -> bool {
    match (metadata.modified(), now.checked_sub(CLEAN_GRACE)) {
        (Ok(modified), Some(cutoff)) => modified < cutoff,
        _ => false,
    }
}

/// The entries of a folder; a missing folder has none.
fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, EvidenceError> {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .map(|e| {
                e.map(|e| e.path())
                    .map_err(|source| EvidenceError::Unreadable {
                        path: dir.to_owned(),
                        source,
                    })
            })
            .collect(),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(EvidenceError::Unreadable {
            path: dir.to_owned(),
            source,
        }),
    }
}

fn remove(path: &Path) -> Result<(), EvidenceError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        // Another clean-up was first: the file is gone either way.
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(source) => Err(EvidenceError::Write {
            path: path.to_owned(),
            source,
        }),
    }
}

fn name_of(path: &Path) -> Option<String> {
    path.file_name()?.to_str().map(str::to_owned)
}

fn is_lower_hex(name: &str) -> bool {
    name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}
