//! Copies of the shop database, and restoring one.
//!
//! Backups are made with SQLite's online backup, so that they are consistent even while the
//! app is writing, and restored the same way, onto the shop's own file: SQLite writes the
//! backup's pages through the shop's journal in one transaction, so other connections see
//! either the old data or the restored data, and a stale `-wal` file can never be replayed
//! onto the result (which is what corrupted shops restored by copying a backup over the
//! file).

use crate::check::{self, Finding};
use crate::{Store, StoreError, schema};
use afterdesk_case::time::china;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How many daily backups are kept beside a database.
///
/// A week of daily copies lets a shop undo a bad import found a few days late, and seven
/// copies of even a large shop (about 100 MB each) fit on any laptop.
pub const DAILY_BACKUPS_KEPT: usize = 7;

/// How many backups taken before a schema upgrade are kept.
///
/// Each is the last state an older AfterDesk can read; three cover going back over the
/// last few releases, and upgrades are rare enough that they are months apart.
pub const MIGRATION_BACKUPS_KEPT: usize = 3;

/// How many backups taken by hand (立即备份, `afterdesk backup`) are kept.
///
/// A user who backs up before each risky step may take several in a day; ten leave room
/// for that without letting a script that backs up in a loop fill the disk, and they are
/// counted apart from the daily ones so they never push those out.
pub const MANUAL_BACKUPS_KEPT: usize = 10;

/// How many safety backups taken just before a restore are kept.
///
/// Each holds the data a restore replaced; five let a user who tried several backups in a
/// row still get back to where they started.
pub const RESTORE_BACKUPS_KEPT: usize = 5;

/// How old a half-written backup (`.partial`, left by a process killed mid-backup) must be
/// before the next backup removes it.
///
/// A backup of the largest shops takes a few seconds; an hour is far beyond that, so a
/// partial file that old can only be a leftover, never another process's backup in flight.
const STALE_PARTIAL_HOURS: i64 = 1;

/// The time format inside backup file names: sortable, and readable in China time.
const STAMP: &str = "%Y%m%d-%H%M%S";

/// Why a backup was taken. Each reason has its own quota, so that one kind of backup never
/// prunes another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BackupReason {
    /// The first opening of the day (China date).
    Daily,
    /// Just before the schema is upgraded.
    BeforeMigration,
    /// Asked for by the user.
    Manual,
    /// The state a restore is about to replace.
    BeforeRestore,
}

impl BackupReason {
    /// Every reason, in the order the settings list them.
    pub const ALL: [BackupReason; 4] = [
        BackupReason::Daily,
        BackupReason::BeforeMigration,
        BackupReason::Manual,
        BackupReason::BeforeRestore,
    ];

    /// The word in the file name and in JSON: `daily`, `before-migration`, `manual`,
    /// `before-restore`.
    pub fn key(self) -> &'static str {
        match self {
            BackupReason::Daily => "daily",
            BackupReason::BeforeMigration => "before-migration",
            BackupReason::Manual => "manual",
            BackupReason::BeforeRestore => "before-restore",
        }
    }

    /// The reason a file name's word stands for.
    pub fn from_key(key: &str) -> Option<BackupReason> {
        BackupReason::ALL.into_iter().find(|r| r.key() == key)
    }

    /// How many backups of this reason are kept.
    pub fn kept(self) -> usize {
        match self {
            BackupReason::Daily => DAILY_BACKUPS_KEPT,
            BackupReason::BeforeMigration => MIGRATION_BACKUPS_KEPT,
            BackupReason::Manual => MANUAL_BACKUPS_KEPT,
            BackupReason::BeforeRestore => RESTORE_BACKUPS_KEPT,
        }
    }
}

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupInfo {
    /// The file.
    pub path: PathBuf,
    /// When it was taken.
    pub taken_at: DateTime<Utc>,
    /// Why: a [`BackupReason::key`], or another word from a newer AfterDesk.
    pub reason: String,
    /// Its size in bytes.
    pub size: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// The backup the shop's data now comes from.
    pub from: PathBuf,
    /// The copy of the data the restore replaced; `None` if the shop file did not exist.
    pub safety_backup: Option<PathBuf>,
    /// The schema version of the restored data (the shop is upgraded when next opened).
    pub schema_version: usize,
}

/// The folder backups of the database `db` go to: `backups/` beside it.
pub fn backup_dir_of(db: &Path) -> PathBuf {
    db.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("backups"), |p| p.join("backups"))
}

/// The file name stem backups of `db` start with.
fn stem_of(db: &Path) -> String {
    db.file_stem()
        .map_or_else(|| "shop".to_owned(), |s| s.to_string_lossy().into_owned())
}

fn folder_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Folder {
        path: path.to_owned(),
        source,
    }
}

/// The backups of the database `db`, oldest first. Needs no open store, so that the
/// backups of a shop that refuses to open can still be listed and restored.
pub fn list_backups(db: &Path) -> Result<Vec<BackupInfo>, StoreError> {
    let dir = backup_dir_of(db);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(StoreError::Folder { path: dir, source }),
    };
    let prefix = format!("{}-", stem_of(db));
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

/// Copies the database open on `source` into `dest` in one step: one read transaction, so
/// the copy is one consistent state even while other connections write (a copy in several
/// steps starts over whenever another connection commits).
fn copy_database(source: &Connection, dest: &mut Connection) -> rusqlite::Result<()> {
    let backup = Backup::new(source, dest)?;
    match backup.step(-1)? {
        StepResult::Done => Ok(()),
        // A lock held on the destination past the busy timeout: another connection is
        // writing the shop being restored (a new backup file is ours alone).
        _ => Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("店铺文件正被其他窗口或命令写入，请等它完成后再试".to_owned()),
        )),
    }
}

/// Writes a backup of the database open on `source` (the database file `db`); the caller
/// prunes (see [`prune`]).
///
/// The copy is written under a temporary name and renamed when complete, so a crash
/// mid-backup never leaves a file that looks like a good backup. An existing backup is
/// never overwritten: a second backup in the same second is stamped a second later.
fn write_backup(
    source: &Connection,
    db: &Path,
    now: DateTime<Utc>,
    reason: BackupReason,
) -> Result<PathBuf, StoreError> {
    let dir = backup_dir_of(db);
    std::fs::create_dir_all(&dir).map_err(folder_err(&dir))?;
    let (stamp, final_path) = free_name(&dir, &stem_of(db), now, reason);
    let partial = dir.join(format!(".{}-{stamp}-{}.partial", stem_of(db), reason.key()));
    let backup_err = |source| StoreError::Backup {
        path: final_path.clone(),
        source,
    };
    let copied = Connection::open(&partial).and_then(|mut dest| copy_database(source, &mut dest));
    if let Err(e) = copied {
        // Best effort: the partial file is never listed, and a stale one is removed later.
        let _ = std::fs::remove_file(&partial);
        return Err(backup_err(e));
    }
    std::fs::rename(&partial, &final_path).map_err(folder_err(&final_path))?;
    Ok(final_path)
}

/// The first backup name of `reason` at `now`, or a second later, that no file has yet.
fn free_name(
    dir: &Path,
    stem: &str,
    now: DateTime<Utc>,
    reason: BackupReason,
) -> (String, PathBuf) {
    let mut at = now;
    loop {
        let stamp = at.with_timezone(&china()).format(STAMP).to_string();
        let path = dir.join(format!("{stem}-{stamp}-{}.sqlite", reason.key()));
        if !path.exists() {
            return (stamp, path);
        }
        at += Duration::seconds(1);
    }
}

/// Removes the oldest backups of `reason` beyond its quota, their sidecar files, and
/// half-written backups left by a process killed long ago.
fn prune(db: &Path, reason: BackupReason, now: DateTime<Utc>) -> Result<(), StoreError> {
    let same: Vec<BackupInfo> = list_backups(db)?
        .into_iter()
        .filter(|b| b.reason == reason.key())
        .collect();
    let excess = same.len().saturating_sub(reason.kept());
    for old in &same[..excess] {
        std::fs::remove_file(&old.path).map_err(folder_err(&old.path))?;
        for sidecar in ["-wal", "-shm"] {
            let mut name = old.path.clone().into_os_string();
            name.push(sidecar);
            let _ = std::fs::remove_file(PathBuf::from(name));
        }
    }
    remove_stale_partials(db, now);
    Ok(())
}

/// Removes `.partial` files (and their journals) of `db`'s backups last written more than
/// [`STALE_PARTIAL_HOURS`] before `now`. Best effort: a leftover costs only disk space.
fn remove_stale_partials(db: &Path, now: DateTime<Utc>) {
    let Ok(entries) = std::fs::read_dir(backup_dir_of(db)) else {
        return;
    };
    let prefix = format!(".{}-", stem_of(db));
    let cutoff = now - Duration::hours(STALE_PARTIAL_HOURS);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || !name.contains(".partial") {
            continue;
        }
        let written = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(DateTime::<Utc>::from);
        if written.is_ok_and(|at| at < cutoff) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Opens a backup for reading only, so that checking or restoring it never changes it.
fn open_backup(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
}

/// Checks that `backup` can replace a shop's data: SQLite's quick check passes, it is an
/// AfterDesk shop, and its schema is not newer than this binary's. Returns its schema
/// version and the open connection.
fn check_backup(backup: &Path) -> Result<(usize, Connection), StoreError> {
    let bad = |why: String, code: &'static str| StoreError::BadBackup {
        path: backup.to_owned(),
        why,
        code,
    };
    if !backup.is_file() {
        return Err(bad("文件不存在".to_owned(), "not_a_backup"));
    }
    let conn = open_backup(backup).map_err(|e| bad(e.to_string(), "not_a_backup"))?;
    match check::examine(&conn, backup) {
        Ok(Finding::Shop(0)) | Ok(Finding::Foreign) => {
            Err(bad("不是售后台的店铺数据".to_owned(), "not_a_backup"))
        }
        Ok(Finding::Damaged(finding)) => Err(bad(
            format!("文件已损坏（SQLite 检查发现：{finding}）"),
            "backup_damaged",
        )),
        Ok(Finding::Shop(found)) if found > schema::latest_version() => Err(bad(
            format!(
                "它由更新版本的售后台写入（数据版本 {found}，本程序只支持到 {}），请先升级售后台",
                schema::latest_version()
            ),
            "backup_too_new",
        )),
        Ok(Finding::Shop(found)) => Ok((found, conn)),
        Err(e) => Err(bad(e.to_string(), "not_a_backup")),
    }
}

/// A copy of the shop file `db` as it is now, before a restore replaces it.
///
/// Made with SQLite's backup when the file reads as a database (damaged pages are copied as
/// they are); a file SQLite cannot read at all is copied byte for byte, with its `-wal`, so
/// that nothing the user had is lost to the restore. Not pruned here: the backup being
/// restored may be the oldest safety backup, which must stay until it has been read.
fn safety_backup(db: &Path, now: DateTime<Utc>) -> Result<PathBuf, StoreError> {
    let reason = BackupReason::BeforeRestore;
    let through_sqlite = open_backup(db).map_err(|source| StoreError::Backup {
        path: db.to_owned(),
        source,
    });
    match through_sqlite.and_then(|conn| write_backup(&conn, db, now, reason)) {
        Ok(path) => Ok(path),
        Err(_) => {
            let dir = backup_dir_of(db);
            std::fs::create_dir_all(&dir).map_err(folder_err(&dir))?;
            let (stamp, final_path) = free_name(&dir, &stem_of(db), now, reason);
            let partial = dir.join(format!(".{}-{stamp}-{}.partial", stem_of(db), reason.key()));
            std::fs::copy(db, &partial).map_err(folder_err(&partial))?;
            let mut wal = db.as_os_str().to_owned();
            wal.push("-wal");
            let wal = PathBuf::from(wal);
            if wal.is_file() {
                let mut copy = final_path.clone().into_os_string();
                copy.push("-wal");
                std::fs::copy(&wal, PathBuf::from(copy)).map_err(folder_err(&wal))?;
            }
            std::fs::rename(&partial, &final_path).map_err(folder_err(&final_path))?;
            Ok(final_path)
        }
    }
}

/// Replaces the data of the shop file `db` with the backup `backup`.
///
/// The backup is checked first (quick check, an AfterDesk shop, a schema this binary
/// knows); then the current state is saved as a `before-restore` backup; then SQLite's
/// backup API copies the backup onto the shop's file in one transaction, and
/// `PRAGMA integrity_check` must pass. Other connections (another window, the CLI) see the
/// restored data on their next read. A shop whose first page is unreadable is rebuilt as a
/// new file instead, its `-wal` and `-shm` removed first so that they are never replayed
/// onto it. The caller opens the shop afterwards (which upgrades an older backup's schema).
pub fn restore_backup(
    db: &Path,
    backup: &Path,
    now: DateTime<Utc>,
) -> Result<Restored, StoreError> {
    if same_file(db, backup) {
        return Err(StoreError::Invalid(format!(
            "{} 就是店铺文件本身，请选 backups 文件夹里的备份",
            backup.display()
        )));
    }
    let (schema_version, source) = check_backup(backup)?;
    let safety = if db.exists() {
        Some(safety_backup(db, now)?)
    } else {
        None
    };
    let failed = |why: String| StoreError::Restore {
        path: backup.to_owned(),
        why,
        safety: safety
            .as_ref()
            .map_or_else(|| "（无）".to_owned(), |p| p.display().to_string()),
    };
    let in_place = Connection::open(db).and_then(|mut dest| {
        dest.busy_timeout(std::time::Duration::from_millis(crate::BUSY_TIMEOUT_MS))?;
        copy_database(&source, &mut dest)
    });
    match in_place {
        Ok(()) => {}
        Err(e) if check::not_a_database(&e) => {
            rebuild(db, &source).map_err(|e| failed(e.to_string()))?;
        }
        Err(e) => return Err(failed(e.to_string())),
    }
    drop(source);
    let findings = verify(db).map_err(|e| failed(e.to_string()))?;
    if findings != ["ok"] {
        return Err(failed(format!(
            "恢复后的检查未通过：{}",
            findings.join("；")
        )));
    }
    prune(db, BackupReason::BeforeRestore, now)?;
    Ok(Restored {
        from: backup.to_owned(),
        safety_backup: safety,
        schema_version,
    })
}

/// Writes the backup open on `source` as a new file and puts it in place of the shop file
/// `db`, whose content SQLite cannot read. The old `-wal` and `-shm` are removed before the
/// new file takes the name, so that they can never be replayed onto it.
fn rebuild(db: &Path, source: &Connection) -> Result<(), StoreError> {
    let name = db
        .file_name()
        .map_or_else(|| "shop".to_owned(), |n| n.to_string_lossy().into_owned());
    let partial = db.with_file_name(format!(".{name}.restoring"));
    let _ = std::fs::remove_file(&partial);
    Connection::open(&partial)
        .and_then(|mut dest| copy_database(source, &mut dest))
        .map_err(|source| StoreError::Backup {
            path: partial.clone(),
            source,
        })?;
    for sidecar in ["-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(sidecar);
        match std::fs::remove_file(PathBuf::from(&path)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::Folder {
                    path: PathBuf::from(path),
                    source,
                });
            }
        }
    }
    std::fs::rename(&partial, db).map_err(folder_err(db))
}

/// Runs the full integrity check on the restored shop and folds the restored pages into
/// the main file, so that the file alone holds the restored data.
fn verify(db: &Path) -> rusqlite::Result<Vec<String>> {
    let conn = Connection::open(db)?;
    conn.busy_timeout(std::time::Duration::from_millis(crate::BUSY_TIMEOUT_MS))?;
    let findings: Vec<String> = conn
        .prepare("PRAGMA integrity_check")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    // Another connection reading may keep part of the log; the check above already
    // covers the data as every reader sees it, so a partial fold is fine.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(findings)
}

/// Whether two paths name the same file (a file that does not exist is never the same).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

impl Store {
    /// The folder backups go to: `backups/` beside the database file.
    pub fn backup_dir(&self) -> Option<PathBuf> {
        self.path.as_deref().map(backup_dir_of)
    }

    /// Writes a backup now and prunes the oldest of the same reason. Returns `None` for an
    /// in-memory store.
    pub fn backup(
        &self,
        now: DateTime<Utc>,
        reason: BackupReason,
    ) -> Result<Option<PathBuf>, StoreError> {
        match &self.path {
            Some(db) => {
                let path = write_backup(&self.conn, db, now, reason)?;
                prune(db, reason, now)?;
                Ok(Some(path))
            }
            None => Ok(None),
        }
    }

    /// Writes a daily backup unless one was already taken today (China date).
    pub fn daily_backup(&self, now: DateTime<Utc>) -> Result<Option<PathBuf>, StoreError> {
        let today = now.with_timezone(&china()).date_naive();
        let taken_today = self.backups()?.iter().any(|b| {
            b.reason == BackupReason::Daily.key()
                && b.taken_at.with_timezone(&china()).date_naive() == today
        });
        if taken_today {
            Ok(None)
        } else {
            self.backup(now, BackupReason::Daily)
        }
    }

    /// The backups of this database, oldest first.
    pub fn backups(&self) -> Result<Vec<BackupInfo>, StoreError> {
        match &self.path {
            Some(db) => list_backups(db),
            None => Ok(Vec::new()),
        }
    }
}
