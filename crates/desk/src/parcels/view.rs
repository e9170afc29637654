//! The parcel shapes the UI receives: flat, keys beside Chinese names, instants as
//! RFC 3339 China time. The CLI's `--json` prints the same shapes.

use afterdesk_case::time::china_rfc3339;
use afterdesk_case::{Courier, Interception, Parcel};
use afterdesk_parcel::{Attention, CourierHint, InterceptionState};
use afterdesk_store::ParcelEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

fn instant(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(china_rfc3339)
}

/// One tracking event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TraceView {
    /// When.
    pub at: String,
    /// Where, if the courier says.
    pub place: Option<String>,
    /// The courier's text.
    pub text: String,
    /// The provider's name, or `手动:<agent>`.
    pub source: String,
}

impl From<&ParcelEvent> for TraceView {
    fn from(e: &ParcelEvent) -> Self {
        TraceView {
            at: china_rfc3339(e.trace.at),
            place: e.trace.place.clone(),
            text: e.trace.text.clone(),
            source: e.source.clone(),
        }
    }
}

/// A thing to do about a parcel or a case's return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttentionView {
    /// The case.
    pub case_id: String,
    /// The case's refund number, to find it on the platform.
    pub refund_no: Option<String>,
    /// The buyer.
    pub buyer_nick: Option<String>,
    /// The parcel, when the item is about one.
    pub parcel_id: Option<String>,
    /// Its waybill.
    pub waybill: Option<String>,
    /// The reason's key (`stale_tracking`, `loss_claim`, `problem_parcel`,
    /// `return_waybill_missing`, `return_signed`, `interception_outcome`).
    pub reason: String,
    /// The reason's Chinese name.
    pub reason_name: String,
    /// What to do.
    pub prompt: String,
    /// The deadline the prompt names.
    pub due: Option<String>,
    /// Since when it applies.
    pub since: String,
}

impl AttentionView {
    /// The view of an attention item; the case and parcel facts are looked up by the
    /// caller, which has them at hand.
    pub fn new(
        a: &Attention,
        refund_no: Option<String>,
        buyer_nick: Option<String>,
        waybill: Option<String>,
    ) -> AttentionView {
        AttentionView {
            case_id: a.case_id.to_string(),
            refund_no,
            buyer_nick,
            parcel_id: a.parcel_id.map(|p| p.to_string()),
            waybill,
            reason: a.reason.key().to_owned(),
            reason_name: a.reason.zh_name().to_owned(),
            prompt: a.prompt.clone(),
            due: instant(a.due),
            since: china_rfc3339(a.since),
        }
    }
}

/// A parcel with its events and what needs doing about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParcelView {
    /// The parcel's id.
    pub id: String,
    /// The case's id.
    pub case_id: String,
    /// `outbound`, `return`, `reship` or `exchange_out`.
    pub direction: String,
    /// The direction's Chinese name.
    pub direction_name: String,
    /// The courier's key, if known.
    pub courier: Option<String>,
    /// The courier's Chinese name.
    pub courier_name: Option<String>,
    /// The waybill number.
    pub waybill: String,
    /// The phone's last four digits.
    pub phone_tail: Option<String>,
    /// The state's key.
    pub state: String,
    /// The state's Chinese name.
    pub state_name: String,
    /// Since when.
    pub state_since: Option<String>,
    /// The newest event's time.
    pub last_update: Option<String>,
    /// When a provider was last asked.
    pub last_checked: Option<String>,
    /// The last query's error, if it failed.
    pub last_error: Option<String>,
    /// Not asked again before.
    pub next_attempt: Option<String>,
    /// Failed queries in a row.
    pub failures: u32,
    /// `import` or `manual`.
    pub origin: String,
    /// When it was added.
    pub created_at: String,
    /// Its events, oldest first (empty in lists, filled on a case's page).
    pub events: Vec<TraceView>,
    /// What needs doing about it.
    pub attention: Vec<AttentionView>,
}

impl ParcelView {
    /// The view of a parcel with its events and attention items.
    pub fn new(p: &Parcel, events: Vec<TraceView>, attention: Vec<AttentionView>) -> ParcelView {
        ParcelView {
            id: p.id.to_string(),
            case_id: p.case_id.to_string(),
            direction: p.direction.key().to_owned(),
            direction_name: p.direction.zh_name().to_owned(),
            courier: p.courier.map(|c| c.key().to_owned()),
            courier_name: p.courier.map(|c| c.zh_name().to_owned()),
            waybill: p.waybill.to_string(),
            phone_tail: p.phone_tail.clone(),
            state: p.state.key().to_owned(),
            state_name: p.state.zh_name().to_owned(),
            state_since: instant(p.state_since),
            last_update: instant(p.last_update),
            last_checked: instant(p.last_checked),
            last_error: p.last_error.clone(),
            next_attempt: instant(p.next_attempt),
            failures: p.failures,
            origin: p.origin.clone(),
            created_at: china_rfc3339(p.created_at),
            events,
            attention,
        }
    }
}

/// One recorded interception step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InterceptionStepView {
    /// The record's id.
    pub id: String,
    /// The parcel, if named.
    pub parcel_id: Option<String>,
    /// The step's key.
    pub step: String,
    /// Its Chinese name.
    pub step_name: String,
    /// The courier asked.
    pub courier: Option<String>,
    /// With whom.
    pub contact: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// When.
    pub at: String,
    /// Who recorded it.
    pub agent: String,
}

impl From<&Interception> for InterceptionStepView {
    fn from(i: &Interception) -> Self {
        InterceptionStepView {
            id: i.id.to_string(),
            parcel_id: i.parcel_id.map(|p| p.to_string()),
            step: i.step.key().to_owned(),
            step_name: i.step.zh_name().to_owned(),
            courier: i.courier.map(|c| c.key().to_owned()),
            contact: i.contact.clone(),
            note: i.note.clone(),
            at: china_rfc3339(i.at),
            agent: i.agent.clone(),
        }
    }
}

/// A case's interception: where it stands, what to do next, what may be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InterceptionView {
    /// The state's key.
    pub state: String,
    /// Its Chinese name.
    pub state_name: String,
    /// What to do next.
    pub next_step: String,
    /// The step keys that may be recorded now.
    pub allowed: Vec<String>,
    /// The steps recorded, oldest first.
    pub steps: Vec<InterceptionStepView>,
}

impl InterceptionView {
    /// The view of a state and its steps.
    pub fn new(state: InterceptionState, steps: &[Interception]) -> InterceptionView {
        InterceptionView {
            state: state.key().to_owned(),
            state_name: state.zh_name().to_owned(),
            next_step: state.next_step().to_owned(),
            allowed: state.allowed().iter().map(|s| s.key().to_owned()).collect(),
            steps: steps.iter().map(InterceptionStepView::from).collect(),
        }
    }
}

/// A case's parcels page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CaseParcelsView {
    /// The case's id.
    pub case_id: String,
    /// The case's kind key.
    pub kind: String,
    /// Its parcels with their events.
    pub parcels: Vec<ParcelView>,
    /// Everything that needs doing, the case-level items (a missing return waybill)
    /// included.
    pub attention: Vec<AttentionView>,
    /// The interception, for a refund in transit or when steps were recorded.
    pub interception: Option<InterceptionView>,
}

/// "Parcels needing attention" across the open cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttentionListView {
    /// Live parcels of open cases.
    pub parcels: u32,
    /// The items, most pressing reason first.
    pub items: Vec<AttentionView>,
}

/// The couriers a waybill number's shape suggests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CourierHintView {
    /// The number, normalised.
    pub waybill: String,
    /// Candidate courier keys, most likely first (empty: no known format fits, choose by
    /// hand; the number is accepted anyway).
    pub candidates: Vec<String>,
    /// Their Chinese names.
    pub names: Vec<String>,
    /// Whether exactly one courier fits.
    pub sure: bool,
}

impl CourierHintView {
    /// The view of a hint.
    pub fn new(waybill: &str, hint: &CourierHint) -> CourierHintView {
        CourierHintView {
            waybill: waybill.to_owned(),
            candidates: hint.candidates.iter().map(|c| c.key().to_owned()).collect(),
            names: hint
                .candidates
                .iter()
                .map(|c| c.zh_name().to_owned())
                .collect(),
            sure: hint.sure().is_some(),
        }
    }
}

/// One parcel's refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefreshItemView {
    /// The parcel.
    pub parcel_id: String,
    /// Its waybill.
    pub waybill: String,
    /// `updated`, `failed`, `deferred` or `skipped`.
    pub outcome: String,
    /// The new state's key, when updated.
    pub state: Option<String>,
    /// What went wrong, or why it was skipped.
    pub message: Option<String>,
    /// The error's code, when failed.
    pub code: Option<String>,
    /// When it will be asked again, when failed or deferred.
    pub next_attempt: Option<String>,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RefreshReportView {
    /// The provider asked.
    pub provider: String,
    /// Parcels in the refresh.
    pub total: u32,
    /// Answered.
    pub updated: u32,
    /// Failed (state kept, error recorded).
    pub failed: u32,
    /// Put off (backoff or rate limit).
    pub deferred: u32,
    /// Skipped (manual provider, or cancelled).
    pub skipped: u32,
    /// New tracking events recorded.
    pub new_events: u32,
    /// Whether the refresh was cancelled.
    pub cancelled: bool,
    /// Each parcel's result, in completion order.
    pub items: Vec<RefreshItemView>,
}

/// What the import pass did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ParcelImportView {
    /// Open cases whose facts carry logistics text.
    pub cases_with_logistics: u32,
    /// Parcels added (those already recorded are not counted).
    pub added: u32,
    /// Logistics texts in which no waybill number was found.
    pub unreadable: u32,
}

/// A parcel to add, as the UI sends it: keys as strings, checked by the desk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct NewParcelInput {
    /// The case: id, refund number or order number.
    pub case: String,
    /// The waybill number, typed or pasted.
    pub waybill: String,
    /// A courier key or name (`zto`, `中通快递`); detected from the number when absent.
    pub courier: Option<String>,
    /// A direction key; by default a return for cases awaiting the return, otherwise
    /// the original shipment.
    pub direction: Option<String>,
    /// The phone's last four digits.
    pub phone_tail: Option<String>,
}

/// An interception step, as the UI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InterceptionInput {
    /// The case: id, refund number or order number.
    pub case: String,
    /// The step's key.
    pub step: String,
    /// The parcel's id, or its waybill; by default the case's original shipment.
    pub parcel: Option<String>,
    /// A courier key or name.
    pub courier: Option<String>,
    /// With whom.
    pub contact: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// A courier's key and name, for pickers.
pub fn courier_choices() -> Vec<(String, String)> {
    Courier::ALL
        .iter()
        .map(|c| (c.key().to_owned(), c.zh_name().to_owned()))
        .collect()
}
