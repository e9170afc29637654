//! The import rule for duplicate rows and older exports, and writers that meet each other
//! on one shop file (issue 11, findings 1, 5, 6 and 11), against a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{CaseFacts, DeviceId, Fen, Flag, OrderFacts, Platform};
use afterdesk_store::{CaseChange, ImportCounts, Store, StoreError, Upsert};
use chrono::{DateTime, Duration, Utc};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn china(text: &str) -> Option<DateTime<Utc>> {
    parse_china_time(text)
}

fn shop() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.sqlite");
    (dir, path)
}

fn open(path: &Path, device: &str) -> Store {
    Store::open(path, DeviceId(device.to_owned()), now()).unwrap()
}

/// One refund as an export at some stage shows it.
fn refund(no: &str, stage: Stage) -> CaseFacts {
    let mut facts = CaseFacts {
        refund_no: Some(no.to_owned()),
        order_no: Some(format!("4102938475610{no:0>5}")),
        buyer_nick: Some(format!("买家{no}")),
        item_title: Some("加厚珊瑚绒睡衣 粉色 M".to_owned()),
        reason_text: Some("七天无理由".to_owned()),
        return_needed: Some(true),
        refund: Some(Fen(8_900)),
        requested_at: china("2026-11-10 10:00:00"),
        ..CaseFacts::default()
    };
    match stage {
        Stage::Requested => {
            facts.refund_status_text = Some("买家已经申请退款，等待卖家同意".to_owned());
        }
        Stage::AwaitingReturn => {
            facts.refund_status_text = Some("卖家已经同意退款，等待买家退货".to_owned());
        }
        Stage::Succeeded => {
            facts.refund_status_text = Some("退款成功".to_owned());
            facts.return_shipped_at = china("2026-11-12 18:00:00");
            facts.completed_at = china("2026-11-15 09:30:00");
        }
        Stage::SucceededNoTimes => {
            facts.refund_status_text = Some("退款成功".to_owned());
        }
    }
    facts
}

#[derive(Debug, Clone, Copy)]
enum Stage {
    Requested,
    AwaitingReturn,
    Succeeded,
    /// 退款成功 in an export that has no time columns beyond the request time.
    SucceededNoTimes,
}

/// Imports rows as one file, rows numbered from 2 like a spreadsheet.
fn import(store: &mut Store, rows: &[CaseFacts], at: DateTime<Utc>) -> (Vec<Upsert>, ImportCounts) {
    let mut import = store.begin_import("测试员", "退款导出.csv", at).unwrap();
    let outcomes = rows
        .iter()
        .zip(2..)
        .map(|(f, row)| import.case(Platform::Tmall, f.clone(), row).unwrap())
        .collect();
    let counts = import.commit(&serde_json::json!({})).unwrap();
    (outcomes, counts)
}

/// Every timeline event and every case row, as text, to compare two shops or two moments.
fn snapshot(path: &Path) -> (Vec<String>, Vec<String>) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let events = conn
        .prepare("SELECT c.refund_no, e.field, ifnull(e.old, '∅'), ifnull(e.new, '∅') FROM case_events e JOIN cases c ON c.id = e.case_id ORDER BY c.refund_no, e.field")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{} {} {}→{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let cases = conn
        .prepare("SELECT refund_no, refund_status_text, open, ifnull(completed_at, 0), updated_at FROM cases ORDER BY refund_no")
        .unwrap()
        .query_map([], |r| {
            Ok(format!(
                "{} {} open={} completed={} updated={}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?
            ))
        })
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    (events, cases)
}

#[test]
fn within_one_file_the_row_furthest_along_wins_whatever_the_order() {
    // (name, rows of the file, the status the case must end at)
    let table: &[(&str, Vec<CaseFacts>, &str)] = &[
        (
            "older row first",
            vec![
                refund("1", Stage::AwaitingReturn),
                refund("1", Stage::Succeeded),
            ],
            "退款成功",
        ),
        (
            "newer row first",
            vec![
                refund("1", Stage::Succeeded),
                refund("1", Stage::AwaitingReturn),
            ],
            "退款成功",
        ),
        (
            "same times, the status further along wins",
            vec![
                refund("1", Stage::SucceededNoTimes),
                refund("1", Stage::Requested),
            ],
            "退款成功",
        ),
        (
            "same times, reversed",
            vec![
                refund("1", Stage::Requested),
                refund("1", Stage::SucceededNoTimes),
            ],
            "退款成功",
        ),
        (
            "three rows",
            vec![
                refund("1", Stage::AwaitingReturn),
                refund("1", Stage::Succeeded),
                refund("1", Stage::Requested),
            ],
            "退款成功",
        ),
    ];
    for (name, rows, status) in table {
        for existing in [false, true] {
            let (_dir, path) = shop();
            let mut store = open(&path, "a");
            if existing {
                import(&mut store, &[refund("1", Stage::Requested)], now());
            }
            let at = now() + Duration::hours(1);
            let (_, counts) = import(&mut store, rows, at);
            assert_eq!(
                counts.duplicates,
                rows.len() as u64 - 1,
                "{name} (existing: {existing}): every row but the winner is a duplicate"
            );
            assert_eq!(
                counts.created + counts.updated + counts.unchanged,
                1,
                "{name} (existing: {existing}): exactly one row per refund is applied: {counts:?}"
            );
            let case = store.find_case("1").unwrap();
            assert_eq!(
                case.facts.refund_status_text.as_deref(),
                Some(*status),
                "{name} (existing: {existing}): the winner's status is stored"
            );
            assert!(!case.open, "{name}: a finished refund closes the case");
            let before = snapshot(&path);
            let (_, again) = import(&mut store, rows, at + Duration::hours(1));
            let mut reversed = rows.clone();
            reversed.reverse();
            let (_, backwards) = import(&mut store, &reversed, at + Duration::hours(2));
            assert_eq!(
                snapshot(&path),
                before,
                "{name} (existing: {existing}): re-importing the file, in either row order, changes nothing and writes no history"
            );
            assert_eq!(
                (
                    again.updated,
                    backwards.updated,
                    again.created,
                    backwards.created
                ),
                (0, 0, 0, 0),
                "{name}: a re-import reports no changes"
            );
        }
    }
}

#[test]
fn the_first_import_of_a_file_gives_the_same_case_and_history_in_any_row_order() {
    let rows = vec![
        refund("7", Stage::AwaitingReturn),
        refund("7", Stage::Succeeded),
        refund("8", Stage::Succeeded),
        refund("8", Stage::Requested),
    ];
    let mut reversed = rows.clone();
    reversed.reverse();
    let mut results = Vec::new();
    for file in [&rows, &reversed] {
        let (_dir, path) = shop();
        let mut store = open(&path, "a");
        import(
            &mut store,
            &[refund("7", Stage::Requested), refund("8", Stage::Requested)],
            now(),
        );
        let (_, counts) = import(&mut store, file, now() + Duration::hours(1));
        assert_eq!(counts.updated, 2, "each refund updated once: {counts:?}");
        assert_eq!(counts.duplicates, 2, "one duplicate per refund: {counts:?}");
        results.push(snapshot(&path));
    }
    assert_eq!(
        results[0], results[1],
        "the order of rows in a file never changes the stored case or its history"
    );
    let (events, _) = &results[0];
    assert!(
        !events.iter().any(|e| e.contains("等待买家退货")),
        "a row that lost to another row of its file leaves no trace in the history: {events:?}"
    );
}

#[test]
fn an_older_export_never_moves_a_case_back() {
    let (_dir, path) = shop();
    let mut store = open(&path, "a");
    let newer: Vec<CaseFacts> = (0..20)
        .map(|i| refund(&format!("{}", 100 + i), Stage::Succeeded))
        .collect();
    let older: Vec<CaseFacts> = (0..20)
        .map(|i| {
            let stage = if i % 2 == 0 {
                Stage::AwaitingReturn
            } else {
                Stage::Requested
            };
            let mut f = refund(&format!("{}", 100 + i), stage);
            // The older export also has an older buyer note; it must not come back.
            f.buyer_note = Some("旧说明".to_owned());
            f
        })
        .collect();
    import(&mut store, &newer, now());
    let before = snapshot(&path);
    let (outcomes, counts) = import(&mut store, &older, now() + Duration::hours(2));
    assert!(
        outcomes.iter().all(|o| *o == Upsert::Older),
        "every row of the older export is recognised as older: {outcomes:?}"
    );
    assert_eq!(counts.older, 20, "and counted as such");
    assert_eq!(
        snapshot(&path),
        before,
        "a finished refund never reopens and no field goes back to an older export's value"
    );
    // A provably newer export (a later timestamp) still moves the case: here the platform
    // reopened the refund after an intervention.
    let mut reopened = refund("100", Stage::AwaitingReturn);
    reopened.intervened_at = china("2026-11-18 08:00:00");
    let (outcomes, _) = import(&mut store, &[reopened], now() + Duration::hours(3));
    assert_eq!(
        outcomes,
        [Upsert::Updated],
        "a row with later platform times is newer"
    );
    assert!(
        store.find_case("100").unwrap().open,
        "and its status is taken"
    );
}

#[test]
fn a_newer_export_moves_a_case_forward_and_the_history_says_so() {
    let (_dir, path) = shop();
    let mut store = open(&path, "a");
    import(&mut store, &[refund("5", Stage::AwaitingReturn)], now());
    let (outcomes, _) = import(
        &mut store,
        &[refund("5", Stage::Succeeded)],
        now() + Duration::hours(1),
    );
    assert_eq!(outcomes, [Upsert::Updated]);
    let detail = store.case_detail("5").unwrap();
    let fields: Vec<&str> = detail.events.iter().map(|e| e.field.as_str()).collect();
    for field in ["refund_status_text", "completed_at", "open"] {
        assert!(
            fields.contains(&field),
            "the timeline records the newer export's change of {field}: {fields:?}"
        );
    }
}

#[test]
fn duplicate_order_rows_give_one_order_whatever_the_order() {
    let order = |shipped: Option<&str>, status: &str| OrderFacts {
        order_no: "41029384756100001".to_owned(),
        buyer_nick: Some("买家甲".to_owned()),
        paid_at: china("2026-11-01 10:00:00"),
        shipped_at: shipped.and_then(china),
        status_text: Some(status.to_owned()),
        ..OrderFacts::default()
    };
    let rows = [
        order(None, "买家已付款，等待卖家发货"),
        order(Some("2026-11-02 16:00:00"), "卖家已发货"),
    ];
    let mut stored = Vec::new();
    for reversed in [false, true] {
        let (_dir, path) = shop();
        let mut store = open(&path, "a");
        let mut file = rows.to_vec();
        if reversed {
            file.reverse();
        }
        let mut import = store.begin_import("测试员", "订单导出.csv", now()).unwrap();
        for (facts, row) in file.into_iter().zip(2..) {
            import.order(facts, row).unwrap();
        }
        let counts = import.commit(&serde_json::json!({})).unwrap();
        assert_eq!(
            (counts.created, counts.duplicates),
            (1, 1),
            "one order per order number; the other row is a duplicate"
        );
        let conn = rusqlite::Connection::open(&path).unwrap();
        let status: String = conn
            .query_row("SELECT status_text FROM orders", [], |r| r.get(0))
            .unwrap();
        stored.push(status);
    }
    assert_eq!(
        stored,
        ["卖家已发货", "卖家已发货"],
        "the row shipped later wins in either order"
    );
}

#[test]
fn an_edit_never_undoes_an_import_committed_while_it_waited() {
    let (_dir, path) = shop();
    let mut app = open(&path, "app");
    import(&mut app, &[refund("9", Stage::AwaitingReturn)], now());
    let (started, wait_started) = mpsc::channel();
    let importer_path = path.clone();
    let importer = std::thread::spawn(move || {
        let mut cli = open(&importer_path, "cli");
        let mut import = cli
            .begin_import("测试员", "新导出.csv", now() + Duration::hours(1))
            .unwrap();
        import
            .case(Platform::Tmall, refund("9", Stage::Succeeded), 2)
            .unwrap();
        started.send(()).unwrap();
        // Hold the uncommitted import while the app's edit starts.
        std::thread::sleep(std::time::Duration::from_millis(400));
        import.commit(&serde_json::json!({})).unwrap();
    });
    wait_started.recv().unwrap();
    let change = CaseChange {
        flag: Some(Some(Flag::Red)),
        ..CaseChange::default()
    };
    app.change_case("9", &change, "小王", now() + Duration::hours(1))
        .unwrap();
    importer.join().unwrap();
    let case = app.find_case("9").unwrap();
    assert_eq!(case.flag, Some(Flag::Red), "the edit is stored");
    assert_eq!(
        case.facts.refund_status_text.as_deref(),
        Some("退款成功"),
        "the import committed during the edit is not undone by it"
    );
    assert!(!case.open, "nor is the case reopened");
}

#[test]
fn an_import_that_meets_another_writer_waits_instead_of_failing_after_the_work() {
    let (_dir, path) = shop();
    let mut cli = open(&path, "cli");
    import(&mut cli, &[refund("3", Stage::Requested)], now());
    let rows: Vec<CaseFacts> = (0..2_000)
        .map(|i| refund(&format!("{}", 10_000 + i), Stage::Requested))
        .collect();
    let mut import = cli.begin_import("测试员", "大导出.csv", now()).unwrap();
    // Another program edits a case while the import has begun but not yet written.
    let editor_path = path.clone();
    let editor = std::thread::spawn(move || {
        let mut app = open(&editor_path, "app");
        let change = CaseChange {
            assignee: Some(Some("小李".to_owned())),
            ..CaseChange::default()
        };
        app.change_case("3", &change, "小李", now()).map(|_| ())
    });
    std::thread::sleep(std::time::Duration::from_millis(200));
    for (facts, row) in rows.into_iter().zip(2..) {
        import.case(Platform::Tmall, facts, row).unwrap();
    }
    let counts = import.commit(&serde_json::json!({}));
    assert!(
        counts.is_ok(),
        "the import keeps the write lock it took at its start and commits: {counts:?}"
    );
    editor
        .join()
        .unwrap()
        .expect("the edit waited for the import and then went through");
    assert_eq!(
        cli.find_case("3").unwrap().assignee.as_deref(),
        Some("小李"),
        "both writers' changes are stored"
    );
    assert_eq!(
        cli.find_case("11999").unwrap().facts.refund,
        Some(Fen(8_900))
    );
}

#[test]
fn a_busy_shop_is_reported_as_locked_not_as_a_database_error() {
    let busy = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some("database is locked".to_owned()),
    );
    let error = StoreError::from(busy);
    assert_eq!(error.code(), "shop_locked", "busy maps to its own code");
    assert!(
        error.to_string().contains("没有保存"),
        "the message says nothing was saved: {error}"
    );
}

#[test]
fn a_wide_export_records_only_the_extra_columns_that_changed() {
    let (_dir, path) = shop();
    let mut store = open(&path, "a");
    let wide = |changed: &str| {
        let mut f = refund("42", Stage::Requested);
        f.extra = (0..2_000)
            .map(|i| (format!("自定义列{i}"), format!("值{i}")))
            .collect();
        f.extra[1_234].1 = changed.to_owned();
        f
    };
    import(&mut store, &[wide("旧")], now());
    let (outcomes, _) = import(&mut store, &[wide("新")], now() + Duration::hours(1));
    assert_eq!(outcomes, [Upsert::Updated]);
    let detail = store.case_detail("42").unwrap();
    let extra_events: Vec<_> = detail
        .events
        .iter()
        .filter(|e| e.field.starts_with("extra"))
        .collect();
    assert_eq!(
        extra_events.len(),
        1,
        "one event for the one changed extra column"
    );
    let event = extra_events[0];
    assert_eq!(event.field, "extra.自定义列1234", "named by its header");
    assert_eq!(
        (event.old.as_deref(), event.new.as_deref()),
        (Some("旧"), Some("新")),
        "only that column's old and new values are recorded, not the whole row"
    );
    assert_eq!(
        store.find_case("42").unwrap().facts.extra.len(),
        2_000,
        "the merge keeps every column once"
    );
}
