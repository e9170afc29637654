//! Errors: a file that cannot be read at all, and a row that cannot be read.

use serde::Serialize;
use std::path::PathBuf;

/// A problem with the whole file; nothing from it is imported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The file could not be opened or read.
    #[error("无法读取文件 {path}：{source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty or holds only blank lines.
    #[error("文件 {path} 是空的，没有表头和数据")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// No row of the first few looks like an export's header.
    #[error(
        "文件 {path} 前 {scanned} 行里找不到「退款编号」或「订单编号」列，不像是退款或订单导出文件（读到的第一行：{first_row}）"
    )]
    NoHeader {
        /// The file.
        path: PathBuf,
        /// How many rows were looked at.
        scanned: usize,
        /// The first non-empty row, shortened, to show the user what was found instead.
        first_row: String,
    },
    /// The spreadsheet could not be parsed.
    #[error("无法解析表格文件 {path}：{source}")]
    Spreadsheet {
        /// The file.
        path: PathBuf,
        /// What the spreadsheet reader said.
        #[source]
        source: calamine::Error,
    },
    /// The CSV text could not be parsed.
    #[error("文件 {path} 第 {line} 行附近的 CSV 格式有误：{source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line where parsing stopped.
        line: u64,
        /// What the CSV reader said.
        #[source]
        source: csv::Error,
    },
    /// The file is larger than any export; nothing of it was read.
    #[error(
        "文件 {path} 有 {} MB，超过导入上限 {} MB，不像是后台导出的文件；如果确实是导出文件，请在后台按时间分段导出后分别导入",
        megabytes(*size),
        megabytes(*limit)
    )]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A workbook unpacks to more than the limits allow (a zip bomb, or a part far larger
    /// than any export's); stopped before it filled memory.
    #[error(
        "表格文件 {path} 解压后{what}超过上限（{limit}），文件可能已损坏或被人为构造；没有导入任何内容"
    )]
    Unpacked {
        /// The file.
        path: PathBuf,
        /// What is too big, in words (“全部内容”, “共享字符串”...).
        what: String,
        /// The limit, in words with its unit.
        limit: String,
    },
    /// A cell lies beyond Excel's last column: the file was not written by Excel or the
    /// back office.
    #[error(
        "表格文件 {path} 第 {row} 行有一个单元格在第 {column} 列，超出 Excel 的 16,384 列上限，文件可能已损坏；没有导入任何内容"
    )]
    TooManyColumns {
        /// The file.
        path: PathBuf,
        /// The row as a spreadsheet shows it.
        row: u64,
        /// The column, counted from 1.
        column: u64,
    },
    /// A row lies beyond Excel's last row.
    #[error(
        "表格文件 {path} 有第 {row} 行，超出 Excel 的 1,048,576 行上限，文件可能已损坏；没有导入任何内容"
    )]
    TooManyRows {
        /// The file.
        path: PathBuf,
        /// The row as a spreadsheet would show it.
        row: u64,
    },
    /// The spreadsheet reader failed unexpectedly on this file (a malformed file that
    /// trips it); the program carries on.
    #[error("表格文件 {path} 的结构异常，无法读取（文件可能已损坏）；没有导入任何内容")]
    Malformed {
        /// The file.
        path: PathBuf,
    },
}

/// Bytes as whole megabytes for messages, rounded up so that a file just over a limit
/// never reads as equal to it.
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

impl ExportError {
    /// A stable machine-readable code, for the app and the CLI's JSON.
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Io { .. } => "file_unreadable",
            ExportError::Empty { .. } => "file_empty",
            ExportError::NoHeader { .. } => "not_an_export",
            ExportError::Spreadsheet { .. } | ExportError::Malformed { .. } => {
                "spreadsheet_invalid"
            }
            ExportError::Csv { .. } => "csv_invalid",
            ExportError::TooLarge { .. } => "file_too_large",
            ExportError::Unpacked { .. } => "workbook_too_large",
            ExportError::TooManyColumns { .. } => "too_many_columns",
            ExportError::TooManyRows { .. } => "too_many_rows",
        }
    }
}

/// A problem with one cell of one row; the row is not imported, the rest of the file is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The row number as a spreadsheet program shows it (the header is usually row 1).
    pub row: u64,
    /// The column's header, or empty when the problem is the row as a whole.
    pub column: String,
    /// What is wrong, in words a seller understands.
    pub message: String,
}
