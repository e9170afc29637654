//! Commands for reply drafts, the script library and the training-material import
//! (docs/drafts.md). Thin like the others: take the open shop, call one function of
//! `afterdesk-desk`, convert the error.

use crate::commands::{CommandError, CommandResult};
use afterdesk_desk::{
    AcceptImportInput, AcceptImportView, ClassificationView, CopyDraftInput, DraftCopyView,
    DraftOptions, DraftView, ReplyCheckView, ScriptImportView, ScriptInput, ScriptQueryInput,
    ScriptVersionView, ScriptView,
};
use afterdesk_shop::Shop;
use std::path::PathBuf;
use tauri::{AppHandle, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// The draft for a case: the best script filled from the case, its variants, the lint and
/// the compensation suggestion.
#[tauri::command]
#[specta::specta]
pub async fn case_draft(
    shop: State<'_, Shop>,
    key: String,
    options: DraftOptions,
) -> CommandResult<DraftView> {
    Ok(shop.draft(&key, &options, now())?)
}

/// Lints a reply the agent edited or typed and finds the marks it still holds.
#[tauri::command]
#[specta::specta]
pub async fn lint_reply(text: String, kind: String) -> CommandResult<ReplyCheckView> {
    Ok(afterdesk_desk::lint_reply(&text, &kind))
}

/// Classifies a buyer's message.
#[tauri::command]
#[specta::specta]
pub async fn classify_message(message: String) -> CommandResult<ClassificationView> {
    Ok(afterdesk_desk::classify_message(&message)?)
}

/// Records the draft as copied (which scripts, what text) and puts it on the clipboard.
/// A text with 【待填：…】 marks is refused unless the agent confirmed it.
#[tauri::command]
#[specta::specta]
pub async fn copy_draft(
    app: AppHandle,
    shop: State<'_, Shop>,
    key: String,
    input: CopyDraftInput,
) -> CommandResult<DraftCopyView> {
    let agent = shop.actor()?;
    let copy = shop.with_store(|store| -> CommandResult<_> {
        Ok(afterdesk_desk::copy_draft(
            store,
            &key,
            &input,
            &agent,
            now(),
        )?)
    })?;
    // The record comes first: a draft that reached the clipboard must be on the case's
    // history. If the clipboard then fails, the agent is told so and can copy by hand.
    app.clipboard()
        .write_text(input.text.clone())
        .map_err(|e| {
            CommandError::new(
                "clipboard",
                format!("回复已记录，但无法写入剪贴板（{e}）；请手动选中文字复制"),
            )
        })?;
    Ok(copy)
}

/// The drafts copied for a case, newest first.
#[tauri::command]
#[specta::specta]
pub async fn draft_copies(shop: State<'_, Shop>, key: String) -> CommandResult<Vec<DraftCopyView>> {
    shop.with_store(|store| Ok(afterdesk_desk::draft_copies(store, &key)?))
}

/// The script library, filtered.
#[tauri::command]
#[specta::specta]
pub async fn script_library(
    shop: State<'_, Shop>,
    query: ScriptQueryInput,
) -> CommandResult<Vec<ScriptView>> {
    shop.with_store(|store| Ok(afterdesk_desk::script_library(store, &query)?))
}

/// Saves a script from the editor (new, a new version, or the shop's edit of a built-in).
#[tauri::command]
#[specta::specta]
pub async fn save_script(shop: State<'_, Shop>, input: ScriptInput) -> CommandResult<ScriptView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(afterdesk_desk::save_script(store, &input, &agent, now())?))
}

/// Turns a script on or off for drafts.
#[tauri::command]
#[specta::specta]
pub async fn set_script_enabled(
    shop: State<'_, Shop>,
    id: String,
    enabled: bool,
) -> CommandResult<ScriptView> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
        Ok(afterdesk_desk::set_script_enabled(
            store,
            &id,
            enabled,
            &agent,
            now(),
        )?)
    })
}

/// Removes a shop script or the shop's edit of a built-in (`removed = false` undoes it).
#[tauri::command]
#[specta::specta]
pub async fn remove_script(shop: State<'_, Shop>, id: String, removed: bool) -> CommandResult<()> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
        Ok(afterdesk_desk::remove_script(
            store,
            &id,
            removed,
            &agent,
            now(),
        )?)
    })
}

/// A script's saved versions, newest first.
#[tauri::command]
#[specta::specta]
pub async fn script_history(
    shop: State<'_, Shop>,
    id: String,
) -> CommandResult<Vec<ScriptVersionView>> {
    shop.with_store(|store| Ok(afterdesk_desk::script_history(store, &id)?))
}

/// Reads a training file into proposals for review (nothing is stored yet).
#[tauri::command]
#[specta::specta]
pub async fn preview_script_import(
    shop: State<'_, Shop>,
    path: String,
) -> CommandResult<ScriptImportView> {
    shop.with_store(|store| {
        Ok(afterdesk_desk::preview_script_import(
            store,
            &PathBuf::from(&path),
        )?)
    })
}

/// Reads pasted training text into proposals for review.
#[tauri::command]
#[specta::specta]
pub async fn preview_script_text(
    shop: State<'_, Shop>,
    text: String,
) -> CommandResult<ScriptImportView> {
    shop.with_store(|store| Ok(afterdesk_desk::preview_script_text(store, &text)?))
}

/// Stores the proposals the reviewer accepted.
#[tauri::command]
#[specta::specta]
pub async fn accept_script_import(
    shop: State<'_, Shop>,
    input: AcceptImportInput,
) -> CommandResult<AcceptImportView> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
        Ok(afterdesk_desk::accept_script_import(
            store,
            &input,
            &agent,
            now(),
        )?)
    })
}
