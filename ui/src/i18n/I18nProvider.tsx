import { ConfigProvider, type ThemeConfig } from 'antd';
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';

import { I18nContext, type I18nValue } from './context';
import { errorText } from './errors';
import { formatMessage } from './format';
import { BUNDLES, DEFAULT_LOCALE, isLocale, type Locale } from './locales';

/** Where the chosen language is remembered between launches. */
export const LOCALE_STORAGE_KEY = 'afterdesk.locale';

/** Reads the remembered language; storage can be missing or blocked, which means "default". */
function readStoredLocale(): Locale {
  try {
    const stored = window.localStorage.getItem(LOCALE_STORAGE_KEY);
    return isLocale(stored) ? stored : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

/** Remembers the language; failing to store it only means asking again next launch. */
function storeLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // Storage is unavailable (private mode, quota): the choice lasts for this session only.
  }
}

/** Props of {@link I18nProvider}. */
export interface I18nProviderProps {
  /** Forces the starting language (tests, previews); otherwise the remembered one is used. */
  readonly initialLocale?: Locale;
  /**
   * Ant Design theme, passed through so that one ConfigProvider carries theme and locale;
   * its font family is replaced by the current language's font stack.
   */
  readonly theme?: ThemeConfig;
  readonly children: ReactNode;
}

/**
 * Provides the current language to our components and to Ant Design.
 *
 * One provider owns both so they can never disagree: switching the language swaps our
 * messages and antd's locale in the same render.
 */
export function I18nProvider({ initialLocale, theme, children }: I18nProviderProps) {
  const [locale, setLocaleState] = useState<Locale>(() => initialLocale ?? readStoredLocale());

  const setLocale = useCallback((next: Locale) => {
    setLocaleState(next);
    storeLocale(next);
  }, []);

  // `<html lang>` drives the browser's choice between Simplified and Traditional glyph
  // shapes in CJK fonts, and what screen readers announce.
  // The page title follows too (the native window title comes from tauri.conf.json).
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = formatMessage(BUNDLES[locale].messages, 'app.fullName');
  }, [locale]);

  const value = useMemo<I18nValue>(() => {
    const { messages } = BUNDLES[locale];
    return {
      locale,
      setLocale,
      t: (key, params) => formatMessage(messages, key, params),
      errorText: (error) => errorText(error, locale),
    };
  }, [locale, setLocale]);

  const bundle = BUNDLES[locale];
  const localeTheme = useMemo<ThemeConfig>(
    () => ({ ...theme, token: { ...theme?.token, fontFamily: bundle.fontFamily } }),
    [theme, bundle],
  );

  return (
    <I18nContext.Provider value={value}>
      <ConfigProvider locale={bundle.antd} theme={localeTheme}>
        {children}
      </ConfigProvider>
    </I18nContext.Provider>
  );
}
