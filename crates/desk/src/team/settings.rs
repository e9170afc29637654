//! The shop's own settings: its name, each role's compensation limit, the deadline
//! reminders' lead times, the unboxing-video limits and the parcel thresholds.
//!
//! They used to live on each computer (the window's storage, code constants, a
//! `parcel-rules.toml` beside the database) and now live in the shop's database, one row
//! per setting (`afterdesk_store::Store::shop_settings`), so that a limit the 店长 sets
//! binds every agent and two computers changing different settings never touch the same
//! row. A setting the shop never saved has the default documented on its field, equal to
//! the constant it replaces.

use crate::DeskError;
use afterdesk_evidence::{DEFAULT_MAX_DELAY, DEFAULT_MIN_DURATION, UnboxingRules};
use afterdesk_parcel::{
    INVESTIGATION_DAYS, PROBLEM_FIX_DAYS, ParcelRules, RETURN_WAYBILL_DAYS, STALE_AFTER_DAYS,
};
use afterdesk_store::{MemberRole, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Lead times, in minutes, at which a deadline is announced before it runs out.
///
/// Two hours leave time to gather a proof or reach the buyer; thirty minutes is the last
/// call that still lets an agent act. Shops set their own in the settings.
pub const DEFAULT_LEADS_MINUTES: [u32; 2] = [120, 30];

/// An agent's default compensation limit in fen: the training decks' rule, an agent
/// settles up to 30 yuan alone and a 店长 approves anything above.
pub const DEFAULT_AGENT_LIMIT_FEN: i64 = 3000;

/// The largest compensation limit a role can be given, in fen (100,000 yuan).
///
/// Any amount a shop lets a member settle alone is far below this; a larger number is a
/// typing slip (an extra zero or two), and the 店长 is unlimited anyway.
pub const MAX_LIMIT_FEN: i64 = 10_000_000;

/// The most reminder lead times a shop can set.
///
/// Each lead time is one more notification per deadline; beyond ten an agent stops
/// reading them.
pub const MAX_LEADS: usize = 10;

/// The longest reminder lead time, in minutes (seven days): platform deadlines are at
/// most a few days away when a case arrives, so an earlier reminder never rings.
pub const MAX_LEAD_MINUTES: u32 = 7 * 24 * 60;

/// The longest minimum unboxing-video length, in seconds (an hour): no platform asks for
/// a longer unboxing clip, and longer ones would flag every real video.
pub const MAX_UNBOXING_MIN_SECS: u32 = 3600;

/// The longest delay after the return was signed for that a recording may still count as
/// "at first opening", in hours (thirty days, longer than any return window).
pub const MAX_UNBOXING_DELAY_HOURS: u32 = 30 * 24;

/// The largest parcel threshold, in days: the platforms' own dispute windows end within
/// ninety days, so a later prompt comes too late to act on.
pub const MAX_PARCEL_DAYS: u32 = 90;

/// The longest shop name, in characters.
pub const MAX_SHOP_NAME_CHARS: usize = 40;

/// Each role's compensation limit in fen; `None` is unlimited. Above the limit the draft
/// panel says a 店长 must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CompensationLimits {
    /// 客服: [`DEFAULT_AGENT_LIMIT_FEN`] (30 yuan).
    pub agent: Option<i64>,
    /// 仓库: 0 by default. Warehouse staff inspect returns and ship; they do not promise
    /// money to buyers, so any amount they write goes to the 店长.
    pub warehouse: Option<i64>,
    /// 财务: 0 by default. Finance pays out what was agreed; an amount they propose
    /// themselves is approved like anyone's.
    pub finance: Option<i64>,
    /// 店长: unlimited by default; the 店长 is who approves.
    pub owner: Option<i64>,
}

impl Default for CompensationLimits {
    fn default() -> Self {
        CompensationLimits {
            agent: Some(DEFAULT_AGENT_LIMIT_FEN),
            warehouse: Some(0),
            finance: Some(0),
            owner: None,
        }
    }
}

impl CompensationLimits {
    /// The limit of a role in fen; `None` is unlimited.
    pub fn of(&self, role: MemberRole) -> Option<i64> {
        match role {
            MemberRole::Agent => self.agent,
            MemberRole::Warehouse => self.warehouse,
            MemberRole::Finance => self.finance,
            MemberRole::Owner => self.owner,
        }
    }
}

/// The unboxing-video check's limits, in the units the settings show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct UnboxingSettings {
    /// Clips shorter than this many seconds are flagged (default 60, from
    /// `afterdesk_evidence::DEFAULT_MIN_DURATION`).
    pub min_duration_secs: u32,
    /// Recordings later than this many hours after the return was signed for are flagged
    /// (default 48, from `afterdesk_evidence::DEFAULT_MAX_DELAY`).
    pub max_delay_hours: u32,
}

impl Default for UnboxingSettings {
    fn default() -> Self {
        UnboxingSettings {
            min_duration_secs: u32::try_from(DEFAULT_MIN_DURATION.num_seconds()).unwrap_or(60),
            max_delay_hours: u32::try_from(DEFAULT_MAX_DELAY.num_hours()).unwrap_or(48),
        }
    }
}

/// The parcel rules' thresholds, in days (`afterdesk_parcel::ParcelRules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ParcelThresholds {
    /// Days without a tracking update before a parcel is abnormal (default 7).
    pub stale_after_days: u32,
    /// Days the courier gets to investigate before a loss claim (default 3).
    pub investigation_days: u32,
    /// Days to fix an undeliverable parcel before it goes back (default 3).
    pub problem_fix_days: u32,
    /// Days after agreeing to a return before chasing a missing return waybill (default 2).
    pub return_waybill_days: u32,
}

impl Default for ParcelThresholds {
    fn default() -> Self {
        ParcelThresholds {
            stale_after_days: STALE_AFTER_DAYS,
            investigation_days: INVESTIGATION_DAYS,
            problem_fix_days: PROBLEM_FIX_DAYS,
            return_waybill_days: RETURN_WAYBILL_DAYS,
        }
    }
}

impl From<ParcelRules> for ParcelThresholds {
    fn from(r: ParcelRules) -> Self {
        ParcelThresholds {
            stale_after_days: r.stale_after_days,
            investigation_days: r.investigation_days,
            problem_fix_days: r.problem_fix_days,
            return_waybill_days: r.return_waybill_days,
        }
    }
}

/// The shop's settings. Every field has a default equal to the constant it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ShopSettings {
    /// The shop's name, shown in the title and the evidence packages (empty by default).
    pub shop_name: String,
    /// Each role's compensation limit.
    pub compensation_limits: CompensationLimits,
    /// Minutes before a deadline at which a reminder rings, largest first
    /// (default [`DEFAULT_LEADS_MINUTES`]).
    pub reminder_leads_minutes: Vec<u32>,
    /// The unboxing-video check's limits.
    pub unboxing: UnboxingSettings,
    /// The parcel rules' thresholds.
    pub parcel: ParcelThresholds,
}

impl Default for ShopSettings {
    fn default() -> Self {
        ShopSettings {
            shop_name: String::new(),
            compensation_limits: CompensationLimits::default(),
            reminder_leads_minutes: DEFAULT_LEADS_MINUTES.to_vec(),
            unboxing: UnboxingSettings::default(),
            parcel: ParcelThresholds::default(),
        }
    }
}

impl ShopSettings {
    /// The unboxing-video check's rules.
    pub fn unboxing_rules(&self) -> UnboxingRules {
        UnboxingRules {
            min_duration: Duration::seconds(i64::from(self.unboxing.min_duration_secs)),
            max_delay: Duration::hours(i64::from(self.unboxing.max_delay_hours)),
        }
    }

    /// The parcel rules.
    pub fn parcel_rules(&self) -> ParcelRules {
        ParcelRules {
            stale_after_days: self.parcel.stale_after_days,
            investigation_days: self.parcel.investigation_days,
            problem_fix_days: self.parcel.problem_fix_days,
            return_waybill_days: self.parcel.return_waybill_days,
        }
    }

    /// Checks every value against its bounds and returns the settings as they are stored:
    /// the name trimmed, the lead times without repeats and largest first. The error names
    /// the field in Chinese.
    pub fn validated(mut self) -> Result<ShopSettings, DeskError> {
        let invalid = |text: String| Err(DeskError::Invalid(text));
        self.shop_name = self.shop_name.trim().to_owned();
        if self.shop_name.chars().count() > MAX_SHOP_NAME_CHARS {
            return invalid(format!("店铺名称最多 {MAX_SHOP_NAME_CHARS} 个字"));
        }
        for role in MemberRole::ALL {
            if let Some(fen) = self.compensation_limits.of(role)
                && !(0..=MAX_LIMIT_FEN).contains(&fen)
            {
                return invalid(format!(
                    "{}的补偿权限必须在 0 到 {} 元之间（不限额请留空）",
                    role.zh_name(),
                    MAX_LIMIT_FEN / 100
                ));
            }
        }
        let leads = &mut self.reminder_leads_minutes;
        leads.sort_unstable_by(|a, b| b.cmp(a));
        leads.dedup();
        if leads.is_empty() || leads.len() > MAX_LEADS {
            return invalid(format!("到期提醒的提前时间要设 1 到 {MAX_LEADS} 个"));
        }
        if leads.iter().any(|m| !(1..=MAX_LEAD_MINUTES).contains(m)) {
            return invalid(format!(
                "到期提醒的提前时间每个必须在 1 到 {MAX_LEAD_MINUTES} 分钟（7 天）之间"
            ));
        }
        if !(1..=MAX_UNBOXING_MIN_SECS).contains(&self.unboxing.min_duration_secs) {
            return invalid(format!(
                "开箱视频最短时长必须在 1 到 {MAX_UNBOXING_MIN_SECS} 秒之间"
            ));
        }
        if !(1..=MAX_UNBOXING_DELAY_HOURS).contains(&self.unboxing.max_delay_hours) {
            return invalid(format!(
                "开箱视频最晚录制时间必须在签收后 1 到 {MAX_UNBOXING_DELAY_HOURS} 小时之间"
            ));
        }
        let p = &self.parcel;
        for (name, days) in [
            ("物流停滞天数", p.stale_after_days),
            ("快递核查天数", p.investigation_days),
            ("疑难件处理天数", p.problem_fix_days),
            ("催退货单号天数", p.return_waybill_days),
        ] {
            if !(1..=MAX_PARCEL_DAYS).contains(&days) {
                return invalid(format!("{name}必须在 1 到 {MAX_PARCEL_DAYS} 天之间"));
            }
        }
        Ok(self)
    }

    /// The settings as the store keeps them: one key per field, nested fields joined with
    /// a dot (`compensation_limits.agent`), so that changing one setting changes one row.
    pub(crate) fn to_keys(&self) -> Result<BTreeMap<String, Value>, DeskError> {
        let value = serde_json::to_value(self).map_err(corrupt)?;
        let mut keys = BTreeMap::new();
        if let Value::Object(fields) = value {
            for (name, value) in fields {
                match value {
                    Value::Object(inner) => {
                        for (sub, value) in inner {
                            keys.insert(format!("{name}.{sub}"), value);
                        }
                    }
                    value => {
                        keys.insert(name, value);
                    }
                }
            }
        }
        Ok(keys)
    }

    /// The settings from the store's keys, each missing key at its default. Keys a newer
    /// AfterDesk added are ignored.
    pub(crate) fn from_keys(stored: &BTreeMap<String, Value>) -> Result<ShopSettings, DeskError> {
        let mut value = serde_json::to_value(ShopSettings::default()).map_err(corrupt)?;
        if let Value::Object(fields) = &mut value {
            for (key, stored) in stored {
                let (name, sub) = match key.split_once('.') {
                    Some((name, sub)) => (name, Some(sub)),
                    None => (key.as_str(), None),
                };
                match (fields.get_mut(name), sub) {
                    (Some(Value::Object(inner)), Some(sub)) if inner.contains_key(sub) => {
                        inner.insert(sub.to_owned(), stored.clone());
                    }
                    (Some(slot), None) if !slot.is_object() => *slot = stored.clone(),
                    _ => {}
                }
            }
        }
        serde_json::from_value(value).map_err(corrupt)
    }
}

fn corrupt(e: serde_json::Error) -> DeskError {
    DeskError::Store(StoreError::Corrupt(format!("店铺设置：{e}")))
}

/// Whether the shop has saved any of the parcel thresholds in its database.
fn has_parcel_keys(stored: &BTreeMap<String, Value>) -> bool {
    stored.keys().any(|k| k.starts_with("parcel."))
}

/// The parcel thresholds of the computer's `parcel-rules.toml` beside the shop file, if
/// there is one (the in-memory demo shop has none).
fn parcel_rules_file(store: &Store) -> Result<Option<ParcelRules>, DeskError> {
    let Some(db) = store.path() else {
        return Ok(None);
    };
    let path = crate::parcel_rules_path(db);
    if !path.exists() {
        return Ok(None);
    }
    Ok(Some(ParcelRules::load(&path)?))
}

/// The shop's settings. Until the shop saved parcel thresholds, those of a
/// `parcel-rules.toml` beside the database count, as they did before the settings moved
/// into the shop. A file that does not read is left out here (the defaults apply); its
/// error is reported when it is adopted ([`adopt_parcel_rules_file`]), so that a broken
/// file does not stop the evidence and the reminders, which never read it.
pub fn shop_settings(store: &Store) -> Result<ShopSettings, DeskError> {
    let stored = store.shop_settings()?;
    let mut settings = ShopSettings::from_keys(&stored)?;
    if !has_parcel_keys(&stored)
        && let Ok(Some(rules)) = parcel_rules_file(store)
    {
        settings.parcel = rules.into();
    }
    Ok(settings)
}

/// Saves the shop's settings after checking them, in one transaction; only the values
/// that changed are written.
pub(crate) fn write_shop_settings(
    store: &mut Store,
    settings: ShopSettings,
    now: DateTime<Utc>,
) -> Result<ShopSettings, DeskError> {
    let settings = settings.validated()?;
    store.save_shop_settings(&settings.to_keys()?, now)?;
    shop_settings(store)
}

/// Moves a computer's `parcel-rules.toml` into the shop: when the database has no parcel
/// thresholds yet and the file exists beside it, its values are saved to the shop. The
/// file is left where it is (an older AfterDesk on another computer may still read it).
/// Returns whether anything was adopted.
pub fn adopt_parcel_rules_file(store: &mut Store, now: DateTime<Utc>) -> Result<bool, DeskError> {
    if has_parcel_keys(&store.shop_settings()?) {
        return Ok(false);
    }
    let Some(rules) = parcel_rules_file(store)? else {
        return Ok(false);
    };
    let settings = ShopSettings {
        parcel: rules.into(),
        ..ShopSettings::default()
    };
    // Out-of-bounds values in an old file are refused rather than adopted; the defaults
    // then apply, as the error says.
    let settings = settings.validated()?;
    let keys: BTreeMap<String, Value> = settings
        .to_keys()?
        .into_iter()
        .filter(|(k, _)| k.starts_with("parcel."))
        .collect();
    store.save_shop_settings(&keys, now)?;
    Ok(true)
}

/// The compensation limit that applies on a computer bound to a member of `role`, or to
/// no one (`None`: an agent's, the strictest that lets someone answer buyers).
pub fn limit_for(settings: &ShopSettings, role: Option<MemberRole>) -> Option<i64> {
    settings
        .compensation_limits
        .of(role.unwrap_or(MemberRole::Agent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn defaults_equal_the_constants_they_replace() {
        let s = ShopSettings::default();
        assert_eq!(s.reminder_leads_minutes, DEFAULT_LEADS_MINUTES.to_vec());
        assert_eq!(s.unboxing_rules(), UnboxingRules::default(), "unboxing");
        assert_eq!(s.parcel_rules(), ParcelRules::default(), "parcel rules");
        assert_eq!(s.compensation_limits.agent, Some(3000), "an agent: 30 yuan");
        assert_eq!(s.compensation_limits.owner, None, "the owner: unlimited");
        assert!(s.clone().validated().is_ok(), "the defaults are valid");
    }

    #[test]
    fn values_are_checked_against_their_bounds() {
        type Change = fn(&mut ShopSettings);
        // (what, change, the field the error must name or None when accepted)
        let cases: &[(&str, Change, Option<&str>)] = &[
            ("agent 0", |s| s.compensation_limits.agent = Some(0), None),
            (
                "agent max",
                |s| s.compensation_limits.agent = Some(MAX_LIMIT_FEN),
                None,
            ),
            (
                "agent above max",
                |s| s.compensation_limits.agent = Some(MAX_LIMIT_FEN + 1),
                Some("客服的补偿权限"),
            ),
            (
                "finance negative",
                |s| s.compensation_limits.finance = Some(-1),
                Some("财务的补偿权限"),
            ),
            (
                "owner unlimited",
                |s| s.compensation_limits.owner = None,
                None,
            ),
            (
                "no leads",
                |s| s.reminder_leads_minutes = vec![],
                Some("提前时间"),
            ),
            (
                "ten leads",
                |s| s.reminder_leads_minutes = (1..=10).collect(),
                None,
            ),
            (
                "eleven leads",
                |s| s.reminder_leads_minutes = (1..=11).collect(),
                Some("提前时间"),
            ),
            (
                "lead 0",
                |s| s.reminder_leads_minutes = vec![0],
                Some("提前时间"),
            ),
            (
                "lead a week",
                |s| s.reminder_leads_minutes = vec![10080],
                None,
            ),
            (
                "lead over a week",
                |s| s.reminder_leads_minutes = vec![10081],
                Some("提前时间"),
            ),
            (
                "video 0 s",
                |s| s.unboxing.min_duration_secs = 0,
                Some("开箱视频最短时长"),
            ),
            ("video 1 h", |s| s.unboxing.min_duration_secs = 3600, None),
            (
                "delay 0",
                |s| s.unboxing.max_delay_hours = 0,
                Some("开箱视频最晚录制时间"),
            ),
            (
                "delay 31 days",
                |s| s.unboxing.max_delay_hours = 721,
                Some("开箱视频最晚录制时间"),
            ),
            (
                "stale 0",
                |s| s.parcel.stale_after_days = 0,
                Some("物流停滞天数"),
            ),
            ("stale 90", |s| s.parcel.stale_after_days = 90, None),
            (
                "waybill 91",
                |s| s.parcel.return_waybill_days = 91,
                Some("催退货单号天数"),
            ),
            (
                "long name",
                |s| s.shop_name = "店".repeat(41),
                Some("店铺名称"),
            ),
        ];
        for (what, change, field) in cases {
            let mut s = ShopSettings::default();
            change(&mut s);
            match (s.validated(), field) {
                (Ok(_), None) => {}
                (Err(e), Some(field)) => assert!(
                    e.to_string().contains(field) && e.code() == "invalid",
                    "{what}: the error names {field}: {e}"
                ),
                (Ok(_), Some(field)) => panic!("{what}: {field} out of bounds was accepted"),
                (Err(e), None) => panic!("{what}: a value within bounds was refused: {e}"),
            }
        }
    }

    #[test]
    fn lead_times_are_stored_largest_first_without_repeats() {
        let s = ShopSettings {
            reminder_leads_minutes: vec![30, 120, 30, 5],
            ..ShopSettings::default()
        };
        assert_eq!(
            s.validated().unwrap().reminder_leads_minutes,
            vec![120, 30, 5]
        );
    }

    #[test]
    fn settings_round_trip_through_one_key_per_field() {
        let s = ShopSettings {
            shop_name: "小店".to_owned(),
            compensation_limits: CompensationLimits {
                agent: Some(5000),
                owner: None,
                ..CompensationLimits::default()
            },
            parcel: ParcelThresholds {
                stale_after_days: 5,
                ..ParcelThresholds::default()
            },
            ..ShopSettings::default()
        };
        let keys = s.to_keys().unwrap();
        assert!(
            keys.contains_key("compensation_limits.agent")
                && keys.contains_key("parcel.stale_after_days"),
            "nested fields are keys of their own: {keys:?}"
        );
        assert_eq!(
            ShopSettings::from_keys(&keys).unwrap(),
            s,
            "the settings read back"
        );
        let mut partial = BTreeMap::new();
        partial.insert("compensation_limits.agent".to_owned(), Value::from(100));
        partial.insert("newer.setting".to_owned(), Value::from(1));
        let read = ShopSettings::from_keys(&partial).unwrap();
        assert_eq!(
            read,
            ShopSettings {
                compensation_limits: CompensationLimits {
                    agent: Some(100),
                    ..CompensationLimits::default()
                },
                ..ShopSettings::default()
            },
            "missing keys take their defaults and unknown keys are ignored"
        );
    }

    #[test]
    fn a_parcel_rules_file_moves_into_the_shop_once() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let file = dir.path().join("parcel-rules.toml");
        std::fs::write(&file, "stale_after_days = 5\ninvestigation_days = 4\n").unwrap();
        let mut store = Store::open(&db, DeviceId("dev".to_owned()), now()).unwrap();
        let before = shop_settings(&store).unwrap();
        assert_eq!(
            before.parcel.stale_after_days, 5,
            "the file counts until it is adopted"
        );
        assert!(
            adopt_parcel_rules_file(&mut store, now()).unwrap(),
            "adopted"
        );
        std::fs::write(&file, "stale_after_days = 9\n").unwrap();
        assert!(
            !adopt_parcel_rules_file(&mut store, now()).unwrap(),
            "a second adoption changes nothing"
        );
        let after = shop_settings(&store).unwrap();
        assert_eq!(
            after.parcel,
            ParcelThresholds {
                stale_after_days: 5,
                investigation_days: 4,
                ..ParcelThresholds::default()
            },
            "the shop keeps the adopted values, not the file's later edit"
        );
        assert!(file.exists(), "the file is not deleted");
        assert_eq!(after.parcel_rules().stale_after_days, 5);
    }

    #[test]
    fn the_shops_parcel_thresholds_win_over_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("shop.sqlite");
        let mut store = Store::open(&db, DeviceId("dev".to_owned()), now()).unwrap();
        let mut s = ShopSettings::default();
        s.parcel.stale_after_days = 10;
        write_shop_settings(&mut store, s, now()).unwrap();
        std::fs::write(
            dir.path().join("parcel-rules.toml"),
            "stale_after_days = 3\n",
        )
        .unwrap();
        assert!(!adopt_parcel_rules_file(&mut store, now()).unwrap());
        assert_eq!(shop_settings(&store).unwrap().parcel.stale_after_days, 10);
    }
}
