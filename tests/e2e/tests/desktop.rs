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
    app.close().await
}
