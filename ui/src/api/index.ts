/**
 * The only place the UI talks to the Rust side.
 *
 * The commands and their types are generated from the Rust code by tauri-specta into
 * `bindings.ts` (committed, and checked fresh by a Rust test). This module re-exports the
 * types and wraps each command so that screens get plain promises: a command's
 * `{code, message}` error becomes a thrown {@link ApiError}, and input objects may leave
 * out fields they do not set. Who a change is recorded as is settled in Rust (the member
 * this computer is bound to), never sent from here.
 * Screens import from here only, never from `@tauri-apps/api` or the bindings directly,
 * which also lets tests mock this one module.
 */
import { Channel } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';

import {
  commands,
  type AppInfo,
  type ClockSettings,
  type BackupView,
  type CaseChangeInput_Deserialize,
  type CaseClocksView_Serialize,
  type CaseEvidenceView_Serialize,
  type CopyProgressView,
  type ProofView_Serialize,
  type ClockView_Serialize,
  type DashboardEntryView_Serialize,
  type DashboardView_Serialize,
  type CaseDetailView_Serialize,
  type CaseListView_Serialize,
  type CaseQueryInput_Deserialize,
  type CaseView_Serialize,
  type CommandError,
  type ErrorCode,
  type EventView_Serialize,
  type ImportPreviewView_Serialize,
  type ImportProgress,
  type ImportReportView,
  type NewCaseInput_Deserialize,
  type NoteView,
  type OrderView_Serialize,
  type ShopInfo,
  type RestoredShop,
  type AcceptImportInput,
  type AcceptImportView,
  type ClassificationView,
  type CopyDraftInput,
  type DraftCopyView,
  type DraftOptions_Deserialize,
  type DraftView_Serialize,
  type ReplyCheckView,
  type ScriptImportView,
  type ScriptInput_Deserialize,
  type ScriptQueryInput_Deserialize,
  type ScriptVersionView,
  type ScriptView,
  type AttentionListView_Serialize,
  type CaseParcelsView_Serialize,
  type CourierHintView,
  type InterceptionInput_Deserialize,
  type InterceptionView_Serialize,
  type NewParcelInput_Deserialize,
  type ParcelView_Serialize,
  type RefreshProgressView,
  type RefreshReportView_Serialize,
  type TrackingSettings_Serialize,
  type TrackingSettingsView_Serialize,
} from './bindings';

/** The agent name notes and the history carry while this computer is bound to no member. */
export const UNBOUND_AGENT = '客服';

/**
 * This computer's member as last read by {@link whoami} (or set by
 * {@link bindThisComputer}), for showing who this computer records changes as (the Rust
 * side records them so by itself).
 */
let thisMember: MemberView | null = null;

/** The name changes made here are recorded as (shown in the UI): this computer's member, or 客服. */
export function currentAgent(): string {
  return thisMember?.name ?? UNBOUND_AGENT;
}

export type {
  AppInfo,
  CalendarYearView,
  ClockSettings,
  CopyProgressView,
  EvidenceItemView_Serialize as EvidenceItemView,
  EvidenceSituationView_Serialize as EvidenceSituationView,
  UnboxingView,
  BackupView,
  CommandError,
  ErrorCode,
  RestoreView,
  RestoredShop,
  SyncClient,
  SyncedFolder,
  PreviewColumnView,
  ImportProgress,
  ImportReportView,
  KindCount,
  NoteView,
  RowErrorView,
  ShopInfo,
  ShopSummary,
  AcceptImportInput,
  AcceptImportView,
  ClassificationView,
  CopyDraftInput,
  DraftCopyView,
  KindGuessView,
  LintView,
  MarkView,
  ReplyCheckView,
  TimelineField,
  PlaceholderView,
  ProposalView,
  ScriptImportView,
  ScriptVersionView,
  ScriptView,
  SkippedLineView,
  VariantChoiceView,
  CourierHintView,
  RefreshProgressView,
} from './bindings';

// specta writes two shapes for a type whose serde forms differ (an optional field may be
// left out when the UI sends it, but Rust always writes it). Values coming from Rust use
// the `_Serialize` shape and values going to Rust the `_Deserialize` one; the screens only
// see these plain names.
/** A case as Rust sends it. */
export type CaseView = CaseView_Serialize;
/** One page of cases. */
export type CaseListView = CaseListView_Serialize;
/** A case with its notes, timeline and order. */
export type CaseDetailView = CaseDetailView_Serialize;
/** One timeline entry. */
export type EventView = EventView_Serialize;
/** The order behind a case. */
export type OrderView = OrderView_Serialize;
/** A list filter as the UI sends it. */
export type CaseQueryInput = CaseQueryInput_Deserialize;
/** The start of an export file as the import will read it. */
export type ImportPreviewView = ImportPreviewView_Serialize;
/** A case's evidence: checklists with proofs, readiness, video checks. */
export type CaseEvidenceView = CaseEvidenceView_Serialize;
/** One attached file. */
export type ProofView = ProofView_Serialize;
/** One clock of one case. */
export type ClockView = ClockView_Serialize;
/** Every clock of one case. */
export type CaseClocksView = CaseClocksView_Serialize;
/** One open case on the deadline list. */
export type DashboardEntryView = DashboardEntryView_Serialize;
/** Open cases by urgency, with counts. */
export type DashboardView = DashboardView_Serialize;
/** A change to a case's own fields. */
export type CaseChangeInput = CaseChangeInput_Deserialize;
/** A case opened by hand. */
export type NewCaseInput = NewCaseInput_Deserialize;
/** A reply draft with its variants, lint and compensation suggestion. */
export type DraftView = DraftView_Serialize;
/** What the draft panel asks for. */
export type DraftOptions = DraftOptions_Deserialize;
/** A case's parcels, attention items and interception. */
export type CaseParcelsView = CaseParcelsView_Serialize;
/** One parcel with its events. */
export type ParcelView = ParcelView_Serialize;
/** One attention item. */
export type AttentionView = AttentionListView_Serialize['items'][number];
/** The parcels needing attention. */
export type AttentionListView = AttentionListView_Serialize;
/** One tracking event. */
export type TraceView = ParcelView_Serialize['events'][number];
/** A case's interception. */
export type InterceptionView = InterceptionView_Serialize;
/** What a refresh did. */
export type RefreshReportView = RefreshReportView_Serialize;
/** The tracking settings (no key). */
export type TrackingSettings = TrackingSettings_Serialize;
/** The tracking settings and whether the key is saved. */
export type TrackingSettingsView = TrackingSettingsView_Serialize;
/** A script as the editor saves it. */
export type ScriptInput = ScriptInput_Deserialize;
/** The script library's filter. */
export type ScriptQueryInput = ScriptQueryInput_Deserialize;

/**
 * A command failed; `code` is stable (listed in crates/desk/src/error_code.rs) and is what
 * screens show, translated (`useI18n().errorText`); `message` is the core's Chinese text,
 * kept for logs and as the details line.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(error: CommandError) {
    super(error.message);
    this.name = 'ApiError';
    this.code = error.code;
  }
}

/** True when the page runs inside the Tauri shell (its IPC bridge is present). */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

type Result<T> = { status: 'ok'; data: T } | { status: 'error'; error: CommandError };

async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const result = await call;
  if (result.status === 'error') {
    throw new ApiError(result.error);
  }
  return result.data;
}

/** Asks the shell for its name and version; `null` when not running inside Tauri. */
export async function getAppInfo(): Promise<AppInfo | null> {
  if (!isTauri()) {
    return null;
  }
  return commands.appInfo();
}

/** Which shop is open and its case counts. */
export function shopInfo(): Promise<ShopInfo> {
  return unwrap(commands.shopInfo());
}

/** A case-list filter in which every field may be left out. */
export type CaseQuery = Partial<CaseQueryInput>;

/** One page of cases. */
export function listCases(query: CaseQuery): Promise<CaseListView> {
  const full: CaseQueryInput = {
    open: null,
    kind: null,
    flag: null,
    assignee: null,
    text: null,
    sort: null,
    limit: 0,
    offset: 0,
    ...query,
  };
  return unwrap(commands.listCases(full));
}

/** A case with its notes, timeline and order. */
export function caseDetail(key: string): Promise<CaseDetailView> {
  return unwrap(commands.caseDetail(key));
}

/** Appends a note, written by the agent named in the settings. */
export function addNote(key: string, text: string): Promise<NoteView> {
  return unwrap(commands.addNote(key, text));
}

/** A change in which every field may be left out. */
export type CaseChange = Partial<CaseChangeInput>;

/** Changes a case's own fields. */
export function changeCase(key: string, change: CaseChange): Promise<CaseView> {
  return unwrap(commands.changeCase(key, fullChange(change)));
}

function fullChange(change: CaseChange): CaseChangeInput {
  return {
    kind: null,
    status: null,
    flag: null,
    assignee: null,
    open: null,
    add_tags: [],
    remove_tags: [],
    ...change,
  };
}

/** Applies one change to several cases at once: all of them change, or none. */
export function changeCases(keys: readonly string[], change: CaseChange): Promise<CaseView[]> {
  return unwrap(commands.changeCases([...keys], fullChange(change)));
}

/** A new case in which every field may be left out. */
export type NewCase = Partial<NewCaseInput>;

/** Opens a case by hand. */
export function addCase(input: NewCase): Promise<CaseView> {
  const full: NewCaseInput = {
    platform: null,
    refund_no: null,
    order_no: null,
    buyer_nick: null,
    item_title: null,
    reason_text: null,
    refund_fen: null,
    kind: null,
    flag: null,
    assignee: null,
    tags: [],
    ...input,
  };
  return unwrap(commands.addCase(full));
}

/** Deletes a case (it can be restored). */
export function deleteCase(key: string): Promise<CaseView> {
  return unwrap(commands.deleteCase(key));
}

/** Undoes a deletion. */
export function restoreCase(key: string): Promise<CaseView> {
  return unwrap(commands.restoreCase(key));
}

/** Shows the system's open-file dialog for an export; `null` when the user cancels. */
export async function chooseExportFile(title: string): Promise<string | null> {
  const chosen = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'CSV / Excel', extensions: ['csv', 'txt', 'xls', 'xlsx'] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Reads the header and first rows of an export file, importing nothing. */
export function previewImport(path: string): Promise<ImportPreviewView> {
  return unwrap(commands.previewImport(path));
}

/** Imports a file, calling `onProgress` as rows are read. */
export function importFile(
  path: string,
  onProgress: (progress: ImportProgress) => void,
): Promise<ImportReportView> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return unwrap(commands.importFile(path, channel));
}

/** Stops a running import; the shop stays as it was. */
export function cancelImport(): Promise<null> {
  return unwrap(commands.cancelImport());
}

/** Switches to the demo shop. */
export function openDemoShop(): Promise<ShopInfo> {
  return unwrap(commands.openDemoShop());
}

/** Leaves the demo shop. */
export function closeDemoShop(): Promise<ShopInfo> {
  return unwrap(commands.closeDemoShop());
}

/** The open cases most urgent first (at most `limit` entries) and the counts. */
export function clockDashboard(limit: number): Promise<DashboardView> {
  return unwrap(commands.clockDashboard(limit));
}

/** Every clock of one case. */
export function caseClocks(key: string): Promise<CaseClocksView> {
  return unwrap(commands.caseClocks(key));
}

/** A case's evidence checklists, proofs and readiness. */
export function caseEvidence(key: string): Promise<CaseEvidenceView> {
  return unwrap(commands.caseEvidence(key));
}

/** Shows the open-file dialog for proofs (photos, PDFs, videos); `null` when cancelled. */
export async function chooseEvidenceFiles(title: string): Promise<string[]> {
  const chosen = await open({
    title,
    multiple: true,
    directory: false,
    filters: [
      {
        name: '照片 / PDF / 视频',
        extensions: ['jpg', 'jpeg', 'png', 'heic', 'webp', 'gif', 'pdf', 'mp4', 'mov', 'm4v'],
      },
      { name: '*', extensions: ['*'] },
    ],
  });
  if (chosen === null) return [];
  return Array.isArray(chosen) ? chosen : [chosen];
}

/** Shows the folder dialog; `null` when cancelled. */
export async function chooseFolder(title: string): Promise<string | null> {
  const chosen = await open({ title, multiple: false, directory: true });
  return typeof chosen === 'string' ? chosen : null;
}

/** Copies a file into the evidence folder and attaches it to the case (and item). */
export function attachEvidence(
  key: string,
  path: string,
  item: string | null,
  onProgress: (progress: CopyProgressView) => void,
): Promise<ProofView> {
  const channel = new Channel<CopyProgressView>();
  channel.onmessage = onProgress;
  return unwrap(commands.attachEvidence(key, path, item, channel));
}

/** Stops a running copy; nothing half-copied stays. */
export function cancelCopy(): Promise<null> {
  return unwrap(commands.cancelCopy());
}

/** Removes a proof from its case. */
export function detachEvidence(proofId: string): Promise<ProofView> {
  return unwrap(commands.detachEvidence(proofId));
}

/** Writes the case's evidence package into `outDir`; returns the zip's path. */
export function exportEvidencePackage(key: string, outDir: string): Promise<string> {
  return unwrap(commands.exportEvidencePackage(key, outDir));
}

/** The shop's clock rule file, its error if any, and the calendar years. */
export function clockSettings(): Promise<ClockSettings> {
  return unwrap(commands.clockSettings());
}

/** Imports a calendar year file and counts deadlines with it from now on. */
export function importCalendarYear(path: string): Promise<ClockSettings> {
  return unwrap(commands.importCalendarYear(path));
}

/** Shows the open-file dialog for a calendar year file; `null` when cancelled. */
export async function chooseCalendarFile(title: string): Promise<string | null> {
  const chosen = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'TOML', extensions: ['toml'] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Opens another shop's database file (created if missing) and remembers it. */
export function openShop(path: string): Promise<ShopInfo> {
  return unwrap(commands.openShop(path));
}

/** Shows the open-file dialog for a shop database; `null` when the user cancels. */
export async function chooseShopFile(title: string): Promise<string | null> {
  const chosen = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: 'AfterDesk', extensions: ['sqlite'] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Shows the save-file dialog for a new shop database; `null` when the user cancels. */
export async function chooseNewShopFile(title: string): Promise<string | null> {
  const chosen = await save({
    title,
    defaultPath: 'shop.sqlite',
    filters: [{ name: 'AfterDesk', extensions: ['sqlite'] }],
  });
  return chosen ?? null;
}

/** The open shop's backups, newest first. */
export function listBackups(): Promise<BackupView[]> {
  return unwrap(commands.listBackups());
}

/** Backs the open shop up now; returns the backups, newest first. */
export function backupNow(): Promise<BackupView[]> {
  return unwrap(commands.backupNow());
}

/**
 * Replaces the shop's data with the backup at `path` (the current data is saved first as a
 * `before-restore` backup) and reopens the shop; works when the shop refused to open.
 */
export function restoreBackup(path: string): Promise<RestoredShop> {
  return unwrap(commands.restoreBackup(path));
}

/**
 * Calls `handler` with the path of a file dropped onto the window; returns the function
 * that stops listening. Outside Tauri nothing is ever dropped.
 */
export function onFileDrop(handler: (path: string) => void): () => void {
  if (!isTauri()) {
    return () => undefined;
  }
  let stop: (() => void) | null = null;
  let stopped = false;
  void getCurrentWebview()
    .onDragDropEvent((event) => {
      const path = event.payload.type === 'drop' ? event.payload.paths[0] : undefined;
      if (path) handler(path);
    })
    .then((unlisten) => {
      if (stopped) unlisten();
      else stop = unlisten;
    });
  return () => {
    stopped = true;
    stop?.();
  };
}

// ---- Reply drafts and the script library (docs/drafts.md) ----

/** A draft request in which every field may be left out. */
export type DraftRequestOptions = Partial<DraftOptions>;

/** The reply draft for a case, with its variants, lint and compensation suggestion. */
export function caseDraft(key: string, options: DraftRequestOptions): Promise<DraftView> {
  const full: DraftOptions = {
    message: null,
    stage: null,
    pick: 0,
    traditional: false,
    signer: null,
    new_waybill: null,
    compensation_fen: null,
    ...options,
  };
  return unwrap(commands.caseDraft(key, full));
}

/** Lints a reply text for a scenario kind and finds the marks it still holds. */
export function lintReply(text: string, kind: string): Promise<ReplyCheckView> {
  return unwrap(commands.lintReply(text, kind));
}

/** Classifies a buyer's message. */
export function classifyMessage(message: string): Promise<ClassificationView> {
  return unwrap(commands.classifyMessage(message));
}

/** Records the reply as copied by the agent and puts it on the clipboard. */
export function copyDraft(key: string, input: CopyDraftInput): Promise<DraftCopyView> {
  return unwrap(commands.copyDraft(key, input));
}

/** The replies copied for a case, newest first. */
export function draftCopies(key: string): Promise<DraftCopyView[]> {
  return unwrap(commands.draftCopies(key));
}

/** A library filter in which every field may be left out. */
export type ScriptQuery = Partial<ScriptQueryInput>;

/** The script library, filtered. */
export function scriptLibrary(query: ScriptQuery): Promise<ScriptView[]> {
  return unwrap(commands.scriptLibrary({ search: null, kind: null, stage: null, origins: [], ...query }));
}

/** Saves a script from the editor. */
export function saveScript(input: ScriptInput): Promise<ScriptView> {
  return unwrap(commands.saveScript(input));
}

/** Turns a script on or off for drafts. */
export function setScriptEnabled(id: string, enabled: boolean): Promise<ScriptView> {
  return unwrap(commands.setScriptEnabled(id, enabled));
}

/** Removes a script (or the shop's edit of a built-in); `removed = false` undoes it. */
export function removeScript(id: string, removed: boolean): Promise<null> {
  return unwrap(commands.removeScript(id, removed));
}

/** A script's saved versions, newest first. */
export function scriptHistory(id: string): Promise<ScriptVersionView[]> {
  return unwrap(commands.scriptHistory(id));
}

/** Shows the open-file dialog for training material; `null` when cancelled. */
export async function chooseTrainingFile(title: string): Promise<string | null> {
  const chosen = await open({
    title,
    multiple: false,
    directory: false,
    filters: [{ name: '培训资料', extensions: ['txt', 'md', 'docx', 'pptx'] }],
  });
  return typeof chosen === 'string' ? chosen : null;
}

/** Reads a training file into proposals for review; nothing is stored. */
export function previewScriptImport(path: string): Promise<ScriptImportView> {
  return unwrap(commands.previewScriptImport(path));
}

/** Reads pasted training text into proposals for review. */
export function previewScriptText(text: string): Promise<ScriptImportView> {
  return unwrap(commands.previewScriptText(text));
}

/** Stores the proposals the reviewer accepted. */
export function acceptScriptImport(input: AcceptImportInput): Promise<AcceptImportView> {
  return unwrap(commands.acceptScriptImport(input));
}

// ---- Parcels (docs/parcels.md) ----

/** A case's parcels with their events, attention items and interception. */
export function caseParcels(key: string): Promise<CaseParcelsView> {
  return unwrap(commands.caseParcels(key));
}

/** The parcels needing attention across open cases. */
export function parcelAttention(): Promise<AttentionListView> {
  return unwrap(commands.parcelAttention());
}

/** A new parcel in which the optional fields may be left out. */
export type NewParcel = Pick<NewParcelInput_Deserialize, 'case' | 'waybill'> & Partial<NewParcelInput_Deserialize>;

/** Adds a parcel to a case by hand. */
export function addParcel(input: NewParcel): Promise<ParcelView> {
  return unwrap(commands.addParcel({ courier: null, direction: null, phone_tail: null, ...input }));
}

/** Changes a parcel's courier, phone tail or direction (`null` leaves it alone). */
export function changeParcel(
  id: string,
  change: { courier?: string | null; phone_tail?: string | null; direction?: string | null },
): Promise<ParcelView> {
  return unwrap(commands.changeParcel(id, change.courier ?? null, change.phone_tail ?? null, change.direction ?? null));
}

/** Removes a parcel (its events stay recorded). */
export function removeParcel(id: string): Promise<ParcelView> {
  return unwrap(commands.removeParcel(id));
}

/** Records a parcel's state by hand. */
export function recordParcelState(id: string, state: string, text: string | null, place: string | null): Promise<ParcelView> {
  return unwrap(commands.recordParcelState(id, state, text, place));
}

/** What a waybill number's shape suggests about its courier. */
export function courierHint(waybill: string): Promise<CourierHintView> {
  return unwrap(commands.courierHint(waybill));
}

/** An interception step in which the optional fields may be left out. */
export type InterceptionStepInput = Pick<InterceptionInput_Deserialize, 'case' | 'step'> & Partial<InterceptionInput_Deserialize>;

/** Records an interception step. */
export function intercept(input: InterceptionStepInput): Promise<InterceptionView> {
  return unwrap(
    commands.intercept({ parcel: null, courier: null, contact: null, note: null, ...input }),
  );
}

/** Puts a text on the clipboard. */
export function copyText(text: string): Promise<null> {
  return unwrap(commands.copyText(text));
}

/** The shop's tracking settings and whether the provider's key is saved. */
export function trackingSettings(): Promise<TrackingSettingsView> {
  return unwrap(commands.trackingSettings());
}

/** Saves the tracking settings and, when given, the provider's key (into the keychain). */
export function saveTrackingSettings(settings: TrackingSettings, key: string | null): Promise<TrackingSettingsView> {
  return unwrap(commands.saveTrackingSettings(settings, key));
}

/** Deletes the provider's key from the keychain. */
export function deleteTrackingKey(): Promise<TrackingSettingsView> {
  return unwrap(commands.deleteTrackingKey());
}

/** Refreshes one case's (or waybill's) parcels, or all open cases' with `null`. */
export function refreshParcels(
  scope: string | null,
  onProgress: (progress: RefreshProgressView) => void,
): Promise<RefreshReportView> {
  const channel = new Channel<RefreshProgressView>();
  channel.onmessage = onProgress;
  return unwrap(commands.refreshParcels(scope, channel));
}

/** Stops a running refresh; what was answered is kept. */
export function cancelRefresh(): Promise<null> {
  return unwrap(commands.cancelRefresh());
}

// ---- AI 润色（可选）(docs/drafts.md) ----
// Types are named through `import()` so that this section stays self-contained.

/** The AI polish settings as the settings card edits them; the key is never among them. */
export type PolishConfigView = import('./bindings').PolishConfigView_Deserialize;
/** The settings card's view: the settings, whether a key is saved, what went wrong. */
export type PolishSettingsView = import('./bindings').PolishSettingsView_Serialize;
/** A polished draft: the proposal, what was sent, what was removed, the warnings. */
export type PolishedView = import('./bindings').PolishedView;

/** The AI polish settings of the open shop and whether this computer has a key. */
export function polishSettings(): Promise<PolishSettingsView> {
  return unwrap(commands.polishSettings());
}

/**
 * Whether the open shop turned the AI polish on (the draft panel's button). Reads the
 * settings file only, never the keychain; outside the app, or on any error, it is off.
 */
export async function polishEnabled(): Promise<boolean> {
  if (!isTauri()) return false;
  try {
    return await unwrap(commands.polishEnabled());
  } catch {
    return false;
  }
}

/** Saves the AI polish settings beside the shop database (never the key). */
export function savePolishSettings(settings: PolishConfigView): Promise<PolishSettingsView> {
  return unwrap(commands.savePolishSettings(settings));
}

/** Stores the API key in this computer's keychain; it is never read back. */
export function setPolishKey(key: string): Promise<PolishSettingsView> {
  return unwrap(commands.setPolishKey(key));
}

/** Removes the API key from this computer's keychain. */
export function deletePolishKey(): Promise<PolishSettingsView> {
  return unwrap(commands.deletePolishKey());
}

/** Polishes a draft of a case; the buyer's data is removed before it is sent. */
export function polishDraft(key: string, text: string): Promise<PolishedView> {
  return unwrap(commands.polishDraft(key, text));
}

// ---- Members and the shop's settings (docs/desktop.md) ----

/** A member of the shop. */
export type MemberView = import('./bindings').MemberView;
/** A new member. */
export type MemberInput = import('./bindings').MemberInput;
/** What the old settings of this computer became. */
export type AdoptedView = import('./bindings').AdoptedView_Serialize;
/** The shop's settings as Rust sends them. */
export type ShopSettings = import('./bindings').ShopSettings_Serialize;
/** The shop's settings as the settings card saves them. */
export type ShopSettingsInput = import('./bindings').ShopSettings_Deserialize;

/** The role keys, in the order the UI lists them. */
export const ROLES = ['agent', 'warehouse', 'finance', 'owner'] as const;
/** A role key. */
export type Role = (typeof ROLES)[number];

/** The shop's members, in the order they were added. */
export function listMembers(): Promise<MemberView[]> {
  return unwrap(commands.listMembers());
}

/** Adds a member (店长 only, once the shop has one). */
export function addMember(input: MemberInput): Promise<MemberView> {
  return unwrap(commands.addMember(input));
}

/** Renames a member or changes their role; a field left out stays. */
export async function changeMember(
  id: string,
  change: { name?: string | null; role?: string | null },
): Promise<MemberView> {
  const changed = await unwrap(commands.changeMember(id, { name: change.name ?? null, role: change.role ?? null }));
  if (thisMember?.id === changed.id) thisMember = changed;
  return changed;
}

/** Removes a member (the shop's last 店长 stays). */
export async function removeMember(id: string): Promise<MemberView> {
  const removed = await unwrap(commands.removeMember(id));
  if (thisMember?.id === removed.id) thisMember = null;
  return removed;
}

/** Says which member works on this computer (`null`: no one). */
export async function bindThisComputer(memberId: string | null): Promise<MemberView | null> {
  thisMember = await unwrap(commands.bindThisComputer(memberId));
  return thisMember;
}

/** The member this computer is bound to, if any; remembered as the agent of changes. */
export async function whoami(): Promise<MemberView | null> {
  thisMember = await unwrap(commands.whoami());
  return thisMember;
}

/** The shop's settings. */
export function shopSettings(): Promise<ShopSettings> {
  return unwrap(commands.shopSettings());
}

/** Saves the shop's settings (店长 only, once the shop has one). */
export function saveShopSettings(settings: ShopSettingsInput): Promise<ShopSettings> {
  return unwrap(commands.saveShopSettings(settings));
}

/** Hands this computer's old agent name and limit to the shop; changes nothing twice. */
export async function adoptLocalSettings(
  agentName: string | null,
  agentLimitFen: number | null,
): Promise<AdoptedView> {
  const adopted = await unwrap(commands.adoptLocalSettings(agentName, agentLimitFen));
  thisMember = adopted.member;
  return adopted;
}
