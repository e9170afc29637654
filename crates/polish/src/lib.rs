//! The optional AI polish (AI 润色): a reply draft's tone rewritten by an
//! OpenAI-compatible chat endpoint the shop configures.
//!
//! It is off by default ([`PolishSettings::enabled`]) and nothing else in AfterDesk needs
//! it. When the agent asks for it:
//!
//! 1. [`redact`] replaces the buyer's phone numbers, addresses, identity card and bank card
//!    numbers, names, e-mail addresses and WeChat and QQ ids by markers such as 〔电话〕;
//!    only the redacted text leaves the machine, and only over https (or plain http to
//!    this computer, [`secure_transport`]).
//! 2. [`Polisher::polish`] sends it with our system prompt ([`SYSTEM_PROMPT`]) to
//!    `POST {base_url}/chat/completions` and reads `choices[0].message.content`.
//! 3. [`check`] compares the answer with what was sent: every placeholder (`【待填：…】`),
//!    marker and number must still be there and no number may be added. A changed fact
//!    is an error ([`PolishError::FactsChanged`]): the app keeps the original draft and
//!    never offers the polished text. Things the agent should look at but that do not
//!    make the text wrong (markers to fill in, a promise word the draft did not have) are
//!    [`Warning`]s on the result.
//!
//! The API key is not part of the settings: the caller reads it from the keychain
//! (`afterdesk-secret`) and passes it to [`Polisher::new`].
#![deny(missing_docs)]

mod check;
mod known;
mod redact;
#[cfg(feature = "testing")]
pub mod testing;

pub use check::{Warning, check};
pub use known::{
    ADDRESS_HEADER_WORDS, NAME_HEADER_WORDS, PHONE_HEADER_WORDS, column_pii_kind, known_pii,
};
pub use redact::{KnownPii, PiiKind, Redacted, RedactionError, redact};

use reqwest::Url;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::time::Duration;

/// How long to wait for the whole answer when the settings do not say. A hosted model
/// answers a reply of a few hundred characters in 2–10 seconds; 30 seconds leaves room
/// for a slow self-hosted one, and an agent at the desk will not wait much longer before
/// sending the draft as it is.
pub const DEFAULT_TIMEOUT_SECS: u32 = 30;

/// The longest wait for the connection itself (when the whole timeout is longer): an
/// endpoint that does not accept a connection in 10 seconds is down or mistyped, and the
/// agent should hear so rather than wait out the whole timeout.
pub const CONNECT_TIMEOUT_SECS: u32 = 10;

/// The answer's length limit sent as `max_tokens`. A reply draft is at most a few hundred
/// Chinese characters (one to two tokens each); 1024 leaves twice that room while bounding
/// the cost of a runaway answer.
pub const MAX_TOKENS: u32 = 1024;

/// The longest draft sent, in characters. A chat reply is rarely over 500; a longer text
/// is a pasted document, which neither needs polishing nor should leave the machine.
pub const MAX_INPUT_CHARS: usize = 2000;

/// How much of an endpoint's error text an error message quotes: enough for
/// "model `xyz` does not exist", short enough for a message box.
const MAX_DETAIL_CHARS: usize = 200;

/// The instructions sent with every draft, written by the AfterDesk team.
pub const SYSTEM_PROMPT: &str = "你是网店售后客服的文字润色助手。用户发给你的是一条客服准备发给买家的回复草稿。\
请只润色语气和措辞，让它更礼貌、亲切、通顺、简洁，像真人客服在说话。\n\
必须遵守：\n\
1. 不改动任何事实：订单号、运单号、金额、日期、时间、数量、商品名称和所有数字都原样保留，不要把阿拉伯数字改成汉字。\n\
2. 形如【待填：…】的占位符，以及〔电话〕〔地址〕〔身份证号〕〔姓名〕这样的标记，原样保留，不要填写、改写或删除。\n\
3. 不增加草稿里没有的承诺、保证、赔偿、补偿、优惠券、红包、退款或金额，不替店铺做任何新决定。\n\
4. 不责怪买家或快递，不引导买家修改退款原因。\n\
5. 保持草稿的文字：简体就用简体，繁体就用繁体。\n\
6. 只输出润色后的回复正文，不加引号、标题、解释或其他任何内容。";

/// The shop's AI polish settings, kept with the shop's other settings. The API key is not
/// here: it lives in the system keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolishSettings {
    /// Whether the agent may polish drafts at all. Off until the shop turns it on.
    pub enabled: bool,
    /// The endpoint's base URL, e.g. `https://api.deepseek.com/v1`; `/chat/completions` is
    /// appended (a URL that already ends with it is used as it is).
    pub base_url: String,
    /// The model name, e.g. `deepseek-chat`, `qwen-plus`.
    pub model: String,
    /// How long to wait for the answer, in seconds.
    pub timeout_secs: u32,
    /// The sampling temperature; `None` sends none and leaves the endpoint's default
    /// (some reasoning models refuse the field).
    pub temperature: Option<f32>,
}

impl Default for PolishSettings {
    fn default() -> Self {
        PolishSettings {
            enabled: false,
            base_url: String::new(),
            model: String::new(),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            temperature: None,
        }
    }
}

/// A polished draft.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Polished {
    /// The polished text, markers included: the agent fills them in before sending.
    pub text: String,
    /// What was sent: the redacted draft and how many values of each kind were removed.
    pub redacted: Redacted,
    /// Things the agent should look at before using the text.
    pub warnings: Vec<Warning>,
}

/// A client for the shop's endpoint, built from its settings and key.
#[derive(Clone)]
pub struct Polisher {
    client: reqwest::Client,
    url: Url,
    model: String,
    temperature: Option<f32>,
    timeout_secs: u32,
    api_key: String,
}

// The key is left out: Debug output reaches logs and error reports.
impl std::fmt::Debug for Polisher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polisher")
            .field("url", &self.url.as_str())
            .field("model", &self.model)
            .field("temperature", &self.temperature)
            .field("timeout_secs", &self.timeout_secs)
            .finish_non_exhaustive()
    }
}

/// How many redirects a polish follows. An OpenAI-compatible endpoint answers where it is
/// asked; a gateway may move once or twice, and more is a loop.
const MAX_REDIRECTS: usize = 3;

pub use afterdesk_secret::secure_transport;

/// A redirect the client refused to follow because of [`secure_transport`].
#[derive(Debug, thiserror::Error)]
#[error("接口把请求转到了不加密的地址 {0}")]
struct InsecureRedirect(String);

impl Polisher {
    /// Checks the settings and builds the client. `api_key` is `None` when the keychain has
    /// none.
    pub fn new(settings: &PolishSettings, api_key: Option<&str>) -> Result<Self, PolishError> {
        if !settings.enabled {
            return Err(PolishError::Disabled);
        }
        let base = settings.base_url.trim();
        if base.is_empty() {
            return Err(PolishError::NotConfigured {
                what: "接口地址"
            });
        }
        let model = settings.model.trim();
        if model.is_empty() {
            return Err(PolishError::NotConfigured {
                what: "模型名称"
            });
        }
        let api_key = match api_key.map(str::trim) {
            Some(k) if !k.is_empty() => k.to_owned(),
            _ => return Err(PolishError::NoKey),
        };
        let url = endpoint(base)?;
        let timeout_secs = settings.timeout_secs.max(1);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(timeout_secs.into()))
            .connect_timeout(Duration::from_secs(
                timeout_secs.min(CONNECT_TIMEOUT_SECS).into(),
            ))
            // The same rule as the configured URL holds for wherever the endpoint sends
            // the request on: a redirect to plain http elsewhere would carry the key.
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
            .map_err(|source| PolishError::Network {
                host: host(&url),
                source,
            })?;
        Ok(Polisher {
            client,
            url,
            model: model.to_owned(),
            temperature: settings.temperature,
            timeout_secs,
            api_key,
        })
    }

    /// The URL requests go to.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// Redacts `draft`, sends it, reads and checks the answer.
    pub async fn polish(&self, draft: &str, known: &KnownPii) -> Result<Polished, PolishError> {
        let chars = draft.chars().count();
        if chars > MAX_INPUT_CHARS {
            return Err(PolishError::TooLong {
                chars,
                max: MAX_INPUT_CHARS,
            });
        }
        if draft.trim().is_empty() {
            return Err(PolishError::Empty);
        }
        let redacted = redact(draft, known)?;
        let (answer, truncated) = self.complete(&redacted.text).await?;
        let mut warnings = check(&redacted.text, &answer)?;
        if truncated {
            warnings.insert(0, Warning::Truncated);
        }
        Ok(Polished {
            text: answer,
            redacted,
            warnings,
        })
    }

    /// Sends an already redacted text and returns the answer's text and whether the
    /// endpoint cut it at the length limit.
    async fn complete(&self, redacted: &str) -> Result<(String, bool), PolishError> {
        let mut body = json!({
            "model": self.model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": redacted},
            ],
            "max_tokens": MAX_TOKENS,
            "stream": false,
        });
        if let (Some(t), Some(map)) = (self.temperature, body.as_object_mut()) {
            map.insert("temperature".into(), json!(t));
        }
        let response = self
            .client
            .post(self.url.clone())
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| self.transport(e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| self.transport(e))?;
        if !status.is_success() {
            return Err(status_error(status.as_u16(), &text));
        }
        parse_answer(&text)
    }

    fn transport(&self, source: reqwest::Error) -> PolishError {
        let host = host(&self.url);
        if source.is_redirect() {
            // Only the policy above turns a redirect into an error.
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&source);
            let mut url = self.url.to_string();
            while let Some(e) = cause {
                if let Some(InsecureRedirect(to)) = e.downcast_ref::<InsecureRedirect>() {
                    url.clone_from(to);
                }
                cause = e.source();
            }
            return PolishError::InsecureUrl { url };
        }
        if source.is_connect() {
            PolishError::Connect { host, source }
        } else if source.is_timeout() {
            PolishError::Timeout {
                secs: self.timeout_secs,
                source,
            }
        } else {
            PolishError::Network { host, source }
        }
    }
}

/// The URL requests go to for a configured base URL: `{base}/chat/completions`, or `base`
/// itself if it already ends so. Public so that a settings screen can refuse a mistyped
/// URL when it is saved rather than at the agent's first polish.
pub fn endpoint(base: &str) -> Result<Url, PolishError> {
    let trimmed = base.trim_end_matches('/');
    let full = if trimmed.ends_with("/chat/completions") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/chat/completions")
    };
    let url = Url::parse(&full).map_err(|source| PolishError::BadUrl {
        url: base.to_owned(),
        source,
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(PolishError::NotHttp {
            url: base.to_owned(),
        });
    }
    if !secure_transport(&url) {
        return Err(PolishError::InsecureUrl {
            url: base.to_owned(),
        });
    }
    Ok(url)
}

fn host(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.to_string(),
    }
}

/// The endpoint's own explanation (`{"error": {"message": …}}` in the OpenAI format, or
/// the start of whatever it sent), shortened for a message box.
fn detail(body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| {
            v.pointer("/error/message")
                .or_else(|| v.get("message"))
                .or_else(|| v.get("error"))
        })
        .and_then(Value::as_str)
        .unwrap_or(body)
        .trim();
    let short: String = message.chars().take(MAX_DETAIL_CHARS).collect();
    if short.is_empty() {
        "（没有说明）".to_owned()
    } else {
        short
    }
}

fn status_error(status: u16, body: &str) -> PolishError {
    let detail = detail(body);
    match status {
        401 | 403 => PolishError::Unauthorized { status, detail },
        404 => PolishError::NotFound { detail },
        429 => PolishError::RateLimited { detail },
        500..=599 => PolishError::Server { status, detail },
        _ => PolishError::Rejected { status, detail },
    }
}

fn parse_answer(body: &str) -> Result<(String, bool), PolishError> {
    let value: Value = serde_json::from_str(body).map_err(|source| PolishError::Malformed {
        missing: "JSON（回答不是 JSON）",
        source: Some(source),
    })?;
    let choices = value
        .get("choices")
        .and_then(Value::as_array)
        .ok_or(PolishError::Malformed {
            missing: "choices",
            source: None,
        })?;
    let Some(first) = choices.first() else {
        return Err(PolishError::Empty);
    };
    let content = first
        .pointer("/message/content")
        .ok_or(PolishError::Malformed {
            missing: "choices[0].message.content",
            source: None,
        })?;
    let text = match content {
        Value::String(s) => s.trim().to_owned(),
        Value::Null => String::new(),
        _ => {
            return Err(PolishError::Malformed {
                missing: "choices[0].message.content（应为文本）",
                source: None,
            });
        }
    };
    if text.is_empty() {
        return Err(PolishError::Empty);
    }
    let truncated = first.get("finish_reason").and_then(Value::as_str) == Some("length");
    Ok((text, truncated))
}

/// Why a draft could not be polished. Every message is meant for the agent as it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolishError {
    /// The shop has not turned the polish on.
    #[error("AI 润色没有开启：请在设置里开启并填写接口地址、模型和密钥")]
    Disabled,
    /// The base URL or the model is missing.
    #[error("AI 润色还没有设置{what}")]
    NotConfigured {
        /// What is missing.
        what: &'static str,
    },
    /// No API key in the keychain (or given).
    #[error("还没有保存 AI 润色的 API 密钥：请在设置里填写（密钥只保存在本机的系统钥匙串）")]
    NoKey,
    /// The base URL is not a URL.
    #[error("AI 润色的接口地址“{url}”不是有效的网址：{source}")]
    BadUrl {
        /// The URL as configured.
        url: String,
        /// The parser's complaint.
        #[source]
        source: url::ParseError,
    },
    /// The base URL is not http(s).
    #[error("AI 润色的接口地址“{url}”应以 https:// 开头")]
    NotHttp {
        /// The URL as configured.
        url: String,
    },
    /// Plain http to another computer (in the settings, or where the endpoint redirected
    /// the request): the key would cross the network in the clear, so nothing is sent.
    #[error(
        "AI 润色的接口地址“{url}”没有加密（http://），密钥和草稿会以明文经过网络：请改用 https://（http:// 只能用于本机，例如 http://localhost:11434/v1）"
    )]
    InsecureUrl {
        /// The URL refused.
        url: String,
    },
    /// The draft is longer than [`MAX_INPUT_CHARS`].
    #[error("草稿太长（{chars} 字），AI 润色最多处理 {max} 字")]
    TooLong {
        /// The draft's length.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The personal data could not be removed, so nothing was sent.
    #[error(transparent)]
    Redaction(#[from] RedactionError),
    /// No complete answer within the timeout.
    #[error("AI 润色超时：{secs} 秒内没有得到回答，请稍后再试或直接使用原稿")]
    Timeout {
        /// The timeout.
        secs: u32,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// The endpoint could not be reached.
    #[error("无法连接 AI 润色接口（{host}）：请检查网络和接口地址")]
    Connect {
        /// The endpoint's host (and port).
        host: String,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// Another transport failure (TLS, a connection dropped midway).
    #[error("与 AI 润色接口（{host}）通信失败：{source}")]
    Network {
        /// The endpoint's host (and port).
        host: String,
        /// The client's error.
        #[source]
        source: reqwest::Error,
    },
    /// 401 or 403.
    #[error(
        "AI 接口拒绝了 API 密钥（HTTP {status}）：密钥错误、已过期或没有权限。接口说明：{detail}"
    )]
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The endpoint's explanation.
        detail: String,
    },
    /// 404.
    #[error("AI 接口找不到（HTTP 404）：接口地址或模型名称不对。接口说明：{detail}")]
    NotFound {
        /// The endpoint's explanation.
        detail: String,
    },
    /// 429.
    #[error("AI 接口限流或额度已用完（HTTP 429）：请稍后再试或检查账户余额。接口说明：{detail}")]
    RateLimited {
        /// The endpoint's explanation.
        detail: String,
    },
    /// 5xx.
    #[error("AI 接口自身出错（HTTP {status}）：请稍后再试。接口说明：{detail}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The endpoint's explanation.
        detail: String,
    },
    /// Another non-success status (400: a setting the model does not accept).
    #[error("AI 接口拒绝了请求（HTTP {status}）：{detail}")]
    Rejected {
        /// The HTTP status.
        status: u16,
        /// The endpoint's explanation.
        detail: String,
    },
    /// The answer is not the chat completions format.
    #[error("AI 接口的回答格式不对：缺少 {missing}")]
    Malformed {
        /// What was missing.
        missing: &'static str,
        /// The JSON parser's error, when the answer was not JSON at all.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The draft or the answer is empty.
    #[error("AI 接口没有给出润色结果（回答为空），请直接使用原稿")]
    Empty,
    /// The answer changed facts: the app must not offer it.
    #[error(
        "润色稿改动了事实，已弃用，请使用原稿（{}）",
        facts_text(missing, added)
    )]
    FactsChanged {
        /// Placeholders, markers and numbers of the draft missing from the answer.
        missing: Vec<String>,
        /// Numbers in the answer that the draft did not have.
        added: Vec<String>,
    },
}

fn facts_text(missing: &[String], added: &[String]) -> String {
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("丢了：{}", missing.join("、")));
    }
    if !added.is_empty() {
        parts.push(format!("多了：{}", added.join("、")));
    }
    parts.join("；")
}

impl PolishError {
    /// A stable code for the app's `{code, message}` errors and the CLI's JSON.
    pub fn code(&self) -> &'static str {
        match self {
            PolishError::Disabled => "polish_disabled",
            PolishError::NotConfigured { .. } => "polish_not_configured",
            PolishError::NoKey => "polish_no_key",
            PolishError::BadUrl { .. } | PolishError::NotHttp { .. } => "polish_bad_url",
            PolishError::InsecureUrl { .. } => "polish_insecure_url",
            PolishError::TooLong { .. } => "polish_too_long",
            PolishError::Redaction(_) => "polish_redaction",
            PolishError::Timeout { .. } => "polish_timeout",
            PolishError::Connect { .. } => "polish_connect",
            PolishError::Network { .. } => "polish_network",
            PolishError::Unauthorized { .. } => "polish_unauthorized",
            PolishError::NotFound { .. } => "polish_not_found",
            PolishError::RateLimited { .. } => "polish_rate_limited",
            PolishError::Server { .. } => "polish_server",
            PolishError::Rejected { .. } => "polish_rejected",
            PolishError::Malformed { .. } => "polish_malformed",
            PolishError::Empty => "polish_empty",
            PolishError::FactsChanged { .. } => "polish_changed_facts",
        }
    }
}
