import { randomBytes } from 'node:crypto';
import { escapeHtml, formatAgo, formatBytes, formatCount, formatPercent } from './format.js';
import { type HitRateSample, renderHitRateSvg } from './stats-history.js';
import { lastWarmText, type RunView, type StatsView } from './stats-model.js';
import { sharedStateText } from './shared-tier-view.js';

/**
 * The stats webview's HTML. The page shell has a strict CSP (nothing but our nonce'd style and
 * script); updates arrive as messages carrying a new body, rendered here from plain data.
 */
export function renderStatsPage(opts: { nonce: string; cspSource: string; body: string }): string {
  const { nonce, cspSource } = opts;
  const csp = [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Barcache Stats</title>
<style nonce="${nonce}">
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 16px 16px; }
  h1 { font-size: 1.3em; font-weight: 600; }
  h2 { font-size: 1.05em; font-weight: 600; margin-top: 1.4em; }
  table { border-collapse: collapse; min-width: 420px; }
  th, td { padding: 3px 10px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
  th { text-align: left; font-weight: 600; }
  td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .big { font-size: 2em; font-weight: 600; }
  .muted { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); }
  svg.chart .grid { stroke: var(--vscode-panel-border, #8884); stroke-width: 1; }
  svg.chart .axis { fill: var(--vscode-descriptionForeground); font-size: 10px; }
  svg.chart .line { fill: none; stroke: var(--vscode-charts-green, #3c3); stroke-width: 2; }
  svg.chart .area { fill: var(--vscode-charts-green, #3c3); opacity: 0.15; }
  svg.chart .dot { fill: var(--vscode-charts-green, #3c3); }
</style>
</head>
<body>
<div id="root">${opts.body}</div>
<script nonce="${nonce}">
  const root = document.getElementById('root');
  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg && msg.type === 'update' && typeof msg.body === 'string') root.innerHTML = msg.body;
  });
</script>
</body>
</html>`;
}

/**
 * The recent runs of the cache dir (its run history: every process's final figures, kept when it
 * closed the cache), newest first; the same list `barcache stats` prints.
 */
export function renderRunsTable(runs: readonly RunView[], now: number): string {
  if (runs.length === 0) return '<p class="muted" id="runs">No runs recorded yet: a warm, an import or a backtest leaves its figures here when it closes the cache.</p>';
  const rows = runs
    .map(
      (r) =>
        `<tr><td>${escapeHtml(formatAgo(r.endedAt, now))}</td><td>${escapeHtml(r.label || 'process')}</td><td class="n">${r.pid}</td>` +
        `<td class="n">${formatCount(r.requests)}</td><td class="n">${r.requests > 0 ? formatPercent(r.hitRate) : '–'}</td>` +
        `<td class="n">${formatCount(r.providerCalls)}</td><td class="n">${formatCount(r.barsFetched)}</td><td class="n">${formatCount(r.providerErrors)}</td></tr>`,
    )
    .join('');
  return (
    `<table id="runs"><thead><tr><th>Ended</th><th>Run</th><th>pid</th><th>Requests</th><th>Hit rate</th><th>Provider calls</th><th>Bars fetched</th><th>Errors</th></tr></thead>` +
    `<tbody>${rows}</tbody></table>`
  );
}

/** The page body for a StatsView, the hit-rate history and the cache dir's recent runs. */
export function renderStatsBody(view: StatsView, history: readonly HitRateSample[], now: number, runs: readonly RunView[] = []): string {
  const t = view.totals;
  const row = (name: string, hits: string, misses: string, bytes: string, extra: string) =>
    `<tr><th>${name}</th><td class="n">${hits}</td><td class="n">${misses}</td><td class="n">${bytes}</td><td class="n">${extra}</td></tr>`;
  const processes =
    view.processes.length === 0
      ? '<p class="muted">No process is using the cache right now.</p>'
      : `<table><thead><tr><th>Process</th><th>pid</th><th>Requests</th><th>Hit rate</th><th>Updated</th></tr></thead><tbody>${view.processes
          .map(
            (p) =>
              `<tr><td>${escapeHtml(p.label || 'process')}${p.closed ? ' <span class="muted">(closed)</span>' : ''}</td><td class="n">${p.pid}</td>` +
              `<td class="n">${p.requests}</td><td class="n">${formatPercent(p.hitRate)}</td><td class="n">${escapeHtml(formatAgo(p.updatedAt, now))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return [
    `<h1>Barcache</h1>`,
    `<p class="muted">${escapeHtml(view.dir)}${view.offline ? ' · offline mode' : ''}</p>`,
    view.error ? `<p class="error">${escapeHtml(view.error)}</p>` : '',
    `<p><span class="big" id="hit-rate">${formatPercent(t.hitRate)}</span> hit rate · ` +
      `<b>${formatCount(t.requests)}</b> requests · <b>${formatCount(t.providerCallsSaved)}</b> provider calls saved</p>`,
    `<h2>Tiers</h2>`,
    `<table id="tiers"><thead><tr><th>Tier</th><th>Hits</th><th>Misses</th><th>Bytes</th><th></th></tr></thead><tbody>`,
    row('Memory (L1)', String(t.l1.hits), String(t.l1.misses), formatBytes(t.l1.bytes), `${t.l1.entries} series resident`),
    row('Disk (L2)', String(t.l2.hits), String(t.l2.misses), formatBytes(t.l2.bytes), `${t.l2.series} series stored`),
    ...(t.shared
      ? [
          row(
            'Team (Redis)',
            String(t.shared.hits),
            String(t.shared.misses),
            formatBytes(t.shared.bytesRead + t.shared.bytesWritten),
            `${formatCount(t.shared.leasesWaited)} leases waited · ${formatCount(t.shared.faults)} faults`,
          ),
        ]
      : []),
    row('Provider', `${t.provider.calls} calls`, `${t.provider.errors} errors`, '', `${formatCount(t.provider.bars)} bars fetched`),
    `</tbody></table>`,
    t.shared
      ? `<p id="shared" class="${t.shared.status === 'unavailable' ? 'error' : 'muted'}">Team cache ${escapeHtml(sharedStateText(t.shared, now))}</p>`
      : '',
    `<h2>Hit rate over time</h2>`,
    renderHitRateSvg(history),
    `<h2>Processes</h2>`,
    processes,
    `<h2>Recent runs</h2>`,
    renderRunsTable(runs, now),
    `<h2>Last warm</h2>`,
    `<p>${escapeHtml(lastWarmText(view.lastWarm, t.prefetch.lastAt, now))}</p>`,
    `<p class="muted">Updated ${escapeHtml(new Date(view.readAt).toISOString().slice(11, 19))} UTC</p>`,
  ].join('\n');
}

/** A nonce for the CSP: 128 bits from the OS's CSPRNG, base64url (22 characters from [A-Za-z0-9_-]). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64url');
}
