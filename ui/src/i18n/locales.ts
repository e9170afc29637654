import type { Locale as AntdLocale } from 'antd/es/locale';
import antdEnUS from 'antd/locale/en_US';
import antdZhCN from 'antd/locale/zh_CN';
import antdZhTW from 'antd/locale/zh_TW';

import { en } from './en';
import { zhCN, type Messages } from './zh-CN';
import { zhTW } from './zh-TW';

/** The UI languages AfterDesk ships, as BCP 47 tags (also used for `<html lang>`). */
export const LOCALES = ['zh-CN', 'zh-TW', 'en'] as const;

/** One of the shipped UI languages. */
export type Locale = (typeof LOCALES)[number];

/** Simplified Chinese is the product's first language and the fallback for everything. */
export const DEFAULT_LOCALE: Locale = 'zh-CN';

/** Everything that changes with the UI language: our strings and Ant Design's own. */
export interface LocaleBundle {
  /** Our own user-visible strings. */
  readonly messages: Messages;
  /** Ant Design's built-in texts (pagination, empty states, pickers…). */
  readonly antd: AntdLocale;
  /** The language's own name, shown in the switch so users can find it in any UI language. */
  readonly nativeName: string;
  /**
   * The font stack for this language. Simplified and Traditional Chinese share code points
   * but not glyph shapes, so each lists the matching system CJK fonts (macOS, Windows,
   * Linux's Noto CJK) before the Latin fallbacks.
   */
  readonly fontFamily: string;
}

const LATIN_FONTS = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial";
const EMOJI_FONTS = "'Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji'";
const SC_FONTS = "'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC'";
const TC_FONTS = "'PingFang TC', 'Microsoft JhengHei', 'Noto Sans CJK TC', 'Noto Sans TC'";

/** The bundle for each shipped language; `satisfies` makes a missing language a type error. */
export const BUNDLES = {
  'zh-CN': {
    messages: zhCN,
    antd: antdZhCN,
    nativeName: '简体中文',
    fontFamily: `${LATIN_FONTS}, ${SC_FONTS}, sans-serif, ${EMOJI_FONTS}`,
  },
  'zh-TW': {
    messages: zhTW,
    antd: antdZhTW,
    nativeName: '繁體中文',
    fontFamily: `${LATIN_FONTS}, ${TC_FONTS}, sans-serif, ${EMOJI_FONTS}`,
  },
  en: {
    messages: en,
    antd: antdEnUS,
    nativeName: 'English',
    fontFamily: `${LATIN_FONTS}, ${SC_FONTS}, sans-serif, ${EMOJI_FONTS}`,
  },
} as const satisfies Record<Locale, LocaleBundle>;

/** Narrows an arbitrary string (from storage, say) to a shipped locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
