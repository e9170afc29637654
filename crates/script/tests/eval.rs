//! The quality bar of issue 5: classifier accuracy on the project's own labelled messages,
//! and built-in drafts free of forbidden phrases.

use afterdesk_case::{
    Case, CaseFacts, DeviceId, Fen, KindSource, Platform, RecordId, ScenarioKind,
};
use afterdesk_script::{
    Classifier, DraftRequest, Ladder, Library, LintRule, Stage, Variant, compose, lint,
};
use chrono::{TimeZone, Utc};
use serde::Deserialize;

#[derive(Deserialize)]
struct Eval {
    message: Vec<Labelled>,
}

#[derive(Deserialize)]
struct Labelled {
    kind: String,
    script: String,
    /// Which part of the set: `base` (the original set the classifier was built against),
    /// `dev` (added later and looked at while tuning) or `held_out` (added later, never
    /// looked at while tuning).
    #[serde(default = "base")]
    set: String,
    text: String,
}

fn base() -> String {
    "base".to_owned()
}

/// Issue 5's targets.
const TOP1_TARGET: f64 = 0.90;
/// See [`TOP1_TARGET`].
const TOP3_TARGET: f64 = 0.98;

/// The held-out part is small (24 messages, one per kind), so one miss costs 4 points; its
/// floor is the top-1 target less two misses, measured once after tuning and never
/// tuned against, so a regression that costs more than that shows.
const HELD_OUT_TOP1_FLOOR: f64 = 0.83;

/// Top-1 and top-3 hits over a part of the evaluation set.
#[derive(Default)]
struct Tally {
    n: usize,
    top1: usize,
    top3: usize,
    hant: usize,
}

impl Tally {
    fn top1(&self) -> f64 {
        self.top1 as f64 / self.n.max(1) as f64
    }
    fn top3(&self) -> f64 {
        self.top3 as f64 / self.n.max(1) as f64
    }
}

#[test]
fn classifier_accuracy() {
    let eval: Eval = toml::from_str(include_str!("../data/eval.toml")).unwrap();
    let classifier = Classifier::builtin().unwrap();
    assert!(
        eval.message.len() >= 250,
        "the evaluation set has at least 250 messages"
    );
    let mut tallies: std::collections::BTreeMap<&str, Tally> = Default::default();
    let mut all = Tally::default();
    let mut misses = Vec::new();
    for m in &eval.message {
        let want = ScenarioKind::from_key(&m.kind).unwrap();
        assert!(
            ["base", "dev", "held_out"].contains(&m.set.as_str()),
            "unknown evaluation set “{}”",
            m.set
        );
        let got = classifier.classify(&m.text);
        let hit1 = got.kind == want;
        let hit3 = hit1 || got.alternatives.iter().any(|a| a.kind == want);
        for t in [tallies.entry(m.set.as_str()).or_default(), &mut all] {
            t.n += 1;
            t.top1 += usize::from(hit1);
            t.top3 += usize::from(hit3);
            t.hant += usize::from(m.script == "hant");
        }
        if !hit1 {
            misses.push(format!(
                "[{}] {} → {} ({:.2}){}：{}",
                m.set,
                m.kind,
                got.kind,
                got.confidence,
                if hit3 { "" } else { " not in top 3" },
                m.text
            ));
        }
    }
    for kind in ScenarioKind::ALL {
        assert!(
            eval.message.iter().filter(|m| m.kind == kind.key()).count() >= 5,
            "every kind has at least five evaluation messages: {kind}"
        );
    }
    for (name, t) in tallies.iter().map(|(n, t)| (*n, t)).chain([("all", &all)]) {
        println!(
            "classifier [{name}]: {} messages ({} Traditional), top-1 {:.1} %, top-3 {:.1} %",
            t.n,
            t.hant,
            t.top1() * 100.0,
            t.top3() * 100.0
        );
    }
    for m in &misses {
        println!("  miss {m}");
    }
    assert!(
        all.top1() >= TOP1_TARGET,
        "top-1 accuracy {:.3} over the whole set is below {TOP1_TARGET}",
        all.top1()
    );
    assert!(
        all.top3() >= TOP3_TARGET,
        "top-3 accuracy {:.3} over the whole set is below {TOP3_TARGET}",
        all.top3()
    );
    for (name, t) in &tallies {
        let floor = if *name == "held_out" {
            HELD_OUT_TOP1_FLOOR
        } else {
            TOP1_TARGET
        };
        assert!(
            t.top1() >= floor,
            "top-1 accuracy {:.3} on the {name} part is below {floor}",
            t.top1()
        );
    }
}

fn full_case(kind: ScenarioKind) -> Case {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    Case {
        id: RecordId::new(now),
        platform: Platform::Taobao,
        facts: CaseFacts {
            buyer_nick: Some("小鹿买买买".into()),
            order_no: Some("4102938475610293847".into()),
            ship_logistics: Some("中通快递 75123456789012".into()),
            refund: Some(Fen(2590)),
            paid: Some(Fen(12900)),
            signed_at: Some(now),
            ..CaseFacts::default()
        },
        kind,
        kind_source: KindSource::Derived,
        flag: None,
        assignee: None,
        tags: vec![],
        open: true,
        origin: "test".into(),
        created_at: now,
        updated_at: now,
        updated_by: DeviceId("test".into()),
        deleted_at: None,
    }
}

#[test]
fn builtin_drafts_are_lint_clean_and_filled() {
    let library = Library::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let mut drafts = 0;
    for script in library.scripts() {
        let case = full_case(script.kind);
        for variant in [Variant::Hans, Variant::Hant] {
            let idx = library
                .candidates(script.kind, script.stage)
                .iter()
                .position(|s| s.id == script.id)
                .unwrap();
            let mut req = DraftRequest::new(&case, now);
            req.stage = Some(script.stage);
            req.pick = idx;
            req.variant = variant;
            req.signer = Some("本人".into());
            req.new_waybill = Some("SF1234567890123".into());
            let draft = compose(&library, &classifier, &Ladder::default(), &req);
            drafts += 1;
            assert_eq!(
                draft.script_ids,
                vec![format!("{}@1", script.id)],
                "the draft names its script"
            );
            assert!(
                draft.lint.is_empty(),
                "built-in script {} ({variant:?}) must be lint-clean: {:?}",
                script.id,
                draft.lint
            );
            assert!(
                draft.unfilled.is_empty(),
                "a full case fills every placeholder of {}",
                script.id
            );
        }
    }
    println!(
        "drafts: {drafts} built-in drafts (Simplified and Traditional), 0 lint findings, 0 unfilled"
    );
}

/// Words that give the buyer a concrete time for the next step (the filled `{deadline}`
/// reads “11月23日 10:00”, so “月” and “日” together count too).
const CONCRETE_TIME: &[&str] = &["小时", "今天", "明天", "今晚", "当天", "工作日", "天内"];

/// Words that name what happens next, by the shop or by the buyer: a reply to an open case
/// must never end at “sorry” (brief §8: understand, calm, state the position, solve).
const NEXT_STEP: &[&str] = &[
    "麻烦您",
    "请您",
    "我们会",
    "我们来",
    "我们正在",
    "为您",
    "给您",
    "帮您",
    "您看",
    "安排",
    "联系",
    "核实",
    "寄回",
    "发给我们",
    "留意",
    "由我们承担",
];

/// The kinds whose first replies must name the parcel (its waybill): the buyer's question
/// is about that parcel.
const NEEDS_WAYBILL: &[ScenarioKind] = &[
    ScenarioKind::RefundInTransit,
    ScenarioKind::NotReceived,
    ScenarioKind::LogisticsDelay,
];

/// The kinds whose closing message must give the new parcel's waybill.
const NEEDS_NEW_WAYBILL: &[ScenarioKind] = &[ScenarioKind::Exchange, ScenarioKind::Reship];

/// The share of drafts with every element they need (apology, next step, waybill, lint
/// clean, filled), over the evaluation set × stages × both scripts, is at least this:
/// every built-in script is written to the brief, so a draft without them is a bug in a
/// script or in the choice of script.
const ELEMENTS_TARGET: f64 = 1.0;

/// The share of open-case drafts that also give a concrete time. The brief asks for one
/// (“within 24 hours”), but many built-in first replies say “尽快” or leave the time to the
/// next message; this floor is today's measured share (20.9 %, rounded down) and only
/// ratchets up as scripts gain a `{deadline}`.
const CONCRETE_TIME_FLOOR: f64 = 0.20;

#[test]
fn drafts_have_the_elements_their_scenario_needs() {
    let eval: Eval = toml::from_str(include_str!("../data/eval.toml")).unwrap();
    let library = Library::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let (mut drafts, mut complete) = (0usize, 0usize);
    let (mut open_drafts, mut timed) = (0usize, 0usize);
    let mut missing: std::collections::BTreeMap<&str, usize> = Default::default();
    let mut examples: std::collections::BTreeSet<String> = Default::default();
    for m in &eval.message {
        let case = full_case(ScenarioKind::from_key(&m.kind).unwrap());
        for stage in [Stage::FirstReply, Stage::FollowUp, Stage::Closing] {
            for variant in [Variant::Hans, Variant::Hant] {
                let mut req = DraftRequest::new(&case, now);
                req.message = Some(&m.text);
                req.stage = Some(stage);
                req.variant = variant;
                req.signer = Some("本人".into());
                req.new_waybill = Some("SF1234567890123".into());
                let draft = compose(&library, &classifier, &Ladder::default(), &req);
                let text = afterdesk_script::to_simplified(&draft.text);
                let mut lacks = Vec::new();
                if afterdesk_script::needs_apology(draft.kind)
                    && lint(&draft.text, Some(draft.kind))
                        .iter()
                        .any(|l| l.rule == LintRule::MissingApology)
                {
                    lacks.push("apology");
                }
                let open = draft.stage != Stage::Closing;
                let concrete = CONCRETE_TIME.iter().any(|w| text.contains(w))
                    || (text.contains('月') && text.contains('日'));
                if open {
                    open_drafts += 1;
                    timed += usize::from(concrete);
                }
                if open && !NEXT_STEP.iter().any(|w| text.contains(w)) {
                    lacks.push("next_step");
                }
                if draft.stage == Stage::FirstReply
                    && NEEDS_WAYBILL.contains(&draft.kind)
                    && !text.contains("75123456789012")
                {
                    lacks.push("waybill");
                }
                if !open
                    && NEEDS_NEW_WAYBILL.contains(&draft.kind)
                    && !text.contains("SF1234567890123")
                {
                    lacks.push("new_waybill");
                }
                if !draft.lint.is_empty() {
                    lacks.push("lint_clean");
                }
                if !draft.unfilled.is_empty() {
                    lacks.push("filled");
                }
                drafts += 1;
                if lacks.is_empty() {
                    complete += 1;
                }
                for l in &lacks {
                    *missing.entry(l).or_default() += 1;
                    examples.insert(format!(
                        "{l}: {} ({})",
                        draft.script_ids.join(","),
                        draft.kind
                    ));
                }
            }
        }
    }
    let share = complete as f64 / drafts as f64;
    let timed_share = timed as f64 / open_drafts as f64;
    println!(
        "draft elements: {drafts} drafts (evaluation messages × 3 stages × 2 scripts), {complete} ({:.1} %) with every element their scenario needs (apology where needed, next step, waybill where needed, lint clean, filled); missing by element: {missing:?}",
        share * 100.0
    );
    println!(
        "draft elements: {timed} of {open_drafts} open-case drafts ({:.1} %) give a concrete time",
        timed_share * 100.0
    );
    for e in &examples {
        println!("  lacks {e}");
    }
    assert!(
        timed_share >= CONCRETE_TIME_FLOOR,
        "the share of drafts with a concrete time fell to {:.1} %",
        timed_share * 100.0
    );
    assert!(
        share >= ELEMENTS_TARGET,
        "only {:.1} % of drafts have the elements their scenario needs: {missing:?}",
        share * 100.0
    );
}

#[test]
fn missing_facts_stay_marked() {
    let library = Library::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let mut case = full_case(ScenarioKind::NotReceived);
    case.facts.ship_logistics = None;
    let draft = compose(
        &library,
        &classifier,
        &Ladder::default(),
        &DraftRequest::new(&case, now),
    );
    assert!(
        draft.text.contains("【待填：运单号】"),
        "a missing waybill stays visibly marked: {}",
        draft.text
    );
    assert!(
        draft.unfilled.iter().any(|p| p.name() == "waybill"),
        "the unfilled list names the waybill"
    );
}

#[test]
fn a_traditional_message_gets_a_traditional_draft() {
    let library = Library::builtin().unwrap();
    let classifier = Classifier::builtin().unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap();
    let case = full_case(ScenarioKind::ReturnRefund);
    let mut req = DraftRequest::new(&case, now);
    req.message = Some("退款什麼時候到賬？都三天了");
    let draft = compose(&library, &classifier, &Ladder::default(), &req);
    assert_eq!(
        draft.kind,
        ScenarioKind::RefundProgress,
        "the message's kind wins when sure"
    );
    assert!(
        draft.text.contains("您好") && draft.text.contains("處理"),
        "Traditional in, Traditional out: {}",
        draft.text
    );
    assert!(
        lint(&draft.text, Some(draft.kind))
            .iter()
            .all(|l| l.rule != LintRule::Threat)
    );
}
