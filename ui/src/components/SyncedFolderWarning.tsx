import { Alert } from 'antd';

import type { SyncedFolder } from '../api';
import { useI18n, type MessageKey } from '../i18n';

const CLIENTS: Record<SyncedFolder['client'], MessageKey> = {
  dropbox: 'sync.dropbox',
  onedrive: 'sync.onedrive',
  icloud_drive: 'sync.icloud_drive',
  google_drive: 'sync.google_drive',
  nutstore: 'sync.nutstore',
  baidu_syncdisk: 'sync.baidu_syncdisk',
  syncthing: 'sync.syncthing',
  cloud_storage: 'sync.cloud_storage',
};

/**
 * The warning shown while the shop file sits in a sync client's folder, which damages
 * SQLite files: move it out; team sync is coming.
 */
export function SyncedFolderWarning({ folder, banner = false }: { readonly folder: SyncedFolder; readonly banner?: boolean }) {
  const { t } = useI18n();
  return (
    <Alert
      type="warning"
      showIcon
      banner={banner}
      data-testid="synced-folder-warning"
      message={t('shop.synced.title')}
      description={t('shop.synced.warning', { client: t(CLIENTS[folder.client]), folder: folder.folder })}
    />
  );
}
