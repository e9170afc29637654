import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App as AntdApp } from 'antd';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { BackupView } from '../api';
import { I18nProvider } from '../i18n';
import { makeShop } from '../test/fixtures';

const api = vi.hoisted(() => ({
  backupNow: vi.fn(),
  chooseCalendarFile: vi.fn(),
  clockSettings: vi.fn(),
  importCalendarYear: vi.fn(),
  chooseNewShopFile: vi.fn(),
  chooseShopFile: vi.fn(),
  listBackups: vi.fn(),
  openShop: vi.fn(),
  trackingSettings: vi.fn(),
  saveTrackingSettings: vi.fn(),
  deleteTrackingKey: vi.fn(),
  polishSettings: vi.fn(),
  savePolishSettings: vi.fn(),
  setPolishKey: vi.fn(),
  deletePolishKey: vi.fn(),
  restoreBackup: vi.fn(),
  listMembers: vi.fn(),
  whoami: vi.fn(),
  addMember: vi.fn(),
  changeMember: vi.fn(),
  removeMember: vi.fn(),
  bindThisComputer: vi.fn(),
  shopSettings: vi.fn(),
  saveShopSettings: vi.fn(),
}));
// The real error class, so that screens can tell errors apart by their code.
const ApiError = vi.hoisted(
  () =>
    class ApiError extends Error {
      readonly code: string;
      constructor(error: { code: string; message: string }) {
        super(error.message);
        this.code = error.code;
      }
    },
);
vi.mock('../api', () => ({ ...api, ApiError, ROLES: ['agent', 'warehouse', 'finance', 'owner'] }));

const { Settings } = await import('./Settings');

function wrap(node: ReactNode) {
  return render(
    <I18nProvider initialLocale="zh-CN">
      <AntdApp>{node}</AntdApp>
    </I18nProvider>,
  );
}

const BACKUP: BackupView = {
  path: '/data/shops/backups/shop-20261122-093000-daily.sqlite',
  taken_at: '2026-11-22T09:30:00+08:00',
  reason: 'daily',
  size: 3 * 1024 * 1024,
};

const YEAR_2026 = {
  year: 2026,
  origin: 'bundled',
  source: '国务院办公厅通知',
  holidays: 33,
  make_up_days: 6,
  names: ['春节 2026-02-15..2026-02-23'],
};

const CLOCKS = { rules_file: '/data/clock-rules.toml', error: null, years: [YEAR_2026] };

const TRACKING = {
  settings: {
    provider: 'manual',
    kuaidi100_customer: '',
    kuaidi100_url: null,
    kdniao_business_id: '',
    kdniao_url: null,
    concurrency: 4,
    auto_refresh: true,
  },
  has_key: false,
  keychain_error: null,
};

beforeEach(() => {
  for (const fn of Object.values(api)) fn.mockReset();
  api.listBackups.mockResolvedValue([BACKUP]);
  api.clockSettings.mockResolvedValue(CLOCKS);
  api.trackingSettings.mockResolvedValue(TRACKING);
  api.polishSettings.mockResolvedValue(polishView());
  api.listMembers.mockResolvedValue([]);
  api.whoami.mockResolvedValue(null);
  api.shopSettings.mockResolvedValue(SHOP_SETTINGS);
});

const SHOP_SETTINGS = {
  shop_name: '',
  compensation_limits: { agent: 3000, warehouse: 0, finance: 0, owner: null },
  reminder_leads_minutes: [120, 30],
  unboxing: { min_duration_secs: 60, max_delay_hours: 48 },
  parcel: { stale_after_days: 7, investigation_days: 3, problem_fix_days: 3, return_waybill_days: 2 },
};

function member(id: string, name: string, role: string) {
  const names: Record<string, string> = { agent: '客服', warehouse: '仓库', finance: '财务', owner: '店长' };
  return { id, name, role, role_name: names[role] ?? role, created_at: '2026-11-20T10:00:00+08:00' };
}

const BOSS = member('m1', '老板', 'owner');
const MEI = member('m2', '小美', 'agent');

function polishView(change: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  return {
    settings: { enabled: false, base_url: '', model: '', timeout_secs: 30, temperature: null, ...settings },
    has_key: false,
    key_error: null,
    error: null,
    file: '/data/polish.json',
    max_chars: 2000,
    ...change,
  };
}

describe('settings', () => {
  it('lists the recent shop files and switches to another one', async () => {
    const shop = makeShop({ db_path: '/data/a.sqlite', recent: ['/data/a.sqlite', '/sync/b.sqlite'] });
    const switched = makeShop({ db_path: '/sync/b.sqlite', recent: ['/sync/b.sqlite', '/data/a.sqlite'] });
    api.openShop.mockResolvedValue(switched);
    const onShopChanged = vi.fn();
    wrap(<Settings shop={shop} onShopChanged={onShopChanged} />);

    const section = screen.getByTestId('shop-settings');
    expect(within(section).getByText('当前店铺'), 'the open shop is marked').toBeInTheDocument();
    // antd spaces out a two-character Chinese button label (打 开).
    fireEvent.click(within(section).getByRole('button', { name: /^打\s*开$/ }));
    await waitFor(() => expect(onShopChanged).toHaveBeenCalledWith(switched));
    expect(api.openShop, 'the other recent file is opened').toHaveBeenCalledWith('/sync/b.sqlite');
  });

  it('keeps the current shop and says why when a file cannot be opened', async () => {
    api.chooseShopFile.mockResolvedValue('/data/broken.sqlite');
    api.openShop.mockRejectedValue(new Error('文件 /data/broken.sqlite 不是 AfterDesk 的店铺数据'));
    const onShopChanged = vi.fn();
    wrap(<Settings shop={makeShop()} onShopChanged={onShopChanged} />);
    fireEvent.click(screen.getByText('打开其他店铺文件…'));
    expect(await screen.findAllByText('无法打开这个店铺文件，仍在使用原来的店铺')).not.toHaveLength(0);
    expect(screen.getAllByText(/不是 AfterDesk 的店铺数据/)).not.toHaveLength(0);
    expect(onShopChanged, 'a failed switch changes nothing').not.toHaveBeenCalled();
  });

  it('shows the backups in China time and backs up on demand', async () => {
    const manual: BackupView = { ...BACKUP, reason: 'manual', taken_at: '2026-11-22T12:00:00+08:00' };
    api.backupNow.mockResolvedValue([manual, BACKUP]);
    wrap(<Settings shop={makeShop()} />);
    const section = await screen.findByTestId('backup-settings');
    expect(await within(section).findByText('2026-11-22 09:30')).toBeInTheDocument();
    expect(within(section).getByText('每日')).toBeInTheDocument();
    expect(within(section).getByText('3.0 MB')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('backup-now'));
    expect(await within(section).findByText('手动'), 'the new backup is listed').toBeInTheDocument();
  });

  it('restores a backup only after a confirmation that says the current data is saved first', async () => {
    const reopened = makeShop({ summary: { total: 7, open: 7, closed: 0, by_kind: [] } });
    api.restoreBackup.mockResolvedValue({
      restore: {
        restored_from: BACKUP.path,
        safety_backup: '/data/shops/backups/shop-20261122-110000-before-restore.sqlite',
        schema_version: 5,
      },
      shop: reopened,
    });
    const onShopChanged = vi.fn();
    wrap(<Settings shop={makeShop()} onShopChanged={onShopChanged} />);
    const section = await screen.findByTestId('backup-settings');
    fireEvent.click(await within(section).findByTestId('backup-restore'));
    expect(
      await screen.findByText(/将被 2026-11-22 09:30 的备份（每日）替换。恢复前会先把当前数据另存为一份“恢复前”备份/),
    ).toBeInTheDocument();
    expect(api.restoreBackup, 'the button only asks').not.toHaveBeenCalled();
    fireEvent.click(screen.getByTestId('restore-confirm'));
    await waitFor(() => expect(onShopChanged).toHaveBeenCalledWith(reopened));
    expect(api.restoreBackup).toHaveBeenCalledWith(BACKUP.path);
    expect(
      await screen.findByText(/恢复前的数据另存为 shop-20261122-110000-before-restore.sqlite/),
      'says where the replaced data went',
    ).toBeInTheDocument();
  });

  it('says plainly why a backup is refused, by its code', async () => {
    api.restoreBackup.mockRejectedValue(
      new ApiError({ code: 'backup_damaged', message: '不能用备份 shop-daily.sqlite 恢复：文件已损坏；店铺数据没有任何改动' }),
    );
    const onShopChanged = vi.fn();
    wrap(<Settings shop={makeShop()} onShopChanged={onShopChanged} />);
    fireEvent.click(await screen.findByTestId('backup-restore'));
    fireEvent.click(await screen.findByTestId('restore-confirm'));
    // antd renders a modal's title twice (the dialog and its accessible label).
    expect(await screen.findAllByText('这份备份已损坏，不能用来恢复'), 'the code is translated').not.toHaveLength(0);
    expect(screen.getAllByText(/店铺数据没有任何改动/)).not.toHaveLength(0);
    expect(onShopChanged, 'nothing changed').not.toHaveBeenCalled();
  });

  it('never advises a synced folder, and warns when the shop file is in one', () => {
    wrap(
      <Settings
        shop={makeShop({
          synced_folder: { client: 'onedrive', folder: 'C:\\Users\\me\\OneDrive - 公司', message: '' },
        })}
      />,
    );
    const section = screen.getByTestId('shop-settings');
    expect(section.textContent, 'the old advice is gone').not.toContain('放在同步文件夹里即可');
    expect(section.textContent).toContain('不要放进 Dropbox、OneDrive、iCloud、坚果云、百度网盘等同步文件夹');
    expect(within(section).getByTestId('synced-folder-warning')).toHaveTextContent(
      '店铺文件在 OneDrive 的同步文件夹（C:\\Users\\me\\OneDrive - 公司）里',
    );
  });

  it('has no backups section for the demo shop, which lives in memory', () => {
    wrap(<Settings shop={makeShop({ demo: true })} />);
    expect(screen.queryByTestId('backup-settings')).toBeNull();
    expect(api.listBackups).not.toHaveBeenCalled();
  });

  it('lists the calendar years and imports next year, or says why a file is refused', async () => {
    const year2027 = { ...YEAR_2026, year: 2027, origin: 'imported' };
    api.chooseCalendarFile.mockResolvedValue('/home/me/2027.toml');
    api.importCalendarYear
      .mockResolvedValueOnce({ ...CLOCKS, years: [YEAR_2026, year2027] })
      .mockRejectedValueOnce(new Error('日历文件有误：2027.toml 第 3 行 holidays.from：不是日期'));
    wrap(<Settings shop={makeShop()} />);
    const section = await screen.findByTestId('clock-settings');
    expect(within(section).getByText('2026')).toBeInTheDocument();
    expect(within(section).getByText('放假 33 天，调休上班 6 天')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('import-calendar'));
    expect(await within(section).findByText('2027'), 'the imported year is listed').toBeInTheDocument();
    expect(within(section).getByText('已导入')).toBeInTheDocument();
    fireEvent.click(screen.getByTestId('import-calendar'));
    expect(
      (await screen.findAllByText(/第 3 行 holidays.from/)).length,
      'a broken file is refused with its line and field',
    ).toBeGreaterThan(0);
  });

  it('configures the AI polish, off by default, and never puts the key in the page', async () => {
    const KEY = 'sk-settings-test-31415';
    const configured = { enabled: true, base_url: 'https://api.deepseek.com/v1', model: 'deepseek-chat', timeout_secs: 20, temperature: null };
    api.savePolishSettings.mockResolvedValue(polishView({}, configured));
    api.setPolishKey.mockResolvedValue(polishView({ has_key: true }, configured));
    const { container } = wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('polish-settings');
    expect(within(card).getByTestId('polish-privacy').textContent).toContain('最多 2000 字');
    const toggle = within(card).getByTestId('polish-enabled');
    expect(toggle.getAttribute('aria-checked'), 'off by default').toBe('false');
    expect(within(card).getByTestId('polish-key-none')).toBeInTheDocument();

    fireEvent.click(toggle);
    fireEvent.change(within(card).getByTestId('polish-base-url'), { target: { value: configured.base_url } });
    fireEvent.change(within(card).getByTestId('polish-model'), { target: { value: configured.model } });
    fireEvent.change(within(card).getByTestId('polish-timeout'), { target: { value: '20' } });
    fireEvent.click(within(card).getByTestId('polish-save'));
    await waitFor(() => expect(api.savePolishSettings).toHaveBeenCalled());
    const saved = api.savePolishSettings.mock.calls[0]?.[0] as Record<string, unknown>;
    expect(saved).toEqual(configured);
    expect(Object.keys(saved).some((k) => k.includes('key')), 'the settings carry no key').toBe(false);

    const keyBox = within(card).getByTestId('polish-key-input');
    expect(keyBox.getAttribute('type'), 'a password field').toBe('password');
    fireEvent.change(keyBox, { target: { value: KEY } });
    fireEvent.click(within(card).getByTestId('polish-key-save'));
    await waitFor(() => expect(api.setPolishKey).toHaveBeenCalledWith(KEY));
    expect(await within(card).findByTestId('polish-key-saved')).toHaveTextContent('已保存密钥');
    expect(within(card).queryByTestId('polish-key-input'), 'the field is gone once saved').toBeNull();
    expect(container.innerHTML.includes(KEY), 'the key is nowhere in the page').toBe(false);
    expect(api.savePolishSettings.mock.calls.flat().some((a) => JSON.stringify(a).includes(KEY))).toBe(false);
  });

  it('replaces the key, and deletes it only after confirmation', async () => {
    api.polishSettings.mockResolvedValue(polishView({ has_key: true }));
    api.deletePolishKey.mockResolvedValue(polishView({ has_key: false }));
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('polish-settings');
    await within(card).findByTestId('polish-key-saved');
    fireEvent.click(within(card).getByTestId('polish-key-replace'));
    expect(within(card).getByTestId('polish-key-input')).toBeInTheDocument();
    fireEvent.click(within(card).getByTestId('polish-key-cancel'));
    expect(within(card).getByTestId('polish-key-saved')).toBeInTheDocument();

    fireEvent.click(within(card).getByTestId('polish-key-delete'));
    expect(api.deletePolishKey, 'the button only asks').not.toHaveBeenCalled();
    const confirm = await screen.findByText(/从本机的系统钥匙串删除 API 密钥/);
    const popup = confirm.closest('.ant-popover') as HTMLElement;
    fireEvent.click(within(popup).getByRole('button', { name: /删除密钥/ }));
    await waitFor(() => expect(api.deletePolishKey).toHaveBeenCalled());
    expect(await within(card).findByTestId('polish-key-none')).toBeInTheDocument();
  });

  it('says plainly when the keychain or a setting is refused', async () => {
    api.polishSettings.mockResolvedValue(
      polishView({ key_error: '无法访问系统钥匙串（polish.api_key）：no Secret Service' }),
    );
    api.savePolishSettings.mockRejectedValue(new Error('AI 润色的接口地址“api.deepseek.com”不是有效的网址'));
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('polish-settings');
    expect(await within(card).findByTestId('polish-key-error')).toHaveTextContent('无法访问系统钥匙串');
    fireEvent.click(within(card).getByTestId('polish-save'));
    expect(await within(card).findByTestId('polish-save-error')).toHaveTextContent('不是有效的网址');
  });
});

describe('tracking settings', () => {
  it('saves the provider and sends the key once, never showing a saved key', async () => {
    api.saveTrackingSettings.mockResolvedValue({
      ...TRACKING,
      settings: { ...TRACKING.settings, provider: 'kuaidi100', kuaidi100_customer: 'CUST' },
      has_key: true,
    });
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('tracking-settings');
    fireEvent.mouseDown(within(card).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('快递100 实时查询'));
    fireEvent.change(await within(card).findByTestId('tracking-key'), { target: { value: 'SECRET' } });
    fireEvent.click(within(card).getByTestId('tracking-save'));
    await waitFor(() => expect(api.saveTrackingSettings).toHaveBeenCalled());
    expect(api.saveTrackingSettings.mock.calls[0]?.[0]).toMatchObject({ provider: 'kuaidi100' });
    expect(api.saveTrackingSettings.mock.calls[0]?.[1]).toBe('SECRET');
    await within(card).findByText(/密钥已保存在系统钥匙串里/);
    expect((within(card).getByTestId('tracking-key') as HTMLInputElement).value).toBe('');
  });
});

describe('members', () => {
  it('lets the first person add themselves as the owner of a shop without members', async () => {
    api.addMember.mockResolvedValue(BOSS);
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('team-settings');
    expect(within(card).getByText(/还没有成员/)).toBeInTheDocument();
    expect(within(card).queryByTestId('team-owner-only'), 'a shop without an owner is open to all').toBeNull();
    fireEvent.change(within(card).getByTestId('team-new-name'), { target: { value: '老板' } });
    api.listMembers.mockResolvedValue([BOSS]);
    fireEvent.click(within(card).getByTestId('team-add'));
    await waitFor(() => expect(api.addMember).toHaveBeenCalledWith({ name: '老板', role: 'owner' }));
    expect(await within(card).findByText('老板'), 'the list is read again').toBeInTheDocument();
  });

  it('shows the team read-only to a computer that is not an owner', async () => {
    api.listMembers.mockResolvedValue([BOSS, MEI]);
    api.whoami.mockResolvedValue(MEI);
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('team-settings');
    expect(await within(card).findByTestId('team-owner-only')).toHaveTextContent('只有店长可以修改');
    expect(within(card).queryByTestId('team-add'), 'no adding').toBeNull();
    expect(within(card).queryAllByTestId('team-remove'), 'no removing').toHaveLength(0);
    expect(within(card).getByText('这台电脑'), 'this computer is marked').toBeInTheDocument();
    const shopCard = await screen.findByTestId('shop-settings-card');
    expect(within(shopCard).queryByTestId('shop-settings-save'), 'no saving the shop settings').toBeNull();
  });

  it('lets an owner change a role and remove a member only after confirming', async () => {
    api.listMembers.mockResolvedValue([BOSS, MEI]);
    api.whoami.mockResolvedValue(BOSS);
    api.changeMember.mockResolvedValue({ ...MEI, role: 'finance', role_name: '财务' });
    api.removeMember.mockResolvedValue(MEI);
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('team-settings');
    const rows = await within(card).findAllByTestId('team-member');
    const mei = rows[1] as HTMLElement;
    fireEvent.mouseDown(within(mei).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('财务'));
    await waitFor(() => expect(api.changeMember).toHaveBeenCalledWith('m2', { role: 'finance' }));

    fireEvent.click(within(mei).getByTestId('team-remove'));
    expect(api.removeMember, 'the button only asks').not.toHaveBeenCalled();
    const confirm = await screen.findByText(/移除成员“小美”/);
    const popup = confirm.closest('.ant-popover') as HTMLElement;
    fireEvent.click(within(popup).getByRole('button', { name: /移\s*除/ }));
    await waitFor(() => expect(api.removeMember).toHaveBeenCalledWith('m2'));
  });

  it('says why the last owner cannot step down', async () => {
    api.listMembers.mockResolvedValue([BOSS]);
    api.whoami.mockResolvedValue(BOSS);
    api.removeMember.mockRejectedValue(new ApiError({ code: 'last_owner', message: '“老板”是店里唯一的店长，不能移除或改为其他角色' }));
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('team-settings');
    fireEvent.click(await within(card).findByTestId('team-remove'));
    const popup = (await screen.findByText(/移除成员“老板”/)).closest('.ant-popover') as HTMLElement;
    fireEvent.click(within(popup).getByRole('button', { name: /移\s*除/ }));
    expect(await within(card).findByTestId('team-error')).toHaveTextContent('唯一的店长');
  });

  it('binds this computer to the member picked', async () => {
    api.listMembers.mockResolvedValue([BOSS, MEI]);
    api.bindThisComputer.mockResolvedValue(MEI);
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('team-settings');
    await within(card).findAllByTestId('team-member');
    const picker = within(card).getAllByRole('combobox')[0] as HTMLElement;
    fireEvent.mouseDown(picker);
    fireEvent.click(await screen.findByTitle('小美（客服）'));
    await waitFor(() => expect(api.bindThisComputer).toHaveBeenCalledWith('m2'));
  });
});

describe('shop settings', () => {
  it('saves limits in fen from yuan with two decimals, and the lead times as minutes', async () => {
    api.saveShopSettings.mockImplementation(async (s: unknown) => s);
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('shop-settings-card');
    const agent = within(card).getByTestId('limit-agent') as HTMLInputElement;
    expect(agent.value, 'fen shown as yuan').toBe('30.00');
    expect((within(card).getByTestId('limit-owner') as HTMLInputElement).value, 'unlimited is empty').toBe('');
    fireEvent.change(agent, { target: { value: '45.5' } });
    fireEvent.blur(agent);
    fireEvent.change(within(card).getByTestId('reminder-leads'), { target: { value: '60，15' } });
    fireEvent.click(within(card).getByTestId('shop-settings-save'));
    await waitFor(() => expect(api.saveShopSettings).toHaveBeenCalled());
    const saved = api.saveShopSettings.mock.calls[0]?.[0] as typeof SHOP_SETTINGS;
    expect(saved.compensation_limits, 'yuan become integer fen').toEqual({ agent: 4550, warehouse: 0, finance: 0, owner: null });
    expect(saved.reminder_leads_minutes).toEqual([60, 15]);
  });

  it("shows the shop's refusal, which names the field", async () => {
    api.saveShopSettings.mockRejectedValue(
      new ApiError({ code: 'invalid', message: '到期提醒的提前时间每个必须在 1 到 10080 分钟（7 天）之间' }),
    );
    wrap(<Settings shop={makeShop()} />);
    const card = await screen.findByTestId('shop-settings-card');
    fireEvent.click(within(card).getByTestId('shop-settings-save'));
    expect(await within(card).findByTestId('shop-settings-error')).toHaveTextContent('到期提醒的提前时间');
  });
});
