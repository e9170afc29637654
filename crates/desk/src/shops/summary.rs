//! Counts for the workbench: how many cases are open and closed, by scenario kind.

use crate::DeskError;
use afterdesk_case::ScenarioKind;
use afterdesk_store::Store;
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

/// Counts the shop's cases by status and kind, in one indexed query.
pub fn shop_summary(store: &Store) -> Result<ShopSummary, DeskError> {
    let mut by_kind: Vec<KindCount> = Vec::new();
    let (mut total, mut open) = (0u64, 0u64);
    for (kind, is_open, count) in store.count_by_kind()? {
        total += count;
        let entry = match by_kind.iter_mut().find(|k| k.kind == kind.key()) {
            Some(entry) => entry,
            None => {
                by_kind.push(KindCount {
                    kind: kind.key().to_owned(),
                    kind_name: kind.zh_name().to_owned(),
                    open: 0,
                    total: 0,
                });
                let last = by_kind.len() - 1;
                &mut by_kind[last]
            }
        };
        entry.total += count;
        if is_open {
            entry.open += count;
            open += count;
        }
    }
    // Most open first, then most in all; the scenario order breaks ties so the list is stable.
    by_kind.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then(b.total.cmp(&a.total))
            .then_with(|| kind_rank(&a.kind).cmp(&kind_rank(&b.kind)))
    });
    Ok(ShopSummary {
        total,
        open,
        closed: total.saturating_sub(open),
        by_kind,
    })
}

/// A kind's position in [`ScenarioKind::ALL`].
fn kind_rank(key: &str) -> usize {
    ScenarioKind::ALL
        .iter()
        .position(|k| k.key() == key)
        .unwrap_or(usize::MAX)
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
