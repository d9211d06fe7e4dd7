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

/** Reassembles frames from a byte stream, whatever the chunking. */
export class FrameReader {
  #chunks: Buffer[] = [];
  #buffered = 0;

  /** Adds bytes; returns every frame completed by them. Throws on a malformed frame. */
  push(chunk: Buffer): Frame[] {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.#buffered < 8) break;
      const head = this.#peek(8);
      const body = head.readUInt32BE(0);
      const headerLen = head.readUInt32BE(4);
      if (body > MAX_FRAME_BYTES || headerLen + 4 > body) throw new RangeError(`store protocol: malformed frame (body ${body}, header ${headerLen})`);
      if (this.#buffered < 4 + body) break;
      const bytes = this.#take(4 + body);
      frames.push(parseBody(bytes, headerLen));
    }
    return frames;
  }

  /** The first `n` buffered bytes, contiguous (joins only the chunks that hold them). */
  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#join(n);
    return this.#chunks[0]!;
  }

  #take(n: number): Buffer {
    if (this.#chunks[0]!.length < n) this.#join(n);
    const first = this.#chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return out;
  }

  /** Merges leading chunks until the first holds at least `n` bytes. */
  #join(n: number): void {
    let k = 0;
    let len = 0;
    while (len < n) len += this.#chunks[k++]!.length;
    this.#chunks.splice(0, k, Buffer.concat(this.#chunks.slice(0, k), len));
  }
}

function parseBody(bytes: Buffer, headerLen: number): Frame {
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLen)) as unknown;
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new TypeError('store protocol: frame header is not an object');
  const h = header as Record<string, unknown>;
  const sizes = h.blobs;
  const blobs: Uint8Array[] = [];
  let pos = 8 + headerLen;
  if (Array.isArray(sizes)) {
    for (const size of sizes) {
      if (typeof size !== 'number' || !(size >= 0) || pos + size > bytes.length) throw new RangeError('store protocol: blob sizes do not match the frame');
      // A view, not a copy: blobs are decoded (or written) at once and not kept.
      blobs.push(new Uint8Array(bytes.buffer, bytes.byteOffset + pos, size));
      pos += size;
    }
  }
  if (pos !== bytes.length) throw new RangeError('store protocol: frame has trailing bytes');
  return { header: h, blobs };
}
