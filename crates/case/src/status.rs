//! The platform's statuses of a refund, of the goods and of platform intervention.
//!
//! Each is kept twice on a case: the normalised key below, which the app reasons with, and
//! the platform's raw text, which the user sees and which survives wording changes.

use crate::keyed_enum;

keyed_enum! {
    /// Where the platform's refund process stands (退款状态).
    pub enum RefundStatus {
        /// 买家已经申请退款，等待卖家同意.
        AwaitingSeller = ("awaiting_seller", "等待卖家同意"),
        /// 卖家已经同意退款，等待买家退货.
        AwaitingReturn = ("awaiting_return", "等待买家退货"),
        /// 买家已经退货，等待卖家确认收货.
        AwaitingReceipt = ("awaiting_receipt", "等待卖家确认收货"),
        /// 卖家拒绝退款.
        SellerRefused = ("seller_refused", "卖家拒绝退款"),
        /// 退款成功.
        Succeeded = ("succeeded", "退款成功"),
        /// 退款关闭.
        Closed = ("closed", "退款关闭"),
        /// A status text this version does not recognise; the raw text is kept beside it.
        Unknown = ("unknown", "未知状态"),
    }
}

impl RefundStatus {
    /// Maps the platform's status text to a status. Matching is by the phrases that carry
    /// the meaning, so small wording changes between export years still match.
    pub fn from_text(text: &str) -> Self {
        let t = text.trim();
        if t.contains("退款成功") {
            RefundStatus::Succeeded
        } else if t.contains("退款关闭") || t.contains("关闭") {
            RefundStatus::Closed
        } else if t.contains("拒绝") {
            RefundStatus::SellerRefused
        } else if t.contains("等待卖家确认收货")
            || t.contains("买家已经退货")
            || t.contains("买家已退货")
        {
            RefundStatus::AwaitingReceipt
        } else if t.contains("等待买家退货")
            || t.contains("卖家已经同意")
            || t.contains("卖家已同意")
        {
            RefundStatus::AwaitingReturn
        } else if t.contains("等待卖家同意") || t.contains("申请退款") || t.contains("待卖家处理")
        {
            RefundStatus::AwaitingSeller
        } else {
            RefundStatus::Unknown
        }
    }

    /// This status's place in the platform's refund process: a refund only moves to a
    /// higher place, so of two exports of one refund the one further along is the newer.
    /// A refusal comes after the request and before an agreed return; the two finished
    /// statuses share the last place. An unrecognised text ranks lowest, so it never
    /// overrides a status the desk understands.
    pub fn progress(self) -> u8 {
        match self {
            RefundStatus::Unknown => 0,
            RefundStatus::AwaitingSeller => 1,
            RefundStatus::SellerRefused => 2,
            RefundStatus::AwaitingReturn => 3,
            RefundStatus::AwaitingReceipt => 4,
            RefundStatus::Succeeded | RefundStatus::Closed => 5,
        }
    }

    /// Whether the desk still has work on a case in this status.
    pub fn is_open(self) -> bool {
        !matches!(self, RefundStatus::Succeeded | RefundStatus::Closed)
    }
}

keyed_enum! {
    /// What the platform says about the goods (货物状态).
    pub enum GoodsStatus {
        /// The buyer has not received the goods (买家未收到货).
        NotReceived = ("not_received", "买家未收到货"),
        /// The buyer has received the goods (买家已收到货).
        Received = ("received", "买家已收到货"),
        /// The buyer has sent the goods back (买家已退货).
        Returned = ("returned", "买家已退货"),
        /// A text this version does not recognise.
        Unknown = ("unknown", "未知"),
    }
}

impl GoodsStatus {
    /// Maps the platform's goods-status text.
    pub fn from_text(text: &str) -> Self {
        let t = text.trim();
        if t.contains("退货") || t.contains("退回") {
            GoodsStatus::Returned
        } else if t.contains("未收到") || t.contains("未发货") || t.contains("没收到") {
            GoodsStatus::NotReceived
        } else if t.contains("已收到") || t.contains("已收货") || t.contains("已签收") {
            GoodsStatus::Received
        } else {
            GoodsStatus::Unknown
        }
    }
}

keyed_enum! {
    /// Whether the platform's customer service has stepped in (客服介入状态).
    pub enum Intervention {
        /// No intervention asked (无需客服介入 / 未介入).
        None = ("none", "未介入"),
        /// Intervention requested or under way (客服介入中).
        Active = ("active", "客服介入中"),
        /// The platform has decided (客服处理完毕 / 介入结束).
        Finished = ("finished", "介入已结束"),
        /// A text this version does not recognise.
        Unknown = ("unknown", "未知"),
    }
}

impl Intervention {
    /// Maps the platform's intervention-status text.
    pub fn from_text(text: &str) -> Self {
        let t = text.trim();
        if t.is_empty()
            || t.contains("无需")
            || t.contains("未介入")
            || t.contains("不需要")
            || t == "无"
        {
            Intervention::None
        } else if t.contains("完毕")
            || t.contains("结束")
            || t.contains("已处理")
            || t.contains("完结")
        {
            Intervention::Finished
        } else if t.contains("介入") || t.contains("处理中") || t.contains("申请") {
            Intervention::Active
        } else {
            Intervention::Unknown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("买家已经申请退款，等待卖家同意", RefundStatus::AwaitingSeller)]
    #[case("卖家已经同意退款，等待买家退货", RefundStatus::AwaitingReturn)]
    #[case("买家已经退货，等待卖家确认收货", RefundStatus::AwaitingReceipt)]
    #[case("卖家拒绝退款", RefundStatus::SellerRefused)]
    #[case("退款成功", RefundStatus::Succeeded)]
    #[case("退款关闭", RefundStatus::Closed)]
    #[case("something new", RefundStatus::Unknown)]
    fn refund_status_texts(#[case] text: &str, #[case] want: RefundStatus) {
        assert_eq!(RefundStatus::from_text(text), want, "status text “{text}”");
    }

    #[test]
    fn only_success_and_close_end_a_case() {
        let open: Vec<_> = RefundStatus::ALL.iter().filter(|s| !s.is_open()).collect();
        assert_eq!(open, [&RefundStatus::Succeeded, &RefundStatus::Closed]);
    }

    #[rstest]
    #[case("买家未收到货", GoodsStatus::NotReceived)]
    #[case("买家已收到货", GoodsStatus::Received)]
    #[case("买家已退货", GoodsStatus::Returned)]
    #[case("", GoodsStatus::Unknown)]
    fn goods_status_texts(#[case] text: &str, #[case] want: GoodsStatus) {
        assert_eq!(GoodsStatus::from_text(text), want, "goods text “{text}”");
    }

    #[rstest]
    #[case("无需客服介入", Intervention::None)]
    #[case("", Intervention::None)]
    #[case("客服介入中", Intervention::Active)]
    #[case("需要客服介入", Intervention::Active)]
    #[case("客服处理完毕", Intervention::Finished)]
    fn intervention_texts(#[case] text: &str, #[case] want: Intervention) {
        assert_eq!(
            Intervention::from_text(text),
            want,
            "intervention text “{text}”"
        );
    }
}
