/**
 * What this window used to keep for the agent before members and their limits moved into
 * the shop: the agent's name and compensation limit in the browser storage. On start they
 * are handed to the shop once ({@link adoptOldSettings}) and then forgotten here. Only the
 * language stays in the browser storage (see `i18n`).
 */
import { adoptLocalSettings, whoami, type AdoptedView, type MemberView } from './api';

/** Where an older version remembered the agent name. */
export const AGENT_STORAGE_KEY = 'afterdesk.agent';

/** Where an older version remembered the agent's compensation limit, in fen. */
export const AGENT_LIMIT_STORAGE_KEY = 'afterdesk.agentLimitFen';

/** The agent name and limit an older version kept on this computer, if any. */
export interface OldSettings {
  /** The name the agent typed, trimmed; `null` when none was saved. */
  readonly agentName: string | null;
  /** The limit in fen; `null` when none was saved. */
  readonly agentLimitFen: number | null;
}

/** Reads what an older version kept; storage that cannot be read keeps nothing. */
export function readOldSettings(): OldSettings {
  try {
    const name = window.localStorage.getItem(AGENT_STORAGE_KEY)?.trim() || null;
    const limit = Number.parseInt(window.localStorage.getItem(AGENT_LIMIT_STORAGE_KEY) ?? '', 10);
    return { agentName: name, agentLimitFen: Number.isFinite(limit) && limit >= 0 ? limit : null };
  } catch {
    return { agentName: null, agentLimitFen: null };
  }
}

function forgetOldSettings(): void {
  try {
    window.localStorage.removeItem(AGENT_STORAGE_KEY);
    window.localStorage.removeItem(AGENT_LIMIT_STORAGE_KEY);
  } catch {
    // Storage is unavailable: there is nothing to forget either.
  }
}

/**
 * Hands this computer's old name and limit to the shop (a member bound to this computer,
 * the 客服 role's limit if the shop has none) and forgets them here only once the shop has
 * them, so nothing a user set is lost when the call fails. Called on every start of a real
 * shop (never the demo, which lives in memory): the shop changes nothing the second time,
 * and a `parcel-rules.toml` beside the shop file is taken over the same way.
 */
export async function adoptOldSettings(): Promise<AdoptedView> {
  const old = readOldSettings();
  const adopted = await adoptLocalSettings(old.agentName, old.agentLimitFen);
  forgetOldSettings();
  return adopted;
}

/**
 * Gets the shop ready for this computer: adopts the old settings on a real shop, then
 * reads which member works here (the agent every change is recorded as). A failure leaves
 * the old settings in place for the next start and is returned, not thrown.
 */
export async function startTeam(demo: boolean): Promise<{ member: MemberView | null; error: string | null }> {
  let error: string | null = null;
  if (!demo) {
    try {
      await adoptOldSettings();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  try {
    return { member: await whoami(), error };
  } catch (e) {
    return { member: null, error: error ?? (e instanceof Error ? e.message : String(e)) };
  }
}
