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

use afterdesk_desk::{
    BackupView, CaseChangeInput, CaseDetailView, CaseListView, CaseQueryInput, CaseView, DeskError,
    ErrorCode, ImportOptions, ImportPreviewView, ImportProgress, ImportReportView, NewCaseInput,
    NoteView, RestoreView,
};
use afterdesk_shop::{ClockSettings, Shop, ShopError, ShopInfo};
use afterdesk_store::StoreError;
use serde::Serialize;
use std::path::PathBuf;
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

/// Why a command failed, as the UI receives it: a typed code it translates into the UI's
/// language, and the core's Chinese message, kept for logs and as the details line. The
/// codes are listed in `crates/desk/src/error_code.rs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct CommandError {
    /// A stable code; the UI shows its own translation of it.
    pub code: ErrorCode,
    /// What went wrong in Chinese, with the details (a file, a field) the code lacks.
    pub message: String,
}

impl CommandError {
    /// An error with the given code string (a library's `code()`, or the shell's own such
    /// as `busy`) and message. The string is looked up rather than typed at every call
    /// site so the libraries' `&'static str` codes pass straight through; a test in
    /// `afterdesk-desk` checks that every literal given here names a real code.
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: ErrorCode::of(code),
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

impl From<ShopError> for CommandError {
    fn from(e: ShopError) -> Self {
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
pub async fn shop_info(shop: State<'_, Shop>) -> CommandResult<ShopInfo> {
    Ok(shop.info()?)
}

/// One page of the shop's cases matching a filter.
#[tauri::command]
#[specta::specta]
pub async fn list_cases(
    shop: State<'_, Shop>,
    query: CaseQueryInput,
) -> CommandResult<CaseListView> {
    let query = query.to_query()?;
    shop.with_store(|store| Ok(CaseListView::from(&store.list_cases(&query)?)))
}

/// A case with its notes, timeline and order, by id, refund number or order number.
#[tauri::command]
#[specta::specta]
pub async fn case_detail(shop: State<'_, Shop>, key: String) -> CommandResult<CaseDetailView> {
    shop.with_store(|store| Ok(CaseDetailView::from(&store.case_detail(&key)?)))
}

/// Appends a note to a case.
#[tauri::command]
#[specta::specta]
pub async fn add_note(shop: State<'_, Shop>, key: String, text: String) -> CommandResult<NoteView> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
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
    shop: State<'_, Shop>,
    key: String,
    change: CaseChangeInput,
) -> CommandResult<CaseView> {
    let agent = shop.actor()?;
    let change = change.to_change()?;
    shop.with_store(|store| {
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
pub async fn add_case(shop: State<'_, Shop>, input: NewCaseInput) -> CommandResult<CaseView> {
    let agent = shop.actor()?;
    let new = input.to_new_case()?;
    shop.with_store(|store| Ok(CaseView::from(&store.add_case(new, &agent, now())?)))
}

/// Applies one change (flag, assignee...) to several cases at once, all or none: the case
/// list's bulk actions.
#[tauri::command]
#[specta::specta]
pub async fn change_cases(
    shop: State<'_, Shop>,
    keys: Vec<String>,
    change: CaseChangeInput,
) -> CommandResult<Vec<CaseView>> {
    let agent = shop.actor()?;
    let change = change.to_change()?;
    shop.with_store(|store| {
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
pub async fn delete_case(shop: State<'_, Shop>, key: String) -> CommandResult<CaseView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(CaseView::from(&store.delete_case(&key, &agent, now())?)))
}

/// Undoes a deletion.
#[tauri::command]
#[specta::specta]
pub async fn restore_case(shop: State<'_, Shop>, key: String) -> CommandResult<CaseView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(CaseView::from(&store.restore_case(&key, &agent, now())?)))
}

/// Imports an export file, reporting progress on `on_progress`.
///
/// The import runs on a blocking worker thread, so the window stays responsive; it holds
/// the shop until it ends, and other commands answer `busy` meanwhile. It can be stopped
/// with [`cancel_import`], which leaves the shop exactly as it was.
#[tauri::command]
#[specta::specta]
pub async fn import_file(
    shop: State<'_, Shop>,
    path: String,
    on_progress: Channel<ImportProgress>,
) -> CommandResult<ImportReportView> {
    let agent = shop.actor()?;
    let shop = Shop::clone(&shop);
    tauri::async_runtime::spawn_blocking(move || {
        let mut progress = |p: ImportProgress| {
            // A closed window cannot show progress; the import goes on regardless.
            let _ = on_progress.send(p);
        };
        let imported = shop.import(
            &PathBuf::from(path),
            &agent,
            &ImportOptions::default(),
            &mut progress,
            now(),
        )?;
        Ok(ImportReportView::from(&imported.report))
    })
    .await
    .map_err(|e| CommandError::new("error", format!("导入中断：{e}")))?
}

/// Reads the header and first rows of an export file, without importing, so that the
/// wizard can show how its columns will be read.
#[tauri::command]
#[specta::specta]
pub async fn preview_import(
    shop: State<'_, Shop>,
    path: String,
) -> CommandResult<ImportPreviewView> {
    shop.with_store(|store| {
        Ok(ImportPreviewView::from(&afterdesk_desk::preview_file(
            store,
            &PathBuf::from(path),
        )?))
    })
}

/// Asks a running import to stop; it rolls back within a few thousand rows.
#[tauri::command]
#[specta::specta]
pub async fn cancel_import(shop: State<'_, Shop>) -> CommandResult<()> {
    shop.cancel_import();
    Ok(())
}

/// Switches to the demo shop: a fresh in-memory shop filled with generated cases. The
/// shop's own database is not touched; [`close_demo_shop`] goes back to it.
#[tauri::command]
#[specta::specta]
pub async fn open_demo_shop(shop: State<'_, Shop>) -> CommandResult<ShopInfo> {
    // The demo opens also when the shop's own file does not (there is no member to ask).
    let agent = shop
        .actor()
        .unwrap_or_else(|_| afterdesk_desk::UNBOUND_ACTOR.to_owned());
    shop.open_demo(&agent, now())?;
    Ok(shop.info()?)
}

/// Leaves the demo shop and reopens the shop's own database.
#[tauri::command]
#[specta::specta]
pub async fn close_demo_shop(shop: State<'_, Shop>) -> CommandResult<ShopInfo> {
    shop.reopen(now())?;
    Ok(shop.info()?)
}

/// Opens another shop's database file (creating it if it does not exist) and remembers it
/// for the next start. Several shops are several files.
#[tauri::command]
#[specta::specta]
pub async fn open_shop(shop: State<'_, Shop>, path: String) -> CommandResult<ShopInfo> {
    shop.open_shop(PathBuf::from(path), now())?;
    Ok(shop.info()?)
}

/// The backups of the shop's database, newest first. Reads only the backups folder, so it
/// answers also when the shop refused to open (a damaged file) and a backup is needed.
#[tauri::command]
#[specta::specta]
pub async fn list_backups(shop: State<'_, Shop>) -> CommandResult<Vec<BackupView>> {
    Ok(shop.backups()?)
}

/// Backs the open shop up now (pruned only among the other manual backups).
#[tauri::command]
#[specta::specta]
pub async fn backup_now(shop: State<'_, Shop>) -> CommandResult<Vec<BackupView>> {
    Ok(shop.backup_now(now())?)
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
pub async fn restore_backup(shop: State<'_, Shop>, path: String) -> CommandResult<RestoredShop> {
    let restore = shop.restore(std::path::Path::new(&path), now())?;
    Ok(RestoredShop {
        restore,
        shop: shop.info()?,
    })
}

/// The open cases most urgent first, with the next deadline of each: the workbench's
/// deadline list. `limit` bounds the entries; the counts cover every open case.
#[tauri::command]
#[specta::specta]
pub async fn clock_dashboard(
    shop: State<'_, Shop>,
    limit: u32,
) -> CommandResult<afterdesk_desk::DashboardView> {
    Ok(shop.dashboard(usize::try_from(limit).unwrap_or(usize::MAX), now())?)
}

/// Every clock of one case: due time, state, what to do, and warnings.
#[tauri::command]
#[specta::specta]
pub async fn case_clocks(
    shop: State<'_, Shop>,
    key: String,
) -> CommandResult<afterdesk_desk::CaseClocksView> {
    Ok(shop.case_clocks(&key, now())?)
}

/// A case's evidence checklists with the attached proofs, readiness (with the evidence
/// period's end when its clock runs) and the unboxing-video checks.
#[tauri::command]
#[specta::specta]
pub async fn case_evidence(
    shop: State<'_, Shop>,
    key: String,
) -> CommandResult<afterdesk_desk::CaseEvidenceView> {
    Ok(shop.case_evidence(&key, now())?)
}

/// Attaches a file to a case, optionally to one checklist item, reporting the copy's
/// progress on `on_progress`. The copy runs on a worker thread without holding the shop;
/// [`cancel_copy`] stops it and leaves nothing behind.
#[tauri::command]
#[specta::specta]
pub async fn attach_evidence(
    shop: State<'_, Shop>,
    key: String,
    path: String,
    item: Option<String>,
    on_progress: Channel<afterdesk_desk::CopyProgressView>,
) -> CommandResult<afterdesk_desk::ProofView> {
    let agent = shop.actor()?;
    let shop = Shop::clone(&shop);
    tauri::async_runtime::spawn_blocking(move || {
        // A closed window cannot show progress; the copy goes on regardless.
        let mut progress = |p| {
            let _ = on_progress.send(p);
        };
        Ok(shop.attach_evidence(
            &key,
            &PathBuf::from(path),
            item.as_deref(),
            &agent,
            &mut progress,
            &now,
        )?)
    })
    .await
    .map_err(|e| CommandError::new("error", format!("复制文件中断：{e}")))?
}

/// Stops a running evidence copy or package export; nothing half-written stays.
#[tauri::command]
#[specta::specta]
pub async fn cancel_copy(shop: State<'_, Shop>) -> CommandResult<()> {
    shop.cancel_copy();
    Ok(())
}

/// Removes a proof from its case (a tombstone; the file stays in the evidence folder).
#[tauri::command]
#[specta::specta]
pub async fn detach_evidence(
    shop: State<'_, Shop>,
    proof_id: String,
) -> CommandResult<afterdesk_desk::ProofView> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
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
    shop: State<'_, Shop>,
    key: String,
    out_dir: String,
) -> CommandResult<String> {
    let shop = Shop::clone(&shop);
    tauri::async_runtime::spawn_blocking(move || {
        let package = shop.export_evidence_package(&key, &PathBuf::from(out_dir), now())?;
        Ok(package.display().to_string())
    })
    .await
    .map_err(|e| CommandError::new("error", format!("导出中断：{e}")))?
}

/// The clock settings of the open shop.
#[tauri::command]
#[specta::specta]
pub async fn clock_settings(shop: State<'_, Shop>) -> CommandResult<ClockSettings> {
    Ok(shop.clock_settings()?)
}

/// Imports a calendar year file (public holidays and make-up working days) for the open
/// shop and starts counting with it. A broken file is refused with its line and field.
#[tauri::command]
#[specta::specta]
pub async fn import_calendar_year(
    shop: State<'_, Shop>,
    path: String,
) -> CommandResult<ClockSettings> {
    shop.import_calendar_year(&PathBuf::from(path))?;
    Ok(shop.clock_settings()?)
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
        assert_eq!(e.code, ErrorCode::Cancelled);
        assert!(e.message.contains("导入已取消"));
        let e = CommandError::from(StoreError::CaseNotFound("42".to_owned()));
        assert_eq!(e.code, ErrorCode::CaseNotFound);
        assert!(e.message.contains("42"));
    }
}
