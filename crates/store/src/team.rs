//! The shop's members, which member works on each computer, and the shop-level settings.
//!
//! Members are records like cases: a UUIDv7 id, `updated_at`/`updated_by` (the device)
//! and a tombstone when removed, so that a later sync merges them. A device is bound to
//! at most one member. Settings are one row per key holding a JSON value; what a value
//! means and which values are allowed is the desk's business (`afterdesk-desk`), the store
//! only keeps them.

use crate::codec::instant;
use crate::outbox::{Capture, SharedTable, snapshot};
use crate::{Store, StoreError};
use afterdesk_case::{DeviceId, RecordId};
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest member name accepted, in characters.
///
/// A name is shown in the history beside every note and change; twenty characters hold
/// any real name or nickname (王小明, 客服-小美) and keep the history's columns readable.
pub const MAX_MEMBER_NAME_CHARS: usize = 20;

/// What a member does in the shop; it decides their compensation limit and whether they
/// may change the members and the shop's settings (店长 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    /// 客服: answers buyers.
    Agent,
    /// 仓库: ships, receives returns, records unboxing videos.
    Warehouse,
    /// 财务: pays out refunds and compensation.
    Finance,
    /// 店长: runs the shop, approves compensation above an agent's limit, manages the team.
    Owner,
}

impl MemberRole {
    /// Every role, in the order the UI lists them.
    pub const ALL: [MemberRole; 4] = [
        MemberRole::Agent,
        MemberRole::Warehouse,
        MemberRole::Finance,
        MemberRole::Owner,
    ];

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            MemberRole::Agent => "agent",
            MemberRole::Warehouse => "warehouse",
            MemberRole::Finance => "finance",
            MemberRole::Owner => "owner",
        }
    }

    /// The Chinese name shown to users.
    pub fn zh_name(self) -> &'static str {
        match self {
            MemberRole::Agent => "客服",
            MemberRole::Warehouse => "仓库",
            MemberRole::Finance => "财务",
            MemberRole::Owner => "店长",
        }
    }

    /// Reads a role from its key (`agent`) or its Chinese name (`客服`).
    pub fn parse(text: &str) -> Option<MemberRole> {
        let text = text.trim();
        MemberRole::ALL
            .into_iter()
            .find(|r| r.key() == text || r.zh_name() == text)
    }
}

/// A member of the shop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Its id, the same on every device.
    pub id: RecordId,
    /// The name shown in notes and the history; unique among the live members.
    pub name: String,
    /// What they do.
    pub role: MemberRole,
    /// When the member was added.
    pub created_at: DateTime<Utc>,
    /// When the member was last changed.
    pub updated_at: DateTime<Utc>,
    /// The device that last changed the member.
    pub updated_by: String,
    /// When the member was removed (a tombstone).
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A change to a member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberChange {
    /// A new name.
    pub name: Option<String>,
    /// A new role.
    pub role: Option<MemberRole>,
}

const MEMBER_COLUMNS: &str = "id, name, role, created_at, updated_at, updated_by, deleted_at";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<Member> {
    let at = |i: usize, what: &str| instant(row.get(i)?).ok_or_else(|| corrupt(what));
    let id: String = row.get(0)?;
    Ok(Member {
        id: RecordId::parse(&id).ok_or_else(|| corrupt("members.id"))?,
        name: row.get(1)?,
        role: MemberRole::parse(&row.get::<_, String>(2)?)
            .ok_or_else(|| corrupt("members.role"))?,
        created_at: at(3, "members.created_at")?,
        updated_at: at(4, "members.updated_at")?,
        updated_by: row.get(5)?,
        deleted_at: instant(row.get(6)?),
    })
}

/// A member name as stored: trimmed, not empty, not too long.
fn clean_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid("成员姓名不能为空".to_owned()));
    }
    if name.chars().count() > MAX_MEMBER_NAME_CHARS {
        return Err(StoreError::Invalid(format!(
            "成员姓名“{name}”太长，最多 {MAX_MEMBER_NAME_CHARS} 个字"
        )));
    }
    Ok(name.to_owned())
}

/// The live member called `name` other than `except`, inside a transaction.
fn name_taken(tx: &Transaction<'_>, name: &str, except: Option<&str>) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM members WHERE name = ?1 AND deleted_at IS NULL \
         AND id IS NOT ?2)",
        params![name, except],
        |r| r.get(0),
    )
}

fn live_owners(tx: &Transaction<'_>) -> rusqlite::Result<i64> {
    tx.query_row(
        "SELECT count(*) FROM members WHERE role = 'owner' AND deleted_at IS NULL",
        [],
        |r| r.get(0),
    )
}

fn live_member(tx: &Transaction<'_>, id: &str) -> Result<Member, StoreError> {
    tx.query_row(
        &format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?1 AND deleted_at IS NULL"),
        [id],
        member_from_row,
    )
    .optional()?
    .ok_or_else(|| StoreError::MemberNotFound(id.to_owned()))
}

impl Store {
    /// The shop's members, removed ones too when `with_removed`, in the order they were
    /// added.
    pub fn members(&self, with_removed: bool) -> Result<Vec<Member>, StoreError> {
        let filter = if with_removed {
            ""
        } else {
            "WHERE deleted_at IS NULL"
        };
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members {filter} ORDER BY seq"
        ))?;
        Ok(stmt
            .query_map([], member_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
    }

    /// One member by id, removed or not.
    pub fn member(&self, id: &str) -> Result<Member, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?1"
        ))?;
        stmt.query_row([id.trim()], member_from_row)
            .optional()?
            .ok_or_else(|| StoreError::MemberNotFound(id.to_owned()))
    }

    /// Adds a member. The name must not be taken by another live member.
    pub fn add_member(
        &mut self,
        name: &str,
        role: MemberRole,
        now: DateTime<Utc>,
    ) -> Result<Member, StoreError> {
        let name = clean_name(name)?;
        let id = RecordId::new(now).to_string();
        let at = now.timestamp_millis();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        if name_taken(&tx, &name, None)? {
            return Err(StoreError::DuplicateMember(name));
        }
        tx.execute(
            &format!(
                "INSERT INTO members ({MEMBER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?4, ?5, NULL)"
            ),
            params![id, name, role.key(), at, self.device.0],
        )?;
        capture.created(&tx, SharedTable::Members, &id, now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        self.member(&id)
    }

    /// Renames a member or changes their role. The shop's last 店长 keeps the role: a shop
    /// without one could no longer change its members or settings.
    pub fn change_member(
        &mut self,
        id: &str,
        change: &MemberChange,
        now: DateTime<Utc>,
    ) -> Result<Member, StoreError> {
        let id = id.trim();
        let name = change.name.as_deref().map(clean_name).transpose()?;
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let old = live_member(&tx, id)?;
        let name = name.unwrap_or_else(|| old.name.clone());
        let role = change.role.unwrap_or(old.role);
        if name == old.name && role == old.role {
            return Ok(old);
        }
        if name != old.name && name_taken(&tx, &name, Some(id))? {
            return Err(StoreError::DuplicateMember(name));
        }
        if old.role == MemberRole::Owner && role != MemberRole::Owner && live_owners(&tx)? <= 1 {
            return Err(StoreError::LastOwner(old.name));
        }
        let before = snapshot(&tx, SharedTable::Members, id)?;
        tx.execute(
            "UPDATE members SET name = ?2, role = ?3, updated_at = ?4, updated_by = ?5 \
             WHERE id = ?1",
            params![id, name, role.key(), now.timestamp_millis(), self.device.0],
        )?;
        capture.changed(&tx, SharedTable::Members, id, before.as_ref(), now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        self.member(id)
    }

    /// Removes a member (a tombstone; the name is free again). The shop's last 店长 cannot
    /// be removed. A computer bound to the member is then bound to no one.
    pub fn remove_member(&mut self, id: &str, now: DateTime<Utc>) -> Result<Member, StoreError> {
        let id = id.trim();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let old = live_member(&tx, id)?;
        if old.role == MemberRole::Owner && live_owners(&tx)? <= 1 {
            return Err(StoreError::LastOwner(old.name));
        }
        let at = now.timestamp_millis();
        tx.execute(
            "UPDATE members SET deleted_at = ?2, updated_at = ?2, updated_by = ?3 WHERE id = ?1",
            params![id, at, self.device.0],
        )?;
        capture.tombstone(&tx, SharedTable::Members, id, true, now)?;
        capture.finish(&tx)?;
        tx.commit()?;
        self.member(id)
    }

    /// Binds `device` to a live member, or unbinds it with `None`.
    pub fn bind_device(
        &mut self,
        device: &DeviceId,
        member_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<Member>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let member = member_id
            .map(|id| live_member(&tx, id.trim()))
            .transpose()?;
        let before = snapshot(&tx, SharedTable::DeviceMembers, &device.0)?;
        tx.execute(
            "INSERT INTO device_members (device_id, member_id, updated_at, updated_by) \
             VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (device_id) DO UPDATE SET member_id = excluded.member_id, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            params![
                device.0,
                member.as_ref().map(|m| m.id.to_string()),
                now.timestamp_millis(),
                self.device.0
            ],
        )?;
        capture.changed(
            &tx,
            SharedTable::DeviceMembers,
            &device.0,
            before.as_ref(),
            now,
        )?;
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(member)
    }

    /// The live member `device` is bound to; `None` when it is bound to no one or its
    /// member was removed.
    pub fn device_member(&self, device: &DeviceId) -> Result<Option<Member>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {} FROM device_members d JOIN members m ON m.id = d.member_id \
             WHERE d.device_id = ?1 AND m.deleted_at IS NULL",
            MEMBER_COLUMNS
                .split(", ")
                .map(|c| format!("m.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))?;
        Ok(stmt.query_row([&device.0], member_from_row).optional()?)
    }

    /// Every shop setting the shop has saved, by key, as JSON. A key without a row has
    /// its default, which the desk knows.
    pub fn shop_settings(&self) -> Result<BTreeMap<String, serde_json::Value>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key, value FROM shop_settings ORDER BY key")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut settings = BTreeMap::new();
        for row in rows {
            let (key, value) = row?;
            let value = serde_json::from_str(&value)
                .map_err(|e| StoreError::Corrupt(format!("店铺设置“{key}”：{e}")))?;
            settings.insert(key, value);
        }
        Ok(settings)
    }

    /// Saves shop settings in one transaction and returns how many changed. A value equal
    /// to the stored one is not written again, so that its `updated_at` keeps saying when
    /// it really changed (a later sync orders changes by it).
    pub fn save_shop_settings(
        &mut self,
        values: &BTreeMap<String, serde_json::Value>,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let stored = self.shop_settings()?;
        let at = now.timestamp_millis();
        let tx = self.conn.transaction()?;
        let mut capture = Capture::begin(&tx, &self.device)?;
        let mut changed = 0;
        for (key, value) in values {
            if key.trim().is_empty() {
                return Err(StoreError::Invalid("店铺设置的名称不能为空".to_owned()));
            }
            if stored.get(key) == Some(value) {
                continue;
            }
            let text =
                serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let before = snapshot(&tx, SharedTable::ShopSettings, key)?;
            tx.execute(
                "INSERT INTO shop_settings (key, value, updated_at, updated_by) \
                 VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                 updated_at = excluded.updated_at, updated_by = excluded.updated_by",
                params![key, text, at, self.device.0],
            )?;
            capture.changed(&tx, SharedTable::ShopSettings, key, before.as_ref(), now)?;
            changed += 1;
        }
        capture.finish(&tx)?;
        tx.commit()?;
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
            .single()
            .unwrap()
    }

    fn store() -> Store {
        Store::open_in_memory(DeviceId("dev-a".to_owned())).unwrap()
    }

    #[test]
    fn roles_read_from_key_or_chinese_name() {
        for role in MemberRole::ALL {
            assert_eq!(
                MemberRole::parse(role.key()),
                Some(role),
                "a key reads back"
            );
            assert_eq!(
                MemberRole::parse(role.zh_name()),
                Some(role),
                "a Chinese name reads back"
            );
        }
        assert_eq!(
            MemberRole::parse("老板"),
            None,
            "an unknown role is refused"
        );
    }

    #[test]
    fn member_names_are_checked() {
        let cases: &[(&str, Option<&str>)] = &[
            ("  王小明 ", None),
            ("", Some("invalid")),
            ("   ", Some("invalid")),
            ("一二三四五六七八九十一二三四五六七八九十", None),
            (
                "一二三四五六七八九十一二三四五六七八九十一",
                Some("invalid"),
            ),
        ];
        for (name, code) in cases {
            let mut store = store();
            let got = store.add_member(name, MemberRole::Agent, now());
            match code {
                None => assert_eq!(
                    got.unwrap().name,
                    name.trim(),
                    "a valid name is stored trimmed"
                ),
                Some(code) => assert_eq!(
                    got.unwrap_err().code(),
                    *code,
                    "the name {name:?} is refused"
                ),
            }
        }
    }

    #[test]
    fn a_name_is_unique_among_live_members_only() {
        let mut store = store();
        let first = store.add_member("小美", MemberRole::Agent, now()).unwrap();
        let again = store.add_member("小美", MemberRole::Warehouse, now());
        assert_eq!(
            again.unwrap_err().code(),
            "duplicate_member",
            "a live member's name cannot be given twice"
        );
        let other = store.add_member("小王", MemberRole::Agent, now()).unwrap();
        let rename = store.change_member(
            &other.id.to_string(),
            &MemberChange {
                name: Some("小美".to_owned()),
                role: None,
            },
            now(),
        );
        assert_eq!(
            rename.unwrap_err().code(),
            "duplicate_member",
            "renaming onto a live member's name is refused"
        );
        store.remove_member(&first.id.to_string(), now()).unwrap();
        let reused = store.add_member("小美", MemberRole::Agent, now()).unwrap();
        assert_ne!(reused.id, first.id, "a removed member's name is free again");
    }

    #[test]
    fn removing_leaves_a_tombstone() {
        let mut store = store();
        let owner = store.add_member("店长", MemberRole::Owner, now()).unwrap();
        let agent = store.add_member("小美", MemberRole::Agent, now()).unwrap();
        let later = now() + chrono::Duration::minutes(5);
        let removed = store.remove_member(&agent.id.to_string(), later).unwrap();
        assert_eq!(
            removed.deleted_at,
            Some(later),
            "the tombstone has its time"
        );
        assert_eq!(removed.updated_by, "dev-a", "the device is recorded");
        let live: Vec<_> = store.members(false).unwrap();
        assert_eq!(live, vec![owner], "a removed member is not listed");
        assert_eq!(
            store.members(true).unwrap().len(),
            2,
            "the tombstone stays for sync"
        );
        assert!(
            store
                .conn
                .execute("DELETE FROM members WHERE id = ?1", [agent.id.to_string()])
                .is_err(),
            "a member row is never deleted"
        );
        let again = store.remove_member(&agent.id.to_string(), later);
        assert_eq!(
            again.unwrap_err().code(),
            "member_not_found",
            "a removed member cannot be removed again"
        );
    }

    #[test]
    fn the_last_owner_stays() {
        enum Step {
            Remove,
            Demote,
        }
        // (other owners beside the first, step on the first, expected error code)
        let cases = [
            (0, Step::Remove, Some("last_owner")),
            (0, Step::Demote, Some("last_owner")),
            (1, Step::Remove, None),
            (1, Step::Demote, None),
        ];
        for (others, step, code) in cases {
            let mut store = store();
            let first = store.add_member("老板", MemberRole::Owner, now()).unwrap();
            store.add_member("小美", MemberRole::Agent, now()).unwrap();
            for i in 0..others {
                store
                    .add_member(&format!("副店长{i}"), MemberRole::Owner, now())
                    .unwrap();
            }
            let id = first.id.to_string();
            let got = match step {
                Step::Remove => store.remove_member(&id, now()),
                Step::Demote => store.change_member(
                    &id,
                    &MemberChange {
                        name: None,
                        role: Some(MemberRole::Agent),
                    },
                    now(),
                ),
            };
            match code {
                Some(code) => assert_eq!(
                    got.unwrap_err().code(),
                    code,
                    "the shop's last owner can be neither removed nor demoted"
                ),
                None => assert!(got.is_ok(), "an owner with a co-owner can step down"),
            }
            let owners = store
                .members(false)
                .unwrap()
                .into_iter()
                .filter(|m| m.role == MemberRole::Owner)
                .count();
            assert!(owners >= 1, "the shop always keeps an owner");
        }
    }

    #[test]
    fn changing_a_member_records_when_and_where() {
        let mut store = store();
        let m = store.add_member("小美", MemberRole::Agent, now()).unwrap();
        let later = now() + chrono::Duration::hours(1);
        let changed = store
            .change_member(
                &m.id.to_string(),
                &MemberChange {
                    name: Some("美美".to_owned()),
                    role: Some(MemberRole::Finance),
                },
                later,
            )
            .unwrap();
        assert_eq!(
            (changed.name.as_str(), changed.role, changed.updated_at),
            ("美美", MemberRole::Finance, later),
            "name, role and time are saved"
        );
        assert_eq!(changed.created_at, now(), "the creation time stays");
        let unknown = store.change_member(
            "0190a0a0-0000-7000-8000-000000000000",
            &MemberChange::default(),
            now(),
        );
        assert_eq!(unknown.unwrap_err().code(), "member_not_found");
    }

    #[test]
    fn a_device_is_bound_to_one_live_member() {
        let mut store = store();
        let a = store.add_member("小美", MemberRole::Agent, now()).unwrap();
        let b = store.add_member("小王", MemberRole::Owner, now()).unwrap();
        let dev = DeviceId("laptop".to_owned());
        assert_eq!(store.device_member(&dev).unwrap(), None, "unbound at first");
        store
            .bind_device(&dev, Some(&a.id.to_string()), now())
            .unwrap();
        assert_eq!(
            store.device_member(&dev).unwrap().map(|m| m.name),
            Some("小美".to_owned())
        );
        store
            .bind_device(&dev, Some(&b.id.to_string()), now())
            .unwrap();
        assert_eq!(
            store.device_member(&dev).unwrap().map(|m| m.name),
            Some("小王".to_owned()),
            "binding again replaces the member"
        );
        store.bind_device(&dev, None, now()).unwrap();
        assert_eq!(store.device_member(&dev).unwrap(), None, "unbinding works");

        store
            .bind_device(&dev, Some(&a.id.to_string()), now())
            .unwrap();
        store.remove_member(&a.id.to_string(), now()).unwrap();
        assert_eq!(
            store.device_member(&dev).unwrap(),
            None,
            "a computer whose member was removed is bound to no one"
        );
        let removed = store.bind_device(&dev, Some(&a.id.to_string()), now());
        assert_eq!(
            removed.unwrap_err().code(),
            "member_not_found",
            "a removed member cannot be bound"
        );
        let rows: i64 = store
            .conn
            .query_row("SELECT count(*) FROM device_members", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1, "one row per device");
    }

    #[test]
    fn settings_are_saved_per_key_and_only_when_changed() {
        let mut store = store();
        assert!(
            store.shop_settings().unwrap().is_empty(),
            "no rows at first"
        );
        let mut values = BTreeMap::new();
        values.insert("shop_name".to_owned(), json!("小店"));
        values.insert("reminder_leads_minutes".to_owned(), json!([120, 30]));
        assert_eq!(store.save_shop_settings(&values, now()).unwrap(), 2);
        assert_eq!(
            store.save_shop_settings(&values, now()).unwrap(),
            0,
            "saving the same values writes nothing"
        );
        values.insert("shop_name".to_owned(), json!("大店"));
        let later = now() + chrono::Duration::minutes(1);
        assert_eq!(
            store.save_shop_settings(&values, later).unwrap(),
            1,
            "only the changed key is written"
        );
        assert_eq!(store.shop_settings().unwrap(), values, "values read back");
        let stamps: Vec<(String, i64)> = store
            .conn
            .prepare("SELECT key, updated_at FROM shop_settings ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            stamps,
            vec![
                (
                    "reminder_leads_minutes".to_owned(),
                    now().timestamp_millis()
                ),
                ("shop_name".to_owned(), later.timestamp_millis()),
            ],
            "an unchanged key keeps the time it really changed"
        );
    }
}
