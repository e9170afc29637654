import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { Empty } from 'antd';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import {
  BUNDLES,
  DEFAULT_LOCALE,
  I18nProvider,
  LOCALE_STORAGE_KEY,
  LOCALES,
  formatMessage,
  useI18n,
  type Messages,
} from '.';
import { zhCN } from './zh-CN';

const sourceKeys = Object.keys(zhCN).sort();

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

describe('locale files', () => {
  it('ships Simplified Chinese first', () => {
    expect(DEFAULT_LOCALE).toBe('zh-CN');
    expect(LOCALES).toEqual(['zh-CN', 'zh-TW', 'en']);
  });

  it.each(LOCALES)('%s has exactly the keys of zh-CN, none empty', (locale) => {
    const messages: Messages = BUNDLES[locale].messages;
    expect(Object.keys(messages).sort()).toEqual(sourceKeys);
    for (const [key, text] of Object.entries(messages)) {
      expect(text.trim(), `${locale}: ${key}`).not.toBe('');
    }
  });

  it.each(LOCALES)('%s keeps every {placeholder} of zh-CN', (locale) => {
    const messages: Messages = BUNDLES[locale].messages;
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      expect(placeholders(messages[key]), `${locale}: ${key}`).toEqual(placeholders(zhCN[key]));
    }
  });

  it('translations are really translated (not copies of zh-CN)', () => {
    expect(BUNDLES.en.messages['menu.cases']).not.toBe(zhCN['menu.cases']);
    expect(BUNDLES['zh-TW'].messages['menu.cases']).not.toBe(zhCN['menu.cases']);
  });
});

describe('formatMessage', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage(zhCN, 'app.version', { version: '1.2.3' })).toBe('版本 1.2.3');
    expect(formatMessage(zhCN, 'app.version', {})).toBe('版本 {version}');
    expect(formatMessage(zhCN, 'menu.cases')).toBe('售后单');
  });
});

/** Shows one of our strings next to one of antd's built-in strings (Empty's default text). */
function Probe() {
  const { t, setLocale, locale } = useI18n();
  return (
    <div>
      <span data-testid="ours">{t('menu.settings')}</span>
      <span data-testid="locale">{locale}</span>
      <Empty />
      {LOCALES.map((l) => (
        <button key={l} type="button" onClick={() => setLocale(l)}>
          {`to-${l}`}
        </button>
      ))}
    </div>
  );
}

describe('switching language', () => {
  it('switches our strings, antd texts and <html lang> together, and remembers the choice', () => {
    render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByTestId('ours')).toHaveTextContent('设置');
    expect(screen.getByText('暂无数据', { selector: '.ant-empty-description' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');

    fireEvent.click(screen.getByText('to-en'));
    expect(screen.getByTestId('ours')).toHaveTextContent('Settings');
    expect(screen.getByText('No data', { selector: '.ant-empty-description' })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('en');
    expect(document.title).toBe('AfterDesk');
    expect(window.localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en');

    fireEvent.click(screen.getByText('to-zh-TW'));
    expect(screen.getByTestId('ours')).toHaveTextContent('設定');
    expect(screen.getByText(BUNDLES['zh-TW'].antd.Empty?.description ?? '', {
        selector: '.ant-empty-description',
      }),
    ).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-TW');
  });

  it('starts in the remembered language and ignores garbage in storage', () => {
    window.localStorage.setItem(LOCALE_STORAGE_KEY, 'en');
    const { unmount } = render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByTestId('locale')).toHaveTextContent('en');
    unmount();

    window.localStorage.setItem(LOCALE_STORAGE_KEY, 'klingon');
    render(
      <I18nProvider>
        <Probe />
      </I18nProvider>,
    );
    expect(screen.getByTestId('locale')).toHaveTextContent('zh-CN');
  });

  it('the header language switch changes the whole app', async () => {
    render(<App initialLocale="zh-CN" />);
    const nav = screen.getByRole('menu');
    expect(within(nav).getByText('售后单')).toBeInTheDocument();

    const combobox = screen.getByRole('combobox', { name: '界面语言' });
    // antd's Select opens on mouse down on its selector, not on click.
    const selector = combobox.closest('.ant-select')?.querySelector('.ant-select-selector');
    expect(selector).not.toBeNull();
    act(() => {
      fireEvent.mouseDown(selector as Element);
    });
    const option = await screen.findByTitle('English');
    fireEvent.click(option);

    await waitFor(() => expect(within(screen.getByRole('menu')).getByText('Cases')).toBeInTheDocument());
    expect(screen.getByRole('heading', { name: 'Workbench' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Language' })).toBeInTheDocument();
  });
});
