import { Alert, App as AntdApp, Button, Card, Form, Input, InputNumber, Popconfirm, Select, Space, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';

import { deleteTrackingKey, saveTrackingSettings, trackingSettings, type TrackingSettings, type TrackingSettingsView } from '../api';
import { useI18n, type MessageKey } from '../i18n';

const PROVIDERS = ['manual', 'kuaidi100', 'kdniao'] as const;

/**
 * 设置 → 物流查询: which provider the shop's parcels are tracked with, its ids and address,
 * how many queries run at once, automatic refresh, and its key. The key goes to the
 * system keychain and is never shown again: the card only says whether one is saved.
 */
export function TrackingSettingsCard() {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [view, setView] = useState<TrackingSettingsView | null>(null);
  const [draft, setDraft] = useState<TrackingSettings | null>(null);
  const [key, setKey] = useState('');
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    trackingSettings()
      .then((v) => {
        setView(v);
        setDraft(v.settings);
      })
      .catch((e: unknown) => void message.error(errorText(e)));
  }, [message]);

  if (!draft) return null;

  const save = async () => {
    setSaving(true);
    try {
      const saved = await saveTrackingSettings(draft, key.trim() || null);
      setView(saved);
      setDraft(saved.settings);
      setKey('');
      void message.success(t('common.saved'));
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setSaving(false);
    }
  };

  const removeKey = async () => {
    try {
      setView(await deleteTrackingKey());
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const provider = draft.provider;
  return (
    <Card title={t('settings.tracking')} data-testid="tracking-settings">
      <Form layout="vertical">
        <Typography.Paragraph type="secondary">{t('settings.tracking.help')}</Typography.Paragraph>
        <Form.Item label={t('settings.tracking.provider')}>
          <Select<string>
            data-testid="tracking-provider"
            value={provider}
            onChange={(v) => setDraft({ ...draft, provider: v })}
            options={PROVIDERS.map((p) => ({ value: p, label: t(`settings.tracking.${p}` as MessageKey) }))}
          />
        </Form.Item>
        {provider === 'kuaidi100' && (
          <>
            <Form.Item label={t('settings.tracking.customer')}>
              <Input data-testid="tracking-customer" value={draft.kuaidi100_customer} onChange={(e) => setDraft({ ...draft, kuaidi100_customer: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('settings.tracking.url')}>
              <Input data-testid="tracking-url" value={draft.kuaidi100_url ?? ''} onChange={(e) => setDraft({ ...draft, kuaidi100_url: e.target.value || null })} />
            </Form.Item>
          </>
        )}
        {provider === 'kdniao' && (
          <>
            <Form.Item label={t('settings.tracking.businessId')}>
              <Input value={draft.kdniao_business_id} onChange={(e) => setDraft({ ...draft, kdniao_business_id: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('settings.tracking.url')}>
              <Input value={draft.kdniao_url ?? ''} onChange={(e) => setDraft({ ...draft, kdniao_url: e.target.value || null })} />
            </Form.Item>
          </>
        )}
        {provider !== 'manual' && (
          <>
            <Form.Item
              label={t('settings.tracking.key')}
              extra={view?.has_key ? t('settings.tracking.keySaved') : t('settings.tracking.keyMissing')}
            >
              <Space.Compact style={{ width: '100%' }}>
                <Input.Password data-testid="tracking-key" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} />
                {view?.has_key && (
                  <Popconfirm
                    title={t('settings.tracking.deleteKeyConfirm')}
                    okText={t('settings.tracking.deleteKey')}
                    cancelText={t('common.cancel')}
                    onConfirm={() => void removeKey()}
                  >
                    <Button danger>{t('settings.tracking.deleteKey')}</Button>
                  </Popconfirm>
                )}
              </Space.Compact>
            </Form.Item>
            {view?.keychain_error && <Alert type="warning" showIcon message={view.keychain_error} style={{ marginBottom: 12 }} />}
            <Space size="large" wrap>
              <Form.Item label={t('settings.tracking.concurrency')}>
                <InputNumber<number> min={1} max={16} value={draft.concurrency} onChange={(v) => setDraft({ ...draft, concurrency: v ?? 1 })} />
              </Form.Item>
              <Form.Item label={t('settings.tracking.auto')}>
                <Switch checked={draft.auto_refresh} onChange={(v) => setDraft({ ...draft, auto_refresh: v })} />
              </Form.Item>
            </Space>
          </>
        )}
        <Button type="primary" data-testid="tracking-save" loading={saving} onClick={() => void save()}>
          {t('settings.save')}
        </Button>
      </Form>
    </Card>
  );
}
