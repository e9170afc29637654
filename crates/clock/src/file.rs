//! Reading rule and calendar files from disk, within a size limit.

use crate::ClockError;
use std::io::Read;
use std::path::Path;

/// The largest rule pack, override file or calendar year file read, in bytes (256 KiB).
///
/// A calendar year is about 2 KB and the whole bundled rule pack about 30 KB; a shop's
/// override file with a hundred clocks of its own stays under 60 KB. A file a hundred times
/// larger than a year file is not a calendar but a wrong choice in the file dialog (a video,
/// a spreadsheet, a database), and refusing it up front keeps the reader from holding
/// megabytes in memory and parsing them only to fail. The bundled files are checked
/// against it too, so raising it never breaks them.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

/// Refuses a text longer than [`MAX_FILE_BYTES`], for the parsers that take text.
pub(crate) fn check_size(text: &str, file: &str) -> Result<(), ClockError> {
    let size = u64::try_from(text.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ClockError::TooLarge {
            file: file.to_owned(),
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    Ok(())
}

/// Reads a rule or calendar file as UTF-8 text, refusing a file larger than
/// [`MAX_FILE_BYTES`] without reading more than one byte past the limit (a file may
/// grow while it is read, so its size on disk alone is not trusted).
pub fn read_limited(path: &Path) -> Result<String, ClockError> {
    let read_err = |source| ClockError::Read {
        file: path.to_owned(),
        source,
    };
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(read_err)?;
    if let Ok(metadata) = file.metadata()
        && metadata.len() > MAX_FILE_BYTES
    {
        return Err(ClockError::TooLarge {
            file: name,
            size: metadata.len(),
            limit: MAX_FILE_BYTES,
        });
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ClockError::TooLarge {
            file: name,
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        ClockError::NotUtf8 { file: name, line }
    })
}
