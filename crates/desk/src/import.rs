//! Importing an export file into the shop's store.

use crate::DeskError;
use afterdesk_case::Platform;
use afterdesk_export::{
    ColumnAlias, ExportFile, ExportKind, Field, FileFormat, ParsedRow, RowError,
};
use afterdesk_store::{Store, Upsert};
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
    /// Rows not imported, in all.
    pub error_count: u64,
    /// The first [`MAX_REPORTED_ERRORS`] of them, with row, column and reason.
    pub errors: Vec<RowError>,
    /// Headers no field matched; their values are kept with each case.
    pub unmapped_columns: Vec<String>,
}

fn guess_platform(path: &Path) -> Platform {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.contains("天猫") || name.contains("tmall") {
        Platform::Tmall
    } else {
        Platform::Taobao
    }
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
    let aliases = store
        .column_aliases()?
        .into_iter()
        .map(|(header, key)| {
            Field::from_key(&key)
                .map(|field| ColumnAlias { header, field })
                .ok_or(DeskError::UnknownField(key))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let file = ExportFile::open(path)?;
    let platform = options.platform.unwrap_or_else(|| guess_platform(path));
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
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
        let result = match outcome.result {
            Ok(ParsedRow::Refund(facts)) => import.case(platform, *facts).map(|_: Upsert| ()),
            Ok(ParsedRow::Order(facts)) => import.order(facts).map(|_: Upsert| ()),
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
