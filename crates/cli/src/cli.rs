//! The command line's grammar.

use afterdesk_case::{Fen, Flag, Platform, RefundStatus, ScenarioKind};
use afterdesk_desk::CaseQueryInput;
use afterdesk_export::ExportKind;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// 售后台 AfterDesk：网店售后工作台的命令行工具。
#[derive(Debug, Parser)]
#[command(name = "afterdesk", version, about, long_about = None)]
pub struct Cli {
    /// 店铺数据库文件（默认在系统应用数据文件夹里）。
    #[arg(long, global = true, env = "AFTERDESK_DB")]
    pub db: Option<PathBuf>,
    /// 操作人（写进备注和变更记录），默认取系统用户名。
    #[arg(long, global = true, env = "AFTERDESK_AGENT")]
    pub agent: Option<String>,
    /// 以 JSON 输出（一个 JSON 文档写到标准输出）。
    #[arg(long, global = true)]
    pub json: bool,
    /// 把“现在”设为这个时刻（RFC 3339），用于脚本和测试。
    #[arg(long, global = true, value_parser = parse_instant)]
    pub now: Option<DateTime<Utc>>,
    /// 要做的事。
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 导入后台导出的退款或订单文件（CSV/XLSX，GBK 或 UTF-8）。
    Import {
        /// 导出文件。
        file: PathBuf,
        /// 平台：taobao、tmall 或 other（默认按文件名猜测）。
        #[arg(long, value_parser = parse_platform)]
        platform: Option<Platform>,
        /// 只接受这种文件：refunds（退款）或 orders（订单）。
        #[arg(long, value_parser = parse_export_kind)]
        expect: Option<ExportKind>,
        /// 在标准错误输出上报告进度。
        #[arg(long)]
        progress: bool,
    },
    /// 售后单列表。
    Cases {
        /// 子命令。
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// 查看或修改一张售后单。
    Case {
        /// 子命令。
        #[command(subcommand)]
        command: CaseCommand,
    },
    /// 店铺自定义的导出列名映射。
    Mapping {
        /// 子命令。
        #[command(subcommand)]
        command: MappingCommand,
    },
    /// 店铺成员：member list 列出；member add 名字 --role 角色 添加；member bind 名字 说明这台电脑是谁。
    Member {
        /// 子命令。
        #[command(subcommand)]
        command: MemberCommand,
    },
    /// 立即备份数据库；backup list 列出备份，backup restore <备份文件> 从备份恢复。
    Backup {
        /// 只列出备份（同 backup list）。
        #[arg(long)]
        list: bool,
        /// 子命令（不写则立即备份）。
        #[command(subcommand)]
        command: Option<BackupCommand>,
    },
    /// 举证：清单、添加证据文件、列出、导出证据包、申诉前自查。
    Evidence {
        /// 子命令。
        #[command(subcommand)]
        command: crate::evidence::EvidenceCommand,
    },
    /// 生成用于测试的模拟导出文件。
    GenExport(GenExportArgs),
    /// 性能基准。
    Bench {
        /// 子命令。
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// 平台时钟：每张未结束售后单的截止时间，按紧急程度排列。
    Clocks(crate::clocks::ClocksArgs),
    /// 判断买家消息属于哪种售后场景（附两个备选）。
    Classify {
        /// 买家的消息（简体或繁体）。
        text: String,
    },
    /// 为售后单生成回复草稿：按场景选话术、填入订单信息、检查措辞、给出补偿建议。
    Draft(crate::scripts::DraftArgs),
    /// AI 润色（可选）：去除买家个人信息后，由店铺设置的 OpenAI 兼容接口润色草稿语气。
    Polish(crate::polish::PolishArgs),
    /// 话术库：导入培训资料。
    Scripts {
        /// 子命令。
        #[command(subcommand)]
        command: crate::scripts::ScriptsCommand,
    },
    /// 包裹：列出、需要处理的事项、添加、导入物流信息、手动记录状态、拦截、刷新。
    Parcels {
        /// 子命令。
        #[command(subcommand)]
        command: crate::parcels::ParcelsCommand,
    },
    /// 查询一张售后单（或一个运单号）的物流：经快递100或快递鸟查询并记录；未配置接口时只显示已记录的状态。
    Track(crate::parcels::TrackArgs),
    /// 法定节假日与调休日历（工作日时钟用）。
    Calendar {
        /// 子命令。
        #[command(subcommand)]
        command: crate::clocks::CalendarCommand,
    },
}

/// `backup` subcommands.
#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// 列出备份（最新的在最后）；店铺文件损坏、无法打开时也能用。
    List,
    /// 从备份恢复：先检查备份，再把当前数据另存为一份 before-restore 备份，然后恢复并检查。
    Restore {
        /// 备份文件（见 backup list）。
        file: PathBuf,
    },
}

/// `cases` subcommands.
#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// 列出售后单（默认只列未结束的）。
    List(ListArgs),
}

/// Filters of `cases list`: the flags of the app's list filter, [`CaseQueryInput`], which
/// [`ListArgs::input`] fills in. Each key is checked here by the same function the app's
/// filter is checked with, so a bad one is a usage error with the app's message.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// 只列已结束的。
    #[arg(long, conflicts_with = "all")]
    pub closed: bool,
    /// 列出全部（未结束和已结束）。
    #[arg(long)]
    pub all: bool,
    /// 售后类型，如 refund_unshipped、return_refund。
    #[arg(long, value_parser = checked(afterdesk_desk::kind_key))]
    pub kind: Option<String>,
    /// 旗帜颜色：red、yellow、green、blue、purple、grey。
    #[arg(long, value_parser = checked(afterdesk_desk::flag_key))]
    pub flag: Option<String>,
    /// 负责人。
    #[arg(long)]
    pub assignee: Option<String>,
    /// 全文搜索：买家、订单号、退款编号、宝贝标题、原因、备注。
    #[arg(long, short = 's')]
    pub search: Option<String>,
    /// 排序：requested（申请最早在前，默认）、requested-desc、updated。
    #[arg(long, default_value = "requested", value_parser = checked(afterdesk_desk::case_sort_key))]
    pub sort: String,
    /// 最多列出几条。
    #[arg(long, default_value_t = afterdesk_store::DEFAULT_PAGE)]
    pub limit: u32,
    /// 跳过前几条。
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

impl ListArgs {
    /// The filter these flags give, in the app's shape: open cases unless `--closed` or
    /// `--all`.
    pub fn input(&self) -> CaseQueryInput {
        CaseQueryInput {
            open: if self.all {
                None
            } else if self.closed {
                Some(false)
            } else {
                Some(true)
            },
            kind: self.kind.clone(),
            flag: self.flag.clone(),
            assignee: self.assignee.clone(),
            text: self.search.clone(),
            sort: Some(self.sort.clone()),
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// A clap value parser that checks a key with the desk's reading of it and keeps the text,
/// so the flag and the app's filter refuse the same words with the same message.
fn checked<T: 'static>(
    read: fn(&str) -> Result<T, afterdesk_desk::DeskError>,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |text: &str| {
        read(text)
            .map(|_| text.to_owned())
            .map_err(|e| e.to_string())
    }
}

/// `case` subcommands.
#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// 查看售后单（ID、退款编号或订单号）。
    Show {
        /// 售后单 ID、退款编号或订单号。
        key: String,
    },
    /// 手工新建售后单。
    Add(AddArgs),
    /// 添加备注。
    Note {
        /// 售后单 ID、退款编号或订单号。
        key: String,
        /// 备注内容。
        text: String,
    },
    /// 修改状态、类型、旗帜、负责人、标签。
    Set(SetArgs),
    /// 删除售后单（可用 restore 撤销）。
    Delete {
        /// 售后单 ID、退款编号或订单号。
        key: String,
    },
    /// 撤销删除。
    Restore {
        /// 售后单 ID、退款编号或订单号。
        key: String,
    },
}

/// `case add` arguments.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// 退款编号。
    #[arg(long)]
    pub refund_no: Option<String>,
    /// 订单编号（可直接粘贴）。
    #[arg(long)]
    pub order_no: Option<String>,
    /// 买家会员名。
    #[arg(long)]
    pub buyer: Option<String>,
    /// 宝贝标题。
    #[arg(long)]
    pub title: Option<String>,
    /// 买家的问题或原因。
    #[arg(long)]
    pub reason: Option<String>,
    /// 退款金额（元），如 12.50。
    #[arg(long, value_parser = parse_money)]
    pub amount: Option<Fen>,
    /// 售后类型。
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ScenarioKind>,
    /// 旗帜颜色。
    #[arg(long, value_parser = parse_flag)]
    pub flag: Option<Flag>,
    /// 负责人。
    #[arg(long)]
    pub assignee: Option<String>,
    /// 平台。
    #[arg(long, value_parser = parse_platform)]
    pub platform: Option<Platform>,
    /// 标签（可重复）。
    #[arg(long)]
    pub tag: Vec<String>,
    /// 第一条备注。
    #[arg(long)]
    pub note: Option<String>,
}

/// A flag choice that can also clear the flag (`none`).
#[derive(Debug, Clone, Copy)]
pub struct FlagChoice(pub Option<Flag>);

/// `case set` arguments.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// 售后单 ID、退款编号或订单号。
    pub key: String,
    /// 退款状态：awaiting_seller、awaiting_return、awaiting_receipt、seller_refused、succeeded、closed。
    #[arg(long, value_parser = parse_status)]
    pub status: Option<RefundStatus>,
    /// 售后类型（人工设定后导入不再覆盖）。
    #[arg(long, value_parser = parse_kind)]
    pub kind: Option<ScenarioKind>,
    /// 旗帜颜色，none 表示去掉旗帜。
    #[arg(long, value_parser = parse_flag_choice)]
    pub flag: Option<FlagChoice>,
    /// 负责人，空字符串表示清除。
    #[arg(long)]
    pub assignee: Option<String>,
    /// 重新打开。
    #[arg(long, conflicts_with = "close")]
    pub open: bool,
    /// 结束这张售后单。
    #[arg(long)]
    pub close: bool,
    /// 加标签（可重复）。
    #[arg(long)]
    pub tag: Vec<String>,
    /// 去标签（可重复）。
    #[arg(long)]
    pub untag: Vec<String>,
}

/// `mapping` subcommands.
#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// 列出自定义列名映射。
    List,
    /// 新增映射：某个列名对应哪个字段（字段见 docs/import.md）。
    Add {
        /// 导出文件里的列名。
        header: String,
        /// 字段，如 refund_no、order_no、buyer_nick。
        field: String,
    },
}

/// `gen-export` arguments.
#[derive(Debug, Args)]
pub struct GenExportArgs {
    /// 数据行数。
    #[arg(long, default_value_t = 100)]
    pub rows: usize,
    /// 编码：gbk、utf8、utf8-bom。
    #[arg(long, default_value = "gbk")]
    pub encoding: String,
    /// 格式：csv 或 xlsx。
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// 文件类型：refunds 或 orders。
    #[arg(long, default_value = "refunds", value_parser = parse_export_kind)]
    pub kind: ExportKind,
    /// 随机种子。
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// 生成“几天后”的导出：三分之一的退款已完结。
    #[arg(long)]
    pub later: bool,
    /// 每 N 行放一行坏数据。
    #[arg(long)]
    pub bad_every: Option<usize>,
    /// 输出文件。
    #[arg(long)]
    pub out: PathBuf,
}

/// `bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// 哈希基准：本程序的 SHA-256 与 sha256sum 对同一文件的吞吐量（同一次运行中对比）。
    Hash {
        /// 要哈希的文件（如 1 GB 的视频）。
        file: PathBuf,
        /// 对照程序。
        #[arg(long, default_value = "sha256sum")]
        reference: String,
    },
    /// 导入基准：生成 GBK 退款导出并导入，与 sqlite3 的 .import 对比。
    Import {
        /// 行数。
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        /// 工作目录（默认临时目录）。
        #[arg(long)]
        dir: Option<PathBuf>,
        /// sqlite3 命令行程序。
        #[arg(long, default_value = "sqlite3")]
        sqlite3: String,
    },
    /// 查询基准：在已导入的库上测列表和全文搜索。
    Query {
        /// 每种查询重复次数。
        #[arg(long, default_value_t = 50)]
        runs: usize,
    },
    /// 回复草稿基准：生成 5,000 条店铺话术，测判断消息类型加生成草稿的 p50/p99。
    Drafts {
        /// 话术库大小（内置话术加生成的店铺话术）。
        #[arg(long, default_value_t = 5_000)]
        scripts: usize,
        /// 生成草稿的次数。
        #[arg(long, default_value_t = 2_000)]
        runs: usize,
    },
    /// 培训资料导入基准：生成 50 页的 .docx 和 50 张幻灯片的 .pptx，测读取加识别的时间。
    ScriptsImport {
        /// 页数（.docx）和幻灯片数（.pptx）。
        #[arg(long, default_value_t = 50)]
        pages: usize,
        /// 每个文件导入的次数（报告中位数和最大值）。
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// 工作目录（默认临时目录）。
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// 包裹刷新基准：在内存里建包裹，对本机模拟的快递100接口刷新，检查并发上限。
    Parcels {
        /// 包裹数。
        #[arg(long, default_value_t = 1_000)]
        count: usize,
        /// 同时进行的查询数。
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// 模拟接口每个回应的延迟（毫秒）。
        #[arg(long, default_value_t = 50)]
        delay_ms: u64,
    },
    /// 时钟基准：在内存里生成售后单，计算全部时钟并排出紧急程度。
    Clocks {
        /// 未结束售后单数。
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// 重复次数（报告中位数）。
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// 另外测从数据库读出全部未结束售后单再排序（用 --db 指定的库）。
        #[arg(long)]
        store: bool,
    },
}

macro_rules! key_parser {
    ($name:ident, $ty:ty, $what:literal) => {
        fn $name(text: &str) -> Result<$ty, String> {
            <$ty>::from_key(text).ok_or_else(|| {
                let keys: Vec<&str> = <$ty>::ALL.iter().map(|k| k.key()).collect();
                format!("未知{}“{text}”，可选：{}", $what, keys.join("、"))
            })
        }
    };
}
key_parser!(parse_kind, ScenarioKind, "售后类型");
key_parser!(parse_flag, Flag, "旗帜颜色");
key_parser!(parse_platform, Platform, "平台");
key_parser!(parse_status, RefundStatus, "退款状态");

fn parse_flag_choice(text: &str) -> Result<FlagChoice, String> {
    if text == "none" {
        Ok(FlagChoice(None))
    } else {
        parse_flag(text).map(|f| FlagChoice(Some(f)))
    }
}

fn parse_export_kind(text: &str) -> Result<ExportKind, String> {
    match text {
        "refunds" => Ok(ExportKind::Refunds),
        "orders" => Ok(ExportKind::Orders),
        _ => Err(format!("未知文件类型“{text}”，可选：refunds、orders")),
    }
}

fn parse_money(text: &str) -> Result<Fen, String> {
    Fen::parse_yuan(text).map_err(|e| e.to_string())
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("“{text}”不是 RFC 3339 时间（如 2026-11-22T18:00:00+08:00）：{e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use clap::Parser;
    use rstest::rstest;

    /// The CLI's reading of `cases list` flags: the store's query, or the usage error.
    fn cli_path(flags: &[&str]) -> Result<afterdesk_store::CaseQuery, String> {
        let mut argv = vec!["afterdesk", "cases", "list"];
        argv.extend_from_slice(flags);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let Command::Cases {
            command: CasesCommand::List(args),
        } = cli.command
        else {
            panic!("`cases list` parses as the list command");
        };
        args.input().to_query().map_err(|e| e.to_string())
    }

    /// The app's reading of the same filter, sent as the UI sends it (JSON).
    fn app_path(json: &str) -> Result<afterdesk_store::CaseQuery, String> {
        let input: CaseQueryInput = serde_json::from_str(json).unwrap();
        input.to_query().map_err(|e| e.to_string())
    }

    /// Each row: the same filter as CLI flags and as the app's JSON.
    #[rstest]
    #[case::defaults(&[], r#"{"open": true, "limit": 50}"#)]
    #[case::everything(&["--all"], r#"{"open": null, "limit": 50}"#)]
    #[case::closed(&["--closed"], r#"{"open": false, "limit": 50}"#)]
    #[case::kind_and_flag(
        &["--kind", "return_refund", "--flag", "red"],
        r#"{"open": true, "kind": "return_refund", "flag": "red", "limit": 50}"#
    )]
    #[case::search_assignee_page(
        &["-s", "小明 杯子", "--assignee", "小王", "--limit", "20", "--offset", "40"],
        r#"{"open": true, "text": "小明 杯子", "assignee": "小王", "limit": 20, "offset": 40}"#
    )]
    #[case::sort_with_a_dash(&["--sort", "requested-desc"], r#"{"open": true, "sort": "requested_desc", "limit": 50}"#)]
    #[case::sort_updated(&["--sort", "updated"], r#"{"open": true, "sort": "updated", "limit": 50}"#)]
    #[case::unknown_kind(&["--kind", "nonsense"], r#"{"kind": "nonsense"}"#)]
    #[case::unknown_flag(&["--flag", "pink"], r#"{"flag": "pink"}"#)]
    #[case::unknown_sort(&["--sort", "random"], r#"{"sort": "random"}"#)]
    fn the_cli_and_the_app_read_a_filter_alike(#[case] flags: &[&str], #[case] json: &str) {
        match (cli_path(flags), app_path(json)) {
            (Ok(cli), Ok(app)) => assert_eq!(
                cli, app,
                "{flags:?} and {json} are one filter: the store gets one query"
            ),
            (Err(cli), Err(app)) => assert!(
                cli.contains(&app),
                "{flags:?} is refused with the app's message ({app}): {cli}"
            ),
            (cli, app) => panic!(
                "{flags:?} and {json} must both pass or both be refused: CLI {cli:?}, app {app:?}"
            ),
        }
    }
}

/// `member` subcommands.
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// 列出店铺成员。
    List,
    /// 添加成员（店铺有店长后，只有店长的电脑能添加）。
    Add {
        /// 名字（最多 20 个字）。
        name: String,
        /// 角色：客服、仓库、财务、店长（或 agent、warehouse、finance、owner）。
        #[arg(long, default_value = "客服")]
        role: String,
    },
    /// 这台电脑是哪位成员：之后的备注和记录都记在这位成员名下。
    Bind {
        /// 成员的名字或编号。
        member: String,
    },
}
