//! Capture for sync: every write API appends its ops in its own transaction, a failed or
//! cancelled write appends none, and replaying the outbox into an empty
//! `afterdesk_sync::Replica` gives back every shared table as the store holds it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{
    CaseFacts, Courier, DeviceId, Fen, Flag, InterceptionStep, OrderFacts, ParcelDirection,
    ParcelState, Platform, ScenarioKind, Trace, Waybill,
};
use afterdesk_script::{Script, Stage};
use afterdesk_store::{
    CaseChange, MemberChange, MemberRole, NewCase, NewDraftCopy, NewInterception, NewParcel,
    NewProof, NewTrainingItem, OutboxEntry, ParcelChange, ScriptOrigin, SharedTable, Store,
    TrainingItemKind,
};
use afterdesk_sync::{OpKind, Replica};
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn device() -> DeviceId {
    DeviceId("0192d3f4-a5b6-7c8d-9e0f-112233445566".to_owned())
}

fn facts(refund_no: &str) -> CaseFacts {
    CaseFacts {
        refund_no: Some(refund_no.to_owned()),
        order_no: Some(format!("2938475610{refund_no:0>5}")),
        buyer_nick: Some(format!("买家{refund_no}")),
        item_title: Some("纯棉T恤 白色 L".to_owned()),
        refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
        return_needed: Some(true),
        refund: Some(Fen(12_950)),
        requested_at: parse_china_time("2026-11-18 10:00:00"),
        ..CaseFacts::default()
    }
}

fn all_ops(store: &Store) -> Vec<OutboxEntry> {
    store.outbox(0, usize::MAX).unwrap()
}

/// The (table, kind) of each op, in outbox order.
fn shapes(entries: &[OutboxEntry]) -> Vec<(String, &'static str)> {
    entries
        .iter()
        .map(|e| {
            let kind = match e.op.kind {
                OpKind::Set { .. } => "set",
                OpKind::Insert { .. } => "insert",
                OpKind::Delete { .. } => "delete",
                OpKind::Restore { .. } => "restore",
            };
            (e.op.table.clone(), kind)
        })
        .collect()
}

/// A shop with one imported case (R1), one order and one member (the owner).
fn shop() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("shop.sqlite"), device(), now()).unwrap();
    let mut import = store.begin_import("导入员", "refunds.csv", now()).unwrap();
    import.case(Platform::Tmall, facts("R1"), 2).unwrap();
    import
        .order(
            OrderFacts {
                order_no: "O1".to_owned(),
                buyer_nick: Some("买家R1".to_owned()),
                ..OrderFacts::default()
            },
            2,
        )
        .unwrap();
    import.commit(&json!({})).unwrap();
    store
        .add_member("店长甲", MemberRole::Owner, now())
        .unwrap();
    (dir, store)
}

fn script(id: &str, text: &str) -> Script {
    Script {
        id: id.to_owned(),
        kind: ScenarioKind::from_key_lossy("quality"),
        stage: Stage::FirstReply,
        text: text.to_owned(),
        text_hant: String::new(),
        tags: Vec::new(),
        tone: String::new(),
        enabled: true,
        version: 1,
    }
}

type Write = fn(&mut Store, DateTime<Utc>);

/// One case of the write table: what it does, the write, and the (table, kind) of each op
/// it must append, in order.
type WriteCase = (&'static str, Write, Vec<(&'static str, &'static str)>);

/// A table's rows as the test compares them: row id → (fields, deleted).
type Rows = BTreeMap<String, (BTreeMap<String, Value>, bool)>;

/// Each write API and the ops it must append, in order.
fn writes() -> Vec<WriteCase> {
    vec![
        (
            "re-import with a changed status",
            |s, at| {
                let mut import = s.begin_import("导入员", "later.csv", at).unwrap();
                let mut later = facts("R1");
                later.refund_status_text = Some("退款成功".to_owned());
                import.case(Platform::Tmall, later, 2).unwrap();
                import.commit(&json!({})).unwrap();
            },
            // The case's changed fields, then the timeline's events (the status text
            // and whether the case is open).
            vec![
                ("cases", "set"),
                ("case_events", "insert"),
                ("case_events", "insert"),
            ],
        ),
        (
            "hand-made case",
            |s, at| {
                s.add_case(NewCase::default(), "甲", at).unwrap();
            },
            vec![("cases", "set")],
        ),
        (
            "note",
            |s, at| {
                s.add_note("R1", "已联系买家", "甲", at).unwrap();
            },
            vec![("notes", "insert")],
        ),
        (
            "change_case",
            |s, at| {
                let change = CaseChange {
                    flag: Some(Some(Flag::from_key("red").unwrap())),
                    ..CaseChange::default()
                };
                s.change_case("R1", &change, "甲", at).unwrap();
            },
            vec![("cases", "set"), ("case_events", "insert")],
        ),
        (
            "change_cases",
            |s, at| {
                let change = CaseChange {
                    assignee: Some(Some("乙".to_owned())),
                    ..CaseChange::default()
                };
                s.change_cases(&["R1".to_owned()], &change, "甲", at)
                    .unwrap();
            },
            vec![("cases", "set"), ("case_events", "insert")],
        ),
        (
            "delete",
            |s, at| {
                s.delete_case("R1", "甲", at).unwrap();
            },
            vec![("cases", "delete"), ("case_events", "insert")],
        ),
        (
            "restore",
            |s, at| {
                s.restore_case("R1", "甲", at).unwrap();
            },
            vec![("cases", "restore"), ("case_events", "insert")],
        ),
        (
            "column alias",
            |s, at| {
                s.set_column_alias("退款单号码", "refund_no", at).unwrap();
            },
            vec![("column_aliases", "set")],
        ),
        (
            "save script",
            |s, at| {
                s.save_script(
                    script("shop.thanks", "亲，感谢您的耐心等待"),
                    ScriptOrigin::Shop,
                    None,
                    "甲",
                    at,
                )
                .unwrap();
            },
            vec![("scripts", "set"), ("script_versions", "insert")],
        ),
        (
            "disable script (a new version)",
            |s, at| {
                let mut disabled = script("shop.thanks", "亲，感谢您的耐心等待");
                disabled.enabled = false;
                s.save_script(disabled, ScriptOrigin::Shop, Some(1), "甲", at)
                    .unwrap();
            },
            vec![("scripts", "set"), ("script_versions", "insert")],
        ),
        (
            "remove script",
            |s, at| {
                s.remove_script("shop.thanks", true, "甲", at).unwrap();
            },
            vec![("scripts", "delete")],
        ),
        (
            "copied draft",
            |s, at| {
                let draft = NewDraftCopy {
                    kind: ScenarioKind::from_key_lossy("quality"),
                    script_ids: vec!["shop.thanks@1".to_owned()],
                    text: "亲，感谢您的耐心等待".to_owned(),
                    confirmed_unfilled: Vec::new(),
                    lint: Vec::new(),
                };
                s.record_draft_copy("R1", draft, "甲", at).unwrap();
            },
            vec![("draft_copies", "insert"), ("case_events", "insert")],
        ),
        (
            "training item",
            |s, at| {
                let item = NewTrainingItem {
                    item: TrainingItemKind::Question,
                    kind: ScenarioKind::from_key_lossy("quality"),
                    body: json!({"stem": "破损怎么处理？"}),
                    source: "培训.docx".to_owned(),
                };
                s.add_training_items(vec![item], "甲", at).unwrap();
            },
            vec![("training_items", "insert")],
        ),
        (
            "parcel",
            |s, at| {
                s.add_parcel("R1", new_parcel(), "甲", at).unwrap();
            },
            vec![("parcels", "set"), ("case_events", "insert")],
        ),
        (
            "parcel change",
            |s, at| {
                let id = s.parcels("R1").unwrap()[0].id.to_string();
                let change = ParcelChange {
                    phone_tail: Some(Some("1234".to_owned())),
                    ..ParcelChange::default()
                };
                s.change_parcel(&id, &change, at).unwrap();
            },
            vec![("parcels", "set")],
        ),
        (
            "parcel state and event by hand",
            |s, at| {
                let id = s.parcels("R1").unwrap()[0].id.to_string();
                let trace = Trace {
                    at: at - Duration::hours(1),
                    place: Some("义乌市".to_owned()),
                    text: "快件已揽收".to_owned(),
                };
                s.record_parcel_state(&id, ParcelState::InTransit, Some(trace), "甲", at)
                    .unwrap();
            },
            vec![("parcel_events", "insert"), ("parcels", "set")],
        ),
        (
            "interception step",
            |s, at| {
                let step = NewInterception {
                    step: InterceptionStep::Requested,
                    parcel_id: None,
                    courier: Some(Courier::Zto),
                    contact: None,
                    note: None,
                    at: None,
                };
                s.record_interception("R1", step, "甲", at).unwrap();
            },
            vec![("interceptions", "insert"), ("case_events", "insert")],
        ),
        (
            "proof",
            |s, at| {
                s.attach_proof("R1", proof(), "甲", at).unwrap();
            },
            vec![("evidence", "insert"), ("case_events", "insert")],
        ),
        (
            "detach proof",
            |s, at| {
                let id = s.proofs("R1").unwrap()[0].id.to_string();
                s.detach_proof(&id, "甲", at).unwrap();
            },
            vec![("evidence", "delete"), ("case_events", "insert")],
        ),
        (
            "remove parcel",
            |s, at| {
                let id = s.parcels("R1").unwrap()[0].id.to_string();
                s.remove_parcel(&id, "甲", at).unwrap();
            },
            vec![("parcels", "delete"), ("case_events", "insert")],
        ),
        (
            "member",
            |s, at| {
                s.add_member("客服乙", MemberRole::Agent, at).unwrap();
            },
            vec![("members", "set")],
        ),
        (
            "member renamed",
            |s, at| {
                let id = member_id(s, "客服乙");
                let change = MemberChange {
                    name: Some("客服丙".to_owned()),
                    role: None,
                };
                s.change_member(&id, &change, at).unwrap();
            },
            vec![("members", "set")],
        ),
        (
            "device bound",
            |s, at| {
                let id = member_id(s, "客服丙");
                s.bind_device(&device(), Some(&id), at).unwrap();
            },
            vec![("device_members", "set")],
        ),
        (
            "member removed",
            |s, at| {
                let id = member_id(s, "客服丙");
                s.remove_member(&id, at).unwrap();
            },
            vec![("members", "delete")],
        ),
        (
            "shop settings",
            |s, at| {
                let values = BTreeMap::from([
                    ("shop_name".to_owned(), json!("小店")),
                    ("reminder_leads_minutes".to_owned(), json!([120, 30])),
                ]);
                s.save_shop_settings(&values, at).unwrap();
            },
            vec![("shop_settings", "set"), ("shop_settings", "set")],
        ),
        (
            "an unchanged setting writes nothing",
            |s, at| {
                let values = BTreeMap::from([("shop_name".to_owned(), json!("小店"))]);
                s.save_shop_settings(&values, at).unwrap();
            },
            vec![],
        ),
        (
            "shown reminders are this computer's own",
            |s, at| {
                let case_id = s.find_case("R1").unwrap().id;
                let key = afterdesk_store::ReminderKey {
                    case_id,
                    clock: "respond".to_owned(),
                    due: at,
                    lead_minutes: 30,
                };
                s.record_reminders(&[key], at).unwrap();
            },
            vec![],
        ),
    ]
}

fn new_parcel() -> NewParcel {
    NewParcel {
        direction: ParcelDirection::Return,
        courier: Some(Courier::Zto),
        waybill: Waybill::parse("75123456789012").unwrap(),
        phone_tail: None,
        origin: "manual".to_owned(),
    }
}

fn proof() -> NewProof {
    NewProof {
        item: Some("unboxing_video".to_owned()),
        hash: "a".repeat(64),
        original_name: "开箱.mp4".to_owned(),
        size: 1024,
        mime: Some("video/mp4".to_owned()),
        captured_at: None,
        duration_ms: Some(30_000),
    }
}

fn member_id(store: &Store, name: &str) -> String {
    store
        .members(false)
        .unwrap()
        .into_iter()
        .find(|m| m.name == name)
        .unwrap()
        .id
        .to_string()
}

/// The replica's view of one table: each row's fields (append-only records overlaid with
/// later field edits) and whether it is deleted.
fn replica_rows(
    replica: &Replica,
    table: &str,
) -> BTreeMap<String, (BTreeMap<String, Value>, bool)> {
    let mut out: BTreeMap<String, (BTreeMap<String, Value>, bool)> = BTreeMap::new();
    let Some(t) = replica.table(table) else {
        return out;
    };
    for (id, record) in &t.records {
        out.entry(id.clone())
            .or_default()
            .0
            .extend(record.fields.clone());
    }
    for (id, row) in &t.rows {
        let entry = out.entry(id.clone()).or_default();
        for (name, state) in &row.fields {
            if name != "deleted_at" {
                entry.0.insert(name.clone(), state.value.clone());
            }
        }
        entry.1 = row.is_deleted();
    }
    out
}

#[test]
fn every_write_appends_its_ops_and_the_outbox_replays_to_the_stores_tables() {
    let (_dir, mut store) = shop();
    let mut at = now();
    for (what, write, expected) in writes() {
        at += Duration::minutes(1);
        let before = all_ops(&store).len();
        write(&mut store, at);
        let ops = all_ops(&store);
        let added = shapes(&ops[before..]);
        let expected: Vec<(String, &str)> = expected
            .into_iter()
            .map(|(t, k)| (t.to_owned(), k))
            .collect();
        assert_eq!(added, expected, "{what}: the ops captured with the write");
    }

    let ops = all_ops(&store);
    let mut replica = Replica::new();
    for entry in &ops {
        replica
            .apply(&entry.op)
            .unwrap_or_else(|e| panic!("op {} is well formed: {e}", entry.seq));
    }
    for table in SharedTable::ALL {
        let stored: Rows = store
            .shared_rows(table)
            .unwrap()
            .into_iter()
            .map(|(id, row)| (id, (row.fields, row.deleted)))
            .collect();
        assert!(
            !stored.is_empty() || table == SharedTable::Orders,
            "{}: the scenario writes every shared table",
            table.name()
        );
        assert_eq!(
            replica_rows(&replica, table.name()),
            stored,
            "{}: replaying the outbox gives the store's rows (capture is complete)",
            table.name()
        );
    }
    let seqs: Vec<i64> = ops.iter().map(|e| e.seq).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "the outbox is in the order the ops were made"
    );
    let stamps: Vec<_> = ops.iter().map(|e| e.op.hlc.clone()).collect();
    assert!(
        stamps.windows(2).all(|w| w[0] < w[1]),
        "each op's stamp is greater than the one before, across transactions"
    );
}

#[test]
fn failed_and_cancelled_writes_leave_no_op() {
    let (_dir, mut store) = shop();
    let before = all_ops(&store);
    let cases: Vec<(&str, Write)> = vec![
        ("a cancelled import", |s, at| {
            let mut import = s.begin_import("导入员", "cancelled.csv", at).unwrap();
            import.case(Platform::Tmall, facts("R9"), 2).unwrap();
            drop(import);
        }),
        ("an empty note", |s, at| {
            assert!(s.add_note("R1", "  ", "甲", at).is_err());
        }),
        ("removing the last owner", |s, at| {
            let id = member_id(s, "店长甲");
            assert!(s.remove_member(&id, at).is_err());
        }),
        ("a duplicate member", |s, at| {
            assert!(s.add_member("店长甲", MemberRole::Agent, at).is_err());
        }),
    ];
    for (what, write) in cases {
        write(&mut store, now() + Duration::minutes(5));
        assert_eq!(
            all_ops(&store),
            before,
            "{what}: a write that does not commit appends no op"
        );
    }
}

#[test]
fn the_outbox_trims_and_never_reuses_numbers() {
    let (_dir, mut store) = shop();
    let ops = all_ops(&store);
    let last = ops.last().unwrap().seq;
    assert_eq!(
        store.trim_outbox(last).unwrap(),
        ops.len(),
        "trimming through the last op removes them all"
    );
    assert!(
        all_ops(&store).is_empty(),
        "the outbox is empty once trimmed"
    );
    store.add_note("R1", "又联系了一次", "甲", now()).unwrap();
    let after = all_ops(&store);
    assert_eq!(after.len(), 1, "the next write appends again");
    assert!(after[0].seq > last, "a trimmed number is never given again");
    assert_eq!(
        store.outbox(after[0].seq, 10).unwrap(),
        vec![],
        "nothing after the newest op"
    );
}

#[test]
fn two_computers_importing_the_same_export_make_the_same_ids() {
    let dir = tempfile::tempdir().unwrap();
    let ids = |name: &str, device: &str| {
        let mut store =
            Store::open(&dir.path().join(name), DeviceId(device.to_owned()), now()).unwrap();
        let mut import = store.begin_import("导入员", "refunds.csv", now()).unwrap();
        for n in 0..20 {
            import
                .case(Platform::Taobao, facts(&format!("R{n}")), n + 2)
                .unwrap();
            import
                .order(
                    OrderFacts {
                        order_no: format!("O{n}"),
                        ..OrderFacts::default()
                    },
                    n + 2,
                )
                .unwrap();
        }
        import.commit(&json!({})).unwrap();
        let hand_made = store.add_case(NewCase::default(), "甲", now()).unwrap();
        (
            store.shared_rows(SharedTable::Cases).unwrap(),
            store.shared_rows(SharedTable::Orders).unwrap(),
            hand_made.id.to_string(),
        )
    };
    let (cases_a, orders_a, hand_a) = ids("a.sqlite", "device-a");
    let (cases_b, orders_b, hand_b) = ids("b.sqlite", "device-b");
    let keys = |rows: &BTreeMap<String, afterdesk_store::SharedRow>, field: &str| {
        rows.iter()
            .map(|(id, row)| (row.fields[field].to_string(), id.clone()))
            .collect::<BTreeMap<String, String>>()
    };
    assert_eq!(cases_a.len(), 21, "twenty imported cases and one by hand");
    assert_eq!(
        keys(&cases_a, "refund_no")
            .into_iter()
            .filter(|(k, _)| k != "null")
            .collect::<Vec<_>>(),
        keys(&cases_b, "refund_no")
            .into_iter()
            .filter(|(k, _)| k != "null")
            .collect::<Vec<_>>(),
        "a refund number gives the same case id on both computers"
    );
    assert_eq!(
        keys(&orders_a, "order_no"),
        keys(&orders_b, "order_no"),
        "an order number gives the same order id on both computers"
    );
    assert_ne!(
        hand_a, hand_b,
        "a case made by hand without a refund number keeps a UUIDv7"
    );
}
