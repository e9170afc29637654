//! The shop's reply scripts, the drafts agents copied and the training items accepted from
//! imported material.
//!
//! The built-in library ships with the program (`afterdesk-script`) and is never stored:
//! what the store holds is what the shop changed — its own scripts, its edits of built-in
//! scripts (stored under the built-in id, so they replace it) and scripts accepted from an
//! import. Every save appends a version, so a copied draft's `id@version` always names a
//! text that can still be read.

use crate::codec::instant;
use crate::import::record_event;
use crate::outbox::{Capture, SharedTable, snapshot};
use crate::{Store, StoreError};
use afterdesk_case::{Actor, DeviceId, RecordId, ScenarioKind};
use afterdesk_script::{Library, Script, Stage};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};

/// Where a stored script came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptOrigin {
    /// The shop's edit of a built-in script (same id).
    Builtin,
    /// Written by the shop.
    Shop,
    /// Accepted from imported training material.
    Import,
}

impl ScriptOrigin {
    fn key(self) -> &'static str {
        match self {
            ScriptOrigin::Builtin => "builtin",
            ScriptOrigin::Shop => "shop",
            ScriptOrigin::Import => "import",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        [
            ScriptOrigin::Builtin,
            ScriptOrigin::Shop,
            ScriptOrigin::Import,
        ]
        .into_iter()
        .find(|o| o.key() == key)
    }
}

/// A script as the shop stored it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScript {
    /// The script at its current version.
    pub script: Script,
    /// Where it came from.
    pub origin: ScriptOrigin,
    /// The agent who first saved it.
    pub created_by: String,
    /// When it was first saved.
    pub created_at: DateTime<Utc>,
    /// The agent who saved the current version.
    pub updated_by: String,
    /// When the current version was saved.
    pub updated_at: DateTime<Utc>,
    /// When it was removed (a tombstone); removed built-in edits fall back to the built-in.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One saved version of a script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptVersion {
    /// The script as saved in that version.
    pub script: Script,
    /// Who saved it.
    pub changed_by: String,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// A draft the agent is copying to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDraftCopy {
    /// The scenario the draft answered.
    pub kind: ScenarioKind,
    /// The scripts it came from (`id@version`); empty for a reply typed by hand.
    pub script_ids: Vec<String>,
    /// The text as copied.
    pub text: String,
    /// The placeholders the agent confirmed to send unfilled (their labels).
    pub confirmed_unfilled: Vec<String>,
    /// The lint rules the text still broke when it was copied (their keys).
    pub lint: Vec<String>,
}

/// A copied draft, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftCopy {
    /// Its id.
    pub id: RecordId,
    /// The case.
    pub case_id: RecordId,
    /// What was copied.
    #[serde(flatten)]
    pub draft: NewDraftCopy,
    /// The agent.
    pub copied_by: String,
    /// When.
    pub copied_at: DateTime<Utc>,
    /// On which device.
    pub device: DeviceId,
}

/// What kind of training item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingItemKind {
    /// A single- or multiple-choice question.
    Question,
    /// An open reply exercise (客户：… 客服：…).
    Exercise,
}

impl TrainingItemKind {
    fn key(self) -> &'static str {
        match self {
            TrainingItemKind::Question => "question",
            TrainingItemKind::Exercise => "exercise",
        }
    }
}

/// A training item to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTrainingItem {
    /// Question or exercise.
    pub item: TrainingItemKind,
    /// The scenario it trains.
    pub kind: ScenarioKind,
    /// The item itself (stem, options, answer; or the buyer's message and model answer).
    pub body: serde_json::Value,
    /// The file it was imported from.
    pub source: String,
}

/// A stored training item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingItem {
    /// Its id.
    pub id: RecordId,
    /// The item.
    #[serde(flatten)]
    pub item: NewTrainingItem,
    /// Who accepted it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// The timeline field a copied draft writes.
const EVENT_DRAFT_COPIED: &str = crate::TimelineField::DraftCopied.key();

const SCRIPT_COLUMNS: &str = "id, origin, kind, stage, text, text_hant, tags, tone, enabled, \
    version, created_by, created_at, updated_at, updated_by, deleted_at";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn kind_at(row: &Row<'_>, i: usize) -> rusqlite::Result<ScenarioKind> {
    // A kind a newer program added reads as "other" here, as cases do.
    Ok(ScenarioKind::from_key(&row.get::<_, String>(i)?).unwrap_or(ScenarioKind::Other))
}

fn stage_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Stage> {
    Stage::from_key(&row.get::<_, String>(i)?).ok_or_else(|| corrupt("scripts.stage"))
}

fn tags_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Vec<String>> {
    serde_json::from_str(&row.get::<_, String>(i)?).map_err(|_| corrupt("scripts.tags"))
}

fn version_at(row: &Row<'_>, i: usize) -> rusqlite::Result<u32> {
    u32::try_from(row.get::<_, i64>(i)?).map_err(|_| corrupt("scripts.version"))
}

fn stored_from_row(row: &Row<'_>) -> rusqlite::Result<StoredScript> {
    let at = |i: usize, what: &str| instant(row.get(i)?).ok_or_else(|| corrupt(what));
    Ok(StoredScript {
        script: Script {
            id: row.get(0)?,
            kind: kind_at(row, 2)?,
            stage: stage_at(row, 3)?,
            text: row.get(4)?,
            text_hant: row.get(5)?,
            tags: tags_at(row, 6)?,
            tone: row.get(7)?,
            enabled: row.get::<_, i64>(8)? != 0,
            version: version_at(row, 9)?,
        },
        origin: ScriptOrigin::from_key(&row.get::<_, String>(1)?)
            .ok_or_else(|| corrupt("scripts.origin"))?,
        created_by: row.get(10)?,
        created_at: at(11, "scripts.created_at")?,
        updated_at: at(12, "scripts.updated_at")?,
        updated_by: row.get(13)?,
        deleted_at: instant(row.get(14)?),
    })
}

fn json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Every script the shop stored, removed ones too when `with_removed`, oldest first.
    pub fn stored_scripts(&self, with_removed: bool) -> Result<Vec<StoredScript>, StoreError> {
        let filter = if with_removed {
            ""
        } else {
            "WHERE deleted_at IS NULL"
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SCRIPT_COLUMNS} FROM scripts {filter} ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([], stored_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// One stored script by id, removed or not; `None` when the shop never stored it.
    pub fn stored_script(&self, id: &str) -> Result<Option<StoredScript>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {SCRIPT_COLUMNS} FROM scripts WHERE id = ?1"
        ))?;
        Ok(stmt.query_row([id], stored_from_row).optional()?)
    }

    /// Saves a script: a new one, a new version of a stored one, or the shop's first edit
    /// of a built-in one.
    ///
    /// `base_version` is the version the agent started editing from (for a built-in
    /// script, the built-in's version). When someone saved the script since, the save is
    /// refused rather than silently overwriting the colleague's text.
    pub fn save_script(
        &mut self,
        script: Script,
        origin: ScriptOrigin,
        base_version: Option<u32>,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredScript, StoreError> {
        let mut script = script;
        script.id = script.id.trim().to_owned();
        if script.id.is_empty() {
            return Err(StoreError::Invalid("话术编号不能为空".to_owned()));
        }
        if script.text.trim().is_empty() {
            return Err(StoreError::Invalid("话术内容不能为空".to_owned()));
        }
        if script.text_hant.trim().is_empty() {
            script.text_hant = afterdesk_script::to_traditional(&script.text);
        }
        // The library's own checks (known placeholders, the same ones in both variants)
        // run before anything is written.
        Library::new(vec![script.clone()]).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let existing = self.stored_script(&script.id)?;
        let version = match &existing {
            Some(old) => {
                if old.deleted_at.is_some() {
                    return Err(StoreError::Invalid(format!(
                        "话术“{}”已删除，请先恢复再修改",
                        script.id
                    )));
                }
                if let Some(base) = base_version
                    && base != old.script.version
                {
                    return Err(StoreError::ScriptChanged {
                        id: script.id,
                        expected: base,
                        found: old.script.version,
                        by: old.updated_by.clone(),
                    });
                }
                old.script.version.saturating_add(1)
            }
            None => base_version.unwrap_or(0).saturating_add(1),
        };
        script.version = version;
        let origin = existing.as_ref().map(|o| o.origin).unwrap_or(origin);
        let tags = json(&script.tags)?;
        let at = now.timestamp_millis();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let before = snapshot(&tx, SharedTable::Scripts, &script.id)?;
        if existing.is_some() {
            tx.execute(
                "UPDATE scripts SET kind = ?2, stage = ?3, text = ?4, text_hant = ?5, tags = ?6, \
                 tone = ?7, enabled = ?8, version = ?9, updated_at = ?10, updated_by = ?11 \
                 WHERE id = ?1",
                params![
                    script.id,
                    script.kind.key(),
                    script.stage.key(),
                    script.text,
                    script.text_hant,
                    tags,
                    script.tone,
                    script.enabled,
                    version,
                    at,
                    agent,
                ],
            )?;
        } else {
            tx.execute(
                &format!(
                    "INSERT INTO scripts ({SCRIPT_COLUMNS}, device) VALUES \
                     (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, NULL, ?14)"
                ),
                params![
                    script.id,
                    origin.key(),
                    script.kind.key(),
                    script.stage.key(),
                    script.text,
                    script.text_hant,
                    tags,
                    script.tone,
                    script.enabled,
                    version,
                    agent,
                    at,
                    agent,
                    self.device.0,
                ],
            )?;
        }
        tx.execute(
            "INSERT INTO script_versions (script_id, version, kind, stage, text, text_hant, tags, \
             tone, enabled, changed_by, changed_at, device) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                script.id,
                version,
                script.kind.key(),
                script.stage.key(),
                script.text,
                script.text_hant,
                tags,
                script.tone,
                script.enabled,
                agent,
                at,
                self.device.0,
            ],
        )?;
        capture.changed(&tx, SharedTable::Scripts, &script.id, before.as_ref(), now)?;
        capture.created(
            &tx,
            SharedTable::ScriptVersions,
            &format!("{}@{version}", script.id),
            now,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        self.stored_script(&script.id)?
            .ok_or_else(|| StoreError::ScriptNotFound(script.id.clone()))
    }

    /// Removes (`true`) or restores (`false`) a stored script. The row stays as a
    /// tombstone, so the removal reaches other devices; removing the shop's edit of a
    /// built-in script brings the built-in text back.
    pub fn remove_script(
        &mut self,
        id: &str,
        removed: bool,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredScript, StoreError> {
        let old = self
            .stored_script(id)?
            .ok_or_else(|| StoreError::ScriptNotFound(id.to_owned()))?;
        if old.deleted_at.is_some() != removed {
            let at = now.timestamp_millis();
            let tx = self.conn.transaction()?;
            let mut capture = Capture::begin(&tx, &self.device)?;
            let before = snapshot(&tx, SharedTable::Scripts, id)?;
            tx.execute(
                "UPDATE scripts SET deleted_at = ?2, updated_at = ?3, updated_by = ?4 WHERE id = ?1",
                params![id, removed.then_some(at), at, agent],
            )?;
            capture.changed(&tx, SharedTable::Scripts, id, before.as_ref(), now)?;
            capture.finish(&tx)?;
            tx.commit()?;
        }
        self.stored_script(id)?
            .ok_or_else(|| StoreError::ScriptNotFound(id.to_owned()))
    }

    /// Every saved version of a script, oldest first.
    pub fn script_versions(&self, id: &str) -> Result<Vec<ScriptVersion>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT script_id, version, kind, stage, text, text_hant, tags, tone, enabled, \
             changed_by, changed_at FROM script_versions WHERE script_id = ?1 ORDER BY version",
        )?;
        Ok(stmt
            .query_map([id], |row| {
                Ok(ScriptVersion {
                    script: Script {
                        id: row.get(0)?,
                        version: version_at(row, 1)?,
                        kind: kind_at(row, 2)?,
                        stage: stage_at(row, 3)?,
                        text: row.get(4)?,
                        text_hant: row.get(5)?,
                        tags: tags_at(row, 6)?,
                        tone: row.get(7)?,
                        enabled: row.get::<_, i64>(8)? != 0,
                    },
                    changed_by: row.get(9)?,
                    changed_at: instant(row.get(10)?)
                        .ok_or_else(|| corrupt("script_versions.changed_at"))?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Records a draft copied to the buyer for the case `key`, and writes it on the case's
    /// timeline in the same transaction.
    pub fn record_draft_copy(
        &mut self,
        key: &str,
        draft: NewDraftCopy,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<DraftCopy, StoreError> {
        let case = self.find_case(key)?;
        if draft.text.trim().is_empty() {
            return Err(StoreError::Invalid(
                "回复内容是空的，没有可复制的内容".to_owned(),
            ));
        }
        let copy = DraftCopy {
            id: RecordId::new(now),
            case_id: case.id,
            draft,
            copied_by: agent.to_owned(),
            copied_at: now,
            device: self.device.clone(),
        };
        let actor = Actor {
            agent: agent.to_owned(),
            device: self.device.clone(),
        };
        let summary = if copy.draft.script_ids.is_empty() {
            "手写回复".to_owned()
        } else {
            format!("话术 {}", copy.draft.script_ids.join("、"))
        };
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        tx.execute(
            "INSERT INTO draft_copies (id, case_id, kind, script_ids, text, confirmed_unfilled, \
             lint, copied_by, copied_at, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![
                copy.id.to_string(),
                copy.case_id.to_string(),
                copy.draft.kind.key(),
                json(&copy.draft.script_ids)?,
                copy.draft.text,
                json(&copy.draft.confirmed_unfilled)?,
                json(&copy.draft.lint)?,
                copy.copied_by,
                now.timestamp_millis(),
                copy.device.0,
            ],
        )?;
        capture.created(&tx, SharedTable::DraftCopies, &copy.id.to_string(), now)?;
        record_event(
            &tx,
            &mut capture,
            &actor,
            now,
            &copy.case_id,
            EVENT_DRAFT_COPIED,
            None,
            Some(&summary),
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(copy)
    }

    /// The drafts copied for the case `key`, oldest first.
    pub fn draft_copies(&self, key: &str) -> Result<Vec<DraftCopy>, StoreError> {
        let case = self.find_case(key)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, case_id, kind, script_ids, text, confirmed_unfilled, lint, copied_by, \
             copied_at, device FROM draft_copies WHERE case_id = ?1 ORDER BY copied_at, id",
        )?;
        let list = |row: &Row<'_>, i: usize, what: &str| -> rusqlite::Result<Vec<String>> {
            serde_json::from_str(&row.get::<_, String>(i)?).map_err(|_| corrupt(what))
        };
        Ok(stmt
            .query_map([case.id.to_string()], |row| {
                Ok(DraftCopy {
                    id: RecordId::parse(&row.get::<_, String>(0)?)
                        .ok_or_else(|| corrupt("draft_copies.id"))?,
                    case_id: RecordId::parse(&row.get::<_, String>(1)?)
                        .ok_or_else(|| corrupt("draft_copies.case_id"))?,
                    draft: NewDraftCopy {
                        kind: kind_at(row, 2)?,
                        script_ids: list(row, 3, "draft_copies.script_ids")?,
                        text: row.get(4)?,
                        confirmed_unfilled: list(row, 5, "draft_copies.confirmed_unfilled")?,
                        lint: list(row, 6, "draft_copies.lint")?,
                    },
                    copied_by: row.get(7)?,
                    copied_at: instant(row.get(8)?)
                        .ok_or_else(|| corrupt("draft_copies.copied_at"))?,
                    device: DeviceId(row.get(9)?),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Stores training items accepted from an import, all or nothing. An item identical to
    /// one already stored (same kind of item and same body) is not stored twice, so
    /// importing the same deck again adds nothing. Returns how many were added.
    pub fn add_training_items(
        &mut self,
        items: Vec<NewTrainingItem>,
        agent: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let mut added = 0;
        for item in items {
            let body = json(&item.body)?;
            let exists: bool = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM training_items WHERE item = ?1 AND body = ?2 \
                     AND deleted_at IS NULL)",
                )?
                .query_row(params![item.item.key(), body], |r| r.get(0))?;
            if exists {
                continue;
            }
            let id = RecordId::new(now).to_string();
            tx.prepare_cached(
                "INSERT INTO training_items (id, item, kind, body, source, created_by, \
                 created_at, device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id,
                item.item.key(),
                item.kind.key(),
                body,
                item.source,
                agent,
                now.timestamp_millis(),
                self.device.0,
            ])?;
            capture.created(&tx, SharedTable::TrainingItems, &id, now)?;
            added += 1;
        }
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(added)
    }

    /// The live training items, oldest first.
    pub fn training_items(&self) -> Result<Vec<TrainingItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, item, kind, body, source, created_by, created_at FROM training_items \
             WHERE deleted_at IS NULL ORDER BY seq",
        )?;
        Ok(stmt
            .query_map([], |row| {
                let item = match row.get::<_, String>(1)?.as_str() {
                    "question" => TrainingItemKind::Question,
                    "exercise" => TrainingItemKind::Exercise,
                    _ => return Err(corrupt("training_items.item")),
                };
                Ok(TrainingItem {
                    id: RecordId::parse(&row.get::<_, String>(0)?)
                        .ok_or_else(|| corrupt("training_items.id"))?,
                    item: NewTrainingItem {
                        item,
                        kind: kind_at(row, 2)?,
                        body: serde_json::from_str(&row.get::<_, String>(3)?)
                            .map_err(|_| corrupt("training_items.body"))?,
                        source: row.get(4)?,
                    },
                    created_by: row.get(5)?,
                    created_at: instant(row.get(6)?)
                        .ok_or_else(|| corrupt("training_items.created_at"))?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// Removes a training item (a tombstone).
    pub fn remove_training_item(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let changed = tx.execute(
            "UPDATE training_items SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            params![id, now.timestamp_millis()],
        )?;
        if changed == 0 {
            return Err(StoreError::Invalid(format!("找不到练习题“{id}”")));
        }
        capture.tombstone(&tx, SharedTable::TrainingItems, id, true, now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use chrono::TimeZone;
    use rstest::rstest;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn script(id: &str, text: &str) -> Script {
        Script {
            id: id.to_owned(),
            kind: ScenarioKind::QualityIssue,
            stage: Stage::FirstReply,
            text: text.to_owned(),
            text_hant: String::new(),
            tags: vec!["测试".to_owned()],
            tone: String::new(),
            enabled: true,
            version: 1,
        }
    }

    fn store() -> Store {
        match Store::open_in_memory(DeviceId("test".to_owned())) {
            Ok(s) => s,
            Err(e) => panic!("in-memory store: {e}"),
        }
    }

    #[test]
    fn every_save_is_a_new_version_and_the_old_text_stays_readable() {
        let mut s = store();
        let first = s.save_script(
            script("shop.a", "亲，给您添麻烦了，订单{order_no}我们马上处理。"),
            ScriptOrigin::Shop,
            None,
            "小王",
            now(),
        );
        assert_eq!(
            first.as_ref().map(|f| f.script.version).ok(),
            Some(1),
            "a new script starts at version 1: {first:?}"
        );
        let second = s.save_script(
            script("shop.a", "亲，抱歉，订单{order_no}今天内给您答复。"),
            ScriptOrigin::Shop,
            Some(1),
            "小李",
            now(),
        );
        assert_eq!(
            second.as_ref().map(|f| f.script.version).ok(),
            Some(2),
            "an edit bumps the version: {second:?}"
        );
        let versions = s.script_versions("shop.a").unwrap_or_default();
        assert_eq!(versions.len(), 2, "both versions are kept");
        assert!(
            versions[0].script.text.contains("马上处理"),
            "version 1's text is still readable"
        );
        assert!(
            !versions[1].script.text_hant.is_empty(),
            "a missing Traditional text is made from the Simplified one"
        );
    }

    #[test]
    fn a_stale_edit_is_refused_not_overwriting_a_colleague() {
        let mut s = store();
        let _ = s.save_script(
            script("shop.b", "亲，抱歉。"),
            ScriptOrigin::Shop,
            None,
            "小王",
            now(),
        );
        let _ = s.save_script(
            script("shop.b", "亲，非常抱歉。"),
            ScriptOrigin::Shop,
            Some(1),
            "小李",
            now(),
        );
        let stale = s.save_script(
            script("shop.b", "亲，真抱歉。"),
            ScriptOrigin::Shop,
            Some(1),
            "小王",
            now(),
        );
        assert!(
            matches!(stale, Err(StoreError::ScriptChanged { found: 2, .. })),
            "saving from version 1 after version 2 landed must be refused: {stale:?}"
        );
    }

    #[test]
    fn editing_a_builtin_script_continues_its_version() {
        let mut s = store();
        let saved = s.save_script(
            script("quality_issue.first.1", "亲，抱歉给您带来不便。"),
            ScriptOrigin::Builtin,
            Some(1),
            "小王",
            now(),
        );
        assert_eq!(
            saved.map(|f| (f.script.version, f.origin)).ok(),
            Some((2, ScriptOrigin::Builtin)),
            "the shop's first edit of built-in version 1 is version 2"
        );
    }

    #[rstest]
    #[case("", "亲，抱歉。", "编号")]
    #[case("shop.c", "  ", "内容")]
    #[case("shop.c", "亲，{nope}", "不认识")]
    fn bad_scripts_are_refused(#[case] id: &str, #[case] text: &str, #[case] want: &str) {
        let mut s = store();
        let err = s
            .save_script(script(id, text), ScriptOrigin::Shop, None, "小王", now())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref().is_some_and(|e| e.contains(want)),
            "a bad script must be refused naming “{want}”, got {err:?}"
        );
        assert!(
            s.stored_scripts(true).unwrap_or_default().is_empty(),
            "a refused script writes nothing"
        );
    }

    #[test]
    fn removing_is_a_tombstone_and_restoring_brings_it_back() {
        let mut s = store();
        let _ = s.save_script(
            script("shop.d", "亲，抱歉。"),
            ScriptOrigin::Shop,
            None,
            "小王",
            now(),
        );
        let removed = s.remove_script("shop.d", true, "小王", now());
        assert!(
            removed.is_ok_and(|r| r.deleted_at.is_some()),
            "removal sets the tombstone"
        );
        assert!(
            s.stored_scripts(false).unwrap_or_default().is_empty(),
            "removed scripts leave the list"
        );
        assert_eq!(
            s.stored_scripts(true).unwrap_or_default().len(),
            1,
            "the row stays for sync"
        );
        let back = s.remove_script("shop.d", false, "小王", now());
        assert!(
            back.is_ok_and(|r| r.deleted_at.is_none()),
            "restoring clears the tombstone"
        );
    }

    #[test]
    fn training_items_are_not_stored_twice() {
        let mut s = store();
        let item = NewTrainingItem {
            item: TrainingItemKind::Question,
            kind: ScenarioKind::QualityIssue,
            body: serde_json::json!({"stem": "买家说有色差怎么办？", "answer": ["B"]}),
            source: "deck.pptx".to_owned(),
        };
        let first = s.add_training_items(vec![item.clone(), item.clone()], "小王", now());
        let again = s.add_training_items(vec![item], "小王", now());
        assert_eq!(
            (first.ok(), again.ok()),
            (Some(1), Some(0)),
            "identical items merge"
        );
        assert_eq!(s.training_items().unwrap_or_default().len(), 1);
    }
}
