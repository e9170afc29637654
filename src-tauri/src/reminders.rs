//! Deadline reminders while the app runs: desktop notifications at the shop's lead times,
//! and a tray icon whose tooltip counts the cases due today.
//!
//! The decisions (which reminder is due, what was already shown) are made by
//! `afterdesk_desk::due_reminders` over the store; this module only ticks, shows and
//! records. Only here is the clock read.

use crate::shop::Desk;
use afterdesk_desk::{due_reminders, due_today};
use std::time::Duration;
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

/// How often the clocks are looked at.
///
/// A minute is the finest lead time anyone sets (30 minutes by default), and evaluating
/// every clock of 100,000 open cases takes well under a second, so a tick costs nothing
/// noticeable.
const TICK: Duration = Duration::from_secs(60);

/// How long after start the first look waits, so that start-up work (the window, the
/// first queries, the day's backup) goes first.
const FIRST_TICK: Duration = Duration::from_secs(5);

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
        tokio::time::sleep(FIRST_TICK).await;
        loop {
            tick(&app);
            tokio::time::sleep(TICK).await;
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

/// One look at the clocks: show what is due, record it, refresh the tray.
fn tick<R: Runtime>(app: &AppHandle<R>) {
    let desk = app.state::<Desk>();
    // The demo shop's made-up deadlines must not ring on the agent's desktop.
    if desk.is_demo() {
        return;
    }
    let Some(clockwork) = desk.clockwork() else {
        return;
    };
    let now = chrono::Utc::now();
    let result = desk.with_store(|store| {
        let cases = desk.open_cases(store)?;
        let shown = store.shown_reminders()?;
        let settings = afterdesk_desk::shop_settings(store)?;
        let found = due_reminders(
            &clockwork,
            &cases,
            &shown,
            &settings.reminder_leads_minutes,
            now,
        );
        for reminder in &found.show {
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
        // Recorded even when the system refused to show it: retrying every minute would
        // not make it show, and the case list and workbench still show the deadline.
        store.record_reminders(&found.record, now)?;
        Ok(due_today(&clockwork, &cases, now))
    });
    match result {
        Ok(count) => {
            if let Some(tray) = app.tray_by_id(TRAY_ID) {
                let tip = if count == 0 {
                    "售后台：今天没有到期的售后单".to_owned()
                } else {
                    format!("售后台：今天到期 {count} 单")
                };
                let _ = tray.set_tooltip(Some(tip));
                // Shown beside the icon in the macOS menu bar; ignored elsewhere.
                let _ = tray.set_title((count > 0).then(|| count.to_string()));
            }
        }
        // `busy` while an import runs: the next tick catches up.
        Err(e) if e.code == "busy" => {}
        Err(e) => eprintln!("AfterDesk: reminders: {}", e.message),
    }
}
