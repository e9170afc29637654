//! Automatic copies of the shop database, made with SQLite's online backup so that they
//! are consistent even while the app is writing.

use crate::{Store, StoreError};
use afterdesk_case::time::china;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use std::path::PathBuf;

/// How many backups are kept beside a database.
///
/// A week of daily copies lets a shop undo a bad import found a few days late, and seven
/// copies of even a large shop (about 100 MB each) fit on any laptop.
pub const BACKUPS_KEPT: usize = 7;

/// The time format inside backup file names: sortable, and readable in China time.
const STAMP: &str = "%Y%m%d-%H%M%S";

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    /// The file.
    pub path: PathBuf,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
    /// Why: `daily`, `before-migration` or `manual`.
    pub reason: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Store {
    /// The folder backups go to: `backups/` beside the database file.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        let path = self.path.as_ref()?;
        Some(
            path.parent()
                .map_or_else(|| PathBuf::from("backups"), |p| p.join("backups")),
        )
    }

    fn stem(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_stem())
            .map_or_else(|| "shop".to_owned(), |s| s.to_string_lossy().into_owned())
    }

    /// Writes a backup now and prunes old ones. Returns `None` for an in-memory store.
    pub fn backup(&self, now: DateTime<Utc>, reason: &str) -> Result<Option<PathBuf>, StoreError> {
        let Some(dir) = self.backup_dir() else {
            return Ok(None);
        };
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::Folder {
            path: dir.clone(),
            source,
        })?;
        let stamp = now.with_timezone(&china()).format(STAMP);
        let final_path = dir.join(format!("{}-{stamp}-{reason}.sqlite", self.stem()));
        // Written under a temporary name and renamed when complete, so a crash mid-backup
        // never leaves a file that looks like a good backup.
        let partial = dir.join(format!(".{}-{stamp}-{reason}.partial", self.stem()));
        let backup_err = |source| StoreError::Backup {
            path: final_path.clone(),
            source,
        };
        self.conn
            .backup(rusqlite::MAIN_DB, &partial, None)
            .map_err(backup_err)?;
        std::fs::rename(&partial, &final_path).map_err(|source| StoreError::Folder {
            path: final_path.clone(),
            source,
        })?;
        self.prune_backups()?;
        Ok(Some(final_path))
    }

    /// Writes a backup unless one was already taken today (China date).
    pub fn daily_backup(&self, now: DateTime<Utc>) -> Result<Option<PathBuf>, StoreError> {
        let today = now.with_timezone(&china()).date_naive();
        let taken_today = self
            .backups()?
            .iter()
            .any(|b| b.taken_at.with_timezone(&china()).date_naive() == today);
        if taken_today {
            Ok(None)
        } else {
            self.backup(now, "daily")
        }
    }

    /// The backups of this database, oldest first.
    pub fn backups(&self) -> Result<Vec<BackupInfo>, StoreError> {
        let Some(dir) = self.backup_dir() else {
            return Ok(Vec::new());
        };
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(StoreError::Folder { path: dir, source }),
        };
        let prefix = format!("{}-", self.stem());
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name
                .strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(".sqlite"))
            else {
                continue;
            };
            let Some((stamp, reason)) = rest.get(..15).zip(rest.get(16..)) else {
                continue;
            };
            let Ok(local) = NaiveDateTime::parse_from_str(stamp, STAMP) else {
                continue;
            };
            let size = entry.metadata().map_or(0, |m| m.len());
            found.push(BackupInfo {
                path: entry.path(),
                taken_at: afterdesk_case::time::from_china_local(local),
                reason: reason.to_owned(),
                size,
            });
        }
        found.sort_by(|a, b| {
            a.taken_at
                .cmp(&b.taken_at)
                .then_with(|| a.path.cmp(&b.path))
        });
        Ok(found)
    }

    fn prune_backups(&self) -> Result<(), StoreError> {
        let backups = self.backups()?;
        let excess = backups.len().saturating_sub(BACKUPS_KEPT);
        for old in &backups[..excess] {
            std::fs::remove_file(&old.path).map_err(|source| StoreError::Folder {
                path: old.path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}
