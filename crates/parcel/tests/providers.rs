//! Both providers' clients against a local server that answers from fixture files in the
//! providers' documented formats: every state, the error codes, rate limits, malformed
//! JSON, an empty route and an answer slower than the client's timeout.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_parcel::fake::{FakeKeys, FakeServer, Scripted};
use afterdesk_parcel::{
    Courier, HttpSettings, Kdniao, KdniaoSettings, Kuaidi100, Kuaidi100Settings, ParcelState,
    TrackError, TrackQuery, Tracker, Waybill,
};
use chrono::{DateTime, Duration, Utc};
use rstest::rstest;
use std::time::Duration as StdDuration;

const CUSTOMER: &str = "CUSTOMER01";
const K100_KEY: &str = "TESTKEY";
const KDN_ID: &str = "1234567";
const KDN_KEY: &str = "56da2cf8-c8a2-44b2-b6fa-476cd7d1ba17";

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

async fn server() -> FakeServer {
    FakeServer::start(
        FakeKeys {
            kuaidi100: Some((CUSTOMER.to_owned(), K100_KEY.to_owned())),
            kdniao: Some(KDN_KEY.to_owned()),
        },
        StdDuration::ZERO,
    )
    .await
    .unwrap()
}

fn http(timeout_ms: u64) -> HttpSettings {
    HttpSettings {
        timeout: StdDuration::from_millis(timeout_ms),
        connect_timeout: StdDuration::from_millis(timeout_ms),
    }
}

fn kuaidi100(server: &FakeServer, key: &str, timeout_ms: u64) -> Kuaidi100 {
    Kuaidi100::new(
        Kuaidi100Settings {
            customer: CUSTOMER.to_owned(),
            key: key.to_owned(),
            url: Some(server.kuaidi100_url()),
        },
        &http(timeout_ms),
    )
    .unwrap()
}

fn kdniao(server: &FakeServer, key: &str, timeout_ms: u64) -> Kdniao {
    Kdniao::new(
        KdniaoSettings {
            business_id: KDN_ID.to_owned(),
            app_key: key.to_owned(),
            url: Some(server.kdniao_url()),
        },
        &http(timeout_ms),
    )
    .unwrap()
}

fn query(waybill: &str, courier: Option<Courier>) -> TrackQuery {
    TrackQuery {
        courier,
        waybill: Waybill::parse(waybill).unwrap(),
        phone_tail: Some("1234".to_owned()),
        last_queried: None,
    }
}

#[rstest]
#[case("k100_state_0.json", ParcelState::InTransit, 2, false)]
#[case("k100_state_1.json", ParcelState::PickedUp, 1, false)]
#[case("k100_state_2.json", ParcelState::Problem, 3, false)]
#[case("k100_state_3.json", ParcelState::Signed, 3, true)]
#[case("k100_state_4.json", ParcelState::ReturnedToSender, 3, true)]
#[case("k100_state_5.json", ParcelState::OutForDelivery, 3, false)]
#[case("k100_state_6.json", ParcelState::ReturnedToSender, 3, false)]
#[case("k100_state_7.json", ParcelState::InTransit, 3, false)]
#[case("k100_state_8.json", ParcelState::InTransit, 3, false)]
#[case("k100_state_14.json", ParcelState::Refused, 3, false)]
#[case("k100_state_304.json", ParcelState::SignedByAgent, 3, true)]
#[case("k100_state_1002.json", ParcelState::InTransit, 2, false)]
#[case("k100_intercepted.json", ParcelState::Intercepted, 3, false)]
#[case("k100_empty.json", ParcelState::NoRecord, 0, false)]
#[case("k100_error_500.json", ParcelState::NoRecord, 0, false)]
#[tokio::test]
async fn kuaidi100_answers_normalise(
    #[case] file: &str,
    #[case] state: ParcelState,
    #[case] traces: usize,
    #[case] complete: bool,
) {
    let server = server().await;
    server.script("75123456789012", Scripted::ok(fixture(file)));
    let client = kuaidi100(&server, K100_KEY, 2_000);
    let got = client
        .track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        (got.state, got.traces.len(), got.complete),
        (state, traces, complete),
        "{file}: state, number of events and ischeck must come through normalised"
    );
    assert!(
        got.traces.windows(2).all(|w| w[0].at <= w[1].at),
        "{file}: events must be oldest first whatever the provider's order"
    );
}

#[rstest]
#[case("k100_error_400.json", "400", "快递公司编码")]
#[case("k100_error_408.json", "408", "手机号后四位")]
#[case("k100_error_501.json", "501", "服务器错误")]
#[case("k100_error_502.json", "502", "繁忙")]
#[case("k100_error_503.json", "503", "签名")]
#[case("k100_error_601.json", "601", "过期")]
#[tokio::test]
async fn kuaidi100_error_codes_keep_code_and_meaning(
    #[case] file: &str,
    #[case] code: &str,
    #[case] meaning: &str,
) {
    let server = server().await;
    server.script("75123456789012", Scripted::ok(fixture(file)));
    let client = kuaidi100(&server, K100_KEY, 2_000);
    let error = client
        .track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .unwrap_err();
    match &error {
        TrackError::Provider {
            code: got,
            meaning: m,
            ..
        } => {
            assert_eq!(got, code, "{file}: the provider's code is kept");
            assert!(
                m.contains(meaning),
                "{file}: the code's meaning is explained: {m}"
            );
        }
        other => panic!("{file}: expected a provider error, got {other:?}"),
    }
    assert!(
        error.to_string().contains(code),
        "the message names the code: {error}"
    );
}

#[tokio::test]
async fn kuaidi100_signs_requests_and_a_wrong_key_is_a_sign_error() {
    let server = server().await;
    let good = kuaidi100(&server, K100_KEY, 2_000);
    good.track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .expect("the server accepts our signature");
    let bad = kuaidi100(&server, "WRONGKEY", 2_000);
    let error = bad
        .track(&query("75123456789013", Some(Courier::Zto)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TrackError::Provider { code, .. } if code == "503"),
        "a wrong key must come back as 503 (sign failed): {error:?}"
    );
}

#[tokio::test]
async fn kuaidi100_refuses_to_ask_within_thirty_minutes() {
    let server = server().await;
    let client = kuaidi100(&server, K100_KEY, 2_000);
    let q = query("75123456789012", Some(Courier::Zto));
    client.track(&q, now()).await.unwrap();
    assert_eq!(server.requests(), 1);
    let error = client
        .track(&q, now() + Duration::minutes(10))
        .await
        .unwrap_err();
    match error {
        TrackError::RateLimited { next_allowed, .. } => assert_eq!(
            next_allowed,
            now() + Duration::minutes(30),
            "the next query is allowed 30 minutes after the last"
        ),
        other => panic!("expected the client to refuse, got {other:?}"),
    }
    assert_eq!(
        server.requests(),
        1,
        "the refused query never left the client"
    );
    client
        .track(&q, now() + Duration::minutes(30))
        .await
        .expect("allowed again after 30 minutes");

    // A fresh client (the app restarted) still honours the stored last query.
    let fresh = kuaidi100(&server, K100_KEY, 2_000);
    let mut stored = query("75123456789099", Some(Courier::Zto));
    stored.last_queried = Some(now());
    assert!(
        matches!(
            fresh.track(&stored, now() + Duration::minutes(29)).await,
            Err(TrackError::RateLimited { .. })
        ),
        "the store's last query counts as well"
    );
}

#[rstest]
#[case::too_frequent_message(Scripted::ok(fixture("k100_too_frequent.json")))]
#[case::http_429(Scripted::ok(fixture("rate_limited_429.json")).with_status(429))]
#[tokio::test]
async fn kuaidi100_rate_limit_answers(#[case] answer: Scripted) {
    let server = server().await;
    server.script("75123456789012", answer);
    let client = kuaidi100(&server, K100_KEY, 2_000);
    let error = client
        .track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::RateLimited { next_allowed, .. } if next_allowed == now() + Duration::minutes(30)),
        "a rate-limit answer says when to ask again: {error:?}"
    );
    assert!(error.to_string().contains("下次可查询时间"), "{error}");
}

#[rstest]
#[case("kdn_state_0.json", ParcelState::NoRecord, 0)]
#[case("kdn_state_1.json", ParcelState::PickedUp, 1)]
#[case("kdn_state_2.json", ParcelState::InTransit, 2)]
#[case("kdn_state_201.json", ParcelState::InTransit, 3)]
#[case("kdn_state_202.json", ParcelState::OutForDelivery, 3)]
#[case("kdn_state_211.json", ParcelState::OutForDelivery, 3)]
#[case("kdn_state_3.json", ParcelState::Signed, 3)]
#[case("kdn_state_304.json", ParcelState::SignedByAgent, 3)]
#[case("kdn_state_311.json", ParcelState::SignedByAgent, 3)]
#[case("kdn_state_4.json", ParcelState::Problem, 3)]
#[case("kdn_state_404.json", ParcelState::Refused, 3)]
#[case("kdn_state_406.json", ParcelState::ReturnedToSender, 3)]
#[case("kdn_state_407.json", ParcelState::ReturnedToSender, 3)]
#[case("kdn_state_412.json", ParcelState::Problem, 3)]
#[case("kdn_empty.json", ParcelState::NoRecord, 0)]
#[tokio::test]
async fn kdniao_answers_normalise(
    #[case] file: &str,
    #[case] state: ParcelState,
    #[case] traces: usize,
) {
    let server = server().await;
    server.script("SF1234567890123", Scripted::ok(fixture(file)));
    let client = kdniao(&server, KDN_KEY, 2_000);
    let got = client
        .track(&query("SF1234567890123", Some(Courier::Sf)), now())
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        (got.state, got.traces.len()),
        (state, traces),
        "{file}: State/StateEx and the traces must come through normalised"
    );
}

#[rstest]
#[case("kdn_error_sign.json", "签名")]
#[case("kdn_error_quota.json", "次数")]
#[case("kdn_error_phone.json", "手机号后四位")]
#[tokio::test]
async fn kdniao_failures_explain_the_reason(#[case] file: &str, #[case] meaning: &str) {
    let server = server().await;
    server.script("SF1234567890123", Scripted::ok(fixture(file)));
    let client = kdniao(&server, KDN_KEY, 2_000);
    let error = client
        .track(&query("SF1234567890123", Some(Courier::Sf)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TrackError::Provider { meaning: m, .. } if m.contains(meaning)),
        "{file}: the reason is explained ({meaning}): {error:?}"
    );
}

#[tokio::test]
async fn kdniao_signs_requests_and_rate_limits_are_recognised() {
    let server = server().await;
    kdniao(&server, KDN_KEY, 2_000)
        .track(&query("SF1234567890123", Some(Courier::Sf)), now())
        .await
        .expect("the server accepts our DataSign");
    let error = kdniao(&server, "wrong-key", 2_000)
        .track(&query("SF1234567890124", Some(Courier::Sf)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, TrackError::Provider { meaning, .. } if meaning.contains("签名")),
        "a wrong AppKey is a sign error: {error:?}"
    );
    server.script(
        "SF1234567890125",
        Scripted::ok(fixture("kdn_too_frequent.json")),
    );
    let error = kdniao(&server, KDN_KEY, 2_000)
        .track(&query("SF1234567890125", Some(Courier::Sf)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::RateLimited { .. }),
        "“too frequent” is a rate limit: {error:?}"
    );
}

#[rstest]
#[case::kuaidi100(true)]
#[case::kdniao(false)]
#[tokio::test]
async fn malformed_json_says_where(#[case] k100: bool) {
    let server = server().await;
    server.script("SF1234567890123", Scripted::ok(fixture("malformed.json")));
    let client: Box<dyn Tracker> = if k100 {
        Box::new(kuaidi100(&server, K100_KEY, 2_000))
    } else {
        Box::new(kdniao(&server, KDN_KEY, 2_000))
    };
    let error = client
        .track(&query("SF1234567890123", Some(Courier::Sf)), now())
        .await
        .unwrap_err();
    match &error {
        TrackError::Malformed { at, start, .. } => {
            assert!(at.contains("第 2 行"), "the line is named: {at}");
            assert!(
                start.starts_with("{\"message\""),
                "the start is shown: {start}"
            );
        }
        other => panic!("expected malformed, got {other:?}"),
    }
    assert!(
        std::error::Error::source(&error).is_some(),
        "the JSON reader's error is kept as the source"
    );
}

#[rstest]
#[case::kuaidi100(true)]
#[case::kdniao(false)]
#[tokio::test]
async fn a_slow_answer_times_out(#[case] k100: bool) {
    let server = server().await;
    server.script(
        "SF1234567890123",
        Scripted::ok(fixture("kdn_state_2.json")).after(StdDuration::from_secs(3)),
    );
    let client: Box<dyn Tracker> = if k100 {
        Box::new(kuaidi100(&server, K100_KEY, 300))
    } else {
        Box::new(kdniao(&server, KDN_KEY, 300))
    };
    let started = std::time::Instant::now();
    let error = client
        .track(&query("SF1234567890123", Some(Courier::Sf)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::Timeout { .. }),
        "expected a timeout, got {error:?}"
    );
    assert!(
        started.elapsed() < StdDuration::from_secs(2),
        "the client gives up at its timeout, not when the server answers"
    );
    assert!(error.is_transient(), "a timeout is retried later");
    assert!(error.to_string().contains("超时"), "{error}");
}

#[tokio::test]
async fn offline_is_a_network_error_and_a_missing_courier_is_asked_for() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Kuaidi100::new(
        Kuaidi100Settings {
            customer: CUSTOMER.to_owned(),
            key: K100_KEY.to_owned(),
            url: Some(format!("http://127.0.0.1:{port}/poll/query.do")),
        },
        &http(1_000),
    )
    .unwrap();
    let error = client
        .track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::Network { .. }),
        "connection refused is a network error: {error:?}"
    );
    assert!(
        std::error::Error::source(&error).is_some(),
        "the cause is kept"
    );
    let error = client
        .track(&query("75123456789012", None), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::CourierNeeded { .. }),
        "no courier, no query: {error:?}"
    );
}

#[tokio::test]
async fn an_http_error_status_is_reported_with_its_code() {
    let server = server().await;
    server.script(
        "75123456789012",
        Scripted::ok("<html>Bad Gateway</html>").with_status(502),
    );
    let error = kuaidi100(&server, K100_KEY, 2_000)
        .track(&query("75123456789012", Some(Courier::Zto)), now())
        .await
        .unwrap_err();
    assert!(
        matches!(error, TrackError::Http { status: 502, .. }),
        "{error:?}"
    );
}

#[test]
fn settings_without_keys_or_with_a_bad_address_are_refused() {
    let error = Kuaidi100::new(
        Kuaidi100Settings {
            customer: String::new(),
            key: "k".to_owned(),
            url: None,
        },
        &HttpSettings::default(),
    )
    .unwrap_err();
    assert_eq!(error.code(), "track_settings", "{error}");
    let error = Kdniao::new(
        KdniaoSettings {
            business_id: "1".to_owned(),
            app_key: "k".to_owned(),
            url: Some("ftp://example.invalid".to_owned()),
        },
        &HttpSettings::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("https://"), "{error}");
}
