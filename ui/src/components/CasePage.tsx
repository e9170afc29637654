import { ArrowLeftOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  Descriptions,
  Empty,
  Input,
  List,
  Select,
  Space,
  Spin,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';

import {
  addNote,
  caseDetail,
  changeCase,
  type CaseChange,
  type CaseDetailView,
  type EventView,
  type TimelineField,
} from '../api';
import { formatChinaTime, formatFen } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { CaseClocks } from './Deadlines';
import { DraftPanel } from './DraftPanel';
import { EvidencePanel } from './EvidencePanel';
import { FlagMark } from './FlagMark';
import { ParcelsPanel } from './ParcelsPanel';
import { FLAGS, KINDS, kindLabel, statusLabel } from './labels';

/** Props of {@link CasePage}. */
export interface CasePageProps {
  /** The case's id (or refund number). */
  readonly caseKey: string;
  /** Goes back to the list. */
  readonly onBack: () => void;
}

/**
 * The name of each timeline field, as Rust types them (`EventView.field_kind`); tsc
 * refuses this table when a field is missing. An export column shows its header
 * (`extra_header`), a name this version does not know shows as recorded.
 */
const FIELD_LABELS: Record<TimelineField, MessageKey> = {
  refund_no: 'case.field.refundNo',
  order_no: 'case.field.orderNo',
  alipay_no: 'case.field.alipayNo',
  buyer_nick: 'case.field.buyer',
  item_title: 'case.field.item',
  sku_code: 'case.field.skuCode',
  reason_text: 'case.field.reason',
  buyer_note: 'case.field.buyerNote',
  refund_status_text: 'case.field.refundStatus',
  goods_status_text: 'case.field.goodsStatus',
  intervention_text: 'case.field.intervention',
  return_needed: 'case.field.returnNeeded',
  full_refund: 'case.field.fullRefund',
  manual_refund: 'case.field.manualRefund',
  paid: 'case.field.paid',
  refund: 'case.field.refund',
  ship_logistics: 'case.field.shipLogistics',
  return_logistics: 'case.field.returnLogistics',
  paid_at: 'case.field.paidAt',
  shipped_at: 'case.field.shippedAt',
  signed_at: 'case.field.signedAt',
  requested_at: 'case.field.requestedAt',
  return_shipped_at: 'case.field.returnShippedAt',
  return_received_at: 'case.field.returnReceivedAt',
  intervened_at: 'case.field.intervenedAt',
  completed_at: 'case.field.completedAt',
  extra: 'case.field.extra',
  kind: 'case.field.kind',
  open: 'case.field.open',
  platform: 'case.field.platform',
  refund_status: 'case.field.refundStatus',
  flag: 'case.field.flag',
  assignee: 'case.field.assignee',
  tags: 'case.field.tags',
  deleted: 'case.field.deleted',
  restored: 'case.field.restored',
  evidence_attached: 'case.field.evidenceAttached',
  evidence_detached: 'case.field.evidenceDetached',
  draft_copied: 'case.field.draftCopied',
  parcel_added: 'case.field.parcelAdded',
  parcel_removed: 'case.field.parcelRemoved',
  interception: 'case.field.interception',
  other: 'case.field.other',
};

/**
 * One case (售后单): the platform's facts, the shop's handling (flag, kind, assignee,
 * open/closed), the notes with a box to add one, and the history. Buyer and agent text is
 * rendered as text by React, never as HTML.
 */
export function CasePage({ caseKey, onBack }: CasePageProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [detail, setDetail] = useState<CaseDetailView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [saving, setSaving] = useState(false);
  const [assignee, setAssignee] = useState('');

  const load = useCallback(async () => {
    try {
      const loaded = await caseDetail(caseKey);
      setDetail(loaded);
      setAssignee(loaded.case.assignee ?? '');
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [caseKey]);

  useEffect(() => {
    void load();
  }, [load]);

  const change = async (patch: CaseChange) => {
    try {
      await changeCase(caseKey, patch);
      await load();
      void message.success(t('common.saved'));
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const submitNote = async () => {
    if (!note.trim()) return;
    setSaving(true);
    try {
      await addNote(caseKey, note);
      setNote('');
      await load();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const back = (
    <Button icon={<ArrowLeftOutlined />} onClick={onBack} data-testid="case-back">
      {t('case.back')}
    </Button>
  );

  if (error) {
    return (
      <div style={{ padding: 24 }}>
        <Space direction="vertical" style={{ width: '100%' }}>
          {back}
          <Alert type="error" showIcon message={error} />
        </Space>
      </div>
    );
  }
  if (!detail) {
    return (
      <div style={{ padding: 48, textAlign: 'center' }}>
        <Spin />
      </div>
    );
  }

  const c = detail.case;
  const text = (value: string | null | undefined) => value || t('common.none');
  const facts: { key: MessageKey; value: string }[] = [
    { key: 'case.field.refundNo', value: text(c.refund_no) },
    { key: 'case.field.orderNo', value: text(c.order_no) },
    { key: 'case.field.buyer', value: text(c.buyer_nick) },
    { key: 'case.field.item', value: text(c.item_title) },
    { key: 'case.field.refundStatus', value: statusLabel(t, c.refund_status, c.refund_status_text) },
    { key: 'case.field.goodsStatus', value: text(c.goods_status_text) },
    { key: 'case.field.intervention', value: text(c.intervention_text) },
    { key: 'case.field.reason', value: text(c.reason_text) },
    { key: 'case.field.paid', value: text(formatFen(c.paid_fen)) },
    { key: 'case.field.refund', value: text(formatFen(c.refund_fen)) },
    { key: 'case.field.paidAt', value: text(formatChinaTime(c.paid_at)) },
    { key: 'case.field.requestedAt', value: text(formatChinaTime(c.requested_at)) },
    { key: 'case.field.completedAt', value: text(formatChinaTime(c.completed_at)) },
    { key: 'case.field.shipLogistics', value: text(c.ship_logistics) },
    { key: 'case.field.returnLogistics', value: text(c.return_logistics) },
    { key: 'case.field.buyerNote', value: text(c.buyer_note) },
  ];

  const eventLine = (e: EventView) => {
    const field = t(FIELD_LABELS[e.field_kind], { header: e.extra_header ?? '', field: e.field });
    const value = (v: string | null) => {
      if (v === null || v === '') return t('common.none');
      if (e.field_kind === 'kind') return kindLabel(t, v);
      if (e.field_kind === 'flag' && v in FLAGS) return t(`flag.${v}` as MessageKey);
      if (e.field_kind === 'open') return t(v === 'true' ? 'cases.status.open' : 'cases.status.closed');
      if (e.field_kind === 'refund_status') return statusLabel(t, v);
      return v;
    };
    if (e.old === null && e.new === null) {
      return t('case.timeline.event', { actor: e.actor, field });
    }
    // Records that only add something (a copied reply, a parcel, a proof) read as
    // "who: what — detail", not as a change from nothing.
    if (e.old === null && e.record) {
      return t('case.timeline.added', { actor: e.actor, field, detail: e.new ?? '' });
    }
    return t('case.timeline.change', { actor: e.actor, field, old: value(e.old), new: value(e.new) });
  };

  return (
    <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 16 }} data-testid="case-page">
      <Space align="center" wrap>
        {back}
        <FlagMark flag={c.flag} />
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="case-title">
          {c.refund_no ?? t('cases.manual')} · {c.buyer_nick ?? ''}
        </Typography.Title>
        <Tag color="blue">{kindLabel(t, c.kind, c.kind_name)}</Tag>
        <Tag color={c.open ? 'orange' : 'default'}>
          {t(c.open ? 'cases.status.open' : 'cases.status.closed')}
        </Tag>
      </Space>

      <Card size="small" title={t('case.section.handling')}>
        <Space wrap size="large">
          <Space>
            <Typography.Text type="secondary">{t('case.field.flag')}</Typography.Text>
            <Select<string>
              data-testid="flag-select"
              aria-label={t('case.field.flag')}
              value={c.flag ?? 'none'}
              style={{ width: 120 }}
              onChange={(value) => void change({ flag: value })}
              options={[...Object.keys(FLAGS), 'none'].map((value) => ({
                value,
                // The name as a title too: antd shows it as the option's tooltip, and
                // screen readers and tests find the option by it.
                title: t(`flag.${value}` as MessageKey),
                label: (
                  <Space size={6}>
                    <FlagMark flag={value} />
                    {t(`flag.${value}` as MessageKey)}
                  </Space>
                ),
              }))}
            />
          </Space>
          <Space>
            <Typography.Text type="secondary">{t('case.field.kind')}</Typography.Text>
            <Select<string>
              data-testid="kind-select"
              aria-label={t('case.field.kind')}
              value={c.kind}
              style={{ width: 170 }}
              onChange={(value) => void change({ kind: value })}
              options={KINDS.map((value) => ({ value, label: kindLabel(t, value) }))}
            />
            {c.kind_source === 'manual' && (
              <Typography.Text type="secondary">{t('case.kindSource.manual')}</Typography.Text>
            )}
          </Space>
          <Space>
            <Typography.Text type="secondary">{t('case.field.assignee')}</Typography.Text>
            <Input
              data-testid="assignee-input"
              aria-label={t('case.field.assignee')}
              placeholder={t('case.assignee.placeholder')}
              value={assignee}
              style={{ width: 170 }}
              onChange={(e) => setAssignee(e.target.value)}
              onPressEnter={() => void change({ assignee })}
              onBlur={() => {
                if (assignee.trim() !== (c.assignee ?? '')) void change({ assignee });
              }}
            />
          </Space>
          <Button data-testid="toggle-open" onClick={() => void change({ open: !c.open })}>
            {t(c.open ? 'case.close' : 'case.reopen')}
          </Button>
        </Space>
      </Card>

      <CaseClocks caseKey={caseKey} version={detail} />

      <DraftPanel caseKey={caseKey} version={detail.case} onCopied={() => void load()} />

      <Card size="small" title={t('case.section.facts')}>
        <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} data-testid="case-facts">
          {facts.map(({ key, value }) => (
            <Descriptions.Item key={key} label={t(key)}>
              <span style={{ whiteSpace: 'pre-wrap' }}>{value}</span>
            </Descriptions.Item>
          ))}
        </Descriptions>
      </Card>

      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start', flexWrap: 'wrap' }}>
        <Card size="small" title={t('case.section.notes')} style={{ flex: '1 1 420px' }}>
          {detail.notes.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('case.note.empty')} />
          ) : (
            <List
              data-testid="note-list"
              size="small"
              dataSource={detail.notes}
              renderItem={(n) => (
                <List.Item key={n.id} data-testid="note-item">
                  <List.Item.Meta
                    title={
                      <Space size={8}>
                        <Typography.Text strong>{n.author}</Typography.Text>
                        <Typography.Text type="secondary">{formatChinaTime(n.at)}</Typography.Text>
                      </Space>
                    }
                    description={<span style={{ whiteSpace: 'pre-wrap', color: 'inherit' }}>{n.text}</span>}
                  />
                </List.Item>
              )}
            />
          )}
          <Input.TextArea
            style={{ marginTop: 12 }}
            data-testid="note-input"
            aria-label={t('case.note.placeholder')}
            placeholder={t('case.note.placeholder')}
            autoSize={{ minRows: 2, maxRows: 6 }}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                void submitNote();
              }
            }}
          />
          <Button
            type="primary"
            data-testid="add-note"
            style={{ marginTop: 8 }}
            loading={saving}
            disabled={!note.trim()}
            onClick={() => void submitNote()}
          >
            {t('case.note.add')}
          </Button>
        </Card>

        <Card size="small" title={t('case.section.timeline')} style={{ flex: '1 1 360px' }}>
          <Timeline
            data-testid="case-timeline"
            items={[
              { children: `${formatChinaTime(c.created_at)} ${c.origin}` },
              ...detail.events.map((e) => ({
                key: e.id,
                children: `${formatChinaTime(e.at)} ${eventLine(e)}`,
              })),
            ]}
          />
        </Card>
      </div>

      <EvidencePanel caseKey={caseKey} />

      <ParcelsPanel caseKey={caseKey} onChanged={() => void load()} />
    </div>
  );
}
