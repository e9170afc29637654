//! Measurements of the real app on a large shop: cold start to an interactive workbench,
//! search and filter response, and idle memory. They print figures (and write them to
//! `tests/artifacts/bench-app.txt`) rather than assert them, because timing targets
//! belong in benchmarks, not in tests that fail on a busy machine.
//!
//! Runs only with `AFTERDESK_E2E_BENCH=1` (and a display); `.ci/e2e-bench` builds the app
//! in release mode and runs it under Xvfb.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use afterdesk_e2e::{App, DEFAULT_WAIT, Profile, artifacts_dir};
use serde_json::json;

/// The shop size the targets are stated for; `AFTERDESK_BENCH_CASES` overrides it
/// (a small shop shows what WebKit and the app take by themselves).
const CASES: usize = 100_000;

fn cases() -> usize {
    std::env::var("AFTERDESK_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES)
}

/// How often each query is repeated; the median is reported.
const REPEATS: usize = 7;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Times one `list_cases` call as the UI makes it, from the page: the IPC round trip,
/// the query and the JSON both ways, in milliseconds.
async fn time_query(app: &App, query: serde_json::Value) -> anyhow::Result<f64> {
    time_command(app, "list_cases", json!({ "query": query })).await
}

/// Times one command called from the page, median of [`REPEATS`], in milliseconds.
async fn time_command(app: &App, command: &str, args: serde_json::Value) -> anyhow::Result<f64> {
    let query = args;
    let script = "const [command, args, done] = arguments; const t = performance.now();\
                  window.__TAURI_INTERNALS__.invoke(command, args)\
                    .then(() => done(performance.now() - t), (e) => done(-1));";
    let mut times = Vec::with_capacity(REPEATS);
    for _ in 0..REPEATS {
        let ms = app
            .client()
            .execute_async(script, vec![json!(command), query.clone()])
            .await?
            .as_f64()
            .unwrap_or(-1.0);
        anyhow::ensure!(ms >= 0.0, "{command} failed for {query}");
        times.push(ms);
    }
    Ok(median(times))
}

#[tokio::test]
async fn app_on_a_hundred_thousand_cases() -> anyhow::Result<()> {
    if std::env::var("AFTERDESK_E2E_BENCH").as_deref() != Ok("1") {
        eprintln!("afterdesk-e2e: skipping the app benchmark: set AFTERDESK_E2E_BENCH=1");
        return Ok(());
    }
    let mut report = String::new();
    let profile = Profile::new()?;
    let now = chrono::Utc::now();

    // A shop with 100,000 cases, imported through the real importer.
    let export = profile.path().join("refunds.csv");
    let cases = cases();
    let spec = afterdesk_fixtures::Spec::new(cases, now);
    afterdesk_fixtures::write_refund_csv(
        &mut std::io::BufWriter::new(std::fs::File::create(&export)?),
        &spec,
        afterdesk_fixtures::Encoding::Gbk,
    )?;
    let started = Instant::now();
    {
        let mut store = afterdesk_store::Store::open(
            &profile.db_path(),
            afterdesk_case::DeviceId("bench".to_owned()),
            now,
        )?;
        afterdesk_desk::import_file(
            &mut store,
            &export,
            "bench",
            now,
            &afterdesk_desk::ImportOptions::default(),
            &mut |_| {},
            &AtomicBool::new(false),
        )?;
    }
    writeln!(report, "import of {cases} cases: {:.1?}", started.elapsed())?;
    let buyer = afterdesk_fixtures::refund_row(&spec, 4242 % cases)[17].clone();

    // Cold start: from starting the app until the workbench shows the counts.
    let started = Instant::now();
    let app = App::launch("bench", &profile).await?;
    let session = started.elapsed();
    app.wait_for_js(
        &format!("(document.querySelector('[data-testid=\"count-total\"]')?.innerText ?? '').replace(/[^0-9]/g, '') === '{cases}'"),
        "the workbench shows every case",
        Duration::from_secs(60),
    )
    .await?;
    let interactive = started.elapsed();
    let in_page = app
        .client()
        .execute("return performance.now();", vec![])
        .await?
        .as_f64()
        .unwrap_or(0.0);
    writeln!(
        report,
        "cold start to interactive workbench: {interactive:.1?} from launch (page loaded at {session:.1?}; \
         {in_page:.0} ms after the page began loading)"
    )?;

    // Search and filter response as the UI sees it (IPC + query + JSON), median of 7.
    let base = json!({"open": true, "limit": 100, "offset": 0});
    let with = |extra: serde_json::Value| {
        let mut q = base.clone();
        if let (Some(q), Some(extra)) = (q.as_object_mut(), extra.as_object()) {
            q.extend(extra.clone());
        }
        q
    };
    for (label, query) in [
        ("open cases, first 100", with(json!({}))),
        ("one kind", with(json!({"kind": "quality_issue"}))),
        ("red flag", with(json!({"flag": "red"}))),
        ("search: a buyer", with(json!({"text": buyer}))),
        (
            "search: an order number",
            with(
                json!({"text": afterdesk_fixtures::refund_row(&spec, 777 % cases)[1].trim_matches(|c| c == '=' || c == '"')}),
            ),
        ),
        (
            "search: 保温杯 (a common word)",
            with(json!({"text": "保温杯"})),
        ),
        (
            "search: 破损 (two characters)",
            with(json!({"text": "破损"})),
        ),
    ] {
        let ms = time_query(&app, query).await?;
        writeln!(
            report,
            "list_cases {label}: {ms:.1} ms (median of {REPEATS})"
        )?;
    }

    let ms = time_command(&app, "clock_dashboard", json!({ "limit": 10 })).await?;
    writeln!(
        report,
        "clock_dashboard (every open case's clocks ranked, first 10): {ms:.1} ms (median of {REPEATS})"
    )?;

    // A filter in the real list: from choosing a kind until the table shows the result.
    app.click_css("li.ant-menu-item:nth-child(2)", DEFAULT_WAIT)
        .await?;
    app.find_by_testid("case-row").await?;
    let before = app.find_by_testid("case-total").await?.text().await?;
    let started = Instant::now();
    app.choose_in_select("filter-kind", "质量问题").await?;
    app.wait_for_js(
        &format!(
            "document.querySelector('[data-testid=\"case-total\"]')?.innerText !== {before:?}"
        ),
        "the list shows the filtered total",
        DEFAULT_WAIT,
    )
    .await?;
    writeln!(
        report,
        "kind filter in the case list, click to rendered rows (WebDriver included): {:.0?}",
        started.elapsed()
    )?;

    // Idle memory of the whole app after it has settled.
    app.click_css("li.ant-menu-item:nth-child(1)", DEFAULT_WAIT)
        .await?;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let processes = app.memory();
    let total: u64 = processes.iter().map(|p| p.pss_kib).sum();
    writeln!(
        report,
        "idle memory (PSS, all app processes): {:.0} MB = {}",
        total as f64 / 1024.0,
        processes
            .iter()
            .map(|p| format!("{} {:.0} MB", p.name, p.pss_kib as f64 / 1024.0))
            .collect::<Vec<_>>()
            .join(" + ")
    )?;
    app.close().await?;

    print!("{report}");
    std::fs::write(artifacts_dir()?.join("bench-app.txt"), &report)?;
    Ok(())
}
