//! Rules on parcels (brief §3, §6) that turn a case's parcels into "attention" items: a
//! reason code, a Chinese prompt and, where there is one, a deadline.
//!
//! Every threshold is a documented default that a shop may override in
//! `parcel-rules.toml` beside its database. Days are natural days of 24 hours counted
//! from the instant the rule starts, like the clock engine's `days`; instants are shown
//! in China time.

use crate::ParcelError;
use crate::interception::InterceptionState;
use afterdesk_case::Parcel;
use afterdesk_case::time::china;
use afterdesk_case::{Case, ParcelDirection, ParcelState, RecordId, RefundStatus, ScenarioKind};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Days without a tracking update after which a parcel is abnormal (brief §3: "more than
/// 7 days without an update is abnormal").
pub const STALE_AFTER_DAYS: u32 = 7;

/// Days the courier gets to investigate a stale parcel before a loss claim (brief §3:
/// "give the courier 3 days to investigate, then file a loss claim").
pub const INVESTIGATION_DAYS: u32 = 3;

/// Days the courier holds an undeliverable parcel (疑难件) before returning it (brief §3),
/// within which the shop must give a correct phone or address.
pub const PROBLEM_FIX_DAYS: u32 = 3;

/// Days after the seller agreed to a return before chasing a buyer who has not given a
/// return waybill (brief §3: "chase after 2 days without a tracking number").
pub const RETURN_WAYBILL_DAYS: u32 = 2;

/// The brief's normal transit times, shown beside a stale-tracking prompt so the agent
/// can judge whether "7 days" is already late for this route.
pub const TRANSIT_TIMES_HINT: &str =
    "正常时效：同省 1–2 天，跨省 3–4 天，新疆、内蒙古、甘肃等偏远地区 5–7 天";

/// The shop's thresholds, each defaulting to the constant of the same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParcelRules {
    /// [`STALE_AFTER_DAYS`].
    pub stale_after_days: u32,
    /// [`INVESTIGATION_DAYS`].
    pub investigation_days: u32,
    /// [`PROBLEM_FIX_DAYS`].
    pub problem_fix_days: u32,
    /// [`RETURN_WAYBILL_DAYS`].
    pub return_waybill_days: u32,
}

impl Default for ParcelRules {
    fn default() -> Self {
        ParcelRules {
            stale_after_days: STALE_AFTER_DAYS,
            investigation_days: INVESTIGATION_DAYS,
            problem_fix_days: PROBLEM_FIX_DAYS,
            return_waybill_days: RETURN_WAYBILL_DAYS,
        }
    }
}

/// The shop's override file's name, beside the database.
pub const PARCEL_RULES_FILE: &str = "parcel-rules.toml";

impl ParcelRules {
    /// Reads overrides from TOML text; keys left out keep their defaults.
    pub fn from_toml(text: &str, path: &str) -> Result<ParcelRules, ParcelError> {
        toml::from_str(text).map_err(|source| ParcelError::Rules {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads the shop's override file; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<ParcelRules, ParcelError> {
        match std::fs::read_to_string(path) {
            Ok(text) => ParcelRules::from_toml(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ParcelRules::default()),
            Err(source) => Err(ParcelError::RulesFile {
                path: path.display().to_string(),
                source,
            }),
        }
    }

    fn days(n: u32) -> Duration {
        Duration::days(i64::from(n))
    }
}

/// Why a parcel or case needs attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    /// No tracking update for more than the stale threshold: chase the courier.
    StaleTracking,
    /// Stale beyond the courier's investigation time: file a loss claim.
    LossClaim,
    /// An undeliverable parcel (疑难件): give the courier a correct phone or address.
    ProblemParcel,
    /// A return agreed, but no return waybill after the threshold: remind the buyer.
    ReturnWaybillMissing,
    /// The return was signed for: inspect it and record the unboxing video.
    ReturnSigned,
    /// The courier's route shows how an interception ended: record it and act.
    InterceptionOutcome,
}

impl AttentionReason {
    /// The stable key.
    pub fn key(self) -> &'static str {
        match self {
            AttentionReason::StaleTracking => "stale_tracking",
            AttentionReason::LossClaim => "loss_claim",
            AttentionReason::ProblemParcel => "problem_parcel",
            AttentionReason::ReturnWaybillMissing => "return_waybill_missing",
            AttentionReason::ReturnSigned => "return_signed",
            AttentionReason::InterceptionOutcome => "interception_outcome",
        }
    }

    /// Where items for this reason come in the shop-wide list, 0 first: money and
    /// deadlines before reminders. A problem parcel goes back to the seller once the
    /// courier's short holding time runs out, a loss claim has a filing window, and an
    /// interception's outcome decides a refund; a signed return and a stale route can wait
    /// an hour, a missing return waybill is the buyer's to fix.
    pub fn urgency(self) -> u8 {
        match self {
            AttentionReason::ProblemParcel => 0,
            AttentionReason::LossClaim => 1,
            AttentionReason::InterceptionOutcome => 2,
            AttentionReason::ReturnSigned => 3,
            AttentionReason::StaleTracking => 4,
            AttentionReason::ReturnWaybillMissing => 5,
        }
    }

    /// The Chinese name.
    pub fn zh_name(self) -> &'static str {
        match self {
            AttentionReason::StaleTracking => "物流停滞",
            AttentionReason::LossClaim => "申请丢件理赔",
            AttentionReason::ProblemParcel => "疑难件",
            AttentionReason::ReturnWaybillMissing => "催退货单号",
            AttentionReason::ReturnSigned => "退货已签收待验货",
            AttentionReason::InterceptionOutcome => "拦截结果",
        }
    }
}

/// One thing to do about a case's parcels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attention {
    /// The case.
    pub case_id: RecordId,
    /// The parcel, when the item is about one.
    pub parcel_id: Option<RecordId>,
    /// Why.
    pub reason: AttentionReason,
    /// What to do, in Chinese.
    pub prompt: String,
    /// The deadline the prompt names, if any.
    pub due: Option<DateTime<Utc>>,
    /// Since when the item applies.
    pub since: DateTime<Utc>,
}

impl Attention {
    /// The key the shop-wide attention list is sorted by: the reason's
    /// [`AttentionReason::urgency`], then the oldest item first (it has waited longest).
    pub fn urgency(&self) -> (u8, DateTime<Utc>) {
        (self.reason.urgency(), self.since)
    }
}

/// Sorts attention items from many cases into the order the shop-wide list shows them:
/// the most pressing reason first, then by since when (see [`Attention::urgency`]).
pub fn sort_by_urgency(items: &mut [Attention]) {
    items.sort_by_key(Attention::urgency);
}

/// What the rules look at for one case.
#[derive(Debug, Clone, Copy)]
pub struct CaseParcels<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its live parcels.
    pub parcels: &'a [Parcel],
    /// When the seller agreed to the return, as well as the desk knows it.
    pub return_agreed_at: Option<DateTime<Utc>>,
    /// Where its interception stands.
    pub interception: InterceptionState,
}

/// An instant as a short China-time text, `11月20日 09:00`.
pub fn china_short(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%-m月%-d日 %H:%M")
        .to_string()
}

fn label(parcel: &Parcel) -> String {
    let courier = parcel.courier.map_or("快递", |c| c.zh_name());
    format!(
        "{}包裹（{courier} {}）",
        parcel.direction.zh_name(),
        parcel.waybill
    )
}

/// The attention items of one case's parcels at `now`, in a stable order (by reason,
/// then parcel).
pub fn attention(
    input: &CaseParcels<'_>,
    rules: &ParcelRules,
    now: DateTime<Utc>,
) -> Vec<Attention> {
    let case = input.case;
    let mut items = Vec::new();
    if !case.open || case.deleted_at.is_some() {
        return items;
    }
    let mut add = |parcel: Option<&Parcel>, reason, prompt: String, due, since| {
        items.push(Attention {
            case_id: case.id,
            parcel_id: parcel.map(|p| p.id),
            reason,
            prompt,
            due,
            since,
        });
    };
    for parcel in input.parcels.iter().filter(|p| p.deleted_at.is_none()) {
        let name = label(parcel);
        // Staleness: a delivered parcel has nothing left to update.
        if !parcel.state.is_delivered() {
            let reference = parcel.last_update.unwrap_or(parcel.created_at);
            let stale_at = reference + ParcelRules::days(rules.stale_after_days);
            let claim_at = stale_at + ParcelRules::days(rules.investigation_days);
            let days = (now - reference).num_days();
            if now > claim_at {
                add(
                    Some(parcel),
                    AttentionReason::LossClaim,
                    format!(
                        "{name}已 {days} 天没有物流更新，快递核查期（{} 天）已过：请向快递申请丢件理赔，并登记到丢件台账",
                        rules.investigation_days
                    ),
                    None,
                    claim_at,
                );
            } else if now > stale_at {
                add(
                    Some(parcel),
                    AttentionReason::StaleTracking,
                    format!(
                        "{name}已 {days} 天没有物流更新（超过 {} 天即为异常）：请联系快递核查，给快递 {} 天时间，{} 仍无进展就申请丢件理赔。{TRANSIT_TIMES_HINT}",
                        rules.stale_after_days,
                        rules.investigation_days,
                        china_short(claim_at)
                    ),
                    Some(claim_at),
                    stale_at,
                );
            }
        }
        if parcel.state == ParcelState::Problem {
            let since = parcel
                .state_since
                .or(parcel.last_update)
                .unwrap_or(parcel.created_at);
            let due = since + ParcelRules::days(rules.problem_fix_days);
            let prompt = if now <= due {
                format!(
                    "{name}是疑难件：请在 {} 前向快递提供正确的收件电话或地址，否则包裹会被退回",
                    china_short(due)
                )
            } else {
                format!(
                    "{name}是疑难件，快递 {} 天保留期已过：包裹可能正在退回，请联系快递确认并告知买家",
                    rules.problem_fix_days
                )
            };
            add(
                Some(parcel),
                AttentionReason::ProblemParcel,
                prompt,
                Some(due),
                since,
            );
        }
        if parcel.direction == ParcelDirection::Return
            && parcel.state.is_delivered()
            && case.facts.return_received_at.is_none()
        {
            let since = parcel
                .state_since
                .or(parcel.last_update)
                .unwrap_or(parcel.created_at);
            add(
                Some(parcel),
                AttentionReason::ReturnSigned,
                format!(
                    "{name}已于 {} 签收：请仓库尽快验货；第一次拆包全程录像（一镜到底、六面和运单号清晰，拆开后不能补录），并把拆包视频作为证据添加到这张售后单",
                    china_short(since)
                ),
                None,
                since,
            );
        }
        if parcel.direction == ParcelDirection::Outbound
            && case.kind == ScenarioKind::RefundInTransit
            && input.interception == InterceptionState::Requested
        {
            let since = parcel.state_since.or(parcel.last_update).unwrap_or(now);
            let prompt = match parcel.state {
                ParcelState::Intercepted | ParcelState::ReturnedToSender | ParcelState::Refused => {
                    Some(format!(
                        "{name}显示“{}”：拦截已生效，可以同意退款；请记录拦截成功，并跟踪包裹退回仓库",
                        parcel.state.zh_name()
                    ))
                }
                ParcelState::Signed | ParcelState::SignedByAgent => Some(format!(
                    "{name}已签收，拦截没有成功：请记录拦截失败，并询问买家是否还要这件商品（要则撤销退款，不要则转为退货退款）"
                )),
                _ => None,
            };
            if let Some(prompt) = prompt {
                add(
                    Some(parcel),
                    AttentionReason::InterceptionOutcome,
                    prompt,
                    None,
                    since,
                );
            }
        }
    }
    let has_return_waybill = input
        .parcels
        .iter()
        .any(|p| p.deleted_at.is_none() && p.direction == ParcelDirection::Return)
        || case
            .facts
            .return_logistics
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
    if case.facts.refund_status() == RefundStatus::AwaitingReturn
        && !has_return_waybill
        && let Some(agreed) = input.return_agreed_at
    {
        let chase_at = agreed + ParcelRules::days(rules.return_waybill_days);
        if now > chase_at {
            add(
                None,
                AttentionReason::ReturnWaybillMissing,
                format!(
                    "同意退货已超过 {} 天，买家仍未填写退货单号：请提醒买家尽快寄回并填写单号（退货不要拖过一周）",
                    rules.return_waybill_days
                ),
                None,
                chase_at,
            );
        }
    }
    items.sort_by_key(|a| (a.reason, a.parcel_id));
    items
}
