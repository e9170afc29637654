import { fireEvent, render, screen, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { ClockView } from '../api';
import { I18nProvider } from '../i18n';

const api = vi.hoisted(() => ({
  caseClocks: vi.fn(),
  clockDashboard: vi.fn(),
}));
vi.mock('../api', () => api);

const { CaseClocks } = await import('./Deadlines');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

function clock(overrides: Partial<ClockView>): ClockView {
  return {
    case_id: 'c1',
    clock: 'refund_response',
    name: '退款申请处理',
    owner: 'platform',
    start: '2026-11-20T10:00:00+08:00',
    due: '2026-11-25T10:00:00+08:00',
    state: 'running',
    state_name: '计时中',
    why: null,
    length: '5 天',
    actor: '卖家',
    action: '同意或拒绝退款申请',
    consequence: '退款协议自动生效',
    overridden: [],
    warnings: [],
    ...overrides,
  };
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
});

describe('case clocks', () => {
  it('lists the overdue clock first, with its action, consequence and warnings, and folds the rest', async () => {
    api.caseClocks.mockResolvedValue({
      case_id: 'c1',
      kind: 'quality_issue',
      next: null,
      clocks: [
        clock({}),
        clock({
          clock: 'evidence_period',
          name: '举证期',
          state: 'overdue',
          due: '2026-11-21T10:00:00+08:00',
          length: '4 个工作日',
          overridden: ['length'],
          warnings: [{ code: 'calendar_missing', message: '2027 年没有节假日数据，只按周末计算' }],
        }),
        clock({ clock: 'no_reason_window', name: '七天无理由', state: 'not_applicable', due: null, why: 'no_start' }),
      ],
    });
    wrap(<CaseClocks caseKey="c1" version={1} />);
    const items = await screen.findAllByTestId('clock-item');
    expect(items, 'not-applicable clocks are folded away').toHaveLength(2);
    expect(items[0], 'the overdue clock comes first').toHaveTextContent('举证期');
    expect(items[0]).toHaveTextContent('已超时');
    expect(items[0], 'a shop override is marked').toHaveTextContent('店铺已调整');
    expect(items[0], 'a calendar warning is shown').toHaveTextContent('2027 年没有节假日数据');
    expect(items[1]).toHaveTextContent('卖家：同意或拒绝退款申请');
    expect(items[1]).toHaveTextContent('超时后果：退款协议自动生效');
    const folded = screen.getByText('不适用的时限（1）');
    fireEvent.click(folded);
    expect(await within(screen.getByTestId('case-clocks')).findByText(/七天无理由 · 起算事件尚未发生/)).toBeInTheDocument();
  });

  it('says so when no clock runs', async () => {
    api.caseClocks.mockResolvedValue({ case_id: 'c1', kind: 'quality_issue', next: null, clocks: [] });
    wrap(<CaseClocks caseKey="c1" version={1} />);
    expect(await screen.findByText('这单目前没有正在计时的时限')).toBeInTheDocument();
  });
});
