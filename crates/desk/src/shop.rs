//! Where a shop's database lives and who this device is.

use crate::DeskError;
use afterdesk_case::{DeviceId, RecordId};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// The environment variable that points at a shop database, overriding the default.
pub const DB_ENV: &str = "AFTERDESK_DB";

/// The default shop database: `AfterDesk/shops/default.sqlite` in the operating system's
/// application-data folder (`%APPDATA%` on Windows, `~/Library/Application Support` on
/// macOS, `$XDG_DATA_HOME` or `~/.local/share` on Linux).
pub fn default_db_path() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("AfterDesk").join("shops").join("default.sqlite"))
}

/// This installation's device id, kept in `device-id` in `config_dir`, created on first
/// use. It lives beside the settings, not in the shop database, because a shop database
/// may be shared by several devices.
pub fn device_id(config_dir: &Path, now: DateTime<Utc>) -> Result<DeviceId, DeskError> {
    let path = config_dir.join("device-id");
    let settings = |source| DeskError::Settings {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(DeviceId(text.trim().to_owned())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(settings(e)),
    }
    std::fs::create_dir_all(config_dir).map_err(settings)?;
    let id = RecordId::new(now).to_string();
    std::fs::write(&path, &id).map_err(settings)?;
    Ok(DeviceId(id))
}
