//! Parcels (包裹) linked to a case: the original shipment, the buyer's return, a
//! reshipment or an exchange, with the courier's tracking events and the interception
//! record of a refund while the parcel is on its way.
//!
//! These are plain records; detecting couriers, querying tracking providers and the rules
//! that turn a parcel into a prompt live in `afterdesk-parcel`, and storing them in
//! `afterdesk-store`.

use crate::{DeviceId, RecordId, keyed_enum};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

keyed_enum! {
    /// The courier companies a Taobao/Tmall shop commonly meets (brief §6).
    ///
    /// Stored as its key; a courier outside this list is [`Courier::Other`] with the name
    /// kept in the parcel's export text.
    pub enum Courier {
        /// 顺丰速运 SF Express.
        Sf = ("sf", "顺丰速运"),
        /// 中通快递 ZTO.
        Zto = ("zto", "中通快递"),
        /// 圆通速递 YTO.
        Yto = ("yto", "圆通速递"),
        /// 申通快递 STO.
        Sto = ("sto", "申通快递"),
        /// 韵达快递 Yunda.
        Yunda = ("yunda", "韵达快递"),
        /// 极兔速递 J&T Express.
        Jt = ("jt", "极兔速递"),
        /// EMS and China Post parcels (邮政快递包裹, E邮宝).
        Ems = ("ems", "EMS/中国邮政"),
        /// 京东快递 JD Logistics.
        Jd = ("jd", "京东快递"),
        /// 德邦快递 Deppon.
        Deppon = ("deppon", "德邦快递"),
        /// Any other courier; tracking providers cannot be asked without a known courier.
        Other = ("other", "其他快递"),
    }
}

keyed_enum! {
    /// Which way a parcel goes, relative to the case.
    pub enum ParcelDirection {
        /// The order's original shipment to the buyer (原发货).
        Outbound = ("outbound", "原发货"),
        /// The buyer's return to the shop (退货).
        Return = ("return", "退货"),
        /// A reshipment of a missing item or gift (补发).
        Reship = ("reship", "补发"),
        /// The replacement sent out in an exchange (换货寄出).
        ExchangeOut = ("exchange_out", "换货寄出"),
    }
}

keyed_enum! {
    /// Where a parcel stands, normalised from whatever the courier or the tracking
    /// provider says.
    pub enum ParcelState {
        /// No tracking record yet (暂无记录).
        NoRecord = ("no_record", "暂无记录"),
        /// The courier has picked it up (已揽收).
        PickedUp = ("picked_up", "已揽收"),
        /// On its way (运输中).
        InTransit = ("in_transit", "运输中"),
        /// Out for delivery, or waiting in a locker or parcel station (派件中).
        OutForDelivery = ("out_for_delivery", "派件中"),
        /// Signed for by the addressee (已签收).
        Signed = ("signed", "已签收"),
        /// Signed for by someone else, a locker or a parcel station (代收/快递柜签收).
        SignedByAgent = ("signed_by_agent", "代收/快递柜签收"),
        /// The courier cannot deliver it: wrong phone or address, overdue, damaged (疑难件).
        Problem = ("problem", "疑难件"),
        /// Going or gone back to the sender (退回).
        ReturnedToSender = ("returned_to_sender", "退回寄件人"),
        /// The addressee refused it (拒签).
        Refused = ("refused", "拒签"),
        /// Intercepted at the sender's request (已拦截).
        Intercepted = ("intercepted", "已拦截"),
    }
}

impl ParcelState {
    /// Whether the parcel reached its addressee: nothing more will move it.
    pub fn is_delivered(self) -> bool {
        matches!(self, ParcelState::Signed | ParcelState::SignedByAgent)
    }
}

/// A waybill number (运单号) as the shop stores it: spaces and hyphens removed, ASCII
/// letters upper-cased.
///
/// Any non-empty number is accepted, whatever its shape: couriers change their formats,
/// and the user can always choose the courier by hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Waybill(String);

/// The longest waybill number accepted.
///
/// The longest real numbers seen are about 20 characters (JD's); 40 leaves room for
/// formats not seen yet while refusing a pasted paragraph.
pub const WAYBILL_MAX_CHARS: usize = 40;

impl Waybill {
    /// Normalises a typed or pasted waybill number; `None` when nothing is left or the
    /// text is too long or contains control characters.
    pub fn parse(text: &str) -> Option<Waybill> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '_'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if cleaned.is_empty()
            || cleaned.chars().count() > WAYBILL_MAX_CHARS
            || cleaned.chars().any(char::is_control)
        {
            return None;
        }
        Some(Waybill(cleaned))
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four characters, the way a waybill is referred to in a short prompt.
    pub fn tail(&self) -> &str {
        let start = self.0.char_indices().rev().nth(3).map_or(0, |(i, _)| i);
        &self.0[start..]
    }
}

impl fmt::Display for Waybill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One tracking event: when, where and what the courier wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trace {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Where, when the courier says (a city or an outlet).
    pub place: Option<String>,
    /// The courier's text, as written.
    pub text: String,
}

/// A parcel as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parcel {
    /// The stable id, the same on every device.
    pub id: RecordId,
    /// The case the parcel belongs to.
    pub case_id: RecordId,
    /// Which way it goes.
    pub direction: ParcelDirection,
    /// The courier, when known (detected from the number or the export text, or chosen).
    pub courier: Option<Courier>,
    /// The waybill number.
    pub waybill: Waybill,
    /// The last four digits of the recipient's or sender's phone, which SF and some other
    /// couriers require before they show a route.
    pub phone_tail: Option<String>,
    /// Where it stands.
    pub state: ParcelState,
    /// When it entered that state (the courier's event time when known).
    pub state_since: Option<DateTime<Utc>>,
    /// The newest tracking event's time.
    pub last_update: Option<DateTime<Utc>>,
    /// When a provider was last asked, successfully or not.
    pub last_checked: Option<DateTime<Utc>>,
    /// What went wrong at the last query, cleared by the next success.
    pub last_error: Option<String>,
    /// Not before this instant is the provider asked again (backoff and rate limits).
    pub next_attempt: Option<DateTime<Utc>>,
    /// Failed queries in a row, which the backoff grows with.
    pub failures: u32,
    /// How the parcel came to be: `import` (the case's logistics text) or `manual`.
    pub origin: String,
    /// When it was first stored.
    pub created_at: DateTime<Utc>,
    /// When it last changed, for sync.
    pub updated_at: DateTime<Utc>,
    /// The device that made the last change, for sync.
    pub updated_by: DeviceId,
    /// When it was removed; removed parcels stay as tombstones so the removal syncs.
    pub deleted_at: Option<DateTime<Utc>>,
}

keyed_enum! {
    /// One step of intercepting a parcel (拦截快递) for a refund in transit.
    pub enum InterceptionStep {
        /// Interception asked of the courier or on the refund page (申请拦截).
        Requested = ("requested", "已申请拦截"),
        /// The courier stopped the parcel and sends it back (拦截成功).
        Succeeded = ("succeeded", "拦截成功"),
        /// The parcel reached the buyer anyway (拦截失败).
        Failed = ("failed", "拦截失败"),
        /// The intercepted parcel is back in the warehouse (已退回仓库).
        BackInWarehouse = ("back_in_warehouse", "已退回仓库"),
        /// After a failed interception the buyer keeps the goods and withdraws the refund
        /// (买家保留商品，撤销退款).
        BuyerKeeps = ("buyer_keeps", "买家保留商品并撤销退款"),
        /// After a failed interception the case becomes a return and refund (转为退货退款).
        SwitchedToReturn = ("switched_to_return", "转为退货退款"),
    }
}

/// One recorded interception step; the record is append-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interception {
    /// The stable id.
    pub id: RecordId,
    /// The case (a refund while the parcel is in transit).
    pub case_id: RecordId,
    /// The parcel intercepted, when known.
    pub parcel_id: Option<RecordId>,
    /// The step.
    pub step: InterceptionStep,
    /// The courier asked.
    pub courier: Option<Courier>,
    /// With whom: the courier's outlet, a dispatcher's name or phone, the platform page.
    pub contact: Option<String>,
    /// Anything else worth keeping (the courier's ticket number...).
    pub note: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The agent who recorded it.
    pub agent: String,
    /// The installation it was recorded on.
    pub device: DeviceId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(" sf 1234-5678 90123 ", Some("SF1234567890123"))]
    #[case("75123456789012", Some("75123456789012"))]
    #[case("jdva12345678901", Some("JDVA12345678901"))]
    #[case("   ", None)]
    #[case("", None)]
    fn waybills_are_normalised(#[case] text: &str, #[case] expected: Option<&str>) {
        assert_eq!(
            Waybill::parse(text).as_ref().map(Waybill::as_str),
            expected,
            "“{text}” must normalise to {expected:?} (spaces and hyphens dropped, upper case)"
        );
    }

    #[test]
    fn an_overlong_paste_is_not_a_waybill() {
        assert_eq!(Waybill::parse(&"1".repeat(WAYBILL_MAX_CHARS + 1)), None);
        assert!(Waybill::parse(&"1".repeat(WAYBILL_MAX_CHARS)).is_some());
    }

    #[test]
    fn tail_is_the_last_four() {
        let w = Waybill::parse("SF1234567890123").unwrap_or_else(|| Waybill("x".into()));
        assert_eq!(w.tail(), "0123");
        assert_eq!(Waybill("12".into()).tail(), "12");
    }

    #[test]
    fn keys_round_trip() {
        for c in Courier::ALL {
            assert_eq!(Courier::from_key(c.key()), Some(*c), "{c} must round-trip");
        }
        for s in ParcelState::ALL {
            assert_eq!(
                ParcelState::from_key(s.key()),
                Some(*s),
                "{s} must round-trip"
            );
        }
        for s in InterceptionStep::ALL {
            assert_eq!(
                InterceptionStep::from_key(s.key()),
                Some(*s),
                "{s} must round-trip"
            );
        }
    }
}
