import { Typography } from 'antd';
import { useEffect, useState } from 'react';

import { getAppInfo, type AppInfo } from '../api';
import { useI18n } from '../i18n';

/**
 * Shows the running build's version, asked from the Rust side.
 *
 * Outside Tauri there is no trustworthy version to show, so it renders nothing rather
 * than a made-up number.
 */
export function AppVersion() {
  const { t } = useI18n();
  const [info, setInfo] = useState<AppInfo | null>(null);

  useEffect(() => {
    let live = true;
    getAppInfo()
      .then((result) => {
        if (live) setInfo(result);
      })
      .catch((error: unknown) => {
        // The version is decoration: log for developers, show nothing to users.
        console.warn('app_info failed', error);
      });
    return () => {
      live = false;
    };
  }, []);

  if (info === null) {
    return null;
  }
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="app-version">
      {info.name} · {t('app.version', { version: info.version })}
    </Typography.Text>
  );
}
