//! The buyer's stated refund reason (买家退款原因), normalised.

use crate::keyed_enum;

keyed_enum! {
    /// What the buyer gave as the reason, reduced to the cases the desk treats differently.
    pub enum Reason {
        /// Seven-day no-reason return (七天无理由).
        NoReason = ("no_reason", "七天无理由"),
        /// Changed their mind, ordered by mistake, agreed with the seller (不想要了/拍错).
        ChangedMind = ("changed_mind", "不想要了/拍错"),
        /// A defect (质量问题).
        Quality = ("quality", "质量问题"),
        /// Differs from the listing (描述不符).
        NotAsDescribed = ("not_as_described", "与描述不符"),
        /// The wrong item was sent (发错货).
        WrongItem = ("wrong_item", "发错货"),
        /// Items or parts are missing, or the parcel was empty (少件/漏发/空包).
        MissingItem = ("missing_item", "少件/漏发"),
        /// Broken on arrival (破损).
        Damaged = ("damaged", "商品破损"),
        /// Claimed to be fake (假冒品牌).
        Counterfeit = ("counterfeit", "假冒品牌"),
        /// Never arrived (未收到货).
        NotReceived = ("not_received", "未收到货"),
        /// Shipped later than promised (未按约定时间发货).
        LateShipping = ("late_shipping", "未按约定时间发货"),
        /// The seller is out of stock (缺货).
        OutOfStock = ("out_of_stock", "缺货"),
        /// A postage refund (退运费).
        ShippingCost = ("shipping_cost", "运费"),
        /// A price difference (退差价/降价).
        PriceDifference = ("price_difference", "差价"),
        /// An invoice problem (发票).
        Invoice = ("invoice", "发票问题"),
        /// Anything else.
        Other = ("other", "其他"),
    }
}

/// Keyword rules, tried in order: the first reason with a matching keyword wins.
///
/// The order matters where phrases overlap: "收到商品破损" mentions receipt but is about
/// damage, and "七天无理由" must win over the generic "不想要".
const RULES: &[(Reason, &[&str])] = &[
    (Reason::NoReason, &["七天无理由", "7天无理由", "无理由"]),
    (Reason::Counterfeit, &["假冒", "假货", "非正品", "不是正品"]),
    (Reason::Damaged, &["破损", "压坏", "碎了", "摔坏", "变形"]),
    (Reason::WrongItem, &["发错", "错发", "商家发错货"]),
    (
        Reason::MissingItem,
        &["少件", "漏发", "少配件", "空包", "少发", "缺件"],
    ),
    (
        Reason::Quality,
        &[
            "质量", "瑕疵", "做工", "故障", "坏了", "开线", "起球", "褪色", "掉色",
        ],
    ),
    (
        Reason::NotAsDescribed,
        &["描述不符", "与描述", "不符", "材质", "尺寸", "色差"],
    ),
    (
        Reason::NotReceived,
        &["未收到", "没收到", "未送到", "无跟踪", "无物流", "一直未"],
    ),
    (
        Reason::LateShipping,
        &["未按约定时间发货", "延迟发货", "迟发", "未发货"],
    ),
    (Reason::OutOfStock, &["缺货", "没货", "无货"]),
    (Reason::ShippingCost, &["运费"]),
    (
        Reason::PriceDifference,
        &["差价", "降价", "价格变化", "价保"],
    ),
    (Reason::Invoice, &["发票"]),
    (
        Reason::ChangedMind,
        &[
            "不想要",
            "拍错",
            "多拍",
            "不喜欢",
            "协商一致",
            "不合适",
            "买错",
        ],
    ),
];

impl Reason {
    /// Normalises the buyer's reason text; unknown wording is [`Reason::Other`].
    pub fn from_text(text: &str) -> Reason {
        let text = text.trim();
        RULES
            .iter()
            .find(|(_, words)| words.iter().any(|w| text.contains(w)))
            .map_or(Reason::Other, |(reason, _)| *reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("七天无理由退换货", Reason::NoReason)]
    #[case("不想要了", Reason::ChangedMind)]
    #[case("拍错/多拍/不喜欢", Reason::ChangedMind)]
    #[case("质量问题", Reason::Quality)]
    #[case("做工粗糙/有瑕疵", Reason::Quality)]
    #[case("大小/尺寸与商品描述不符", Reason::NotAsDescribed)]
    #[case("收到商品破损", Reason::Damaged)]
    #[case("商家发错货", Reason::WrongItem)]
    #[case("收到商品少件（含少配件）", Reason::MissingItem)]
    #[case("空包裹", Reason::MissingItem)]
    #[case("假冒品牌", Reason::Counterfeit)]
    #[case("快递一直未送到", Reason::NotReceived)]
    #[case("未按约定时间发货", Reason::LateShipping)]
    #[case("缺货", Reason::OutOfStock)]
    #[case("退运费", Reason::ShippingCost)]
    #[case("退差价", Reason::PriceDifference)]
    #[case("发票问题", Reason::Invoice)]
    #[case("其他", Reason::Other)]
    fn reason_texts(#[case] text: &str, #[case] want: Reason) {
        assert_eq!(Reason::from_text(text), want, "reason “{text}”");
    }
}
