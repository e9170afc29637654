//! Structure-aware fuzzing of the two readers users feed files to: the rule pack with its
//! shop override file, and the holiday calendar year files.
//!
//! Inputs start from valid files and mutate them: values of the wrong type, dates that do
//! not exist or lie in another year, huge numbers, unicode and very long strings, deep
//! nesting, duplicate and unknown keys, truncation. Every input must give either a usable
//! result or a typed error that says what and where; none may panic. A file that reads
//! must also run through the engine without panicking.
//!
//! The case count is fixed so CI time is bounded; `PROPTEST_CASES=100000 cargo test -p
//! afterdesk-clock --test fuzz` runs a longer campaign locally.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_case::{Case, CaseFacts, DeviceId, KindSource, Platform, RecordId, ScenarioKind};
use afterdesk_clock::{
    Calendar, ClockError, Clockwork, DayKind, MAX_FILE_BYTES, RulePack, YearCalendar, read_limited,
};
use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;

/// Cases per property in CI: proptest's usual 256, enough to reach every mutation shape
/// of every field many times over, at about 12 s for the whole file in a debug build on the
/// shared 2-core machine. A 5,000-case campaign per property (`PROPTEST_CASES=5000`, about
/// 7 minutes) found no panic and no unplaced error.
const DEFAULT_CASES: u32 = 256;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_CASES);
    ProptestConfig::with_cases(cases)
}

const BUNDLED_RULES: &str = include_str!("../data/rules.toml");
const BUNDLED_2026: &str = include_str!("../data/calendar/2026.toml");

/// Checks an error says what and where: the file it was given, a line and column inside
/// the text, a field, and a message.
fn assert_placed(error: &ClockError, text: &str, file: &str) {
    let lines = text.split('\n').count();
    match error {
        ClockError::Invalid {
            file: named,
            line,
            column,
            field,
            message,
            ..
        } => {
            assert_eq!(named, file, "an error names the file it was given");
            assert!(
                (1..=lines).contains(line),
                "an error's line {line} lies in the file's {lines} lines: {error}"
            );
            assert!(*column >= 1, "columns count from 1: {error}");
            assert!(!field.is_empty(), "an error names a field: {error}");
            assert!(!message.trim().is_empty(), "an error says what: {error}");
        }
        ClockError::TooLarge { file: named, .. } => {
            assert_eq!(named, file, "a size error names the file");
            assert!(
                text.len() as u64 > MAX_FILE_BYTES,
                "only a file over the limit is refused for its size"
            );
        }
        other => panic!("reading text can only fail with a placed error, got {other:?}"),
    }
    assert!(
        error.to_string().contains(file),
        "the message a user sees names the file: {error}"
    );
}

/// A TOML value of any shape, as text: what a mutated field may hold.
fn any_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        // Past what any integer type holds.
        "[1-9][0-9]{19,40}".prop_map(|s| s),
        Just("-0".to_owned()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        Just("inf".to_owned()),
        Just("nan".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        // Native TOML dates and times, not the quoted strings the files use.
        Just("2026-10-01".to_owned()),
        Just("2026-10-01T09:00:00+08:00".to_owned()),
        Just("09:00:00".to_owned()),
        any::<String>().prop_map(|s| quoted(&s)),
        "[\\p{Han}\\p{Emoji}a-z ]{0,40}".prop_map(|s| quoted(&s)),
        (1usize..200_000).prop_map(|n| quoted(&"长".repeat(n))),
        date_text().prop_map(|s| quoted(&s)),
        Just("\"\"".to_owned()),
        // Broken syntax.
        Just("\"unterminated".to_owned()),
        Just("[1, 2".to_owned()),
        Just("".to_owned()),
        Just("{ a = 1, a = 2 }".to_owned()),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(|v| {
                let fields: Vec<String> = v.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
        ]
    })
}

/// Very deep nesting, past any reasonable recursion limit.
fn deep_value() -> impl Strategy<Value = String> {
    (1usize..20_000, prop::bool::ANY).prop_map(|(depth, table)| {
        if table {
            format!("{}1{}", "{ a = ".repeat(depth), " }".repeat(depth))
        } else {
            format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
        }
    })
}

/// Date text: real dates, impossible ones, other formats, other years.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (2000i32..2110, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (-300_000i64..300_000, 0u32..=13, 0u32..=32).prop_map(|(y, m, d)| format!("{y}-{m}-{d}")),
        Just("2026-02-29".to_owned()),
        Just("2026/10/01".to_owned()),
        Just("20261001".to_owned()),
        Just(" 2026-10-01 ".to_owned()),
        Just("2026-10-01T00:00:00".to_owned()),
        Just("２０２６-１０-０１".to_owned()),
        Just("+2026-10-01".to_owned()),
    ]
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c) & 0xFFFF)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One change to a valid file's lines.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace the value of the `key = value` line at this index (modulo the count).
    Value(usize, String),
    /// Repeat a line (a duplicate key, or a duplicate table header).
    Duplicate(usize),
    /// Add a line with an unknown key after a line.
    Unknown(usize, String),
    /// Remove a line (a missing field).
    Remove(usize),
    /// Cut the file at a byte.
    Truncate(usize),
    /// Put a byte-order mark or other invisible characters in front.
    Prefix(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        6 => (any::<usize>(), any_value()).prop_map(|(i, v)| Mutation::Value(i, v)),
        1 => (any::<usize>(), deep_value()).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => any::<usize>().prop_map(Mutation::Duplicate),
        1 => (any::<usize>(), "[a-z_]{1,12} = [0-9]{1,3}").prop_map(|(i, l)| Mutation::Unknown(i, l)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => prop_oneof![
            Just("\u{feff}".to_owned()),
            Just("\u{200b}".to_owned()),
            Just("\r\n".to_owned()),
        ]
        .prop_map(Mutation::Prefix),
    ]
}

/// Applies mutations to a valid file.
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for m in mutations {
        if lines.is_empty() {
            break;
        }
        match m {
            Mutation::Value(i, value) => {
                let assignments: Vec<usize> = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| !l.trim_start().starts_with('#') && l.contains(" = "))
                    .map(|(n, _)| n)
                    .collect();
                if let Some(&n) = assignments.get(i % assignments.len().max(1)) {
                    let key = lines[n].split(" = ").next().unwrap_or("x").to_owned();
                    lines[n] = format!("{key} = {value}");
                }
            }
            Mutation::Duplicate(i) => {
                let n = i % lines.len();
                let line = lines[n].clone();
                lines.insert(n, line);
            }
            Mutation::Unknown(i, line) => lines.insert(i % lines.len(), line.clone()),
            Mutation::Remove(i) => {
                let n = i % lines.len();
                lines.remove(n);
            }
            Mutation::Truncate(i) => {
                let mut joined = lines.join("\n");
                let mut cut = i % (joined.len() + 1);
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                joined.truncate(cut);
                lines = joined.lines().map(str::to_owned).collect();
            }
            Mutation::Prefix(prefix) => lines[0] = format!("{prefix}{}", lines[0]),
        }
    }
    lines.join("\n")
}

fn sample_case(kind: ScenarioKind) -> Case {
    let created = parse_china_time("2026-09-28 10:00:00").unwrap();
    Case {
        id: RecordId::new(created),
        platform: Platform::Taobao,
        facts: CaseFacts {
            refund_status_text: Some("买家已经申请退款，等待卖家同意".to_owned()),
            paid_at: Some(created),
            requested_at: Some(created),
            intervened_at: Some(created),
            ..CaseFacts::default()
        },
        kind,
        kind_source: KindSource::Derived,
        flag: None,
        assignee: None,
        tags: Vec::new(),
        open: true,
        origin: "fuzz".to_owned(),
        created_at: created,
        updated_at: created,
        updated_by: DeviceId("fuzz".to_owned()),
        deleted_at: None,
    }
}

/// Runs every rule of a pack that read over a case of each kind, with a calendar.
fn exercise(pack: RulePack, calendar: Calendar) {
    let engine = Clockwork::new(pack, calendar);
    let now = parse_china_time("2026-10-02 12:00:00").unwrap();
    for kind in ScenarioKind::ALL {
        let case = sample_case(*kind);
        let clocks = engine.case_clocks(&case, now);
        let _ = clocks.next_deadline();
    }
}

/// A generated shop override file: overrides of real and unknown rule ids, and added
/// clocks, with values drawn from what is valid and from any shape at all.
fn override_file() -> impl Strategy<Value = String> {
    let pack = RulePack::bundled().unwrap();
    let ids: Vec<String> = pack.rules.iter().map(|r| r.id.clone()).collect();
    let id = prop_oneof![
        4 => prop::sample::select(ids),
        1 => "[a-z_]{1,20}",
        1 => "[\\p{Han}]{1,4}".prop_map(|s| quoted(&s)),
    ];
    let number = prop_oneof![
        4 => (0u64..400).prop_map(|n| n.to_string()),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        2 => any_value(),
    ];
    let length_key = prop::sample::select(vec!["hours", "days", "working_days", "due_soon_hours"]);
    let one_override = (
        id,
        prop::collection::vec((length_key, number.clone()), 0..3),
        prop::option::of(prop_oneof![
            any::<bool>().prop_map(|b| b.to_string()),
            any_value()
        ]),
    )
        .prop_map(|(id, lengths, enabled)| {
            let mut t = format!("[override.{id}]\n");
            for (k, v) in lengths {
                t.push_str(&format!("{k} = {v}\n"));
            }
            if let Some(e) = enabled {
                t.push_str(&format!("enabled = {e}\n"));
            }
            t
        });
    let words = prop_oneof![
        3 => "[\\p{Han}a-z ]{1,20}".prop_map(|s| quoted(&s)),
        1 => any_value(),
    ];
    let list = |choices: Vec<&'static str>| {
        prop_oneof![
            4 => prop::collection::vec(prop::sample::select(choices), 0..4)
                .prop_map(|v| format!("[{}]", v.iter().map(|s| quoted(s)).collect::<Vec<_>>().join(", "))),
            1 => any_value(),
        ]
    };
    let kinds: Vec<&'static str> = std::iter::once("*")
        .chain(ScenarioKind::ALL.iter().map(|k| k.key()))
        .chain(["no_such_kind"])
        .collect();
    let stages = vec![
        "open",
        "unshipped",
        "awaiting_seller",
        "intervention",
        "closed",
    ];
    let triggers = vec!["paid", "requested", "intervened", "signed", "never"];
    let one_clock = (
        "[a-z_]{1,12}",
        words.clone(),
        list(kinds),
        list(stages),
        prop::sample::select(triggers),
        prop::sample::select(vec!["hours", "days", "working_days"]),
        number,
        words,
    )
        .prop_map(|(id, name, kinds, stages, starts, length, n, text)| {
            format!(
                "[[clock]]\nid = \"{id}\"\nname = {name}\nowner = \"shop\"\nkinds = {kinds}\n\
                 stages = {stages}\nstarts = \"{starts}\"\n{length} = {n}\nactor = {text}\n\
                 action = {text}\nconsequence = {text}\nsource = \"店铺制度\"\n"
            )
        });
    (
        prop::collection::vec(one_override, 0..5),
        prop::collection::vec(one_clock, 0..3),
        prop::collection::vec(mutation(), 0..3),
    )
        .prop_map(|(overrides, clocks, mutations)| {
            let text = format!("{}\n{}", overrides.concat(), clocks.concat());
            mutate(&text, &mutations)
        })
}

/// A generated calendar year file around a real year's structure.
fn calendar_file() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        6 => (2008i64..=2100).prop_map(|y| y.to_string()),
        1 => any::<i64>().prop_map(|y| y.to_string()),
        1 => any_value(),
    ];
    let holiday = (
        prop_oneof![3 => "[\\p{Han}]{1,6}".prop_map(|s| quoted(&s)), 1 => any_value()],
        date_text(),
        date_text(),
        prop::collection::vec(date_text(), 0..4),
    );
    (
        year,
        prop::collection::vec(holiday, 0..8),
        prop::collection::vec(mutation(), 0..3),
    )
        .prop_map(|(year, holidays, mutations)| {
            let mut text = format!("year = {year}\nsource = \"国务院办公厅通知\"\n");
            for (name, from, to, make_up) in holidays {
                let make_up: Vec<String> = make_up.iter().map(|d| quoted(d)).collect();
                text.push_str(&format!(
                    "\n[[holiday]]\nname = {name}\nfrom = {}\nto = {}\nmake_up = [{}]\n",
                    quoted(&from),
                    quoted(&to),
                    make_up.join(", ")
                ));
            }
            mutate(&text, &mutations)
        })
}

/// What must hold of any calendar that reads.
fn assert_calendar_sound(year: &YearCalendar) {
    assert!(
        (2008..=2100).contains(&year.year),
        "a calendar year outside 2008–2100 is refused"
    );
    for h in &year.holidays {
        assert!(
            h.from <= h.to && h.from.year() == year.year && h.to.year() == year.year,
            "a holiday runs forward inside its year: {h:?}"
        );
        for d in &h.make_up {
            assert!(
                matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
                "a make-up working day is a weekend day: {d}"
            );
            assert_eq!(
                year.day(*d),
                DayKind::MakeUpWorkday,
                "a listed make-up day counts as worked: {d}"
            );
        }
    }
    let mut calendar = Calendar::bundled().unwrap();
    calendar.insert(year.clone());
    let start = NaiveDate::from_ymd_opt(year.year, 1, 1).unwrap();
    let (end, _) = calendar.add_working_days(start, 250);
    assert!(end > start, "counting working days moves forward");
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_mutated_rule_pack_reads_or_says_where_it_is_wrong(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let text = mutate(BUNDLED_RULES, &mutations);
        match RulePack::parse(&text, "rules.toml") {
            Ok(pack) => exercise(pack, Calendar::bundled().unwrap()),
            Err(e) => assert_placed(&e, &text, "rules.toml"),
        }
    }

    #[test]
    fn a_generated_override_file_reads_or_says_where_it_is_wrong(text in override_file()) {
        let pack = RulePack::bundled().unwrap();
        match pack.with_overrides(&text, "clock-rules.toml") {
            Ok(changed) => exercise(changed, Calendar::bundled().unwrap()),
            Err(e) => assert_placed(&e, &text, "clock-rules.toml"),
        }
    }

    #[test]
    fn a_mutated_calendar_year_reads_or_says_where_it_is_wrong(
        mutations in prop::collection::vec(mutation(), 1..4)
    ) {
        let text = mutate(BUNDLED_2026, &mutations);
        match YearCalendar::parse(&text, "2026.toml") {
            Ok(year) => assert_calendar_sound(&year),
            Err(e) => assert_placed(&e, &text, "2026.toml"),
        }
    }

    #[test]
    fn a_generated_calendar_year_reads_or_says_where_it_is_wrong(text in calendar_file()) {
        match YearCalendar::parse(&text, "2027.toml") {
            Ok(year) => {
                assert_calendar_sound(&year);
                let pack = RulePack::bundled().unwrap();
                let mut calendar = Calendar::bundled().unwrap();
                calendar.insert(year);
                exercise(pack, calendar);
            }
            Err(e) => assert_placed(&e, &text, "2027.toml"),
        }
    }
}

/// A year file's bytes with some bytes overwritten: invalid UTF-8, stray control bytes.
fn damaged_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8).prop_map(
            |changes| {
                let mut bytes = BUNDLED_2026.as_bytes().to_vec();
                for (at, byte) in changes {
                    let i = at.index(bytes.len());
                    bytes[i] = byte;
                }
                bytes
            }
        ),
        1 => prop::collection::vec(any::<u8>(), 0..4096),
    ]
}

proptest! {
    #![proptest_config(config())]

    /// The import path reads bytes from disk: whatever they are, the result is a calendar or
    /// a typed error naming the file.
    #[test]
    fn any_bytes_imported_as_a_year_file_read_or_are_refused_by_name(bytes in damaged_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("2026.toml");
        std::fs::write(&path, &bytes).unwrap();
        let mut calendar = Calendar::empty();
        match calendar.import(&path) {
            Ok(year) => assert_calendar_sound(calendar.year(year).unwrap()),
            Err(ClockError::NotUtf8 { file, line }) => {
                assert!(file.ends_with("2026.toml"), "the file is named: {file}");
                let valid = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
                let expected = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
                assert_eq!(line, expected, "the line of the first byte that is not UTF-8");
            }
            Err(e) => {
                let text = String::from_utf8(bytes).unwrap();
                assert_placed(&e, &text, &path.display().to_string());
            }
        }
    }
}

/// Files over the size limit, on disk and as text, and files that are not UTF-8 text.
#[test]
fn files_over_the_size_limit_or_not_utf8_are_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap();
    // A valid year file padded with comments past the limit: refused for its size alone.
    let padded = format!("{BUNDLED_2026}\n{}", "# 注释\n".repeat(limit / 8));
    assert!(padded.len() > limit);
    let big = dir.path().join("2026.toml");
    std::fs::write(&big, &padded).unwrap();
    let cases: Vec<(&str, Result<(), ClockError>, &str)> = vec![
        (
            "a calendar file on disk over the limit",
            Calendar::empty().import(&big).map(|_| ()),
            "clock_file_too_large",
        ),
        (
            "calendar text over the limit",
            YearCalendar::parse(&padded, "2026.toml").map(|_| ()),
            "clock_file_too_large",
        ),
        (
            "an override file on disk over the limit",
            RulePack::bundled()
                .unwrap()
                .with_overrides_file(&big)
                .map(|_| ()),
            "clock_file_too_large",
        ),
    ];
    for (what, result, code) in cases {
        let error = result.expect_err(what);
        assert_eq!(
            error.code(),
            code,
            "{what} is refused for its size: {error}"
        );
        assert!(
            error.to_string().contains("超过") && error.to_string().contains("2026.toml"),
            "{what}: the message names the file and the limit: {error}"
        );
    }

    let gbk = dir.path().join("2027.toml");
    // "year = 2027\nsource = " then 国务院 in GBK.
    std::fs::write(
        &gbk,
        b"year = 2027\nsource = \"\xb9\xfa\xce\xf1\xd4\xba\"\n",
    )
    .unwrap();
    let error = read_limited(&gbk).unwrap_err();
    assert!(
        matches!(error, ClockError::NotUtf8 { line: 2, .. }),
        "a GBK file is refused at the line of its first non-UTF-8 byte: {error}"
    );
    assert!(error.to_string().contains("UTF-8"), "{error}");
}

#[test]
fn the_bundled_files_are_far_under_the_size_limit() {
    for (name, text) in [("rules.toml", BUNDLED_RULES), ("2026.toml", BUNDLED_2026)] {
        assert!(
            (text.len() as u64) * 8 < MAX_FILE_BYTES,
            "{name} ({} bytes) must stay far under the limit, or the limit is too tight",
            text.len()
        );
    }
}

/// Windows Notepad before 2019 saved "UTF-8" with a byte-order mark; such a file is the same
/// text and must read as it would without the mark.
#[test]
fn a_file_saved_with_a_byte_order_mark_reads_like_one_without() {
    let pack = RulePack::bundled().unwrap();
    let cases: Vec<(&str, Result<(), ClockError>)> = vec![
        (
            "a calendar year",
            YearCalendar::parse(&format!("\u{feff}{BUNDLED_2026}"), "2026.toml").map(|_| ()),
        ),
        (
            "a rule pack",
            RulePack::parse(&format!("\u{feff}{BUNDLED_RULES}"), "rules.toml").map(|_| ()),
        ),
        (
            "an override file",
            pack.with_overrides(
                "\u{feff}[override.refund_response]\ndays = 3\n",
                "clock-rules.toml",
            )
            .map(|_| ()),
        ),
    ];
    for (what, result) in cases {
        assert!(
            result.is_ok(),
            "{what} with a byte-order mark must read: {:?}",
            result.err().map(|e| e.to_string())
        );
    }
}

/// Found by the fuzzer: with a byte-order mark in front, an error on the first line named
/// the field with the invisible mark glued to it ("\u{feff}year"), which a user cannot
/// see or search for, and counted the mark as a column.
#[test]
fn an_error_on_the_first_line_of_a_file_with_a_byte_order_mark_names_the_bare_field() {
    let error = YearCalendar::parse("\u{feff}year = \"二〇二七\"\n", "2027.toml").unwrap_err();
    match &error {
        ClockError::Invalid {
            field,
            line,
            column,
            ..
        } => {
            assert_eq!(
                (field.as_str(), *line, *column),
                ("year", 1, 8),
                "the field is named without the byte-order mark: {error}"
            );
        }
        other => panic!("a wrong type is a placed error, got {other:?}"),
    }
}
