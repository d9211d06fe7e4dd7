import * as vscode from 'vscode';
import type { Interval } from '@barcache/cache-core';
import { INTERVAL_LIST, isInterval, pushRecent } from '../../quick-input.js';

/** globalState keys of the values the user entered last (offered first next time). */
export const RECENT_SYMBOLS = 'barcache.recentSymbols';
export const RECENT_INTERVALS = 'barcache.recentIntervals';

/** A quick pick of recent values that also accepts typed text. */
export async function pickOrType(o: { title: string; placeholder: string; recent: string[]; fallback: string; validate: (v: string) => string | undefined }): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick();
  qp.title = o.title;
  qp.placeholder = o.placeholder;
  qp.ignoreFocusOut = true;
  const base = (o.recent.length > 0 ? o.recent : [o.fallback]).map((label, i) => ({ label, description: o.recent.length > 0 ? (i === 0 ? 'last used' : 'recent') : 'default' }));
  qp.items = base;
  qp.value = '';
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      qp.dispose();
    };
    qp.onDidChangeValue((v) => {
      const typed = v.trim();
      if (typed === '') {
        qp.items = base;
        return;
      }
      const msg = o.validate(typed);
      qp.items = [{ label: typed, description: msg ? `$(error) ${msg}` : 'use these', alwaysShow: true }, ...base.filter((b) => b.label !== typed)];
    });
    qp.onDidAccept(() => {
      const chosen = qp.selectedItems[0]?.label ?? qp.value.trim();
      if (!chosen || o.validate(chosen) !== undefined) return;
      finish(chosen);
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
  });
}

/** A quick pick of intervals: recent ones first, then the preferred one, then the rest. Remembers the pick. */
export async function pickInterval(context: vscode.ExtensionContext, preferred: Interval, title: string): Promise<Interval | undefined> {
  const recent = context.globalState.get<string[]>(RECENT_INTERVALS, []).filter(isInterval);
  const order = [...new Set<Interval>([...recent, preferred, ...INTERVAL_LIST])];
  const pick = await vscode.window.showQuickPick(
    order.map((i) => ({ label: i, description: i === preferred ? 'default' : recent.includes(i) ? 'recent' : '' })),
    { title, placeHolder: 'Bar interval', ignoreFocusOut: true },
  );
  if (!pick || !isInterval(pick.label)) return undefined;
  await context.globalState.update(RECENT_INTERVALS, pushRecent(recent, pick.label));
  return pick.label;
}
