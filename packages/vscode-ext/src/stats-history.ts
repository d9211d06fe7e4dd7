import { escapeHtml, formatPercent } from './format.js';

/** One point of the hit-rate chart. */
export interface HitRateSample {
  at: number;
  requests: number;
  hits: number;
}

/**
 * A bounded history of the aggregated counters, one sample per stats read (deduplicated when nothing
 * changed). The chart plots the hit rate *between* samples, so it shows what is happening now rather
 * than the lifetime average.
 */
export class StatsHistory {
  readonly #max: number;
  #samples: HitRateSample[] = [];

  constructor(max = 120) {
    this.#max = max;
  }

  get samples(): readonly HitRateSample[] {
    return this.#samples;
  }

  add(sample: HitRateSample): void {
    const last = this.#samples.at(-1);
    if (last && last.requests === sample.requests && last.hits === sample.hits) return;
    // Counters went down: a process went away. Start a new baseline rather than a negative rate.
    this.#samples.push(sample);
    if (this.#samples.length > this.#max) this.#samples.splice(0, this.#samples.length - this.#max);
  }

  clear(): void {
    this.#samples = [];
  }
}

/** Points (at, rate) from consecutive samples: the hit rate of the requests made in between. */
export function intervalRates(samples: readonly HitRateSample[]): { at: number; rate: number; requests: number }[] {
  const out: { at: number; rate: number; requests: number }[] = [];
  for (let i = 0; i < samples.length; i++) {
    const cur = samples[i]!;
    const prev = i > 0 ? samples[i - 1]! : undefined;
    let dr = prev ? cur.requests - prev.requests : cur.requests;
    let dh = prev ? cur.hits - prev.hits : cur.hits;
    if (dr < 0 || dh < 0) {
      dr = cur.requests;
      dh = cur.hits;
    }
    if (dr > 0) out.push({ at: cur.at, rate: Math.min(1, Math.max(0, dh / dr)), requests: dr });
  }
  return out;
}

/**
 * A small inline SVG line chart of the hit rate over time (0–100 %). Self-contained: no script,
 * no external resource, so it renders under a strict CSP.
 */
export function renderHitRateSvg(samples: readonly HitRateSample[], opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 480;
  const height = opts.height ?? 140;
  const pad = { left: 36, right: 8, top: 8, bottom: 20 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const points = intervalRates(samples);
  const y = (rate: number) => pad.top + h - rate * h;
  const grid = [0, 0.5, 1]
    .map(
      (r) =>
        `<line x1="${pad.left}" x2="${pad.left + w}" y1="${y(r).toFixed(1)}" y2="${y(r).toFixed(1)}" class="grid"/>` +
        `<text x="${pad.left - 4}" y="${(y(r) + 4).toFixed(1)}" text-anchor="end" class="axis">${r * 100}%</text>`,
    )
    .join('');
  let body: string;
  if (points.length === 0) {
    body = `<text x="${pad.left + w / 2}" y="${pad.top + h / 2}" text-anchor="middle" class="axis">no requests yet</text>`;
  } else {
    const t0 = points[0]!.at;
    const t1 = points.at(-1)!.at;
    const span = Math.max(1, t1 - t0);
    const x = (at: number) => (points.length === 1 ? pad.left + w : pad.left + ((at - t0) / span) * w);
    const coords = points.map((p) => `${x(p.at).toFixed(1)},${y(p.rate).toFixed(1)}`);
    const area = `M${x(t0).toFixed(1)},${y(0).toFixed(1)} L${coords.join(' L')} L${x(t1).toFixed(1)},${y(0).toFixed(1)} Z`;
    const last = points.at(-1)!;
    body =
      `<path d="${area}" class="area"/>` +
      `<polyline points="${coords.join(' ')}" class="line"/>` +
      points.map((p) => `<circle cx="${x(p.at).toFixed(1)}" cy="${y(p.rate).toFixed(1)}" r="2" class="dot"><title>${escapeHtml(new Date(p.at).toISOString().slice(11, 19))} UTC: ${formatPercent(p.rate)} of ${p.requests} requests</title></circle>`).join('') +
      `<text x="${pad.left}" y="${height - 4}" class="axis">${escapeHtml(new Date(t0).toISOString().slice(11, 19))}</text>` +
      `<text x="${pad.left + w}" y="${height - 4}" text-anchor="end" class="axis">${escapeHtml(new Date(t1).toISOString().slice(11, 19))} UTC · now ${formatPercent(last.rate)}</text>`;
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="Hit rate over time" ` +
    `viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${grid}${body}</svg>`
  );
}
