//! The AfterDesk (售后台) desktop shell.
//!
//! This crate is deliberately thin: it opens the window, wires the plugins that every
//! desktop app needs (one instance at a time, remembered window geometry) and exposes
//! a small set of commands. Business logic belongs in the core crates under `crates/`.

pub mod commands;

use tauri::Manager;

/// The label of the only window, as declared in `tauri.conf.json`.
///
/// The single-instance handler needs it to find the window it should bring forward.
pub const MAIN_WINDOW_LABEL: &str = "main";

/// Builds and runs the desktop app until the last window closes.
///
/// On a builder error (for example a broken embedded config) the error is written to
/// stderr and the process exits with status 1, because there is no window yet in which
/// the user could be told, and panicking would only add a less readable backtrace.
pub fn run() {
    let result = tauri::Builder::default()
        // The single-instance plugin must be registered first so that a second launch
        // exits before it creates windows or touches the saved window state.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            focus_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(tauri::generate_handler![commands::app_info])
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
fn focus_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW_LABEL) else {
        eprintln!("AfterDesk: second launch, but no '{MAIN_WINDOW_LABEL}' window to focus");
        return;
    };
    let steps = [window.unminimize(), window.show(), window.set_focus()];
    for error in steps.into_iter().filter_map(Result::err) {
        eprintln!("AfterDesk: could not bring the main window forward: {error}");
    }
}
