//! Fixture generation and the benchmarks behind the figures in the closing notes.
//!
//! Benchmarks measure whole commands the way a user runs them: the import runs in a child
//! process so that its wall time includes start-up and its peak memory is its own.

use crate::cli::{BenchCommand, GenExportArgs};
use crate::terminal::say;
use crate::{Context_, print_json};
use afterdesk_case::ScenarioKind;
use afterdesk_export::ExportKind;
use afterdesk_fixtures::{Encoding, Spec, write_order_csv, write_refund_csv, write_refund_xlsx};
use afterdesk_store::CaseQuery;
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Writes a generated export file.
pub fn gen_export(args: &GenExportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let spec = Spec {
        rows: args.rows,
        seed: args.seed,
        later: args.later,
        bad_every: args.bad_every,
        now,
    };
    let encoding = match args.encoding.as_str() {
        "gbk" => Encoding::Gbk,
        "utf8" => Encoding::Utf8,
        "utf8-bom" => Encoding::Utf8Bom,
        other => bail!("未知编码“{other}”，可选：gbk、utf8、utf8-bom"),
    };
    match (args.format.as_str(), args.kind) {
        ("csv", kind) => {
            let file = File::create(&args.out)
                .with_context(|| format!("无法创建 {}", args.out.display()))?;
            let mut out = BufWriter::new(file);
            match kind {
                ExportKind::Refunds => write_refund_csv(&mut out, &spec, encoding)?,
                ExportKind::Orders => write_order_csv(&mut out, &spec, encoding)?,
            }
            std::io::Write::flush(&mut out)?;
        }
        ("xlsx", ExportKind::Refunds) => write_refund_xlsx(&args.out, &spec)?,
        ("xlsx", ExportKind::Orders) => bail!("订单导出暂只能生成 CSV"),
        (other, _) => bail!("未知格式“{other}”，可选：csv、xlsx"),
    }
    Ok(())
}

/// Reads this process's peak resident memory in KiB (Linux only).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// How many times each timed command runs; the median is reported.
///
/// Three runs on a 2-core machine smooth out a stray background task without making the
/// benchmark take minutes.
const RUNS: usize = 3;

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub(crate) fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let index = ((values.len() as f64 - 1.0) * p).round() as usize;
    values.get(index).copied().unwrap_or(0.0)
}

/// Runs a benchmark.
pub fn run(command: BenchCommand, ctx: &Context_) -> anyhow::Result<()> {
    match command {
        BenchCommand::Import { rows, dir, sqlite3 } => bench_import(rows, dir, &sqlite3, ctx),
        BenchCommand::Query { runs } => bench_query(runs, ctx),
        BenchCommand::Clocks { cases, runs, store } => {
            crate::clocks::bench(cases, runs, store, ctx)
        }
        BenchCommand::Parcels {
            count,
            concurrency,
            delay_ms,
        } => crate::parcels::bench(ctx, count, concurrency, delay_ms),
        BenchCommand::Hash { file, reference } => {
            crate::evidence::bench_hash(ctx, &file, &reference)
        }
        BenchCommand::Drafts { scripts, runs } => crate::scripts::bench_drafts(scripts, runs, ctx),
        BenchCommand::ScriptsImport { pages, runs, dir } => {
            crate::scripts::bench_import(pages, runs, dir)
        }
    }
}

fn bench_import(
    rows: usize,
    dir: Option<std::path::PathBuf>,
    sqlite3: &str,
    ctx: &Context_,
) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("afterdesk-bench-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir)?;
    let gbk = dir.join("refunds-gbk.csv");
    let utf8 = dir.join("refunds-utf8.csv");
    let spec = Spec::new(rows, ctx.now);
    {
        let mut out = BufWriter::new(File::create(&gbk)?);
        write_refund_csv(&mut out, &spec, Encoding::Gbk)?;
        std::io::Write::flush(&mut out)?;
    }
    // The reference gets the very same rows, converted to UTF-8 as sqlite3 needs them.
    let bytes = std::fs::read(&gbk)?;
    std::fs::write(&utf8, encoding_rs::GBK.decode(&bytes).0.as_bytes())?;
    let file_mib = bytes.len() as f64 / (1024.0 * 1024.0);
    drop(bytes);

    let exe = std::env::current_exe()?;
    let mut ours = Vec::new();
    let mut peak_kib = 0u64;
    let mut imported = json!(null);
    for run in 0..RUNS {
        let db = dir.join(format!("bench-{run}.sqlite"));
        remove_db(&db);
        let started = Instant::now();
        let out = Command::new(&exe)
            .args(["--json", "--db"])
            .arg(&db)
            .arg("import")
            .arg(&gbk)
            .env("AFTERDESK_DEVICE", "bench")
            .env("AFTERDESK_PEAK_RSS", "1")
            .output()?;
        ours.push(started.elapsed().as_secs_f64());
        if !out.status.success() {
            bail!("导入失败：{}", String::from_utf8_lossy(&out.stderr));
        }
        imported = serde_json::from_slice(&out.stdout)?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        if let Some(kib) = stderr
            .lines()
            .find_map(|l| l.strip_prefix("peak_rss_kib "))
            .and_then(|v| v.trim().parse().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
    }
    let mut reference = Vec::new();
    for run in 0..RUNS {
        let db = dir.join(format!("reference-{run}.sqlite"));
        remove_db(&db);
        let started = Instant::now();
        let status = Command::new(sqlite3)
            .arg(&db)
            .arg(".mode csv")
            .arg(format!(".import '{}' refunds", utf8.display()))
            .status()
            .with_context(|| format!("无法运行 {sqlite3}（请安装 sqlite3 命令行工具）"))?;
        reference.push(started.elapsed().as_secs_f64());
        if !status.success() {
            bail!("sqlite3 .import 失败");
        }
    }
    let ours_s = median(ours);
    let reference_s = median(reference);
    let report = json!({
        "rows": rows,
        "file_mib": (file_mib * 10.0).round() / 10.0,
        "afterdesk_seconds": ours_s,
        "rows_per_second": (rows as f64 / ours_s).round(),
        "sqlite3_import_seconds": reference_s,
        "ratio_to_sqlite3": ours_s / reference_s,
        "peak_rss_mib": peak_kib as f64 / 1024.0,
        "runs": RUNS,
        "import": {
            "created": imported["created"],
            "error_count": imported["error_count"],
        },
        "work_dir": dir.display().to_string(),
    });
    if ctx.json {
        print_json(&report)
    } else {
        say!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    }
}

fn remove_db(db: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

fn bench_query(runs: usize, ctx: &Context_) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let store = shop.store_waiting()?;
    let total = store
        .list_cases(&CaseQuery {
            open: None,
            limit: 1,
            ..Default::default()
        })?
        .total;
    let queries: Vec<(&str, CaseQuery)> = vec![
        (
            "list_open_kind_first_50",
            CaseQuery {
                open: Some(true),
                kind: Some(ScenarioKind::QualityIssue),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "list_open_first_50",
            CaseQuery {
                open: Some(true),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "search_2_chars",
            CaseQuery {
                text: Some("破损".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "search_3_chars",
            CaseQuery {
                text: Some("保温杯".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "search_buyer",
            CaseQuery {
                text: Some("梧桐树下".into()),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "search_order_no",
            CaseQuery {
                text: Some("2938475610000650013".into()),
                limit: 50,
                ..Default::default()
            },
        ),
    ];
    let mut results = serde_json::Map::new();
    for (name, query) in &queries {
        let mut times = Vec::with_capacity(runs);
        let mut hits = 0;
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            hits = store.list_cases(query)?.total;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        results.insert(
            (*name).to_owned(),
            json!({ "p50_ms": percentile(times.clone(), 0.5), "p99_ms": percentile(times, 0.99), "matches": hits }),
        );
    }
    let report = json!({ "cases": total, "runs": runs, "queries": results });
    if ctx.json {
        print_json(&report)
    } else {
        say!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    }
}
