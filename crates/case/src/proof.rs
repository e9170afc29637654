//! A proof (证据): one file attached to a case as evidence.

use crate::{DeviceId, RecordId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One file attached to a case as evidence, as stored.
///
/// The file itself lives in the shop's content-addressed evidence folder under its hash;
/// this record says which case and checklist item it answers and what the file told us
/// about itself. Facts read from the file (hash, size, type, capture time, duration) never
/// change once recorded; only the checklist item and the tombstone do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proof {
    /// The stable id, the same on every device.
    pub id: RecordId,
    /// The case it is evidence for.
    pub case_id: RecordId,
    /// The checklist item it answers (`signed_by_self.signing_slip`), if the agent chose
    /// one; a proof without an item is kept but counts towards no requirement.
    pub item: Option<String>,
    /// The file's SHA-256, lowercase hex: its name in the evidence folder.
    pub hash: String,
    /// The file's name when it was attached (buyer-supplied names are kept as given and
    /// escaped wherever they are shown).
    pub original_name: String,
    /// Size in bytes.
    pub size: u64,
    /// The MIME type found from the file's first bytes, `None` when not recognised.
    pub mime: Option<String>,
    /// When the photo or video was taken, from EXIF or the MP4/MOV header; `None` when the
    /// file does not say.
    pub captured_at: Option<DateTime<Utc>>,
    /// A video's length in milliseconds from its header; `None` for other files or when
    /// the header is missing or unreadable.
    pub duration_ms: Option<u64>,
    /// The agent who attached it.
    pub added_by: String,
    /// When it was attached.
    pub added_at: DateTime<Utc>,
    /// The installation it was attached on.
    pub device: DeviceId,
    /// When the record last changed, for sync.
    pub updated_at: DateTime<Utc>,
    /// The device that made the last change, for sync.
    pub updated_by: DeviceId,
    /// When it was detached; detached proofs stay as tombstones so the removal syncs.
    pub deleted_at: Option<DateTime<Utc>>,
}
