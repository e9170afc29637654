//! Errors of reading rule and calendar files, with the place in the file they come from.

use std::ops::Range;
use std::path::PathBuf;

/// Why a rule pack, an override file or a calendar file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// The file could not be read from disk.
    #[error("无法读取 {file}：{source}")]
    Read {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written to disk.
    #[error("无法写入 {file}：{source}")]
    Write {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any rule or calendar file can be ([`crate::MAX_FILE_BYTES`]);
    /// it was not read.
    #[error(
        "{file} 有 {size} 字节，超过规则和节假日文件的上限 {limit} 字节；这类文件只有几 KB，请确认选对了文件"
    )]
    TooLarge {
        /// The file, as the caller named it.
        file: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// The file is not UTF-8 text (for example saved as GBK by an older editor).
    #[error("{file} 第 {line} 行不是 UTF-8 文本；请用 UTF-8 编码另存后再试")]
    NotUtf8 {
        /// The file, as the caller named it.
        file: String,
        /// The line, counted from 1, where the first byte that is not UTF-8 lies.
        line: usize,
    },
    /// The file was read but its content is wrong at one place.
    #[error("{file} 第 {line} 行第 {column} 列，字段 {field}：{message}")]
    Invalid {
        /// The file, as the caller named it.
        file: String,
        /// The line, counted from 1.
        line: usize,
        /// The column in characters, counted from 1.
        column: usize,
        /// Which field is wrong, as `table[n].key` (n counts the file's tables from 1).
        field: String,
        /// What is wrong with it.
        message: String,
        /// The TOML reader's own error, when the fault is in the syntax or a type.
        #[source]
        source: Option<Box<toml::de::Error>>,
    },
}

impl ClockError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ClockError::Read { .. } | ClockError::Write { .. } => "clock_file_io",
            ClockError::TooLarge { .. } => "clock_file_too_large",
            ClockError::NotUtf8 { .. } | ClockError::Invalid { .. } => "clock_file_invalid",
        }
    }

    /// Builds an [`ClockError::Invalid`] for a byte span of `text`.
    ///
    /// When `field` is `None` it is read from the file: the key on the line where the span
    /// starts, prefixed by the table the line belongs to, because the TOML reader's errors
    /// carry a span but no public key path.
    pub(crate) fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        field: Option<&str>,
        message: impl Into<String>,
        source: Option<toml::de::Error>,
    ) -> ClockError {
        let message = message.into();
        let start = span.map_or(0, |s| s.start.min(text.len()));
        let (line, column) = line_column(text, start);
        let key = field
            .map(str::to_owned)
            .or_else(|| backticked(&message, "missing field `"))
            .or_else(|| backticked(&message, "unknown field `"))
            .or_else(|| key_on_line(text, start))
            .unwrap_or_else(|| "（文件）".to_owned());
        let field = match table_at(text, start) {
            Some(table) if !key.contains('.') && !key.starts_with('（') => {
                format!("{table}.{key}")
            }
            _ => key,
        };
        ClockError::Invalid {
            file: file.to_owned(),
            line,
            column,
            field,
            message,
            source: source.map(Box::new),
        }
    }

    /// Builds an error from the TOML reader's own error.
    pub(crate) fn from_toml(file: &str, text: &str, error: toml::de::Error) -> ClockError {
        let message = error.message().trim().to_owned();
        ClockError::at(file, text, error.span(), None, message, Some(error))
    }
}

/// The mark some editors put in front of UTF-8 text; the TOML reader skips it.
const BYTE_ORDER_MARK: char = '\u{feff}';

/// The 1-based line and character column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset;
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    // A byte-order mark (Notepad's "UTF-8 with BOM") is invisible: it takes no column.
    let column = before[line_start..]
        .trim_start_matches(BYTE_ORDER_MARK)
        .chars()
        .count()
        + 1;
    (line, column)
}

/// The name between a prefix and the next backtick in a serde message.
fn backticked(message: &str, prefix: &str) -> Option<String> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('`')?].to_owned())
}

/// The key assigned on the line containing `offset` (`hours = "x"` gives `hours`).
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let line = line_text(text, offset);
    let (key, _) = line.split_once('=')?;
    let key = key
        .trim_start_matches(BYTE_ORDER_MARK)
        .trim()
        .trim_matches('"');
    (!key.is_empty() && !key.contains(['[', '#'])).then(|| key.to_owned())
}

fn line_text(text: &str, offset: usize) -> &str {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// The table a byte offset lies in: `clock[3]` for the third `[[clock]]`, or `override.id`
/// for a `[override.id]` table; `None` at the top of the file.
fn table_at(text: &str, offset: usize) -> Option<String> {
    let mut current = None;
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut position = 0;
    for line in text.split_inclusive('\n') {
        // A header on the error's own line counts: a span may point at `[[clock]]` itself.
        if position > offset {
            break;
        }
        let trimmed = line.trim();
        if let Some(name) = trimmed
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .map(|(n, _)| n.trim().to_owned())
        {
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    counts.push((name.clone(), 1));
                    1
                }
            };
            current = Some(format!("{name}[{n}]"));
        } else if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|r| r.split_once(']'))
            .map(|(n, _)| n.trim().to_owned())
        {
            current = Some(name);
        }
        position += line.len();
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_column("名称 = 1\nx", 7), (1, 4));
        assert_eq!(line_column("a\nbc", 3), (2, 2));
    }

    #[test]
    fn tables_are_numbered_from_one() {
        let text = "v = 1\n[[clock]]\nid = 1\n[[clock]]\nid = 2\n[override.x]\nhours = 1\n";
        assert_eq!(table_at(text, 0), None);
        assert_eq!(
            table_at(text, text.find("id = 2").unwrap_or(0)).as_deref(),
            Some("clock[2]")
        );
        assert_eq!(
            table_at(text, text.find("hours").unwrap_or(0)).as_deref(),
            Some("override.x")
        );
    }
}
