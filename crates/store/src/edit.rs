//! Changing cases by hand: new cases, notes, field changes, deletion and restoration.
//! Every change lands on the case's timeline in the same transaction.

use crate::TimelineField;
use crate::import::{capture_case, case_id, index_new_cases, max_seq, record_event, write_case};
use crate::outbox::{Capture, SharedTable, snapshot};
use crate::query::find_case_in;
use crate::{Store, StoreError};
use afterdesk_case::{
    Actor, Case, CaseFacts, DeviceId, Flag, KindSource, Note, Platform, RecordId, RefundStatus,
    ScenarioKind,
};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};

/// The longest note accepted, in characters.
///
/// Ten thousand characters is several pages of text; anything longer is almost surely a
/// paste gone wrong, and refusing it keeps the search index and the timeline readable.
pub const NOTE_MAX_CHARS: usize = 10_000;

/// A case opened by hand (for a chat that has no refund yet, or another platform).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewCase {
    /// The marketplace; `other` if unset.
    pub platform: Option<Platform>,
    /// What the agent knows of the case.
    pub facts: CaseFacts,
    /// The kind; derived from the facts if unset.
    pub kind: Option<ScenarioKind>,
    /// The flag colour.
    pub flag: Option<Flag>,
    /// The responsible agent.
    pub assignee: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
}

/// Changes to a case's own fields; unset fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseChange {
    /// A corrected scenario kind; later imports will not override it.
    pub kind: Option<ScenarioKind>,
    /// A refund status set by hand. The next import that is newer than it (see
    /// `docs/import.md`) brings the platform's word again; an older or equal one leaves it.
    pub status: Option<RefundStatus>,
    /// A new flag, or `Some(None)` to clear it.
    pub flag: Option<Option<Flag>>,
    /// A new assignee, or `Some(None)` to clear it.
    pub assignee: Option<Option<String>>,
    /// Open or close the case.
    pub open: Option<bool>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

impl Store {
    pub(crate) fn actor(&self, agent: &str) -> Actor {
        Actor {
            agent: agent.to_owned(),
            device: self.device.clone(),
        }
    }

    /// Opens a case by hand.
    pub fn add_case(
        &mut self,
        new: NewCase,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        let mut facts = new.facts;
        // A hand-made case was requested when it was opened; this keeps it in its place in
        // lists sorted by request time.
        facts.requested_at.get_or_insert(now);
        let (kind, kind_source) = match new.kind {
            Some(kind) => (kind, KindSource::Manual),
            None => (facts.derive_kind(), KindSource::Derived),
        };
        let platform = new.platform.unwrap_or(Platform::Other);
        let case = Case {
            id: case_id(platform, facts.refund_no.as_deref(), now),
            platform,
            kind,
            kind_source,
            open: facts.refund_status().is_open(),
            facts,
            flag: new.flag,
            assignee: new.assignee.filter(|a| !a.trim().is_empty()),
            tags: new.tags,
            origin: format!("手工新建（{agent}）"),
            created_at: now,
            updated_at: now,
            updated_by: self.device.clone(),
            deleted_at: None,
        };
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let seq_before = max_seq(&tx)?;
        write_case(&tx, &case, false)?;
        capture_case(&mut capture, &tx, None, &case, now)?;
        index_new_cases(&tx, seq_before)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(case)
    }

    /// Appends a note to a case.
    pub fn add_note(
        &mut self,
        key: &str,
        text: &str,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Note, StoreError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(StoreError::Invalid("备注内容为空".to_owned()));
        }
        let chars = text.chars().count();
        if chars > NOTE_MAX_CHARS {
            return Err(StoreError::Invalid(format!(
                "备注太长（{chars} 字），最多 {NOTE_MAX_CHARS} 字"
            )));
        }
        let case = self.find_case(key)?;
        let note = Note {
            id: RecordId::new(now),
            case_id: case.id,
            author: self.actor(agent),
            at: now,
            text: text.to_owned(),
        };
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            "INSERT INTO notes (id, case_id, author, device, at, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![note.id.to_string(), case.id.to_string(), note.author.agent, note.author.device.0, now.timestamp_millis(), note.text],
        )?;
        tx.execute(
            "UPDATE cases SET updated_at = ?2, updated_by = ?3 WHERE id = ?1",
            params![case.id.to_string(), now.timestamp_millis(), self.device.0],
        )?;
        capture.created(&tx, SharedTable::Notes, &note.id.to_string(), now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(note)
    }

    /// Applies a change to a case's fields and records each changed field on its timeline.
    ///
    /// The case is read, changed and written inside one write transaction, and only the
    /// columns the change touches are written: an import or a colleague's edit committed
    /// just before is never undone by this one.
    pub fn change_case(
        &mut self,
        key: &str,
        change: &CaseChange,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        let actor = self.actor(agent);
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let old = find_case_in(&tx, key)?;
        let Some((case, events)) = plan_change(&old, change, now, &self.device) else {
            return Ok(old);
        };
        write_change(&tx, &mut capture, &actor, now, &old, &case, &events)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(case)
    }

    /// Applies the same change to several cases in one transaction: all of them change, or
    /// none (an unknown key fails the whole batch). Used by the case list's bulk actions.
    pub fn change_cases(
        &mut self,
        keys: &[String],
        change: &CaseChange,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>, StoreError> {
        let actor = self.actor(agent);
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let mut cases = Vec::with_capacity(keys.len());
        for key in keys {
            let old = find_case_in(&tx, key)?;
            match plan_change(&old, change, now, &self.device) {
                Some((case, events)) => {
                    write_change(&tx, &mut capture, &actor, now, &old, &case, &events)?;
                    cases.push(case);
                }
                None => cases.push(old),
            }
        }
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(cases)
    }

    /// Deletes a case as a tombstone: it disappears from lists but stays stored, so that
    /// the deletion reaches other devices and can be undone with [`Store::restore_case`].
    pub fn delete_case(
        &mut self,
        key: &str,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        self.set_deleted(key, Some(now), agent, now)
    }

    /// Undoes a deletion.
    pub fn restore_case(
        &mut self,
        key: &str,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        self.set_deleted(key, None, agent, now)
    }

    fn set_deleted(
        &mut self,
        key: &str,
        deleted_at: Option<DateTime<Utc>>,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Case, StoreError> {
        let actor = self.actor(agent);
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let old = find_case_in(&tx, key)?;
        if old.deleted_at.is_some() == deleted_at.is_some() {
            return Ok(old);
        }
        let mut case = old.clone();
        case.deleted_at = deleted_at;
        case.updated_at = now;
        case.updated_by = self.device.clone();
        let field = if deleted_at.is_some() {
            TimelineField::Deleted.key()
        } else {
            TimelineField::Restored.key()
        };
        write_change(
            &tx,
            &mut capture,
            &actor,
            now,
            &old,
            &case,
            &[(field, None, None)],
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(case)
    }

    /// The shop's own header mappings, as `(header, field key)` pairs.
    pub fn column_aliases(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT header, field FROM column_aliases ORDER BY header")?;
        Ok(stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Adds or replaces a header mapping.
    pub fn set_column_alias(
        &mut self,
        header: &str,
        field_key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let header = header.trim();
        if header.is_empty() {
            return Err(StoreError::Invalid("列名为空".to_owned()));
        }
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let before = snapshot(&tx, SharedTable::ColumnAliases, header)?;
        tx.execute(
            "INSERT INTO column_aliases (header, field, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(header) DO UPDATE SET field = excluded.field, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![header, field_key, now.timestamp_millis(), self.device.0],
        )?;
        capture.changed(
            &tx,
            SharedTable::ColumnAliases,
            header,
            before.as_ref(),
            now,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

/// A field change for the timeline: field, old value, new value.
type FieldEvent = (&'static str, Option<String>, Option<String>);

/// What `change` does to `old`: the new case and its timeline events, or `None` when it
/// changes nothing.
fn plan_change(
    old: &Case,
    change: &CaseChange,
    now: DateTime<Utc>,
    device: &DeviceId,
) -> Option<(Case, Vec<FieldEvent>)> {
    let mut case = old.clone();
    let mut events: Vec<FieldEvent> = Vec::new();
    if let Some(kind) = change.kind {
        case.kind = kind;
        case.kind_source = KindSource::Manual;
        if old.kind != kind {
            events.push((
                TimelineField::Kind.key(),
                Some(old.kind.key().to_owned()),
                Some(kind.key().to_owned()),
            ));
        }
    }
    if let Some(status) = change.status {
        case.facts.refund_status_text = Some(status.zh_name().to_owned());
        case.open = status.is_open();
        if old.facts.refund_status() != status {
            events.push((
                TimelineField::RefundStatus.key(),
                Some(old.facts.refund_status().key().to_owned()),
                Some(status.key().to_owned()),
            ));
        }
    }
    if let Some(flag) = change.flag {
        case.flag = flag;
        if old.flag != flag {
            events.push((
                TimelineField::Flag.key(),
                old.flag.map(|f| f.key().to_owned()),
                flag.map(|f| f.key().to_owned()),
            ));
        }
    }
    if let Some(assignee) = &change.assignee {
        let assignee = assignee.clone().filter(|a| !a.trim().is_empty());
        if old.assignee != assignee {
            events.push((
                TimelineField::Assignee.key(),
                old.assignee.clone(),
                assignee.clone(),
            ));
        }
        case.assignee = assignee;
    }
    if let Some(open) = change.open {
        case.open = open;
    }
    if old.open != case.open {
        events.push((
            TimelineField::Open.key(),
            Some(old.open.to_string()),
            Some(case.open.to_string()),
        ));
    }
    for tag in &change.add_tags {
        let tag = tag.trim();
        if !tag.is_empty() && !case.tags.iter().any(|t| t == tag) {
            case.tags.push(tag.to_owned());
        }
    }
    case.tags.retain(|t| !change.remove_tags.contains(t));
    if old.tags != case.tags {
        let text = |tags: &[String]| Some(tags.join("、"));
        events.push((TimelineField::Tags.key(), text(&old.tags), text(&case.tags)));
    }
    if events.is_empty() && case == *old {
        return None;
    }
    case.updated_at = now;
    case.updated_by = device.clone();
    Some((case, events))
}

/// Writes a planned change and its timeline events inside `tx`: only the columns in
/// which `case` differs from `old` (as read in the same transaction), plus who changed
/// it and when.
fn write_change(
    tx: &rusqlite::Transaction<'_>,
    capture: &mut Capture,
    actor: &Actor,
    now: DateTime<Utc>,
    old: &Case,
    case: &Case,
    events: &[FieldEvent],
) -> Result<(), StoreError> {
    use rusqlite::types::Value;
    let text = |s: &str| Value::Text(s.to_owned());
    let optional = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_owned()));
    let mut columns: Vec<(&str, Value)> = Vec::new();
    if old.kind != case.kind {
        columns.push(("kind", text(case.kind.key())));
    }
    if old.kind_source != case.kind_source {
        columns.push(("kind_source", text(case.kind_source.key())));
    }
    if old.facts.refund_status_text != case.facts.refund_status_text {
        columns.push((
            "refund_status_text",
            optional(case.facts.refund_status_text.as_deref()),
        ));
        columns.push(("refund_status", text(case.facts.refund_status().key())));
    }
    if old.flag != case.flag {
        columns.push(("flag", optional(case.flag.map(Flag::key))));
    }
    if old.assignee != case.assignee {
        columns.push(("assignee", optional(case.assignee.as_deref())));
    }
    if old.tags != case.tags {
        let tags =
            serde_json::to_string(&case.tags).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        columns.push(("tags", Value::Text(tags)));
    }
    if old.open != case.open {
        columns.push(("open", Value::Integer(i64::from(case.open))));
    }
    if old.deleted_at != case.deleted_at {
        columns.push((
            "deleted_at",
            case.deleted_at
                .map_or(Value::Null, |t| Value::Integer(t.timestamp_millis())),
        ));
    }
    columns.push((
        "updated_at",
        Value::Integer(case.updated_at.timestamp_millis()),
    ));
    columns.push(("updated_by", Value::Text(case.updated_by.0.clone())));
    let sets: Vec<String> = columns
        .iter()
        .enumerate()
        .map(|(i, (column, _))| format!("{column} = ?{}", i + 2))
        .collect();
    let sql = format!("UPDATE cases SET {} WHERE id = ?1", sets.join(", "));
    let mut values: Vec<Value> = Vec::with_capacity(columns.len() + 1);
    values.push(Value::Text(case.id.to_string()));
    values.extend(columns.into_iter().map(|(_, value)| value));
    tx.prepare_cached(&sql)?
        .execute(rusqlite::params_from_iter(values))?;
    capture_case(capture, tx, Some(old), case, now)?;
    for (field, before, after) in events {
        record_event(
            tx,
            capture,
            actor,
            now,
            &case.id,
            field,
            before.as_deref(),
            after.as_deref(),
        )?;
    }
    Ok(())
}
