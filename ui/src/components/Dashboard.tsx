import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, List, Row, Space, Statistic, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';

import { listCases, type CaseView, type ShopInfo } from '../api';
import { formatChinaTime, formatFen } from '../format';
import { useI18n } from '../i18n';
import { DeadlineCard } from './Deadlines';
import { ParcelAttentionCard } from './ParcelAttention';
import { FlagMark } from './FlagMark';
import { kindLabel } from './labels';

/** How many cases each of the "waiting longest" and "newest" lists shows. */
const SHORT_LIST = 8;

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  readonly shop: ShopInfo;
  /** Opens a case page. */
  readonly onOpen: (caseId: string) => void;
  /** Leaves the demo shop. */
  readonly onCloseDemo: () => void;
  /** Opens the 新建售后单 dialog; without it there is no 新建 button. */
  readonly onNewCase?: () => void;
}

/**
 * The 工作台: the open cases whose platform clocks run out first (即将超时 / 已超时),
 * counts by status and kind, and the open cases that have waited longest and the newest
 * requests, both ordered by refund-request time.
 */
export function Dashboard({ shop, onOpen, onCloseDemo, onNewCase }: DashboardProps) {
  const { t, errorText } = useI18n();
  const [oldest, setOldest] = useState<CaseView[]>([]);
  const [newest, setNewest] = useState<CaseView[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([
      listCases({ open: true, sort: 'requested', limit: SHORT_LIST }),
      listCases({ open: true, sort: 'requested_desc', limit: SHORT_LIST }),
    ])
      .then(([a, b]) => {
        if (!live) return;
        setOldest(a.cases);
        setNewest(b.cases);
      })
      .catch((e: unknown) => {
        if (live) setError(errorText(e));
      });
    return () => {
      live = false;
    };
  }, [shop]);

  const shortList = (title: string, cases: CaseView[], testId: string) => (
    <Card size="small" title={title} data-testid={testId}>
      <List
        size="small"
        dataSource={cases}
        renderItem={(c) => (
          <List.Item
            key={c.id}
            onClick={() => onOpen(c.id)}
            style={{ cursor: 'pointer' }}
            extra={<Typography.Text type="secondary">{formatChinaTime(c.requested_at)}</Typography.Text>}
          >
            <Space size={8}>
              <FlagMark flag={c.flag} />
              <Typography.Text>{c.buyer_nick ?? c.refund_no}</Typography.Text>
              <Typography.Text type="secondary">{kindLabel(t, c.kind, c.kind_name)}</Typography.Text>
              <Typography.Text>{formatFen(c.refund_fen)}</Typography.Text>
            </Space>
          </List.Item>
        )}
      />
    </Card>
  );

  return (
    <div style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 16 }} data-testid="dashboard">
      {shop.demo && (
        <Alert
          type="info"
          showIcon
          message={t('demo.banner')}
          action={
            <Button size="small" onClick={onCloseDemo} data-testid="close-demo">
              {t('demo.close')}
            </Button>
          }
        />
      )}
      {error && <Alert type="error" showIcon message={error} />}
      {onNewCase && (
        <Space>
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={onNewCase}
            title={t('newCase.shortcut')}
            data-testid="dashboard-new-case"
          >
            {t('dashboard.newCase')}
          </Button>
        </Space>
      )}
      <Row gutter={16}>
        <Col span={8}>
          <Card size="small">
            <Statistic title={t('dashboard.total')} value={shop.summary.total} data-testid="count-total" />
          </Card>
        </Col>
        <Col span={8}>
          <Card size="small">
            <Statistic
              title={t('dashboard.open')}
              value={shop.summary.open}
              valueStyle={{ color: '#fa8c16' }}
              data-testid="count-open"
            />
          </Card>
        </Col>
        <Col span={8}>
          <Card size="small">
            <Statistic title={t('dashboard.closed')} value={shop.summary.closed} data-testid="count-closed" />
          </Card>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('dashboard.byKind')}>
            <Table
              data-testid="kind-counts"
              size="small"
              pagination={false}
              rowKey="kind"
              dataSource={shop.summary.by_kind}
              columns={[
                {
                  title: t('dashboard.col.kind'),
                  dataIndex: 'kind',
                  render: (kind: string, row) => kindLabel(t, kind, row.kind_name),
                },
                { title: t('dashboard.col.open'), dataIndex: 'open', align: 'right', width: 80 },
                { title: t('dashboard.col.total'), dataIndex: 'total', align: 'right', width: 80 },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Space direction="vertical" style={{ width: '100%' }} size={16}>
            <DeadlineCard version={shop} onOpen={onOpen} />
            <ParcelAttentionCard version={shop} onOpen={onOpen} />
            {shortList(t('dashboard.oldest'), oldest, 'oldest-open')}
            {shortList(t('dashboard.newest'), newest, 'newest-open')}
          </Space>
        </Col>
      </Row>
    </div>
  );
}
