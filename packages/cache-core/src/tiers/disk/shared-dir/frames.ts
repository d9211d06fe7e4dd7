/**
 * Length-prefixed frames for the store protocol (docs/store-protocol.md): a JSON header plus
 * binary blobs. Pure: no sockets here.
 *
 * ```
 * u32 BE  body length (bytes after this field)
 * u32 BE  header length
 * …       header: UTF-8 JSON object; `blobs` lists the byte length of each blob, in order
 * …       the blobs, back to back
 * ```
 */

/** A frame larger than this is refused (a peer speaking something else, or a bug). */
export const MAX_FRAME_BYTES = 512 * 1024 * 1024;

export interface Frame {
  header: Record<string, unknown>;
  blobs: Uint8Array[];
}

/** Encodes one frame as a list of buffers (written with one writev by the socket). */
export function encodeFrame(header: Record<string, unknown>, blobs: readonly Uint8Array[] = []): Buffer[] {
  const json = Buffer.from(JSON.stringify(blobs.length === 0 ? header : { ...header, blobs: blobs.map((b) => b.byteLength) }), 'utf8');
  let body = 4 + json.length;
  for (const b of blobs) body += b.byteLength;
  if (body > MAX_FRAME_BYTES) throw new RangeError(`store protocol: frame of ${body} bytes exceeds ${MAX_FRAME_BYTES}`);
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32BE(body, 0);
  prefix.writeUInt32BE(json.length, 4);
  const out: Buffer[] = [prefix, json];
  for (const b of blobs) if (b.byteLength > 0) out.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return out;
}

/**
 * Reassembles frames from a byte stream, whatever the chunking. A frame's bytes are not joined into
 * one buffer: the header is read from the chunks that hold it, and each blob is a view of the
 * socket chunk it lies in (copied only when it straddles two chunks), so a large answer costs no
 * copy of its blocks.
 */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** Adds bytes; returns every frame completed by them. Throws on a malformed frame. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.#buffered < 8) break;
      const head = gather(this.#chunks, 0, 8);
      const body = readU32(head, 0);
      const headerLen = readU32(head, 4);
      if (body > MAX_FRAME_BYTES || headerLen + 4 > body) throw new RangeError(`store protocol: malformed frame (body ${body}, header ${headerLen})`);
      if (this.#buffered < 4 + body) break;
      frames.push(parseBody(this.#take(4 + body), headerLen));
    }
    return frames;
  }

  /** The next `n` bytes as the chunks (or parts of chunks) holding them, without copying. */
  #take(n: number): Buffer[] {
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= left) {
        out.push(first);
        this.#chunks.shift();
        left -= first.length;
      } else {
        out.push(first.subarray(0, left));
        this.#chunks[0] = first.subarray(left);
        left = 0;
      }
    }
    this.#buffered -= n;
    return out;
  }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/**
 * `len` bytes at `start` of the concatenation of `segs` from segment `from` on: a view when one
 * segment holds them, else a copy.
 */
function gather(segs: readonly Buffer[], start: number, len: number, from = 0): Uint8Array {
  let k = from;
  let pos = start;
  while (k < segs.length && pos >= segs[k]!.length) pos -= segs[k++]!.length;
  if (len === 0) return new Uint8Array(0);
  const seg = segs[k]!;
  if (pos + len <= seg.length) return seg.subarray(pos, pos + len);
  const out = new Uint8Array(len);
  let filled = 0;
  while (filled < len) {
    const s = segs[k++]!;
    const piece = s.subarray(pos, Math.min(s.length, pos + len - filled));
    out.set(piece, filled);
    filled += piece.length;
    pos = 0;
  }
  return out;
}

function parseBody(segs: Buffer[], headerLen: number): Frame {
  const total = segs.reduce((n, s) => n + s.length, 0);
  const json = Buffer.from(gather(segs, 8, headerLen)).toString('utf8');
  const header = JSON.parse(json) as unknown;
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new TypeError('store protocol: frame header is not an object');
  const h = header as Record<string, unknown>;
  const sizes = h.blobs;
  const blobs: Uint8Array[] = [];
  let pos = 8 + headerLen;
  if (Array.isArray(sizes)) {
    // Walks the segments once: blobs come in order.
    let k = 0;
    let base = 0;
    for (const size of sizes) {
      if (typeof size !== 'number' || !(size >= 0) || pos + size > total) throw new RangeError('store protocol: blob sizes do not match the frame');
      while (k < segs.length - 1 && pos >= base + segs[k]!.length) base += segs[k++]!.length;
      // A view, not a copy, unless the blob straddles two chunks: blobs are decoded (or written) at once and not kept.
      blobs.push(gather(segs, pos - base, size, k));
      pos += size;
    }
  }
  if (pos !== total) throw new RangeError('store protocol: frame has trailing bytes');
  return { header: h, blobs };
}
