//! What the WebDAV and S3 backends share: the HTTP client and its time limits, the check
//! that credentials only travel encrypted, the mapping of failures and statuses to
//! [`TransportError`], bounded reading of answers, and the server's clock.

use super::{MAX_RETRY_AFTER, TransportError};
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The time limit of one request, from sending to the last byte of the answer. The
/// largest request is a 32 MiB batch or a blob chunk: at 8 Mbit/s, a slow office uplink,
/// it takes about 35 s, so two minutes leave room without letting a stuck server hold the
/// sync loop for long.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The time limit to open a connection (DNS, TCP, TLS). A reachable server connects in
/// well under a second; ten seconds covers a slow mobile network.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes of an error answer read to find the S3 error code: error documents are
/// a few hundred bytes, and an HTML page from a proxy is not worth more.
const MAX_ERROR_BODY_BYTES: u64 = 16 * 1024;

/// The time limits of a WebDAV or S3 transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// The whole request's limit ([`REQUEST_TIMEOUT`] by default).
    pub timeout: Duration,
    /// The connection's limit ([`CONNECT_TIMEOUT`] by default).
    pub connect_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: REQUEST_TIMEOUT,
            connect_timeout: CONNECT_TIMEOUT,
        }
    }
}

/// The HTTP client of one transport: rustls, the time limits, and no redirects (a
/// redirect could carry the credentials elsewhere; a WebDAV or S3 server answers where it
/// is asked).
pub(crate) fn client(settings: &HttpSettings) -> Result<reqwest::Client, TransportError> {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.connect_timeout)
        .user_agent(concat!("AfterDesk/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(TransportError::Client)
}

/// Parses a server's address and refuses one that would send credentials in the clear:
/// only https, or plain http to this computer (tests, a local MinIO).
pub(crate) fn server_url(text: &str) -> Result<Url, TransportError> {
    let url = Url::parse(text.trim())
        .map_err(|e| TransportError::Settings(format!("地址“{text}”无效：{e}")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(TransportError::InsecureUrl {
            url: text.trim().to_owned(),
        }),
        _ => Err(TransportError::Settings(format!(
            "地址“{text}”必须以 https:// 开头"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The server's clock as of its last answer (`Date` header), kept as milliseconds since
/// the epoch (0 before the first answer) so that reading it needs no lock.
#[derive(Debug, Default)]
pub(crate) struct ServerClock(AtomicI64);

impl ServerClock {
    /// Records the `Date` header of an answer, if it has a readable one.
    pub(crate) fn record(&self, headers: &HeaderMap) {
        if let Some(date) = header_date(headers) {
            self.0.store(date.timestamp_millis(), Ordering::Relaxed);
        }
    }

    /// The last recorded server time.
    pub(crate) fn get(&self) -> Option<DateTime<Utc>> {
        match self.0.load(Ordering::Relaxed) {
            0 => None,
            ms => DateTime::from_timestamp_millis(ms),
        }
    }
}

/// The `Date` header as a time.
fn header_date(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let text = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    http_date(text)
}

/// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, the only form servers send today).
pub(crate) fn http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text.trim())
        .ok()
        .map(|date| date.with_timezone(&Utc))
}

/// How long `Retry-After` asks to wait: seconds, or a date taken relative to the answer's
/// own `Date` (the server's clock, not ours); capped at [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = if let Ok(secs) = text.parse::<u64>() {
        Duration::from_secs(secs)
    } else {
        let until = http_date(text)?;
        let now = header_date(headers)?;
        (until - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// One request's context, for the errors it may give.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The operation (`list`, `read`, `write`, `delete`).
    pub operation: &'static str,
    /// The path, relative to the shop's folder.
    pub path: &'a str,
    /// The request's time limit, for the timeout error.
    pub timeout: Duration,
}

impl Call<'_> {
    /// The error of a request that got no answer.
    pub(crate) fn failed(&self, source: reqwest::Error) -> TransportError {
        if source.is_timeout() {
            TransportError::Timeout {
                operation: self.operation,
                path: self.path.to_owned(),
                after: self.timeout,
            }
        } else {
            TransportError::Unreachable { source }
        }
    }
}

/// Sends a request and records the server's clock from the answer. `idempotent` requests
/// (reads and listings) are sent once more at once when the first attempt could not
/// connect or lost its connection before an answer: a keep-alive connection the server
/// had closed is the common cause, and the retry costs nothing. Timeouts are not retried
/// (that would double the wait), nor is anything that got an answer.
pub(crate) async fn send(
    call: Call<'_>,
    clock: &ServerClock,
    idempotent: bool,
    request: impl Fn() -> RequestBuilder,
) -> Result<Response, TransportError> {
    let first = request().send().await;
    let answer = match first {
        Err(error) if idempotent && !error.is_timeout() && error.status().is_none() => {
            request().send().await
        }
        other => other,
    };
    let response = answer.map_err(|e| call.failed(e))?;
    clock.record(response.headers());
    Ok(response)
}

/// The error for an answer with an error status (the body is read, within a bound, to
/// find an S3 error code).
pub(crate) async fn status_error(call: Call<'_>, response: Response) -> TransportError {
    let status = response.status();
    let headers = response.headers().clone();
    match status {
        StatusCode::NOT_FOUND | StatusCode::GONE => TransportError::NotFound {
            path: call.path.to_owned(),
        },
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
            TransportError::RateLimited {
                status: status.as_u16(),
                retry_after: retry_after(&headers),
            }
        }
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            let body = read_limited(call, response, MAX_ERROR_BODY_BYTES)
                .await
                .unwrap_or_default();
            if super::xml::error_code(&body).as_deref() == Some("RequestTimeTooSkewed") {
                TransportError::ClockSkewed
            } else {
                TransportError::Unauthorized {
                    status: status.as_u16(),
                }
            }
        }
        _ => TransportError::Http {
            operation: call.operation,
            path: call.path.to_owned(),
            status: status.as_u16(),
        },
    }
}

/// Reads an answer's body, refusing it with [`TransportError::TooLarge`] when the
/// announced length is over `limit` (before reading anything) or when more than `limit`
/// bytes arrive (an answer without a length, or one that lied).
pub(crate) async fn read_limited(
    call: Call<'_>,
    mut response: Response,
    limit: u64,
) -> Result<Vec<u8>, TransportError> {
    let too_large = || TransportError::TooLarge {
        path: call.path.to_owned(),
        limit,
    };
    let announced = response.content_length();
    if announced.is_some_and(|length| length > limit) {
        return Err(too_large());
    }
    // The announced length sizes the buffer only once it is known to be within the bound.
    let capacity = announced
        .and_then(|length| usize::try_from(length).ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await.map_err(|e| call.failed(e))? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use reqwest::header::{DATE, HeaderValue};

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let cases: [(&str, Option<&str>, Option<u64>); 6] = [
            ("120", None, Some(120)),
            (" 5 ", None, Some(5)),
            ("999999", None, Some(MAX_RETRY_AFTER.as_secs())),
            (
                "Wed, 02 Dec 2026 12:01:00 GMT",
                Some("Wed, 02 Dec 2026 12:00:00 GMT"),
                Some(60),
            ),
            ("Wed, 02 Dec 2026 12:01:00 GMT", None, None),
            ("soon", Some("Wed, 02 Dec 2026 12:00:00 GMT"), None),
        ];
        for (value, date, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
            if let Some(date) = date {
                headers.insert(DATE, HeaderValue::from_str(date).unwrap());
            }
            assert_eq!(
                retry_after(&headers).map(|d| d.as_secs()),
                expected,
                "Retry-After {value:?} with Date {date:?}: seconds, or a date against the server's own clock, capped"
            );
        }
    }

    #[test]
    fn credentials_travel_encrypted_or_stay_on_this_computer() {
        let cases = [
            ("https://dav.jianguoyun.com/dav/", true),
            ("http://127.0.0.1:8080/", true),
            ("http://localhost:9000", true),
            ("http://[::1]:9000", true),
            ("http://dav.jianguoyun.com/dav/", false),
            ("http://192.168.1.2:9000", false),
            ("ftp://example.com/", false),
            ("not a url", false),
        ];
        for (url, ok) in cases {
            assert_eq!(
                server_url(url).is_ok(),
                ok,
                "{url}: only https, or http to loopback, may carry credentials"
            );
        }
        assert_eq!(
            server_url("http://dav.jianguoyun.com/dav/")
                .unwrap_err()
                .code(),
            "sync_insecure_url",
            "plain http elsewhere is its own error"
        );
    }
}
