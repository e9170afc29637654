//! A shop's members from the command line: two computers bound to two members each write
//! under their own name, and the compensation limit the 店长 sets binds every computer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::DeviceId;
use afterdesk_desk::{DraftOptions, ShopSettings};
use afterdesk_shop::{DailyBackup, Shop, ShopPlace};
use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-11-20T09:00:00+08:00";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

/// The CLI on `db` as the computer `device`, with no `--agent`: it acts as its member.
fn on(db: &Path, device: &str, args: &[&str]) -> Value {
    let out = Command::cargo_bin("afterdesk")
        .unwrap()
        .env("AFTERDESK_DEVICE", device)
        .env("AFTERDESK_KEYCHAIN", "memory")
        .env_remove("AFTERDESK_DB")
        .env_remove("AFTERDESK_AGENT")
        .env("USER", "system-user")
        .arg("--db")
        .arg(db)
        .args(["--now", NOW, "--json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "afterdesk {args:?} on {device} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn session(db: &Path, device: &str) -> Shop {
    let shop = Shop::open(
        ShopPlace {
            db: db.to_owned(),
            device: DeviceId(device.to_owned()),
            config_dir: None,
            backup: DailyBackup::Inline,
            keychain: afterdesk_secret::Keychain::memory(),
        },
        now(),
    );
    shop.check().unwrap();
    shop
}

#[test]
fn each_computer_writes_as_its_member_and_obeys_the_shops_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shop.sqlite");
    on(
        &db,
        "pc-owner",
        &["member", "add", "王店长", "--role", "店长"],
    );
    on(&db, "pc-owner", &["member", "bind", "王店长"]);
    on(
        &db,
        "pc-owner",
        &["member", "add", "小李", "--role", "客服"],
    );
    on(&db, "pc-agent", &["member", "bind", "小李"]);
    let listed = on(&db, "pc-agent", &["member", "list"]);
    assert_eq!(
        listed["members"].as_array().map(Vec::len),
        Some(2),
        "both members are the shop's: {listed}"
    );

    on(
        &db,
        "pc-owner",
        &[
            "case",
            "add",
            "--refund-no",
            "R1",
            "--buyer",
            "tb_buyer",
            "--amount",
            "45.00",
            "--kind",
            "quality_issue",
        ],
    );
    on(&db, "pc-owner", &["case", "note", "R1", "店长看过了"]);
    on(&db, "pc-agent", &["case", "note", "R1", "已联系买家"]);
    let case = on(&db, "pc-agent", &["case", "show", "R1"]);
    let notes: Vec<(String, String)> = case["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["text"].as_str().unwrap().to_owned(),
                n["author"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        notes.contains(&("店长看过了".to_owned(), "王店长".to_owned()))
            && notes.contains(&("已联系买家".to_owned(), "小李".to_owned())),
        "each computer's note carries its member, never the system user: {notes:?}"
    );

    // The agent's draft panel asks for approval above the shop's agent limit (30 yuan by
    // default); once the 店长 raises it in the shop's settings, the same request on the
    // agent's computer no longer does.
    let ask = DraftOptions {
        compensation_fen: Some(4000),
        ..DraftOptions::default()
    };
    let agent = session(&db, "pc-agent");
    let before = agent.draft("R1", &ask, now()).unwrap();
    drop(agent);
    let owner = session(&db, "pc-owner");
    owner
        .with_store(|store| {
            let mut settings: ShopSettings = afterdesk_desk::shop_settings(store)?;
            settings.compensation_limits.agent = Some(5000);
            afterdesk_desk::save_shop_settings(store, settings, now())?;
            Ok::<_, afterdesk_shop::ShopError>(())
        })
        .unwrap();
    drop(owner);
    let after = session(&db, "pc-agent").draft("R1", &ask, now()).unwrap();
    let approval =
        |d: &afterdesk_desk::DraftView| d.compensation.as_ref().map(|c| c.needs_approval);
    assert_eq!(
        (approval(&before), approval(&after)),
        (Some(true), Some(false)),
        "the agent's limit is the shop's setting, changed by the 店长 and obeyed on the agent's computer"
    );
    let refused = session(&db, "pc-agent").with_store(|store| {
        let settings = afterdesk_desk::shop_settings(store)?;
        afterdesk_desk::save_shop_settings(store, settings, now())
            .map_err(afterdesk_shop::ShopError::from)
    });
    assert!(
        refused.is_err(),
        "only the 店长's computer changes the shop's settings"
    );
}
