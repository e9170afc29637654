//! The CLI and the app's core give the same answers: one scenario run twice, once through
//! the `afterdesk` binary and once through `afterdesk_shop::Shop` (the session the app's
//! commands call), on two copies of the same shop, and the results compared.
//!
//! The scenario covers what used to differ: an import that also records the parcels its
//! logistics texts name, a draft from a script the shop edited, and clocks counted with an
//! imported holiday year while the shop's rule file is broken.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::DeviceId;
use afterdesk_desk::{DraftOptions, ImportOptions, ScriptInput};
use afterdesk_shop::{DailyBackup, Shop, ShopPlace};
use assert_cmd::Command;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-20T09:00:00+08:00";
const DEVICE: &str = "parity-device";
const AGENT: &str = "小王";
/// A phrase no built-in script contains, so the draft shows which library it came from.
const EDITED: &str = "（本店改写）";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

fn afterdesk(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("afterdesk").unwrap();
    cmd.env("AFTERDESK_DEVICE", DEVICE)
        .env("AFTERDESK_KEYCHAIN", "memory")
        .env_remove("AFTERDESK_DB")
        .arg("--db")
        .arg(db)
        .args(["--agent", AGENT, "--now", NOW, "--json"]);
    cmd
}

fn cli_json(db: &Path, args: &[&str]) -> Value {
    let out = afterdesk(db).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "afterdesk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn core_shop(db: &Path) -> Shop {
    let shop = Shop::open(
        ShopPlace {
            db: db.to_owned(),
            device: DeviceId(DEVICE.to_owned()),
            config_dir: None,
            backup: DailyBackup::Inline,
            keychain: afterdesk_secret::Keychain::memory(),
        },
        now(),
    );
    shop.check().unwrap();
    shop
}

/// Two shop folders, each with the same export; the first is driven by the CLI, the
/// second by the core.
struct Pair {
    _dir: tempfile::TempDir,
    cli_db: PathBuf,
    core_db: PathBuf,
    export: PathBuf,
    year: PathBuf,
}

fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let cli_db = dir.path().join("cli").join("shop.sqlite");
    let core_db = dir.path().join("core").join("shop.sqlite");
    std::fs::create_dir_all(cli_db.parent().unwrap()).unwrap();
    std::fs::create_dir_all(core_db.parent().unwrap()).unwrap();
    let export = dir.path().join("天猫退款导出.csv");
    let gen_db = dir.path().join("gen.sqlite");
    afterdesk(&gen_db)
        .args(["gen-export", "--rows", "60", "--out"])
        .arg(&export)
        .assert()
        .success();
    let year = dir.path().join("2027.toml");
    std::fs::write(
        &year,
        "year = 2027\nsource = \"店铺自行导入\"\n\n[[holiday]]\nname = \"元旦\"\nfrom = \"2027-01-01\"\nto = \"2027-01-03\"\n",
    )
    .unwrap();
    Pair {
        _dir: dir,
        cli_db,
        core_db,
        export,
        year,
    }
}

/// The shop's edit of the built-in first reply for an unshipped refund, saved through
/// the core in both shops (the CLI has no script editor; the app's is this call).
fn edit_script(db: &Path) {
    let shop = core_shop(db);
    let mut store = shop.store().unwrap();
    let input = ScriptInput {
        id: Some("refund_unshipped.first.1".to_owned()),
        kind: "refund_unshipped".to_owned(),
        stage: "first_reply".to_owned(),
        text: format!("{EDITED}您好，您的退款申请已收到，我们马上处理，谢谢。"),
        text_hant: format!("{EDITED}您好，您的退款申請已收到，我們馬上處理，謝謝。"),
        tags: Vec::new(),
        tone: "standard".to_owned(),
        enabled: true,
        base_version: Some(1),
    };
    afterdesk_desk::save_script(&mut store, &input, AGENT, now()).unwrap();
}

/// What the two front ends must agree on, with ids (which differ by construction: UUIDv7
/// with a random part) left out.
fn cases_by_refund(shop: &Shop) -> Vec<(String, String, Vec<String>)> {
    let store = shop.store().unwrap();
    let list = store
        .list_cases(&afterdesk_store::CaseQuery {
            open: None,
            limit: 10_000,
            ..Default::default()
        })
        .unwrap();
    let mut rows: Vec<_> = list
        .cases
        .iter()
        .map(|c| {
            let mut waybills: Vec<String> = store
                .parcels_of(&c.id)
                .unwrap()
                .iter()
                .map(|p| p.waybill.to_string())
                .collect();
            waybills.sort();
            (
                c.facts.refund_no.clone().unwrap_or_default(),
                c.kind.key().to_owned(),
                waybills,
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn the_cli_and_the_core_give_the_same_results() {
    let p = pair();

    // 1. Import: the report, and the parcels the logistics texts name.
    let cli_import = cli_json(&p.cli_db, &["import", p.export.to_str().unwrap()]);
    let core = core_shop(&p.core_db);
    let imported = core
        .import(
            &p.export,
            AGENT,
            &ImportOptions::default(),
            &mut |_| {},
            now(),
        )
        .unwrap();
    let core_report = serde_json::to_value(&imported.report).unwrap();
    for field in ["rows", "created", "updated", "unchanged", "error_count"] {
        assert_eq!(
            cli_import[field], core_report[field],
            "the import's {field} is the same through the CLI and the core"
        );
    }
    assert!(
        imported.parcels.added > 0,
        "the generated export names parcels: {:?}",
        imported.parcels
    );
    assert_eq!(
        cli_import["parcels"]["added"], imported.parcels.added,
        "the CLI's import records the parcels the app's import records"
    );
    drop(core);
    let cli_cases = cases_by_refund(&core_shop(&p.cli_db));
    let core_cases = cases_by_refund(&core_shop(&p.core_db));
    assert_eq!(
        cli_cases, core_cases,
        "both shops hold the same cases, kinds and parcels"
    );

    // 2. A draft from the shop's edited script.
    edit_script(&p.cli_db);
    edit_script(&p.core_db);
    let (refund, _, _) = cli_cases
        .iter()
        .find(|(_, kind, _)| kind == "refund_unshipped")
        .expect("the export has an unshipped refund")
        .clone();
    let cli_draft = cli_json(&p.cli_db, &["draft", "--case", &refund]);
    let core_draft = core_shop(&p.core_db)
        .draft(&refund, &DraftOptions::default(), now())
        .unwrap();
    assert!(
        core_draft.text.contains(EDITED),
        "the core drafts from the shop's edit: {}",
        core_draft.text
    );
    assert_eq!(
        cli_draft,
        serde_json::to_value(&core_draft).unwrap(),
        "the CLI's draft is the app's draft, from the shop's own library"
    );

    // 3. Clocks with an imported year and a broken rule file.
    let cli_year = cli_json(&p.cli_db, &["calendar", "import", p.year.to_str().unwrap()]);
    let core = core_shop(&p.core_db);
    let core_year = core.import_calendar_year(&p.year).unwrap();
    assert_eq!(cli_year, serde_json::to_value(&core_year).unwrap());
    drop(core);
    for db in [&p.cli_db, &p.core_db] {
        std::fs::write(
            db.with_file_name(afterdesk_desk::CLOCK_RULES_FILE),
            "this is = = not toml",
        )
        .unwrap();
    }
    let cli_years = cli_json(&p.cli_db, &["calendar", "list"]);
    let core = core_shop(&p.core_db);
    let core_years = core.clock_settings().unwrap().years;
    assert_eq!(
        cli_years,
        serde_json::to_value(&core_years).unwrap(),
        "a broken rule file keeps the imported years, in the CLI and the core alike"
    );
    assert!(
        core_years
            .iter()
            .any(|y| y.year == 2027 && y.origin == "imported"),
        "the imported year is kept: {core_years:?}"
    );
    assert!(
        core.clock_problems()
            .iter()
            .any(|p| p.contains("时钟规则文件有误")),
        "the broken file is reported: {:?}",
        core.clock_problems()
    );
    let cli_clocks = cli_json(&p.cli_db, &["clocks", "--limit", "1000"]);
    let board = core.dashboard(1000, now()).unwrap();
    assert_eq!(
        cli_clocks["summary"]["open"], board.open,
        "the same open cases"
    );
    assert_eq!(cli_clocks["summary"]["overdue"], board.overdue);
    assert_eq!(cli_clocks["summary"]["due_soon"], board.due_soon);
    let warnings = cli_clocks["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("时钟规则文件有误"))),
        "the CLI warns about the broken file: {warnings:?}"
    );
    // Every listed clock, without the case ids (which differ between the two shops).
    let strip = |c: &Value| {
        let mut c = c.clone();
        c.as_object_mut().unwrap().remove("case_id");
        c.to_string()
    };
    let mut cli_listed: Vec<String> = cli_clocks["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(strip)
        .collect();
    let clockwork = core.clockwork().unwrap();
    let store = core.store().unwrap();
    let mut core_listed = Vec::new();
    for entry in &board.entries {
        let case = store.find_case(&entry.case_id).unwrap();
        let mut view = afterdesk_desk::clocks_of(&clockwork, &case, now());
        view.clocks
            .retain(|c| c.due.is_some() && c.state != "not_applicable");
        core_listed.extend(
            view.clocks
                .iter()
                .map(|c| strip(&serde_json::to_value(c).unwrap())),
        );
    }
    cli_listed.sort();
    core_listed.sort();
    assert!(!core_listed.is_empty(), "the shop has running clocks");
    assert_eq!(
        cli_listed, core_listed,
        "every deadline is the same through the CLI and the core"
    );
}
