//! End-to-end scenarios on the real desktop app.
//!
//! Every test here returns early (and passes) unless `AFTERDESK_E2E=1`, so that a plain
//! `cargo test --workspace` stays fast and needs no display; `.ci/e2e` builds the UI and
//! the app and runs these under Xvfb. Screenshots land in `tests/artifacts/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use afterdesk_e2e::{App, DEFAULT_WAIT, Profile, enabled, print_skip};

/// A brand-new user sees the first-run screen in Simplified Chinese with both ways to
/// start, and switching the language in the header retitles it in English.
#[tokio::test]
async fn first_run_screen_and_language_switch() -> anyhow::Result<()> {
    if !enabled() {
        print_skip("first_run_screen_and_language_switch");
        return Ok(());
    }
    let profile = Profile::new()?;
    let app = App::launch("first-run", &profile).await?;

    // The default language is Simplified Chinese: title and the two start cards.
    app.wait_for_text("欢迎使用售后台", DEFAULT_WAIT).await?;
    let import = app.find_by_testid("start-import").await?;
    assert!(
        import.text().await?.contains("导入后台导出文件"),
        "the import card's title"
    );
    let demo = app.find_by_testid("start-demo").await?;
    assert!(
        demo.text().await?.contains("打开演示店铺"),
        "the demo card's title"
    );
    let shot = app.screenshot("first-run-zh-CN").await?;
    println!("screenshot: {}", shot.display());

    // Switch to English in the header's language select.
    app.choose_in_select("language-switch", "English").await?;
    app.wait_for_text("Welcome to AfterDesk", Duration::from_secs(10))
        .await?;
    assert!(
        !app.page_text().await?.contains("欢迎使用售后台"),
        "the Chinese title is gone after switching to English"
    );
    let shot = app.screenshot("first-run-en").await?;
    println!("screenshot: {}", shot.display());

    app.close().await
}

/// The whole flow on an empty shop: import a generated GBK export through the
/// wizard (native file dialog, column preview, result), search for a buyer, open the case,
/// add a note, set a flag; then restart the app and find the note and the flag again.
#[tokio::test]
async fn import_search_note_flag_and_restart() -> anyhow::Result<()> {
    use afterdesk_fixtures::{Encoding, REFUND_HEADERS, Spec, refund_row, write_refund_csv};

    if !enabled() {
        print_skip("import_search_note_flag_and_restart");
        return Ok(());
    }
    const ROWS: usize = 300;
    let profile = Profile::new()?;
    let export = profile.path().join("refunds-gbk.csv");
    let spec = Spec::new(ROWS, chrono::Utc::now());
    write_refund_csv(&mut std::fs::File::create(&export)?, &spec, Encoding::Gbk)?;
    let nick_column = REFUND_HEADERS
        .iter()
        .position(|h| *h == "买家会员名")
        .expect("the fixture has a buyer column");
    let row = refund_row(&spec, 7);
    let buyer = row[nick_column].clone();
    // Several generated buyers can share a name prefix; the refund number picks the case.
    let refund_no = row[0].clone();
    let note = "已联系买家，等待寄回";

    let app = App::launch("flow-1", &profile).await?;
    app.wait_for_text("欢迎使用售后台", DEFAULT_WAIT).await?;
    app.click_css("[data-testid=\"start-import\"] button", DEFAULT_WAIT)
        .await?;

    // The wizard: the system's file dialog, then the column preview.
    app.click_css("[data-testid=\"import-file-button\"]", DEFAULT_WAIT)
        .await?;
    app.choose_in_file_dialog("选择退款或订单导出文件", &export)
        .await?;
    app.find_by_testid("import-preview").await?;
    app.wait_for_text("退款列表", DEFAULT_WAIT).await?;
    app.wait_for_text("csv gb18030", DEFAULT_WAIT).await?;
    app.screenshot("flow-01-import-preview").await?;
    app.click_css("[data-testid=\"import-start\"]", DEFAULT_WAIT)
        .await?;
    let result = app
        .wait_for_css("[data-testid=\"import-result\"]", Duration::from_secs(60))
        .await?;
    let result_text = result.text().await?;
    assert!(
        result_text.contains(&ROWS.to_string()),
        "the result counts the {ROWS} rows read: {result_text}"
    );
    app.screenshot("flow-02-import-result").await?;

    // The case list: search for the buyer, open the case.
    app.click_css(
        "[data-testid=\"import-result\"] button.ant-btn-primary",
        DEFAULT_WAIT,
    )
    .await?;
    app.type_into("case-search", &buyer).await?;
    app.wait_for_js(
        &format!(
            "document.querySelectorAll('[data-testid=\"case-row\"]').length >= 1 && \
             [...document.querySelectorAll('[data-testid=\"case-row\"]')].every(r => r.innerText.includes({buyer:?}))"
        ),
        "only the buyer's cases are listed",
        DEFAULT_WAIT,
    )
    .await?;
    app.screenshot("flow-03-case-search").await?;
    app.click_testid_containing("case-row", &refund_no).await?;
    app.find_by_testid("case-page").await?;
    app.wait_for_text(&buyer, DEFAULT_WAIT).await?;

    // A note and a flag.
    app.type_into("note-input", note).await?;
    app.click_css("[data-testid=\"add-note\"]", DEFAULT_WAIT)
        .await?;
    app.wait_for_css("[data-testid=\"note-item\"]", DEFAULT_WAIT)
        .await?;
    app.wait_for_text(note, DEFAULT_WAIT).await?;
    app.choose_in_select("flag-select", "红旗").await?;
    app.wait_for_js(
        "[...document.querySelectorAll('[data-testid=\"case-timeline\"]')].some(t => t.innerText.includes('红'))",
        "the flag change is in the case history",
        DEFAULT_WAIT,
    )
    .await?;
    app.screenshot("flow-04-case-page").await?;
    app.close().await?;

    // After a restart the shop opens on the workbench, and the case still has both.
    let app = App::launch("flow-2", &profile).await?;
    app.find_by_testid("dashboard").await?;
    app.screenshot("flow-05-workbench-after-restart").await?;
    app.click_css("li.ant-menu-item:nth-child(2)", DEFAULT_WAIT)
        .await?;
    app.type_into("case-search", &buyer).await?;
    app.click_testid_containing("case-row", &refund_no).await?;
    app.find_by_testid("case-page").await?;
    app.wait_for_text(note, DEFAULT_WAIT).await?;
    let flag = app
        .wait_for_css("[data-testid=\"flag-select\"]", DEFAULT_WAIT)
        .await?
        .text()
        .await?;
    assert!(
        flag.contains("红旗"),
        "the flag survived the restart: {flag:?}"
    );
    app.screenshot("flow-06-case-after-restart").await?;

    // The settings show this shop's file, its backups and the holiday calendars.
    app.click_css("li.ant-menu-item:nth-child(4)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("shop-settings").await?;
    app.find_by_testid("clock-settings").await?;
    app.wait_for_text("2026", DEFAULT_WAIT).await?;
    app.screenshot("flow-07-settings").await?;
    app.close().await
}

/// Issue 4 in the real app: a "not received" case shows its clocks and its evidence
/// checklist; a photo attached through the native file dialog appears under its item; the
/// evidence package exported through the folder dialog is a zip whose index page opens in
/// the webview and lists the photo with its hash.
#[tokio::test]
async fn clocks_evidence_attach_and_package() -> anyhow::Result<()> {
    use afterdesk_case::ScenarioKind;
    use std::io::Read as _;

    if !enabled() {
        print_skip("clocks_evidence_attach_and_package");
        return Ok(());
    }
    let profile = Profile::new()?;
    let now = chrono::Utc::now();
    // A shop with cases, imported before the app starts.
    let export = profile.path().join("refunds.csv");
    let spec = afterdesk_fixtures::Spec::new(120, now);
    afterdesk_fixtures::write_refund_csv(
        &mut std::fs::File::create(&export)?,
        &spec,
        afterdesk_fixtures::Encoding::Gbk,
    )?;
    let refund_no = {
        let mut store = afterdesk_store::Store::open(
            &profile.db_path(),
            afterdesk_case::DeviceId("e2e".to_owned()),
            now,
        )?;
        afterdesk_desk::import_file(
            &mut store,
            &export,
            "e2e",
            now,
            &afterdesk_desk::ImportOptions::default(),
            &mut |_| {},
            &std::sync::atomic::AtomicBool::new(false),
        )?;
        let list = store.list_cases(&afterdesk_store::CaseQuery {
            kind: Some(ScenarioKind::NotReceived),
            open: Some(true),
            limit: 1,
            ..Default::default()
        })?;
        list.cases
            .first()
            .and_then(|c| c.facts.refund_no.clone())
            .expect("the fixture has an open not-received case")
    };
    // A photo: JPEG magic bytes are enough for the type; it carries no capture time.
    let photo = profile.path().join("signing-slip.jpg");
    let mut jpeg = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
    ];
    jpeg.extend(std::iter::repeat_n(0x55u8, 4096));
    jpeg.extend([0xFF, 0xD9]);
    std::fs::write(&photo, &jpeg)?;
    let out = profile.path().join("packages");
    std::fs::create_dir_all(&out)?;

    let app = App::launch("evidence", &profile).await?;
    app.find_by_testid("dashboard").await?;
    app.wait_for_css("[data-testid=\"deadline-row\"]", DEFAULT_WAIT)
        .await?;
    app.screenshot("evidence-01-workbench-deadlines").await?;
    app.click_css("li.ant-menu-item:nth-child(2)", DEFAULT_WAIT)
        .await?;
    app.type_into("case-search", &refund_no).await?;
    app.click_testid_containing("case-row", &refund_no).await?;
    app.find_by_testid("case-clocks").await?;
    app.wait_for_text("举证材料", DEFAULT_WAIT).await?;
    app.wait_for_css("[data-testid=\"evidence-item\"]", DEFAULT_WAIT)
        .await?;

    // Attach through the native dialog to the first item of the checklist.
    app.click_css(
        "[data-testid=\"evidence-item\"] button.ant-btn-link",
        DEFAULT_WAIT,
    )
    .await?;
    app.choose_in_file_dialog("选择举证文件（照片、PDF、视频）", &photo)
        .await?;
    app.wait_for_css("[data-testid=\"proof-item\"]", DEFAULT_WAIT)
        .await?;
    app.wait_for_text("signing-slip.jpg", DEFAULT_WAIT).await?;
    let evidence = app.find_by_testid("case-evidence").await?;
    evidence.click().await.ok();
    app.client()
        .execute(
            "document.querySelector('[data-testid=\"case-evidence\"]').scrollIntoView();",
            vec![],
        )
        .await?;
    app.screenshot("evidence-02-case-evidence").await?;

    // Export the package through the folder dialog.
    app.click_css("[data-testid=\"evidence-export\"]", DEFAULT_WAIT)
        .await?;
    app.choose_in_file_dialog("选择保存举证材料包的文件夹", &out)
        .await?;
    app.wait_for_text("举证材料包已保存", Duration::from_secs(30))
        .await?;
    let zip_path = std::fs::read_dir(&out)?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .expect("a zip in the chosen folder");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip_path)?)?;
    let mut index = String::new();
    archive.by_name("index.html")?.read_to_string(&mut index)?;
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.map(|n| n.into_owned()))
        .collect::<Result<_, _>>()?;
    assert!(
        names.iter().any(|n| n.ends_with("signing-slip.jpg")),
        "the photo is in the package: {names:?}"
    );
    let index_path = profile.path().join("index.html");
    std::fs::write(&index_path, &index)?;

    // The index page opens in a browser engine: the app's own webview.
    app.client()
        .goto(&format!("file://{}", index_path.display()))
        .await?;
    app.wait_for_text("signing-slip.jpg", DEFAULT_WAIT).await?;
    let page = app.page_text().await?;
    assert!(
        page.contains(&refund_no),
        "the index names the case: {page}"
    );
    app.screenshot("evidence-03-package-index").await?;
    app.close().await
}
