//! `afterdesk classify`, `afterdesk draft` and `afterdesk scripts import`: reply drafts
//! from the script library (docs/drafts.md).

use crate::terminal::say;
use crate::{Context_, print_json};
use afterdesk_desk::DraftOptions;
use afterdesk_script::{Classifier, DraftRequest, Ladder, Library, Stage, compose, import};
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::PathBuf;

/// `draft` arguments.
#[derive(Debug, Args)]
pub struct DraftArgs {
    /// 售后单 ID、退款编号或订单号。
    #[arg(long)]
    pub case: String,
    /// 买家最新的一条消息（用来判断买家现在问的是什么）。
    #[arg(long)]
    pub message: Option<String>,
    /// 阶段：first_reply、follow_up、closing（默认按退款状态）。
    #[arg(long, value_parser = parse_stage)]
    pub stage: Option<Stage>,
    /// 换一个话术（第几个候选，从 0 开始）。
    #[arg(long, default_value_t = 0)]
    pub pick: usize,
    /// 签收人（导出文件里没有时手工给出）。
    #[arg(long)]
    pub signer: Option<String>,
    /// 换货或补发的新运单号。
    #[arg(long)]
    pub new_waybill: Option<String>,
}

/// `scripts` subcommands.
#[derive(Debug, Subcommand)]
pub enum ScriptsCommand {
    /// 从培训资料（.txt、.md、.docx、.pptx）中找出话术、选择题和情景练习。
    Import {
        /// 培训资料文件。
        file: PathBuf,
    },
}

fn parse_stage(text: &str) -> Result<Stage, String> {
    Stage::from_key(text)
        .ok_or_else(|| format!("“{text}”不是阶段：first_reply、follow_up 或 closing"))
}

/// `afterdesk classify TEXT`.
pub fn classify(ctx: &Context_, text: &str) -> anyhow::Result<()> {
    let c = Classifier::builtin()?.classify(text);
    if ctx.json {
        return print_json(&c);
    }
    say!(
        "{}（{}）\t{:.0}%",
        c.kind.zh_name(),
        c.kind,
        c.confidence * 100.0
    );
    for a in &c.alternatives {
        say!(
            "  或 {}（{}）\t{:.0}%",
            a.kind.zh_name(),
            a.kind,
            a.confidence * 100.0
        );
    }
    Ok(())
}

/// `afterdesk draft --case ID`.
pub fn draft(ctx: &Context_, args: &DraftArgs) -> anyhow::Result<()> {
    let shop = ctx.open()?;
    let options = DraftOptions {
        message: args.message.clone(),
        stage: args.stage.map(|s| s.key().to_owned()),
        pick: u32::try_from(args.pick).unwrap_or(u32::MAX),
        signer: args.signer.clone(),
        new_waybill: args.new_waybill.clone(),
        ..DraftOptions::default()
    };
    // The shop's own library (its edited, added and disabled scripts), as in the app.
    let draft = shop.draft(&args.case, &options, ctx.now)?;
    if ctx.json {
        return print_json(&draft);
    }
    say!("{}", draft.text);
    say!("——");
    say!(
        "类型：{}　话术：{}",
        draft.kind_name,
        draft.script_ids.join(", ")
    );
    if !draft.unfilled.is_empty() {
        let names: Vec<_> = draft.unfilled.iter().map(|p| p.label.as_str()).collect();
        say!("待填：{}（填好或确认后再复制）", names.join("、"));
    }
    for l in &draft.lint {
        say!("检查：{}", l.message);
    }
    if let Some(c) = &draft.compensation {
        say!("补偿建议：{}", c.message);
    }
    Ok(())
}

/// `afterdesk scripts …`.
pub fn run(ctx: &Context_, command: &ScriptsCommand) -> anyhow::Result<()> {
    match command {
        ScriptsCommand::Import { file } => {
            let text = import::read_file(file)?;
            let report = import::import_text(&text, &Classifier::builtin()?);
            if ctx.json {
                return print_json(&json!({
                    "file": file.display().to_string(),
                    "lines": report.lines,
                    "counts": {
                        "scripts": report.scripts.len(),
                        "questions": report.questions.len(),
                        "exercises": report.exercises.len(),
                        "skipped": report.skipped.len(),
                    },
                    "skipped_by_reason": report.skipped_counts,
                    "scripts": report.scripts,
                    "questions": report.questions,
                    "exercises": report.exercises,
                    "skipped": report.skipped,
                }));
            }
            say!(
                "{}：{} 行，话术 {}，选择题 {}，情景练习 {}，跳过 {}",
                file.display(),
                report.lines,
                report.scripts.len(),
                report.questions.len(),
                report.exercises.len(),
                report.skipped.len()
            );
            for s in &report.scripts {
                say!(
                    "  话术[{}] 第{}行 ×{}：{}",
                    s.kind.zh_name(),
                    s.line,
                    s.occurrences,
                    s.text
                );
            }
            for q in &report.questions {
                say!("  选择题[{}] 第{}行：{}", q.kind.zh_name(), q.line, q.stem);
            }
            for e in &report.exercises {
                say!(
                    "  练习[{}] 第{}行：{}",
                    e.kind.zh_name(),
                    e.line,
                    e.customer
                );
            }
            Ok(())
        }
    }
}

/// Buyers' messages the drafts benchmark cycles through: every script of Chinese, short and
/// long, one per common scenario.
const BENCH_MESSAGES: &[&str] = &[
    "退款什麼時候到賬？都三天了😭",
    "东西少了一个配件",
    "快递三天没动了，是不是丢件了",
    "收到的杯子碎了两个，箱子都压扁了",
    "刚下单就后悔了 还没发的话能退吗",
    "鞋码拍小了 能换个41的不",
    "再不处理我就打12315",
    "能开发票吗，公司报销要用",
    "买的电热水壶，用了不到一周，今天烧水的时候底座冒烟还有焦味，吓死我了",
    "在吗",
];

/// A shop library of `size` scripts: the built-in ones, then generated shop scripts spread
/// over every kind and stage (their texts vary so no two are the same).
fn bench_library(size: usize) -> anyhow::Result<Library> {
    let builtin = Library::builtin()?;
    let mut scripts = builtin.scripts().to_vec();
    let stages = [Stage::FirstReply, Stage::FollowUp, Stage::Closing];
    let mut n = 0usize;
    while scripts.len() < size {
        let base = &builtin.scripts()[n % builtin.scripts().len()];
        let stage = stages[(n / builtin.scripts().len()) % stages.len()];
        let mut s = base.clone();
        s.id = format!("shop.{}.{}.{n}", base.kind, stage.key());
        s.stage = stage;
        s.text = format!("{}（店铺话术 {n}）", base.text);
        s.text_hant = format!("{}（店鋪話術 {n}）", base.text_hant);
        scripts.push(s);
        n += 1;
    }
    Ok(Library::new(scripts)?)
}

/// `afterdesk bench drafts`: classify a buyer's message and compose the draft, `runs`
/// times over a library of `size` scripts; p50 and p99 of one draft.
pub fn bench_drafts(size: usize, runs: usize, ctx: &Context_) -> anyhow::Result<()> {
    use afterdesk_case::{
        Case, CaseFacts, DeviceId, Fen, KindSource, Platform, RecordId, ScenarioKind,
    };
    let started = std::time::Instant::now();
    let library = bench_library(size)?;
    let classifier = Classifier::builtin()?;
    let setup_ms = started.elapsed().as_secs_f64() * 1000.0;
    let ladder = Ladder::default();
    let kinds = ScenarioKind::ALL;
    let cases: Vec<Case> = kinds
        .iter()
        .map(|kind| Case {
            id: RecordId::new(ctx.now),
            platform: Platform::Taobao,
            facts: CaseFacts {
                buyer_nick: Some("小鹿买买买".into()),
                order_no: Some("4102938475610293847".into()),
                ship_logistics: Some("中通快递 75123456789012".into()),
                refund: Some(Fen(2590)),
                paid: Some(Fen(12900)),
                ..CaseFacts::default()
            },
            kind: *kind,
            kind_source: KindSource::Derived,
            flag: None,
            assignee: None,
            tags: vec![],
            open: true,
            origin: "bench".into(),
            created_at: ctx.now,
            updated_at: ctx.now,
            updated_by: DeviceId("bench".into()),
            deleted_at: None,
        })
        .collect();
    let mut classify_ms = Vec::with_capacity(runs);
    let mut draft_ms = Vec::with_capacity(runs);
    let mut chars = 0usize;
    for i in 0..runs.max(1) {
        let message = BENCH_MESSAGES[i % BENCH_MESSAGES.len()];
        let case = &cases[i % cases.len()];
        let t = std::time::Instant::now();
        let c = classifier.classify(message);
        classify_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let mut req = DraftRequest::new(case, ctx.now);
        req.message = Some(message);
        req.pick = i;
        let t = std::time::Instant::now();
        // `compose` classifies the message again itself: this is the whole cost of one
        // draft as the app asks for it.
        let draft = compose(&library, &classifier, &ladder, &req);
        draft_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        // Summed and printed so the optimiser cannot drop the work being timed.
        chars += draft.text.chars().count() + usize::from(c.kind == draft.kind);
    }
    let report = json!({
        "scripts": library.scripts().len(),
        "runs": runs.max(1),
        "setup_ms": setup_ms,
        "classify_p50_ms": crate::bench::percentile(classify_ms.clone(), 0.5),
        "classify_p99_ms": crate::bench::percentile(classify_ms, 0.99),
        "classify_and_draft_p50_ms": crate::bench::percentile(draft_ms.clone(), 0.5),
        "classify_and_draft_p99_ms": crate::bench::percentile(draft_ms, 0.99),
        "target_p99_ms": 5.0,
        "checksum": chars,
    });
    print_json(&report)
}

/// `afterdesk bench scripts-import`: writes a `pages`-page Word document and a
/// `pages`-slide deck, then reads and imports each `runs` times.
pub fn bench_import(pages: usize, runs: usize, dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("afterdesk-bench-scripts-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir)?;
    let docx = dir.join("培训资料.docx");
    let pptx = dir.join("培训资料.pptx");
    afterdesk_fixtures::write_training_docx(&docx, pages, 7)?;
    afterdesk_fixtures::write_training_pptx(&pptx, pages, 7)?;
    let classifier = Classifier::builtin()?;
    let mut files = serde_json::Map::new();
    for path in [&docx, &pptx] {
        let mut seconds = Vec::new();
        let mut found = json!(null);
        for _ in 0..runs.max(1) {
            let t = std::time::Instant::now();
            let text = import::read_file(path)?;
            let report = import::import_text(&text, &classifier);
            seconds.push(t.elapsed().as_secs_f64());
            found = json!({
                "lines": report.lines,
                "scripts": report.scripts.len(),
                "questions": report.questions.len(),
                "exercises": report.exercises.len(),
                "skipped": report.skipped.len(),
            });
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default()
            .to_owned();
        files.insert(
            ext,
            json!({
                "bytes": std::fs::metadata(path)?.len(),
                "median_seconds": crate::bench::median(seconds.clone()),
                "max_seconds": seconds.iter().copied().fold(0.0, f64::max),
                "found": found,
            }),
        );
    }
    print_json(&json!({
        "pages": pages,
        "runs": runs.max(1),
        "target_seconds": 1.0,
        "files": files,
        "work_dir": dir.display().to_string(),
    }))
}
