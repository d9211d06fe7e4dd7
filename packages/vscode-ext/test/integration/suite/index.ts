/**
 * The integration suite's entry point, in the standard `extensionTestsPath` form: VS Code (desktop
 * through @vscode/test-electron, or code-server through our harness) loads this module in the
 * extension host and awaits `run()`. Mocha's counts are also printed as one machine-readable line.
 */
import fs from 'node:fs';
import Mocha from 'mocha';
import { defineCacheCommandTests } from './cache-commands.test.js';
import { defineExtensionTests } from './extension.test.js';
import { defineSharedTierTests } from './shared-tier.test.js';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // Give the suite file mocha's globals (describe, it, before…), as `mocha.addFile` would.
  mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
  defineExtensionTests();
  defineCacheCommandTests();
  defineSharedTierTests();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const s = runner.stats;
      const result = { passes: s?.passes ?? 0, failures: s?.failures ?? failures, pending: s?.pending ?? 0, tests: s?.tests ?? 0 };
      console.log(`barcache-mocha-result ${JSON.stringify(result)}`);
      // The harnesses also read the counts from a file (the desktop runner does not expose the console).
      const file = process.env.BARCACHE_TEST_RESULT_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify(result));
      // The code-server harness looks at the workbench (status bar, screenshot) once the suite is done;
      // the extension host, and its status bar item, must still be up then: wait for its go-ahead.
      void waitForFile(process.env.BARCACHE_TEST_ACK_FILE, 20_000).then(() => {
        if (failures > 0) reject(new Error(`${failures} integration tests failed.`));
        else resolve();
      });
    });
  });
}

async function waitForFile(file: string | undefined, ms: number): Promise<void> {
  if (!file) return;
  const end = Date.now() + ms;
  while (!fs.existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}
