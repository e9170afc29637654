//! Small JSON settings files: the list of shop files in the settings folder, and the
//! shop's tracking and AI polish settings beside its database.

use crate::DeskError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// The folder of the shop whose database is `db`, where the shop's own files live (clock
/// rules, calendars, parcel rules, tracking and polish settings): they travel with the
/// database when a team shares its folder.
pub(crate) fn shop_folder(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_owned)
}

/// Reads a settings file; a missing file gives the defaults, a broken one an error that
/// names it.
pub(crate) fn read_json<T: DeserializeOwned + Default>(path: PathBuf) -> Result<T, DeskError> {
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map_err(|source| DeskError::SettingsFormat { path, source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(DeskError::Settings { path, source }),
    }
}

/// Writes a settings file under a temporary name and renames it, so a crash never leaves
/// it half-written; creates its folder when missing.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), DeskError> {
    let io = |source| DeskError::Settings {
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_vec_pretty(value).map_err(|source| DeskError::SettingsFormat {
        path: path.to_owned(),
        source,
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.partial"));
    std::fs::write(&partial, text).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}
