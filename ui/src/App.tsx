import {
  DashboardOutlined,
  ImportOutlined,
  MessageOutlined,
  ProfileOutlined,
  SettingOutlined,
} from '@ant-design/icons';
import {
  Alert,
  App as AntdApp,
  Button,
  Layout,
  Menu,
  Spin,
  Typography,
  theme as antdTheme,
  type MenuProps,
  type ThemeConfig,
} from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';

import {
  ApiError,
  chooseShopFile,
  closeDemoShop,
  isTauri,
  openDemoShop,
  openShop,
  shopInfo,
  type ShopInfo,
} from './api';
import logoUrl from './assets/logo.png';
import { AppVersion } from './components/AppVersion';
import { BackupCard } from './components/BackupCard';
import { CaseList } from './components/CaseList';
import { CasePage } from './components/CasePage';
import { Dashboard } from './components/Dashboard';
import { FirstRun } from './components/FirstRun';
import { ImportWizard } from './components/ImportWizard';
import { LanguageSwitch } from './components/LanguageSwitch';
import { NewCaseDialog } from './components/NewCaseDialog';
import { ScriptLibrary } from './components/ScriptLibrary';
import { Settings } from './components/Settings';
import { SyncedFolderWarning } from './components/SyncedFolderWarning';
import { I18nProvider, useI18n, type Locale, type MessageKey } from './i18n';
import { startTeam } from './settings';

/** The app's sections, in menu order. Routing can replace this once pages are real. */
const SECTIONS = ['workbench', 'cases', 'scripts', 'import', 'settings'] as const;
type Section = (typeof SECTIONS)[number];

const SECTION_ICONS: Record<Section, ReactNode> = {
  workbench: <DashboardOutlined />,
  cases: <ProfileOutlined />,
  scripts: <MessageOutlined />,
  import: <ImportOutlined />,
  settings: <SettingOutlined />,
};

const SECTION_LABELS: Record<Section, MessageKey> = {
  workbench: 'menu.workbench',
  cases: 'menu.cases',
  scripts: 'menu.scripts',
  import: 'menu.import',
  settings: 'menu.settings',
};

/** Codes of a shop file that refuses to open because of what is in it: a backup helps. */
const DAMAGED: Record<string, MessageKey> = {
  shop_damaged: 'shop.damaged.title',
  not_a_shop: 'shop.notAShop.title',
};

/** Why the shop could not be opened. */
interface ShopError {
  readonly code: string;
  readonly message: string;
}

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

/** The window frame: navigation on the left, a header with the page title, the page. */
export function Shell() {
  const { t, errorText } = useI18n();
  const { token } = antdTheme.useToken();
  const { message } = AntdApp.useApp();
  const [section, setSection] = useState<Section>('workbench');
  const [openCase, setOpenCase] = useState<string | null>(null);
  const [shop, setShop] = useState<ShopInfo | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [demoBusy, setDemoBusy] = useState(false);
  const [newCaseOpen, setNewCaseOpen] = useState(false);

  const [shopError, setShopError] = useState<ShopError | null>(null);

  // Depends on nothing, so that it runs once on start and again only when asked.
  const refresh = useCallback(async () => {
    if (!isTauri()) {
      setLoaded(true);
      return;
    }
    try {
      setShop(await shopInfo());
      setShopError(null);
    } catch (e) {
      setShopError({
        code: e instanceof ApiError ? e.code : 'error',
        message: e instanceof Error ? e.message : String(e),
      });
    } finally {
      setLoaded(true);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Each time a shop opens: hand this computer's old name and limit to it (once), and
  // learn which member works here, the agent every change is then recorded as.
  const shopPath = shop?.db_path ?? null;
  const shopDemo = shop?.demo ?? false;
  useEffect(() => {
    if (shopPath === null) return;
    let live = true;
    void startTeam(shopDemo).then(({ error }) => {
      if (live && error) void message.warning(t('team.startFailed', { message: error }));
    });
    return () => {
      live = false;
    };
  }, [shopPath, shopDemo, message, t]);

  // Ctrl+N (Cmd+N on macOS) opens 新建售后单 from anywhere in the window; without this the
  // webview would try to open a new browser window.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (
        (event.ctrlKey || event.metaKey) &&
        !event.altKey &&
        !event.shiftKey &&
        (event.key.toLowerCase() === 'n' || event.code === 'KeyN')
      ) {
        event.preventDefault();
        setNewCaseOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const openNewCase = () => setNewCaseOpen(true);

  const go = (next: Section) => {
    setSection(next);
    setOpenCase(null);
  };

  const showCase = (id: string) => {
    setSection('cases');
    setOpenCase(id);
  };

  const openDemo = async () => {
    setDemoBusy(true);
    try {
      setShop(await openDemoShop());
    } catch (e) {
      void message.error(errorText(e));
    } finally {
      setDemoBusy(false);
    }
  };

  // From the screen of a shop that refuses to open: another shop file instead.
  const openOther = async () => {
    const path = await chooseShopFile(t('settings.shop.chooseTitle'));
    if (!path) return;
    try {
      setShop(await openShop(path));
      setShopError(null);
      setOpenCase(null);
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const closeDemo = async () => {
    try {
      setShop(await closeDemoShop());
    } catch (e) {
      void message.error(errorText(e));
    }
  };

  const page = (): ReactNode => {
    switch (section) {
      case 'workbench':
        if (!loaded) return <Spin style={{ display: 'block', margin: 48 }} />;
        return shop && shop.summary.total > 0 ? (
          <Dashboard
            shop={shop}
            onOpen={showCase}
            onCloseDemo={() => void closeDemo()}
            onNewCase={openNewCase}
          />
        ) : (
          <FirstRun onImport={() => go('import')} onDemo={() => void openDemo()} demoBusy={demoBusy} />
        );
      case 'cases':
        return openCase ? (
          <CasePage caseKey={openCase} onBack={() => setOpenCase(null)} />
        ) : (
          <CaseList key={shop?.demo ? 'demo' : 'shop'} onOpen={showCase} onNewCase={openNewCase} />
        );
      case 'scripts':
        return <ScriptLibrary />;
      case 'import':
        return <ImportWizard onImported={() => void refresh()} onViewCases={() => go('cases')} />;
      case 'settings':
        return <Settings shop={shop} onShopChanged={(info) => {
          setShop(info);
          setShopError(null);
          setOpenCase(null);
        }} />;
    }
  };

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
              if (isSection(key)) go(key);
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
          {shopError && (
            <Alert
              type="error"
              showIcon
              banner
              message={
                DAMAGED[shopError.code] ? t(DAMAGED[shopError.code] as MessageKey) : errorText(shopError)
              }
              description={DAMAGED[shopError.code] ? shopError.message : undefined}
              data-testid="shop-error"
            />
          )}
          {shopError && DAMAGED[shopError.code] && (
            // The shop refuses to open: its backups are listed here so that it can be
            // restored without reaching the settings of a shop that is not open.
            <div style={{ maxWidth: 760, padding: '24px 24px 0' }} data-testid="shop-rescue">
              <Typography.Paragraph>{t('shop.damaged.help')}</Typography.Paragraph>
              <Typography.Paragraph>
                {/* Without a shop the settings cannot switch files, so the way out is here. */}
                <Button data-testid="rescue-open-other" onClick={() => void openOther()}>
                  {t('settings.shop.choose')}
                </Button>
              </Typography.Paragraph>
              <BackupCard
                canBackUp={false}
                onRestored={(info) => {
                  setShop(info);
                  setShopError(null);
                  setOpenCase(null);
                }}
              />
            </div>
          )}
          {shop?.synced_folder && !shop.demo && <SyncedFolderWarning folder={shop.synced_folder} banner />}
          {page()}
        </Layout.Content>
      </Layout>
      <NewCaseDialog
        open={newCaseOpen}
        onClose={() => setNewCaseOpen(false)}
        onCreated={(id) => {
          setNewCaseOpen(false);
          showCase(id);
          // The counts on the workbench (and the first-run screen) change with a new case.
          void refresh();
        }}
      />
    </Layout>
  );
}

/** The whole UI: language and theme providers around the shell. */
export function App({ initialLocale }: { readonly initialLocale?: Locale }) {
  return (
    <I18nProvider theme={THEME} {...(initialLocale ? { initialLocale } : {})}>
      <AntdApp style={{ height: '100%' }}>
        <Shell />
      </AntdApp>
    </I18nProvider>
  );
}
