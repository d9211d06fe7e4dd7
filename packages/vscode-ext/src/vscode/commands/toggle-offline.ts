import * as vscode from 'vscode';
import { getConfig, updateSetting } from '../config.js';

/** `barcache.toggleOffline`: flips `barcache.offline` where the user has it set; returns the new value. */
export async function toggleOfflineCommand(): Promise<boolean> {
  const next = !getConfig().offline;
  await updateSetting('offline', next);
  void vscode.window.setStatusBarMessage(`Barcache: offline mode ${next ? 'on — the provider will not be called' : 'off'}`, 4000);
  return next;
}
