import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { App } from '../App';
import { I18nProvider, type Locale } from '../i18n';
import { FirstRun } from './FirstRun';

function renderFirstRun(locale: Locale = 'zh-CN') {
  return render(
    <I18nProvider initialLocale={locale}>
      <FirstRun />
    </I18nProvider>,
  );
}

describe('first-run empty state', () => {
  it('welcomes the user and explains the two ways to start', () => {
    renderFirstRun();
    expect(screen.getByRole('heading', { name: '欢迎使用售后台' })).toBeInTheDocument();

    const importCard = screen.getByTestId('start-import');
    expect(within(importCard).getByText('导入后台导出文件')).toBeInTheDocument();
    expect(within(importCard).getByText(/卖家后台导出售后单/)).toBeInTheDocument();

    const demoCard = screen.getByTestId('start-demo');
    expect(within(demoCard).getByText('打开演示店铺', { selector: 'h5' })).toBeInTheDocument();
    expect(within(demoCard).getByText(/示例售后单/)).toBeInTheDocument();
  });

  it('keeps both actions disabled until they are wired', () => {
    renderFirstRun();
    expect(screen.getByRole('button', { name: '选择导出文件' })).toBeDisabled();
    expect(screen.getByRole('button', { name: '打开演示店铺' })).toBeDisabled();
  });

  it('says "即将推出" when hovering a disabled action', async () => {
    renderFirstRun();
    const button = screen.getByRole('button', { name: '选择导出文件' });
    const wrapper = button.parentElement;
    expect(wrapper).not.toBeNull();
    fireEvent.mouseEnter(wrapper as HTMLElement);
    expect(await screen.findByText('即将推出')).toBeInTheDocument();
  });

  it('renders in English too', () => {
    renderFirstRun('en');
    expect(screen.getByRole('heading', { name: 'Welcome to AfterDesk' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open demo shop' })).toBeDisabled();
  });

  it('is what the app shows on its first start, with the four sections in the menu', () => {
    render(<App initialLocale="zh-CN" />);
    const nav = screen.getByRole('menu');
    for (const label of ['工作台', '售后单', '导入', '设置']) {
      expect(within(nav).getByText(label)).toBeInTheDocument();
    }
    expect(screen.getByRole('heading', { name: '工作台' })).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: '欢迎使用售后台' })).toBeInTheDocument();
    // Outside Tauri there is no version to show.
    expect(screen.queryByTestId('app-version')).toBeNull();

    fireEvent.click(within(nav).getByText('设置'));
    expect(screen.getByRole('heading', { name: '设置' })).toBeInTheDocument();
    expect(screen.getByText('设置项将在这里显示。')).toBeInTheDocument();
  });
});
