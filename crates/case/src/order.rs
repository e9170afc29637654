//! Orders from the platform's order export, linked to cases by order number.

use crate::{Fen, RecordId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the order export says about one order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct OrderFacts {
    /// The order number (订单编号), the key cases link by.
    pub order_no: String,
    /// The buyer's account name.
    pub buyer_nick: Option<String>,
    /// The item titles of the order.
    pub item_title: Option<String>,
    /// What the buyer paid.
    pub paid: Option<Fen>,
    /// When the buyer paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// When the order shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// The order status text as the platform wrote it.
    pub status_text: Option<String>,
    /// The outbound courier and waybill as the export wrote them.
    pub logistics: Option<String>,
    /// The recipient's address as exported; it stays on this machine.
    pub address: Option<String>,
    /// Export columns no synonym matched.
    pub extra: Vec<(String, String)>,
}

/// One stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    /// The stable id.
    pub id: RecordId,
    /// What the export said.
    pub facts: OrderFacts,
}
