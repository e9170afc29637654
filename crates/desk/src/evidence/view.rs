//! The evidence shapes the UI receives: flat, instants as RFC 3339 China time.

use afterdesk_case::Proof;
use afterdesk_case::time::china_rfc3339;
use afterdesk_evidence::{CaseEvidence, Cleaning, Finding, UnboxingCheck};
use serde::Serialize;
use std::path::Path;

/// One attached file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProofView {
    /// The proof's id.
    pub id: String,
    /// The checklist item it answers, if any.
    pub item: Option<String>,
    /// The file's SHA-256, hex.
    pub hash: String,
    /// The file's name when it was attached.
    pub original_name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its type, e.g. `image/jpeg`.
    pub mime: Option<String>,
    /// When it was taken or recorded, from the file itself.
    pub captured_at: Option<String>,
    /// A video's length in milliseconds.
    pub duration_ms: Option<u64>,
    /// Who attached it.
    pub added_by: String,
    /// When.
    pub added_at: String,
}

impl From<&Proof> for ProofView {
    fn from(p: &Proof) -> Self {
        ProofView {
            id: p.id.to_string(),
            item: p.item.clone(),
            hash: p.hash.clone(),
            original_name: p.original_name.clone(),
            size: p.size,
            mime: p.mime.clone(),
            captured_at: p.captured_at.map(china_rfc3339),
            duration_ms: p.duration_ms,
            added_by: p.added_by.clone(),
            added_at: china_rfc3339(p.added_at),
        }
    }
}

/// One checklist item with the proofs attached to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceItemView {
    /// The item's key, e.g. `signed_by_self.signing_slip`.
    pub key: String,
    /// What to provide.
    pub title: String,
    /// What makes it valid.
    pub valid: String,
    /// Whether the platform needs it.
    pub required: bool,
    /// The files attached to it.
    pub proofs: Vec<ProofView>,
}

/// The checklist of one situation (not received, quality claim...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceSituationView {
    /// The situation's key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// When it applies.
    pub when: String,
    /// Its items.
    pub items: Vec<EvidenceItemView>,
}

/// One finding of the unboxing-video check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FindingView {
    /// `pass`, `fail` or `cannot_verify`.
    pub result: String,
    /// Why, in words a seller understands.
    pub message: String,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        let (result, message) = match f {
            Finding::Pass(m) => ("pass", m),
            Finding::Fail(m) => ("fail", m),
            Finding::CannotVerify(m) => ("cannot_verify", m),
        };
        FindingView {
            result: result.to_owned(),
            message: message.clone(),
        }
    }
}

/// The unboxing-video check of one video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct UnboxingView {
    /// The proof.
    pub proof_id: String,
    /// Its file name.
    pub file: String,
    /// Long enough?
    pub duration: FindingView,
    /// Recorded soon enough after the return arrived?
    pub timeliness: FindingView,
}

impl From<&UnboxingCheck> for UnboxingView {
    fn from(u: &UnboxingCheck) -> Self {
        UnboxingView {
            proof_id: u.proof_id.to_string(),
            file: u.file.clone(),
            duration: FindingView::from(&u.duration),
            timeliness: FindingView::from(&u.timeliness),
        }
    }
}

/// How far the case's evidence is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReadinessView {
    /// Required items in all.
    pub required: u32,
    /// Required items with at least one proof.
    pub ready: u32,
    /// The titles of the required items still missing.
    pub missing: Vec<String>,
    /// The end of the evidence period, when a clock runs for it.
    pub deadline: Option<String>,
    /// Minutes left until then.
    pub minutes_left: Option<i64>,
    /// One line, e.g. `已备 3 / 共 5 项必备材料，举证期还剩 14 小时`.
    pub summary: String,
}

/// A case's evidence: checklists with proofs, readiness and video checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseEvidenceView {
    /// The case.
    pub case_id: String,
    /// The checklists that apply.
    pub situations: Vec<EvidenceSituationView>,
    /// Proofs not attached to any of those items.
    pub unassigned: Vec<ProofView>,
    /// Readiness.
    pub readiness: ReadinessView,
    /// One check per unboxing video.
    pub unboxing: Vec<UnboxingView>,
}

impl From<&CaseEvidence> for CaseEvidenceView {
    fn from(e: &CaseEvidence) -> Self {
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        CaseEvidenceView {
            case_id: e.case_id.to_string(),
            situations: e
                .situations
                .iter()
                .map(|s| EvidenceSituationView {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    when: s.when.clone(),
                    items: s
                        .items
                        .iter()
                        .map(|i| EvidenceItemView {
                            key: i.item.key.clone(),
                            title: i.item.title.clone(),
                            valid: i.item.valid.clone(),
                            required: i.item.required,
                            proofs: i.proofs.iter().map(ProofView::from).collect(),
                        })
                        .collect(),
                })
                .collect(),
            unassigned: e.unassigned.iter().map(ProofView::from).collect(),
            readiness: ReadinessView {
                required: count(e.readiness.required),
                ready: count(e.readiness.ready),
                missing: e
                    .readiness
                    .missing
                    .iter()
                    .map(|(_, title)| title.clone())
                    .collect(),
                deadline: e.readiness.deadline.map(china_rfc3339),
                minutes_left: e.readiness.minutes_left,
                summary: e.readiness.summary.clone(),
            },
            unboxing: e.unboxing.iter().map(UnboxingView::from).collect(),
        }
    }
}

/// Progress of copying a file into the evidence folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CopyProgressView {
    /// Bytes copied.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

/// A count for the UI (the bindings carry no `usize`).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A proof record that names a file of the evidence folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceUseView {
    /// The proof.
    pub proof_id: String,
    /// Its case.
    pub case_id: String,
    /// The file's name when it was attached: attach this file again to repair.
    pub original_name: String,
    /// Whether the proof was detached (its file is still kept: the detach may be undone).
    pub detached: bool,
}

/// A file of the evidence folder that is damaged or missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceFileView {
    /// Its SHA-256, which is also its name.
    pub hash: String,
    /// Where it is (or should be).
    pub path: String,
    /// Its size on disk; `None` when it is missing.
    pub size: Option<u64>,
    /// The proofs that name it; empty for a file no record names.
    pub proofs: Vec<EvidenceUseView>,
}

impl EvidenceFileView {
    /// The file `hash` at `path`, with the proofs among `proofs` that name it.
    pub fn new(hash: &str, path: &Path, size: Option<u64>, proofs: &[Proof]) -> Self {
        EvidenceFileView {
            hash: hash.to_owned(),
            path: path.display().to_string(),
            size,
            proofs: proofs
                .iter()
                .filter(|p| p.hash == hash)
                .map(|p| EvidenceUseView {
                    proof_id: p.id.to_string(),
                    case_id: p.case_id.to_string(),
                    original_name: p.original_name.clone(),
                    detached: p.deleted_at.is_some(),
                })
                .collect(),
        }
    }
}

/// What checking the evidence folder found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceCheckView {
    /// Files checked.
    pub checked: u32,
    /// Bytes read.
    pub bytes: u64,
    /// Files whose bytes no longer match their hash.
    pub damaged: Vec<EvidenceFileView>,
    /// Files a proof names that are not in the folder.
    pub missing: Vec<EvidenceFileView>,
    /// One line, e.g. `已检查 12 个证据文件，全部完好`.
    pub summary: String,
}

impl EvidenceCheckView {
    /// The report of a check of `checked` files and `bytes` bytes.
    pub fn new(
        checked: usize,
        bytes: u64,
        damaged: Vec<EvidenceFileView>,
        missing: Vec<EvidenceFileView>,
    ) -> Self {
        let summary = if damaged.is_empty() && missing.is_empty() {
            format!("已检查 {checked} 个证据文件，全部完好")
        } else {
            format!(
                "已检查 {checked} 个证据文件：{} 个已损坏，{} 个缺失；请重新添加原文件以修复",
                damaged.len(),
                missing.len()
            )
        };
        EvidenceCheckView {
            checked: count(checked),
            bytes,
            damaged,
            missing,
            summary,
        }
    }
}

/// A file the clean-up removed, or would remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CleanedFileView {
    /// The file.
    pub path: String,
    /// The content hash of stored content; `None` for a leftover copy in `.incoming`.
    pub hash: Option<String>,
    /// Its size in bytes.
    pub size: u64,
}

/// What cleaning the evidence folder did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidenceCleanView {
    /// Whether this was a dry run (nothing removed; the lists say what would go).
    pub dry_run: bool,
    /// Leftovers of crashed attaches in `.incoming`.
    pub incoming: Vec<CleanedFileView>,
    /// Stored files no record names.
    pub unreferenced: Vec<CleanedFileView>,
    /// Files that would go but are younger than the grace period, kept for now.
    pub kept_recent: u32,
    /// Bytes freed (or that would be).
    pub bytes: u64,
    /// One line, e.g. `已清理 3 个文件，释放 12.0 MB`.
    pub summary: String,
}

impl EvidenceCleanView {
    /// The report of sweeping `.incoming` and removing unreferenced content.
    pub fn new(dry_run: bool, incoming: &Cleaning, unreferenced: &Cleaning) -> Self {
        let files = |c: &Cleaning| {
            c.removed
                .iter()
                .map(|f| CleanedFileView {
                    path: f.path.display().to_string(),
                    hash: f.hash.clone(),
                    size: f.size,
                })
                .collect::<Vec<_>>()
        };
        let bytes = incoming.bytes() + unreferenced.bytes();
        let removed = incoming.removed.len() + unreferenced.removed.len();
        let kept = incoming.kept_recent + unreferenced.kept_recent;
        let verb = if dry_run { "将清理" } else { "已清理" };
        let mut summary = format!(
            "{verb} {removed} 个文件（未完成的复制 {}，无记录引用的证据 {}），共 {:.1} MB",
            incoming.removed.len(),
            unreferenced.removed.len(),
            bytes as f64 / 1_000_000.0
        );
        if kept > 0 {
            summary.push_str(&format!("；{kept} 个文件不满一天，暂时保留"));
        }
        EvidenceCleanView {
            dry_run,
            incoming: files(incoming),
            unreferenced: files(unreferenced),
            kept_recent: count(kept),
            bytes,
            summary,
        }
    }
}
