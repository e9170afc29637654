//! The names a case's timeline records its changes under (`case_events.field`), as one
//! enum: the store writes them from here, and the views hand them to the UI typed, so a
//! screen maps each to its translation without reading field names.

use serde::{Deserialize, Serialize};

/// The prefix of an export column no field matched, recorded as `extra.<header>`.
pub const EXTRA_PREFIX: &str = "extra.";

/// What a timeline entry is about.
///
/// The platform's facts are named as [`afterdesk_case::CaseFacts`] serialises them (a
/// re-import records each changed one); the shop's fields and the records that only add
/// something (a proof, a copied reply, a parcel) have their own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TimelineField {
    /// 退款编号.
    RefundNo,
    /// 订单号.
    OrderNo,
    /// 支付宝交易号.
    AlipayNo,
    /// 买家昵称.
    BuyerNick,
    /// 宝贝标题.
    ItemTitle,
    /// 商家编码.
    SkuCode,
    /// 退款原因.
    ReasonText,
    /// 买家说明.
    BuyerNote,
    /// The platform's refund status text.
    RefundStatusText,
    /// The platform's goods status text.
    GoodsStatusText,
    /// The platform's intervention text.
    InterventionText,
    /// 是否需要退货.
    ReturnNeeded,
    /// 是否全额退款.
    FullRefund,
    /// 是否手工退款.
    ManualRefund,
    /// 买家实付.
    Paid,
    /// 退款金额.
    Refund,
    /// 发货物流.
    ShipLogistics,
    /// 退货物流.
    ReturnLogistics,
    /// 付款时间.
    PaidAt,
    /// 发货时间.
    ShippedAt,
    /// 签收时间.
    SignedAt,
    /// 申请时间.
    RequestedAt,
    /// 退货寄出时间.
    ReturnShippedAt,
    /// 退货签收时间.
    ReturnReceivedAt,
    /// 平台介入时间.
    IntervenedAt,
    /// 完结时间.
    CompletedAt,
    /// An export column no field matched; its header is recorded with it.
    Extra,
    /// The scenario kind.
    Kind,
    /// Open or closed.
    Open,
    /// The platform.
    Platform,
    /// The refund status, set by hand.
    RefundStatus,
    /// The flag colour.
    Flag,
    /// The responsible agent.
    Assignee,
    /// The tags.
    Tags,
    /// The case was deleted.
    Deleted,
    /// The case was restored.
    Restored,
    /// A proof was attached.
    EvidenceAttached,
    /// A proof was removed.
    EvidenceDetached,
    /// A reply was copied to the buyer.
    DraftCopied,
    /// A parcel was added.
    ParcelAdded,
    /// A parcel was removed.
    ParcelRemoved,
    /// An interception step was recorded.
    Interception,
    /// A name this version does not know (written by an older one); shown as recorded.
    Other,
}

impl TimelineField {
    /// Every field but [`TimelineField::Other`], in the order of the enum.
    pub const ALL: [TimelineField; 42] = [
        TimelineField::RefundNo,
        TimelineField::OrderNo,
        TimelineField::AlipayNo,
        TimelineField::BuyerNick,
        TimelineField::ItemTitle,
        TimelineField::SkuCode,
        TimelineField::ReasonText,
        TimelineField::BuyerNote,
        TimelineField::RefundStatusText,
        TimelineField::GoodsStatusText,
        TimelineField::InterventionText,
        TimelineField::ReturnNeeded,
        TimelineField::FullRefund,
        TimelineField::ManualRefund,
        TimelineField::Paid,
        TimelineField::Refund,
        TimelineField::ShipLogistics,
        TimelineField::ReturnLogistics,
        TimelineField::PaidAt,
        TimelineField::ShippedAt,
        TimelineField::SignedAt,
        TimelineField::RequestedAt,
        TimelineField::ReturnShippedAt,
        TimelineField::ReturnReceivedAt,
        TimelineField::IntervenedAt,
        TimelineField::CompletedAt,
        TimelineField::Extra,
        TimelineField::Kind,
        TimelineField::Open,
        TimelineField::Platform,
        TimelineField::RefundStatus,
        TimelineField::Flag,
        TimelineField::Assignee,
        TimelineField::Tags,
        TimelineField::Deleted,
        TimelineField::Restored,
        TimelineField::EvidenceAttached,
        TimelineField::EvidenceDetached,
        TimelineField::DraftCopied,
        TimelineField::ParcelAdded,
        TimelineField::ParcelRemoved,
        TimelineField::Interception,
    ];

    /// The name recorded in `case_events.field` (for [`TimelineField::Extra`], the prefix
    /// without its dot; a recorded extra column is `extra.<header>`).
    pub const fn key(self) -> &'static str {
        match self {
            TimelineField::RefundNo => "refund_no",
            TimelineField::OrderNo => "order_no",
            TimelineField::AlipayNo => "alipay_no",
            TimelineField::BuyerNick => "buyer_nick",
            TimelineField::ItemTitle => "item_title",
            TimelineField::SkuCode => "sku_code",
            TimelineField::ReasonText => "reason_text",
            TimelineField::BuyerNote => "buyer_note",
            TimelineField::RefundStatusText => "refund_status_text",
            TimelineField::GoodsStatusText => "goods_status_text",
            TimelineField::InterventionText => "intervention_text",
            TimelineField::ReturnNeeded => "return_needed",
            TimelineField::FullRefund => "full_refund",
            TimelineField::ManualRefund => "manual_refund",
            TimelineField::Paid => "paid",
            TimelineField::Refund => "refund",
            TimelineField::ShipLogistics => "ship_logistics",
            TimelineField::ReturnLogistics => "return_logistics",
            TimelineField::PaidAt => "paid_at",
            TimelineField::ShippedAt => "shipped_at",
            TimelineField::SignedAt => "signed_at",
            TimelineField::RequestedAt => "requested_at",
            TimelineField::ReturnShippedAt => "return_shipped_at",
            TimelineField::ReturnReceivedAt => "return_received_at",
            TimelineField::IntervenedAt => "intervened_at",
            TimelineField::CompletedAt => "completed_at",
            TimelineField::Extra => "extra",
            TimelineField::Kind => "kind",
            TimelineField::Open => "open",
            TimelineField::Platform => "platform",
            TimelineField::RefundStatus => "refund_status",
            TimelineField::Flag => "flag",
            TimelineField::Assignee => "assignee",
            TimelineField::Tags => "tags",
            TimelineField::Deleted => "deleted",
            TimelineField::Restored => "restored",
            TimelineField::EvidenceAttached => "evidence_attached",
            TimelineField::EvidenceDetached => "evidence_detached",
            TimelineField::DraftCopied => "draft_copied",
            TimelineField::ParcelAdded => "parcel_added",
            TimelineField::ParcelRemoved => "parcel_removed",
            TimelineField::Interception => "interception",
            TimelineField::Other => "other",
        }
    }

    /// Reads a recorded name: the field, and for an extra column its header. A name this
    /// version does not know is [`TimelineField::Other`].
    pub fn parse(name: &str) -> (TimelineField, Option<&str>) {
        if let Some(header) = name.strip_prefix(EXTRA_PREFIX) {
            return (TimelineField::Extra, Some(header));
        }
        let field = TimelineField::ALL
            .into_iter()
            .find(|f| *f != TimelineField::Extra && f.key() == name)
            .unwrap_or(TimelineField::Other);
        (field, None)
    }

    /// Whether the entry records something added or removed (a proof, a copied reply, a
    /// parcel, an interception step) rather than a value changed from one to another.
    pub fn is_record(self) -> bool {
        matches!(
            self,
            TimelineField::EvidenceAttached
                | TimelineField::EvidenceDetached
                | TimelineField::DraftCopied
                | TimelineField::ParcelAdded
                | TimelineField::ParcelRemoved
                | TimelineField::Interception
        )
    }
}

/// The recorded name of an extra column's change.
pub(crate) fn extra_name(header: &str) -> String {
    format!("{EXTRA_PREFIX}{header}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use afterdesk_case::CaseFacts;
    use rstest::rstest;

    #[test]
    fn every_fact_a_reimport_records_has_a_field() {
        let value = serde_json::to_value(CaseFacts::default()).unwrap();
        let keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
        let unknown: Vec<&String> = keys
            .iter()
            .filter(|k| *k != "extra" && TimelineField::parse(k).0 == TimelineField::Other)
            .collect();
        assert!(
            unknown.is_empty(),
            "the timeline diff records every CaseFacts key, so each needs a TimelineField: {unknown:?}"
        );
    }

    #[test]
    fn every_key_reads_back_as_its_field() {
        for field in TimelineField::ALL {
            let name = if field == TimelineField::Extra {
                extra_name("店铺备注")
            } else {
                field.key().to_owned()
            };
            assert_eq!(
                TimelineField::parse(&name).0,
                field,
                "{name}: a recorded name reads back as the field that wrote it"
            );
            assert_eq!(
                serde_json::to_value(field).unwrap(),
                serde_json::Value::String(field.key().to_owned()),
                "the JSON name is the recorded name"
            );
        }
    }

    #[rstest]
    #[case::fact("refund_status_text", TimelineField::RefundStatusText, None)]
    #[case::shop_field("flag", TimelineField::Flag, None)]
    #[case::record("parcel_added", TimelineField::ParcelAdded, None)]
    #[case::extra_column("extra.联系手机", TimelineField::Extra, Some("联系手机"))]
    #[case::extra_header_with_a_dot("extra.a.b", TimelineField::Extra, Some("a.b"))]
    #[case::bare_extra_is_unknown("extra", TimelineField::Other, None)]
    #[case::unknown("colour", TimelineField::Other, None)]
    fn recorded_names_parse(
        #[case] name: &str,
        #[case] field: TimelineField,
        #[case] header: Option<&str>,
    ) {
        assert_eq!(
            TimelineField::parse(name),
            (field, header),
            "{name}: the field, and the header only for an extra column"
        );
    }
}
