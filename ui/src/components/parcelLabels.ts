import type { MessageKey } from '../i18n';

type T = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Courier keys, in the order the add-parcel form lists them. */
export const COURIERS = ['sf', 'zto', 'yto', 'sto', 'yunda', 'jt', 'ems', 'jd', 'deppon', 'other'] as const;
/** Parcel directions. */
export const DIRECTIONS = ['outbound', 'return', 'reship', 'exchange_out'] as const;
/** Normalised parcel states. */
export const PARCEL_STATES = [
  'no_record',
  'picked_up',
  'in_transit',
  'out_for_delivery',
  'signed',
  'signed_by_agent',
  'problem',
  'returned_to_sender',
  'refused',
  'intercepted',
] as const;
/** Interception states and steps. */
export const INTERCEPTION_STEPS = [
  'none',
  'requested',
  'succeeded',
  'failed',
  'back_in_warehouse',
  'buyer_keeps',
  'switched_to_return',
] as const;

/** Tag colours by state: red where someone must act, green when delivered. */
export const STATE_COLORS: Record<string, string> = {
  no_record: 'default',
  picked_up: 'blue',
  in_transit: 'blue',
  out_for_delivery: 'cyan',
  signed: 'green',
  signed_by_agent: 'green',
  problem: 'red',
  returned_to_sender: 'orange',
  refused: 'red',
  intercepted: 'purple',
};

function label(t: T, prefix: string, key: string, known: readonly string[], fallback?: string | null): string {
  if (known.includes(key)) return t(`${prefix}.${key}` as MessageKey);
  return fallback ?? key;
}

/** A courier's name in the UI language (the Rust name for a key the UI does not know). */
export function courierLabel(t: T, key: string, fallback?: string | null): string {
  return label(t, 'parcel.courier', key, COURIERS, fallback);
}

/** A direction's name. */
export function directionLabel(t: T, key: string, fallback?: string | null): string {
  return label(t, 'parcel.direction', key, DIRECTIONS, fallback);
}

/** A state's name. */
export function stateLabel(t: T, key: string, fallback?: string | null): string {
  return label(t, 'parcel.state', key, PARCEL_STATES, fallback);
}

/** An interception step's or state's name. */
export function stepLabel(t: T, key: string, fallback?: string | null): string {
  return label(t, 'parcel.step', key, INTERCEPTION_STEPS, fallback);
}
