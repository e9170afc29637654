//! Checks a database file before it is trusted: that SQLite finds it sound, and that it is
//! an AfterDesk shop of a schema this binary knows.
//!
//! A shop is checked every time it is opened, so that a damaged file is refused before the
//! app writes into it (which can spread the damage) and the user is told to restore a
//! backup; a backup is checked before it replaces the shop's data.

use crate::{StoreError, schema};
use rusqlite::{Connection, ErrorCode};
use std::path::Path;

/// The tables every AfterDesk shop has had since its first schema; a database with a
/// schema version but without them belongs to another program.
const SHOP_TABLES: [&str; 3] = ["cases", "notes", "case_events"];

/// What the check of a database found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    /// Sound, and an AfterDesk shop at this schema version (0: new and empty).
    Shop(usize),
    /// SQLite found damage; its first finding.
    Damaged(String),
    /// Not an SQLite database, or another program's.
    Foreign,
}

/// Whether a SQLite error means the file's content is damaged or is no database at all,
/// as opposed to a locked or unreadable file.
fn is_damage(error: &rusqlite::Error) -> Option<ErrorCode> {
    match error.sqlite_error_code() {
        Some(code @ (ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)) => Some(code),
        _ => None,
    }
}

/// Runs SQLite's quick check (every page and b-tree, without comparing indexes to their
/// tables) and tells whether the database is a sound AfterDesk shop. Reads only.
pub(crate) fn examine(conn: &Connection) -> rusqlite::Result<Finding> {
    let findings = match quick_check(conn) {
        Ok(findings) => findings,
        Err(e) => {
            return match is_damage(&e) {
                Some(ErrorCode::NotADatabase) => Ok(Finding::Foreign),
                Some(_) => Ok(Finding::Damaged(e.to_string())),
                None => Err(e),
            };
        }
    };
    if findings.first().is_some_and(|f| f != "ok") {
        return Ok(Finding::Damaged(findings.join("；")));
    }
    let version = schema::version(conn)?;
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let ours = SHOP_TABLES.iter().all(|t| tables.iter().any(|n| n == t));
    // A new file has neither tables nor a version; anything else must carry the shop's
    // own tables, so that the migrations never write into another program's database.
    let empty = version == 0 && tables.is_empty();
    if empty || ours {
        Ok(Finding::Shop(version))
    } else {
        Ok(Finding::Foreign)
    }
}

/// SQLite's `quick_check` findings, at most a handful (`["ok"]` when sound).
fn quick_check(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA quick_check(5)")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The opening check of the shop at `path`: a damaged or foreign file is refused with an
/// error that says how to restore. Returns the schema version found.
pub(crate) fn opening(conn: &Connection, path: &Path) -> Result<usize, StoreError> {
    let finding = examine(conn).map_err(|source| match is_damage(&source) {
        Some(_) => StoreError::NotAShop {
            path: path.to_owned(),
        },
        None => StoreError::Open {
            path: path.to_owned(),
            source,
        },
    })?;
    match finding {
        Finding::Shop(version) => Ok(version),
        Finding::Damaged(finding) => Err(StoreError::Damaged {
            path: path.to_owned(),
            finding,
        }),
        Finding::Foreign => Err(StoreError::NotAShop {
            path: path.to_owned(),
        }),
    }
}

/// Whether an error while opening a connection or setting it up means the file is not a
/// database (its first page is not SQLite's).
pub(crate) fn not_a_database(error: &rusqlite::Error) -> bool {
    is_damage(error).is_some()
}
