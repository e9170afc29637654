/**
 * Translated labels for the keys the Rust side sends (scenario kinds, flags, refund
 * statuses). A key this version does not know falls back to the text the server gave.
 */
import type { MessageKey } from '../i18n';

/** Every scenario kind key, in the order the Rust `ScenarioKind` declares them. */
export const KINDS = [
  'refund_unshipped',
  'refund_in_transit',
  'return_refund',
  'refund_only_received',
  'exchange',
  'repair',
  'reship',
  'not_received',
  'logistics_delay',
  'quality_issue',
  'not_as_described',
  'wrong_or_missing_item',
  'damaged_in_transit',
  'return_no_reason',
  'shipping_cost',
  'refund_progress',
  'counterfeit_claim',
  'delayed_shipping',
  'price_drop',
  'invoice',
  'complaint',
  'complaint_threat',
  'bad_review',
  'other',
] as const;

/** Every flag colour key, and the colour it is drawn in. */
export const FLAGS = {
  red: '#f5222d',
  yellow: '#fadb14',
  green: '#52c41a',
  blue: '#1677ff',
  purple: '#722ed1',
  grey: '#8c8c8c',
} as const;

/** A flag colour key. */
export type FlagKey = keyof typeof FLAGS;

/** Narrows a string to a flag key. */
export function isFlag(value: string | null | undefined): value is FlagKey {
  return typeof value === 'string' && value in FLAGS;
}

type T = (key: MessageKey) => string;

/** The translated name of a kind, or `fallback` for a key this version does not know. */
export function kindLabel(t: T, kind: string, fallback?: string): string {
  return (KINDS as readonly string[]).includes(kind) ? t(`kind.${kind}` as MessageKey) : (fallback ?? kind);
}

const STATUSES = [
  'awaiting_seller',
  'awaiting_return',
  'awaiting_receipt',
  'seller_refused',
  'succeeded',
  'closed',
  'unknown',
];

/** The translated name of a refund status key. */
export function statusLabel(t: T, status: string, fallback?: string | null): string {
  if (status === 'unknown' && fallback) {
    return fallback;
  }
  return STATUSES.includes(status) ? t(`status.${status}` as MessageKey) : (fallback ?? status);
}
