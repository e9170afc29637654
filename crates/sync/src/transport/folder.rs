//! The local folder backend: a folder that a sync client (Dropbox, OneDrive, 坚果云,
//! 百度网盘同步空间, Syncthing) or a network share makes common to the devices. The
//! client's own behaviour is the hazard here: temporary files, zero-byte files being
//! created, files-on-demand placeholders and conflicted copies all appear in listings
//! and are reported with their [`EntryKind`] so that the caller skips or compares them.

use super::{
    Entry, EntryKind, MAX_LIST_ENTRIES, Transport, TransportError, check_write_size, join,
    split_path, temporary_path,
};
use chrono::{DateTime, Utc};
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A shop's folder on this computer.
#[derive(Debug, Clone)]
pub struct FolderTransport {
    root: PathBuf,
}

impl FolderTransport {
    /// The transport over `root`, the shop's folder (`…/AfterDesk/<shop id>`). Nothing is
    /// checked or created here: a missing folder shows as [`TransportError::NotFound`] on
    /// the first listing (a sync client that has not finished, an unplugged drive), so
    /// that it is never taken for an empty one.
    pub fn new(root: impl Into<PathBuf>) -> FolderTransport {
        FolderTransport { root: root.into() }
    }

    /// The shop's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn local(&self, path: &str, allow_root: bool) -> Result<PathBuf, TransportError> {
        let mut local = self.root.clone();
        for part in split_path(path, allow_root)? {
            local.push(part);
        }
        Ok(local)
    }
}

/// Runs file system work on the blocking pool, so that a slow network drive or a sync
/// client hydrating a file does not stall the async runtime.
async fn blocking<T: Send + 'static>(
    path: &str,
    work: impl FnOnce() -> Result<T, TransportError> + Send + 'static,
) -> Result<T, TransportError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| TransportError::Io {
            path: path.to_owned(),
            source: io::Error::other(e),
        })?
}

fn io_error(path: &str, source: io::Error) -> TransportError {
    if source.kind() == io::ErrorKind::NotFound {
        TransportError::NotFound {
            path: path.to_owned(),
        }
    } else {
        TransportError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

impl Transport for FolderTransport {
    async fn list(&self, folder: &str) -> Result<Vec<Entry>, TransportError> {
        let local = self.local(folder, true)?;
        let folder = folder.to_owned();
        blocking(&folder.clone(), move || list_blocking(&local, &folder)).await
    }

    async fn read(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
        let local = self.local(path, false)?;
        let path = path.to_owned();
        blocking(&path.clone(), move || {
            read_blocking(&local, &path, max_bytes)
        })
        .await
    }

    async fn write(&self, path: &str, bytes: &[u8]) -> Result<(), TransportError> {
        check_write_size(path, bytes)?;
        let local = self.local(path, false)?;
        let temporary = self.local(&temporary_path(path)?, false)?;
        let path = path.to_owned();
        let bytes = bytes.to_vec();
        blocking(&path.clone(), move || {
            write_blocking(&local, &temporary, &bytes).map_err(|e| io_error(&path, e))
        })
        .await
    }

    async fn delete(&self, path: &str) -> Result<(), TransportError> {
        let local = self.local(path, false)?;
        let path = path.to_owned();
        blocking(&path.clone(), move || match fs::remove_file(&local) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(&path, e)),
        })
        .await
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        None
    }
}

fn list_blocking(local: &Path, folder: &str) -> Result<Vec<Entry>, TransportError> {
    let listing_error = |e| io_error(folder, e);
    let mut entries = Vec::new();
    for item in fs::read_dir(local).map_err(listing_error)? {
        let item = item.map_err(listing_error)?;
        if entries.len() >= MAX_LIST_ENTRIES {
            return Err(TransportError::ListingTooLarge {
                path: folder.to_owned(),
                limit: MAX_LIST_ENTRIES,
            });
        }
        let Some(name) = item.file_name().to_str().map(str::to_owned) else {
            // A name that is not UTF-8 is none of ours (every name we write is ASCII).
            continue;
        };
        let metadata = match item.metadata() {
            Ok(metadata) => metadata,
            // Removed between the listing and the look: gone, not hidden.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(listing_error(e)),
        };
        let path = join(folder, &name);
        let modified = metadata.modified().ok().map(DateTime::<Utc>::from);
        let entry = if metadata.is_dir() {
            Entry::folder(path, modified)
        } else if is_placeholder(&metadata) {
            Entry {
                path,
                size: metadata.len(),
                modified,
                kind: EntryKind::Placeholder,
            }
        } else {
            Entry::file(path, metadata.len(), modified)
        };
        entries.push(entry);
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(entries)
}

fn read_blocking(local: &Path, path: &str, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
    let too_large = || TransportError::TooLarge {
        path: path.to_owned(),
        limit: max_bytes,
    };
    let file = fs::File::open(local).map_err(|e| io_error(path, e))?;
    let length = file.metadata().map_err(|e| io_error(path, e))?.len();
    if length > max_bytes {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
    // One byte past the bound tells a file that grew since its size was read.
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

/// Writes under the temporary name, flushes it to disk, and renames it over the final
/// name: the rename is atomic on one file system, so a sync client or another device sees
/// either no file or the whole file. A failure removes the temporary file.
fn write_blocking(local: &Path, temporary: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(parent) = local.parent() {
        fs::create_dir_all(parent)?;
    }
    let written = (|| {
        let mut file = fs::File::create(temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(temporary, local)
    })();
    if written.is_err() {
        // Best effort: the temporary name is skipped by every reader anyway.
        let _ = fs::remove_file(temporary);
    }
    written
}

/// Whether a file is a sync client's placeholder whose content is elsewhere: Windows'
/// offline and recall-on-access attributes (OneDrive, 百度网盘 and other cloud-files
/// providers), macOS's dataless flag (iCloud Drive, File Provider clients).
#[cfg(windows)]
fn is_placeholder(metadata: &fs::Metadata) -> bool {
    use std::os::windows::fs::MetadataExt;
    /// `FILE_ATTRIBUTE_OFFLINE`.
    const OFFLINE: u32 = 0x1000;
    /// `FILE_ATTRIBUTE_RECALL_ON_OPEN`.
    const RECALL_ON_OPEN: u32 = 0x4_0000;
    /// `FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS`.
    const RECALL_ON_DATA_ACCESS: u32 = 0x40_0000;
    metadata.file_attributes() & (OFFLINE | RECALL_ON_OPEN | RECALL_ON_DATA_ACCESS) != 0
}

/// Whether a file is a sync client's placeholder whose content is elsewhere (see the
/// Windows version): macOS marks it dataless.
#[cfg(target_os = "macos")]
fn is_placeholder(metadata: &fs::Metadata) -> bool {
    use std::os::macos::fs::MetadataExt;
    /// `SF_DATALESS` in `st_flags`.
    const SF_DATALESS: u32 = 0x4000_0000;
    metadata.st_flags() & SF_DATALESS != 0
}

/// Whether a file is a sync client's placeholder: no client on other systems makes them
/// (iCloud's `.name.icloud` files are recognised by name, as temporary).
#[cfg(not(any(windows, target_os = "macos")))]
fn is_placeholder(_metadata: &fs::Metadata) -> bool {
    false
}
