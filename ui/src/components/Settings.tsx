import { App as AntdApp, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';

import type { ShopInfo } from '../api';
import { useI18n } from '../i18n';
import { getAgent, setAgent } from '../settings';
import { LanguageSwitch } from './LanguageSwitch';

/** The 设置 page: the agent's name (kept on this computer) and the UI language. */
export function Settings({ shop }: { readonly shop: ShopInfo | null }) {
  const { t } = useI18n();
  const { message } = AntdApp.useApp();
  const [name, setName] = useState(getAgent);

  return (
    <div style={{ maxWidth: 640, padding: 24 }}>
      <Card>
        <Form layout="vertical">
          <Form.Item label={t('settings.agent')} extra={t('settings.agent.help')}>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                data-testid="agent-input"
                value={name}
                placeholder={t('settings.agent.placeholder')}
                onChange={(e) => setName(e.target.value)}
                onPressEnter={() => {
                  setAgent(name);
                  void message.success(t('common.saved'));
                }}
              />
              <Button
                type="primary"
                data-testid="agent-save"
                onClick={() => {
                  setAgent(name);
                  void message.success(t('common.saved'));
                }}
              >
                {t('settings.save')}
              </Button>
            </Space.Compact>
          </Form.Item>
          <Form.Item label={t('settings.language')}>
            <LanguageSwitch />
          </Form.Item>
          {shop && (
            <Form.Item label={t('settings.db')}>
              <Typography.Text code copyable data-testid="db-path">
                {shop.db_path}
              </Typography.Text>
            </Form.Item>
          )}
        </Form>
      </Card>
    </div>
  );
}
