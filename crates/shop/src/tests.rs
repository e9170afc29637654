//! The session's own tests: opening, switching, the busy policy, backups and caches.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use afterdesk_case::DeviceId;
use std::sync::Arc;

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default()
}

/// A shop at `db`, as the app opens one (the day's backup in the background).
fn shop_at(db: std::path::PathBuf, config_dir: Option<std::path::PathBuf>) -> Shop {
    Shop::open(
        ShopPlace {
            db,
            device: DeviceId("t".to_owned()),
            config_dir,
            backup: DailyBackup::InBackground,
            keychain: afterdesk_secret::Keychain::memory(),
        },
        now(),
    )
}

/// Opens a case by hand in the desk's shop.
fn add_case(desk: &Shop, refund_no: &str) {
    desk.with_store(|store| -> Result<(), ShopError> {
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
    let desk = shop_at(db.clone(), None);
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
    let desk = shop_at(dir.path().join("s.sqlite"), None);
    let _import = desk.long_work(Work::Import);
    let _held = desk.store_waiting().unwrap();
    let err = desk.check().unwrap_err();
    assert_eq!(
        err.code(),
        "busy",
        "an import holding the shop answers busy at once"
    );
}

#[test]
fn an_unopenable_database_is_reported_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be cannot be opened as a database.
    let db = dir.path().join("folder.sqlite");
    std::fs::create_dir_all(&db).unwrap();
    let desk = shop_at(db, None);
    let err = desk.info().unwrap_err();
    assert_eq!(err.code(), "open");
}

#[test]
fn switching_shops_keeps_each_file_apart_and_remembers_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let first = dir.path().join("first.sqlite");
    let second = dir.path().join("second.sqlite");
    let desk = shop_at(first.clone(), Some(config.clone()));
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
    let desk = shop_at(db.clone(), None);
    let folder = dir.path().join("a-folder.sqlite");
    std::fs::create_dir_all(&folder).unwrap();
    let err = desk.open_shop(folder, now()).unwrap_err();
    assert_eq!(err.code(), "open", "the store's own code: {}", err);
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
    let desk = shop_at(db.clone(), None);
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
    let desk = shop_at(db.clone(), None);
    for i in 0..400 {
        add_case(&desk, &format!("R{i}"));
    }
    let backup = desk
        .with_store(|store| {
            Ok::<_, ShopError>(store.backup(now(), afterdesk_store::BackupReason::Manual)?)
        })
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
    let desk = shop_at(db.clone(), None);
    let err = desk.info().unwrap_err();
    assert_eq!(err.code(), "shop_damaged", "{err}");
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
    let desk = shop_at(dir.path().join("shop.sqlite"), None);
    add_case(&desk, "R1");
    let text = dir.path().join("note.txt");
    std::fs::write(&text, "不是备份").unwrap();
    let err = desk.restore(&text, now()).unwrap_err();
    assert_eq!(err.code(), "not_a_backup", "{err}");
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
    let desk = shop_at(synced, None);
    let flagged = desk.info().unwrap().synced_folder;
    assert_eq!(
        flagged.map(|f| f.client),
        Some(afterdesk_desk::SyncClient::OneDrive),
        "the shop info says which client's folder the file is in"
    );
    let plain = shop_at(dir.path().join("shops").join("shop.sqlite"), None);
    assert_eq!(plain.info().unwrap().synced_folder, None);
}

#[test]
fn open_cases_are_read_again_only_after_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let desk = shop_at(dir.path().join("s.sqlite"), None);
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
