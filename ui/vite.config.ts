import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// The UI is served by Vite on a fixed port during development (tauri.conf.json's
// `build.devUrl`) and embedded from `dist/` into the Tauri binary for release builds.
export default defineConfig({
  plugins: [react()],
  // Relative asset URLs keep the bundle loadable whatever origin Tauri serves it from.
  base: './',
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Tauri 2 runs on WebView2, WKWebView and WebKitGTK, all of which support modern
    // JavaScript natively, so no legacy transforms or polyfills are shipped.
    target: ['es2022', 'safari16'],
    // Assets are read from the local disk, so one larger vendor chunk costs nothing
    // noticeable; the limit only keeps an eye on accidental giant imports.
    chunkSizeWarningLimit: 1000,
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    css: false,
    restoreMocks: true,
    // Rendering antd in jsdom is slow on a busy 2-core machine: a whole-app test that
    // opens the workbench (tables, statistics, lists) took over 20 s while Rust builds ran
    // beside it, so a test gets a minute before it counts as hung.
    testTimeout: 60_000,
  },
});
