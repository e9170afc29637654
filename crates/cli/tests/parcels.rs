//! `afterdesk parcels …` and `afterdesk track` as a script drives them, against real
//! SQLite files and the local fake tracking server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_parcel::fake::{FakeKeys, FakeServer, Scripted};
use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const NOW: &str = "2026-11-20T09:00:00+08:00";
const LATER: &str = "2026-11-30T09:00:00+08:00";

fn cmd(dir: &Path, now: &str) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", "test-device")
        .env_remove("AFTERDESK_DB")
        .env_remove("AFTERDESK_KUAIDI100_CUSTOMER")
        .env_remove("AFTERDESK_KUAIDI100_KEY")
        .env_remove("AFTERDESK_KUAIDI100_URL")
        .env_remove("AFTERDESK_KDNIAO_ID")
        .env_remove("AFTERDESK_KDNIAO_KEY")
        .env_remove("AFTERDESK_KDNIAO_URL")
        .env("AFTERDESK_AGENT", "小王")
        .arg("--db")
        .arg(dir.join("shop.sqlite"))
        .args(["--now", now]);
    cmd
}

fn json(dir: &Path, now: &str, args: &[&str]) -> Value {
    let out = cmd(dir, now).arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "afterdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn error(dir: &Path, now: &str, args: &[&str]) -> Value {
    let out = cmd(dir, now).arg("--json").args(args).output().unwrap();
    assert!(!out.status.success(), "afterdesk {args:?} should fail");
    serde_json::from_slice(&out.stderr).unwrap()
}

#[test]
fn imported_logistics_become_parcels_and_stale_ones_need_attention() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let export = d.join("refunds.csv");
    cmd(d, NOW)
        .args(["gen-export", "--rows", "40", "--out"])
        .arg(&export)
        .assert()
        .success();
    let imported = json(d, NOW, &["import", export.to_str().unwrap()]);
    let first = &imported["parcels"];
    assert!(
        first["added"].as_u64().unwrap() > 0,
        "an import records the parcels its logistics texts name, as in the app: {first}"
    );
    let again = json(d, NOW, &["parcels", "import"]);
    assert_eq!(again["added"], 0, "the import pass is idempotent");
    let listed = json(d, NOW, &["parcels", "list"]);
    assert_eq!(
        listed.as_array().map(Vec::len),
        first["added"].as_u64().map(|n| n as usize),
        "every added parcel is listed"
    );
    let attention = json(d, LATER, &["parcels", "list", "--attention"]);
    let items = attention["items"].as_array().unwrap();
    let mut reasons: Vec<&str> = items
        .iter()
        .map(|i| i["reason"].as_str().unwrap())
        .collect();
    reasons.dedup();
    let sample: Vec<Value> = items
        .iter()
        .take(3)
        .map(|i| {
            serde_json::json!({
                "refund_no": i["refund_no"], "waybill": i["waybill"], "reason": i["reason"],
                "prompt": i["prompt"], "due": i["due"],
            })
        })
        .collect();
    insta::assert_json_snapshot!(
        "parcels_attention",
        serde_json::json!({
            "import": first, "parcels": attention["parcels"], "items": items.len(),
            "reasons": reasons, "first_items": sample,
        })
    );
}

#[test]
fn add_hint_record_and_intercept_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(
        d,
        NOW,
        &[
            "case",
            "add",
            "--refund-no",
            "R1",
            "--reason",
            "不想要了",
            "--kind",
            "refund_in_transit",
        ],
    );
    let hint = json(d, NOW, &["parcels", "hint", "sf 1234 5678 9012 3"]);
    assert_eq!(hint["candidates"], serde_json::json!(["sf"]));
    let odd = json(d, NOW, &["parcels", "hint", "ABC123"]);
    assert_eq!(
        odd["candidates"],
        serde_json::json!([]),
        "no format fits, but the number is not refused"
    );
    let parcel = json(
        d,
        NOW,
        &[
            "parcels",
            "add",
            "--case",
            "R1",
            "--waybill",
            "75123456789012",
        ],
    );
    assert_eq!(parcel["courier"], "zto", "detected from the number");
    assert_eq!(parcel["direction"], "outbound");
    let id = parcel["id"].as_str().unwrap();
    let recorded = json(
        d,
        NOW,
        &[
            "parcels",
            "state",
            id,
            "--state",
            "intercepted",
            "--text",
            "网点已拦截，退回中",
        ],
    );
    assert_eq!(recorded["state"], "intercepted");

    let refused = error(
        d,
        NOW,
        &[
            "parcels",
            "intercept",
            "--case",
            "R1",
            "--step",
            "succeeded",
        ],
    );
    assert_eq!(
        refused["error"]["code"], "interception_step",
        "success before a request is refused: {refused}"
    );
    let requested = json(
        d,
        NOW,
        &[
            "parcels",
            "intercept",
            "--case",
            "R1",
            "--step",
            "requested",
            "--contact",
            "义乌网点 王师傅",
        ],
    );
    assert_eq!(requested["state"], "requested");
    let page = json(d, NOW, &["parcels", "list", "--case", "R1"]);
    assert_eq!(
        page["attention"][0]["reason"], "interception_outcome",
        "the route shows the interception worked: {page}"
    );
    let done = json(
        d,
        NOW,
        &[
            "parcels",
            "intercept",
            "--case",
            "R1",
            "--step",
            "succeeded",
        ],
    );
    assert!(
        done["next_step"].as_str().unwrap().contains("同意退款"),
        "{done}"
    );
    // Without a provider, `track` shows what was recorded and asks nothing.
    let tracked = json(d, NOW, &["track", "R1"]);
    assert_eq!(tracked["refresh"]["skipped"], 1);
    assert_eq!(tracked["parcels"][0]["state"], "intercepted");
}

#[test]
fn track_asks_the_configured_provider_and_records_the_route() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(FakeServer::start(
            FakeKeys {
                kuaidi100: Some(("CUST".to_owned(), "KEY".to_owned())),
                kdniao: Some("KDNKEY".to_owned()),
            },
            std::time::Duration::ZERO,
        ))
        .unwrap();
    server.script(
        "SF1234567890123",
        Scripted::ok(
            r#"{"EBusinessID":"1","Success":true,"State":"3","StateEx":"304","Traces":[
                {"AcceptTime":"2026-11-19 10:00:00","AcceptStation":"已收取快件"},
                {"AcceptTime":"2026-11-20 08:00:00","AcceptStation":"已签收，代收人：门卫"}]}"#,
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    json(d, NOW, &["case", "add", "--refund-no", "R1"]);
    json(
        d,
        NOW,
        &[
            "parcels",
            "add",
            "--case",
            "R1",
            "--waybill",
            "75123456789012",
        ],
    );
    let tracked = {
        let out = cmd(d, NOW)
            .env("AFTERDESK_KUAIDI100_CUSTOMER", "CUST")
            .env("AFTERDESK_KUAIDI100_KEY", "KEY")
            .env("AFTERDESK_KUAIDI100_URL", server.kuaidi100_url())
            .args(["--json", "track", "75123456789012"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(tracked["refresh"]["provider"], "快递100");
    assert_eq!(tracked["refresh"]["updated"], 1, "{tracked}");
    assert_eq!(tracked["parcels"][0]["state"], "in_transit");
    assert_eq!(tracked["parcels"][0]["events"].as_array().unwrap().len(), 2);

    // 快递鸟 through flags, for an SF parcel with a phone tail.
    json(
        d,
        NOW,
        &[
            "parcels",
            "add",
            "--case",
            "R1",
            "--waybill",
            "SF1234567890123",
            "--phone-tail",
            "1234",
        ],
    );
    let kdn_url = server.kdniao_url();
    let tracked = json(
        d,
        NOW,
        &[
            "track",
            "SF1234567890123",
            "--kdniao-id",
            "1",
            "--kdniao-key",
            "KDNKEY",
            "--kdniao-url",
            &kdn_url,
        ],
    );
    assert_eq!(
        tracked["parcels"][0]["state"], "signed_by_agent",
        "{tracked}"
    );

    // Asking 快递100 again within 30 minutes is refused by the client itself.
    let again = {
        let out = cmd(d, "2026-11-20T09:10:00+08:00")
            .env("AFTERDESK_KUAIDI100_CUSTOMER", "CUST")
            .env("AFTERDESK_KUAIDI100_KEY", "KEY")
            .env("AFTERDESK_KUAIDI100_URL", server.kuaidi100_url())
            .args(["--json", "track", "75123456789012"])
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(again["refresh"]["deferred"], 1, "{again}");
    assert_eq!(
        again["refresh"]["items"][0]["next_attempt"], "2026-11-20T09:30:00+08:00",
        "the next query is allowed 30 minutes after the last"
    );
    assert_eq!(
        server.requests(),
        2,
        "the refused query never reached the server"
    );
}
