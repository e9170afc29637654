//! Commands for parcels (docs/parcels.md): a case's parcels and interception, the
//! attention list, hand-recorded states, the tracking settings and their key, and the
//! refresh against the shop's provider — by hand with progress, and in the background.
//!
//! A refresh never holds the shop while it waits on the network: the parcels to ask about
//! are read under the lock, the queries run without it, and the answers are written under
//! it again, so the rest of the app keeps working during a long refresh.

use crate::commands::{CommandError, CommandResult};
use crate::keys::Keys;
use crate::shop::Desk;
use afterdesk_desk::{
    AttentionListView, CaseParcelsView, CourierHintView, InterceptionInput, InterceptionView,
    NewParcelInput, ParcelView, RefreshReportView, RefreshScope, TrackingSettings,
};
use afterdesk_parcel::RefreshProgress;
use afterdesk_secret::Secret;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, State};

/// How often the background refresh looks at open cases' parcels. 快递100 answers a
/// waybill at most once per 30 minutes, and parcels rarely move faster than that.
const AUTO_REFRESH_EVERY: Duration = Duration::from_secs(30 * 60);

/// How long after start the first background refresh waits, so that opening the app
/// never competes with the first refresh for the shop.
const AUTO_REFRESH_FIRST_DELAY: Duration = Duration::from_secs(60);

/// The refresh's cancel flag and whether one is running, in the app's managed state.
#[derive(Debug, Default)]
pub struct Tracking {
    cancel: AtomicBool,
    running: AtomicBool,
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A case's parcels with their events, attention items and the interception.
#[tauri::command]
#[specta::specta]
pub async fn case_parcels(desk: State<'_, Desk>, key: String) -> CommandResult<CaseParcelsView> {
    desk.with_store(|store| {
        let rules = afterdesk_desk::load_parcel_rules(store)?;
        Ok(afterdesk_desk::case_parcels(store, &key, &rules, now())?)
    })
}

/// The parcels needing attention across open cases, most urgent first.
#[tauri::command]
#[specta::specta]
pub async fn parcel_attention(desk: State<'_, Desk>) -> CommandResult<AttentionListView> {
    desk.with_store(|store| {
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
pub async fn add_parcel(
    desk: State<'_, Desk>,
    input: NewParcelInput,
    agent: String,
) -> CommandResult<ParcelView> {
    desk.with_store(|store| Ok(afterdesk_desk::add_parcel(store, &input, &agent, now())?))
}

/// Changes a parcel's courier, phone tail or direction (`None` leaves a field alone).
#[tauri::command]
#[specta::specta]
pub async fn change_parcel(
    desk: State<'_, Desk>,
    id: String,
    courier: Option<String>,
    phone_tail: Option<String>,
    direction: Option<String>,
) -> CommandResult<ParcelView> {
    desk.with_store(|store| {
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
pub async fn remove_parcel(
    desk: State<'_, Desk>,
    id: String,
    agent: String,
) -> CommandResult<ParcelView> {
    desk.with_store(|store| Ok(afterdesk_desk::remove_parcel(store, &id, &agent, now())?))
}

/// Records a parcel's state by hand, with the courier's words as an event.
#[tauri::command]
#[specta::specta]
pub async fn record_parcel_state(
    desk: State<'_, Desk>,
    id: String,
    state: String,
    text: Option<String>,
    place: Option<String>,
    agent: String,
) -> CommandResult<ParcelView> {
    desk.with_store(|store| {
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
    desk: State<'_, Desk>,
    input: InterceptionInput,
    agent: String,
) -> CommandResult<InterceptionView> {
    desk.with_store(|store| Ok(afterdesk_desk::intercept(store, &input, &agent, now())?))
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

/// The tracking settings and whether the chosen provider's key is in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct TrackingSettingsView {
    /// The settings (no key).
    pub settings: TrackingSettings,
    /// Whether the provider's key is saved.
    pub has_key: bool,
    /// Why the keychain could not be asked, if it could not.
    pub keychain_error: Option<String>,
}

async fn settings_view(desk: &Desk, keys: &Keys) -> CommandResult<TrackingSettingsView> {
    let settings = afterdesk_desk::load_tracking_settings(&desk.db_path())?;
    let (has_key, keychain_error) = match settings.key_account() {
        None => (false, None),
        Some(account) => match keys.call(account, Secret::find).await {
            Ok(key) => (key.is_some(), None),
            Err(e) => (false, Some(e.message)),
        },
    };
    Ok(TrackingSettingsView {
        settings,
        has_key,
        keychain_error,
    })
}

/// The shop's tracking settings.
#[tauri::command]
#[specta::specta]
pub async fn tracking_settings(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
) -> CommandResult<TrackingSettingsView> {
    settings_view(&desk, &keys).await
}

/// Saves the shop's tracking settings and, when given, the provider's key (into the
/// keychain, never the settings file).
#[tauri::command]
#[specta::specta]
pub async fn save_tracking_settings(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
    settings: TrackingSettings,
    key: Option<String>,
) -> CommandResult<TrackingSettingsView> {
    afterdesk_desk::save_tracking_settings(&desk.db_path(), &settings)?;
    if let (Some(account), Some(key)) =
        (settings.key_account(), key.filter(|k| !k.trim().is_empty()))
    {
        keys.call(account, move |secret| secret.set(key.trim()))
            .await?;
    }
    settings_view(&desk, &keys).await
}

/// Deletes the chosen provider's key from the keychain.
#[tauri::command]
#[specta::specta]
pub async fn delete_tracking_key(
    desk: State<'_, Desk>,
    keys: State<'_, Keys>,
) -> CommandResult<TrackingSettingsView> {
    let settings = afterdesk_desk::load_tracking_settings(&desk.db_path())?;
    if let Some(account) = settings.key_account() {
        keys.call(account, Secret::delete).await?;
    }
    settings_view(&desk, &keys).await
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

async fn run_refresh(
    desk: &Desk,
    tracking: &Tracking,
    keys: &Keys,
    scope: RefreshScope,
    progress: &mut (dyn FnMut(RefreshProgress) + Send),
) -> CommandResult<RefreshReportView> {
    if tracking.running.swap(true, Ordering::SeqCst) {
        return Err(CommandError::new(
            "busy",
            "物流正在刷新中，请等这一轮结束后再试",
        ));
    }
    struct Running<'a>(&'a AtomicBool);
    impl Drop for Running<'_> {
        fn drop(&mut self) {
            self.0.store(false, Ordering::SeqCst);
        }
    }
    let _running = Running(&tracking.running);
    tracking.cancel.store(false, Ordering::SeqCst);
    let settings = afterdesk_desk::load_tracking_settings(&desk.db_path())?;
    let key = match settings.key_account() {
        Some(account) => keys.call(account, Secret::find).await?,
        None => None,
    };
    let (tracker, policy) = afterdesk_desk::refresh_setup(&settings, key, &scope)?;
    let targets = desk.with_store(|store| Ok(afterdesk_desk::refresh_targets(store, &scope)?))?;
    let clock = || chrono::Utc::now();
    let results = afterdesk_parcel::refresh(
        tracker.as_ref(),
        targets,
        &policy,
        &clock,
        progress,
        &tracking.cancel,
    )
    .await;
    desk.with_store(|store| {
        Ok(afterdesk_desk::apply_refresh(
            store,
            tracker.as_ref(),
            &results,
            now(),
        )?)
    })
}

/// Refreshes the parcels of one case or waybill (`scope`), or of every open case, with
/// progress; the provider's rate limits hold either way.
#[tauri::command]
#[specta::specta]
pub async fn refresh_parcels(
    desk: State<'_, Desk>,
    tracking: State<'_, Tracking>,
    keys: State<'_, Keys>,
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
    run_refresh(&desk, &tracking, &keys, scope, &mut progress).await
}

/// Stops a running refresh after the queries already sent; what was answered is kept.
#[tauri::command]
#[specta::specta]
pub async fn cancel_refresh(tracking: State<'_, Tracking>) -> CommandResult<()> {
    tracking.cancel.store(true, Ordering::SeqCst);
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
            let desk = app.state::<Desk>();
            let tracking = app.state::<Tracking>();
            let keys = app.state::<Keys>();
            let wanted = !desk.is_demo()
                && afterdesk_desk::load_tracking_settings(&desk.db_path())
                    .is_ok_and(|s| s.auto_refresh && s.provider != "manual");
            if wanted
                && let Err(e) =
                    run_refresh(&desk, &tracking, &keys, RefreshScope::All, &mut |_| {}).await
                && e.code != "busy"
            {
                eprintln!("AfterDesk: background parcel refresh: {}", e.message);
            }
            tokio::time::sleep(AUTO_REFRESH_EVERY).await;
        }
    });
}
