//! Personal data that must never reach the endpoint, tried two ways: through [`redact`]
//! and through what the local fake endpoint records when the draft is really polished.
//!
//! Two tables in the same format (`[[leak]]` rows: a text and the substrings that must not
//! be sent; `[[pass]]` rows: texts that must be sent unchanged):
//!
//! - `data/leaks.toml`, written with the redaction code: every row must hold;
//! - `data/leaks_independent.toml`, written by someone who never saw the redaction code
//!   and committed before any tuning against it (never edit it). Its score is printed and
//!   held to the floor the redaction honestly reaches.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use afterdesk_polish::testing::{FakeChat, Reply};
use afterdesk_polish::{KnownPii, PolishSettings, Polisher, redact};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Table {
    #[serde(default)]
    leak: Vec<Leak>,
    #[serde(default)]
    pass: Vec<Pass>,
}

#[derive(Debug, Deserialize)]
struct Leak {
    text: String,
    must_not_contain: Vec<String>,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Deserialize)]
struct Pass {
    text: String,
    #[serde(default)]
    note: String,
}

fn table(name: &str) -> Table {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What one table gave: the rows that leaked and the pass rows that were changed, each
/// with the text that would have been sent.
#[derive(Debug, Default)]
struct Score {
    leaks: usize,
    pass: usize,
    leaked: Vec<String>,
    changed: Vec<String>,
}

impl Score {
    fn caught(&self) -> usize {
        self.leaks - self.leaked.len()
    }

    fn report(&self, name: &str, how: &str) -> String {
        format!(
            "{name} ({how}): leaks caught {}/{}, false redactions {}/{}\n  leaked:\n    {}\n  changed:\n    {}",
            self.caught(),
            self.leaks,
            self.changed.len(),
            self.pass,
            self.leaked.join("\n    "),
            self.changed.join("\n    "),
        )
    }
}

/// Scores `sent(text)` (what would leave the machine for a draft) over a table.
fn score(table: &Table, mut sent: impl FnMut(&str) -> String) -> Score {
    let mut s = Score {
        leaks: table.leak.len(),
        pass: table.pass.len(),
        ..Score::default()
    };
    for row in &table.leak {
        let out = sent(&row.text);
        let found: Vec<&String> = row
            .must_not_contain
            .iter()
            .filter(|g| out.contains(g.as_str()))
            .collect();
        if !found.is_empty() {
            s.leaked
                .push(format!("{found:?} in “{out}” ({})", row.note));
        }
    }
    for row in &table.pass {
        let out = sent(&row.text);
        if out != row.text {
            s.changed
                .push(format!("“{}” → “{out}” ({})", row.text, row.note));
        }
    }
    s
}

fn redacted(text: &str) -> String {
    redact(text, &KnownPii::default())
        .unwrap_or_else(|e| panic!("redaction failed on “{text}”: {e}"))
        .text
}

/// Polishes every row of the table against the fake endpoint and returns, for each text,
/// the user message the endpoint received (the whole request body is checked too).
fn sent_to_endpoint(table: &Table) -> impl FnMut(&str) -> String {
    let server = FakeChat::start(Reply::Echo).unwrap();
    let settings = PolishSettings {
        enabled: true,
        base_url: server.base_url(),
        model: "leak-test".to_owned(),
        timeout_secs: 10,
        temperature: None,
    };
    let polisher = Polisher::new(&settings, Some("sk-leak-test")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let texts: Vec<&str> = table
        .leak
        .iter()
        .map(|r| r.text.as_str())
        .chain(table.pass.iter().map(|r| r.text.as_str()))
        .collect();
    let mut sent = std::collections::HashMap::new();
    for text in texts {
        let before = server.requests().len();
        // The answer's own fate (accepted, or refused by the fact check) does not matter
        // here: only what left the machine does.
        let _ = runtime.block_on(polisher.polish(text, &KnownPii::default()));
        let requests = server.requests();
        assert_eq!(
            requests.len(),
            before + 1,
            "each polish sends exactly one request (“{text}”)"
        );
        let request = &requests[before];
        let user = request.json()["messages"][1]["content"]
            .as_str()
            .unwrap_or_else(|| panic!("no user message in {}", request.body))
            .to_owned();
        // The body is JSON: anything in it but the user message is ours (the prompt, the
        // model), so a leak in the body is a leak in the user message, which is scored.
        sent.insert(text.to_owned(), user);
    }
    move |text: &str| sent.get(text).cloned().unwrap_or_default()
}

#[test]
fn our_table_leaks_nothing_and_keeps_ordinary_text() {
    let table = table("leaks.toml");
    assert!(
        table.leak.len() >= 40,
        "the table tries at least 40 leaks, has {}",
        table.leak.len()
    );
    for (how, s) in [
        ("redact", score(&table, redacted)),
        ("endpoint", score(&table, sent_to_endpoint(&table))),
    ] {
        assert!(
            s.leaked.is_empty() && s.changed.is_empty(),
            "no personal data may leave the machine and ordinary text must pass unchanged: {}",
            s.report("leaks.toml", how)
        );
    }
}

/// The floor of leaks caught on the independent set, out of its 87. The redaction as it
/// was before the set arrived caught 31; the rules written since (general ones: no row
/// of the set is special-cased) catch all 87. The set was read while they were written,
/// so this is not a blind figure: docs/drafts.md says so.
const INDEPENDENT_MIN_CAUGHT: usize = 87;

/// The most pass-through rows of the independent set (out of its 30) the redaction may
/// change: none, before and after.
const INDEPENDENT_MAX_CHANGED: usize = 0;

#[test]
fn the_independent_set_scores_at_least_its_floor() {
    let table = table("leaks_independent.toml");
    for (how, s) in [
        ("redact", score(&table, redacted)),
        ("endpoint", score(&table, sent_to_endpoint(&table))),
    ] {
        let report = s.report("leaks_independent.toml", how);
        println!("{report}");
        // `SHOW_REDACTED=1` prints every row as it would be sent, to look at the markers.
        if std::env::var_os("SHOW_REDACTED").is_some() {
            for row in table
                .leak
                .iter()
                .map(|r| &r.text)
                .chain(table.pass.iter().map(|r| &r.text))
            {
                println!("{row}\n  → {}", redacted(row));
            }
        }
        assert!(
            s.caught() >= INDEPENDENT_MIN_CAUGHT,
            "the redaction must catch at least {INDEPENDENT_MIN_CAUGHT} independent leaks: {report}"
        );
        // The limit is 0 today; the comparison stays right should it ever be raised.
        #[allow(clippy::absurd_extreme_comparisons)]
        let within = s.changed.len() <= INDEPENDENT_MAX_CHANGED;
        assert!(
            within,
            "the redaction may change at most {INDEPENDENT_MAX_CHANGED} ordinary texts: {report}"
        );
    }
}

#[derive(Debug, Deserialize)]
struct Library {
    script: Vec<Script>,
}

#[derive(Debug, Deserialize)]
struct Script {
    id: String,
    text: String,
    text_hant: String,
}

/// Every built-in reply script (`crates/script/data/scripts.toml`), Simplified and
/// Traditional, filled with facts that are not personal, is sent as it is: the drafts
/// the polish is for must not lose their facts to an over-eager rule.
#[test]
fn the_built_in_scripts_pass_unchanged() {
    let path = format!("{}/../script/data/scripts.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let library: Library = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let facts = [
        ("{buyer_nick}", "亲"),
        ("{order_no}", "4102938475610293847"),
        ("{courier}", "顺丰速运"),
        ("{waybill}", "SF1234567890123"),
        ("{new_waybill}", "YT1234567890123"),
        ("{amount}", "12.50"),
        ("{deadline}", "11月21日18:00"),
        ("{signer}", "【待填：签收人】"),
        ("{signed_at}", "11月20日 15:00"),
    ];
    let mut changed = Vec::new();
    for script in &library.script {
        for template in [&script.text, &script.text_hant] {
            let draft = facts
                .iter()
                .fold(template.clone(), |t, (from, to)| t.replace(from, to));
            let sent = redacted(&draft);
            if sent != draft {
                changed.push(format!("{}: “{draft}” → “{sent}”", script.id));
            }
        }
    }
    assert!(
        library.script.len() >= 72,
        "the library has its scripts: {}",
        library.script.len()
    );
    assert!(
        changed.is_empty(),
        "built-in drafts must be sent unchanged (no false redaction), {} changed:\n{}",
        changed.len(),
        changed.join("\n")
    );
}

/// The held-out set (`data/leaks_heldout.toml`): written by a second person who saw
/// neither the redaction code nor the other sets, after the redaction was finished, and
/// never used for tuning. Its score is the blind figure the docs quote; the floors below
/// are what the finished redaction reached on its first run (58 of 74 leaks caught, 0 of 32
/// ordinary texts changed), so they guard against a regression without flattering it.
/// What it missed (names after 写的是 or a dash, licence plates, slashes in a phone, a
/// number broken over a line) is left for a later round with a fresh held-out set.
const HELDOUT_MIN_CAUGHT: usize = 58;

/// The most pass-through rows of the held-out set (out of its 32) the redaction may change:
/// none on the first run.
const HELDOUT_MAX_CHANGED: usize = 0;

#[test]
fn the_held_out_set_scores_at_least_its_floor() {
    let table = table("leaks_heldout.toml");
    for (how, s) in [
        ("redact", score(&table, redacted)),
        ("endpoint", score(&table, sent_to_endpoint(&table))),
    ] {
        let report = s.report("leaks_heldout.toml", how);
        println!("{report}");
        assert!(
            s.caught() >= HELDOUT_MIN_CAUGHT,
            "the redaction must catch at least {HELDOUT_MIN_CAUGHT} held-out leaks: {report}"
        );
        // The limit is 0 today; the comparison stays right should it ever be raised.
        #[allow(clippy::absurd_extreme_comparisons)]
        let within = s.changed.len() <= HELDOUT_MAX_CHANGED;
        assert!(
            within,
            "the redaction may change at most {HELDOUT_MAX_CHANGED} ordinary held-out texts: {report}"
        );
    }
}
