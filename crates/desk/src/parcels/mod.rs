//! Parcels on the desk: a case's parcels and their attention items, "parcels needing
//! attention" across the open cases, adding parcels by hand and from the imports'
//! logistics text, recording states by hand, the interception flow, and refreshing
//! through a tracking provider.
//!
//! Refreshing is split like attaching evidence, so that the app never holds the shop's
//! store while the network is slow: [`refresh_targets`] lists what to ask (quick, needs
//! the store), `afterdesk_parcel::refresh` asks (async, no store; run it on the app's
//! runtime with a progress callback and a cancel flag), and [`apply_refresh`] writes the
//! answers in one short transaction. [`refresh_parcels`] does all three, for the CLI.

pub(crate) mod tracking;
pub(crate) mod view;

use crate::DeskError;
use crate::parcels::view::{
    AttentionListView, AttentionView, CaseParcelsView, CourierHintView, InterceptionInput,
    InterceptionView, NewParcelInput, ParcelImportView, ParcelView, RefreshItemView,
    RefreshReportView, TraceView,
};
use afterdesk_case::{
    Case, CaseEvent, Courier, InterceptionStep, Parcel, ParcelDirection, ParcelState, RecordId,
    RefundStatus, ScenarioKind, Trace, Waybill,
};
use afterdesk_parcel::{
    Attention, CaseParcels, InterceptionState, PARCEL_RULES_FILE, ParcelError, ParcelRules,
    RefreshOutcome, RefreshPolicy, RefreshProgress, RefreshResult, RefreshTarget, TrackQuery,
    Tracker, attention, courier_from_name, detect, parse_logistics,
};
use afterdesk_store::{
    CaseQuery, NewInterception, NewParcel, ParcelChange, RefreshRecord, Store, StoreError,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// The parcel rules file an older AfterDesk read, `parcel-rules.toml` beside the
/// database; its values move into the shop's settings
/// ([`crate::adopt_parcel_rules_file`]).
pub fn parcel_rules_path(db: &Path) -> PathBuf {
    crate::shops::settings_file::shop_folder(db).join(PARCEL_RULES_FILE)
}

/// The shop's parcel rules, from its settings (`crate::shop_settings`).
pub fn load_parcel_rules(store: &Store) -> Result<ParcelRules, DeskError> {
    Ok(crate::shop_settings(store)?.parcel_rules())
}

/// What a typed or pasted waybill number's shape suggests.
pub fn courier_hint(waybill: &str) -> Result<CourierHintView, DeskError> {
    let parsed =
        Waybill::parse(waybill).ok_or_else(|| ParcelError::InvalidWaybill(waybill.to_owned()))?;
    Ok(CourierHintView::new(parsed.as_str(), &detect(&parsed)))
}

/// Reads a courier from a key (`zto`) or a name (`中通快递`).
pub fn parse_courier(text: &str) -> Result<Courier, DeskError> {
    courier_from_name(text).ok_or_else(|| {
        let keys: Vec<&str> = Courier::ALL.iter().map(|c| c.key()).collect();
        ParcelError::Invalid(format!("未知快递公司“{text}”，可选：{}", keys.join("、"))).into()
    })
}

fn parse_direction(text: &str) -> Result<ParcelDirection, DeskError> {
    ParcelDirection::from_key(text.trim()).ok_or_else(|| {
        let keys: Vec<&str> = ParcelDirection::ALL.iter().map(|c| c.key()).collect();
        ParcelError::Invalid(format!("未知包裹方向“{text}”，可选：{}", keys.join("、"))).into()
    })
}

/// Reads a parcel state key.
pub fn parse_parcel_state(text: &str) -> Result<ParcelState, DeskError> {
    ParcelState::from_key(text.trim()).ok_or_else(|| {
        let keys: Vec<&str> = ParcelState::ALL.iter().map(|c| c.key()).collect();
        ParcelError::Invalid(format!("未知物流状态“{text}”，可选：{}", keys.join("、"))).into()
    })
}

/// The direction a new parcel takes when none is given: a return while the platform
/// waits for the buyer's return, the original shipment otherwise.
fn default_direction(case: &Case) -> ParcelDirection {
    match case.facts.refund_status() {
        RefundStatus::AwaitingReturn | RefundStatus::AwaitingReceipt => ParcelDirection::Return,
        _ => ParcelDirection::Outbound,
    }
}

/// Adds a parcel to a case by hand. The courier, when not given, is detected from the
/// number when exactly one format fits; the number is accepted whatever its shape.
pub fn add_parcel(
    store: &mut Store,
    input: &NewParcelInput,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ParcelView, DeskError> {
    let case = store.find_case(&input.case)?;
    let waybill = Waybill::parse(&input.waybill)
        .ok_or_else(|| ParcelError::InvalidWaybill(input.waybill.clone()))?;
    let courier = match input.courier.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(parse_courier(c)?),
        None => detect(&waybill).sure(),
    };
    let direction = match input.direction.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(d) => parse_direction(d)?,
        None => default_direction(&case),
    };
    let new = NewParcel {
        direction,
        courier,
        waybill,
        phone_tail: input
            .phone_tail
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned),
        origin: "manual".to_owned(),
    };
    let (parcel, _) = store.add_parcel(&case.id.to_string(), new, agent, now)?;
    Ok(ParcelView::new(&parcel, Vec::new(), Vec::new()))
}

/// Changes a parcel's courier (key or name; empty clears it), phone tail (empty clears
/// it) or direction.
pub fn change_parcel(
    store: &mut Store,
    parcel_id: &str,
    courier: Option<&str>,
    phone_tail: Option<&str>,
    direction: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ParcelView, DeskError> {
    let change = ParcelChange {
        courier: courier
            .map(|c| {
                if c.trim().is_empty() {
                    Ok(None)
                } else {
                    parse_courier(c).map(Some)
                }
            })
            .transpose()?,
        phone_tail: phone_tail.map(|t| Some(t.trim().to_owned()).filter(|t| !t.is_empty())),
        direction: direction.map(parse_direction).transpose()?,
    };
    let parcel = store.change_parcel(parcel_id, &change, now)?;
    Ok(ParcelView::new(&parcel, Vec::new(), Vec::new()))
}

/// Removes a parcel (a tombstone; its events stay).
pub fn remove_parcel(
    store: &mut Store,
    parcel_id: &str,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ParcelView, DeskError> {
    let parcel = store.remove_parcel(parcel_id, agent, now)?;
    Ok(ParcelView::new(&parcel, Vec::new(), Vec::new()))
}

/// Records a state by hand, with the courier's words as an event when given (`at`
/// defaults to now). This is how parcels are followed without a provider.
#[allow(clippy::too_many_arguments)]
pub fn record_parcel_state(
    store: &mut Store,
    parcel_id: &str,
    state: &str,
    text: Option<&str>,
    place: Option<&str>,
    at: Option<DateTime<Utc>>,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ParcelView, DeskError> {
    let state = parse_parcel_state(state)?;
    let trace = Trace {
        at: at.unwrap_or(now),
        place: place.map(str::to_owned).filter(|p| !p.trim().is_empty()),
        text: text
            .map(str::to_owned)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("手动记录：{}", state.zh_name())),
    };
    let parcel = store.record_parcel_state(parcel_id, state, Some(trace), agent, now)?;
    let events = store.parcel_events(&parcel.id)?;
    Ok(ParcelView::new(
        &parcel,
        events.iter().map(TraceView::from).collect(),
        Vec::new(),
    ))
}

/// Creates parcels for the open cases whose facts carry logistics text (the original
/// shipment's and the return's), once: running it again adds nothing. Texts without a
/// number are counted, not guessed.
pub fn parcels_from_imports(
    store: &mut Store,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<ParcelImportView, DeskError> {
    let cases = store
        .list_cases(&CaseQuery {
            open: Some(true),
            limit: u32::MAX,
            ..CaseQuery::default()
        })?
        .cases;
    let mut with_logistics = 0u32;
    let mut unreadable = 0u32;
    let mut new = Vec::new();
    for case in &cases {
        let texts = [
            (
                ParcelDirection::Outbound,
                case.facts.ship_logistics.as_deref(),
            ),
            (
                ParcelDirection::Return,
                case.facts.return_logistics.as_deref(),
            ),
        ];
        let mut any = false;
        for (direction, text) in texts {
            let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
                continue;
            };
            any = true;
            match parse_logistics(text) {
                Some(parsed) => new.push((
                    case.id,
                    NewParcel {
                        direction,
                        courier: parsed.courier,
                        waybill: parsed.waybill,
                        phone_tail: None,
                        origin: "import".to_owned(),
                    },
                )),
                None => unreadable += 1,
            }
        }
        with_logistics += u32::from(any);
    }
    let added = store.add_parcels(new, agent, now)?;
    Ok(ParcelImportView {
        cases_with_logistics: with_logistics,
        added: u32::try_from(added).unwrap_or(u32::MAX),
        unreadable,
    })
}

/// When the seller agreed to the return, as well as the desk knows: the export does not
/// say, so the time of the timeline change into "awaiting return" (by an import or by
/// hand) is taken, or failing that the request time (the agreement is never earlier,
/// so the reminder may come early but never late).
fn return_agreed_at(case: &Case, events: &[CaseEvent]) -> Option<DateTime<Utc>> {
    events
        .iter()
        .rev()
        .find(|e| match (e.field.as_str(), e.new.as_deref()) {
            ("refund_status_text", Some(text)) => {
                RefundStatus::from_text(text) == RefundStatus::AwaitingReturn
            }
            ("refund_status", Some(key)) => key == RefundStatus::AwaitingReturn.key(),
            _ => false,
        })
        .map(|e| e.at)
        .or(case.facts.requested_at)
        .or(Some(case.created_at))
}

fn interception_state(steps: &[afterdesk_case::Interception]) -> InterceptionState {
    InterceptionState::fold(steps.iter().map(|s| s.step))
}

fn attention_views(items: &[Attention], case: &Case, parcels: &[Parcel]) -> Vec<AttentionView> {
    items
        .iter()
        .map(|a| {
            let waybill = a
                .parcel_id
                .and_then(|id| parcels.iter().find(|p| p.id == id))
                .map(|p| p.waybill.to_string());
            AttentionView::new(
                a,
                case.facts.refund_no.clone(),
                case.facts.buyer_nick.clone(),
                waybill,
            )
        })
        .collect()
}

/// A case's parcels with their events, its attention items and its interception.
pub fn case_parcels(
    store: &Store,
    key: &str,
    rules: &ParcelRules,
    now: DateTime<Utc>,
) -> Result<CaseParcelsView, DeskError> {
    let detail = store.case_detail(key)?;
    let case = &detail.case;
    let parcels = store.parcels_of(&case.id)?;
    let steps = store.interceptions_of(&case.id)?;
    let state = interception_state(&steps);
    let items = attention(
        &CaseParcels {
            case,
            parcels: &parcels,
            return_agreed_at: return_agreed_at(case, &detail.events),
            interception: state,
        },
        rules,
        now,
    );
    let views = attention_views(&items, case, &parcels);
    let mut parcel_views = Vec::with_capacity(parcels.len());
    for p in &parcels {
        let events = store.parcel_events(&p.id)?;
        let own = views
            .iter()
            .filter(|a| a.parcel_id.as_deref() == Some(p.id.to_string().as_str()))
            .cloned()
            .collect();
        parcel_views.push(ParcelView::new(
            p,
            events.iter().map(TraceView::from).collect(),
            own,
        ));
    }
    let interception = (case.kind == ScenarioKind::RefundInTransit || !steps.is_empty())
        .then(|| InterceptionView::new(state, &steps));
    Ok(CaseParcelsView {
        case_id: case.id.to_string(),
        kind: case.kind.key().to_owned(),
        parcels: parcel_views,
        attention: views,
        interception,
    })
}

/// The live parcels of the open cases, and each case that needs attention with its items.
type OpenAttention = (Vec<Parcel>, Vec<(Case, Vec<Attention>)>);

/// The open cases, their live parcels and interception states, and the attention items
/// of each.
fn open_attention(
    store: &Store,
    rules: &ParcelRules,
    now: DateTime<Utc>,
) -> Result<OpenAttention, DeskError> {
    let parcels = store.open_case_parcels()?;
    let mut by_case: HashMap<RecordId, Vec<Parcel>> = HashMap::new();
    for p in &parcels {
        by_case.entry(p.case_id).or_default().push(p.clone());
    }
    let mut steps: HashMap<RecordId, Vec<InterceptionStep>> = HashMap::new();
    for s in store.open_case_interceptions()? {
        steps.entry(s.case_id).or_default().push(s.step);
    }
    let cases = store
        .list_cases(&CaseQuery {
            open: Some(true),
            limit: u32::MAX,
            ..CaseQuery::default()
        })?
        .cases;
    let mut out = Vec::new();
    let none = Vec::new();
    for case in cases {
        let own = by_case.get(&case.id).unwrap_or(&none);
        let awaiting_return = case.facts.refund_status() == RefundStatus::AwaitingReturn;
        if own.is_empty() && !awaiting_return {
            continue;
        }
        // Only a case waiting for the buyer's return needs its timeline (for when the
        // return was agreed); reading it for every case would cost a query each.
        let agreed = if awaiting_return {
            return_agreed_at(&case, &store.case_detail(&case.id.to_string())?.events)
        } else {
            None
        };
        let state = InterceptionState::fold(steps.get(&case.id).cloned().unwrap_or_default());
        let items = attention(
            &CaseParcels {
                case: &case,
                parcels: own,
                return_agreed_at: agreed,
                interception: state,
            },
            rules,
            now,
        );
        if !items.is_empty() {
            out.push((case, items));
        }
    }
    Ok((parcels, out))
}

/// "Parcels needing attention" across the open cases, the most pressing reason first
/// (loss claims before stale routes before reminders), then by since when.
pub fn parcels_needing_attention(
    store: &Store,
    rules: &ParcelRules,
    now: DateTime<Utc>,
) -> Result<AttentionListView, DeskError> {
    let (parcels, cases) = open_attention(store, rules, now)?;
    let mut items: Vec<(Attention, AttentionView)> = Vec::new();
    for (case, attention) in &cases {
        let views = attention_views(attention, case, &parcels);
        items.extend(attention.iter().cloned().zip(views));
    }
    items.sort_by_key(|(a, _)| a.urgency());
    Ok(AttentionListView {
        parcels: u32::try_from(parcels.len()).unwrap_or(u32::MAX),
        items: items.into_iter().map(|(_, v)| v).collect(),
    })
}

/// The live parcels of the open cases (no events), each with its attention items.
pub fn open_parcels(
    store: &Store,
    rules: &ParcelRules,
    now: DateTime<Utc>,
) -> Result<Vec<ParcelView>, DeskError> {
    let (parcels, cases) = open_attention(store, rules, now)?;
    let mut views_by_parcel: HashMap<RecordId, Vec<AttentionView>> = HashMap::new();
    for (case, attention) in &cases {
        for (a, v) in attention
            .iter()
            .zip(attention_views(attention, case, &parcels))
        {
            if let Some(id) = a.parcel_id {
                views_by_parcel.entry(id).or_default().push(v);
            }
        }
    }
    Ok(parcels
        .iter()
        .map(|p| {
            ParcelView::new(
                p,
                Vec::new(),
                views_by_parcel.remove(&p.id).unwrap_or_default(),
            )
        })
        .collect())
}

/// Records an interception step, checked against the steps already recorded. The parcel
/// defaults to the case's original shipment, the courier to the parcel's.
pub fn intercept(
    store: &mut Store,
    input: &InterceptionInput,
    agent: &str,
    now: DateTime<Utc>,
) -> Result<InterceptionView, DeskError> {
    let case = store.find_case(&input.case)?;
    let step = InterceptionStep::from_key(input.step.trim()).ok_or_else(|| {
        let keys: Vec<&str> = InterceptionStep::ALL.iter().map(|s| s.key()).collect();
        ParcelError::Invalid(format!(
            "未知拦截步骤“{}”，可选：{}",
            input.step,
            keys.join("、")
        ))
    })?;
    let steps = store.interceptions_of(&case.id)?;
    interception_state(&steps).after(step)?;
    let parcels = store.parcels_of(&case.id)?;
    let parcel = match input.parcel.as_deref().filter(|p| !p.trim().is_empty()) {
        Some(p) => {
            let waybill = Waybill::parse(p);
            Some(
                parcels
                    .iter()
                    .find(|x| x.id.to_string() == p.trim() || Some(&x.waybill) == waybill.as_ref())
                    .cloned()
                    .ok_or_else(|| StoreError::ParcelNotFound(p.to_owned()))?,
            )
        }
        None => parcels
            .iter()
            .find(|p| p.direction == ParcelDirection::Outbound)
            .cloned(),
    };
    let courier = match input.courier.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(parse_courier(c)?),
        None => parcel.as_ref().and_then(|p| p.courier),
    };
    store.record_interception(
        &case.id.to_string(),
        NewInterception {
            step,
            parcel_id: parcel.map(|p| p.id),
            courier,
            contact: input.contact.clone(),
            note: input.note.clone(),
            at: None,
        },
        agent,
        now,
    )?;
    let steps = store.interceptions_of(&case.id)?;
    Ok(InterceptionView::new(interception_state(&steps), &steps))
}

/// Which parcels a refresh asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshScope {
    /// Every live parcel of every open case.
    All,
    /// One case's parcels (id, refund number or order number), or, when no case has
    /// that key, the parcels with that waybill number.
    CaseOrWaybill(String),
}

fn target(p: &Parcel) -> RefreshTarget {
    RefreshTarget {
        parcel_id: p.id,
        query: TrackQuery {
            courier: p.courier,
            waybill: p.waybill.clone(),
            phone_tail: p.phone_tail.clone(),
            // Only a query the provider answered counts against its rate limit.
            last_queried: p.last_checked.filter(|_| p.last_error.is_none()),
        },
        failures: p.failures,
        next_attempt: p.next_attempt,
    }
}

/// The parcels a refresh of `scope` asks about. Delivered parcels of a whole-shop
/// refresh are left out: their route no longer changes.
pub fn refresh_targets(
    store: &Store,
    scope: &RefreshScope,
) -> Result<Vec<RefreshTarget>, DeskError> {
    let parcels = match scope {
        RefreshScope::All => store
            .open_case_parcels()?
            .into_iter()
            .filter(|p| !p.state.is_delivered())
            .collect(),
        RefreshScope::CaseOrWaybill(key) => match store.find_case(key) {
            Ok(case) => store.parcels_of(&case.id)?,
            Err(StoreError::CaseNotFound(_)) => {
                let waybill =
                    Waybill::parse(key).ok_or_else(|| ParcelError::InvalidWaybill(key.clone()))?;
                let found = store.parcels_by_waybill(&waybill)?;
                if found.is_empty() {
                    return Err(ParcelError::Invalid(format!(
                        "找不到售后单或运单号“{key}”；运单号可用 afterdesk parcels add 先加到售后单上"
                    ))
                    .into());
                }
                found
            }
            Err(e) => return Err(e.into()),
        },
    };
    Ok(parcels.iter().map(target).collect())
}

/// Writes a refresh's results in one transaction and reports them.
pub fn apply_refresh(
    store: &mut Store,
    tracker: &dyn Tracker,
    results: &[RefreshResult],
    now: DateTime<Utc>,
) -> Result<RefreshReportView, DeskError> {
    let mut report = RefreshReportView {
        provider: tracker.name().to_owned(),
        total: u32::try_from(results.len()).unwrap_or(u32::MAX),
        updated: 0,
        failed: 0,
        deferred: 0,
        skipped: 0,
        new_events: 0,
        cancelled: false,
        items: Vec::with_capacity(results.len()),
    };
    let interval = tracker.min_interval();
    let mut records = Vec::with_capacity(results.len());
    for r in results {
        let mut item = RefreshItemView {
            parcel_id: r.parcel_id.to_string(),
            waybill: r.waybill.to_string(),
            outcome: r.outcome.key().to_owned(),
            state: None,
            message: None,
            code: None,
            next_attempt: None,
        };
        match &r.outcome {
            RefreshOutcome::Updated(tracking) => {
                report.updated += 1;
                item.state = Some(tracking.state.key().to_owned());
                let next = (interval > chrono::Duration::zero()).then(|| r.at + interval);
                records.push((
                    r.parcel_id,
                    r.at,
                    RefreshRecord::Answered {
                        state: tracking.state,
                        traces: tracking.traces.clone(),
                        source: tracker.name().to_owned(),
                        next_attempt: next,
                    },
                ));
            }
            RefreshOutcome::Failed {
                error,
                failures,
                next_attempt,
            } => {
                report.failed += 1;
                item.message = Some(error.to_string());
                item.code = Some(error.code().to_owned());
                item.next_attempt = Some(afterdesk_case::time::china_rfc3339(*next_attempt));
                records.push((
                    r.parcel_id,
                    r.at,
                    RefreshRecord::Failed {
                        error: error.to_string(),
                        failures: *failures,
                        next_attempt: *next_attempt,
                    },
                ));
            }
            RefreshOutcome::Deferred { until } => {
                report.deferred += 1;
                item.next_attempt = Some(afterdesk_case::time::china_rfc3339(*until));
                item.message = Some(format!(
                    "暂不查询，{} 后再查",
                    afterdesk_parcel::china_short(*until)
                ));
                records.push((r.parcel_id, r.at, RefreshRecord::Deferred { until: *until }));
            }
            RefreshOutcome::Skipped { reason } => {
                report.skipped += 1;
                report.cancelled |= *reason == afterdesk_parcel::SKIPPED_CANCELLED;
                item.message = Some((*reason).to_owned());
            }
        }
        report.items.push(item);
    }
    let added = store.record_refresh(&records, now)?;
    report.new_events = u32::try_from(added).unwrap_or(u32::MAX);
    Ok(report)
}

/// Lists, asks and records in one go: the CLI's `track` and `parcels refresh`. The app
/// uses the three steps separately so as not to hold the store while asking.
pub async fn refresh_parcels(
    store: &mut Store,
    tracker: &dyn Tracker,
    scope: &RefreshScope,
    policy: &RefreshPolicy,
    clock: &(dyn Fn() -> DateTime<Utc> + Sync),
    progress: &mut (dyn FnMut(RefreshProgress) + Send),
    cancel: &AtomicBool,
) -> Result<RefreshReportView, DeskError> {
    let targets = refresh_targets(store, scope)?;
    let results =
        afterdesk_parcel::refresh(tracker, targets, policy, clock, progress, cancel).await;
    apply_refresh(store, tracker, &results, clock())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use afterdesk_case::time::parse_china_time;
    use afterdesk_case::{CaseFacts, DeviceId, Platform};
    use afterdesk_store::NewCase;

    fn t(text: &str) -> DateTime<Utc> {
        parse_china_time(text).unwrap()
    }

    fn shop() -> Store {
        let mut store = Store::open_in_memory(DeviceId("d".into())).unwrap();
        let then = t("2026-11-10 09:00:00");
        for (refund, ship, ret, status) in [
            (
                "R1",
                Some("中通快递 75123456789012"),
                None,
                "买家已经申请退款，等待卖家同意",
            ),
            (
                "R2",
                Some("顺丰速运,SF1234567890123"),
                Some("圆通速递 YT1234567890123"),
                "买家已经退货，等待卖家确认收货",
            ),
            ("R3", Some("已发货"), None, "买家已经申请退款，等待卖家同意"),
            ("R4", None, None, "卖家已经同意退款，等待买家退货"),
        ] {
            store
                .add_case(
                    NewCase {
                        platform: Some(Platform::Taobao),
                        facts: CaseFacts {
                            refund_no: Some(refund.into()),
                            ship_logistics: ship.map(str::to_owned),
                            return_logistics: ret.map(str::to_owned),
                            refund_status_text: Some(status.into()),
                            requested_at: Some(then),
                            ..CaseFacts::default()
                        },
                        ..NewCase::default()
                    },
                    "甲",
                    then,
                )
                .unwrap();
        }
        store
    }

    #[test]
    fn parcels_from_imports_are_created_once_with_couriers() {
        let mut store = shop();
        let now = t("2026-11-10 10:00:00");
        let first = parcels_from_imports(&mut store, "甲", now).unwrap();
        assert_eq!(
            (first.cases_with_logistics, first.added, first.unreadable),
            (3, 3, 1),
            "R1 outbound, R2 outbound and return; R3's text has no number"
        );
        let again = parcels_from_imports(&mut store, "甲", now).unwrap();
        assert_eq!(again.added, 0, "running it again adds nothing");
        let r2 = store.parcels("R2").unwrap();
        let couriers: Vec<_> = r2.iter().map(|p| (p.direction, p.courier)).collect();
        assert_eq!(
            couriers,
            vec![
                (ParcelDirection::Outbound, Some(Courier::Sf)),
                (ParcelDirection::Return, Some(Courier::Yto))
            ]
        );
    }

    #[test]
    fn attention_across_open_cases_includes_a_missing_return_waybill() {
        let mut store = shop();
        parcels_from_imports(&mut store, "甲", t("2026-11-10 10:00:00")).unwrap();
        let now = t("2026-11-20 10:00:00");
        let list = parcels_needing_attention(&store, &ParcelRules::default(), now).unwrap();
        let reasons: Vec<(&str, Option<&str>)> = list
            .items
            .iter()
            .map(|a| (a.reason.as_str(), a.refund_no.as_deref()))
            .collect();
        assert!(
            reasons.contains(&("return_waybill_missing", Some("R4"))),
            "R4 agreed 10 days ago without a return waybill: {reasons:?}"
        );
        assert!(
            reasons.contains(&("stale_tracking", Some("R1"))),
            "R1 has no record for 10 days: {reasons:?}"
        );
        assert_eq!(list.parcels, 3);
    }

    #[test]
    fn interception_steps_are_checked_and_prompt_the_next() {
        let mut store = shop();
        parcels_from_imports(&mut store, "甲", t("2026-11-10 10:00:00")).unwrap();
        let now = t("2026-11-10 11:00:00");
        let input = |step: &str| InterceptionInput {
            case: "R1".into(),
            step: step.into(),
            contact: Some("义乌网点".into()),
            ..InterceptionInput::default()
        };
        let error = intercept(&mut store, &input("succeeded"), "甲", now).unwrap_err();
        assert_eq!(error.code(), "interception_step", "{error}");
        let view = intercept(&mut store, &input("requested"), "甲", now).unwrap();
        assert_eq!(view.state, "requested");
        assert_eq!(
            view.steps[0].courier.as_deref(),
            Some("zto"),
            "the parcel's courier"
        );
        let view = intercept(&mut store, &input("failed"), "甲", now).unwrap();
        assert!(view.next_step.contains("退货退款"), "{}", view.next_step);
        assert_eq!(view.allowed, vec!["buyer_keeps", "switched_to_return"]);
    }

    #[test]
    fn adding_by_hand_detects_the_courier_and_defaults_the_direction() {
        let mut store = shop();
        let now = t("2026-11-10 10:00:00");
        let view = add_parcel(
            &mut store,
            &NewParcelInput {
                case: "R4".into(),
                waybill: "jt 5012345678901".into(),
                ..NewParcelInput::default()
            },
            "甲",
            now,
        )
        .unwrap();
        assert_eq!(
            (
                view.courier.as_deref(),
                view.direction.as_str(),
                view.waybill.as_str()
            ),
            (Some("jt"), "return", "JT5012345678901"),
            "detected courier; a case awaiting the return gets a return parcel"
        );
        let odd = add_parcel(
            &mut store,
            &NewParcelInput {
                case: "R4".into(),
                waybill: "X99".into(),
                ..NewParcelInput::default()
            },
            "甲",
            now,
        )
        .unwrap();
        assert_eq!(
            odd.courier, None,
            "an unknown format is accepted without a courier"
        );
        let view = record_parcel_state(
            &mut store,
            &odd.id,
            "signed",
            Some("门卫代收"),
            None,
            None,
            "甲",
            now,
        )
        .unwrap();
        assert_eq!(view.state, "signed");
        assert_eq!(view.events.len(), 1);
    }

    #[tokio::test]
    async fn refresh_records_answers_and_keeps_state_when_offline() {
        use afterdesk_parcel::fake::{FakeKeys, FakeServer};
        use afterdesk_parcel::{HttpSettings, Kuaidi100, Kuaidi100Settings};
        let mut store = shop();
        let now = t("2026-11-20 09:00:00");
        parcels_from_imports(&mut store, "甲", t("2026-11-10 10:00:00")).unwrap();
        let server = FakeServer::start(FakeKeys::default(), std::time::Duration::ZERO)
            .await
            .unwrap();
        let settings = |url: String| Kuaidi100Settings {
            customer: "C".into(),
            key: "K".into(),
            url: Some(url),
        };
        let http = HttpSettings {
            timeout: std::time::Duration::from_millis(500),
            connect_timeout: std::time::Duration::from_millis(500),
        };
        let online = Kuaidi100::new(settings(server.kuaidi100_url()), &http).unwrap();
        let clock = move || now;
        let report = refresh_parcels(
            &mut store,
            &online,
            &RefreshScope::All,
            &RefreshPolicy::default(),
            &clock,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
        assert_eq!((report.total, report.updated), (3, 3), "{report:?}");
        assert_eq!(report.new_events, 6, "two events per parcel");
        let view = case_parcels(&store, "R1", &ParcelRules::default(), now).unwrap();
        assert_eq!(view.parcels[0].state, "in_transit");
        assert_eq!(view.parcels[0].events.len(), 2);

        // Offline an hour later: the state stays, the error and the retry are recorded.
        drop(server);
        let later = now + chrono::Duration::hours(1);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let offline = Kuaidi100::new(
            settings(format!("http://127.0.0.1:{port}/poll/query.do")),
            &http,
        )
        .unwrap();
        let clock = move || later;
        let report = refresh_parcels(
            &mut store,
            &offline,
            &RefreshScope::CaseOrWaybill("75123456789012".into()),
            &RefreshPolicy::default(),
            &clock,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .await
        .unwrap();
        assert_eq!(report.failed, 1, "{report:?}");
        let parcel = &store.parcels("R1").unwrap()[0];
        assert_eq!(
            parcel.state,
            ParcelState::InTransit,
            "last known state kept"
        );
        assert!(
            parcel
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains("无法连接")
        );
        assert_eq!(parcel.last_checked, Some(later));
        assert_eq!(
            parcel.next_attempt,
            Some(later + chrono::Duration::minutes(5))
        );
    }
}
