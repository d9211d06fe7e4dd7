import * as vscode from 'vscode';
import { z } from 'zod';
import { formatZodError } from '../command-args.js';
import type { RunningWarm } from './commands/index.js';

/**
 * Test-only hooks, registered only when the integration harnesses (scripts/run-integration.mjs,
 * scripts/run-electron.mjs) start the extension host with BARCACHE_EXTENSION_TEST_HOOKS=1. An
 * installed extension never has them: its commands' arguments carry no test knobs.
 *
 * `barcache.test.cancelNextWarm` arms a cancel for the next warm that starts: after `afterSymbols`
 * symbols are done (a deterministic mid-warm cancel), or `afterMs` after it starts (a cancel while a
 * provider request is in flight). The cancel goes through the same AbortController as the progress
 * notification's Cancel button, so the tests exercise the user's path from there on.
 */
export const TEST_HOOKS_ENV = 'BARCACHE_EXTENSION_TEST_HOOKS';
export const CANCEL_NEXT_WARM = 'barcache.test.cancelNextWarm';

const cancelArgsSchema = z
  .object({ afterSymbols: z.number().int().positive().optional(), afterMs: z.number().nonnegative().optional() })
  .strict()
  .refine((a) => (a.afterSymbols === undefined) !== (a.afterMs === undefined), { message: 'give afterSymbols or afterMs' });
type CancelArgs = z.output<typeof cancelArgsSchema>;

/** Registers the test commands if the harness asked for them; returns the observer of warms to hand the commands (or undefined). */
export function registerTestHooks(context: vscode.ExtensionContext, env: NodeJS.ProcessEnv = process.env): ((warm: RunningWarm) => void) | undefined {
  if (env[TEST_HOOKS_ENV] !== '1') return undefined;
  let armed: CancelArgs | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(CANCEL_NEXT_WARM, (arg: unknown) => {
      const parsed = cancelArgsSchema.safeParse(arg);
      if (!parsed.success) throw new TypeError(`${CANCEL_NEXT_WARM}: ${formatZodError(parsed.error)}`);
      armed = parsed.data;
    }),
  );
  return (warm) => {
    const cancel = armed;
    armed = undefined;
    if (!cancel) return;
    if (cancel.afterSymbols !== undefined) {
      const n = cancel.afterSymbols;
      warm.onProgress((done) => {
        if (done >= n) warm.cancel();
      });
    }
    if (cancel.afterMs !== undefined) {
      const timer = setTimeout(() => warm.cancel(), cancel.afterMs);
      void warm.ended.then(() => clearTimeout(timer));
    }
  };
}
