import { DeleteOutlined, KeyOutlined } from '@ant-design/icons';
import { Alert, App as AntdApp, Button, Card, Form, Input, InputNumber, Popconfirm, Space, Switch, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';

import {
  deletePolishKey,
  polishSettings,
  savePolishSettings,
  setPolishKey,
  type PolishConfigView,
  type PolishSettingsView,
} from '../api';
import { useI18n } from '../i18n';

/**
 * The settings card of the optional AI polish (AI 润色): on/off (off by default), the
 * OpenAI-compatible endpoint, the model and the timeout, kept beside the shop database;
 * and the API key, which goes to this computer's system keychain only. The key is written,
 * replaced or deleted from here but never read back: the page only learns whether one is
 * saved.
 */
export function PolishSettingsCard() {
  const { t, errorText } = useI18n();
  const { message } = AntdApp.useApp();
  const [view, setView] = useState<PolishSettingsView | null>(null);
  const [form, setForm] = useState<PolishConfigView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [keyInput, setKeyInput] = useState('');
  const [replacing, setReplacing] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const loaded = await polishSettings();
        if (!live) return;
        setView(loaded);
        setForm(loaded.settings);
      } catch (e) {
        if (live) setLoadError(errorText(e));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  const save = async () => {
    if (!form) return;
    setBusy(true);
    try {
      const saved = await savePolishSettings(form);
      setView(saved);
      setForm(saved.settings);
      setSaveError(null);
      void message.success(t('settings.polish.saved'));
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const storeKey = async () => {
    const key = keyInput.trim();
    if (!key) return;
    setBusy(true);
    // The typed key leaves the page's state at once, whatever the keychain answers.
    setKeyInput('');
    try {
      setView(await setPolishKey(key));
      setReplacing(false);
      setSaveError(null);
      void message.success(t('settings.polish.key.stored'));
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const removeKey = async () => {
    setBusy(true);
    try {
      setView(await deletePolishKey());
      setSaveError(null);
      void message.success(t('settings.polish.key.deleted'));
    } catch (e) {
      setSaveError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const set = (change: Partial<PolishConfigView>) => setForm((f) => (f ? { ...f, ...change } : f));

  return (
    <Card title={t('settings.section.polish')} data-testid="polish-settings">
      {loadError && <Alert type="error" showIcon message={loadError} data-testid="polish-load-error" />}
      {view && form && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" data-testid="polish-privacy" style={{ margin: 0 }}>
            {t('settings.polish.privacy', { max: view.max_chars })}
          </Typography.Paragraph>
          {view.error && <Alert type="error" showIcon message={view.error} data-testid="polish-file-error" />}
          <Form layout="vertical">
            <Form.Item>
              <Space>
                <Switch
                  data-testid="polish-enabled"
                  checked={form.enabled}
                  onChange={(enabled) => set({ enabled })}
                />
                <Typography.Text>{t('settings.polish.enabled')}</Typography.Text>
              </Space>
            </Form.Item>
            <Form.Item label={t('settings.polish.baseUrl')} extra={t('settings.polish.baseUrl.help')}>
              <Input
                data-testid="polish-base-url"
                value={form.base_url}
                placeholder="https://api.deepseek.com/v1"
                onChange={(e) => set({ base_url: e.target.value })}
              />
            </Form.Item>
            <Form.Item label={t('settings.polish.model')}>
              <Input
                data-testid="polish-model"
                value={form.model}
                placeholder={t('settings.polish.model.placeholder')}
                onChange={(e) => set({ model: e.target.value })}
              />
            </Form.Item>
            <Form.Item label={t('settings.polish.timeout')}>
              <InputNumber<number>
                data-testid="polish-timeout"
                min={1}
                max={300}
                precision={0}
                addonAfter={t('settings.polish.timeout.unit')}
                value={form.timeout_secs}
                onChange={(v) => set({ timeout_secs: v ?? 30 })}
              />
            </Form.Item>
            <Button type="primary" data-testid="polish-save" loading={busy} onClick={() => void save()}>
              {t('settings.polish.save')}
            </Button>
          </Form>

          <Typography.Text strong>{t('settings.polish.key')}</Typography.Text>
          {view.key_error && (
            <Alert type="warning" showIcon message={view.key_error} data-testid="polish-key-error" />
          )}
          {view.has_key && !replacing ? (
            <Space wrap>
              <Tag color="green" icon={<KeyOutlined />} data-testid="polish-key-saved">
                {t('settings.polish.key.saved')}
              </Tag>
              <Button size="small" data-testid="polish-key-replace" onClick={() => setReplacing(true)}>
                {t('settings.polish.key.replace')}
              </Button>
              <Popconfirm
                title={t('settings.polish.key.delete')}
                description={t('settings.polish.key.deleteConfirm')}
                okText={t('settings.polish.key.delete')}
                okButtonProps={{ danger: true }}
                cancelText={t('common.cancel')}
                onConfirm={() => void removeKey()}
              >
                <Button size="small" danger icon={<DeleteOutlined />} data-testid="polish-key-delete" disabled={busy}>
                  {t('settings.polish.key.delete')}
                </Button>
              </Popconfirm>
            </Space>
          ) : (
            <Space.Compact style={{ width: '100%', maxWidth: 520 }}>
              {!view.has_key && (
                <Tag color="default" data-testid="polish-key-none" style={{ alignSelf: 'center' }}>
                  {t('settings.polish.key.none')}
                </Tag>
              )}
              <Input.Password
                data-testid="polish-key-input"
                aria-label={t('settings.polish.key')}
                autoComplete="off"
                visibilityToggle={false}
                placeholder={t('settings.polish.key.placeholder')}
                value={keyInput}
                onChange={(e) => setKeyInput(e.target.value)}
                onPressEnter={() => void storeKey()}
              />
              <Button data-testid="polish-key-save" disabled={!keyInput.trim() || busy} onClick={() => void storeKey()}>
                {t('settings.polish.key.save')}
              </Button>
              {replacing && (
                <Button data-testid="polish-key-cancel" onClick={() => setReplacing(false)}>
                  {t('common.cancel')}
                </Button>
              )}
            </Space.Compact>
          )}
          <Typography.Text type="secondary">{t('settings.polish.key.help')}</Typography.Text>
          {saveError && (
            <Alert
              type="error"
              showIcon
              closable
              message={saveError}
              data-testid="polish-save-error"
              onClose={() => setSaveError(null)}
            />
          )}
          <Typography.Text type="secondary">
            {t('settings.polish.file')}{' '}
            <Typography.Text code copyable>
              {view.file}
            </Typography.Text>
          </Typography.Text>
        </Space>
      )}
    </Card>
  );
}
