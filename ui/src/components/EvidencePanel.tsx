import { DeleteOutlined, ExportOutlined, PaperClipOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  List,
  Popconfirm,
  Progress,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';

import {
  attachEvidence,
  cancelCopy,
  caseEvidence,
  chooseEvidenceFiles,
  chooseFolder,
  detachEvidence,
  exportEvidencePackage,
  onFileDrop,
  type CaseEvidenceView,
  type CopyProgressView,
  type ProofView,
} from '../api';
import { formatBytes, formatChinaTime } from '../format';
import { useI18n } from '../i18n';

/** Props of {@link EvidencePanel}. */
export interface EvidencePanelProps {
  /** The case's id, refund or order number. */
  readonly caseKey: string;
}

const FINDING_COLOURS: Record<string, string> = { pass: 'green', fail: 'red', cannot_verify: 'orange' };

/**
 * The case page's 举证材料 card: readiness ("3 of 5 required proofs, the evidence period
 * ends in 14 h"), each checklist item with what makes it valid and the files attached to
 * it, the unboxing-video checks, and the evidence package export. Files are attached by
 * the dialog (per item) or by dropping them onto the window (unassigned); large files
 * show a cancellable progress bar while they are copied.
 */
export function EvidencePanel({ caseKey }: EvidencePanelProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [view, setView] = useState<CaseEvidenceView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copying, setCopying] = useState<{ file: string; progress: CopyProgressView | null } | null>(null);
  const [exporting, setExporting] = useState(false);
  const busy = useRef(false);

  const load = useCallback(async () => {
    try {
      setView(await caseEvidence(caseKey));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [caseKey]);

  useEffect(() => {
    void load();
  }, [load]);

  const attach = useCallback(
    async (paths: readonly string[], item: string | null) => {
      if (busy.current || paths.length === 0) return;
      busy.current = true;
      try {
        for (const path of paths) {
          const file = path.split(/[\\/]/).pop() ?? path;
          setCopying({ file, progress: null });
          await attachEvidence(caseKey, path, item, (progress) => setCopying({ file, progress }));
        }
        void message.success(t('evidence.attached', { count: paths.length }));
      } catch (e) {
        void message.error(errorText(e));
      } finally {
        busy.current = false;
        setCopying(null);
        await load();
      }
    },
    [caseKey, load, message, t],
  );

  // A file dropped on the window while the case is open is attached to it, unassigned.
  const attachRef = useRef(attach);
  attachRef.current = attach;
  useEffect(() => onFileDrop((path) => void attachRef.current([path], null)), []);

  const choose = async (item: string | null) => {
    const paths = await chooseEvidenceFiles(t('evidence.chooseTitle'));
    await attach(paths, item);
  };

  const detach = async (proof: ProofView) => {
    try {
      await detachEvidence(proof.id);
      void message.success(t('evidence.detached', { file: proof.original_name }));
      await load();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const exportPackage = async () => {
    const dir = await chooseFolder(t('evidence.exportTitle'));
    if (!dir) return;
    setExporting(true);
    try {
      const path = await exportEvidencePackage(caseKey, dir);
      void message.success(t('evidence.exported', { path }), 6);
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setExporting(false);
    }
  };

  const proofLine = (proof: ProofView) => (
    <List.Item
      key={proof.id}
      data-testid="proof-item"
      actions={[
        <Popconfirm
          key="detach"
          title={t('evidence.detachConfirm', { file: proof.original_name })}
          okText={t('evidence.detach')}
          cancelText={t('common.cancel')}
          onConfirm={() => void detach(proof)}
        >
          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('evidence.detach')} />
        </Popconfirm>,
      ]}
    >
      <Space size={8} wrap>
        <PaperClipOutlined />
        <Typography.Text>{proof.original_name}</Typography.Text>
        <Typography.Text type="secondary">{formatBytes(proof.size)}</Typography.Text>
        <Typography.Text type="secondary">
          {proof.captured_at
            ? t('evidence.captured', { at: formatChinaTime(proof.captured_at) })
            : t('evidence.noCaptureTime')}
        </Typography.Text>
        <Typography.Text type="secondary">
          {t('evidence.addedBy', { who: proof.added_by, at: formatChinaTime(proof.added_at) })}
        </Typography.Text>
      </Space>
    </List.Item>
  );

  const readiness = view?.readiness;
  return (
    <Card
      size="small"
      title={t('case.section.evidence')}
      data-testid="case-evidence"
      loading={view === null && error === null}
      extra={
        <Space>
          <Button size="small" icon={<PaperClipOutlined />} onClick={() => void choose(null)} disabled={copying !== null}>
            {t('evidence.attach')}
          </Button>
          <Button
            size="small"
            icon={<ExportOutlined />}
            loading={exporting}
            data-testid="evidence-export"
            onClick={() => void exportPackage()}
          >
            {t('evidence.export')}
          </Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon message={error} />}
      {readiness && (
        <Alert
          data-testid="evidence-readiness"
          type={readiness.required > 0 && readiness.ready >= readiness.required ? 'success' : 'warning'}
          showIcon
          message={readiness.summary}
          {...(readiness.missing.length > 0
            ? { description: t('evidence.missing', { items: readiness.missing.join('、') }) }
            : {})}
          style={{ marginBottom: 12 }}
        />
      )}
      {copying && (
        <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }} data-testid="evidence-copying">
          <Typography.Text>{t('evidence.copying', { file: copying.file })}</Typography.Text>
          <Space style={{ width: '100%' }}>
            <Progress
              style={{ width: 360 }}
              percent={
                copying.progress && copying.progress.total > 0
                  ? Math.floor((copying.progress.done / copying.progress.total) * 100)
                  : 0
              }
              status="active"
            />
            <Button size="small" danger onClick={() => void cancelCopy()}>
              {t('evidence.cancel')}
            </Button>
          </Space>
        </Space>
      )}
      {view?.situations.map((situation) => (
        <div key={situation.key} style={{ marginBottom: 12 }} data-testid="evidence-situation">
          <Typography.Text strong>{situation.name}</Typography.Text>
          <Typography.Text type="secondary"> · {situation.when}</Typography.Text>
          <List
            size="small"
            dataSource={situation.items}
            renderItem={(item) => (
              <List.Item key={item.key} data-testid="evidence-item">
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  <Space size={8} wrap>
                    {item.required ? (
                      <Tag color={item.proofs.length > 0 ? 'green' : 'red'}>
                        {item.proofs.length > 0 ? t('evidence.ready') : t('evidence.required')}
                      </Tag>
                    ) : (
                      <Tag>{t('evidence.optional')}</Tag>
                    )}
                    <Typography.Text strong>{item.title}</Typography.Text>
                    <Button
                      size="small"
                      type="link"
                      disabled={copying !== null}
                      onClick={() => void choose(item.key)}
                    >
                      {t('evidence.attachHere')}
                    </Button>
                  </Space>
                  <Typography.Text type="secondary">{t('evidence.valid', { valid: item.valid })}</Typography.Text>
                  {item.proofs.length > 0 && <List size="small" dataSource={item.proofs} renderItem={proofLine} />}
                </Space>
              </List.Item>
            )}
          />
        </div>
      ))}
      {view && view.unassigned.length > 0 && (
        <div style={{ marginBottom: 12 }}>
          <Typography.Text strong>{t('evidence.unassigned')}</Typography.Text>
          <List size="small" dataSource={view.unassigned} renderItem={proofLine} />
        </div>
      )}
      {view && view.unboxing.length > 0 && (
        <div data-testid="unboxing-checks">
          <Typography.Text strong>{t('evidence.unboxing')}</Typography.Text>
          <List
            size="small"
            dataSource={view.unboxing}
            renderItem={(check) => (
              <List.Item key={check.proof_id}>
                <Space direction="vertical" size={2}>
                  <Typography.Text>{check.file}</Typography.Text>
                  {[check.duration, check.timeliness].map((finding, i) => (
                    <Space key={i} size={6}>
                      <Tag color={FINDING_COLOURS[finding.result] ?? 'default'}>
                        {t(`evidence.finding.${finding.result === 'pass' ? 'pass' : finding.result === 'fail' ? 'fail' : 'unknown'}`)}
                      </Tag>
                      <Typography.Text>{finding.message}</Typography.Text>
                    </Space>
                  ))}
                </Space>
              </List.Item>
            )}
          />
        </div>
      )}
      {view && view.situations.length === 0 && view.unassigned.length === 0 && (
        <Typography.Text type="secondary">{t('evidence.noChecklist')}</Typography.Text>
      )}
    </Card>
  );
}
