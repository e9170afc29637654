//! `afterdesk evidence …` and `afterdesk bench hash` as a script drives them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-11-20T09:00:00+08:00";

fn cmd(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", "test-device")
        .env_remove("AFTERDESK_DB")
        .env("AFTERDESK_AGENT", "小王")
        .arg("--db")
        .arg(dir.join("shop.sqlite"))
        .args(["--now", NOW]);
    cmd
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.arg("--json").output().unwrap();
    assert!(
        out.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn checklist_attach_list_and_package_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(cmd(d).args([
        "case",
        "add",
        "--refund-no",
        "R1",
        "--buyer",
        "<i>买家</i>",
        "--reason",
        "快递放驿站了没收到",
        "--kind",
        "not_received",
    ]));
    let checklist = json(cmd(d).args(["evidence", "checklist", "R1"]));
    assert_eq!(
        checklist["situations"][0]["key"], "signed_by_third_party",
        "a parcel station in the buyer's words means a third-party signing"
    );
    assert_eq!(
        checklist["readiness"]["summary"],
        "已备 0 / 共 2 项必备材料"
    );

    let file = d.join("代签证明.png");
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n0000").unwrap();
    let proof = json(
        cmd(d)
            .args(["evidence", "attach", "R1"])
            .arg(&file)
            .args(["--item", "signed_by_third_party.third_party_statement"]),
    );
    assert_eq!(proof["mime"], "image/png");
    assert_eq!(proof["already_stored"], false);
    let hash = proof["hash"].as_str().unwrap();
    assert!(
        d.join("evidence").join(&hash[..2]).join(hash).is_file(),
        "stored beside the db"
    );

    let list = json(cmd(d).args(["evidence", "list", "R1"]));
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let checklist = json(cmd(d).args(["evidence", "checklist", "R1"]));
    assert_eq!(checklist["readiness"]["ready"], 1);

    let package = json(
        cmd(d)
            .args(["evidence", "package", "R1", "--out"])
            .arg(d.join("out")),
    );
    assert_eq!(package["files"], 1);
    assert!(Path::new(package["path"].as_str().unwrap()).is_file());
}

#[test]
fn a_folder_is_refused_with_its_path_and_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(cmd(d).args([
        "case",
        "add",
        "--refund-no",
        "R2",
        "--kind",
        "quality_issue",
    ]));
    let out = cmd(d)
        .args(["--json", "evidence", "attach", "R2"])
        .arg(d)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a folder cannot be attached");
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["code"], "not_a_file", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&d.display().to_string()),
        "{error}"
    );
}

#[test]
fn the_hash_benchmark_agrees_with_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blob.bin");
    std::fs::write(&file, vec![42u8; 3 << 20]).unwrap();
    let report = json(cmd(dir.path()).args(["bench", "hash"]).arg(&file));
    assert_eq!(report["bytes"], 3 << 20);
    assert!(report["ours_mib_per_s"].as_f64().unwrap() > 0.0, "{report}");
}

#[test]
fn verify_reports_a_damaged_copy_attach_repairs_it_and_clean_lists_then_removes_orphans() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(cmd(d).args(["case", "add", "--refund-no", "R1", "--kind", "not_received"]));
    let file = d.join("底单.pdf");
    std::fs::write(&file, b"%PDF-1.4 the original").unwrap();
    let proof = json(cmd(d).args(["evidence", "attach", "R1"]).arg(&file));
    let hash = proof["hash"].as_str().unwrap().to_owned();
    let stored = d.join("evidence").join(&hash[..2]).join(&hash);
    std::fs::write(&stored, b"%PDF-1.4 the originaL").unwrap();

    let out = cmd(d)
        .args(["evidence", "verify", "--json"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a damaged file makes verify fail");
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check["damaged"][0]["hash"], hash.as_str(), "{check}");
    assert_eq!(
        check["damaged"][0]["proofs"][0]["original_name"],
        "底单.pdf"
    );

    let again = json(cmd(d).args(["evidence", "attach", "R1"]).arg(&file));
    assert_eq!(again["repaired"], true, "re-attaching the original repairs");
    assert_eq!(again["already_stored"], false);
    let check = json(cmd(d).args(["evidence", "verify"]));
    assert_eq!(check["damaged"], Value::Array(vec![]), "{check}");

    let orphan_hash = "ab".repeat(32);
    let orphan = d.join("evidence").join("ab").join(&orphan_hash);
    std::fs::create_dir_all(orphan.parent().unwrap()).unwrap();
    std::fs::write(&orphan, b"no record names this").unwrap();
    let three_days_before =
        chrono::DateTime::parse_from_rfc3339(NOW).unwrap() - chrono::Duration::days(3);
    for path in [&orphan, &stored] {
        std::fs::File::options()
            .append(true)
            .open(path)
            .unwrap()
            .set_modified(three_days_before.into())
            .unwrap();
    }
    let dry = json(cmd(d).args(["evidence", "clean", "--dry-run"]));
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        dry["unreferenced"][0]["hash"],
        orphan_hash.as_str(),
        "{dry}"
    );
    assert!(orphan.is_file(), "--dry-run removes nothing");
    let clean = json(cmd(d).args(["evidence", "clean"]));
    assert_eq!(
        clean["unreferenced"].as_array().map(Vec::len),
        Some(1),
        "{clean}"
    );
    assert!(!orphan.exists(), "the unreferenced file is removed");
    assert!(stored.is_file(), "the attached proof's file stays");
}
