import { ArrowLeftOutlined, FileTextOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  Checkbox,
  Collapse,
  Input,
  List,
  Result,
  Select,
  Space,
  Spin,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';

import {
  acceptScriptImport,
  chooseTrainingFile,
  previewScriptImport,
  previewScriptText,
  type AcceptImportView,
  type ProposalView,
  type ScriptImportView,
} from '../api';
import { useI18n, type MessageKey } from '../i18n';
import { KINDS, kindLabel } from './labels';

/** Props of {@link ScriptImportReview}. */
export interface ScriptImportReviewProps {
  /** Back to the library (after accepting or when giving up). */
  readonly onDone: () => void;
}

interface Row {
  readonly proposal: ProposalView;
  readonly accepted: boolean;
}

const ITEM_COLORS: Record<string, string> = { script: 'blue', question: 'green', exercise: 'orange' };

/**
 * 导入培训资料: reads a deck (.txt, .md, .docx, .pptx) or pasted text into proposals —
 * reply scripts, choice questions, reply exercises — each with a guessed kind. The
 * reviewer accepts, edits or drops each one; nothing is stored before "accept", and the
 * skipped lines are listed with their reason so nothing disappears unseen.
 */
export function ScriptImportReview({ onDone }: ScriptImportReviewProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [pasted, setPasted] = useState('');
  const [reading, setReading] = useState(false);
  const [preview, setPreview] = useState<ScriptImportView | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<AcceptImportView | null>(null);

  const show = (view: ScriptImportView) => {
    setPreview(view);
    // Scripts the library already has, or that break the lint, start unticked: the
    // reviewer sees them but must choose them on purpose.
    setRows(
      view.proposals.map((p) => ({
        proposal: p,
        accepted: !p.known && p.lint.length === 0,
      })),
    );
    setError(null);
  };

  const readFile = async () => {
    const path = await chooseTrainingFile(t('scriptImport.chooseTitle'));
    if (!path) return;
    setReading(true);
    try {
      show(await previewScriptImport(path));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setReading(false);
    }
  };

  const readPasted = async () => {
    if (!pasted.trim()) return;
    setReading(true);
    try {
      show(await previewScriptText(pasted));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setReading(false);
    }
  };

  const update = (index: number, patch: Partial<ProposalView>, accepted?: boolean) => {
    setRows((rs) =>
      rs.map((r, i) =>
        i === index ? { proposal: { ...r.proposal, ...patch }, accepted: accepted ?? r.accepted } : r,
      ),
    );
  };

  const chosen = useMemo(() => rows.filter((r) => r.accepted), [rows]);
  const counts = useMemo(() => {
    const c: Record<string, number> = { script: 0, question: 0, exercise: 0 };
    for (const r of rows) c[r.proposal.item] = (c[r.proposal.item] ?? 0) + 1;
    return c;
  }, [rows]);

  const accept = async () => {
    if (!preview) return;
    setSaving(true);
    try {
      setResult(
        await acceptScriptImport({
          source: preview.source,
          proposals: chosen.map((r) => r.proposal),
        }),
      );
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={onDone} data-testid="script-import-back">
      {t('scriptImport.back')}
    </Button>
  );

  if (result) {
    return (
      <div data-testid="script-import-result">
      <Result
        status="success"
        title={t('scriptImport.done', {
          scripts: result.scripts,
          items: result.training_items,
        })}
        subTitle={result.already_known > 0 ? t('scriptImport.known', { count: result.already_known }) : undefined}
        extra={back}
      />
      </div>
    );
  }

  return (
    <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 12 }} data-testid="script-import-review">
      <Space>{back}</Space>
      {!preview && (
        <Card title={t('scriptImport.title')}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph type="secondary">{t('scriptImport.intro')}</Typography.Paragraph>
            <Button
              type="primary"
              icon={<FileTextOutlined />}
              data-testid="script-import-file"
              loading={reading}
              onClick={() => void readFile()}
            >
              {t('scriptImport.chooseFile')}
            </Button>
            <Input.TextArea
              data-testid="script-import-paste"
              placeholder={t('scriptImport.pastePlaceholder')}
              autoSize={{ minRows: 4, maxRows: 12 }}
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
            />
            <Button data-testid="script-import-read" disabled={!pasted.trim()} loading={reading} onClick={() => void readPasted()}>
              {t('scriptImport.readPasted')}
            </Button>
          </Space>
        </Card>
      )}
      {reading && <Spin />}
      {error && <Alert type="error" showIcon message={error} data-testid="script-import-error" />}
      {preview && (
        <>
          <Alert
            type="info"
            showIcon
            data-testid="script-import-summary"
            message={t('scriptImport.summary', {
              source: preview.source,
              lines: preview.lines,
              scripts: counts.script ?? 0,
              questions: counts.question ?? 0,
              exercises: counts.exercise ?? 0,
            })}
            description={
              preview.skipped_counts.length > 0
                ? t('scriptImport.skipped', {
                    details: preview.skipped_counts
                      .map(([reason, n]) => `${t(`scriptImport.reason.${reason}` as MessageKey)} ${n}`)
                      .join('、'),
                  })
                : undefined
            }
          />
          <Space>
            <Button type="primary" data-testid="script-import-accept" disabled={chosen.length === 0} loading={saving} onClick={() => void accept()}>
              {t('scriptImport.accept', { count: chosen.length })}
            </Button>
            <Button onClick={() => setRows((rs) => rs.map((r) => ({ ...r, accepted: true })))}>{t('scriptImport.all')}</Button>
            <Button onClick={() => setRows((rs) => rs.map((r) => ({ ...r, accepted: false })))}>{t('scriptImport.none')}</Button>
          </Space>
          <List
            data-testid="script-import-proposals"
            bordered
            size="small"
            dataSource={rows}
            pagination={rows.length > 30 ? { pageSize: 30, showSizeChanger: false } : false}
            locale={{ emptyText: t('scriptImport.nothing') }}
            renderItem={(row) => {
              const index = rows.indexOf(row);
              const p = row.proposal;
              return (
                <List.Item key={`${p.item}-${p.line}-${index}`} data-testid="script-import-proposal">
                  <Space align="start" style={{ width: '100%' }}>
                    <Checkbox
                      checked={row.accepted}
                      aria-label={t('scriptImport.acceptOne')}
                      onChange={(e) => update(index, {}, e.target.checked)}
                    />
                    <Space direction="vertical" size={4} style={{ flex: 1, minWidth: 0 }}>
                      <Space wrap size={4}>
                        <Tag color={ITEM_COLORS[p.item] ?? 'default'}>{t(`scriptImport.item.${p.item}` as MessageKey)}</Tag>
                        <Select<string>
                          size="small"
                          style={{ width: 160 }}
                          aria-label={t('scripts.col.kind')}
                          value={p.kind}
                          onChange={(kind) => update(index, { kind })}
                          options={KINDS.map((k) => ({ value: k, label: kindLabel(t, k) }))}
                        />
                        <Typography.Text type="secondary">
                          {t('scriptImport.where', { line: p.line, times: p.occurrences })}
                          {p.item === 'script' && ` · ${Math.round((p.confidence ?? 0) * 100)}%`}
                        </Typography.Text>
                        {p.known && <Tag>{t('scriptImport.alreadyKnown')}</Tag>}
                      </Space>
                      {p.item === 'script' ? (
                        <Input.TextArea
                          autoSize={{ minRows: 1, maxRows: 6 }}
                          value={p.text}
                          onChange={(e) => update(index, { text: e.target.value })}
                        />
                      ) : (
                        <Typography.Text style={{ whiteSpace: 'pre-wrap' }}>{p.text}</Typography.Text>
                      )}
                      {p.details.length > 0 && (
                        <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
                          {p.item === 'exercise'
                            ? t('scriptImport.modelAnswer', { answer: p.details[0] ?? '' })
                            : p.item === 'script'
                              ? t('scriptImport.section', { section: p.details[0] ?? '' })
                              : p.details.join('　')}
                          {p.answer && `　${t('scriptImport.answer', { answer: p.answer })}`}
                        </Typography.Text>
                      )}
                      {p.lint.length > 0 && (
                        <Typography.Text type="warning">{p.lint.map((l) => l.message).join('；')}</Typography.Text>
                      )}
                    </Space>
                  </Space>
                </List.Item>
              );
            }}
          />
          {preview.skipped.length > 0 && (
            <Collapse
              size="small"
              items={[
                {
                  key: 'skipped',
                  label: t('scriptImport.skippedList', { count: preview.skipped.length }),
                  children: (
                    <List
                      size="small"
                      dataSource={preview.skipped}
                      renderItem={(s) => (
                        <List.Item key={s.line}>
                          <Typography.Text type="secondary">
                            {t('scriptImport.lineNo', { line: s.line })} · {t(`scriptImport.reason.${s.reason}` as MessageKey)}
                          </Typography.Text>
                          <Typography.Text style={{ marginInlineStart: 8 }}>{s.text}</Typography.Text>
                        </List.Item>
                      )}
                    />
                  ),
                },
              ]}
            />
          )}
        </>
      )}
    </div>
  );
}
