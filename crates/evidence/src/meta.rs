//! What a file says about itself: its type, when it was captured, how long a video runs.
//!
//! Everything here is read from the file; what the file does not say is `None`. In
//! particular a file's modification time is never used as a capture time: copying a
//! photo from a phone sets it to the copy's time.

use afterdesk_case::time::from_china_local;
use chrono::{DateTime, NaiveDate, Utc};
use nom_exif::{EntryValue, Exif, ExifTag, MediaKind, MediaParser, MediaSource, TrackInfoTag};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Capture times before this are read as "not set" rather than as a date.
///
/// A camera with an unset clock writes zeros: the MP4/MOV epoch (1904-01-01), the Unix
/// epoch or its own factory date. No phone or camera that records evidence today predates
/// 2001, so anything earlier says "the device did not know the time", and reporting it as
/// a capture time would be a guess.
pub const EARLIEST_PLAUSIBLE_CAPTURE: NaiveDate = match NaiveDate::from_ymd_opt(2001, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// What was learnt from a file's content.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    /// MIME type from the file's magic bytes; `None` when not recognised.
    pub mime: Option<String>,
    /// When the photo was taken (EXIF `DateTimeOriginal`) or the video recorded (MP4/MOV
    /// creation time); `None` when the file does not say or the value is unusable.
    pub captured_at: Option<DateTime<Utc>>,
    /// A video's duration from its header, in milliseconds; `None` otherwise.
    pub duration_ms: Option<u64>,
}

/// Reads the metadata of the file at `path`, whose first bytes are `head`.
///
/// EXIF times without an offset (most phones write none) are read as China time, the
/// time zone a Taobao shop's phones are set to, as everywhere else in AfterDesk; EXIF
/// times with an `OffsetTimeOriginal`, and MP4/MOV times (UTC by the format's definition,
/// or with the offset Apple's `creationdate` carries) are exact. A truncated or corrupt
/// file yields the type alone.
pub fn read_meta(path: &Path, head: &[u8]) -> FileMeta {
    let mime = infer::get(head).map(|t| t.mime_type().to_owned());
    let mut meta = FileMeta {
        mime,
        ..FileMeta::default()
    };
    // Small files are parsed from memory: the streaming parser insists on a first read
    // of several kilobytes and fails on a complete file shorter than that (a small
    // screenshot or photo); large files (videos) are streamed so memory stays bounded.
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= IN_MEMORY_BYTES);
    if small {
        if let Ok(bytes) = std::fs::read(path)
            && let Ok(source) = MediaSource::from_memory(bytes)
        {
            read_media(source, &mut meta);
        }
    } else if let Ok(source) = MediaSource::open(path) {
        read_media(source, &mut meta);
    }
    meta
}

/// Files up to this size are read into memory for metadata parsing.
///
/// 4 MiB covers phone photos and screenshots whole; larger files (videos) are parsed
/// from the disk, reading only the boxes the header needs.
const IN_MEMORY_BYTES: u64 = 4 << 20;

fn read_media<R: std::io::Read>(source: MediaSource<R>, meta: &mut FileMeta) {
    let mut parser = MediaParser::new();
    match source.kind() {
        MediaKind::Image => {
            if let Ok(iter) = parser.parse_exif(source) {
                let exif: Exif = iter.into();
                meta.captured_at = exif
                    .get(ExifTag::DateTimeOriginal)
                    .or_else(|| exif.get(ExifTag::CreateDate))
                    .and_then(instant);
            }
        }
        MediaKind::Track => {
            if let Ok(track) = parser.parse_track(source) {
                meta.captured_at = track.get(TrackInfoTag::CreateDate).and_then(instant);
                // Zero means the header does not know (a fragmented or unfinished file).
                meta.duration_ms = match track.get(TrackInfoTag::DurationMs) {
                    Some(EntryValue::U64(ms)) if *ms > 0 => Some(*ms),
                    Some(EntryValue::U32(ms)) if *ms > 0 => Some(u64::from(*ms)),
                    _ => None,
                };
            }
        }
    }
}

fn instant(value: &EntryValue) -> Option<DateTime<Utc>> {
    let at = match value {
        EntryValue::DateTime(t) => t.with_timezone(&Utc),
        EntryValue::NaiveDateTime(t) => from_china_local(*t),
        _ => return None,
    };
    (at.date_naive() >= EARLIEST_PLAUSIBLE_CAPTURE).then_some(at)
}
