/**
 * The agent's own settings, kept in the browser storage of this window: who is acting
 * (written into notes and the case history).
 */

/** Where the agent name is remembered between launches. */
export const AGENT_STORAGE_KEY = 'afterdesk.agent';

/** The name used until the agent sets one; the history still shows who did what. */
export const DEFAULT_AGENT = '客服';

/** The agent name from the settings, or {@link DEFAULT_AGENT}. */
export function getAgent(): string {
  try {
    const stored = window.localStorage.getItem(AGENT_STORAGE_KEY)?.trim();
    return stored ? stored : DEFAULT_AGENT;
  } catch {
    return DEFAULT_AGENT;
  }
}

/** Remembers the agent name; an empty name goes back to the default. */
export function setAgent(name: string): void {
  try {
    const trimmed = name.trim();
    if (trimmed) {
      window.localStorage.setItem(AGENT_STORAGE_KEY, trimmed);
    } else {
      window.localStorage.removeItem(AGENT_STORAGE_KEY);
    }
  } catch {
    // Storage is unavailable: the name lasts for this session only.
  }
}
