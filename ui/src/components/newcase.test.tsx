// New case by hand (新建售后单), Ctrl+N, bulk actions in the case list and the workbench's
// shortcut and due-time placeholder. The Rust side is mocked through `../api`.
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

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
  changeCases: vi.fn(),
  addCase: vi.fn(),
  deleteCase: vi.fn(),
  restoreCase: vi.fn(),
  chooseExportFile: vi.fn(),
  previewImport: vi.fn(),
  importFile: vi.fn(),
  cancelImport: vi.fn(),
  openDemoShop: vi.fn(),
  closeDemoShop: vi.fn(),
  openShop: vi.fn(),
  chooseShopFile: vi.fn(),
  chooseNewShopFile: vi.fn(),
  listBackups: vi.fn(),
  backupNow: vi.fn(),
  onFileDrop: vi.fn((_handler: (path: string) => void) => () => undefined),
}));
vi.mock('../api', () => api);

const { NewCaseDialog, extractOrderNo, yuanToFen, toNewCase } = await import('./NewCaseDialog');
const { CaseList } = await import('./CaseList');
const { Dashboard } = await import('./Dashboard');
const { App } = await import('../App');

function wrap(node: ReactNode, locale: Locale = 'zh-CN') {
  return render(
    <I18nProvider initialLocale={locale}>
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

/** An error shaped like the API's `ApiError` (the real class is mocked away with the module). */
function apiError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { name: 'ApiError', code });
}

/** Opens an antd Select found by test id and clicks the option with the given text. */
async function pick(testId: string, optionText: string) {
  const select = await screen.findByTestId(testId);
  fireEvent.mouseDown(within(select).getByRole('combobox'));
  const options = await screen.findAllByText(optionText);
  fireEvent.click(options.at(-1) as HTMLElement);
}

function paste(target: HTMLElement, text: string) {
  return fireEvent.paste(target, { clipboardData: { getData: () => text } });
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.isTauri.mockReturnValue(false);
  api.getAppInfo.mockResolvedValue(null);
  api.onFileDrop.mockImplementation(() => () => undefined);
  api.clockDashboard.mockResolvedValue({ open: 0, overdue: 0, due_soon: 0, entries: [] });
  api.caseClocks.mockResolvedValue({ case_id: 'c1', kind: 'quality_issue', clocks: [], next: null });
  api.caseEvidence.mockResolvedValue({
    case_id: 'c1',
    situations: [],
    unassigned: [],
    readiness: { required: 0, ready: 0, missing: [], deadline: null, minutes_left: null, summary: '无需举证' },
    unboxing: [],
  });
});

describe('order number from pasted text', () => {
  it.each([
    ['订单号：4012345678901234567 复制', '4012345678901234567'],
    ['4012345678901234567', '4012345678901234567'],
    ['  4012345678901234567\n', '4012345678901234567'],
    ['订单编号:123456789012345', '123456789012345'], // 15 digits, the shortest
    ['12345678901234567890号', '12345678901234567890'], // 20 digits, the longest
    ['买家电话 13812345678，订单 4012345678901234567', '4012345678901234567'], // phone skipped
    ['订单 401234567890123456 与 501234567890123456', '401234567890123456'], // the first one
    ['订单号：４０１２３４５６７８９０１２３４５６７', '4012345678901234567'], // full-width digits
    ['12345678901234', null], // 14 digits: too short
    ['123456789012345678901', null], // 21 digits: not an order number, and no 20-digit slice of it
    ['没有数字', null],
    ['', null],
  ])('%j → %j', (pasted, expected) => {
    expect(extractOrderNo(pasted), `order number read from ${JSON.stringify(pasted)}`).toBe(expected);
  });
});

describe('yuan to fen', () => {
  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.01', 1],
    ['0', 0],
    ['.5', 50],
    ['12.', 1200],
    ['4.35', 435], // 4.35 * 100 is 434.99999999999994 in floating point
    ['1.15', 115], // and 1.15 * 100 is 114.99999999999999
    ['¥1,234.50', 123450],
    ['￥ 8 元', 800],
    ['１２．５', 1250],
    ['99999999999.99', 9999999999999],
  ])('%j is %d fen', (text, fen) => {
    expect(yuanToFen(text), `“${text}” must be exactly ${fen} fen`).toEqual({ ok: true, fen });
  });

  it('reads an empty amount as no amount', () => {
    expect(yuanToFen('')).toEqual({ ok: true, fen: null });
    expect(yuanToFen('   ')).toEqual({ ok: true, fen: null });
  });

  it.each([
    ['12.345', 'tooPrecise'],
    ['0.001', 'tooPrecise'],
    ['-1', 'negative'],
    ['-0.5', 'negative'],
    ['abc', 'notNumber'],
    ['12,5', 'notNumber'], // a comma is a thousands separator only, never a decimal point
    ['1.2.3', 'notNumber'],
    ['.', 'notNumber'],
    ['1e3', 'notNumber'],
    ['-', 'notNumber'],
    ['100000000000.00', 'tooLarge'],
  ])('refuses %j (%s)', (text, error) => {
    expect(yuanToFen(text), `“${text}” must be refused as ${error}`).toEqual({ ok: false, error });
  });
});

describe('form values to the add_case input', () => {
  it('trims texts, sends null for empty ones and needs one of order, refund or buyer', () => {
    expect(toNewCase({ platform: 'taobao', item_title: '保温杯' })).toEqual({ ok: false, error: 'newCase.required' });
    expect(toNewCase({ buyer_nick: '  ', refund_no: '' })).toEqual({ ok: false, error: 'newCase.required' });
    expect(toNewCase({ buyer_nick: ' momo ', refund_yuan: '12.345' })).toEqual({
      ok: false,
      error: 'newCase.amount.tooPrecise',
    });
    expect(toNewCase({ platform: 'other', buyer_nick: ' momo ', item_title: ' ' })).toEqual({
      ok: true,
      input: {
        platform: 'other',
        order_no: null,
        refund_no: null,
        buyer_nick: 'momo',
        item_title: null,
        reason_text: null,
        refund_fen: null,
        kind: null,
        flag: null,
        assignee: null,
      },
    });
  });
});

describe('new case dialog', () => {
  it('pastes just the order number and creates the case with the right input', async () => {
    api.addCase.mockResolvedValue(makeCase({ id: 'new-1' }));
    const onCreated = vi.fn();
    const onClose = vi.fn();
    wrap(<NewCaseDialog open onClose={onClose} onCreated={onCreated} />);
    const dialog = await screen.findByTestId('new-case-dialog');
    expect(within(dialog).getByText('新建售后单')).toBeInTheDocument();

    fireEvent.click(within(dialog).getByText('天猫'));
    const order = within(dialog).getByTestId('new-case-order-no');
    const notPrevented = paste(order, '订单号：4012345678901234567 复制');
    expect(notPrevented, 'the raw paste must be replaced by the extracted number').toBe(false);
    expect(order, 'only the digits stay in the order field').toHaveValue('4012345678901234567');
    expect(within(dialog).getByTestId('order-paste-hint')).toHaveTextContent(
      '已从粘贴的内容中提取订单号 4012345678901234567',
    );

    fireEvent.change(within(dialog).getByTestId('new-case-refund-no'), { target: { value: ' 300000000000000001 ' } });
    fireEvent.change(within(dialog).getByTestId('new-case-buyer'), { target: { value: '<b>momo</b>' } });
    fireEvent.change(within(dialog).getByTestId('new-case-item'), { target: { value: '保温杯 500ml' } });
    fireEvent.change(within(dialog).getByTestId('new-case-reason'), { target: { value: '杯盖漏水' } });
    fireEvent.change(within(dialog).getByTestId('new-case-refund'), { target: { value: '12.5' } });
    await pick('new-case-kind', '质量问题');
    await pick('new-case-flag', '红旗');
    const assignee = within(dialog).getByTestId('new-case-assignee');
    fireEvent.change(assignee, { target: { value: '小王' } });
    fireEvent.keyDown(assignee, { key: 'Enter', code: 'Enter', keyCode: 13 });

    await waitFor(() => expect(api.addCase, 'Enter in the last field must submit').toHaveBeenCalledOnce());
    expect(api.addCase, 'the add_case input built from the form').toHaveBeenCalledWith({
      platform: 'tmall',
      order_no: '4012345678901234567',
      refund_no: '300000000000000001',
      buyer_nick: '<b>momo</b>',
      item_title: '保温杯 500ml',
      reason_text: '杯盖漏水',
      refund_fen: 1250,
      kind: 'quality_issue',
      flag: 'red',
      assignee: '小王',
    });
    await waitFor(() => expect(onCreated, 'the new case must be opened').toHaveBeenCalledWith('new-1'));
    expect(await screen.findByText('已新建售后单')).toBeInTheDocument();
    expect(onClose).not.toHaveBeenCalled();
  });

  it('lets a paste without an order number through unchanged', async () => {
    wrap(<NewCaseDialog open onClose={() => undefined} onCreated={() => undefined} />);
    const order = await screen.findByTestId('new-case-order-no');
    expect(paste(order, '4012345678901234567'), 'a bare number pastes normally').toBe(true);
    expect(paste(order, '没有订单号'), 'text without a number pastes normally').toBe(true);
    expect(screen.queryByTestId('order-paste-hint')).toBeNull();
  });

  it('refuses a bad amount and a case with nothing to find it by, in Chinese', async () => {
    wrap(<NewCaseDialog open onClose={() => undefined} onCreated={() => undefined} />);
    const dialog = await screen.findByTestId('new-case-dialog');
    const submit = within(dialog).getByTestId('new-case-submit');

    fireEvent.change(within(dialog).getByTestId('new-case-item'), { target: { value: '保温杯' } });
    fireEvent.click(submit);
    expect(await within(dialog).findByTestId('new-case-error')).toHaveTextContent(
      '订单号、退款编号、买家昵称至少要填写一项',
    );

    fireEvent.change(within(dialog).getByTestId('new-case-buyer'), { target: { value: 'momo' } });
    for (const [amount, text] of [
      ['12.345', '退款金额最多两位小数（精确到分）'],
      ['-1', '退款金额不能是负数'],
      ['abc', '退款金额不是有效的数字，请填写如 12.50'],
    ] as const) {
      fireEvent.change(within(dialog).getByTestId('new-case-refund'), { target: { value: amount } });
      fireEvent.click(submit);
      // antd swaps a field's message with a short animation; give a busy machine time.
      expect(await within(dialog).findByText(text, {}, { timeout: 5000 }), `message for “${amount}”`).toBeInTheDocument();
    }
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(api.addCase, 'nothing may be sent while the form is invalid').not.toHaveBeenCalled();
  });

  it('shows a refused case inline and stays open', async () => {
    api.addCase.mockRejectedValue(apiError('duplicate_refund_no', '退款编号 300000000000000001 已存在，不能重复添加'));
    const onCreated = vi.fn();
    wrap(<NewCaseDialog open onClose={() => undefined} onCreated={onCreated} />);
    const dialog = await screen.findByTestId('new-case-dialog');
    fireEvent.change(within(dialog).getByTestId('new-case-refund-no'), { target: { value: '300000000000000001' } });
    fireEvent.click(within(dialog).getByTestId('new-case-submit'));
    const error = await within(dialog).findByTestId('new-case-error');
    expect(error).toHaveTextContent('这个退款编号已经有售后单了');
    expect(error).toHaveTextContent('退款编号 300000000000000001 已存在');
    expect(onCreated).not.toHaveBeenCalled();
    expect(screen.getByTestId('new-case-dialog')).toBeInTheDocument();
  });

  it('closes on Escape', async () => {
    const onClose = vi.fn();
    wrap(<NewCaseDialog open onClose={onClose} onCreated={() => undefined} />);
    const order = await screen.findByTestId('new-case-order-no');
    fireEvent.keyDown(order, { key: 'Escape', code: 'Escape', keyCode: 27 });
    expect(onClose, 'Escape must close the dialog').toHaveBeenCalledOnce();
  });
});

describe('Ctrl+N', () => {
  it('opens the dialog from anywhere and shows the created case', async () => {
    api.addCase.mockResolvedValue(makeCase({ id: 'new-2' }));
    api.caseDetail.mockResolvedValue(makeDetail({ case: makeCase({ id: 'new-2', buyer_nick: '新买家' }) }));
    render(<App initialLocale="zh-CN" />);
    await screen.findByTestId('demo-shop-button');
    expect(screen.queryByTestId('new-case-dialog')).toBeNull();

    const notPrevented = fireEvent.keyDown(window, { key: 'n', code: 'KeyN', ctrlKey: true });
    expect(notPrevented, "Ctrl+N must not reach the webview's new-window action").toBe(false);
    const dialog = await screen.findByTestId('new-case-dialog');

    fireEvent.change(within(dialog).getByTestId('new-case-buyer'), { target: { value: '新买家' } });
    fireEvent.click(within(dialog).getByTestId('new-case-submit'));
    await waitFor(() => expect(api.addCase).toHaveBeenCalledOnce());
    expect(await screen.findByTestId('case-page'), 'the new case must open').toBeInTheDocument();
    expect(api.caseDetail).toHaveBeenCalledWith('new-2');
  });

  it('also answers Cmd+N (macOS)', async () => {
    render(<App initialLocale="zh-CN" />);
    await screen.findByTestId('demo-shop-button');
    fireEvent.keyDown(window, { key: 'n', code: 'KeyN', metaKey: true });
    expect(await screen.findByTestId('new-case-dialog')).toBeInTheDocument();
  });
});

describe('case list bulk actions', () => {
  const first = makeCase({ id: 'c1' });
  const second = makeCase({ id: 'c2', refund_no: '200000000000000008', buyer_nick: 'momo_0312', flag: null });
  const third = makeCase({ id: 'c3', refund_no: '200000000000000009', buyer_nick: 'lili', flag: null });

  beforeEach(() => {
    api.listCases.mockResolvedValue({ total: 3, cases: [first, second, third] });
  });

  async function selectRows(...indexes: number[]) {
    const rows = await screen.findAllByTestId('case-row');
    for (const i of indexes) {
      fireEvent.click(within(rows[i] as HTMLElement).getByRole('checkbox'));
    }
  }

  it('has a 新建 button that opens the dialog', async () => {
    const onNewCase = vi.fn();
    wrap(<CaseList onOpen={() => undefined} onNewCase={onNewCase} />);
    fireEvent.click(await screen.findByTestId('new-case-button'));
    expect(onNewCase).toHaveBeenCalledOnce();
  });

  it('selects rows without opening them and sets their flag in one call', async () => {
    api.changeCases.mockResolvedValue([first, third]);
    const onOpen = vi.fn();
    wrap(<CaseList onOpen={onOpen} />);
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
    await selectRows(0, 2);
    expect(onOpen, 'ticking a checkbox must not open the case').not.toHaveBeenCalled();
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('已选 2 条');
    const loads = api.listCases.mock.calls.length;

    await pick('bulk-flag-select', '绿旗');
    await waitFor(() =>
      expect(api.changeCases, 'bulk flag must send the selected ids and the flag key').toHaveBeenCalledWith(
        ['c1', 'c3'],
        { flag: 'green' },
      ),
    );
    expect(await screen.findByText('已更新 2 条售后单')).toBeInTheDocument();
    await waitFor(() => expect(api.listCases.mock.calls.length, 'the list must reload').toBeGreaterThan(loads));
  });

  it('clears the flag with the key change_cases expects', async () => {
    api.changeCases.mockResolvedValue([second]);
    wrap(<CaseList onOpen={() => undefined} />);
    await selectRows(1);
    await pick('bulk-flag-select', '清除旗帜');
    await waitFor(() => expect(api.changeCases).toHaveBeenCalledWith(['c2'], { flag: 'none' }));
  });

  it('assigns the selected cases and can clear the selection', async () => {
    api.changeCases.mockResolvedValue([first, second]);
    wrap(<CaseList onOpen={() => undefined} />);
    await selectRows(0, 1);
    const input = screen.getByTestId('bulk-assignee');
    fireEvent.change(input, { target: { value: ' 小张 ' } });
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', keyCode: 13 });
    await waitFor(() =>
      expect(api.changeCases, 'assign must send the trimmed name').toHaveBeenCalledWith(['c1', 'c2'], {
        assignee: '小张',
      }),
    );
    // The bar is locked while the list reloads after the first change.
    await waitFor(() => expect(screen.getByTestId('bulk-unassign')).toBeEnabled());
    fireEvent.click(screen.getByTestId('bulk-unassign'));
    await waitFor(() => expect(api.changeCases).toHaveBeenLastCalledWith(['c1', 'c2'], { assignee: '' }));
    fireEvent.click(screen.getByTestId('bulk-clear'));
    expect(screen.queryByTestId('bulk-bar'), '取消选择 must hide the bulk bar').toBeNull();
  });

  it('says that nothing changed when the batch is refused', async () => {
    api.changeCases.mockRejectedValue(apiError('case_not_found', '找不到售后单“c3”'));
    wrap(<CaseList onOpen={() => undefined} />);
    await selectRows(0, 2);
    await pick('bulk-flag-select', '红旗');
    expect(
      await screen.findByText(
        '批量修改失败，所有售后单都保持原样：找不到这条售后单，可能已被删除；请刷新列表。（详情：找不到售后单“c3”）',
      ),
      'the code is translated, and the core\'s text names the case',
    ).toBeInTheDocument();
  });
});

describe('workbench', () => {
  it('offers 新建售后单 and lists the cases whose clocks run out first', async () => {
    api.listCases.mockResolvedValue({ total: 0, cases: [] });
    api.clockDashboard.mockResolvedValue({
      open: 2,
      overdue: 1,
      due_soon: 0,
      entries: [
        {
          case_id: 'c7',
          refund_no: '200000000000000007',
          buyer_nick: '超时的买家',
          kind: 'refund_unshipped',
          kind_name: '未发货仅退款',
          assignee: null,
          overdue: 1,
          next: {
            case_id: 'c7',
            clock: 'refund_unshipped_response',
            name: '未发货仅退款处理',
            owner: 'platform',
            start: '2026-11-20T10:00:00+08:00',
            due: '2026-11-21T10:00:00+08:00',
            state: 'overdue',
            state_name: '已超时',
            why: null,
            length: '24 小时',
            actor: '卖家',
            action: '同意退款',
            consequence: '平台自动退款',
            overridden: [],
            warnings: [],
          },
        },
      ],
    });
    const onNewCase = vi.fn();
    const onOpen = vi.fn();
    wrap(<Dashboard shop={makeShop()} onOpen={onOpen} onCloseDemo={() => undefined} onNewCase={onNewCase} />);
    fireEvent.click(screen.getByTestId('dashboard-new-case'));
    expect(onNewCase).toHaveBeenCalledOnce();
    const deadlines = screen.getByTestId('deadlines');
    expect(within(deadlines).getByText('即将超时 / 已超时')).toBeInTheDocument();
    const row = await within(deadlines).findByTestId('deadline-row');
    expect(row, 'the clock that runs out first is named').toHaveTextContent('未发货仅退款处理');
    expect(row, 'with the buyer').toHaveTextContent('超时的买家');
    expect(row, 'and how long it is overdue').toHaveTextContent('已超时');
    expect(screen.getByTestId('count-overdue')).toHaveTextContent('1');
    fireEvent.click(row);
    expect(onOpen, 'a deadline row opens its case').toHaveBeenCalledWith('c7');
    await waitFor(() => expect(api.listCases).toHaveBeenCalled());
  });
});
