//! The evidence package: one zip per case with the proofs and a printable index page,
//! ready to upload to the platform.

use crate::checklist::CaseEvidence;
use crate::folder::{EvidenceFolder, stream};
use crate::html::escape;
use crate::risk::AppealRisk;
use crate::unboxing::Finding;
use crate::{CopyProgress, EvidenceError};
use afterdesk_case::time::china_text;
use afterdesk_case::{Case, Proof};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The index page's name inside the zip.
pub const INDEX_NAME: &str = "index.html";

/// Longest file-name stem kept inside the zip, in characters.
///
/// Windows refuses paths over 260 characters unless long paths are enabled, and the zip
/// is usually unpacked a few folders deep; 80 characters leave room for that.
const MAX_NAME_CHARS: usize = 80;

/// A written package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// The zip file.
    pub path: PathBuf,
    /// How many proofs it holds.
    pub files: usize,
    /// Their total size in bytes.
    pub bytes: u64,
}

/// What goes into a package besides the files.
#[derive(Debug, Clone, Copy)]
pub struct PackageContents<'a> {
    /// The case.
    pub case: &'a Case,
    /// Its checklists, proofs, readiness and unboxing checks.
    pub evidence: &'a CaseEvidence,
    /// The appeal-risk review to print (empty to leave it out).
    pub risks: &'a [AppealRisk],
}

/// One proof's place in the package.
struct Entry<'a> {
    proof: &'a Proof,
    /// Its path inside the zip.
    name: String,
}

/// Writes `<out_dir>/证据包-<refund no.>-<time>.zip` with every live proof of the case
/// and `index.html`.
///
/// Every file is hashed again on its way into the zip and must match its record, so the
/// package never carries a file that changed since it was attached. The zip is written
/// under a temporary name and renamed when complete; a failure or cancel leaves nothing.
/// Media are stored uncompressed (they are compressed already); files over 4 GiB use
/// zip64.
pub fn write_package(
    folder: &EvidenceFolder,
    contents: &PackageContents<'_>,
    out_dir: &Path,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<Package, EvidenceError> {
    let PackageContents {
        case,
        evidence,
        risks,
    } = *contents;
    std::fs::create_dir_all(out_dir).map_err(|source| EvidenceError::Write {
        path: out_dir.to_owned(),
        source,
    })?;
    let label = case
        .facts
        .refund_no
        .clone()
        .unwrap_or_else(|| case.id.to_string());
    let stamp = china_text(now).replace(['-', ':'], "").replace(' ', "-");
    let file_name = format!("证据包-{}-{stamp}.zip", sanitize(&label));
    let path = out_dir.join(&file_name);
    let partial = out_dir.join(format!(".{file_name}.partial"));
    let entries = entries(evidence);
    let result = write_zip(
        folder, case, evidence, risks, &entries, &partial, now, progress, cancel,
    )
    .and_then(|package| {
        std::fs::rename(&partial, &path).map_err(|source| EvidenceError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(Package {
            path: path.clone(),
            ..package
        })
    });
    if result.is_err() {
        // The partial zip is never mistaken for a package (its name starts with a dot and
        // ends in .partial); removal is best effort.
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Every live proof with its zip name, checklist proofs first in checklist order.
fn entries(evidence: &CaseEvidence) -> Vec<Entry<'_>> {
    evidence
        .situations
        .iter()
        .flat_map(|s| &s.items)
        .flat_map(|i| &i.proofs)
        .chain(&evidence.unassigned)
        .enumerate()
        .map(|(n, proof)| Entry {
            name: format!("files/{:02}-{}", n + 1, sanitize(&proof.original_name)),
            proof,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn write_zip(
    folder: &EvidenceFolder,
    case: &Case,
    evidence: &CaseEvidence,
    risks: &[AppealRisk],
    entries: &[Entry<'_>],
    partial: &Path,
    now: DateTime<Utc>,
    progress: &mut dyn FnMut(CopyProgress),
    cancel: &AtomicBool,
) -> Result<Package, EvidenceError> {
    let write_err = |source| EvidenceError::Write {
        path: partial.to_owned(),
        source,
    };
    let zip_err = |source| EvidenceError::Zip {
        path: partial.to_owned(),
        source,
    };
    let file = File::create(partial).map_err(write_err)?;
    let mut zip = ZipWriter::new(BufWriter::new(file));
    let total: u64 = entries.iter().map(|e| e.proof.size).sum();
    let mut done = 0u64;
    for entry in entries {
        let proof = entry.proof;
        let mut input = folder.open(&proof.hash)?;
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(proof.size >= u64::from(u32::MAX));
        zip.start_file(entry.name.as_str(), options)
            .map_err(zip_err)?;
        let stored = folder.path_of(&proof.hash);
        let before = done;
        let (hash, copied) = stream(
            &mut input,
            &stored,
            proof.size,
            &mut |p| {
                progress(CopyProgress {
                    done: before + p.done,
                    total: total.max(before + p.done),
                });
            },
            cancel,
            |chunk| zip.write_all(chunk).map_err(write_err),
        )?;
        done += copied;
        if hash != proof.hash {
            return Err(EvidenceError::Tampered {
                hash: proof.hash.clone(),
                path: stored,
            });
        }
    }
    let index = index_html(case, evidence, risks, entries, now);
    zip.start_file(
        INDEX_NAME,
        // Stored like the media: the page is a few kilobytes, and no compressor is built in.
        SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
    )
    .map_err(zip_err)?;
    zip.write_all(index.as_bytes()).map_err(write_err)?;
    let writer = zip.finish().map_err(zip_err)?;
    let file = writer.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.sync_all().map_err(write_err)?;
    Ok(Package {
        path: partial.to_owned(),
        files: entries.len(),
        bytes: total,
    })
}

/// A name safe in a zip, on Windows and in a relative link: path separators, characters
/// Windows forbids, and characters that end a URL path become `_`.
fn sanitize(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|#%".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.');
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 8 => (s, Some(e)),
        _ => (cleaned, None),
    };
    let stem: String = stem.chars().take(MAX_NAME_CHARS).collect();
    let stem = if stem.is_empty() {
        "file".to_owned()
    } else {
        stem
    };
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem,
    }
}

/// The printable index page. Every text that came from a buyer, an export or a file name
/// is escaped.
fn index_html(
    case: &Case,
    evidence: &CaseEvidence,
    risks: &[AppealRisk],
    entries: &[Entry<'_>],
    now: DateTime<Utc>,
) -> String {
    let f = &case.facts;
    let names: HashMap<_, _> = entries.iter().map(|e| (e.proof.id, e)).collect();
    let time = |t: Option<DateTime<Utc>>| t.map(china_text).unwrap_or_else(|| "—".to_owned());
    let text = |t: &Option<String>| escape(t.as_deref().unwrap_or("—"));
    let mut h = String::new();
    let title = format!(
        "证据包 · {}",
        f.refund_no.clone().unwrap_or_else(|| case.id.to_string())
    );
    // Writing to a String cannot fail; the results are ignored for that reason.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = write!(h, "<table class=\"facts\">");
    let rows: [(&str, String); 12] = [
        ("平台", escape(case.platform.zh_name())),
        ("退款编号", text(&f.refund_no)),
        ("订单编号", text(&f.order_no)),
        ("买家", text(&f.buyer_nick)),
        ("宝贝", text(&f.item_title)),
        ("售后类型", escape(case.kind.zh_name())),
        ("买家退款原因", text(&f.reason_text)),
        ("买家说明", text(&f.buyer_note)),
        (
            "退款金额",
            escape(
                &f.refund
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
            ),
        ),
        ("买家签收时间", time(f.signed_at)),
        ("退货签收时间", time(f.return_received_at)),
        ("证据包生成时间", china_text(now)),
    ];
    for (label, value) in rows {
        let _ = write!(h, "<tr><th>{label}</th><td>{value}</td></tr>");
    }
    let _ = writeln!(h, "</table>");
    let _ = writeln!(
        h,
        "<p class=\"summary\">{}</p>",
        escape(&evidence.readiness.summary)
    );
    let proof_rows = |h: &mut String, proofs: &[Proof]| {
        for p in proofs {
            let Some(entry) = names.get(&p.id) else {
                continue;
            };
            let _ = write!(
                h,
                "<tr><td><a href=\"{}\">{}</a><br><small>{}</small></td><td class=\"hash\">{}</td><td>{}</td><td>{}</td><td>{}<br><small>{}</small></td></tr>",
                escape(&entry.name),
                escape(&p.original_name),
                escape(&format!(
                    "{} · {}",
                    p.mime.as_deref().unwrap_or("未知类型"),
                    size_text(p.size)
                )),
                escape(&p.hash),
                p.captured_at
                    .map(china_text)
                    .unwrap_or_else(|| "文件未记录".to_owned()),
                p.duration_ms
                    .map(|ms| format!("{} 秒", ms / 1000))
                    .unwrap_or_else(|| "—".to_owned()),
                escape(&p.added_by),
                china_text(p.added_at),
            );
        }
    };
    const PROOF_HEAD: &str = "<tr><th>文件</th><th>SHA-256</th><th>拍摄/录制时间</th><th>时长</th><th>添加人/时间</th></tr>";
    for s in &evidence.situations {
        let _ = write!(
            h,
            "<section><h2>{}</h2><p class=\"when\">{}</p>",
            escape(&s.name),
            escape(&s.when)
        );
        for i in &s.items {
            let mark = if i.proofs.is_empty() { "☐" } else { "☑" };
            let need = if i.item.required { "必备" } else { "补充" };
            let _ = write!(
                h,
                "<div class=\"item\"><h3>{mark} {} <span class=\"tag\">{need}</span></h3><p class=\"valid\">有效要求：{}</p>",
                escape(&i.item.title),
                escape(&i.item.valid)
            );
            if i.proofs.is_empty() {
                let _ = write!(h, "<p class=\"none\">尚未提供</p>");
            } else {
                let _ = write!(h, "<table class=\"proofs\">{PROOF_HEAD}");
                proof_rows(&mut h, &i.proofs);
                let _ = write!(h, "</table>");
            }
            let _ = writeln!(h, "</div>");
        }
        let _ = writeln!(h, "</section>");
    }
    if !evidence.unassigned.is_empty() {
        let _ = write!(
            h,
            "<section><h2>其他材料</h2><table class=\"proofs\">{PROOF_HEAD}"
        );
        proof_rows(&mut h, &evidence.unassigned);
        let _ = writeln!(h, "</table></section>");
    }
    if !evidence.unboxing.is_empty() {
        let _ = write!(
            h,
            "<section><h2>拆包视频核验</h2><table class=\"checks\"><tr><th>文件</th><th>时长</th><th>时效</th></tr>"
        );
        let cell = |f: &Finding| format!("<b>{}</b>：{}", f.label(), escape(f.detail()));
        for c in &evidence.unboxing {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.file),
                cell(&c.duration),
                cell(&c.timeliness)
            );
        }
        let _ = writeln!(h, "</table></section>");
    }
    if !risks.is_empty() {
        let _ = write!(
            h,
            "<section class=\"risks\"><h2>申诉前风险自查</h2><p>以下任何一条回答“是”，申诉都可能失败，请先处理。</p><ol>"
        );
        for r in risks {
            let _ = write!(
                h,
                "<li><span class=\"box\">☐ 是 ☐ 否</span> {}<br><small>{}</small></li>",
                escape(&r.question),
                escape(&r.why)
            );
        }
        let _ = writeln!(h, "</ol></section>");
    }
    let _ = writeln!(
        h,
        "<footer>核对文件：Windows 用 <code>certutil -hashfile 文件名 SHA256</code>，macOS 用 <code>shasum -a 256 文件名</code>，Linux 用 <code>sha256sum 文件名</code>，结果应与上表 SHA-256 一致。由售后台生成。</footer>\n</body>\n</html>"
    );
    h
}

fn size_text(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// Print-friendly styles: A4 pages, tables that never split a row, hashes that wrap.
const CSS: &str = "body{font-family:\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;font-size:14px;color:#222;max-width:960px;margin:24px auto;padding:0 16px}\
h1{font-size:22px}h2{font-size:18px;border-bottom:2px solid #333;padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:14px 0 4px}\
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}\
th{background:#f0f0f0;white-space:nowrap}.facts th{width:8em}.hash{font-family:monospace;font-size:11px;word-break:break-all}\
.tag{font-size:12px;border:1px solid #999;border-radius:3px;padding:0 4px;font-weight:normal}.valid,.when{color:#555;margin:2px 0}\
.none{color:#b00}.summary{font-weight:bold;font-size:16px}.box{white-space:nowrap}.risks li{margin:6px 0}\
footer{margin-top:32px;font-size:12px;color:#555}small{color:#666}\
@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}tr,.item,li{page-break-inside:avoid}h2{page-break-after:avoid}}\
@page{size:A4;margin:15mm}";

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("开箱视频.mp4", "开箱视频.mp4")]
    #[case("../../etc/passwd", "_.._etc_passwd")]
    #[case("a<b>#1?.jpg", "a_b__1_.jpg")]
    #[case("...", "file")]
    fn names_are_safe_in_zips_and_links(#[case] name: &str, #[case] want: &str) {
        assert_eq!(
            sanitize(name),
            want,
            "“{name}” must not escape files/ or break a link"
        );
    }
}
