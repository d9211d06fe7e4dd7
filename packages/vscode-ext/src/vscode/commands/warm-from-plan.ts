import path from 'node:path';
import * as vscode from 'vscode';
import { parseArgs, planArgsSchema } from '../../command-args.js';
import { PLAN_FILE_GLOB, parsePlanFile } from '../../plan-file.js';
import { getConfig } from '../config.js';
import type { CommandDeps } from './command-deps.js';
import { runWarm, type WarmResult } from './warm.js';

/** `barcache.warmFromPlan`: warms what a backtest plan file (`*.barcache.json`) says it will read. */
export async function warmFromPlanCommand(deps: CommandDeps, arg: unknown): Promise<WarmResult | undefined> {
  const settings = getConfig();
  let uri: vscode.Uri | undefined;
  let automated = false;
  let quiet = false;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (arg !== undefined) {
    const parsed = parseArgs(planArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.warmFromPlan: ${parsed.message}`);
    const p = parsed.value.path;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    uri = vscode.Uri.file(path.isAbsolute(p) || !folder ? p : path.join(folder, p));
    automated = true;
    quiet = parsed.value.quiet ?? true;
  } else {
    uri = await findPlanFile();
    if (!uri) return undefined;
  }
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const parsed = parsePlanFile(text);
  if (!parsed.ok) {
    const message = `Barcache: ${vscode.workspace.asRelativePath(uri)} is not a valid backtest plan: ${parsed.message}`;
    if (automated) throw new TypeError(message);
    void vscode.window.showErrorMessage(message, 'Open Plan').then((c) => c && vscode.window.showTextDocument(uri));
    return undefined;
  }
  return runWarm(deps, settings, parsed.plan, { interactive: !automated, quiet });
}

/** The active editor's plan, the workspace's only plan, a pick among several, or a file the user chooses (or an example). */
async function findPlanFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active && /(\.barcache\.json|[\\/]barcache\.plan\.json)$/.test(active.uri.path)) return active.uri;
  const found = vscode.workspace.workspaceFolders ? await vscode.workspace.findFiles(PLAN_FILE_GLOB, '**/node_modules/**', 50) : [];
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    const pick = await vscode.window.showQuickPick(
      found.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), uri: u })),
      { title: 'Barcache: Warm from Backtest Plan', placeHolder: 'Which plan?' },
    );
    return pick?.uri;
  }
  const choice = await vscode.window.showInformationMessage(
    'No backtest plan found (a *.barcache.json or barcache.plan.json file in the workspace with symbols, interval, start, end and lookback).',
    'Choose File…',
    'Create Example',
  );
  if (choice === 'Choose File…') {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Backtest plan': ['json'] }, title: 'Backtest plan' });
    return picked?.[0];
  }
  if (choice === 'Create Example') {
    const doc = await vscode.workspace.openTextDocument({
      language: 'json',
      content: `${JSON.stringify({ name: 'example', symbols: ['SPY', 'QQQ'], interval: '1d', start: '2023-01-01', end: '2024-12-31', lookback: { bars: 200 } }, null, 2)}\n`,
    });
    await vscode.window.showTextDocument(doc);
    void vscode.window.showInformationMessage('Save it as something.barcache.json in the workspace, then run Warm from Backtest Plan again.');
  }
  return undefined;
}
