//! The rule pack: every clock as data, read from TOML, with a shop's overrides.

use crate::ClockError;
use afterdesk_case::ScenarioKind;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The bundled rule pack's file name, as errors name it.
const BUNDLED_FILE: &str = "rules.toml";

/// The bundled rule pack.
const BUNDLED: &str = include_str!("../data/rules.toml");

/// The longest clock a rule may declare, in hours (a year and a day).
///
/// The longest platform clock is 30 days (平邮 auto-confirm, review changes); anything
/// beyond a year is a typing mistake, and the bound keeps due instants far from chrono's
/// limits.
const MAX_HOURS: u32 = 366 * 24;

/// The most working days a rule may declare.
///
/// A year has about 250 working days; the bound also caps the engine's day-by-day scan.
const MAX_WORKING_DAYS: u32 = 250;

/// How long a clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Length {
    /// Natural hours: ends exactly this many hours after the start.
    Hours(u32),
    /// Natural days: ends exactly this many times 24 hours after the start.
    Days(u32),
    /// Working days: ends at the start's time of day on the n-th working day after the
    /// start date.
    WorkingDays(u32),
}

impl Length {
    /// The length in words, `72 小时`, `5 天`, `4 个工作日`.
    pub fn zh(self) -> String {
        match self {
            Length::Hours(n) => format!("{n} 小时"),
            Length::Days(n) => format!("{n} 天"),
            Length::WorkingDays(n) => format!("{n} 个工作日"),
        }
    }
}

/// Whose rule a clock is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    /// A platform rule: missing it costs money, points or the dispute.
    Platform,
    /// The shop's own target.
    Shop,
}

macro_rules! keyed {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The key used in rule files and JSON.
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            /// Looks a variant up by its key.
            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }
    };
}

keyed! {
    /// The event that starts (or meets) a clock.
    Trigger {
        /// The order was paid (`paid_at`).
        Paid = "paid",
        /// The order shipped (`shipped_at`).
        Shipped = "shipped",
        /// The buyer signed for the delivery (`signed_at`).
        Signed = "signed",
        /// The refund was requested (`requested_at`).
        Requested = "requested",
        /// The buyer shipped the return (`return_shipped_at`).
        ReturnShipped = "return_shipped",
        /// The shop received the return (`return_received_at`).
        ReturnReceived = "return_received",
        /// The platform stepped in (`intervened_at`).
        Intervened = "intervened",
        /// The refund was completed (`completed_at`).
        Completed = "completed",
        /// The complaint reached the shop: the request time, or when the case was first
        /// stored for a complaint entered by hand.
        Complaint = "complaint",
        /// The seller agreed to a return (not in exports yet).
        ReturnAgreed = "return_agreed",
        /// The trade succeeded (not in refund exports).
        TradeSuccess = "trade_success",
        /// The trade closed (not in refund exports).
        TradeClosed = "trade_closed",
        /// The seller handled a complaint (not in exports).
        ComplaintHandled = "complaint_handled",
        /// The buyer posted a review (not in exports).
        ReviewPosted = "review_posted",
        /// The parcel's last tracking update (not in exports).
        TrackingUpdate = "tracking_update",
        /// The courier's notice of an undeliverable parcel (not in exports).
        CourierNotice = "courier_notice",
    }
}

impl Trigger {
    /// Whether AfterDesk records this event's instant on a case. A clock started by an
    /// unrecorded event stays in the pack (the shop sees it exists) but cannot be timed.
    pub fn is_recorded(self) -> bool {
        !matches!(
            self,
            Trigger::ReturnAgreed
                | Trigger::TradeSuccess
                | Trigger::TradeClosed
                | Trigger::ComplaintHandled
                | Trigger::ReviewPosted
                | Trigger::TrackingUpdate
                | Trigger::CourierNotice
        )
    }
}

keyed! {
    /// Where a case stands, as far as clocks care. A case can be in several stages at
    /// once (an unshipped order awaiting the seller's answer, under intervention).
    Stage {
        /// Any open case.
        Open = "open",
        /// The order has not shipped.
        Unshipped = "unshipped",
        /// The refund awaits the seller's agreement.
        AwaitingSeller = "awaiting_seller",
        /// The seller agreed; the buyer must send the goods back.
        AwaitingReturn = "awaiting_return",
        /// The buyer sent the goods back; the seller must confirm receipt.
        AwaitingReceipt = "awaiting_receipt",
        /// The seller refused the refund.
        SellerRefused = "seller_refused",
        /// The platform's customer service is handling the case.
        Intervention = "intervention",
    }
}

impl Stage {
    /// This stage's bit in a stage set.
    pub(crate) fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// One clock of the pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The stable id, e.g. `refund_response`.
    pub id: String,
    /// The Chinese name.
    pub name: String,
    /// A platform rule or the shop's own target.
    pub owner: Owner,
    /// The case kinds it applies to; empty means every kind.
    pub kinds: Vec<ScenarioKind>,
    /// The stages it applies to.
    pub stages: Vec<Stage>,
    /// The event that starts it.
    pub starts: Trigger,
    /// The event that meets it, if one is recorded.
    pub met_by: Option<Trigger>,
    /// How long it runs, after any override.
    pub length: Length,
    /// The pack's length before the shop's override (equal to `length` if none).
    pub default_length: Length,
    /// How many hours before the due instant the clock counts as due soon, if the rule
    /// sets it.
    pub due_soon_hours: Option<u32>,
    /// Who must act.
    pub actor: String,
    /// What must be done.
    pub action: String,
    /// What happens if it is missed.
    pub consequence: String,
    /// Where the rule comes from.
    pub source: String,
    /// A remark for the shop.
    pub note: Option<String>,
    /// Whether the engine computes it.
    pub enabled: bool,
    /// Which fields the shop's override file changed (`length`, `enabled`,
    /// `due_soon_hours`), or `["added"]` for a clock the shop added.
    pub overridden: Vec<&'static str>,
    #[serde(skip)]
    pub(crate) kind_mask: u64,
    #[serde(skip)]
    pub(crate) stage_mask: u8,
}

impl Rule {
    /// Whether the rule applies to a case kind.
    pub fn applies_to(&self, kind: ScenarioKind) -> bool {
        self.kind_mask & kind_bit(kind) != 0
    }

    /// Whether the shop changed or added this rule.
    pub fn is_overridden(&self) -> bool {
        !self.overridden.is_empty()
    }
}

/// A kind's bit in a kind mask. Kinds past the 64th (none exist yet) share the last bit,
/// which errs on applying a rule rather than dropping it.
fn kind_bit(kind: ScenarioKind) -> u64 {
    1u64 << (kind as u32).min(63)
}

/// Every clock the engine knows: the bundled pack, possibly with a shop's overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RulePack {
    /// The pack's version, e.g. `2026.1`.
    pub version: String,
    /// The pack's name.
    pub name: String,
    /// The default "due soon" window in hours.
    pub due_soon_hours: u32,
    /// The rules in file order (the shop's added clocks last).
    pub rules: Vec<Rule>,
    /// The override file applied, if any.
    pub overrides: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack {
    version: String,
    name: String,
    due_soon_hours: Option<u32>,
    #[serde(default)]
    clock: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    name: String,
    owner: Option<Owner>,
    kinds: Vec<Spanned<String>>,
    stages: Vec<Spanned<String>>,
    starts: Spanned<String>,
    met_by: Option<Spanned<String>>,
    hours: Option<Spanned<u32>>,
    days: Option<Spanned<u32>>,
    working_days: Option<Spanned<u32>>,
    due_soon_hours: Option<u32>,
    actor: String,
    action: String,
    consequence: String,
    source: String,
    note: Option<String>,
    enabled: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverrides {
    #[serde(rename = "override", default)]
    overrides: std::collections::BTreeMap<String, Spanned<RawOverride>>,
    #[serde(default)]
    clock: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    hours: Option<Spanned<u32>>,
    days: Option<Spanned<u32>>,
    working_days: Option<Spanned<u32>>,
    due_soon_hours: Option<u32>,
    enabled: Option<bool>,
}

/// Reading context: the file's name and text, for errors that point into it.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn err(&self, span: Range<usize>, field: Option<&str>, message: String) -> ClockError {
        ClockError::at(self.file, self.text, Some(span), field, message, None)
    }

    fn length(
        &self,
        hours: &Option<Spanned<u32>>,
        days: &Option<Spanned<u32>>,
        working_days: &Option<Spanned<u32>>,
    ) -> Result<Option<Length>, ClockError> {
        let given: Vec<(Length, Range<usize>, &str)> = [
            hours
                .as_ref()
                .map(|v| (Length::Hours(*v.get_ref()), v.span(), "hours")),
            days.as_ref()
                .map(|v| (Length::Days(*v.get_ref()), v.span(), "days")),
            working_days
                .as_ref()
                .map(|v| (Length::WorkingDays(*v.get_ref()), v.span(), "working_days")),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [] => Ok(None),
            [(length, span, field)] => {
                let (n, hours) = match *length {
                    Length::Hours(n) => (n, u64::from(n)),
                    Length::Days(n) => (n, u64::from(n) * 24),
                    Length::WorkingDays(n) => (n, 0),
                };
                if n == 0 {
                    return Err(self.err(span.clone(), Some(field), "时长必须大于 0".into()));
                }
                if hours > u64::from(MAX_HOURS) {
                    return Err(self.err(
                        span.clone(),
                        Some(field),
                        format!("时长 {} 超过一年（{MAX_HOURS} 小时）", length.zh()),
                    ));
                }
                if matches!(length, Length::WorkingDays(n) if *n > MAX_WORKING_DAYS) {
                    return Err(self.err(
                        span.clone(),
                        Some(field),
                        format!("工作日数不能超过 {MAX_WORKING_DAYS}"),
                    ));
                }
                Ok(Some(*length))
            }
            [_, (_, second, field), ..] => Err(self.err(
                second.clone(),
                Some(field),
                "hours、days、working_days 只能写一个".into(),
            )),
        }
    }

    fn rule(&self, index: usize, raw: &Spanned<RawRule>) -> Result<Rule, ClockError> {
        let table = format!("clock[{index}]");
        let field = |name: &str| format!("{table}.{name}");
        let r = raw.get_ref();
        let id = r.id.get_ref().trim().to_owned();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(self.err(
                r.id.span(),
                Some(&field("id")),
                format!("规则编号“{id}”只能用小写字母、数字和下划线"),
            ));
        }
        let mut kinds = Vec::new();
        let mut kind_mask = 0u64;
        for k in &r.kinds {
            if k.get_ref() == "*" {
                kind_mask = u64::MAX;
                continue;
            }
            let kind = ScenarioKind::from_key(k.get_ref()).ok_or_else(|| {
                let keys: Vec<&str> = ScenarioKind::ALL.iter().map(|k| k.key()).collect();
                self.err(
                    k.span(),
                    Some(&field("kinds")),
                    format!(
                        "未知售后类型“{}”，可选：*、{}",
                        k.get_ref(),
                        keys.join("、")
                    ),
                )
            })?;
            kinds.push(kind);
            kind_mask |= kind_bit(kind);
        }
        if kind_mask == u64::MAX {
            kinds.clear();
        }
        if r.kinds.is_empty() {
            return Err(self.err(
                raw.span(),
                Some(&field("kinds")),
                "至少要列一个售后类型（全部类型写 [\"*\"]）".into(),
            ));
        }
        let mut stages = Vec::new();
        let mut stage_mask = 0u8;
        for s in &r.stages {
            let stage = Stage::from_key(s.get_ref()).ok_or_else(|| {
                let keys: Vec<&str> = Stage::ALL.iter().map(|s| s.key()).collect();
                self.err(
                    s.span(),
                    Some(&field("stages")),
                    format!("未知阶段“{}”，可选：{}", s.get_ref(), keys.join("、")),
                )
            })?;
            stages.push(stage);
            stage_mask |= stage.bit();
        }
        if stages.is_empty() {
            return Err(self.err(
                raw.span(),
                Some(&field("stages")),
                "至少要列一个阶段（任何未结束的售后单写 [\"open\"]）".into(),
            ));
        }
        let trigger = |value: &Spanned<String>, name: &str| {
            Trigger::from_key(value.get_ref()).ok_or_else(|| {
                let keys: Vec<&str> = Trigger::ALL.iter().map(|t| t.key()).collect();
                self.err(
                    value.span(),
                    Some(&field(name)),
                    format!("未知事件“{}”，可选：{}", value.get_ref(), keys.join("、")),
                )
            })
        };
        let starts = trigger(&r.starts, "starts")?;
        let met_by = r
            .met_by
            .as_ref()
            .map(|m| trigger(m, "met_by"))
            .transpose()?;
        let length = self
            .length(&r.hours, &r.days, &r.working_days)?
            .ok_or_else(|| {
                self.err(
                    raw.span(),
                    Some(&field("hours")),
                    "缺少时长：写 hours、days 或 working_days 之一".into(),
                )
            })?;
        Ok(Rule {
            id,
            name: r.name.clone(),
            owner: r.owner.unwrap_or(Owner::Platform),
            kinds,
            stages,
            starts,
            met_by,
            length,
            default_length: length,
            due_soon_hours: r.due_soon_hours,
            actor: r.actor.clone(),
            action: r.action.clone(),
            consequence: r.consequence.clone(),
            source: r.source.clone(),
            note: r.note.clone(),
            enabled: r.enabled.unwrap_or(true),
            overridden: Vec::new(),
            kind_mask,
            stage_mask,
        })
    }

    fn rules(&self, raw: &[Spanned<RawRule>], into: &mut Vec<Rule>) -> Result<(), ClockError> {
        for (i, raw_rule) in raw.iter().enumerate() {
            let rule = self.rule(i + 1, raw_rule)?;
            if into.iter().any(|r| r.id == rule.id) {
                return Err(self.err(
                    raw_rule.get_ref().id.span(),
                    Some(&format!("clock[{}].id", i + 1)),
                    format!("规则编号“{}”重复", rule.id),
                ));
            }
            into.push(rule);
        }
        Ok(())
    }
}

impl RulePack {
    /// The pack compiled into AfterDesk.
    pub fn bundled() -> Result<RulePack, ClockError> {
        RulePack::parse(BUNDLED, BUNDLED_FILE)
    }

    /// Reads a full rule pack. `file` names it in error messages.
    pub fn parse(text: &str, file: &str) -> Result<RulePack, ClockError> {
        crate::file::check_size(text, file)?;
        let source = Source { file, text };
        let raw: RawPack =
            toml::from_str(text).map_err(|e| ClockError::from_toml(file, text, e))?;
        let mut rules = Vec::with_capacity(raw.clock.len());
        source.rules(&raw.clock, &mut rules)?;
        Ok(RulePack {
            version: raw.version,
            name: raw.name,
            due_soon_hours: raw.due_soon_hours.unwrap_or(crate::DEFAULT_DUE_SOON_HOURS),
            rules,
            overrides: None,
        })
    }

    /// This pack with a shop's override file applied, as a new pack.
    ///
    /// The override file changes lengths (`[override.<id>]` with one of `hours`, `days`,
    /// `working_days`), `due_soon_hours` and `enabled`, and adds the shop's own clocks as
    /// `[[clock]]` tables in the pack's format. Because `self` is only borrowed, a broken
    /// file leaves the caller holding the last good pack.
    pub fn with_overrides(&self, text: &str, file: &str) -> Result<RulePack, ClockError> {
        crate::file::check_size(text, file)?;
        let source = Source { file, text };
        let raw: RawOverrides =
            toml::from_str(text).map_err(|e| ClockError::from_toml(file, text, e))?;
        let mut pack = self.clone();
        for (id, o) in &raw.overrides {
            let span = o.span();
            let o = o.get_ref();
            let field = format!("override.{id}");
            let rule = pack.rules.iter_mut().find(|r| &r.id == id).ok_or_else(|| {
                source.err(
                    span.clone(),
                    Some(&field),
                    format!("规则包里没有编号为“{id}”的时钟"),
                )
            })?;
            if let Some(length) = source.length(&o.hours, &o.days, &o.working_days)? {
                rule.length = length;
                mark(&mut rule.overridden, "length");
            }
            if let Some(hours) = o.due_soon_hours {
                rule.due_soon_hours = Some(hours);
                mark(&mut rule.overridden, "due_soon_hours");
            }
            if let Some(enabled) = o.enabled {
                rule.enabled = enabled;
                mark(&mut rule.overridden, "enabled");
            }
        }
        let first_added = pack.rules.len();
        source.rules(&raw.clock, &mut pack.rules)?;
        for rule in &mut pack.rules[first_added..] {
            rule.overridden = vec!["added"];
        }
        pack.overrides = Some(file.to_owned());
        Ok(pack)
    }

    /// This pack with the override file at `path` applied; see [`RulePack::with_overrides`].
    pub fn with_overrides_file(&self, path: &Path) -> Result<RulePack, ClockError> {
        let text = crate::file::read_limited(path)?;
        self.with_overrides(&text, &path.display().to_string())
    }

    /// A rule by id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

fn mark(list: &mut Vec<&'static str>, what: &'static str) {
    if !list.contains(&what) {
        list.push(what);
    }
}
