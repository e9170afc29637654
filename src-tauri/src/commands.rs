//! Tauri commands that the UI can call through `invoke`.
//!
//! Commands live in their own module because `#[tauri::command]` on a `pub fn` at the
//! crate root of `lib.rs` generates a helper macro whose name clashes with the function
//! (error E0255). The UI reaches these only through its wrapper in `ui/src/api/`, so
//! generated bindings can later replace that wrapper without touching the screens.

use serde::Serialize;

/// The product name shown to users; kept here so the UI never hard-codes it twice.
pub const APP_NAME: &str = "AfterDesk";

/// Basic facts about the running app, sent to the UI for its header and about box.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    /// The app's version (the crate version, which is also what Tauri reports as the
    /// package version because `tauri.conf.json` does not override it).
    pub version: String,
    /// The product name, always `"AfterDesk"`.
    pub name: String,
}

/// Returns the app's name and version so the UI can show which build is running.
///
/// It takes no arguments and cannot fail, so the UI does not need an error path beyond
/// "not running inside Tauri".
#[tauri::command]
#[must_use]
pub fn app_info() -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        name: APP_NAME.to_owned(),
    }
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
}
