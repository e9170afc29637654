import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { EventView } from '../api';
import { I18nProvider, type Locale } from '../i18n';
import { makeCase, makeDetail, makeShop } from '../test/fixtures';

const api = vi.hoisted(() => ({
  isTauri: vi.fn(() => false),
  clockDashboard: vi.fn(),
  caseClocks: vi.fn(),
  caseEvidence: vi.fn(),
  getAppInfo: vi.fn(async () => null),
  shopInfo: vi.fn(),
  listCases: vi.fn(),
  caseDetail: vi.fn(),
  addNote: vi.fn(),
  changeCase: vi.fn(),
  chooseExportFile: vi.fn(),
  importFile: vi.fn(),
  cancelImport: vi.fn(),
  openDemoShop: vi.fn(),
  closeDemoShop: vi.fn(),
  onFileDrop: vi.fn((_handler: (path: string) => void) => () => undefined),
  caseDraft: vi.fn(),
  draftCopies: vi.fn(),
  lintReply: vi.fn(),
  copyDraft: vi.fn(),
  caseParcels: vi.fn(),
  parcelAttention: vi.fn(),
  courierHint: vi.fn(),
  refreshParcels: vi.fn(),
  cancelRefresh: vi.fn(),
  copyText: vi.fn(),
  listBackups: vi.fn(),
  backupNow: vi.fn(),
  restoreBackup: vi.fn(),
  chooseShopFile: vi.fn(),
  openShop: vi.fn(),
  adoptLocalSettings: vi.fn(),
  whoami: vi.fn(),
  listMembers: vi.fn(),
  shopSettings: vi.fn(),
}));
// The real error class, so that screens can tell errors apart by their code.
const ApiError = vi.hoisted(
  () =>
    class ApiError extends Error {
      readonly code: string;
      constructor(error: { code: string; message: string }) {
        super(error.message);
        this.code = error.code;
      }
    },
);
vi.mock('../api', () => ({ ...api, ApiError }));

const { CaseList } = await import('./CaseList');
const { CasePage } = await import('./CasePage');
const { Dashboard } = await import('./Dashboard');
const { App } = await import('../App');

function wrap(node: ReactNode, locale: Locale = 'zh-CN') {
  return render(
    <I18nProvider initialLocale={locale}>
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.isTauri.mockReturnValue(false);
  api.getAppInfo.mockResolvedValue(null);
  api.onFileDrop.mockImplementation(() => () => undefined);
  api.clockDashboard.mockResolvedValue({ open: 0, overdue: 0, due_soon: 0, entries: [] });
  api.caseDraft.mockResolvedValue({
    kind: 'quality_issue',
    kind_name: '质量问题',
    stage: 'first_reply',
    text: '亲，给您添麻烦了。',
    script_ids: ['quality_issue.first.1@1'],
    unfilled: [],
    marks: [],
    lint: [],
    compensation: null,
    classification: null,
    variants: [{ pick: 0, script_id: 'quality_issue.first.1@1', preview: '亲', tone: '', shop: false }],
    pick: 0,
    traditional: false,
  });
  api.draftCopies.mockResolvedValue([]);
  api.lintReply.mockResolvedValue({ lint: [], marks: [] });
  api.adoptLocalSettings.mockResolvedValue({
    member: null,
    created_member: false,
    bound: false,
    limit_adopted: false,
    parcel_rules_adopted: false,
    parcel_rules_error: null,
  });
  api.whoami.mockResolvedValue(null);
  api.listMembers.mockResolvedValue([]);
  api.caseParcels.mockResolvedValue({ case_id: 'c1', kind: 'quality_issue', parcels: [], attention: [], interception: null });
  api.parcelAttention.mockResolvedValue({ parcels: 0, items: [] });
  api.caseClocks.mockResolvedValue({ case_id: 'c1', kind: 'quality_issue', clocks: [], next: null });
  api.caseEvidence.mockResolvedValue({
    case_id: 'c1',
    situations: [],
    unassigned: [],
    readiness: { required: 0, ready: 0, missing: [], deadline: null, minutes_left: null, summary: '无需举证' },
    unboxing: [],
  });
});

describe('case list', () => {
  beforeEach(() => {
    api.listCases.mockResolvedValue({
      total: 2,
      cases: [
        makeCase(),
        makeCase({
          id: 'c2',
          refund_no: '200000000000000008',
          buyer_nick: 'momo_0312',
          kind: 'refund_unshipped',
          kind_name: '未发货仅退款',
          flag: null,
          refund_fen: 5990,
        }),
      ],
    });
  });

  it('shows one row per case with yuan, China time and kind names', async () => {
    const onOpen = vi.fn();
    wrap(<CaseList onOpen={onOpen} />);
    const rows = await screen.findAllByTestId('case-row');
    expect(rows).toHaveLength(2);
    const first = rows[0] as HTMLElement;
    expect(within(first).getByText('200000000000000001')).toBeInTheDocument();
    expect(within(first).getByText('¥12.50')).toBeInTheDocument();
    // 01:30 UTC is 09:30 in China.
    expect(within(first).getByText('2026-11-20 09:30')).toBeInTheDocument();
    expect(within(first).getByText('质量问题')).toBeInTheDocument();
    expect(within(first).getByLabelText('红旗')).toBeInTheDocument();
    expect(screen.getByTestId('case-total')).toHaveTextContent('共 2 条');
    fireEvent.click(rows[1] as HTMLElement);
    expect(onOpen).toHaveBeenCalledWith('c2');
    expect(api.listCases).toHaveBeenCalledWith(
      expect.objectContaining({ open: true, sort: 'requested', offset: 0 }),
    );
  });

  it('searches what is typed and focuses the search box on Ctrl+K', async () => {
    wrap(<CaseList onOpen={() => undefined} />);
    await screen.findAllByTestId('case-row');
    const search = screen.getByTestId('case-search');
    expect(search).not.toHaveFocus();
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    expect(search).toHaveFocus();
    fireEvent.change(search, { target: { value: '保温杯' } });
    await waitFor(() =>
      expect(api.listCases).toHaveBeenLastCalledWith(expect.objectContaining({ text: '保温杯' })),
    );
  });

  it('says so when nothing matches', async () => {
    api.listCases.mockResolvedValue({ total: 0, cases: [] });
    wrap(<CaseList onOpen={() => undefined} />);
    expect(await screen.findByText('没有符合条件的售后单')).toBeInTheDocument();
  });
});

describe('case page', () => {
  beforeEach(() => {
    api.caseDetail.mockResolvedValue(makeDetail());
  });

  it('shows the facts in yuan and China time, notes as text and the history', async () => {
    wrap(<CasePage caseKey="c1" onBack={() => undefined} />);
    const facts = await screen.findByTestId('case-facts');
    expect(within(facts).getByText('¥89.00')).toBeInTheDocument();
    expect(within(facts).getByText('¥12.50')).toBeInTheDocument();
    expect(within(facts).getByText('2026-11-20 09:30')).toBeInTheDocument();
    // Buyer and agent text is shown literally, never interpreted as HTML.
    expect(within(facts).getByText('<b>杯盖漏水</b>')).toBeInTheDocument();
    expect(screen.getByText('<script>alert(1)</script> 已联系买家')).toBeInTheDocument();
    expect(document.querySelector('script')).toBeNull();
    const timeline = screen.getByTestId('case-timeline');
    expect(within(timeline).getByText(/小王 把旗帜从 — 改为 红旗/)).toBeInTheDocument();
    expect(within(timeline).getByText(/导入 天猫退款导出\.csv/)).toBeInTheDocument();
  });

  it('names each history entry from its typed field, never from the recorded name', async () => {
    const event = (id: string, over: Partial<EventView>): EventView => ({
      id,
      actor: '小王',
      device: 'dev-1',
      at: '2026-11-21T10:00:00+08:00',
      field: '',
      field_kind: 'other',
      extra_header: null,
      record: false,
      old: null,
      new: null,
      ...over,
    });
    api.caseDetail.mockResolvedValue(
      makeDetail({
        events: [
          event('e1', { field: 'extra.联系手机', field_kind: 'extra', extra_header: '联系手机', old: '1', new: '2' }),
          event('e2', { field: 'signed_at', field_kind: 'signed_at', old: 'a', new: 'b' }),
          event('e3', { field: 'parcel_added', field_kind: 'parcel_added', record: true, new: '中通 75123' }),
          event('e4', { field: 'colour', field_kind: 'other', old: 'x', new: 'y' }),
        ],
      }),
    );
    wrap(<CasePage caseKey="c1" onBack={() => undefined} />);
    const timeline = await screen.findByTestId('case-timeline');
    expect(within(timeline).getByText(/导出列“联系手机”/)).toBeInTheDocument();
    expect(within(timeline).getByText(/签收时间/)).toBeInTheDocument();
    expect(within(timeline).getByText(/添加包裹/)).toBeInTheDocument();
    expect(within(timeline).getByText(/字段“colour”/)).toBeInTheDocument();
  });

  it('adds a note and reloads the case', async () => {
    api.addNote.mockResolvedValue({});
    wrap(<CasePage caseKey="c1" onBack={() => undefined} />);
    const input = await screen.findByTestId('note-input');
    const button = screen.getByTestId('add-note');
    expect(button).toBeDisabled();
    fireEvent.change(input, { target: { value: '已补发配件' } });
    expect(button).toBeEnabled();
    api.caseDetail.mockResolvedValue(
      makeDetail({
        notes: [
          ...makeDetail().notes,
          { id: 'n2', case_id: 'c1', author: '客服', device: 'd', at: '2026-11-22T10:00:00+08:00', text: '已补发配件' },
        ],
      }),
    );
    await act(async () => {
      fireEvent.click(button);
    });
    expect(api.addNote).toHaveBeenCalledWith('c1', '已补发配件');
    await waitFor(() => expect(screen.getAllByTestId('note-item')).toHaveLength(2));
    expect(input).toHaveValue('');
  });

  it('changes the flag through the flag select', async () => {
    api.changeCase.mockResolvedValue(makeCase({ flag: 'green' }));
    wrap(<CasePage caseKey="c1" onBack={() => undefined} />);
    const select = await screen.findByTestId('flag-select');
    fireEvent.mouseDown(within(select).getByRole('combobox'));
    const options = await screen.findAllByText('绿旗');
    fireEvent.click(options.at(-1) as HTMLElement);
    await waitFor(() => expect(api.changeCase).toHaveBeenCalledWith('c1', { flag: 'green' }));
  });

  it('shows an error when the case cannot be found', async () => {
    api.caseDetail.mockRejectedValue(new Error('找不到售后单“c9”'));
    wrap(<CasePage caseKey="c9" onBack={() => undefined} />);
    expect(await screen.findByText(/找不到售后单“c9”/)).toBeInTheDocument();
  });
});

describe('dashboard', () => {
  it('shows counts by status and kind and the oldest open cases', async () => {
    api.listCases.mockResolvedValue({ total: 1, cases: [makeCase({ buyer_nick: '等最久的买家' })] });
    wrap(<Dashboard shop={makeShop()} onOpen={() => undefined} onCloseDemo={() => undefined} />);
    expect(screen.getByTestId('count-open')).toHaveTextContent('34');
    expect(screen.getByTestId('count-closed')).toHaveTextContent('16');
    const kinds = screen.getByTestId('kind-counts');
    expect(within(kinds).getByText('未发货仅退款')).toBeInTheDocument();
    const oldest = screen.getByTestId('oldest-open');
    expect(await within(oldest).findByText('等最久的买家')).toBeInTheDocument();
    expect(api.listCases).toHaveBeenCalledWith(expect.objectContaining({ open: true, sort: 'requested' }));
    expect(api.listCases).toHaveBeenCalledWith(expect.objectContaining({ open: true, sort: 'requested_desc' }));
  });

  it('offers to leave the demo shop', () => {
    api.listCases.mockResolvedValue({ total: 0, cases: [] });
    const onCloseDemo = vi.fn();
    wrap(<Dashboard shop={makeShop({ demo: true })} onOpen={() => undefined} onCloseDemo={onCloseDemo} />);
    fireEvent.click(screen.getByTestId('close-demo'));
    expect(onCloseDemo).toHaveBeenCalledOnce();
  });
});

describe('app', () => {
  it('opens the demo shop from the first-run screen and shows the workbench', async () => {
    api.isTauri.mockReturnValue(true);
    api.shopInfo.mockResolvedValue(makeShop({ summary: { total: 0, open: 0, closed: 0, by_kind: [] } }));
    api.openDemoShop.mockResolvedValue(makeShop({ demo: true }));
    api.listCases.mockResolvedValue({ total: 0, cases: [] });
    render(<App initialLocale="zh-CN" />);
    fireEvent.click(await screen.findByTestId('demo-shop-button'));
    expect(await screen.findByTestId('dashboard')).toBeInTheDocument();
    expect(api.openDemoShop).toHaveBeenCalledOnce();
    expect(screen.getByText(/你正在查看演示店铺/)).toBeInTheDocument();
  });

  it('offers the backups when the shop file is damaged, and works on the restored shop', async () => {
    api.isTauri.mockReturnValue(true);
    const message = '店铺文件 /data/shop.sqlite 已损坏（SQLite 检查发现：Tree 2 page 473），为免丢失更多数据已拒绝打开。';
    api.shopInfo.mockRejectedValue(new ApiError({ code: 'shop_damaged', message }));
    api.listBackups.mockResolvedValue([
      {
        path: '/data/backups/shop-20261122-093000-daily.sqlite',
        taken_at: '2026-11-22T09:30:00+08:00',
        reason: 'daily',
        size: 1024,
      },
    ]);
    api.restoreBackup.mockResolvedValue({
      restore: {
        restored_from: '/data/backups/shop-20261122-093000-daily.sqlite',
        safety_backup: '/data/backups/shop-20261122-110000-before-restore.sqlite',
        schema_version: 5,
      },
      shop: makeShop({ summary: { total: 0, open: 0, closed: 0, by_kind: [] } }),
    });
    render(<App initialLocale="zh-CN" />);
    const rescue = await screen.findByTestId('shop-rescue');
    expect(screen.getByText('店铺文件已损坏，为免丢失更多数据已拒绝打开'), 'the code is translated').toBeInTheDocument();
    expect(screen.getByText(message), 'the store says what is wrong').toBeInTheDocument();
    expect(within(rescue).queryByTestId('backup-now'), 'no backup of a damaged shop from here').toBeNull();
    fireEvent.click(await within(rescue).findByTestId('backup-restore'));
    expect(await screen.findByText(/先把当前数据另存为一份“恢复前”备份/)).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('restore-confirm'));
    await waitFor(() => expect(screen.queryByTestId('shop-rescue')).toBeNull());
    expect(api.restoreBackup).toHaveBeenCalledWith('/data/backups/shop-20261122-093000-daily.sqlite');
    expect(screen.queryByTestId('shop-error'), 'the restored shop is open').toBeNull();
  });

  it('lets the user open another shop file when the shop refuses to open', async () => {
    api.isTauri.mockReturnValue(true);
    api.shopInfo.mockRejectedValue(new ApiError({ code: 'not_a_shop', message: '文件 /data/x.sqlite 不是售后台的店铺数据' }));
    api.listBackups.mockResolvedValue([]);
    api.chooseShopFile.mockResolvedValue('/data/other.sqlite');
    api.openShop.mockResolvedValue(makeShop({ summary: { total: 0, open: 0, closed: 0, by_kind: [] } }));
    render(<App initialLocale="zh-CN" />);
    expect(await screen.findByText('这个文件不是售后台的店铺数据（或文件开头已损坏）')).toBeInTheDocument();
    fireEvent.click(await screen.findByTestId('rescue-open-other'));
    await waitFor(() => expect(screen.queryByTestId('shop-rescue')).toBeNull());
    expect(api.openShop).toHaveBeenCalledWith('/data/other.sqlite');
  });

  it('warns on every page while the shop file is in a synced folder', async () => {
    api.isTauri.mockReturnValue(true);
    api.listCases.mockResolvedValue({ total: 0, cases: [] });
    api.shopInfo.mockResolvedValue(
      makeShop({
        summary: { total: 0, open: 0, closed: 0, by_kind: [] },
        synced_folder: { client: 'nutstore', folder: 'C:\\Users\\me\\Nutstore', message: '' },
      }),
    );
    render(<App initialLocale="zh-CN" />);
    const warning = await screen.findByTestId('synced-folder-warning');
    expect(warning).toHaveTextContent('店铺文件不能放在同步文件夹里');
    expect(warning).toHaveTextContent('店铺文件在 坚果云 的同步文件夹（C:\\Users\\me\\Nutstore）里');
    expect(warning).toHaveTextContent('团队同步功能即将推出');
    fireEvent.click(within(screen.getByRole('menu')).getByText('导入'));
    expect(screen.getByTestId('synced-folder-warning'), 'still shown on another page').toBeInTheDocument();
  });

  it('hands the old agent name to the shop on start and records changes as that member', async () => {
    window.localStorage.setItem('afterdesk.agent', '小张');
    window.localStorage.setItem('afterdesk.agentLimitFen', '5000');
    api.isTauri.mockReturnValue(true);
    api.shopInfo.mockResolvedValue(makeShop({ summary: { total: 0, open: 0, closed: 0, by_kind: [] } }));
    const member = { id: 'm1', name: '小张', role: 'owner', role_name: '店长', created_at: '2026-11-20T10:00:00+08:00' };
    api.adoptLocalSettings.mockResolvedValue({
      member,
      created_member: true,
      bound: true,
      limit_adopted: true,
      parcel_rules_adopted: false,
      parcel_rules_error: null,
    });
    api.whoami.mockResolvedValue(member);
    render(<App initialLocale="zh-CN" />);
    await waitFor(() => expect(api.whoami).toHaveBeenCalled());
    expect(api.adoptLocalSettings, 'the old values go to the shop').toHaveBeenCalledWith('小张', 5000);
    expect(window.localStorage.getItem('afterdesk.agent'), 'forgotten once the shop has it').toBeNull();
    expect(window.localStorage.getItem('afterdesk.agentLimitFen')).toBeNull();
  });

  it('keeps the old agent name when the shop could not take it', async () => {
    window.localStorage.setItem('afterdesk.agent', '小张');
    api.isTauri.mockReturnValue(true);
    api.shopInfo.mockResolvedValue(makeShop({ summary: { total: 0, open: 0, closed: 0, by_kind: [] } }));
    api.adoptLocalSettings.mockRejectedValue(new ApiError({ code: 'shop_locked', message: '店铺数据正被另一个程序写入' }));
    api.whoami.mockResolvedValue(null);
    render(<App initialLocale="zh-CN" />);
    expect(await screen.findByText(/没能把这台电脑原来的名字和补偿上限交给店铺/)).toBeInTheDocument();
    expect(window.localStorage.getItem('afterdesk.agent'), 'nothing the user set is lost').toBe('小张');
    window.localStorage.clear();
  });

  it('never hands the old settings to the demo shop, which lives in memory', async () => {
    window.localStorage.setItem('afterdesk.agent', '小张');
    api.isTauri.mockReturnValue(true);
    api.shopInfo.mockResolvedValue(makeShop({ demo: true }));
    api.whoami.mockResolvedValue(null);
    render(<App initialLocale="zh-CN" />);
    await waitFor(() => expect(api.whoami).toHaveBeenCalled());
    expect(api.adoptLocalSettings).not.toHaveBeenCalled();
    expect(window.localStorage.getItem('afterdesk.agent'), 'kept for the real shop').toBe('小张');
    window.localStorage.clear();
  });
});
