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

/// An error reaches the English UI in English: a text file chosen as an export is refused
/// with the translated message for its code (`not_an_export`), never the core's Chinese
/// sentence as the headline.
#[tokio::test]
async fn errors_show_in_the_ui_language() -> anyhow::Result<()> {
    if !enabled() {
        print_skip("errors_show_in_the_ui_language");
        return Ok(());
    }
    let profile = Profile::new()?;
    let notes = profile.path().join("notes.txt");
    std::fs::write(&notes, "这不是导出文件\n随便写的一些字\n")?;
    let app = App::launch("error-en", &profile).await?;
    app.wait_for_text("欢迎使用售后台", DEFAULT_WAIT).await?;
    app.choose_in_select("language-switch", "English").await?;
    app.wait_for_text("Welcome to AfterDesk", Duration::from_secs(10))
        .await?;
    app.click_css("[data-testid=\"start-import\"] button", DEFAULT_WAIT)
        .await?;
    app.click_css("[data-testid=\"import-file-button\"]", DEFAULT_WAIT)
        .await?;
    app.choose_in_file_dialog("Choose a refund or order export", &notes)
        .await?;
    app.wait_for_text(
        "This does not look like a refund or order export",
        DEFAULT_WAIT,
    )
    .await?;
    let text = app.page_text().await?;
    assert!(
        !text.contains("Something went wrong: 文件"),
        "the English UI never heads an error with the core's Chinese text: {text}"
    );
    let shot = app.screenshot("error-en-not-an-export").await?;
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
    app.click_css("li.ant-menu-item:nth-child(5)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("shop-settings").await?;
    app.find_by_testid("clock-settings").await?;
    app.wait_for_text("2026", DEFAULT_WAIT).await?;
    app.screenshot("flow-07-settings").await?;
    app.close().await
}

/// A shop of 120 generated cases, imported from a GBK export before the app starts.
fn imported_shop(
    profile: &Profile,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<afterdesk_store::Store> {
    let export = profile.path().join("refunds.csv");
    let spec = afterdesk_fixtures::Spec::new(120, now);
    afterdesk_fixtures::write_refund_csv(
        &mut std::fs::File::create(&export)?,
        &spec,
        afterdesk_fixtures::Encoding::Gbk,
    )?;
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
    Ok(store)
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
    let refund_no = {
        let store = imported_shop(&profile, now)?;
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

/// Issues 5 and 6 in the real app: the shop's parcel provider is set in the settings (the
/// key goes to the keychain), a case's draft is filled from the case, lint-clean, and its
/// copy is recorded; the case's imported waybill shows its events after a refresh
/// against a local server speaking 快递100's format; the workbench lists parcels needing
/// attention; the script library imports pasted training text through its review.
#[tokio::test]
async fn drafts_scripts_and_parcels() -> anyhow::Result<()> {
    use afterdesk_parcel::fake::{FakeKeys, FakeServer};

    if !enabled() {
        print_skip("drafts_scripts_and_parcels");
        return Ok(());
    }
    let profile = Profile::new()?;
    let now = chrono::Utc::now();
    let (refund_no, waybill) = {
        let mut store = imported_shop(&profile, now)?;
        // As the app does after an import.
        afterdesk_desk::parcels_from_imports(&mut store, "e2e", now)?;
        let rules = afterdesk_parcel::ParcelRules::default();
        let open = store.list_cases(&afterdesk_store::CaseQuery {
            open: Some(true),
            limit: 200,
            ..Default::default()
        })?;
        open.cases
            .iter()
            .filter_map(|c| {
                let refund = c.facts.refund_no.clone()?;
                let view = afterdesk_desk::case_parcels(&store, &refund, &rules, now).ok()?;
                let parcel = view.parcels.first()?;
                Some((refund, parcel.waybill.clone()))
            })
            .next()
            .expect("an open case of the fixture has a waybill")
    };
    let server = FakeServer::start(FakeKeys::default(), Duration::ZERO).await?;

    let app = App::launch("drafts-parcels", &profile).await?;
    app.find_by_testid("dashboard").await?;

    // 设置 → 物流查询: 快递100 at the local server, the key into the keychain.
    app.click_css("li.ant-menu-item:nth-child(5)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("tracking-settings").await?;
    app.choose_in_select("tracking-provider", "快递100 实时查询")
        .await?;
    app.type_into("tracking-customer", "E2E-CUSTOMER").await?;
    app.type_into("tracking-url", &server.kuaidi100_url())
        .await?;
    app.type_into("tracking-key", "E2E-KEY").await?;
    app.click_css("[data-testid=\"tracking-save\"]", DEFAULT_WAIT)
        .await?;
    app.wait_for_text("密钥已保存在系统钥匙串里", DEFAULT_WAIT)
        .await?;
    let saved = std::fs::read_to_string(profile.path().join("tracking.json"))?;
    assert!(
        saved.contains("kuaidi100") && !saved.contains("E2E-KEY"),
        "the settings file names the provider and never holds the key: {saved}"
    );
    app.screenshot("parcels-01-tracking-settings").await?;

    // The case: a draft filled from the case, and its parcel.
    app.click_css("li.ant-menu-item:nth-child(2)", DEFAULT_WAIT)
        .await?;
    app.type_into("case-search", &refund_no).await?;
    app.click_testid_containing("case-row", &refund_no).await?;
    app.find_by_testid("draft-panel").await?;
    app.wait_for_js(
        "(document.querySelector('[data-testid=\"draft-text\"]')?.value ?? '').length > 10",
        "a filled draft",
        DEFAULT_WAIT,
    )
    .await?;
    app.find_by_testid("draft-lint-clean").await?;
    let draft_text: String = app
        .client()
        .execute(
            "return document.querySelector('[data-testid=\"draft-text\"]').value;",
            vec![],
        )
        .await?
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        !draft_text.contains('{'),
        "every placeholder is filled or marked: {draft_text}"
    );
    app.click_css("[data-testid=\"draft-copy\"]", DEFAULT_WAIT)
        .await?;
    if draft_text.contains("【待填：") {
        // Marks left: the copy asks to confirm.
        app.click_css(".ant-popconfirm .ant-btn-primary", DEFAULT_WAIT)
            .await?;
    }
    app.wait_for_text("已复制到剪贴板", DEFAULT_WAIT).await?;
    app.find_by_testid("draft-copies").await?;
    app.screenshot("drafts-01-case-draft").await?;

    app.find_by_testid("parcels-panel").await?;
    app.wait_for_text(&waybill, DEFAULT_WAIT).await?;
    app.click_css("[data-testid=\"parcels-refresh\"]", DEFAULT_WAIT)
        .await?;
    app.wait_for_text("快件已到达【杭州转运中心】", Duration::from_secs(30))
        .await?;
    assert!(server.requests() >= 1, "the app asked the local provider");
    app.client()
        .execute(
            "document.querySelector('[data-testid=\"parcels-panel\"]').scrollIntoView();",
            vec![],
        )
        .await?;
    app.screenshot("parcels-02-case-parcel-events").await?;

    // The workbench's parcel list.
    app.click_css("li.ant-menu-item:nth-child(1)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("parcel-attention-card").await?;
    app.screenshot("parcels-03-workbench").await?;

    // 话术库: search, then import pasted training text through the review.
    app.click_css("li.ant-menu-item:nth-child(3)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("script-library").await?;
    app.wait_for_css(".ant-table-row", DEFAULT_WAIT).await?;
    app.screenshot("scripts-01-library").await?;
    app.click_css("[data-testid=\"script-import\"]", DEFAULT_WAIT)
        .await?;
    app.type_into(
        "script-import-paste",
        "客服：亲，给您添麻烦了，缺少的配件我们今天就给您补发，运单号稍后发您。",
    )
    .await?;
    app.click_css("[data-testid=\"script-import-read\"]", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("script-import-summary").await?;
    app.screenshot("scripts-02-import-review").await?;
    app.click_css("[data-testid=\"script-import-accept\"]", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("script-import-result").await?;
    app.wait_for_text("已保存话术 1 条", DEFAULT_WAIT).await?;
    app.close().await
}
