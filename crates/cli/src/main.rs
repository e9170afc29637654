//! `afterdesk`: the after-sales desk from the command line, for scripting, tests and
//! benchmarks. Every subcommand drives the same core crates as the desktop app.
// The flat case JSON document has more keys than serde_json's macro expands by default.
#![recursion_limit = "256"]

mod bench;
mod cli;
mod clocks;
mod evidence;
mod parcels;
mod polish;
mod scripts;
mod show;
mod terminal;

use crate::terminal::{complain, say};
use afterdesk_case::{CaseFacts, Fen, Platform};
use afterdesk_desk::{DeskError, ErrorCode, ImportOptions};
use afterdesk_shop::{DailyBackup, Shop, ShopError, ShopPlace};
use afterdesk_store::{BackupReason, CaseChange, CaseQuery, NewCase, Store, StoreError};
use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::Parser;
use cli::{BackupCommand, CaseCommand, Cli, Command, MappingCommand, MemberCommand};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let result = run(cli);
    // The import benchmark runs this binary as a child and reads its peak memory here.
    if std::env::var_os("AFTERDESK_PEAK_RSS").is_some()
        && let Some(kib) = bench::peak_rss_kib()
    {
        complain!("peak_rss_kib {kib}");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = error_code(&error);
            if json {
                complain!(
                    "{}",
                    json!({ "error": { "code": code, "message": message(&error) } })
                );
            } else {
                complain!("错误：{}", message(&error));
            }
            ExitCode::from(1)
        }
    }
}

/// The error and its causes in one line. The core's messages already quote their cause,
/// so a cause whose text is already there is not repeated.
fn message(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push('：');
            }
            text.push_str(&part);
        }
    }
    text
}

/// The stable code of the first typed error in the chain, typed as the desktop app's
/// (its JSON form is the library's code string; anything untyped is `error`).
fn error_code(error: &anyhow::Error) -> ErrorCode {
    for cause in error.chain() {
        if let Some(e) = cause.downcast_ref::<ShopError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<DeskError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_desk::ClocksError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_clock::ClockError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<StoreError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_script::import::ImportError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_polish::PolishError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_secret::SecretError>() {
            return ErrorCode::of(e.code());
        }
        if let Some(e) = cause.downcast_ref::<afterdesk_parcel::TrackError>() {
            return ErrorCode::of(e.code());
        }
    }
    ErrorCode::Error
}

/// Everything a command needs from the edges: the clock, the agent and the store's place.
struct Context_ {
    now: DateTime<Utc>,
    /// `--agent` (or `AFTERDESK_AGENT`), when given.
    explicit_agent: Option<String>,
    /// Who is acting, settled when the shop is opened: `--agent`, else the member this
    /// computer is bound to in the shop, else the system user name.
    agent: std::cell::OnceCell<String>,
    db: PathBuf,
    json: bool,
}

impl Context_ {
    /// Who is acting (settled by [`Context_::open`]; the system user before that).
    fn agent(&self) -> &str {
        self.agent
            .get()
            .map(String::as_str)
            .or(self.explicit_agent.as_deref())
            .unwrap_or("客服")
    }

    /// Opens the shop through the one session the app uses too, as this computer (see
    /// [`afterdesk_shop::device`]), the day's backup taken before the command runs.
    fn open(&self) -> anyhow::Result<Shop> {
        let config_dir = afterdesk_shop::config_dir();
        let (device, problem) = afterdesk_shop::device(config_dir.as_deref(), self.now);
        if let Some(problem) = problem {
            complain!("警告：{problem}");
        }
        self.warn_if_synced();
        let shop = Shop::open(
            ShopPlace {
                db: self.db.clone(),
                device,
                config_dir,
                backup: DailyBackup::Inline,
                keychain: afterdesk_secret::Keychain::from_env(),
            },
            self.now,
        );
        shop.check()?;
        let bound = match &self.explicit_agent {
            Some(_) => None,
            None => shop.member_name()?,
        };
        let agent = self.explicit_agent.clone().or(bound).unwrap_or_else(|| {
            std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_else(|_| "客服".to_owned())
        });
        // The first opening settles it; a command opens one shop.
        let _ = self.agent.set(agent);
        Ok(shop)
    }

    /// Warns on standard error when the shop file sits in a sync client's folder, where
    /// the copies the client makes damage it (standard output stays the command's own).
    fn warn_if_synced(&self) {
        let Some(found) = afterdesk_desk::synced_folder_on_disk(&self.db) else {
            return;
        };
        if self.json {
            complain!(
                "{}",
                json!({ "warning": { "code": "synced_folder", "client": found.client, "folder": found.folder, "message": found.message } })
            );
        } else {
            complain!("警告：{}", found.message);
        }
    }
}

fn backup(ctx: &Context_, list: bool, command: Option<BackupCommand>) -> anyhow::Result<()> {
    match command {
        Some(BackupCommand::Restore { file }) => {
            ctx.warn_if_synced();
            let restored = afterdesk_desk::restore_shop(&ctx.db, &file, ctx.now)?;
            // Opening checks the restored shop once more and upgrades an older backup.
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let cases = store
                .list_cases(&CaseQuery {
                    open: None,
                    limit: 1,
                    ..CaseQuery::default()
                })?
                .total;
            if ctx.json {
                return print_json(&json!({
                    "restored_from": restored.restored_from,
                    "safety_backup": restored.safety_backup,
                    "schema_version": restored.schema_version,
                    "cases": cases,
                }));
            }
            say!("已从 {} 恢复，共 {cases} 张售后单", restored.restored_from);
            if let Some(safety) = &restored.safety_backup {
                say!("恢复前的数据已另存为 {safety}（需要时可用它恢复回来）");
            }
            Ok(())
        }
        None if !list => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            store.backup(ctx.now, BackupReason::Manual)?;
            print_backups(ctx, &store.backups()?)
        }
        // Listing reads only the backups folder, so that it works when the shop refuses
        // to open because it is damaged.
        Some(BackupCommand::List) | None => {
            print_backups(ctx, &afterdesk_store::list_backups(&ctx.db)?)
        }
    }
}

fn print_backups(ctx: &Context_, backups: &[afterdesk_store::BackupInfo]) -> anyhow::Result<()> {
    if ctx.json {
        return print_json(&backups);
    }
    if backups.is_empty() {
        say!(
            "还没有备份（在 {}）",
            afterdesk_store::backup_dir_of(&ctx.db).display()
        );
    }
    for b in backups {
        say!(
            "{}\t{}\t{} 字节\t{}",
            afterdesk_case::time::china_text(b.taken_at),
            b.reason,
            b.size,
            b.path.display()
        );
    }
    Ok(())
}

fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let now = cli.now.unwrap_or_else(Utc::now);
    let db = match cli.db {
        Some(db) => db,
        None => {
            let (db, problem) =
                afterdesk_shop::default_shop(afterdesk_shop::config_dir().as_deref());
            if let Some(problem) = problem {
                complain!("警告：{problem}");
            }
            db.context("找不到系统的应用数据文件夹，请用 --db 指定数据库文件")?
        }
    };
    let explicit_agent = cli.agent;
    let ctx = Context_ {
        now,
        explicit_agent,
        agent: std::cell::OnceCell::new(),
        db,
        json: cli.json,
    };
    match cli.command {
        Command::Import {
            file,
            platform,
            expect,
            progress,
        } => import(&ctx, &file, platform, expect, progress),
        Command::Cases {
            command: cli::CasesCommand::List(args),
        } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let list = store.list_cases(&args.input().to_query()?)?;
            if ctx.json {
                print_json(&show::list_json(&list))
            } else {
                show::print_list(&list)
            }
        }
        Command::Case { command } => case(&ctx, command),
        Command::Mapping { command } => mapping(&ctx, command),
        Command::Backup { list, command } => backup(&ctx, list, command),
        Command::Member { command } => member(&ctx, command),
        Command::GenExport(args) => {
            bench::gen_export(&args, ctx.now)?;
            if ctx.json {
                print_json(&json!({ "file": args.out.display().to_string(), "rows": args.rows }))?;
            }
            Ok(())
        }
        Command::Evidence { command } => evidence::run(&ctx, command),
        Command::Bench { command } => bench::run(command, &ctx),
        Command::Clocks(args) => clocks::run(&ctx, &args),
        Command::Calendar { command } => clocks::calendar(&ctx, &command),
        Command::Classify { text } => scripts::classify(&ctx, &text),
        Command::Draft(args) => scripts::draft(&ctx, &args),
        Command::Scripts { command } => scripts::run(&ctx, &command),
        Command::Polish(args) => polish::run(&ctx, &args),
        Command::Parcels { command } => parcels::run(&ctx, command),
        Command::Track(args) => parcels::track(&ctx, &args),
    }
}

fn import(
    ctx: &Context_,
    file: &std::path::Path,
    platform: Option<Platform>,
    expect: Option<afterdesk_export::ExportKind>,
    show_progress: bool,
) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let options = ImportOptions { platform, expect };
    let mut progress = |p: afterdesk_desk::ImportProgress| {
        if show_progress {
            let percent = (p.done * 100).checked_div(p.total).unwrap_or(100);
            complain!("progress {} rows {percent}%", p.rows);
        }
    };
    let imported = shop.import(file, ctx.agent(), &options, &mut progress, ctx.now)?;
    let report = &imported.report;
    if ctx.json {
        let mut value = serde_json::to_value(report)?;
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "parcels".to_owned(),
                serde_json::to_value(&imported.parcels)?,
            );
        }
        return print_json(&value);
    }
    say!(
        "已导入 {}：共 {} 行，新增 {}，更新 {}，无变化 {}，比店里旧 {}，重复 {}，已删除跳过 {}，出错 {}",
        report.file,
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.older,
        report.duplicate_count,
        report.deleted,
        report.error_count
    );
    if imported.parcels.added > 0 {
        say!("从发货和退货信息中找到包裹 {} 个", imported.parcels.added);
    }
    for d in &report.duplicates {
        say!(
            "  第 {} 行与第 {} 行是同一个编号 {}，用了第 {} 行",
            d.row,
            d.kept_row,
            d.key,
            d.kept_row
        );
    }
    if report.duplicate_count as usize > report.duplicates.len() {
        say!(
            "  ……另有 {} 个重复行未列出",
            report.duplicate_count as usize - report.duplicates.len()
        );
    }
    for e in &report.errors {
        say!("  第 {} 行「{}」：{}", e.row, e.column, e.message);
    }
    if report.error_count as usize > report.errors.len() {
        say!(
            "  ……另有 {} 行出错未列出",
            report.error_count as usize - report.errors.len()
        );
    }
    Ok(())
}

fn case(ctx: &Context_, command: CaseCommand) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let mut store = shop.store_waiting()?;
    let print_case = |store: &Store, key: &str| -> anyhow::Result<()> {
        let detail = store.case_detail(key)?;
        if ctx.json {
            print_json(&show::detail_json(&detail))
        } else {
            show::print_detail(&detail)
        }
    };
    match command {
        CaseCommand::Show { key } => print_case(&store, &key),
        CaseCommand::Add(args) => {
            let facts = CaseFacts {
                refund_no: args.refund_no,
                order_no: args.order_no,
                buyer_nick: args.buyer,
                item_title: args.title,
                reason_text: args.reason,
                refund: args.amount.map(|a: Fen| a),
                refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
                ..CaseFacts::default()
            };
            let new = NewCase {
                platform: args.platform,
                facts,
                kind: args.kind,
                flag: args.flag,
                assignee: args.assignee,
                tags: args.tag,
            };
            let case = store.add_case(new, ctx.agent(), ctx.now)?;
            if let Some(note) = args.note {
                store.add_note(&case.id.to_string(), &note, ctx.agent(), ctx.now)?;
            }
            print_case(&store, &case.id.to_string())
        }
        CaseCommand::Note { key, text } => {
            let note = store.add_note(&key, &text, ctx.agent(), ctx.now)?;
            if ctx.json {
                print_json(&show::note_json(&note))
            } else {
                say!(
                    "已添加备注（{}）",
                    afterdesk_case::time::china_text(note.at)
                );
                Ok(())
            }
        }
        CaseCommand::Set(args) => {
            let change = CaseChange {
                kind: args.kind,
                status: args.status,
                flag: args.flag.map(|f| f.0),
                assignee: args
                    .assignee
                    .map(|a| Some(a).filter(|a: &String| !a.is_empty())),
                open: if args.open {
                    Some(true)
                } else if args.close {
                    Some(false)
                } else {
                    None
                },
                add_tags: args.tag,
                remove_tags: args.untag,
            };
            if change == CaseChange::default() {
                anyhow::bail!(
                    "没有要修改的内容：请给出 --status、--kind、--flag、--assignee、--open/--close、--tag 或 --untag"
                );
            }
            let case = store.change_case(&args.key, &change, ctx.agent(), ctx.now)?;
            print_case(&store, &case.id.to_string())
        }
        CaseCommand::Delete { key } => {
            let case = store.delete_case(&key, ctx.agent(), ctx.now)?;
            if !ctx.json {
                say!("已删除（可用 afterdesk case restore {} 撤销）", case.id);
            }
            if ctx.json {
                print_case(&store, &case.id.to_string())
            } else {
                Ok(())
            }
        }
        CaseCommand::Restore { key } => {
            let case = store.restore_case(&key, ctx.agent(), ctx.now)?;
            print_case(&store, &case.id.to_string())
        }
    }
}

fn member(ctx: &Context_, command: MemberCommand) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let mut store = shop.store_waiting()?;
    match command {
        MemberCommand::List => {
            let members = afterdesk_desk::members(&store)?;
            let me = afterdesk_desk::whoami(&store, shop.device())?.map(|m| m.id);
            if ctx.json {
                return print_json(&json!({ "members": members, "this_computer": me }));
            }
            if members.is_empty() {
                say!("还没有成员（用 afterdesk member add 名字 --role 店长 添加第一位）");
            }
            for m in &members {
                let mark = if me.as_deref() == Some(m.id.as_str()) {
                    "　← 这台电脑"
                } else {
                    ""
                };
                say!("{}\t{}\t{}{mark}", m.name, m.role_name, m.id);
            }
            Ok(())
        }
        MemberCommand::Add { name, role } => {
            let added = afterdesk_desk::add_member(
                &mut store,
                &afterdesk_desk::MemberInput { name, role },
                ctx.now,
            )?;
            if ctx.json {
                return print_json(&added);
            }
            say!("已添加成员 {}（{}）", added.name, added.role_name);
            Ok(())
        }
        MemberCommand::Bind { member } => {
            let found = afterdesk_desk::members(&store)?
                .into_iter()
                .find(|m| m.name == member || m.id == member)
                .ok_or_else(|| DeskError::Invalid(format!("没有名为“{member}”的成员")))?;
            let device = shop.device().clone();
            let bound = afterdesk_desk::bind_device(&mut store, &device, Some(&found.id), ctx.now)?;
            if ctx.json {
                return print_json(&bound);
            }
            say!("这台电脑现在是 {}（{}）", found.name, found.role_name);
            Ok(())
        }
    }
}

fn mapping(ctx: &Context_, command: MappingCommand) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let mut store = shop.store_waiting()?;
    if let MappingCommand::Add { header, field } = &command {
        if afterdesk_export::Field::from_key(field).is_none() {
            return Err(DeskError::UnknownField(field.clone()).into());
        }
        store.set_column_alias(header, field, ctx.now)?;
    }
    let aliases = store.column_aliases()?;
    if ctx.json {
        let list: Vec<_> = aliases
            .iter()
            .map(|(h, f)| json!({ "header": h, "field": f }))
            .collect();
        print_json(&list)
    } else {
        for (h, f) in &aliases {
            say!("{h}\t→ {f}");
        }
        Ok(())
    }
}
