//! Cases (售后单): what the desktop UI receives and sends about them: flat, serialisable
//! shapes of cases, notes, timelines and orders, and the inputs of the case commands and
//! the one case-list filter.
//!
//! The store's types carry rich Rust values (ids, `Fen`, UTC instants, keyed enums). The UI
//! wants plain JSON it can show without re-deriving anything, in the same shape the CLI's
//! `--json` prints (docs/cli.md): ids and keys as strings, the kind's Chinese name beside
//! its key, instants as RFC 3339 strings in China time and money as integer fen. Inputs
//! arrive with keys as strings and are checked here, so that a wrong key is an `invalid`
//! error with a message rather than a failed deserialisation the user cannot read.

use crate::DeskError;
use afterdesk_case::time::china_rfc3339;
use afterdesk_case::{
    Case, CaseEvent, Fen, Flag, Note, Order, Platform, RefundStatus, ScenarioKind,
};
use afterdesk_store::{
    CaseChange, CaseDetail, CaseList, CaseQuery, CaseSort, NewCase, StoreError, TimelineField,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn instant(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(china_rfc3339)
}

/// A case as the UI shows it; the same keys and values as the CLI's case JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseView {
    /// The UUIDv7, the same on every device.
    pub id: String,
    /// `taobao`, `tmall` or `other`.
    pub platform: String,
    /// The platform's refund number, exactly as exported.
    pub refund_no: Option<String>,
    /// The order number, exactly as exported.
    pub order_no: Option<String>,
    /// The Alipay trade number.
    pub alipay_no: Option<String>,
    /// The buyer's account name.
    pub buyer_nick: Option<String>,
    /// The item title.
    pub item_title: Option<String>,
    /// The shop's item code.
    pub sku_code: Option<String>,
    /// The scenario kind's key.
    pub kind: String,
    /// The scenario kind's Chinese name, so the UI needs no table of its own.
    pub kind_name: String,
    /// `derived` or `manual`.
    pub kind_source: String,
    /// The normalised reason key.
    pub reason: String,
    /// The buyer's reason as written.
    pub reason_text: Option<String>,
    /// The buyer's own explanation.
    pub buyer_note: Option<String>,
    /// The normalised refund status key.
    pub refund_status: String,
    /// The refund status as the platform wrote it.
    pub refund_status_text: Option<String>,
    /// The normalised goods status key.
    pub goods_status: String,
    /// The goods status as the platform wrote it.
    pub goods_status_text: Option<String>,
    /// The normalised intervention key.
    pub intervention: String,
    /// The intervention status as the platform wrote it.
    pub intervention_text: Option<String>,
    /// Whether the buyer must send the goods back.
    pub return_needed: Option<bool>,
    /// Whether the whole amount is refunded.
    pub full_refund: Option<bool>,
    /// Whether the refund is paid by hand.
    pub manual_refund: Option<bool>,
    /// What the buyer paid, in fen.
    pub paid_fen: Option<i64>,
    /// What the buyer asks back, in fen.
    pub refund_fen: Option<i64>,
    /// The outbound shipment text.
    pub ship_logistics: Option<String>,
    /// The return shipment text.
    pub return_logistics: Option<String>,
    /// When the order was paid (RFC 3339, China time).
    pub paid_at: Option<String>,
    /// When the order shipped.
    pub shipped_at: Option<String>,
    /// When the buyer signed for the delivery.
    pub signed_at: Option<String>,
    /// When the refund was requested.
    pub requested_at: Option<String>,
    /// When the buyer shipped the return.
    pub return_shipped_at: Option<String>,
    /// When the shop received the return.
    pub return_received_at: Option<String>,
    /// When the platform stepped in.
    pub intervened_at: Option<String>,
    /// When the refund was completed.
    pub completed_at: Option<String>,
    /// Export columns no field matched, header → value.
    pub extra: BTreeMap<String, String>,
    /// The flag colour key.
    pub flag: Option<String>,
    /// The responsible agent.
    pub assignee: Option<String>,
    /// The shop's free tags.
    pub tags: Vec<String>,
    /// Whether the desk still has work on it.
    pub open: bool,
    /// How the case came to be (import file or hand entry, and who).
    pub origin: String,
    /// When the case was first stored.
    pub created_at: String,
    /// When any field last changed.
    pub updated_at: String,
    /// The device of the last change.
    pub updated_by: String,
    /// When the case was deleted, if it was.
    pub deleted_at: Option<String>,
}

impl From<&Case> for CaseView {
    fn from(case: &Case) -> Self {
        let f = &case.facts;
        let fen = |m: Option<Fen>| m.map(|m| m.0);
        CaseView {
            id: case.id.to_string(),
            platform: case.platform.key().to_owned(),
            refund_no: f.refund_no.clone(),
            order_no: f.order_no.clone(),
            alipay_no: f.alipay_no.clone(),
            buyer_nick: f.buyer_nick.clone(),
            item_title: f.item_title.clone(),
            sku_code: f.sku_code.clone(),
            kind: case.kind.key().to_owned(),
            kind_name: case.kind.zh_name().to_owned(),
            kind_source: case.kind_source.key().to_owned(),
            reason: f.reason().key().to_owned(),
            reason_text: f.reason_text.clone(),
            buyer_note: f.buyer_note.clone(),
            refund_status: f.refund_status().key().to_owned(),
            refund_status_text: f.refund_status_text.clone(),
            goods_status: f.goods_status().key().to_owned(),
            goods_status_text: f.goods_status_text.clone(),
            intervention: f.intervention().key().to_owned(),
            intervention_text: f.intervention_text.clone(),
            return_needed: f.return_needed,
            full_refund: f.full_refund,
            manual_refund: f.manual_refund,
            paid_fen: fen(f.paid),
            refund_fen: fen(f.refund),
            ship_logistics: f.ship_logistics.clone(),
            return_logistics: f.return_logistics.clone(),
            paid_at: instant(f.paid_at),
            shipped_at: instant(f.shipped_at),
            signed_at: instant(f.signed_at),
            requested_at: instant(f.requested_at),
            return_shipped_at: instant(f.return_shipped_at),
            return_received_at: instant(f.return_received_at),
            intervened_at: instant(f.intervened_at),
            completed_at: instant(f.completed_at),
            extra: f.extra.iter().cloned().collect(),
            flag: case.flag.map(|f| f.key().to_owned()),
            assignee: case.assignee.clone(),
            tags: case.tags.clone(),
            open: case.open,
            origin: case.origin.clone(),
            created_at: china_rfc3339(case.created_at),
            updated_at: china_rfc3339(case.updated_at),
            updated_by: case.updated_by.0.clone(),
            deleted_at: instant(case.deleted_at),
        }
    }
}

/// One page of cases and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseListView {
    /// How many cases match the filter.
    pub total: u64,
    /// The requested page.
    pub cases: Vec<CaseView>,
}

impl From<&CaseList> for CaseListView {
    fn from(list: &CaseList) -> Self {
        CaseListView {
            total: list.total,
            cases: list.cases.iter().map(CaseView::from).collect(),
        }
    }
}

/// A note as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NoteView {
    /// The note's id.
    pub id: String,
    /// The case's id.
    pub case_id: String,
    /// The agent who wrote it.
    pub author: String,
    /// The device it was written on.
    pub device: String,
    /// When it was written (RFC 3339, China time).
    pub at: String,
    /// The text as typed; the UI renders it as text, never as HTML.
    pub text: String,
}

impl From<&Note> for NoteView {
    fn from(note: &Note) -> Self {
        NoteView {
            id: note.id.to_string(),
            case_id: note.case_id.to_string(),
            author: note.author.agent.clone(),
            device: note.author.device.0.clone(),
            at: china_rfc3339(note.at),
            text: note.text.clone(),
        }
    }
}

/// One change on a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EventView {
    /// The event's id.
    pub id: String,
    /// Who made the change.
    pub actor: String,
    /// The device it was made on.
    pub device: String,
    /// When (RFC 3339, China time).
    pub at: String,
    /// The changed field as recorded (see docs/cli.md), e.g. `flag` or `extra.<header>`.
    pub field: String,
    /// The changed field, typed: what the UI translates (`other` for a name this version
    /// does not know, shown as recorded).
    pub field_kind: TimelineField,
    /// The header of the export column, when `field_kind` is `extra`.
    pub extra_header: Option<String>,
    /// Whether the entry records something added or removed (a proof, a copied reply, a
    /// parcel, an interception step) rather than a value changed from one to another.
    pub record: bool,
    /// The value before, as text.
    pub old: Option<String>,
    /// The value after, as text.
    pub new: Option<String>,
}

impl From<&CaseEvent> for EventView {
    fn from(e: &CaseEvent) -> Self {
        let (field_kind, extra_header) = TimelineField::parse(&e.field);
        EventView {
            id: e.id.to_string(),
            actor: e.actor.agent.clone(),
            device: e.actor.device.0.clone(),
            at: china_rfc3339(e.at),
            field: e.field.clone(),
            field_kind,
            extra_header: extra_header.map(str::to_owned),
            record: field_kind.is_record(),
            old: e.old.clone(),
            new: e.new.clone(),
        }
    }
}

/// The order a case belongs to, from the order export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderView {
    /// The order's id.
    pub id: String,
    /// The order number.
    pub order_no: String,
    /// The buyer's account name.
    pub buyer_nick: Option<String>,
    /// The item titles.
    pub item_title: Option<String>,
    /// What the buyer paid, in fen.
    pub paid_fen: Option<i64>,
    /// When the buyer paid.
    pub paid_at: Option<String>,
    /// When the order shipped.
    pub shipped_at: Option<String>,
    /// The order status as the platform wrote it.
    pub status_text: Option<String>,
    /// The outbound courier and waybill.
    pub logistics: Option<String>,
}

impl From<&Order> for OrderView {
    fn from(o: &Order) -> Self {
        OrderView {
            id: o.id.to_string(),
            order_no: o.facts.order_no.clone(),
            buyer_nick: o.facts.buyer_nick.clone(),
            item_title: o.facts.item_title.clone(),
            paid_fen: o.facts.paid.map(|m| m.0),
            paid_at: instant(o.facts.paid_at),
            shipped_at: instant(o.facts.shipped_at),
            status_text: o.facts.status_text.clone(),
            logistics: o.facts.logistics.clone(),
        }
    }
}

/// A case with its notes, timeline and order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseDetailView {
    /// The case.
    pub case: CaseView,
    /// Its notes, oldest first.
    pub notes: Vec<NoteView>,
    /// Its timeline, oldest first.
    pub events: Vec<EventView>,
    /// The order, once the order export was imported.
    pub order: Option<OrderView>,
}

impl From<&CaseDetail> for CaseDetailView {
    fn from(d: &CaseDetail) -> Self {
        CaseDetailView {
            case: CaseView::from(&d.case),
            notes: d.notes.iter().map(NoteView::from).collect(),
            events: d.events.iter().map(EventView::from).collect(),
            order: d.order.as_ref().map(OrderView::from),
        }
    }
}

fn invalid(message: String) -> DeskError {
    DeskError::Store(StoreError::Invalid(message))
}

/// Reads a scenario kind key, the way every form and flag that takes one does: the
/// refusal lists the keys there are.
pub fn kind_key(key: &str) -> Result<ScenarioKind, DeskError> {
    ScenarioKind::from_key(key).ok_or_else(|| {
        let keys: Vec<&str> = ScenarioKind::ALL.iter().map(|k| k.key()).collect();
        invalid(format!("未知的售后类型“{key}”，可选：{}", keys.join("、")))
    })
}

/// Reads a flag colour key, the way every form and flag that takes one does: the refusal
/// lists the colours there are.
pub fn flag_key(key: &str) -> Result<Flag, DeskError> {
    Flag::from_key(key).ok_or_else(|| {
        let keys: Vec<&str> = Flag::ALL.iter().map(|k| k.key()).collect();
        invalid(format!("未知的旗帜颜色“{key}”，可选：{}", keys.join("、")))
    })
}

/// Reads a case-list order: `requested` (oldest request first), `requested_desc` or
/// `updated`. The CLI has always written `requested-desc`; the dash and the underscore are
/// the same order, so a flag and a form accept the same words.
pub fn case_sort_key(key: &str) -> Result<CaseSort, DeskError> {
    match key.replace('-', "_").as_str() {
        "requested" => Ok(CaseSort::RequestedAsc),
        "requested_desc" => Ok(CaseSort::RequestedDesc),
        "updated" => Ok(CaseSort::UpdatedDesc),
        _ => Err(invalid(format!(
            "未知的排序方式“{key}”，可选：requested、requested_desc、updated"
        ))),
    }
}

/// Treats an empty or blank text from a form field as "not given".
fn given(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// A case-list filter: the one shape of it. The UI sends it as JSON, the CLI's
/// `cases list` flags fill it in, and [`CaseQueryInput::to_query`] checks it and builds the
/// store's query for both. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CaseQueryInput {
    /// Only open (`true`) or closed (`false`) cases; both when null.
    pub open: Option<bool>,
    /// A scenario kind key.
    pub kind: Option<String>,
    /// A flag colour key.
    pub flag: Option<String>,
    /// The responsible agent.
    pub assignee: Option<String>,
    /// Full-text search; words separated by spaces must all match.
    pub text: Option<String>,
    /// `requested` (oldest request first, the default), `requested_desc` (also written
    /// `requested-desc`) or `updated`.
    pub sort: Option<String>,
    /// At most this many cases (0: the default page).
    pub limit: u32,
    /// Skip this many.
    pub offset: u32,
}

impl CaseQueryInput {
    /// Checks the keys and builds the store's query: the one reading of a case-list filter,
    /// for the app's list and the CLI's `cases list` alike.
    pub fn to_query(&self) -> Result<CaseQuery, DeskError> {
        let sort = given(&self.sort)
            .map(case_sort_key)
            .transpose()?
            .unwrap_or_default();
        Ok(CaseQuery {
            open: self.open,
            kind: given(&self.kind).map(kind_key).transpose()?,
            flag: given(&self.flag).map(flag_key).transpose()?,
            assignee: given(&self.assignee).map(str::to_owned),
            text: given(&self.text).map(str::to_owned),
            sort,
            limit: self.limit,
            offset: self.offset,
        })
    }
}

/// A change to a case's own fields as the UI sends it; null fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct CaseChangeInput {
    /// A corrected scenario kind key.
    pub kind: Option<String>,
    /// A refund status key set by hand.
    pub status: Option<String>,
    /// A flag colour key, or `none` to clear the flag.
    pub flag: Option<String>,
    /// A new assignee, or an empty text to clear it.
    pub assignee: Option<String>,
    /// Open or close the case.
    pub open: Option<bool>,
    /// Tags to add.
    pub add_tags: Vec<String>,
    /// Tags to remove.
    pub remove_tags: Vec<String>,
}

impl CaseChangeInput {
    /// Checks the keys and builds the store's change.
    pub fn to_change(&self) -> Result<CaseChange, DeskError> {
        let status = given(&self.status)
            .map(|key| {
                RefundStatus::from_key(key).ok_or_else(|| invalid(format!("未知的退款状态“{key}”")))
            })
            .transpose()?;
        let flag = match self.flag.as_deref().map(str::trim) {
            None => None,
            Some("" | "none") => Some(None),
            Some(key) => Some(Some(flag_key(key)?)),
        };
        Ok(CaseChange {
            kind: given(&self.kind).map(kind_key).transpose()?,
            status,
            flag,
            assignee: self
                .assignee
                .as_ref()
                .map(|a| Some(a.trim().to_owned()).filter(|a| !a.is_empty())),
            open: self.open,
            add_tags: self.add_tags.clone(),
            remove_tags: self.remove_tags.clone(),
        })
    }
}

/// A case opened by hand, as the UI's form sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct NewCaseInput {
    /// `taobao`, `tmall` or `other` (the default).
    pub platform: Option<String>,
    /// The refund number, if the platform has one yet.
    pub refund_no: Option<String>,
    /// The order number.
    pub order_no: Option<String>,
    /// The buyer's account name.
    pub buyer_nick: Option<String>,
    /// The item title.
    pub item_title: Option<String>,
    /// The buyer's reason.
    pub reason_text: Option<String>,
    /// The amount asked back, in fen.
    pub refund_fen: Option<i64>,
    /// A scenario kind key; derived from the rest when null.
    pub kind: Option<String>,
    /// A flag colour key.
    pub flag: Option<String>,
    /// The responsible agent.
    pub assignee: Option<String>,
    /// Free tags.
    pub tags: Vec<String>,
}

impl NewCaseInput {
    /// Checks the keys and builds the store's new case.
    pub fn to_new_case(&self) -> Result<NewCase, DeskError> {
        let text = |t: &Option<String>| given(t).map(str::to_owned);
        let platform = given(&self.platform)
            .map(|key| Platform::from_key(key).ok_or_else(|| invalid(format!("未知的平台“{key}”"))))
            .transpose()?;
        let mut new = NewCase {
            platform,
            kind: given(&self.kind).map(kind_key).transpose()?,
            flag: given(&self.flag).map(flag_key).transpose()?,
            assignee: text(&self.assignee),
            tags: self.tags.clone(),
            ..NewCase::default()
        };
        new.facts.refund_no = text(&self.refund_no);
        new.facts.order_no = text(&self.order_no);
        new.facts.buyer_nick = text(&self.buyer_nick);
        new.facts.item_title = text(&self.item_title);
        new.facts.reason_text = text(&self.reason_text);
        new.facts.refund = self.refund_fen.map(Fen);
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::{CaseFacts, DeviceId};
    use afterdesk_store::Store;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn store_with_case() -> (Store, Case) {
        let mut store = Store::open_in_memory(DeviceId("dev-1".to_owned())).unwrap();
        let facts = CaseFacts {
            refund_no: Some("200000000000000001".to_owned()),
            order_no: Some("2938475610000000000".to_owned()),
            buyer_nick: Some("星河小铺".to_owned()),
            reason_text: Some("质量问题".to_owned()),
            return_needed: Some(true),
            refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
            paid: Some(Fen(5_900)),
            refund: Some(Fen(1_250)),
            requested_at: Some(now() - chrono::Duration::hours(3)),
            extra: vec![("备注列".to_owned(), "<b>不是HTML</b>".to_owned())],
            ..CaseFacts::default()
        };
        let case = store
            .add_case(
                NewCase {
                    platform: Some(Platform::Tmall),
                    facts,
                    ..NewCase::default()
                },
                "小王",
                now(),
            )
            .unwrap();
        (store, case)
    }

    #[test]
    fn case_view_is_flat_with_china_time_and_fen() {
        let (_, case) = store_with_case();
        let view = CaseView::from(&case);
        assert_eq!(view.id, case.id.to_string());
        assert_eq!(view.platform, "tmall");
        assert_eq!(view.kind, "quality_issue");
        assert_eq!(view.kind_name, "质量问题");
        assert_eq!(view.refund_status, "awaiting_seller");
        assert_eq!(view.paid_fen, Some(5_900));
        assert_eq!(view.refund_fen, Some(1_250));
        assert_eq!(
            view.requested_at.as_deref(),
            Some("2026-11-22T15:00:00+08:00"),
            "10:00 UTC minus 3 h is 15:00 in China"
        );
        assert_eq!(view.created_at, "2026-11-22T18:00:00+08:00");
        assert_eq!(
            view.extra.get("备注列").map(String::as_str),
            Some("<b>不是HTML</b>")
        );
        assert!(view.open);
    }

    #[test]
    fn case_view_serialises_like_the_cli() {
        let (_, case) = store_with_case();
        let json = serde_json::to_value(CaseView::from(&case)).unwrap();
        assert_eq!(json["refund_fen"], 1_250);
        assert_eq!(json["kind_name"], "质量问题");
        assert_eq!(json["flag"], serde_json::Value::Null);
        assert_eq!(
            json["order_no"], "2938475610000000000",
            "19 digits stay text"
        );
    }

    #[test]
    fn detail_view_carries_notes_and_events() {
        let (mut store, case) = store_with_case();
        let key = case.id.to_string();
        store.add_note(&key, "已联系买家", "小王", now()).unwrap();
        let change = CaseChangeInput {
            flag: Some("red".to_owned()),
            assignee: Some("小李".to_owned()),
            ..CaseChangeInput::default()
        };
        store
            .change_case(&key, &change.to_change().unwrap(), "小王", now())
            .unwrap();
        let detail = CaseDetailView::from(&store.case_detail(&key).unwrap());
        assert_eq!(detail.case.flag.as_deref(), Some("red"));
        assert_eq!(detail.case.assignee.as_deref(), Some("小李"));
        assert_eq!(detail.notes.len(), 1);
        assert_eq!(detail.notes[0].text, "已联系买家");
        assert_eq!(detail.notes[0].author, "小王");
        assert_eq!(detail.notes[0].at, "2026-11-22T18:00:00+08:00");
        let fields: Vec<_> = detail.events.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["flag", "assignee"]);
        let typed: Vec<_> = detail
            .events
            .iter()
            .map(|e| (e.field_kind, e.extra_header.as_deref(), e.record))
            .collect();
        assert_eq!(
            typed,
            [
                (TimelineField::Flag, None, false),
                (TimelineField::Assignee, None, false)
            ],
            "each event carries its field typed, for the UI to translate"
        );
        assert_eq!(detail.events[0].new.as_deref(), Some("red"));
        assert!(detail.order.is_none());
    }

    #[test]
    fn list_view_counts_and_converts() {
        let (store, _) = store_with_case();
        let query = CaseQueryInput {
            kind: Some("quality_issue".to_owned()),
            ..CaseQueryInput::default()
        };
        let list = CaseListView::from(&store.list_cases(&query.to_query().unwrap()).unwrap());
        assert_eq!(list.total, 1);
        assert_eq!(list.cases[0].buyer_nick.as_deref(), Some("星河小铺"));
    }

    #[test]
    fn inputs_refuse_unknown_keys_with_a_message() {
        let bad_kind = CaseQueryInput {
            kind: Some("nonsense".to_owned()),
            ..CaseQueryInput::default()
        };
        let err = bad_kind.to_query().unwrap_err();
        assert_eq!(err.code(), "invalid");
        assert!(err.to_string().contains("nonsense"), "{err}");
        let bad_flag = CaseChangeInput {
            flag: Some("pink".to_owned()),
            ..CaseChangeInput::default()
        };
        assert_eq!(bad_flag.to_change().unwrap_err().code(), "invalid");
        let bad_sort = CaseQueryInput {
            sort: Some("random".to_owned()),
            ..CaseQueryInput::default()
        };
        assert_eq!(bad_sort.to_query().unwrap_err().code(), "invalid");
    }

    #[test]
    fn change_input_clears_flag_and_assignee() {
        let change = CaseChangeInput {
            flag: Some("none".to_owned()),
            assignee: Some("  ".to_owned()),
            ..CaseChangeInput::default()
        }
        .to_change()
        .unwrap();
        assert_eq!(change.flag, Some(None));
        assert_eq!(change.assignee, Some(None));
        let untouched = CaseChangeInput::default().to_change().unwrap();
        assert_eq!(untouched, CaseChange::default());
    }

    #[test]
    fn new_case_input_builds_facts() {
        let new = NewCaseInput {
            refund_no: Some(" 123 ".to_owned()),
            refund_fen: Some(990),
            kind: Some("exchange".to_owned()),
            buyer_nick: Some(String::new()),
            ..NewCaseInput::default()
        }
        .to_new_case()
        .unwrap();
        assert_eq!(new.facts.refund_no.as_deref(), Some("123"));
        assert_eq!(new.facts.refund, Some(Fen(990)));
        assert_eq!(new.kind, Some(ScenarioKind::Exchange));
        assert_eq!(new.facts.buyer_nick, None, "an empty field is not given");
    }
}
