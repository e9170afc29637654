//! Where a shop's database lives and who this device is.

pub(crate) mod demo;
pub(crate) mod settings_file;
pub(crate) mod summary;
pub(crate) mod synced_folder;

use crate::DeskError;
use afterdesk_case::time::china_rfc3339;
use afterdesk_case::{DeviceId, RecordId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// How many shop files the app lists as recently opened.
///
/// A small team's agent works for a handful of shops at most; eight fit a menu without
/// scrolling.
pub const RECENT_SHOPS: usize = 8;

/// The name of the file, in the settings folder, that remembers which shop is open.
const SHOPS_FILE: &str = "shops.json";

/// Which shop databases this computer opened: the current one first.
///
/// Kept in the settings folder rather than in any shop database, because it is about this
/// computer, and a shop's file may be moved or copied to another computer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShopFiles {
    /// The shop to open on start, if the user chose one.
    pub current: Option<PathBuf>,
    /// Recently opened shops, most recent first, at most [`RECENT_SHOPS`].
    pub recent: Vec<PathBuf>,
}

/// Reads the remembered shops from `config_dir`; a missing file means none.
pub fn load_shop_files(config_dir: &Path) -> Result<ShopFiles, DeskError> {
    crate::shops::settings_file::read_json(config_dir.join(SHOPS_FILE))
}

/// Remembers `shop` as the current shop and moves it to the front of the recent list.
///
/// The file is written under a temporary name and renamed, so a crash never leaves it
/// half-written. A damaged file is replaced rather than blocking the switch.
pub fn remember_shop(config_dir: &Path, shop: &Path) -> Result<ShopFiles, DeskError> {
    let mut files = load_shop_files(config_dir).unwrap_or_default();
    files.recent.retain(|p| p != shop);
    files.recent.insert(0, shop.to_owned());
    files.recent.truncate(RECENT_SHOPS);
    files.current = Some(shop.to_owned());
    crate::shops::settings_file::write_json(&config_dir.join(SHOPS_FILE), &files)?;
    Ok(files)
}

/// The backups of the shop file `db`, newest first. Reads only the `backups` folder, so it
/// works for a shop that refuses to open, which is when a backup is needed most.
pub fn shop_backups(db: &Path) -> Result<Vec<BackupView>, DeskError> {
    Ok(afterdesk_store::list_backups(db)?
        .iter()
        .rev()
        .map(BackupView::from)
        .collect())
}

/// Replaces the data of the shop file `db` with the backup `backup`, after checking the
/// backup and saving the current state as a `before-restore` backup (see
/// [`afterdesk_store::restore_backup`]). The shop must be opened again afterwards; the
/// caller closes its own connection first.
pub fn restore_shop(
    db: &Path,
    backup: &Path,
    now: DateTime<Utc>,
) -> Result<RestoreView, DeskError> {
    let restored = afterdesk_store::restore_backup(db, backup, now)?;
    Ok(RestoreView::from(&restored))
}

/// One backup of the shop's database, for the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BackupView {
    /// The backup file.
    pub path: String,
    /// When it was taken, China time (RFC 3339 with +08:00).
    pub taken_at: String,
    /// Why: `daily`, `before-migration`, `manual` or `before-restore`.
    pub reason: String,
    /// Its size in bytes.
    pub size: u64,
}

impl From<&afterdesk_store::BackupInfo> for BackupView {
    fn from(b: &afterdesk_store::BackupInfo) -> Self {
        BackupView {
            path: b.path.display().to_string(),
            taken_at: china_rfc3339(b.taken_at),
            reason: b.reason.clone(),
            size: b.size,
        }
    }
}

/// What a restore did, for the settings page and the CLI's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RestoreView {
    /// The backup the shop's data now comes from.
    pub restored_from: String,
    /// The backup of the data the restore replaced (reason `before-restore`); `None` when
    /// the shop file did not exist.
    pub safety_backup: Option<String>,
    /// The schema version of the restored data, before the shop is opened (and upgraded).
    pub schema_version: u32,
}

impl From<&afterdesk_store::Restored> for RestoreView {
    fn from(r: &afterdesk_store::Restored) -> Self {
        RestoreView {
            restored_from: r.from.display().to_string(),
            safety_backup: r.safety_backup.as_ref().map(|p| p.display().to_string()),
            schema_version: u32::try_from(r.schema_version).unwrap_or(u32::MAX),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_current_shop_and_keeps_recent_ones_unique_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load_shop_files(dir.path()).unwrap(),
            ShopFiles::default(),
            "nothing remembered yet"
        );
        for i in 0..10 {
            remember_shop(dir.path(), &PathBuf::from(format!("/shops/{i}.sqlite"))).unwrap();
        }
        let files = remember_shop(dir.path(), Path::new("/shops/5.sqlite")).unwrap();
        assert_eq!(files.current.as_deref(), Some(Path::new("/shops/5.sqlite")));
        assert_eq!(files.recent.len(), RECENT_SHOPS, "the list is bounded");
        assert_eq!(
            files.recent[0],
            PathBuf::from("/shops/5.sqlite"),
            "most recent first"
        );
        assert_eq!(
            files
                .recent
                .iter()
                .filter(|p| p.ends_with("5.sqlite"))
                .count(),
            1,
            "no duplicates"
        );
        assert_eq!(
            load_shop_files(dir.path()).unwrap(),
            files,
            "read back as written"
        );
    }

    #[test]
    fn a_damaged_settings_file_is_reported_with_its_path_and_then_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SHOPS_FILE), "{not json").unwrap();
        let error = load_shop_files(dir.path()).unwrap_err();
        assert!(
            error.to_string().contains(SHOPS_FILE),
            "names the file: {error}"
        );
        let files = remember_shop(dir.path(), Path::new("/a.sqlite")).unwrap();
        assert_eq!(files.recent, vec![PathBuf::from("/a.sqlite")]);
    }
}
