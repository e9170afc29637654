import { CopyOutlined, PlusOutlined, SyncOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Progress,
  Select,
  Space,
  Tag,
  Timeline,
  Tooltip,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';

import {
  addParcel,
  caseParcels,
  copyText,
  courierHint,
  intercept,
  recordParcelState,
  refreshParcels,
  removeParcel,
  type CaseParcelsView,
  type ParcelView,
} from '../api';
import { formatChinaTime } from '../format';
import { useI18n } from '../i18n';
import { COURIERS, DIRECTIONS, PARCEL_STATES, STATE_COLORS, courierLabel, directionLabel, stateLabel, stepLabel } from './parcelLabels';

/** Props of {@link ParcelsPanel}. */
export interface ParcelsPanelProps {
  /** The case's id. */
  readonly caseKey: string;
  /** Called after something changed the case's history (a parcel added, a step). */
  readonly onChanged?: () => void;
}

/**
 * 包裹跟踪 on the case page: each parcel of the case (original shipment, return,
 * reshipment, exchange) with its state, a copy button for the waybill number, what needs
 * doing and the courier's events as a vertical timeline; adding a parcel (the courier is
 * suggested from the number but never forced), recording a state by hand, refreshing
 * through the shop's provider, and the interception steps for a refund while in transit.
 */
export function ParcelsPanel({ caseKey, onChanged }: ParcelsPanelProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [view, setView] = useState<CaseParcelsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [waybill, setWaybill] = useState('');
  const [courier, setCourier] = useState<string>('');
  const [direction, setDirection] = useState<string>('');
  const [phoneTail, setPhoneTail] = useState('');
  const [hint, setHint] = useState<string[]>([]);
  const [recording, setRecording] = useState<ParcelView | null>(null);
  const [state, setState] = useState<string>('in_transit');
  const [stateText, setStateText] = useState('');
  const [refreshing, setRefreshing] = useState<{ done: number; total: number } | null>(null);
  const [contact, setContact] = useState('');

  const load = useCallback(async () => {
    try {
      setView(await caseParcels(caseKey));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, [caseKey]);

  useEffect(() => {
    void load();
  }, [load]);

  // The courier is suggested as the number is typed; the agent's own choice always wins.
  useEffect(() => {
    const number = waybill.trim();
    if (number.length < 8) {
      setHint([]);
      return;
    }
    const timer = setTimeout(() => {
      courierHint(number)
        .then((h) => {
          setHint(h.candidates);
          if (h.sure && h.candidates[0]) setCourier((c) => c || (h.candidates[0] ?? ''));
        })
        .catch(() => setHint([]));
    }, 250);
    return () => clearTimeout(timer);
  }, [waybill]);

  const fail = (e: unknown) => void message.error(errorText(e));

  const add = async () => {
    try {
      await addParcel({
        case: caseKey,
        waybill,
        courier: courier || null,
        direction: direction || null,
        phone_tail: phoneTail || null,
      });
      setAdding(false);
      setWaybill('');
      setCourier('');
      setDirection('');
      setPhoneTail('');
      await load();
      onChanged?.();
    } catch (e) {
      fail(e);
    }
  };

  const record = async () => {
    if (!recording) return;
    try {
      await recordParcelState(recording.id, state, stateText.trim() || null, null);
      setRecording(null);
      setStateText('');
      await load();
    } catch (e) {
      fail(e);
    }
  };

  const refresh = async () => {
    setRefreshing({ done: 0, total: 0 });
    try {
      const report = await refreshParcels(caseKey, (p) => setRefreshing({ done: p.done, total: p.total }));
      const failed = report.items.find((i) => i.outcome === 'failed' || i.outcome === 'deferred' || i.outcome === 'skipped');
      if (report.updated > 0) {
        void message.success(t('parcels.refreshed', { updated: report.updated, events: report.new_events }));
      } else if (failed?.message) {
        // A failed query carries the provider error's code, which has a translation; a
        // deferred or skipped parcel's reason is the core's own sentence.
        void message.warning(failed.code ? errorText(failed) : failed.message);
      } else {
        void message.info(t('parcels.refreshedNothing'));
      }
      await load();
    } catch (e) {
      fail(e);
    } finally {
      setRefreshing(null);
    }
  };

  const copy = async (text: string) => {
    try {
      await copyText(text);
      void message.success(t('parcels.copied', { waybill: text }));
    } catch (e) {
      fail(e);
    }
  };

  const step = async (key: string) => {
    try {
      await intercept({ case: caseKey, step: key, contact: contact.trim() || null });
      setContact('');
      await load();
      onChanged?.();
    } catch (e) {
      fail(e);
    }
  };

  const parcelCard = (p: ParcelView) => (
    <Card
      key={p.id}
      size="small"
      type="inner"
      data-testid="parcel"
      title={
        <Space wrap size={6}>
          <Tag>{directionLabel(t, p.direction, p.direction_name)}</Tag>
          <Typography.Text>{p.courier ? courierLabel(t, p.courier, p.courier_name) : t('parcels.noCourier')}</Typography.Text>
          <Typography.Text strong copyable={false} data-testid="parcel-waybill">
            {p.waybill}
          </Typography.Text>
          <Tooltip title={t('parcels.copy')}>
            <Button size="small" type="text" icon={<CopyOutlined />} aria-label={t('parcels.copy')} onClick={() => void copy(p.waybill)} />
          </Tooltip>
          <Tag color={STATE_COLORS[p.state] ?? 'default'} data-testid="parcel-state">
            {stateLabel(t, p.state, p.state_name)}
          </Tag>
        </Space>
      }
      extra={
        <Space size={4}>
          <Button size="small" onClick={() => setRecording(p)}>
            {t('parcels.record')}
          </Button>
          <Popconfirm
            title={t('parcels.removeConfirm', { waybill: p.waybill })}
            okText={t('parcels.remove')}
            cancelText={t('common.cancel')}
            onConfirm={() => {
              void removeParcel(p.id).then(load).then(() => onChanged?.(), fail);
            }}
          >
            <Button size="small" type="text" danger>
              {t('parcels.remove')}
            </Button>
          </Popconfirm>
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          {p.last_update ? t('parcels.lastUpdate', { at: formatChinaTime(p.last_update) }) : t('parcels.noUpdate')}
          {' · '}
          {p.last_checked ? t('parcels.lastChecked', { at: formatChinaTime(p.last_checked) }) : t('parcels.neverChecked')}
          {p.phone_tail ? ` · ${t('parcels.phoneTail', { tail: p.phone_tail })}` : ''}
        </Typography.Text>
        {p.last_error && (
          <Alert type="warning" showIcon message={t('parcels.lastError', { error: p.last_error })} />
        )}
        {p.attention.map((a) => (
          <Alert key={a.reason} type="error" showIcon data-testid="parcel-attention" message={a.reason_name} description={a.prompt} />
        ))}
        {p.events.length === 0 ? (
          <Typography.Text type="secondary">{t('parcels.noEvents')}</Typography.Text>
        ) : (
          <Timeline
            data-testid="parcel-events"
            items={[...p.events].reverse().map((e, i) => ({
              key: `${e.at}-${i}`,
              color: i === 0 ? 'blue' : 'gray',
              children: (
                <Space direction="vertical" size={0}>
                  <Typography.Text type="secondary">
                    {formatChinaTime(e.at)}
                    {e.place ? ` · ${e.place}` : ''}
                  </Typography.Text>
                  <Typography.Text>{e.text}</Typography.Text>
                </Space>
              ),
            }))}
          />
        )}
      </Space>
    </Card>
  );

  const interception = view?.interception ?? null;
  const caseAttention = view?.attention.filter((a) => !a.parcel_id) ?? [];

  return (
    <Card
      size="small"
      title={t('parcels.title')}
      data-testid="parcels-panel"
      extra={
        <Space>
          <Button size="small" icon={<SyncOutlined spin={refreshing !== null} />} data-testid="parcels-refresh" disabled={refreshing !== null || !view?.parcels.length} onClick={() => void refresh()}>
            {t('parcels.refresh')}
          </Button>
          <Button size="small" type="primary" icon={<PlusOutlined />} data-testid="parcel-add" onClick={() => setAdding(true)}>
            {t('parcels.add')}
          </Button>
        </Space>
      }
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        {error && <Alert type="error" showIcon message={error} />}
        {refreshing && refreshing.total > 0 && (
          <Progress percent={Math.round((refreshing.done / refreshing.total) * 100)} size="small" />
        )}
        {caseAttention.map((a) => (
          <Alert key={a.reason} type="warning" showIcon message={a.reason_name} description={a.prompt} data-testid="case-parcel-attention" />
        ))}
        {interception && (
          <Card size="small" type="inner" title={t('parcels.interception')} data-testid="interception">
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <Tag color="purple" data-testid="interception-state">
                  {stepLabel(t, interception.state, interception.state_name)}
                </Tag>
                <Typography.Text data-testid="interception-next">{interception.next_step}</Typography.Text>
              </Space>
              {interception.allowed.length > 0 && (
                <Space wrap>
                  {interception.allowed.includes('requested') && (
                    <Input
                      size="small"
                      style={{ width: 220 }}
                      placeholder={t('parcels.contact')}
                      value={contact}
                      onChange={(e) => setContact(e.target.value)}
                    />
                  )}
                  {interception.allowed.map((s) => (
                    <Button key={s} size="small" data-testid={`interception-${s}`} onClick={() => void step(s)}>
                      {stepLabel(t, s)}
                    </Button>
                  ))}
                </Space>
              )}
              {interception.steps.map((s) => (
                <Typography.Text key={s.id} type="secondary">
                  {formatChinaTime(s.at)} · {s.agent} · {stepLabel(t, s.step, s.step_name)}
                  {s.contact ? ` · ${s.contact}` : ''}
                </Typography.Text>
              ))}
            </Space>
          </Card>
        )}
        {view && view.parcels.length === 0 && (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('parcels.empty')} />
        )}
        {view?.parcels.map(parcelCard)}
      </Space>

      <Modal
        open={adding}
        title={t('parcels.add')}
        okText={t('parcels.add')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !waybill.trim(), 'data-testid': 'parcel-add-ok' } as never}
        onOk={() => void add()}
        onCancel={() => setAdding(false)}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('parcels.waybill')} extra={hint.length > 0 ? t('parcels.hint', { couriers: hint.map((c) => courierLabel(t, c)).join('、') }) : undefined}>
            <Input data-testid="parcel-waybill-input" value={waybill} onChange={(e) => setWaybill(e.target.value)} />
          </Form.Item>
          <Form.Item label={t('parcels.courier')}>
            <Select<string>
              data-testid="parcel-courier"
              value={courier}
              onChange={setCourier}
              options={[{ value: '', label: t('parcels.courierAuto') }, ...COURIERS.map((c) => ({ value: c, label: courierLabel(t, c) }))]}
            />
          </Form.Item>
          <Form.Item label={t('parcels.direction')}>
            <Select<string>
              value={direction}
              onChange={setDirection}
              options={[{ value: '', label: t('parcels.directionAuto') }, ...DIRECTIONS.map((d) => ({ value: d, label: directionLabel(t, d) }))]}
            />
          </Form.Item>
          <Form.Item label={t('parcels.phoneTailLabel')} extra={t('parcels.phoneTailHelp')}>
            <Input maxLength={4} value={phoneTail} onChange={(e) => setPhoneTail(e.target.value)} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={recording !== null}
        title={t('parcels.recordTitle', { waybill: recording?.waybill ?? '' })}
        okText={t('settings.save')}
        cancelText={t('common.cancel')}
        onOk={() => void record()}
        onCancel={() => setRecording(null)}
        destroyOnHidden
      >
        <Form layout="vertical">
          <Form.Item label={t('parcels.state')}>
            <Select<string> value={state} onChange={setState} options={PARCEL_STATES.map((s) => ({ value: s, label: stateLabel(t, s) }))} />
          </Form.Item>
          <Form.Item label={t('parcels.stateText')}>
            <Input value={stateText} placeholder={t('parcels.stateTextPlaceholder')} onChange={(e) => setStateText(e.target.value)} />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
