import fs from 'node:fs';
import * as vscode from 'vscode';
import { getConfig } from '../config.js';

/** `barcache.openCacheFolder`: reveal, add to the workspace, open in a new window, or copy the path. With an argument: just the path. */
export async function openCacheFolderCommand(arg: unknown): Promise<string | undefined> {
  const dir = getConfig().cacheDir;
  if (arg !== undefined) return dir;
  if (!fs.existsSync(dir)) {
    void vscode.window.showInformationMessage(`Barcache: the cache folder ${dir} does not exist yet (warm something first).`);
    return dir;
  }
  const uri = vscode.Uri.file(dir);
  const local = vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
  const items = [
    ...(local ? [{ label: '$(folder-opened) Reveal in File Manager', id: 'reveal' }] : []),
    { label: '$(add) Add to Workspace', id: 'add' },
    { label: '$(empty-window) Open in New Window', id: 'window' },
    { label: '$(copy) Copy Path', id: 'copy' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Barcache cache folder: ${dir}` });
  switch (pick?.id) {
    case 'reveal':
      await vscode.commands.executeCommand('revealFileInOS', uri);
      break;
    case 'add':
      vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri, name: 'Barcache cache' });
      break;
    case 'window':
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: true });
      break;
    case 'copy':
      await vscode.env.clipboard.writeText(dir);
      void vscode.window.setStatusBarMessage('Barcache: cache path copied', 3000);
      break;
  }
  return dir;
}
