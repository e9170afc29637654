//! Notes and the case timeline: append-only records of who did what and when.

use crate::{Actor, RecordId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A note an agent wrote on a case (备注). Notes are never edited or removed in place: a
/// correction is a new note, so every device converges on the same list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// The stable id.
    pub id: RecordId,
    /// The case the note belongs to.
    pub case_id: RecordId,
    /// Who wrote it.
    pub author: Actor,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What was written, kept as the agent typed it.
    pub text: String,
}

/// One change on a case's timeline: which field changed, from what to what, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// The stable id.
    pub id: RecordId,
    /// The case that changed.
    pub case_id: RecordId,
    /// Who made the change (an agent, or the importer with the file's name).
    pub actor: Actor,
    /// When it changed.
    pub at: DateTime<Utc>,
    /// The field that changed, or `created` / `deleted` for the case itself.
    pub field: String,
    /// The value before, as text.
    pub old: Option<String>,
    /// The value after, as text.
    pub new: Option<String>,
}
