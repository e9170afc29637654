import { Alert, App as AntdApp, Button, Card, Form, Input, InputNumber, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';

import { ROLES, saveShopSettings, shopSettings, type Role, type ShopSettings } from '../api';
import { useI18n } from '../i18n';
import { ROLE_LABELS } from './TeamCard';

/** Fen as yuan with two decimals, for the number boxes; `null` (unlimited) stays empty. */
export function fenToYuan(fen: number | null): number | null {
  return fen === null ? null : fen / 100;
}

/** Yuan typed with at most two decimals as integer fen; an empty box is unlimited. */
export function yuanToFen(yuan: number | null): number | null {
  return yuan === null ? null : Math.round(yuan * 100);
}

/** Lead times as typed, `120, 30`, read as minutes; anything not a number is dropped. */
export function parseLeads(text: string): number[] {
  return text
    .split(/[,，、\s]+/)
    .filter((part) => part !== '')
    .map((part) => Number(part))
    .filter((n) => Number.isFinite(n));
}

/** The parcel thresholds, in the order the card shows them. */
const PARCEL_FIELDS = ['stale_after_days', 'investigation_days', 'problem_fix_days', 'return_waybill_days'] as const;
type ParcelField = (typeof PARCEL_FIELDS)[number];

/** Props of {@link ShopSettingsCard}. */
export interface ShopSettingsCardProps {
  /** Whether this computer may save (its member is a 店长, or the shop has none). */
  readonly editable: boolean;
}

/**
 * The 店铺设置 card: the shop's name, each role's compensation limit, the reminders' lead
 * times, the unboxing-video limits and the parcel thresholds. They belong to the shop, so
 * what a 店长 saves here binds every computer (each agent's draft panel obeys the limit of
 * their role).
 */
export function ShopSettingsCard({ editable }: ShopSettingsCardProps) {
  const { t } = useI18n();
  const { message } = AntdApp.useApp();
  const [settings, setSettings] = useState<ShopSettings | null>(null);
  const [leads, setLeads] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    shopSettings()
      .then((s) => {
        if (!live) return;
        setSettings(s);
        setLeads(s.reminder_leads_minutes.join(', '));
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, []);

  if (!settings) {
    return error ? <Alert type="error" showIcon message={error} /> : null;
  }

  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const saved = await saveShopSettings({ ...settings, reminder_leads_minutes: parseLeads(leads) });
      setSettings(saved);
      setLeads(saved.reminder_leads_minutes.join(', '));
      void message.success(t('common.saved'));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const setLimit = (role: Role, yuan: number | null) =>
    setSettings({ ...settings, compensation_limits: { ...settings.compensation_limits, [role]: yuanToFen(yuan) } });
  const setParcel = (field: ParcelField, days: number | null) =>
    setSettings({ ...settings, parcel: { ...settings.parcel, [field]: days ?? 0 } });

  return (
    <Card title={t('shopSettings.title')} data-testid="shop-settings-card">
      <Form layout="vertical" disabled={!editable || busy}>
        <Typography.Paragraph type="secondary">{t('shopSettings.help')}</Typography.Paragraph>
        {!editable && <Alert type="info" showIcon message={t('team.ownerOnly')} style={{ marginBottom: 16 }} />}
        <Form.Item label={t('shopSettings.name')}>
          <Input
            data-testid="shop-name"
            maxLength={40}
            value={settings.shop_name}
            onChange={(e) => setSettings({ ...settings, shop_name: e.target.value })}
          />
        </Form.Item>
        <Form.Item label={t('shopSettings.limits')} extra={t('shopSettings.limits.help')}>
          <Space wrap>
            {ROLES.map((role) => (
              <InputNumber<number>
                key={role}
                data-testid={`limit-${role}`}
                addonBefore={t(ROLE_LABELS[role])}
                addonAfter={t('shopSettings.yuan')}
                placeholder={t('shopSettings.unlimited')}
                min={0}
                max={100000}
                precision={2}
                value={fenToYuan(settings.compensation_limits[role])}
                onChange={(v) => setLimit(role, v)}
              />
            ))}
          </Space>
        </Form.Item>
        <Form.Item label={t('shopSettings.leads')} extra={t('shopSettings.leads.help')}>
          <Input data-testid="reminder-leads" value={leads} onChange={(e) => setLeads(e.target.value)} />
        </Form.Item>
        <Form.Item label={t('shopSettings.unboxing')}>
          <Space wrap>
            <InputNumber<number>
              data-testid="unboxing-min"
              addonBefore={t('shopSettings.unboxing.min')}
              addonAfter={t('shopSettings.seconds')}
              min={1}
              max={3600}
              precision={0}
              value={settings.unboxing.min_duration_secs}
              onChange={(v) => setSettings({ ...settings, unboxing: { ...settings.unboxing, min_duration_secs: v ?? 0 } })}
            />
            <InputNumber<number>
              data-testid="unboxing-delay"
              addonBefore={t('shopSettings.unboxing.delay')}
              addonAfter={t('shopSettings.hours')}
              min={1}
              max={720}
              precision={0}
              value={settings.unboxing.max_delay_hours}
              onChange={(v) => setSettings({ ...settings, unboxing: { ...settings.unboxing, max_delay_hours: v ?? 0 } })}
            />
          </Space>
        </Form.Item>
        <Form.Item label={t('shopSettings.parcel')}>
          <Space wrap>
            {PARCEL_FIELDS.map((field) => (
              <InputNumber<number>
                key={field}
                data-testid={`parcel-${field}`}
                addonBefore={t(`shopSettings.parcel.${field}`)}
                addonAfter={t('shopSettings.days')}
                min={1}
                max={90}
                precision={0}
                value={settings.parcel[field]}
                onChange={(v) => setParcel(field, v)}
              />
            ))}
          </Space>
        </Form.Item>
        {error && <Alert type="error" showIcon message={error} data-testid="shop-settings-error" style={{ marginBottom: 16 }} />}
        {editable && (
          <Button type="primary" data-testid="shop-settings-save" loading={busy} onClick={() => void save()}>
            {t('settings.save')}
          </Button>
        )}
      </Form>
    </Card>
  );
}
