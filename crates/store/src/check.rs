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

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` starts like an SQLite database.
fn has_sqlite_header(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0_u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_MAGIC)
}

/// Runs SQLite's quick check (every page and b-tree, without comparing indexes to their
/// tables) on the database file at `path` and tells whether it is a sound AfterDesk shop.
/// Reads only.
pub(crate) fn examine(conn: &Connection, path: &Path) -> rusqlite::Result<Finding> {
    let findings = match quick_check(conn) {
        Ok(findings) => findings,
        // SQLite says "not a database" both for another kind of file and for a database
        // whose schema pages are overwritten; the file's first bytes tell them apart.
        Err(e) => {
            return match is_damage(&e) {
                Some(_) if has_sqlite_header(path) => Ok(Finding::Damaged(e.to_string())),
                Some(_) => Ok(Finding::Foreign),
                None => Err(e),
            };
        }
    };
    if findings.first().is_some_and(|f| f != "ok") {
        return Ok(Finding::Damaged(summary(&findings)));
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

/// SQLite's first finding, without its `*** in database main ***` heading, and whether
/// there are more: the whole list is long and means nothing more to a seller.
fn summary(findings: &[String]) -> String {
    let lines: Vec<&str> = findings
        .iter()
        .flat_map(|f| f.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("***"))
        .collect();
    match lines.as_slice() {
        [] => findings.join("；"),
        [only] => (*only).to_owned(),
        [first, ..] => format!("{first}，另有更多问题"),
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
    let finding = examine(conn, path).map_err(|source| open_error(path, source))?;
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

/// Whether a SQLite error means damaged content or a file that is no database.
pub(crate) fn not_a_database(error: &rusqlite::Error) -> bool {
    is_damage(error).is_some()
}

/// The error for a failure to open or set up a connection to the shop at `path`: a damaged
/// database, a file that is not one, or (locked, unreadable) a plain open error.
pub(crate) fn open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    match is_damage(&source) {
        Some(_) if has_sqlite_header(path) => StoreError::Damaged {
            path: path.to_owned(),
            finding: source.to_string(),
        },
        Some(_) => StoreError::NotAShop {
            path: path.to_owned(),
        },
        None => StoreError::Open {
            path: path.to_owned(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_finding_shown_to_the_seller_is_the_first_one_without_its_heading() {
        let cases: [(&[&str], &str); 3] = [
            (
                &[
                    "*** in database main ***\nTree 70 page 70: btreeInitPage() returns error code 11\nTree 2 page 72: btreeInitPage() returns error code 11",
                    "wrong # of entries in index cases_order_no",
                ],
                "Tree 70 page 70: btreeInitPage() returns error code 11，另有更多问题",
            ),
            (
                &["wrong # of entries in index x"],
                "wrong # of entries in index x",
            ),
            (&["*** in database main ***"], "*** in database main ***"),
        ];
        for (findings, want) in cases {
            let findings: Vec<String> = findings.iter().map(|f| (*f).to_owned()).collect();
            assert_eq!(
                summary(&findings),
                want,
                "the seller sees SQLite's first finding and whether more follow"
            );
        }
    }
}
