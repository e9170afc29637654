import { GlobalOutlined } from '@ant-design/icons';
import { Select } from 'antd';

import { BUNDLES, LOCALES, useI18n, type Locale } from '../i18n';

const OPTIONS = LOCALES.map((locale) => ({ value: locale, label: BUNDLES[locale].nativeName }));

/**
 * The language picker in the header.
 *
 * Each language is listed under its own name (简体中文 / 繁體中文 / English) so users can
 * find theirs whatever language is currently shown.
 */
export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <Select<Locale>
      aria-label={t('header.language')}
      data-testid="language-switch"
      value={locale}
      onChange={setLocale}
      options={OPTIONS}
      prefix={<GlobalOutlined style={{ color: 'rgba(0, 0, 0, 0.45)' }} />}
      variant="filled"
      style={{ width: 136 }}
      popupMatchSelectWidth={false}
    />
  );
}
