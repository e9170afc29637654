//! Streaming the rows of an export file, whatever its format.

use crate::ExportError;
use crate::guard;
use crate::limits::{MAX_COLUMNS, MAX_ROWS, MAX_TEXT_FILE_BYTES, MAX_WORKBOOK_FILE_BYTES};
use crate::sniff::{FileFormat, TextEncoding, sniff};
use calamine::{DataType, Reader};
use serde::Serialize;
use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// What [`ExportFile::for_each_row`] calls with each row: its number, cells and progress.
pub type RowVisitor<'a> = dyn FnMut(u64, &[&str], ReadProgress) -> ControlFlow<()> + 'a;

/// How far through a file the reader is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReadProgress {
    /// Units done: bytes for text files, rows for workbooks.
    pub done: u64,
    /// Units in all, in the same unit.
    pub total: u64,
}

/// An export file whose format has been detected, ready to be read row by row.
#[derive(Debug, Clone)]
pub struct ExportFile {
    path: PathBuf,
    format: FileFormat,
    size: u64,
}

/// Read-buffer size for text exports.
///
/// 256 KiB amortises system calls and decoder set-up over thousands of rows while staying
/// far below the import's memory budget.
const READ_BUFFER: usize = 256 * 1024;

/// Counts the raw bytes read, for progress in the units the user's file has.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

impl ExportFile {
    /// Opens a file and detects its format and encoding from its content.
    pub fn open(path: &Path) -> Result<ExportFile, ExportError> {
        let io = |source| ExportError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size == 0 {
            return Err(ExportError::Empty {
                path: path.to_owned(),
            });
        }
        let too_large = |limit| ExportError::TooLarge {
            path: path.to_owned(),
            size,
            limit,
        };
        // Checked before sniffing, which reads a text file to its end.
        if size > MAX_TEXT_FILE_BYTES {
            return Err(too_large(MAX_TEXT_FILE_BYTES));
        }
        let format = sniff(file).map_err(io)?;
        if matches!(format, FileFormat::Xlsx | FileFormat::Xls) && size > MAX_WORKBOOK_FILE_BYTES {
            return Err(too_large(MAX_WORKBOOK_FILE_BYTES));
        }
        Ok(ExportFile {
            path: path.to_owned(),
            format,
            size,
        })
    }

    /// The detected format.
    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Calls `visit` with every non-empty row: its row number as a spreadsheet program
    /// shows it, its cells, and the progress so far. `visit` may stop early by returning
    /// `ControlFlow::Break`.
    pub fn for_each_row(&self, visit: &mut RowVisitor<'_>) -> Result<(), ExportError> {
        match self.format {
            FileFormat::Text {
                encoding,
                delimiter,
            } => self.text_rows(encoding, delimiter, visit),
            FileFormat::Xlsx => self.xlsx_rows(visit),
            FileFormat::Xls => self.xls_rows(visit),
        }
    }

    fn text_rows(
        &self,
        encoding: TextEncoding,
        delimiter: u8,
        visit: &mut RowVisitor<'_>,
    ) -> Result<(), ExportError> {
        let file = File::open(&self.path).map_err(|source| ExportError::Io {
            path: self.path.clone(),
            source,
        })?;
        let count = Rc::new(Cell::new(0u64));
        let counting = Counting {
            inner: file,
            count: Rc::clone(&count),
        };
        let decoded: Box<dyn Read> = match encoding {
            // Valid UTF-8 without a BOM goes straight to the CSV parser, which checks it.
            TextEncoding::Utf8 => Box::new(counting),
            TextEncoding::Utf8Bom | TextEncoding::Utf16 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .bom_sniffing(true)
                    .build(counting),
            ),
            TextEncoding::Gb18030 => Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::GB18030))
                    .build(counting),
            ),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(READ_BUFFER)
            // A final newline makes every record end alike, which the row numbering needs;
            // an extra blank line at the end is skipped like any other.
            .from_reader(decoded.chain(&b"\n"[..]));
        let mut record = csv::StringRecord::new();
        // The row number a spreadsheet shows: blank lines are rows there (the CSV reader
        // skips them), while line breaks inside a quoted cell are not. The reader reports
        // the line after each record; the record began as many lines earlier as its cells
        // hold line breaks.
        let mut row: u64 = 0;
        let mut previous_end: u64 = 0;
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) => {}
                Err(source) => {
                    let line = source.position().map_or(previous_end + 1, |p| p.line());
                    return Err(ExportError::Csv {
                        path: self.path.clone(),
                        line,
                        source,
                    });
                }
            }
            let end = reader.position().line().saturating_sub(1);
            let breaks = record.as_slice().bytes().filter(|b| *b == b'\n').count() as u64;
            let start = end.saturating_sub(breaks).max(previous_end + 1);
            row += start - previous_end;
            previous_end = end;
            let cells: Vec<&str> = record.iter().collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let progress = ReadProgress {
                done: count.get(),
                total: self.size,
            };
            if visit(row, &cells, progress).is_break() {
                return Ok(());
            }
        }
    }

    fn xlsx_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), ExportError> {
        let sheet_err = |e: calamine::XlsxError| ExportError::Spreadsheet {
            path: self.path.clone(),
            source: calamine::Error::Xlsx(e),
        };
        let malformed = || ExportError::Malformed {
            path: self.path.clone(),
        };
        shielded(|| guard::check_xlsx(&self.path)).ok_or_else(malformed)??;
        let mut book: calamine::Xlsx<BufReader<File>> =
            shielded(|| calamine::open_workbook(&self.path))
                .ok_or_else(malformed)?
                .map_err(sheet_err)?;
        let Some(sheet) = book.sheet_names().first().cloned() else {
            return Err(ExportError::Empty {
                path: self.path.clone(),
            });
        };
        // Cells stream in row order; a row is handed on when the next one starts, so only
        // one row is ever held.
        let mut cells_reader = shielded(|| book.worksheet_cells_reader(&sheet))
            .ok_or_else(malformed)?
            .map_err(sheet_err)?;
        let total = u64::from(cells_reader.dimensions().end.0) + 1;
        let mut current: Option<u32> = None;
        let mut cells: Vec<String> = Vec::new();
        let mut flush = |row: u32, cells: &[String]| {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return ControlFlow::Continue(());
            }
            let borrowed: Vec<&str> = cells.iter().map(String::as_str).collect();
            visit(
                u64::from(row) + 1,
                &borrowed,
                ReadProgress {
                    done: u64::from(row) + 1,
                    total,
                },
            )
        };
        while let Some(cell) = shielded(|| cells_reader.next_cell())
            .ok_or_else(malformed)?
            .map_err(sheet_err)?
        {
            let (row, col) = cell.get_position();
            // Before the row is laid out: a column beyond Excel's grid would make it
            // billions of cells long.
            if col as usize >= MAX_COLUMNS {
                return Err(ExportError::TooManyColumns {
                    path: self.path.clone(),
                    row: u64::from(row) + 1,
                    column: u64::from(col) + 1,
                });
            }
            if u64::from(row) >= MAX_ROWS {
                return Err(ExportError::TooManyRows {
                    path: self.path.clone(),
                    row: u64::from(row) + 1,
                });
            }
            if current != Some(row) {
                if let Some(done) = current
                    && flush(done, &cells).is_break()
                {
                    return Ok(());
                }
                current = Some(row);
                cells.clear();
            }
            let col = col as usize;
            if cells.len() < col {
                cells.resize(col, String::new());
            }
            let text = cell_text(cell.get_value());
            if cells.len() == col {
                cells.push(text);
            } else {
                cells[col] = text;
            }
        }
        if let Some(done) = current {
            let _ = flush(done, &cells);
        }
        Ok(())
    }

    fn xls_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), ExportError> {
        let sheet_err = |e: calamine::XlsError| ExportError::Spreadsheet {
            path: self.path.clone(),
            source: calamine::Error::Xls(e),
        };
        // The legacy format offers no streaming reader; such files are small in practice
        // (the format caps a sheet at 65,536 rows).
        // The reader lays out every sheet while opening the file, sized by what the file
        // says: check that first.
        let malformed = || ExportError::Malformed {
            path: self.path.clone(),
        };
        shielded(|| guard::check_xls(&self.path)).ok_or_else(malformed)??;
        let mut book: calamine::Xls<BufReader<File>> =
            shielded(|| calamine::open_workbook(&self.path))
                .ok_or_else(malformed)?
                .map_err(sheet_err)?;
        let Some(sheet) = book.sheet_names().first().cloned() else {
            return Err(ExportError::Empty {
                path: self.path.clone(),
            });
        };
        let range = book.worksheet_range(&sheet).map_err(sheet_err)?;
        let first_row = range.start().map_or(0, |(r, _)| r);
        let total = u64::from(range.height() as u32);
        for (offset, row) in range.rows().enumerate() {
            let cells: Vec<String> = row.iter().map(cell_text).collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let borrowed: Vec<&str> = cells.iter().map(String::as_str).collect();
            let number = u64::from(first_row) + offset as u64 + 1;
            let progress = ReadProgress {
                done: offset as u64 + 1,
                total,
            };
            if visit(number, &borrowed, progress).is_break() {
                break;
            }
        }
        Ok(())
    }
}

/// Runs a call into the spreadsheet reader, turning a panic on a malformed file (an
/// arithmetic overflow on nonsense values, an index out of range) into `None`, so that a
/// broken file is an error message and never ends the program.
fn shielded<T>(call: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).ok()
}

/// The largest integer a spreadsheet's 64-bit float holds exactly; above it the digits of
/// an order number stored as a number are already lost.
const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// A workbook cell as the text an export would have held.
fn cell_text(value: &impl DataType) -> String {
    if let Some(s) = value.get_string() {
        return s.to_owned();
    }
    if let Some(i) = value.get_int() {
        return i.to_string();
    }
    if let Some(dt) = value.get_datetime() {
        let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
        return format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
    }
    if let Some(iso) = value.get_datetime_iso() {
        return iso.to_owned();
    }
    if let Some(f) = value.get_float() {
        if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_LIMIT {
            return format!("{f:.0}");
        }
        if f.abs() >= EXACT_FLOAT_LIMIT {
            // Written the way Excel shows it, so the record parser reports the lost digits.
            return format!("{f:E}").replacen('E', "E+", 1);
        }
        return f.to_string();
    }
    if let Some(b) = value.get_bool() {
        return if b { "是" } else { "否" }.to_owned();
    }
    String::new()
}
