import { CopyOutlined, HighlightOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  Collapse,
  Empty,
  Input,
  List,
  Popconfirm,
  Select,
  Space,
  Spin,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';

import {
  caseDraft,
  copyDraft,
  draftCopies,
  lintReply,
  polishDraft,
  polishEnabled,
  type DraftCopyView,
  type DraftView,
  type LintView,
  type MarkView,
  type PolishedView,
} from '../api';
import { formatChinaTime, formatFen } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { kindLabel } from './labels';

/** Props of {@link DraftPanel}. */
export interface DraftPanelProps {
  /** The case's id. */
  readonly caseKey: string;
  /** Changes when the case changes, so the draft is made again from the new facts. */
  readonly version?: unknown;
  /** Called after a copy is recorded (the case's history gained an entry). */
  readonly onCopied?: () => void;
}

/** The stages an agent can ask for; empty means "from the case's status". */
const STAGES = ['', 'first_reply', 'follow_up', 'closing'] as const;

/** How long the editor waits after the last keystroke before linting the edited text. */
const LINT_DELAY_MS = 300;

/**
 * The marks Rust found in a text (`MarkView`: 【待填：…】 placeholders and the AI polish's
 * 〔电话〕… markers, with their spans in UTF-16 code units), kept with the text they were
 * found in: a span is only good for that exact text.
 */
interface CheckedMarks {
  readonly text: string;
  readonly marks: readonly MarkView[];
}

/** Each label once, in the order of the text: marks with the same label fill together. */
function labelsOf(marks: readonly MarkView[]): string[] {
  return [...new Set(marks.map((m) => m.label))];
}

/** `text` with every mark labelled `label` replaced by `value`, from the last one back so
 * the earlier spans stay where they are. */
function fillMarks(text: string, marks: readonly MarkView[], label: string, value: string): string {
  let out = text;
  for (const m of [...marks].reverse()) {
    if (m.label === label) out = out.slice(0, m.start) + value + out.slice(m.end);
  }
  return out;
}

/** A text with its marks highlighted, as Rust spanned them; the text itself is unchanged. */
function Marked({ text, marks }: { readonly text: string; readonly marks: readonly MarkView[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  marks.forEach((m, i) => {
    if (m.start < at || m.end > text.length) return;
    if (m.start > at) parts.push(text.slice(at, m.start));
    parts.push(
      <Typography.Text key={i} mark data-mark-kind={m.kind}>
        {text.slice(m.start, m.end)}
      </Typography.Text>,
    );
    at = m.end;
  });
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

/**
 * The reply draft for a case (话术草稿): the best script for the case (or for the buyer's
 * pasted message) filled with the case's facts, the other scripts to switch to, the lint
 * on whatever the agent edits, the compensation ladder's suggestion, and one button that
 * records the copy and puts the text on the clipboard. Text with 【待填：…】 marks copies
 * only after the agent fills them in or confirms.
 */
export function DraftPanel({ caseKey, version, onCopied }: DraftPanelProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [buyerMessage, setBuyerMessage] = useState('');
  const [stage, setStage] = useState<string>('');
  const [pick, setPick] = useState(0);
  const [traditional, setTraditional] = useState(false);
  const [draft, setDraft] = useState<DraftView | null>(null);
  const [text, setText] = useState('');
  const [lint, setLint] = useState<LintView[]>([]);
  const [checked, setChecked] = useState<CheckedMarks>({ text: '', marks: [] });
  const [fills, setFills] = useState<Record<string, string>>({});
  const [copies, setCopies] = useState<DraftCopyView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [copying, setCopying] = useState(false);
  const [polishOn, setPolishOn] = useState(false);
  const [polishing, setPolishing] = useState(false);
  const [proposal, setProposal] = useState<PolishedView | null>(null);
  const [polishError, setPolishError] = useState<string | null>(null);
  const lintTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(
    async (messageText: string) => {
      setLoading(true);
      try {
        const made = await caseDraft(caseKey, {
          message: messageText.trim() ? messageText : null,
          stage: stage || null,
          pick,
          traditional,
        });
        setDraft(made);
        setText(made.text);
        setLint(made.lint);
        setChecked({ text: made.text, marks: made.marks });
        setFills({});
        setError(null);
        // A proposal belongs to the text it was made from.
        setProposal(null);
        setPolishError(null);
      } catch (e) {
        setError(errorText(e));
      } finally {
        setLoading(false);
      }
    },
    [caseKey, stage, pick, traditional],
  );

  const loadCopies = useCallback(async () => {
    try {
      setCopies(await draftCopies(caseKey));
    } catch {
      // The list of earlier copies is a convenience; the draft itself still works.
      setCopies([]);
    }
  }, [caseKey]);

  // The pasted message is read when the agent asks (按钮或 Ctrl+Enter), not on each
  // keystroke; everything else makes the draft again at once.
  const messageRef = useRef(buyerMessage);
  messageRef.current = buyerMessage;
  useEffect(() => {
    void load(messageRef.current);
  }, [load, version]);

  useEffect(() => {
    void loadCopies();
  }, [loadCopies, version]);

  // The button shows only when the shop turned the polish on; asked again for each case,
  // so a change in the settings shows on the next case opened.
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const on = await polishEnabled();
        if (live) setPolishOn(on);
      } catch {
        // Without an answer the polish stays off: everything else works without it.
        if (live) setPolishOn(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [caseKey]);

  useEffect(
    () => () => {
      if (lintTimer.current) clearTimeout(lintTimer.current);
    },
    [],
  );

  /** Asks Rust for the lint and the marks of `next`, after `delay` milliseconds. */
  const check = (next: string, delay: number) => {
    if (lintTimer.current) clearTimeout(lintTimer.current);
    const kind = draft?.kind ?? '';
    const run = () => {
      lintReply(next, kind)
        .then((result) => {
          setLint(result.lint);
          setChecked({ text: next, marks: result.marks });
        })
        .catch(() => undefined);
    };
    if (delay > 0) lintTimer.current = setTimeout(run, delay);
    else run();
  };

  const edit = (next: string) => {
    setText(next);
    check(next, LINT_DELAY_MS);
  };

  // Until the edited text is checked, the marks listed are those of the text before the
  // edit; copying is still checked by Rust, which refuses marks the agent did not confirm.
  const marks = checked.marks;
  const fresh = checked.text === text;
  const labels = labelsOf(marks);
  const markLabels = labels.join('、');

  const fillIn = (label: string) => {
    const value = fills[label]?.trim();
    if (!value || !fresh) return;
    const next = fillMarks(text, marks, label, value);
    setText(next);
    check(next, 0);
    setFills((f) => ({ ...f, [label]: '' }));
  };

  const polish = async () => {
    if (!text.trim()) return;
    setPolishing(true);
    setPolishError(null);
    try {
      setProposal(await polishDraft(caseKey, text));
    } catch (e) {
      setProposal(null);
      setPolishError(errorText(e));
    } finally {
      setPolishing(false);
    }
  };

  // The adopted text is linted at once (not after the typing delay) and its markers join
  // the 【待填】 marks, so it meets the same checks as any edit before it can be copied.
  const adopt = () => {
    if (!proposal) return;
    const next = proposal.text;
    setText(next);
    setChecked({ text: next, marks: proposal.marks });
    setProposal(null);
    check(next, 0);
    void message.info(t('draft.polish.adopted'));
  };

  const removedText = (p: PolishedView) =>
    p.removed.length === 0
      ? t('draft.polish.removedNone')
      : t('draft.polish.removed', {
          items: p.removed
            .map((r) =>
              t('draft.polish.removedItem', {
                kind: t(`draft.polish.kind.${r.kind}` as MessageKey),
                count: r.count,
              }),
            )
            .join('、'),
        });

  const copy = async (confirmUnfilled: boolean) => {
    if (!draft || !text.trim()) return;
    setCopying(true);
    try {
      await copyDraft(caseKey, {
        text,
        kind: draft.kind,
        script_ids: draft.script_ids,
        confirm_unfilled: confirmUnfilled,
      });
      void message.success(t('draft.copied'));
      await loadCopies();
      onCopied?.();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setCopying(false);
    }
  };

  const copyButton = (
    <Button
      type="primary"
      icon={<CopyOutlined />}
      data-testid="draft-copy"
      loading={copying}
      disabled={!text.trim()}
      onClick={marks.length === 0 ? () => void copy(false) : undefined}
    >
      {t('draft.copy')}
    </Button>
  );

  const compensation = draft?.compensation;

  return (
    <Card
      size="small"
      title={t('draft.title')}
      data-testid="draft-panel"
      extra={
        draft && (
          <Space size={4}>
            <Tag color="blue" data-testid="draft-kind">
              {kindLabel(t, draft.kind, draft.kind_name)}
            </Tag>
            <Typography.Text type="secondary">{t(`draft.stage.${draft.stage}` as MessageKey)}</Typography.Text>
          </Space>
        )
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea
          data-testid="draft-message"
          aria-label={t('draft.message')}
          placeholder={t('draft.message.placeholder')}
          autoSize={{ minRows: 1, maxRows: 4 }}
          value={buyerMessage}
          onChange={(e) => setBuyerMessage(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              setPick(0);
              void load(buyerMessage);
            }
          }}
        />
        <Space wrap>
          <Button
            icon={<ReloadOutlined />}
            data-testid="draft-from-message"
            onClick={() => {
              setPick(0);
              void load(buyerMessage);
            }}
          >
            {t('draft.fromMessage')}
          </Button>
          <Select<string>
            aria-label={t('draft.stage')}
            data-testid="draft-stage"
            style={{ width: 150 }}
            value={stage}
            onChange={(v) => {
              setStage(v);
              setPick(0);
            }}
            options={STAGES.map((s) => ({
              value: s,
              label: t(s ? (`draft.stage.${s}` as MessageKey) : 'draft.stage.auto'),
            }))}
          />
          <Space size={4}>
            <Switch
              size="small"
              data-testid="draft-traditional"
              checked={draft?.traditional ?? traditional}
              onChange={setTraditional}
            />
            <Typography.Text>{t('draft.traditional')}</Typography.Text>
          </Space>
        </Space>

        {draft?.classification && (
          <Space wrap size={4} data-testid="draft-classification">
            <Typography.Text type="secondary">{t('draft.classified')}</Typography.Text>
            {[draft.classification.best, ...draft.classification.alternatives].map((g, i) => (
              <Tag key={g.kind} color={i === 0 ? 'geekblue' : 'default'}>
                {kindLabel(t, g.kind, g.kind_name)} {Math.round((g.confidence ?? 0) * 100)}%
              </Tag>
            ))}
          </Space>
        )}

        {error && <Alert type="error" showIcon message={error} />}
        {loading && !draft && <Spin />}

        {draft && draft.variants.length === 0 && !loading && (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('draft.noScript')} />
        )}

        {draft && draft.variants.length > 0 && (
          <>
            <Select<number>
              aria-label={t('draft.variant')}
              data-testid="draft-variant"
              style={{ width: '100%' }}
              value={draft.pick}
              onChange={setPick}
              options={draft.variants.map((v) => ({
                value: v.pick,
                label: (
                  <Space size={6}>
                    <Typography.Text type="secondary">{v.pick + 1}.</Typography.Text>
                    {v.shop && <Tag color="purple">{t('draft.shopScript')}</Tag>}
                    <span>{v.preview}…</span>
                  </Space>
                ),
              }))}
            />
            <Input.TextArea
              data-testid="draft-text"
              aria-label={t('draft.text')}
              autoSize={{ minRows: 3, maxRows: 12 }}
              value={text}
              onChange={(e) => edit(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && marks.length === 0) {
                  e.preventDefault();
                  void copy(false);
                }
              }}
            />
            {marks.length > 0 && (
              <Space direction="vertical" style={{ width: '100%' }} data-testid="draft-unfilled">
                <Typography.Text type="warning">{t('draft.unfilled', { items: markLabels })}</Typography.Text>
                {labels.map((label) => (
                  <Space.Compact key={label} style={{ width: '100%', maxWidth: 460 }}>
                    <Input
                      data-testid={`draft-fill-${label}`}
                      addonBefore={label}
                      value={fills[label] ?? ''}
                      onChange={(e) => setFills((f) => ({ ...f, [label]: e.target.value }))}
                      onPressEnter={() => fillIn(label)}
                    />
                    <Button disabled={!fresh} onClick={() => fillIn(label)}>
                      {t('draft.fill')}
                    </Button>
                  </Space.Compact>
                ))}
              </Space>
            )}
            {lint.length > 0 ? (
              <Alert
                type="warning"
                showIcon
                data-testid="draft-lint"
                message={t('draft.lint.title')}
                description={
                  <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                    {lint.map((l) => (
                      <li key={l.rule + l.message}>{l.message}</li>
                    ))}
                  </ul>
                }
              />
            ) : (
              <Typography.Text type="success" data-testid="draft-lint-clean">
                {t('draft.lint.clean')}
              </Typography.Text>
            )}
            {compensation && (
              <Alert
                type={compensation.needs_approval ? 'warning' : 'info'}
                showIcon
                data-testid="draft-compensation"
                message={
                  compensation.amount_fen !== null
                    ? t('draft.compensation.amount', {
                        amount: formatFen(compensation.amount_fen) ?? '',
                        message: compensation.message,
                      })
                    : compensation.message
                }
                description={compensation.needs_approval ? t('draft.compensation.approval') : undefined}
              />
            )}
            <Space>
              {marks.length > 0 ? (
                <Popconfirm
                  title={t('draft.confirmUnfilled.title')}
                  description={t('draft.confirmUnfilled', { items: markLabels })}
                  okText={t('draft.confirmUnfilled.ok')}
                  cancelText={t('common.cancel')}
                  onConfirm={() => void copy(true)}
                >
                  {copyButton}
                </Popconfirm>
              ) : (
                copyButton
              )}
              <Button
                data-testid="draft-reset"
                disabled={text === draft.text}
                onClick={() => {
                  if (lintTimer.current) clearTimeout(lintTimer.current);
                  setText(draft.text);
                  setLint(draft.lint);
                  setChecked({ text: draft.text, marks: draft.marks });
                }}
              >
                {t('draft.reset')}
              </Button>
              {polishOn && (
                <Button
                  icon={<HighlightOutlined />}
                  data-testid="draft-polish"
                  loading={polishing}
                  disabled={!text.trim()}
                  onClick={() => void polish()}
                >
                  {t('draft.polish')}
                </Button>
              )}
              <Typography.Text type="secondary">{draft.script_ids.join('、')}</Typography.Text>
            </Space>
            {polishError && (
              <Alert
                type="error"
                showIcon
                closable
                data-testid="draft-polish-error"
                message={t('draft.polish.failed')}
                description={polishError}
                onClose={() => setPolishError(null)}
              />
            )}
            {proposal && (
              <Card
                size="small"
                type="inner"
                title={t('draft.polish.title')}
                data-testid="draft-polish-proposal"
                extra={
                  <Space size={4}>
                    <Button type="primary" size="small" data-testid="draft-polish-adopt" onClick={adopt}>
                      {t('draft.polish.adopt')}
                    </Button>
                    <Button size="small" data-testid="draft-polish-discard" onClick={() => setProposal(null)}>
                      {t('draft.polish.discard')}
                    </Button>
                  </Space>
                }
              >
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Typography.Paragraph data-testid="draft-polish-text" style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
                    <Marked text={proposal.text} marks={proposal.marks} />
                  </Typography.Paragraph>
                  {proposal.warnings.length > 0 && (
                    <Alert
                      type="warning"
                      showIcon
                      data-testid="draft-polish-warnings"
                      message={
                        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                          {proposal.warnings.map((w) => (
                            <li key={w.code}>{w.message}</li>
                          ))}
                        </ul>
                      }
                    />
                  )}
                  <Typography.Text type="secondary" data-testid="draft-polish-removed">
                    {removedText(proposal)}
                  </Typography.Text>
                  <Collapse
                    size="small"
                    ghost
                    items={[
                      {
                        key: 'sent',
                        label: t('draft.polish.sent'),
                        children: (
                          <Typography.Text type="secondary" style={{ whiteSpace: 'pre-wrap' }}>
                            {proposal.sent_text}
                          </Typography.Text>
                        ),
                      },
                    ]}
                  />
                </Space>
              </Card>
            )}
          </>
        )}

        {copies.length > 0 && (
          <Collapse
            size="small"
            data-testid="draft-copies"
            items={[
              {
                key: 'copies',
                label: t('draft.copies', { count: copies.length }),
                children: (
                  <List
                    size="small"
                    dataSource={copies}
                    renderItem={(c) => (
                      <List.Item key={c.id} data-testid="draft-copy-item">
                        <List.Item.Meta
                          title={
                            <Space size={8} wrap>
                              <Typography.Text strong>{c.copied_by}</Typography.Text>
                              <Typography.Text type="secondary">{formatChinaTime(c.copied_at)}</Typography.Text>
                              <Typography.Text type="secondary">
                                {c.script_ids.length > 0 ? c.script_ids.join('、') : t('draft.handwritten')}
                              </Typography.Text>
                            </Space>
                          }
                          description={<span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{c.text}</span>}
                        />
                      </List.Item>
                    )}
                  />
                ),
              },
            ]}
          />
        )}
      </Space>
    </Card>
  );
}
