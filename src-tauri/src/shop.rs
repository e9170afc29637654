//! The open shop held in the app's state, shared by the commands.

use crate::commands::{CommandError, CommandResult};
use afterdesk_case::{Case, DeviceId};
use afterdesk_clock::Clockwork;
use afterdesk_desk::{RestoreView, ShopSummary, SyncedFolder, demo_shop, shop_summary};
use afterdesk_store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

/// The shop a window works on: the store, and whether it is the in-memory demo.
#[derive(Debug)]
pub struct Shop {
    store: Result<Store, CommandError>,
    demo: bool,
}

impl Shop {
    /// The open store, or why the shop's database could not be opened.
    pub fn store_mut(&mut self) -> CommandResult<&mut Store> {
        self.store.as_mut().map_err(|e| e.clone())
    }
}

/// What the UI is told about the open shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
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

/// The app's managed state: the open shop behind a lock, where its database lives, and
/// the cancel switch of a running import.
#[derive(Debug)]
pub struct Desk {
    shop: Arc<Mutex<Shop>>,
    cancel: Arc<AtomicBool>,
    /// The cancel switch of a running evidence copy or package export.
    cancel_copy: Arc<AtomicBool>,
    /// Set while long work (an import, a package export) holds the shop, so that other
    /// commands answer `busy` at once instead of waiting for it.
    long_work: Arc<AtomicBool>,
    db_path: Mutex<PathBuf>,
    device: DeviceId,
    /// The settings folder, where the list of shop files is kept; `None` when the system
    /// has none, and then nothing is remembered.
    config_dir: Option<PathBuf>,
    /// The clock engine of the open shop (its rule overrides and calendar years); `None`
    /// only if even the bundled rules fail to read, which the tests rule out.
    clockwork: Mutex<Option<Arc<Clockwork>>>,
    /// Why the shop's own clock files could not be used, shown in the settings.
    clock_error: Mutex<Option<String>>,
    /// The open cases as last read, with the store's data stamp at that moment: the
    /// workbench's deadline list and the reminder tick rank them against the current time
    /// without reading 100,000 rows again (660 ms) while nothing changed.
    open_cases: Mutex<Option<OpenCases>>,
}

/// The clock engine for the shop at `db`: the bundled rules and calendar with the shop's
/// overrides and imported years. A broken shop file is reported and the bundled engine
/// used, so that deadlines are never silently missing; the settings show the error when
/// the user opens the rules.
fn shop_clockwork(db: &Path) -> (Option<Clockwork>, Option<String>) {
    match afterdesk_desk::load_clockwork(&afterdesk_desk::ClockFiles::beside(db)) {
        Ok(clockwork) => (Some(clockwork), None),
        Err(e) => {
            eprintln!("AfterDesk: {e}; using the bundled clock rules");
            let bundled = Clockwork::bundled()
                .map_err(|e| eprintln!("AfterDesk: the bundled clock rules do not read: {e}"))
                .ok();
            (bundled, Some(e.to_string()))
        }
    }
}

/// Opens a shop database and starts the day's backup on a thread of its own.
///
/// Copying a 100,000-case shop takes about a second; done before the window opens it made
/// the first start of each day a second slower. The backup thread uses its own connection,
/// which SQLite's WAL mode lets read alongside the app's, and a failure is only logged: the
/// shop works without it, and the next start tries again.
fn open_store(path: &Path, device: &DeviceId, now: DateTime<Utc>) -> CommandResult<Store> {
    let existed = path.exists();
    let store = Store::open_without_daily_backup(path, device.clone(), now)?;
    if existed {
        let (path, device) = (path.to_owned(), device.clone());
        let spawned = std::thread::Builder::new()
            .name("daily-backup".to_owned())
            .spawn(move || {
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

/// Open cases read at one data stamp.
#[derive(Debug)]
struct OpenCases {
    stamp: (u64, i64),
    cases: Arc<Vec<Case>>,
}

/// Long work in progress; dropping it (also on an error or a panic) clears the mark.
#[derive(Debug)]
pub struct LongWork(Arc<AtomicBool>);

impl Drop for LongWork {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// The answer to a command that arrives while an import holds the shop.
fn busy() -> CommandError {
    CommandError::new("busy", "正在导入文件或导出举证材料包，请等它完成后再操作")
}

/// Locks the shop, waiting for a running command to finish.
///
/// A panic while the lock was held cannot leave the database half-written (every write is
/// one SQLite transaction, rolled back when dropped), so a poisoned lock is taken over.
pub fn lock(shop: &Mutex<Shop>) -> CommandResult<MutexGuard<'_, Shop>> {
    Ok(shop
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner))
}

impl Desk {
    /// Opens the shop's database at `db_path`; a failure is kept and reported by every
    /// command, so the window still opens and can say what is wrong.
    pub fn open(
        db_path: PathBuf,
        device: DeviceId,
        config_dir: Option<PathBuf>,
        now: DateTime<Utc>,
    ) -> Desk {
        let store = open_store(&db_path, &device, now);
        let (clockwork, clock_error) = shop_clockwork(&db_path);
        let clockwork = Mutex::new(clockwork.map(Arc::new));
        let clock_error = Mutex::new(clock_error);
        Desk {
            shop: Arc::new(Mutex::new(Shop { store, demo: false })),
            cancel: Arc::new(AtomicBool::new(false)),
            cancel_copy: Arc::new(AtomicBool::new(false)),
            long_work: Arc::new(AtomicBool::new(false)),
            db_path: Mutex::new(db_path),
            device,
            config_dir,
            clockwork,
            clock_error,
            open_cases: Mutex::new(None),
        }
    }

    /// The open shop's clock engine.
    pub fn clockwork(&self) -> Option<Arc<Clockwork>> {
        self.clockwork
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reloads the clock engine from the clock files beside `db` (after a switch of shop or
    /// an imported calendar year).
    pub fn set_clockwork(&self, db: &Path) {
        let (clockwork, error) = shop_clockwork(db);
        *self
            .clockwork
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = clockwork.map(Arc::new);
        *self
            .clock_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = error;
    }

    /// Why the shop's own clock files are not in use, if they are not.
    pub fn clock_error(&self) -> Option<String> {
        self.clock_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The open shop's open cases, read again only when the data changed since the last
    /// read (or another shop was opened, which clears the cache).
    pub fn open_cases(&self, store: &Store) -> CommandResult<Arc<Vec<Case>>> {
        let stamp = store.data_stamp()?;
        let mut cache = self
            .open_cases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
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

    /// Forgets the cached open cases (another shop, or the demo, was opened).
    fn forget_open_cases(&self) {
        *self
            .open_cases
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Whether the demo shop is open (reminders stay quiet for it).
    pub fn is_demo(&self) -> bool {
        lock(&self.shop).map(|shop| shop.demo).unwrap_or(false)
    }

    /// The open shop's database file.
    pub fn db_path(&self) -> PathBuf {
        self.db_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Switches to the shop database at `path`, creating it if it does not exist, and
    /// remembers it for the next start. If it cannot be opened, the current shop stays
    /// open and the error says why.
    pub fn open_shop(&self, path: PathBuf, now: DateTime<Utc>) -> CommandResult<()> {
        let mut shop = match self.shop.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Err(busy()),
        };
        let store = open_store(&path, &self.device, now)?;
        self.forget_open_cases();
        *shop = Shop {
            store: Ok(store),
            demo: false,
        };
        self.set_clockwork(&path);
        *self
            .db_path
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = path.clone();
        if let Some(dir) = &self.config_dir {
            afterdesk_desk::remember_shop(dir, &path)?;
        }
        Ok(())
    }

    /// The shared shop, for work that runs on another thread.
    pub fn shop(&self) -> Arc<Mutex<Shop>> {
        Arc::clone(&self.shop)
    }

    /// The switch that cancels a running import.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }

    /// The switch that cancels a running evidence copy or package export.
    pub fn copy_cancel_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel_copy)
    }

    /// Runs `f` on the open store, or answers `busy` at once while an import holds it, so
    /// that the UI can say so instead of hanging.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> CommandResult<T>,
    ) -> CommandResult<T> {
        let mut guard = match self.shop.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) if self.long_work.load(Ordering::Relaxed) => {
                return Err(busy());
            }
            // Another short command (or the reminder tick) holds the shop for a moment:
            // wait for it rather than fail.
            Err(TryLockError::WouldBlock) => lock(&self.shop)?,
        };
        f(guard.store_mut()?)
    }

    /// Marks long work as running until the returned guard is dropped.
    pub fn long_work(&self) -> LongWork {
        self.long_work.store(true, Ordering::Relaxed);
        LongWork(Arc::clone(&self.long_work))
    }

    /// Which shop is open and its counts.
    pub fn info(&self) -> CommandResult<ShopInfo> {
        let demo = lock(&self.shop)?.demo;
        let summary = self.with_store(|store| Ok(shop_summary(store)?))?;
        let db_path = self.db_path();
        // An unreadable list of shops only costs the menu of recent ones.
        let mut recent: Vec<PathBuf> = self
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

    /// Replaces the open shop with a fresh demo shop in memory.
    pub fn open_demo(&self, agent: &str, now: DateTime<Utc>) -> CommandResult<()> {
        let mut store = Store::open_in_memory(self.device.clone())?;
        demo_shop(&mut store, agent, now)?;
        let mut shop = lock(&self.shop)?;
        self.forget_open_cases();
        *shop = Shop {
            store: Ok(store),
            demo: true,
        };
        Ok(())
    }

    /// Replaces the shop's data with the backup at `backup` and opens the shop again.
    ///
    /// Works when the shop refused to open (a damaged file), which is when it is needed.
    /// The shop's connection is closed first, so that the reopened store reads the
    /// restored file from the start; other commands answer `busy` meanwhile. Whatever the
    /// outcome the shop is opened again: the restored data, or, when the backup was
    /// refused, the data as it was (the demo shop, if open, is left).
    pub fn restore(&self, backup: &Path, now: DateTime<Utc>) -> CommandResult<RestoreView> {
        let mut shop = match self.shop.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return Err(busy()),
        };
        let _work = self.long_work();
        self.forget_open_cases();
        *shop = Shop {
            store: Err(CommandError::new("open", "正在从备份恢复")),
            demo: false,
        };
        let db = self.db_path();
        let restored = afterdesk_desk::restore_shop(&db, backup, now);
        shop.store = open_store(&db, &self.device, now);
        let restored = restored?;
        shop.store.as_ref().map_err(Clone::clone)?;
        Ok(restored)
    }

    /// Reopens the shop's own database (leaving the demo shop, which is discarded).
    pub fn reopen(&self, now: DateTime<Utc>) -> CommandResult<()> {
        let mut shop = lock(&self.shop)?;
        self.forget_open_cases();
        // Close the current store first so the file is not opened twice.
        *shop = Shop {
            store: Err(CommandError::new("open", "正在重新打开店铺")),
            demo: false,
        };
        shop.store = open_store(&self.db_path(), &self.device, now);
        shop.store.as_ref().map(|_| ()).map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
    }

    /// Opens a case by hand in the desk's shop.
    fn add_case(desk: &Desk, refund_no: &str) {
        desk.with_store(|store| {
            store.add_case(
                afterdesk_store::NewCase {
                    facts: afterdesk_case::CaseFacts {
                        refund_no: Some(refund_no.to_owned()),
                        ..Default::default()
                    },
                    ..Default::default()
                },
                "小王",
                now(),
            )?;
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn demo_shop_replaces_and_reopen_restores_the_real_shop() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let desk = Desk::open(db.clone(), DeviceId("t".to_owned()), None, now());
        let info = desk.info().unwrap();
        assert!(!info.demo);
        assert_eq!(info.summary.total, 0);
        assert_eq!(info.db_path, db.display().to_string());

        desk.open_demo("演示", now()).unwrap();
        let info = desk.info().unwrap();
        assert!(info.demo);
        assert_eq!(info.summary.total, afterdesk_desk::DEMO_CASES as u64);

        desk.reopen(now()).unwrap();
        let info = desk.info().unwrap();
        assert!(!info.demo);
        assert_eq!(
            info.summary.total, 0,
            "the demo never touches the real shop"
        );
    }

    #[test]
    fn commands_answer_busy_while_the_shop_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            dir.path().join("s.sqlite"),
            DeviceId("t".to_owned()),
            None,
            now(),
        );
        let shop = desk.shop();
        let _import = desk.long_work();
        let _held = lock(&shop).unwrap();
        let err = desk.with_store(|_| Ok(())).unwrap_err();
        assert_eq!(
            err.code, "busy",
            "an import holding the shop answers busy at once"
        );
    }

    #[test]
    fn an_unopenable_database_is_reported_by_every_command() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be cannot be opened as a database.
        let db = dir.path().join("folder.sqlite");
        std::fs::create_dir_all(&db).unwrap();
        let desk = Desk::open(db, DeviceId("t".to_owned()), None, now());
        let err = desk.info().unwrap_err();
        assert_eq!(err.code, "open");
    }

    #[test]
    fn switching_shops_keeps_each_file_apart_and_remembers_the_choice() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        let first = dir.path().join("first.sqlite");
        let second = dir.path().join("second.sqlite");
        let desk = Desk::open(
            first.clone(),
            DeviceId("t".to_owned()),
            Some(config.clone()),
            now(),
        );
        add_case(&desk, "R1");

        desk.open_shop(second.clone(), now()).unwrap();
        let info = desk.info().unwrap();
        assert_eq!(
            info.db_path,
            second.display().to_string(),
            "the new shop is open"
        );
        assert_eq!(info.summary.total, 0, "a new shop file starts empty");
        let remembered = afterdesk_desk::load_shop_files(&config).unwrap();
        assert_eq!(
            remembered.current.as_deref(),
            Some(second.as_path()),
            "remembered for the next start"
        );

        desk.open_shop(first.clone(), now()).unwrap();
        assert_eq!(
            desk.info().unwrap().summary.total,
            1,
            "the first shop kept its case"
        );
        assert_eq!(
            desk.info().unwrap().recent.len(),
            2,
            "both shops are recent"
        );
    }

    #[test]
    fn a_shop_that_cannot_be_opened_leaves_the_current_one_open() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let desk = Desk::open(db.clone(), DeviceId("t".to_owned()), None, now());
        let folder = dir.path().join("a-folder.sqlite");
        std::fs::create_dir_all(&folder).unwrap();
        let err = desk.open_shop(folder, now()).unwrap_err();
        assert_eq!(err.code, "open", "the store's own code: {}", err.message);
        assert_eq!(
            desk.info().unwrap().db_path,
            db.display().to_string(),
            "still the old shop"
        );
    }

    #[test]
    fn an_existing_shop_is_backed_up_once_a_day_off_the_startup_path() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        drop(Store::open_without_daily_backup(&db, DeviceId("t".to_owned()), now()).unwrap());
        let desk = Desk::open(db.clone(), DeviceId("t".to_owned()), None, now());
        desk.info().unwrap();
        let backups = dir.path().join("backups");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let count = || {
            std::fs::read_dir(&backups).map_or(0, |d| {
                d.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with("-daily.sqlite"))
                    .count()
            })
        };
        while count() == 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        assert_eq!(count(), 1, "the day's backup is written in the background");
    }

    #[test]
    fn a_damaged_shop_is_reported_and_restored_from_the_window() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let desk = Desk::open(db.clone(), DeviceId("t".to_owned()), None, now());
        for i in 0..400 {
            add_case(&desk, &format!("R{i}"));
        }
        let backup = desk
            .with_store(|store| Ok(store.backup(now(), afterdesk_store::BackupReason::Manual)?))
            .unwrap()
            .unwrap();
        drop(desk);
        {
            use std::io::{Seek, SeekFrom, Write};
            let len = std::fs::metadata(&db).unwrap().len();
            let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
            file.seek(SeekFrom::Start(len / 4096 / 2 * 4096)).unwrap();
            file.write_all(&[0xa5; 3 * 4096]).unwrap();
        }
        let desk = Desk::open(db.clone(), DeviceId("t".to_owned()), None, now());
        let err = desk.info().unwrap_err();
        assert_eq!(err.code, "shop_damaged", "{}", err.message);
        assert_eq!(
            afterdesk_desk::shop_backups(&desk.db_path()).unwrap().len(),
            1,
            "the backups are listed while the shop refuses to open"
        );
        let restored = desk.restore(&backup, now()).unwrap();
        assert!(
            restored.safety_backup.is_some(),
            "the damaged state is kept"
        );
        assert_eq!(
            desk.info().unwrap().summary.total,
            400,
            "the window works on the restored shop at once"
        );
    }

    #[test]
    fn a_refused_backup_leaves_the_shop_open_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            dir.path().join("shop.sqlite"),
            DeviceId("t".to_owned()),
            None,
            now(),
        );
        add_case(&desk, "R1");
        let text = dir.path().join("note.txt");
        std::fs::write(&text, "不是备份").unwrap();
        let err = desk.restore(&text, now()).unwrap_err();
        assert_eq!(err.code, "not_a_backup", "{}", err.message);
        assert_eq!(
            desk.info().unwrap().summary.total,
            1,
            "the shop is still open"
        );
    }

    #[test]
    fn a_shop_in_a_synced_folder_is_flagged() {
        let dir = tempfile::tempdir().unwrap();
        let synced = dir.path().join("OneDrive - 公司").join("shop.sqlite");
        let desk = Desk::open(synced, DeviceId("t".to_owned()), None, now());
        let flagged = desk.info().unwrap().synced_folder;
        assert_eq!(
            flagged.map(|f| f.client),
            Some(afterdesk_desk::SyncClient::OneDrive),
            "the shop info says which client's folder the file is in"
        );
        let plain = Desk::open(
            dir.path().join("shops").join("shop.sqlite"),
            DeviceId("t".to_owned()),
            None,
            now(),
        );
        assert_eq!(plain.info().unwrap().synced_folder, None);
    }

    #[test]
    fn open_cases_are_read_again_only_after_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(
            dir.path().join("s.sqlite"),
            DeviceId("t".to_owned()),
            None,
            now(),
        );
        let add = |no: &str| add_case(&desk, no);
        add("R1");
        let first = desk.with_store(|store| desk.open_cases(store)).unwrap();
        let again = desk.with_store(|store| desk.open_cases(store)).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "nothing changed: the cached list is reused"
        );
        add("R2");
        let after = desk.with_store(|store| desk.open_cases(store)).unwrap();
        assert_eq!(after.len(), 2, "a change is seen at once");
        desk.open_demo("演示", now()).unwrap();
        let demo = desk.with_store(|store| desk.open_cases(store)).unwrap();
        assert!(
            !Arc::ptr_eq(&after, &demo),
            "another shop never sees the cache"
        );
    }
}
