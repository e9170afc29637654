//! `afterdesk clocks` and `afterdesk calendar`: platform clocks from the command line.

use crate::terminal::{complain, say};
use crate::{Context_, print_json};
use afterdesk_case::time::{china_rfc3339, china_text};
use afterdesk_clock::{Clockwork, RulePack};
use afterdesk_desk::{ClockView, ClocksError};
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;

/// `clocks` arguments.
#[derive(Debug, Args)]
pub struct ClocksArgs {
    /// 只看这张售后单（ID、退款编号或订单号）；不给则按紧急程度列出未结束的售后单。
    #[arg(long)]
    pub case: Option<String>,
    /// 不给 --case 时最多列几张售后单。
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// 列出时钟规则（含店铺覆盖和自定义时钟），不计算。
    #[arg(long, conflicts_with = "case")]
    pub rules: bool,
}

/// `calendar` subcommands.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// 导入一年的法定节假日和调休上班日文件（格式见 docs/clocks.md）。
    Import {
        /// 年度日历文件（TOML）。
        file: PathBuf,
    },
    /// 列出已有节假日数据的年份。
    List,
}

/// Turns a desk clock error into an `anyhow` error whose chain the CLI's error codes read.
fn desk_err(e: ClocksError) -> anyhow::Error {
    match e {
        ClocksError::Desk(d) => d.into(),
        other => other.into(),
    }
}

/// The shop's engine, with the one fallback rule the app uses too
/// ([`afterdesk_desk::load_clockwork_or_bundled`]): what could not be used is reported on
/// standard error and returned as warnings.
fn clockwork(shop: &afterdesk_shop::Shop) -> anyhow::Result<(Arc<Clockwork>, Vec<String>)> {
    let work = shop.clockwork_or_error()?;
    let warnings: Vec<String> = shop
        .clock_problems()
        .into_iter()
        .map(|p| format!("{p}（改用内置数据）"))
        .collect();
    for warning in &warnings {
        complain!("警告：{warning}");
    }
    Ok((work, warnings))
}

fn pack_json(pack: &RulePack) -> serde_json::Value {
    json!({ "version": pack.version, "name": pack.name, "overrides": pack.overrides })
}

/// Runs `clocks`.
pub fn run(ctx: &Context_, args: &ClocksArgs) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let (work, load_warnings) = clockwork(&shop)?;
    if args.rules {
        return print_rules(ctx, work.pack());
    }
    let (clocks, summary) = match &args.case {
        Some(key) => {
            let view = shop.case_clocks(key, ctx.now)?;
            let next = view.next.as_ref().map(|n| n.clock.clone());
            (
                view.clocks,
                json!({ "case_id": view.case_id, "kind": view.kind, "next": next }),
            )
        }
        None => {
            let board = shop.dashboard(args.limit, ctx.now)?;
            let store = shop.store_waiting()?;
            let cases = shop.open_cases(&store)?;
            let by_id: std::collections::HashMap<String, &afterdesk_case::Case> =
                cases.iter().map(|c| (c.id.to_string(), c)).collect();
            // Every clock with a due instant of each listed case, the case's next deadline
            // first: the dashboard order, with the detail a script needs.
            let mut clocks = Vec::new();
            for entry in &board.entries {
                let Some(case) = by_id.get(&entry.case_id) else {
                    continue;
                };
                let mut view = afterdesk_desk::clocks_of(&work, case, ctx.now);
                view.clocks
                    .retain(|c| c.due.is_some() && c.state != "not_applicable");
                view.clocks
                    .sort_by_key(|c| (state_rank(&c.state), c.due.clone()));
                clocks.extend(view.clocks);
            }
            (
                clocks,
                json!({ "open": board.open, "overdue": board.overdue, "due_soon": board.due_soon, "cases_listed": board.entries.len() }),
            )
        }
    };
    if ctx.json {
        return print_json(&json!({
            "now": china_rfc3339(ctx.now),
            "pack": pack_json(work.pack()),
            "summary": summary,
            "warnings": load_warnings,
            "clocks": clocks,
        }));
    }
    print_clocks(&clocks);
    Ok(())
}

fn state_rank(state: &str) -> u8 {
    match state {
        "overdue" => 0,
        "due_soon" => 1,
        "running" => 2,
        "met" => 3,
        _ => 4,
    }
}

fn print_clocks(clocks: &[ClockView]) {
    if clocks.is_empty() {
        say!("没有正在计时的时钟");
        return;
    }
    let mut last_case = "";
    for c in clocks {
        if c.case_id != last_case {
            say!("售后单 {}", c.case_id);
            last_case = &c.case_id;
        }
        let due = c
            .due
            .as_deref()
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map_or_else(|| "—".to_owned(), |d| china_text(d.to_utc()));
        let note = c
            .why
            .as_deref()
            .map(|w| format!("（{w}）"))
            .unwrap_or_default();
        let over = if c.overridden.is_empty() {
            ""
        } else {
            " [店铺覆盖]"
        };
        say!(
            "  {}\t{}{over}\t截止 {due}\t{}{note}\t{}：{}",
            c.state_name,
            c.name,
            c.length,
            c.actor,
            c.action
        );
        for w in &c.warnings {
            say!("    ⚠ {}", w.message);
        }
    }
}

fn print_rules(ctx: &Context_, pack: &RulePack) -> anyhow::Result<()> {
    if ctx.json {
        return print_json(&json!({ "pack": pack_json(pack), "rules": pack.rules }));
    }
    say!("{}（版本 {}）", pack.name, pack.version);
    if let Some(file) = &pack.overrides {
        say!("店铺覆盖文件：{file}");
    }
    for r in &pack.rules {
        let mut marks = Vec::new();
        if !r.enabled {
            marks.push("未启用".to_owned());
        }
        if r.overridden.contains(&"added") {
            marks.push("店铺自定义".to_owned());
        } else if r.length != r.default_length {
            marks.push(format!("已覆盖，原为 {}", r.default_length.zh()));
        } else if r.is_overridden() {
            marks.push("已覆盖".to_owned());
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" [{}]", marks.join("，"))
        };
        say!(
            "{}\t{}\t{}{marks}\t{}",
            r.id,
            r.name,
            r.length.zh(),
            r.consequence
        );
    }
    Ok(())
}

/// Runs `calendar`.
pub fn calendar(ctx: &Context_, command: &CalendarCommand) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    match command {
        CalendarCommand::Import { file } => {
            let view = shop.import_calendar_year(file)?;
            if ctx.json {
                return print_json(&view);
            }
            say!(
                "已导入 {} 年日历：放假 {} 天，调休上班 {} 天（{}）",
                view.year,
                view.holidays,
                view.make_up_days,
                view.source
            );
            Ok(())
        }
        CalendarCommand::List => {
            let (work, _) = clockwork(&shop)?;
            let years = afterdesk_desk::calendar_years(&work).map_err(desk_err)?;
            if ctx.json {
                return print_json(&years);
            }
            for y in &years {
                let origin = if y.origin == "bundled" {
                    "内置"
                } else {
                    "已导入"
                };
                say!(
                    "{}\t{origin}\t放假 {} 天，调休上班 {} 天\t{}",
                    y.year,
                    y.holidays,
                    y.make_up_days,
                    y.names.join("；")
                );
            }
            Ok(())
        }
    }
}

/// A deterministic spread of open cases over every kind and refund stage, with instants
/// in the ten days before `now`, so that every state (running, due soon, overdue, met)
/// occurs.
fn synthetic_cases(count: usize, now: chrono::DateTime<chrono::Utc>) -> Vec<afterdesk_case::Case> {
    use afterdesk_case::{Case, CaseFacts, DeviceId, KindSource, Platform, RecordId, ScenarioKind};
    use chrono::Duration;
    const STATUSES: [&str; 4] = [
        "买家已经申请退款，等待卖家同意",
        "卖家已经同意退款，等待买家退货",
        "买家已经退货，等待卖家确认收货",
        "卖家拒绝退款",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |bound: i64| {
        // xorshift64: fast, deterministic, good enough to spread test data.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        i64::try_from(seed % u64::try_from(bound.max(1)).unwrap_or(1)).unwrap_or(0)
    };
    (0..count)
        .map(|i| {
            let requested = now - Duration::minutes(next(10 * 24 * 60));
            let paid = requested - Duration::minutes(next(5 * 24 * 60));
            let shipped = (next(10) < 7).then(|| paid + Duration::minutes(next(72 * 60)));
            let status = STATUSES[usize::try_from(next(4)).unwrap_or(0)];
            let intervened = (next(10) == 0).then(|| requested + Duration::minutes(next(48 * 60)));
            let facts = CaseFacts {
                refund_no: Some(format!("{}", 4_000_000_000_000_000u64 + i as u64)),
                refund_status_text: Some(status.to_owned()),
                intervention_text: intervened.map(|_| "客服介入中".to_owned()),
                paid_at: Some(paid),
                shipped_at: shipped,
                signed_at: shipped
                    .filter(|_| next(2) == 0)
                    .map(|s| s + Duration::days(2)),
                requested_at: Some(requested),
                return_shipped_at: (status == STATUSES[2]).then(|| requested + Duration::hours(30)),
                intervened_at: intervened,
                ..CaseFacts::default()
            };
            Case {
                id: RecordId::new(requested),
                platform: Platform::Taobao,
                facts,
                kind: ScenarioKind::ALL[i % ScenarioKind::ALL.len()],
                kind_source: KindSource::Derived,
                flag: None,
                assignee: None,
                tags: Vec::new(),
                open: true,
                origin: "bench".to_owned(),
                created_at: requested,
                updated_at: requested,
                updated_by: DeviceId("bench".to_owned()),
                deleted_at: None,
            }
        })
        .collect()
}

/// `bench clocks`: every clock of `cases` open cases, and the dashboard ranking of them.
pub fn bench(cases: usize, runs: usize, with_store: bool, ctx: &Context_) -> anyhow::Result<()> {
    use std::time::Instant;
    let work = Clockwork::bundled()?;
    let all = synthetic_cases(cases, ctx.now);
    let runs = runs.max(1);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let mut compute = Vec::with_capacity(runs);
    let mut rank = Vec::with_capacity(runs);
    let mut board = Vec::with_capacity(runs);
    let mut clocks = 0usize;
    let mut active = 0usize;
    for _ in 0..runs {
        let started = Instant::now();
        clocks = 0;
        active = 0;
        for case in &all {
            let c = work.case_clocks(case, ctx.now);
            clocks += c.clocks.len();
            active += c.clocks.iter().filter(|d| d.state.is_active()).count();
        }
        compute.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let ranked = work.rank(&all, ctx.now);
        std::hint::black_box(&ranked);
        rank.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let view = afterdesk_desk::rank_cases(&work, &all, ctx.now, 50);
        std::hint::black_box(&view);
        board.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut report = json!({
        "cases": cases,
        "runs": runs,
        "clocks_computed": clocks,
        "clocks_active": active,
        "all_clocks_ms": median(compute),
        "rank_ms": median(rank),
        "dashboard_view_ms": median(board),
        "targets": { "all_clocks_ms": 200, "dashboard_ms": 50 },
    });
    if with_store {
        let shop = ctx.open()?;
        let store = shop.store_waiting()?;
        let mut load = Vec::with_capacity(runs);
        let mut total = Vec::with_capacity(runs);
        let mut open = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let cases = afterdesk_desk::open_cases(&store).map_err(desk_err)?;
            load.push(started.elapsed().as_secs_f64() * 1000.0);
            let view = afterdesk_desk::rank_cases(&work, &cases, ctx.now, 50);
            total.push(started.elapsed().as_secs_f64() * 1000.0);
            open = view.open;
        }
        report["store"] = json!({
            "open_cases": open,
            "load_open_cases_ms": median(load),
            "load_and_rank_ms": median(total),
        });
    }
    if ctx.json {
        print_json(&report)
    } else {
        say!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    }
}
