//! Commands for parcels (docs/parcels.md): a case's parcels and interception, the
//! attention list, hand-recorded states, the tracking settings and their key, and the
//! refresh against the shop's provider — by hand with progress, and in the background.
//!
//! A refresh never holds the shop while it waits on the network: the parcels to ask about
//! are read under the lock, the queries run without it, and the answers are written under
//! it again, so the rest of the app keeps working during a long refresh.

use crate::commands::{CommandError, CommandResult};
use afterdesk_desk::{
    AttentionListView, CaseParcelsView, CourierHintView, InterceptionInput, InterceptionView,
    NewParcelInput, ParcelView, RefreshReportView, RefreshScope, TrackingSettings,
};
use afterdesk_parcel::RefreshProgress;
use afterdesk_shop::{AUTO_REFRESH_EVERY, AUTO_REFRESH_FIRST_DELAY, Shop, TrackingSettingsView};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A case's parcels with their events, attention items and the interception.
#[tauri::command]
#[specta::specta]
pub async fn case_parcels(shop: State<'_, Shop>, key: String) -> CommandResult<CaseParcelsView> {
    shop.with_store(|store| {
        let rules = afterdesk_desk::load_parcel_rules(store)?;
        Ok(afterdesk_desk::case_parcels(store, &key, &rules, now())?)
    })
}

/// The parcels needing attention across open cases, most urgent first.
#[tauri::command]
#[specta::specta]
pub async fn parcel_attention(shop: State<'_, Shop>) -> CommandResult<AttentionListView> {
    shop.with_store(|store| {
        let rules = afterdesk_desk::load_parcel_rules(store)?;
        Ok(afterdesk_desk::parcels_needing_attention(
            store,
            &rules,
            now(),
        )?)
    })
}

/// Adds a parcel to a case by hand.
#[tauri::command]
#[specta::specta]
pub async fn add_parcel(shop: State<'_, Shop>, input: NewParcelInput) -> CommandResult<ParcelView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(afterdesk_desk::add_parcel(store, &input, &agent, now())?))
}

/// Changes a parcel's courier, phone tail or direction (`None` leaves a field alone).
#[tauri::command]
#[specta::specta]
pub async fn change_parcel(
    shop: State<'_, Shop>,
    id: String,
    courier: Option<String>,
    phone_tail: Option<String>,
    direction: Option<String>,
) -> CommandResult<ParcelView> {
    shop.with_store(|store| {
        Ok(afterdesk_desk::change_parcel(
            store,
            &id,
            courier.as_deref(),
            phone_tail.as_deref(),
            direction.as_deref(),
            now(),
        )?)
    })
}

/// Removes a parcel (its events stay recorded).
#[tauri::command]
#[specta::specta]
pub async fn remove_parcel(shop: State<'_, Shop>, id: String) -> CommandResult<ParcelView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(afterdesk_desk::remove_parcel(store, &id, &agent, now())?))
}

/// Records a parcel's state by hand, with the courier's words as an event.
#[tauri::command]
#[specta::specta]
pub async fn record_parcel_state(
    shop: State<'_, Shop>,
    id: String,
    state: String,
    text: Option<String>,
    place: Option<String>,
) -> CommandResult<ParcelView> {
    let agent = shop.actor()?;
    shop.with_store(|store| {
        Ok(afterdesk_desk::record_parcel_state(
            store,
            &id,
            &state,
            text.as_deref(),
            place.as_deref(),
            None,
            &agent,
            now(),
        )?)
    })
}

/// What a waybill number's shape suggests about its courier.
#[tauri::command]
#[specta::specta]
pub async fn courier_hint(waybill: String) -> CommandResult<CourierHintView> {
    Ok(afterdesk_desk::courier_hint(&waybill)?)
}

/// Records an interception step (requested, succeeded, failed, …).
#[tauri::command]
#[specta::specta]
pub async fn intercept(
    shop: State<'_, Shop>,
    input: InterceptionInput,
) -> CommandResult<InterceptionView> {
    let agent = shop.actor()?;
    shop.with_store(|store| Ok(afterdesk_desk::intercept(store, &input, &agent, now())?))
}

/// Puts a text (a waybill number) on the clipboard.
#[tauri::command]
#[specta::specta]
pub async fn copy_text(app: AppHandle, text: String) -> CommandResult<()> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard()
        .write_text(text)
        .map_err(|e| CommandError::new("clipboard", format!("无法写入剪贴板：{e}")))
}

/// The shop's tracking settings.
#[tauri::command]
#[specta::specta]
pub async fn tracking_settings(shop: State<'_, Shop>) -> CommandResult<TrackingSettingsView> {
    Ok(shop.tracking_settings().await?)
}

/// Saves the shop's tracking settings and, when given, the provider's key (into the
/// keychain, never the settings file).
#[tauri::command]
#[specta::specta]
pub async fn save_tracking_settings(
    shop: State<'_, Shop>,
    settings: TrackingSettings,
    key: Option<String>,
) -> CommandResult<TrackingSettingsView> {
    Ok(shop.save_tracking_settings(settings, key).await?)
}

/// Deletes the chosen provider's key from the keychain.
#[tauri::command]
#[specta::specta]
pub async fn delete_tracking_key(shop: State<'_, Shop>) -> CommandResult<TrackingSettingsView> {
    Ok(shop.delete_tracking_key().await?)
}

/// Progress of a refresh, for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RefreshProgressView {
    /// Parcels done.
    pub done: u32,
    /// Parcels in the refresh.
    pub total: u32,
    /// The waybill just done.
    pub waybill: String,
    /// Its outcome (`updated`, `failed`, `deferred`, `skipped`).
    pub outcome: String,
}

/// Refreshes the parcels of one case or waybill (`scope`), or of every open case, with
/// progress; the provider's rate limits hold either way.
#[tauri::command]
#[specta::specta]
pub async fn refresh_parcels(
    shop: State<'_, Shop>,
    scope: Option<String>,
    on_progress: Channel<RefreshProgressView>,
) -> CommandResult<RefreshReportView> {
    let scope = match scope.filter(|s| !s.trim().is_empty()) {
        Some(key) => RefreshScope::CaseOrWaybill(key),
        None => RefreshScope::All,
    };
    let mut progress = |p: RefreshProgress| {
        // A closed page cannot show progress; the refresh goes on regardless.
        let _ = on_progress.send(RefreshProgressView {
            done: u32::try_from(p.done).unwrap_or(u32::MAX),
            total: u32::try_from(p.total).unwrap_or(u32::MAX),
            waybill: p.waybill.to_string(),
            outcome: p.outcome.to_owned(),
        });
    };
    Ok(shop.refresh_parcels(scope, &mut progress, &now).await?)
}

/// Stops a running refresh after the queries already sent; what was answered is kept.
#[tauri::command]
#[specta::specta]
pub async fn cancel_refresh(shop: State<'_, Shop>) -> CommandResult<()> {
    shop.cancel_refresh();
    Ok(())
}

/// Starts the background refresh: every [`AUTO_REFRESH_EVERY`], when the shop chose a
/// provider and left automatic refresh on. Errors (offline, a missing key) are written to
/// stderr and the next round tries again; the parcels keep their last known state.
pub fn start_auto_refresh(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(AUTO_REFRESH_FIRST_DELAY).await;
        loop {
            let shop = app.state::<Shop>();
            if let Err(e) = shop.auto_refresh(&now).await {
                eprintln!("AfterDesk: background parcel refresh: {e}");
            }
            tokio::time::sleep(AUTO_REFRESH_EVERY).await;
        }
    });
}
