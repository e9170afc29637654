//! Import of training material (培训资料): slide decks exported to text, Word documents,
//! slides, Q&A sheets. Lines become proposals (reply scripts, choice questions, open reply
//! exercises), each with a guessed scenario kind; repeated fragments are merged and every
//! other line is reported as skipped with its reason, so nothing is silently lost.

use crate::{Classifier, normalize};
use afterdesk_case::ScenarioKind;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Why a training file could not be read. Every message names the file, in Chinese, for
/// the shop owner who picked it.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file does not exist.
    #[error("找不到文件 {path}")]
    NotFound {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be opened or read.
    #[error("无法读取文件 {path}：{source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A .docx or .pptx is not a valid zip archive.
    #[error("{path} 不是有效的 Office 文件（可能已损坏，或只是改了扩展名）：{source}")]
    Zip {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: zip::result::ZipError,
    },
    /// The document's XML is broken.
    #[error("{path} 的内容无法解析（文件可能已损坏）：{source}")]
    Xml {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: quick_xml::Error,
    },
    /// A text file is neither UTF-8 (with or without BOM), UTF-16 with BOM, nor GBK/GB18030,
    /// or it is not text at all.
    #[error("{path} 的编码无法识别：不是 UTF-8 或 GBK 文本，请用记事本“另存为”UTF-8 后再导入")]
    Encoding {
        /// The file.
        path: String,
    },
    /// The file has no text to import (an empty file, a document without paragraphs, a
    /// .docx or .pptx without its main part).
    #[error("{path} 里没有可导入的文字（文件是空的）")]
    Empty {
        /// The file.
        path: String,
    },
    /// The extension is none of .txt, .md, .docx, .pptx.
    #[error("{path}：不支持的文件类型“{ext}”（支持 .txt、.md、.docx、.pptx）")]
    Unsupported {
        /// The file.
        path: String,
        /// The extension as found (empty when there is none).
        ext: String,
    },
}

/// Decodes a plain-text training file: a byte-order mark decides when there is one (UTF-8,
/// UTF-16), then strict UTF-8, then strict GB18030 (a superset of GBK, which Windows
/// Notepad in Chinese wrote by default for years). Nothing is decoded with replacement
/// characters: a file that is neither is refused rather than imported as mojibake.
pub fn decode_text(bytes: &[u8]) -> Option<String> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (!had_errors).then(|| text.into_owned());
    }
    if bytes.contains(&0) {
        // NUL bytes never occur in UTF-8 or GBK text: this is a binary file.
        return None;
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Some(text.to_owned());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|t| t.into_owned())
}

/// Reads a training file as plain text, one paragraph per line.
pub fn read_file(path: &Path) -> Result<String, ImportError> {
    let name = path.display().to_string();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let io = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => ImportError::NotFound {
            path: name.clone(),
            source,
        },
        _ => ImportError::Io {
            path: name.clone(),
            source,
        },
    };
    let text = match ext.as_str() {
        "txt" | "md" | "text" => {
            let bytes = std::fs::read(path).map_err(io)?;
            decode_text(&bytes).ok_or_else(|| ImportError::Encoding { path: name.clone() })?
        }
        "docx" | "pptx" => {
            let file = std::fs::File::open(path).map_err(io)?;
            let zip_err = |source| ImportError::Zip {
                path: name.clone(),
                source,
            };
            let mut archive = zip::ZipArchive::new(file).map_err(zip_err)?;
            let mut parts: Vec<(u32, String)> = Vec::new();
            for i in 0..archive.len() {
                let entry = archive.by_index(i).map_err(zip_err)?;
                let entry_name = entry.name().map_err(zip_err)?.into_owned();
                let order = if ext == "docx" {
                    (entry_name == "word/document.xml").then_some(0)
                } else {
                    // Slides are numbered ppt/slides/slide12.xml; order them by number,
                    // not by the archive's order or the name's text order.
                    entry_name
                        .strip_prefix("ppt/slides/slide")
                        .and_then(|r| r.strip_suffix(".xml"))
                        .and_then(|n| n.parse().ok())
                };
                if let Some(order) = order {
                    let mut xml = String::new();
                    entry.take(64 << 20).read_to_string(&mut xml).map_err(io)?;
                    parts.push((order, xml));
                }
            }
            parts.sort_by_key(|p| p.0);
            let mut text = String::new();
            for (_, xml) in parts {
                text.push_str(&xml_paragraphs(&xml).map_err(|source| ImportError::Xml {
                    path: name.clone(),
                    source,
                })?);
            }
            text
        }
        other => {
            return Err(ImportError::Unsupported {
                path: name,
                ext: other.to_owned(),
            });
        }
    };
    if text.trim().is_empty() {
        return Err(ImportError::Empty { path: name });
    }
    Ok(text)
}

/// The text of a WordprocessingML or DrawingML part: the runs (`w:t`, `a:t`) of each
/// paragraph (`w:p`, `a:p`) joined, one paragraph per line.
fn xml_paragraphs(xml: &str) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == "p" => out.push('\n'),
            Event::Text(t) if in_text => {
                out.push_str(t.as_ref());
            }
            Event::GeneralRef(r) if in_text => {
                let entity: String = r.as_ref().to_owned();
                out.push_str(match entity.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Where a proposed script was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScriptSource {
    /// A quoted reply (“…”) addressed to the buyer.
    Quote,
    /// A line starting with 客服：.
    AgentLine,
    /// A stock polite phrase (谢谢您提醒…).
    PolitePhrase,
}

/// A proposed reply script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedScript {
    /// The text as found (the shop's own words).
    pub text: String,
    /// The guessed scenario kind.
    pub kind: ScenarioKind,
    /// How sure the guess is.
    pub confidence: f64,
    /// Where it was found.
    pub source: ScriptSource,
    /// The first line it was found on (1-based).
    pub line: usize,
    /// How many times it occurs (repeats merged).
    pub occurrences: usize,
}

/// A proposed single- or multiple-choice question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    /// The question.
    pub stem: String,
    /// The options as (letter, text).
    pub options: Vec<(char, String)>,
    /// The answer letters; empty when the material gives none.
    pub answer: Vec<char>,
    /// Whether more than one answer is right.
    pub multiple: bool,
    /// The guessed scenario kind.
    pub kind: ScenarioKind,
    /// The first line (1-based).
    pub line: usize,
}

/// A proposed open reply exercise (客户：… 客服：…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exercise {
    /// The buyer's message.
    pub customer: String,
    /// The model answer, when the material gives one.
    pub agent: Option<String>,
    /// The guessed scenario kind.
    pub kind: ScenarioKind,
    /// The line (1-based).
    pub line: usize,
}

/// Why a line was not turned into a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Empty, a page number, a slide footer or a download site's notice.
    Noise,
    /// The same fragment appeared earlier and was merged.
    Duplicate,
    /// A short heading.
    Heading,
    /// Explanatory prose: facts for the agent, not words for the buyer.
    Prose,
}

/// A skipped line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The line (1-based).
    pub line: usize,
    /// Its text.
    pub text: String,
    /// Why.
    pub reason: SkipReason,
}

/// What an import found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// Lines read.
    pub lines: usize,
    /// Proposed reply scripts.
    pub scripts: Vec<ProposedScript>,
    /// Proposed choice questions.
    pub questions: Vec<Question>,
    /// Proposed open exercises.
    pub exercises: Vec<Exercise>,
    /// Skipped lines with their reason.
    pub skipped: Vec<Skipped>,
    /// Skipped lines counted by reason.
    pub skipped_counts: HashMap<SkipReason, usize>,
}

/// Slide and download-site furniture, never content.
const NOISE: &[&str] = &[
    "下载文档前",
    "文档侵犯",
    "人工客服工作时间",
    "合集下载",
    "感谢您的观看",
    "汇报人",
    "20XX",
    "PPT课件",
    "ppt课件",
    "本文档",
    "文件管理序列号",
    "仅供参考",
    "THANK",
    "thank",
];

/// Bullets that slide exports put before a line (`u` and `l` are Wingdings bullets).
const BULLETS: &[&str] = &[
    "• ", "•", "● ", "·", "▪", "■", "◆", "Ø ", "u ", "l ", "+ ", "- ", "* ", "> ",
];

/// A line this short without sentence punctuation is a heading: slide titles are short.
const HEADING_CHARS: usize = 14;

/// Quoted text at least this long is a reply; shorter quotes are stock phrases or names
/// of buttons (“申请退款”).
const QUOTE_REPLY_CHARS: usize = 10;

fn strip_bullet(line: &str) -> &str {
    let mut l = line.trim();
    for b in BULLETS {
        if let Some(rest) = l.strip_prefix(b) {
            l = rest.trim();
        }
    }
    l
}

fn is_noise(l: &str) -> bool {
    if l.is_empty() || l.chars().all(|c| c.is_ascii_digit() || c.is_whitespace()) {
        return true;
    }
    // Page markers such as 第23页/共28页.
    if l.starts_with('第') && l.contains("页/共") {
        return true;
    }
    l == "目录" || NOISE.iter().any(|n| l.contains(n))
}

fn quotes(l: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = l;
    while let Some(s) = rest.find(['“', '"']) {
        let after = &rest[s + rest[s..].chars().next().map_or(1, char::len_utf8)..];
        let Some(e) = after.find(['”', '"']) else {
            break;
        };
        out.push(after[..e].trim().to_owned());
        rest = &after[e + after[e..].chars().next().map_or(1, char::len_utf8)..];
    }
    out
}

/// Text addressed to the buyer: speaks to "您/亲" and is not a click path in the back end.
fn addresses_buyer(t: &str) -> bool {
    (t.contains('您') || t.contains('亲') || t.contains("您"))
        && !t.contains("点击")
        && !t.contains("页面")
}

/// Words that make a short quote a polite stock phrase.
const POLITE: &[&str] = &["您", "请", "谢", "抱歉", "不好意思", "麻烦", "稍等", "欢迎"];

fn is_polite(t: &str) -> bool {
    POLITE.iter().any(|p| t.contains(p))
}

fn label(l: &str, names: &[&str]) -> Option<String> {
    for n in names {
        for sep in [":", "："] {
            if let Some(pos) = l.find(&format!("{n}{sep}")) {
                return Some(l[pos + n.len() + sep.len()..].trim().to_owned());
            }
        }
    }
    None
}

/// An option line "A、…" / "A. …" / "A：…", possibly several on one line.
fn options(l: &str) -> Vec<(char, String)> {
    let chars: Vec<(usize, char)> = l.char_indices().collect();
    let mut starts = Vec::new();
    for (i, (pos, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|x| x.1);
        let prev_ok = i == 0 || chars[i - 1].1.is_whitespace();
        if ('A'..='F').contains(c)
            && prev_ok
            && matches!(next, Some('、' | '.' | '．' | ':' | '：'))
        {
            starts.push((*pos, *c));
        }
    }
    if starts.first().is_none_or(|s| s.0 != 0) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (k, (pos, c)) in starts.iter().enumerate() {
        let end = starts.get(k + 1).map_or(l.len(), |s| s.0);
        let body = &l[*pos + c.len_utf8()..end];
        let body = body.trim_start_matches(['、', '.', '．', ':', '：']).trim();
        out.push((*c, body.to_owned()));
    }
    out
}

fn answer_letters(l: &str) -> Option<Vec<char>> {
    let rest = label(l, &["答案", "正确答案", "参考答案"])
        .or_else(|| l.strip_prefix("答案").map(|r| r.trim().to_owned()))?;
    let letters: Vec<char> = rest.chars().filter(|c| ('A'..='F').contains(c)).collect();
    (!letters.is_empty()).then_some(letters)
}

fn is_question_stem(l: &str) -> bool {
    l.contains("( )")
        || l.contains("（ ）")
        || l.contains("（）")
        || l.contains("()")
        || l.contains("（  ）")
        || l.contains("(  )")
}

/// Adds a proposed script, or counts it again when the same text was proposed before.
fn add_script(
    report: &mut ImportReport,
    script_at: &mut HashMap<String, usize>,
    classifier: &Classifier,
    text: &str,
    source: ScriptSource,
    line: usize,
) {
    let key = normalize(text);
    if key.chars().count() < 4 {
        return;
    }
    if let Some(&i) = script_at.get(&key) {
        if let Some(s) = report.scripts.get_mut(i) {
            s.occurrences += 1;
        }
        return;
    }
    let c = classifier.classify(text);
    script_at.insert(key, report.scripts.len());
    report.scripts.push(ProposedScript {
        text: text.to_owned(),
        kind: c.kind,
        confidence: c.confidence,
        source,
        line,
        occurrences: 1,
    });
}

/// Reads training text into proposals.
pub fn import_text(text: &str, classifier: &Classifier) -> ImportReport {
    let lines: Vec<&str> = text.lines().collect();
    let mut report = ImportReport {
        lines: lines.len(),
        scripts: Vec::new(),
        questions: Vec::new(),
        exercises: Vec::new(),
        skipped: Vec::new(),
        skipped_counts: HashMap::new(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut script_at: HashMap<String, usize> = HashMap::new();
    let skip = |report: &mut ImportReport, line: usize, text: &str, reason| {
        report.skipped.push(Skipped {
            line,
            text: text.to_owned(),
            reason,
        });
    };
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let l = strip_bullet(lines[i]);
        i += 1;
        if is_noise(l) {
            skip(&mut report, n, l, SkipReason::Noise);
            continue;
        }
        let key = normalize(l);
        let count = seen.entry(key.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            // A repeated line: merge it into the proposal it made, if any.
            for q in quotes(l) {
                if let Some(&k) = script_at.get(&normalize(&q))
                    && let Some(s) = report.scripts.get_mut(k)
                {
                    s.occurrences += 1;
                }
            }
            skip(&mut report, n, l, SkipReason::Duplicate);
            continue;
        }
        // Open exercise: 客户：… [客服：…], the answer possibly on the next line.
        if let Some(customer) = label(l, &["客户", "买家", "顾客"]) {
            let (customer, mut agent) = match customer.split_once("客服") {
                Some((c, a)) => (
                    c.trim().to_owned(),
                    Some(a.trim_start_matches([':', '：']).trim().to_owned()),
                ),
                None => (customer, None),
            };
            if agent.is_none()
                && let Some(next) = lines.get(i).map(|x| strip_bullet(x))
                && let Some(a) = label(next, &["客服"])
            {
                agent = Some(a);
                i += 1;
            }
            let agent = agent.filter(|a| !a.trim_matches(['_', ' ', '＿']).is_empty());
            report.exercises.push(Exercise {
                kind: classifier.classify(&customer).kind,
                customer,
                agent,
                line: n,
            });
            continue;
        }
        if let Some(agent) = label(l, &["客服"])
            && addresses_buyer(&agent)
        {
            add_script(
                &mut report,
                &mut script_at,
                classifier,
                &agent,
                ScriptSource::AgentLine,
                n,
            );
            continue;
        }

        // Choice question: a stem with an empty bracket, options, an answer line.
        if is_question_stem(l) {
            let mut opts = Vec::new();
            let mut answer = Vec::new();
            while let Some(next) = lines.get(i).map(|x| strip_bullet(x)) {
                let o = options(next);
                if !o.is_empty() {
                    opts.extend(o);
                    i += 1;
                } else if let Some(a) = answer_letters(next) {
                    answer = a;
                    i += 1;
                    break;
                } else {
                    break;
                }
            }
            if !opts.is_empty() {
                let stem = l.to_owned();
                report.questions.push(Question {
                    kind: classifier.classify(&stem).kind,
                    multiple: answer.len() > 1 || stem.contains("多选"),
                    stem,
                    options: opts,
                    answer,
                    line: n,
                });
                continue;
            }
        }
        // Quoted replies and stock phrases.
        let q = quotes(l);
        let replies: Vec<&String> = q
            .iter()
            .filter(|t| t.chars().count() >= QUOTE_REPLY_CHARS && addresses_buyer(t))
            .collect();
        if !replies.is_empty() {
            for r in replies {
                add_script(
                    &mut report,
                    &mut script_at,
                    classifier,
                    r,
                    ScriptSource::Quote,
                    n,
                );
            }
            continue;
        }
        if l.contains("礼貌用语") || l.contains("常用语") || q.len() >= 3 {
            let body = l.split_once("礼貌用语").map_or(l, |(_, b)| b);
            let phrases: Vec<String> = if q.len() >= 3 {
                // Several quotes on a line are either stock phrases or the names of
                // buttons and pages (“我的淘宝”“申请退款”); only the polite ones are kept.
                q.iter().filter(|p| is_polite(p)).cloned().collect()
            } else {
                body.split(['。', '！'])
                    .map(|s| s.trim().to_owned())
                    .filter(|s| s.contains('您') || s.contains('请'))
                    .collect()
            };
            if !phrases.is_empty() {
                for p in &phrases {
                    add_script(
                        &mut report,
                        &mut script_at,
                        classifier,
                        p,
                        ScriptSource::PolitePhrase,
                        n,
                    );
                }
                continue;
            }
        }
        let punctuated = l.contains(['，', '。', ',', '：', ':', '；', '？', '！']);
        let reason = if !punctuated && l.chars().count() <= HEADING_CHARS {
            SkipReason::Heading
        } else {
            SkipReason::Prose
        };
        skip(&mut report, n, l, reason);
    }
    for s in &report.skipped {
        *report.skipped_counts.entry(s.reason).or_insert(0) += 1;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        let Ok(c) = Classifier::builtin() else {
            panic!("built-in classifier");
        };
        c
    }

    #[test]
    fn questions_exercises_and_quotes_are_recognised() {
        let text = "1、买家申请七天无理由退货，运费由谁承担？（ ）\nA、卖家 B、买家\nC、快递\n答案：B\n\
                    2、多选：质量问题需要哪些材料（ ）\nA、照片\nB、视频\n答案 AB\n\
                    客户：我收到货了，但是大小不合适，怎么换货？ 客服：____\n\
                    • “亲，非常抱歉让您久等了，我们马上为您查询物流。”\n\
                    • “亲，非常抱歉让您久等了，我们马上为您查询物流。”\n\
                    第3页/共28页\n售后流程\n";
        let r = import_text(text, &classifier());
        assert_eq!(r.questions.len(), 2, "two questions: {:?}", r.questions);
        assert_eq!(
            r.questions[0].answer,
            vec!['B'],
            "the answer letter is read"
        );
        assert_eq!(
            r.questions[0].options.len(),
            3,
            "inline and separate options are read"
        );
        assert!(
            r.questions[1].multiple,
            "two answer letters make a multiple choice"
        );
        assert_eq!(r.exercises.len(), 1, "the open exercise is found");
        assert_eq!(r.exercises[0].agent, None, "a blank answer is no answer");
        assert_eq!(
            r.exercises[0].kind,
            ScenarioKind::Exchange,
            "the exercise is about an exchange"
        );
        assert_eq!(r.scripts.len(), 1, "the repeated quote is merged");
        assert_eq!(r.scripts[0].occurrences, 2, "the merge counts both");
        assert_eq!(
            r.skipped_counts.get(&SkipReason::Noise),
            Some(&1),
            "the page marker is noise"
        );
        assert_eq!(
            r.skipped_counts.get(&SkipReason::Heading),
            Some(&1),
            "the title is a heading"
        );
    }
}
