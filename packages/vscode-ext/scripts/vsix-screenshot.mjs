#!/usr/bin/env node
// Packages the VSIX, installs it into code-server, runs a separate backtest process on the real cache,
// verifies the status bar shows that process's live metrics (in the DOM), and saves the screenshot
// used by the README: docs/screenshot.png. Needs a build (node scripts/build.mjs) and code-server
// (scripts/install-code-server.sh).
import path from 'node:path';
import { PKG_ROOT } from './lib/code-server.mjs';
import { runVsixCheck } from './lib/vsix-check.mjs';

const out = process.argv[2] ?? path.join(PKG_ROOT, 'docs/screenshot.png');
try {
  const r = await runVsixCheck({ screenshot: out });
  console.log(`vsix-screenshot: ok — status bar "${r.statusText}" (${r.ariaLabel}); saved ${path.relative(process.cwd(), out)}`);
} catch (err) {
  console.error(`vsix-screenshot: FAILED — ${err.stack ?? err}`);
  process.exit(1);
}
