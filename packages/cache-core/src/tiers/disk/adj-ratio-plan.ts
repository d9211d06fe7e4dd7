/**
 * Planning (encoding) an adjClose column in the RATIO mode (layout in adj-ratio.ts): split the
 * block into runs where one factor f rebuilds adjClose from close, pick each run's factor, and list
 * the bars it does not rebuild bit for bit as exceptions. Pure; the caller compares the planned
 * size with the other modes and keeps the smallest.
 */
import { MAX_K, MAX_SCALED, MODE_RATIO, POW10, varintLength, zigzag, type Writer } from './bar-block-format.js';
import {
  CODE_NAN,
  CODE_RAW,
  CODE_RESIDUAL,
  DEC_F32_ORIGIN,
  DENSE_EXCEPTIONS,
  FACTOR_F32,
  FACTOR_F64,
  FACTOR_ONE,
  KIND_DEC,
  KIND_F32,
  KIND_F64,
  float32Bits,
  float32OfBits,
  rebuild,
} from './adj-ratio.js';

export interface RatioPlan {
  mode: number;
  param: number;
  length: number;
  write: (w: Writer) => void;
}

interface Kind {
  kind: number;
  k: number;
  f32Origin: boolean;
  p: number;
}

interface Run {
  start: number;
  end: number;
  f: number;
  tag: number;
}

interface Exception {
  index: number;
  code: number;
}

const FACTOR_BYTES = [8, 4, 0];

/**
 * Relative widenings of each bar's factor interval tried when splitting runs: exact, then loose
 * enough that a source rounding off by an ulp or two (a factor applied one event at a time) keeps
 * one run per dividend and pays dense one-byte residuals instead of a run per few bars. A dividend
 * or split moves the factor by far more than the widest.
 */
const SLACKS = [0, 2 ** -22, 2 ** -17];

function factorTag(f: number): number {
  if (f === 1) return FACTOR_ONE;
  return Object.is(Math.fround(f), f) ? FACTOR_F32 : FACTOR_F64;
}

/** Whether `a` is exactly m / 10^k for an integer m (then float32'd for a float32-origin column). */
function decimalFits(a: number, p: number, f32Origin: boolean): boolean {
  const m = Math.round(a * p);
  if (!(Math.abs(m) <= MAX_SCALED)) return false;
  return Object.is(f32Origin ? Math.fround(m / p) : m / p, a);
}

/**
 * The interval of factors that rebuild `a` from close `c` (a little narrower than exact, since
 * each candidate is verified bit for bit anyway), or false when the bar cannot constrain a factor.
 */
function factorInterval(kind: Kind, a: number, c: number, out: Float64Array, i: number, slack: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(c) || a === 0 || c === 0) return false;
  let lo: number;
  let hi: number;
  if (kind.kind === KIND_F32) {
    if (!Object.is(Math.fround(a), a)) return false;
    const mag = Math.abs(a);
    const bits = float32Bits(mag);
    const above = float32OfBits(bits + 1) - mag;
    const below = mag - float32OfBits(bits - 1);
    lo = a > 0 ? a - 0.49 * below : a - 0.49 * above;
    hi = a > 0 ? a + 0.49 * above : a + 0.49 * below;
  } else if (kind.kind === KIND_F64) {
    const h = Math.abs(a) * 2 ** -54 * 0.99;
    lo = a - h;
    hi = a + h;
  } else {
    if (!decimalFits(a, kind.p, kind.f32Origin)) return false;
    const m = Math.round(a * kind.p);
    lo = (m - 0.49) / kind.p;
    hi = (m + 0.49) / kind.p;
  }
  const flo = c > 0 ? lo / c : hi / c;
  const fhi = c > 0 ? hi / c : lo / c;
  out[2 * i] = flo - Math.abs(flo) * slack;
  out[2 * i + 1] = fhi + Math.abs(fhi) * slack;
  return true;
}

/** The exception code for bar value `a` where its run rebuilds `r`. */
function exceptionCode(kind: Kind, a: number, r: number): number {
  if (Number.isNaN(a)) return CODE_NAN;
  if (!Number.isFinite(a) || !Number.isFinite(r)) return CODE_RAW;
  if (kind.kind === KIND_F32) {
    if (!Object.is(Math.fround(a), a)) return CODE_RAW;
    return CODE_RESIDUAL + zigzag(float32Bits(a) - float32Bits(r));
  }
  if (kind.kind === KIND_DEC) {
    // Counted from the rebuilt value's own decimal integer (what the decoder has at hand).
    const mr = Math.round(r * kind.p);
    const ma = Math.round(a * kind.p);
    if (!(Math.abs(mr) <= MAX_SCALED) || !(Math.abs(ma) <= MAX_SCALED)) return CODE_RAW;
    const d = ma - mr;
    const v = (mr + d) / kind.p;
    // A zero residual that changes the value (-0 → 0) would read as "keep" in the dense form.
    if (d === 0 || !Object.is(kind.f32Origin ? Math.fround(v) : v, a)) return CODE_RAW;
    return CODE_RESIDUAL + zigzag(d);
  }
  return CODE_RAW;
}

function codeBytes(code: number): number {
  return varintLength(code) + (code === CODE_RAW ? 8 : 0);
}

/** Bytes of run [s, e) with factor f (its exceptions' gaps counted as one byte each). */
function runCost(kind: Kind, adj: Float64Array, close: Float64Array, s: number, e: number, f: number): number {
  let cost = FACTOR_BYTES[factorTag(f)]!;
  for (let i = s; i < e; i++) {
    const a = adj[i]!;
    const r = rebuild(kind.kind, close[i]!, f, kind.p, kind.f32Origin);
    if (!Object.is(r, a)) cost += 1 + codeBytes(exceptionCode(kind, a, r));
  }
  return cost;
}

/** Splits the bars into runs of one factor: a bar that fits neither the run nor is followed by one that does starts a new run. */
function splitRuns(bounds: Float64Array, constrained: Uint8Array, n: number): { start: number; lo: number; hi: number }[] {
  const runs: { start: number; lo: number; hi: number }[] = [];
  let lo = -Infinity;
  let hi = Infinity;
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (!constrained[i]) continue;
    const nl = Math.max(lo, bounds[2 * i]!);
    const nh = Math.min(hi, bounds[2 * i + 1]!);
    if (nl <= nh) {
      lo = nl;
      hi = nh;
      continue;
    }
    let j = i + 1;
    while (j < n && !constrained[j]) j++;
    // One odd bar inside a run: leave it to the exceptions.
    if (j < n && Math.max(lo, bounds[2 * j]!) <= Math.min(hi, bounds[2 * j + 1]!)) continue;
    runs.push({ start, lo, hi });
    start = i;
    lo = bounds[2 * i]!;
    hi = bounds[2 * i + 1]!;
  }
  runs.push({ start, lo, hi });
  return runs;
}

function candidates(kind: Kind, adj: Float64Array, close: Float64Array, s: number, e: number, lo: number, hi: number): number[] {
  const out = [1];
  if (lo <= hi && Number.isFinite(lo) && Number.isFinite(hi)) {
    const mid = lo + (hi - lo) / 2;
    out.push(mid, Math.fround(mid));
  }
  let seen = 0;
  for (let i = s; i < e && seen < 2; i++) {
    const q = adj[i]! / close[i]!;
    if (Number.isFinite(q) && q !== 0) {
      out.push(q);
      seen++;
    }
  }
  if (kind.kind === KIND_F64 && out.length > 1) {
    const m = out[1]!;
    out.push(m * (1 + 2 ** -52), m * (1 - 2 ** -53));
  }
  return out;
}

function planKind(kind: Kind, adj: Float64Array, close: Float64Array, slack: number): { length: number; runs: Run[]; exceptions: Exception[]; dense: boolean } {
  const n = adj.length;
  const bounds = new Float64Array(2 * n);
  const constrained = new Uint8Array(n);
  for (let i = 0; i < n; i++) constrained[i] = factorInterval(kind, adj[i]!, close[i]!, bounds, i, slack) ? 1 : 0;
  const split = splitRuns(bounds, constrained, n);
  const runs: Run[] = [];
  for (let r = 0; r < split.length; r++) {
    const { start, lo, hi } = split[r]!;
    const end = r + 1 < split.length ? split[r + 1]!.start : n;
    let best = 1;
    let bestCost = Infinity;
    for (const f of candidates(kind, adj, close, start, end, lo, hi)) {
      const cost = runCost(kind, adj, close, start, end, f);
      if (cost < bestCost) {
        bestCost = cost;
        best = f;
      }
    }
    runs.push({ start, end, f: best, tag: factorTag(best) });
  }
  const exceptions: Exception[] = [];
  let length = varintLength(runs.length);
  for (const run of runs) {
    length += varintLength((run.end - run.start) * 4 + run.tag) + FACTOR_BYTES[run.tag]!;
    for (let i = run.start; i < run.end; i++) {
      const a = adj[i]!;
      const r = rebuild(kind.kind, close[i]!, run.f, kind.p, kind.f32Origin);
      if (!Object.is(r, a)) exceptions.push({ index: i, code: exceptionCode(kind, a, r) });
    }
  }
  let sparse = varintLength(exceptions.length);
  let dense = n - exceptions.length; // code 2 (one byte) for every bar rebuilt as is
  let prev = -1;
  for (const e of exceptions) {
    sparse += varintLength(e.index - prev - 1) + codeBytes(e.code);
    dense += codeBytes(e.code);
    prev = e.index;
  }
  return { length: length + Math.min(sparse, dense), runs, exceptions, dense: dense < sparse };
}

/** The kinds worth trying on this column: F32 and F64 always, DEC at the scale its values have. */
function kindsFor(adj: Float64Array): Kind[] {
  const kinds: Kind[] = [
    { kind: KIND_F32, k: 0, f32Origin: false, p: 1 },
    { kind: KIND_F64, k: 0, f32Origin: false, p: 1 },
  ];
  let allF32 = true;
  for (let i = 0; i < adj.length; i++) if (Number.isFinite(adj[i]!) && !Object.is(Math.fround(adj[i]!), adj[i]!)) allF32 = false;
  for (const f32Origin of allF32 ? [false, true] : [false]) {
    outer: for (let k = 0; k <= MAX_K; k++) {
      const p = POW10[k]!;
      for (let i = 0; i < adj.length; i++) {
        const a = adj[i]!;
        if (Number.isFinite(a) && !decimalFits(a, p, f32Origin)) continue outer;
      }
      kinds.push({ kind: KIND_DEC, k, f32Origin, p });
      break;
    }
  }
  return kinds;
}

/** The smallest RATIO plan for an adjClose column given the block's close column. */
export function planRatioColumn(adj: Float64Array, close: Float64Array): RatioPlan {
  let best: (ReturnType<typeof planKind> & { kind: Kind }) | undefined;
  for (const kind of kindsFor(adj)) {
    for (const slack of SLACKS) {
      const plan = planKind(kind, adj, close, slack);
      if (best === undefined || plan.length < best.length) best = { ...plan, kind };
    }
  }
  const { kind, runs, exceptions, length, dense } = best!;
  const param = kind.kind | (kind.f32Origin ? DEC_F32_ORIGIN : 0) | (dense ? DENSE_EXCEPTIONS : 0) | (kind.k << 4);
  return {
    mode: MODE_RATIO,
    param,
    length,
    write: (w) => {
      w.varint(runs.length);
      for (const run of runs) {
        w.varint((run.end - run.start) * 4 + run.tag);
        if (run.tag === FACTOR_F64) {
          w.view.setFloat64(w.pos, run.f, true);
          w.pos += 8;
        } else if (run.tag === FACTOR_F32) {
          w.view.setFloat32(w.pos, run.f, true);
          w.pos += 4;
        }
      }
      if (dense) {
        let next = 0;
        for (const e of exceptions) {
          for (; next < e.index; next++) w.varint(CODE_RESIDUAL);
          next++;
          w.varint(e.code);
          if (e.code === CODE_RAW) {
            w.view.setFloat64(w.pos, adj[e.index]!, true);
            w.pos += 8;
          }
        }
        for (; next < adj.length; next++) w.varint(CODE_RESIDUAL);
        return;
      }
      w.varint(exceptions.length);
      let prev = -1;
      for (const e of exceptions) {
        w.varint(e.index - prev - 1);
        w.varint(e.code);
        if (e.code === CODE_RAW) {
          w.view.setFloat64(w.pos, adj[e.index]!, true);
          w.pos += 8;
        }
        prev = e.index;
      }
    },
  };
}
