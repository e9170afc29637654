//! The one list of error codes that cross from Rust to the UI (and into the CLI's JSON).
//!
//! Every library error enum has its own `code()` returning a `&'static str`; the libraries
//! stay free of a dependency on this crate, so this enum is where those strings get one
//! typed name. The desktop shell sends an [`ErrorCode`] with every failed command, the
//! generated TypeScript bindings turn it into a union of string literals, and the UI keeps
//! one translation per code in each language, so a seller using the English UI reads an
//! English sentence rather than the core's Chinese message. The wire form of each variant
//! is exactly the code string the libraries return (`snake_case`), so scripts reading the
//! CLI's `--json` errors see no change.
//!
//! A test in `tests/error_codes.rs` reads the libraries' sources and fails when a code is
//! returned somewhere that this list does not name.

/// Declares [`ErrorCode`] once and derives from that single list its wire names
/// ([`ErrorCode::as_str`]), its lookup ([`ErrorCode::of`]) and [`ErrorCode::ALL`], so the
/// three can never disagree. Serde's `snake_case` renaming gives the same names; a test
/// checks that every variant's serde name equals the string written here.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $code:literal, )+) => {
        /// Why an operation failed, as a stable code the UI translates and scripts branch
        /// on. Serialised as the code string itself (`"case_not_found"`); an unknown code
        /// reads as [`ErrorCode::Error`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl ErrorCode {
            /// Every code, in the order of the declaration (the UI's translation tables
            /// follow the same order, which makes a missing one easy to spot).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )+ ];

            /// The code as it travels: the same string the library's `code()` returned.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( ErrorCode::$variant => $code, )+
                }
            }

            /// The typed code for a library's code string; a string no variant names
            /// becomes the catch-all [`ErrorCode::Error`], so a new library code shows
            /// the generic message until it is added here (the source-scanning test
            /// makes sure that does not last).
            pub fn of(code: &str) -> ErrorCode {
                match code {
                    $( $code => ErrorCode::$variant, )+
                    _ => ErrorCode::Error,
                }
            }
        }
    };
}

error_codes! {
    /// Anything without a more precise code: an unexpected failure such as a background
    /// task that stopped. Also what an unknown code string reads as.
    Error = "error",
    /// Another import, evidence copy or evidence package holds the shop, or a parcel
    /// refresh round is still running; the user waits for it to finish and tries again.
    Busy = "busy",
    /// The shop is being reopened or restored from a backup, so it cannot be used for a
    /// moment; also the store's error when the database file cannot be opened at all.
    Open = "open",
    /// The demo shop lives in memory only, so the operation (a backup) does not apply.
    Demo = "demo",
    /// The text could not be put on the system clipboard (the reply was still recorded).
    Clipboard = "clipboard",
    /// The user cancelled the import, the evidence copy or the package; nothing changed.
    Cancelled = "cancelled",
    /// An argument is not valid (an empty note, an unknown value, a bad date), or a backup
    /// to restore is the shop file itself; the message names the field.
    Invalid = "invalid",

    /// The export file or a training document cannot be read (permissions, a disk error,
    /// a file locked by another program).
    FileUnreadable = "file_unreadable",
    /// The export file has no bytes at all.
    FileEmpty = "file_empty",
    /// No header row with a refund or order column was found: not a platform export.
    NotAnExport = "not_an_export",
    /// The workbook (.xlsx/.xls) is damaged or not a spreadsheet.
    SpreadsheetInvalid = "spreadsheet_invalid",
    /// The CSV file cannot be parsed.
    CsvInvalid = "csv_invalid",
    /// The file is larger than the import or training-material limit.
    FileTooLarge = "file_too_large",
    /// The workbook unpacks to more than the import's limit.
    WorkbookTooLarge = "workbook_too_large",
    /// The export has more columns than the import accepts.
    TooManyColumns = "too_many_columns",
    /// The export has more rows than the import accepts.
    TooManyRows = "too_many_rows",
    /// The file is an order list where a refund list was expected, or the reverse.
    WrongExportKind = "wrong_export_kind",
    /// A column mapping names a field that does not exist.
    UnknownField = "unknown_field",

    /// The folder for the shop or its backups could not be created.
    Folder = "folder",
    /// The shop file was written by a newer AfterDesk; this one refuses to open it.
    DatabaseTooNew = "database_too_new",
    /// Upgrading the shop file's schema failed; the file is left at its old version.
    MigrationFailed = "migration_failed",
    /// A backup could not be written.
    BackupFailed = "backup_failed",
    /// Another program held the shop's write lock too long; nothing was saved.
    ShopLocked = "shop_locked",
    /// SQLite's check found the shop file damaged; it is refused, and a backup restores it.
    ShopDamaged = "shop_damaged",
    /// The file opened as the shop is not an AfterDesk shop (or its start is damaged).
    NotAShop = "not_a_shop",
    /// The backup chosen for a restore is damaged.
    BackupDamaged = "backup_damaged",
    /// The file chosen for a restore is not an AfterDesk backup (or is missing).
    NotABackup = "not_a_backup",
    /// The backup chosen for a restore was written by a newer AfterDesk.
    BackupTooNew = "backup_too_new",
    /// Restoring failed part-way; the data before the restore was kept as a backup.
    RestoreFailed = "restore_failed",
    /// A database statement failed.
    Database = "database",
    /// A stored value could not be read back (the file was changed by another program).
    Corrupt = "corrupt",
    /// No case has that id, refund number or order number.
    CaseNotFound = "case_not_found",
    /// No proof (evidence record) has that id.
    ProofNotFound = "proof_not_found",
    /// No script has that id.
    ScriptNotFound = "script_not_found",
    /// The script was changed by someone else since the editor opened it.
    ScriptChanged = "script_changed",
    /// No parcel has that id.
    ParcelNotFound = "parcel_not_found",
    /// An order number matches several cases; the refund number or case id tells them apart.
    AmbiguousCase = "ambiguous_case",
    /// Another case already has this refund number.
    DuplicateRefundNo = "duplicate_refund_no",
    /// The machine's settings file could not be read, written or parsed.
    Settings = "settings",

    /// The shop's clock rule file is not valid; the previous rules stay in use.
    ClockRulesInvalid = "clock_rules_invalid",
    /// A holiday calendar file is not valid or could not be stored.
    CalendarInvalid = "calendar_invalid",
    /// The clock data bundled with the program does not read (a build defect).
    ClockDataInvalid = "clock_data_invalid",
    /// A clock rule or calendar file could not be read or written.
    ClockFileIo = "clock_file_io",
    /// A clock rule or calendar file is larger than the limit.
    ClockFileTooLarge = "clock_file_too_large",
    /// A clock rule or calendar file is not valid UTF-8 TOML of the expected shape.
    ClockFileInvalid = "clock_file_invalid",
    /// A warning, not an error: a clock's due time passes into a year without a holiday
    /// calendar, so working days are counted as Monday to Friday.
    CalendarMissing = "calendar_missing",
    /// A warning, not an error: the step was done, but after its deadline.
    MetLate = "met_late",

    /// The demo shop has no folder to keep evidence files in.
    NoEvidenceFolder = "no_evidence_folder",
    /// The file to attach or import does not exist.
    FileNotFound = "file_not_found",
    /// A folder was given where a file was expected.
    NotAFile = "not_a_file",
    /// The evidence folder could not be written.
    WriteFailed = "write_failed",
    /// A stored evidence file is missing from the evidence folder.
    EvidenceMissing = "evidence_missing",
    /// A stored evidence file no longer matches its hash (it was changed on disk).
    EvidenceTampered = "evidence_tampered",
    /// The evidence zip package could not be written.
    PackageFailed = "package_failed",
    /// A data file bundled with the evidence checklist does not parse (a build defect).
    BundledData = "bundled_data",
    /// An evidence checklist item key that no template has.
    UnknownItem = "unknown_item",

    /// The script library bundled with the program does not load (a build defect).
    BuiltinScripts = "builtin_scripts",
    /// The shop's scripts do not form a valid library.
    ScriptInvalid = "script_invalid",
    /// The draft still has 【待填】 marks and the agent did not confirm sending them.
    DraftUnfilled = "draft_unfilled",
    /// A training document (.docx/.pptx) is damaged.
    DocumentCorrupt = "document_corrupt",
    /// A training text file is in an encoding that could not be recognised.
    EncodingUnknown = "encoding_unknown",
    /// A training document has no text.
    DocumentEmpty = "document_empty",
    /// A training file is of a type the import does not read.
    UnsupportedType = "unsupported_type",
    /// A training document unpacks to more text than the limit.
    DocumentTooLarge = "document_too_large",

    /// The AI polish is switched off in the settings.
    PolishDisabled = "polish_disabled",
    /// The AI polish has no endpoint or model configured.
    PolishNotConfigured = "polish_not_configured",
    /// The AI polish has no API key saved.
    PolishNoKey = "polish_no_key",
    /// The AI polish address is not a valid http(s) URL.
    PolishBadUrl = "polish_bad_url",
    /// The AI polish address is plain http to another computer, which would expose the key.
    PolishInsecureUrl = "polish_insecure_url",
    /// The draft is too long to send to the AI polish.
    PolishTooLong = "polish_too_long",
    /// The buyer's personal data could not be redacted safely, so nothing was sent.
    PolishRedaction = "polish_redaction",
    /// The AI polish endpoint did not answer in time.
    PolishTimeout = "polish_timeout",
    /// The AI polish endpoint could not be reached.
    PolishConnect = "polish_connect",
    /// The connection to the AI polish endpoint failed midway.
    PolishNetwork = "polish_network",
    /// The AI polish endpoint refused the API key.
    PolishUnauthorized = "polish_unauthorized",
    /// The AI polish endpoint or model does not exist.
    PolishNotFound = "polish_not_found",
    /// The AI polish endpoint's rate limit or quota was hit.
    PolishRateLimited = "polish_rate_limited",
    /// The AI polish endpoint had a server error.
    PolishServer = "polish_server",
    /// The AI polish endpoint refused the request.
    PolishRejected = "polish_rejected",
    /// The AI polish endpoint's answer could not be read.
    PolishMalformed = "polish_malformed",
    /// The AI polish endpoint answered with no text.
    PolishEmpty = "polish_empty",
    /// The polished text changed the draft's facts (amounts, numbers), so it was refused.
    PolishChangedFacts = "polish_changed_facts",
    /// A warning, not an error: the polished text still has 【待填】 marks.
    MarkersLeft = "markers_left",
    /// A warning, not an error: the polished text promises something the draft did not.
    AddedPromise = "added_promise",
    /// A warning, not an error: the polished text was cut off.
    Truncated = "truncated",

    /// The secret (an API key) is not saved in the keychain.
    SecretMissing = "secret_missing",
    /// The system keychain could not be reached.
    KeychainUnavailable = "keychain_unavailable",
    /// The keychain holds the secret but it could not be read.
    SecretUnreadable = "secret_unreadable",
    /// An empty secret was given.
    SecretEmpty = "secret_empty",

    /// The text is not a waybill number.
    InvalidWaybill = "invalid_waybill",
    /// The interception step does not follow the steps already recorded.
    InterceptionStep = "interception_step",
    /// The shop's parcel rules file cannot be read or is not valid.
    ParcelRulesInvalid = "parcel_rules_invalid",
    /// The tracking provider did not answer in time.
    TrackTimeout = "track_timeout",
    /// The tracking provider could not be reached.
    TrackNetwork = "track_network",
    /// The tracking provider answered with an HTTP error status.
    TrackHttp = "track_http",
    /// The tracking provider refused the query with one of its own error codes.
    TrackProvider = "track_provider",
    /// The tracking provider's answer could not be read.
    TrackMalformed = "track_malformed",
    /// The tracking provider's answer was larger than the limit.
    TrackTooLarge = "track_too_large",
    /// Asking the tracking provider again now would break its rate limit.
    TrackRateLimited = "track_rate_limited",
    /// The provider needs the courier, and the parcel has none yet.
    TrackCourierNeeded = "track_courier_needed",
    /// The tracking address is plain http to another computer, which would expose the key.
    TrackInsecureUrl = "track_insecure_url",
    /// The tracking settings are incomplete (no key, no customer id, a bad address).
    TrackSettings = "track_settings",
    /// The tracking client could not be set up (a TLS or system configuration problem).
    TrackClient = "track_client",
    /// No tracking provider is configured: the parcel's state is recorded by hand.
    TrackManual = "track_manual",
    /// No member of the shop has that id or name.
    MemberNotFound = "member_not_found",
    /// Another live member already has that name.
    DuplicateMember = "duplicate_member",
    /// The change would leave the shop without a 店长.
    LastOwner = "last_owner",
    /// Only a computer bound to a 店长 may change members or the shop's settings once the shop has one.
    NotOwner = "not_owner",
    /// The shared location has no such file or folder.
    SyncNotFound = "sync_not_found",
    /// The shared location refused the credentials (a wrong WebDAV app password or S3 key).
    SyncUnauthorized = "sync_unauthorized",
    /// The shared location asked to slow down (HTTP 429 or 503).
    SyncRateLimited = "sync_rate_limited",
    /// The shared location did not answer in time.
    SyncTimeout = "sync_timeout",
    /// The shared location could not be reached (offline, a wrong address).
    SyncUnreachable = "sync_unreachable",
    /// A folder listing failed or came back inconsistent; nothing is read as deleted.
    SyncListingFailed = "sync_listing_failed",
    /// A WebDAV listing reached the server's entry cap (坚果云 lists at most 750).
    SyncListingCapped = "sync_listing_capped",
    /// A listing was larger than AfterDesk reads.
    SyncListingTooLarge = "sync_listing_too_large",
    /// A shared file is larger than AfterDesk reads or writes.
    SyncFileTooLarge = "sync_file_too_large",
    /// The server says this computer's clock is too far off.
    SyncClockSkewed = "sync_clock_skewed",
    /// The shared location's address is not https (plain http only to this computer).
    SyncInsecureUrl = "sync_insecure_url",
    /// A path at the shared location is not a plain relative name.
    SyncInvalidPath = "sync_invalid_path",
    /// The sync location's settings are incomplete or invalid.
    SyncSettings = "sync_settings",
    /// The HTTP client for the shared location could not be set up.
    SyncClient = "sync_client",
    /// The shared location answered with an unexpected HTTP status.
    SyncHttp = "sync_http",
    /// Reading or writing the shared folder on this computer failed.
    SyncIo = "sync_io",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Compares with a code string, so code that branched on the old string codes
/// (`e.code == "busy"`) reads the same and keeps working with the typed code.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_serialises_as_its_code_string_and_back() {
        for &code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(
                wire,
                serde_json::Value::String(code.as_str().to_owned()),
                "the wire form of {code:?} is the library's code string, so the CLI's JSON does not change"
            );
            let back: ErrorCode = serde_json::from_value(wire).unwrap();
            assert_eq!(back, code, "{code:?} reads back from its wire form");
            assert_eq!(
                ErrorCode::of(code.as_str()),
                code,
                "looking a code string up gives its own variant"
            );
        }
    }

    #[test]
    fn codes_are_unique_and_an_unknown_code_is_the_catch_all() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(
                seen.insert(code.as_str()),
                "{code} is declared once, so a code string names one variant"
            );
        }
        assert!(
            ErrorCode::Busy == "busy" && ErrorCode::Busy != "open",
            "a typed code equals its own code string and no other"
        );
        for unknown in ["", "no_such_code", "Case_Not_Found"] {
            assert_eq!(
                ErrorCode::of(unknown),
                ErrorCode::Error,
                "an unknown code {unknown:?} reads as the catch-all"
            );
        }
    }
}
