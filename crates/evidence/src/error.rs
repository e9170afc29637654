//! What can go wrong with evidence, in words a seller understands.

use std::path::PathBuf;

/// An evidence operation failed. Unless the variant says otherwise nothing was attached
/// or written: a failed or cancelled copy leaves no file behind.
#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// The file to attach does not exist.
    #[error("找不到文件 {path}")]
    NotFound {
        /// The path as given.
        path: PathBuf,
    },
    /// A folder was given where a file was expected.
    #[error("{path} 是文件夹，不是文件；请选择要添加的证据文件")]
    NotAFile {
        /// The path as given.
        path: PathBuf,
    },
    /// The file exists but cannot be read (permissions, a disk error, a file locked by
    /// another program).
    #[error("无法读取文件 {path}：{source}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The evidence folder or the package could not be written.
    #[error("无法写入 {path}：{source}")]
    Write {
        /// The file or folder being written.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The user cancelled; nothing was attached or written.
    #[error("已取消，没有添加或写入任何文件")]
    Cancelled,
    /// A stored evidence file is missing from the evidence folder.
    #[error("证据文件 {path} 不见了（哈希 {hash}），可能被移动或删除；重新添加原文件即可恢复")]
    Missing {
        /// The content hash the record names.
        hash: String,
        /// Where the file should be.
        path: PathBuf,
    },
    /// A stored evidence file no longer matches its recorded hash.
    #[error(
        "证据文件 {path} 的内容与记录的哈希 {hash} 不符，可能已被改动或损坏；重新添加原文件即可修复"
    )]
    Tampered {
        /// The content hash the record names.
        hash: String,
        /// The file.
        path: PathBuf,
    },
    /// The zip package could not be written.
    #[error("无法写入证据包 {path}：{source}")]
    Zip {
        /// The package file.
        path: PathBuf,
        /// What the zip writer said.
        #[source]
        source: zip::result::ZipError,
    },
    /// A bundled data file does not parse (a build defect, caught by the tests).
    #[error("内置数据文件 {file} 有误：{source}")]
    BundledData {
        /// The data file's name.
        file: &'static str,
        /// What the TOML reader said, with line and field.
        #[source]
        source: toml::de::Error,
    },
    /// A checklist item key that no template has.
    #[error("没有“{key}”这一项举证材料；可选：{choices}")]
    UnknownItem {
        /// The key as given.
        key: String,
        /// The keys that would be accepted for this case.
        choices: String,
    },
}

impl EvidenceError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            EvidenceError::NotFound { .. } => "file_not_found",
            EvidenceError::NotAFile { .. } => "not_a_file",
            EvidenceError::Unreadable { .. } => "file_unreadable",
            EvidenceError::Write { .. } => "write_failed",
            EvidenceError::Cancelled => "cancelled",
            EvidenceError::Missing { .. } => "evidence_missing",
            EvidenceError::Tampered { .. } => "evidence_tampered",
            EvidenceError::Zip { .. } => "package_failed",
            EvidenceError::BundledData { .. } => "bundled_data",
            EvidenceError::UnknownItem { .. } => "unknown_item",
        }
    }
}
