//! The open shop: the one session through which the desktop app and the `afterdesk` CLI
//! open, write and watch a shop.
//!
//! A [`Shop`] owns what an open shop is made of beyond its database: the store behind a
//! lock with its busy policy, the clock engine with its one fallback rule, the shop's
//! settings files, the caches the workbench needs, this computer's device identity, the
//! daily backup, the keychain, and the background work the app schedules (the reminder
//! tick and the parcel auto-refresh) as plain functions. The app's commands and the CLI's
//! subcommands are adapters over it: they parse, call one function here or in
//! `afterdesk-desk` through [`Shop::with_store`], and print or serialise. That is why the
//! two can no longer disagree about what an operation does.
#![deny(missing_docs)]

mod background;
mod clocks;
mod error;
mod keys;
mod place;
mod work;

pub use background::{
    AUTO_REFRESH_EVERY, AUTO_REFRESH_FIRST_DELAY, REMINDER_FIRST_TICK, REMINDER_TICK, ReminderTick,
};
pub use clocks::ClockSettings;
pub use error::{ShopError, Work};
pub use keys::TrackingSettingsView;
pub use place::{DEVICE_ENV, config_dir, default_shop, device};

use afterdesk_case::{Case, DeviceId};
use afterdesk_clock::Clockwork;
use afterdesk_desk::{RestoreView, ShopSummary, SyncedFolder, demo_shop, shop_summary};
use afterdesk_secret::Keychain;
use afterdesk_store::Store;
use chrono::{DateTime, Utc};
use parking_lot::{MappedMutexGuard, Mutex, MutexGuard};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// When the day's backup of an existing shop is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DailyBackup {
    /// Before the shop is used: the CLI, whose process may end right after its command.
    Inline,
    /// On a thread of its own with its own connection: the app, whose window should not
    /// wait a second on the first start of each day for a copy of a 100,000-case shop.
    InBackground,
}

/// How a shop is opened: where, as which device, and the policies of the front end.
#[derive(Debug, Clone)]
pub struct ShopPlace {
    /// The shop's database file.
    pub db: PathBuf,
    /// This computer.
    pub device: DeviceId,
    /// The settings folder, where the list of shop files is kept; `None` when the system
    /// has none, and then nothing is remembered.
    pub config_dir: Option<PathBuf>,
    /// When the day's backup is taken.
    pub backup: DailyBackup,
    /// The keychain the shop's keys live in.
    pub keychain: Keychain,
}

/// What the UI and the CLI are told about the open shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShopInfo {
    /// The shop's database file (the demo shop lives in memory beside it).
    pub db_path: String,
    /// Whether the demo shop is open instead of the shop's own database.
    pub demo: bool,
    /// The case counts.
    pub summary: ShopSummary,
    /// Shop files opened on this computer, most recent first (the current one included).
    pub recent: Vec<String>,
    /// The sync client's folder the shop file sits in, where it gets damaged; the UI
    /// warns until the file is moved.
    pub synced_folder: Option<SyncedFolder>,
}

/// The store of the open shop, or why it could not be opened.
#[derive(Debug)]
struct Slot {
    store: Result<Store, ShopError>,
    demo: bool,
}

/// Open cases read at one data stamp.
#[derive(Debug)]
struct OpenCases {
    stamp: (u64, i64),
    cases: Arc<Vec<Case>>,
}

#[derive(Debug)]
struct Inner {
    slot: Mutex<Slot>,
    db_path: Mutex<PathBuf>,
    device: DeviceId,
    config_dir: Option<PathBuf>,
    backup: DailyBackup,
    keychain: Keychain,
    /// The clock engine of the open shop and why a shop file is not in use; `None` only
    /// if even the bundled rules fail to read, which the tests rule out.
    clockwork: Mutex<Option<Arc<Clockwork>>>,
    clock_problems: Mutex<Vec<String>>,
    /// The open cases as last read: the workbench's deadline list and the reminder tick
    /// rank them against the current time without reading 100,000 rows again (660 ms)
    /// while nothing changed.
    open_cases: Mutex<Option<OpenCases>>,
    /// Set while long work (an import, a package export, a restore) holds the shop, so
    /// that other operations answer `busy` at once instead of waiting for it.
    long_work: Mutex<Option<Work>>,
    cancel_import: Arc<AtomicBool>,
    cancel_copy: Arc<AtomicBool>,
    cancel_refresh: Arc<AtomicBool>,
    refreshing: AtomicBool,
}

/// An open shop, shared by every command of one front end. Cloning is cheap and gives
/// the same shop (threads and async tasks take a clone).
#[derive(Debug, Clone)]
pub struct Shop {
    inner: Arc<Inner>,
}

/// Long work in progress; dropping it (also on an error or a panic) clears the mark.
#[derive(Debug)]
pub struct LongWork {
    inner: Arc<Inner>,
}

impl Drop for LongWork {
    fn drop(&mut self) {
        *self.inner.long_work.lock() = None;
    }
}

/// The locked store of the open shop.
pub type StoreGuard<'a> = MappedMutexGuard<'a, Store>;

/// Opens the store at `path` and takes the day's backup as `backup` says. A background
/// backup's failure is only logged: the shop works without it, and the next start tries
/// again.
///
/// What an older version kept on this computer moves into the shop here, once, for every
/// front end: a `parcel-rules.toml` beside the shop file becomes the shop's thresholds (the
/// file stays; a broken one is only logged, and the defaults hold meanwhile).
fn open_store(
    path: &Path,
    device: &DeviceId,
    backup: DailyBackup,
    now: DateTime<Utc>,
) -> Result<Store, ShopError> {
    let mut store = open_store_only(path, device, backup, now)?;
    if let Err(e) = afterdesk_desk::adopt_parcel_rules_file(&mut store, now) {
        eprintln!("AfterDesk: {e}");
    }
    Ok(store)
}

fn open_store_only(
    path: &Path,
    device: &DeviceId,
    backup: DailyBackup,
    now: DateTime<Utc>,
) -> Result<Store, ShopError> {
    match backup {
        DailyBackup::Inline => Ok(Store::open(path, device.clone(), now)?),
        DailyBackup::InBackground => {
            let existed = path.exists();
            let store = Store::open_without_daily_backup(path, device.clone(), now)?;
            if existed {
                let (path, device) = (path.to_owned(), device.clone());
                let spawned = std::thread::Builder::new()
                    .name("daily-backup".to_owned())
                    .spawn(move || {
                        // Its own connection: SQLite's WAL mode lets it read alongside.
                        let backup = Store::open_without_daily_backup(&path, device, now)
                            .and_then(|store| store.daily_backup(now));
                        if let Err(e) = backup {
                            eprintln!(
                                "AfterDesk: the daily backup of {} failed: {e}",
                                path.display()
                            );
                        }
                    });
                if let Err(e) = spawned {
                    eprintln!("AfterDesk: could not start the daily backup: {e}");
                }
            }
            Ok(store)
        }
    }
}

impl Shop {
    /// Opens the shop at `place.db`, creating it if it does not exist. A failure is kept
    /// and reported by every operation ([`Shop::check`] asks at once), so that a window
    /// still opens and can say what is wrong, and offer a backup.
    pub fn open(place: ShopPlace, now: DateTime<Utc>) -> Shop {
        let store =
            open_store(&place.db, &place.device, place.backup, now).map_err(|e| e.closing());
        let shop = Shop {
            inner: Arc::new(Inner {
                slot: Mutex::new(Slot { store, demo: false }),
                db_path: Mutex::new(place.db.clone()),
                device: place.device,
                config_dir: place.config_dir,
                backup: place.backup,
                keychain: place.keychain,
                clockwork: Mutex::new(None),
                clock_problems: Mutex::new(Vec::new()),
                open_cases: Mutex::new(None),
                long_work: Mutex::new(None),
                cancel_import: Arc::new(AtomicBool::new(false)),
                cancel_copy: Arc::new(AtomicBool::new(false)),
                cancel_refresh: Arc::new(AtomicBool::new(false)),
                refreshing: AtomicBool::new(false),
            }),
        };
        shop.load_clockwork(&place.db);
        shop
    }

    /// Whether the shop opened; the error that closed it otherwise.
    pub fn check(&self) -> Result<(), ShopError> {
        self.with_store(|_| Ok(()))
    }

    /// This computer's device id.
    pub fn device(&self) -> &DeviceId {
        &self.inner.device
    }

    /// The name of the member this computer is bound to in the open shop, if any: who
    /// notes, history and copied drafts are recorded as.
    pub fn member_name(&self) -> Result<Option<String>, ShopError> {
        let device = self.inner.device.clone();
        self.with_store(|store| {
            Ok::<_, ShopError>(afterdesk_desk::whoami(store, &device)?.map(|m| m.name))
        })
    }

    /// Who changes made through this session are recorded as: the member this computer is
    /// bound to, or 客服 when it is bound to no one. Settled here, never sent by a window,
    /// so that a note always carries the member of the computer it was written on.
    pub fn actor(&self) -> Result<String, ShopError> {
        Ok(self
            .member_name()?
            .unwrap_or_else(|| afterdesk_desk::UNBOUND_ACTOR.to_owned()))
    }

    /// The open shop's database file.
    pub fn db_path(&self) -> PathBuf {
        self.inner.db_path.lock().clone()
    }

    /// Whether the demo shop is open (reminders stay quiet for it).
    pub fn is_demo(&self) -> bool {
        self.inner.slot.lock().demo
    }

    /// Locks the store, waiting for a short operation that holds it, or answers `busy` at
    /// once while long work holds it, so that a window can say so instead of hanging.
    pub fn store(&self) -> Result<StoreGuard<'_>, ShopError> {
        let guard = match self.inner.slot.try_lock() {
            Some(guard) => guard,
            None => match *self.inner.long_work.lock() {
                Some(work) => return Err(ShopError::Busy(work)),
                // Another short command (or the reminder tick) holds the shop for a
                // moment: wait for it rather than fail.
                None => self.inner.slot.lock(),
            },
        };
        Self::ready(guard)
    }

    /// Locks the store and waits for whatever holds it, long work included: for long
    /// work itself, and for the CLI, whose one command has nothing else to do.
    pub fn store_waiting(&self) -> Result<StoreGuard<'_>, ShopError> {
        Self::ready(self.inner.slot.lock())
    }

    fn ready(guard: MutexGuard<'_, Slot>) -> Result<StoreGuard<'_>, ShopError> {
        MutexGuard::try_map(guard, |slot| slot.store.as_mut().ok()).map_err(|slot| {
            match &slot.store {
                Err(e) => e.closing(),
                // Unreachable by construction (try_map only fails on an error), but an
                // answer is cheaper than a panic.
                Ok(_) => ShopError::Busy(Work::Reopen),
            }
        })
    }

    /// Runs `f` on the open store under the busy policy of [`Shop::store`].
    pub fn with_store<T, E: From<ShopError>>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut store = self.store()?;
        f(&mut store)
    }

    /// Marks long work as running until the returned guard is dropped.
    pub fn long_work(&self, work: Work) -> LongWork {
        *self.inner.long_work.lock() = Some(work);
        LongWork {
            inner: Arc::clone(&self.inner),
        }
    }

    /// Asks a running import to stop; it rolls back within a few thousand rows.
    pub fn cancel_import(&self) {
        self.inner.cancel_import.store(true, Ordering::Relaxed);
    }

    /// Asks a running evidence copy or package export to stop; nothing half-written stays.
    pub fn cancel_copy(&self) {
        self.inner.cancel_copy.store(true, Ordering::Relaxed);
    }

    /// Asks a running parcel refresh to stop after the queries already sent.
    pub fn cancel_refresh(&self) {
        self.inner.cancel_refresh.store(true, Ordering::SeqCst);
    }

    /// The open shop's open cases, read again only when the data changed since the last
    /// read (or another shop was opened, which clears the cache).
    pub fn open_cases(&self, store: &Store) -> Result<Arc<Vec<Case>>, ShopError> {
        let stamp = store.data_stamp()?;
        let mut cache = self.inner.open_cases.lock();
        if let Some(cached) = cache.as_ref().filter(|c| c.stamp == stamp) {
            return Ok(Arc::clone(&cached.cases));
        }
        // Dropped before the new read, so that two copies never live at once.
        *cache = None;
        let cases = Arc::new(afterdesk_desk::open_cases(store)?);
        *cache = Some(OpenCases {
            stamp,
            cases: Arc::clone(&cases),
        });
        Ok(cases)
    }

    fn forget_open_cases(&self) {
        *self.inner.open_cases.lock() = None;
    }

    /// Which shop is open and its counts.
    pub fn info(&self) -> Result<ShopInfo, ShopError> {
        let demo = self.is_demo();
        let summary = self.with_store(|store| Ok::<_, ShopError>(shop_summary(store)?))?;
        let db_path = self.db_path();
        // An unreadable list of shops only costs the menu of recent ones.
        let mut recent: Vec<PathBuf> = self
            .inner
            .config_dir
            .as_deref()
            .and_then(|dir| afterdesk_desk::load_shop_files(dir).ok())
            .map(|files| files.recent)
            .unwrap_or_default();
        if !recent.contains(&db_path) {
            recent.insert(0, db_path.clone());
        }
        let synced_folder = afterdesk_desk::synced_folder_on_disk(&db_path);
        Ok(ShopInfo {
            db_path: db_path.display().to_string(),
            demo,
            summary,
            recent: recent.iter().map(|p| p.display().to_string()).collect(),
            synced_folder,
        })
    }

    /// Switches to the shop database at `path`, creating it if it does not exist, and
    /// remembers it for the next start. If it cannot be opened, the current shop stays
    /// open and the error says why.
    pub fn open_shop(&self, path: PathBuf, now: DateTime<Utc>) -> Result<(), ShopError> {
        let Some(mut slot) = self.inner.slot.try_lock() else {
            return Err(ShopError::Busy(
                (*self.inner.long_work.lock()).unwrap_or(Work::Import),
            ));
        };
        let store = open_store(&path, &self.inner.device, self.inner.backup, now)?;
        self.forget_open_cases();
        *slot = Slot {
            store: Ok(store),
            demo: false,
        };
        drop(slot);
        self.load_clockwork(&path);
        *self.inner.db_path.lock() = path.clone();
        if let Some(dir) = &self.inner.config_dir {
            afterdesk_desk::remember_shop(dir, &path)?;
        }
        Ok(())
    }

    /// Replaces the open shop with a fresh demo shop in memory; the shop's own file is
    /// not touched, and [`Shop::reopen`] goes back to it.
    pub fn open_demo(&self, agent: &str, now: DateTime<Utc>) -> Result<(), ShopError> {
        let mut store = Store::open_in_memory(self.inner.device.clone())?;
        demo_shop(&mut store, agent, now)?;
        let mut slot = self.inner.slot.lock();
        self.forget_open_cases();
        *slot = Slot {
            store: Ok(store),
            demo: true,
        };
        Ok(())
    }

    /// Reopens the shop's own database (leaving the demo shop, which is discarded).
    pub fn reopen(&self, now: DateTime<Utc>) -> Result<(), ShopError> {
        let mut slot = self.inner.slot.lock();
        self.forget_open_cases();
        // Close the current store first so the file is not opened twice.
        *slot = Slot {
            store: Err(ShopError::Busy(Work::Reopen)),
            demo: false,
        };
        slot.store = open_store(&self.db_path(), &self.inner.device, self.inner.backup, now)
            .map_err(|e| e.closing());
        match &slot.store {
            Ok(_) => Ok(()),
            Err(e) => Err(e.closing()),
        }
    }

    /// Replaces the shop's data with the backup at `backup` and opens the shop again.
    ///
    /// Works when the shop refused to open (a damaged file), which is when it is needed.
    /// The shop's connection is closed first, so that the reopened store reads the
    /// restored file from the start; other operations answer `busy` meanwhile. Whatever
    /// the outcome the shop is opened again: the restored data, or, when the backup was
    /// refused, the data as it was.
    pub fn restore(&self, backup: &Path, now: DateTime<Utc>) -> Result<RestoreView, ShopError> {
        let Some(mut slot) = self.inner.slot.try_lock() else {
            return Err(ShopError::Busy(
                (*self.inner.long_work.lock()).unwrap_or(Work::Import),
            ));
        };
        let _work = self.long_work(Work::Reopen);
        self.forget_open_cases();
        *slot = Slot {
            store: Err(ShopError::Busy(Work::Reopen)),
            demo: false,
        };
        let db = self.db_path();
        let restored = afterdesk_desk::restore_shop(&db, backup, now);
        slot.store =
            open_store(&db, &self.inner.device, self.inner.backup, now).map_err(|e| e.closing());
        let restored = restored?;
        if let Err(e) = &slot.store {
            return Err(e.closing());
        }
        Ok(restored)
    }

    /// Backs the open shop up now (pruned only among the other manual backups) and lists
    /// the shop's backups, newest first.
    pub fn backup_now(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<afterdesk_desk::BackupView>, ShopError> {
        self.with_store(|store| {
            match store.backup(now, afterdesk_store::BackupReason::Manual)? {
                Some(_) => Ok(()),
                None => Err(ShopError::Demo),
            }
        })?;
        Ok(afterdesk_desk::shop_backups(&self.db_path())?)
    }

    /// The backups of the shop's database, newest first. Reads only the backups folder,
    /// so it answers also when the shop refused to open and a backup is needed.
    pub fn backups(&self) -> Result<Vec<afterdesk_desk::BackupView>, ShopError> {
        Ok(afterdesk_desk::shop_backups(&self.db_path())?)
    }
}

#[cfg(test)]
mod tests;
