//! A local tracking server that speaks both providers' formats, for tests and for
//! `afterdesk bench parcels`. Never used against real providers.
//!
//! Each waybill can be given a scripted answer (status, body, delay); any other waybill
//! gets a normal "in transit" answer in the format of the path asked
//! (`/poll/query.do` for 快递100, `/Ebusiness/EbusinessOrderHandle.aspx` for 快递鸟).
//! Signatures are checked when the server knows the keys, and the server counts how many
//! requests were in flight at once.

use crate::provider::{kdniao_sign, kuaidi100_sign};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// The 快递100 path.
pub const KUAIDI100_PATH: &str = "/poll/query.do";
/// The 快递鸟 path.
pub const KDNIAO_PATH: &str = "/Ebusiness/EbusinessOrderHandle.aspx";

/// A scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scripted {
    /// The HTTP status.
    pub status: u16,
    /// The body, sent as is (it may be deliberately broken JSON).
    pub body: String,
    /// How long to wait before answering.
    pub delay: Duration,
    /// Where a redirect sends the query (the `Location` header), if this is one.
    pub location: Option<String>,
}

impl Scripted {
    /// A 200 answer with this body.
    pub fn ok(body: impl Into<String>) -> Scripted {
        Scripted {
            status: 200,
            body: body.into(),
            delay: Duration::ZERO,
            location: None,
        }
    }

    /// A 307 redirect (which keeps the method and the form) to `to`.
    pub fn redirect(to: impl Into<String>) -> Scripted {
        Scripted {
            status: 307,
            body: String::new(),
            delay: Duration::ZERO,
            location: Some(to.into()),
        }
    }

    /// The same answer, after `delay`.
    pub fn after(mut self, delay: Duration) -> Scripted {
        self.delay = delay;
        self
    }

    /// The same body with another status.
    pub fn with_status(mut self, status: u16) -> Scripted {
        self.status = status;
        self
    }
}

/// What the server knows to check signatures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeKeys {
    /// 快递100's customer and key.
    pub kuaidi100: Option<(String, String)>,
    /// 快递鸟's AppKey.
    pub kdniao: Option<String>,
}

#[derive(Debug, Default)]
struct Shared {
    scripted: Mutex<HashMap<String, Scripted>>,
    keys: FakeKeys,
    default_delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    requests: AtomicUsize,
}

/// A running fake server; it stops when dropped.
#[derive(Debug)]
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeServer {
    /// Starts a server on a free loopback port, on the current tokio runtime. Unscripted
    /// waybills are answered after `default_delay`.
    pub async fn start(keys: FakeKeys, default_delay: Duration) -> std::io::Result<FakeServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            keys,
            default_delay,
            ..Shared::default()
        });
        let serving = Arc::clone(&shared);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&serving);
                tokio::spawn(async move {
                    let service = service_fn(move |req| answer(Arc::clone(&shared), req));
                    // A client that hangs up mid-answer (a timeout test) is not an error.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(FakeServer { addr, shared, task })
    }

    /// The 快递100 address.
    pub fn kuaidi100_url(&self) -> String {
        format!("http://{}{KUAIDI100_PATH}", self.addr)
    }

    /// The 快递鸟 address.
    pub fn kdniao_url(&self) -> String {
        format!("http://{}{KDNIAO_PATH}", self.addr)
    }

    /// Scripts the answer for one waybill (both formats).
    pub fn script(&self, waybill: &str, answer: Scripted) {
        self.shared
            .scripted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(waybill.to_owned(), answer);
    }

    /// The most requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// How many requests were received.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

fn respond(status: u16, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json;charset=utf-8"),
    );
    response
}

/// Counts a request as in flight for as long as it lives.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn new(shared: &'a Shared) -> InFlight<'a> {
        shared.requests.fetch_add(1, Ordering::SeqCst);
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn answer(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let _counted = InFlight::new(&shared);
    let path = req.uri().path().to_owned();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(respond(400, "{}".to_owned())),
    };
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let (waybill, signed_ok, normal, bad_sign) = if path == KUAIDI100_PATH {
        let param = form.get("param").cloned().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&param).unwrap_or_default();
        let num = json["num"].as_str().unwrap_or_default().to_owned();
        let signed_ok = shared
            .keys
            .kuaidi100
            .as_ref()
            .is_none_or(|(customer, key)| {
                form.get("customer") == Some(customer)
                    && form.get("sign").map(String::as_str)
                        == Some(kuaidi100_sign(&param, key, customer).as_str())
            });
        let normal = kuaidi100_in_transit(&num);
        let bad_sign = r#"{"result":false,"returnCode":"503","message":"验证签名失败"}"#.to_owned();
        (num, signed_ok, normal, bad_sign)
    } else if path == KDNIAO_PATH {
        let data = form.get("RequestData").cloned().unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let code = json["LogisticCode"].as_str().unwrap_or_default().to_owned();
        let signed_ok = shared.keys.kdniao.as_ref().is_none_or(|key| {
            form.get("DataSign").map(String::as_str) == Some(kdniao_sign(&data, key).as_str())
                && form.get("RequestType").map(String::as_str) == Some("1002")
                && form.get("DataType").map(String::as_str) == Some("2")
        });
        let normal = kdniao_in_transit(&code);
        let bad_sign =
            r#"{"Success":false,"Reason":"DataSign签名验证失败","ResultCode":"101"}"#.to_owned();
        (code, signed_ok, normal, bad_sign)
    } else {
        return Ok(respond(404, "not found".to_owned()));
    };
    if !signed_ok {
        return Ok(respond(200, bad_sign));
    }
    let scripted = shared
        .scripted
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&waybill)
        .cloned();
    let scripted = scripted.unwrap_or_else(|| Scripted::ok(normal).after(shared.default_delay));
    if !scripted.delay.is_zero() {
        tokio::time::sleep(scripted.delay).await;
    }
    let mut response = respond(scripted.status, scripted.body);
    if let Some(to) = scripted
        .location
        .and_then(|to| hyper::header::HeaderValue::from_str(&to).ok())
    {
        response.headers_mut().insert(hyper::header::LOCATION, to);
    }
    Ok(response)
}

/// A normal 快递100 "in transit" answer for a waybill.
pub fn kuaidi100_in_transit(waybill: &str) -> String {
    serde_json::json!({
        "message": "ok", "nu": waybill, "ischeck": "0", "condition": "00", "com": "zhongtong",
        "status": "200", "state": "0",
        "data": [
            { "time": "2026-11-19 08:30:00", "ftime": "2026-11-19 08:30:00", "context": "快件已到达【杭州转运中心】", "location": "杭州市" },
            { "time": "2026-11-18 20:10:00", "ftime": "2026-11-18 20:10:00", "context": "【义乌市】的网点已揽收", "location": "义乌市" }
        ]
    })
    .to_string()
}

/// A normal 快递鸟 "in transit" answer for a waybill.
pub fn kdniao_in_transit(waybill: &str) -> String {
    serde_json::json!({
        "EBusinessID": "fake", "ShipperCode": "ZTO", "LogisticCode": waybill, "Success": true,
        "State": "2", "StateEx": "2",
        "Traces": [
            { "AcceptTime": "2026-11-18 20:10:00", "AcceptStation": "【义乌市】的网点已揽收", "Location": "义乌市" },
            { "AcceptTime": "2026-11-19 08:30:00", "AcceptStation": "快件已到达【杭州转运中心】", "Location": "杭州市" }
        ]
    })
    .to_string()
}
