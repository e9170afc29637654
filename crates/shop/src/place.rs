//! Where a shop lives and who this computer is: resolved once, the same way for the app
//! and the CLI.

use afterdesk_case::{DeviceId, RecordId};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// The environment variable that names this device (tests, and several "computers" on
/// one machine); otherwise the id kept in the settings folder is used.
pub const DEVICE_ENV: &str = "AFTERDESK_DEVICE";

/// The app's settings folder (device id, the list of shop files): `AfterDesk` in the
/// system's configuration folder.
pub fn config_dir() -> Option<PathBuf> {
    dirs::config_dir().map(|dir| dir.join("AfterDesk"))
}

/// This installation's device id: `AFTERDESK_DEVICE` if set, otherwise the id kept in
/// `config_dir` (created on first use). Without a usable settings folder the id is made
/// up for this run, and the problem is returned beside it so the edge can say so.
pub fn device(config_dir: Option<&Path>, now: DateTime<Utc>) -> (DeviceId, Option<String>) {
    if let Ok(id) = std::env::var(DEVICE_ENV)
        && !id.trim().is_empty()
    {
        return (DeviceId(id.trim().to_owned()), None);
    }
    let dir = config_dir.map_or_else(|| std::env::temp_dir().join("AfterDesk"), Path::to_owned);
    match afterdesk_desk::device_id(&dir, now) {
        Ok(id) => (id, None),
        Err(e) => (
            DeviceId(RecordId::new(now).to_string()),
            Some(format!("没有设备编号（{e}），本次使用临时编号")),
        ),
    }
}

/// The shop database to open when none is named: `AFTERDESK_DB` if set, else the shop
/// the user last opened on this computer, else `AfterDesk/shops/default.sqlite` in the
/// system's application-data folder. A damaged list of shops is reported beside the
/// answer and the default used.
pub fn default_shop(config_dir: Option<&Path>) -> (Option<PathBuf>, Option<String>) {
    if let Some(path) = std::env::var_os(afterdesk_desk::DB_ENV)
        && !path.is_empty()
    {
        return (Some(PathBuf::from(path)), None);
    }
    let (remembered, problem) = match config_dir.map(afterdesk_desk::load_shop_files) {
        Some(Ok(files)) => (files.current, None),
        Some(Err(e)) => (None, Some(format!("{e}；打开默认店铺"))),
        None => (None, None),
    };
    (remembered.or_else(afterdesk_desk::default_db_path), problem)
}
