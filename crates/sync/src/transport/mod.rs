//! The transports: how batch files reach the shared location and come back, with one
//! [`Transport`] trait and three backends, a local folder ([`folder`]), WebDAV
//! ([`webdav`], 坚果云) and S3-compatible object storage ([`s3`], Aliyun OSS, Tencent COS,
//! MinIO). [`AnyTransport`] holds whichever the shop chose.
//!
//! The rules every backend keeps (`docs/sync.md`, Transports):
//!
//! - Paths are relative to the shop's folder (`AfterDesk/<shop id>/`), `/`-separated, made
//!   of plain names; a backend translates them.
//! - A listing that failed, came back unreadable, or may be truncated is an error, never an
//!   empty success, so that it cannot be read as "every file was deleted". An empty listing
//!   is a success only when the backend can tell that the folder exists and is empty; a
//!   folder that does not exist is [`TransportError::NotFound`] (on S3, where folders do
//!   not exist, a prefix holding no object is `NotFound` too).
//! - A write is atomic: under a temporary name then renamed (folder, WebDAV `MOVE`), or one
//!   `PUT` where objects appear whole (S3). No backend relies on create-if-absent: some S3
//!   servers ignore `If-None-Match`, and each device only writes its own names anyway.
//! - A read is refused beyond the caller's bound before the file is held in memory.
//! - Every request has a time limit; a transport retries nothing by itself except one
//!   immediate retry of an idempotent read whose connection failed (a keep-alive
//!   connection the server had closed). The sync loop decides about everything else, and
//!   rate limiting is reported as such with the server's `Retry-After`.

use crate::name;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::time::Duration;

pub mod error;
pub mod folder;
mod http;
pub mod s3;
pub mod webdav;
mod xml;

pub use error::TransportError;
pub use folder::FolderTransport;
pub use http::{CONNECT_TIMEOUT, HttpSettings, REQUEST_TIMEOUT};
pub use s3::{S3Settings, S3Transport, UrlStyle};
pub use webdav::{WebDavSettings, WebDavTransport};

/// The most entries one listing may hold. The shared folder's layout keeps every folder
/// under about 500 entries (a month of one device's batches, the devices of one shop), so
/// a listing of more is a misplaced folder or a hostile server; it is refused rather than
/// held in memory. S3 listings are read page by page up to this bound.
pub const MAX_LIST_ENTRIES: usize = 10_000;

/// The largest listing answer read, in bytes (one WebDAV `PROPFIND` answer or one S3
/// page). A `PROPFIND` entry is 300–600 bytes and an S3 page holds at most 1,000 objects
/// of about 300 bytes, so 16 MiB is far above any listing within [`MAX_LIST_ENTRIES`]
/// while keeping a runaway answer out of memory.
pub const MAX_LISTING_BYTES: u64 = 16 * 1024 * 1024;

/// The largest file a transport writes, in bytes: twice a batch file's bound
/// ([`crate::file::MAX_FILE_BYTES`]), room for snapshots and blob chunks while keeping
/// every upload one request that fits in memory.
pub const MAX_WRITE_BYTES: usize = 64 * 1024 * 1024;

/// The longest path accepted, in bytes. Real paths are under 60 bytes
/// (`log/<device>/<yyyymm>/<seq>.adsync`); some servers and file systems refuse paths
/// over 1,024 bytes once the root is added.
pub const MAX_PATH_BYTES: usize = 512;

/// The longest wait taken from a server's `Retry-After`: a longer one (or a date years
/// ahead) is capped, so that a misconfigured server cannot stop sync for days.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path, relative to the shop's folder (the listed folder, `/`, the name).
    pub path: String,
    /// The size in bytes (0 for folders).
    pub size: u64,
    /// When it was last modified, as the server or file system says (`None` when it did
    /// not say). Used for the clock-skew warning and to pick the newest snapshot, never
    /// to order changes.
    pub modified: Option<DateTime<Utc>>,
    /// What it is, so that the caller skips what it must not read yet.
    pub kind: EntryKind,
}

/// What a listed entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A folder.
    Folder,
    /// A file with content, classified by its path ([`name::classify`]; temporary and
    /// hidden names are [`name::Entry::Temporary`] at any depth).
    File(name::Entry),
    /// A zero-byte file: a placeholder or a file being created. Skipped and tried again
    /// later; never taken for a deletion.
    Empty,
    /// A sync client's placeholder whose content is not on this computer (Windows
    /// files-on-demand, macOS dataless files). Skipped like [`EntryKind::Empty`]; reading
    /// it would ask the client to download it, which may block or fail.
    Placeholder,
}

impl Entry {
    /// A file entry: zero bytes make it [`EntryKind::Empty`], otherwise it is classified
    /// by its path.
    pub(crate) fn file(path: String, size: u64, modified: Option<DateTime<Utc>>) -> Entry {
        let kind = if size == 0 {
            EntryKind::Empty
        } else {
            EntryKind::File(classify(&path))
        };
        Entry {
            path,
            size,
            modified,
            kind,
        }
    }

    /// A folder entry.
    pub(crate) fn folder(path: String, modified: Option<DateTime<Utc>>) -> Entry {
        Entry {
            path,
            size: 0,
            modified,
            kind: EntryKind::Folder,
        }
    }

    /// The entry's own name, the last part of its path.
    pub fn name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }

    /// Whether the caller should read it now: a file with content, not temporary.
    pub fn is_readable_file(&self) -> bool {
        matches!(&self.kind, EntryKind::File(kind) if *kind != name::Entry::Temporary)
    }
}

/// [`name::classify`], with temporary and hidden names recognised at any depth (a
/// `.SHOP.json.tmp` as much as a batch's temporary file).
fn classify(path: &str) -> name::Entry {
    let file_name = path.rsplit('/').next().unwrap_or(path);
    if name::is_temporary(file_name) {
        name::Entry::Temporary
    } else {
        name::classify(path)
    }
}

/// The shared location, whatever serves it. Every method is one request or a few (a
/// write's rename, an S3 listing's pages), bounded in time; see the module's rules.
pub trait Transport: Send + Sync {
    /// The entries directly in `folder` (`""` is the shop's folder): files and folders,
    /// never a partial listing. A missing folder is [`TransportError::NotFound`].
    fn list(&self, folder: &str)
    -> impl Future<Output = Result<Vec<Entry>, TransportError>> + Send;

    /// The content of the file at `path`, refused with [`TransportError::TooLarge`] if it
    /// holds more than `max_bytes` (checked on the announced size before reading, and
    /// again while reading).
    fn read(
        &self,
        path: &str,
        max_bytes: u64,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send;

    /// Writes `bytes` at `path` atomically, creating the folders it needs and replacing a
    /// file already there: no reader ever sees a partial file under `path`.
    fn write(
        &self,
        path: &str,
        bytes: &[u8],
    ) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// Deletes the file at `path` (only ever a device's own old files). A file already
    /// gone is a success: S3 cannot tell the difference, and the result is the same.
    fn delete(&self, path: &str) -> impl Future<Output = Result<(), TransportError>> + Send;

    /// The server's clock, from the `Date` header of the last answer: the reference of the
    /// clock-skew warning ([`crate::hlc::skew_warning`]). `None` for a local folder and
    /// before the first answer.
    fn server_time(&self) -> Option<DateTime<Utc>>;
}

/// The transport a shop chose, held as one type so that the sync loop does not need to
/// be generic.
#[derive(Debug)]
pub enum AnyTransport {
    /// A local folder.
    Folder(FolderTransport),
    /// A WebDAV server.
    WebDav(WebDavTransport),
    /// S3-compatible object storage.
    S3(S3Transport),
}

impl Transport for AnyTransport {
    async fn list(&self, folder: &str) -> Result<Vec<Entry>, TransportError> {
        match self {
            AnyTransport::Folder(t) => t.list(folder).await,
            AnyTransport::WebDav(t) => t.list(folder).await,
            AnyTransport::S3(t) => t.list(folder).await,
        }
    }

    async fn read(&self, path: &str, max_bytes: u64) -> Result<Vec<u8>, TransportError> {
        match self {
            AnyTransport::Folder(t) => t.read(path, max_bytes).await,
            AnyTransport::WebDav(t) => t.read(path, max_bytes).await,
            AnyTransport::S3(t) => t.read(path, max_bytes).await,
        }
    }

    async fn write(&self, path: &str, bytes: &[u8]) -> Result<(), TransportError> {
        match self {
            AnyTransport::Folder(t) => t.write(path, bytes).await,
            AnyTransport::WebDav(t) => t.write(path, bytes).await,
            AnyTransport::S3(t) => t.write(path, bytes).await,
        }
    }

    async fn delete(&self, path: &str) -> Result<(), TransportError> {
        match self {
            AnyTransport::Folder(t) => t.delete(path).await,
            AnyTransport::WebDav(t) => t.delete(path).await,
            AnyTransport::S3(t) => t.delete(path).await,
        }
    }

    fn server_time(&self) -> Option<DateTime<Utc>> {
        match self {
            AnyTransport::Folder(t) => t.server_time(),
            AnyTransport::WebDav(t) => t.server_time(),
            AnyTransport::S3(t) => t.server_time(),
        }
    }
}

/// Checks a path and splits it into its names. `""` is the shop's folder itself (allowed
/// for listings only: `allow_root`). Refused: a leading or trailing `/`, empty names,
/// `.` and `..`, backslashes and control characters (a path must mean the same place on
/// every backend and never leave the shop's folder), and more than [`MAX_PATH_BYTES`].
pub(crate) fn split_path(path: &str, allow_root: bool) -> Result<Vec<&str>, TransportError> {
    let invalid = |reason| TransportError::InvalidPath {
        path: path.chars().take(MAX_PATH_BYTES).collect(),
        reason,
    };
    if path.is_empty() {
        return if allow_root {
            Ok(Vec::new())
        } else {
            Err(invalid("路径为空"))
        };
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(invalid("路径太长"));
    }
    if path.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(invalid("路径含有反斜杠或控制字符"));
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts
        .iter()
        .any(|part| part.is_empty() || *part == "." || *part == "..")
    {
        return Err(invalid("路径中有空的部分、“.”或“..”"));
    }
    Ok(parts)
}

/// A temporary name beside `path` for an atomic write: `.<name>.<random>.tmp` in the same
/// folder, which every device skips ([`name::is_temporary`]); the random part keeps two
/// writers (a cloned device) from sharing one temporary file.
pub(crate) fn temporary_path(path: &str) -> Result<String, TransportError> {
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).map_err(|e| TransportError::Io {
        path: path.to_owned(),
        source: std::io::Error::other(e),
    })?;
    let (dir, file) = match path.rsplit_once('/') {
        Some((dir, file)) => (format!("{dir}/"), file),
        None => (String::new(), path),
    };
    Ok(format!("{dir}.{file}.{}.tmp", hex::encode(random)))
}

/// Refuses a write over [`MAX_WRITE_BYTES`].
pub(crate) fn check_write_size(path: &str, bytes: &[u8]) -> Result<(), TransportError> {
    if bytes.len() > MAX_WRITE_BYTES {
        return Err(TransportError::TooLarge {
            path: path.to_owned(),
            limit: MAX_WRITE_BYTES as u64,
        });
    }
    Ok(())
}

/// Joins a folder and a name into a path (`""` is the shop's folder).
pub(crate) fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_owned()
    } else {
        format!("{folder}/{name}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_shop_folder() {
        let long = "a/".repeat(MAX_PATH_BYTES);
        let cases: [(&str, bool); 11] = [
            ("log/dev-1/202611/0000000001.adsync", true),
            ("SHOP.json", true),
            ("", false),
            ("/log", false),
            ("log/", false),
            ("log//dev", false),
            ("log/../SHOP.json", false),
            ("./log", false),
            ("log\\dev", false),
            ("log/\u{0}", false),
            (long.trim_end_matches('/'), false),
        ];
        for (path, ok) in cases {
            assert_eq!(
                split_path(path, false).is_ok(),
                ok,
                "{path:?} is accepted only when it is a relative path of plain names"
            );
        }
        assert_eq!(
            split_path("", true).unwrap(),
            Vec::<&str>::new(),
            "the root may be listed"
        );
    }

    #[test]
    fn temporary_names_are_skipped_by_every_device() {
        let temp = temporary_path("log/dev-1/202611/0000000001.adsync").unwrap();
        assert!(
            temp.starts_with("log/dev-1/202611/.0000000001.adsync.") && temp.ends_with(".tmp"),
            "the temporary file sits beside the final one: {temp}"
        );
        let entry = Entry::file(temp.clone(), 10, None);
        assert_eq!(
            entry.kind,
            EntryKind::File(name::Entry::Temporary),
            "{temp} is classified temporary"
        );
        assert!(!entry.is_readable_file(), "a temporary file is not read");
        let shop_temp = temporary_path("SHOP.json").unwrap();
        assert_eq!(
            Entry::file(shop_temp.clone(), 10, None).kind,
            EntryKind::File(name::Entry::Temporary),
            "{shop_temp} at the root is temporary too"
        );
        assert_eq!(
            Entry::file("log/dev-1/202611/0000000001.adsync".into(), 0, None).kind,
            EntryKind::Empty,
            "a zero-byte batch is a placeholder, not a batch"
        );
    }
}
