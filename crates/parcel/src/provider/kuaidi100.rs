//! 快递100's real-time query (实时快递查询, `poll/query.do`).
//!
//! A POST form with `customer` (the account's customer id), `param` (JSON: courier code
//! `com`, waybill `num`, optional `phone`) and `sign`, the upper-case hex MD5 of
//! `param + key + customer`. 快递100 allows one query per waybill every 30 minutes;
//! the client refuses to ask sooner and says when the next query is allowed.

use super::{
    HttpSettings, TrackFuture, TrackQuery, Tracker, Tracking, check_size, client, parse_json,
    post_form, provider_url, text, tracking,
};
use crate::TrackError;
use afterdesk_case::time::parse_china_time;
use afterdesk_case::{Courier, ParcelState, Trace, Waybill};
use chrono::{DateTime, Utc};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;

/// 快递100's real-time query address.
pub const KUAIDI100_DEFAULT_URL: &str = "https://poll.kuaidi100.com/poll/query.do";

/// 快递100's rule: one query per waybill per 30 minutes. Querying sooner may get the
/// account's key locked, so the client enforces it itself.
pub const KUAIDI100_MIN_INTERVAL_MINUTES: i64 = 30;

const NAME: &str = "快递100";

/// 快递100 account settings.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kuaidi100Settings {
    /// The customer id (授权 customer).
    pub customer: String,
    /// The authorisation key (授权 key).
    pub key: String,
    /// The query address; `None` for [`KUAIDI100_DEFAULT_URL`].
    #[serde(default)]
    pub url: Option<String>,
}

/// The 快递100 client.
pub struct Kuaidi100 {
    customer: String,
    key: String,
    url: String,
    http: HttpSettings,
    client: reqwest::Client,
    /// When each waybill was last answered in this run: the store's record of the last
    /// query is only written after a whole refresh, and a second "track" in the same
    /// run must not slip under the rate limit.
    answered: Mutex<HashMap<Waybill, DateTime<Utc>>>,
}

// The key is not shown: Debug output reaches logs.
impl std::fmt::Debug for Kuaidi100Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kuaidi100Settings")
            .field("customer", &self.customer)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// The upper-case hex MD5 of `param + key + customer`, 快递100's `sign`.
pub fn kuaidi100_sign(param: &str, key: &str, customer: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(param.as_bytes());
    md5.update(key.as_bytes());
    md5.update(customer.as_bytes());
    md5.finalize().iter().map(|b| format!("{b:02X}")).collect()
}

/// 快递100's company code of a courier.
fn company(courier: Courier) -> Option<&'static str> {
    Some(match courier {
        Courier::Sf => "shunfeng",
        Courier::Zto => "zhongtong",
        Courier::Yto => "yuantong",
        Courier::Sto => "shentong",
        Courier::Yunda => "yunda",
        Courier::Jt => "jtexpress",
        Courier::Ems => "ems",
        Courier::Jd => "jd",
        Courier::Deppon => "debangkuaidi",
        Courier::Other => return None,
    })
}

/// Maps 快递100's `state` (main states 0–14 and the sub-states 101…1003 of its advanced
/// status) to a parcel state. Sub-states map to their parent unless they say something
/// more precise (203 拒收 is a refusal; 303 代签 and 304 投柜或站签收 are signed by an
/// agent; 101 已下单 and 102 待揽收 are not picked up yet). An unknown code is in transit:
/// the route still shows, and the next answer corrects it.
pub fn kuaidi100_state(code: &str) -> ParcelState {
    use ParcelState as S;
    let Ok(n) = code.trim().parse::<u32>() else {
        return S::InTransit;
    };
    match n {
        101 | 102 => return S::NoRecord,
        203 => return S::Refused,
        303 | 304 => return S::SignedByAgent,
        13 => return S::Problem,
        _ => {}
    }
    let parent = match n {
        1000..=1999 => 0,
        100..=999 => n / 100,
        _ => n,
    };
    match parent {
        1 => S::PickedUp,
        2 => S::Problem,
        3 => S::Signed,
        4 | 6 => S::ReturnedToSender,
        5 => S::OutForDelivery,
        14 => S::Refused,
        // 0 在途, 7 转投, 8 清关, 10–12 清关中.
        _ => S::InTransit,
    }
}

/// What 快递100's error codes mean (its documentation's table).
pub fn kuaidi100_error_meaning(code: &str) -> &'static str {
    match code {
        "400" => "提交的数据不完整或快递公司编码错误",
        "408" => "需要正确的收/寄件人手机号后四位",
        "500" => "查询无结果，请隔段时间再查",
        "501" => "快递100服务器错误",
        "502" => "快递100服务器繁忙",
        "503" => "签名验证失败，请检查 customer 和 key",
        "601" => "key 已过期或没有可用查询单量",
        _ => "未知错误",
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    result: Option<bool>,
    #[serde(rename = "returnCode")]
    return_code: Option<serde_json::Value>,
    message: Option<String>,
    state: Option<serde_json::Value>,
    ischeck: Option<serde_json::Value>,
    data: Option<Vec<AnswerTrace>>,
}

#[derive(Debug, Deserialize)]
struct AnswerTrace {
    time: Option<String>,
    ftime: Option<String>,
    context: Option<String>,
    location: Option<String>,
    #[serde(rename = "areaName")]
    area_name: Option<String>,
}

// The key is left out: Debug output reaches logs and error reports.
impl std::fmt::Debug for Kuaidi100 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kuaidi100")
            .field("customer", &self.customer)
            .field("url", &self.url)
            .field("http", &self.http)
            .finish_non_exhaustive()
    }
}

impl Kuaidi100 {
    /// A client for these settings.
    pub fn new(settings: Kuaidi100Settings, http: &HttpSettings) -> Result<Kuaidi100, TrackError> {
        if settings.customer.trim().is_empty() || settings.key.trim().is_empty() {
            return Err(TrackError::Settings(
                "快递100 需要 customer 和 key（在快递100企业管理后台查看）".to_owned(),
            ));
        }
        let url = provider_url(
            settings.url.as_deref().unwrap_or(KUAIDI100_DEFAULT_URL),
            NAME,
        )?;
        Ok(Kuaidi100 {
            customer: settings.customer.trim().to_owned(),
            key: settings.key.trim().to_owned(),
            url,
            http: *http,
            client: client(http)?,
            answered: Mutex::new(HashMap::new()),
        })
    }

    /// The form body of a query.
    fn body(&self, com: &str, query: &TrackQuery) -> String {
        let mut param = serde_json::json!({ "com": com, "num": query.waybill.as_str() });
        if let Some(phone) = query.phone_tail.as_deref().filter(|p| !p.is_empty()) {
            param["phone"] = serde_json::Value::String(phone.to_owned());
        }
        let param = param.to_string();
        let sign = kuaidi100_sign(&param, &self.key, &self.customer);
        form_urlencoded::Serializer::new(String::new())
            .append_pair("customer", &self.customer)
            .append_pair("sign", &sign)
            .append_pair("param", &param)
            .finish()
    }

    fn next_allowed(&self, query: &TrackQuery) -> Option<DateTime<Utc>> {
        let answered = self
            .answered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&query.waybill)
            .copied();
        answered
            .max(query.last_queried)
            .map(|last| last + self.min_interval())
    }

    async fn query(&self, query: &TrackQuery, now: DateTime<Utc>) -> Result<Tracking, TrackError> {
        if let Some(next) = self.next_allowed(query).filter(|next| *next > now) {
            return Err(TrackError::RateLimited {
                provider: NAME,
                next_allowed: next,
            });
        }
        let com = query
            .courier
            .and_then(company)
            .ok_or_else(|| TrackError::CourierNeeded {
                provider: NAME,
                waybill: query.waybill.clone(),
            })?;
        let rate_limited_until = now + self.min_interval();
        let body = post_form(
            &self.client,
            &self.url,
            self.body(com, query),
            NAME,
            self.http.timeout,
            rate_limited_until,
        )
        .await;
        // Any answer from the server counts as a query against the limit, errors too.
        if matches!(&body, Ok(_) | Err(TrackError::RateLimited { .. })) {
            self.answered
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(query.waybill.clone(), now);
        }
        kuaidi100_answer(&body?, now)
    }
}

/// Reads a 快递100 answer received at `now`: refused over [`MAX_ANSWER_BYTES`](super::MAX_ANSWER_BYTES)
/// before parsing, [`TrackError::Malformed`] when it is not the documented JSON, the
/// provider's own errors as [`TrackError::Provider`] or [`TrackError::RateLimited`].
pub fn kuaidi100_answer(body: &[u8], now: DateTime<Utc>) -> Result<Tracking, TrackError> {
    check_size(NAME, body)?;
    let answer: Answer = parse_json(NAME, body)?;
    read_answer(
        answer,
        now + chrono::Duration::minutes(KUAIDI100_MIN_INTERVAL_MINUTES),
    )
}

fn read_answer(answer: Answer, rate_limited_until: DateTime<Utc>) -> Result<Tracking, TrackError> {
    let code = text(answer.return_code.as_ref());
    if answer.result == Some(false) || code.as_deref().is_some_and(|c| c != "200") {
        let code = code.unwrap_or_default();
        let message = answer.message.unwrap_or_default();
        if code == "500" {
            // "No result" is an answer, not a failure: the courier has no route yet.
            return Ok(tracking(ParcelState::NoRecord, Vec::new(), false, code));
        }
        if message.contains("频繁") {
            return Err(TrackError::RateLimited {
                provider: NAME,
                next_allowed: rate_limited_until,
            });
        }
        return Err(TrackError::Provider {
            provider: NAME,
            meaning: kuaidi100_error_meaning(&code),
            code,
            message,
        });
    }
    let state_code = text(answer.state.as_ref()).unwrap_or_else(|| "0".to_owned());
    let traces = answer
        .data
        .unwrap_or_default()
        .into_iter()
        // A line whose time cannot be read is left out rather than failing the whole
        // route: the other lines are still right, and the next answer may repeat it.
        .filter_map(|t| {
            let at = t
                .ftime
                .as_deref()
                .or(t.time.as_deref())
                .and_then(parse_china_time)?;
            Some(Trace {
                at,
                place: t.location.or(t.area_name).filter(|p| !p.trim().is_empty()),
                text: t.context.unwrap_or_default(),
            })
        })
        .collect();
    let complete = text(answer.ischeck.as_ref()).as_deref() == Some("1");
    Ok(tracking(
        kuaidi100_state(&state_code),
        traces,
        complete,
        state_code,
    ))
}

impl Tracker for Kuaidi100 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn min_interval(&self) -> chrono::Duration {
        chrono::Duration::minutes(KUAIDI100_MIN_INTERVAL_MINUTES)
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
    //   printf '%s' '{"com":"zhongtong","num":"75123456789012"}TESTKEYCUSTOMER01' | md5sum
    //   → 2657839ddc1f5425fc3e0f7bb5f6d8df, upper-cased below.
    #[test]
    fn sign_matches_md5sum() {
        let param = r#"{"com":"zhongtong","num":"75123456789012"}"#;
        assert_eq!(
            kuaidi100_sign(param, "TESTKEY", "CUSTOMER01"),
            KUAIDI100_SIGN_VECTOR,
            "sign must be the upper-case hex MD5 of param + key + customer"
        );
    }

    /// See `sign_matches_md5sum` for the command that produced it.
    const KUAIDI100_SIGN_VECTOR: &str = "2657839DDC1F5425FC3E0F7BB5F6D8DF";

    #[test]
    fn sign_of_empty_input_is_the_md5_of_nothing() {
        // RFC 1321's test vector: MD5("") = d41d8cd98f00b204e9800998ecf8427e.
        assert_eq!(
            kuaidi100_sign("", "", ""),
            "D41D8CD98F00B204E9800998ECF8427E"
        );
    }

    #[rstest]
    #[case("0", ParcelState::InTransit)]
    #[case("1", ParcelState::PickedUp)]
    #[case("2", ParcelState::Problem)]
    #[case("3", ParcelState::Signed)]
    #[case("4", ParcelState::ReturnedToSender)]
    #[case("5", ParcelState::OutForDelivery)]
    #[case("6", ParcelState::ReturnedToSender)]
    #[case("7", ParcelState::InTransit)]
    #[case("8", ParcelState::InTransit)]
    #[case("14", ParcelState::Refused)]
    #[case("101", ParcelState::NoRecord)]
    #[case("102", ParcelState::NoRecord)]
    #[case("103", ParcelState::PickedUp)]
    #[case("201", ParcelState::Problem)]
    #[case("203", ParcelState::Refused)]
    #[case("204", ParcelState::Problem)]
    #[case("301", ParcelState::Signed)]
    #[case("302", ParcelState::Signed)]
    #[case("303", ParcelState::SignedByAgent)]
    #[case("304", ParcelState::SignedByAgent)]
    #[case("401", ParcelState::ReturnedToSender)]
    #[case("501", ParcelState::OutForDelivery)]
    #[case("1001", ParcelState::InTransit)]
    #[case("1003", ParcelState::InTransit)]
    #[case("13", ParcelState::Problem)]
    #[case("x", ParcelState::InTransit)]
    fn kuaidi100_state_table(#[case] code: &str, #[case] expected: ParcelState) {
        assert_eq!(
            kuaidi100_state(code),
            expected,
            "快递100 state {code} must normalise to {expected} (sub-states follow their parent)"
        );
    }
}
