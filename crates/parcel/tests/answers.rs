//! The providers' answers, fuzzed: valid answers in the shapes 快递100 and 快递鸟 document
//! (`tests/fixtures`), with fields removed, retyped, resized, filled with any Unicode, and
//! routes of thousands of lines, plus arbitrary bytes. Reading an answer never panics,
//! fails only with a typed error, and refuses an answer over [`MAX_ANSWER_BYTES`] before
//! parsing it.
//!
//! The case count is fixed so that CI takes the same time every run;
//! `PROPTEST_CASES=100000 cargo test -p afterdesk-parcel --test answers` raises it locally.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_case::time::parse_china_time;
use afterdesk_parcel::fake::{FakeKeys, FakeServer, Scripted};
use afterdesk_parcel::{
    Courier, HttpSettings, Kuaidi100, Kuaidi100Settings, MAX_ANSWER_BYTES, TrackError, TrackQuery,
    Tracker, Tracking, Waybill, kdniao_answer, kuaidi100_answer,
};
use chrono::{DateTime, Utc};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

/// Cases per property unless `PROPTEST_CASES` asks for more: each case parses one answer
/// in well under a millisecond, so 256 keep the whole file to a few seconds in a debug build.
const CASES: u32 = 256;

fn config() -> ProptestConfig {
    let asked = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(0);
    ProptestConfig::with_cases(CASES.max(asked))
}

fn now() -> DateTime<Utc> {
    parse_china_time("2026-11-20 09:00:00").unwrap()
}

/// Every fixture of one provider, as JSON values.
fn fixtures(prefix: &str) -> Vec<Value> {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".json"))
        })
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 5, "the {prefix} fixtures are there: {dir}");
    out.into_iter().map(|(_, v)| v).collect()
}

/// Text a provider might send, and text it should not: dates in several spellings and
/// broken ones, codes, Chinese, emoji, control characters, right-to-left marks, any
/// Unicode, and long runs.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2026-11-20 15:00:00".to_owned()),
        Just("2026/11/20 15:00".to_owned()),
        Just("2026-02-30 25:61:61".to_owned()),
        Just("2026-11-20T15:00:00+08:00".to_owned()),
        Just("９９９９年".to_owned()),
        Just("快件已拦截".to_owned()),
        Just("拦截成功，退回中".to_owned()),
        Just("\u{202e}签收\u{0000}\u{FEFF}".to_owned()),
        Just("📦🚚✅".repeat(50)),
        "[0-9]{1,5}",
        any::<String>(),
        "[\\PC]{0,3000}",
    ]
}

/// Any JSON value, nested a few levels.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        any::<u64>().prop_map(|n| json!(n)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(text(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to an answer.
#[derive(Debug, Clone)]
enum Mutation {
    /// The value at the `n`-th path (in a walk of the answer) replaced.
    Replace(usize, Value),
    /// The field at the `n`-th path removed.
    Remove(usize),
    /// The route (the answer's array) made `len` lines long by repeating its lines, each
    /// with its time shifted, so that the traces sort and deduplicate at scale.
    Grow(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), value()).prop_map(|(n, v)| Mutation::Replace(n, v)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => (0usize..3_000).prop_map(Mutation::Grow),
    ]
}

/// The paths of every value in `v`, parents before children.
fn paths(v: &Value, at: Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(at.clone());
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut p = at.clone();
                p.push(json!(i));
                paths(item, p, out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let mut p = at.clone();
                p.push(json!(k));
                paths(item, p, out);
            }
        }
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        Value::Number(i) => v.get_mut(usize::try_from(i.as_u64()?).ok()?),
        Value::String(k) => v.get_mut(k.as_str()),
        _ => None,
    })
}

fn apply(mut answer: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        let mut all = Vec::new();
        paths(&answer, Vec::new(), &mut all);
        match m {
            Mutation::Replace(n, new) => {
                let path = &all[n % all.len()];
                if let Some(slot) = at_mut(&mut answer, path) {
                    *slot = new.clone();
                }
            }
            Mutation::Remove(n) => {
                let path = &all[n % all.len()];
                if let Some((last, parent)) = path.split_last()
                    && let Some(parent) = at_mut(&mut answer, parent)
                {
                    match (parent, last) {
                        (Value::Object(map), Value::String(k)) => {
                            map.remove(k);
                        }
                        (Value::Array(items), Value::Number(i)) => {
                            if let Some(i) = i.as_u64().and_then(|i| usize::try_from(i).ok())
                                && i < items.len()
                            {
                                items.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Grow(len) => {
                for key in ["data", "Traces"] {
                    if let Some(Value::Array(items)) = answer.get_mut(key)
                        && !items.is_empty()
                    {
                        let first = items.clone();
                        *items = (0..*len)
                            .map(|i| {
                                let mut line = first[i % first.len()].clone();
                                let at = format!(
                                    "2026-11-{:02} {:02}:{:02}:00",
                                    1 + i % 28,
                                    i / 60 % 24,
                                    i % 60
                                );
                                for field in ["time", "ftime", "AcceptTime"] {
                                    if let Some(slot) = line.get_mut(field) {
                                        *slot = json!(at);
                                    }
                                }
                                line
                            })
                            .collect();
                    }
                }
            }
        }
    }
    answer
}

/// What reading an answer may give: a tracking whose route is oldest first and no longer
/// than the answer's, or one of the typed errors an answer can cause.
fn check(body: &[u8], read: Result<Tracking, TrackError>) -> Result<(), TestCaseError> {
    match read {
        Ok(t) => {
            prop_assert!(
                t.traces.windows(2).all(|w| w[0].at <= w[1].at),
                "traces are oldest first"
            );
            prop_assert!(
                t.traces.len() <= body.len(),
                "no more traces than the answer could hold"
            );
        }
        Err(e) => {
            prop_assert!(
                matches!(
                    e.code(),
                    "track_provider" | "track_malformed" | "track_rate_limited" | "track_too_large"
                ),
                "an answer fails only with a typed answer error, got {}: {e}",
                e.code()
            );
            prop_assert!(!e.to_string().is_empty(), "the error says something");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kuaidi100_answers_never_panic(
        base in 0usize..64,
        mutations in prop::collection::vec(mutation(), 0..6),
    ) {
        let all = fixtures("k100_");
        let answer = apply(all[base % all.len()].clone(), &mutations);
        let body = serde_json::to_vec(&answer).unwrap();
        check(&body, kuaidi100_answer(&body, now()))?;
    }

    #[test]
    fn kdniao_answers_never_panic(
        base in 0usize..64,
        mutations in prop::collection::vec(mutation(), 0..6),
    ) {
        let all = fixtures("kdn_");
        let answer = apply(all[base % all.len()].clone(), &mutations);
        let body = serde_json::to_vec(&answer).unwrap();
        check(&body, kdniao_answer(&body, now()))?;
    }

    /// Answers cut short, with bytes flipped, or not JSON at all (an HTML error page, a
    /// proxy's message, invalid UTF-8).
    #[test]
    fn broken_bytes_never_panic(
        base in 0usize..64,
        cut in any::<prop::sample::Index>(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        noise in prop::collection::vec(any::<u8>(), 0..256),
        use_noise in any::<bool>(),
    ) {
        let mut all = fixtures("k100_");
        all.extend(fixtures("kdn_"));
        let mut body = if use_noise {
            noise
        } else {
            serde_json::to_vec(&all[base % all.len()]).unwrap()
        };
        if !body.is_empty() {
            body.truncate(cut.index(body.len() + 1));
            for (at, byte) in &flips {
                if !body.is_empty() {
                    let i = at.index(body.len());
                    body[i] = *byte;
                }
            }
        }
        check(&body, kuaidi100_answer(&body, now()))?;
        check(&body, kdniao_answer(&body, now()))?;
    }
}

/// A route of `lines` lines, valid in 快递100's format.
fn long_kuaidi100_answer(lines: usize) -> String {
    let data: Vec<Value> = (0..lines)
        .map(|i| {
            json!({
                "time": "2026-11-20 15:00:00",
                "ftime": "2026-11-20 15:00:00",
                "context": format!("快件已到达【杭州转运中心】第 {i} 站，正在发往下一站"),
                "location": "杭州市",
            })
        })
        .collect();
    json!({"message": "ok", "status": "200", "state": "0", "ischeck": "0", "data": data})
        .to_string()
}

#[test]
fn an_answer_over_the_limit_is_refused_before_parsing() {
    let small = long_kuaidi100_answer(100);
    assert!(
        kuaidi100_answer(small.as_bytes(), now()).is_ok(),
        "a long but plausible route is read"
    );
    let huge = long_kuaidi100_answer(20_000);
    assert!(huge.len() > MAX_ANSWER_BYTES, "{} bytes", huge.len());
    for (provider, read) in [
        ("快递100", kuaidi100_answer(huge.as_bytes(), now())),
        ("快递鸟", kdniao_answer(huge.as_bytes(), now())),
    ] {
        let err = read.unwrap_err();
        assert_eq!(
            err.code(),
            "track_too_large",
            "{provider}: an answer over {MAX_ANSWER_BYTES} bytes is refused, not parsed: {err}"
        );
        assert!(err.to_string().contains(provider), "{err}");
    }
}

#[tokio::test]
async fn an_answer_over_the_limit_is_not_even_read_whole() {
    let server = FakeServer::start(FakeKeys::default(), Duration::ZERO)
        .await
        .unwrap();
    server.script(
        "75123456789012",
        Scripted::ok(long_kuaidi100_answer(20_000)),
    );
    let client = Kuaidi100::new(
        Kuaidi100Settings {
            customer: "CUSTOMER01".to_owned(),
            key: "TESTKEY".to_owned(),
            url: Some(server.kuaidi100_url()),
        },
        &HttpSettings::default(),
    )
    .unwrap();
    let query = TrackQuery {
        courier: Some(Courier::Zto),
        waybill: Waybill::parse("75123456789012").unwrap(),
        phone_tail: None,
        last_queried: None,
    };
    let err = client.track(&query, now()).await.unwrap_err();
    assert_eq!(err.code(), "track_too_large", "{err}");
    assert!(
        err.is_transient(),
        "a provider's oversized answer is retried later, like a malformed one"
    );
}
