import { describe, expect, it } from 'vitest';

// The generated bindings as text: the runtime list of codes is the union tauri-specta wrote
// from the Rust enum, so this test follows the Rust side rather than the tables it checks.
import bindingsSource from '../../api/bindings.ts?raw';
import { LOCALES } from '../locales';
import { ERROR_TEXTS, describeError, errorText } from '.';

function generatedCodes(): string[] {
  // The union's members carry doc comments, which may hold semicolons and quotes: strip
  // them before looking for the union's end.
  const from = bindingsSource.indexOf('export type ErrorCode =');
  const code = from < 0 ? '' : bindingsSource.slice(from).replace(/\/\*[\s\S]*?\*\//g, '');
  const union = /export type ErrorCode\s*=([^;]*);/.exec(code)?.[1] ?? '';
  return [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1] ?? '');
}

const CODES = generatedCodes();

describe('error code translations', () => {
  it('reads the codes from the generated bindings', () => {
    expect(CODES.length, 'the bindings declare the ErrorCode union').toBeGreaterThan(80);
    expect(CODES, 'the catch-all is one of them').toContain('error');
  });

  it.each(LOCALES)('%s has a non-empty translation for every ErrorCode', (locale) => {
    const table: Record<string, string> = ERROR_TEXTS[locale];
    for (const code of CODES) {
      expect(table[code]?.trim() ?? '', `${locale} translates ${code}, so the UI never shows a bare code`).not.toBe('');
    }
    expect(Object.keys(table).sort(), `${locale} has no translation for a code Rust no longer returns`).toEqual(
      [...CODES].sort(),
    );
  });

  it('the English texts are English and the Traditional ones are not copies of Simplified', () => {
    for (const code of CODES) {
      expect(ERROR_TEXTS.en[code as keyof typeof ERROR_TEXTS.en], `en: ${code} has no Chinese in it`).not.toMatch(
        /[\u4e00-\u9fff]/,
      );
    }
    const copies = CODES.filter(
      (code) =>
        ERROR_TEXTS['zh-TW'][code as keyof typeof ERROR_TEXTS.en] === ERROR_TEXTS['zh-CN'][code as keyof typeof ERROR_TEXTS.en],
    );
    expect(copies.length, `zh-TW is translated, not copied (copies: ${copies.join(', ')})`).toBeLessThan(5);
  });
});

describe('describeError', () => {
  const busy = { code: 'busy', message: '正在导入文件或导出举证材料包，请等它完成后再操作' };
  const unreadable = { code: 'file_unreadable', message: '无法读取文件 /home/me/退款.csv：权限不足' };

  it.each([
    ['a command error, in English', busy, 'en', 'busy', ERROR_TEXTS.en.busy, undefined],
    ['a command error with a path', unreadable, 'en', 'file_unreadable', ERROR_TEXTS.en.file_unreadable, unreadable.message],
    ['the same in Traditional Chinese', unreadable, 'zh-TW', 'file_unreadable', ERROR_TEXTS['zh-TW'].file_unreadable, unreadable.message],
    ['an unknown code', { code: 'from_the_future', message: '新错误' }, 'en', 'error', ERROR_TEXTS.en.error, '新错误'],
    ['a JavaScript error', new TypeError('x is undefined'), 'en', 'error', ERROR_TEXTS.en.error, 'x is undefined'],
    ['a thrown string', 'dialog closed', 'zh-CN', 'error', ERROR_TEXTS['zh-CN'].error, 'dialog closed'],
    ['nothing useful', null, 'en', 'error', ERROR_TEXTS.en.error, undefined],
  ] as const)('%s', (_, error, locale, code, headline, details) => {
    const described = describeError(error, locale);
    expect(described.code, 'the code is kept when known, the catch-all otherwise').toBe(code);
    expect(described.headline, 'the headline is in the UI language').toBe(headline);
    expect(described.details, 'the original text is details only when it adds something').toBe(details);
  });

  it('puts the headline first and the original text after it', () => {
    expect(errorText(unreadable, 'en')).toBe(`${ERROR_TEXTS.en.file_unreadable} (Details: ${unreadable.message})`);
    expect(errorText(busy, 'en'), 'a message that adds nothing is left out').toBe(ERROR_TEXTS.en.busy);
  });
});
