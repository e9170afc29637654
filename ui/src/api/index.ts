/**
 * The only place the UI talks to the Rust side.
 *
 * Screens import from here, never from `@tauri-apps/api` directly, so that generated
 * bindings (for example from tauri-specta) can later replace these hand-written wrappers
 * without touching any component. Outside Tauri (a plain browser, Vite dev without the
 * shell, unit tests) the calls degrade to "no data" instead of throwing.
 */
import { invoke } from '@tauri-apps/api/core';

/** Mirrors `afterdesk_app::commands::AppInfo`. */
export interface AppInfo {
  /** The app's version, e.g. `"0.1.0"`. */
  readonly version: string;
  /** The product name, always `"AfterDesk"`. */
  readonly name: string;
}

/** True when the page runs inside the Tauri shell (its IPC bridge is present). */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/** Asks the shell for its name and version; `null` when not running inside Tauri. */
export async function getAppInfo(): Promise<AppInfo | null> {
  if (!isTauri()) {
    return null;
  }
  return invoke<AppInfo>('app_info');
}
