//! Deadline reminders while the app runs: desktop notifications at the shop's lead times,
//! and a tray icon whose tooltip counts the cases due today.
//!
//! The decisions (which reminder is due, what was already shown) are made by
//! `afterdesk_shop::Shop::reminder_tick`; this module only keeps the timer and shows what
//! it returns. Only here is the clock read.

use afterdesk_shop::{REMINDER_FIRST_TICK, REMINDER_TICK, Shop, ShopError};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// The tray icon's id.
const TRAY_ID: &str = "afterdesk";

/// Creates the tray icon and starts the reminder loop on the async runtime.
///
/// A system without a tray (some Linux desktops, a headless test display) only loses the
/// icon; reminders still fire.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    if let Err(e) = tray(app) {
        eprintln!("AfterDesk: no tray icon ({e})");
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(REMINDER_FIRST_TICK).await;
        loop {
            tick(&app);
            tokio::time::sleep(REMINDER_TICK).await;
        }
    });
}

fn tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("售后台")
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::focus_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)
}

/// One tick: show what is due and refresh the tray.
fn tick<R: Runtime>(app: &AppHandle<R>) {
    let shop = app.state::<Shop>();
    match shop.reminder_tick(chrono::Utc::now()) {
        Ok(tick) => {
            for reminder in &tick.show {
                let shown = app
                    .notification()
                    .builder()
                    .title(&reminder.title)
                    .body(&reminder.body)
                    .show();
                if let Err(e) = shown {
                    eprintln!(
                        "AfterDesk: could not show a reminder ({e}): {}",
                        reminder.title
                    );
                }
            }
            if let Some(tray) = app.tray_by_id(TRAY_ID) {
                let tip = if tick.due_today == 0 {
                    "售后台：今天没有到期的售后单".to_owned()
                } else {
                    format!("售后台：今天到期 {} 单", tick.due_today)
                };
                let _ = tray.set_tooltip(Some(tip));
                // Shown beside the icon in the macOS menu bar; ignored elsewhere.
                let _ = tray.set_title((tick.due_today > 0).then(|| tick.due_today.to_string()));
            }
        }
        // `busy` while an import runs: the next tick catches up.
        Err(ShopError::Busy(_)) => {}
        Err(e) => eprintln!("AfterDesk: reminders: {e}"),
    }
}
