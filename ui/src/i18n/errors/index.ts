import type { ErrorCode } from '../../api';
import { formatMessage } from '../format';
import { BUNDLES, type Locale } from '../locales';
import { enErrors } from './en';
import { zhCNErrors } from './zh-CN';
import { zhTWErrors } from './zh-TW';

/** Every error code's text in each language; a missing language or code fails tsc. */
export const ERROR_TEXTS: Record<Locale, Record<ErrorCode, string>> = {
  'zh-CN': zhCNErrors,
  'zh-TW': zhTWErrors,
  en: enErrors,
};

/**
 * Codes whose Chinese message from the core says nothing the translation does not (no
 * file, field or number in it), so repeating it as details would only add noise, and in
 * another language would put an untranslated sentence on screen for nothing.
 */
const WITHOUT_DETAILS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'busy',
  'cancelled',
  'demo',
  'no_evidence_folder',
  'polish_disabled',
  'polish_no_key',
  'secret_empty',
  'track_manual',
]);

/** A failure as a screen shows it: a headline in the UI language and optional details. */
export interface ErrorDescription {
  /** The typed code; `error` when the thrown value carried none we know. */
  readonly code: ErrorCode;
  /** What went wrong and what to do, in the UI language. */
  readonly headline: string;
  /** The original text (the core's Chinese message, or a script error's), when it adds
   * something such as a file path, a row or a field name. */
  readonly details?: string;
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(enErrors, value);
}

/**
 * Describes anything a `catch` receives: a command's error (the API's `ApiError`, or a raw
 * `{code, message}`), a JavaScript `Error`, a string, or anything else. Command errors are
 * recognised by shape, not by class, so a test that mocks the API module still gets them
 * translated.
 */
export function describeError(error: unknown, locale: Locale): ErrorDescription {
  let code: ErrorCode = 'error';
  let original: string | undefined;
  if (typeof error === 'object' && error !== null) {
    const { code: raw, message } = error as { code?: unknown; message?: unknown };
    if (isErrorCode(raw)) code = raw;
    if (typeof message === 'string') original = message;
  } else if (typeof error === 'string') {
    original = error;
  }
  const headline = ERROR_TEXTS[locale][code];
  const details =
    original !== undefined && original.trim() !== '' && original !== headline && !WITHOUT_DETAILS.has(code)
      ? original
      : undefined;
  return details === undefined ? { code, headline } : { code, headline, details };
}

/**
 * One line for a toast or an alert: the headline in the UI language, followed by the
 * details in brackets when they help (a file, a row, a field).
 */
export function errorText(error: unknown, locale: Locale): string {
  const { headline, details } = describeError(error, locale);
  if (details === undefined) return headline;
  return formatMessage(BUNDLES[locale].messages, 'error.withDetails', { headline, details });
}
