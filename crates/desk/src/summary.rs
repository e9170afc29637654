//! Counts for the workbench: how many cases are open and closed, by scenario kind.

use crate::DeskError;
use afterdesk_case::ScenarioKind;
use afterdesk_store::{CaseQuery, Store};
use serde::Serialize;

/// How many cases of one scenario kind the shop has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct KindCount {
    /// The kind's key.
    pub kind: String,
    /// The kind's Chinese name.
    pub kind_name: String,
    /// Open cases of this kind.
    pub open: u64,
    /// All cases of this kind (open and closed, not deleted).
    pub total: u64,
}

/// The shop's case counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ShopSummary {
    /// Cases not deleted.
    pub total: u64,
    /// Cases the desk still has work on.
    pub open: u64,
    /// Cases that are finished.
    pub closed: u64,
    /// Counts per kind, only kinds the shop has, most open cases first.
    pub by_kind: Vec<KindCount>,
}

fn count(store: &Store, query: CaseQuery) -> Result<u64, DeskError> {
    // One row is the least a list query can fetch; only its total is used.
    Ok(store.list_cases(&CaseQuery { limit: 1, ..query })?.total)
}

/// Counts the shop's cases by status and kind, through the store's indexed list queries.
pub fn shop_summary(store: &Store) -> Result<ShopSummary, DeskError> {
    let total = count(store, CaseQuery::default())?;
    let open = count(
        store,
        CaseQuery {
            open: Some(true),
            ..CaseQuery::default()
        },
    )?;
    let mut by_kind = Vec::new();
    if total > 0 {
        for kind in ScenarioKind::ALL {
            let of_kind = |open| CaseQuery {
                kind: Some(*kind),
                open,
                ..CaseQuery::default()
            };
            let kind_total = count(store, of_kind(None))?;
            if kind_total == 0 {
                continue;
            }
            by_kind.push(KindCount {
                kind: kind.key().to_owned(),
                kind_name: kind.zh_name().to_owned(),
                open: count(store, of_kind(Some(true)))?,
                total: kind_total,
            });
        }
    }
    by_kind.sort_by(|a, b| b.open.cmp(&a.open).then(b.total.cmp(&a.total)));
    Ok(ShopSummary {
        total,
        open,
        closed: total.saturating_sub(open),
        by_kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo_shop;
    use afterdesk_case::DeviceId;
    use chrono::{TimeZone, Utc};

    #[test]
    fn an_empty_shop_counts_nothing() {
        let store = Store::open_in_memory(DeviceId("d".to_owned())).unwrap();
        let summary = shop_summary(&store).unwrap();
        assert_eq!((summary.total, summary.open, summary.closed), (0, 0, 0));
        assert!(summary.by_kind.is_empty());
    }

    #[test]
    fn kinds_add_up_to_the_total() {
        let mut store = Store::open_in_memory(DeviceId("d".to_owned())).unwrap();
        let now = Utc
            .with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap_or_default();
        demo_shop(&mut store, "演示", now).unwrap();
        let summary = shop_summary(&store).unwrap();
        assert_eq!(summary.total, crate::DEMO_CASES as u64);
        assert_eq!(summary.open + summary.closed, summary.total);
        assert_eq!(
            summary.by_kind.iter().map(|k| k.total).sum::<u64>(),
            summary.total
        );
        assert_eq!(
            summary.by_kind.iter().map(|k| k.open).sum::<u64>(),
            summary.open
        );
        assert!(summary.by_kind.windows(2).all(|w| w[0].open >= w[1].open));
    }
}
