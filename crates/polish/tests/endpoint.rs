//! The client against a local server that speaks the chat completions API.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_polish::testing::{FakeChat, Reply};
use afterdesk_polish::{KnownPii, PolishError, PolishSettings, Polisher, SYSTEM_PROMPT, Warning};
use rstest::rstest;
use std::time::Duration;

const KEY: &str = "sk-local-test-0001";
const MODEL: &str = "qwen-plus";

/// A draft with everything redaction must strip and everything the check must keep.
const DRAFT: &str = "亲，非常抱歉给您添麻烦了。您的订单4102938475610293847已登记，请把商品寄回浙江省杭州市余杭区文一西路969号3幢501室，\
收件人：售后部，联系电话0571-88886666。您留的手机13812345678我们已备注，运单号请填【待填：运单号】，退款12.50元会在24小时内原路退回。";

fn settings(server: &FakeChat, timeout_secs: u32) -> PolishSettings {
    PolishSettings {
        enabled: true,
        base_url: server.base_url(),
        model: MODEL.to_owned(),
        timeout_secs,
        temperature: Some(0.3),
    }
}

fn known() -> KnownPii {
    KnownPii {
        phones: vec!["+86 138 1234 5678".to_owned()],
        addresses: vec!["广东省深圳市南山区科技园南路18号".to_owned()],
        names: vec!["王小二".to_owned()],
    }
}

async fn polish(
    reply: Reply,
    timeout_secs: u32,
) -> (Result<afterdesk_polish::Polished, PolishError>, FakeChat) {
    let server = FakeChat::start(reply).unwrap();
    let polisher = Polisher::new(&settings(&server, timeout_secs), Some(KEY)).unwrap();
    let result = polisher.polish(DRAFT, &known()).await;
    (result, server)
}

#[tokio::test]
async fn a_polish_sends_only_redacted_text_with_model_and_key() {
    let (result, server) = polish(Reply::Echo, 10).await;
    let polished = result.unwrap();
    assert!(polished.text.starts_with("亲"), "{}", polished.text);
    assert!(
        polished.text.contains("〔地址〕") && polished.text.contains("〔电话〕"),
        "the markers stay in the polished text for the agent to fill in: {}",
        polished.text
    );
    assert!(
        polished
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::MarkersLeft { .. })),
        "markers left must be a warning: {:?}",
        polished.warnings
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "exactly one request per polish");
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path, "/v1/chat/completions",
        "the OpenAI path under the base URL"
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str()),
        "the key goes as a bearer token"
    );
    for leak in [
        "13812345678",
        "138",
        "88886666",
        "0571",
        "杭州",
        "余杭",
        "文一西路",
        "969",
        "501",
        "售后部",
    ] {
        assert!(
            !request.body.contains(leak),
            "personal data “{leak}” left the machine: {}",
            request.body
        );
    }
    let body = request.json();
    assert_eq!(body["model"], MODEL, "the configured model is sent");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][0]["content"], SYSTEM_PROMPT);
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert_eq!(
        user, polished.redacted.text,
        "the user message is exactly the redacted draft"
    );
    for kept in ["4102938475610293847", "【待填：运单号】", "12.50", "24"] {
        assert!(
            user.contains(kept),
            "fact “{kept}” must be sent unchanged: {user}"
        );
    }
    assert_eq!(body["max_tokens"], afterdesk_polish::MAX_TOKENS);
    assert!((body["temperature"].as_f64().unwrap() - 0.3).abs() < 1e-6);
    assert_eq!(body["stream"], false);
}

#[rstest]
#[case::unauthorized(Reply::Status(401, r#"{"error":{"message":"Incorrect API key provided"}}"#.into()), "polish_unauthorized", "密钥错误")]
#[case::forbidden(Reply::Status(403, r#"{"error":{"message":"forbidden"}}"#.into()), "polish_unauthorized", "HTTP 403")]
#[case::not_found(Reply::Status(404, r#"{"error":{"message":"The model `qwen-plus` does not exist"}}"#.into()), "polish_not_found", "模型名称不对")]
#[case::rate_limited(Reply::Status(429, r#"{"error":{"message":"You exceeded your current quota"}}"#.into()), "polish_rate_limited", "额度")]
#[case::server(Reply::Status(500, "Internal Server Error".into()), "polish_server", "HTTP 500")]
#[case::bad_gateway(Reply::Status(502, "".into()), "polish_server", "HTTP 502")]
#[case::bad_request(Reply::Status(400, r#"{"error":{"message":"temperature is not supported"}}"#.into()), "polish_rejected", "temperature is not supported")]
#[case::not_json(Reply::Raw("<html>gateway</html>".into()), "polish_malformed", "JSON")]
#[case::no_choices(Reply::Raw(r#"{"id":"x","object":"chat.completion"}"#.into()), "polish_malformed", "choices")]
#[case::no_content(Reply::Raw(r#"{"choices":[{"index":0,"message":{"role":"assistant"}}]}"#.into()), "polish_malformed", "choices[0].message.content")]
#[case::empty_choices(Reply::Raw(r#"{"choices":[]}"#.into()), "polish_empty", "回答为空")]
#[case::empty_content(Reply::Content("   ".into()), "polish_empty", "回答为空")]
#[case::changed_number(Reply::Content("亲，退款12.5元会在一天内退回，订单4102938475610293847，运单号【待填：运单号】〔地址〕〔电话〕".into()), "polish_changed_facts", "丢了")]
#[case::dropped_placeholder(Reply::Content("亲，订单4102938475610293847退款12.50元24小时内退回〔地址〕〔电话〕".into()), "polish_changed_facts", "【待填：运单号】")]
#[tokio::test]
async fn failures_are_plain_errors(#[case] reply: Reply, #[case] code: &str, #[case] words: &str) {
    let (result, _server) = polish(reply, 10).await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), code, "wrong error for this answer: {err}");
    assert!(
        err.to_string().contains(words),
        "the message must say plainly what happened (“{words}”): {err}"
    );
}

#[tokio::test]
async fn a_slow_endpoint_times_out_and_says_after_how_long() {
    let started = std::time::Instant::now();
    let (result, _server) = polish(
        Reply::Slow(Duration::from_secs(5), Box::new(Reply::Echo)),
        1,
    )
    .await;
    let err = result.unwrap_err();
    assert_eq!(err.code(), "polish_timeout", "{err}");
    assert!(
        err.to_string().contains("1 秒"),
        "the message says the timeout: {err}"
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "the client's error stays as the source"
    );
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the timeout must cut the wait, took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_names_its_host() {
    // A port that was free a moment ago: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = PolishSettings {
        enabled: true,
        base_url: format!("http://127.0.0.1:{port}/v1/"),
        model: MODEL.into(),
        ..PolishSettings::default()
    };
    let err = Polisher::new(&settings, Some(KEY))
        .unwrap()
        .polish("亲，您好", &KnownPii::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "polish_connect", "{err}");
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "the message names the host: {err}"
    );
}

#[tokio::test]
async fn an_added_promise_is_a_warning() {
    let (result, _server) = polish(
        Reply::Content(format!(
            "亲，我们保证处理好。{}",
            afterdesk_polish::redact(DRAFT, &known()).unwrap().text
        )),
        10,
    )
    .await;
    let polished = result.unwrap();
    assert!(
        polished
            .warnings
            .iter()
            .any(|w| matches!(w, Warning::AddedPromise { words } if words == &["保证".to_owned()])),
        "a promise word the draft lacked must be flagged: {:?}",
        polished.warnings
    );
    let json = serde_json::to_value(&polished.warnings).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|w| w["code"].is_string() && w["message"].is_string())
    );
}

#[rstest]
#[case::disabled(PolishSettings { enabled: false, base_url: "http://x/v1".into(), model: "m".into(), ..PolishSettings::default() }, Some(KEY), "polish_disabled")]
#[case::no_url(PolishSettings { enabled: true, model: "m".into(), ..PolishSettings::default() }, Some(KEY), "polish_not_configured")]
#[case::no_model(PolishSettings { enabled: true, base_url: "http://x/v1".into(), ..PolishSettings::default() }, Some(KEY), "polish_not_configured")]
#[case::no_key(PolishSettings { enabled: true, base_url: "http://x/v1".into(), model: "m".into(), ..PolishSettings::default() }, None, "polish_no_key")]
#[case::blank_key(PolishSettings { enabled: true, base_url: "http://x/v1".into(), model: "m".into(), ..PolishSettings::default() }, Some(" "), "polish_no_key")]
#[case::bad_url(PolishSettings { enabled: true, base_url: "not a url".into(), model: "m".into(), ..PolishSettings::default() }, Some(KEY), "polish_bad_url")]
#[case::ftp(PolishSettings { enabled: true, base_url: "ftp://x/v1".into(), model: "m".into(), ..PolishSettings::default() }, Some(KEY), "polish_bad_url")]
fn settings_are_checked_before_anything_is_sent(
    #[case] settings: PolishSettings,
    #[case] key: Option<&str>,
    #[case] code: &str,
) {
    let err = Polisher::new(&settings, key).unwrap_err();
    assert_eq!(err.code(), code, "{err}");
}

#[rstest]
#[case(
    "https://api.deepseek.com/v1",
    "https://api.deepseek.com/v1/chat/completions"
)]
#[case(
    "https://api.deepseek.com/v1/",
    "https://api.deepseek.com/v1/chat/completions"
)]
#[case(
    "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions",
    "https://dashscope.aliyuncs.com/compatible-mode/v1/chat/completions"
)]
fn the_endpoint_is_the_base_url_plus_chat_completions(#[case] base: &str, #[case] url: &str) {
    let settings = PolishSettings {
        enabled: true,
        base_url: base.into(),
        model: "m".into(),
        ..PolishSettings::default()
    };
    assert_eq!(Polisher::new(&settings, Some(KEY)).unwrap().url(), url);
}

#[test]
fn settings_default_to_off_and_read_partial_json() {
    let s: PolishSettings = serde_json::from_str(r#"{"base_url":"https://x/v1"}"#).unwrap();
    assert!(!s.enabled, "the polish is off unless the shop turns it on");
    assert_eq!(s.timeout_secs, afterdesk_polish::DEFAULT_TIMEOUT_SECS);
    assert_eq!(s.temperature, None);
    let json = serde_json::to_string(&PolishSettings::default()).unwrap();
    assert!(
        !json.to_lowercase().contains("key"),
        "the settings never carry the key: {json}"
    );
}

#[tokio::test]
async fn a_too_long_draft_is_refused_before_sending() {
    let server = FakeChat::start(Reply::Echo).unwrap();
    let polisher = Polisher::new(&settings(&server, 10), Some(KEY)).unwrap();
    let long = "好".repeat(afterdesk_polish::MAX_INPUT_CHARS + 1);
    let err = polisher
        .polish(&long, &KnownPii::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "polish_too_long");
    assert!(server.requests().is_empty(), "nothing may be sent");
}

/// The key travels in the clear over `http://`: allowed only to this computer (a local
/// model server), refused for any other host before anything is sent.
#[rstest]
#[case::remote_http("http://api.deepseek.com/v1", Some("polish_insecure_url"))]
#[case::remote_http_upper("HTTP://API.DEEPSEEK.COM/v1", Some("polish_insecure_url"))]
#[case::private_network("http://192.168.1.20:8000/v1", Some("polish_insecure_url"))]
#[case::localhost_lookalike("http://localhost.example.com/v1", Some("polish_insecure_url"))]
#[case::mapped_loopback("http://[::ffff:127.0.0.1]:8000/v1", Some("polish_insecure_url"))]
#[case::remote_https("https://api.deepseek.com/v1", None)]
#[case::localhost("http://localhost:11434/v1", None)]
#[case::loopback_v4("http://127.0.0.1:8000/v1", None)]
#[case::loopback_v4_range("http://127.8.9.10/v1", None)]
#[case::loopback_v6("http://[::1]:8000/v1", None)]
fn plain_http_is_only_for_this_computer(#[case] base: &str, #[case] refused: Option<&str>) {
    let settings = PolishSettings {
        enabled: true,
        base_url: base.into(),
        model: "m".into(),
        ..PolishSettings::default()
    };
    let got = Polisher::new(&settings, Some(KEY)).err().map(|e| {
        assert!(
            e.to_string().contains("https://"),
            "the message says what to use instead: {e}"
        );
        e.code()
    });
    assert_eq!(
        got, refused,
        "http:// only to loopback, https:// otherwise ({base})"
    );
    assert_eq!(
        afterdesk_polish::endpoint(base).err().map(|e| e.code()),
        refused,
        "the settings screen's check says the same ({base})"
    );
}

#[tokio::test]
async fn a_redirect_to_plain_http_elsewhere_is_not_followed() {
    // The endpoint (on this computer, so plain http is allowed) answers with a redirect to
    // a remote plain http address: following it would send the key in the clear.
    // 192.0.2.1 is reserved for documentation (RFC 5737): nothing answers there.
    let server = FakeChat::start(Reply::Redirect(
        "http://192.0.2.1/v1/chat/completions".into(),
    ))
    .unwrap();
    let polisher = Polisher::new(&settings(&server, 2), Some(KEY)).unwrap();
    let err = polisher
        .polish("亲，您好", &KnownPii::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "polish_insecure_url", "{err}");
    assert!(err.to_string().contains("192.0.2.1"), "{err}");
}

#[test]
fn debug_output_never_shows_the_key() {
    let settings = PolishSettings {
        enabled: true,
        base_url: "https://api.deepseek.com/v1".into(),
        model: "deepseek-chat".into(),
        ..PolishSettings::default()
    };
    let polisher = Polisher::new(&settings, Some(KEY)).unwrap();
    for shown in [format!("{polisher:?}"), format!("{polisher:#?}")] {
        assert!(
            !shown.contains(KEY) && !shown.contains("sk-"),
            "the key must never reach a log: {shown}"
        );
        assert!(
            shown.contains("api.deepseek.com") && shown.contains("deepseek-chat"),
            "the rest stays visible for support: {shown}"
        );
    }
}
