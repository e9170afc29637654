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

/// A kind of personal data [`redact`] removes. The kinds are the four markers the agent's
/// text may carry (the draft panel gives each a fill-in box), so other data takes the
/// nearest one: e-mail, WeChat and QQ are ways to reach the buyer ([`PiiKind::Phone`]), a
/// bank card identifies the buyer like an identity card ([`PiiKind::IdNumber`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// A mobile or landline number (masked forms included), an e-mail address, a WeChat
    /// id or a QQ number.
    Phone,
    /// A postal address.
    Address,
    /// A resident identity card number or a bank card number.
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

/// Replaces the buyer's personal data in `text` by the markers of [`PiiKind::marker`]:
/// phone numbers, e-mail addresses, WeChat and QQ ids (〔电话〕), addresses (〔地址〕),
/// identity card and bank card numbers (〔身份证号〕) and names (〔姓名〕), wherever they are,
/// brackets included. Only the four markers and the `【待填：` and `】` of the draft's own
/// marks are left as they are; what is inside a mark is redacted like any text.
pub fn redact(text: &str, known: &KnownPii) -> Result<Redacted, RedactionError> {
    let pats = PATTERNS
        .as_ref()
        .map_err(|e| RedactionError::from(e.clone()))?;
    let norm = Normalized::new(text, fold);
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
        let name = Normalized::new(name.trim(), fold).text;
        if name.chars().count() >= 2 {
            found.extend(
                n.match_indices(&name)
                    .map(|(at, s)| (at..at + s.len(), PiiKind::Name)),
            );
        }
    }

    labelled(pats, n, &mut found);
    numbers(pats, n, &mut found);
    contacts(pats, n, &mut found);
    addresses(pats, n, &mut found);
    english_addresses(pats, n, &mut found);
    standalone_names(n, &mut found);

    let mut spans: Vec<(Range<usize>, PiiKind)> = subtract(found, &protected(pats, n))
        .into_iter()
        .map(|(r, kind)| (norm.original(r.start)..norm.original(r.end), kind))
        .collect();

    // Numbers said in Chinese numerals (一三八…, 幺 for one) are looked for on a second
    // folding of the same text, so that the other patterns never see 一 as a digit (文一西路
    // stays a street, 王一博 a name).
    let spoken = Normalized::new(text, fold_numeral);
    let s = spoken.text.as_str();
    let said: Vec<(Range<usize>, PiiKind)> = whole_numbers(&pats.mobile, s)
        .map(|r| (r, PiiKind::Phone))
        .collect();
    spans.extend(
        subtract(said, &protected(pats, s))
            .into_iter()
            .map(|(r, kind)| (spoken.original(r.start)..spoken.original(r.end), kind)),
    );

    let spans = merge(spans)
        .into_iter()
        .map(|(r, kind)| (widen(text, r), kind));

    let mut out = String::with_capacity(text.len());
    let mut removed = BTreeMap::new();
    let mut at = 0;
    for (range, kind) in spans {
        out.push_str(&text[at..range.start]);
        out.push_str(kind.marker());
        *removed.entry(kind).or_insert(0) += 1;
        at = range.end;
    }
    out.push_str(&text[at..]);
    Ok(Redacted { text: out, removed })
}

/// The text with some characters folded to others, one character for one, so the patterns
/// need only one spelling and every match maps back onto the original text.
struct Normalized {
    text: String,
    /// For each byte of `text` (and one past its end), the byte of the original text where
    /// that character starts.
    origin: Vec<usize>,
}

impl Normalized {
    fn new(original: &str, fold: fn(char) -> char) -> Self {
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
        self.origin
            .get(at)
            .copied()
            .unwrap_or_else(|| self.origin.last().copied().unwrap_or(0))
    }
}

/// Full-width forms folded to ASCII (digits, letters, `＋`, `－`, `＠`, the ideographic
/// space…) and every dash to `-`.
pub(crate) fn fold(c: char) -> char {
    match c {
        // The full-width ASCII block: digits, letters, `＋`, `－`, `（）`, `＊`, `：`…
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' => ' ',
        '‐' | '‑' | '‒' | '–' | '—' => '-',
        _ => c,
    }
}

/// [`fold`], and the Chinese numerals a number is read out with folded to digits.
fn fold_numeral(c: char) -> char {
    match c {
        '〇' | '零' => '0',
        '一' | '幺' => '1',
        '二' => '2',
        '三' => '3',
        '四' => '4',
        '五' => '5',
        '六' => '6',
        '七' => '7',
        '八' => '8',
        '九' => '9',
        _ => fold(c),
    }
}

/// The fixed patterns, compiled once. They are constants checked by the tests; should one
/// fail to compile all the same, [`redact`] refuses to redact (and so nothing is sent)
/// rather than send a text it could not clean.
struct Patterns {
    /// The four markers (〔电话〕〔地址〕〔身份证号〕〔姓名〕): never redacted, never split.
    /// Anything else in 〔…〕 is text like any other.
    marker: Regex,
    /// The draft's own marks, `【待填：…】`: their brackets and `待填：` are kept, but what
    /// is inside is redacted like any other text (an agent may have typed a phone number
    /// into one). Anything else in 【…】 is text like any other.
    placeholder: Regex,
    /// Mobile numbers: 11 digits from 13x to 19x, with optional `+86`/`0086`/`(+86)`, up
    /// to two spaces, dots or dashes between any two digits, stars or x's masking some
    /// digits, and the extension of the platforms' privacy numbers (`-1234`, `转1234`).
    mobile: Regex,
    /// Landlines with an area code (`0571-88886666`, `(010)12345678`, `021 6123 4567`, an
    /// extension after a dash or 转). Service numbers (400/800) are the shop's own, not the
    /// buyer's.
    landline: Regex,
    /// Eighteen characters that may be an identity card number, with at most one space or
    /// dash between any two (`3201 0219 …`, `350203-19930418-2285`); [`is_id_number`] then
    /// checks the birth date.
    id_candidate: Regex,
    /// Masked identity card numbers (`330106********1234`).
    id_masked: Regex,
    /// A bank card written in groups of four (`6222 0212 0304 5567 891`), which order
    /// numbers never are.
    card_grouped: Regex,
    /// 16 to 19 digits in one piece: a bank card only after a word with 卡 (see
    /// [`CARD_LABEL_REACH`]), because order numbers look the same.
    card_plain: Regex,
    /// E-mail addresses, `＠` and `．` folded, `。` accepted for the dot.
    email: Regex,
    /// E-mail addresses spelled out against scrapers: `name at 163 dot com`.
    email_spelled: Regex,
    /// A WeChat id after its label (微信, 威信, 薇信, V信, vx, wx, +v…); group 1 is the id.
    wechat: Regex,
    /// A QQ number after its label (QQ, 扣扣, 企鹅, or a lone Q with a colon); group 1 is
    /// the number.
    qq: Regex,
    /// `收货地址：…` and its kin: everything after the label up to the end of the sentence.
    address_label: Regex,
    /// `收货人：张三` and its kin, English labels included (`Receiver: Wang Haoran`).
    name_label: Regex,
    /// A label that names a person without a colon (`收件人王小明`, `买家 陈思琪`,
    /// `收货人是…`); group 1 is where the name may start, checked by [`name_at`].
    name_cue: Regex,
    /// One part of an address: up to 12 characters ending in an administrative or
    /// street-level suffix, or a name and a number with spaces before the suffix
    /// (`星湖街 328 号`). Longer suffixes come first so that `3号楼` is one part, not `3号`.
    address_part: Regex,
    /// What may follow an address's last part: a building's name and a room number
    /// (` 耀江国际 1702`, ` 9-3`, `408`), repeated.
    address_tail: Regex,
    /// An address suffix at the very start of the rest of the text.
    address_suffix: Regex,
    /// A part of an address written in English (`Room 1806`, `No. 99 Huaihai Rd`).
    english_address: Regex,
}

/// How many characters before a 16–19 digit number a word with 卡 (卡号, 银行卡, 建行卡)
/// makes it a bank card: enough for `银行卡号：` plus a bracket, short enough that a 卡
/// in the previous sentence does not count.
const CARD_LABEL_REACH: usize = 8;

/// The suffixes of an address part, longest first.
const ADDRESS_SUFFIX: &str = "特别行政区|特別行政區|自治区|自治區|自治州|自治县|自治縣|街道|大道|胡同|小区|小區|花园|花園|公寓|大厦|大廈|广场|廣場|社区|社區|新村|家园|家園|号院|號院|号楼|號樓|单元|單元|省|市|区|區|县|縣|旗|盟|镇|鎮|乡|鄉|村|路|道|街|巷|弄|段|苑|园|園|栋|棟|幢|座|舍|楼|樓|层|層|室|户|戶|号|號";

static PATTERNS: LazyLock<Result<Patterns, regex::Error>> = LazyLock::new(|| {
    Ok(Patterns {
        marker: Regex::new(r"〔(?:电话|地址|身份证号|姓名)〕")?,
        placeholder: Regex::new(r"(【待填[:：])[^【】]*(】)")?,
        mobile: Regex::new(
            r"(?:(?:\+|00)?86[ -]?|\(\+?86\)[ -]?)?1[ .\-]{0,2}[3-9](?:[ .\-]{0,2}[0-9*xX]){9}(?:[ ]?(?:-|转)[ ]?[0-9]{3,4})?",
        )?,
        landline: Regex::new(
            r"(?:\(0[0-9]{2,3}\)|0[1-9][0-9]{1,2})[ \-]{0,3}[2-9][0-9]{2,3}[ \-]?[0-9*]{4}(?:[ ]?(?:-|转)[ ]?[0-9]{1,5})?",
        )?,
        id_candidate: Regex::new(r"[1-9](?:[ \-]?[0-9]){16}[ \-]?[0-9Xx]")?,
        id_masked: Regex::new(r"[1-9][0-9]{1,5}\*{6,14}[0-9]{2,4}[0-9Xx]?")?,
        card_grouped: Regex::new(r"[3-6][0-9]{3}(?:[ \-][0-9]{4}){3}(?:[ \-][0-9]{1,4})?")?,
        card_plain: Regex::new(r"[3-6][0-9]{15,18}")?,
        email: Regex::new(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:[.。][A-Za-z0-9\-]+)+")?,
        email_spelled: Regex::new(
            r"[A-Za-z0-9][A-Za-z0-9._\-]*[ ]*(?:\(at\)|\[at\])[ ]*[A-Za-z0-9\-]+|[A-Za-z0-9][A-Za-z0-9._\-]*[ ]+(?i:at)[ ]+[A-Za-z0-9\-]+[ ]+(?i:dot)[ ]+[A-Za-z]{2,}",
        )?,
        wechat: Regex::new(
            r"(?:微信|威信|薇信|维信|[Vv]信|[Vv][Xx]|[Ww][Xx]|(?i:wechat|weixin)|\+[Vv]|加[Vv])(?:号|[Ii][Dd])?[ ]*[:]?[ ]*([A-Za-z][A-Za-z0-9_\-]{4,29})",
        )?,
        qq: Regex::new(
            r"(?:[Qq][ ]?[Qq]|扣扣|企鹅)(?:号码|号)?[ ]*[:]?[ ]*([1-9](?:[ \-]?[0-9]){4,11})|\b[Qq][ ]*:[ ]*([1-9](?:[ \-]?[0-9]){4,11})",
        )?,
        address_label: Regex::new(
            r"(?:地址|住址|所在地区|收货地|寄件地|退货地|送货地)[ ]*[:：][ ]*([^\n。！？!?；;]+)",
        )?,
        name_label: Regex::new(
            r"(?:收货人|收件人|联系人|寄件人|签收人|取件人|提货人|代收人|买家姓名|真实姓名|姓名|户名|持卡人)[ ]*[:：][ ]*([\p{Han}·]{2,6}|[A-Za-z][A-Za-z .]{1,30})|(?i:receiver|recipient|consignee|contact person|name)[ ]*:[ ]*([A-Z][a-z]+(?:[ ][A-Z][a-z]+){0,2})",
        )?,
        name_cue: Regex::new(
            r"(?:收货人|收件人|联系人|寄件人|签收人|取件人|提货人|代收人|户名|持卡人|买家|客户|顾客)(?:[ ]*[:：][ ]*|[ ]*(?:是|为|叫)[ ]*|[ ]+|)()",
        )?,
        address_part: Regex::new(&format!(
            r"(?:[\p{{Han}}A-Za-z0-9#\-]{{1,12}}?|[\p{{Han}}A-Za-z]{{0,10}}[ ]?[0-9A-Za-z][0-9A-Za-z#\-]{{0,5}}[ ])(?:{ADDRESS_SUFFIX})"
        ))?,
        address_tail: Regex::new(&format!(
            r"^(?:[ ]?[\p{{Han}}A-Za-z]{{1,8}})*?[ ]?[0-9][0-9A-Za-z#\-]{{0,5}}(?:[ ]?(?:{ADDRESS_SUFFIX}))?"
        ))?,
        address_suffix: Regex::new(&format!("^(?:{ADDRESS_SUFFIX})"))?,
        english_address: Regex::new(
            r"(?:(?i:room|rm|flat|apt|unit|suite|bldg|building|block|blk|floor)\.?[ ]?#?[0-9]+[A-Za-z]?|(?:No\.?[ ]?)?[0-9]+[A-Za-z]?(?:[ ][A-Z][a-z]+){1,3}[ ](?:Rd|Road|St|Street|Ave|Avenue|Lu|Lane|Ln|Blvd|Dr|Drive|Hwy|Way)\b\.?)(?:,?[ ]*(?:(?i:room|rm|flat|apt|unit|suite|bldg|building|block|blk|floor)\.?[ ]?#?[0-9]+[A-Za-z]?|(?:No\.?[ ]?)?[0-9]+[A-Za-z]?(?:[ ][A-Z][a-z]+){1,3}[ ](?:Rd|Road|St|Street|Ave|Avenue|Lu|Lane|Ln|Blvd|Dr|Drive|Hwy|Way)\b\.?))*",
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

/// Words that end like an address part but are not one (`订单号`, `超市`, `知道`).
const NOT_ADDRESS: [&str; 52] = [
    "单号", "單號", "编号", "編號", "型号", "型號", "账号", "帳號", "帐号", "机号", "機號", "码号",
    "话号", "序号", "批号", "货号", "貨號", "件号", "款号", "口号", "问号", "句号", "括号", "信号",
    "记号", "符号", "挂号", "代号", "暗号", "工号", "学号", "字号", "城市", "超市", "地区", "專區",
    "专区", "都市", "门市", "知道", "味道", "渠道", "频道", "通道", "难道", "一道", "顺道", "车道",
    "跑道", "管道", "报道", "霸道",
];

fn known_phone_regex(phone: &str) -> Result<Option<Regex>, regex::Error> {
    let digits: String = Normalized::new(phone, fold)
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
    let norm = Normalized::new(address, fold).text;
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

/// Common surnames, about nine in ten Chinese people's: a name with no label before it is
/// recognised only when it starts with one of them and stands alone between spaces or
/// brackets. Surnames that are mostly ordinary words (平, 元, 支, 开…) are left out.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申耿关兰焦俞左柳甘祝包宁尚舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师";

/// Two-character surnames, checked before the one-character ones.
const COMPOUND_SURNAMES: [&str; 12] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯",
];

/// Characters that end a given name: words that follow a name in a sentence (说, 的, 已…)
/// and characters names do not use. A name is at most two characters after its surname.
const GIVEN_STOP: &str = "的了说是在已不没也都就还要会吗呢吧啊呀哦和与及对把被让等先女色号元件天月日年点时分个款码单费额上下里外们您你我他她它这那些么什收寄到发货快递电话地址退换";

/// Characters common in given names. A name without a label or a colon is taken only
/// when its given part is made of them: far fewer ordinary words end with them than start
/// with a surname (`周末`, `严实`, `辛苦` stand alone between spaces in quickly typed text
/// and are not names).
const GIVEN_NAME_CHARS: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂华玉兰萍红鹏辉林波宁燕飞斌浩凯健俊帆帅旭宇晨昊轩然泽博文武鑫淑珍凤梅琳莉雪晶婷倩颖蕾薇琪欣怡悦佳嘉雅瑶璐露洁彤晓小大子思梓涵雨桐紫萱诗一可心妍依若语馨宸睿皓铭奕航翔鸿志国建德立永福生龙海春秋冬夏兵成荣新东光金山峰宏亮学庆家振兴安力清彬锋星阳虎豪琦晴欢慧巧美芬芸菲婉媛娇妮瑞祥贵富民利喜云霖楠琴舒蓉莹菁岚茜芝蕊彩鹃锦惠玲凡聪毅诚信仁义礼智逸鹤松柏杨柳梁栋材森勤良善正中和恒远达群伦峻岩坤乾政治锐钰钧铮灿炜烨煜焕熙耀源洪淼渊沛泉江河洲潇瀚澜晗曦昕晖昭晟景暄朗朋望卓君启哲宣宜容宝珊珠琼瑾璇瑜琛璋婧娅婕姝嫣妤娴菡蓓蔚茹莲芹荷苗峥嵘崇楷桦槐梧彦弘毓敬斐雯霏霜靖竹笑童昌盛宪宾宗定尧舜禹";

/// What follows a surname to address someone without naming them (黄先生): not a name.
const TITLES: [&str; 9] = [
    "先生", "女士", "小姐", "老师", "师傅", "同学", "阿姨", "大哥", "大姐",
];

/// Ordinary words that start with a surname and may stand alone between spaces (an
/// agent typing quickly separates words with spaces: `亲 周末 也发货`), cities among them.
/// Words with a character of [`GIVEN_STOP`] (`黄色`, `余额`) need not be listed.
const COMMON_WORDS: &[&str] = &[
    "谢谢",
    "谢绝",
    "马上",
    "马桶",
    "马甲",
    "方便",
    "方面",
    "方式",
    "方法",
    "方向",
    "方案",
    "方形",
    "明天",
    "明白",
    "高兴",
    "高清",
    "高度",
    "高档",
    "高端",
    "高级",
    "高铁",
    "高速",
    "高温",
    "高跟",
    "全部",
    "全新",
    "全额",
    "全国",
    "全款",
    "全程",
    "安装",
    "安心",
    "安全",
    "常规",
    "关于",
    "关注",
    "关闭",
    "关心",
    "关系",
    "于是",
    "金额",
    "金属",
    "金黄",
    "时间",
    "时候",
    "时效",
    "包邮",
    "包裹",
    "包装",
    "包括",
    "包容",
    "包包",
    "费用",
    "付款",
    "原因",
    "原价",
    "华为",
    "万一",
    "万能",
    "万分",
    "向您",
    "江浙沪",
    "成功",
    "成本",
    "成交",
    "成人",
    "单号",
    "单价",
    "单独",
    "单品",
    "路上",
    "路过",
    "路线",
    "路由",
    "司机",
    "宁愿",
    "宁波",
    "曾经",
    "应该",
    "应当",
    "简单",
    "王者",
    "王牌",
    "李子",
    "张贴",
    "刘海",
    "陈列",
    "陈旧",
    "杨梅",
    "黄金",
    "黄瓜",
    "黄豆",
    "黄昏",
    "周末",
    "周年",
    "周边",
    "周期",
    "周到",
    "周转",
    "周一",
    "周二",
    "周三",
    "周四",
    "周五",
    "周六",
    "周日",
    "徐徐",
    "孙子",
    "胡子",
    "胡椒",
    "何况",
    "林地",
    "罗盘",
    "郑重",
    "宋体",
    "唐装",
    "许多",
    "许可",
    "韩版",
    "韩国",
    "韩式",
    "田园",
    "董事",
    "余量",
    "杜绝",
    "叶子",
    "程度",
    "程序",
    "苏州",
    "任何",
    "任意",
    "任务",
    "钟表",
    "陆续",
    "范围",
    "石头",
    "石材",
    "夏天",
    "夏季",
    "夏装",
    "白天",
    "白送",
    "熊猫",
    "段落",
    "雷同",
    "龙头",
    "龙虾",
    "史上",
    "陶瓷",
    "黎明",
    "贺卡",
    "顾客",
    "顾问",
    "毛巾",
    "毛衣",
    "毛病",
    "毛绒",
    "钱包",
    "钱款",
    "严重",
    "严格",
    "武汉",
    "戴上",
    "莫名",
    "孔径",
    "汤勺",
    "温度",
    "温馨",
    "温柔",
    "温州",
    "康复",
    "施工",
    "牛仔",
    "牛奶",
    "牛皮",
    "齐全",
    "易碎",
    "庞大",
    "颜色",
    "章节",
    "申请",
    "申诉",
    "申领",
    "左右",
    "左边",
    "甘心",
    "祝您",
    "祝福",
    "尚未",
    "舒服",
    "舒适",
    "纪念",
    "梅花",
    "童装",
    "童鞋",
    "凌晨",
    "毕竟",
    "季节",
    "涂层",
    "曲线",
    "蓝牙",
    "游戏",
    "辛苦",
    "管理",
    "房间",
    "解决",
    "解释",
    "解答",
    "解锁",
    "尤其",
    "阳台",
    "阳光",
    "农历",
    "古典",
    "吉利",
    "车子",
    "车辆",
    "项目",
    "项链",
    "连衣裙",
    "连接",
    "景区",
    "冷静",
    "冷水",
    "卫衣",
    "卫生",
    "米饭",
    "桂花",
    "边框",
    "常州",
    "金华",
    "成都",
    "华南",
    "华北",
    "江南",
    "江北",
];

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// A person's name starting at `at`: a common surname and one or two given characters.
fn name_at(n: &str, at: usize) -> Option<Range<usize>> {
    let rest = n.get(at..)?;
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| rest.starts_with(*s))
        .map(|s| s.len())
        .or_else(|| {
            rest.chars()
                .next()
                .filter(|c| SURNAMES.contains(*c))
                .map(char::len_utf8)
        })?;
    let after = &rest[surname..];
    if TITLES.iter().any(|t| after.starts_with(t)) {
        return None;
    }
    let given: usize = after
        .chars()
        .take_while(|c| GIVEN_NAME_CHARS.contains(*c) && !GIVEN_STOP.contains(*c))
        .take(2)
        .map(char::len_utf8)
        .sum();
    let name = &rest[..surname + given];
    let ordinary = COMMON_WORDS.contains(&name) || PROVINCES.iter().any(|p| name.starts_with(p));
    (given > 0 && !ordinary).then(|| at..at + surname + given)
}

/// Names nothing labels: two to four Chinese characters standing alone (between spaces,
/// in brackets, after a colon), starting with a common surname (`亲爱的 周子涵 同学`,
/// `〔赵雨桐〕您好`). At least one side must be a space or a bracket: between commas, such
/// a word is far more often an ordinary one.
fn standalone_names(n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    let opens = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "(【〔「“[:".contains(c));
    let closes = |c: Option<char>| {
        c.is_none_or(|c| c.is_whitespace() || ")】〕」”],.!?;:、，。！？；～~".contains(c))
    };
    let strong =
        |c: Option<char>| c.is_some_and(|c| c.is_whitespace() || "()【】〔〕「」“”[]".contains(c));
    let chars: Vec<(usize, char)> = n.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        if !is_han(chars[i].1) {
            i += 1;
            continue;
        }
        let first = i;
        while i < chars.len() && is_han(chars[i].1) {
            i += 1;
        }
        let start = chars[first].0;
        let end = chars.get(i).map_or(n.len(), |c| c.0);
        let before = first.checked_sub(1).and_then(|j| chars.get(j)).map(|c| c.1);
        let after = chars.get(i).map(|c| c.1);
        if !(2..=4).contains(&(i - first))
            || !opens(before)
            || !closes(after)
            || !(strong(before) || strong(after))
        {
            continue;
        }
        if let Some(name) = name_at(n, start).filter(|r| r.end == end) {
            found.push((name, PiiKind::Name));
        }
    }
}

fn labelled(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    for caps in pats.address_label.captures_iter(n) {
        if let Some(m) = caps.get(1) {
            let value = m.as_str().trim_end();
            // `退货地址：【待填：退货地址】` labels the draft's own mark, not an address.
            let a_mark = value.starts_with("【待填")
                || pats.marker.find(value).is_some_and(|k| k.start() == 0);
            if !value.is_empty() && !a_mark {
                found.push((m.start()..m.start() + value.len(), PiiKind::Address));
            }
        }
    }
    for caps in pats.name_label.captures_iter(n) {
        if let Some(m) = caps.get(1).or_else(|| caps.get(2)) {
            found.push((m.range(), PiiKind::Name));
        }
    }
    for caps in pats.name_cue.captures_iter(n) {
        if let Some(name) = caps.get(1).and_then(|m| name_at(n, m.start())) {
            found.push((name, PiiKind::Name));
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
        whole_numbers(&pats.id_candidate, n)
            .filter(|r| is_id_number(&n[r.clone()]))
            .map(|r| (r, PiiKind::IdNumber)),
    );
    found.extend(whole_numbers(&pats.id_masked, n).map(|r| (r, PiiKind::IdNumber)));
    // Bank cards have no marker of their own (the agent's text keeps four): they take the
    // identity number's, the other number that identifies the buyer.
    found.extend(whole_numbers(&pats.card_grouped, n).map(|r| (r, PiiKind::IdNumber)));
    found.extend(
        whole_numbers(&pats.card_plain, n)
            .filter(|r| {
                n[..r.start]
                    .chars()
                    .rev()
                    .take(CARD_LABEL_REACH)
                    .any(|c| c == '卡')
            })
            .map(|r| (r, PiiKind::IdNumber)),
    );
}

/// Whether 18 characters (spaces and dashes aside) read as an identity card number: a
/// region code that does not start with 0, a birth date from 1800 to 2099 and a sequence
/// ending in a digit or X. The check digit is not verified: numbers typed by hand or
/// made up for an example fail it, and a leaked number is a leak whatever its check
/// digit; the birth date alone keeps order numbers apart.
fn is_id_number(candidate: &str) -> bool {
    let id: Vec<char> = candidate
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let digits = |range: Range<usize>| -> Option<u32> {
        id.get(range)?
            .iter()
            .try_fold(0, |acc, c| Some(acc * 10 + c.to_digit(10)?))
    };
    let (Some(year), Some(month), Some(day)) = (digits(6..10), digits(10..12), digits(12..14))
    else {
        return false;
    };
    id.len() == 18
        && id[..17].iter().all(char::is_ascii_digit)
        && id[0] != '0'
        && (1800..=2099).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (id[17].is_ascii_digit() || id[17].eq_ignore_ascii_case(&'x'))
}

/// Whether the character before `at` is an ASCII letter (a label such as `vx` inside a
/// longer English word is no label).
fn letter_before(n: &str, at: usize) -> bool {
    n[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

/// Ways to reach the buyer other than a phone: e-mail addresses, WeChat ids and QQ
/// numbers. They take the phone's marker, the way to reach the buyer the agent's text
/// keeps.
fn contacts(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    found.extend(pats.email.find_iter(n).map(|m| (m.range(), PiiKind::Phone)));
    found.extend(
        pats.email_spelled
            .find_iter(n)
            .map(|m| (m.range(), PiiKind::Phone)),
    );
    for re in [&pats.wechat, &pats.qq] {
        for caps in re.captures_iter(n) {
            let (Some(all), Some(id)) = (caps.get(0), caps.get(1).or_else(|| caps.get(2))) else {
                continue;
            };
            if !letter_before(n, all.start()) && !is_digitish(n[id.end()..].chars().next()) {
                found.push((id.range(), PiiKind::Phone));
            }
        }
    }
}

/// Addresses written in English: a run of flat, building and numbered street parts
/// (`Rm 502, Bldg 6, 328 Xinghu St`). One part alone is an address only when it is a
/// numbered street; `Unit 3` alone is too often something else.
fn english_addresses(pats: &Patterns, n: &str, found: &mut Vec<(Range<usize>, PiiKind)>) {
    const STREETS: [&str; 14] = [
        "Rd", "Road", "St", "Street", "Ave", "Avenue", "Lu", "Lane", "Ln", "Blvd", "Dr", "Drive",
        "Hwy", "Way",
    ];
    for m in pats.english_address.find_iter(n) {
        if letter_before(n, m.start()) {
            continue;
        }
        let text = m.as_str();
        let numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .count();
        let street = text
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| STREETS.contains(&w));
        if street || numbers >= 2 {
            found.push((m.range(), PiiKind::Address));
        }
    }
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
    let compact: String = part.chars().filter(|c| *c != ' ').collect();
    let part = compact.as_str();
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
    const STREET: [&str; 25] = [
        "大道", "胡同", "小区", "小區", "花园", "花園", "公寓", "大厦", "大廈", "广场", "廣場",
        "社区", "社區", "新村", "家园", "家園", "村", "路", "道", "街", "巷", "段", "苑", "园",
        "園",
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
/// street or a numbered building, three administrative areas (`郸城县汲冢镇` after a
/// province and a city: a village's address), a street followed by a numbered building,
/// or two numbered buildings of which one is more than a bare 号 (`3栋2单元`).
fn is_address(parts: &[Part]) -> bool {
    if parts.iter().filter(|p| **p == Part::Admin).count() >= 3 {
        return true;
    }
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
        let Some(last) = run.last() else { continue };
        let (end, room) = address_end(pats, n, last.end);
        // The address starts at the first part from which the rest reads as one; a date
        // (`3号`) or a word before it is not part of it. A numbered building with a room
        // number after it (`3 单元 701`) is one too.
        let Some(first) = (0..run.len()).find(|&i| {
            !matches!(kinds[i], Part::Other | Part::Building { number_only: true })
                && (is_address(&kinds[i..])
                    || (room && kinds[i..].contains(&Part::Building { number_only: false })))
        }) else {
            continue;
        };
        let mut start = lead_in_end(n, run[first].clone());
        start += n[start..].len() - n[start..].trim_start_matches(' ').len();
        found.push((start..end, PiiKind::Address));
    }
}

/// Where an address ends: after its last part, the building names and room numbers that
/// follow it (` 耀江国际 1702`, ` 9-3`, `1201`); and whether a room number was among them.
/// A short number followed by a Chinese character (`3天`) is not a room (`1201门口` is),
/// nor are words that lead into a sentence (`我们 3 件`).
fn address_end(pats: &Patterns, n: &str, mut end: usize) -> (usize, bool) {
    // A suffix right after the last part belongs to it: the shortest part of `王楼村` is
    // `王楼`, which leaves the `村`.
    while let Some(m) = pats.address_suffix.find(&n[end..]) {
        end += m.end();
    }
    let mut room = false;
    while let Some(m) = pats.address_tail.find(&n[end..]) {
        let tail = m.as_str();
        let next = n[end + m.end()..].chars().next();
        let number = tail
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .count();
        let ends_in_number = number > 0;
        if tail.chars().any(|c| LEAD_IN.contains(c))
            || next.is_some_and(|c| c.is_ascii_digit() || (number > 0 && number < 3 && is_han(c)))
        {
            break;
        }
        room |= ends_in_number;
        end += m.end();
    }
    (end, room)
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

/// The ranges no span may cover: the four markers whole, and the brackets and `待填：` of
/// the draft's own marks (what is inside them is redacted like any text).
fn protected(pats: &Patterns, n: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = pats.marker.find_iter(n).map(|m| m.range()).collect();
    for caps in pats.placeholder.captures_iter(n) {
        out.extend(caps.get(1).map(|m| m.range()));
        out.extend(caps.get(2).map(|m| m.range()));
    }
    out
}

/// A span that fills a pair of brackets takes the brackets with it: `【13812345678】` and
/// `〔赵雨桐〕` become `〔电话〕` and `〔姓名〕`, not a marker inside brackets.
fn widen(text: &str, span: Range<usize>) -> Range<usize> {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    match (before, after) {
        (Some(open @ ('【' | '〔')), Some(close @ ('】' | '〕'))) => {
            span.start - open.len_utf8()..span.end + close.len_utf8()
        }
        _ => span,
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
    #[case::address_village_after_a_lou("河南省周口市郸城县汲冢镇王楼村 东头第三家", &["王楼", "汲冢"], &["〔地址〕 东头第三家"])]
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
    fn the_drafts_marks_keep_their_label_but_not_what_is_typed_into_them() {
        let known = KnownPii {
            names: vec!["王大锤".to_owned()],
            ..KnownPii::default()
        };
        let r = redact(
            "请提供【待填：运单号】，王大锤【待填：13812345678】",
            &known,
        )
        .unwrap();
        assert_eq!(
            r.text, "请提供【待填：运单号】，〔姓名〕【待填：〔电话〕】",
            "a 待填 mark keeps its brackets and label; personal data typed into one is removed"
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
    #[case::valid_check_digit("440304198506123316", true)]
    #[case::x_check_digit("11010519491231002X", true)]
    #[case::wrong_check_digit_is_still_an_id("440304198506123317", true)]
    #[case::grouped("4403 0419 8506 1233 16", true)]
    #[case::order_number_no_birth_date("410293847561029384", false)]
    #[case::month_13("440304198513123316", false)]
    #[case::starts_with_zero("040304198506123316", false)]
    fn id_numbers_are_told_by_their_birth_date(#[case] id: &str, #[case] is_id: bool) {
        assert_eq!(
            is_id_number(id),
            is_id,
            "an 18-character number is an ID when its birth date reads as one: {id}"
        );
    }
}
