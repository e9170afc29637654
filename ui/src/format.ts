/**
 * Display formatting shared by the screens: money in fen shown as yuan, and instants
 * (RFC 3339 strings from the Rust side) shown as China wall-clock time whatever the
 * computer's time zone, because platform deadlines run on China time.
 */

/** Fen to `¥12.50`; integer arithmetic, so no floating-point rounding creeps in. */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) {
    return '';
  }
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}¥${yuan.toLocaleString('en-US')}.${cents}`;
}

/** The offset of China Standard Time from UTC, in milliseconds (UTC+8, no DST since 1991). */
const CHINA_OFFSET_MS = 8 * 3600 * 1000;

/** An RFC 3339 instant as China time, `2026-11-22 18:00`; empty for none. */
export function formatChinaTime(instant: string | null | undefined, withSeconds = false): string {
  if (!instant) {
    return '';
  }
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) {
    return instant;
  }
  const iso = new Date(ms + CHINA_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, withSeconds ? 19 : 16)}`;
}

/** A file size for people: `812 B`, `4.2 KB`, `36.0 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
