//! 快递鸟's instant query (即时查询, RequestType 1002).
//!
//! A POST form with `RequestData` (the JSON query), `EBusinessID` (the user id),
//! `RequestType=1002`, `DataSign` and `DataType=2` (JSON). `DataSign` is the Base64 of
//! the lower-case hex MD5 of `RequestData + AppKey`; the form encoding then URL-encodes
//! both `RequestData` and `DataSign`, as 快递鸟's own examples do.

use super::{
    HttpSettings, TrackFuture, TrackQuery, Tracker, Tracking, check_size, client, parse_json,
    post_form, provider_url, text, tracking,
};
use crate::TrackError;
use afterdesk_case::time::parse_china_time;
use afterdesk_case::{Courier, ParcelState, Trace};
use base64::Engine;
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

/// 快递鸟's instant-query address.
pub const KDNIAO_DEFAULT_URL: &str = "https://api.kdniao.com/Ebusiness/EbusinessOrderHandle.aspx";

/// 快递鸟's request type for the instant query.
const REQUEST_TYPE: &str = "1002";

/// After an HTTP 429 or a "too frequent" answer, wait this long.
///
/// 快递鸟 documents no per-waybill interval, only a per-account rate; a minute lets the
/// account's window pass without holding a refreshed parcel back for long.
const KDNIAO_BACKOFF_MINUTES: i64 = 1;

const NAME: &str = "快递鸟";

/// 快递鸟 account settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdniaoSettings {
    /// The user id (用户ID / EBusinessID).
    pub business_id: String,
    /// The API key (API key / AppKey).
    pub app_key: String,
    /// The query address; `None` for [`KDNIAO_DEFAULT_URL`].
    #[serde(default)]
    pub url: Option<String>,
}

// The key is not shown: Debug output reaches logs.
impl std::fmt::Debug for KdniaoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KdniaoSettings")
            .field("business_id", &self.business_id)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The 快递鸟 client.
pub struct Kdniao {
    business_id: String,
    app_key: String,
    url: String,
    http: HttpSettings,
    client: reqwest::Client,
}

/// `DataSign` before form encoding: Base64 of the lower-case hex MD5 of
/// `request_data + app_key`.
pub fn kdniao_sign(request_data: &str, app_key: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(request_data.as_bytes());
    md5.update(app_key.as_bytes());
    let hex: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
    base64::engine::general_purpose::STANDARD.encode(hex)
}

/// 快递鸟's shipper code of a courier.
fn shipper(courier: Courier) -> Option<&'static str> {
    Some(match courier {
        Courier::Sf => "SF",
        Courier::Zto => "ZTO",
        Courier::Yto => "YTO",
        Courier::Sto => "STO",
        Courier::Yunda => "YD",
        Courier::Jt => "JTSD",
        Courier::Ems => "EMS",
        Courier::Jd => "JD",
        Courier::Deppon => "DBL",
        Courier::Other => return None,
    })
}

/// Maps 快递鸟's `State` and detailed `StateEx` to a parcel state.
///
/// `StateEx` decides when present and known (211 in a locker is still out for delivery;
/// 304 and 311 are signed by an agent or a locker; 404 is a refusal; 406 and 407 are on
/// their way back); otherwise `State`: 0 no record, 1 picked up, 2 in transit, 3 signed,
/// 4 problem. An unknown code is in transit.
pub fn kdniao_state(state: &str, state_ex: Option<&str>) -> ParcelState {
    use ParcelState as S;
    if let Some(ex) = state_ex {
        let known = match ex.trim() {
            "1" | "101" | "102" | "103" => Some(S::PickedUp),
            "201" | "2" => Some(S::InTransit),
            "202" | "211" => Some(S::OutForDelivery),
            "301" | "302" | "3" => Some(S::Signed),
            "304" | "311" => Some(S::SignedByAgent),
            "401" | "402" | "403" | "405" | "412" | "4" => Some(S::Problem),
            "404" => Some(S::Refused),
            "406" | "407" => Some(S::ReturnedToSender),
            "0" => Some(S::NoRecord),
            _ => None,
        };
        if let Some(known) = known {
            return known;
        }
    }
    match state.trim() {
        "0" => S::NoRecord,
        "1" => S::PickedUp,
        "3" => S::Signed,
        "4" => S::Problem,
        _ => S::InTransit,
    }
}

/// What a failed answer's `Reason` means, from the phrases 快递鸟 uses.
fn meaning(reason: &str) -> &'static str {
    if reason.contains("签名") || reason.contains("DataSign") {
        "签名验证失败，请检查用户ID和 API key"
    } else if reason.contains("套餐") || reason.contains("次数") || reason.contains("余额") {
        "查询次数已用完或套餐已过期"
    } else if reason.contains("手机") || reason.contains("CustomerName") {
        "需要正确的收/寄件人手机号后四位"
    } else if reason.contains("参数") || reason.contains("ShipperCode") {
        "提交的数据不完整或快递公司编码错误"
    } else {
        "查询失败"
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Answer {
    success: Option<bool>,
    reason: Option<String>,
    result_code: Option<serde_json::Value>,
    state: Option<serde_json::Value>,
    state_ex: Option<serde_json::Value>,
    traces: Option<Vec<AnswerTrace>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AnswerTrace {
    accept_time: Option<String>,
    accept_station: Option<String>,
    location: Option<String>,
}

// The key is left out: Debug output reaches logs and error reports.
impl std::fmt::Debug for Kdniao {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kdniao")
            .field("business_id", &self.business_id)
            .field("url", &self.url)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl Kdniao {
    /// A client for these settings.
    pub fn new(settings: KdniaoSettings, http: &HttpSettings) -> Result<Kdniao, TrackError> {
        if settings.business_id.trim().is_empty() || settings.app_key.trim().is_empty() {
            return Err(TrackError::Settings(
                "快递鸟需要用户ID（EBusinessID）和 API key（在快递鸟用户中心查看）".to_owned(),
            ));
        }
        let url = provider_url(settings.url.as_deref().unwrap_or(KDNIAO_DEFAULT_URL), NAME)?;
        Ok(Kdniao {
            business_id: settings.business_id.trim().to_owned(),
            app_key: settings.app_key.trim().to_owned(),
            url,
            http: *http,
            client: client(http)?,
        })
    }

    fn body(&self, code: &str, query: &TrackQuery) -> String {
        let request = serde_json::json!({
            "OrderCode": "",
            "ShipperCode": code,
            "LogisticCode": query.waybill.as_str(),
            "CustomerName": query.phone_tail.as_deref().unwrap_or(""),
        })
        .to_string();
        let sign = kdniao_sign(&request, &self.app_key);
        form_urlencoded::Serializer::new(String::new())
            .append_pair("RequestData", &request)
            .append_pair("EBusinessID", &self.business_id)
            .append_pair("RequestType", REQUEST_TYPE)
            .append_pair("DataSign", &sign)
            .append_pair("DataType", "2")
            .finish()
    }

    async fn query(&self, query: &TrackQuery, now: DateTime<Utc>) -> Result<Tracking, TrackError> {
        let code = query
            .courier
            .and_then(shipper)
            .ok_or_else(|| TrackError::CourierNeeded {
                provider: NAME,
                waybill: query.waybill.clone(),
            })?;
        let rate_limited_until = now + chrono::Duration::minutes(KDNIAO_BACKOFF_MINUTES);
        let body = post_form(
            &self.client,
            &self.url,
            self.body(code, query),
            NAME,
            self.http.timeout,
            rate_limited_until,
        )
        .await?;
        kdniao_answer(&body, now)
    }
}

/// Reads a 快递鸟 answer received at `now`: refused over [`MAX_ANSWER_BYTES`](super::MAX_ANSWER_BYTES)
/// before parsing, [`TrackError::Malformed`] when it is not the documented JSON, the
/// provider's own errors as [`TrackError::Provider`] or [`TrackError::RateLimited`].
pub fn kdniao_answer(body: &[u8], now: DateTime<Utc>) -> Result<Tracking, TrackError> {
    check_size(NAME, body)?;
    let answer: Answer = parse_json(NAME, body)?;
    read_answer(
        answer,
        now + chrono::Duration::minutes(KDNIAO_BACKOFF_MINUTES),
    )
}

fn read_answer(answer: Answer, rate_limited_until: DateTime<Utc>) -> Result<Tracking, TrackError> {
    let reason = answer.reason.unwrap_or_default();
    if answer.success != Some(true) {
        if reason.contains("频繁") {
            return Err(TrackError::RateLimited {
                provider: NAME,
                next_allowed: rate_limited_until,
            });
        }
        return Err(TrackError::Provider {
            provider: NAME,
            code: text(answer.result_code.as_ref()).unwrap_or_else(|| "Success=false".to_owned()),
            meaning: meaning(&reason),
            message: reason,
        });
    }
    let state = text(answer.state.as_ref()).unwrap_or_else(|| "0".to_owned());
    let state_ex = text(answer.state_ex.as_ref());
    let traces = answer
        .traces
        .unwrap_or_default()
        .into_iter()
        // A line whose time cannot be read is left out rather than failing the route.
        .filter_map(|t| {
            Some(Trace {
                at: parse_china_time(t.accept_time.as_deref()?)?,
                place: t.location.filter(|p| !p.trim().is_empty()),
                text: t.accept_station.unwrap_or_default(),
            })
        })
        .collect();
    let normalised = kdniao_state(&state, state_ex.as_deref());
    let complete = normalised.is_delivered();
    let shown = match state_ex {
        Some(ex) => format!("{state}/{ex}"),
        None => state,
    };
    Ok(tracking(normalised, traces, complete, shown))
}

impl Tracker for Kdniao {
    fn name(&self) -> &'static str {
        NAME
    }

    fn min_interval(&self) -> chrono::Duration {
        chrono::Duration::zero()
    }

    fn track<'a>(&'a self, query: &'a TrackQuery, now: DateTime<Utc>) -> TrackFuture<'a> {
        Box::pin(self.query(query, now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    // Computed independently with coreutils:
    //   printf '%s' '{"OrderCode":"","ShipperCode":"SF","LogisticCode":"SF1234567890123","CustomerName":"1234"}56da2cf8-c8a2-44b2-b6fa-476cd7d1ba17' \
    //     | md5sum | cut -c1-32 | tr -d '\n' | base64
    #[test]
    fn data_sign_matches_md5sum_and_base64() {
        let data = r#"{"OrderCode":"","ShipperCode":"SF","LogisticCode":"SF1234567890123","CustomerName":"1234"}"#;
        assert_eq!(
            kdniao_sign(data, "56da2cf8-c8a2-44b2-b6fa-476cd7d1ba17"),
            "MTlhZWNjYTVmM2I5NWYzOWM0NTQ3YTE0ODQyZmQ3ZDQ=",
            "DataSign must be Base64 of the lower-case hex MD5 of RequestData + AppKey"
        );
    }

    #[rstest]
    #[case("0", None, ParcelState::NoRecord)]
    #[case("1", None, ParcelState::PickedUp)]
    #[case("2", None, ParcelState::InTransit)]
    #[case("3", None, ParcelState::Signed)]
    #[case("4", None, ParcelState::Problem)]
    #[case("2", Some("201"), ParcelState::InTransit)]
    #[case("2", Some("202"), ParcelState::OutForDelivery)]
    #[case("2", Some("211"), ParcelState::OutForDelivery)]
    #[case("3", Some("301"), ParcelState::Signed)]
    #[case("3", Some("302"), ParcelState::Signed)]
    #[case("3", Some("304"), ParcelState::SignedByAgent)]
    #[case("3", Some("311"), ParcelState::SignedByAgent)]
    #[case("4", Some("401"), ParcelState::Problem)]
    #[case("4", Some("402"), ParcelState::Problem)]
    #[case("4", Some("403"), ParcelState::Problem)]
    #[case("4", Some("404"), ParcelState::Refused)]
    #[case("4", Some("405"), ParcelState::Problem)]
    #[case("4", Some("406"), ParcelState::ReturnedToSender)]
    #[case("4", Some("407"), ParcelState::ReturnedToSender)]
    #[case("4", Some("412"), ParcelState::Problem)]
    #[case("2", Some("999"), ParcelState::InTransit)]
    #[case("9", None, ParcelState::InTransit)]
    fn kdniao_state_table(
        #[case] state: &str,
        #[case] ex: Option<&str>,
        #[case] expected: ParcelState,
    ) {
        assert_eq!(
            kdniao_state(state, ex),
            expected,
            "快递鸟 State {state} StateEx {ex:?} must normalise to {expected} (StateEx decides when known)"
        );
    }
}
