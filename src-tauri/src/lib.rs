//! The AfterDesk (售后台) desktop shell.
//!
//! This crate is deliberately thin: it opens the window, wires the plugins that every
//! desktop app needs (one instance at a time, remembered window geometry, the file
//! dialog), opens the shop's database and exposes the commands the UI calls through
//! generated TypeScript bindings (`ui/src/api/bindings.ts`). Business logic belongs in
//! the core crates under `crates/`.

pub mod commands;
mod drafts;
mod parcels;
mod polish;
mod reminders;
mod team;

use afterdesk_shop::{DailyBackup, Shop, ShopPlace};
use std::path::{Path, PathBuf};
use tauri::Manager;
use tauri_specta::{Builder, ErrorHandlingMode, collect_commands};

/// The label of the only window, as declared in `tauri.conf.json`.
///
/// The single-instance handler needs it to find the window it should bring forward.
pub const MAIN_WINDOW_LABEL: &str = "main";

/// Where the generated bindings live, relative to this crate's manifest.
pub const BINDINGS_PATH: &str = "../ui/src/api/bindings.ts";

/// Every command the UI can call, with the shape of the bindings generated for them.
///
/// Errors are returned as a `{status: "error", error: CommandError}` result rather than
/// thrown, so that each screen has to decide what to show. Money and counts are `i64`/
/// `u64` in Rust, which specta refuses as `number` by default; a shop's amounts in fen
/// and its case counts stay far below 2^53, where a JavaScript number is exact.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::app_info,
            commands::shop_info,
            commands::list_cases,
            commands::case_detail,
            commands::add_note,
            commands::change_case,
            commands::change_cases,
            commands::add_case,
            commands::delete_case,
            commands::restore_case,
            commands::preview_import,
            commands::import_file,
            commands::cancel_import,
            commands::open_demo_shop,
            commands::close_demo_shop,
            commands::open_shop,
            commands::list_backups,
            commands::backup_now,
            commands::restore_backup,
            commands::clock_dashboard,
            commands::case_clocks,
            commands::case_evidence,
            commands::attach_evidence,
            commands::cancel_copy,
            commands::detach_evidence,
            commands::export_evidence_package,
            commands::clock_settings,
            commands::import_calendar_year,
            drafts::case_draft,
            drafts::lint_reply,
            drafts::classify_message,
            drafts::copy_draft,
            drafts::draft_copies,
            drafts::script_library,
            drafts::save_script,
            drafts::set_script_enabled,
            drafts::remove_script,
            drafts::script_history,
            drafts::preview_script_import,
            drafts::preview_script_text,
            drafts::accept_script_import,
            parcels::case_parcels,
            parcels::parcel_attention,
            parcels::add_parcel,
            parcels::change_parcel,
            parcels::remove_parcel,
            parcels::record_parcel_state,
            parcels::courier_hint,
            parcels::intercept,
            parcels::copy_text,
            parcels::tracking_settings,
            parcels::save_tracking_settings,
            parcels::delete_tracking_key,
            parcels::refresh_parcels,
            parcels::cancel_refresh,
            polish::polish_settings,
            polish::polish_enabled,
            polish::save_polish_settings,
            polish::set_polish_key,
            polish::delete_polish_key,
            polish::polish_draft,
            team::list_members,
            team::add_member,
            team::change_member,
            team::remove_member,
            team::bind_this_computer,
            team::whoami,
            team::shop_settings,
            team::save_shop_settings,
            team::adopt_local_settings,
        ])
        .error_handling(ErrorHandlingMode::Result)
        .dangerously_cast_bigints_to_number()
}

/// Writes the TypeScript bindings to `path`.
pub fn export_bindings(path: &Path) -> Result<(), String> {
    specta_builder()
        .export(specta_typescript::Typescript::default(), path)
        .map_err(|e| e.to_string())
}

/// Opens the shop the app starts on (see [`afterdesk_shop::default_shop`]) as this
/// computer (see [`afterdesk_shop::device`]), the day's backup in the background. Only
/// here, at the edge, are the clock, the environment and the settings folder read.
fn open_shop(now: chrono::DateTime<chrono::Utc>) -> Shop {
    let config_dir = afterdesk_shop::config_dir();
    let (db, problem) = afterdesk_shop::default_shop(config_dir.as_deref());
    if let Some(problem) = problem {
        eprintln!("AfterDesk: {problem}");
    }
    let (device, problem) = afterdesk_shop::device(config_dir.as_deref(), now);
    if let Some(problem) = problem {
        eprintln!("AfterDesk: {problem}");
    }
    Shop::open(
        ShopPlace {
            db: db.unwrap_or_else(|| PathBuf::from("AfterDesk-default.sqlite")),
            device,
            config_dir,
            backup: DailyBackup::InBackground,
            // AFTERDESK_KEYCHAIN=memory keeps tests and machines without a keychain away
            // from the system's; keys then last for as long as the app runs.
            keychain: afterdesk_secret::Keychain::from_env(),
        },
        now,
    )
}

/// Builds and runs the desktop app until the last window closes.
///
/// On a builder error (for example a broken embedded config) the error is written to
/// stderr and the process exits with status 1, because there is no window yet in which
/// the user could be told, and panicking would only add a less readable backtrace.
pub fn run() {
    let shop = open_shop(chrono::Utc::now());
    let builder = specta_builder();
    let result = tauri::Builder::default()
        // The single-instance plugin must be registered first so that a second launch
        // exits before it creates windows or touches the saved window state.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            focus_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(shop)
        .setup(|app| {
            reminders::start(app.handle());
            parcels::start_auto_refresh(app.handle());
            Ok(())
        })
        .invoke_handler(builder.invoke_handler())
        .run(tauri::generate_context!("../tauri.conf.json"));

    if let Err(error) = result {
        eprintln!("AfterDesk could not start: {error}");
        std::process::exit(1);
    }
}

/// Brings the main window to the front, restoring it if it was minimised or hidden.
///
/// Failures are only logged: a window that cannot be focused is an annoyance, not a
/// reason to stop the app that the user is already working in.
pub(crate) fn focus_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW_LABEL) else {
        eprintln!("AfterDesk: second launch, but no '{MAIN_WINDOW_LABEL}' window to focus");
        return;
    };
    let steps = [window.unminimize(), window.show(), window.set_focus()];
    for error in steps.into_iter().filter_map(Result::err) {
        eprintln!("AfterDesk: could not bring the main window forward: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CI freshness check: the committed bindings must be what the commands generate.
    #[test]
    fn committed_bindings_are_fresh() {
        let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("AFTERDESK_WRITE_BINDINGS").is_some() {
            export_bindings(&committed_path).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let fresh_path = dir.path().join("bindings.ts");
        export_bindings(&fresh_path).unwrap();
        let fresh = std::fs::read_to_string(&fresh_path).unwrap();
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        assert!(
            fresh == committed,
            "ui/src/api/bindings.ts is out of date with the Rust commands. Refresh it with\n  \
             AFTERDESK_WRITE_BINDINGS=1 cargo test -p afterdesk-app committed_bindings_are_fresh\n\
             and commit the result."
        );
    }
}
