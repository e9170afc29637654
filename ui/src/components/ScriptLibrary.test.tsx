import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { ProposalView, ScriptImportView, ScriptView } from '../api';
import { I18nProvider } from '../i18n';

const api = vi.hoisted(() => ({
  acceptScriptImport: vi.fn(),
  chooseTrainingFile: vi.fn(),
  lintReply: vi.fn(),
  previewScriptImport: vi.fn(),
  previewScriptText: vi.fn(),
  removeScript: vi.fn(),
  saveScript: vi.fn(),
  scriptHistory: vi.fn(),
  scriptLibrary: vi.fn(),
  setScriptEnabled: vi.fn(),
}));
vi.mock('../api', () => api);

const { ScriptLibrary } = await import('./ScriptLibrary');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

function script(id: string, text: string, origin = 'builtin'): ScriptView {
  return {
    id,
    kind: 'quality_issue',
    kind_name: '质量问题',
    stage: 'first_reply',
    text,
    text_hant: text,
    tags: [],
    tone: '',
    enabled: true,
    version: 1,
    origin,
    updated_by: '',
    updated_at: '',
    lint: [],
  };
}

function proposal(item: string, text: string, extra: Partial<ProposalView> = {}): ProposalView {
  return {
    item,
    kind: 'quality_issue',
    stage: 'first_reply',
    confidence: 0.8,
    text,
    details: [],
    answer: '',
    line: 3,
    occurrences: 2,
    lint: [],
    known: false,
    ...extra,
  };
}

describe('ScriptLibrary', () => {
  beforeEach(() => {
    vi.clearAllMocks();
    api.lintReply.mockResolvedValue({ lint: [], marks: [] });
    api.scriptLibrary.mockResolvedValue([
      script('quality_issue.first.1', '亲，给您添麻烦了，请拍张照片给我们看看。'),
      script('shop.1', '亲，本店自己的话术。', 'shop'),
    ]);
  });

  it('lists the scripts and searches them', async () => {
    wrap(<ScriptLibrary />);
    await screen.findByText('亲，本店自己的话术。');
    fireEvent.change(screen.getByTestId('script-search').querySelector('input') ?? screen.getByTestId('script-search'), {
      target: { value: '照片' },
    });
    await waitFor(() =>
      expect(api.scriptLibrary).toHaveBeenLastCalledWith(expect.objectContaining({ search: '照片' })),
    );
  });

  it('saves a new script from the editor', async () => {
    api.saveScript.mockResolvedValue(script('shop.2', '亲，新话术。', 'shop'));
    wrap(<ScriptLibrary />);
    await screen.findByText('亲，本店自己的话术。');
    fireEvent.click(screen.getByTestId('script-new'));
    fireEvent.change(await screen.findByTestId('script-text'), { target: { value: '亲，新话术{order_no}。' } });
    fireEvent.click(screen.getByTestId('script-save'));
    await waitFor(() => expect(api.saveScript).toHaveBeenCalled());
    expect(api.saveScript.mock.calls[0]?.[0]).toMatchObject({ id: null, text: '亲，新话术{order_no}。', base_version: null });
  });

  it('switches a script off', async () => {
    api.setScriptEnabled.mockResolvedValue(script('shop.1', 'x', 'shop'));
    wrap(<ScriptLibrary />);
    await screen.findByText('亲，本店自己的话术。');
    fireEvent.click(screen.getByTestId('script-enabled-shop.1'));
    await waitFor(() => expect(api.setScriptEnabled).toHaveBeenCalledWith('shop.1', false));
  });

  it('reviews an import: lint-failing and known proposals start unticked, only ticked ones are saved', async () => {
    const view: ScriptImportView = {
      source: 'deck.pptx',
      lines: 120,
      proposals: [
        proposal('script', '亲，给您添麻烦了，我们马上补发。'),
        proposal('script', '这是快递弄丢的，你去找快递。', {
          lint: [{ rule: 'blame_courier', message: '不要把问题推给快递' }],
        }),
        proposal('script', '亲，已有的话术。', { known: true }),
        proposal('question', '买家说少了配件，先做什么？', { details: ['A. 退款', 'B. 核实'], answer: 'B' }),
      ],
      skipped_counts: [
        ['duplicate', 40],
        ['noise', 12],
      ],
      skipped: [{ line: 1, text: '第 1 页', reason: 'noise' }],
    };
    api.chooseTrainingFile.mockResolvedValue('/tmp/deck.pptx');
    api.previewScriptImport.mockResolvedValue(view);
    api.acceptScriptImport.mockResolvedValue({ scripts: 1, training_items: 1, already_known: 0 });
    wrap(<ScriptLibrary />);
    await screen.findByText('亲，本店自己的话术。');
    fireEvent.click(screen.getByTestId('script-import'));
    fireEvent.click(await screen.findByTestId('script-import-file'));
    const summary = await screen.findByTestId('script-import-summary');
    expect(within(summary).getByText(/话术 3 条、选择题 1 道/)).toBeTruthy();
    expect(within(summary).getByText(/重复 40/)).toBeTruthy();
    fireEvent.click(screen.getByTestId('script-import-accept'));
    await screen.findByTestId('script-import-result');
    const sent = api.acceptScriptImport.mock.calls[0]?.[0] as { proposals: ProposalView[] };
    expect(sent.proposals.map((p) => p.text)).toEqual([
      '亲，给您添麻烦了，我们马上补发。',
      '买家说少了配件，先做什么？',
    ]);
  });

  it('shows a clear error for an unreadable training file', async () => {
    api.chooseTrainingFile.mockResolvedValue('/tmp/broken.docx');
    api.previewScriptImport.mockRejectedValue(new Error('/tmp/broken.docx 不是有效的 Office 文件'));
    wrap(<ScriptLibrary />);
    await screen.findByText('亲，本店自己的话术。');
    fireEvent.click(screen.getByTestId('script-import'));
    fireEvent.click(await screen.findByTestId('script-import-file'));
    const error = await screen.findByTestId('script-import-error');
    expect(error.textContent).toContain('broken.docx');
  });
});
