//! What can go wrong with parcels, in words a seller understands.

use afterdesk_case::time::china_text;
use afterdesk_case::{InterceptionStep, Waybill};
use chrono::{DateTime, Utc};

/// Asking a tracking provider failed. The parcel keeps its last known state; the error is
/// recorded as its "last error" and the next attempt is put off.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    /// The provider did not answer within the configured time.
    #[error("查询{provider}超时：{secs} 秒内没有回应，稍后会自动重试")]
    Timeout {
        /// The provider's name.
        provider: &'static str,
        /// The timeout in seconds.
        secs: u64,
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// The provider could not be reached (offline, DNS, refused connection, TLS).
    #[error("无法连接{provider}（网络不通或服务器无响应），已保留上次的物流状态")]
    Network {
        /// The provider's name.
        provider: &'static str,
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// The provider answered with an HTTP error status.
    #[error("{provider}返回 HTTP {status}，查询未成功")]
    Http {
        /// The provider's name.
        provider: &'static str,
        /// The status code.
        status: u16,
    },
    /// The provider refused the query with one of its own error codes.
    #[error("{provider}返回错误 {code}（{meaning}）：{message}")]
    Provider {
        /// The provider's name.
        provider: &'static str,
        /// The provider's code, as it wrote it.
        code: String,
        /// What the code means, from the provider's documentation.
        meaning: &'static str,
        /// The provider's own message.
        message: String,
    },
    /// The answer was not the JSON the provider documents.
    #[error("{provider}的回应无法解析（{at}），开头是：{start}")]
    Malformed {
        /// The provider's name.
        provider: &'static str,
        /// Where reading stopped: line, column and what was expected.
        at: String,
        /// The first characters of the answer, to recognise an HTML error page.
        start: String,
        /// What the JSON reader said.
        #[source]
        source: serde_json::Error,
    },
    /// The answer was larger than the limit ([`crate::MAX_ANSWER_BYTES`]): refused before
    /// parsing.
    #[error("{provider}的回应太大（超过 {limit} 字节），已拒绝读取；稍后会自动重试")]
    TooLarge {
        /// The provider's name.
        provider: &'static str,
        /// The limit, in bytes.
        limit: usize,
    },
    /// Asking again now would break the provider's rate limit.
    #[error("{provider}限制查询频率，下次可查询时间：{}", china_text(*next_allowed))]
    RateLimited {
        /// The provider's name.
        provider: &'static str,
        /// When the next query is allowed.
        next_allowed: DateTime<Utc>,
    },
    /// The provider needs to know the courier, and the parcel has none.
    #[error("运单 {waybill} 还没有选择快递公司，无法向{provider}查询；请先选择快递公司")]
    CourierNeeded {
        /// The provider's name.
        provider: &'static str,
        /// The waybill.
        waybill: Waybill,
    },
    /// The provider's address is plain http to another computer (in the settings, or
    /// where the provider redirected the query): the account's key and signed queries
    /// would cross the network in the clear, so nothing is sent.
    #[error(
        "{provider}的接口地址“{url}”没有加密（http://），密钥和查询会以明文经过网络：请改用 https://（http:// 只能用于本机）"
    )]
    InsecureUrl {
        /// The provider's name.
        provider: &'static str,
        /// The address refused.
        url: String,
    },
    /// The settings are incomplete (no key, no customer id, a bad address).
    #[error("物流查询设置有误：{0}")]
    Settings(String),
    /// The HTTP client could not be built (a TLS or system configuration problem).
    #[error("无法初始化物流查询：{0}")]
    Client(#[source] reqwest::Error),
    /// No provider is configured: the parcel's state is recorded by hand.
    #[error("未配置物流查询接口，请手动记录物流状态")]
    Manual,
}

impl TrackError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            TrackError::Timeout { .. } => "track_timeout",
            TrackError::Network { .. } => "track_network",
            TrackError::Http { .. } => "track_http",
            TrackError::Provider { .. } => "track_provider",
            TrackError::Malformed { .. } => "track_malformed",
            TrackError::TooLarge { .. } => "track_too_large",
            TrackError::RateLimited { .. } => "track_rate_limited",
            TrackError::CourierNeeded { .. } => "track_courier_needed",
            TrackError::InsecureUrl { .. } => "track_insecure_url",
            TrackError::Settings(_) => "track_settings",
            TrackError::Client(_) => "track_client",
            TrackError::Manual => "track_manual",
        }
    }

    /// Whether trying again later may succeed (a network fault, a busy server) rather
    /// than needing the user to change something (a key, the courier, the phone tail).
    pub fn is_transient(&self) -> bool {
        match self {
            TrackError::Timeout { .. }
            | TrackError::Network { .. }
            | TrackError::Malformed { .. }
            | TrackError::TooLarge { .. }
            | TrackError::RateLimited { .. } => true,
            TrackError::Http { status, .. } => *status >= 500 || *status == 429,
            TrackError::Provider { code, .. } => matches!(code.as_str(), "501" | "502"),
            TrackError::CourierNeeded { .. }
            | TrackError::InsecureUrl { .. }
            | TrackError::Settings(_)
            | TrackError::Client(_)
            | TrackError::Manual => false,
        }
    }
}

/// A parcel operation that is not a query failed.
#[derive(Debug, thiserror::Error)]
pub enum ParcelError {
    /// The text is not a waybill number.
    #[error("“{0}”不是有效的运单号")]
    InvalidWaybill(String),
    /// An input is not one of the accepted values.
    #[error("{0}")]
    Invalid(String),
    /// The interception step does not follow the steps already recorded.
    #[error("当前拦截状态是“{from}”，不能记录“{}”；{hint}", step.zh_name())]
    InterceptionStep {
        /// The current state's name.
        from: &'static str,
        /// The step asked for.
        step: InterceptionStep,
        /// What can be recorded instead.
        hint: String,
    },
    /// The shop's parcel rules file is not valid.
    #[error("包裹规则文件 {path} 有误：{source}")]
    Rules {
        /// The file.
        path: String,
        /// What the TOML reader said.
        #[source]
        source: toml::de::Error,
    },
    /// The shop's parcel rules file could not be read.
    #[error("无法读取包裹规则文件 {path}：{source}")]
    RulesFile {
        /// The file.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}

impl ParcelError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ParcelError::InvalidWaybill(_) => "invalid_waybill",
            ParcelError::Invalid(_) => "invalid",
            ParcelError::InterceptionStep { .. } => "interception_step",
            ParcelError::Rules { .. } | ParcelError::RulesFile { .. } => "parcel_rules_invalid",
        }
    }
}
