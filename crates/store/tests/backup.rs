//! Backups, restore and the opening check against real SQLite files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{CaseFacts, DeviceId, Fen, Platform};
use afterdesk_store::{BackupReason, CaseQuery, DAILY_BACKUPS_KEPT, Store};
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn device() -> DeviceId {
    DeviceId("test-device".to_owned())
}

fn facts(refund_no: &str) -> CaseFacts {
    CaseFacts {
        refund_no: Some(refund_no.to_owned()),
        order_no: Some(format!("29384756100000{refund_no:0>5}")),
        buyer_nick: Some(format!("买家{refund_no}")),
        item_title: Some(format!("羊毛围巾 第{refund_no}款")),
        refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
        reason_text: Some("质量问题，起球严重，和描述不符".to_owned()),
        refund: Some(Fen(12_950)),
        requested_at: parse_china_time("2026-11-18 10:00:00"),
        ..CaseFacts::default()
    }
}

/// Imports cases numbered `from..to`.
fn import(store: &mut Store, from: usize, to: usize, at: DateTime<Utc>) {
    let mut import = store.begin_import("测试员", "refunds.csv", at).unwrap();
    for i in from..to {
        import
            .case(Platform::Tmall, facts(&i.to_string()), i as u64 + 2)
            .unwrap();
    }
    import.commit(&serde_json::json!({})).unwrap();
}

fn total(store: &Store) -> u64 {
    store
        .list_cases(&CaseQuery {
            open: None,
            ..CaseQuery::default()
        })
        .unwrap()
        .total
}

fn count_reason(dir: &Path, reason: &str) -> usize {
    std::fs::read_dir(dir.join("backups")).map_or(0, |d| {
        d.flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with(&format!("-{reason}.sqlite"))
            })
            .count()
    })
}

/// Overwrites `pages` pages in the middle of a database file with a pattern, as a failing
/// disk or a sync client writing a stale copy would.
fn damage(path: &Path, pages: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let len = std::fs::metadata(path).unwrap().len();
    let page = 4096;
    let start = (len / page / 2) * page;
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start(start)).unwrap();
    let garbage: Vec<u8> = (0..page * pages).map(|i| (i * 7 % 251) as u8).collect();
    file.write_all(&garbage).unwrap();
}

fn shop_with_cases(dir: &Path, cases: usize) -> PathBuf {
    let db = dir.join("shop.sqlite");
    let mut store = Store::open(&db, device(), now()).unwrap();
    import(&mut store, 0, cases, now());
    drop(store);
    db
}

#[test]
fn many_manual_backups_never_delete_a_daily_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 3);
    for day in 1..=3 {
        drop(Store::open(&db, device(), now() + Duration::days(day)).unwrap());
    }
    assert_eq!(
        count_reason(dir.path(), "daily"),
        3,
        "one daily backup per day"
    );
    let store = Store::open(&db, device(), now() + Duration::days(3)).unwrap();
    for minute in 0..30 {
        store
            .backup(
                now() + Duration::days(3) + Duration::minutes(minute),
                BackupReason::Manual,
            )
            .unwrap();
    }
    assert_eq!(
        count_reason(dir.path(), "daily"),
        3,
        "manual backups are pruned among themselves and never push out a daily one"
    );
}

#[test]
fn a_damaged_shop_is_refused_on_open_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 2_000);
    damage(&db, 4);
    let before = std::fs::read(&db).unwrap();
    let err = Store::open(&db, device(), now() + Duration::days(1)).unwrap_err();
    assert_eq!(
        err.code(),
        "shop_damaged",
        "a damaged file is refused with its own code: {err}"
    );
    let message = err.to_string();
    for needle in ["已损坏", "afterdesk backup restore", "设置 → 备份"] {
        assert!(
            message.contains(needle),
            "the message says what is wrong and how to restore ({needle}): {message}"
        );
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "refusing a damaged file writes nothing to it"
    );
}

#[test]
fn daily_backups_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 1);
    for day in 0..10 {
        let at = now() + Duration::days(day);
        let store = Store::open(&db, device(), at).unwrap();
        let again = Store::open(&db, device(), at + Duration::hours(1)).unwrap();
        drop((store, again));
    }
    let store = Store::open(&db, device(), now() + Duration::days(9)).unwrap();
    let backups = store.backups().unwrap();
    assert_eq!(
        backups.len(),
        DAILY_BACKUPS_KEPT,
        "one a day, and only the last {DAILY_BACKUPS_KEPT} are kept"
    );
    assert!(backups.iter().all(|b| b.reason == "daily"));
    let copy = rusqlite::Connection::open(&backups[0].path).unwrap();
    let count: i64 = copy
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1, "a backup holds the data");
}

#[test]
fn every_kind_of_backup_keeps_its_own_quota() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 1);
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    for reason in BackupReason::ALL {
        for i in 0..(reason.kept() + 4) {
            store
                .backup(now() + Duration::minutes(i as i64), reason)
                .unwrap();
        }
    }
    for reason in BackupReason::ALL {
        assert_eq!(
            count_reason(dir.path(), reason.key()),
            reason.kept(),
            "{} backups are pruned to their own quota",
            reason.key()
        );
    }
}

#[test]
fn two_backups_in_the_same_second_are_both_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 1);
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    let first = store.backup(now(), BackupReason::Manual).unwrap().unwrap();
    let second = store.backup(now(), BackupReason::Manual).unwrap().unwrap();
    assert_ne!(first, second, "a backup never overwrites another");
    assert!(first.is_file() && second.is_file());
}

/// The case count and the integrity check of a database file, read with plain SQLite.
fn raw_state(db: &Path) -> (Vec<String>, Result<i64, String>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .unwrap_or_else(|e| vec![e.to_string()]);
    let count = conn
        .query_row("SELECT count(*) FROM cases", [], |r| r.get(0))
        .map_err(|e| e.to_string());
    (integrity, count)
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Why the old advice ("close the app and copy a backup over the shop file") was removed:
/// a `-wal` left beside the shop by a crash (or by an app still running) is replayed onto
/// the copied backup, whose pages it does not belong to.
#[test]
fn copying_a_backup_over_the_shop_replays_a_leftover_wal() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 1_500);
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    let backup = store.backup(now(), BackupReason::Manual).unwrap().unwrap();
    drop(store);
    // Work after the backup: one session checkpointed into the file, then one still in
    // the log when the computer crashed.
    let mut store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    import(&mut store, 1_500, 3_000, now());
    drop(store);
    let mut store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    import(&mut store, 3_000, 4_500, now());
    let leftover = std::fs::read(sidecar(&db, "-wal")).unwrap();
    assert!(!leftover.is_empty(), "the last session is still in the log");
    drop(store);

    // The old advice, after the crash.
    std::fs::copy(&backup, &db).unwrap();
    std::fs::write(sidecar(&db, "-wal"), &leftover).unwrap();
    let _ = std::fs::remove_file(sidecar(&db, "-shm"));
    let (integrity, count) = raw_state(&db);
    assert_ne!(
        integrity,
        ["ok"],
        "copying over the file corrupts it (the log's pages land on the backup's); {count:?} cases"
    );
}

#[test]
fn restore_gives_exactly_the_backups_data_and_keeps_the_replaced_state() {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 1_500);
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    let backup = store.backup(now(), BackupReason::Manual).unwrap().unwrap();
    drop(store);
    let mut store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    import(&mut store, 1_500, 3_000, now());
    drop(store);
    // Still open while the restore runs (the app left running while the CLI restores),
    // with its last import still in the log.
    let mut running = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    import(&mut running, 3_000, 4_500, now());

    let later = now() + Duration::hours(2);
    let restored = afterdesk_store::restore_backup(&db, &backup, later).unwrap();
    assert_eq!(
        total(&running),
        1_500,
        "a connection that stayed open reads the restored data"
    );
    drop(running);

    let store = Store::open(&db, device(), later).unwrap();
    assert_eq!(
        store.integrity_check().unwrap(),
        ["ok"],
        "integrity after restore"
    );
    assert_eq!(total(&store), 1_500, "exactly the backup's cases");
    assert!(
        store.case_detail("1499").is_ok(),
        "the backup's last case is there"
    );
    assert!(
        store.case_detail("1500").is_err(),
        "no case written after the backup survives the restore"
    );
    let safety = restored
        .safety_backup
        .expect("a safety backup of the replaced state");
    assert!(
        safety.to_string_lossy().ends_with("-before-restore.sqlite"),
        "the safety backup says why it was taken: {}",
        safety.display()
    );
    let (integrity, count) = raw_state(&safety);
    assert_eq!(integrity, ["ok"]);
    assert_eq!(
        count,
        Ok(4_500),
        "the safety backup holds everything the restore replaced"
    );
    assert!(
        store
            .backups()
            .unwrap()
            .iter()
            .any(|b| b.reason == "before-restore" && b.path == safety),
        "the safety backup is listed with the others"
    );
}

/// Overwrites page `page` (from 1) and the next `pages - 1` of a database file.
fn overwrite_pages(path: &Path, page: u64, pages: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let size = 4096;
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::Start((page - 1) * size)).unwrap();
    let garbage: Vec<u8> = (0..size * pages).map(|i| (i * 13 % 241) as u8).collect();
    file.write_all(&garbage).unwrap();
}

#[rstest::rstest]
#[case::pages_in_the_middle(None, "shop_damaged")]
#[case::the_first_page(Some(1), "not_a_shop")]
fn a_damaged_shop_is_refused_then_restored_from_its_backup(
    #[case] first_page: Option<u64>,
    #[case] code: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 2_000);
    // Yesterday's daily backup.
    drop(Store::open(&db, device(), now() + Duration::days(1)).unwrap());
    let daily = afterdesk_store::list_backups(&db).unwrap();
    assert_eq!(daily.len(), 1);
    match first_page {
        Some(page) => overwrite_pages(&db, page, 1),
        None => damage(&db, 4),
    }
    let err = Store::open(&db, device(), now() + Duration::days(2)).unwrap_err();
    assert_eq!(err.code(), code, "refused on open: {err}");
    assert!(
        err.to_string().contains("afterdesk backup restore"),
        "the message says how to restore: {err}"
    );
    assert_eq!(
        afterdesk_store::list_backups(&db).unwrap(),
        daily,
        "the backups of a shop that refuses to open can still be listed"
    );

    let restored =
        afterdesk_store::restore_backup(&db, &daily[0].path, now() + Duration::days(2)).unwrap();
    assert!(
        restored.safety_backup.is_some_and(|p| p.is_file()),
        "even the damaged state is kept before the restore"
    );
    let store = Store::open(&db, device(), now() + Duration::days(2)).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    assert_eq!(total(&store), 2_000, "the backup's data is back");
}

#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("photos.sqlite");
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT);")
        .unwrap();
    let err = Store::open(&db, device(), now()).unwrap_err();
    assert_eq!(err.code(), "not_a_shop", "{err}");
    let tables: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        tables, 1,
        "no shop tables were created in another program's database"
    );
}

/// How a backup that cannot be restored is made from a good one.
enum BadBackup {
    Damaged,
    Text,
    Foreign,
    Newer,
    Missing,
    TheShopItself,
}

#[rstest::rstest]
#[case::damaged(BadBackup::Damaged, "backup_damaged")]
#[case::a_text_file(BadBackup::Text, "not_a_backup")]
#[case::another_programs_database(BadBackup::Foreign, "not_a_backup")]
#[case::from_a_newer_afterdesk(BadBackup::Newer, "backup_too_new")]
#[case::missing(BadBackup::Missing, "not_a_backup")]
#[case::the_shop_file_itself(BadBackup::TheShopItself, "invalid")]
fn a_backup_that_cannot_be_restored_is_refused_before_anything_changes(
    #[case] bad: BadBackup,
    #[case] code: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = shop_with_cases(dir.path(), 2_000);
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    let good = store.backup(now(), BackupReason::Manual).unwrap().unwrap();
    let mut store = store;
    import(&mut store, 2_000, 2_100, now());
    drop(store);
    let candidate = match bad {
        BadBackup::Damaged => {
            damage(&good, 4);
            good.clone()
        }
        BadBackup::Text => {
            let path = dir.path().join("notes.txt");
            std::fs::write(&path, "这不是数据库".repeat(100)).unwrap();
            path
        }
        BadBackup::Foreign => {
            let path = dir.path().join("other.sqlite");
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch("CREATE TABLE photos (id INTEGER PRIMARY KEY);")
                .unwrap();
            path
        }
        BadBackup::Newer => {
            rusqlite::Connection::open(&good)
                .unwrap()
                .pragma_update(None, "user_version", 99)
                .unwrap();
            good.clone()
        }
        BadBackup::Missing => dir.path().join("backups").join("gone.sqlite"),
        BadBackup::TheShopItself => db.clone(),
    };
    let before = afterdesk_store::list_backups(&db).unwrap();
    let err = afterdesk_store::restore_backup(&db, &candidate, now()).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
    assert!(
        err.to_string().contains(&candidate.display().to_string()),
        "the message names the file: {err}"
    );
    assert_eq!(
        afterdesk_store::list_backups(&db).unwrap(),
        before,
        "nothing is written when the backup is refused, not even a safety backup"
    );
    let store = Store::open_without_daily_backup(&db, device(), now()).unwrap();
    assert_eq!(total(&store), 2_100, "the shop's data is unchanged");
}
