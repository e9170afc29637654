//! Forward-only migrations. A migration is never edited once it has shipped: a change is
//! always a new file appended to the list.

use crate::StoreError;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("migrations/001_cases.sql")),
    M::up(include_str!("migrations/002_evidence.sql")),
    M::up(include_str!("migrations/003_reminders.sql")),
    M::up(include_str!("migrations/004_scripts.sql")),
    M::up(include_str!("migrations/005_parcels.sql")),
    M::up(include_str!("migrations/006_team.sql")),
    M::up(include_str!("migrations/007_sync.sql")),
];

/// The schema version this binary writes.
pub fn latest_version() -> usize {
    MIGRATIONS.len()
}

/// The schema version of a database (`user_version`; 0 for a new file).
pub fn version(conn: &Connection) -> rusqlite::Result<usize> {
    let v: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// Brings a database to the latest version in one transaction.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    Migrations::from_slice(MIGRATIONS)
        .to_latest(conn)
        .map_err(StoreError::Migrate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(
            Migrations::from_slice(MIGRATIONS).validate().is_ok(),
            "every migration must apply to an empty database"
        );
    }
}
