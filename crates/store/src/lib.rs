//! The shop's case store: one SQLite file per shop.
//!
//! The store owns the schema and every statement that touches it. It opens a database
//! (creating it, backing it up and migrating it forward as needed), imports platform facts
//! in one transaction, answers the desk's queries and records every edit on the case's
//! append-only timeline. Callers pass the current time and the acting agent in; the store
//! never reads the clock.
#![deny(missing_docs)]

mod backup;
mod check;
mod codec;
mod edit;
mod error;
mod evidence;
mod import;
mod outbox;
mod parcel;
mod query;
mod reminder;
mod schema;
mod scripts;
mod team;
mod timeline;

pub use backup::{
    BackupInfo, BackupReason, DAILY_BACKUPS_KEPT, MANUAL_BACKUPS_KEPT, MIGRATION_BACKUPS_KEPT,
    RESTORE_BACKUPS_KEPT, Restored, backup_dir_of, list_backups, restore_backup,
};
pub use edit::{CaseChange, NewCase};
pub use error::StoreError;
pub use evidence::NewProof;
pub use import::{DUPLICATES_LISTED, DuplicateRow, Import, ImportCounts, Upsert};
pub use outbox::{OutboxEntry, SharedRow, SharedTable};
pub use parcel::{NewInterception, NewParcel, ParcelChange, ParcelEvent, RefreshRecord};
pub use query::{CaseDetail, CaseList, CaseQuery, CaseSort, DEFAULT_PAGE};
pub use reminder::ReminderKey;
pub use scripts::{
    DraftCopy, NewDraftCopy, NewTrainingItem, ScriptOrigin, ScriptVersion, StoredScript,
    TrainingItem, TrainingItemKind,
};
pub use team::{MAX_MEMBER_NAME_CHARS, Member, MemberChange, MemberRole};
pub use timeline::{EXTRA_PREFIX, TimelineField};

use afterdesk_case::DeviceId;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// How long a write waits for another connection's write lock before giving up.
///
/// Every write transaction takes the lock when it begins (see [`configure`]), so the wait
/// happens before any work is done and a timeout loses nothing. Twenty seconds covers a
/// 30,000-row re-import committed by the CLI while the app is open (about ten seconds in
/// a debug build), without leaving the user staring at a frozen screen when something is
/// truly stuck.
pub(crate) const BUSY_TIMEOUT_MS: u64 = 20_000;

/// Page cache size in KiB (a negative `cache_size` is KiB in SQLite).
///
/// 64 MiB holds the indexes of a 100,000-case shop in memory, which is what keeps list
/// queries under a few milliseconds, and stays well within a laptop's means.
const CACHE_KIB: i64 = 64 * 1024;

/// How many index rows `ANALYZE` samples per index (SQLite's `analysis_limit`).
///
/// The planner only needs rough proportions (a flag or an assignee matches few cases, an
/// open state many) to pick the right index; a thousand rows give those in a few
/// milliseconds on a 100,000-case shop, where a full analysis reads every index.
pub(crate) const ANALYSIS_LIMIT: i64 = 1_000;

/// An open shop database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    device: DeviceId,
}

impl Store {
    /// Opens (or creates) the shop database at `path`.
    ///
    /// Before migrating an existing database to a newer schema, and once a day, a copy is
    /// written to the `backups` folder beside it (each kind of backup has its own quota,
    /// see [`BackupReason`]). A database written by a newer AfterDesk is refused rather
    /// than misread, and so is a file that SQLite's quick check finds damaged
    /// ([`StoreError::Damaged`]) or that is not a shop ([`StoreError::NotAShop`]).
    pub fn open(path: &Path, device: DeviceId, now: DateTime<Utc>) -> Result<Store, StoreError> {
        // A database created just now has nothing worth a backup yet.
        let existed = path.exists();
        let store = Store::open_without_daily_backup(path, device, now)?;
        if existed {
            store.daily_backup(now)?;
        }
        Ok(store)
    }

    /// Opens (or creates) the shop database at `path` like [`Store::open`], but leaves the
    /// day's backup to the caller: copying a large shop takes about a second, which the
    /// desktop app spends on another thread after its window is up (see
    /// [`Store::daily_backup`]) instead of before. A migration's backup is still taken
    /// first, because the migration must not start without it.
    pub fn open_without_daily_backup(
        path: &Path,
        device: DeviceId,
        now: DateTime<Utc>,
    ) -> Result<Store, StoreError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Folder {
                path: parent.to_owned(),
                source,
            })?;
        }
        // A file whose first page is not SQLite's fails as early as the set-up.
        let open_err = |source| check::open_error(path, source);
        let mut conn = Connection::open(path).map_err(open_err)?;
        configure(&mut conn).map_err(open_err)?;
        // Checked before anything is written, so that a damaged file is left as it was
        // for the restore instead of being migrated or analysed.
        let found = check::opening(&conn, path)?;
        let mut store = Store {
            conn,
            path: Some(path.to_owned()),
            device,
        };
        let supported = schema::latest_version();
        if found > supported {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found,
                supported,
            });
        }
        if found > 0 && found < supported {
            store.backup(now, BackupReason::BeforeMigration)?;
        }
        schema::migrate(&mut store.conn)?;
        // Without statistics SQLite walks the open-cases index for a filter on a rare flag
        // (0.8 s on 100,000 cases instead of 1 ms). This analyses the tables that have no
        // statistics yet or whose size changed a lot, cheaply thanks to `analysis_limit`.
        store
            .conn
            .execute_batch("PRAGMA optimize=0x10002;")
            .map_err(open_err)?;
        Ok(store)
    }

    /// Opens a fresh database in memory, for tests and the demo shop.
    pub fn open_in_memory(device: DeviceId) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: PathBuf::from(":memory:"),
            source,
        };
        let mut conn = Connection::open_in_memory().map_err(open_err)?;
        configure(&mut conn).map_err(open_err)?;
        let mut store = Store {
            conn,
            path: None,
            device,
        };
        schema::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// The database file, if the store is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The device this store records changes as.
    pub fn device(&self) -> &DeviceId {
        &self.device
    }

    /// Runs SQLite's own consistency check and returns its findings (`["ok"]` when sound).
    pub fn integrity_check(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A stamp that changes whenever the shop's data may have changed: this connection's
    /// own writes (SQLite's `total_changes`) and commits by any other connection to the
    /// same file (`data_version`: the CLI, a colleague's copy in a synced folder). Equal
    /// stamps mean a cached read is still true.
    pub fn data_stamp(&self) -> Result<(u64, i64), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?;
        Ok((self.conn.total_changes(), version))
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        Ok(schema::version(&self.conn)?)
    }
}

fn configure(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))?;
    // Every transaction this store opens writes. A deferred one starts as a reader and
    // upgrades at its first write; in WAL mode that upgrade fails at once (without the
    // busy wait) when another connection committed in between, after all the work was
    // done. Taking the write lock at BEGIN makes a writer wait its turn up front instead.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    // WAL lets the app read while an import writes and survives a crash mid-write;
    // NORMAL synchronisation is durable in WAL mode except for the last commit on power
    // loss, which the next import restores.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "analysis_limit", ANALYSIS_LIMIT)?;
    Ok(())
}
