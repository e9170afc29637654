//! Why a session operation failed.

use afterdesk_desk::{ClocksError, DeskError};
use afterdesk_store::StoreError;

/// What holds the shop when another operation asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// An import or an evidence package export holds the shop.
    Import,
    /// A parcel refresh is running (it holds the shop only to read and to record).
    Refresh,
    /// The shop is being restored from a backup or reopened.
    Reopen,
}

/// Why a session operation failed. Every variant has a stable [`ShopError::code`].
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// Long work holds the shop; the caller may try again when it ends.
    #[error("{}", busy_text(*.0))]
    Busy(Work),
    /// The shop's database could not be opened; every operation reports why until the
    /// user opens another shop or restores a backup.
    #[error("{message}")]
    Closed {
        /// The code of the error that closed it (`shop_damaged`, `open`...).
        code: &'static str,
        /// What went wrong.
        message: String,
    },
    /// A desk operation failed (boxed, like the next two: every session result would
    /// otherwise pay for the largest engine error).
    #[error(transparent)]
    Desk(Box<DeskError>),
    /// The clock files or the bundled clock data failed.
    #[error(transparent)]
    Clocks(Box<ClocksError>),
    /// The keychain failed.
    #[error(transparent)]
    Secret(#[from] afterdesk_secret::SecretError),
    /// The AI polish failed (boxed: the HTTP client's error is large).
    #[error(transparent)]
    Polish(Box<afterdesk_polish::PolishError>),
    /// The demo shop lives in memory and has no file to back up.
    #[error("演示店铺只在内存中，无需备份")]
    Demo,
    /// A worker thread stopped before it answered (a panic in a reader); nothing was
    /// written, because every write is one transaction.
    #[error("{what}中断：{detail}")]
    Interrupted {
        /// What was running (导入, 复制文件...).
        what: &'static str,
        /// What the runtime said.
        detail: String,
    },
}

fn busy_text(work: Work) -> &'static str {
    match work {
        Work::Import => "正在导入文件或导出举证材料包，请等它完成后再操作",
        Work::Refresh => "物流正在刷新中，请等这一轮结束后再试",
        Work::Reopen => "正在恢复或重新打开店铺，请稍候",
    }
}

impl From<StoreError> for ShopError {
    fn from(e: StoreError) -> Self {
        ShopError::Desk(Box::new(DeskError::Store(e)))
    }
}

impl From<DeskError> for ShopError {
    fn from(e: DeskError) -> Self {
        ShopError::Desk(Box::new(e))
    }
}

impl From<ClocksError> for ShopError {
    fn from(e: ClocksError) -> Self {
        ShopError::Clocks(Box::new(e))
    }
}

impl From<afterdesk_polish::PolishError> for ShopError {
    fn from(e: afterdesk_polish::PolishError) -> Self {
        ShopError::Polish(Box::new(e))
    }
}

impl ShopError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            ShopError::Busy(_) => "busy",
            ShopError::Closed { code, .. } => code,
            ShopError::Desk(e) => e.code(),
            ShopError::Clocks(e) => e.code(),
            ShopError::Secret(e) => e.code(),
            ShopError::Polish(e) => e.code(),
            ShopError::Demo => "demo",
            ShopError::Interrupted { .. } => "error",
        }
    }

    /// The error as it closes a shop: its code and message, kept for every later call.
    pub(crate) fn closing(&self) -> ShopError {
        ShopError::Closed {
            code: self.code(),
            message: self.to_string(),
        }
    }
}
