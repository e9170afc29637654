import { ImportOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Descriptions,
  Progress,
  Result,
  Space,
  Statistic,
  Steps,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';

import {
  cancelImport,
  chooseExportFile,
  importFile,
  onFileDrop,
  previewImport,
  type ImportPreviewView,
  type ImportProgress,
  type ImportReportView,
} from '../api';
import { useI18n } from '../i18n';

type Stage =
  | { readonly step: 'choose' }
  | { readonly step: 'checking'; readonly file: string }
  | { readonly step: 'preview'; readonly path: string; readonly preview: ImportPreviewView }
  | { readonly step: 'running'; readonly file: string; readonly progress: ImportProgress | null }
  | { readonly step: 'done'; readonly report: ImportReportView }
  | { readonly step: 'failed'; readonly message: string };

/** Props of {@link ImportWizard}. */
export interface ImportWizardProps {
  /** Called after a successful import, e.g. to refresh counts. */
  readonly onImported?: (report: ImportReportView) => void;
  /** Goes to the case list. */
  readonly onViewCases?: () => void;
}

/** The last part of a path, whichever separator the system uses. */
function fileName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/**
 * The 导入 wizard: choose an export file → watch the progress (cancellable) → read the
 * result: created / updated / unchanged counts and the rows that were not imported, with
 * their row number, column and reason.
 */
export function ImportWizard({ onImported, onViewCases }: ImportWizardProps) {
  const { t, errorText } = useI18n();
  const [stage, setStage] = useState<Stage>({ step: 'choose' });
  const running = useRef(false);

  // A chosen or dropped file is first read for its header and first rows, so that the
  // user sees how its columns will be read before anything is written.
  const inspect = async (path: string) => {
    if (running.current) return;
    setStage({ step: 'checking', file: fileName(path) });
    try {
      const preview = await previewImport(path);
      setStage({ step: 'preview', path, preview });
    } catch (e) {
      setStage({ step: 'failed', message: errorText(e) });
    }
  };

  const run = async (path: string) => {
    if (running.current) return;
    running.current = true;
    const file = fileName(path);
    setStage({ step: 'running', file, progress: null });
    try {
      const report = await importFile(path, (progress) =>
        setStage({ step: 'running', file, progress }),
      );
      setStage({ step: 'done', report });
      onImported?.(report);
    } catch (e) {
      setStage({ step: 'failed', message: errorText(e) });
    } finally {
      running.current = false;
    }
  };

  // A file dropped onto the window while this page is shown is imported like a chosen one.
  const inspectRef = useRef(inspect);
  inspectRef.current = inspect;
  useEffect(() => onFileDrop((path) => void inspectRef.current(path)), []);

  const choose = async () => {
    const path = await chooseExportFile(t('import.dialogTitle'));
    if (path) await inspect(path);
  };

  const current =
    stage.step === 'choose' || stage.step === 'checking'
      ? 0
      : stage.step === 'preview'
        ? 1
        : stage.step === 'running'
          ? 2
          : 3;

  return (
    <div style={{ maxWidth: 960, margin: '0 auto', padding: 24 }} data-testid="import-wizard">
      <Steps
        current={current}
        {...(stage.step === 'failed' ? { status: 'error' as const } : {})}
        items={[
          { title: t('import.step.choose') },
          { title: t('import.step.preview') },
          { title: t('import.step.import') },
          { title: t('import.step.result') },
        ]}
        style={{ marginBottom: 24 }}
      />

      {stage.step === 'choose' && (
        <Card>
          <Space direction="vertical" size="middle">
            <Typography.Title level={4} style={{ margin: 0 }}>
              {t('import.title')}
            </Typography.Title>
            <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
              {t('import.description')}
            </Typography.Paragraph>
            <Button
              type="primary"
              size="large"
              icon={<ImportOutlined />}
              data-testid="import-file-button"
              onClick={() => void choose()}
            >
              {t('import.choose')}
            </Button>
            <Typography.Text type="secondary">{t('import.drop')}</Typography.Text>
          </Space>
        </Card>
      )}

      {stage.step === 'checking' && (
        <Card loading data-testid="import-checking">
          {stage.file}
        </Card>
      )}

      {stage.step === 'preview' && (
        <PreviewCard
          preview={stage.preview}
          onStart={() => void run(stage.path)}
          onBack={() => setStage({ step: 'choose' })}
        />
      )}

      {stage.step === 'running' && (
        <Card data-testid="import-running">
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Text strong>{t('import.running', { file: stage.file })}</Typography.Text>
            <Progress
              percent={
                stage.progress && stage.progress.total > 0
                  ? Math.min(100, Math.round((stage.progress.done / stage.progress.total) * 100))
                  : 0
              }
              status="active"
            />
            <Typography.Text type="secondary">
              {t('import.rows', { rows: stage.progress?.rows ?? 0 })}
            </Typography.Text>
            <Button danger data-testid="import-cancel" onClick={() => void cancelImport()}>
              {t('import.cancel')}
            </Button>
          </Space>
        </Card>
      )}

      {stage.step === 'failed' && (
        <Result
          status="error"
          title={t('import.failed')}
          subTitle={<span data-testid="import-error">{stage.message}</span>}
          extra={
            <Button type="primary" onClick={() => setStage({ step: 'choose' })}>
              {t('import.again')}
            </Button>
          }
        />
      )}

      {stage.step === 'done' && (
        <Card data-testid="import-result">
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Alert type="success" showIcon message={t('import.done', { file: stage.report.file })} />
            <Space size={48} wrap>
              <Statistic title={t('import.summary.rows')} value={stage.report.rows} />
              <Statistic title={t('import.summary.created')} value={stage.report.created} />
              <Statistic title={t('import.summary.updated')} value={stage.report.updated} />
              <Statistic title={t('import.summary.unchanged')} value={stage.report.unchanged} />
              {stage.report.older > 0 && (
                <Statistic title={t('import.summary.older')} value={stage.report.older} />
              )}
              {stage.report.duplicate_count > 0 && (
                <Statistic title={t('import.summary.duplicates')} value={stage.report.duplicate_count} />
              )}
              <Statistic
                title={t('import.summary.errors')}
                value={stage.report.error_count}
                valueStyle={{ color: stage.report.error_count > 0 ? '#cf1322' : 'inherit' }}
              />
            </Space>
            {stage.report.older > 0 && (
              <Alert type="info" showIcon message={t('import.older.help', { count: stage.report.older })} />
            )}
            {stage.report.duplicates.length > 0 && (
              <Table
                data-testid="import-duplicates"
                size="small"
                title={() => t('import.duplicates.title', { count: stage.report.duplicate_count })}
                rowKey={(row) => `${row.key}-${row.row}`}
                dataSource={stage.report.duplicates}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                columns={[
                  { title: t('import.col.row'), dataIndex: 'row', width: 80 },
                  { title: t('import.duplicates.key'), dataIndex: 'key', width: 220 },
                  { title: t('import.duplicates.kept'), dataIndex: 'kept_row' },
                ]}
              />
            )}
            {stage.report.errors.length > 0 && (
              <Table
                data-testid="import-errors"
                size="small"
                title={() => t('import.errors.title', { count: stage.report.error_count })}
                rowKey={(row) => `${row.row}-${row.column}-${row.message}`}
                dataSource={stage.report.errors}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                columns={[
                  { title: t('import.col.row'), dataIndex: 'row', width: 80 },
                  { title: t('import.col.column'), dataIndex: 'column', width: 160 },
                  { title: t('import.col.message'), dataIndex: 'message' },
                ]}
              />
            )}
            <Space>
              <Button onClick={() => setStage({ step: 'choose' })}>{t('import.again')}</Button>
              {onViewCases && (
                <Button type="primary" onClick={onViewCases}>
                  {t('import.viewCases')}
                </Button>
              )}
            </Space>
          </Space>
        </Card>
      )}
    </div>
  );
}

/** A data row of the preview: its row number in the file and its cells. */
interface PreviewRow {
  readonly key: number;
  readonly cells: readonly string[];
}

/** Props of {@link PreviewCard}. */
interface PreviewCardProps {
  readonly preview: ImportPreviewView;
  readonly onStart: () => void;
  readonly onBack: () => void;
}

/**
 * What the import will do with a file: its format, which list it is, each column's
 * field (or "kept as extra information"), and its first rows as the file has them.
 */
function PreviewCard({ preview, onStart, onBack }: PreviewCardProps) {
  const { t } = useI18n();
  const unmapped = preview.columns.filter((c) => c.field === null).length;
  const kindLabel = preview.kind === 'orders' ? t('import.kind.orders') : t('import.kind.refunds');
  const platformLabel =
    preview.platform === 'tmall'
      ? t('import.platform.tmall')
      : preview.platform === 'taobao'
        ? t('import.platform.taobao')
        : preview.platform;
  // Rows are keyed by their row number in the file, which is unique.
  const rows: PreviewRow[] = preview.rows.map((cells, i) => ({
    key: preview.row_numbers[i] ?? i,
    cells,
  }));
  return (
    <Card data-testid="import-preview">
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('import.preview.title', { file: preview.file })}
        </Typography.Title>
        <Descriptions size="small" column={3} bordered>
          <Descriptions.Item label={t('import.preview.kind')}>{kindLabel}</Descriptions.Item>
          <Descriptions.Item label={t('import.preview.format')}>{preview.format}</Descriptions.Item>
          <Descriptions.Item label={t('import.preview.platform')}>{platformLabel}</Descriptions.Item>
        </Descriptions>
        <Typography.Text type="secondary">
          {t('import.preview.mapping', {
            mapped: preview.columns.length - unmapped,
            unmapped,
            row: preview.header_row,
          })}
        </Typography.Text>
        <Table<PreviewRow>
          data-testid="import-preview-table"
          size="small"
          bordered
          scroll={{ x: 'max-content' }}
          pagination={false}
          dataSource={rows}
          columns={[
            {
              title: t('import.col.row'),
              key: 'row',
              fixed: 'left',
              width: 64,
              render: (_: unknown, row: PreviewRow) => row.key,
            },
            ...preview.columns.map((column, index) => ({
              key: `c${index}`,
              title: (
                <Space direction="vertical" size={2}>
                  <span>{column.header}</span>
                  {column.field_name ? (
                    <Tag color="blue">{column.field_name}</Tag>
                  ) : (
                    <Tag>{t('import.preview.extra')}</Tag>
                  )}
                </Space>
              ),
              render: (_: unknown, row: PreviewRow) => row.cells[index] ?? '',
              ellipsis: true,
              width: 140,
            })),
          ]}
        />
        <Space>
          <Button onClick={onBack}>{t('import.preview.back')}</Button>
          <Button type="primary" data-testid="import-start" onClick={onStart}>
            {t('import.preview.start')}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}
