/**
 * A tiny typed i18n layer.
 *
 * Every user-visible string lives in a locale file (`zh-CN.ts`, `zh-TW.ts`, `en.ts`);
 * components ask for them with `useI18n().t('key')`. The Simplified Chinese file is the
 * source of the key type, so a key missing from any other language fails type-checking.
 */
export { ERROR_TEXTS, describeError, errorText, type ErrorDescription } from './errors';
export { formatMessage, type MessageParams } from './format';
export { I18nProvider, LOCALE_STORAGE_KEY, type I18nProviderProps } from './I18nProvider';
export { BUNDLES, DEFAULT_LOCALE, LOCALES, isLocale, type Locale, type LocaleBundle } from './locales';
export { useI18n } from './useI18n';
export type { I18nValue } from './context';
export type { MessageKey, Messages } from './zh-CN';
