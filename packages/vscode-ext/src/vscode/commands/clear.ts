import * as vscode from 'vscode';
import type { ClearFilter, Interval } from '@barcache/cache-core';
import { clearArgsSchema, parseArgs } from '../../command-args.js';
import { parseDate, parseSymbols, validateDateInput } from '../../quick-input.js';
import type { BarcacheSettings } from '../../settings.js';
import { getConfig } from '../config.js';
import { type CommandDeps, isTreeNode } from './command-deps.js';
import { pickInterval } from './prompts.js';

/** What `barcache.clear` and `barcache.clearSeries` return: the filter applied (undefined when the user backed out). */
export type ClearResult = { cleared: ClearFilter | 'all' } | undefined;

/** `barcache.clear`: one symbol, one interval, everything before a date, or everything, after a confirmation. */
export async function clearCommand(deps: CommandDeps, arg: unknown): Promise<ClearResult> {
  const settings = getConfig();
  let filter: ClearFilter | 'all';
  let confirm = true;
  if (arg !== undefined) {
    const parsed = parseArgs(clearArgsSchema, arg);
    if (!parsed.ok) throw new TypeError(`barcache.clear: ${parsed.message}`);
    const a = parsed.value;
    confirm = a.confirm ?? true;
    filter = a.all
      ? 'all'
      : {
          ...(a.symbol !== undefined ? { symbol: a.symbol } : {}),
          ...(a.interval !== undefined ? { interval: a.interval as Interval } : {}),
          ...(a.before !== undefined ? { before: a.before } : {}),
        };
  } else {
    const chosen = await promptClearFilter(deps.context, settings);
    if (!chosen) return undefined;
    filter = chosen;
  }
  return clearCache(deps, settings, filter, { confirm, interactive: arg === undefined });
}

/** `barcache.clearSeries`: the Cached Series view's per-item Clear (a symbol, or one of its intervals). */
export async function clearSeriesCommand(deps: CommandDeps, node: unknown): Promise<ClearResult> {
  if (!isTreeNode(node) || (node.kind !== 'symbol' && node.kind !== 'series')) {
    return clearCommand(deps, undefined);
  }
  const filter: ClearFilter = node.kind === 'symbol' ? { symbol: node.symbol } : { symbol: node.symbol, interval: node.interval };
  return clearCache(deps, getConfig(), filter, { confirm: true, interactive: true });
}

function describeFilter(filter: ClearFilter | 'all'): string {
  if (filter === 'all') return 'everything';
  const parts: string[] = [];
  if (filter.symbol) parts.push(filter.symbol.toUpperCase());
  if (filter.interval) parts.push(`${filter.interval} bars`);
  const what = parts.length > 0 ? parts.join(' ') : 'all series';
  return filter.before !== undefined ? `${what} before ${String(filter.before)}` : what;
}

async function clearCache(deps: CommandDeps, settings: BarcacheSettings, filter: ClearFilter | 'all', o: { confirm: boolean; interactive: boolean }): Promise<ClearResult> {
  const what = describeFilter(filter);
  if (o.confirm) {
    const ok = await vscode.window.showWarningMessage(
      `Clear ${what} from the Barcache cache?`,
      { modal: true, detail: `${settings.cacheDir}\nThe bars will be fetched again from the provider the next time they are needed.` },
      'Clear',
    );
    if (ok !== 'Clear') return undefined;
  }
  await deps.sessions.withCache(settings, (cache) => cache.clear(filter === 'all' ? {} : filter), { interactive: o.interactive });
  deps.output.appendLine(`[${new Date().toISOString()}] cleared ${what} from ${settings.cacheDir}`);
  deps.tree.refresh();
  void deps.stats.refresh();
  if (o.interactive) void vscode.window.showInformationMessage(`Barcache: cleared ${what}.`);
  return { cleared: filter };
}

async function promptClearFilter(context: vscode.ExtensionContext, settings: BarcacheSettings): Promise<ClearFilter | 'all' | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(symbol-constant) One symbol…', id: 'symbol', detail: 'Every interval of one ticker' },
      { label: '$(graph-line) One interval…', id: 'interval', detail: 'One bar size for every ticker (e.g. all 1m bars)' },
      { label: '$(calendar) Before a date…', id: 'before', detail: 'Drop old history of every series' },
      { label: '$(trash) Everything', id: 'all', detail: settings.cacheDir },
    ],
    { title: 'Barcache: Clear Cache', placeHolder: 'What to clear?' },
  );
  if (!kind) return undefined;
  switch (kind.id) {
    case 'all':
      return 'all';
    case 'symbol': {
      const v = await vscode.window.showInputBox({ title: 'Barcache: Clear one symbol', prompt: 'Ticker', validateInput: (s) => {
        const r = parseSymbols(s);
        return r.ok ? (r.symbols.length === 1 ? undefined : 'One symbol at a time') : r.message;
      } });
      const r = v === undefined ? undefined : parseSymbols(v);
      return r?.ok ? { symbol: r.symbols[0]! } : undefined;
    }
    case 'interval': {
      const i = await pickInterval(context, settings.defaultInterval, 'Barcache: Clear one interval');
      return i ? { interval: i } : undefined;
    }
    case 'before': {
      const now = Date.now();
      const v = await vscode.window.showInputBox({ title: 'Barcache: Clear before a date', prompt: 'Drop bars before (YYYY-MM-DD, -1y…)', value: '-1y', validateInput: (s) => validateDateInput(s, now) });
      const d = v === undefined ? undefined : parseDate(v, now);
      return d?.ok ? { before: d.value } : undefined;
    }
  }
  return undefined;
}
