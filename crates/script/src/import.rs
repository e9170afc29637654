//! Import of training material (培训资料): slide decks exported to text, Word documents,
//! slides, Q&A sheets. Lines become proposals (reply scripts, choice questions, open reply
//! exercises), each with a guessed scenario kind; repeated fragments are merged and every
//! other line is reported as skipped with its reason, so nothing is silently lost.

use crate::{Classifier, Lint, Stage, normalize};
use afterdesk_case::ScenarioKind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
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
    /// The file is larger than any training material; nothing of it was read.
    #[error(
        "{path} 有 {} MB，超过培训资料的上限 {} MB；请把资料分成几个文件再导入",
        megabytes(*size),
        megabytes(*limit)
    )]
    TooLarge {
        /// The file.
        path: String,
        /// Its size in bytes (at least this much: reading stops past the limit).
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A .docx or .pptx unpacks to more text than the limit (a zip bomb, or a document
    /// far larger than any course); reading stopped at the limit.
    #[error(
        "{path} 解压后的文字内容超过 {} MB 的上限，文件可能已损坏或被人为构造；没有导入任何内容",
        megabytes(*limit)
    )]
    Unpacked {
        /// The file.
        path: String,
        /// The limit in bytes.
        limit: u64,
    },
}

/// Bytes as whole megabytes for messages, rounded up so that a file just over a limit
/// never reads as equal to it.
fn megabytes(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// The largest .txt or .md training file read: 8 MiB.
///
/// The longest course seen exported to text is 47 KB; 8 MiB is about four million Chinese
/// characters, far more than any course, and keeps the import (which looks at every line)
/// within seconds.
pub const MAX_TEXT_FILE_BYTES: u64 = 8 << 20;

/// The largest .docx or .pptx opened: 512 MiB.
///
/// Only the text parts are read, but decks carry pictures and videos that make the file
/// large; the zip directory read on opening grows with the file, which this bounds.
pub const MAX_DOCUMENT_FILE_BYTES: u64 = 512 << 20;

/// How many bytes the text parts of a .docx or .pptx (the document, the slides) may
/// unpack to, together: 64 MiB, counted while inflating, whatever the zip directory says.
///
/// The generated 50-page course unpacks to well under a megabyte of XML; a zip bomb packs
/// gigabytes of XML into a few hundred kilobytes. Reading stops at the limit, so memory
/// stays near it.
pub const MAX_UNPACKED_TEXT_BYTES: u64 = 64 << 20;

impl ImportError {
    /// A stable code for scripts and the app (`{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::NotFound { .. } => "file_not_found",
            ImportError::Io { .. } => "file_unreadable",
            ImportError::Zip { .. } | ImportError::Xml { .. } => "document_corrupt",
            ImportError::Encoding { .. } => "encoding_unknown",
            ImportError::Empty { .. } => "document_empty",
            ImportError::Unsupported { .. } => "unsupported_type",
            ImportError::TooLarge { .. } => "file_too_large",
            ImportError::Unpacked { .. } => "document_too_large",
        }
    }
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
    let open = |limit: u64| -> Result<std::fs::File, ImportError> {
        let file = std::fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        if size > limit {
            return Err(ImportError::TooLarge {
                path: name.clone(),
                size,
                limit,
            });
        }
        Ok(file)
    };
    let text = match ext.as_str() {
        "txt" | "md" | "text" => {
            let mut bytes = Vec::new();
            // Read at most one byte past the limit: the size on disk may change after the
            // check, and a device or pipe has none.
            open(MAX_TEXT_FILE_BYTES)?
                .take(MAX_TEXT_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            if bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
                return Err(ImportError::TooLarge {
                    path: name,
                    size: bytes.len() as u64,
                    limit: MAX_TEXT_FILE_BYTES,
                });
            }
            decode_text(&bytes).ok_or_else(|| ImportError::Encoding { path: name.clone() })?
        }
        "docx" | "pptx" => {
            let file = open(MAX_DOCUMENT_FILE_BYTES)?;
            let zip_err = |source| ImportError::Zip {
                path: name.clone(),
                source,
            };
            let mut archive =
                zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
            let mut parts: Vec<(u32, String)> = Vec::new();
            // One budget for all the parts read, spent as they inflate.
            let mut left = MAX_UNPACKED_TEXT_BYTES;
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
                let Some(order) = order else {
                    continue;
                };
                let mut budget = Budget {
                    inner: entry,
                    left,
                    exceeded: false,
                };
                let read = xml_paragraphs(std::io::BufReader::new(&mut budget));
                if budget.exceeded {
                    return Err(ImportError::Unpacked {
                        path: name,
                        limit: MAX_UNPACKED_TEXT_BYTES,
                    });
                }
                left = budget.left;
                parts.push((
                    order,
                    read.map_err(|source| ImportError::Xml {
                        path: name.clone(),
                        source,
                    })?,
                ));
            }
            parts.sort_by_key(|p| p.0);
            parts.into_iter().map(|(_, text)| text).collect()
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

/// Passes at most `left` bytes on and then fails, noting that the budget was spent:
/// counts what the inflater actually produces, whatever the zip directory claims.
struct Budget<R> {
    inner: R,
    left: u64,
    exceeded: bool,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.exceeded = true;
                Err(std::io::Error::other("unpacked size budget spent"))
            }
        }
    }
}

/// The text of a WordprocessingML or DrawingML part: the runs (`w:t`, `a:t`) of each
/// paragraph (`w:p`, `a:p`) joined, one paragraph per line. Streamed: only the text and
/// one XML event are held, never the whole part.
fn xml_paragraphs(source: impl std::io::BufRead) -> Result<String, quick_xml::Error> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(source);
    let mut buf = Vec::new();
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match reader.read_event_into(&mut buf)? {
            Event::Start(e) if e.local_name().as_ref() == "t" => in_text = true,
            Event::End(e) if e.local_name().as_ref() == "t" => in_text = false,
            Event::End(e) if e.local_name().as_ref() == "p" => out.push('\n'),
            Event::Text(t) if in_text => {
                out.push_str(t.as_ref());
            }
            Event::GeneralRef(r) if in_text => {
                out.push_str(match r.as_ref() {
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
        buf.clear();
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
    /// A line that is itself a message to the buyer: it opens with 亲 or 您好 (after an
    /// optional short label such as 退货：) and speaks to 您.
    Addressed,
    /// A stock polite phrase (谢谢您提醒…).
    PolitePhrase,
}

/// A proposed reply script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedScript {
    /// The text as found (the shop's own words).
    pub text: String,
    /// The text ready for the library: the spaces slide exports leave inside sentences
    /// removed, punctuation made full-width, and stand-ins such as `XX先生` or `单号:XXXXX`
    /// replaced by placeholders (`{buyer_nick}`, `{new_waybill}`...).
    pub template: String,
    /// The guessed scenario kind.
    pub kind: ScenarioKind,
    /// How sure the guess is.
    pub confidence: f64,
    /// The guessed stage of the conversation.
    pub stage: Stage,
    /// The heading the script was found under, when the material has one.
    pub section: Option<String>,
    /// Where it was found.
    pub source: ScriptSource,
    /// The first line it was found on (1-based).
    pub line: usize,
    /// How many times it occurs (repeats merged).
    pub occurrences: usize,
    /// What the lint finds in the template: training material also teaches what the
    /// platform forbids, and such a script must be fixed before it joins the library.
    pub lint: Vec<Lint>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
    /// A piece of a line that did give proposals, too short or too vague to be a reply on
    /// its own (a single polite word such as “您好”, a trailing comment).
    Fragment,
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
    /// Skipped lines counted by reason (ordered, so the JSON is stable).
    pub skipped_counts: BTreeMap<SkipReason, usize>,
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
    "• ", "•", "● ", "·", "▪", "■", "◆", "Ø ", "u ", "l ", "+ ", "- ", "* ", "> ", "❖ ", "❖",
];

/// A line this short without sentence punctuation is a heading: slide titles are short.
const HEADING_CHARS: usize = 14;

/// Quoted text at least this long is a reply; shorter quotes are stock phrases or names
/// of buttons (“申请退款”).
const QUOTE_REPLY_CHARS: usize = 10;

/// A proposed script needs at least this many characters (after normalisation): “您好” or
/// “麻烦” alone is a word to use, not a reply to keep in a library.
const MIN_SCRIPT_CHARS: usize = 4;

/// A reply whose own classification is less sure than this takes its section heading's
/// kind instead (when the heading names one): a stock phrase such as “我们明白您的困难”
/// says little by itself, while the deck put it under “投诉处理技巧”. At 0.5 the reply's
/// own words still win whenever they name a kind outright (one strong keyword gives about
/// 0.9).
const SECTION_FALLBACK: f64 = 0.5;

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
    if l.is_empty()
        || l.chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || c == '.')
    {
        return true;
    }
    // A single character is the tail of a word the slide export broke across lines.
    if l.chars().filter(|c| !c.is_ascii_punctuation()).count() <= 1 {
        return true;
    }
    // Page markers such as 第23页/共28页.
    if l.starts_with('第') && l.contains("页/共") {
        return true;
    }
    l == "目录" || NOISE.iter().any(|n| l.contains(n))
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’' | '…')
}

/// Cleans a fragment for the library: slide exports break lines inside words and the
/// break becomes a space (“另 外”), and decks mix half-width commas into Chinese text.
pub fn tidy(text: &str) -> String {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = out.chars().next_back();
        if c.is_whitespace() {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            let joins_cjk = prev.is_none_or(is_cjk) || next.is_none_or(|n| is_cjk(*n));
            if joins_cjk || prev.is_some_and(char::is_whitespace) {
                continue;
            }
            out.push(' ');
            continue;
        }
        let after_cjk = prev.is_some_and(is_cjk);
        out.push(match c {
            ',' if after_cjk => '，',
            '?' if after_cjk => '？',
            '!' if after_cjk => '！',
            ';' if after_cjk => '；',
            // A colon after Chinese is a label's; the one inside 9:00 follows a digit.
            ':' if after_cjk => '：',
            '(' if after_cjk => '（',
            ')' if after_cjk || prev == Some('（') => '）',
            other => other,
        });
    }
    out
}

/// Replaces the stand-ins decks use for case facts with the library's placeholders.
pub fn template(text: &str) -> String {
    let reshipped = ["换", "补发", "重新发", "从新发"]
        .iter()
        .any(|w| text.contains(w));
    let waybill = if reshipped {
        "{new_waybill}"
    } else {
        "{waybill}"
    };
    let mut out = tidy(text);
    for who in ["XX先生", "XX女士", "XX小姐", "xx先生", "xx女士", "xx小姐"] {
        out = out.replace(who, "{buyer_nick}");
    }
    for courier in ["XX快递", "xx快递"] {
        out = out.replace(courier, "{courier}");
    }
    // 单号:XXXXX, 单号XXXX: the label stays, the run of X becomes the waybill.
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(pos) = rest.find("单号") {
        let (head, tail) = rest.split_at(pos + "单号".len());
        result.push_str(head);
        let after = tail.trim_start_matches([':', '：', ' ']);
        let xs = after.chars().take_while(|c| matches!(c, 'X' | 'x')).count();
        if xs >= 3 {
            result.push_str(&tail[..tail.len() - after.len()]);
            result.push_str(waybill);
            rest = &after[xs..];
        } else {
            rest = tail;
        }
    }
    result.push_str(rest);
    // A stand-in followed by a half-width comma (“XXXXX ,XX快递”) reads as Chinese once
    // the placeholder is in.
    result.replace(" ,", "，").replace("},", "}，")
}

/// Words that show a reply closes a case: the refund is paid, the new parcel is on its way.
const CLOSING: &[&str] = &[
    "处理完毕",
    "已经处理好",
    "已为您退款",
    "已经为您退款",
    "退款已",
    "已退款",
    "请查收",
    "支付宝账户",
    "支付宝账号",
    "从新发出",
    "重新发出",
    "已经发出",
    "欢迎下次光临",
    "期待您再次光临",
    "多谢支持",
    "祝您生活愉快",
];

/// Words that show a reply continues an open case: progress, a second attempt, a pause.
const FOLLOW_UP: &[&str] = &[
    "进展",
    "跟进",
    "目前",
    "仍在",
    "还在处理",
    "再次",
    "拦截失败",
    "另外约时间",
    "稍后再",
    "最新情况",
];

/// Guesses where in a conversation a reply belongs: a closing message names the done
/// outcome, a follow-up names progress; everything else answers the buyer's request.
pub fn guess_stage(reply: &str) -> Stage {
    let flat = crate::to_simplified(&tidy(reply));
    if CLOSING.iter().any(|w| flat.contains(w)) {
        Stage::Closing
    } else if FOLLOW_UP.iter().any(|w| flat.contains(w)) {
        Stage::FollowUp
    } else {
        Stage::FirstReply
    }
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
    (t.contains('您') || t.contains('亲')) && !t.contains("点击") && !t.contains("页面")
}

/// A line that is itself a message to the buyer (“亲，您的换货已处理完毕……”), possibly
/// after a short label naming its use (“退货：亲，……”); returns the message.
fn addressed_line(l: &str) -> Option<&str> {
    let body = match l.find([':', '：']) {
        Some(pos) if l[..pos].chars().count() <= 6 => {
            l[pos..].trim_start_matches([':', '：']).trim()
        }
        _ => l,
    };
    let opens = ["亲,", "亲，", "亲 ", "亲爱的", "您好"]
        .iter()
        .any(|o| body.starts_with(o));
    (opens && body.chars().count() >= QUOTE_REPLY_CHARS && addresses_buyer(body)).then_some(body)
}

/// Words that make a short quote a polite stock phrase.
const POLITE: &[&str] = &[
    "您",
    "请",
    "谢",
    "抱歉",
    "不好意思",
    "麻烦",
    "稍等",
    "欢迎",
    "支持",
];

fn is_polite(t: &str) -> bool {
    // 申请 (apply) is the name of a button, not a polite 请.
    let t = t.replace("申请", "");
    POLITE.iter().any(|p| t.contains(p))
}

/// Lines that describe clicks in the back end: their quotes are names of buttons and pages.
fn is_click_path(l: &str) -> bool {
    ["点击", "进入", "页面", "选项栏", "选择“", "-“"]
        .iter()
        .any(|w| l.contains(w))
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

fn is_heading(l: &str) -> bool {
    let punctuated = l.contains(['，', '。', ',', '：', ':', '；', ';', '？', '！']);
    !punctuated && l.chars().count() <= HEADING_CHARS
}

/// The running state of one import.
struct Importer<'a> {
    classifier: &'a Classifier,
    report: ImportReport,
    /// Normalised script text → its index in `report.scripts`.
    script_at: HashMap<String, usize>,
    /// Normalised line → the scripts it proposed, so a repeated line counts them again.
    line_scripts: HashMap<String, Vec<usize>>,
    /// The latest heading and the kind it names.
    section: Option<(String, ScenarioKind)>,
}

impl Importer<'_> {
    fn skip(&mut self, line: usize, text: &str, reason: SkipReason) {
        self.report.skipped.push(Skipped {
            line,
            text: text.to_owned(),
            reason,
        });
    }

    fn enter_section(&mut self, heading: &str) {
        let heading = tidy(heading);
        let kind = self.classifier.classify(&heading).kind;
        self.section = Some((heading, kind));
    }

    /// The kind for a text, falling back to the section's when the text says little.
    fn kind_of(&self, c: crate::Classification) -> (ScenarioKind, f64) {
        match &self.section {
            Some((_, kind))
                if *kind != ScenarioKind::Other
                    && (c.kind == ScenarioKind::Other || c.confidence < SECTION_FALLBACK) =>
            {
                (*kind, c.confidence)
            }
            _ => (c.kind, c.confidence),
        }
    }

    /// Adds a proposed script, or counts it again when the same text was proposed before;
    /// returns its index, or `None` when the text is too short to be a script.
    fn add_script(&mut self, text: &str, source: ScriptSource, line: usize) -> Option<usize> {
        let key = normalize(text);
        if key.chars().count() < MIN_SCRIPT_CHARS {
            return None;
        }
        if let Some(&i) = self.script_at.get(&key) {
            if let Some(s) = self.report.scripts.get_mut(i) {
                s.occurrences += 1;
            }
            return Some(i);
        }
        let template = template(text);
        let (kind, confidence) = self.kind_of(self.classifier.classify_reply(&template));
        let lint = match source {
            // A stock phrase is a piece of a reply: whether the whole reply apologises is
            // not its business, the forbidden phrases are.
            ScriptSource::PolitePhrase => crate::lint(&template, None)
                .into_iter()
                .filter(|l| l.rule != crate::LintRule::PromiseBeforeInspection)
                .collect(),
            _ => crate::lint(&template, Some(kind)),
        };
        let index = self.report.scripts.len();
        self.script_at.insert(key, index);
        self.report.scripts.push(ProposedScript {
            text: text.to_owned(),
            stage: guess_stage(&template),
            template,
            kind,
            confidence,
            section: self.section.as_ref().map(|s| s.0.clone()),
            source,
            line,
            occurrences: 1,
            lint,
        });
        Some(index)
    }

    /// Quoted replies and stock phrases on a line; returns the scripts it proposed.
    fn quotes_and_phrases(&mut self, l: &str, n: usize) -> Vec<usize> {
        let mut proposed = Vec::new();
        let mut fragments = Vec::new();
        let q = if is_click_path(l) {
            Vec::new()
        } else {
            quotes(l)
        };
        for t in &q {
            if t.chars().count() >= QUOTE_REPLY_CHARS && addresses_buyer(t) {
                proposed.extend(self.add_script(t, ScriptSource::Quote, n));
            } else if is_polite(t) {
                match self.add_script(t, ScriptSource::PolitePhrase, n) {
                    Some(i) => proposed.push(i),
                    None => fragments.push(t.clone()),
                }
            }
        }
        if q.is_empty() && (l.contains("礼貌用语") || l.contains("常用语")) {
            let body = l
                .split_once("礼貌用语")
                .or_else(|| l.split_once("常用语"))
                .map_or(l, |(_, b)| b);
            for s in body.split(['。', '！', '!']) {
                let s = s.trim().trim_start_matches([':', '：']).trim();
                if s.is_empty() {
                    continue;
                }
                let added = is_polite(s)
                    .then(|| self.add_script(s, ScriptSource::PolitePhrase, n))
                    .flatten();
                match added {
                    Some(i) => proposed.push(i),
                    None => fragments.push(s.to_owned()),
                }
            }
        }
        if !proposed.is_empty() {
            for f in fragments {
                self.skip(n, &f, SkipReason::Fragment);
            }
        }
        proposed
    }
}

/// Reads training text into proposals.
pub fn import_text(text: &str, classifier: &Classifier) -> ImportReport {
    let lines: Vec<&str> = text.lines().collect();
    let mut im = Importer {
        classifier,
        report: ImportReport {
            lines: lines.len(),
            scripts: Vec::new(),
            questions: Vec::new(),
            exercises: Vec::new(),
            skipped: Vec::new(),
            skipped_counts: BTreeMap::new(),
        },
        script_at: HashMap::new(),
        line_scripts: HashMap::new(),
        section: None,
    };
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let l = strip_bullet(lines[i]);
        i += 1;
        if is_noise(l) {
            im.skip(n, l, SkipReason::Noise);
            continue;
        }
        let key = normalize(l);
        if !seen.insert(key.clone()) {
            // A repeated line (exported decks repeat whole pages): count the proposals it
            // made again, and follow its heading so later lines get the right section.
            for &k in im.line_scripts.get(&key).into_iter().flatten() {
                if let Some(s) = im.report.scripts.get_mut(k) {
                    s.occurrences += 1;
                }
            }
            if is_heading(l) {
                im.enter_section(l);
            }
            im.skip(n, l, SkipReason::Duplicate);
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
            let (kind, _) = im.kind_of(classifier.classify(&customer));
            im.report.exercises.push(Exercise {
                kind,
                customer,
                agent,
                line: n,
            });
            continue;
        }
        if let Some(agent) = label(l, &["客服"])
            && addresses_buyer(&agent)
        {
            let made = im.add_script(&agent, ScriptSource::AgentLine, n);
            im.line_scripts.insert(key, made.into_iter().collect());
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
                let (kind, _) = im.kind_of(classifier.classify(&stem));
                im.report.questions.push(Question {
                    kind,
                    multiple: answer.len() > 1 || stem.contains("多选"),
                    stem,
                    options: opts,
                    answer,
                    line: n,
                });
                continue;
            }
        }
        if let Some(message) = addressed_line(l) {
            let made = im.add_script(message, ScriptSource::Addressed, n);
            if let Some(k) = made {
                im.line_scripts.insert(key, vec![k]);
                continue;
            }
        }
        let made = im.quotes_and_phrases(l, n);
        if !made.is_empty() {
            im.line_scripts.insert(key, made);
            continue;
        }
        let reason = if is_heading(l) {
            im.enter_section(l);
            SkipReason::Heading
        } else {
            SkipReason::Prose
        };
        im.skip(n, l, reason);
    }
    let mut report = im.report;
    for s in &report.skipped {
        *report.skipped_counts.entry(s.reason).or_insert(0) += 1;
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

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

    #[rstest]
    #[case("另 外约时间", "另外约时间")]
    #[case("XX先生,我想帮助您。您看呢?", "XX先生，我想帮助您。您看呢？")]
    #[case("工作时间:9:00", "工作时间：9:00")]
    #[case("Hello world 你好", "Hello world你好")]
    fn tidy_joins_broken_words_and_widens_punctuation(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(
            tidy(raw),
            want,
            "spaces inside Chinese go, half-width punctuation after Chinese becomes full-width"
        );
    }

    #[rstest]
    #[case("XX先生，您好", "{buyer_nick}，您好")]
    #[case(
        "您的换货已处理完毕，已经从新发出单号:XXXXX ,XX快递",
        "您的换货已处理完毕，已经从新发出单号：{new_waybill}，{courier}"
    )]
    #[case("您的包裹单号XXXX正在派送", "您的包裹单号{waybill}正在派送")]
    fn stand_ins_become_placeholders(#[case] raw: &str, #[case] want: &str) {
        let got = template(raw);
        assert_eq!(got, want, "XX stand-ins become the library's placeholders");
        assert!(
            crate::draft::placeholder_names(&got)
                .iter()
                .all(|n| crate::Placeholder::from_name(n).is_some()),
            "every placeholder a template uses is one drafts can fill: {got}"
        );
    }

    #[rstest]
    #[case("亲，您的退款已经处理好了，请查收", Stage::Closing)]
    #[case("亲，拦截失败了，我们再和您商量", Stage::FollowUp)]
    #[case("亲，非常抱歉，麻烦您拍张照片", Stage::FirstReply)]
    fn stages_are_guessed_from_the_reply(#[case] reply: &str, #[case] want: Stage) {
        assert_eq!(
            guess_stage(reply),
            want,
            "a done outcome closes, progress follows up, anything else is a first reply"
        );
    }

    #[test]
    fn sections_buttons_and_fragments() {
        let text = "质量问题的处理\n\
                    多使用礼貌用语：我们明白您的困难。您好。\n\
                    • 第一步：进入“我的淘宝”-“已买到的宝贝”页面，点击“申请退款”“立即申请退款”。\n\
                    退货:亲,您的退货我们已经处理完毕, 请您查询下支付宝账户。\n";
        let r = import_text(text, &classifier());
        let texts: Vec<&str> = r.scripts.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "我们明白您的困难",
                "亲,您的退货我们已经处理完毕, 请您查询下支付宝账户。"
            ],
            "a stock phrase and an addressed line are scripts, button names are not"
        );
        assert_eq!(
            r.scripts[0].kind,
            ScenarioKind::QualityIssue,
            "a vague stock phrase takes its section's kind"
        );
        assert_eq!(
            r.scripts[0].section.as_deref(),
            Some("质量问题的处理"),
            "the section is named"
        );
        assert_eq!(
            (r.scripts[1].kind, r.scripts[1].stage),
            (ScenarioKind::ReturnRefund, Stage::Closing),
            "a done return is a return's closing message"
        );
        assert!(
            r.skipped
                .iter()
                .any(|s| s.reason == SkipReason::Fragment && s.text == "您好"),
            "a too-short polite word is reported as a fragment: {:?}",
            r.skipped
        );
    }

    #[test]
    fn proposals_that_break_the_rules_carry_the_lint() {
        let text = "“亲，这是快递弄丢的，您找快递索赔吧，不关我们的事。”\n";
        let r = import_text(text, &classifier());
        let rules: Vec<crate::LintRule> = r
            .scripts
            .iter()
            .flat_map(|s| s.lint.iter().map(|l| l.rule))
            .collect();
        assert!(
            rules.contains(&crate::LintRule::BlameCourier)
                && rules.contains(&crate::LintRule::NotOurProblem),
            "a script that blames the courier is proposed with its findings: {rules:?}"
        );
    }

    #[rstest]
    #[case::utf8("退款进度".as_bytes().to_vec(), Some("退款进度"))]
    #[case::utf8_bom(b"\xEF\xBB\xBF\xE9\x80\x80".to_vec(), Some("退"))]
    #[case::gbk(encoding_rs::GBK.encode("售后话术").0.into_owned(), Some("售后话术"))]
    #[case::utf16le(vec![0xFF, 0xFE, 0x00, 0x90], Some("退"))]
    #[case::binary(vec![0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF], None)]
    fn text_files_are_decoded_or_refused(#[case] bytes: Vec<u8>, #[case] want: Option<&str>) {
        assert_eq!(
            decode_text(&bytes).as_deref(),
            want,
            "UTF-8, UTF-16 with BOM and GBK decode; binary is refused, never mojibake"
        );
    }
}
