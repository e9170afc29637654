//! `afterdesk clocks` and `afterdesk calendar` as a script drives them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use chrono::DateTime;
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-20T09:00:00+08:00";
const LATER: &str = "2026-11-21T15:00:00+08:00";

fn cmd(db: &Path, now: &str, tz: &str) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", "test-device")
        .env_remove("AFTERDESK_DB")
        .env("TZ", tz)
        .arg("--db")
        .arg(db)
        .args(["--now", now]);
    cmd
}

fn json(db: &Path, now: &str, tz: &str, args: &[&str]) -> Value {
    let out = cmd(db, now, tz).arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "afterdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let export = dir.path().join("refunds.csv");
    cmd(&db, NOW, "UTC")
        .args(["gen-export", "--rows", "120", "--out"])
        .arg(&export)
        .assert()
        .success();
    cmd(&db, NOW, "UTC")
        .arg("import")
        .arg(&export)
        .assert()
        .success();
    (dir, db)
}

#[test]
fn clocks_are_china_time_whatever_the_computer_zone() {
    let (_dir, db) = shop();
    let args = ["clocks", "--limit", "1000"];
    let new_york = json(&db, LATER, "America/New_York", &args);
    let shanghai = json(&db, LATER, "Asia/Shanghai", &args);
    let utc = json(&db, LATER, "UTC", &args);
    assert_eq!(
        new_york, shanghai,
        "the computer's zone must not change any clock"
    );
    assert_eq!(
        new_york, utc,
        "the computer's zone must not change any clock"
    );
    let clocks = new_york["clocks"].as_array().unwrap();
    assert!(!clocks.is_empty(), "the generated shop has running clocks");
    for c in clocks {
        for key in ["case_id", "clock", "due", "state", "warnings"] {
            assert!(c.get(key).is_some(), "every clock has `{key}`: {c}");
        }
        let due = c["due"].as_str().unwrap();
        assert!(
            due.ends_with("+08:00"),
            "due is RFC 3339 in China time: {due}"
        );
        let start = DateTime::parse_from_rfc3339(c["start"].as_str().unwrap()).unwrap();
        let due = DateTime::parse_from_rfc3339(due).unwrap();
        let hours = (due - start).num_hours();
        match c["length"].as_str().unwrap() {
            "5 天" => assert_eq!(hours, 120, "a 5-day clock is 120 h: {c}"),
            "72 小时" => assert_eq!(hours, 72, "a 72-hour clock is 72 h: {c}"),
            "24 小时" => assert_eq!(hours, 24, "a 24-hour clock is 24 h: {c}"),
            _ => {}
        }
    }
    let states: Vec<&str> = clocks
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"overdue") && states.contains(&"running"),
        "a day and a half after the export some clocks run and some are overdue: {states:?}"
    );
    let case_id = clocks[0]["case_id"].as_str().unwrap();
    let one = json(
        &db,
        LATER,
        "America/New_York",
        &["clocks", "--case", case_id],
    );
    assert!(
        one["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["case_id"] == case_id),
        "--case lists only that case's clocks"
    );
    assert_eq!(
        one["summary"]["next"], clocks[0]["clock"],
        "the dashboard's first clock is that case's next deadline"
    );
}

#[test]
fn calendar_import_list_and_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let good = dir.path().join("2027.toml");
    std::fs::write(
        &good,
        "year = 2027\nsource = \"测试\"\n\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-01\"\n",
    )
    .unwrap();
    let imported = json(
        &db,
        NOW,
        "UTC",
        &["calendar", "import", good.to_str().unwrap()],
    );
    assert_eq!(imported["year"], 2027, "the import reports the year");
    let years = json(&db, NOW, "UTC", &["calendar", "list"]);
    insta::assert_json_snapshot!("calendar_list", years);

    let bad = dir.path().join("2028.toml");
    std::fs::write(
        &bad,
        "year = 2028\n\n[[holiday]]\nname = \"元旦\"\nfrom = \"2028-01-01\"\nto = \"2028-01-01\"\nmake_up = [\"2028-01-05\"]\n",
    )
    .unwrap();
    let out = cmd(&db, NOW, "UTC")
        .args(["--json", "calendar", "import"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a make-up day on a Wednesday is refused"
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "calendar_invalid", "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("第 7 行") && message.contains("holiday[1].make_up"),
        "the message names line and field: {message}"
    );
}

#[test]
fn shop_overrides_show_in_the_rules_and_a_broken_file_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let rules = dir.path().join("clock-rules.toml");
    std::fs::write(&rules, "[override.refund_response]\ndays = 3\n").unwrap();
    let pack = json(&db, NOW, "UTC", &["clocks", "--rules"]);
    let refund = pack["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "refund_response")
        .unwrap();
    assert_eq!(
        refund["length"],
        serde_json::json!({ "days": 3 }),
        "override applied"
    );
    assert_eq!(
        refund["default_length"],
        serde_json::json!({ "days": 5 }),
        "pack value kept"
    );
    assert_eq!(
        refund["overridden"],
        serde_json::json!(["length"]),
        "override reported"
    );

    std::fs::write(&rules, "[override.refund_response]\ndays = \"three\"\n").unwrap();
    let out = cmd(&db, NOW, "UTC")
        .args(["--json", "clocks", "--rules"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "a broken rule file does not stop the clocks"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("clock-rules.toml")
            && stderr.contains("第 2 行")
            && stderr.contains("override.refund_response.days"),
        "the warning names file, line and field: {stderr}"
    );
    let pack: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        pack["pack"]["overrides"],
        Value::Null,
        "the bundled pack is used"
    );
}
