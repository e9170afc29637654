import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn();
vi.mock('@tauri-apps/api/core', () => ({ invoke }));

const { getAppInfo, isTauri } = await import('.');

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
});
