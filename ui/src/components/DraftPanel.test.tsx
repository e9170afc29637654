import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { DraftView } from '../api';
import { I18nProvider } from '../i18n';

const api = vi.hoisted(() => ({
  caseDraft: vi.fn(),
  copyDraft: vi.fn(),
  draftCopies: vi.fn(),
  lintReply: vi.fn(),
  polishDraft: vi.fn(),
  polishEnabled: vi.fn(),
}));
vi.mock('../api', () => api);

const { DraftPanel } = await import('./DraftPanel');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

function draft(text: string, overrides: Partial<DraftView> = {}): DraftView {
  return {
    kind: 'not_received',
    kind_name: '未收到货',
    stage: 'first_reply',
    text,
    script_ids: ['not_received.first.1@1'],
    unfilled: [],
    marks: [],
    lint: [],
    compensation: null,
    classification: null,
    variants: [
      { pick: 0, script_id: 'not_received.first.1@1', preview: '亲，给您添麻烦了', tone: '', shop: false },
      { pick: 1, script_id: 'not_received.first.2@1', preview: '亲，抱歉让您久等', tone: '', shop: true },
    ],
    pick: 0,
    traditional: false,
    ...overrides,
  };
}

describe('DraftPanel', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.draftCopies.mockResolvedValue([]);
    api.lintReply.mockResolvedValue({ lint: [], marks: [] });
    api.polishEnabled.mockResolvedValue(false);
    api.copyDraft.mockResolvedValue({
      id: 'd1',
      text: 'x',
      script_ids: [],
      confirmed_unfilled: [],
      lint: [],
      copied_by: '客服',
      copied_at: '2026-11-22T10:00:00+08:00',
    });
  });

  it('shows the filled draft and copies it with the script it came from', async () => {
    api.caseDraft.mockResolvedValue(draft('亲，给您添麻烦了，订单 123 我们今天内查清楚。'));
    wrap(<DraftPanel caseKey="c1" />);
    await screen.findByDisplayValue('亲，给您添麻烦了，订单 123 我们今天内查清楚。');
    expect(screen.getByTestId('draft-lint-clean')).toBeTruthy();
    fireEvent.click(screen.getByTestId('draft-copy'));
    await waitFor(() => expect(api.copyDraft).toHaveBeenCalled());
    expect(api.copyDraft.mock.calls[0]?.[1]).toMatchObject({
      script_ids: ['not_received.first.1@1'],
      confirm_unfilled: false,
    });
  });

  it('does not copy a draft with unfilled marks until they are filled in', async () => {
    api.caseDraft.mockResolvedValue(
      draft('亲，签收人是【待填：签收人】，我们马上核实。', {
        unfilled: [{ name: 'signer', label: '签收人', mark: '【待填：签收人】' }],
        marks: [{ kind: 'placeholder', label: '签收人', start: 6, end: 14 }],
      }),
    );
    wrap(<DraftPanel caseKey="c1" />);
    await screen.findByTestId('draft-unfilled');
    fireEvent.click(screen.getByTestId('draft-copy'));
    // The button only opens the confirmation; nothing is copied yet.
    expect(api.copyDraft).not.toHaveBeenCalled();
    const input = screen.getByTestId('draft-fill-签收人').querySelector('input') ?? screen.getByTestId('draft-fill-签收人');
    fireEvent.change(input, { target: { value: '门卫张师傅' } });
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', keyCode: 13 });
    await screen.findByDisplayValue('亲，签收人是门卫张师傅，我们马上核实。');
    expect(api.lintReply, 'the filled text is checked at once').toHaveBeenCalledWith(
      '亲，签收人是门卫张师傅，我们马上核实。',
      'not_received',
    );
    await waitFor(() => expect(screen.queryByTestId('draft-unfilled')).toBeNull());
    fireEvent.click(screen.getByTestId('draft-copy'));
    await waitFor(() => expect(api.copyDraft).toHaveBeenCalled());
    expect(api.copyDraft.mock.calls[0]?.[1]).toMatchObject({ text: '亲，签收人是门卫张师傅，我们马上核实。' });
  });

  it('lints what the agent types', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    api.caseDraft.mockResolvedValue(draft('亲，抱歉。'));
    api.lintReply.mockResolvedValue({ lint: [{ rule: 'blame_courier', message: '不要把问题推给快递' }], marks: [] });
    wrap(<DraftPanel caseKey="c1" />);
    const box = await screen.findByDisplayValue('亲，抱歉。');
    fireEvent.change(box, { target: { value: '快递弄丢的，你找快递' } });
    await act(async () => {
      await vi.advanceTimersByTimeAsync(400);
    });
    await screen.findByText('不要把问题推给快递');
    expect(api.lintReply).toHaveBeenCalledWith('快递弄丢的，你找快递', 'not_received');
    vi.useRealTimers();
  });

  it('says when a compensation needs a manager', async () => {
    api.caseDraft.mockResolvedValue(
      draft('亲，抱歉。', {
        compensation: { step: 'money', amount_fen: 5000, needs_approval: true, message: '补偿 50 元' },
      }),
    );
    wrap(<DraftPanel caseKey="c1" />);
    await screen.findByTestId('draft-compensation');
    expect(screen.getByText(/需要主管批准/)).toBeTruthy();
  });

  it('asks again for the buyer message on Ctrl+Enter', async () => {
    api.caseDraft.mockResolvedValue(draft('亲，抱歉。'));
    wrap(<DraftPanel caseKey="c1" />);
    await screen.findByDisplayValue('亲，抱歉。');
    const message = screen.getByTestId('draft-message');
    fireEvent.change(message, { target: { value: '退款什麼時候到賬' } });
    fireEvent.keyDown(message, { key: 'Enter', ctrlKey: true });
    await waitFor(() =>
      expect(api.caseDraft).toHaveBeenLastCalledWith('c1', expect.objectContaining({ message: '退款什麼時候到賬' })),
    );
  });

  describe('AI polish', () => {
    const DRAFT = '亲，快递员会打您的电话 13812345678，请留意。';
    const POLISHED = {
      text: '亲，快递小哥会拨打您的〔电话〕联系您，请您留意哦。',
      sent_text: '亲，快递员会打您的电话〔电话〕，请留意。',
      removed: [{ kind: 'phone', marker: '〔电话〕', count: 1 }],
      marks: [{ kind: 'marker', label: '〔电话〕', start: 11, end: 15 }],
      warnings: [
        { code: 'markers_left', message: '润色稿里有 〔电话〕：发送前请填回（个人信息没有发给 AI，也不会自动填回）' },
      ],
    };

    it('has no button while the shop has the polish off', async () => {
      api.caseDraft.mockResolvedValue(draft(DRAFT));
      wrap(<DraftPanel caseKey="c1" />);
      await screen.findByDisplayValue(DRAFT);
      await waitFor(() => expect(api.polishEnabled).toHaveBeenCalled());
      expect(screen.queryByTestId('draft-polish')).toBeNull();
      expect(api.polishDraft).not.toHaveBeenCalled();
    });

    it('offers the polished text beside the draft, and adopting it brings its markers to be filled', async () => {
      api.polishEnabled.mockResolvedValue(true);
      // Rust's check finds the marker in the polished text, and none once it is filled in.
      api.lintReply.mockImplementation(async (text: string) => ({
        lint: [],
        marks: text === POLISHED.text ? POLISHED.marks : [],
      }));
      api.caseDraft.mockResolvedValue(draft(DRAFT));
      api.polishDraft.mockResolvedValue(POLISHED);
      wrap(<DraftPanel caseKey="c1" />);
      await screen.findByDisplayValue(DRAFT);
      fireEvent.click(await screen.findByTestId('draft-polish'));
      const proposal = await screen.findByTestId('draft-polish-proposal');
      expect(api.polishDraft).toHaveBeenCalledWith('c1', DRAFT);
      expect(screen.getByTestId('draft-polish-text').textContent).toBe(POLISHED.text);
      expect(
        screen.getByTestId('draft-polish-text').querySelector('mark')?.textContent,
        'the marker Rust spanned is highlighted',
      ).toBe('〔电话〕');
      expect(screen.getByTestId('draft-polish-removed').textContent).toBe('发送前已去除：电话 1 处');
      expect(screen.getByTestId('draft-polish-warnings').textContent).toContain('发送前请填回');
      // Until adopted, the draft is what it was.
      expect(screen.getByDisplayValue(DRAFT)).toBeTruthy();
      expect(proposal).toBeTruthy();

      fireEvent.click(screen.getByTestId('draft-polish-adopt'));
      await screen.findByDisplayValue(POLISHED.text);
      expect(screen.queryByTestId('draft-polish-proposal')).toBeNull();
      expect(api.lintReply, 'the adopted text is linted at once').toHaveBeenCalledWith(POLISHED.text, 'not_received');
      // The marker blocks the copy like a 【待填】 mark: the button only asks to confirm.
      expect(screen.getByTestId('draft-unfilled').textContent).toContain('〔电话〕');
      fireEvent.click(screen.getByTestId('draft-copy'));
      expect(api.copyDraft).not.toHaveBeenCalled();
      const input = screen.getByTestId('draft-fill-〔电话〕').querySelector('input') ?? screen.getByTestId('draft-fill-〔电话〕');
      fireEvent.change(input, { target: { value: '13812345678' } });
      fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', keyCode: 13 });
      await screen.findByDisplayValue('亲，快递小哥会拨打您的13812345678联系您，请您留意哦。');
      await waitFor(() => expect(screen.queryByTestId('draft-unfilled')).toBeNull());
      fireEvent.click(screen.getByTestId('draft-copy'));
      await waitFor(() => expect(api.copyDraft).toHaveBeenCalled());
      expect(api.copyDraft.mock.calls[0]?.[1]).toMatchObject({ confirm_unfilled: false });
    });

    it('keeps the draft when the proposal is discarded', async () => {
      api.polishEnabled.mockResolvedValue(true);
      api.caseDraft.mockResolvedValue(draft(DRAFT));
      api.polishDraft.mockResolvedValue(POLISHED);
      wrap(<DraftPanel caseKey="c1" />);
      fireEvent.click(await screen.findByTestId('draft-polish'));
      await screen.findByTestId('draft-polish-proposal');
      fireEvent.click(screen.getByTestId('draft-polish-discard'));
      expect(screen.queryByTestId('draft-polish-proposal')).toBeNull();
      expect(screen.getByDisplayValue(DRAFT)).toBeTruthy();
      expect(screen.queryByTestId('draft-unfilled')).toBeNull();
    });

    it('says plainly why the polish failed and leaves the draft alone', async () => {
      api.polishEnabled.mockResolvedValue(true);
      api.caseDraft.mockResolvedValue(draft(DRAFT));
      api.polishDraft.mockRejectedValue(new Error('AI 润色超时：30 秒内没有得到回答，请稍后再试或直接使用原稿'));
      wrap(<DraftPanel caseKey="c1" />);
      fireEvent.click(await screen.findByTestId('draft-polish'));
      const alert = await screen.findByTestId('draft-polish-error');
      expect(alert.textContent).toContain('AI 润色没有成功，草稿没有改动');
      expect(alert.textContent).toContain('30 秒内没有得到回答');
      expect(screen.queryByTestId('draft-polish-proposal')).toBeNull();
      expect(screen.getByDisplayValue(DRAFT)).toBeTruthy();
    });
  });
});
