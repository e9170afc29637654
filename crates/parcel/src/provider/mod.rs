//! Tracking providers behind one trait: 快递100, 快递鸟, and "manual" (no provider).
//!
//! The core never reads a keychain or the environment: the caller passes the provider's
//! address, ids and keys in [`ProviderSettings`] (the app keeps keys in the operating
//! system's keychain; the CLI takes them from flags or environment variables). Every
//! query takes `now` so that rate limits are decided without reading the clock.

mod kdniao;
mod kuaidi100;

pub use kdniao::{
    KDNIAO_DEFAULT_URL, Kdniao, KdniaoSettings, kdniao_answer, kdniao_sign, kdniao_state,
};
pub use kuaidi100::{
    KUAIDI100_DEFAULT_URL, KUAIDI100_MIN_INTERVAL_MINUTES, Kuaidi100, Kuaidi100Settings,
    kuaidi100_answer, kuaidi100_error_meaning, kuaidi100_sign, kuaidi100_state,
};

use crate::TrackError;
use afterdesk_case::{Courier, ParcelState, Trace, Waybill};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What a provider is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackQuery {
    /// The courier, when known; both providers need it.
    pub courier: Option<Courier>,
    /// The waybill number.
    pub waybill: Waybill,
    /// The phone's last four digits, which SF requires.
    pub phone_tail: Option<String>,
    /// When this waybill was last answered by the provider, for its rate limit.
    pub last_queried: Option<DateTime<Utc>>,
}

/// What a provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The normalised state.
    pub state: ParcelState,
    /// The events, oldest first.
    pub traces: Vec<Trace>,
    /// Whether the provider considers the route finished (signed, returned).
    pub complete: bool,
    /// The provider's own state code, for display and support.
    pub provider_state: String,
}

/// A boxed query, so that trackers can be chosen at run time (`Box<dyn Tracker>`).
pub type TrackFuture<'a> = Pin<Box<dyn Future<Output = Result<Tracking, TrackError>> + Send + 'a>>;

/// A tracking provider.
pub trait Tracker: Send + Sync + fmt::Debug {
    /// The provider's name as users know it (`快递100`).
    fn name(&self) -> &'static str;

    /// Whether this is the manual "provider": nothing is asked, the agent records states
    /// by hand, and a refresh leaves the parcels alone.
    fn is_manual(&self) -> bool {
        false
    }

    /// The shortest time between two queries of one waybill the provider allows.
    fn min_interval(&self) -> chrono::Duration;

    /// Asks for a waybill's route. `now` decides rate limits.
    fn track<'a>(&'a self, query: &'a TrackQuery, now: DateTime<Utc>) -> TrackFuture<'a>;
}

/// No provider: the agent records states and events by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct Manual;

impl Tracker for Manual {
    fn name(&self) -> &'static str {
        "手动记录"
    }

    fn is_manual(&self) -> bool {
        true
    }

    fn min_interval(&self) -> chrono::Duration {
        chrono::Duration::zero()
    }

    fn track<'a>(&'a self, _query: &'a TrackQuery, _now: DateTime<Utc>) -> TrackFuture<'a> {
        Box::pin(async { Err(TrackError::Manual) })
    }
}

/// How long a query may take before it counts as timed out.
///
/// Both providers answer in well under a second when healthy; ten seconds rides out a
/// slow mobile hotspot without leaving a "refresh all" of a few hundred parcels hanging
/// for minutes when a provider is down.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// How long connecting may take.
///
/// A connection that is not up in five seconds is not coming: the machine is offline or
/// the address is wrong, and failing fast keeps the last known states on screen sooner.
pub const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 5;

/// Which provider to ask, with its address and credentials.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "provider", rename_all = "snake_case")]
pub enum ProviderSettings {
    /// No provider: states are recorded by hand.
    #[default]
    Manual,
    /// 快递100's real-time query.
    Kuaidi100(Kuaidi100Settings),
    /// 快递鸟's instant query.
    Kdniao(KdniaoSettings),
}

// Keys never reach a log: Debug names the provider and the non-secret fields only.
impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderSettings::Manual => f.write_str("Manual"),
            ProviderSettings::Kuaidi100(s) => f
                .debug_struct("Kuaidi100")
                .field("customer", &s.customer)
                .field("url", &s.url)
                .finish_non_exhaustive(),
            ProviderSettings::Kdniao(s) => f
                .debug_struct("Kdniao")
                .field("business_id", &s.business_id)
                .field("url", &s.url)
                .finish_non_exhaustive(),
        }
    }
}

/// Timeouts of the HTTP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// The whole query.
    pub timeout: Duration,
    /// Connecting.
    pub connect_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
        }
    }
}

/// Builds the tracker the settings name.
pub fn tracker(
    settings: &ProviderSettings,
    http: &HttpSettings,
) -> Result<Box<dyn Tracker>, TrackError> {
    Ok(match settings {
        ProviderSettings::Manual => Box::new(Manual),
        ProviderSettings::Kuaidi100(s) => Box::new(Kuaidi100::new(s.clone(), http)?),
        ProviderSettings::Kdniao(s) => Box::new(Kdniao::new(s.clone(), http)?),
    })
}

/// How many redirects a query follows. Both providers answer where they are asked; a
/// proxy may move once or twice, and more is a loop.
const MAX_REDIRECTS: usize = 3;

/// The HTTP client both providers use: rustls, the given timeouts, no cookies, and
/// redirects followed only where [`secure_transport`] allows (a redirect to plain http
/// elsewhere would carry the signed query and the account id in the clear).
pub(crate) fn client(http: &HttpSettings) -> Result<reqwest::Client, TrackError> {
    reqwest::Client::builder()
        .timeout(http.timeout)
        .connect_timeout(http.connect_timeout)
        .user_agent(concat!("AfterDesk/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if !secure_transport(attempt.url()) {
                let to = attempt.url().to_string();
                attempt.error(InsecureRedirect(to))
            } else if attempt.previous().len() > MAX_REDIRECTS {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .build()
        .map_err(TrackError::Client)
}

/// A redirect the client refused to follow because of [`secure_transport`].
#[derive(Debug, thiserror::Error)]
#[error("接口把请求转到了不加密的地址 {0}")]
struct InsecureRedirect(String);

pub use afterdesk_secret::secure_transport;

/// Checks a provider's query address before it is used, so that a typo is a settings
/// error and not a network error on every parcel, and a plain http address elsewhere
/// ([`secure_transport`]) is refused before a key is sent to it. Returns the address as
/// it will be used. The settings screen calls it when the address is saved.
pub fn provider_url(url: &str, provider: &'static str) -> Result<String, TrackError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| TrackError::Settings(format!("{provider}的接口地址“{url}”无效：{e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(TrackError::Settings(format!(
            "{provider}的接口地址“{url}”必须以 https:// 开头"
        )));
    }
    if !secure_transport(&parsed) {
        return Err(TrackError::InsecureUrl {
            provider,
            url: url.trim().to_owned(),
        });
    }
    Ok(parsed.to_string())
}

/// The largest answer a provider may send, in bytes; a larger one is refused before it is
/// parsed, and not even read whole.
///
/// Neither provider documents a size limit. A route line is 150–400 bytes of JSON (time,
/// place, the courier's text, 快递100's area fields), and the longest real routes,
/// international parcels with customs steps, run to a few hundred lines: about 150 KB.
/// One mebibyte is several times that, while an answer that large is a proxy's error
/// page or a broken server, whose parsing would only cost memory and time in a refresh
/// of hundreds of parcels.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Refuses an answer over [`MAX_ANSWER_BYTES`].
pub(crate) fn check_size(provider: &'static str, body: &[u8]) -> Result<(), TrackError> {
    if body.len() > MAX_ANSWER_BYTES {
        return Err(TrackError::TooLarge {
            provider,
            limit: MAX_ANSWER_BYTES,
        });
    }
    Ok(())
}

/// Posts a form and returns the answer's body; transport failures, HTTP errors and the
/// HTTP rate-limit answer (429) become [`TrackError`]s.
pub(crate) async fn post_form(
    client: &reqwest::Client,
    url: &str,
    body: String,
    provider: &'static str,
    timeout: Duration,
    rate_limited_until: DateTime<Utc>,
) -> Result<Vec<u8>, TrackError> {
    let transport = |source: reqwest::Error| {
        if source.is_redirect() {
            // Only the client's redirect policy turns a redirect into an error.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&source);
            let mut to = url.to_owned();
            while let Some(e) = cause {
                if let Some(InsecureRedirect(target)) = e.downcast_ref::<InsecureRedirect>() {
                    to.clone_from(target);
                }
                cause = e.source();
            }
            TrackError::InsecureUrl { provider, url: to }
        } else if source.is_timeout() {
            TrackError::Timeout {
                provider,
                secs: timeout.as_secs(),
                source,
            }
        } else {
            TrackError::Network { provider, source }
        }
    };
    let response = client
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = response.status().as_u16();
    if status == 429 {
        return Err(TrackError::RateLimited {
            provider,
            next_allowed: rate_limited_until,
        });
    }
    if !response.status().is_success() {
        return Err(TrackError::Http { provider, status });
    }
    let too_large = TrackError::TooLarge {
        provider,
        limit: MAX_ANSWER_BYTES,
    };
    if response
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_large);
    }
    // Read piece by piece, so that an answer without a length, or lying about it, stops
    // being read at the limit rather than filling memory.
    let mut response = response;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_large);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a JSON answer, saying where it broke when it is not JSON.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    provider: &'static str,
    body: &[u8],
) -> Result<T, TrackError> {
    serde_json::from_slice(body).map_err(|source| {
        let kind = match source.classify() {
            serde_json::error::Category::Io => "读取中断",
            serde_json::error::Category::Syntax => "语法错误",
            serde_json::error::Category::Data => "字段类型不符",
            serde_json::error::Category::Eof => "内容不完整",
        };
        let start: String = String::from_utf8_lossy(body).chars().take(60).collect();
        TrackError::Malformed {
            provider,
            at: format!("第 {} 行第 {} 列，{kind}", source.line(), source.column()),
            start,
            source,
        }
    })
}

/// A JSON value as text: providers write codes as strings or numbers interchangeably.
pub(crate) fn text(value: Option<&serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a courier's text says the parcel was intercepted.
///
/// Neither provider has an "intercepted" state: an interception shows as a trace text
/// (`快件已拦截`, `拦截成功`) under an in-transit or returning state, so the newest text
/// decides.
pub(crate) fn says_intercepted(traces: &[Trace]) -> bool {
    traces.last().is_some_and(|t| {
        t.text.contains("拦截成功") || t.text.contains("已拦截") || t.text.contains("已被拦截")
    })
}

/// Builds a [`Tracking`]: sorts the traces oldest first, treats an empty route as "no
/// record", and recognises interceptions from the newest text.
pub(crate) fn tracking(
    mut state: ParcelState,
    mut traces: Vec<Trace>,
    complete: bool,
    provider_state: String,
) -> Tracking {
    traces.sort_by_key(|t| t.at);
    traces.dedup();
    if traces.is_empty() && matches!(state, ParcelState::InTransit) {
        state = ParcelState::NoRecord;
    }
    if !state.is_delivered() && state != ParcelState::Refused && says_intercepted(&traces) {
        state = ParcelState::Intercepted;
    }
    Tracking {
        state,
        traces,
        complete,
        provider_state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_debug_hides_keys() {
        let s = ProviderSettings::Kuaidi100(Kuaidi100Settings {
            customer: "CUST".to_owned(),
            key: "very-secret-key".to_owned(),
            url: None,
        });
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("very-secret-key"),
            "a key must never reach a log: {shown}"
        );
        assert!(shown.contains("CUST"));
    }

    #[test]
    fn settings_are_tagged_json() {
        let s: ProviderSettings = serde_json::from_str(
            r#"{"provider":"kdniao","business_id":"1234","app_key":"k","url":null}"#,
        )
        .unwrap_or_default();
        assert!(
            matches!(s, ProviderSettings::Kdniao(ref k) if k.business_id == "1234"),
            "the app passes settings as tagged JSON: {s:?}"
        );
    }
}
