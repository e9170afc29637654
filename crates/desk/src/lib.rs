//! The operations the desktop app and the `afterdesk` CLI share.
//!
//! Each function here is one user-level action (open a shop, import a file, ...) built
//! from the export reader and the store. The app's commands and the CLI's subcommands are
//! thin wrappers around these, so both behave the same and are tested once.
#![deny(missing_docs)]

// One module per feature, each with its own view types; the crate root re-exports what
// the front ends use, so that an adapter names a view without knowing the file it lives in.
mod cases;
mod clocks;
mod drafts;
mod error_code;
mod evidence;
mod import;
mod parcels;
mod polish;
mod shops;
mod team;

pub use cases::{
    CaseChangeInput, CaseDetailView, CaseListView, CaseQueryInput, CaseView, EventView,
    NewCaseInput, NoteView, OrderView, case_sort_key, flag_key, kind_key,
};
pub use clocks::reminders::{Reminder, Reminders, due_reminders, due_today};
pub use clocks::{
    CALENDAR_DIR, CLOCK_RULES_FILE, CalendarYearView, CaseClocksView, ClockFiles, ClockView,
    ClockWarningView, ClocksError, DashboardEntryView, DashboardView, EVIDENCE_PERIOD_CLOCK,
    ShopClockwork, calendar_years, case_clocks, clock_view, clocks_of, dashboard,
    evidence_deadline, import_calendar, load_clockwork, load_clockwork_or_bundled, open_cases,
    rank_cases,
};
pub use drafts::{
    AcceptImportInput, AcceptImportView, ClassificationView, CompensationView, CopyDraftInput,
    DraftCopyView, DraftOptions, DraftView, KindGuessView, LintView, MarkView, PREVIEWED_SKIPS,
    PlaceholderView, ProposalView, ReplyCheckView, ScriptImportView, ScriptInput, ScriptQueryInput,
    ScriptVersionView, ScriptView, SkippedLineView, VariantChoiceView, accept_script_import,
    case_draft, classify_message, copy_draft, draft_copies, lint_reply, mark_views,
    preview_script_import, preview_script_text, remove_script, save_script, script_history,
    script_library, set_script_enabled, shop_library,
};
pub use error_code::ErrorCode;
pub use evidence::view::{
    CaseEvidenceView, CleanedFileView, CopyProgressView, EvidenceCheckView, EvidenceCleanView,
    EvidenceFileView, EvidenceItemView, EvidenceSituationView, EvidenceUseView, FindingView,
    ProofView, ReadinessView, UnboxingView,
};
pub use evidence::{
    AttachReport, attach_evidence, case_evidence, check_evidence_item, clean_evidence,
    detach_evidence, evidence_folder, export_evidence_package, ingest_evidence, list_evidence,
    record_evidence, verify_evidence,
};
pub use import::view::{
    DuplicateRowView, ImportPreviewView, ImportReportView, PreviewColumnView, RowErrorView,
};
pub use import::{
    ImportOptions, ImportPreview, ImportProgress, ImportReport, MAX_REPORTED_ERRORS, PREVIEW_ROWS,
    import_file, preview_file,
};
pub use parcels::tracking::{
    TRACKING_FILE, TrackingSettings, load_tracking_settings, provider_settings, refresh_setup,
    save_tracking_settings, tracking_settings_path,
};
pub use parcels::view::{
    AttentionListView, AttentionView, CaseParcelsView, CourierHintView, InterceptionInput,
    InterceptionStepView, InterceptionView, NewParcelInput, ParcelImportView, ParcelView,
    RefreshItemView, RefreshReportView, TraceView, courier_choices,
};
pub use parcels::{
    RefreshScope, add_parcel, apply_refresh, case_parcels, change_parcel, courier_hint, intercept,
    load_parcel_rules, open_parcels, parcel_rules_path, parcels_from_imports,
    parcels_needing_attention, parse_courier, parse_parcel_state, record_parcel_state,
    refresh_parcels, refresh_targets, remove_parcel,
};
pub use polish::{
    MAX_POLISH_TIMEOUT_SECS, POLISH_SETTINGS_FILE, PolishConfigView, PolishSettingsView,
    PolishWarningView, PolishedView, RemovedView, case_known_pii, known_pii, load_polish_settings,
    polish_settings_path, save_polish_settings,
};
pub use shops::demo::{DEMO_CASES, demo_shop};
pub use shops::summary::{KindCount, ShopSummary, shop_summary};
pub use shops::synced_folder::{
    SyncClient, SyncedFolder, synced_folder, synced_folder_by_name, synced_folder_on_disk,
};
pub use shops::{BackupView, RestoreView};
pub use shops::{
    DB_ENV, RECENT_SHOPS, ShopFiles, default_db_path, device_id, load_shop_files, remember_shop,
    restore_shop, shop_backups,
};
pub use team::settings::{
    CompensationLimits, DEFAULT_AGENT_LIMIT_FEN, DEFAULT_LEADS_MINUTES, MAX_LEAD_MINUTES,
    MAX_LEADS, MAX_LIMIT_FEN, MAX_PARCEL_DAYS, MAX_SHOP_NAME_CHARS, MAX_UNBOXING_DELAY_HOURS,
    MAX_UNBOXING_MIN_SECS, ParcelThresholds, ShopSettings, UnboxingSettings,
    adopt_parcel_rules_file, limit_for, shop_settings,
};
pub use team::{
    AdoptedView, MemberChangeInput, MemberInput, MemberView, UNBOUND_ACTOR, actor, add_member,
    adopt_local_settings, bind_device, change_member, members, remove_member, save_shop_settings,
    whoami,
};

use afterdesk_export::ExportError;
use afterdesk_store::StoreError;

/// Why a desk operation failed.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// The file could not be read as an export.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The store failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The user cancelled; nothing was changed.
    #[error("导入已取消，数据没有任何改动")]
    Cancelled,
    /// Attaching, checking or packaging evidence failed; nothing was attached.
    #[error(transparent)]
    Evidence(#[from] afterdesk_evidence::EvidenceError),
    /// The shop lives in memory (the demo), so there is no folder to keep evidence in.
    #[error("演示店铺没有数据库文件，无法保存证据文件；请先打开或新建店铺文件")]
    NoEvidenceFolder,
    /// A parcel input or the shop's parcel rules are not valid (boxed: the TOML reader's
    /// error is large, and every desk result would pay for it).
    #[error(transparent)]
    Parcel(Box<afterdesk_parcel::ParcelError>),
    /// Asking a tracking provider failed (boxed for the same reason).
    #[error(transparent)]
    Track(Box<afterdesk_parcel::TrackError>),
    /// The AI polish settings cannot work (boxed: the HTTP client's error is large).
    #[error(transparent)]
    Polish(Box<afterdesk_polish::PolishError>),
    /// The file is an order list where a refund list was expected, or the reverse.
    #[error("{0}")]
    WrongKind(String),
    /// A column mapping names a field that does not exist.
    #[error("未知字段“{0}”，可用字段见 docs/import.md")]
    UnknownField(String),
    /// The built-in script library or classifier shipped with the program does not load.
    #[error("内置话术库无法读取：{0}")]
    BuiltinScripts(String),
    /// The shop's scripts do not form a valid library.
    #[error(transparent)]
    Library(#[from] afterdesk_script::ScriptError),
    /// A training file could not be read.
    #[error(transparent)]
    ScriptImport(#[from] afterdesk_script::import::ImportError),
    /// The draft still has 【待填：…】 marks and the agent did not confirm sending them.
    #[error("回复里还有待填内容（{0}）；请填好，或确认就这样发送")]
    Unfilled(String),
    /// An argument is not valid.
    #[error("{0}")]
    Invalid(String),
    /// The shop has a 店长 and this computer's member is not one.
    #[error(
        "只有店长可以修改成员和店铺设置；请让店长在他的电脑上修改，或在“设置”里把这台电脑设为店长"
    )]
    NotOwner,
    /// The machine's settings folder could not be used.
    #[error("无法读写设置文件 {path}：{source}")]
    Settings {
        /// The file.
        path: std::path::PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A settings file is not valid JSON.
    #[error("设置文件 {path} 已损坏：{source}")]
    SettingsFormat {
        /// The file.
        path: std::path::PathBuf,
        /// What the JSON reader said.
        #[source]
        source: serde_json::Error,
    },
}

impl From<afterdesk_parcel::ParcelError> for DeskError {
    fn from(e: afterdesk_parcel::ParcelError) -> Self {
        DeskError::Parcel(Box::new(e))
    }
}

impl From<afterdesk_parcel::TrackError> for DeskError {
    fn from(e: afterdesk_parcel::TrackError) -> Self {
        DeskError::Track(Box::new(e))
    }
}

impl DeskError {
    /// A stable machine-readable code, for the UI and scripts.
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::Export(e) => e.code(),
            DeskError::Store(e) => e.code(),
            DeskError::Cancelled => "cancelled",
            DeskError::Evidence(e) => e.code(),
            DeskError::NoEvidenceFolder => "no_evidence_folder",
            DeskError::Parcel(e) => e.code(),
            DeskError::Track(e) => e.code(),
            DeskError::Polish(e) => e.code(),
            DeskError::WrongKind(_) => "wrong_export_kind",
            DeskError::UnknownField(_) => "unknown_field",
            DeskError::Settings { .. } | DeskError::SettingsFormat { .. } => "settings",
            DeskError::BuiltinScripts(_) => "builtin_scripts",
            DeskError::Library(_) => "script_invalid",
            DeskError::ScriptImport(e) => e.code(),
            DeskError::Unfilled(_) => "draft_unfilled",
            DeskError::Invalid(_) => "invalid",
            DeskError::NotOwner => "not_owner",
        }
    }
}
