//! What can go wrong when talking to the shared location, told apart so that the sync
//! loop can act on each: wait (rate limited), try later (timeout, unreachable), ask the
//! user (unauthorized, a clock far off), or split a folder (a capped listing).

use std::time::Duration;

/// A transport operation failed. Nothing here is ever an empty success: a listing that
/// failed or looks truncated is an error, so that it cannot be read as "every file was
/// deleted".
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The file or folder does not exist (HTTP 404, a missing local path, an S3 prefix
    /// holding no object, a missing bucket).
    #[error("同步位置中没有“{path}”")]
    NotFound {
        /// The path, relative to the shop's folder.
        path: String,
    },
    /// The server refused the credentials (HTTP 401 or 403): a wrong WebDAV app password
    /// or S3 key, or an account without access to the folder or bucket.
    #[error("同步服务器拒绝了账号或密钥（HTTP {status}）：请检查 WebDAV 应用密码或 S3 访问密钥")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
    },
    /// The server asks to slow down (HTTP 429, or 503 as 坚果云 and S3's `SlowDown`
    /// answer). Nothing was done; the sync loop waits and resumes later.
    #[error("同步服务器限制了请求频率（HTTP {status}）{}", retry_text(*retry_after))]
    RateLimited {
        /// The HTTP status (429 or 503).
        status: u16,
        /// How long the server asked to wait (`Retry-After`), when it said, at most
        /// [`super::MAX_RETRY_AFTER`].
        retry_after: Option<Duration>,
    },
    /// The server did not answer within the request's time limit.
    #[error("同步服务器在 {} 秒内没有回应（{operation} {path}），稍后会自动重试", after.as_secs_f32())]
    Timeout {
        /// The operation (`list`, `read`, `write`, `delete`).
        operation: &'static str,
        /// The path.
        path: String,
        /// The time limit.
        after: Duration,
    },
    /// The server could not be reached: offline, a DNS failure, a refused or reset
    /// connection, a TLS failure.
    #[error("无法连接同步服务器（网络不通或服务器没有运行）：{source}")]
    Unreachable {
        /// What the HTTP client said.
        #[source]
        source: reqwest::Error,
    },
    /// A listing came back unreadable or inconsistent (malformed XML, a truncated
    /// answer without a continuation token, an entry outside the folder). It is not an
    /// empty folder.
    #[error("无法读取“{path}”的文件列表：{reason}")]
    ListingFailed {
        /// The folder listed.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// A WebDAV listing returned as many entries as the server's cap
    /// ([`super::webdav::NUTSTORE_LIST_CAP`] for 坚果云): the server may have left entries
    /// out, so the listing cannot be trusted; the folder must be kept smaller.
    #[error("“{path}”的文件列表达到服务器上限 {cap} 项，可能不完整：该文件夹需要拆分")]
    ListingCapped {
        /// The folder listed.
        path: String,
        /// The server's cap.
        cap: usize,
    },
    /// A listing holds more than [`super::MAX_LIST_ENTRIES`] entries: the folders are
    /// meant to stay far below, so this is refused rather than held in memory.
    #[error("“{path}”中的文件超过 {limit} 项，已拒绝读取列表")]
    ListingTooLarge {
        /// The folder listed.
        path: String,
        /// The bound.
        limit: usize,
    },
    /// A file is larger than the caller's bound: refused before it is read whole.
    #[error("“{path}”大于 {limit} 字节，已拒绝读取")]
    TooLarge {
        /// The path.
        path: String,
        /// The bound, in bytes.
        limit: u64,
    },
    /// An S3 server refused a request signed at a time too far from its own clock
    /// (`RequestTimeTooSkewed`): the computer's clock is wrong, not the key.
    #[error("本机时钟与同步服务器相差太大，请求被拒绝：请校准系统时间")]
    ClockSkewed,
    /// A path is not a relative `/`-separated path of plain names.
    #[error("同步路径“{path}”无效：{reason}")]
    InvalidPath {
        /// The path given.
        path: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The address is plain http to another computer: the password or the signed
    /// requests would cross the network in the clear, so nothing is sent.
    #[error("同步地址“{url}”没有加密（http://）：请改用 https://（http:// 只能用于本机）")]
    InsecureUrl {
        /// The address refused.
        url: String,
    },
    /// The settings are unusable (an address that does not parse, an empty bucket name).
    #[error("同步设置有误：{0}")]
    Settings(String),
    /// The server answered with another HTTP error status.
    #[error("同步服务器返回 HTTP {status}（{operation} {path}）")]
    Http {
        /// The operation.
        operation: &'static str,
        /// The path.
        path: String,
        /// The status.
        status: u16,
    },
    /// The local folder could not be read or written.
    #[error("无法访问同步文件夹中的“{path}”：{source}")]
    Io {
        /// The path.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The HTTP client could not be built (a TLS or system configuration problem).
    #[error("无法初始化同步连接：{0}")]
    Client(#[source] reqwest::Error),
}

fn retry_text(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!("，请在 {} 秒后再试", wait.as_secs()),
        None => "，稍后会自动重试".to_owned(),
    }
}

impl TransportError {
    /// A stable machine-readable code, for the UI, the CLI's JSON and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            TransportError::NotFound { .. } => "sync_not_found",
            TransportError::Unauthorized { .. } => "sync_unauthorized",
            TransportError::RateLimited { .. } => "sync_rate_limited",
            TransportError::Timeout { .. } => "sync_timeout",
            TransportError::Unreachable { .. } => "sync_unreachable",
            TransportError::ListingFailed { .. } => "sync_listing_failed",
            TransportError::ListingCapped { .. } => "sync_listing_capped",
            TransportError::ListingTooLarge { .. } => "sync_listing_too_large",
            TransportError::TooLarge { .. } => "sync_file_too_large",
            TransportError::ClockSkewed => "sync_clock_skewed",
            TransportError::InvalidPath { .. } => "sync_invalid_path",
            TransportError::InsecureUrl { .. } => "sync_insecure_url",
            TransportError::Settings(_) => "sync_settings",
            TransportError::Http { .. } => "sync_http",
            TransportError::Io { .. } => "sync_io",
            TransportError::Client(_) => "sync_client",
        }
    }

    /// Whether trying the same request later may succeed without the user changing
    /// anything: a busy, slow or unreachable server, a server error, a listing that came
    /// back broken.
    pub fn is_transient(&self) -> bool {
        match self {
            TransportError::RateLimited { .. }
            | TransportError::Timeout { .. }
            | TransportError::Unreachable { .. }
            | TransportError::ListingFailed { .. }
            | TransportError::Io { .. } => true,
            TransportError::Http { status, .. } => *status >= 500,
            TransportError::NotFound { .. }
            | TransportError::Unauthorized { .. }
            | TransportError::ListingCapped { .. }
            | TransportError::ListingTooLarge { .. }
            | TransportError::TooLarge { .. }
            | TransportError::ClockSkewed
            | TransportError::InvalidPath { .. }
            | TransportError::InsecureUrl { .. }
            | TransportError::Settings(_)
            | TransportError::Client(_) => false,
        }
    }
}
