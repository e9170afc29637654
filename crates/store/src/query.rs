//! Reading cases: the filtered list, one case with its notes and timeline.

use crate::codec::{CASE_COLUMNS, case_from_row, instant};
use crate::{Store, StoreError};
use afterdesk_case::{
    Actor, Case, CaseEvent, DeviceId, Fen, Flag, Note, Order, OrderFacts, RecordId, ScenarioKind,
};
use rusqlite::OptionalExtension;
use rusqlite::types::ToSql;
use serde::{Deserialize, Serialize};

/// How a case list is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Oldest refund request first: the buyer who has waited longest comes first.
    #[default]
    RequestedAsc,
    /// Newest refund request first.
    RequestedDesc,
    /// Most recently changed first.
    UpdatedDesc,
}

/// A filter over the shop's cases. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseQuery {
    /// Only open (`true`) or closed (`false`) cases.
    pub open: Option<bool>,
    /// Only this scenario kind.
    pub kind: Option<ScenarioKind>,
    /// Only this flag colour.
    pub flag: Option<Flag>,
    /// Only this assignee.
    pub assignee: Option<String>,
    /// Full-text search over buyer, numbers, item title, reason and notes; words separated
    /// by spaces must all match.
    pub text: Option<String>,
    /// The order.
    pub sort: CaseSort,
    /// At most this many cases (0 means the default page size).
    pub limit: u32,
    /// Skip this many.
    pub offset: u32,
}

/// One page of a case list and how many cases match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseList {
    /// How many cases match the filter.
    pub total: u64,
    /// The requested page.
    pub cases: Vec<Case>,
}

/// A case with everything recorded on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDetail {
    /// The case.
    pub case: Case,
    /// Its notes, oldest first.
    pub notes: Vec<Note>,
    /// Its timeline, oldest first.
    pub events: Vec<CaseEvent>,
    /// The order from the order export, if one was imported.
    pub order: Option<Order>,
}

/// The page size when a query names none.
///
/// Fifty rows fill a desktop window twice over; the list view fetches further pages as
/// the user scrolls.
pub const DEFAULT_PAGE: u32 = 50;

/// Search terms shorter than this cannot use the trigram index and fall back to LIKE.
const TRIGRAM: usize = 3;

/// Quotes a term as an FTS5 phrase so that its punctuation is taken literally.
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

impl Store {
    /// Live cases counted by kind and open state, in one pass over the open/kind index:
    /// `(kind, open, count)`. The workbench's counts come from here; asking
    /// [`Store::list_cases`] for each kind's total scanned the whole table 48 times.
    pub fn count_by_kind(&self) -> Result<Vec<(ScenarioKind, bool, u64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, open, count(*) FROM cases WHERE deleted_at IS NULL GROUP BY open, kind",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?;
        let mut counts = Vec::new();
        for row in rows {
            let (key, open, count) = row?;
            let kind = ScenarioKind::from_key(&key)
                .ok_or_else(|| StoreError::Corrupt(format!("未知的售后类型“{key}”")))?;
            counts.push((kind, open, u64::try_from(count).unwrap_or(0)));
        }
        Ok(counts)
    }

    /// The cases matching a query, one page at a time.
    pub fn list_cases(&self, query: &CaseQuery) -> Result<CaseList, StoreError> {
        let mut conditions = vec!["c.deleted_at IS NULL".to_owned()];
        let mut params: Vec<Box<dyn ToSql>> = Vec::new();
        let param = |value: Box<dyn ToSql>, params: &mut Vec<Box<dyn ToSql>>| {
            params.push(value);
            format!("?{}", params.len())
        };
        if let Some(open) = query.open {
            let p = param(Box::new(open), &mut params);
            conditions.push(format!("c.open = {p}"));
        }
        if let Some(kind) = query.kind {
            let p = param(Box::new(kind.key()), &mut params);
            conditions.push(format!("c.kind = {p}"));
        }
        if let Some(flag) = query.flag {
            let p = param(Box::new(flag.key()), &mut params);
            conditions.push(format!("c.flag = {p}"));
        }
        if let Some(assignee) = &query.assignee {
            let p = param(Box::new(assignee.clone()), &mut params);
            conditions.push(format!("c.assignee = {p}"));
        }
        for term in query.text.iter().flat_map(|t| t.split_whitespace()) {
            let (op, value) = if term.chars().count() >= TRIGRAM {
                ("MATCH", fts_phrase(term))
            } else {
                ("LIKE", format!("%{}%", term.replace(['%', '_'], "")))
            };
            let p = param(Box::new(value), &mut params);
            // FTS5 matches through the table-named column for MATCH, the body for LIKE.
            let target = |table: &str| {
                if op == "MATCH" {
                    table.to_owned()
                } else {
                    "body".to_owned()
                }
            };
            let mut sources = vec![
                format!(
                    "SELECT rowid FROM case_search WHERE {} {op} {p}",
                    target("case_search")
                ),
                format!(
                    "SELECT seq FROM cases WHERE item_title IN (SELECT title FROM item_titles WHERE seq IN \
                     (SELECT rowid FROM title_search WHERE {} {op} {p}))",
                    target("title_search")
                ),
                format!(
                    "SELECT cs.seq FROM cases cs WHERE cs.id IN (SELECT n.case_id FROM notes n WHERE n.seq IN \
                     (SELECT rowid FROM note_search WHERE {} {op} {p}))",
                    target("note_search")
                ),
            ];
            if term.bytes().all(|b| b.is_ascii_alphanumeric()) {
                // Numbers are matched from their start through the B-tree indexes.
                let prefix = param(Box::new(format!("{term}*")), &mut params);
                sources.push(format!(
                    "SELECT seq FROM cases WHERE refund_no GLOB {prefix}"
                ));
                sources.push(format!(
                    "SELECT seq FROM cases WHERE order_no GLOB {prefix}"
                ));
            }
            conditions.push(format!("c.seq IN ({})", sources.join(" UNION ")));
        }
        let filter = conditions.join(" AND ");
        let order = match query.sort {
            CaseSort::RequestedAsc => "c.requested_at ASC",
            CaseSort::RequestedDesc => "c.requested_at DESC",
            CaseSort::UpdatedDesc => "c.updated_at DESC",
        };
        let refs: Vec<&dyn ToSql> = params.iter().map(|p| p.as_ref()).collect();
        let total: i64 = self
            .conn
            .prepare_cached(&format!("SELECT count(*) FROM cases c WHERE {filter}"))?
            .query_row(refs.as_slice(), |r| r.get(0))?;
        let limit = if query.limit == 0 {
            DEFAULT_PAGE
        } else {
            query.limit
        };
        let columns = CASE_COLUMNS
            .split(", ")
            .map(|c| format!("c.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns} FROM cases c WHERE {filter} ORDER BY {order} LIMIT {limit} OFFSET {}",
            query.offset
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let cases = stmt
            .query_map(refs.as_slice(), case_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CaseList {
            total: u64::try_from(total).unwrap_or(0),
            cases,
        })
    }

    /// Finds a case by its id, its refund number, or (if only one case has it) its order
    /// number. Deleted cases are found too, so that they can be restored.
    pub fn find_case(&self, key: &str) -> Result<Case, StoreError> {
        find_case_in(&self.conn, key)
    }

    /// A case with its notes, timeline and order.
    pub fn case_detail(&self, key: &str) -> Result<CaseDetail, StoreError> {
        let case = self.find_case(key)?;
        let id = case.id.to_string();
        let notes = self
            .conn
            .prepare_cached("SELECT id, author, device, at, text FROM notes WHERE case_id = ?1 ORDER BY at, seq")?
            .query_map([&id], |r| {
                Ok(Note {
                    id: parse_id(&r.get::<_, String>(0)?)?,
                    case_id: case.id,
                    author: Actor { agent: r.get(1)?, device: DeviceId(r.get(2)?) },
                    at: instant(r.get(3)?).unwrap_or_default(),
                    text: r.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let events = self
            .conn
            .prepare_cached(
                "SELECT id, actor, device, at, field, old, new FROM case_events WHERE case_id = ?1 ORDER BY at, seq",
            )?
            .query_map([&id], |r| {
                Ok(CaseEvent {
                    id: parse_id(&r.get::<_, String>(0)?)?,
                    case_id: case.id,
                    actor: Actor { agent: r.get(1)?, device: DeviceId(r.get(2)?) },
                    at: instant(r.get(3)?).unwrap_or_default(),
                    field: r.get(4)?,
                    old: r.get(5)?,
                    new: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let order = match &case.facts.order_no {
            Some(order_no) => self.order(order_no)?,
            None => None,
        };
        Ok(CaseDetail {
            case,
            notes,
            events,
            order,
        })
    }

    /// The order with this number, if the order export brought one.
    pub fn order(&self, order_no: &str) -> Result<Option<Order>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, order_no, buyer_nick, item_title, paid_fen, paid_at, shipped_at, status_text,
                 logistics, address, extra FROM orders WHERE order_no = ?1 AND deleted_at IS NULL",
            )?
            .query_row([order_no], |r| {
                let extra: Option<String> = r.get(10)?;
                Ok(Order {
                    id: parse_id(&r.get::<_, String>(0)?)?,
                    facts: OrderFacts {
                        order_no: r.get(1)?,
                        buyer_nick: r.get(2)?,
                        item_title: r.get(3)?,
                        paid: r.get::<_, Option<i64>>(4)?.map(Fen),
                        paid_at: instant(r.get(5)?),
                        shipped_at: instant(r.get(6)?),
                        status_text: r.get(7)?,
                        logistics: r.get(8)?,
                        address: r.get(9)?,
                        extra: extra.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or_default(),
                    },
                })
            })
            .optional()?)
    }
}

fn parse_id(text: &str) -> rusqlite::Result<RecordId> {
    RecordId::parse(text).ok_or_else(|| {
        rusqlite::Error::InvalidColumnType(0, "id".to_owned(), rusqlite::types::Type::Text)
    })
}

/// Finds a case by id, refund number or order number on `conn`, which may be a write
/// transaction that is about to change it (see `Store::change_case`).
pub(crate) fn find_case_in(conn: &rusqlite::Connection, key: &str) -> Result<Case, StoreError> {
    let key = key.trim();
    let by = |column: &str, value: &str| -> Result<Vec<Case>, StoreError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {column} = ?1 LIMIT 2"
        ))?;
        Ok(stmt
            .query_map([value], case_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
    };
    if let Some(id) = RecordId::parse(key)
        && let Some(case) = by("id", &id.to_string())?.pop()
    {
        return Ok(case);
    }
    if let Some(case) = by("refund_no", key)?.pop() {
        return Ok(case);
    }
    let mut by_order = by("order_no", key)?;
    match by_order.len() {
        0 => Err(StoreError::CaseNotFound(key.to_owned())),
        1 => Ok(by_order.remove(0)),
        n => Err(StoreError::Ambiguous {
            key: key.to_owned(),
            count: n,
        }),
    }
}
