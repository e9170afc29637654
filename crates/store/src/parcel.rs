//! Parcels linked to cases, their tracking events and interception steps.
//!
//! A parcel row keeps the last known state and the refresh bookkeeping; tracking events
//! are appended once per (parcel, time, text); interception steps are appended and never
//! changed. Adding and removing a parcel and each interception step land on the case's
//! timeline in the same transaction. Which interception step may follow which is the
//! desk's business (`afterdesk-parcel`'s state machine); the store records what it is
//! given.

use crate::codec::{instant, ms};
use crate::import::record_event;
use crate::outbox::{Capture, SharedTable, snapshot};
use crate::{Store, StoreError};
use afterdesk_case::{
    Actor, Courier, DeviceId, Interception, InterceptionStep, Parcel, ParcelDirection, ParcelState,
    RecordId, Trace, Waybill,
};
use afterdesk_sync::natural_row_id;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};

/// A parcel to add to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewParcel {
    /// Which way it goes.
    pub direction: ParcelDirection,
    /// The courier, when known.
    pub courier: Option<Courier>,
    /// The waybill number.
    pub waybill: Waybill,
    /// The phone's last four digits.
    pub phone_tail: Option<String>,
    /// `import` or `manual`.
    pub origin: String,
}

/// What a refresh learnt about one parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRecord {
    /// The provider answered.
    Answered {
        /// The new state.
        state: ParcelState,
        /// The route as answered (events already recorded are skipped).
        traces: Vec<Trace>,
        /// The provider's name, recorded as each new event's source.
        source: String,
        /// When it may be asked again, if the provider limits it.
        next_attempt: Option<DateTime<Utc>>,
    },
    /// The query failed; the state stays.
    Failed {
        /// What went wrong, as shown to the user.
        error: String,
        /// Failed queries in a row.
        failures: u32,
        /// The next attempt.
        next_attempt: DateTime<Utc>,
    },
    /// Not asked now; ask again from then.
    Deferred {
        /// When.
        until: DateTime<Utc>,
    },
}

/// A change to a parcel's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParcelChange {
    /// A new courier (`Some(None)` clears it).
    pub courier: Option<Option<Courier>>,
    /// A new phone tail (`Some(None)` clears it).
    pub phone_tail: Option<Option<String>>,
    /// A new direction.
    pub direction: Option<ParcelDirection>,
}

/// One stored tracking event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelEvent {
    /// The stable id.
    pub id: RecordId,
    /// The parcel.
    pub parcel_id: RecordId,
    /// The event.
    pub trace: Trace,
    /// Where it came from: the provider's name, or `手动:<agent>`.
    pub source: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// An interception step to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInterception {
    /// The step.
    pub step: InterceptionStep,
    /// The parcel, when known.
    pub parcel_id: Option<RecordId>,
    /// The courier asked.
    pub courier: Option<Courier>,
    /// With whom.
    pub contact: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// When it happened (defaults to now).
    pub at: Option<DateTime<Utc>>,
}

const PARCEL_COLUMNS: &str = "id, case_id, direction, courier, waybill, phone_tail, state, \
    state_since, last_update, last_checked, last_error, next_attempt, failures, origin, \
    created_at, updated_at, updated_by, deleted_at";

const INTERCEPTION_COLUMNS: &str =
    "id, case_id, parcel_id, step, courier, contact, note, at, agent, device";

/// The timeline field adding a parcel writes.
const EVENT_ADDED: &str = crate::TimelineField::ParcelAdded.key();
/// The timeline field removing a parcel writes.
const EVENT_REMOVED: &str = crate::TimelineField::ParcelRemoved.key();
/// The timeline field an interception step writes.
const EVENT_INTERCEPTION: &str = crate::TimelineField::Interception.key();

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn id_at(row: &Row<'_>, i: usize, what: &str) -> rusqlite::Result<RecordId> {
    RecordId::parse(&row.get::<_, String>(i)?).ok_or_else(|| corrupt(what))
}

fn parcel_from_row(row: &Row<'_>) -> rusqlite::Result<Parcel> {
    let direction: String = row.get(2)?;
    let courier: Option<String> = row.get(3)?;
    let waybill: String = row.get(4)?;
    let state: String = row.get(6)?;
    Ok(Parcel {
        id: id_at(row, 0, "parcels.id")?,
        case_id: id_at(row, 1, "parcels.case_id")?,
        direction: ParcelDirection::from_key(&direction)
            .ok_or_else(|| corrupt("parcels.direction"))?,
        // A courier key written by a newer version reads as "other", not as an error.
        courier: courier.map(|c| Courier::from_key(&c).unwrap_or(Courier::Other)),
        waybill: Waybill::parse(&waybill).ok_or_else(|| corrupt("parcels.waybill"))?,
        phone_tail: row.get(5)?,
        state: ParcelState::from_key(&state).unwrap_or(ParcelState::InTransit),
        state_since: instant(row.get(7)?),
        last_update: instant(row.get(8)?),
        last_checked: instant(row.get(9)?),
        last_error: row.get(10)?,
        next_attempt: instant(row.get(11)?),
        failures: u32::try_from(row.get::<_, i64>(12)?).unwrap_or(u32::MAX),
        origin: row.get(13)?,
        created_at: instant(row.get(14)?).ok_or_else(|| corrupt("parcels.created_at"))?,
        updated_at: instant(row.get(15)?).ok_or_else(|| corrupt("parcels.updated_at"))?,
        updated_by: DeviceId(row.get(16)?),
        deleted_at: instant(row.get(17)?),
    })
}

fn interception_from_row(row: &Row<'_>) -> rusqlite::Result<Interception> {
    let parcel: Option<String> = row.get(2)?;
    let step: String = row.get(3)?;
    let courier: Option<String> = row.get(4)?;
    Ok(Interception {
        id: id_at(row, 0, "interceptions.id")?,
        case_id: id_at(row, 1, "interceptions.case_id")?,
        parcel_id: parcel.as_deref().and_then(RecordId::parse),
        step: InterceptionStep::from_key(&step).ok_or_else(|| corrupt("interceptions.step"))?,
        courier: courier.map(|c| Courier::from_key(&c).unwrap_or(Courier::Other)),
        contact: row.get(5)?,
        note: row.get(6)?,
        at: instant(row.get(7)?).ok_or_else(|| corrupt("interceptions.at"))?,
        agent: row.get(8)?,
        device: DeviceId(row.get(9)?),
    })
}

/// How a parcel reads on the timeline.
fn parcel_text(p: &Parcel) -> String {
    let courier = p.courier.map_or("未知快递", |c| c.zh_name());
    format!("{}：{courier} {}", p.direction.zh_name(), p.waybill)
}

fn check_phone_tail(tail: Option<&str>) -> Result<(), StoreError> {
    match tail {
        Some(t) if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) => {
            Err(StoreError::Invalid(format!("手机尾号“{t}”应为 4 位数字")))
        }
        _ => Ok(()),
    }
}

impl Store {
    /// Adds a parcel to the case `key` (id, refund number or order number).
    ///
    /// Adding a waybill the case already has returns the parcel already recorded and
    /// `false`, so that running an import's parcel pass twice adds nothing.
    pub fn add_parcel(
        &mut self,
        key: &str,
        new: NewParcel,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<(Parcel, bool), StoreError> {
        let case = self.find_case(key)?;
        if case.deleted_at.is_some() {
            return Err(StoreError::Invalid(format!(
                "售后单“{key}”已删除，不能添加包裹；请先恢复"
            )));
        }
        check_phone_tail(new.phone_tail.as_deref())?;
        let actor = self.actor(agent);
        let device = self.device.clone();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let added = insert_parcel(&tx, &mut capture, &actor, &device, &case.id, new, now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    /// Adds many parcels in one transaction (the import pass); parcels a case already has
    /// are skipped. Returns how many were added.
    pub fn add_parcels(
        &mut self,
        parcels: Vec<(RecordId, NewParcel)>,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let actor = self.actor(agent);
        let device = self.device.clone();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let mut added = 0;
        for (case_id, new) in parcels {
            if insert_parcel(&tx, &mut capture, &actor, &device, &case_id, new, now)?.1 {
                added += 1;
            }
        }
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    /// One parcel by id, removed or not.
    pub fn parcel(&self, id: &str) -> Result<Parcel, StoreError> {
        let parsed =
            RecordId::parse(id).ok_or_else(|| StoreError::ParcelNotFound(id.to_owned()))?;
        self.conn
            .prepare_cached(&format!(
                "SELECT {PARCEL_COLUMNS} FROM parcels WHERE id = ?1"
            ))?
            .query_row([parsed.to_string()], parcel_from_row)
            .optional()?
            .ok_or_else(|| StoreError::ParcelNotFound(id.to_owned()))
    }

    /// The live parcels of the case `key`, in the order they were added.
    pub fn parcels(&self, key: &str) -> Result<Vec<Parcel>, StoreError> {
        let case = self.find_case(key)?;
        self.parcels_of(&case.id)
    }

    /// The live parcels of a case by id.
    pub fn parcels_of(&self, case_id: &RecordId) -> Result<Vec<Parcel>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PARCEL_COLUMNS} FROM parcels WHERE case_id = ?1 AND deleted_at IS NULL ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([case_id.to_string()], parcel_from_row)?
            .collect::<Result<_, _>>()?)
    }

    /// The live parcels with this waybill, whatever case they belong to.
    pub fn parcels_by_waybill(&self, waybill: &Waybill) -> Result<Vec<Parcel>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {PARCEL_COLUMNS} FROM parcels WHERE waybill = ?1 AND deleted_at IS NULL ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([waybill.as_str()], parcel_from_row)?
            .collect::<Result<_, _>>()?)
    }

    /// The live parcels of every open, live case: what a "refresh all" and the attention
    /// list look at.
    pub fn open_case_parcels(&self) -> Result<Vec<Parcel>, StoreError> {
        let columns = PARCEL_COLUMNS
            .split(", ")
            .map(|c| format!("p.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {columns} FROM parcels p JOIN cases c ON c.id = p.case_id \
             WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.open = 1 ORDER BY p.seq"
        ))?;
        Ok(stmt
            .query_map([], parcel_from_row)?
            .collect::<Result<_, _>>()?)
    }

    /// Changes a parcel's courier, phone tail or direction.
    pub fn change_parcel(
        &mut self,
        id: &str,
        change: &ParcelChange,
        now: DateTime<Utc>,
    ) -> Result<Parcel, StoreError> {
        let mut parcel = self.parcel(id)?;
        if let Some(courier) = change.courier {
            parcel.courier = courier;
        }
        if let Some(tail) = &change.phone_tail {
            check_phone_tail(tail.as_deref())?;
            parcel.phone_tail.clone_from(tail);
        }
        if let Some(direction) = change.direction {
            parcel.direction = direction;
        }
        parcel.updated_at = now;
        parcel.updated_by = self.device.clone();
        let row = parcel.id.to_string();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let before = snapshot(&tx, SharedTable::Parcels, &row)?;
        tx.execute(
            "UPDATE parcels SET courier = ?2, phone_tail = ?3, direction = ?4, updated_at = ?5, \
             updated_by = ?6 WHERE id = ?1",
            params![
                parcel.id.to_string(),
                parcel.courier.map(Courier::key),
                parcel.phone_tail,
                parcel.direction.key(),
                now.timestamp_millis(),
                parcel.updated_by.0,
            ],
        )?;
        capture.changed(&tx, SharedTable::Parcels, &row, before.as_ref(), now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(parcel)
    }

    /// Removes a parcel as a tombstone; its events stay. Removing twice is a no-op.
    pub fn remove_parcel(
        &mut self,
        id: &str,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Parcel, StoreError> {
        let mut parcel = self.parcel(id)?;
        if parcel.deleted_at.is_some() {
            return Ok(parcel);
        }
        parcel.deleted_at = Some(now);
        parcel.updated_at = now;
        parcel.updated_by = self.device.clone();
        let actor = self.actor(agent);
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            "UPDATE parcels SET deleted_at = ?2, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
            params![
                parcel.id.to_string(),
                now.timestamp_millis(),
                parcel.updated_by.0
            ],
        )?;
        capture.tombstone(&tx, SharedTable::Parcels, &parcel.id.to_string(), true, now)?;
        record_event(
            &tx,
            &mut capture,
            &actor,
            now,
            &parcel.case_id,
            EVENT_REMOVED,
            Some(&parcel_text(&parcel)),
            None,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(parcel)
    }

    /// Writes a refresh's results in one transaction: new states and events for the
    /// parcels answered, errors and next attempts for the rest. Returns how many new
    /// events were recorded.
    pub fn record_refresh(
        &mut self,
        records: &[(RecordId, DateTime<Utc>, RefreshRecord)],
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let device = self.device.clone();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let mut added = 0;
        for (id, at, record) in records {
            match record {
                RefreshRecord::Answered {
                    state,
                    traces,
                    source,
                    next_attempt,
                } => {
                    added +=
                        apply_traces(&tx, &mut capture, &device, id, *state, traces, source, now)?;
                    tx.prepare_cached(
                        "UPDATE parcels SET last_checked = ?2, last_error = NULL, failures = 0, \
                         next_attempt = ?3, updated_at = ?4, updated_by = ?5 WHERE id = ?1",
                    )?
                    .execute(params![
                        id.to_string(),
                        at.timestamp_millis(),
                        ms(*next_attempt),
                        now.timestamp_millis(),
                        device.0
                    ])?;
                }
                RefreshRecord::Failed {
                    error,
                    failures,
                    next_attempt,
                } => {
                    tx.prepare_cached(
                        "UPDATE parcels SET last_checked = ?2, last_error = ?3, failures = ?4, \
                         next_attempt = ?5, updated_at = ?6, updated_by = ?7 WHERE id = ?1",
                    )?
                    .execute(params![
                        id.to_string(),
                        at.timestamp_millis(),
                        error,
                        i64::from(*failures),
                        next_attempt.timestamp_millis(),
                        now.timestamp_millis(),
                        device.0
                    ])?;
                }
                RefreshRecord::Deferred { until } => {
                    tx.prepare_cached("UPDATE parcels SET next_attempt = ?2 WHERE id = ?1")?
                        .execute(params![id.to_string(), until.timestamp_millis()])?;
                }
            }
        }
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    /// Records a state and, optionally, an event by hand (no provider, or the courier
    /// said so on the phone). Returns the parcel as it now is.
    pub fn record_parcel_state(
        &mut self,
        id: &str,
        state: ParcelState,
        trace: Option<Trace>,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Parcel, StoreError> {
        let parcel = self.parcel(id)?;
        if parcel.deleted_at.is_some() {
            return Err(StoreError::Invalid(format!(
                "包裹 {} 已移除，不能记录物流状态",
                parcel.waybill
            )));
        }
        let device = self.device.clone();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let traces: Vec<Trace> = trace.into_iter().collect();
        apply_traces(
            &tx,
            &mut capture,
            &device,
            &parcel.id,
            state,
            &traces,
            &format!("手动:{agent}"),
            now,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        self.parcel(id)
    }

    /// A parcel's events, oldest first.
    pub fn parcel_events(&self, id: &RecordId) -> Result<Vec<ParcelEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, parcel_id, at, place, text, source, recorded_at FROM parcel_events \
             WHERE parcel_id = ?1 ORDER BY at, seq",
        )?;
        Ok(stmt
            .query_map([id.to_string()], |row| {
                Ok(ParcelEvent {
                    id: id_at(row, 0, "parcel_events.id")?,
                    parcel_id: id_at(row, 1, "parcel_events.parcel_id")?,
                    trace: Trace {
                        at: instant(row.get(2)?).ok_or_else(|| corrupt("parcel_events.at"))?,
                        place: row.get(3)?,
                        text: row.get(4)?,
                    },
                    source: row.get(5)?,
                    recorded_at: instant(row.get(6)?)
                        .ok_or_else(|| corrupt("parcel_events.recorded_at"))?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// Records an interception step on the case `key`.
    pub fn record_interception(
        &mut self,
        key: &str,
        new: NewInterception,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<Interception, StoreError> {
        let case = self.find_case(key)?;
        if let Some(parcel_id) = &new.parcel_id {
            let parcel = self.parcel(&parcel_id.to_string())?;
            if parcel.case_id != case.id {
                return Err(StoreError::Invalid(format!(
                    "包裹 {} 不属于这张售后单",
                    parcel.waybill
                )));
            }
        }
        let record = Interception {
            id: RecordId::new(now),
            case_id: case.id,
            parcel_id: new.parcel_id,
            step: new.step,
            courier: new.courier,
            contact: new.contact.filter(|c| !c.trim().is_empty()),
            note: new.note.filter(|n| !n.trim().is_empty()),
            at: new.at.unwrap_or(now),
            agent: agent.to_owned(),
            device: self.device.clone(),
        };
        let actor = self.actor(agent);
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            &format!(
                "INSERT INTO interceptions ({INTERCEPTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            params![
                record.id.to_string(),
                record.case_id.to_string(),
                record.parcel_id.map(|p| p.to_string()),
                record.step.key(),
                record.courier.map(Courier::key),
                record.contact,
                record.note,
                record.at.timestamp_millis(),
                record.agent,
                record.device.0,
            ],
        )?;
        capture.created(&tx, SharedTable::Interceptions, &record.id.to_string(), now)?;
        let mut text = record.step.zh_name().to_owned();
        if let Some(c) = record.courier {
            text.push_str(&format!("（{}）", c.zh_name()));
        }
        if let Some(contact) = &record.contact {
            text.push_str(&format!("，对接：{contact}"));
        }
        record_event(
            &tx,
            &mut capture,
            &actor,
            now,
            &case.id,
            EVENT_INTERCEPTION,
            None,
            Some(&text),
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(record)
    }

    /// The interception steps of the case `key`, oldest first.
    pub fn interceptions(&self, key: &str) -> Result<Vec<Interception>, StoreError> {
        let case = self.find_case(key)?;
        self.interceptions_of(&case.id)
    }

    /// The interception steps of a case by id, oldest first.
    pub fn interceptions_of(&self, case_id: &RecordId) -> Result<Vec<Interception>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {INTERCEPTION_COLUMNS} FROM interceptions WHERE case_id = ?1 ORDER BY at, seq"
        ))?;
        Ok(stmt
            .query_map([case_id.to_string()], interception_from_row)?
            .collect::<Result<_, _>>()?)
    }

    /// The interception steps of every open, live case, oldest first.
    pub fn open_case_interceptions(&self) -> Result<Vec<Interception>, StoreError> {
        let columns = INTERCEPTION_COLUMNS
            .split(", ")
            .map(|c| format!("i.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {columns} FROM interceptions i JOIN cases c ON c.id = i.case_id \
             WHERE c.deleted_at IS NULL AND c.open = 1 ORDER BY i.at, i.seq"
        ))?;
        Ok(stmt
            .query_map([], interception_from_row)?
            .collect::<Result<_, _>>()?)
    }
}

fn insert_parcel(
    tx: &Transaction<'_>,
    capture: &mut Capture,
    actor: &Actor,
    device: &DeviceId,
    case_id: &RecordId,
    new: NewParcel,
    now: DateTime<Utc>,
) -> Result<(Parcel, bool), StoreError> {
    let existing = tx
        .prepare_cached(&format!(
            "SELECT {PARCEL_COLUMNS} FROM parcels WHERE case_id = ?1 AND waybill = ?2 AND deleted_at IS NULL"
        ))?
        .query_row(
            params![case_id.to_string(), new.waybill.as_str()],
            parcel_from_row,
        )
        .optional()?;
    if let Some(existing) = existing {
        return Ok((existing, false));
    }
    let parcel = Parcel {
        id: RecordId::new(now),
        case_id: *case_id,
        direction: new.direction,
        courier: new.courier,
        waybill: new.waybill,
        phone_tail: new.phone_tail,
        state: ParcelState::NoRecord,
        state_since: None,
        last_update: None,
        last_checked: None,
        last_error: None,
        next_attempt: None,
        failures: 0,
        origin: new.origin,
        created_at: now,
        updated_at: now,
        updated_by: device.clone(),
        deleted_at: None,
    };
    tx.prepare_cached(&format!(
        "INSERT INTO parcels ({PARCEL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    ))?
    .execute(params![
        parcel.id.to_string(),
        parcel.case_id.to_string(),
        parcel.direction.key(),
        parcel.courier.map(Courier::key),
        parcel.waybill.as_str(),
        parcel.phone_tail,
        parcel.state.key(),
        ms(parcel.state_since),
        ms(parcel.last_update),
        ms(parcel.last_checked),
        parcel.last_error,
        ms(parcel.next_attempt),
        i64::from(parcel.failures),
        parcel.origin,
        parcel.created_at.timestamp_millis(),
        parcel.updated_at.timestamp_millis(),
        parcel.updated_by.0,
        ms(parcel.deleted_at),
    ])?;
    capture.created(tx, SharedTable::Parcels, &parcel.id.to_string(), now)?;
    record_event(
        tx,
        capture,
        actor,
        now,
        case_id,
        EVENT_ADDED,
        None,
        Some(&parcel_text(&parcel)),
    )?;
    Ok((parcel, true))
}

/// Appends the events not yet recorded and moves the parcel to `state`. The state's
/// "since" is the newest event's time when the state changes with new events (the
/// courier's time is what the rules count from), else `now`. Returns how many events
/// were new.
#[allow(clippy::too_many_arguments)]
fn apply_traces(
    tx: &Transaction<'_>,
    capture: &mut Capture,
    device: &DeviceId,
    id: &RecordId,
    state: ParcelState,
    traces: &[Trace],
    source: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut added = 0;
    let row = id.to_string();
    let before = snapshot(tx, SharedTable::Parcels, &row)?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT OR IGNORE INTO parcel_events (id, parcel_id, at, place, text, source, recorded_at, device) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for t in traces {
            // The event's id comes from what makes it unique (parcel, time, text), so that
            // two computers reading the same route record the same event (`docs/sync.md`).
            let at = t.at.timestamp_millis().to_string();
            let event_id = natural_row_id("parcel_events", &[&row, &at, &t.text]);
            let inserted = insert.execute(params![
                event_id,
                row,
                t.at.timestamp_millis(),
                t.place,
                t.text,
                source,
                now.timestamp_millis(),
                device.0,
            ])?;
            if inserted > 0 {
                capture.created(tx, SharedTable::ParcelEvents, &event_id, now)?;
            }
            added += inserted;
        }
    }
    let (old_state, old_last): (String, Option<i64>) = tx
        .prepare_cached("SELECT state, last_update FROM parcels WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::ParcelNotFound(id.to_string()))?;
    let newest = traces.iter().map(|t| t.at).max();
    let last_update = match (instant(old_last), newest) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    if old_state != state.key() {
        let since = newest.unwrap_or(now);
        tx.prepare_cached(
            "UPDATE parcels SET state = ?2, state_since = ?3, last_update = ?4, updated_at = ?5, \
             updated_by = ?6 WHERE id = ?1",
        )?
        .execute(params![
            id.to_string(),
            state.key(),
            since.timestamp_millis(),
            ms(last_update),
            now.timestamp_millis(),
            device.0
        ])?;
    } else if added > 0 {
        tx.prepare_cached(
            "UPDATE parcels SET last_update = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
        )?
        .execute(params![
            id.to_string(),
            ms(last_update),
            now.timestamp_millis(),
            device.0
        ])?;
    }
    capture.changed(tx, SharedTable::Parcels, &row, before.as_ref(), now)?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::NewCase;
    use afterdesk_case::time::parse_china_time;

    fn t(text: &str) -> DateTime<Utc> {
        parse_china_time(text).unwrap()
    }

    fn shop() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let now = t("2026-11-01 09:00:00");
        let mut store =
            Store::open(&dir.path().join("shop.sqlite"), DeviceId("d1".into()), now).unwrap();
        let case = store.add_case(NewCase::default(), "甲", now).unwrap();
        (dir, store, case.id.to_string())
    }

    fn new_parcel(waybill: &str) -> NewParcel {
        NewParcel {
            direction: ParcelDirection::Return,
            courier: Some(Courier::Zto),
            waybill: Waybill::parse(waybill).unwrap(),
            phone_tail: None,
            origin: "manual".into(),
        }
    }

    #[test]
    fn adding_twice_finds_the_same_parcel_and_lands_on_the_timeline() {
        let (_dir, mut store, key) = shop();
        let now = t("2026-11-02 10:00:00");
        let (first, created) = store
            .add_parcel(&key, new_parcel("75123456789012"), "甲", now)
            .unwrap();
        assert!(created, "the first add creates the parcel");
        let (again, created) = store
            .add_parcel(&key, new_parcel("7512 3456 7890 12"), "乙", now)
            .unwrap();
        assert!(
            !created,
            "the same waybill on the same case is not added twice"
        );
        assert_eq!(first.id, again.id, "the existing parcel comes back");
        assert_eq!(store.parcels(&key).unwrap(), vec![first.clone()]);
        let fields: Vec<String> = store
            .case_detail(&key)
            .unwrap()
            .events
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert!(
            fields.contains(&EVENT_ADDED.to_owned()),
            "adding lands on the timeline: {fields:?}"
        );
        store
            .remove_parcel(&first.id.to_string(), "甲", now)
            .unwrap();
        assert!(
            store.parcels(&key).unwrap().is_empty(),
            "removed parcels leave the list"
        );
        let (readded, created) = store
            .add_parcel(&key, new_parcel("75123456789012"), "甲", now)
            .unwrap();
        assert!(
            created && readded.id != first.id,
            "a removed waybill may be added again"
        );
    }

    #[test]
    fn refresh_records_events_once_and_keeps_state_on_failure() {
        let (_dir, mut store, key) = shop();
        let now = t("2026-11-02 10:00:00");
        let (parcel, _) = store
            .add_parcel(&key, new_parcel("75123456789012"), "甲", now)
            .unwrap();
        let traces = vec![
            Trace {
                at: t("2026-11-01 20:00:00"),
                place: Some("义乌市".into()),
                text: "已揽收".into(),
            },
            Trace {
                at: t("2026-11-02 08:00:00"),
                place: None,
                text: "到达杭州转运中心".into(),
            },
        ];
        let answered = RefreshRecord::Answered {
            state: ParcelState::InTransit,
            traces: traces.clone(),
            source: "快递100".into(),
            next_attempt: Some(t("2026-11-02 10:30:00")),
        };
        let added = store
            .record_refresh(&[(parcel.id, now, answered.clone())], now)
            .unwrap();
        assert_eq!(added, 2, "both events are new");
        let added = store
            .record_refresh(&[(parcel.id, now, answered)], now)
            .unwrap();
        assert_eq!(added, 0, "events are deduplicated by (parcel, time, text)");
        let stored = store.parcel(&parcel.id.to_string()).unwrap();
        assert_eq!(stored.state, ParcelState::InTransit);
        assert_eq!(
            stored.state_since,
            Some(t("2026-11-02 08:00:00")),
            "the state counts from the courier's newest event"
        );
        assert_eq!(stored.last_update, Some(t("2026-11-02 08:00:00")));

        let later = t("2026-11-02 11:00:00");
        let failed = RefreshRecord::Failed {
            error: "无法连接快递100".into(),
            failures: 1,
            next_attempt: t("2026-11-02 11:05:00"),
        };
        store
            .record_refresh(&[(parcel.id, later, failed)], later)
            .unwrap();
        let stored = store.parcel(&parcel.id.to_string()).unwrap();
        assert_eq!(
            stored.state,
            ParcelState::InTransit,
            "offline: the last known state is kept"
        );
        assert_eq!(stored.last_error.as_deref(), Some("无法连接快递100"));
        assert_eq!(stored.last_checked, Some(later));
        assert_eq!(stored.failures, 1);
        assert_eq!(store.parcel_events(&parcel.id).unwrap().len(), 2);
    }

    #[test]
    fn events_and_interceptions_are_append_only() {
        let (_dir, mut store, key) = shop();
        let now = t("2026-11-02 10:00:00");
        let (parcel, _) = store
            .add_parcel(&key, new_parcel("75123456789012"), "甲", now)
            .unwrap();
        store
            .record_parcel_state(
                &parcel.id.to_string(),
                ParcelState::Problem,
                Some(Trace {
                    at: now,
                    place: None,
                    text: "电话无人接听".into(),
                }),
                "甲",
                now,
            )
            .unwrap();
        store
            .record_interception(
                &key,
                NewInterception {
                    step: InterceptionStep::Requested,
                    parcel_id: Some(parcel.id),
                    courier: Some(Courier::Zto),
                    contact: Some("义乌网点 王师傅".into()),
                    note: None,
                    at: None,
                },
                "甲",
                now,
            )
            .unwrap();
        for sql in [
            "UPDATE parcel_events SET text = 'x'",
            "DELETE FROM parcel_events",
            "UPDATE interceptions SET step = 'succeeded'",
            "DELETE FROM interceptions",
            "DELETE FROM parcels",
        ] {
            assert!(
                store.conn.execute(sql, []).is_err(),
                "the triggers must refuse: {sql}"
            );
        }
        let steps = store.interceptions(&key).unwrap();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].contact.as_deref(), Some("义乌网点 王师傅"));
        assert_eq!(
            store.parcel_events(&parcel.id).unwrap()[0].source,
            "手动:甲",
            "a hand-recorded event says who recorded it"
        );
    }

    #[test]
    fn open_case_parcels_leave_out_closed_and_deleted_cases() {
        let (_dir, mut store, key) = shop();
        let now = t("2026-11-02 10:00:00");
        let other = store.add_case(NewCase::default(), "甲", now).unwrap();
        store
            .add_parcel(&key, new_parcel("75123456789012"), "甲", now)
            .unwrap();
        store
            .add_parcel(
                &other.id.to_string(),
                new_parcel("SF1234567890123"),
                "甲",
                now,
            )
            .unwrap();
        store.delete_case(&other.id.to_string(), "甲", now).unwrap();
        let open = store.open_case_parcels().unwrap();
        assert_eq!(open.len(), 1, "a deleted case's parcels are not refreshed");
        assert_eq!(
            store
                .parcels_by_waybill(&Waybill::parse("SF1234567890123").unwrap())
                .unwrap()
                .len(),
            1,
            "a waybill search still finds it"
        );
    }

    #[test]
    fn a_bad_phone_tail_is_refused() {
        let (_dir, mut store, key) = shop();
        let mut new = new_parcel("SF1234567890123");
        new.phone_tail = Some("12a4".into());
        let error = store
            .add_parcel(&key, new, "甲", DateTime::UNIX_EPOCH)
            .unwrap_err();
        assert!(error.to_string().contains("4 位数字"), "{error}");
    }
}
