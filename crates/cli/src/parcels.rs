//! `afterdesk parcels …`, `afterdesk track` and `afterdesk bench parcels`: parcels,
//! tracking through 快递100 or 快递鸟 (or by hand), the interception flow, and the
//! refresh benchmark against the local fake server.

use crate::terminal::{complain, say};
use crate::{Context_, print_json};
use afterdesk_case::time::china_text;
use afterdesk_desk::{
    AttentionView, InterceptionInput, NewParcelInput, ParcelView, RefreshReportView, RefreshScope,
};
use afterdesk_parcel::{
    DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_SECS, HttpSettings, KdniaoSettings, Kuaidi100Settings,
    ProviderSettings, RefreshPolicy, RefreshProgress, Tracker,
};
use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use serde_json::json;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

/// `parcels` subcommands.
#[derive(Debug, Subcommand)]
pub enum ParcelsCommand {
    /// 列出未结束售后单的包裹（--attention 只列需要处理的事项，--case 只看一张售后单）。
    List {
        /// 只列需要处理的事项（物流停滞、疑难件、催退货单号、退货签收验货……）。
        #[arg(long)]
        attention: bool,
        /// 只看这张售后单（ID、退款编号或订单号），含物流明细和拦截进度。
        #[arg(long)]
        case: Option<String>,
    },
    /// 给售后单添加包裹（运单号可粘贴，快递公司不给时按单号格式识别）。
    Add {
        /// 售后单 ID、退款编号或订单号。
        #[arg(long)]
        case: String,
        /// 运单号。
        #[arg(long)]
        waybill: String,
        /// 快递公司：sf、zto、yto、sto、yunda、jt、ems、jd、deppon、other，或中文名称。
        #[arg(long)]
        courier: Option<String>,
        /// 方向：outbound（原发货）、return（退货）、reship（补发）、exchange_out（换货寄出）。
        #[arg(long)]
        direction: Option<String>,
        /// 收/寄件人手机尾号 4 位（顺丰等快递查询需要）。
        #[arg(long)]
        phone_tail: Option<String>,
    },
    /// 按导入的物流信息（发货物流、退货物流）为未结束的售后单建包裹；重复运行不会重复添加。
    Import,
    /// 按单号格式提示快递公司（只是提示，任何单号都可以添加）。
    Hint {
        /// 运单号。
        waybill: String,
    },
    /// 手动记录物流状态（未配置查询接口时使用）。
    State {
        /// 包裹 ID。
        parcel: String,
        /// 状态：no_record、picked_up、in_transit、out_for_delivery、signed、signed_by_agent、problem、returned_to_sender、refused、intercepted。
        #[arg(long)]
        state: String,
        /// 物流描述（快递员或网点的原话）。
        #[arg(long)]
        text: Option<String>,
        /// 地点。
        #[arg(long)]
        place: Option<String>,
        /// 发生时间（RFC 3339），默认现在。
        #[arg(long, value_parser = parse_instant)]
        at: Option<DateTime<Utc>>,
    },
    /// 修改包裹的快递公司、手机尾号或方向。
    Set {
        /// 包裹 ID。
        parcel: String,
        /// 快递公司（空字符串清除）。
        #[arg(long)]
        courier: Option<String>,
        /// 手机尾号（空字符串清除）。
        #[arg(long)]
        phone_tail: Option<String>,
        /// 方向。
        #[arg(long)]
        direction: Option<String>,
    },
    /// 移除包裹（保留删除记录和物流明细）。
    Remove {
        /// 包裹 ID。
        parcel: String,
    },
    /// 货在途退款的拦截：记录申请、结果和后续处理，并提示下一步。
    Intercept {
        /// 售后单 ID、退款编号或订单号。
        #[arg(long)]
        case: String,
        /// 步骤：requested（申请拦截）、succeeded（拦截成功）、failed（拦截失败）、back_in_warehouse（已退回仓库）、buyer_keeps（买家保留商品并撤销退款）、switched_to_return（转为退货退款）。
        #[arg(long)]
        step: String,
        /// 包裹 ID 或运单号（默认这张售后单的原发货包裹）。
        #[arg(long)]
        parcel: Option<String>,
        /// 对接的快递公司（默认包裹的快递公司）。
        #[arg(long)]
        courier: Option<String>,
        /// 对接人：网点、快递员姓名或电话。
        #[arg(long)]
        contact: Option<String>,
        /// 备注（如快递工单号）。
        #[arg(long)]
        note: Option<String>,
    },
    /// 刷新全部未结束售后单的包裹（已签收的除外），在标准错误输出上报告进度。
    Refresh(ProviderArgs),
}

// The keys are left out: Debug output reaches logs and error reports.
impl std::fmt::Debug for ProviderArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderArgs")
            .field("kuaidi100_customer", &self.kuaidi100_customer)
            .field("kuaidi100_url", &self.kuaidi100_url)
            .field("kdniao_id", &self.kdniao_id)
            .field("kdniao_url", &self.kdniao_url)
            .field("timeout_secs", &self.timeout_secs)
            .field("concurrency", &self.concurrency)
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

/// Which tracking provider to ask, from flags or the environment; manual when none.
#[derive(Clone, Args)]
pub struct ProviderArgs {
    /// 快递100 的 customer。
    #[arg(long, env = "AFTERDESK_KUAIDI100_CUSTOMER", hide_env_values = true)]
    pub kuaidi100_customer: Option<String>,
    /// 快递100 的授权 key。
    #[arg(long, env = "AFTERDESK_KUAIDI100_KEY", hide_env_values = true)]
    pub kuaidi100_key: Option<String>,
    /// 快递100 的查询地址（默认官方地址）。
    #[arg(long, env = "AFTERDESK_KUAIDI100_URL")]
    pub kuaidi100_url: Option<String>,
    /// 快递鸟的用户 ID（EBusinessID）。
    #[arg(long, env = "AFTERDESK_KDNIAO_ID", hide_env_values = true)]
    pub kdniao_id: Option<String>,
    /// 快递鸟的 API key。
    #[arg(long, env = "AFTERDESK_KDNIAO_KEY", hide_env_values = true)]
    pub kdniao_key: Option<String>,
    /// 快递鸟的查询地址（默认官方地址）。
    #[arg(long, env = "AFTERDESK_KDNIAO_URL")]
    pub kdniao_url: Option<String>,
    /// 每次查询的超时（秒）。
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout_secs: u64,
    /// 同时进行的查询数。
    #[arg(long, default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// 在标准错误输出上逐个报告进度。
    #[arg(long)]
    pub progress: bool,
}

impl ProviderArgs {
    fn settings(&self) -> ProviderSettings {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        if let (Some(customer), Some(key)) = (
            nonempty(&self.kuaidi100_customer),
            nonempty(&self.kuaidi100_key),
        ) {
            return ProviderSettings::Kuaidi100(Kuaidi100Settings {
                customer,
                key,
                url: nonempty(&self.kuaidi100_url),
            });
        }
        if let (Some(business_id), Some(app_key)) =
            (nonempty(&self.kdniao_id), nonempty(&self.kdniao_key))
        {
            return ProviderSettings::Kdniao(KdniaoSettings {
                business_id,
                app_key,
                url: nonempty(&self.kdniao_url),
            });
        }
        ProviderSettings::Manual
    }

    fn tracker(&self) -> anyhow::Result<Box<dyn Tracker>> {
        let timeout = Duration::from_secs(self.timeout_secs.max(1));
        let http = HttpSettings {
            timeout,
            connect_timeout: timeout.min(Duration::from_secs(
                afterdesk_parcel::DEFAULT_CONNECT_TIMEOUT_SECS,
            )),
        };
        Ok(afterdesk_parcel::tracker(&self.settings(), &http)
            .map_err(afterdesk_desk::DeskError::from)?)
    }
}

/// `track` arguments.
#[derive(Debug, Args)]
pub struct TrackArgs {
    /// 售后单 ID、退款编号、订单号或运单号。
    pub key: String,
    /// 查询接口。
    #[command(flatten)]
    pub provider: ProviderArgs,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("“{text}”不是 RFC 3339 时间（如 2026-11-22T18:00:00+08:00）：{e}"))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
}

fn print_parcel(p: &ParcelView) {
    let courier = p.courier_name.as_deref().unwrap_or("未知快递");
    say!(
        "{}  {}  {courier} {}  {}{}",
        p.id,
        p.direction_name,
        p.waybill,
        p.state_name,
        p.last_update
            .as_deref()
            .map(|u| format!("（更新于 {u}）"))
            .unwrap_or_default()
    );
    if let Some(e) = &p.last_error {
        say!("    上次查询失败：{e}");
    }
    for e in &p.events {
        say!(
            "    {} {}{}",
            e.at,
            e.place
                .as_deref()
                .map(|p| format!("[{p}] "))
                .unwrap_or_default(),
            e.text
        );
    }
    for a in &p.attention {
        say!("    ⚠ {}：{}", a.reason_name, a.prompt);
    }
}

fn print_attention(a: &AttentionView) {
    say!(
        "{}  {}  {}：{}",
        a.refund_no.as_deref().unwrap_or(&a.case_id),
        a.waybill.as_deref().unwrap_or("-"),
        a.reason_name,
        a.prompt
    );
}

fn print_report(r: &RefreshReportView) {
    say!(
        "{}：共 {} 个包裹，更新 {}，失败 {}，暂缓 {}，跳过 {}，新物流记录 {} 条{}",
        r.provider,
        r.total,
        r.updated,
        r.failed,
        r.deferred,
        r.skipped,
        r.new_events,
        if r.cancelled { "（已取消）" } else { "" }
    );
    for i in r.items.iter().filter(|i| i.outcome != "updated") {
        say!(
            "  {} {}：{}",
            i.waybill,
            i.outcome,
            i.message.as_deref().unwrap_or("")
        );
    }
}

fn desk<T>(r: Result<T, afterdesk_desk::DeskError>) -> anyhow::Result<T> {
    Ok(r?)
}

/// Refreshes `scope` through the provider the flags name and prints the report.
fn refresh(
    ctx: &Context_,
    args: &ProviderArgs,
    scope: RefreshScope,
    explicit: bool,
) -> anyhow::Result<RefreshReportView> {
    let tracker = args.tracker()?;
    let shop = ctx.open()?;
    let mut store = shop.store_waiting()?;
    let policy = RefreshPolicy {
        concurrency: args.concurrency.max(1),
        // A user naming a case or waybill wants it asked now; a whole-shop refresh keeps
        // to each parcel's backoff.
        honour_backoff: !explicit,
        ..RefreshPolicy::default()
    };
    let show = args.progress;
    let mut progress = |p: RefreshProgress| {
        if show {
            complain!(
                "progress {}/{} {} {}",
                p.done,
                p.total,
                p.waybill,
                p.outcome
            );
        }
    };
    let now = ctx.now;
    // The CLI's `--now` fixes the clock for scripts and tests; without it this is the
    // start of the command, which a refresh of a few hundred parcels does not outlast
    // by enough to matter for 30-minute rate limits.
    let clock = move || now;
    let cancel = AtomicBool::new(false);
    let report = runtime()?.block_on(afterdesk_desk::refresh_parcels(
        &mut store,
        tracker.as_ref(),
        &scope,
        &policy,
        &clock,
        &mut progress,
        &cancel,
    ))?;
    Ok(report)
}

/// Runs `track`.
pub fn track(ctx: &Context_, args: &TrackArgs) -> anyhow::Result<()> {
    let report = refresh(
        ctx,
        &args.provider,
        RefreshScope::CaseOrWaybill(args.key.clone()),
        true,
    )?;
    let shop = ctx.open()?;
    let store = shop.store_waiting()?;
    let rules = desk(afterdesk_desk::load_parcel_rules(&store))?;
    let ids: Vec<&str> = report.items.iter().map(|i| i.parcel_id.as_str()).collect();
    let mut parcels = Vec::new();
    let mut seen_cases = Vec::new();
    for id in &ids {
        let parcel = store.parcel(id)?;
        let case_id = parcel.case_id.to_string();
        if seen_cases.contains(&case_id) {
            continue;
        }
        let view = desk(afterdesk_desk::case_parcels(
            &store, &case_id, &rules, ctx.now,
        ))?;
        parcels.extend(
            view.parcels
                .into_iter()
                .filter(|p| ids.contains(&p.id.as_str())),
        );
        seen_cases.push(case_id);
    }
    if ctx.json {
        return print_json(&json!({ "refresh": report, "parcels": parcels }));
    }
    print_report(&report);
    for p in &parcels {
        print_parcel(p);
    }
    Ok(())
}

/// Runs a `parcels` subcommand.
pub fn run(ctx: &Context_, command: ParcelsCommand) -> anyhow::Result<()> {
    match command {
        ParcelsCommand::List { attention, case } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let rules = desk(afterdesk_desk::load_parcel_rules(&store))?;
            match (case, attention) {
                (Some(case), _) => {
                    let view = desk(afterdesk_desk::case_parcels(&store, &case, &rules, ctx.now))?;
                    if ctx.json {
                        return print_json(&view);
                    }
                    for p in &view.parcels {
                        print_parcel(p);
                    }
                    for a in view.attention.iter().filter(|a| a.parcel_id.is_none()) {
                        print_attention(a);
                    }
                    if let Some(i) = &view.interception {
                        say!("拦截：{}。{}", i.state_name, i.next_step);
                    }
                    Ok(())
                }
                (None, true) => {
                    let list = desk(afterdesk_desk::parcels_needing_attention(
                        &store, &rules, ctx.now,
                    ))?;
                    if ctx.json {
                        return print_json(&list);
                    }
                    say!(
                        "未结束售后单的包裹 {} 个，需要处理 {} 项：",
                        list.parcels,
                        list.items.len()
                    );
                    for a in &list.items {
                        print_attention(a);
                    }
                    Ok(())
                }
                (None, false) => {
                    let list = desk(afterdesk_desk::open_parcels(&store, &rules, ctx.now))?;
                    if ctx.json {
                        return print_json(&list);
                    }
                    for p in &list {
                        print_parcel(p);
                    }
                    Ok(())
                }
            }
        }
        ParcelsCommand::Add {
            case,
            waybill,
            courier,
            direction,
            phone_tail,
        } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let view = desk(afterdesk_desk::add_parcel(
                &mut store,
                &NewParcelInput {
                    case,
                    waybill,
                    courier,
                    direction,
                    phone_tail,
                },
                ctx.agent(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&view);
            }
            say!("已添加包裹：");
            print_parcel(&view);
            if view.courier.is_none() {
                say!("  单号格式对应不上唯一的快递公司，请用 parcels set --courier 选择");
            }
            Ok(())
        }
        ParcelsCommand::Import => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let report = desk(afterdesk_desk::parcels_from_imports(
                &mut store,
                ctx.agent(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&report);
            }
            say!(
                "有物流信息的售后单 {} 张，新建包裹 {} 个，无法识别单号 {} 条",
                report.cases_with_logistics,
                report.added,
                report.unreadable
            );
            Ok(())
        }
        ParcelsCommand::Hint { waybill } => {
            let hint = desk(afterdesk_desk::courier_hint(&waybill))?;
            if ctx.json {
                return print_json(&hint);
            }
            if hint.names.is_empty() {
                say!("{}：没有匹配的单号格式，请手动选择快递公司", hint.waybill);
            } else {
                say!("{}：可能是 {}", hint.waybill, hint.names.join("、"));
            }
            Ok(())
        }
        ParcelsCommand::State {
            parcel,
            state,
            text,
            place,
            at,
        } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let view = desk(afterdesk_desk::record_parcel_state(
                &mut store,
                &parcel,
                &state,
                text.as_deref(),
                place.as_deref(),
                at,
                ctx.agent(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&view);
            }
            print_parcel(&view);
            Ok(())
        }
        ParcelsCommand::Set {
            parcel,
            courier,
            phone_tail,
            direction,
        } => {
            if courier.is_none() && phone_tail.is_none() && direction.is_none() {
                bail!("没有要修改的内容：请给出 --courier、--phone-tail 或 --direction");
            }
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let view = desk(afterdesk_desk::change_parcel(
                &mut store,
                &parcel,
                courier.as_deref(),
                phone_tail.as_deref(),
                direction.as_deref(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&view);
            }
            print_parcel(&view);
            Ok(())
        }
        ParcelsCommand::Remove { parcel } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let view = desk(afterdesk_desk::remove_parcel(
                &mut store,
                &parcel,
                ctx.agent(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&view);
            }
            say!("已移除包裹 {}", view.waybill);
            Ok(())
        }
        ParcelsCommand::Intercept {
            case,
            step,
            parcel,
            courier,
            contact,
            note,
        } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let view = desk(afterdesk_desk::intercept(
                &mut store,
                &InterceptionInput {
                    case,
                    step,
                    parcel,
                    courier,
                    contact,
                    note,
                },
                ctx.agent(),
                ctx.now,
            ))?;
            if ctx.json {
                return print_json(&view);
            }
            say!("拦截：{}。下一步：{}", view.state_name, view.next_step);
            Ok(())
        }
        ParcelsCommand::Refresh(args) => {
            let report = refresh(ctx, &args, RefreshScope::All, false)?;
            if ctx.json {
                return print_json(&report);
            }
            print_report(&report);
            Ok(())
        }
    }
}

/// The refresh deadline the benchmark checks: 1,000 parcels in under 30 seconds.
const BENCH_LIMIT_SECS: f64 = 30.0;

/// `bench parcels`: refreshes `count` parcels of an in-memory shop against the local fake
/// server (each answer delayed by `delay_ms`, like a real provider), through the same desk
/// function as `parcels refresh`, and checks the concurrency bound the server saw.
pub fn bench(
    ctx: &Context_,
    count: usize,
    concurrency: usize,
    delay_ms: u64,
) -> anyhow::Result<()> {
    use afterdesk_case::{CaseFacts, DeviceId, Platform};
    use afterdesk_parcel::fake::{FakeKeys, FakeServer};
    use afterdesk_store::{NewCase, Store};

    let concurrency = concurrency.max(1);
    let mut store = Store::open_in_memory(DeviceId("bench".to_owned()))?;
    for i in 0..count {
        store.add_case(
            NewCase {
                platform: Some(Platform::Taobao),
                facts: CaseFacts {
                    refund_no: Some(format!("B{i:07}")),
                    ship_logistics: Some(format!("中通快递 75{i:012}")),
                    refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
                    ..CaseFacts::default()
                },
                ..NewCase::default()
            },
            ctx.agent(),
            ctx.now,
        )?;
    }
    let imported = desk(afterdesk_desk::parcels_from_imports(
        &mut store,
        ctx.agent(),
        ctx.now,
    ))?;
    let rt = runtime()?;
    let (customer, key) = ("BENCH", "BENCHKEY");
    let server = rt.block_on(FakeServer::start(
        FakeKeys {
            kuaidi100: Some((customer.to_owned(), key.to_owned())),
            kdniao: None,
        },
        Duration::from_millis(delay_ms),
    ))?;
    let tracker = afterdesk_parcel::tracker(
        &ProviderSettings::Kuaidi100(Kuaidi100Settings {
            customer: customer.to_owned(),
            key: key.to_owned(),
            url: Some(server.kuaidi100_url()),
        }),
        &HttpSettings::default(),
    )
    .map_err(afterdesk_desk::DeskError::from)?;
    let policy = RefreshPolicy {
        concurrency,
        ..RefreshPolicy::default()
    };
    let now = ctx.now;
    let clock = move || now;
    let started = Instant::now();
    let report = rt.block_on(afterdesk_desk::refresh_parcels(
        &mut store,
        tracker.as_ref(),
        &RefreshScope::All,
        &policy,
        &clock,
        &mut |_| {},
        &AtomicBool::new(false),
    ))?;
    let seconds = started.elapsed().as_secs_f64();
    let max_in_flight = server.max_in_flight();
    let result = json!({
        "parcels": imported.added,
        "concurrency": concurrency,
        "delay_ms": delay_ms,
        "seconds": (seconds * 1000.0).round() / 1000.0,
        "parcels_per_second": (f64::from(report.total) / seconds).round(),
        "max_in_flight": max_in_flight,
        "requests": server.requests(),
        "updated": report.updated,
        "failed": report.failed,
        "new_events": report.new_events,
        "at": china_text(ctx.now),
    });
    if ctx.json {
        print_json(&result)?;
    } else {
        say!(
            "刷新 {} 个包裹：{:.2} 秒（每个回应延迟 {delay_ms} 毫秒，并发上限 {concurrency}，服务器同时最多看到 {max_in_flight} 个请求），更新 {}，失败 {}",
            report.total,
            seconds,
            report.updated,
            report.failed
        );
    }
    if max_in_flight > concurrency {
        bail!("并发超限：服务器同时看到 {max_in_flight} 个请求，上限是 {concurrency}");
    }
    if report.updated as usize != count {
        bail!("只有 {} / {count} 个包裹刷新成功", report.updated);
    }
    if seconds >= BENCH_LIMIT_SECS {
        bail!("刷新 {count} 个包裹用了 {seconds:.1} 秒，超过 {BENCH_LIMIT_SECS} 秒");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_args_debug_never_shows_a_key() {
        let args = ProviderArgs {
            kuaidi100_customer: Some("CUSTOMER01".to_owned()),
            kuaidi100_key: Some("k100-secret-9".to_owned()),
            kuaidi100_url: None,
            kdniao_id: Some("1234567".to_owned()),
            kdniao_key: Some("kdn-secret-9".to_owned()),
            kdniao_url: None,
            timeout_secs: 10,
            concurrency: 4,
            progress: false,
        };
        let shown = format!("{args:?}{:?}", args.settings());
        assert!(
            !shown.contains("secret-9"),
            "a key must never reach a log: {shown}"
        );
        assert!(shown.contains("CUSTOMER01"), "{shown}");
    }
}
