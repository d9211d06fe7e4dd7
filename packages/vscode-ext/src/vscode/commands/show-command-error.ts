import * as vscode from 'vscode';
import { errorText, isLockedError, lockedMessage } from '../../error-text.js';
import { CancelledByUser } from '../cache-session.js';
import { getConfig } from '../config.js';

/** How an interactive command reports a failure: logged, and shown (LOCKED names the holder). A cancel is quiet. */
export function showCommandError(output: vscode.OutputChannel, id: string, err: unknown): void {
  if (err instanceof CancelledByUser) return;
  output.appendLine(`[${new Date().toISOString()}] ${id} failed: ${errorText(err)}`);
  if (isLockedError(err)) void vscode.window.showWarningMessage(lockedMessage(err, getConfig().cacheDir));
  else void vscode.window.showErrorMessage(`Barcache: ${errorText(err)}`, 'Show Output').then((c) => c && output.show(true));
}
