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
const INCOMING: &str = ".incoming";

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
    /// Whether the same content was already stored (nothing new was kept).
    pub already_stored: bool,
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
    /// attached. Content already stored is not kept twice.
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
        let mut already_stored = stored.is_file();
        if already_stored {
            std::fs::remove_file(partial).map_err(write_err)?;
        } else {
            let shard = stored.parent().unwrap_or(&self.root);
            create_dir(shard)?;
            match std::fs::rename(partial, &stored) {
                Ok(()) => sync_dir(shard),
                // Another attach of the same content (the app and the CLI at once) won the
                // race; Windows refuses to rename over it. Same hash, same bytes: keep it.
                Err(_) if stored.is_file() => {
                    already_stored = true;
                    std::fs::remove_file(partial).map_err(write_err)?;
                }
                Err(source) => {
                    return Err(EvidenceError::Write {
                        path: stored.clone(),
                        source,
                    });
                }
            }
        }
        Ok(Ingested {
            meta: read_meta(&stored, &head),
            hash,
            size,
            original_name: source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| source.display().to_string()),
            stored,
            already_stored,
        })
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
