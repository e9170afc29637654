//! Removing the buyer's personal data from a text before it leaves the machine.
//!
//! The rules are deliberately greedy: a waybill number that happens to look like a mobile
//! number is removed too, because a leaked phone number cannot be called back while a
//! missing waybill number only costs the agent a glance. Nothing removed is ever put back:
//! the polished text keeps the markers and the agent fills them in, so the removed values
//! never pass through the model and never come back changed.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

/// A kind of personal data [`redact`] removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// A mobile or landline number, masked forms included.
    Phone,
    /// A postal address.
    Address,
    /// A resident identity card number.
    IdNumber,
    /// A person's name or the buyer's nickname.
    Name,
}

impl PiiKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [PiiKind; 4] = [
        PiiKind::Phone,
        PiiKind::Address,
        PiiKind::IdNumber,
        PiiKind::Name,
    ];

    /// The marker that replaces a removed value. The brackets 〔〕 are not used by the
    /// drafts' 【待填：…】 placeholders, so the two never get confused.
    pub fn marker(self) -> &'static str {
        match self {
            PiiKind::Phone => "〔电话〕",
            PiiKind::Address => "〔地址〕",
            PiiKind::IdNumber => "〔身份证号〕",
            PiiKind::Name => "〔姓名〕",
        }
    }

    /// The Chinese name, for messages.
    pub fn zh_name(self) -> &'static str {
        match self {
            PiiKind::Phone => "电话",
            PiiKind::Address => "地址",
            PiiKind::IdNumber => "身份证号",
            PiiKind::Name => "姓名",
        }
    }
}

/// Values the caller already knows belong to the buyer (from the case and its order):
/// removed wherever they appear, whatever the patterns would have said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPii {
    /// Phone numbers, in any spelling (spaces, dashes, +86, full-width digits).
    #[serde(default)]
    pub phones: Vec<String>,
    /// Addresses, with or without spaces between their parts.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Names and nicknames. A single character is ignored: it would remove that character
    /// from every word of the text.
    #[serde(default)]
    pub names: Vec<String>,
}

/// A text with its personal data replaced by markers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redacted {
    /// The text that may leave the machine.
    pub text: String,
    /// How many values of each kind were removed (the values themselves are not kept).
    pub removed: BTreeMap<PiiKind, usize>,
}

impl Redacted {
    /// How many values were removed in all.
    pub fn total(&self) -> usize {
        self.removed.values().sum()
    }
}

/// Replaces the buyer's phone numbers, addresses, identity card numbers and names in
/// `text` by the markers of [`PiiKind::marker`]. Draft placeholders (`【待填：…】`) and
/// markers already in the text are left as they are.
pub fn redact(text: &str, known: &KnownPii) -> Result<Redacted, RedactionError> {
    let pats = PATTERNS
        .as_ref()
        .map_err(|e| RedactionError::from(e.clone()))?;
    let norm = Normalized::new(text);
    let n = norm.text.as_str();
    let mut found: Vec<(Range<usize>, PiiKind)> = Vec::new();

    for phone in &known.phones {
        if let Some(re) = known_phone_regex(phone)? {
            found.extend(re.find_iter(n).map(|m| (m.range(), PiiKind::Phone)));
        }
    }
    for address in &known.addresses {
        for re in known_address_regexes(address)? {
            found.extend(re.find_iter(n).map(|m| (m.range(), PiiKind::Address)));
        }
    }
    for name in &known.names {
        let name = Normalized::new(name.trim()).text;
        if name.chars().count() >= 2 {
            found.extend(
                n.match_indices(&name)
                    .map(|(at, s)| (at..at + s.len(), PiiKind::Name)),
            );
        }
    }

    labelled(pats, n, &mut found);
    numbers(pats, n, &mut found);
    addresses(pats, n, &mut found);

    let protected: Vec<Range<usize>> = pats.protected.find_iter(n).map(|m| m.range()).collect();
    let spans = merge(subtract(found, &protected));

    let mut out = String::with_capacity(text.len());
    let mut removed = BTreeMap::new();
    let mut at = 0;
    for (range, kind) in spans {
        let start = norm.original(range.start);
        let end = norm.original(range.end);
        out.push_str(&text[at..start]);
        out.push_str(kind.marker());
        *removed.entry(kind).or_insert(0) += 1;
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(Redacted { text: out, removed })
}

/// The text with full-width forms folded to ASCII (digits, letters, `＋`, `－`, the
/// ideographic space…), one character for one, so the patterns need only one spelling and
/// every match maps back onto the original text.
struct Normalized {
    text: String,
    /// For each byte of `text` (and one past its end), the byte of the original text where
    /// that character starts.
    origin: Vec<usize>,
}

impl Normalized {
    fn new(original: &str) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut origin = Vec::with_capacity(original.len() + 1);
        for (at, c) in original.char_indices() {
            let folded = fold(c);
            text.push(folded);
            origin.extend(std::iter::repeat_n(at, folded.len_utf8()));
        }
        origin.push(original.len());
        Normalized { text, origin }
    }

    fn original(&self, at: usize) -> usize {
        self.origin.get(at).copied().unwrap_or(self.text.len())
    }
}

pub(crate) fn fold(c: char) -> char {
    match c {
        // The full-width ASCII block: digits, letters, `＋`, `－`, `（）`, `＊`, `：`…
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '‐' | '‑' | '‒' | '–' | '—' => '-',
        _ => c,
    }
}

/// The fixed patterns, compiled once. They are constants checked by the tests; should one
/// fail to compile all the same, [`redact`] refuses to redact (and so nothing is sent)
/// rather than send a text it could not clean.
struct Patterns {
    /// Placeholders and markers: never redacted, never split.
    protected: Regex,
    /// Mobile numbers: 11 digits from 13x to 19x, with optional `+86`/`0086`/`(+86)`,
    /// spaces or dashes between digit groups, stars or x's masking some digits, and the
    /// extension of the platforms' privacy numbers (`-1234`, `转1234`).
    mobile: Regex,
    /// Landlines with an area code (`0571-88886666`, `(010)12345678`, `021 6123 4567`, an
    /// extension after a dash). Service numbers (400/800) are the shop's own, not the
    /// buyer's.
    landline: Regex,
    /// Resident identity card numbers, 18 characters: checked by their birth date here and
    /// by their check digit in [`id_checksum_ok`], so that an 18-digit order number is
    /// kept.
    id_number: Regex,
    /// Masked identity card numbers (`330106********1234`).
    id_masked: Regex,
    /// `收货地址：…` and its kin: everything after the label up to the end of the sentence.
    address_label: Regex,
    /// `收货人：张三` and its kin.
    name_label: Regex,
    /// One part of an address: up to 12 characters ending in an administrative or
    /// street-level suffix. Longer suffixes come first so that `3号楼` is one part, not
    /// `3号`.
    address_part: Regex,
}

static PATTERNS: LazyLock<Result<Patterns, regex::Error>> = LazyLock::new(|| {
    Ok(Patterns {
        protected: Regex::new(r"【[^【】]*】|〔[^〔〕]*〕")?,
        mobile: Regex::new(
            r"(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[3-9][0-9](?:[ -]?[0-9*xX]){8}(?:(?:-|转)[0-9]{3,4})?",
        )?,
        landline: Regex::new(
            r"(?:\(0[0-9]{2,3}\)|0[1-9][0-9]{1,2})[ -]?[2-9][0-9]{2,3}[ -]?[0-9*]{4}(?:-[0-9]{1,5})?",
        )?,
        id_number: Regex::new(
            r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]",
        )?,
        id_masked: Regex::new(r"[1-9][0-9]{1,5}\*{6,14}[0-9]{2,4}[0-9Xx]?")?,
        address_label: Regex::new(
            r"(?:地址|住址|所在地区|收货地|寄件地|退货地|送货地)[ ]*[:：][ ]*([^\n。！？!?；;]+)",
        )?,
        name_label: Regex::new(
            r"(?:收货人|收件人|联系人|寄件人|签收人|买家姓名|真实姓名|姓名)[ ]*[:：][ ]*([\p{Han}·]{2,6}|[A-Za-z][A-Za-z .]{1,30})",
        )?,
        address_part: Regex::new(
            r"[\p{Han}A-Za-z0-9#\-]{1,12}?(?:特别行政区|特別行政區|自治区|自治區|自治州|自治县|自治縣|街道|大道|胡同|小区|小區|花园|花園|公寓|大厦|大廈|广场|廣場|社区|社區|新村|家园|家園|号院|號院|号楼|號樓|单元|單元|省|市|区|區|县|縣|旗|盟|镇|鎮|乡|鄉|村|路|街|巷|弄|段|苑|园|園|栋|棟|幢|座|楼|樓|层|層|室|户|戶|号|號)",
        )?,
    })
});

/// A pattern could not be built, so the text was not cleaned and must not be sent.
#[derive(Debug, thiserror::Error)]
#[error("无法去除文本中的个人信息（内部规则有误）：{source}")]
pub struct RedactionError {
    #[source]
    source: regex::Error,
}

impl From<regex::Error> for RedactionError {
    fn from(source: regex::Error) -> Self {
        RedactionError { source }
    }
}

/// Province-level names: an address part that contains one starts there, so that
/// `请寄到浙江省` removes `浙江省` and keeps `请寄到`.
const PROVINCES: [&str; 51] = [
    "北京",
    "天津",
    "上海",
    "重庆",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "海南",
    "四川",
    "贵州",
    "云南",
    "陕西",
    "甘肃",
    "青海",
    "台湾",
    "内蒙古",
    "广西",
    "西藏",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "重慶",
    "遼寧",
    "黑龍江",
    "江蘇",
    "山東",
    "廣東",
    "貴州",
    "雲南",
    "陝西",
    "甘肅",
    "台灣",
    "臺灣",
    "內蒙古",
    "廣西",
    "寧夏",
    "澳門",
    "臺北",
];

/// Characters that end the words before an address (`请您寄到…`) and never appear in a
/// place name; the first part of an address starts after the last of them.
const LEAD_IN: &str = "的在到寄往是您你我请把给送向好亲哦呢吧啊呀了:：";

/// Words that end like an address part but are not one (`订单号`, `超市`).
const NOT_ADDRESS: [&str; 39] = [
    "单号", "單號", "编号", "編號", "型号", "型號", "账号", "帳號", "帐号", "机号", "機號", "码号",
    "话号", "序号", "批号", "货号", "貨號", "件号", "款号", "口号", "问号", "句号", "括号", "信号",
    "记号", "符号", "挂号", "代号", "暗号", "工号", "学号", "字号", "城市", "超市", "地区", "專區",
    "专区", "都市", "门市",
];

fn known_phone_regex(phone: &str) -> Result<Option<Regex>, regex::Error> {
    let digits: String = Normalized::new(phone)
        .text
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    // A national number without its country code: what a text is likely to contain.
    let digits = match digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86"))
    {
        Some(rest) if rest.len() == 11 => rest.to_owned(),
        _ => digits,
    };
    if digits.len() < 7 {
        return Ok(None);
    }
    let body: Vec<String> = digits.chars().map(|d| d.to_string()).collect();
    Regex::new(&format!(
        r"(?:(?:\+|00)?86[ -]?)?{}",
        body.join(r"[ \-()]{0,2}")
    ))
    .map(Some)
}

fn known_address_regexes(address: &str) -> Result<Vec<Regex>, regex::Error> {
    let norm = Normalized::new(address).text;
    let whole: Vec<char> = norm.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    if whole.len() >= 4 {
        out.push(spaced_literal(&whole)?);
    }
    // The parts of an address given with spaces (`浙江省 杭州市 西湖区 文三路100号`):
    // a draft may quote only the street part. Short parts (a province) are not the buyer's.
    let parts: Vec<&str> = norm.split([' ', ',', '，']).collect();
    if parts.len() > 1 {
        for part in parts {
            let chars: Vec<char> = part.chars().collect();
            if chars.len() >= 6 {
                out.push(spaced_literal(&chars)?);
            }
        }
    }
    Ok(out)
}

/// A pattern for `chars` that allows white space between them.
fn spaced_literal(chars: &[char]) -> Result<Regex, regex::Error> {
    let parts: Vec<String> = chars
        .iter()
        .map(|c| regex::escape(&c.to_string()))
        .collect();
    Regex::new(&parts.join(r"\s*"))
}

fn labelled(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    for caps in pats.address_label.captures_iter(n) {
        if let Some(m) = caps.get(1) {
            let value = m.as_str().trim_end();
            if !value.is_empty() {
                found.push((m.start()..m.start() + value.len(), PiiKind::Address));
            }
        }
    }
    for caps in pats.name_label.captures_iter(n) {
        if let Some(m) = caps.get(1) {
            found.push((m.range(), PiiKind::Name));
        }
    }
}

fn is_digitish(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_digit() || c == '*')
}

/// Matches of `re` that are whole numbers: no digit right before or after. A match that
/// fails is retried one character further on, so `813812345678` (twelve digits) is no
/// phone number but `电话:13812345678` is.
fn whole_numbers<'a>(re: &'a Regex, n: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        while let Some(m) = re.find_at(n, at) {
            let before = n[..m.start()].chars().next_back();
            let after = n[m.end()..].chars().next();
            if !is_digitish(before) && !is_digitish(after) {
                at = m.end();
                return Some(m.range());
            }
            at = m.start() + n[m.start()..].chars().next().map_or(1, char::len_utf8);
        }
        None
    })
}

fn numbers(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    found.extend(whole_numbers(&pats.mobile, n).map(|r| (r, PiiKind::Phone)));
    found.extend(whole_numbers(&pats.landline, n).map(|r| (r, PiiKind::Phone)));
    found.extend(
        whole_numbers(&pats.id_number, n)
            .filter(|r| id_checksum_ok(&n[r.clone()]))
            .map(|r| (r, PiiKind::IdNumber)),
    );
    found.extend(whole_numbers(&pats.id_masked, n).map(|r| (r, PiiKind::IdNumber)));
}

/// The ISO 7064 MOD 11-2 check digit of an 18-character identity card number.
fn id_checksum_ok(id: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in chars.iter().zip(WEIGHTS) {
        match c.to_digit(10) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    CHECK.get((sum % 11) as usize) == Some(&chars[17].to_ascii_uppercase())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// 省, 市, 区, 县, 镇, 街道…
    Admin,
    /// 路, 街, 巷, 村, 小区, 花园…
    Street,
    /// A numbered building, unit or room (`3栋`, `2单元`, `1201室`); `number_only` when
    /// the suffix is a bare 号, which dates (`3号`) share.
    Building { number_only: bool },
    /// A suffix without a number before it (`楼下`, `办公室`), or a date.
    Other,
}

fn classify(part: &str) -> Part {
    if NOT_ADDRESS.iter().any(|w| part.ends_with(w)) {
        return Part::Other;
    }
    const ADMIN: [&str; 20] = [
        "特别行政区",
        "特別行政區",
        "自治区",
        "自治區",
        "自治州",
        "自治县",
        "自治縣",
        "街道",
        "省",
        "市",
        "区",
        "區",
        "县",
        "縣",
        "旗",
        "盟",
        "镇",
        "鎮",
        "乡",
        "鄉",
    ];
    const STREET: [&str; 24] = [
        "大道", "胡同", "小区", "小區", "花园", "花園", "公寓", "大厦", "大廈", "广场", "廣場",
        "社区", "社區", "新村", "家园", "家園", "村", "路", "街", "巷", "段", "苑", "园", "園",
    ];
    if ADMIN.iter().any(|s| part.ends_with(s)) {
        return Part::Admin;
    }
    if STREET.iter().any(|s| part.ends_with(s)) {
        return Part::Street;
    }
    // A building part is numbered: a digit or letter right before the suffix, and no date
    // word (`5月3号`, `周3号`) in it.
    let suffix_len = ["号院", "號院", "号楼", "號樓", "单元", "單元"]
        .iter()
        .find(|s| part.ends_with(*s))
        .map_or_else(
            || part.chars().next_back().map_or(0, char::len_utf8),
            |s| s.len(),
        );
    let stem = &part[..part.len() - suffix_len];
    let numbered = stem
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && !stem.contains(['月', '日', '天', '周', '期', '点', '年']);
    if !numbered {
        return Part::Other;
    }
    Part::Building {
        number_only: part.ends_with(['号', '號']),
    }
}

/// Whether the parts, in this order, make an address: an administrative area followed by a
/// street or a numbered building, a street followed by a numbered building, or two
/// numbered buildings of which one is more than a bare 号 (`3栋2单元`).
fn is_address(parts: &[Part]) -> bool {
    let first_admin = parts.iter().position(|p| *p == Part::Admin);
    let first_street = parts.iter().position(|p| *p == Part::Street);
    let later = |from: usize, f: &dyn Fn(&Part) -> bool| parts[from + 1..].iter().any(f);
    if let Some(a) = first_admin
        && later(a, &|p| {
            matches!(p, Part::Street | Part::Building { number_only: false })
        })
    {
        return true;
    }
    if let Some(s) = first_street
        && later(s, &|p| matches!(p, Part::Building { .. }))
    {
        return true;
    }
    let buildings: Vec<bool> = parts
        .iter()
        .filter_map(|p| match p {
            Part::Building { number_only } => Some(*number_only),
            _ => None,
        })
        .collect();
    buildings.len() >= 2 && buildings.iter().any(|only| !only)
}

fn addresses(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    // Consecutive parts with at most a space between them form a run.
    let mut runs: Vec<Vec<Range<usize>>> = Vec::new();
    for m in pats.address_part.find_iter(n) {
        match runs.last_mut() {
            Some(run)
                if run.last().is_some_and(|last| {
                    n[last.end..m.start()].chars().all(|c| c == ' ') && m.start() - last.end <= 2
                }) =>
            {
                run.push(m.range());
            }
            _ => runs.push(vec![m.range()]),
        }
    }
    for run in runs {
        let kinds: Vec<Part> = run.iter().map(|r| classify(&n[r.clone()])).collect();
        // The address starts at the first part from which the rest reads as one; a date
        // (`3号`) or a word before it is not part of it.
        let Some(first) = (0..run.len()).find(|&i| {
            !matches!(kinds[i], Part::Other | Part::Building { number_only: true })
                && is_address(&kinds[i..])
        }) else {
            continue;
        };
        let start = lead_in_end(n, run[first].clone());
        let mut end = run[run.len() - 1].end;
        // A room number without its 室 (`3栋2单元1201`).
        let tail: usize = n[end..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '#')
            .take(6)
            .map(char::len_utf8)
            .sum();
        if tail > 0 && !n[end + tail..].starts_with(|c: char| c.is_ascii_digit()) {
            end += tail;
        }
        found.push((start..end, PiiKind::Address));
    }
}

/// Where an address's first part really starts: at a province name it contains, or else
/// after the words leading into it.
fn lead_in_end(n: &str, part: Range<usize>) -> usize {
    let text = &n[part.clone()];
    if let Some(at) = PROVINCES.iter().filter_map(|p| text.find(p)).min() {
        return part.start + at;
    }
    match text.char_indices().rfind(|(_, c)| LEAD_IN.contains(*c)) {
        Some((at, c)) if at + c.len_utf8() < text.len() => {
            // Keep at least one character before the suffix: `到区` is no place.
            let rest = &text[at + c.len_utf8()..];
            if rest.chars().count() >= 2 {
                part.start + at + c.len_utf8()
            } else {
                part.start
            }
        }
        _ => part.start,
    }
}

/// Removes the protected ranges from each span, splitting a span around them.
fn subtract(
    spans: Vec<(Range<usize>, PiiKind)>,
    protected: &[Range<usize>],
) -> Vec<(Range<usize>, PiiKind)> {
    let mut out = Vec::new();
    for (span, kind) in spans {
        let mut pieces = vec![span];
        for p in protected {
            pieces = pieces
                .into_iter()
                .flat_map(|s| {
                    if p.end <= s.start || p.start >= s.end {
                        vec![s]
                    } else {
                        [s.start..p.start, p.end..s.end]
                            .into_iter()
                            .filter(|r| !r.is_empty())
                            .collect()
                    }
                })
                .collect();
        }
        out.extend(
            pieces
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| (r, kind)),
        );
    }
    out
}

/// Joins overlapping spans; the joined span takes the kind of its longest member.
fn merge(mut spans: Vec<(Range<usize>, PiiKind)>) -> Vec<(Range<usize>, PiiKind)> {
    spans.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<(Range<usize>, PiiKind, usize)> = Vec::new();
    for (r, kind) in spans {
        match out.last_mut() {
            Some((last, last_kind, longest)) if r.start < last.end => {
                if r.len() > *longest {
                    *longest = r.len();
                    *last_kind = kind;
                }
                last.end = last.end.max(r.end);
            }
            _ => {
                let len = r.len();
                out.push((r, kind, len));
            }
        }
    }
    out.into_iter().map(|(r, k, _)| (r, k)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn run(text: &str) -> Redacted {
        redact(text, &KnownPii::default()).unwrap()
    }

    #[test]
    fn every_pattern_compiles() {
        assert!(
            PATTERNS.is_ok(),
            "a fixed pattern failed: {:?}",
            PATTERNS.as_ref().err()
        );
    }

    /// Each case: the text, what must be gone from the redacted text, what must stay.
    #[rstest]
    #[case::plain_mobile("亲，您的电话13812345678对吗", &["13812345678"], &["亲，您的电话〔电话〕对吗"])]
    #[case::spaced_mobile("联系 138 1234 5678 就行", &["138 1234 5678", "5678"], &["〔电话〕"])]
    #[case::dashed_mobile("手机138-1234-5678。", &["1234"], &["手机〔电话〕。"])]
    #[case::plus86("+86 139 0000 1111", &["139", "1111"], &["〔电话〕"])]
    #[case::plus86_paren("(+86)15900001111", &["159"], &["〔电话〕"])]
    #[case::country_0086("0086-18600001111", &["186"], &["〔电话〕"])]
    #[case::fullwidth_mobile("电话：１３８１２３４５６７８", &["１３８", "５６７８"], &["电话：〔电话〕"])]
    #[case::fullwidth_mixed("１３８-1234-５６７８", &["1234"], &["〔电话〕"])]
    #[case::masked_stars("买家手机138****1234", &["138****1234", "1234"], &["买家手机〔电话〕"])]
    #[case::masked_fullwidth_stars("138＊＊＊＊1234", &["1234"], &["〔电话〕"])]
    #[case::masked_spaced("138 **** 1234", &["1234"], &["〔电话〕"])]
    #[case::privacy_extension("隐私号17012345678-1234，请拨打", &["1701", "-1234"], &["隐私号〔电话〕，请拨打"])]
    #[case::privacy_zhuan("17012345678转5566", &["5566"], &["〔电话〕"])]
    #[case::landline_dash("座机0571-88886666", &["88886666"], &["座机〔电话〕"])]
    #[case::landline_paren("(010)62345678", &["62345678"], &["〔电话〕"])]
    #[case::landline_spaced("021 6123 4567", &["6123"], &["〔电话〕"])]
    #[case::landline_extension("0755-83765566-801", &["83765566", "801"], &["〔电话〕"])]
    #[case::two_phones("13812345678/13987654321", &["1381", "1398"], &["〔电话〕/〔电话〕"])]
    #[case::id_number("身份证号440304198506123316", &["440304198506123316"], &["身份证号〔身份证号〕"])]
    #[case::id_number_x("证件11010519491231002X号", &["1002X"], &["〔身份证号〕"])]
    #[case::id_masked("身份证330106********1234", &["330106", "1234"], &["〔身份证号〕"])]
    #[case::address_label("收货地址：浙江省杭州市西湖区文三路100号\n谢谢", &["浙江", "文三路", "100"], &["收货地址：〔地址〕\n谢谢"])]
    #[case::address_label_fullwidth_colon("地址:北京市朝阳区建国路88号SOHO现代城A座1201。好的", &["朝阳", "1201"], &["地址:〔地址〕。好的"])]
    #[case::address_inline("请寄回到浙江省杭州市余杭区文一西路969号，谢谢", &["杭州", "文一西路", "969"], &["请寄回到〔地址〕，谢谢"])]
    #[case::address_no_province("地址在余杭区文一西路969号3幢2单元501室哦", &["余杭", "969", "501"], &["〔地址〕哦"])]
    #[case::address_spaced("上海市 浦东新区 张江路88弄3号楼1201室", &["浦东", "张江", "1201"], &["〔地址〕"])]
    #[case::address_building_only("放在3栋2单元1201门口", &["3栋", "1201"], &["放在〔地址〕门口"])]
    #[case::address_street_number("寄到中山路128号就行", &["中山路", "128"], &["寄到〔地址〕就行"])]
    #[case::address_village("广东省东莞市长安镇沙头村", &["长安", "沙头"], &["〔地址〕"])]
    #[case::address_autonomous("新疆维吾尔自治区乌鲁木齐市天山区解放南路", &["乌鲁木齐", "解放"], &["〔地址〕"])]
    #[case::address_traditional("請寄到台灣台北市信義區信義路五段7號", &["信義路", "7號"], &["請寄到"])]
    #[case::name_label("收货人：张小明，电话13800001111", &["张小明", "13800001111"], &["收货人：〔姓名〕，电话〔电话〕"])]
    #[case::full_block("收件人: 李华\n手机: 15012345678\n详细地址: 江苏省南京市鼓楼区中山北路30号", &["李华", "15012345678", "鼓楼", "30号"], &["收件人: 〔姓名〕", "手机: 〔电话〕", "详细地址: 〔地址〕"])]
    fn removes_personal_data(#[case] text: &str, #[case] gone: &[&str], #[case] kept: &[&str]) {
        let r = run(text);
        for g in gone {
            assert!(
                !r.text.contains(g),
                "personal data “{g}” must not survive redaction of “{text}”: got “{}”",
                r.text
            );
        }
        for k in kept {
            assert!(
                r.text.contains(k),
                "“{k}” should remain after redacting “{text}”: got “{}”",
                r.text
            );
        }
        assert!(r.total() > 0, "redacting “{text}” must report a removal");
    }

    /// Texts a draft really contains that must pass through untouched.
    #[rstest]
    #[case::order_number("您的订单4102938475610293847已收到")]
    #[case::order_number_18("订单号：410293847561029384，请核对")]
    #[case::waybill_sf("运单号SF1234567890123，顺丰快递")]
    #[case::waybill_digits("中通运单78901234567890已揽收")]
    #[case::amount("退款金额12.50元会在24小时内原路退回")]
    #[case::date("5月3号下午会到，预计2026-05-03 18:00前送达")]
    #[case::date_and_city("12月3号到您所在的城市")]
    #[case::hotline("我们的客服热线400-820-8820")]
    #[case::placeholder("请您提供【待填：运单号】，我们马上查询")]
    #[case::placeholder_address("退货地址：【待填：退货地址】")]
    #[case::markers("〔电话〕和〔地址〕已经去掉")]
    #[case::link_numbers("1号链接和2号链接是同款")]
    #[case::upstairs("快递放在楼下了，麻烦您上楼前看一下")]
    #[case::office("我们办公室会尽快处理")]
    #[case::short_number("3天内给您回复，一共2件")]
    #[case::market("现在市场上这款很多，区别在于面料")]
    #[case::fullwidth_amount("优惠１０元已经返还")]
    #[case::traditional("親，您的訂單已經發貨，運單號YT1234567890123")]
    fn keeps_ordinary_text(#[case] text: &str) {
        let r = run(text);
        assert_eq!(
            r.text, text,
            "ordinary draft text must not be redacted (false positive): {:?}",
            r.removed
        );
        assert_eq!(r.total(), 0, "no removal may be reported for “{text}”");
    }

    #[rstest]
    #[case::phone_with_spaces("13812345678", "请拨打138 1234 5678联系", "请拨打〔电话〕联系")]
    #[case::phone_known_plus86("+86 13812345678", "电话13812345678", "电话〔电话〕")]
    #[case::phone_fullwidth("138-1234-5678", "１３８１２３４５６７８", "〔电话〕")]
    fn removes_known_phones(#[case] phone: &str, #[case] text: &str, #[case] want: &str) {
        let known = KnownPii {
            phones: vec![phone.to_owned()],
            ..KnownPii::default()
        };
        assert_eq!(
            redact(text, &known).unwrap().text,
            want,
            "a phone number the case knows must be removed in any spelling"
        );
    }

    #[test]
    fn removes_known_addresses_names_and_nicknames() {
        let known = KnownPii {
            phones: vec![],
            addresses: vec!["浙江省 杭州市 西湖区 古墩路701号紫金广场B座".to_owned()],
            names: vec![
                "王大锤".to_owned(),
                "tb_8823abc".to_owned(),
                "李".to_owned(),
            ],
        };
        let text = "亲爱的tb_8823abc，王大锤您好，寄到杭州市西湖区古墩路701号紫金广场B座的包裹李师傅已送达";
        let r = redact(text, &known).unwrap();
        for gone in ["tb_8823abc", "王大锤", "古墩路", "701", "紫金"] {
            assert!(
                !r.text.contains(gone),
                "known value “{gone}” leaked: {}",
                r.text
            );
        }
        assert!(
            r.text.contains("李师傅"),
            "a one-character name must be ignored, not stripped from every word: {}",
            r.text
        );
        assert_eq!(r.removed.get(&PiiKind::Name), Some(&2), "{:?}", r.removed);
    }

    #[test]
    fn a_known_address_inside_a_placeholder_is_left_alone() {
        let known = KnownPii {
            names: vec!["运单号".to_owned()],
            ..KnownPii::default()
        };
        let r = redact("请提供【待填：运单号】", &known).unwrap();
        assert_eq!(
            r.text, "请提供【待填：运单号】",
            "placeholders are never redacted"
        );
    }

    #[test]
    fn counts_by_kind() {
        let r =
            run("收货人：张三，手机13812345678，座机0571-88886666，地址：杭州市西湖区文三路1号");
        assert_eq!(r.removed.get(&PiiKind::Phone), Some(&2), "{r:?}");
        assert_eq!(r.removed.get(&PiiKind::Name), Some(&1), "{r:?}");
        assert_eq!(r.removed.get(&PiiKind::Address), Some(&1), "{r:?}");
        assert_eq!(
            serde_json::to_value(&r).unwrap()["removed"],
            serde_json::json!({"phone": 2, "address": 1, "name": 1}),
            "the JSON report counts kinds by their snake_case names"
        );
    }

    #[rstest]
    #[case("440304198506123316", true)]
    #[case("11010519491231002X", true)]
    #[case("440304198506123317", false)]
    fn id_check_digit(#[case] id: &str, #[case] valid: bool) {
        assert_eq!(id_checksum_ok(id), valid, "check digit of {id}");
    }
}
