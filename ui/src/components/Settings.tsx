import { DatabaseOutlined, FileAddOutlined, FolderOpenOutlined } from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Card,
  Form,
  List,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useState } from 'react';

import {
  chooseCalendarFile,
  chooseNewShopFile,
  clockSettings,
  importCalendarYear,
  chooseShopFile,
  listMembers,
  openShop,
  whoami,
  type ClockSettings,
  type MemberView,
  type ShopInfo,
} from '../api';
import { useI18n } from '../i18n';
import { ShopSettingsCard } from './ShopSettingsCard';
import { TeamCard, canManageTeam } from './TeamCard';
import { BackupCard } from './BackupCard';
import { LanguageSwitch } from './LanguageSwitch';
import { SyncedFolderWarning } from './SyncedFolderWarning';
import { TrackingSettingsCard } from './TrackingSettingsCard';
import { PolishSettingsCard } from './PolishSettings';

/** Props of {@link Settings}. */
export interface SettingsProps {
  /** The open shop, or `null` outside the app or before it has loaded. */
  readonly shop: ShopInfo | null;
  /** Called after the user switched to another shop file, or restored a backup. */
  readonly onShopChanged?: (shop: ShopInfo) => void;
}

/**
 * The 设置 page: the UI language (kept on this computer), the shop's members and which of
 * them works on this computer, the shop's settings (limits, reminders, unboxing videos,
 * parcels), which shop database is open (several shops are several files, never in a
 * synced folder), the optional AI polish and the shop's backups (restore included).
 */
export function Settings({ shop, onShopChanged }: SettingsProps) {
  const { t, errorText } = useI18n();
  const { message, modal } = AntdApp.useApp();
  const [busy, setBusy] = useState(false);
  const [clocks, setClocks] = useState<ClockSettings | null>(null);
  const [team, setTeam] = useState<{ members: MemberView[]; me: MemberView | null } | null>(null);

  const loadTeam = useCallback(() => {
    Promise.all([listMembers(), whoami()])
      .then(([members, me]) => setTeam({ members, me }))
      .catch((e: unknown) => void message.error(e instanceof Error ? e.message : String(e)));
  }, [message]);

  useEffect(() => {
    if (shop) loadTeam();
  }, [shop, loadTeam]);

  useEffect(() => {
    if (!shop) return;
    clockSettings()
      .then(setClocks)
      .catch((e: unknown) => void message.error(errorText(e)));
  }, [shop, message]);

  const importYear = async () => {
    const path = await chooseCalendarFile(t('settings.calendar.chooseTitle'));
    if (!path) return;
    try {
      setClocks(await importCalendarYear(path));
      void message.success(t('settings.calendar.imported'));
    } catch (e) {
      void modal.error({
        title: t('settings.calendar.failed'),
        content: errorText(e),
      });
    }
  };

  const switchTo = async (path: string | null) => {
    if (!path || path === shop?.db_path) return;
    setBusy(true);
    try {
      const info = await openShop(path);
      onShopChanged?.(info);
      void message.success(t('settings.shop.opened', { path }));
    } catch (e) {
      // The previous shop stays open when the new one cannot be opened.
      void modal.error({
        title: t('settings.shop.failed'),
        content: errorText(e),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ maxWidth: 760, padding: 24 }}>
      <Space direction="vertical" size="large" style={{ width: '100%' }}>
        <Card title={t('settings.section.me')}>
          <Form layout="vertical">
            <Form.Item label={t('settings.language')}>
              <LanguageSwitch />
            </Form.Item>
          </Form>
        </Card>

        {shop && team && (
          <TeamCard key={`team:${shop.db_path}`} members={team.members} me={team.me} onChanged={loadTeam} />
        )}

        {shop && team && (
          <ShopSettingsCard key={`settings:${shop.db_path}`} editable={canManageTeam(team.members, team.me)} />
        )}

        {shop && !shop.demo && <TrackingSettingsCard />}

        {shop && (
          <Card title={t('settings.section.shop')} data-testid="shop-settings">
            <Space direction="vertical" style={{ width: '100%' }}>
              {shop.synced_folder && !shop.demo && <SyncedFolderWarning folder={shop.synced_folder} />}
              <Typography.Text type="secondary">{t('settings.shop.help')}</Typography.Text>
              <List
                size="small"
                bordered
                dataSource={shop.recent}
                renderItem={(path) => (
                  <List.Item
                    actions={
                      path === shop.db_path && !shop.demo
                        ? [<Tag color="green" key="open">{t('settings.shop.current')}</Tag>]
                        : [
                            <Button
                              key="open"
                              size="small"
                              disabled={busy}
                              onClick={() => void switchTo(path)}
                            >
                              {t('settings.shop.open')}
                            </Button>,
                          ]
                    }
                  >
                    <Space>
                      <DatabaseOutlined />
                      <Typography.Text copyable data-testid="db-path">
                        {path}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
              <Space>
                <Button
                  icon={<FolderOpenOutlined />}
                  disabled={busy}
                  onClick={() =>
                    void chooseShopFile(t('settings.shop.chooseTitle')).then((p) => switchTo(p))
                  }
                >
                  {t('settings.shop.choose')}
                </Button>
                <Button
                  icon={<FileAddOutlined />}
                  disabled={busy}
                  onClick={() =>
                    void chooseNewShopFile(t('settings.shop.newTitle')).then((p) => switchTo(p))
                  }
                >
                  {t('settings.shop.new')}
                </Button>
              </Space>
            </Space>
          </Card>
        )}

        {shop && clocks && (
          <Card
            title={t('settings.section.clocks')}
            data-testid="clock-settings"
            extra={
              <Button size="small" data-testid="import-calendar" onClick={() => void importYear()}>
                {t('settings.calendar.import')}
              </Button>
            }
          >
            <Space direction="vertical" style={{ width: '100%' }}>
              {clocks.error && <Alert type="error" showIcon message={clocks.error} data-testid="clock-error" />}
              <Typography.Text type="secondary">
                {t('settings.clocks.rules')}{' '}
                <Typography.Text code copyable>
                  {clocks.rules_file}
                </Typography.Text>
              </Typography.Text>
              <List
                size="small"
                bordered
                dataSource={clocks.years}
                renderItem={(y) => (
                  <List.Item key={y.year}>
                    <Space wrap>
                      <Typography.Text strong>{y.year}</Typography.Text>
                      <Tag>{y.origin === 'bundled' ? t('settings.calendar.bundled') : t('settings.calendar.importedTag')}</Tag>
                      <Typography.Text type="secondary">
                        {t('settings.calendar.counts', { holidays: y.holidays, makeUp: y.make_up_days })}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
              <Typography.Text type="secondary">{t('settings.calendar.help')}</Typography.Text>
            </Space>
          </Card>
        )}

        {/* Beside the shop database, so it follows a switch of shop. */}
        {shop && <PolishSettingsCard key={`polish:${shop.db_path}`} />}

        {shop && !shop.demo && <BackupCard key={`backup:${shop.db_path}`} canBackUp onRestored={onShopChanged} />}
      </Space>
    </div>
  );
}
