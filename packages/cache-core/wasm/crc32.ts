// AssemblyScript: CRC-32 (IEEE 802.3, zlib's), as src/tiers/disk/bar-block-format.ts checks a
// block: slicing by eight, with the eight 256-entry tables built on first use.

const TABLES = memory.data(8 * 256 * 4);
let ready = false;

@inline function table(t: u32, i: u32): u32 {
  return load<u32>(TABLES + (<usize>t << 10) + (<usize>i << 2));
}

function build(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = (c & 1) != 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    store<u32>(TABLES + (<usize>i << 2), c);
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = table(0, i);
    for (let t: u32 = 1; t < 8; t++) {
      c = table(0, c & 0xff) ^ (c >>> 8);
      store<u32>(TABLES + (<usize>t << 10) + (<usize>i << 2), c);
    }
  }
  ready = true;
}

/** The CRC-32 of `len` bytes at `p`. */
export function crc32(p: usize, len: i32): u32 {
  if (!ready) build();
  let crc: u32 = 0xffffffff;
  while (len >= 8) {
    const a = load<u32>(p) ^ crc;
    const b = load<u32>(p + 4);
    crc =
      table(7, a & 0xff) ^
      table(6, (a >>> 8) & 0xff) ^
      table(5, (a >>> 16) & 0xff) ^
      table(4, a >>> 24) ^
      table(3, b & 0xff) ^
      table(2, (b >>> 8) & 0xff) ^
      table(1, (b >>> 16) & 0xff) ^
      table(0, b >>> 24);
    p += 8;
    len -= 8;
  }
  while (len > 0) {
    crc = table(0, (crc ^ <u32>load<u8>(p)) & 0xff) ^ (crc >>> 8);
    p++;
    len--;
  }
  return crc ^ 0xffffffff;
}
