import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { ImportPreviewView, ImportReportView } from '../api';
import { I18nProvider, type Locale } from '../i18n';

const api = vi.hoisted(() => ({
  chooseExportFile: vi.fn(),
  previewImport: vi.fn(),
  importFile: vi.fn(),
  cancelImport: vi.fn(),
  onFileDrop: vi.fn((_handler: (path: string) => void) => () => undefined),
}));
vi.mock('../api', () => api);

const { ImportWizard } = await import('./ImportWizard');

function wrap(node: ReactNode, locale: Locale = 'zh-CN') {
  return render(
    <I18nProvider initialLocale={locale}>
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

const PREVIEW: ImportPreviewView = {
  file: '天猫退款导出.csv',
  format: 'csv gb18030',
  kind: 'refunds',
  platform: 'tmall',
  header_row: 1,
  columns: [
    { header: '退款编号', field: 'refund_no', field_name: '退款编号' },
    { header: '买家会员名', field: 'buyer_nick', field_name: '买家会员名' },
    { header: '店铺备注', field: null, field_name: null },
  ],
  row_numbers: [2, 3],
  rows: [
    ['2026112200001', 'tb_小鱼', '加急'],
    ['2026112200002', '<b>不是标签</b>', ''],
  ],
};

const REPORT: ImportReportView = {
  file: '天猫退款导出.csv',
  format: 'csv gb18030',
  kind: 'refunds',
  platform: 'tmall',
  rows: 60,
  created: 55,
  updated: 2,
  unchanged: 0,
  deleted: 0,
  older: 4,
  duplicate_count: 1,
  duplicates: [{ key: '200000000000000007', row: 9, kept_row: 30 }],
  error_count: 3,
  errors: [{ row: 21, column: '退款编号', message: '退款编号为空，无法识别这条售后' }],
  unmapped_columns: [],
};

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.onFileDrop.mockImplementation(() => () => undefined);
  api.previewImport.mockResolvedValue(PREVIEW);
});

describe('import wizard', () => {
  it('previews the mapping, then imports and lists the rows that were not imported', async () => {
    api.chooseExportFile.mockResolvedValue('/home/me/天猫退款导出.csv');
    api.importFile.mockImplementation(async (_path: string, onProgress: (p: unknown) => void) => {
      onProgress({ rows: 2000, done: 50, total: 100 });
      return REPORT;
    });
    const onImported = vi.fn();
    wrap(<ImportWizard onImported={onImported} />);
    fireEvent.click(screen.getByTestId('import-file-button'));

    const preview = await screen.findByTestId('import-preview');
    expect(api.previewImport, 'the chosen file is previewed').toHaveBeenCalledWith(
      '/home/me/天猫退款导出.csv',
    );
    expect(api.importFile, 'nothing is imported before the user confirms').not.toHaveBeenCalled();
    expect(within(preview).getByText('退款列表')).toBeInTheDocument();
    expect(within(preview).getByText('天猫')).toBeInTheDocument();
    // antd repeats a scrolling table's header for measuring, so texts there can appear twice.
    expect(within(preview).getAllByText('附加信息'), 'an unmapped column is marked').not.toHaveLength(0);
    expect(within(preview).getByText('tb_小鱼')).toBeInTheDocument();
    expect(
      within(preview).getByText('<b>不是标签</b>'),
      'buyer text is shown as text, never as HTML',
    ).toBeInTheDocument();

    fireEvent.click(screen.getByTestId('import-start'));
    const result = await screen.findByTestId('import-result');
    expect(api.importFile).toHaveBeenCalledWith('/home/me/天猫退款导出.csv', expect.any(Function));
    expect(within(result).getByText('导入完成：天猫退款导出.csv')).toBeInTheDocument();
    expect(within(result).getByText('55')).toBeInTheDocument();
    const errors = screen.getByTestId('import-errors');
    expect(within(errors).getByText('21')).toBeInTheDocument();
    expect(within(errors).getByText('退款编号为空，无法识别这条售后')).toBeInTheDocument();
    expect(within(errors).getByText('未导入的行（共 3 行）')).toBeInTheDocument();
    const duplicates = screen.getByTestId('import-duplicates');
    expect(
      within(duplicates).getByText('200000000000000007'),
      'a repeated refund number is listed with the row used instead',
    ).toBeInTheDocument();
    expect(within(duplicates).getByText('30')).toBeInTheDocument();
    expect(
      within(result).getByText(/有 4 行比店里已有的记录旧/),
      'rows of an older export are explained, not silently dropped',
    ).toBeInTheDocument();
    expect(onImported).toHaveBeenCalledOnce();
  });

  it('shows the reason when the file is refused at the preview', async () => {
    api.chooseExportFile.mockResolvedValue('/tmp/contacts.csv');
    api.previewImport.mockRejectedValue(new Error('文件 /tmp/contacts.csv 不像是退款或订单导出文件'));
    wrap(<ImportWizard />);
    fireEvent.click(screen.getByTestId('import-file-button'));
    expect(await screen.findByTestId('import-error')).toHaveTextContent('不像是退款或订单导出文件');
    expect(screen.getByText('导入失败')).toBeInTheDocument();
    expect(api.importFile, 'a refused file is never imported').not.toHaveBeenCalled();
  });

  it('shows a failed command in the UI language, not the core\'s Chinese message', async () => {
    api.chooseExportFile.mockResolvedValue('/home/me/refunds.csv');
    // Shaped like the API's ApiError (the real class is mocked away with the module).
    api.previewImport.mockRejectedValue(
      Object.assign(new Error('正在导入文件或导出举证材料包，请等它完成后再操作'), { name: 'ApiError', code: 'busy' }),
    );
    wrap(<ImportWizard />, 'en');
    fireEvent.click(screen.getByTestId('import-file-button'));
    const error = await screen.findByTestId('import-error');
    expect(error, 'the English text of the code').toHaveTextContent(
      'AfterDesk is busy with an import, an evidence copy or a parcel refresh. Wait for it to finish, then try again.',
    );
    expect(error.textContent, 'not the Chinese message').not.toMatch(/[\u4e00-\u9fff]/);
    expect(screen.getByText('Import failed')).toBeInTheDocument();
  });

  it('keeps a useful detail of the core\'s message after the translated headline', async () => {
    api.chooseExportFile.mockResolvedValue('/tmp/contacts.csv');
    api.previewImport.mockRejectedValue(
      Object.assign(new Error('文件 /tmp/contacts.csv 不像是退款或订单导出文件'), { name: 'ApiError', code: 'not_an_export' }),
    );
    wrap(<ImportWizard />, 'en');
    fireEvent.click(screen.getByTestId('import-file-button'));
    const error = await screen.findByTestId('import-error');
    expect(error.textContent, 'the headline is English and comes first').toMatch(
      /^This does not look like a refund or order export\./,
    );
    expect(error, 'the file named by the core is still there').toHaveTextContent('/tmp/contacts.csv');
  });

  it('previews a file dropped onto the window and can go back', async () => {
    let drop: ((path: string) => void) | undefined;
    api.onFileDrop.mockImplementation((handler: (path: string) => void) => {
      drop = handler;
      return () => undefined;
    });
    api.importFile.mockReturnValue(new Promise(() => undefined));
    wrap(<ImportWizard />);
    expect(drop, 'the wizard listens for dropped files').toBeDefined();
    act(() => drop?.('/home/me/淘宝退款.xlsx'));
    await screen.findByTestId('import-preview');
    expect(api.previewImport).toHaveBeenCalledWith('/home/me/淘宝退款.xlsx');
    fireEvent.click(screen.getByText('重新选择'));
    expect(screen.getByTestId('import-file-button')).toBeInTheDocument();

    act(() => drop?.('/home/me/淘宝退款.xlsx'));
    await screen.findByTestId('import-preview');
    fireEvent.click(screen.getByTestId('import-start'));
    expect(await screen.findByText('正在导入 淘宝退款.xlsx')).toBeInTheDocument();
  });

  it('does nothing when the dialog is cancelled', async () => {
    api.chooseExportFile.mockResolvedValue(null);
    wrap(<ImportWizard />);
    fireEvent.click(screen.getByTestId('import-file-button'));
    await waitFor(() => expect(api.chooseExportFile).toHaveBeenCalled());
    expect(api.previewImport).not.toHaveBeenCalled();
    expect(api.importFile).not.toHaveBeenCalled();
    expect(screen.getByTestId('import-file-button')).toBeInTheDocument();
  });
});
