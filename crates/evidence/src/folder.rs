//! The content-addressed evidence folder beside the shop database.
//!
//! # Why SHA-256 (the `sha2` crate) and not BLAKE3
//!
//! The hash is printed on the package's index page so that the platform's reviewer, the
//! buyer or a court can check that a file is the one the shop recorded. SHA-256 is what
//! every machine can check without installing anything (`certutil -hashfile 文件 SHA256`
//! on Windows, `shasum -a 256` on macOS, `sha256sum` on Linux) and what Chinese electronic
//! evidence platforms (存证) quote; BLAKE3 would need a tool nobody at the platform has.
//! Speed is not given up: `sha2` uses the CPU's SHA extensions (SHA-NI on x86 since
//! ~2017-2019, the ARMv8 crypto extensions on Apple silicon) when present, about 2 GB/s,
//! faster than the disk a 2 GB video is read from. `afterdesk bench hash` measures it.
//!
//! # Layout
//!
//! `evidence/<first two hex digits>/<64 hex digits>`: a file's name is its SHA-256, so the
//! same content is stored once however often it is attached, and a file can always be
//! checked against its name. The two-digit subfolders keep any one folder small for file
//! managers and synced-folder clients. Copies in progress live in `evidence/.incoming/`
//! under a random name and are renamed into place only once complete and flushed to disk,
//! so a half-copied file never has a hash name and is never attached.

use crate::EvidenceError;
use crate::meta::{FileMeta, read_meta};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The copy buffer, in bytes: the only memory a copy uses whatever the file's size.
///
/// 1 MiB makes the per-read system-call cost negligible next to hashing it (about half a
/// millisecond at 2 GB/s) and lets the cancel flag be seen within that time, while staying
/// small beside the app's other memory.
pub const COPY_BUFFER_BYTES: usize = 1 << 20;

/// How many leading bytes are kept for type detection by magic bytes.
///
/// `infer` needs at most a few hundred bytes for any type it knows (ZIP-based office
/// files the most); 8 KiB leaves room to spare and is read in the same pass anyway.
const SNIFF_BYTES: usize = 8 * 1024;

/// The folder under the evidence folder where copies in progress are written.
pub(crate) const INCOMING: &str = ".incoming";

/// The lock file in the evidence folder (see [`EvidenceFolder::lock`]).
const LOCK_FILE: &str = ".lock";

/// Which lock to take on the evidence folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lock {
    /// For placing files: many attaches at once.
    Shared,
    /// For removing files: nobody places a file meanwhile.
    Exclusive,
}

/// What placing a complete copy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placed {
    /// The content was not stored; now it is.
    New,
    /// An intact copy was there; the new one was dropped.
    AlreadyStored,
    /// A damaged copy was there; the new one replaced it.
    Repaired,
}

/// What is found under a hash name before a copy is placed there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoredCopy {
    /// Nothing.
    Absent,
    /// The right bytes.
    Intact,
    /// Another size, other bytes, or a file that cannot be read.
    Damaged,
}

/// How far a copy has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CopyProgress {
    /// Bytes copied and hashed so far.
    pub done: u64,
    /// The file's size when the copy started.
    pub total: u64,
}

/// A file now in the evidence folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ingested {
    /// SHA-256 of the content, lowercase hex.
    pub hash: String,
    /// Size in bytes.
    pub size: u64,
    /// The file's name as given (its last path component).
    pub original_name: String,
    /// Where the content is stored.
    pub stored: PathBuf,
    /// Whether the same content was already stored, intact (nothing new was kept).
    pub already_stored: bool,
    /// Whether a stored copy of the same content was damaged (another size, or bytes that
    /// no longer match its hash) and has been replaced by this one.
    pub repaired: bool,
    /// What the file says about itself.
    pub meta: FileMeta,
}

/// The evidence folder of one shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceFolder {
    root: PathBuf,
}

/// A counter that makes each temporary name in this process distinct; the process id
/// separates processes (the CLI and the app may attach at the same time).
static NEXT_INCOMING: AtomicU64 = AtomicU64::new(0);

impl EvidenceFolder {
    /// The evidence folder of the shop database `db`: `evidence/` in the same folder.
    ///
    /// Beside the database rather than in an app folder, so that a shop folder copied or
    /// synced to another computer carries its evidence with it.
    pub fn beside(db: &Path) -> EvidenceFolder {
        let parent = db.parent().unwrap_or(Path::new(""));
        EvidenceFolder {
            root: parent.join("evidence"),
        }
    }

    /// An evidence folder at `root`.
    pub fn at(root: impl Into<PathBuf>) -> EvidenceFolder {
        EvidenceFolder { root: root.into() }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the content with this hash is (or would be) stored.
    pub fn path_of(&self, hash: &str) -> PathBuf {
        let shard = hash.get(..2).unwrap_or("00");
        self.root.join(shard).join(hash)
    }

    /// Whether content with this hash is stored.
    pub fn contains(&self, hash: &str) -> bool {
        self.path_of(hash).is_file()
    }

    /// Copies `source` into the folder and hashes it in one streaming pass.
    ///
    /// Memory stays at [`COPY_BUFFER_BYTES`] whatever the size. `progress` is called after
    /// every buffer; setting `cancel` stops the copy within one buffer and removes the
    /// partial copy. The copy is written under a temporary name, flushed to disk and only
    /// then renamed to its hash, so a crash or a cancel never leaves a file that looks
    /// attached. Content already stored intact is not kept twice; a stored copy that is
    /// damaged (see [`Ingested::repaired`]) is replaced by this one in one atomic rename.
    pub fn ingest(
        &self,
        source: &Path,
        progress: &mut dyn FnMut(CopyProgress),
        cancel: &AtomicBool,
    ) -> Result<Ingested, EvidenceError> {
        let (mut input, total) = open_source(source)?;
        let incoming_dir = self.root.join(INCOMING);
        create_dir(&incoming_dir)?;
        let partial = incoming_dir.join(format!(
            "{}-{}.partial",
            std::process::id(),
            NEXT_INCOMING.fetch_add(1, Ordering::Relaxed)
        ));
        let result = self.copy_into_place(&mut input, source, &partial, total, progress, cancel);
        if result.is_err() {
            // Best effort: the partial file has no hash name, so even if removal fails it
            // is never taken for evidence; it only wastes space until the next cleanup.
            let _ = std::fs::remove_file(&partial);
        }
        result
    }

    fn copy_into_place(
        &self,
        input: &mut File,
        source: &Path,
        partial: &Path,
        total: u64,
        progress: &mut dyn FnMut(CopyProgress),
        cancel: &AtomicBool,
    ) -> Result<Ingested, EvidenceError> {
        let write_err = |source| EvidenceError::Write {
            path: partial.to_owned(),
            source,
        };
        let mut output = File::create(partial).map_err(write_err)?;
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let (hash, size) = stream(input, source, total, progress, cancel, |chunk| {
            if head.len() < SNIFF_BYTES {
                let take = chunk.len().min(SNIFF_BYTES - head.len());
                head.extend_from_slice(&chunk[..take]);
            }
            output.write_all(chunk).map_err(write_err)
        })?;
        // Flushed before the rename: otherwise a power cut could leave a hash-named file
        // whose blocks never reached the disk.
        output.sync_all().map_err(write_err)?;
        drop(output);
        let stored = self.path_of(&hash);
        let shard = stored.parent().unwrap_or(&self.root);
        create_dir(shard)?;
        // A shared lock for placing the copy: `remove_unreferenced` takes it exclusively, so
        // it never removes a file between this check and the record that will name it. A
        // folder where no lock can be taken (some network shares) still takes attaches: the
        // clean-up's grace period alone then keeps the fresh file, and the clean-up itself
        // refuses to run without its lock.
        let _placing = self.lock(Lock::Shared).ok();
        let placed = match check_stored(&stored, &hash, size, cancel)? {
            StoredCopy::Intact => {
                std::fs::remove_file(partial).map_err(write_err)?;
                // Mark the copy as just used: the clean-up keeps unreferenced files younger
                // than its grace period, and this one is about to be recorded. This is the
                // file system's own timestamp, the one a write would have set.
                touch(&stored);
                Placed::AlreadyStored
            }
            StoredCopy::Absent => self.rename_into_place(partial, &stored, shard)?,
            StoredCopy::Damaged => {
                // The rename replaces the damaged copy in one step: at every instant the
                // hash name holds either the old bytes or the complete, flushed new ones.
                std::fs::rename(partial, &stored).map_err(|source| EvidenceError::Write {
                    path: stored.clone(),
                    source,
                })?;
                sync_dir(shard);
                Placed::Repaired
            }
        };
        Ok(Ingested {
            meta: read_meta(&stored, &head),
            hash,
            size,
            original_name: source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.display().to_string()),
            stored,
            already_stored: placed == Placed::AlreadyStored,
            repaired: placed == Placed::Repaired,
        })
    }

    /// Renames a complete copy to its hash name when no copy was there.
    fn rename_into_place(
        &self,
        partial: &Path,
        stored: &Path,
        shard: &Path,
    ) -> Result<Placed, EvidenceError> {
        match std::fs::rename(partial, stored) {
            Ok(()) => {
                sync_dir(shard);
                Ok(Placed::New)
            }
            // Another attach of the same content (the app and the CLI at once) won the race
            // and Windows refused to rename over the file it holds open. That attach checked
            // its own copy, so the bytes are the same: keep it.
            Err(_) if stored.is_file() => {
                std::fs::remove_file(partial).map_err(|source| EvidenceError::Write {
                    path: partial.to_owned(),
                    source,
                })?;
                Ok(Placed::AlreadyStored)
            }
            Err(source) => Err(EvidenceError::Write {
                path: stored.to_owned(),
                source,
            }),
        }
    }

    /// Takes the evidence folder's lock (`evidence/.lock`), held until the file is dropped.
    ///
    /// An advisory lock between processes (the app and the CLI may work on one shop): the
    /// attach places files under a shared lock, the clean-up removes files under an
    /// exclusive one.
    pub(crate) fn lock(&self, kind: Lock) -> Result<File, EvidenceError> {
        create_dir(&self.root)?;
        let path = self.root.join(LOCK_FILE);
        let write_err = |source| EvidenceError::Write {
            path: path.clone(),
            source,
        };
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(write_err)?;
        match kind {
            Lock::Shared => file.lock_shared(),
            Lock::Exclusive => file.lock(),
        }
        .map_err(write_err)?;
        Ok(file)
    }

    /// Opens stored content for reading, checking that it is there.
    pub fn open(&self, hash: &str) -> Result<File, EvidenceError> {
        let path = self.path_of(hash);
        File::open(&path).map_err(|source| match source.kind() {
            ErrorKind::NotFound => EvidenceError::Missing {
                hash: hash.to_owned(),
                path: path.clone(),
            },
            _ => EvidenceError::Unreadable {
                path: path.clone(),
                source,
            },
        })
    }
}

/// Checks the copy stored under `hash` against the `size` and hash it must have.
///
/// Comparing sizes is free and catches a copy cut short; a flipped byte keeps the size, and
/// only hashing the stored copy finds it. That read costs as much again as the copy just
/// made, but only when content already stored is attached again, which is rare, and it is
/// how a damaged copy gets repaired at all: without it re-attaching the original would
/// keep the damaged copy forever. It honours `cancel` like the copy.
fn check_stored(
    stored: &Path,
    hash: &str,
    size: u64,
    cancel: &AtomicBool,
) -> Result<StoredCopy, EvidenceError> {
    let metadata = match std::fs::metadata(stored) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(StoredCopy::Absent),
        // Cannot even look at it: replacing it with checked bytes is the safe course.
        Err(_) => return Ok(StoredCopy::Damaged),
    };
    if !metadata.is_file() || metadata.len() != size {
        return Ok(StoredCopy::Damaged);
    }
    let Ok(mut file) = File::open(stored) else {
        return Ok(StoredCopy::Damaged);
    };
    match stream(&mut file, stored, size, &mut |_| {}, cancel, |_| Ok(())) {
        Ok((found, _)) if found == hash => Ok(StoredCopy::Intact),
        Ok(_) | Err(EvidenceError::Unreadable { .. }) => Ok(StoredCopy::Damaged),
        Err(other) => Err(other),
    }
}

/// Sets a stored file's modification time to now (best effort: a file that refuses is
/// still intact, and only loses the clean-up's grace period).
fn touch(path: &Path) {
    if let Ok(file) = File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

/// Hashes a file without copying it (for the benchmark and for checks), with the same
/// buffer, progress and cancellation as a copy. Returns the hash and the size.
pub fn hash_file(
    path: &Path,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<(String, u64), EvidenceError> {
    let (mut input, total) = open_source(path)?;
    stream(&mut input, path, total, progress, cancel, |_| Ok(()))
}

/// Opens a file to attach, telling a missing file, a folder and an unreadable file apart.
fn open_source(path: &Path) -> Result<(File, u64), EvidenceError> {
    let unreadable = |source| EvidenceError::Unreadable {
        path: path.to_owned(),
        source,
    };
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            return Err(EvidenceError::NotFound {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(unreadable(e)),
    };
    if metadata.is_dir() {
        return Err(EvidenceError::NotAFile {
            path: path.to_owned(),
        });
    }
    let file = File::open(path).map_err(unreadable)?;
    Ok((file, metadata.len()))
}

/// Reads `input` to the end through one bounded buffer, hashing every byte and handing
/// each chunk to `sink`; returns the hex hash and the byte count. Shared by attaching a
/// file and by writing a package, which re-hashes every file it copies.
pub(crate) fn stream(
    input: &mut File,
    path: &Path,
    total: u64,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
    mut sink: impl FnMut(&[u8]) -> Result<(), EvidenceError>,
) -> Result<(String, u64), EvidenceError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; COPY_BUFFER_BYTES];
    let mut done = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Err(EvidenceError::Cancelled);
        }
        let n = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(source) => {
                return Err(EvidenceError::Unreadable {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let chunk = &buffer[..n];
        hasher.update(chunk);
        sink(chunk)?;
        done += n as u64;
        progress(CopyProgress {
            done,
            // A file still growing (a video being saved) reports past its starting size.
            total: total.max(done),
        });
    }
    Ok((hex(&hasher.finalize()), done))
}

/// Lowercase hex, the form `sha256sum` prints.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn create_dir(dir: &Path) -> Result<(), EvidenceError> {
    std::fs::create_dir_all(dir).map_err(|source| EvidenceError::Write {
        path: dir.to_owned(),
        source,
    })
}

/// Makes a rename in `dir` durable (the directory entry itself is data on Unix file
/// systems). Windows offers no directory handle to flush and journals renames anyway.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        // A failure here only weakens durability after a power cut; the copy itself is
        // complete and flushed, so it is not reported as an error.
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_matches_sha256sum_for_the_empty_input() {
        assert_eq!(
            hex(&Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "the well-known SHA-256 of nothing"
        );
    }
}
