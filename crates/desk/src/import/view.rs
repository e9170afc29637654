//! The import wizard's views: the preview of a file's columns and the report of what an
//! import did, in the shape the CLI's `--json` prints too.

use crate::{ImportPreview, ImportReport};
use afterdesk_export::{ExportKind, FileFormat, RowError};
use serde::Serialize;

/// One row that could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RowErrorView {
    /// The row number as a spreadsheet shows it.
    pub row: u64,
    /// The column's header, empty when the row as a whole is wrong.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl From<&RowError> for RowErrorView {
    fn from(e: &RowError) -> Self {
        RowErrorView {
            row: e.row,
            column: e.column.clone(),
            message: e.message.clone(),
        }
    }
}

/// A row of an export that repeats a refund or order number and was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DuplicateRowView {
    /// The refund number (or order number).
    pub key: String,
    /// The row not used.
    pub row: u64,
    /// The row used instead.
    pub kept_row: u64,
}

/// What an import did, for the import wizard's result page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportReportView {
    /// The file's name.
    pub file: String,
    /// `csv` or `xlsx`/`xls`, with the text encoding for CSV (e.g. `csv gb18030`).
    pub format: String,
    /// `refunds` or `orders`.
    pub kind: String,
    /// The platform the cases were filed under.
    pub platform: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows that created a record.
    pub created: u64,
    /// Rows that changed a record.
    pub updated: u64,
    /// Rows that matched what was stored.
    pub unchanged: u64,
    /// Rows for records the shop deleted, left deleted.
    pub deleted: u64,
    /// Rows older than what the shop holds (an older export); they change nothing.
    pub older: u64,
    /// Rows that lost to another row of the file with the same refund or order number.
    pub duplicate_count: u64,
    /// The first of them, with the row kept instead.
    pub duplicates: Vec<DuplicateRowView>,
    /// Rows not imported, in all.
    pub error_count: u64,
    /// The first of them, with row, column and reason.
    pub errors: Vec<RowErrorView>,
    /// Headers no field matched.
    pub unmapped_columns: Vec<String>,
}

impl From<&ImportReport> for ImportReportView {
    fn from(r: &ImportReport) -> Self {
        let format = format_key(r.format);
        let kind = kind_key_of(r.kind);
        ImportReportView {
            file: r.file.clone(),
            format,
            kind,
            platform: r.platform.key().to_owned(),
            rows: r.rows,
            created: r.created,
            updated: r.updated,
            unchanged: r.unchanged,
            deleted: r.deleted,
            older: r.older,
            duplicate_count: r.duplicate_count,
            duplicates: r
                .duplicates
                .iter()
                .map(|d| DuplicateRowView {
                    key: d.key.clone(),
                    row: d.row,
                    kept_row: d.kept_row,
                })
                .collect(),
            error_count: r.error_count,
            errors: r.errors.iter().map(RowErrorView::from).collect(),
            unmapped_columns: r.unmapped_columns.clone(),
        }
    }
}

/// One column of a file as the import will read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreviewColumnView {
    /// The header as written in the file.
    pub header: String,
    /// The field's key (`refund_no`...), or `null` for a column kept as an extra.
    pub field: Option<String>,
    /// The field's Chinese name, or `null`.
    pub field_name: Option<String>,
}

/// The start of an export file, for the import wizard's mapping preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportPreviewView {
    /// The file's name.
    pub file: String,
    /// Format and encoding, as in [`ImportReportView::format`].
    pub format: String,
    /// `refunds` or `orders`.
    pub kind: String,
    /// The platform the cases would be filed under.
    pub platform: String,
    /// The header's row number.
    pub header_row: u64,
    /// Every column with its field.
    pub columns: Vec<PreviewColumnView>,
    /// The first data rows: their row numbers.
    pub row_numbers: Vec<u64>,
    /// The first data rows: their cells, one list per row, in column order.
    pub rows: Vec<Vec<String>>,
}

impl From<&ImportPreview> for ImportPreviewView {
    fn from(p: &ImportPreview) -> Self {
        let columns = p
            .layout
            .headers
            .iter()
            .zip(&p.layout.fields)
            .map(|(header, field)| PreviewColumnView {
                header: header.clone(),
                field: field.map(|f| f.key().to_owned()),
                field_name: field.and_then(|f| f.synonyms().first().map(|s| (*s).to_owned())),
            })
            .collect();
        ImportPreviewView {
            file: p.file.clone(),
            format: format_key(p.format),
            kind: kind_key_of(p.layout.kind),
            platform: p.platform.key().to_owned(),
            header_row: p.layout.header_row,
            columns,
            row_numbers: p.rows.iter().map(|(row, _)| *row).collect(),
            rows: p.rows.iter().map(|(_, cells)| cells.clone()).collect(),
        }
    }
}

/// `csv gb18030`, `xlsx`...: the format as the wizard and the CLI name it.
fn format_key(format: FileFormat) -> String {
    match format {
        FileFormat::Text { encoding, .. } => {
            let encoding = serde_json::to_value(encoding)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            format!("csv {encoding}").trim().to_owned()
        }
        FileFormat::Xlsx => "xlsx".to_owned(),
        FileFormat::Xls => "xls".to_owned(),
    }
}

/// `refunds` or `orders`.
fn kind_key_of(kind: ExportKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}
