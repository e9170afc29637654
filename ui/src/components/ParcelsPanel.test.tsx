import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { CaseParcelsView, ParcelView } from '../api';
import { I18nProvider } from '../i18n';

const api = vi.hoisted(() => ({
  addParcel: vi.fn(),
  cancelRefresh: vi.fn(),
  caseParcels: vi.fn(),
  copyText: vi.fn(),
  courierHint: vi.fn(),
  intercept: vi.fn(),
  parcelAttention: vi.fn(),
  recordParcelState: vi.fn(),
  refreshParcels: vi.fn(),
  removeParcel: vi.fn(),
}));
vi.mock('../api', () => api);

const { ParcelsPanel } = await import('./ParcelsPanel');
const { ParcelAttentionCard } = await import('./ParcelAttention');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

const PARCEL: ParcelView = {
  id: 'p1',
  case_id: 'c1',
  direction: 'return',
  direction_name: '退货',
  courier: 'zto',
  courier_name: '中通快递',
  waybill: '75123456789012',
  phone_tail: null,
  state: 'problem',
  state_name: '疑难件',
  state_since: '2026-11-20T09:00:00+08:00',
  last_update: '2026-11-20T09:00:00+08:00',
  last_checked: '2026-11-21T10:00:00+08:00',
  last_error: null,
  next_attempt: null,
  failures: 0,
  origin: 'import',
  created_at: '2026-11-19T09:00:00+08:00',
  events: [
    { at: '2026-11-19T09:00:00+08:00', place: '杭州', text: '快件已揽收', source: 'kuaidi100' },
    { at: '2026-11-20T09:00:00+08:00', place: '上海', text: '地址不详，联系不上收件人', source: 'kuaidi100' },
  ],
  attention: [
    {
      case_id: 'c1',
      refund_no: 'R1',
      buyer_nick: 'tb_a',
      parcel_id: 'p1',
      waybill: '75123456789012',
      reason: 'problem_parcel',
      reason_name: '疑难件',
      prompt: '3 天内向快递提供正确的电话和地址',
      due: '2026-11-23T09:00:00+08:00',
      since: '2026-11-20T09:00:00+08:00',
    },
  ],
};

function view(parcels: ParcelView[], interception: CaseParcelsView['interception'] = null): CaseParcelsView {
  return { case_id: 'c1', kind: 'return_refund', parcels, attention: parcels.flatMap((p) => p.attention), interception };
}

describe('ParcelsPanel', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.courierHint.mockResolvedValue({ waybill: '', candidates: ['sf'], names: ['顺丰速运'], sure: true });
    api.copyText.mockResolvedValue(null);
  });

  it('shows a parcel with its state, prompt and events newest first, and copies the waybill', async () => {
    api.caseParcels.mockResolvedValue(view([PARCEL]));
    wrap(<ParcelsPanel caseKey="c1" />);
    const parcel = await screen.findByTestId('parcel');
    expect(within(parcel).getByTestId('parcel-state').textContent).toBe('疑难件');
    expect(within(parcel).getByText('3 天内向快递提供正确的电话和地址')).toBeTruthy();
    const events = within(parcel).getByTestId('parcel-events').textContent ?? '';
    expect(events.indexOf('地址不详')).toBeLessThan(events.indexOf('快件已揽收'));
    fireEvent.click(within(parcel).getByRole('button', { name: '复制运单号' }));
    await waitFor(() => expect(api.copyText).toHaveBeenCalledWith('75123456789012'));
  });

  it('adds a parcel with the courier suggested from the number', async () => {
    api.caseParcels.mockResolvedValue(view([]));
    api.addParcel.mockResolvedValue(PARCEL);
    wrap(<ParcelsPanel caseKey="c1" />);
    await screen.findByText(/这单还没有包裹/);
    fireEvent.click(screen.getByTestId('parcel-add'));
    fireEvent.change(await screen.findByTestId('parcel-waybill-input'), { target: { value: 'SF1234567890123' } });
    await waitFor(() => expect(api.courierHint).toHaveBeenCalledWith('SF1234567890123'));
    await screen.findByText(/看号码像：顺丰速运/);
    fireEvent.click(screen.getByTestId('parcel-add-ok'));
    await waitFor(() => expect(api.addParcel).toHaveBeenCalled());
    expect(api.addParcel.mock.calls[0]?.[0]).toMatchObject({ case: 'c1', waybill: 'SF1234567890123', courier: 'sf' });
  });

  it('offers the interception steps the state machine allows', async () => {
    api.caseParcels.mockResolvedValue(
      view([{ ...PARCEL, attention: [], direction: 'outbound', state: 'in_transit' }], {
        state: 'requested',
        state_name: '已申请拦截',
        next_step: '等快递回复拦截结果',
        allowed: ['succeeded', 'failed'],
        steps: [],
      }),
    );
    api.intercept.mockResolvedValue({ state: 'succeeded', state_name: '拦截成功', next_step: '可以同意退款', allowed: [], steps: [] });
    wrap(<ParcelsPanel caseKey="c1" />);
    await screen.findByTestId('interception');
    expect(screen.getByTestId('interception-next').textContent).toBe('等快递回复拦截结果');
    fireEvent.click(screen.getByTestId('interception-succeeded'));
    await waitFor(() => expect(api.intercept).toHaveBeenCalledWith(expect.objectContaining({ case: 'c1', step: 'succeeded' })));
  });

  it('refreshes and says when nothing came back', async () => {
    api.caseParcels.mockResolvedValue(view([PARCEL]));
    api.refreshParcels.mockResolvedValue({
      provider: '手动记录',
      total: 1,
      updated: 0,
      failed: 0,
      deferred: 0,
      skipped: 1,
      new_events: 0,
      cancelled: false,
      items: [{ parcel_id: 'p1', waybill: '75123456789012', outcome: 'skipped', state: null, message: '未配置物流查询接口（手动记录）', code: null, next_attempt: null }],
    });
    wrap(<ParcelsPanel caseKey="c1" />);
    await screen.findByTestId('parcel');
    fireEvent.click(screen.getByTestId('parcels-refresh'));
    await screen.findByText('未配置物流查询接口（手动记录）');
    expect(api.refreshParcels).toHaveBeenCalledWith('c1', expect.any(Function));
  });
});

describe('ParcelAttentionCard', () => {
  it('lists the parcels needing attention with their prompt and opens the case', async () => {
    api.parcelAttention.mockResolvedValue({ parcels: 3, items: PARCEL.attention });
    const onOpen = vi.fn();
    wrap(<ParcelAttentionCard onOpen={onOpen} />);
    const item = await screen.findByTestId('parcel-attention-item');
    expect(within(item).getByText('3 天内向快递提供正确的电话和地址')).toBeTruthy();
    fireEvent.click(within(item).getByText('R1'));
    expect(onOpen).toHaveBeenCalledWith('c1');
  });

  it('has an empty state', async () => {
    api.parcelAttention.mockResolvedValue({ parcels: 0, items: [] });
    wrap(<ParcelAttentionCard onOpen={() => undefined} />);
    await screen.findByText('没有需要处理的包裹');
  });
});
