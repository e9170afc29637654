//! The demo shop: a store filled with realistic generated cases, so a new user can learn
//! the desk before importing their own export.

use crate::{DeskError, ImportOptions, import_file};
use afterdesk_case::Flag;
use afterdesk_fixtures::{Encoding, Spec, write_refund_csv};
use afterdesk_store::{CaseChange, CaseQuery, Store, StoreError};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How many refunds the demo shop's export holds.
///
/// Fifty cases fill more than one page of the case list (so paging and scrolling can be
/// tried) and cover every scenario the generator knows several times, while the demo still
/// opens in a blink.
pub const DEMO_CASES: usize = 50;

/// The generator's seed for the demo shop, fixed so every demo shows the same cases.
const DEMO_SEED: u64 = 20_261_122;

/// The name the demo export is imported under; it shows in each case's origin.
const DEMO_FILE: &str = "演示店铺淘宝退款导出.csv";

/// The notes, flags and assignees put on the first cases, so the case page shows them.
const DEMO_TOUCHES: &[(Flag, &str, &str)] = &[
    (
        Flag::Red,
        "小王",
        "买家说收到时外箱已经压坏，已让买家拍照上传。",
    ),
    (Flag::Yellow, "小李", "已联系仓库核实发货重量，等回复。"),
    (Flag::Green, "小王", "同意退款，等买家寄回后验货。"),
    (Flag::Blue, "小张", "买家要求换货，已询问尺码。"),
    (
        Flag::Purple,
        "小李",
        "平台已介入，证据已提交：聊天截图、发货视频。",
    ),
];

/// Fills an empty store with the demo shop: [`DEMO_CASES`] refunds imported from a
/// generated UTF-8 export (through the real importer, so the demo shows exactly what an
/// import gives), then a few notes, flags and assignees.
///
/// The export is written to a private folder in the system's temporary directory and
/// removed afterwards. A store that already holds cases is refused, because the demo must
/// never mix with a real shop's data.
pub fn demo_shop(store: &mut Store, agent: &str, now: DateTime<Utc>) -> Result<u64, DeskError> {
    let existing = store.list_cases(&CaseQuery {
        limit: 1,
        open: None,
        ..CaseQuery::default()
    })?;
    if existing.total > 0 {
        return Err(DeskError::Store(StoreError::Invalid(
            "演示店铺只能放进空的店铺数据库".to_owned(),
        )));
    }
    let dir = demo_dir(now);
    let settings = |source| DeskError::Settings {
        path: dir.clone(),
        source,
    };
    std::fs::create_dir_all(&dir).map_err(settings)?;
    let path = dir.join(DEMO_FILE);
    let result = write_and_import(store, &path, agent, now);
    // The export was only a vehicle; a leftover temp file is harmless, so a failure to
    // remove it is not reported.
    let _ = std::fs::remove_dir_all(&dir);
    let report = result?;
    let first = store.list_cases(&CaseQuery {
        limit: u32::try_from(DEMO_TOUCHES.len()).unwrap_or(u32::MAX),
        open: Some(true),
        ..CaseQuery::default()
    })?;
    for (case, (flag, assignee, note)) in first.cases.iter().zip(DEMO_TOUCHES) {
        let key = case.id.to_string();
        let change = CaseChange {
            flag: Some(Some(*flag)),
            assignee: Some(Some((*assignee).to_owned())),
            ..CaseChange::default()
        };
        store.change_case(&key, &change, agent, now)?;
        store.add_note(&key, note, assignee, now)?;
    }
    // The demo's cases carry shipping texts like a real export; their parcels are made as
    // an import in the app makes them, so the demo shows parcels too.
    crate::parcels_from_imports(store, agent, now)?;
    Ok(report.created)
}

/// Writes the demo export to `path` and imports it.
fn write_and_import(
    store: &mut Store,
    path: &Path,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<crate::ImportReport, DeskError> {
    let settings = |source| DeskError::Settings {
        path: path.to_owned(),
        source,
    };
    let spec = Spec {
        rows: DEMO_CASES,
        seed: DEMO_SEED,
        later: true,
        bad_every: None,
        now,
    };
    let mut file = std::fs::File::create(path).map_err(settings)?;
    write_refund_csv(&mut file, &spec, Encoding::Utf8).map_err(settings)?;
    drop(file);
    let cancel = AtomicBool::new(false);
    import_file(
        store,
        path,
        agent,
        now,
        &ImportOptions::default(),
        &mut |_| {},
        &cancel,
    )
}

/// Counts the demo shops made by this process, so that two made at the same instant (two
/// threads, or tests running in parallel) never share, and delete, each other's folder.
static DEMO_SERIAL: AtomicU64 = AtomicU64::new(0);

/// A temporary folder nobody else uses: the process id, the instant and a per-process
/// serial number keep any two demo shops apart.
fn demo_dir(now: DateTime<Utc>) -> PathBuf {
    std::env::temp_dir().join(format!(
        "afterdesk-demo-{}-{}-{}",
        std::process::id(),
        now.timestamp_micros(),
        DEMO_SERIAL.fetch_add(1, Ordering::Relaxed)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use afterdesk_case::DeviceId;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn fills_an_empty_store_with_cases_notes_and_flags() {
        let mut store = Store::open_in_memory(DeviceId("demo".to_owned())).unwrap();
        let created = demo_shop(&mut store, "演示", now()).unwrap();
        assert_eq!(created, DEMO_CASES as u64);
        let all = store
            .list_cases(&CaseQuery {
                limit: 100,
                ..CaseQuery::default()
            })
            .unwrap();
        assert_eq!(all.total, DEMO_CASES as u64);
        let open = store
            .list_cases(&CaseQuery {
                open: Some(true),
                ..CaseQuery::default()
            })
            .unwrap();
        assert!(
            open.total > 0 && open.total < DEMO_CASES as u64,
            "the demo has open and closed cases, got {} open",
            open.total
        );
        let red = store
            .list_cases(&CaseQuery {
                flag: Some(Flag::Red),
                ..CaseQuery::default()
            })
            .unwrap();
        assert_eq!(red.total, 1);
        let detail = store.case_detail(&red.cases[0].id.to_string()).unwrap();
        assert_eq!(detail.case.assignee.as_deref(), Some("小王"));
        assert_eq!(detail.notes.len(), 1);
        assert!(
            detail.case.origin.contains(DEMO_FILE),
            "{}",
            detail.case.origin
        );
    }

    #[test]
    fn refuses_a_store_that_has_cases() {
        let mut store = Store::open_in_memory(DeviceId("demo".to_owned())).unwrap();
        demo_shop(&mut store, "演示", now()).unwrap();
        let err = demo_shop(&mut store, "演示", now()).unwrap_err();
        assert_eq!(err.code(), "invalid");
    }
}
