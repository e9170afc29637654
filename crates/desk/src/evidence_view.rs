//! The evidence shapes the UI receives: flat, instants as RFC 3339 China time.

use afterdesk_case::Proof;
use afterdesk_case::time::china_rfc3339;
use afterdesk_evidence::{CaseEvidence, Finding, UnboxingCheck};
use serde::Serialize;

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
