//! Stable record identities, ready for multi-device sync.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

thread_local! {
    /// The per-thread counter that keeps ids made in the same millisecond in order.
    static CONTEXT: uuid::ContextV7 = const { uuid::ContextV7::new() };
}

/// The identity of any stored record (case, note, event, order).
///
/// A UUIDv7 sorts by creation time, which keeps SQLite's B-trees append-mostly, and is
/// unique across devices without coordination, which is what a shop sharing one data set
/// over a synced folder needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(Uuid);

impl RecordId {
    /// Makes a new id whose time part is `now` (passed in so that core code never reads the
    /// clock) and whose remaining bits are random.
    ///
    /// Ids made in one thread are strictly increasing even within one millisecond (a
    /// counter fills the bits after the time), so that a bulk import appends to the id
    /// indexes instead of scattering writes across them.
    pub fn new(now: DateTime<Utc>) -> Self {
        let millis = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let nanos = u32::try_from((millis % 1000) * 1_000_000).unwrap_or(0);
        CONTEXT.with(|context| {
            RecordId(Uuid::new_v7(uuid::Timestamp::from_unix(
                context,
                millis / 1000,
                nanos,
            )))
        })
    }

    /// Parses the canonical hyphenated form.
    pub fn parse(text: &str) -> Option<Self> {
        Uuid::parse_str(text.trim()).ok().map(RecordId)
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

/// The identity of one installation of AfterDesk.
///
/// Every change records the device it was made on, so that a later sync can tell two
/// devices' edits apart and merge them deterministically.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeviceId(pub String);

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who makes a change: the agent's display name and the device they work on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The agent's name as set in the app (客服昵称), or the importer's label.
    pub agent: String,
    /// The installation the change is made on.
    pub device: DeviceId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_made_in_one_millisecond_increase() {
        let now = DateTime::from_timestamp_millis(1_800_000_000_123).unwrap_or_default();
        let ids: Vec<RecordId> = (0..1000).map(|_| RecordId::new(now)).collect();
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids must be strictly increasing"
        );
        assert!(
            ids.iter().all(|id| id.to_string().starts_with("01a3")),
            "the time part comes from `now`"
        );
    }
}
