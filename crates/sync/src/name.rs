//! Names in the shared folder: where a batch file goes, and what a listed name is (a
//! batch, a temporary file to skip, or a sync client's conflicted copy of a batch).
//!
//! Paths are relative to the shop's folder (`AfterDesk/<shop id>/`) and use `/`, whatever
//! the transport; a transport translates.

use crate::device::Device;
use chrono::{DateTime, Datelike, Utc};

/// The folder of the devices' change logs.
pub const LOG_DIR: &str = "log";

/// The extension of batch files.
pub const BATCH_EXT: &str = "adsync";

/// The digits of a sequence number in a file name, zero-padded so that names sort like
/// numbers: ten digits last a device three centuries at a batch a second.
pub const SEQ_DIGITS: usize = 10;

/// The largest sequence number that fits [`SEQ_DIGITS`].
pub const MAX_SEQ: u64 = 9_999_999_999;

/// Why a batch file cannot be named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// The sequence number is 0 or needs more than [`SEQ_DIGITS`] digits.
    #[error("a batch sequence number runs from 1 to {MAX_SEQ}, not {0}")]
    SeqOutOfRange(u64),
    /// `now` is outside the years 1 to 9999.
    #[error("the date is outside the years a file name can hold")]
    DateOutOfRange,
}

/// A batch file's place: its device, the month folder and its sequence number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchName {
    /// The device whose series it belongs to.
    pub device: Device,
    /// The month folder, `yyyymm` as a number (202611).
    pub month: u32,
    /// The sequence number.
    pub seq: u64,
}

impl BatchName {
    /// The batch of `device` numbered `seq`, written at `now`: the month folder is `now`'s
    /// month in UTC. Month folders keep each folder's listing short (坚果云's WebDAV lists
    /// at most 750 entries); the month is only a place, the sequence number is the
    /// batch's identity.
    pub fn new(device: Device, seq: u64, now: DateTime<Utc>) -> Result<BatchName, NameError> {
        if seq == 0 || seq > MAX_SEQ {
            return Err(NameError::SeqOutOfRange(seq));
        }
        let year = u32::try_from(now.year())
            .ok()
            .filter(|year| (1..=9999).contains(year))
            .ok_or(NameError::DateOutOfRange)?;
        Ok(BatchName {
            device,
            month: year * 100 + now.month(),
            seq,
        })
    }

    /// The file's name: `<seq>.adsync`, the number zero-padded.
    pub fn file_name(&self) -> String {
        format!("{:0width$}.{BATCH_EXT}", self.seq, width = SEQ_DIGITS)
    }

    /// The file's path: `log/<device>/<yyyymm>/<seq>.adsync`.
    pub fn path(&self) -> String {
        format!(
            "{LOG_DIR}/{}/{:06}/{}",
            self.device,
            self.month,
            self.file_name()
        )
    }

    /// The temporary path the file is written under before it is renamed to
    /// [`BatchName::path`]: the same folder, the name prefixed with `.` and suffixed with
    /// `.tmp`, so that every device (and most sync clients) skip it until it is complete.
    pub fn temporary_path(&self) -> String {
        format!(
            "{LOG_DIR}/{}/{:06}/.{}.tmp",
            self.device,
            self.month,
            self.file_name()
        )
    }
}

/// The sync client that made a conflicted copy, as told by the copy's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncClient {
    /// Dropbox: `name (X's conflicted copy 2026-11-20).ext`, and the localised forms with a
    /// date in the parentheses.
    Dropbox,
    /// Syncthing: `name.sync-conflict-20261120-101010-ABCDEFG.ext`.
    Syncthing,
    /// OneDrive: `name-PCNAME.ext`, the computer's name appended.
    OneDrive,
    /// A numbered duplicate, `name (1).ext` or `name(1).ext` (Google Drive, 百度网盘, a
    /// desktop's copy and paste).
    Numbered,
}

/// What a listed path under `log/` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A batch file.
    Batch(BatchName),
    /// A sync client's copy of the batch `original`. The caller compares the two files'
    /// contents: identical, the copy is ignored; different, two devices share one device
    /// id (a cloned installation), and both files are applied (ops are idempotent) while
    /// the true owner moves to a new id.
    ConflictedCopy {
        /// The batch the copy claims to be.
        original: BatchName,
        /// Who made it.
        client: SyncClient,
    },
    /// A temporary or hidden file (being written, or a sync client's own): skipped until it
    /// becomes a batch.
    Temporary,
    /// Anything else: not ours, left alone (never taken for a deletion).
    Other,
}

/// Whether a file name is a temporary or hidden file that no device reads: names starting
/// with `.` (our own `.…tmp`, Syncthing's `.syncthing.….tmp`, macOS `._` files, iCloud's
/// `.….icloud` placeholders), starting with `~` (Office and editors' lock and temporary
/// files), or ending with `.tmp`, `.partial` or `.part` (any case; downloads in progress).
pub fn is_temporary(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    file_name.starts_with('.')
        || file_name.starts_with('~')
        || [".tmp", ".partial", ".part"]
            .iter()
            .any(|suffix| lower.ends_with(suffix))
}

/// Says what `path` (relative to the shop folder, `/`-separated) is.
pub fn classify(path: &str) -> Entry {
    let parts: Vec<&str> = path.split('/').collect();
    let [dir, device, month, file] = parts.as_slice() else {
        return Entry::Other;
    };
    if is_temporary(file) {
        return Entry::Temporary;
    }
    if *dir != LOG_DIR {
        return Entry::Other;
    }
    let (Ok(device), Some(month)) = (Device::parse(device), parse_month(month)) else {
        return Entry::Other;
    };
    let Some(stem) = file
        .strip_suffix(BATCH_EXT)
        .and_then(|s| s.strip_suffix('.'))
    else {
        return Entry::Other;
    };
    let Some((seq, rest)) = split_seq(stem) else {
        return Entry::Other;
    };
    let original = BatchName { device, month, seq };
    if rest.is_empty() {
        return Entry::Batch(original);
    }
    match copy_client(rest) {
        Some(client) => Entry::ConflictedCopy { original, client },
        None => Entry::Other,
    }
}

fn parse_month(text: &str) -> Option<u32> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u32 = text.parse().ok()?;
    (1..=12).contains(&(month % 100)).then_some(month)
}

/// The leading [`SEQ_DIGITS`] digits of a stem as a number, and what follows them.
fn split_seq(stem: &str) -> Option<(u64, &str)> {
    let digits = stem.get(..SEQ_DIGITS)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seq: u64 = digits.parse().ok()?;
    let rest = &stem[SEQ_DIGITS..];
    if rest.starts_with(|c: char| c.is_ascii_digit()) || seq == 0 {
        return None;
    }
    Some((seq, rest))
}

/// Which client's decoration `rest` (what follows the sequence number in the stem) is.
fn copy_client(rest: &str) -> Option<SyncClient> {
    if let Some(tail) = rest.strip_prefix(".sync-conflict-") {
        return is_syncthing_tail(tail).then_some(SyncClient::Syncthing);
    }
    if let Some(inner) = rest
        .strip_prefix(" (")
        .or_else(|| rest.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
    {
        if !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()) {
            return Some(SyncClient::Numbered);
        }
        if has_iso_date(inner) {
            return Some(SyncClient::Dropbox);
        }
        return None;
    }
    if let Some(pc) = rest.strip_prefix('-') {
        let is_pc_name = (1..=63).contains(&pc.len())
            && pc
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        return is_pc_name.then_some(SyncClient::OneDrive);
    }
    None
}

/// `YYYYMMDD-HHMMSS-XXXXXXX`: date, time and the first seven characters of the Syncthing
/// device id that made the copy.
fn is_syncthing_tail(tail: &str) -> bool {
    let parts: Vec<&str> = tail.split('-').collect();
    matches!(parts.as_slice(), [date, time, id]
        if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit())
            && time.len() == 6 && time.bytes().all(|b| b.is_ascii_digit())
            && id.len() == 7 && id.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Whether `text` holds a `YYYY-MM-DD` date, as Dropbox's conflicted copies do in every
/// language (`conflicted copy`, `冲突副本`, `衝突複本`...).
fn has_iso_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(10).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && [0, 1, 2, 3, 5, 6, 8, 9]
                .iter()
                .all(|&i| w[i].is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn device() -> Device {
        Device::parse("dev-1").unwrap()
    }

    fn batch(seq: u64) -> BatchName {
        BatchName {
            device: device(),
            month: 202611,
            seq,
        }
    }

    #[test]
    fn batch_paths_sort_by_sequence_number() {
        let now = DateTime::from_timestamp_millis(1_795_000_000_000).unwrap();
        let name = BatchName::new(device(), 42, now).unwrap();
        assert_eq!(
            name.path(),
            "log/dev-1/202611/0000000042.adsync",
            "the path layout"
        );
        assert_eq!(
            classify(&name.path()),
            Entry::Batch(name.clone()),
            "a path reads back"
        );
        let mut names: Vec<String> = [9, 10, 100, 11, 1]
            .iter()
            .map(|&s| batch(s).file_name())
            .collect();
        names.sort();
        let seqs: Vec<u64> = names
            .iter()
            .map(|n| match classify(&format!("log/dev-1/202611/{n}")) {
                Entry::Batch(b) => b.seq,
                other => panic!("{n} is a batch, got {other:?}"),
            })
            .collect();
        assert_eq!(seqs, [1, 9, 10, 11, 100], "names sort like their numbers");
        for seq in [0, MAX_SEQ + 1] {
            assert_eq!(
                BatchName::new(device(), seq, now),
                Err(NameError::SeqOutOfRange(seq)),
                "sequence numbers run from 1 to {MAX_SEQ}"
            );
        }
    }

    #[test]
    fn temporary_and_hidden_files_are_skipped() {
        let cases = [
            batch(3).temporary_path(),
            "log/dev-1/202611/.syncthing.0000000003.adsync.tmp".to_owned(),
            "log/dev-1/202611/~0000000003.adsync".to_owned(),
            "log/dev-1/202611/~$0000000003.adsync".to_owned(),
            "log/dev-1/202611/0000000003.adsync.TMP".to_owned(),
            "log/dev-1/202611/0000000003.adsync.partial".to_owned(),
            "log/dev-1/202611/.0000000003.adsync.icloud".to_owned(),
            "log/dev-1/202611/._0000000003.adsync".to_owned(),
        ];
        for path in cases {
            assert_eq!(
                classify(&path),
                Entry::Temporary,
                "{path} is skipped as temporary"
            );
        }
    }

    #[test]
    fn conflicted_copies_map_back_to_their_batch() {
        let cases = [
            (
                "0000000007 (Bob's conflicted copy 2026-11-20).adsync",
                SyncClient::Dropbox,
            ),
            (
                "0000000007 (Bob's conflicted copy 2026-11-20 (1)).adsync",
                SyncClient::Dropbox,
            ),
            (
                "0000000007 (小王 的冲突副本 2026-11-20).adsync",
                SyncClient::Dropbox,
            ),
            (
                "0000000007.sync-conflict-20261120-101010-ABCDEFG.adsync",
                SyncClient::Syncthing,
            ),
            ("0000000007-DESKTOP-AB12CD.adsync", SyncClient::OneDrive),
            ("0000000007-LAPTOP.adsync", SyncClient::OneDrive),
            ("0000000007 (1).adsync", SyncClient::Numbered),
            ("0000000007(2).adsync", SyncClient::Numbered),
        ];
        for (file, client) in cases {
            assert_eq!(
                classify(&format!("log/dev-1/202611/{file}")),
                Entry::ConflictedCopy {
                    original: batch(7),
                    client
                },
                "{file} is {client:?}'s copy of batch 7"
            );
        }
    }

    #[test]
    fn other_names_are_left_alone() {
        let cases = [
            "SHOP.json",
            "devices/dev-1.json",
            "log/dev-1/202611/0000000007.json",
            "log/dev-1/202611/7.adsync",
            "log/dev-1/202611/00000000070.adsync",
            "log/dev-1/202611/0000000000.adsync",
            "log/dev-1/202613/0000000007.adsync",
            "log/dev 1/202611/0000000007.adsync",
            "log/dev-1/202611/sub/0000000007.adsync",
            "blobs/dev-1/202611/0000000007.adsync",
            "log/dev-1/202611/0000000007 (notes).adsync",
            "log/dev-1/202611/0000000007.sync-conflict-2026-ABCDEFG.adsync",
        ];
        for path in cases {
            assert_eq!(
                classify(path),
                Entry::Other,
                "{path} is not a batch nor a copy of one"
            );
        }
    }
}
