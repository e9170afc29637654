//! Moving records between Rust values and table rows.

use afterdesk_case::{
    Case, CaseFacts, DeviceId, Fen, Flag, KindSource, Platform, RecordId, ScenarioKind,
};
use chrono::{DateTime, Utc};
use rusqlite::{Row, Statement};

/// The columns of `cases` in the order [`bind_case`] binds and [`case_from_row`] reads.
pub const CASE_COLUMNS: &str = "id, platform, refund_no, order_no, alipay_no, buyer_nick, item_title, \
    sku_code, reason_text, buyer_note, refund_status_text, goods_status_text, intervention_text, \
    return_needed, full_refund, manual_refund, paid_fen, refund_fen, ship_logistics, return_logistics, \
    paid_at, shipped_at, signed_at, requested_at, return_shipped_at, return_received_at, intervened_at, \
    completed_at, extra, refund_status, reason, kind, kind_source, flag, assignee, tags, open, \
    origin, created_at, updated_at, updated_by, deleted_at";

/// How many columns [`CASE_COLUMNS`] names.
pub const CASE_COLUMN_COUNT: usize = 42;

/// The names in [`CASE_COLUMNS`], in order.
pub static CASE_COLUMN_NAMES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| CASE_COLUMNS.split(',').map(str::trim).collect());

/// One column value as [`bind_case`] binds it, borrowed from the case: what the import's
/// capture compares and writes into its ops, so that an op holds exactly what the row
/// holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// NULL.
    Null,
    /// An INTEGER (booleans are 0 and 1, as SQLite stores them).
    Int(i64),
    /// A TEXT.
    Text(std::borrow::Cow<'a, str>),
}

impl serde::Serialize for Cell<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => serializer.serialize_unit(),
            Cell::Int(i) => serializer.serialize_i64(*i),
            Cell::Text(t) => serializer.serialize_str(t),
        }
    }
}

fn text(value: &Option<String>) -> Cell<'_> {
    value
        .as_deref()
        .map_or(Cell::Null, |t| Cell::Text(t.into()))
}

fn int(value: Option<i64>) -> Cell<'static> {
    value.map_or(Cell::Null, Cell::Int)
}

fn flag(value: Option<bool>) -> Cell<'static> {
    int(value.map(i64::from))
}

/// A case's values in [`CASE_COLUMNS`] order, as [`bind_case`] binds them.
pub fn case_cells(case: &Case) -> [Cell<'_>; CASE_COLUMN_COUNT] {
    let f = &case.facts;
    let owned = |t: String| Cell::Text(t.into());
    [
        owned(case.id.to_string()),
        Cell::Text(case.platform.key().into()),
        text(&f.refund_no),
        text(&f.order_no),
        text(&f.alipay_no),
        text(&f.buyer_nick),
        text(&f.item_title),
        text(&f.sku_code),
        text(&f.reason_text),
        text(&f.buyer_note),
        text(&f.refund_status_text),
        text(&f.goods_status_text),
        text(&f.intervention_text),
        flag(f.return_needed),
        flag(f.full_refund),
        flag(f.manual_refund),
        int(f.paid.map(|m| m.0)),
        int(f.refund.map(|m| m.0)),
        text(&f.ship_logistics),
        text(&f.return_logistics),
        int(ms(f.paid_at)),
        int(ms(f.shipped_at)),
        int(ms(f.signed_at)),
        int(ms(f.requested_at)),
        int(ms(f.return_shipped_at)),
        int(ms(f.return_received_at)),
        int(ms(f.intervened_at)),
        int(ms(f.completed_at)),
        extra_json(&f.extra).map_or(Cell::Null, owned),
        Cell::Text(f.refund_status().key().into()),
        Cell::Text(f.reason().key().into()),
        Cell::Text(case.kind.key().into()),
        Cell::Text(case.kind_source.key().into()),
        case.flag.map_or(Cell::Null, |x| Cell::Text(x.key().into())),
        text(&case.assignee),
        owned(serde_json::to_string(&case.tags).unwrap_or_else(|_| "[]".to_owned())),
        Cell::Int(i64::from(case.open)),
        Cell::Text(case.origin.as_str().into()),
        Cell::Int(case.created_at.timestamp_millis()),
        Cell::Int(case.updated_at.timestamp_millis()),
        Cell::Text(case.updated_by.0.as_str().into()),
        int(ms(case.deleted_at)),
    ]
}

/// An instant as stored: milliseconds since the epoch, UTC.
pub fn ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

/// An instant read back.
pub fn instant(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

/// Extra export columns as stored: a JSON array of `[header, value]` pairs, or NULL.
pub fn extra_json(extra: &[(String, String)]) -> Option<String> {
    if extra.is_empty() {
        None
    } else {
        serde_json::to_string(extra).ok()
    }
}

/// Binds a case's values to parameters `first..first+40` in [`CASE_COLUMNS`] order.
pub fn bind_case(stmt: &mut Statement<'_>, first: usize, case: &Case) -> rusqlite::Result<()> {
    let f = &case.facts;
    let mut i = first;
    let mut bind = |value: &dyn rusqlite::ToSql| -> rusqlite::Result<()> {
        stmt.raw_bind_parameter(i, value)?;
        i += 1;
        Ok(())
    };
    bind(&case.id.to_string())?;
    bind(&case.platform.key())?;
    bind(&f.refund_no)?;
    bind(&f.order_no)?;
    bind(&f.alipay_no)?;
    bind(&f.buyer_nick)?;
    bind(&f.item_title)?;
    bind(&f.sku_code)?;
    bind(&f.reason_text)?;
    bind(&f.buyer_note)?;
    bind(&f.refund_status_text)?;
    bind(&f.goods_status_text)?;
    bind(&f.intervention_text)?;
    bind(&f.return_needed)?;
    bind(&f.full_refund)?;
    bind(&f.manual_refund)?;
    bind(&f.paid.map(|m| m.0))?;
    bind(&f.refund.map(|m| m.0))?;
    bind(&f.ship_logistics)?;
    bind(&f.return_logistics)?;
    bind(&ms(f.paid_at))?;
    bind(&ms(f.shipped_at))?;
    bind(&ms(f.signed_at))?;
    bind(&ms(f.requested_at))?;
    bind(&ms(f.return_shipped_at))?;
    bind(&ms(f.return_received_at))?;
    bind(&ms(f.intervened_at))?;
    bind(&ms(f.completed_at))?;
    bind(&extra_json(&f.extra))?;
    bind(&f.refund_status().key())?;
    bind(&f.reason().key())?;
    bind(&case.kind.key())?;
    bind(&case.kind_source.key())?;
    bind(&case.flag.map(Flag::key))?;
    bind(&case.assignee)?;
    bind(&serde_json::to_string(&case.tags).unwrap_or_else(|_| "[]".to_owned()))?;
    bind(&case.open)?;
    bind(&case.origin)?;
    bind(&case.created_at.timestamp_millis())?;
    bind(&case.updated_at.timestamp_millis())?;
    bind(&case.updated_by.0)?;
    bind(&ms(case.deleted_at))?;
    Ok(())
}

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

/// Reads a case from a row selected with [`CASE_COLUMNS`] starting at column 0.
pub fn case_from_row(row: &Row<'_>) -> rusqlite::Result<Case> {
    let id_text: String = row.get(0)?;
    let id = RecordId::parse(&id_text).ok_or_else(|| corrupt("id"))?;
    let extra: Option<String> = row.get(28)?;
    let extra: Vec<(String, String)> = extra
        .and_then(|e| serde_json::from_str(&e).ok())
        .unwrap_or_default();
    let tags: String = row.get(35)?;
    let facts = CaseFacts {
        refund_no: row.get(2)?,
        order_no: row.get(3)?,
        alipay_no: row.get(4)?,
        buyer_nick: row.get(5)?,
        item_title: row.get(6)?,
        sku_code: row.get(7)?,
        reason_text: row.get(8)?,
        buyer_note: row.get(9)?,
        refund_status_text: row.get(10)?,
        goods_status_text: row.get(11)?,
        intervention_text: row.get(12)?,
        return_needed: row.get(13)?,
        full_refund: row.get(14)?,
        manual_refund: row.get(15)?,
        paid: row.get::<_, Option<i64>>(16)?.map(Fen),
        refund: row.get::<_, Option<i64>>(17)?.map(Fen),
        ship_logistics: row.get(18)?,
        return_logistics: row.get(19)?,
        paid_at: instant(row.get(20)?),
        shipped_at: instant(row.get(21)?),
        signed_at: instant(row.get(22)?),
        requested_at: instant(row.get(23)?),
        return_shipped_at: instant(row.get(24)?),
        return_received_at: instant(row.get(25)?),
        intervened_at: instant(row.get(26)?),
        completed_at: instant(row.get(27)?),
        extra,
    };
    let platform: String = row.get(1)?;
    let kind: String = row.get(31)?;
    let kind_source: String = row.get(32)?;
    let flag: Option<String> = row.get(33)?;
    Ok(Case {
        id,
        platform: Platform::from_key(&platform).unwrap_or(Platform::Other),
        facts,
        kind: ScenarioKind::from_key_lossy(&kind),
        kind_source: KindSource::from_key(&kind_source).unwrap_or(KindSource::Derived),
        flag: flag.as_deref().and_then(Flag::from_key),
        assignee: row.get(34)?,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        open: row.get(36)?,
        origin: row.get(37)?,
        created_at: instant(row.get(38)?).ok_or_else(|| corrupt("created_at"))?,
        updated_at: instant(row.get(39)?).ok_or_else(|| corrupt("updated_at"))?,
        updated_by: DeviceId(row.get(40)?),
        deleted_at: instant(row.get(41)?),
    })
}

/// `?1, ?2, …` for `count` parameters starting at `first`.
pub fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
