//! `afterdesk classify`, `afterdesk draft` and `afterdesk scripts import`: reply drafts
//! from the script library (docs/drafts.md).

use crate::{Context_, print_json};
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
    println!(
        "{}（{}）\t{:.0}%",
        c.kind.zh_name(),
        c.kind,
        c.confidence * 100.0
    );
    for a in &c.alternatives {
        println!(
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
    let store = ctx.open()?;
    let detail = store.case_detail(&args.case)?;
    let mut req = DraftRequest::new(&detail.case, ctx.now);
    req.message = args.message.as_deref();
    req.stage = args.stage;
    req.pick = args.pick;
    req.signer = args.signer.clone();
    req.new_waybill = args.new_waybill.clone();
    let draft = compose(
        &Library::builtin()?,
        &Classifier::builtin()?,
        &Ladder::default(),
        &req,
    );
    if ctx.json {
        return print_json(&json!({
            "text": draft.text,
            "script_ids": draft.script_ids,
            "unfilled": draft.unfilled.iter().map(|p| p.name()).collect::<Vec<_>>(),
            "lint": draft.lint.iter().map(|l| json!({"rule": l.rule.key(), "message": l.message})).collect::<Vec<_>>(),
            "kind": draft.kind,
            "stage": draft.stage,
            "compensation": draft.compensation,
            "classification": draft.classification,
        }));
    }
    println!("{}", draft.text);
    println!("——");
    println!(
        "类型：{}　话术：{}",
        draft.kind.zh_name(),
        draft.script_ids.join(", ")
    );
    if !draft.unfilled.is_empty() {
        let names: Vec<_> = draft.unfilled.iter().map(|p| p.label()).collect();
        println!("待填：{}（填好或确认后再复制）", names.join("、"));
    }
    for l in &draft.lint {
        println!("检查：{}", l.message);
    }
    if let Some(c) = &draft.compensation {
        println!("补偿建议：{}", c.message);
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
            println!(
                "{}：{} 行，话术 {}，选择题 {}，情景练习 {}，跳过 {}",
                file.display(),
                report.lines,
                report.scripts.len(),
                report.questions.len(),
                report.exercises.len(),
                report.skipped.len()
            );
            for s in &report.scripts {
                println!(
                    "  话术[{}] 第{}行 ×{}：{}",
                    s.kind.zh_name(),
                    s.line,
                    s.occurrences,
                    s.text
                );
            }
            for q in &report.questions {
                println!("  选择题[{}] 第{}行：{}", q.kind.zh_name(), q.line, q.stem);
            }
            for e in &report.exercises {
                println!(
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
