//! The AI polish through the open shop: the key in the keychain only, the buyer's data
//! removed before a request leaves, and each failure a plain error with its code.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use afterdesk_case::DeviceId;
use afterdesk_polish::PolishSettings;
use afterdesk_polish::testing::{FakeChat, Reply};
use afterdesk_secret::{Keychain, Secret, account};
use afterdesk_shop::{DailyBackup, Shop, ShopError, ShopPlace};
use std::time::Duration;

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A desk with the demo shop open (its database file beside the settings file) and the
/// id and buyer nick of one of its cases.
fn demo_desk(dir: &tempfile::TempDir) -> (Shop, String, String) {
    let desk = Shop::open(
        ShopPlace {
            db: dir.path().join("shop.sqlite"),
            device: DeviceId("t".to_owned()),
            config_dir: None,
            backup: DailyBackup::InBackground,
            keychain: Keychain::memory(),
        },
        now(),
    );
    desk.open_demo("小王", now()).unwrap();
    let (id, nick) = desk
        .with_store(|store| -> Result<_, ShopError> {
            let list = store
                .list_cases(&afterdesk_store::CaseQuery {
                    limit: 100,
                    ..Default::default()
                })
                .unwrap();
            let case = list
                .cases
                .iter()
                .find(|c| {
                    c.facts
                        .buyer_nick
                        .as_deref()
                        .is_some_and(|n| n.chars().count() > 1)
                })
                .unwrap();
            Ok((case.id.to_string(), case.facts.buyer_nick.clone().unwrap()))
        })
        .unwrap();
    (desk, id, nick)
}

fn configure(desk: &Shop, base_url: &str, timeout_secs: u32) {
    afterdesk_desk::save_polish_settings(
        &desk.db_path(),
        &PolishSettings {
            enabled: true,
            base_url: base_url.to_owned(),
            model: "deepseek-chat".to_owned(),
            timeout_secs,
            temperature: None,
        },
    )
    .unwrap();
}

#[tokio::test]
async fn settings_start_off_and_the_key_goes_to_the_keychain_only() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, _, _) = demo_desk(&dir);
    let view = desk.polish_settings().await;
    assert!(!view.settings.enabled && !view.has_key, "{view:?}");
    assert_eq!(view.key_error, None);

    desk.on_keychain(account::POLISH_API_KEY, |s| s.set("sk-app-secret-7"))
        .await
        .unwrap();
    configure(&desk, "https://api.deepseek.com/v1", 30);
    let view = desk.polish_settings().await;
    assert!(view.settings.enabled && view.has_key, "{view:?}");
    let shown = serde_json::to_string(&view).unwrap();
    assert!(
        !shown.contains("sk-app-secret-7"),
        "the view never carries the key"
    );
    let file = std::fs::read_to_string(&view.file).unwrap();
    assert!(!file.contains("sk-app-secret-7"), "nor the settings file");

    desk.on_keychain(account::POLISH_API_KEY, Secret::delete)
        .await
        .unwrap();
    assert!(!desk.polish_settings().await.has_key);
}

#[tokio::test]
async fn polishes_a_cases_draft_without_sending_the_buyers_data() {
    let server = FakeChat::start(Reply::Echo).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (desk, id, nick) = demo_desk(&dir);
    configure(&desk, &server.base_url(), 10);
    desk.on_keychain(account::POLISH_API_KEY, |s| s.set("sk-app-1"))
        .await
        .unwrap();

    let text = format!("{nick} 您好，请拨打 138 1234 5678 联系快递员，订单 4102938475610293847。");
    let polished = desk.polish(&id, &text).await.unwrap();
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        !sent[0].body.contains("5678") && !sent[0].body.contains(nick.as_str()),
        "the phone and the buyer's nick stay on the machine: {}",
        sent[0].body
    );
    assert_eq!(sent[0].header("authorization"), Some("Bearer sk-app-1"));
    assert!(
        sent[0].body.contains("4102938475610293847"),
        "the order number goes"
    );
    assert!(polished.sent_text.contains("〔电话〕") && polished.sent_text.contains("〔姓名〕"));
    assert!(
        polished.text.contains("〔电话〕"),
        "markers are never filled back"
    );
    let kinds: Vec<&str> = polished.removed.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["phone", "name"]);
    assert!(
        polished.warnings.iter().any(|w| w.code == "markers_left"),
        "{:?}",
        polished.warnings
    );
}

#[tokio::test]
async fn each_failure_is_a_plain_error_with_its_code() {
    let dir = tempfile::tempdir().unwrap();
    let (desk, id, _) = demo_desk(&dir);
    let err = desk.polish(&id, "亲，您好").await.unwrap_err();
    assert_eq!(err.code(), "polish_disabled", "off by default: {err:?}");

    let denied = FakeChat::start(Reply::Status(
        401,
        r#"{"error": {"message": "Incorrect API key"}}"#.to_owned(),
    ))
    .unwrap();
    configure(&desk, &denied.base_url(), 10);
    let err = desk.polish(&id, "亲，您好").await.unwrap_err();
    assert_eq!(err.code(), "polish_no_key", "{err:?}");
    desk.on_keychain(account::POLISH_API_KEY, |s| s.set("sk-wrong"))
        .await
        .unwrap();
    let err = desk.polish(&id, "亲，您好").await.unwrap_err();
    assert_eq!(err.code(), "polish_unauthorized");
    assert!(err.to_string().contains("Incorrect API key"), "{err}");

    let slow = FakeChat::start(Reply::Slow(Duration::from_secs(3), Box::new(Reply::Echo))).unwrap();
    configure(&desk, &slow.base_url(), 1);
    let err = desk.polish(&id, "亲，您好").await.unwrap_err();
    assert_eq!(err.code(), "polish_timeout");
    assert!(err.to_string().contains("1 秒"), "{err}");

    let err = desk.polish("no-such-case", "亲，您好").await.unwrap_err();
    assert_eq!(err.code(), "case_not_found", "{err:?}");
}
