// Test-environment set-up: DOM matchers and the browser APIs jsdom lacks but antd uses.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// `*ByRole` queries normally check every ancestor's computed style to skip hidden
// elements, which is very slow on antd's deep trees in jsdom. Our tests query what is on
// screen anyway, so skip that check.
configure({ defaultHidden: true });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

// antd's responsive helpers (Grid, Layout.Sider breakpoints) query media features.
if (!window.matchMedia) {
  Object.defineProperty(window, 'matchMedia', {
    writable: true,
    value: (query: string): MediaQueryList => ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }),
  });
}
