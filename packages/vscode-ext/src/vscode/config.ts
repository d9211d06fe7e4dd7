import os from 'node:os';
import * as vscode from 'vscode';
import { defaultCacheDir } from '@barcache/cache-core';
import { type BarcacheSettings, readSettings } from '../settings.js';

export const SECTION = 'barcache';

/** The one place that reads `barcache.*` into a plain, validated object. */
export function getConfig(): BarcacheSettings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return readSettings((key) => cfg.get(key), {
    homedir: os.homedir(),
    ...(folder?.scheme === 'file' ? { workspaceFolder: folder.fsPath } : {}),
    defaultCacheDir: () => defaultCacheDir(),
  });
}

/** Writes a setting where the user has it (workspace folder, workspace, else user settings). */
export async function updateSetting(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const inspected = cfg.inspect(key);
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await cfg.update(key, value, target);
}
