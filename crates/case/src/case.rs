//! The case (售后单) and the platform facts it carries.

use crate::{
    DeviceId, Fen, GoodsStatus, Intervention, Reason, RecordId, RefundStatus, ScenarioKind,
    keyed_enum,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

keyed_enum! {
    /// The marketplace a case comes from.
    pub enum Platform {
        /// 淘宝.
        Taobao = ("taobao", "淘宝"),
        /// 天猫.
        Tmall = ("tmall", "天猫"),
        /// Any other platform or a case opened by hand.
        Other = ("other", "其他"),
    }
}

keyed_enum! {
    /// The flag colours shops put on orders and cases (旗帜). What each colour means is the
    /// shop's own convention; the app only keeps the colour.
    pub enum Flag {
        /// 红旗.
        Red = ("red", "红旗"),
        /// 黄旗.
        Yellow = ("yellow", "黄旗"),
        /// 绿旗.
        Green = ("green", "绿旗"),
        /// 蓝旗.
        Blue = ("blue", "蓝旗"),
        /// 紫旗.
        Purple = ("purple", "紫旗"),
        /// 灰旗.
        Grey = ("grey", "灰旗"),
    }
}

keyed_enum! {
    /// Who decided a case's scenario kind.
    ///
    /// A kind the shop corrected by hand is never overwritten by a later import.
    pub enum KindSource {
        /// Derived from the export's fields.
        Derived = ("derived", "自动识别"),
        /// Set by an agent.
        Manual = ("manual", "人工设定"),
    }
}

/// What the platform says about a case: every field an export can carry.
///
/// These fields belong to the platform: a re-import overwrites them (and records each
/// change on the timeline), while the shop's own fields on [`Case`] are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CaseFacts {
    /// The platform's refund number (退款编号), the key imports match on.
    pub refund_no: Option<String>,
    /// The order number (订单编号), kept as text: 19 digits do not survive a float.
    pub order_no: Option<String>,
    /// The Alipay trade number (支付宝交易号).
    pub alipay_no: Option<String>,
    /// The buyer's account name (买家会员名).
    pub buyer_nick: Option<String>,
    /// The item title (宝贝标题).
    pub item_title: Option<String>,
    /// The shop's item or SKU code (商品编码).
    pub sku_code: Option<String>,
    /// The buyer's reason as written (买家退款原因).
    pub reason_text: Option<String>,
    /// The buyer's own explanation (买家退款说明).
    pub buyer_note: Option<String>,
    /// The refund status text as the platform wrote it.
    pub refund_status_text: Option<String>,
    /// The goods status text as the platform wrote it.
    pub goods_status_text: Option<String>,
    /// The intervention status text as the platform wrote it.
    pub intervention_text: Option<String>,
    /// Whether the buyer must send the goods back (是否需要退货).
    pub return_needed: Option<bool>,
    /// Whether the whole amount is refunded (全部退款) rather than a part.
    pub full_refund: Option<bool>,
    /// Whether the refund is paid by hand (手工退款) rather than by the system.
    pub manual_refund: Option<bool>,
    /// What the buyer actually paid (买家实际支付金额).
    pub paid: Option<Fen>,
    /// What the buyer asks back (买家退款金额).
    pub refund: Option<Fen>,
    /// The outbound shipment as the export describes it (发货物流信息).
    pub ship_logistics: Option<String>,
    /// The return shipment as the export describes it (退货物流信息).
    pub return_logistics: Option<String>,
    /// When the order was paid (订单付款时间).
    pub paid_at: Option<DateTime<Utc>>,
    /// When the order shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// When the buyer signed for the delivery.
    pub signed_at: Option<DateTime<Utc>>,
    /// When the refund was requested (退款的申请时间).
    pub requested_at: Option<DateTime<Utc>>,
    /// When the buyer shipped the return.
    pub return_shipped_at: Option<DateTime<Utc>>,
    /// When the shop received the return.
    pub return_received_at: Option<DateTime<Utc>>,
    /// When the platform stepped in.
    pub intervened_at: Option<DateTime<Utc>>,
    /// When the refund was completed (退款完结时间).
    pub completed_at: Option<DateTime<Utc>>,
    /// Export columns no synonym matched, kept by header so nothing a shop exported is lost.
    pub extra: Vec<(String, String)>,
}

impl CaseFacts {
    /// The refund status, normalised from the platform's text.
    pub fn refund_status(&self) -> RefundStatus {
        self.refund_status_text
            .as_deref()
            .map_or(RefundStatus::Unknown, RefundStatus::from_text)
    }

    /// How far along the platform's process these facts are, for telling which of two
    /// exports of one refund is the newer (see [`Standing`]).
    pub fn standing(&self) -> Standing {
        let latest = [
            self.paid_at,
            self.shipped_at,
            self.signed_at,
            self.requested_at,
            self.return_shipped_at,
            self.return_received_at,
            self.intervened_at,
            self.completed_at,
        ]
        .into_iter()
        .flatten()
        .max();
        Standing {
            latest,
            progress: self.refund_status().progress(),
        }
    }

    /// The goods status, normalised from the platform's text.
    pub fn goods_status(&self) -> GoodsStatus {
        self.goods_status_text
            .as_deref()
            .map_or(GoodsStatus::Unknown, GoodsStatus::from_text)
    }

    /// The intervention status, normalised from the platform's text.
    pub fn intervention(&self) -> Intervention {
        Intervention::from_text(self.intervention_text.as_deref().unwrap_or(""))
    }

    /// The buyer's reason, normalised.
    pub fn reason(&self) -> Reason {
        self.reason_text
            .as_deref()
            .map_or(Reason::Other, Reason::from_text)
    }

    /// Whether the platform says the order left the warehouse.
    pub fn shipped(&self) -> bool {
        self.shipped_at.is_some()
            || self
                .ship_logistics
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty())
    }

    /// Derives the scenario kind from the platform's fields.
    ///
    /// The flow decides first (was a return asked for, did the goods ship, did the buyer
    /// receive them); within a flow a reason that names a more specific scenario wins,
    /// because that scenario decides the evidence and the reply script. The full table is
    /// in `docs/import.md`.
    pub fn derive_kind(&self) -> ScenarioKind {
        use ScenarioKind as K;
        let reason = self.reason();
        match reason {
            Reason::Counterfeit => return K::CounterfeitClaim,
            Reason::Invoice => return K::Invoice,
            Reason::PriceDifference => return K::PriceDrop,
            Reason::ShippingCost => return K::ShippingCost,
            _ => {}
        }
        let specific = match reason {
            Reason::Quality => Some(K::QualityIssue),
            Reason::NotAsDescribed => Some(K::NotAsDescribed),
            Reason::WrongItem | Reason::MissingItem => Some(K::WrongOrMissingItem),
            Reason::Damaged => Some(K::DamagedInTransit),
            _ => None,
        };
        let goods = self.goods_status();
        let received = matches!(goods, GoodsStatus::Received | GoodsStatus::Returned)
            || self.signed_at.is_some();
        if self.return_needed == Some(true) {
            return match reason {
                Reason::NoReason => K::ReturnNoReason,
                _ => specific.unwrap_or(K::ReturnRefund),
            };
        }
        if received {
            return specific.unwrap_or(K::RefundOnlyReceived);
        }
        if !self.shipped() {
            return match reason {
                Reason::LateShipping => K::DelayedShipping,
                _ => K::RefundUnshipped,
            };
        }
        match reason {
            Reason::NotReceived => K::NotReceived,
            _ => specific.unwrap_or(K::RefundInTransit),
        }
    }
}

/// How far along the platform's process one export row of a refund is.
///
/// Exports carry no "as of" time, so the newer of two rows for one refund is told by the
/// platform's own timestamps first (a later request, return, receipt or completion time
/// means the row was exported later) and, when those are equal, by how far the refund
/// status has progressed (a refund only moves forward: 等待卖家同意 → 等待买家退货 →
/// 等待卖家确认收货 → 退款成功 / 退款关闭). Ordering compares in that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Standing {
    /// The latest of the platform's timestamps in the row, if any.
    pub latest: Option<DateTime<Utc>>,
    /// The refund status's place in the process ([`RefundStatus::progress`]).
    pub progress: u8,
}

/// One after-sales case (售后单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The stable id, the same on every device.
    pub id: RecordId,
    /// The marketplace.
    pub platform: Platform,
    /// The platform's facts.
    pub facts: CaseFacts,
    /// The scenario kind, derived or set by hand.
    pub kind: ScenarioKind,
    /// Who decided the kind.
    pub kind_source: KindSource,
    /// The shop's flag colour.
    pub flag: Option<Flag>,
    /// The agent responsible.
    pub assignee: Option<String>,
    /// The shop's free tags.
    pub tags: Vec<String>,
    /// Whether the desk still has work on it.
    pub open: bool,
    /// How the case came to be, for the head of its timeline: the import file or a hand
    /// entry, and who did it. Imports record this instead of one timeline row per case.
    pub origin: String,
    /// When the case was first stored.
    pub created_at: DateTime<Utc>,
    /// When any field last changed, for sync.
    pub updated_at: DateTime<Utc>,
    /// The device that made the last change, for sync.
    pub updated_by: DeviceId,
    /// When the case was deleted; deleted cases stay as tombstones so the deletion syncs.
    pub deleted_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn facts(return_needed: Option<bool>, goods: &str, shipped: bool, reason: &str) -> CaseFacts {
        CaseFacts {
            return_needed,
            goods_status_text: Some(goods.to_owned()),
            ship_logistics: shipped.then(|| "中通快递 75123456789012".to_owned()),
            reason_text: Some(reason.to_owned()),
            ..CaseFacts::default()
        }
    }

    #[rstest]
    #[case(
        Some(false),
        "买家未收到货",
        false,
        "不想要了",
        ScenarioKind::RefundUnshipped
    )]
    #[case(
        Some(false),
        "买家未收到货",
        false,
        "未按约定时间发货",
        ScenarioKind::DelayedShipping
    )]
    #[case(
        Some(false),
        "买家未收到货",
        true,
        "不想要了",
        ScenarioKind::RefundInTransit
    )]
    #[case(
        Some(false),
        "买家未收到货",
        true,
        "快递一直未送到",
        ScenarioKind::NotReceived
    )]
    #[case(
        Some(true),
        "买家已收到货",
        true,
        "不想要了",
        ScenarioKind::ReturnRefund
    )]
    #[case(
        Some(true),
        "买家已收到货",
        true,
        "七天无理由退换货",
        ScenarioKind::ReturnNoReason
    )]
    #[case(Some(true), "买家已退货", true, "质量问题", ScenarioKind::QualityIssue)]
    #[case(
        Some(false),
        "买家已收到货",
        true,
        "收到商品少件（含少配件）",
        ScenarioKind::WrongOrMissingItem
    )]
    #[case(
        Some(false),
        "买家已收到货",
        true,
        "协商一致退款",
        ScenarioKind::RefundOnlyReceived
    )]
    #[case(
        Some(false),
        "买家已收到货",
        true,
        "收到商品破损",
        ScenarioKind::DamagedInTransit
    )]
    #[case(
        Some(true),
        "买家已收到货",
        true,
        "假冒品牌",
        ScenarioKind::CounterfeitClaim
    )]
    #[case(
        Some(false),
        "买家已收到货",
        true,
        "退运费",
        ScenarioKind::ShippingCost
    )]
    #[case(None, "", false, "", ScenarioKind::RefundUnshipped)]
    fn kind_follows_flow_then_reason(
        #[case] return_needed: Option<bool>,
        #[case] goods: &str,
        #[case] shipped: bool,
        #[case] reason: &str,
        #[case] want: ScenarioKind,
    ) {
        let got = facts(return_needed, goods, shipped, reason).derive_kind();
        assert_eq!(
            got, want,
            "return={return_needed:?} goods={goods} shipped={shipped} reason={reason}"
        );
    }
}
