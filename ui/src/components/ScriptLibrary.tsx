import { EditOutlined, HistoryOutlined, ImportOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Timeline,
  Tooltip,
  Typography,
  type TableColumnsType,
} from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';

import {
  lintReply,
  removeScript,
  saveScript,
  scriptHistory,
  scriptLibrary,
  setScriptEnabled,
  type LintView,
  type ScriptVersionView,
  type ScriptView,
} from '../api';
import { formatChinaTime } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { KINDS, kindLabel } from './labels';
import { ScriptImportReview } from './ScriptImportReview';

const STAGES = ['first_reply', 'follow_up', 'closing'] as const;
const ORIGINS = ['builtin', 'builtin_edited', 'shop', 'import'] as const;

const ORIGIN_COLORS: Record<string, string> = {
  builtin: 'default',
  builtin_edited: 'gold',
  shop: 'purple',
  import: 'cyan',
};

/** The placeholders a script may use, with the label shown in the editor's help. */
const PLACEHOLDERS: [string, MessageKey][] = [
  ['buyer_nick', 'scripts.ph.buyer_nick'],
  ['order_no', 'scripts.ph.order_no'],
  ['courier', 'scripts.ph.courier'],
  ['waybill', 'scripts.ph.waybill'],
  ['amount', 'scripts.ph.amount'],
  ['deadline', 'scripts.ph.deadline'],
  ['signer', 'scripts.ph.signer'],
  ['signed_at', 'scripts.ph.signed_at'],
  ['new_waybill', 'scripts.ph.new_waybill'],
];

interface EditorState {
  readonly script: ScriptView | null;
  readonly kind: string;
  readonly stage: string;
  readonly text: string;
  readonly textHant: string;
  readonly tags: string;
  readonly tone: string;
  readonly enabled: boolean;
}

/**
 * A script's text with each `{placeholder}` shown as a small tag with its Chinese label,
 * so the list reads like the reply a buyer gets.
 */
function ScriptText({ text, label }: { readonly text: string; readonly label: (name: string) => string | null }) {
  const parts = text.split(/(\{[a-z_]+\})/g);
  return (
    <>
      {parts.map((part, i) => {
        const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
        const shown = name ? label(name) : null;
        return shown ? (
          <Tag key={i} color="geekblue" style={{ marginInline: 2 }}>
            {shown}
          </Tag>
        ) : (
          <span key={i}>{part}</span>
        );
      })}
    </>
  );
}

/**
 * 话术库: every script the drafts choose from — the built-in ones, the shop's edits of
 * them, the shop's own and imported ones — with search, filters, an editor that lints as
 * the agent types, on/off switches, the version history, and the training-material
 * import. Removing asks first; a removed edit of a built-in script brings the built-in
 * text back.
 */
export function ScriptLibrary() {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [scripts, setScripts] = useState<ScriptView[] | null>(null);
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<string>('');
  const [stage, setStage] = useState<string>('');
  const [origin, setOrigin] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [editor, setEditor] = useState<EditorState | null>(null);
  const [editorLint, setEditorLint] = useState<LintView[]>([]);
  const [saving, setSaving] = useState(false);
  const [history, setHistory] = useState<{ id: string; versions: ScriptVersionView[] } | null>(null);
  const [importing, setImporting] = useState(false);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const searchRef = useRef<HTMLInputElement | null>(null);

  const load = useCallback(async () => {
    try {
      setScripts(
        await scriptLibrary({
          search: search.trim() || null,
          kind: kind || null,
          stage: stage || null,
          origins: origin ? [origin] : [],
        }),
      );
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [search, kind, stage, origin]);

  useEffect(() => {
    void load();
  }, [load]);

  // Ctrl+K focuses the search box, as on the case list.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (!editor) return;
    const timer = setTimeout(() => {
      lintReply(editor.text, editor.kind)
        .then((result) => setEditorLint(result.lint))
        .catch(() => undefined);
    }, 300);
    return () => clearTimeout(timer);
  }, [editor]);

  const openEditor = (script: ScriptView | null) => {
    setEditor({
      script,
      kind: script?.kind ?? kind ?? 'other',
      stage: script?.stage ?? 'first_reply',
      text: script?.text ?? '',
      textHant: script?.text_hant ?? '',
      tags: script?.tags.join('，') ?? '',
      tone: script?.tone ?? '',
      enabled: script?.enabled ?? true,
    });
    setEditorLint(script?.lint ?? []);
  };

  const save = async () => {
    if (!editor) return;
    setSaving(true);
    try {
      await saveScript({
        id: editor.script?.id ?? null,
        kind: editor.kind || 'other',
        stage: editor.stage,
        text: editor.text,
        text_hant: editor.textHant,
        tags: editor.tags.split(/[,，、\s]+/).filter(Boolean),
        tone: editor.tone,
        enabled: editor.enabled,
        base_version: editor.script?.version ?? null,
      });
      setEditor(null);
      void message.success(t('common.saved'));
      await load();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const toggle = async (script: ScriptView, enabled: boolean) => {
    try {
      await setScriptEnabled(script.id, enabled);
      await load();
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const remove = async (script: ScriptView) => {
    try {
      await removeScript(script.id, true);
      await load();
      void message.open({
        type: 'success',
        content: (
          <Space>
            {t(script.origin === 'builtin_edited' ? 'scripts.reverted' : 'scripts.removed')}
            <Button
              size="small"
              type="link"
              data-testid="script-undo"
              onClick={() => {
                void removeScript(script.id, false).then(load);
              }}
            >
              {t('scripts.undo')}
            </Button>
          </Space>
        ),
      });
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const showHistory = async (script: ScriptView) => {
    try {
      setHistory({ id: script.id, versions: await scriptHistory(script.id) });
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const placeholderLabel = (name: string): string | null => {
    const found = PLACEHOLDERS.find(([key]) => key === name);
    return found ? t(found[1]) : null;
  };

  const columns: TableColumnsType<ScriptView> = [
    {
      title: t('scripts.col.text'),
      dataIndex: 'text',
      render: (_, s) => (
        <Space direction="vertical" size={2} style={{ width: '100%' }}>
          {/* Clamped with CSS rather than antd's ellipsis, which cannot measure text
              mixed with the placeholder tags and collapsed some rows to nothing. */}
          <Typography.Paragraph
            style={{
              margin: 0,
              whiteSpace: 'pre-wrap',
              cursor: 'pointer',
              ...(expanded.has(s.id)
                ? {}
                : { display: '-webkit-box', WebkitLineClamp: 3, WebkitBoxOrient: 'vertical', overflow: 'hidden' }),
            }}
            {...(expanded.has(s.id) ? {} : { title: t('scripts.more') })}
            {...(s.enabled ? {} : { type: 'secondary' as const })}
            onClick={() =>
              setExpanded((open) => {
                const next = new Set(open);
                if (!next.delete(s.id)) next.add(s.id);
                return next;
              })
            }
          >
            <ScriptText text={s.text} label={placeholderLabel} />
          </Typography.Paragraph>
          {s.tone && <Typography.Text type="secondary">{t('scripts.toneNote', { tone: s.tone })}</Typography.Text>}
          {s.lint.length > 0 && (
            <Typography.Text type="warning">{s.lint.map((l) => l.message).join('；')}</Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('scripts.col.kind'),
      dataIndex: 'kind',
      width: 150,
      render: (_, s) => (
        <Space direction="vertical" size={2}>
          <Tag color="blue">{kindLabel(t, s.kind, s.kind_name)}</Tag>
          <Typography.Text type="secondary">{t(`draft.stage.${s.stage}` as MessageKey)}</Typography.Text>
        </Space>
      ),
    },
    {
      title: t('scripts.col.origin'),
      dataIndex: 'origin',
      width: 140,
      render: (_, s) => (
        <Space direction="vertical" size={2}>
          <Tag color={ORIGIN_COLORS[s.origin] ?? 'default'}>{t(`scripts.origin.${s.origin}` as MessageKey)}</Tag>
          <Typography.Text type="secondary">
            v{s.version}
            {s.updated_by ? ` · ${s.updated_by}` : ''}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: t('scripts.col.enabled'),
      dataIndex: 'enabled',
      width: 80,
      render: (_, s) => (
        <Switch
          size="small"
          checked={s.enabled}
          aria-label={t('scripts.col.enabled')}
          data-testid={`script-enabled-${s.id}`}
          onChange={(on) => void toggle(s, on)}
        />
      ),
    },
    {
      title: '',
      key: 'actions',
      width: 120,
      render: (_, s) => (
        <Space size={0}>
          <Tooltip title={t('scripts.edit')}>
            <Button type="text" icon={<EditOutlined />} aria-label={t('scripts.edit')} onClick={() => openEditor(s)} />
          </Tooltip>
          {s.origin !== 'builtin' && (
            <>
              <Tooltip title={t('scripts.history')}>
                <Button
                  type="text"
                  icon={<HistoryOutlined />}
                  aria-label={t('scripts.history')}
                  onClick={() => void showHistory(s)}
                />
              </Tooltip>
              <Popconfirm
                title={t(s.origin === 'builtin_edited' ? 'scripts.revertConfirm' : 'scripts.removeConfirm')}
                okText={t(s.origin === 'builtin_edited' ? 'scripts.revert' : 'scripts.remove')}
                cancelText={t('common.cancel')}
                onConfirm={() => void remove(s)}
              >
                <Button type="text" danger size="small">
                  {t(s.origin === 'builtin_edited' ? 'scripts.revert' : 'scripts.remove')}
                </Button>
              </Popconfirm>
            </>
          )}
        </Space>
      ),
    },
  ];

  if (importing) {
    return (
      <ScriptImportReview
        onDone={() => {
          setImporting(false);
          void load();
        }}
      />
    );
  }

  return (
    <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 12 }} data-testid="script-library">
      <Space wrap>
        <Input
          ref={(el) => {
            searchRef.current = el?.input ?? null;
          }}
          allowClear
          prefix={<SearchOutlined />}
          data-testid="script-search"
          placeholder={t('scripts.search')}
          style={{ width: 260 }}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <Select<string>
          aria-label={t('scripts.col.kind')}
          style={{ width: 170 }}
          value={kind}
          onChange={setKind}
          options={[{ value: '', label: t('scripts.allKinds') }, ...KINDS.map((k) => ({ value: k, label: kindLabel(t, k) }))]}
        />
        <Select<string>
          aria-label={t('draft.stage')}
          style={{ width: 130 }}
          value={stage}
          onChange={setStage}
          options={[
            { value: '', label: t('scripts.allStages') },
            ...STAGES.map((s) => ({ value: s, label: t(`draft.stage.${s}` as MessageKey) })),
          ]}
        />
        <Select<string>
          aria-label={t('scripts.col.origin')}
          style={{ width: 150 }}
          value={origin}
          onChange={setOrigin}
          options={[
            { value: '', label: t('scripts.allOrigins') },
            ...ORIGINS.map((o) => ({ value: o, label: t(`scripts.origin.${o}` as MessageKey) })),
          ]}
        />
        <Button type="primary" icon={<PlusOutlined />} data-testid="script-new" onClick={() => openEditor(null)}>
          {t('scripts.new')}
        </Button>
        <Button icon={<ImportOutlined />} data-testid="script-import" onClick={() => setImporting(true)}>
          {t('scripts.import')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon message={error} />}
      <Table<ScriptView>
        rowKey="id"
        size="small"
        data-testid="script-table"
        loading={scripts === null && !error}
        dataSource={scripts ?? []}
        columns={columns}
        pagination={{ pageSize: 50, showSizeChanger: false, showTotal: (n) => t('scripts.total', { count: n }) }}
        locale={{ emptyText: <Empty description={t('scripts.empty')} /> }}
      />

      <Modal
        open={editor !== null}
        title={editor?.script ? t('scripts.editTitle', { id: editor.script.id }) : t('scripts.new')}
        okText={t('settings.save')}
        cancelText={t('common.cancel')}
        confirmLoading={saving}
        okButtonProps={{ disabled: !editor?.text.trim(), 'data-testid': 'script-save' } as never}
        onOk={() => void save()}
        onCancel={() => setEditor(null)}
        width={720}
        destroyOnHidden
      >
        {editor && (
          <Form layout="vertical">
            {editor.script?.origin === 'builtin' && (
              <Alert type="info" showIcon style={{ marginBottom: 12 }} message={t('scripts.editBuiltin')} />
            )}
            <Space wrap>
              <Form.Item label={t('scripts.col.kind')}>
                <Select<string>
                  style={{ width: 180 }}
                  value={editor.kind}
                  onChange={(v) => setEditor({ ...editor, kind: v })}
                  options={KINDS.map((k) => ({ value: k, label: kindLabel(t, k) }))}
                />
              </Form.Item>
              <Form.Item label={t('draft.stage')}>
                <Select<string>
                  style={{ width: 150 }}
                  value={editor.stage}
                  onChange={(v) => setEditor({ ...editor, stage: v })}
                  options={STAGES.map((s) => ({ value: s, label: t(`draft.stage.${s}` as MessageKey) }))}
                />
              </Form.Item>
              <Form.Item label={t('scripts.col.enabled')}>
                <Switch checked={editor.enabled} onChange={(v) => setEditor({ ...editor, enabled: v })} />
              </Form.Item>
            </Space>
            <Form.Item
              label={t('scripts.text')}
              extra={
                <Space wrap size={4}>
                  {t('scripts.placeholders')}
                  {PLACEHOLDERS.map(([name, label]) => (
                    <Tag
                      key={name}
                      style={{ cursor: 'pointer' }}
                      onClick={() => setEditor({ ...editor, text: `${editor.text}{${name}}` })}
                    >
                      {`{${name}}`} {t(label)}
                    </Tag>
                  ))}
                </Space>
              }
            >
              <Input.TextArea
                data-testid="script-text"
                autoSize={{ minRows: 3, maxRows: 10 }}
                value={editor.text}
                onChange={(e) => setEditor({ ...editor, text: e.target.value })}
              />
            </Form.Item>
            {editorLint.length > 0 && (
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 12 }}
                data-testid="script-lint"
                message={editorLint.map((l) => l.message).join('；')}
              />
            )}
            <Form.Item label={t('scripts.textHant')} extra={t('scripts.textHant.help')}>
              <Input.TextArea
                autoSize={{ minRows: 2, maxRows: 8 }}
                value={editor.textHant}
                onChange={(e) => setEditor({ ...editor, textHant: e.target.value })}
              />
            </Form.Item>
            <Form.Item label={t('scripts.tags')}>
              <Input value={editor.tags} onChange={(e) => setEditor({ ...editor, tags: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('scripts.tone')}>
              <Input value={editor.tone} onChange={(e) => setEditor({ ...editor, tone: e.target.value })} />
            </Form.Item>
          </Form>
        )}
      </Modal>

      <Modal
        open={history !== null}
        title={t('scripts.historyTitle', { id: history?.id ?? '' })}
        footer={null}
        onCancel={() => setHistory(null)}
        width={640}
      >
        {history && (
          <Timeline
            items={history.versions.map((v) => ({
              key: v.version,
              children: (
                <Space direction="vertical" size={2}>
                  <Typography.Text strong>
                    v{v.version} · {v.changed_by} · {formatChinaTime(v.changed_at)}
                    {!v.enabled && ` · ${t('scripts.disabled')}`}
                  </Typography.Text>
                  <span style={{ whiteSpace: 'pre-wrap' }}>{v.text}</span>
                </Space>
              ),
            }))}
          />
        )}
      </Modal>
    </div>
  );
}
