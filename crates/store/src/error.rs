//! What can go wrong in the store, in words a seller understands.

use std::path::PathBuf;

/// A store operation failed; nothing was changed unless the variant says otherwise.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder for the database or its backups could not be created.
    #[error("无法创建文件夹 {path}：{source}")]
    Folder {
        /// The folder.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened.
    #[error("无法打开数据库 {path}：{source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer AfterDesk.
    #[error(
        "数据库 {path} 由更新版本的售后台写入（数据版本 {found}，本程序只支持到 {supported}），为避免损坏数据已拒绝打开；请先升级售后台"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The schema version found in the file.
        found: usize,
        /// The newest schema version this binary knows.
        supported: usize,
    },
    /// Upgrading the schema failed; the database is left at its old version.
    #[error("数据库升级失败，已保持原样：{0}")]
    Migrate(#[source] rusqlite_migration::Error),
    /// A backup could not be written.
    #[error("无法写入备份 {path}：{source}")]
    Backup {
        /// The backup file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// Another program (a second AfterDesk window, the command line, an import) held the
    /// shop's write lock for longer than the store waits. Nothing was changed.
    #[error(
        "店铺数据正被另一个程序写入（例如另一个售后台窗口或命令行里的导入），等了 {} 秒仍未轮到，本次操作没有保存；请等它完成后再试，已保存的数据不受影响",
        crate::BUSY_TIMEOUT_MS / 1000
    )]
    Locked(#[source] rusqlite::Error),
    /// SQLite's check found the shop file damaged; it was not opened and nothing was
    /// written to it.
    #[error(
        "店铺文件 {path} 已损坏（SQLite 检查发现：{finding}），为免丢失更多数据已拒绝打开。请从备份恢复：在售后台的“设置 → 备份”里选一份备份恢复，或在命令行运行 afterdesk backup list 查看备份、afterdesk backup restore <备份文件> 恢复"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// SQLite's first finding, in its own words.
        finding: String,
    },
    /// The file is not an AfterDesk shop (another program's file, or a shop whose first
    /// page was overwritten).
    #[error(
        "文件 {path} 不是售后台的店铺数据，已拒绝打开。如果它原本是店铺文件，说明文件开头已损坏，请从备份恢复：“设置 → 备份”，或 afterdesk backup restore <备份文件>"
    )]
    NotAShop {
        /// The file.
        path: PathBuf,
    },
    /// The chosen backup cannot be restored: it is damaged, not a shop, or too new.
    #[error("不能用备份 {path} 恢复：{why}；店铺数据没有任何改动，请换一份备份")]
    BadBackup {
        /// The backup file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
        /// A stable code: `backup_damaged`, `not_a_backup` or `backup_too_new`.
        code: &'static str,
    },
    /// Restoring failed part-way; the state before the restore is kept in the safety
    /// backup named here.
    #[error("从备份 {path} 恢复失败：{why}。恢复前的数据已另存为 {safety}")]
    Restore {
        /// The backup file.
        path: PathBuf,
        /// What went wrong.
        why: String,
        /// The safety backup of the state before the restore.
        safety: String,
    },
    /// A statement failed.
    #[error("数据库操作失败：{0}")]
    Sql(rusqlite::Error),
    /// No case has that id, refund number or order number.
    #[error("找不到售后单“{0}”")]
    CaseNotFound(String),
    /// No proof has that id.
    #[error("找不到证据“{0}”")]
    ProofNotFound(String),
    /// No script has that id.
    #[error("找不到话术“{0}”")]
    ScriptNotFound(String),
    /// Someone saved the script since the agent began editing it.
    #[error(
        "话术“{id}”已被{by}改为第 {found} 版（你编辑的是第 {expected} 版）；为免覆盖对方的修改，请重新打开后再改"
    )]
    ScriptChanged {
        /// The script.
        id: String,
        /// The version the agent started from.
        expected: u32,
        /// The version now stored.
        found: u32,
        /// Who saved it.
        by: String,
    },
    /// No parcel has that id.
    #[error("找不到包裹“{0}”")]
    ParcelNotFound(String),
    /// No live member has that id.
    #[error("找不到成员“{0}”（可能已被移除）")]
    MemberNotFound(String),
    /// Another live member already has this name.
    #[error("已有名为“{0}”的成员，请换一个名字")]
    DuplicateMember(String),
    /// The change would leave the shop without a 店长.
    #[error("“{0}”是店里唯一的店长，不能移除或改为其他角色；请先把另一位成员设为店长")]
    LastOwner(String),
    /// An order number matches several cases.
    #[error("订单号“{key}”对应 {count} 条售后单，请改用退款编号或售后单 ID")]
    Ambiguous {
        /// What the user typed.
        key: String,
        /// How many cases match.
        count: usize,
    },
    /// Another case already has this refund number.
    #[error("退款编号 {0} 已存在，不能重复添加")]
    DuplicateRefundNo(String),
    /// A note or change had nothing in it.
    #[error("{0}")]
    Invalid(String),
    /// A stored value could not be read back.
    #[error("数据库中的记录无法读取（{0}），数据可能被其他程序改动过")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        // Busy and locked are the only failures a retry later can cure; they get their own
        // variant so the user reads "wait and try again" rather than "database error".
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                StoreError::Locked(error)
            }
            _ => StoreError::Sql(error),
        }
    }
}

impl StoreError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Folder { .. } => "folder",
            StoreError::Open { .. } => "open",
            StoreError::TooNew { .. } => "database_too_new",
            StoreError::Migrate(_) => "migration_failed",
            StoreError::Backup { .. } => "backup_failed",
            StoreError::Locked(_) => "shop_locked",
            StoreError::Damaged { .. } => "shop_damaged",
            StoreError::NotAShop { .. } => "not_a_shop",
            StoreError::BadBackup { code, .. } => code,
            StoreError::Restore { .. } => "restore_failed",
            StoreError::Sql(_) => "database",
            StoreError::CaseNotFound(_) => "case_not_found",
            StoreError::ProofNotFound(_) => "proof_not_found",
            StoreError::ScriptNotFound(_) => "script_not_found",
            StoreError::ScriptChanged { .. } => "script_changed",
            StoreError::ParcelNotFound(_) => "parcel_not_found",
            StoreError::MemberNotFound(_) => "member_not_found",
            StoreError::DuplicateMember(_) => "duplicate_member",
            StoreError::LastOwner(_) => "last_owner",
            StoreError::Ambiguous { .. } => "ambiguous_case",
            StoreError::DuplicateRefundNo(_) => "duplicate_refund_no",
            StoreError::Invalid(_) => "invalid",
            StoreError::Corrupt(_) => "corrupt",
        }
    }
}
