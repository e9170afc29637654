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

/** Where the agent's compensation limit (in fen) is remembered. */
export const AGENT_LIMIT_STORAGE_KEY = 'afterdesk.agentLimitFen';

/**
 * The training decks' default limit: an agent settles up to 30 yuan alone, above it a
 * manager approves. Each agent's computer keeps its own limit, because limits are per
 * person (a senior agent may have a higher one).
 */
export const DEFAULT_AGENT_LIMIT_FEN = 3000;

/** The agent's compensation limit in fen. */
export function getAgentLimitFen(): number {
  try {
    const stored = Number.parseInt(window.localStorage.getItem(AGENT_LIMIT_STORAGE_KEY) ?? '', 10);
    return Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_AGENT_LIMIT_FEN;
  } catch {
    return DEFAULT_AGENT_LIMIT_FEN;
  }
}

/** Remembers the agent's compensation limit; zero or less goes back to the default. */
export function setAgentLimitFen(fen: number): void {
  try {
    if (Number.isFinite(fen) && fen > 0) {
      window.localStorage.setItem(AGENT_LIMIT_STORAGE_KEY, String(Math.round(fen)));
    } else {
      window.localStorage.removeItem(AGENT_LIMIT_STORAGE_KEY);
    }
  } catch {
    // Storage is unavailable: the limit lasts for this session only.
  }
}
