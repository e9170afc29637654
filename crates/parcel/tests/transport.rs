//! How the providers' keys travel: plain http only to this computer, https otherwise (in
//! the settings and on redirects), and never in Debug output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_parcel::fake::{FakeKeys, FakeServer, Scripted};
use afterdesk_parcel::{
    Courier, HttpSettings, Kdniao, KdniaoSettings, Kuaidi100, Kuaidi100Settings, ProviderSettings,
    TrackQuery, Tracker, Waybill, tracker,
};
use rstest::rstest;
use std::time::Duration;

const K100_KEY: &str = "k100-secret-key-0001";
const KDN_KEY: &str = "kdn-secret-key-0002";

fn kuaidi100(url: &str) -> Result<Kuaidi100, afterdesk_parcel::TrackError> {
    Kuaidi100::new(
        Kuaidi100Settings {
            customer: "CUSTOMER01".to_owned(),
            key: K100_KEY.to_owned(),
            url: Some(url.to_owned()),
        },
        &HttpSettings::default(),
    )
}

fn kdniao(url: &str) -> Result<Kdniao, afterdesk_parcel::TrackError> {
    Kdniao::new(
        KdniaoSettings {
            business_id: "1234567".to_owned(),
            app_key: KDN_KEY.to_owned(),
            url: Some(url.to_owned()),
        },
        &HttpSettings::default(),
    )
}

#[rstest]
#[case::remote_http("http://poll.kuaidi100.com/poll/query.do", Some("track_insecure_url"))]
#[case::remote_http_upper("HTTP://API.KDNIAO.COM/x", Some("track_insecure_url"))]
#[case::private_network("http://10.0.0.8:8080/q", Some("track_insecure_url"))]
#[case::localhost_lookalike("http://localhost.example.com/q", Some("track_insecure_url"))]
#[case::remote_https("https://poll.kuaidi100.com/poll/query.do", None)]
#[case::localhost("http://localhost:9000/q", None)]
#[case::loopback_v4("http://127.0.0.1:9000/q", None)]
#[case::loopback_v4_range("http://127.1.2.3/q", None)]
#[case::loopback_v6("http://[::1]:9000/q", None)]
#[case::not_web("ftp://poll.kuaidi100.com/q", Some("track_settings"))]
fn plain_http_is_only_for_this_computer(#[case] url: &str, #[case] refused: Option<&str>) {
    for (provider, got) in [
        ("快递100", kuaidi100(url).err()),
        ("快递鸟", kdniao(url).err()),
    ] {
        assert_eq!(
            got.as_ref().map(|e| e.code()),
            refused,
            "{provider}: http:// only to loopback, https:// otherwise ({url}): {got:?}"
        );
        if let Some(e) = got {
            assert!(
                e.to_string().contains(provider) && e.to_string().contains("https://"),
                "the message names the provider and what to use instead: {e}"
            );
        }
        assert_eq!(
            afterdesk_parcel::provider_url(url, provider)
                .err()
                .map(|e| e.code()),
            refused,
            "the settings screen's check says the same ({url})"
        );
    }
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_not_followed() {
    let server = FakeServer::start(FakeKeys::default(), Duration::ZERO)
        .await
        .unwrap();
    // 192.0.2.1 is reserved for documentation (RFC 5737): nothing answers there.
    server.script(
        "75123456789012",
        Scripted::redirect("http://192.0.2.1/poll/query.do"),
    );
    let client = Kuaidi100::new(
        Kuaidi100Settings {
            customer: "CUSTOMER01".to_owned(),
            key: K100_KEY.to_owned(),
            url: Some(server.kuaidi100_url()),
        },
        &HttpSettings {
            timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
        },
    )
    .unwrap();
    let query = TrackQuery {
        courier: Some(Courier::Zto),
        waybill: Waybill::parse("75123456789012").unwrap(),
        phone_tail: None,
        last_queried: None,
    };
    let now = parse_china_time("2026-11-20 09:00:00").unwrap();
    let err = client.track(&query, now).await.unwrap_err();
    assert_eq!(err.code(), "track_insecure_url", "{err}");
    assert!(err.to_string().contains("192.0.2.1"), "{err}");
}

#[test]
fn debug_output_never_shows_a_key() {
    let k100 = kuaidi100("https://poll.kuaidi100.com/poll/query.do").unwrap();
    let kdn = kdniao("https://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx").unwrap();
    let boxed = tracker(
        &ProviderSettings::Kuaidi100(Kuaidi100Settings {
            customer: "CUSTOMER01".to_owned(),
            key: K100_KEY.to_owned(),
            url: None,
        }),
        &HttpSettings::default(),
    )
    .unwrap();
    for shown in [
        format!("{k100:?}"),
        format!("{k100:#?}"),
        format!("{kdn:?}"),
        format!("{kdn:#?}"),
        format!("{boxed:?}"),
    ] {
        assert!(
            !shown.contains(K100_KEY) && !shown.contains(KDN_KEY),
            "a key must never reach a log: {shown}"
        );
        assert!(
            shown.contains("CUSTOMER01") || shown.contains("1234567"),
            "the account id stays visible for support: {shown}"
        );
    }
}
