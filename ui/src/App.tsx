import {
  DashboardOutlined,
  ImportOutlined,
  ProfileOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import { Layout, Menu, Typography, theme as antdTheme, type MenuProps, type ThemeConfig } from 'antd';
import { useState, type ReactNode } from 'react';

import logoUrl from './assets/logo.png';
import { AppVersion } from './components/AppVersion';
import { FirstRun } from './components/FirstRun';
import { LanguageSwitch } from './components/LanguageSwitch';
import { Placeholder } from './components/Placeholder';
import { I18nProvider, useI18n, type Locale, type MessageKey } from './i18n';

/** The app's sections, in menu order. Routing can replace this once pages are real. */
const SECTIONS = ['workbench', 'cases', 'import', 'settings'] as const;
type Section = (typeof SECTIONS)[number];

const SECTION_ICONS: Record<Section, ReactNode> = {
  workbench: <DashboardOutlined />,
  cases: <ProfileOutlined />,
  import: <ImportOutlined />,
  settings: <SettingOutlined />,
};

const SECTION_LABELS: Record<Section, MessageKey> = {
  workbench: 'menu.workbench',
  cases: 'menu.cases',
  import: 'menu.import',
  settings: 'menu.settings',
};

function isSection(key: string): key is Section {
  return (SECTIONS as readonly string[]).includes(key);
}

/** Ant Design's default look with a few desktop-friendly adjustments. */
const THEME: ThemeConfig = {
  token: { colorPrimary: '#1677ff', borderRadius: 8 },
  components: {
    Layout: { siderBg: '#ffffff', headerBg: '#ffffff', headerPadding: '0 24px' },
    Menu: { itemBorderRadius: 8, itemMarginInline: 8 },
  },
};

/** The page shown for each section; only the workbench has content yet. */
function SectionPage({ section }: { readonly section: Section }) {
  const { t } = useI18n();
  switch (section) {
    case 'workbench':
      return <FirstRun />;
    case 'cases':
      return <Placeholder text={t('placeholder.cases')} />;
    case 'import':
      return <Placeholder text={t('placeholder.import')} />;
    case 'settings':
      return <Placeholder text={t('placeholder.settings')} />;
  }
}

/** The window frame: navigation on the left, a header with the page title, the page. */
export function Shell() {
  const { t } = useI18n();
  const { token } = antdTheme.useToken();
  const [section, setSection] = useState<Section>('workbench');

  const items: MenuProps['items'] = SECTIONS.map((key) => ({
    key,
    icon: SECTION_ICONS[key],
    label: t(SECTION_LABELS[key]),
  }));

  const divider = `1px solid ${token.colorBorderSecondary}`;

  return (
    <Layout style={{ height: '100%' }}>
      <Layout.Sider width={216} style={{ borderRight: divider }}>
        <div style={{ display: 'flex', flexDirection: 'column', height: '100%' }}>
          <div
            style={{
              display: 'flex',
              alignItems: 'center',
              gap: 10,
              height: 64,
              padding: '0 20px',
              borderBottom: divider,
            }}
          >
            <img src={logoUrl} alt="" width={32} height={32} style={{ borderRadius: 8 }} />
            <Typography.Text strong style={{ fontSize: 18 }}>
              {t('app.name')}
            </Typography.Text>
          </div>
          <Menu
            aria-label={t('menu.label')}
            mode="inline"
            selectedKeys={[section]}
            items={items}
            onClick={({ key }) => {
              if (isSection(key)) setSection(key);
            }}
            style={{ flex: 1, borderInlineEnd: 'none', paddingTop: 8 }}
          />
          <div style={{ padding: '12px 20px', borderTop: divider, minHeight: 20 }}>
            <AppVersion />
          </div>
        </div>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'space-between',
            borderBottom: divider,
          }}
        >
          <Typography.Title level={4} style={{ margin: 0 }}>
            {t(SECTION_LABELS[section])}
          </Typography.Title>
          <LanguageSwitch />
        </Layout.Header>
        <Layout.Content style={{ overflow: 'auto' }}>
          <SectionPage section={section} />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

/** The whole UI: language and theme providers around the shell. */
export function App({ initialLocale }: { readonly initialLocale?: Locale }) {
  return (
    <I18nProvider theme={THEME} {...(initialLocale ? { initialLocale } : {})}>
      <Shell />
    </I18nProvider>
  );
}
