//! Scenario kinds (售后场景): what a case is about, which decides its clocks, evidence
//! checklist and reply scripts.

use crate::keyed_enum;

keyed_enum! {
    /// The situation a case is about.
    ///
    /// Stored as its text key in a column with no CHECK constraint, so adding a kind is a
    /// code change only and never needs a database migration; an older binary that meets a
    /// key it does not know shows the case as [`ScenarioKind::Other`].
    pub enum ScenarioKind {
        /// Refund before the order shipped (未发货仅退款).
        RefundUnshipped = ("refund_unshipped", "未发货仅退款"),
        /// Refund while the parcel is on its way (货在途退款).
        RefundInTransit = ("refund_in_transit", "货在途退款"),
        /// Return and refund after receipt (退货退款).
        ReturnRefund = ("return_refund", "退货退款"),
        /// Refund without return after receipt (已收货仅退款).
        RefundOnlyReceived = ("refund_only_received", "已收货仅退款"),
        /// Exchange (换货).
        Exchange = ("exchange", "换货"),
        /// Repair under warranty (维修).
        Repair = ("repair", "维修"),
        /// Reshipment of a missing item or gift (补发).
        Reship = ("reship", "补发"),
        /// The buyer says the parcel never arrived (未收到货).
        NotReceived = ("not_received", "未收到货"),
        /// The parcel is late or stuck (物流延误).
        LogisticsDelay = ("logistics_delay", "物流延误"),
        /// A defect (质量问题).
        QualityIssue = ("quality_issue", "质量问题"),
        /// The goods differ from the listing (描述不符).
        NotAsDescribed = ("not_as_described", "描述不符"),
        /// Wrong or missing item (错发漏发).
        WrongOrMissingItem = ("wrong_or_missing_item", "错发/漏发"),
        /// Damaged on the way (运输破损).
        DamagedInTransit = ("damaged_in_transit", "运输破损"),
        /// Seven-day no-reason return (七天无理由).
        ReturnNoReason = ("return_no_reason", "七天无理由退货"),
        /// Who pays the postage (运费).
        ShippingCost = ("shipping_cost", "运费问题"),
        /// Where is my refund (退款进度).
        RefundProgress = ("refund_progress", "退款进度"),
        /// The buyer claims the goods are fake (假货投诉).
        CounterfeitClaim = ("counterfeit_claim", "假货投诉"),
        /// Shipped later than promised (延迟发货).
        DelayedShipping = ("delayed_shipping", "延迟发货"),
        /// The price dropped after purchase (降价补差).
        PriceDrop = ("price_drop", "降价补差"),
        /// An invoice request (发票).
        Invoice = ("invoice", "发票"),
        /// A complaint against the shop (投诉).
        Complaint = ("complaint", "投诉"),
        /// A threat to complain (威胁投诉).
        ComplaintThreat = ("complaint_threat", "威胁投诉"),
        /// A bad review (差评).
        BadReview = ("bad_review", "差评"),
        /// Anything else (其他).
        Other = ("other", "其他"),
    }
}

impl ScenarioKind {
    /// Reads a stored key, falling back to [`ScenarioKind::Other`] for a key this binary
    /// does not know (written by a newer version on another device).
    pub fn from_key_lossy(key: &str) -> Self {
        Self::from_key(key).unwrap_or(ScenarioKind::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for kind in ScenarioKind::ALL {
            assert!(seen.insert(kind.key()), "key {} is used twice", kind.key());
            assert_eq!(
                ScenarioKind::from_key(kind.key()),
                Some(*kind),
                "{} must round-trip",
                kind.key()
            );
        }
        assert_eq!(
            ScenarioKind::ALL.len(),
            24,
            "the issue lists 24 scenario kinds"
        );
    }

    #[test]
    fn unknown_keys_read_as_other() {
        assert_eq!(
            ScenarioKind::from_key_lossy("from_the_future"),
            ScenarioKind::Other
        );
    }
}
