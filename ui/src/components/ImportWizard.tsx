import { ImportOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Progress, Result, Space, Statistic, Steps, Table, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';

import {
  cancelImport,
  chooseExportFile,
  importFile,
  onFileDrop,
  type ImportProgress,
  type ImportReportView,
} from '../api';
import { useI18n } from '../i18n';

type Stage =
  | { readonly step: 'choose' }
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
  const { t } = useI18n();
  const [stage, setStage] = useState<Stage>({ step: 'choose' });
  const running = useRef(false);

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
      setStage({ step: 'failed', message: e instanceof Error ? e.message : String(e) });
    } finally {
      running.current = false;
    }
  };

  // A file dropped onto the window while this page is shown is imported like a chosen one.
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => onFileDrop((path) => void runRef.current(path)), []);

  const choose = async () => {
    const path = await chooseExportFile(t('import.dialogTitle'));
    if (path) await run(path);
  };

  const current = stage.step === 'choose' ? 0 : stage.step === 'running' ? 1 : 2;

  return (
    <div style={{ maxWidth: 960, margin: '0 auto', padding: 24 }} data-testid="import-wizard">
      <Steps
        current={current}
        {...(stage.step === 'failed' ? { status: 'error' as const } : {})}
        items={[
          { title: t('import.step.choose') },
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
              <Statistic
                title={t('import.summary.errors')}
                value={stage.report.error_count}
                valueStyle={{ color: stage.report.error_count > 0 ? '#cf1322' : 'inherit' }}
              />
            </Space>
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
