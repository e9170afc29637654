//! The `afterdesk` binary as a user and a script drive it, against real SQLite files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-20T09:00:00+08:00";
const LATER: &str = "2026-11-23T09:00:00+08:00";

struct Shop {
    dir: tempfile::TempDir,
}

impl Shop {
    fn new() -> Shop {
        Shop {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("shop.sqlite")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self, now: &str) -> Command {
        let mut cmd = Command::cargo_bin("afterdesk").unwrap();
        cmd.env("AFTERDESK_DEVICE", "test-device")
            .env_remove("AFTERDESK_DB")
            .env("AFTERDESK_AGENT", "小王")
            .arg("--db")
            .arg(self.db())
            .args(["--now", now]);
        cmd
    }

    /// Runs a command with `--json` and returns its document, asserting success.
    fn json(&self, now: &str, args: &[&str]) -> Value {
        let out = self.cmd(now).arg("--json").args(args).output().unwrap();
        assert!(
            out.status.success(),
            "afterdesk {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("stdout of {args:?} is not one JSON document: {e}"))
    }

    fn generate(&self, name: &str, extra: &[&str]) -> PathBuf {
        let path = self.path(name);
        self.cmd(NOW)
            .args(["gen-export", "--out"])
            .arg(&path)
            .args(extra)
            .assert()
            .success();
        path
    }

    fn total(&self, extra: &[&str]) -> u64 {
        let mut args = vec!["cases", "list", "--all"];
        args.extend_from_slice(extra);
        self.json(NOW, &args)["total"].as_u64().unwrap()
    }
}

fn import_summary(report: &Value) -> Value {
    serde_json::json!({
        "rows": report["rows"], "created": report["created"], "updated": report["updated"],
        "unchanged": report["unchanged"], "error_count": report["error_count"], "errors": report["errors"],
        "format": report["format"], "kind": report["kind"], "platform": report["platform"],
    })
}

#[test]
fn first_hour_import_then_reimport_a_later_export() {
    let shop = Shop::new();
    let file = shop.generate(
        "天猫退款导出.csv",
        &["--rows", "60", "--encoding", "gbk", "--bad-every", "20"],
    );
    let report = shop.json(NOW, &["import", file.to_str().unwrap()]);
    insta::assert_json_snapshot!("first_import", import_summary(&report));

    let open = shop.json(NOW, &["cases", "list", "--limit", "500"]);
    let first = open["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["refund_no"] == "200000000000000001")
        .unwrap()
        .clone();
    assert_eq!(
        first["order_no"], "2938475610000000000",
        "19-digit order numbers are exact"
    );
    assert_eq!(
        first["platform"], "tmall",
        "the file name names the platform"
    );
    assert_eq!(first["kind"], "refund_unshipped");
    assert_eq!(
        first["requested_at"].as_str().unwrap().len(),
        25,
        "instants print as RFC 3339 with +08:00"
    );
    assert!(first["refund_fen"].is_i64(), "money is integer fen");

    // The shop works on a case, then a later export arrives.
    shop.json(
        NOW,
        &["case", "note", "200000000000000001", "已联系买家，等待回复"],
    );
    shop.json(
        NOW,
        &[
            "case",
            "set",
            "200000000000000001",
            "--flag",
            "red",
            "--assignee",
            "小李",
        ],
    );
    let later = shop.generate(
        "天猫退款导出-later.csv",
        &["--rows", "60", "--later", "--bad-every", "20"],
    );
    let report = shop.json(LATER, &["import", later.to_str().unwrap()]);
    assert_eq!(
        report["created"], 0,
        "no duplicates: every refund number already exists"
    );
    assert_eq!(
        report["updated"].as_u64().unwrap() + report["unchanged"].as_u64().unwrap(),
        57
    );
    assert_eq!(
        shop.total(&[]),
        57,
        "the store still holds one case per refund number"
    );

    let shown = shop.json(NOW, &["case", "show", "200000000000000001"]);
    assert_eq!(
        shown["case"]["flag"], "red",
        "the flag survives the re-import"
    );
    assert_eq!(shown["case"]["assignee"], "小李");
    assert_eq!(shown["notes"][0]["text"], "已联系买家，等待回复");
    assert_eq!(shown["notes"][0]["author"], "小王");

    let again = shop.json(LATER, &["import", later.to_str().unwrap()]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0)),
        "importing the same file twice changes nothing"
    );
}

#[test]
fn xlsx_and_utf8_bom_import_the_same_cases() {
    let a = Shop::new();
    let xlsx = a.generate("refunds.xlsx", &["--rows", "30", "--format", "xlsx"]);
    assert_eq!(
        a.json(NOW, &["import", xlsx.to_str().unwrap()])["created"],
        30
    );
    let b = Shop::new();
    let bom = b.generate("refunds.csv", &["--rows", "30", "--encoding", "utf8-bom"]);
    assert_eq!(
        b.json(NOW, &["import", bom.to_str().unwrap()])["created"],
        30
    );
    let list = |s: &Shop| {
        let v = s.json(NOW, &["cases", "list", "--all", "--limit", "100"]);
        v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["refund_no"].clone(),
                    c["refund_fen"].clone(),
                    c["kind"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        list(&a),
        list(&b),
        "the same export in two formats gives the same cases"
    );
}

#[test]
fn orders_link_to_cases() {
    let shop = Shop::new();
    let refunds = shop.generate("r.csv", &["--rows", "5"]);
    let orders = shop.generate("o.csv", &["--rows", "5", "--kind", "orders"]);
    shop.json(NOW, &["import", refunds.to_str().unwrap()]);
    let report = shop.json(
        NOW,
        &["import", orders.to_str().unwrap(), "--expect", "orders"],
    );
    assert_eq!(
        (report["kind"].as_str(), report["created"].as_u64()),
        (Some("orders"), Some(5))
    );
    let again = shop.json(NOW, &["import", orders.to_str().unwrap()]);
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(5)),
        "re-importing orders changes nothing"
    );
    let shown = shop.json(NOW, &["case", "show", "2938475610000000013"]);
    assert_eq!(
        shown["order"]["order_no"], "2938475610000000013",
        "a case shows its order"
    );
}

#[test]
fn filters_search_and_hand_made_cases() {
    let shop = Shop::new();
    let file = shop.generate("r.csv", &["--rows", "48"]);
    shop.json(NOW, &["import", file.to_str().unwrap()]);
    assert_eq!(
        shop.total(&["--kind", "damaged_in_transit"]),
        4,
        "one in twelve generated rows is damage"
    );
    assert_eq!(
        shop.total(&["--search", "破损"]),
        4,
        "a two-character search matches"
    );
    let added = shop.json(
        NOW,
        &[
            "case",
            "add",
            "--order-no",
            "3001234567890123456",
            "--buyer",
            "新买家",
            "--amount",
            "￥25.50",
            "--kind",
            "invoice",
            "--note",
            "买家要发票",
        ],
    );
    assert_eq!(added["case"]["kind_source"], "manual");
    assert_eq!(added["case"]["refund_fen"], 2550);
    assert_eq!(
        shop.total(&["--search", "要发票"]),
        1,
        "notes are searchable"
    );
    shop.json(
        NOW,
        &["case", "set", "3001234567890123456", "--flag", "blue"],
    );
    assert_eq!(shop.total(&["--flag", "blue"]), 1);
    shop.cmd(NOW)
        .args(["case", "delete", "3001234567890123456"])
        .assert()
        .success();
    assert_eq!(
        shop.total(&["--flag", "blue"]),
        0,
        "a deleted case leaves the list"
    );
    shop.json(NOW, &["case", "restore", "3001234567890123456"]);
    assert_eq!(
        shop.total(&["--flag", "blue"]),
        1,
        "restore undoes the delete"
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1_with_a_clear_message() {
    let shop = Shop::new();
    shop.cmd(NOW)
        .args(["cases", "list", "--kind", "nonsense"])
        .assert()
        .code(2);
    shop.cmd(NOW).args(["frobnicate"]).assert().code(2);
    let out = shop
        .cmd(NOW)
        .args(["--json", "import"])
        .arg(shop.path("missing.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout when a command fails"
    );
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "file_unreadable");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing.csv"),
        "the message names the file"
    );
    let out = shop
        .cmd(NOW)
        .args(["case", "show", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("找不到售后单"));
}

#[test]
fn a_wrong_file_is_refused_and_loses_no_stored_data() {
    let shop = Shop::new();
    let good = shop.generate("r.csv", &["--rows", "10"]);
    shop.json(NOW, &["import", good.to_str().unwrap()]);
    let cases = [
        ("binary.csv", vec![0u8, 159, 146, 150, 255, 0, 1, 2, 3]),
        (
            "contacts.csv",
            "姓名,电话\n张三,13800000000\n".as_bytes().to_vec(),
        ),
        ("latin1.csv", b"Nr,Name\n1,M\xfcller\n".to_vec()),
    ];
    for (name, bytes) in cases {
        let path = shop.path(name);
        std::fs::write(&path, bytes).unwrap();
        let out = shop
            .cmd(NOW)
            .args(["--json", "import"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name} must be refused");
        let err: Value = serde_json::from_slice(&out.stderr).unwrap();
        assert_eq!(err["error"]["code"], "not_an_export", "{name}");
        assert_eq!(
            shop.total(&[]),
            10,
            "a refused {name} leaves the stored cases untouched"
        );
    }
    let orders = shop.generate("o.csv", &["--rows", "3", "--kind", "orders"]);
    let out = shop
        .cmd(NOW)
        .args(["--json", "import", "--expect", "refunds"])
        .arg(&orders)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "an order list is refused where refunds are expected"
    );
}

fn integrity_and_count(db: &Path) -> (Vec<String>, u64) {
    let store = afterdesk_store::Store::open(
        db,
        afterdesk_case::DeviceId("check".into()),
        chrono::Utc::now(),
    )
    .unwrap();
    let total = store
        .list_cases(&afterdesk_store::CaseQuery::default())
        .unwrap()
        .total;
    (store.integrity_check().unwrap(), total)
}

/// What a killed import could leave half-written: every table an import writes, counted.
#[derive(Debug, PartialEq, Eq)]
struct Written {
    cases: i64,
    events: i64,
    orders: i64,
    import_runs: i64,
    search_rows: i64,
}

fn written(db: &Path) -> Written {
    let conn = rusqlite::Connection::open(db).unwrap();
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    Written {
        cases: count("cases"),
        events: count("case_events"),
        orders: count("orders"),
        import_runs: count("import_runs"),
        search_rows: count("case_search"),
    }
}

/// Tells from a progress line whether to kill the import.
type KillWhen = dyn Fn(&str) -> bool;

/// Starts `afterdesk import --progress` on `file` and kills it without warning once
/// `kill_when` returns true for a progress line, `delay` later. Returns whether it was
/// killed before finishing.
fn kill_import(shop: &Shop, file: &Path, kill_when: &KillWhen, delay: u64) -> bool {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("afterdesk"))
        .env("AFTERDESK_DEVICE", "test-device")
        .arg("--db")
        .arg(shop.db())
        .args(["--now", LATER, "import", "--progress"])
        .arg(file)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let mut seen = false;
    while let Some(Ok(line)) = lines.next() {
        if kill_when(&line) {
            seen = true;
            break;
        }
    }
    assert!(seen, "the import reached the point to kill it at");
    std::thread::sleep(std::time::Duration::from_millis(delay));
    child.kill().unwrap();
    !child.wait().unwrap().success()
}

#[test]
fn a_process_killed_mid_import_or_mid_commit_leaves_all_or_nothing() {
    let shop = Shop::new();
    // The small file's refunds are the first rows of the big one, which moves them on:
    // the big import updates them (history) and creates the rest (cases, search rows).
    let small = shop.generate("small.csv", &["--rows", "25", "--seed", "1"]);
    shop.json(NOW, &["import", small.to_str().unwrap()]);
    let orders = shop.generate(
        "orders.csv",
        &["--rows", "25", "--seed", "1", "--kind", "orders"],
    );
    shop.json(NOW, &["import", orders.to_str().unwrap()]);
    let before = written(&shop.db());
    let big = shop.generate("big.csv", &["--rows", "150000", "--seed", "1", "--later"]);
    const ROWS_TOTAL: &str = "progress 150000 rows";
    // (when to kill, how long after, what it may leave)
    let table: &[(&str, &KillWhen, u64)] = &[
        (
            "mid rows",
            &|line: &str| line.starts_with("progress 6000 rows"),
            0,
        ),
        // The progress line for the last row is printed just before the commit starts
        // (history, search index, statistics, COMMIT); these kills land inside it.
        ("at commit", &|line: &str| line.starts_with(ROWS_TOTAL), 0),
        (
            "into commit",
            &|line: &str| line.starts_with(ROWS_TOTAL),
            150,
        ),
        (
            "late in commit",
            &|line: &str| line.starts_with(ROWS_TOTAL),
            600,
        ),
    ];
    for (name, when, delay) in table {
        let killed = kill_import(&shop, &big, when, *delay);
        let (integrity, _) = integrity_and_count(&shop.db());
        assert_eq!(
            integrity,
            ["ok"],
            "{name}: PRAGMA integrity_check must pass after the kill"
        );
        let after = written(&shop.db());
        if killed {
            assert_eq!(
                after, before,
                "{name}: a killed import leaves no partial cases, history, orders, search rows or import runs"
            );
        } else {
            assert_eq!(
                (after.cases, after.import_runs),
                (150_000, before.import_runs + 1),
                "{name}: an import that finished before the kill landed whole"
            );
            return;
        }
    }
}

#[test]
fn control_characters_from_an_export_never_reach_the_terminal() {
    let shop = Shop::new();
    let file = shop.path("退款导出.csv");
    std::fs::write(
        &file,
        "退款编号,订单编号,买家会员名,宝贝标题,退款状态,退款的申请时间\n\
         200000000000000001,4100000000000000001,\"坏人\x1b[2J\x1b]0;x\x07\",\"标题\u{202E}gpj.exe\",买家已经申请退款，等待卖家同意,2026-11-18 10:00:00\n",
    )
    .unwrap();
    shop.json(NOW, &["import", file.to_str().unwrap()]);
    for args in [
        vec!["cases", "list"],
        vec!["case", "show", "200000000000000001"],
    ] {
        let out = shop.cmd(NOW).args(&args).output().unwrap();
        assert!(out.status.success(), "afterdesk {args:?} works");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains('\x1b') && !text.contains('\x07') && !text.contains('\u{202E}'),
            "afterdesk {args:?}: no raw escape, bell or bidi override is printed: {text:?}"
        );
        assert!(
            text.contains("坏人\\u{1b}[2J"),
            "afterdesk {args:?}: the hazard is shown escaped, so the user sees it: {text}"
        );
    }
    let json = shop.json(NOW, &["case", "show", "200000000000000001"]);
    assert_eq!(
        json["case"]["buyer_nick"], "坏人\x1b[2J\x1b]0;x\x07",
        "the stored text itself is kept exactly, only the terminal output is escaped"
    );
}
