//! Which deadline reminders this device has already shown, so that none is shown twice.

use crate::{Store, StoreError};
use afterdesk_case::RecordId;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// One reminder: a case's clock, its deadline and the lead time before it (0 = at the
/// deadline, when the clock is overdue).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReminderKey {
    /// The case.
    pub case_id: RecordId,
    /// The clock's rule id.
    pub clock: String,
    /// The deadline the reminder is about.
    pub due: DateTime<Utc>,
    /// Minutes before the deadline; 0 for the overdue reminder.
    pub lead_minutes: u32,
}

impl Store {
    /// The reminders this device has shown, for cases that are still open (a closed
    /// case's reminders can never be due again).
    pub fn shown_reminders(&self) -> Result<HashSet<ReminderKey>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.case_id, r.clock, r.due, r.lead_minutes FROM reminders_shown r \
             JOIN cases c ON c.id = r.case_id \
             WHERE r.device = ?1 AND c.open = 1 AND c.deleted_at IS NULL",
        )?;
        let rows = stmt.query_map([&self.device.0], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
            ))
        })?;
        let mut shown = HashSet::new();
        for row in rows {
            let (case_id, clock, due, lead) = row?;
            let case_id = RecordId::parse(&case_id).ok_or_else(|| {
                StoreError::Corrupt(format!("提醒记录里的售后单编号无效：{case_id}"))
            })?;
            let due = DateTime::from_timestamp_millis(due)
                .ok_or_else(|| StoreError::Corrupt(format!("提醒记录里的时间无效：{due}")))?;
            shown.insert(ReminderKey {
                case_id,
                clock,
                due,
                lead_minutes: u32::try_from(lead).unwrap_or(0),
            });
        }
        Ok(shown)
    }

    /// Records reminders as shown on this device; recording one twice is harmless.
    pub fn record_reminders(
        &mut self,
        shown: &[ReminderKey],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO reminders_shown (case_id, clock, due, lead_minutes, device, shown_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for key in shown {
                stmt.execute(rusqlite::params![
                    key.case_id.to_string(),
                    key.clock,
                    key.due.timestamp_millis(),
                    i64::from(key.lead_minutes),
                    self.device.0,
                    now.timestamp_millis(),
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}
