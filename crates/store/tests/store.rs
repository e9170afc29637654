//! The store against a real SQLite file: upserts, search, timeline, tombstones (backups
//! are in `backup.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{CaseFacts, DeviceId, Fen, Flag, Platform, ScenarioKind};
use afterdesk_store::{CaseChange, CaseQuery, Store, StoreError, Upsert};
use chrono::{DateTime, Duration, Utc};
use rstest::rstest;

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn device() -> DeviceId {
    DeviceId("test-device".to_owned())
}

fn facts(refund_no: &str, status: &str, title: &str) -> CaseFacts {
    CaseFacts {
        refund_no: Some(refund_no.to_owned()),
        order_no: Some(format!("29384756100000{refund_no:0>5}")),
        buyer_nick: Some(format!("买家{refund_no}")),
        item_title: Some(title.to_owned()),
        refund_status_text: Some(status.to_owned()),
        goods_status_text: Some("买家已收到货".to_owned()),
        return_needed: Some(true),
        reason_text: Some("质量问题".to_owned()),
        refund: Some(Fen(12_950)),
        requested_at: parse_china_time("2026-11-18 10:00:00"),
        ..CaseFacts::default()
    }
}

fn import(store: &mut Store, rows: Vec<CaseFacts>, at: DateTime<Utc>) -> Vec<Upsert> {
    let mut import = store.begin_import("测试员", "refunds.csv", at).unwrap();
    let outcomes = rows
        .into_iter()
        .zip(2..)
        .map(|(f, row)| import.case(Platform::Tmall, f, row).unwrap())
        .collect();
    import.commit(&serde_json::json!({})).unwrap();
    outcomes
}

fn store_in(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("shop.sqlite"), device(), now()).unwrap()
}

#[test]
fn reimport_is_idempotent_and_keeps_the_shops_own_fields() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    let first = import(
        &mut store,
        vec![facts(
            "1",
            "买家已经申请退款，等待卖家同意",
            "纯棉T恤 白色 L",
        )],
        now(),
    );
    assert_eq!(first, [Upsert::Created]);
    let again = import(
        &mut store,
        vec![facts(
            "1",
            "买家已经申请退款，等待卖家同意",
            "纯棉T恤 白色 L",
        )],
        now(),
    );
    assert_eq!(
        again,
        [Upsert::Unchanged],
        "importing the same row twice must change nothing"
    );

    store
        .add_note("1", "买家说领口开线，已要求拍照", "小王", now())
        .unwrap();
    let change = CaseChange {
        flag: Some(Some(Flag::Purple)),
        assignee: Some(Some("小王".into())),
        kind: Some(ScenarioKind::Exchange),
        ..Default::default()
    };
    store.change_case("1", &change, "小王", now()).unwrap();

    let mut later = facts("1", "退款成功", "纯棉T恤 白色 L");
    later.completed_at = parse_china_time("2026-11-21 12:00:00");
    later.buyer_nick = None; // a later export without this column must not erase it
    assert_eq!(
        import(&mut store, vec![later], now() + Duration::hours(30)),
        [Upsert::Updated]
    );

    let detail = store.case_detail("1").unwrap();
    let case = &detail.case;
    assert!(!case.open, "a succeeded refund closes the case");
    assert_eq!(
        case.flag,
        Some(Flag::Purple),
        "the shop's flag survives a re-import"
    );
    assert_eq!(
        case.assignee.as_deref(),
        Some("小王"),
        "the assignee survives a re-import"
    );
    assert_eq!(
        case.kind,
        ScenarioKind::Exchange,
        "a kind set by hand is never overridden by an import"
    );
    assert_eq!(
        case.facts.buyer_nick.as_deref(),
        Some("买家1"),
        "a missing column keeps the stored value"
    );
    assert_eq!(detail.notes.len(), 1, "notes survive a re-import");
    let fields: Vec<&str> = detail.events.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"refund_status_text")
            && fields.contains(&"completed_at")
            && fields.contains(&"open"),
        "the timeline records what the import changed: {fields:?}"
    );
}

#[test]
fn derived_kind_follows_the_platform_until_set_by_hand() {
    let mut store = Store::open_in_memory(device()).unwrap();
    let mut f = facts("7", "买家已经申请退款，等待卖家同意", "保温杯");
    f.return_needed = Some(false);
    f.goods_status_text = Some("买家未收到货".into());
    f.reason_text = Some("不想要了".into());
    import(&mut store, vec![f.clone()], now());
    assert_eq!(
        store.find_case("7").unwrap().kind,
        ScenarioKind::RefundUnshipped
    );
    f.ship_logistics = Some("圆通速递 YT7000000000001".into());
    import(&mut store, vec![f], now());
    assert_eq!(
        store.find_case("7").unwrap().kind,
        ScenarioKind::RefundInTransit,
        "a derived kind is re-derived on import"
    );
}

#[rstest]
#[case::two_chars("破损", 1)]
#[case::three_chars("保温杯", 1)]
#[case::buyer("买家2", 1)]
#[case::order_no("2938475610000000002", 1)]
#[case::refund_prefix("3", 1)]
#[case::in_notes("领口开线", 1)]
#[case::two_words("保温杯 破损", 1)]
#[case::no_match("不存在的词", 0)]
#[case::quotes("\"", 0)]
fn full_text_search_works_for_chinese(#[case] text: &str, #[case] hits: u64) {
    let mut store = Store::open_in_memory(device()).unwrap();
    let mut damaged = facts("2", "买家已经申请退款，等待卖家同意", "不锈钢保温杯 500ml");
    damaged.buyer_note = Some("收到时杯身破损凹陷".into());
    import(
        &mut store,
        vec![damaged, facts("3", "退款成功", "纯棉T恤")],
        now(),
    );
    store
        .add_note("2", "买家反映领口开线", "小王", now())
        .unwrap();
    let list = store
        .list_cases(&CaseQuery {
            text: Some(text.into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        list.total, hits,
        "searching “{text}” must find {hits} case(s)"
    );
}

#[test]
fn list_filters_and_sorts() {
    let mut store = Store::open_in_memory(device()).unwrap();
    let mut rows = Vec::new();
    for i in 0..10 {
        let mut f = facts(
            &i.to_string(),
            if i % 2 == 0 {
                "买家已经申请退款，等待卖家同意"
            } else {
                "退款关闭"
            },
            "帽子",
        );
        f.requested_at = Some(now() - Duration::hours(i));
        rows.push(f);
    }
    import(&mut store, rows, now());
    let open = store
        .list_cases(&CaseQuery {
            open: Some(true),
            limit: 3,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(open.total, 5, "five of ten cases are open");
    let requested: Vec<_> = open.cases.iter().map(|c| c.facts.requested_at).collect();
    assert!(
        requested.windows(2).all(|w| w[0] <= w[1]),
        "oldest request first"
    );
    assert_eq!(open.cases[0].facts.refund_no.as_deref(), Some("8"));
}

#[test]
fn notes_and_timeline_are_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    import(&mut store, vec![facts("1", "退款成功", "帽子")], now());
    store.add_note("1", "第一条", "小王", now()).unwrap();
    store
        .change_case(
            "1",
            &CaseChange {
                flag: Some(Some(Flag::Red)),
                ..Default::default()
            },
            "小王",
            now(),
        )
        .unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.path().join("shop.sqlite")).unwrap();
    assert!(
        conn.execute("UPDATE notes SET text = 'x'", []).is_err(),
        "notes must not be editable"
    );
    assert!(
        conn.execute("DELETE FROM notes", []).is_err(),
        "notes must not be deletable"
    );
    assert!(
        conn.execute("DELETE FROM case_events", []).is_err(),
        "the timeline must not be deletable"
    );
}

#[test]
fn deletion_is_a_tombstone_that_imports_respect_and_undo_restores() {
    let mut store = Store::open_in_memory(device()).unwrap();
    import(&mut store, vec![facts("1", "退款成功", "帽子")], now());
    store.delete_case("1", "小王", now()).unwrap();
    assert_eq!(
        store.list_cases(&CaseQuery::default()).unwrap().total,
        0,
        "a deleted case leaves the list"
    );
    assert_eq!(
        import(&mut store, vec![facts("1", "退款关闭", "帽子")], now()),
        [Upsert::Deleted],
        "an import does not resurrect it"
    );
    store.restore_case("1", "小王", now()).unwrap();
    assert_eq!(
        store.list_cases(&CaseQuery::default()).unwrap().total,
        1,
        "undo brings it back"
    );
}

#[test]
fn an_unfinished_import_leaves_nothing() {
    let mut store = Store::open_in_memory(device()).unwrap();
    {
        let mut import = store.begin_import("测试员", "broken.csv", now()).unwrap();
        import
            .case(Platform::Tmall, facts("1", "退款成功", "帽子"), 2)
            .unwrap();
        // Dropped without commit, as when the user cancels.
    }
    assert_eq!(store.list_cases(&CaseQuery::default()).unwrap().total, 0);
}

#[test]
fn a_newer_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.sqlite");
    drop(Store::open(&path, device(), now()).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(&path, device(), now()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found: 99, .. }),
        "got {err:?}"
    );
    assert!(
        err.to_string().contains("请先升级售后台"),
        "the message tells the user what to do: {err}"
    );
}

#[test]
fn bulk_change_is_all_or_nothing_and_writes_history_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    import(
        &mut store,
        vec![
            facts("1", "退款成功", "帽子"),
            facts("2", "买家已经申请退款，等待卖家同意", "围巾"),
        ],
        now(),
    );
    let change = CaseChange {
        flag: Some(Some(Flag::Red)),
        assignee: Some(Some("小李".to_owned())),
        ..Default::default()
    };
    let keys = |k: &[&str]| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();

    let error = store
        .change_cases(&keys(&["1", "does-not-exist"]), &change, "小王", now())
        .unwrap_err();
    assert!(
        matches!(error, StoreError::CaseNotFound(_)),
        "unknown key: {error}"
    );
    assert_eq!(
        store.find_case("1").unwrap().flag,
        None,
        "a failed batch changes no case"
    );

    let changed = store
        .change_cases(&keys(&["1", "2"]), &change, "小王", now())
        .unwrap();
    assert_eq!(changed.len(), 2);
    for key in ["1", "2"] {
        let detail = store.case_detail(key).unwrap();
        assert_eq!(detail.case.flag, Some(Flag::Red), "case {key} flagged");
        assert_eq!(
            detail.case.assignee.as_deref(),
            Some("小李"),
            "case {key} assigned"
        );
        let fields: Vec<&str> = detail.events.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"flag") && fields.contains(&"assignee"),
            "case {key} history records both changes: {fields:?}"
        );
    }
    let again = store
        .change_cases(&keys(&["1", "2"]), &change, "小王", now())
        .unwrap();
    assert_eq!(
        again[0].updated_at, changed[0].updated_at,
        "a no-op batch writes nothing"
    );
}

#[test]
fn shown_reminders_survive_a_restart_and_are_kept_per_device() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    import(
        &mut store,
        vec![facts("1", "买家已经申请退款，等待卖家同意", "围巾")],
        now(),
    );
    let case_id = store.find_case("1").unwrap().id;
    let key = afterdesk_store::ReminderKey {
        case_id,
        clock: "refund_request_reply".to_owned(),
        due: now() + Duration::hours(5),
        lead_minutes: 120,
    };
    store
        .record_reminders(&[key.clone(), key.clone()], now())
        .unwrap();
    drop(store);

    let store = store_in(&dir);
    let shown = store.shown_reminders().unwrap();
    assert_eq!(shown.len(), 1, "recording twice keeps one: {shown:?}");
    assert!(
        shown.contains(&key),
        "the reminder is remembered after a restart"
    );
    drop(store);

    let other = Store::open(
        &dir.path().join("shop.sqlite"),
        DeviceId("another-laptop".to_owned()),
        now(),
    )
    .unwrap();
    assert!(
        other.shown_reminders().unwrap().is_empty(),
        "another device shows its own reminders"
    );
}

#[test]
fn the_data_stamp_changes_with_every_write_and_only_then() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_in(&dir);
    import(&mut store, vec![facts("1", "退款成功", "帽子")], now());
    let before = store.data_stamp().unwrap();
    store.list_cases(&CaseQuery::default()).unwrap();
    assert_eq!(
        store.data_stamp().unwrap(),
        before,
        "a read leaves the stamp alone"
    );
    store.add_note("1", "备注", "小王", now()).unwrap();
    let after_note = store.data_stamp().unwrap();
    assert_ne!(
        after_note, before,
        "this connection's write changes the stamp"
    );

    // Another connection to the same file (the CLI, say) commits a change.
    let mut other = store_in(&dir);
    other.add_note("1", "另一台电脑", "小李", now()).unwrap();
    assert_ne!(
        store.data_stamp().unwrap(),
        after_note,
        "another connection's commit changes the stamp"
    );
}
