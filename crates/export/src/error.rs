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
