//! Commands of the optional AI polish (docs/drafts.md, "AI 润色（可选）"): the settings card
//! (endpoint settings beside the shop, the key in the system keychain) and the draft
//! panel's button. The rules (keychain calls off the executor, the shop's lock never held
//! during the HTTP call) live in `afterdesk_shop`.

use crate::commands::CommandResult;
use afterdesk_desk::{PolishConfigView, PolishSettingsView, PolishedView};
use afterdesk_shop::Shop;
use tauri::State;

/// The AI polish settings of the open shop and whether a key is saved on this computer.
#[tauri::command]
#[specta::specta]
pub async fn polish_settings(shop: State<'_, Shop>) -> CommandResult<PolishSettingsView> {
    Ok(shop.polish_settings().await)
}

/// Whether the open shop turned the AI polish on (the keychain is not asked).
#[tauri::command]
#[specta::specta]
pub async fn polish_enabled(shop: State<'_, Shop>) -> CommandResult<bool> {
    Ok(shop.polish_enabled())
}

/// Saves the AI polish settings beside the shop database (never the key).
#[tauri::command]
#[specta::specta]
pub async fn save_polish_settings(
    shop: State<'_, Shop>,
    settings: PolishConfigView,
) -> CommandResult<PolishSettingsView> {
    Ok(shop.save_polish_settings(settings).await?)
}

/// Stores the API key in this computer's keychain, replacing any earlier one. The key is
/// never sent back to the page.
#[tauri::command]
#[specta::specta]
pub async fn set_polish_key(
    shop: State<'_, Shop>,
    key: String,
) -> CommandResult<PolishSettingsView> {
    Ok(shop.set_polish_key(key).await?)
}

/// Removes the API key from this computer's keychain (no key is not an error).
#[tauri::command]
#[specta::specta]
pub async fn delete_polish_key(shop: State<'_, Shop>) -> CommandResult<PolishSettingsView> {
    Ok(shop.delete_polish_key().await?)
}

/// Polishes a draft of the case `key` through the shop's endpoint: the buyer's data is
/// removed first, and a text that changed a fact is refused (`polish_changed_facts`).
#[tauri::command]
#[specta::specta]
pub async fn polish_draft(
    shop: State<'_, Shop>,
    key: String,
    text: String,
) -> CommandResult<PolishedView> {
    Ok(shop.polish(&key, &text).await?)
}
