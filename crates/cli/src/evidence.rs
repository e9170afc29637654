//! `afterdesk evidence …` and `afterdesk bench hash`: checklists, attaching files, listing,
//! detaching, packages, the appeal-risk review, and the hashing benchmark.

use crate::terminal::{complain, say};
use crate::{Context_, print_json};
use afterdesk_case::Proof;
use afterdesk_case::time::{china_rfc3339, china_text};
use afterdesk_evidence::{
    CaseEvidence, CopyProgress, EvidenceFolder, Finding, UnboxingRules, appeal_risks, hash_file,
};
use afterdesk_store::Store;
use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use clap::Subcommand;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// `evidence` subcommands.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// 举证清单：这张售后单需要哪些材料、已备几项、拆包视频核验结果。
    Checklist {
        /// 售后单 ID、退款编号或订单号。
        case: String,
        /// 举证期截止时间（RFC 3339），给出时显示剩余时间。
        #[arg(long, value_parser = parse_instant)]
        deadline: Option<DateTime<Utc>>,
        /// 拆包视频最短时长（秒），默认 60。
        #[arg(long)]
        min_video_secs: Option<u32>,
        /// 签收后多少小时内录制的拆包视频算及时，默认 48。
        #[arg(long)]
        max_delay_hours: Option<u32>,
    },
    /// 添加证据文件（复制到店铺数据库旁的 evidence 文件夹，按哈希命名、去重）。
    Attach {
        /// 售后单 ID、退款编号或订单号。
        case: String,
        /// 证据文件。
        file: PathBuf,
        /// 对应的举证材料项，如 signed_by_self.signing_slip（见 evidence checklist）。
        #[arg(long)]
        item: Option<String>,
    },
    /// 列出售后单的证据。
    List {
        /// 售后单 ID、退款编号或订单号。
        case: String,
    },
    /// 移除一条证据（保留删除记录，文件仍留在 evidence 文件夹）。
    Detach {
        /// 证据 ID（见 evidence list）。
        proof: String,
    },
    /// 导出证据包：一个 zip，内含全部证据文件和可打印的 index.html。
    Package {
        /// 售后单 ID、退款编号或订单号。
        case: String,
        /// 输出文件夹。
        #[arg(long)]
        out: PathBuf,
        /// 举证期截止时间（RFC 3339）。
        #[arg(long, value_parser = parse_instant)]
        deadline: Option<DateTime<Utc>>,
    },
    /// 申诉前风险自查清单。
    Risks,
    /// 校验 evidence 文件夹：逐个重新计算哈希，列出已损坏或缺失的证据文件（不做任何改动）。
    Verify,
    /// 清理 evidence 文件夹：删除中断的复制留下的临时文件，以及没有任何记录（含已移除的证据）引用的文件；不满一天的文件保留。
    Clean {
        /// 只列出将删除的文件，不删除。
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("“{text}”不是 RFC 3339 时间（如 2026-11-22T18:00:00+08:00）：{e}"))
}

/// Files at least this big report progress on standard error while they are copied.
///
/// Below 64 MiB a copy takes well under a second, and progress lines would only clutter
/// a script's output.
const PROGRESS_MIN_BYTES: u64 = 64 << 20;

/// Progress is reported each time another this-many percent is done.
const PROGRESS_STEP_PERCENT: u64 = 5;

/// The shop's unboxing rules, with the command line's overrides.
fn rules(
    store: &Store,
    min_video_secs: Option<u32>,
    max_delay_hours: Option<u32>,
) -> anyhow::Result<UnboxingRules> {
    let default = afterdesk_desk::shop_settings(store)?.unboxing_rules();
    Ok(UnboxingRules {
        min_duration: min_video_secs
            .map_or(default.min_duration, |s| Duration::seconds(i64::from(s))),
        max_delay: max_delay_hours.map_or(default.max_delay, |h| Duration::hours(i64::from(h))),
    })
}

/// Runs an `evidence` subcommand.
pub fn run(ctx: &Context_, command: EvidenceCommand) -> anyhow::Result<()> {
    let cancel = AtomicBool::new(false);
    match command {
        EvidenceCommand::Checklist {
            case,
            deadline,
            min_video_secs,
            max_delay_hours,
        } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let evidence = afterdesk_desk::case_evidence(
                &store,
                &case,
                &rules(&store, min_video_secs, max_delay_hours)?,
                deadline,
                ctx.now,
            )?;
            if ctx.json {
                print_json(&evidence_json(&evidence))
            } else {
                print_evidence(&evidence);
                Ok(())
            }
        }
        EvidenceCommand::Attach { case, file, item } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let mut last = None;
            let mut progress = |p: CopyProgress| report_progress(p, &mut last);
            let report = afterdesk_desk::attach_evidence(
                &mut store,
                &case,
                &file,
                item.as_deref(),
                ctx.agent(),
                ctx.now,
                &mut progress,
                &cancel,
            )?;
            if ctx.json {
                let mut value = proof_json(&report.proof);
                value["already_stored"] = json!(report.already_stored);
                value["repaired"] = json!(report.repaired);
                print_json(&value)
            } else {
                let p = &report.proof;
                say!(
                    "已添加证据 {}（{}，SHA-256 {}{}）",
                    p.original_name,
                    p.mime.as_deref().unwrap_or("未知类型"),
                    p.hash,
                    if report.repaired {
                        "，原先保存的副本已损坏，已用此文件修复"
                    } else if report.already_stored {
                        "，相同内容已存在，未重复保存"
                    } else {
                        ""
                    }
                );
                Ok(())
            }
        }
        EvidenceCommand::List { case } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let proofs = afterdesk_desk::list_evidence(&store, &case)?;
            if ctx.json {
                print_json(&proofs.iter().map(proof_json).collect::<Vec<_>>())
            } else {
                for p in &proofs {
                    say!("{}", proof_line(p));
                }
                Ok(())
            }
        }
        EvidenceCommand::Detach { proof } => {
            let shop = ctx.open()?;
            let mut store = shop.store_waiting()?;
            let proof = afterdesk_desk::detach_evidence(&mut store, &proof, ctx.agent(), ctx.now)?;
            if ctx.json {
                print_json(&proof_json(&proof))
            } else {
                say!("已移除证据 {}", proof.original_name);
                Ok(())
            }
        }
        EvidenceCommand::Package {
            case,
            out,
            deadline,
        } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let package = afterdesk_desk::export_evidence_package(
                &store,
                &case,
                &out,
                &rules(&store, None, None)?,
                deadline,
                ctx.now,
                &mut |_| {},
                &cancel,
            )?;
            if ctx.json {
                print_json(&json!({
                    "path": package.path.display().to_string(),
                    "files": package.files,
                    "bytes": package.bytes,
                }))
            } else {
                say!(
                    "已导出证据包 {}（{} 个文件）",
                    package.path.display(),
                    package.files
                );
                Ok(())
            }
        }
        EvidenceCommand::Verify => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let mut last = None;
            let check = afterdesk_desk::verify_evidence(
                &store,
                &mut |p| report_progress(p, &mut last),
                &cancel,
            )?;
            if ctx.json {
                print_json(&check)?;
            } else {
                say!("{}", check.summary);
                for (label, files) in [("已损坏", &check.damaged), ("缺失", &check.missing)] {
                    for f in files.iter() {
                        say!("{label}\t{}\t{}", f.hash, f.path);
                        for p in &f.proofs {
                            say!(
                                "\t证据 {}（售后单 {}）{}{}",
                                p.original_name,
                                p.case_id,
                                p.proof_id,
                                if p.detached { "，已移除" } else { "" }
                            );
                        }
                    }
                }
            }
            if check.damaged.is_empty() && check.missing.is_empty() {
                Ok(())
            } else {
                // A script checking the folder needs a failing status, not only words.
                anyhow::bail!("{}", check.summary)
            }
        }
        EvidenceCommand::Clean { dry_run } => {
            let shop = ctx.open()?;
            let store = shop.store_waiting()?;
            let clean = afterdesk_desk::clean_evidence(&store, dry_run, ctx.now)?;
            if ctx.json {
                print_json(&clean)
            } else {
                for f in clean.incoming.iter().chain(&clean.unreferenced) {
                    say!(
                        "{}\t{}\t{} 字节",
                        if dry_run { "将删除" } else { "已删除" },
                        f.path,
                        f.size
                    );
                }
                say!("{}", clean.summary);
                Ok(())
            }
        }
        EvidenceCommand::Risks => {
            let risks = appeal_risks()?;
            if ctx.json {
                print_json(&risks)
            } else {
                for (n, r) in risks.iter().enumerate() {
                    say!("{:>2}. ☐ {}\n    {}", n + 1, r.question, r.why);
                }
                Ok(())
            }
        }
    }
}

/// Prints progress on standard error each time another [`PROGRESS_STEP_PERCENT`] is done,
/// for work of at least [`PROGRESS_MIN_BYTES`]; `last` remembers the step last printed.
fn report_progress(p: CopyProgress, last: &mut Option<u64>) {
    if p.total < PROGRESS_MIN_BYTES {
        return;
    }
    let percent = (p.done * 100).checked_div(p.total).unwrap_or(100);
    let step = percent / PROGRESS_STEP_PERCENT;
    if *last != Some(step) {
        *last = Some(step);
        complain!("progress {} / {} bytes {percent}%", p.done, p.total);
    }
}

fn instant(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(china_rfc3339(t)))
}

/// A proof as the CLI prints it: times in China time, RFC 3339 with +08:00.
fn proof_json(p: &Proof) -> Value {
    json!({
        "id": p.id.to_string(),
        "case_id": p.case_id.to_string(),
        "item": p.item,
        "hash": p.hash,
        "original_name": p.original_name,
        "size": p.size,
        "mime": p.mime,
        "captured_at": instant(p.captured_at),
        "duration_ms": p.duration_ms,
        "added_by": p.added_by,
        "added_at": china_rfc3339(p.added_at),
        "device": p.device.0,
    })
}

fn finding_json(f: &Finding) -> Value {
    let result = match f {
        Finding::Pass(_) => "pass",
        Finding::Fail(_) => "fail",
        Finding::CannotVerify(_) => "cannot_verify",
    };
    json!({ "result": result, "detail": f.detail() })
}

fn evidence_json(e: &CaseEvidence) -> Value {
    json!({
        "case_id": e.case_id.to_string(),
        "situations": e.situations.iter().map(|s| json!({
            "key": s.key,
            "name": s.name,
            "when": s.when,
            "items": s.items.iter().map(|i| json!({
                "key": i.item.key,
                "title": i.item.title,
                "valid": i.item.valid,
                "required": i.item.required,
                "check": i.item.check,
                "proofs": i.proofs.iter().map(proof_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "unassigned": e.unassigned.iter().map(proof_json).collect::<Vec<_>>(),
        "readiness": {
            "required": e.readiness.required,
            "ready": e.readiness.ready,
            "missing": e.readiness.missing.iter().map(|(key, title)| json!({ "key": key, "title": title })).collect::<Vec<_>>(),
            "deadline": instant(e.readiness.deadline),
            "minutes_left": e.readiness.minutes_left,
            "summary": e.readiness.summary,
        },
        "unboxing": e.unboxing.iter().map(|c| json!({
            "proof_id": c.proof_id.to_string(),
            "file": c.file,
            "duration": finding_json(&c.duration),
            "timeliness": finding_json(&c.timeliness),
        })).collect::<Vec<_>>(),
    })
}

fn proof_line(p: &Proof) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        p.id,
        p.item.as_deref().unwrap_or("—"),
        p.original_name,
        p.captured_at
            .map(china_text)
            .unwrap_or_else(|| "无拍摄时间".to_owned()),
        p.duration_ms
            .map(|ms| format!("{} 秒", ms / 1000))
            .unwrap_or_else(|| "—".to_owned()),
        &p.hash[..p.hash.len().min(12)],
    )
}

fn print_evidence(e: &CaseEvidence) {
    say!("{}", e.readiness.summary);
    for s in &e.situations {
        say!("\n【{}】{}", s.name, s.when);
        for i in &s.items {
            let mark = if i.proofs.is_empty() { "☐" } else { "☑" };
            let need = if i.item.required { "必备" } else { "补充" };
            say!("  {mark} {}（{need}，{}）", i.item.title, i.item.key);
            say!("      有效要求：{}", i.item.valid);
            for p in &i.proofs {
                say!("      · {}", proof_line(p));
            }
        }
    }
    if !e.unassigned.is_empty() {
        say!("\n未归入清单的材料：");
        for p in &e.unassigned {
            say!("  · {}", proof_line(p));
        }
    }
    for c in &e.unboxing {
        say!(
            "\n拆包视频 {}：时长 {}（{}）；时效 {}（{}）",
            c.file,
            c.duration.label(),
            c.duration.detail(),
            c.timeliness.label(),
            c.timeliness.detail()
        );
    }
}

/// How many timed runs of each hasher; the median is reported.
///
/// Three runs smooth out a stray background task on a shared 2-core machine without
/// making a 1 GB benchmark take minutes.
const HASH_RUNS: usize = 3;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// `afterdesk bench hash FILE`: our SHA-256 throughput against `sha256sum` on the same
/// file in the same run, plus the full attach path (copy + hash + fsync).
pub fn bench_hash(ctx: &Context_, file: &Path, reference: &str) -> anyhow::Result<()> {
    let cancel = AtomicBool::new(false);
    // One untimed pass brings the file into the page cache, so that every timed run,
    // ours and the reference's, reads from memory and the comparison is of hashing alone.
    let (hash, size) = hash_file(file, &mut |_| {}, &cancel)?;
    let mib = size as f64 / (1024.0 * 1024.0);
    let mut ours = Vec::new();
    for _ in 0..HASH_RUNS {
        let started = Instant::now();
        hash_file(file, &mut |_| {}, &cancel)?;
        ours.push(started.elapsed().as_secs_f64());
    }
    let mut theirs = Vec::new();
    let mut reference_hash = None;
    for _ in 0..HASH_RUNS {
        let started = Instant::now();
        let out = match Command::new(reference).arg(file).output() {
            Ok(out) if out.status.success() => out,
            _ => break,
        };
        theirs.push(started.elapsed().as_secs_f64());
        reference_hash = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .map(str::to_owned);
    }
    if let Some(r) = &reference_hash
        && *r != hash
    {
        anyhow::bail!("{reference} 算出的哈希 {r} 与本程序的 {hash} 不同");
    }
    // The whole attach path: copy into a scratch evidence folder with fsync and rename.
    let scratch = std::env::temp_dir().join(format!("afterdesk-bench-hash-{}", std::process::id()));
    let folder = EvidenceFolder::at(&scratch);
    let started = Instant::now();
    let ingested = folder.ingest(file, &mut |_| {}, &cancel);
    let ingest_s = started.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&scratch)
        .with_context(|| format!("无法清理临时文件夹 {}", scratch.display()))?;
    ingested?;
    let ours_s = median(ours);
    let theirs_s = (!theirs.is_empty()).then(|| median(theirs));
    let rate = |s: f64| if s > 0.0 { mib / s } else { 0.0 };
    let report = json!({
        "file": file.display().to_string(),
        "bytes": size,
        "sha256": hash,
        "runs": HASH_RUNS,
        "ours_seconds": ours_s,
        "ours_mib_per_s": rate(ours_s),
        "reference": reference,
        "reference_seconds": theirs_s,
        "reference_mib_per_s": theirs_s.map(rate),
        "ours_vs_reference": theirs_s.map(|t| if ours_s > 0.0 { t / ours_s } else { 0.0 }),
        "attach_copy_hash_fsync_seconds": ingest_s,
        "attach_mib_per_s": rate(ingest_s),
    });
    if ctx.json {
        return print_json(&report);
    }
    say!(
        "文件 {}（{:.0} MiB），中位数取自 {HASH_RUNS} 次",
        file.display(),
        mib
    );
    say!(
        "  本程序 SHA-256：{:.2} s，{:.0} MiB/s",
        ours_s,
        rate(ours_s)
    );
    match theirs_s {
        Some(t) => say!(
            "  {reference}：{:.2} s，{:.0} MiB/s；本程序为其 {:.0}%",
            t,
            rate(t),
            100.0 * t / ours_s.max(f64::EPSILON)
        ),
        None => say!("  未找到 {reference}，无法对比"),
    }
    say!(
        "  添加证据全过程（复制+哈希+落盘）：{:.2} s，{:.0} MiB/s",
        ingest_s,
        rate(ingest_s)
    );
    Ok(())
}
