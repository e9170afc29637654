import { CopyOutlined, SyncOutlined } from '@ant-design/icons';
import { Alert, App as AntdApp, Button, Card, Empty, List, Progress, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';

import { cancelRefresh, copyText, parcelAttention, refreshParcels, type AttentionListView } from '../api';
import { formatChinaTime } from '../format';
import { useI18n } from '../i18n';

/** Props of {@link ParcelAttentionCard}. */
export interface ParcelAttentionProps {
  /** Changes when the shop changes, so the list is read again. */
  readonly version?: unknown;
  /** Opens a case. */
  readonly onOpen: (caseId: string) => void;
}

/** Tag colours by reason: problem parcels and loss claims first. */
const REASON_COLORS: Record<string, string> = {
  problem_parcel: 'red',
  loss_claim: 'volcano',
  interception_outcome: 'purple',
  return_signed: 'green',
  stale_tracking: 'orange',
  return_waybill_missing: 'gold',
};

/**
 * 需要处理的包裹 on the workbench: stuck and problem parcels, returns to inspect, missing
 * return waybills and interception outcomes across open cases, each with what to do and
 * a link to its case; 全部刷新 asks the shop's provider about every open case's parcels
 * with a progress bar and a stop button.
 */
export function ParcelAttentionCard({ version, onOpen }: ParcelAttentionProps) {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [list, setList] = useState<AttentionListView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);

  const load = useCallback(async () => {
    try {
      setList(await parcelAttention());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load, version]);

  const refreshAll = async () => {
    setProgress({ done: 0, total: 0 });
    try {
      const report = await refreshParcels(null, (p) => setProgress({ done: p.done, total: p.total }));
      const skipped = report.items.find((i) => i.outcome === 'skipped');
      if (report.updated > 0 || report.failed > 0) {
        void message.info(t('parcels.refreshed', { updated: report.updated, events: report.new_events }));
      } else if (skipped?.message) {
        void message.info(skipped.message);
      } else {
        void message.info(t('parcels.refreshedNothing'));
      }
      await load();
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setProgress(null);
    }
  };

  return (
    <Card
      size="small"
      title={t('parcels.attention.title')}
      data-testid="parcel-attention-card"
      extra={
        <Space>
          {list && <Typography.Text type="secondary">{t('parcels.attention.count', { count: list.parcels })}</Typography.Text>}
          {progress ? (
            <Button size="small" onClick={() => void cancelRefresh()}>
              {t('parcels.cancel')}
            </Button>
          ) : (
            <Button size="small" icon={<SyncOutlined />} data-testid="parcels-refresh-all" onClick={() => void refreshAll()}>
              {t('parcels.refreshAll')}
            </Button>
          )}
        </Space>
      }
    >
      {progress && progress.total > 0 && (
        <Progress
          size="small"
          percent={Math.round((progress.done / progress.total) * 100)}
          format={() => t('parcels.refreshProgress', { done: progress.done, total: progress.total })}
        />
      )}
      {error && <Alert type="error" showIcon message={error} />}
      {list && list.items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('parcels.attention.empty')} />
      ) : (
        <List
          size="small"
          data-testid="parcel-attention-list"
          dataSource={list?.items ?? []}
          pagination={(list?.items.length ?? 0) > 8 ? { pageSize: 8, size: 'small', showSizeChanger: false } : false}
          renderItem={(a) => (
            <List.Item
              key={`${a.case_id}-${a.parcel_id ?? ''}-${a.reason}`}
              data-testid="parcel-attention-item"
              actions={[
                a.waybill && (
                  <Button
                    key="copy"
                    size="small"
                    type="text"
                    icon={<CopyOutlined />}
                    aria-label={t('parcels.copy')}
                    onClick={() => {
                      void copyText(a.waybill ?? '').then(
                        () => message.success(t('parcels.copied', { waybill: a.waybill ?? '' })),
                        () => undefined,
                      );
                    }}
                  />
                ),
                <Button key="open" size="small" type="link" onClick={() => onOpen(a.case_id)}>
                  {a.refund_no ?? a.buyer_nick ?? a.case_id.slice(0, 8)}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={6} wrap>
                    <Tag color={REASON_COLORS[a.reason] ?? 'default'}>{a.reason_name}</Tag>
                    {a.waybill && <Typography.Text>{a.waybill}</Typography.Text>}
                    {a.due && <Typography.Text type="danger">{t('clock.due', { due: formatChinaTime(a.due) })}</Typography.Text>}
                  </Space>
                }
                description={a.prompt}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
