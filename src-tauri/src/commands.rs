//! Tauri commands that the UI can call through the generated bindings.
//!
//! Commands live in their own module because `#[tauri::command]` on a `pub fn` at the
//! crate root of `lib.rs` generates a helper macro whose name clashes with the function
//! (error E0255). Each command is thin: it takes the open shop from the app's state, calls
//! one function of `afterdesk-desk` or `afterdesk-store`, converts the result to a view
//! type and the error to a [`CommandError`]. Only here is the clock read.
//!
//! Commands are `async` so that Tauri runs them on its async runtime, not on the thread
//! that drives the window: a slow query or a long import never freezes the UI.

use crate::shop::{Desk, ShopInfo};
use afterdesk_desk::{
    BackupView, CaseChangeInput, CaseDetailView, CaseListView, CaseQueryInput, CaseView, DeskError,
    ImportOptions, ImportPreviewView, ImportProgress, ImportReportView, NewCaseInput, NoteView,
    RestoreView,
};
use afterdesk_store::{BackupReason, StoreError};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use tauri::State;
use tauri::ipc::Channel;

/// The product name shown to users; kept here so the UI never hard-codes it twice.
pub const APP_NAME: &str = "AfterDesk";

/// Basic facts about the running app, sent to the UI for its header and about box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct AppInfo {
    /// The app's version (the crate version, which is also what Tauri reports as the
    /// package version because `tauri.conf.json` does not override it).
    pub version: String,
    /// The product name, always `"AfterDesk"`.
    pub name: String,
}

/// Why a command failed, as the UI receives it: a stable code to branch on and a message
/// in Chinese to show. The codes are those of `DeskError::code` and `StoreError::code`
/// (listed in docs/cli.md), plus `busy` while an import holds the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CommandError {
    /// A stable machine-readable code.
    pub code: String,
    /// What went wrong, in words a seller understands.
    pub message: String,
}

impl CommandError {
    /// An error with the given code and message.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

impl From<DeskError> for CommandError {
    fn from(e: DeskError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<afterdesk_desk::ClocksError> for CommandError {
    fn from(e: afterdesk_desk::ClocksError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        CommandError::new(e.code(), e.to_string())
    }
}

/// What a command returns to the UI.
pub type CommandResult<T> = Result<T, CommandError>;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// Returns the app's name and version so the UI can show which build is running.
#[tauri::command]
#[specta::specta]
#[must_use]
pub fn app_info() -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        name: APP_NAME.to_owned(),
    }
}

/// Which shop is open (its database file, whether it is the demo) and its case counts.
#[tauri::command]
#[specta::specta]
pub async fn shop_info(desk: State<'_, Desk>) -> CommandResult<ShopInfo> {
    desk.info()
}

/// One page of the shop's cases matching a filter.
#[tauri::command]
#[specta::specta]
pub async fn list_cases(
    desk: State<'_, Desk>,
    query: CaseQueryInput,
) -> CommandResult<CaseListView> {
    let query = query.to_query()?;
    desk.with_store(|store| Ok(CaseListView::from(&store.list_cases(&query)?)))
}

/// A case with its notes, timeline and order, by id, refund number or order number.
#[tauri::command]
#[specta::specta]
pub async fn case_detail(desk: State<'_, Desk>, key: String) -> CommandResult<CaseDetailView> {
    desk.with_store(|store| Ok(CaseDetailView::from(&store.case_detail(&key)?)))
}

/// Appends a note to a case.
#[tauri::command]
#[specta::specta]
pub async fn add_note(
    desk: State<'_, Desk>,
    key: String,
    text: String,
    agent: String,
) -> CommandResult<NoteView> {
    desk.with_store(|store| {
        Ok(NoteView::from(&store.add_note(
            &key,
            &text,
            &agent,
            now(),
        )?))
    })
}

/// Changes a case's own fields (kind, flag, assignee, open, tags, status).
#[tauri::command]
#[specta::specta]
pub async fn change_case(
    desk: State<'_, Desk>,
    key: String,
    change: CaseChangeInput,
    agent: String,
) -> CommandResult<CaseView> {
    let change = change.to_change()?;
    desk.with_store(|store| {
        Ok(CaseView::from(&store.change_case(
            &key,
            &change,
            &agent,
            now(),
        )?))
    })
}

/// Opens a case by hand.
#[tauri::command]
#[specta::specta]
pub async fn add_case(
    desk: State<'_, Desk>,
    input: NewCaseInput,
    agent: String,
) -> CommandResult<CaseView> {
    let new = input.to_new_case()?;
    desk.with_store(|store| Ok(CaseView::from(&store.add_case(new, &agent, now())?)))
}

/// Applies one change (flag, assignee...) to several cases at once, all or none: the case
/// list's bulk actions.
#[tauri::command]
#[specta::specta]
pub async fn change_cases(
    desk: State<'_, Desk>,
    keys: Vec<String>,
    change: CaseChangeInput,
    agent: String,
) -> CommandResult<Vec<CaseView>> {
    let change = change.to_change()?;
    desk.with_store(|store| {
        Ok(store
            .change_cases(&keys, &change, &agent, now())?
            .iter()
            .map(CaseView::from)
            .collect())
    })
}

/// Deletes a case (a tombstone that can be restored).
#[tauri::command]
#[specta::specta]
pub async fn delete_case(
    desk: State<'_, Desk>,
    key: String,
    agent: String,
) -> CommandResult<CaseView> {
    desk.with_store(|store| Ok(CaseView::from(&store.delete_case(&key, &agent, now())?)))
}

/// Undoes a deletion.
#[tauri::command]
#[specta::specta]
pub async fn restore_case(
    desk: State<'_, Desk>,
    key: String,
    agent: String,
) -> CommandResult<CaseView> {
    desk.with_store(|store| Ok(CaseView::from(&store.restore_case(&key, &agent, now())?)))
}

/// Imports an export file, reporting progress on `on_progress`.
///
/// The import runs on a blocking worker thread, so the window stays responsive; it holds
/// the shop until it ends, and other commands answer `busy` meanwhile. It can be stopped
/// with [`cancel_import`], which leaves the shop exactly as it was.
#[tauri::command]
#[specta::specta]
pub async fn import_file(
    desk: State<'_, Desk>,
    path: String,
    agent: String,
    on_progress: Channel<ImportProgress>,
) -> CommandResult<ImportReportView> {
    let shop = desk.shop();
    let long_work = desk.long_work();
    let cancel = desk.cancel_flag();
    cancel.store(false, Ordering::Relaxed);
    let task = tauri::async_runtime::spawn_blocking(move || {
        // Held by the worker, so the mark lasts as long as the import even if the window
        // stops waiting for the answer.
        let _long_work = long_work;
        let mut guard = crate::shop::lock(&shop)?;
        let store = guard.store_mut()?;
        let mut progress = |p: ImportProgress| {
            // A closed window cannot show progress; the import goes on regardless.
            let _ = on_progress.send(p);
        };
        let report = afterdesk_desk::import_file(
            store,
            &PathBuf::from(path),
            &agent,
            now(),
            &ImportOptions::default(),
            &mut progress,
            &cancel,
        )?;
        // The export's shipping and return texts carry waybill numbers: the parcels they
        // name are added (once) right after the import, so the case pages show them.
        afterdesk_desk::parcels_from_imports(store, &agent, now())?;
        Ok(ImportReportView::from(&report))
    });
    task.await
        .map_err(|e| CommandError::new("error", format!("导入中断：{e}")))?
}

/// Reads the header and first rows of an export file, without importing, so that the
/// wizard can show how its columns will be read.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    desk: State<'_, Desk>,
    path: String,
) -> CommandResult<ImportPreviewView> {
    desk.with_store(|store| {
        Ok(ImportPreviewView::from(&afterdesk_desk::preview_file(
            store,
            &PathBuf::from(path),
        )?))
    })
}

/// Asks a running import to stop; it rolls back within a few thousand rows.
#[tauri::command]
#[specta::specta]
pub async fn cancel_import(desk: State<'_, Desk>) -> CommandResult<()> {
    desk.cancel_flag().store(true, Ordering::Relaxed);
    Ok(())
}

/// Switches to the demo shop: a fresh in-memory shop filled with generated cases. The
/// shop's own database is not touched; [`close_demo_shop`] goes back to it.
#[tauri::command]
#[specta::specta]
pub async fn open_demo_shop(desk: State<'_, Desk>, agent: String) -> CommandResult<ShopInfo> {
    desk.open_demo(&agent, now())?;
    desk.info()
}

/// Leaves the demo shop and reopens the shop's own database.
#[tauri::command]
#[specta::specta]
pub async fn close_demo_shop(desk: State<'_, Desk>) -> CommandResult<ShopInfo> {
    desk.reopen(now())?;
    desk.info()
}

/// Opens another shop's database file (creating it if it does not exist) and remembers it
/// for the next start. Several shops are several files.
#[tauri::command]
#[specta::specta]
pub async fn open_shop(desk: State<'_, Desk>, path: String) -> CommandResult<ShopInfo> {
    desk.open_shop(PathBuf::from(path), now())?;
    desk.info()
}

/// The backups of the shop's database, newest first. Reads only the backups folder, so it
/// answers also when the shop refused to open (a damaged file) and a backup is needed.
#[tauri::command]
#[specta::specta]
pub async fn list_backups(desk: State<'_, Desk>) -> CommandResult<Vec<BackupView>> {
    Ok(afterdesk_desk::shop_backups(&desk.db_path())?)
}

/// Backs the open shop up now (pruned only among the other manual backups).
#[tauri::command]
#[specta::specta]
pub async fn backup_now(desk: State<'_, Desk>) -> CommandResult<Vec<BackupView>> {
    desk.with_store(|store| {
        if store.backup(now(), BackupReason::Manual)?.is_none() {
            return Err(CommandError::new("demo", "演示店铺只在内存中，无需备份"));
        }
        Ok(())
    })?;
    Ok(afterdesk_desk::shop_backups(&desk.db_path())?)
}

/// A restore's outcome and the shop as it is now open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RestoredShop {
    /// What the restore did (where the replaced data was saved).
    pub restore: RestoreView,
    /// The shop, reopened on the restored data.
    pub shop: ShopInfo,
}

/// Replaces the shop's data with the backup at `path`: the backup is checked, the current
/// data saved as a `before-restore` backup, the backup restored and checked, and the shop
/// reopened. Works when the shop refused to open.
#[tauri::command]
#[specta::specta]
pub async fn restore_backup(desk: State<'_, Desk>, path: String) -> CommandResult<RestoredShop> {
    let restore = desk.restore(std::path::Path::new(&path), now())?;
    Ok(RestoredShop {
        restore,
        shop: desk.info()?,
    })
}

/// The open cases most urgent first, with the next deadline of each: the workbench's
/// deadline list. `limit` bounds the entries; the counts cover every open case.
#[tauri::command]
#[specta::specta]
pub async fn clock_dashboard(
    desk: State<'_, Desk>,
    limit: u32,
) -> CommandResult<afterdesk_desk::DashboardView> {
    let clockwork = desk
        .clockwork()
        .ok_or_else(|| CommandError::new("clock_data_invalid", "内置时钟数据无法读取"))?;
    desk.with_store(|store| {
        let cases = desk.open_cases(store)?;
        Ok(afterdesk_desk::rank_cases(
            &clockwork,
            &cases,
            now(),
            usize::try_from(limit).unwrap_or(usize::MAX),
        ))
    })
}

/// Every clock of one case: due time, state, what to do, and warnings.
#[tauri::command]
#[specta::specta]
pub async fn case_clocks(
    desk: State<'_, Desk>,
    key: String,
) -> CommandResult<afterdesk_desk::CaseClocksView> {
    let clockwork = desk
        .clockwork()
        .ok_or_else(|| CommandError::new("clock_data_invalid", "内置时钟数据无法读取"))?;
    desk.with_store(|store| Ok(afterdesk_desk::case_clocks(store, &clockwork, &key, now())?))
}

/// When the case's evidence period ends, if the shop's clocks have it running.
fn evidence_deadline(
    desk: &Desk,
    store: &afterdesk_store::Store,
    key: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let case = store.find_case(key).ok()?;
    let clockwork = desk.clockwork()?;
    afterdesk_desk::evidence_deadline(&clockwork, &case, at)
}

/// A case's evidence checklists with the attached proofs, readiness (with the evidence
/// period's end when its clock runs) and the unboxing-video checks.
#[tauri::command]
#[specta::specta]
pub async fn case_evidence(
    desk: State<'_, Desk>,
    key: String,
) -> CommandResult<afterdesk_desk::CaseEvidenceView> {
    let at = now();
    desk.with_store(|store| {
        let deadline = evidence_deadline(&desk, store, &key, at);
        let rules = afterdesk_desk::shop_settings(store)?.unboxing_rules();
        let evidence = afterdesk_desk::case_evidence(store, &key, &rules, deadline, at)?;
        Ok(afterdesk_desk::CaseEvidenceView::from(&evidence))
    })
}

/// Attaches a file to a case, optionally to one checklist item, reporting the copy's
/// progress on `on_progress`.
///
/// The copy and hash run on a worker thread without holding the shop, so a 2 GB video
/// never blocks the rest of the app; only the final record takes the shop, briefly. The
/// file appears in the evidence folder only once completely copied; [`cancel_copy`]
/// stops it and leaves nothing behind.
#[tauri::command]
#[specta::specta]
pub async fn attach_evidence(
    desk: State<'_, Desk>,
    key: String,
    path: String,
    item: Option<String>,
    agent: String,
    on_progress: Channel<afterdesk_desk::CopyProgressView>,
) -> CommandResult<afterdesk_desk::ProofView> {
    let folder = desk.with_store(|store| {
        if let Some(item) = &item {
            afterdesk_desk::check_evidence_item(store, &key, item)?;
        }
        Ok(afterdesk_desk::evidence_folder(store)?)
    })?;
    let cancel = desk.copy_cancel_flag();
    cancel.store(false, Ordering::Relaxed);
    let ingested = tauri::async_runtime::spawn_blocking(move || {
        let mut progress = |p: afterdesk_evidence::CopyProgress| {
            // A closed window cannot show progress; the copy goes on regardless.
            let _ = on_progress.send(afterdesk_desk::CopyProgressView {
                done: p.done,
                total: p.total,
            });
        };
        afterdesk_desk::ingest_evidence(&folder, &PathBuf::from(path), &mut progress, &cancel)
            .map_err(CommandError::from)
    })
    .await
    .map_err(|e| CommandError::new("error", format!("复制文件中断：{e}")))??;
    desk.with_store(|store| {
        Ok(afterdesk_desk::ProofView::from(
            &afterdesk_desk::record_evidence(
                store,
                &key,
                &ingested,
                item.as_deref(),
                &agent,
                now(),
            )?,
        ))
    })
}

/// Stops a running evidence copy or package export; nothing half-written stays.
#[tauri::command]
#[specta::specta]
pub async fn cancel_copy(desk: State<'_, Desk>) -> CommandResult<()> {
    desk.copy_cancel_flag().store(true, Ordering::Relaxed);
    Ok(())
}

/// Removes a proof from its case (a tombstone; the file stays in the evidence folder).
#[tauri::command]
#[specta::specta]
pub async fn detach_evidence(
    desk: State<'_, Desk>,
    proof_id: String,
    agent: String,
) -> CommandResult<afterdesk_desk::ProofView> {
    desk.with_store(|store| {
        Ok(afterdesk_desk::ProofView::from(
            &afterdesk_desk::detach_evidence(store, &proof_id, &agent, now())?,
        ))
    })
}

/// Writes the case's evidence package (a zip of the files with a printable index page)
/// into `out_dir` and returns the zip's path.
#[tauri::command]
#[specta::specta]
pub async fn export_evidence_package(
    desk: State<'_, Desk>,
    key: String,
    out_dir: String,
) -> CommandResult<String> {
    let at = now();
    let deadline = desk.with_store(|store| Ok(evidence_deadline(&desk, store, &key, at)))?;
    let shop = desk.shop();
    let long_work = desk.long_work();
    let cancel = desk.copy_cancel_flag();
    cancel.store(false, Ordering::Relaxed);
    tauri::async_runtime::spawn_blocking(move || {
        let _long_work = long_work;
        let mut guard = crate::shop::lock(&shop)?;
        let store = guard.store_mut()?;
        let rules = afterdesk_desk::shop_settings(store)?.unboxing_rules();
        afterdesk_desk::export_evidence_package(
            store,
            &key,
            &PathBuf::from(out_dir),
            &rules,
            deadline,
            at,
            &mut |_| {},
            &cancel,
        )
        .map(|package| package.path.display().to_string())
        .map_err(CommandError::from)
    })
    .await
    .map_err(|e| CommandError::new("error", format!("导出中断：{e}")))?
}

/// The clock settings: the shop's rule file, why it is not in use (if so), and the
/// calendar years the deadlines are counted with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ClockSettings {
    /// The shop's rule overrides file (it may not exist).
    pub rules_file: String,
    /// Why that file, or an imported calendar year, is not in use; the bundled rules and
    /// calendars are used meanwhile.
    pub error: Option<String>,
    /// The calendar years, oldest first.
    pub years: Vec<afterdesk_desk::CalendarYearView>,
}

fn clock_settings_of(desk: &Desk) -> CommandResult<ClockSettings> {
    let files = afterdesk_desk::ClockFiles::beside(&desk.db_path());
    let years = match desk.clockwork() {
        Some(clockwork) => afterdesk_desk::calendar_years(&clockwork)?,
        None => Vec::new(),
    };
    Ok(ClockSettings {
        rules_file: files.rules.display().to_string(),
        error: desk.clock_error(),
        years,
    })
}

/// The clock settings of the open shop.
#[tauri::command]
#[specta::specta]
pub async fn clock_settings(desk: State<'_, Desk>) -> CommandResult<ClockSettings> {
    clock_settings_of(&desk)
}

/// Imports a calendar year file (public holidays and make-up working days) for the open
/// shop and starts counting with it. A broken file is refused with its line and field.
#[tauri::command]
#[specta::specta]
pub async fn import_calendar_year(
    desk: State<'_, Desk>,
    path: String,
) -> CommandResult<ClockSettings> {
    let db = desk.db_path();
    afterdesk_desk::import_calendar(
        &afterdesk_desk::ClockFiles::beside(&db),
        &PathBuf::from(path),
    )?;
    desk.set_clockwork(&db);
    clock_settings_of(&desk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_info_reports_crate_version_and_name() {
        let info = app_info();
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.name, "AfterDesk");
    }

    #[test]
    fn app_info_serialises_to_the_shape_the_ui_expects() {
        let value = serde_json::to_value(app_info()).unwrap();
        assert_eq!(value["name"], "AfterDesk");
        assert_eq!(value["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(value.as_object().map(|o| o.len()), Some(2));
    }

    #[test]
    fn errors_keep_the_core_code_and_message() {
        let e = CommandError::from(DeskError::Cancelled);
        assert_eq!(e.code, "cancelled");
        assert!(e.message.contains("导入已取消"));
        let e = CommandError::from(StoreError::CaseNotFound("42".to_owned()));
        assert_eq!(e.code, "case_not_found");
        assert!(e.message.contains("42"));
    }
}
