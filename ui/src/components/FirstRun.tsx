import { ExperimentOutlined, ImportOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Space, Typography } from 'antd';
import type { ReactNode } from 'react';

import { useI18n } from '../i18n';

/** One way to get started, shown as a card with its action. */
interface StartOptionProps {
  readonly testId: string;
  readonly buttonTestId: string;
  readonly onClick: () => void;
  readonly busy?: boolean;
  readonly icon: ReactNode;
  readonly title: string;
  readonly description: string;
  readonly action: string;
  readonly primary?: boolean;
}

function StartOption({
  testId,
  buttonTestId,
  onClick,
  busy,
  icon,
  title,
  description,
  action,
  primary,
}: StartOptionProps) {
  return (
    <Card data-testid={testId} style={{ height: '100%' }} styles={{ body: { height: '100%' } }}>
      <Space direction="vertical" size="middle" style={{ width: '100%', height: '100%' }}>
        <Space align="center" size="middle">
          <span style={{ fontSize: 28, color: '#1677ff', display: 'inline-flex' }} aria-hidden>
            {icon}
          </span>
          <Typography.Title level={5} style={{ margin: 0 }}>
            {title}
          </Typography.Title>
        </Space>
        <Typography.Paragraph type="secondary" style={{ margin: 0, minHeight: 66 }}>
          {description}
        </Typography.Paragraph>
        <Button
          type={primary ? 'primary' : 'default'}
          data-testid={buttonTestId}
          loading={busy ?? false}
          onClick={onClick}
        >
          {action}
        </Button>
      </Space>
    </Card>
  );
}

/** Props of {@link FirstRun}. */
export interface FirstRunProps {
  /** Goes to the import wizard. */
  readonly onImport: () => void;
  /** Opens the demo shop. */
  readonly onDemo: () => void;
  /** Whether the demo shop is being created. */
  readonly demoBusy?: boolean;
}

/**
 * The first-run empty state of the workbench.
 *
 * A new user has no cases yet; instead of an empty table this explains the two ways in:
 * importing an export from the seller back office, or exploring a demo shop.
 */
export function FirstRun({ onImport, onDemo, demoBusy }: FirstRunProps) {
  const { t } = useI18n();
  return (
    <div style={{ maxWidth: 880, margin: '0 auto', padding: '48px 24px' }}>
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        styles={{ image: { height: 72 } }}
        description={
          <Space direction="vertical" size={4}>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('firstRun.title')}
            </Typography.Title>
            <Typography.Text type="secondary">{t('firstRun.subtitle')}</Typography.Text>
          </Space>
        }
      />
      <Row gutter={[24, 24]} style={{ marginTop: 32 }}>
        <Col xs={24} md={12}>
          <StartOption
            testId="start-import"
            buttonTestId="first-run-import"
            onClick={onImport}
            icon={<ImportOutlined />}
            title={t('firstRun.import.title')}
            description={t('firstRun.import.description')}
            action={t('firstRun.import.action')}
            primary
          />
        </Col>
        <Col xs={24} md={12}>
          <StartOption
            testId="start-demo"
            buttonTestId="demo-shop-button"
            onClick={onDemo}
            busy={demoBusy ?? false}
            icon={<ExperimentOutlined />}
            title={t('firstRun.demo.title')}
            description={t('firstRun.demo.description')}
            action={t('firstRun.demo.action')}
          />
        </Col>
      </Row>
    </div>
  );
}
