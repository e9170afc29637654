import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { CaseEvidenceView, ProofView } from '../api';
import { I18nProvider } from '../i18n';

const api = vi.hoisted(() => ({
  attachEvidence: vi.fn(),
  cancelCopy: vi.fn(),
  caseEvidence: vi.fn(),
  chooseEvidenceFiles: vi.fn(),
  chooseFolder: vi.fn(),
  detachEvidence: vi.fn(),
  exportEvidencePackage: vi.fn(),
  onFileDrop: vi.fn((_handler: (path: string) => void) => () => undefined),
}));
vi.mock('../api', () => api);

const { EvidencePanel } = await import('./EvidencePanel');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

const SLIP: ProofView = {
  id: 'p1',
  item: 'signed_by_self.signing_slip',
  hash: 'a'.repeat(64),
  original_name: '签收底单.jpg',
  size: 2048,
  mime: 'image/jpeg',
  captured_at: '2026-11-20T09:00:00+08:00',
  duration_ms: null,
  added_by: '小王',
  added_at: '2026-11-21T10:00:00+08:00',
};

function evidence(proofs: ProofView[]): CaseEvidenceView {
  return {
    case_id: 'c1',
    situations: [
      {
        key: 'signed_by_self',
        name: '买家本人签收却称未收到',
        when: '物流显示已签收',
        items: [
          {
            key: 'signed_by_self.signing_slip',
            title: '签收底单',
            valid: '快递公司公章（红章），不是财务章',
            required: true,
            proofs,
          },
          {
            key: 'signed_by_self.chat',
            title: '与买家的聊天截图',
            valid: '能看到时间和买家账号',
            required: false,
            proofs: [],
          },
        ],
      },
    ],
    unassigned: [],
    readiness: {
      required: 1,
      ready: proofs.length > 0 ? 1 : 0,
      missing: proofs.length > 0 ? [] : ['签收底单'],
      deadline: '2026-11-23T10:00:00+08:00',
      minutes_left: 840,
      summary: `已备 ${proofs.length > 0 ? 1 : 0} / 共 1 项必备材料，举证期还剩 14 小时`,
    },
    unboxing: [],
  };
}

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.onFileDrop.mockImplementation(() => () => undefined);
});

describe('evidence panel', () => {
  it('shows readiness, what makes each item valid, and attaches a chosen file to an item', async () => {
    api.caseEvidence.mockResolvedValueOnce(evidence([])).mockResolvedValue(evidence([SLIP]));
    api.chooseEvidenceFiles.mockResolvedValue(['/home/me/签收底单.jpg']);
    api.attachEvidence.mockImplementation(
      async (_key: string, _path: string, _item: string | null, onProgress: (p: unknown) => void) => {
        onProgress({ done: 1024, total: 2048 });
        return SLIP;
      },
    );
    wrap(<EvidencePanel caseKey="c1" />);
    const readiness = await screen.findByTestId('evidence-readiness');
    expect(readiness, 'readiness with the evidence period').toHaveTextContent('举证期还剩 14 小时');
    expect(readiness, 'what is missing').toHaveTextContent('还缺：签收底单');
    expect(screen.getByText('有效要求：快递公司公章（红章），不是财务章')).toBeInTheDocument();

    const slip = screen.getAllByTestId('evidence-item')[0]!;
    fireEvent.click(within(slip).getByText('添加到此项'));
    await waitFor(() =>
      expect(api.attachEvidence, 'the file goes to that item').toHaveBeenCalledWith(
        'c1',
        '/home/me/签收底单.jpg',
        'signed_by_self.signing_slip',
        expect.any(Function),
      ),
    );
    const proof = await screen.findByTestId('proof-item');
    expect(proof).toHaveTextContent('签收底单.jpg');
    expect(proof, 'capture time in China time').toHaveTextContent('拍摄于 2026-11-20 09:00');
    expect(await screen.findByText('已备 1 / 共 1 项必备材料，举证期还剩 14 小时')).toBeInTheDocument();
  });

  it('attaches a file dropped on the window, unassigned', async () => {
    let drop: ((path: string) => void) | undefined;
    api.onFileDrop.mockImplementation((handler: (path: string) => void) => {
      drop = handler;
      return () => undefined;
    });
    api.caseEvidence.mockResolvedValue(evidence([]));
    api.attachEvidence.mockResolvedValue({ ...SLIP, item: null });
    wrap(<EvidencePanel caseKey="c1" />);
    await screen.findByTestId('evidence-readiness');
    act(() => drop?.('/home/me/开箱视频.mp4'));
    await waitFor(() =>
      expect(api.attachEvidence).toHaveBeenCalledWith('c1', '/home/me/开箱视频.mp4', null, expect.any(Function)),
    );
  });

  it('asks before removing a proof, and exports the package to a chosen folder', async () => {
    api.caseEvidence.mockResolvedValue(evidence([SLIP]));
    api.detachEvidence.mockResolvedValue(SLIP);
    api.chooseFolder.mockResolvedValue('/home/me/举证');
    api.exportEvidencePackage.mockResolvedValue('/home/me/举证/200000000000000042-举证材料.zip');
    wrap(<EvidencePanel caseKey="c1" />);
    const proof = await screen.findByTestId('proof-item');
    fireEvent.click(within(proof).getByRole('button', { name: '移除' }));
    expect(api.detachEvidence, 'nothing is removed before the confirmation').not.toHaveBeenCalled();
    await waitFor(() => expect(document.querySelector('.ant-popconfirm-buttons')).not.toBeNull());
    const buttons = document.querySelector('.ant-popconfirm-buttons') as HTMLElement;
    fireEvent.click(within(buttons).getByRole('button', { name: /^移\s*除$/ }));
    await waitFor(() => expect(api.detachEvidence).toHaveBeenCalledWith('p1'));

    fireEvent.click(screen.getByTestId('evidence-export'));
    await waitFor(() => expect(api.exportEvidencePackage).toHaveBeenCalledWith('c1', '/home/me/举证'));
    expect(await screen.findByText(/举证材料包已保存/)).toBeInTheDocument();
  });
});
