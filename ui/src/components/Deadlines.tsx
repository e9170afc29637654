import { ClockCircleOutlined, WarningOutlined } from '@ant-design/icons';
import { Alert, Card, Collapse, Empty, List, Space, Statistic, Tag, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';

import {
  caseClocks,
  clockDashboard,
  type CaseClocksView,
  type ClockView,
  type DashboardView,
} from '../api';
import { formatChinaTime } from '../format';
import { useI18n, type MessageKey } from '../i18n';
import { kindLabel } from './labels';

/** How many cases the workbench's deadline list shows. */
const DEADLINE_LIST = 10;

/** How often the shown times are refreshed (the "in 2 h 10 min" texts), in ms. */
const REFRESH_MS = 60_000;

const STATE_COLOURS: Record<string, string> = {
  overdue: 'red',
  due_soon: 'orange',
  running: 'blue',
  met: 'green',
  not_applicable: 'default',
};

/** A clock's state as a coloured tag, in the UI language. */
export function ClockStateTag({ clock }: { readonly clock: ClockView }) {
  const { t } = useI18n();
  const key = `clock.state.${clock.state}` as MessageKey;
  return <Tag color={STATE_COLOURS[clock.state] ?? 'default'}>{t(key)}</Tag>;
}

/** How long until `due` (or since, when past), e.g. `2 小时 10 分钟后` / `超时 35 分钟`. */
export function useDueText(): (due: string | null | undefined) => string {
  const { t } = useI18n();
  return (due) => {
    if (!due) return t('clock.noDue');
    const minutes = Math.round((Date.parse(due) - Date.now()) / 60_000);
    const abs = Math.abs(minutes);
    const span =
      abs >= 24 * 60
        ? t('clock.span.days', { days: Math.floor(abs / (24 * 60)), hours: Math.floor((abs % (24 * 60)) / 60) })
        : abs >= 60
          ? t('clock.span.hours', { hours: Math.floor(abs / 60), minutes: abs % 60 })
          : t('clock.span.minutes', { minutes: abs });
    return minutes >= 0 ? t('clock.left', { span }) : t('clock.over', { span });
  };
}

/** Re-renders every minute so that relative times stay true. */
function useMinuteTick(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = window.setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);
}

/** Props of {@link DeadlineCard}. */
export interface DeadlineCardProps {
  /** Changes when the shop or its cases change, to reload. */
  readonly version: unknown;
  /** Opens a case page. */
  readonly onOpen: (caseId: string) => void;
}

/**
 * The workbench's 即将超时 / 已超时 card: how many open cases are overdue or due soon, and
 * the most urgent ones with the clock that runs out first, what it asks for and when.
 */
export function DeadlineCard({ version, onOpen }: DeadlineCardProps) {
  const { t, errorText } = useI18n();
  const dueText = useDueText();
  const [view, setView] = useState<DashboardView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useMinuteTick();

  useEffect(() => {
    let live = true;
    clockDashboard(DEADLINE_LIST)
      .then((v) => live && setView(v))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [version]);

  const urgent = (view?.entries ?? []).filter((e) => e.next !== null);
  return (
    <Card
      size="small"
      title={
        <Space size={6}>
          <ClockCircleOutlined />
          {t('dashboard.deadlines')}
        </Space>
      }
      data-testid="deadlines"
      loading={view === null && error === null}
    >
      {error && <Alert type="error" showIcon message={error} />}
      {view && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space size={48}>
            <Statistic
              title={t('clock.count.overdue')}
              value={view.overdue}
              valueStyle={view.overdue > 0 ? { color: '#cf1322' } : {}}
              data-testid="count-overdue"
            />
            <Statistic
              title={t('clock.count.dueSoon')}
              value={view.due_soon}
              valueStyle={view.due_soon > 0 ? { color: '#d46b08' } : {}}
              data-testid="count-due-soon"
            />
          </Space>
          {urgent.length === 0 ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('clock.none')} />
          ) : (
            <List
              size="small"
              dataSource={urgent}
              renderItem={(entry) =>
                entry.next && (
                  <List.Item
                    key={entry.case_id}
                    data-testid="deadline-row"
                    onClick={() => onOpen(entry.case_id)}
                    style={{ cursor: 'pointer' }}
                    extra={
                      <Tooltip title={formatChinaTime(entry.next.due)}>
                        <Typography.Text {...(entry.next.state === 'overdue' ? { type: 'danger' as const } : {})}>
                          {dueText(entry.next.due)}
                        </Typography.Text>
                      </Tooltip>
                    }
                  >
                    <Space size={8} wrap>
                      <ClockStateTag clock={entry.next} />
                      <Typography.Text strong>{entry.next.name}</Typography.Text>
                      <Typography.Text>{entry.buyer_nick ?? entry.refund_no}</Typography.Text>
                      <Typography.Text type="secondary">
                        {kindLabel(t, entry.kind, entry.kind_name)}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )
              }
            />
          )}
        </Space>
      )}
    </Card>
  );
}

/** Props of {@link CaseClocks}. */
export interface CaseClocksProps {
  /** The case's id, refund or order number. */
  readonly caseKey: string;
  /** Changes when the case changes, to recompute. */
  readonly version: unknown;
}

/**
 * The case page's 平台时限 card: every clock that runs or ran for the case, the next one
 * first, each with its due time, state, what to do, what happens if it is missed, and any
 * warning (a calendar year without holiday data, a shop override). Clocks that do not
 * apply are folded away.
 */
export function CaseClocks({ caseKey, version }: CaseClocksProps) {
  const { t, errorText } = useI18n();
  const dueText = useDueText();
  const [view, setView] = useState<CaseClocksView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useMinuteTick();

  useEffect(() => {
    let live = true;
    caseClocks(caseKey)
      .then((v) => live && setView(v))
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [caseKey, version]);

  const order = ['overdue', 'due_soon', 'running', 'met', 'not_applicable'];
  const clocks = [...(view?.clocks ?? [])].sort(
    (a, b) =>
      order.indexOf(a.state) - order.indexOf(b.state) ||
      (a.due ?? '').localeCompare(b.due ?? ''),
  );
  const shown = clocks.filter((c) => c.state !== 'not_applicable');
  const folded = clocks.filter((c) => c.state === 'not_applicable');

  const item = (c: ClockView) => (
    <List.Item key={c.clock} data-testid="clock-item">
      <Space direction="vertical" size={2} style={{ width: '100%' }}>
        <Space size={8} wrap>
          <ClockStateTag clock={c} />
          <Typography.Text strong>{c.name}</Typography.Text>
          <Tag>{c.owner === 'platform' ? t('clock.owner.platform') : t('clock.owner.shop')}</Tag>
          <Typography.Text type="secondary">{c.length}</Typography.Text>
          {c.overridden.length > 0 && <Tag color="purple">{t('clock.overridden')}</Tag>}
        </Space>
        {c.due && (
          <Typography.Text {...(c.state === 'overdue' ? { type: 'danger' as const } : {})}>
            {t('clock.due', { due: formatChinaTime(c.due) })} · {dueText(c.due)}
          </Typography.Text>
        )}
        <Typography.Text>
          {t('clock.action', { actor: c.actor, action: c.action })}
        </Typography.Text>
        <Typography.Text type="secondary">{t('clock.consequence', { consequence: c.consequence })}</Typography.Text>
        {c.warnings.map((w) => (
          <Typography.Text type="warning" key={w.code}>
            <WarningOutlined /> {w.message}
          </Typography.Text>
        ))}
      </Space>
    </List.Item>
  );

  return (
    <Card size="small" title={t('case.section.clocks')} data-testid="case-clocks" loading={view === null && error === null}>
      {error && <Alert type="error" showIcon message={error} />}
      {view && shown.length === 0 && <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('clock.caseNone')} />}
      {shown.length > 0 && <List size="small" dataSource={shown} renderItem={item} />}
      {folded.length > 0 && (
        <Collapse
          ghost
          size="small"
          items={[
            {
              key: 'na',
              label: t('clock.notApplicable', { count: folded.length }),
              children: (
                <List
                  size="small"
                  dataSource={folded}
                  renderItem={(c) => (
                    <List.Item key={c.clock}>
                      <Typography.Text type="secondary">
                        {c.name} · {c.why ? t(`clock.why.${c.why}` as MessageKey) : ''}
                      </Typography.Text>
                    </List.Item>
                  )}
                />
              ),
            },
          ]}
        />
      )}
    </Card>
  );
}
