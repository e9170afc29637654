import { HistoryOutlined, SaveOutlined } from '@ant-design/icons';
import { App as AntdApp, Button, Card, Empty, List, Space, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';

import { ApiError, backupNow, listBackups, restoreBackup, type BackupView, type ShopInfo } from '../api';
import { formatBytes, formatChinaTime } from '../format';
import { useI18n, type MessageKey } from '../i18n';

/** Props of {@link BackupCard}. */
export interface BackupCardProps {
  /** Offer 立即备份 (not when the shop refused to open: there is nothing sound to copy). */
  readonly canBackUp: boolean;
  /** Called with the reopened shop after a restore. */
  readonly onRestored?: ((shop: ShopInfo) => void) | undefined;
}

const BACKUP_REASONS: Record<string, MessageKey> = {
  daily: 'settings.backup.daily',
  manual: 'settings.backup.manual',
  'before-migration': 'settings.backup.beforeMigration',
  'before-restore': 'settings.backup.beforeRestore',
};

/** Titles for the errors a restore can end with; others show the generic title. */
const RESTORE_ERRORS: Record<string, MessageKey> = {
  backup_damaged: 'error.backup_damaged',
  not_a_backup: 'error.not_a_backup',
  backup_too_new: 'error.backup_too_new',
  restore_failed: 'error.restore_failed',
  busy: 'error.busy',
};

/**
 * The shop's backups (Settings → 备份, and the screen shown when the shop refuses to open):
 * the list newest first, 立即备份, and 恢复 on each backup after a confirmation that says the
 * current data is saved first.
 */
export function BackupCard({ canBackUp, onRestored }: BackupCardProps) {
  const { t, errorText } = useI18n();
  const { message, modal } = AntdApp.useApp();
  const [backups, setBackups] = useState<BackupView[] | null>(null);
  const [busy, setBusy] = useState(false);

  const reasonLabel = (reason: string) => {
    const key = BACKUP_REASONS[reason];
    return key ? t(key) : reason;
  };

  const load = useCallback(async () => {
    try {
      setBackups(await listBackups());
    } catch (e) {
      setBackups([]);
      void message.error(errorText(e));
    }
  }, [message]);

  useEffect(() => {
    void load();
  }, [load]);

  const backUp = async () => {
    setBusy(true);
    try {
      setBackups(await backupNow());
      void message.success(t('settings.backup.done'));
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const restore = async (backup: BackupView) => {
    setBusy(true);
    try {
      const { restore: done, shop } = await restoreBackup(backup.path);
      void message.success(
        t('settings.backup.restored', {
          time: formatChinaTime(backup.taken_at),
          file: done.safety_backup?.split(/[\\/]/).pop() ?? '—',
        }),
      );
      onRestored?.(shop);
    } catch (e) {
      const key = e instanceof ApiError ? RESTORE_ERRORS[e.code] : undefined;
      void modal.error({
        title: t(key ?? 'settings.backup.restoreFailed'),
        content: errorText(e),
      });
    } finally {
      setBusy(false);
      void load();
    }
  };

  const confirmRestore = (backup: BackupView) => {
    void modal.confirm({
      title: t('settings.backup.restoreTitle'),
      content: t('settings.backup.restoreConfirm', {
        time: formatChinaTime(backup.taken_at),
        reason: reasonLabel(backup.reason),
      }),
      okText: t('settings.backup.restore'),
      // antd passes unknown props through to the button element.
      okButtonProps: { danger: true, ...{ 'data-testid': 'restore-confirm' } },
      cancelText: t('common.cancel'),
      onOk: () => restore(backup),
    });
  };

  return (
    <Card
      title={t('settings.section.backups')}
      data-testid="backup-settings"
      extra={
        canBackUp && (
          <Button icon={<SaveOutlined />} data-testid="backup-now" loading={busy} onClick={() => void backUp()}>
            {t('settings.backup.now')}
          </Button>
        )
      }
    >
      <Typography.Paragraph type="secondary">{t('settings.backup.help')}</Typography.Paragraph>
      {backups && backups.length === 0 ? (
        <Empty description={t('settings.backup.none')} />
      ) : (
        <List
          size="small"
          loading={backups === null}
          dataSource={backups ?? []}
          renderItem={(b) => (
            <List.Item
              actions={[
                <Button
                  key="restore"
                  size="small"
                  icon={<HistoryOutlined />}
                  disabled={busy}
                  data-testid="backup-restore"
                  onClick={() => confirmRestore(b)}
                >
                  {t('settings.backup.restore')}
                </Button>,
              ]}
            >
              <Space wrap>
                <span>{formatChinaTime(b.taken_at)}</span>
                <Tag>{reasonLabel(b.reason)}</Tag>
                <Typography.Text type="secondary">{formatBytes(b.size)}</Typography.Text>
                <Typography.Text type="secondary" copyable={{ text: b.path }}>
                  {b.path.split(/[\\/]/).pop()}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
