import { createContext } from 'react';

import type { MessageParams } from './format';
import type { Locale } from './locales';
import type { MessageKey } from './zh-CN';

/** What `useI18n()` hands to components. */
export interface I18nValue {
  /** The language currently shown. */
  readonly locale: Locale;
  /** Switches the UI language (our strings, Ant Design's texts and `<html lang>`). */
  readonly setLocale: (locale: Locale) => void;
  /** Translates `key` into the current language, filling `{name}` placeholders. */
  readonly t: (key: MessageKey, params?: MessageParams) => string;
  /**
   * Turns anything a `catch` receives (a command's error, a JavaScript error) into one line
   * in the current language: the error code's translation, with the original text as
   * details when it names something (a file, a field).
   */
  readonly errorText: (error: unknown) => string;
}

/** Holds the current language; `null` outside an `I18nProvider`, which is a programming error. */
export const I18nContext = createContext<I18nValue | null>(null);
