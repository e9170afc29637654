import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const { addNote, bindThisComputer, caseDraft, currentAgent, getAppInfo, isTauri, whoami } = await import('.');

describe('api wrapper', () => {
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>)['__TAURI_INTERNALS__'];
    invoke.mockReset();
  });

  it('returns null and never calls invoke outside Tauri', async () => {
    expect(isTauri()).toBe(false);
    await expect(getAppInfo()).resolves.toBeNull();
    expect(invoke).not.toHaveBeenCalled();
  });

  it('calls the app_info command inside Tauri', async () => {
    (window as unknown as Record<string, unknown>)['__TAURI_INTERNALS__'] = {};
    invoke.mockResolvedValue({ version: '0.1.0', name: 'AfterDesk' });
    expect(isTauri()).toBe(true);
    await expect(getAppInfo()).resolves.toEqual({ version: '0.1.0', name: 'AfterDesk' });
    expect(invoke).toHaveBeenCalledWith('app_info');
  });

  it("shows this computer's member, and never sends who acts (Rust settles it)", async () => {
    (window as unknown as Record<string, unknown>)['__TAURI_INTERNALS__'] = {};
    const member = { id: 'm1', name: '小美', role: 'agent', role_name: '客服', created_at: '2026-11-20T10:00:00+08:00' };
    invoke.mockResolvedValueOnce(member);
    await whoami();
    expect(currentAgent()).toBe('小美');
    invoke.mockResolvedValueOnce({ id: 'n1' });
    await addNote('R1', '已联系买家');
    expect(invoke, 'a window cannot say who wrote a note: the shop records its member').toHaveBeenLastCalledWith(
      'add_note',
      { key: 'R1', text: '已联系买家' },
    );
    invoke.mockResolvedValueOnce(null);
    await bindThisComputer(null);
    expect(currentAgent(), 'unbound computers record 客服').toBe('客服');
  });

  it("leaves the draft's compensation limit to the shop's settings", async () => {
    (window as unknown as Record<string, unknown>)['__TAURI_INTERNALS__'] = {};
    window.localStorage.setItem('afterdesk.agentLimitFen', '999999');
    invoke.mockResolvedValueOnce({});
    await caseDraft('R1', {});
    const args = invoke.mock.lastCall?.[1] as { options: Record<string, unknown> };
    expect('agent_max_fen' in args.options, 'no limit from this computer: the shop decides').toBe(false);
    window.localStorage.clear();
  });
});
