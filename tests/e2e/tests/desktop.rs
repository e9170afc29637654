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
