//! `afterdesk backup`, `backup list` and `backup restore` against real SQLite files, a shop
//! refused on open, the synced-folder warning, and a process killed mid-backup.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-20T09:00:00+08:00";
const NEXT_DAY: &str = "2026-11-21T09:00:00+08:00";
const LATER: &str = "2026-11-21T15:00:00+08:00";

fn afterdesk(db: &Path, now: &str) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", "test-device")
        .env_remove("AFTERDESK_DB")
        .env("AFTERDESK_AGENT", "小王")
        .arg("--db")
        .arg(db)
        .args(["--now", now]);
    cmd
}

/// Runs a command with `--json`, asserting success, and returns its document and stderr.
fn json(db: &Path, now: &str, args: &[&str]) -> (Value, String) {
    let out = afterdesk(db, now)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "afterdesk {args:?} failed: {stderr}");
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout of {args:?} is not one JSON document: {e}"));
    (doc, stderr)
}

/// Runs a command with `--json`, asserting failure, and returns the error document.
fn failure(db: &Path, now: &str, args: &[&str]) -> Value {
    let out = afterdesk(db, now)
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "afterdesk {args:?} must fail");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout when a command fails"
    );
    serde_json::from_slice(&out.stderr).unwrap()
}

/// A shop at `db` with `rows` imported refunds.
fn shop(db: &Path, rows: usize) {
    let export = db.with_file_name("refunds.csv");
    afterdesk(db, NOW)
        .args(["gen-export", "--out"])
        .arg(&export)
        .args(["--rows", &rows.to_string()])
        .assert()
        .success();
    json(db, NOW, &["import", export.to_str().unwrap()]);
}

fn total(db: &Path) -> u64 {
    json(db, LATER, &["cases", "list", "--all", "--limit", "1"]).0["total"]
        .as_u64()
        .unwrap()
}

fn backups(db: &Path) -> Vec<Value> {
    json(db, LATER, &["backup", "list"])
        .0
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn restore_brings_back_exactly_the_backup_and_keeps_a_safety_copy() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    shop(&db, 40);
    let (list, _) = json(&db, NEXT_DAY, &["backup"]);
    let manual = list
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["reason"] == "manual")
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    json(
        &db,
        NEXT_DAY,
        &["case", "add", "--refund-no", "R-after-backup"],
    );
    assert_eq!(total(&db), 41);

    let (restored, _) = json(&db, LATER, &["backup", "restore", &manual]);
    assert_eq!(restored["cases"], 40, "exactly the backup's cases");
    let safety = restored["safety_backup"].as_str().unwrap();
    assert!(safety.ends_with("-before-restore.sqlite"), "{safety}");
    assert_eq!(total(&db), 40);
    failure(&db, LATER, &["case", "show", "R-after-backup"]);
    assert!(
        backups(&db)
            .iter()
            .any(|b| b["reason"] == "before-restore" && b["path"] == safety),
        "the safety backup is listed"
    );

    // And back again from the safety backup: nothing was lost to the restore.
    json(&db, LATER, &["backup", "restore", safety]);
    assert_eq!(total(&db), 41, "the safety backup holds the replaced data");
}

#[test]
fn a_damaged_shop_is_refused_but_its_backups_can_be_listed_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    shop(&db, 600);
    // The next day's first opening writes the daily backup.
    assert_eq!(total(&db), 600);
    let daily = backups(&db)[0]["path"].as_str().unwrap().to_owned();
    {
        use std::io::{Seek, SeekFrom, Write};
        let len = std::fs::metadata(&db).unwrap().len();
        let mut file = std::fs::OpenOptions::new().write(true).open(&db).unwrap();
        file.seek(SeekFrom::Start(len / 4096 / 2 * 4096)).unwrap();
        file.write_all(&[0x5a; 4 * 4096]).unwrap();
    }
    let err = failure(&db, LATER, &["cases", "list"]);
    assert_eq!(err["error"]["code"], "shop_damaged");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("afterdesk backup restore"),
        "the message says how to restore: {message}"
    );
    assert_eq!(backups(&db).len(), 1, "backup list works on a damaged shop");

    let (restored, _) = json(&db, LATER, &["backup", "restore", &daily]);
    assert_eq!(restored["cases"], 600);
    assert_eq!(total(&db), 600, "the shop opens again");
}

#[test]
fn a_bad_backup_is_refused_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    shop(&db, 5);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "不是备份").unwrap();
    let err = failure(&db, LATER, &["backup", "restore", text.to_str().unwrap()]);
    assert_eq!(err["error"]["code"], "not_a_backup");
    assert_eq!(total(&db), 5, "nothing changed");
}

#[test]
fn a_shop_in_a_synced_folder_opens_with_a_warning_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("Dropbox").join("店铺").join("shop.sqlite");
    let out = afterdesk(&db, NOW)
        .args(["cases", "list"])
        .output()
        .unwrap();
    assert!(out.status.success(), "the shop still opens");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("警告") && stderr.contains("Dropbox") && stderr.contains("团队同步"),
        "the warning names the client and says team sync is coming: {stderr}"
    );
    let (_, stderr) = json(&db, NOW, &["cases", "list"]);
    let warning: Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(warning["warning"]["code"], "synced_folder");
    assert_eq!(warning["warning"]["client"], "dropbox");

    let plain = dir.path().join("shops").join("shop.sqlite");
    let out = afterdesk(&plain, NOW)
        .args(["cases", "list"])
        .output()
        .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("警告"),
        "no warning outside a synced folder"
    );
}

/// The case count and integrity of a database, read with the store.
fn check(db: &Path) -> (Vec<String>, u64) {
    let store = afterdesk_store::Store::open_without_daily_backup(
        db,
        afterdesk_case::DeviceId("check".into()),
        chrono::Utc::now(),
    )
    .unwrap();
    let total = store
        .list_cases(&afterdesk_store::CaseQuery {
            open: None,
            ..Default::default()
        })
        .unwrap()
        .total;
    (store.integrity_check().unwrap(), total)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).map_or_else(|_| Vec::new(), |d| d.flatten().map(|e| e.path()).collect())
}

#[test]
fn a_process_killed_mid_backup_leaves_no_half_written_backup_and_the_shop_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    shop(&db, 40_000);
    let backup_dir = dir.path().join("backups");
    let (integrity, cases) = check(&db);
    assert_eq!(integrity, ["ok"]);

    let mut killed_mid_way = 0;
    for attempt in 0..5 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("afterdesk"))
            .env("AFTERDESK_DEVICE", "test-device")
            .arg("--db")
            .arg(&db)
            .args(["--now", &format!("2026-11-20T10:0{attempt}:00+08:00")])
            .arg("backup")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill without warning once a new file in the backups folder (whatever its name)
        // is being written.
        let before = files(&backup_dir);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut writing = false;
        while Instant::now() < deadline {
            if files(&backup_dir).iter().any(|p| {
                !before.contains(p) && std::fs::metadata(p).is_ok_and(|m| m.len() > 64 * 1024)
            }) {
                writing = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        child.kill().unwrap();
        let status = child.wait().unwrap();
        if writing && !status.success() {
            killed_mid_way += 1;
        }
        for entry in std::fs::read_dir(&backup_dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "sqlite") {
                let copy = backup_state(&path);
                assert_eq!(
                    copy,
                    (vec!["ok".to_owned()], cases),
                    "every file that looks like a backup is complete: {}",
                    path.display()
                );
            }
        }
        assert_eq!(
            check(&db),
            (vec!["ok".to_owned()], cases),
            "the shop is intact after the kill"
        );
    }
    assert!(
        killed_mid_way > 0,
        "at least one kill must land while the backup was being written"
    );
    // The next backup works, and the leftovers are never listed as backups.
    let (list, _) = json(&db, LATER, &["backup"]);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|b| b["path"].as_str().unwrap().ends_with(".sqlite")),
        "only complete backups are listed: {list}"
    );
}

/// Integrity and case count of a backup file, checked on a copy outside the backups
/// folder so that the check leaves the backup and its listing as they are.
fn backup_state(path: &Path) -> (Vec<String>, u64) {
    let copy = path
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("checked-copy.sqlite");
    std::fs::copy(path, &copy).unwrap();
    let opened = afterdesk_store::Store::open_without_daily_backup(
        &copy,
        afterdesk_case::DeviceId("check".into()),
        chrono::Utc::now(),
    );
    let result = match opened {
        Ok(store) => {
            drop(store);
            check(&copy)
        }
        // A half-written copy is refused on open: report why instead of panicking.
        Err(e) => (vec![format!("{}: {e}", e.code())], 0),
    };
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    result
}
