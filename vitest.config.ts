import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}`, import.meta.url));

// Tests import workspace packages from source, so `pnpm test:unit` needs no build step.
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@barcache\/cache-core$/, replacement: src('cache-core/src/index.ts') },
      { find: /^@barcache\/test-support\/vitest$/, replacement: src('test-support/src/vitest.ts') },
      { find: /^@barcache\/test-support$/, replacement: src('test-support/src/index.ts') },
      { find: /^@barcache\/backtest-adapter\/grademark$/, replacement: src('backtest-adapter/src/grademark/index.ts') },
      { find: /^@barcache\/backtest-adapter\/pinets$/, replacement: src('backtest-adapter/src/pinets/index.ts') },
      { find: /^@barcache\/backtest-adapter$/, replacement: src('backtest-adapter/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'scripts/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'packages/vscode-ext/src/vscode/**', 'packages/vscode-ext/test/integration/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
