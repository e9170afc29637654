//! Importing an export file into the shop's store.

pub(crate) mod view;

use crate::DeskError;
use afterdesk_case::Platform;
use afterdesk_export::{
    ColumnAlias, ExportFile, ExportKind, Field, FileFormat, ParsedRow, RowError,
};
use afterdesk_store::{DuplicateRow, Store, Upsert};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// How many row errors a report lists; the count covers them all.
///
/// A thousand rows is more than anyone reads in a result table, and a completely wrong
/// file with a million bad rows must not produce a million-line report.
pub const MAX_REPORTED_ERRORS: usize = 1_000;

/// How often progress is reported, in rows.
///
/// Every 2,000 rows is about 25 updates a second at full import speed: smooth for a
/// progress bar, negligible for the import.
const PROGRESS_EVERY: u64 = 2_000;

/// Choices for one import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ImportOptions {
    /// The marketplace; guessed from the file name (天猫/tmall, 淘宝/taobao) if unset,
    /// Taobao otherwise.
    pub platform: Option<Platform>,
    /// The list the user expects; a different list is refused before anything is written.
    pub expect: Option<ExportKind>,
}

/// Progress of a running import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportProgress {
    /// Data rows read so far.
    pub rows: u64,
    /// Units done (bytes of a text file, rows of a workbook).
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The file's name.
    pub file: String,
    /// Its detected format and encoding.
    pub format: FileFormat,
    /// Which list it is.
    pub kind: ExportKind,
    /// The marketplace the cases were filed under.
    pub platform: Platform,
    /// The header row's number.
    pub header_row: u64,
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
    /// Rows older than what the shop holds for their refund (from an older export); they
    /// change nothing.
    pub older: u64,
    /// Rows that repeat a refund or order number of another row in the file and lost to
    /// it (the row furthest along the platform's process wins).
    pub duplicate_count: u64,
    /// The first [`afterdesk_store::DUPLICATES_LISTED`] of them, with the row kept instead.
    pub duplicates: Vec<DuplicateRow>,
    /// Rows not imported, in all.
    pub error_count: u64,
    /// The first [`MAX_REPORTED_ERRORS`] of them, with row, column and reason.
    pub errors: Vec<RowError>,
    /// Headers no field matched; their values are kept with each case.
    pub unmapped_columns: Vec<String>,
}

/// The shop's own column names (`mapping add`), for the export reader.
fn shop_aliases(store: &Store) -> Result<Vec<ColumnAlias>, DeskError> {
    store
        .column_aliases()?
        .into_iter()
        .map(|(header, key)| {
            Field::from_key(&key)
                .map(|field| ColumnAlias { header, field })
                .ok_or(DeskError::UnknownField(key))
        })
        .collect()
}

/// How many data rows the import wizard's preview shows.
///
/// Five rows are enough to see whether amounts, dates and numbers landed in the right
/// columns, and keep the preview instant even for a workbook.
pub const PREVIEW_ROWS: usize = 5;

/// The start of an export file as the import would read it, for the wizard's preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportPreview {
    /// The file's name.
    pub file: String,
    /// Its detected format and encoding.
    pub format: FileFormat,
    /// The marketplace its cases would be filed under.
    pub platform: Platform,
    /// The detected header, with each column's field.
    pub layout: afterdesk_export::Layout,
    /// The first data rows ([`PREVIEW_ROWS`]), cells as written.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads the header and first rows of an export file without importing anything, so that
/// the user can check the column mapping first. Fails exactly as the import would on a file
/// that is empty, of an unknown format or without a recognisable header.
pub fn preview_file(store: &Store, path: &Path) -> Result<ImportPreview, DeskError> {
    let aliases = shop_aliases(store)?;
    let file = ExportFile::open(path)?;
    let preview = file.preview(&aliases, PREVIEW_ROWS)?;
    Ok(ImportPreview {
        file: display_name(path),
        format: file.format(),
        platform: guess_platform(path),
        layout: preview.layout,
        rows: preview.rows,
    })
}

/// A file's name for messages and reports.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The platform the file's name suggests (the export crate's rule).
fn guess_platform(path: &Path) -> Platform {
    afterdesk_export::guess_platform(
        &path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    )
}

/// Imports an export file in one transaction.
///
/// Rows that cannot be read are reported and skipped; everything else is upserted. If the
/// store fails, or `cancel` is set, nothing is written at all. `progress` is called every
/// few thousand rows and once at the end.
pub fn import_file(
    store: &mut Store,
    path: &Path,
    agent: &str,
    now: DateTime<Utc>,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
    cancel: &AtomicBool,
) -> Result<ImportReport, DeskError> {
    let aliases = shop_aliases(store)?;
    let file = ExportFile::open(path)?;
    let platform = options.platform.unwrap_or_else(|| guess_platform(path));
    let file_name = display_name(path);
    let mut import = store.begin_import(agent, &file_name, now)?;
    let mut rows = 0u64;
    let mut error_count = 0u64;
    let mut errors: Vec<RowError> = Vec::new();
    let mut failure: Option<DeskError> = None;
    let mut last = afterdesk_export::ReadProgress {
        done: 0,
        total: file.size(),
    };
    let layout = file.read_records(&aliases, &mut |layout, outcome, read| {
        if rows == 0
            && let Some(expected) = options.expect
            && expected != layout.kind
        {
            failure = Some(DeskError::WrongKind(match expected {
                ExportKind::Refunds => "这是订单导出文件，不是退款导出文件".to_owned(),
                ExportKind::Orders => "这是退款导出文件，不是订单导出文件".to_owned(),
            }));
            return ControlFlow::Break(());
        }
        rows += 1;
        last = read;
        let row = outcome.row;
        let result = match outcome.result {
            Ok(ParsedRow::Refund(facts)) => import.case(platform, *facts, row).map(|_: Upsert| ()),
            Ok(ParsedRow::Order(facts)) => import.order(facts, row).map(|_: Upsert| ()),
            Err(row_errors) => {
                error_count += 1;
                let room = MAX_REPORTED_ERRORS.saturating_sub(errors.len());
                errors.extend(row_errors.into_iter().take(room));
                Ok(())
            }
        };
        if let Err(e) = result {
            failure = Some(e.into());
            return ControlFlow::Break(());
        }
        if rows.is_multiple_of(PROGRESS_EVERY) {
            if cancel.load(Ordering::Relaxed) {
                failure = Some(DeskError::Cancelled);
                return ControlFlow::Break(());
            }
            progress(ImportProgress {
                rows,
                done: read.done,
                total: read.total,
            });
        }
        ControlFlow::Continue(())
    })?;
    if let Some(failure) = failure {
        // Dropping the import rolls the transaction back.
        return Err(failure);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(DeskError::Cancelled);
    }
    let counts = import.counts();
    let duplicates = import.duplicates().to_vec();
    let unmapped_columns = layout
        .fields
        .iter()
        .zip(&layout.headers)
        .filter(|(field, header)| field.is_none() && !header.trim().is_empty())
        .map(|(_, header)| header.clone())
        .collect();
    let report = ImportReport {
        file: file_name,
        format: file.format(),
        kind: layout.kind,
        platform,
        header_row: layout.header_row,
        rows,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        deleted: counts.deleted,
        older: counts.older,
        duplicate_count: counts.duplicates,
        duplicates,
        error_count,
        errors,
        unmapped_columns,
    };
    let summary = serde_json::to_value(&report).unwrap_or_default();
    import.commit(&summary)?;
    progress(ImportProgress {
        rows,
        done: last.total,
        total: last.total,
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use afterdesk_fixtures::{Encoding, Spec, write_refund_csv};
    use chrono::TimeZone;
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[rstest]
    #[case::gbk(Encoding::Gbk, "gb18030")]
    #[case::utf8_bom(Encoding::Utf8Bom, "utf8_bom")]
    fn preview_shows_mapping_and_first_rows_and_writes_nothing(
        #[case] encoding: Encoding,
        #[case] encoding_key: &str,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("天猫退款.csv");
        let spec = Spec::new(20, now());
        let mut out = std::fs::File::create(&path).unwrap();
        write_refund_csv(&mut out, &spec, encoding).unwrap();
        drop(out);
        let store = Store::open_in_memory(DeviceId("t".to_owned())).unwrap();

        let preview = preview_file(&store, &path).unwrap();

        assert_eq!(preview.layout.kind, ExportKind::Refunds, "a refund export");
        assert_eq!(preview.platform, Platform::Tmall, "天猫 in the name");
        assert_eq!(preview.rows.len(), PREVIEW_ROWS, "only the first rows");
        assert_eq!(preview.rows[0].0, 2, "the first data row is row 2");
        let refund_col = preview.layout.column(Field::RefundNo).unwrap();
        assert_eq!(
            preview.rows[0].1[refund_col],
            afterdesk_fixtures::refund_row(&spec, 0)[refund_col],
            "cells as written, decoded"
        );
        let json = serde_json::to_value(preview.format).unwrap();
        assert!(
            json.to_string().contains(encoding_key),
            "the encoding is reported: {json}"
        );
        assert_eq!(
            store
                .list_cases(&afterdesk_store::CaseQuery::default())
                .unwrap()
                .total,
            0,
            "a preview never writes"
        );
    }

    #[test]
    fn preview_of_a_file_without_header_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.csv");
        std::fs::write(&path, "随便,什么\n1,2\n").unwrap();
        let store = Store::open_in_memory(DeviceId("t".to_owned())).unwrap();
        let error = preview_file(&store, &path).unwrap_err();
        assert_eq!(
            error.code(),
            "not_an_export",
            "the import's own error: {error}"
        );
    }
}
