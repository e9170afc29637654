import { fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import { App } from '../App';
import { I18nProvider, type Locale } from '../i18n';
import { FirstRun } from './FirstRun';

function renderFirstRun(locale: Locale = 'zh-CN', onImport = vi.fn(), onDemo = vi.fn()) {
  return render(
    <I18nProvider initialLocale={locale}>
      <FirstRun onImport={onImport} onDemo={onDemo} />
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

  it('starts the import or the demo shop from its two buttons', () => {
    const onImport = vi.fn();
    const onDemo = vi.fn();
    renderFirstRun('zh-CN', onImport, onDemo);
    fireEvent.click(screen.getByRole('button', { name: '选择导出文件' }));
    expect(onImport).toHaveBeenCalledOnce();
    expect(onDemo).not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('demo-shop-button'));
    expect(onDemo).toHaveBeenCalledOnce();
  });

  it('renders in English too', () => {
    renderFirstRun('en');
    expect(screen.getByRole('heading', { name: 'Welcome to AfterDesk' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Open demo shop' })).toBeEnabled();
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
    expect(screen.getAllByText('界面语言').length, 'the language stays on this computer').toBeGreaterThan(0);
    expect(screen.queryByText('我的名字'), "the agent's name moved to the shop's members").toBeNull();
  });
});
