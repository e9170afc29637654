//! `afterdesk classify`, `afterdesk draft` and `afterdesk scripts import` as a script
//! drives them: the JSON shapes of issue 5 and clear Chinese errors for bad files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use rstest::rstest;
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-20T09:00:00+08:00";

fn afterdesk(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", "test-device")
        .env_remove("AFTERDESK_DB")
        .env("AFTERDESK_AGENT", "小王")
        .arg("--db")
        .arg(db)
        .args(["--now", NOW, "--json"]);
    cmd
}

fn ok_json(db: &Path, args: &[&str]) -> Value {
    let out = afterdesk(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "afterdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    k.sort_unstable();
    k
}

#[rstest]
#[case::missing_part("东西少了一个配件", "wrong_or_missing_item")]
#[case::traditional("退款什麼時候到賬？都三天了😭", "refund_progress")]
#[case::greeting("在吗", "other")]
fn classify_json(#[case] message: &str, #[case] want: &str) {
    let dir = tempfile::tempdir().unwrap();
    let c = ok_json(&dir.path().join("shop.sqlite"), &["classify", message]);
    assert_eq!(
        keys(&c),
        ["alternatives", "confidence", "kind"],
        "classify gives kind, confidence and alternatives"
    );
    assert_eq!(c["kind"], want, "“{message}” classifies as {want}");
    let alternatives = c["alternatives"].as_array().unwrap();
    assert_eq!(alternatives.len(), 2, "two alternatives");
    for a in alternatives {
        assert_eq!(
            keys(a),
            ["confidence", "kind"],
            "an alternative is a kind and a confidence"
        );
    }
    insta::assert_json_snapshot!(format!("classify_{want}"), c);
}

/// A store with the generated refund export imported; returns the database and the order
/// number of its first case.
fn shop_with_cases(dir: &Path) -> (PathBuf, String) {
    let db = dir.join("shop.sqlite");
    let file = dir.join("天猫退款导出.csv");
    afterdesk(&db)
        .args(["gen-export", "--rows", "30", "--out"])
        .arg(&file)
        .assert()
        .success();
    ok_json(&db, &["import", file.to_str().unwrap()]);
    let list = ok_json(&db, &["cases", "list", "--limit", "50"]);
    let case = list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["refund_no"] == "200000000000000001")
        .unwrap();
    (db, case["order_no"].as_str().unwrap().to_owned())
}

#[test]
fn draft_json() {
    let dir = tempfile::tempdir().unwrap();
    let (db, order_no) = shop_with_cases(dir.path());
    let plain = ok_json(&db, &["draft", "--case", &order_no]);
    for key in ["text", "script_ids", "unfilled", "lint"] {
        assert!(
            plain.get(key).is_some(),
            "draft gives {key}: {}",
            keys(&plain).join(",")
        );
    }
    assert!(
        plain["script_ids"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_str().is_some_and(|s| s.contains('@'))),
        "script ids carry their version"
    );
    insta::assert_json_snapshot!("draft_plain", plain);

    let with_message = ok_json(
        &db,
        &[
            "draft",
            "--case",
            &order_no,
            "--message",
            "東西少了一個配件，麻煩處理一下",
            "--stage",
            "first_reply",
        ],
    );
    assert_eq!(
        with_message["kind"], "wrong_or_missing_item",
        "a sure message decides the scenario"
    );
    assert!(
        with_message["text"].as_str().unwrap().contains("您"),
        "the draft speaks to the buyer"
    );
    for lint in with_message["lint"].as_array().unwrap() {
        assert_eq!(
            keys(lint),
            ["message", "rule"],
            "a lint is a rule and a message"
        );
    }
    insta::assert_json_snapshot!("draft_traditional_message", with_message);
}

const SHEET: &str = "售后考核题
1、买家反馈收到的商品有破损，客服首先应该（ ）
A、道歉并请买家拍照 B、让买家找快递
答案：A
客户：我收到货了，但是大小不合适，怎么换货？ 客服：____
“亲，给您添麻烦了，我们已经联系快递加急处理，明天中午前给您答复。”
第1页/共1页
";

#[test]
fn scripts_import_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let file = dir.path().join("考核题.txt");
    std::fs::write(&file, SHEET).unwrap();
    let mut report = ok_json(&db, &["scripts", "import", file.to_str().unwrap()]);
    assert_eq!(
        report["counts"],
        serde_json::json!({"scripts": 1, "questions": 1, "exercises": 1, "skipped": 2}),
        "counts of scripts, questions, exercises and skipped lines"
    );
    for key in [
        "scripts",
        "questions",
        "exercises",
        "skipped",
        "skipped_by_reason",
    ] {
        assert!(report[key].is_array() || report[key].is_object(), "{key}");
    }
    // The temporary path differs on every run.
    report["file"] = Value::from("考核题.txt");
    insta::assert_json_snapshot!("scripts_import_sheet", report);

    let docx = dir.path().join("培训.docx");
    afterdesk_fixtures::write_training_docx(&docx, 4, 1).unwrap();
    let report = ok_json(&db, &["scripts", "import", docx.to_str().unwrap()]);
    assert_eq!(
        report["counts"]["questions"], 6,
        "a generated Word document's questions are found"
    );
}

#[test]
fn a_gbk_text_file_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    let file = dir.path().join("话术-gbk.txt");
    std::fs::write(&file, encoding_rs::GBK.encode(SHEET).0).unwrap();
    let report = ok_json(&db, &["scripts", "import", file.to_str().unwrap()]);
    assert_eq!(
        report["counts"]["questions"], 1,
        "a GBK file reads as well as a UTF-8 one"
    );
    assert!(
        report["scripts"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("亲，给您添麻烦了"),
        "GBK text is decoded, not mojibake"
    );
}

#[rstest]
#[case::missing("不存在.txt", None, "file_not_found", "找不到文件")]
#[case::empty("空.txt", Some(Vec::new()), "document_empty", "没有可导入的文字")]
#[case::not_text("乱码.txt", Some(vec![0xB0, 0xA1, 0x00, 0xFF, 0xFE, 0x00, 0x81]), "encoding_unknown", "编码无法识别")]
#[case::corrupt_docx("损坏.docx", Some(b"PK\x03\x04broken".to_vec()), "document_corrupt", "不是有效的 Office 文件")]
#[case::corrupt_pptx("损坏.pptx", Some(b"not a deck".to_vec()), "document_corrupt", "不是有效的 Office 文件")]
#[case::unsupported("培训.pdf", Some(b"%PDF-1.7".to_vec()), "unsupported_type", "不支持的文件类型")]
fn bad_files_give_a_clear_chinese_error(
    #[case] name: &str,
    #[case] bytes: Option<Vec<u8>>,
    #[case] code: &str,
    #[case] words: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    if let Some(bytes) = bytes {
        std::fs::write(&file, bytes).unwrap();
    }
    let out = afterdesk(&dir.path().join("shop.sqlite"))
        .args(["scripts", "import"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a bad file fails the command");
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], code, "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(words) && message.contains(name),
        "the error says what is wrong ({words}) and names the file: {message}"
    );
}
