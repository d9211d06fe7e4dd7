// What a packaged VSIX holds, and whether its README (and CHANGELOG) only point at what it holds:
// the extension page renders them from the installed extension's folder, so an image or a relative
// link to a file that is not in the package (or outside it: `../../README.md`) is broken there.
//
// Relative images are broken on the extension page even when the file IS in the package: VS Code
// renders the README in a webview with no base URL and a CSP of `img-src https: data:`, and vsce
// only rewrites relative images to an https repository URL, which we do not have. So the packaged
// README gets its raster images inlined as data: URIs (`inlineImages`); the repository's README keeps
// the relative path, which GitHub and editors show.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** The files in a .vsix (a zip), from its central directory: name → read() of its bytes. */
export function vsixFiles(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    files.set(name, () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      if (method === 0) return data;
      if (method === 8) return zlib.inflateRawSync(data);
      throw new Error(`${file}: ${name} uses zip method ${method}`);
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const IMAGE_TYPES = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

/** `markdown` with each relative raster image (`![alt](docs/x.png)`) replaced by a data: URI of the file under `baseDir`. */
export function inlineImages(markdown, baseDir) {
  return markdown.replace(/(!\[(?:[^\]\\]|\\.)*\]\(\s*)([^)\s]+)((?:\s+"[^"]*")?\s*\))/g, (all, head, target, tail) => {
    const type = IMAGE_TYPES[path.extname(target).toLowerCase()];
    if (!type || /^[a-z][a-z0-9+.-]*:/i.test(target)) return all;
    const file = path.resolve(baseDir, decodeURI(target));
    if (!fs.existsSync(file)) throw new Error(`README image ${target} does not exist (${file})`);
    return `${head}data:${type};base64,${fs.readFileSync(file).toString('base64')}${tail}`;
  });
}

/** Every link and image target of a markdown text: `[..](target)`, `![..](target)`, `<img src="target">`. */
export function markdownTargets(text) {
  const md = [...text.matchAll(/(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({ target: m[2], image: m[1] === '!' }));
  const html = [...text.matchAll(/<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)].map((m) => ({ target: m[1], image: true }));
  return [...md, ...html];
}

/**
 * What is broken on the extension page: each relative image of `docFile` (a path inside the package,
 * e.g. `README.md`), and each relative link that leaves the package or is not in it. Absolute URLs,
 * data: images, `command:` links and in-page anchors are fine.
 */
export function docLinkProblems(docFile, text, entries) {
  const files = new Set(entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length)));
  const problems = [];
  for (const { target, image } of markdownTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    if (image) {
      problems.push(`${docFile}: image "${target}" is relative; the extension page shows only https: and data: images`);
      continue;
    }
    const rel = decodeURI(target.split('#')[0].split('?')[0]);
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(docFile), rel));
    if (rel.startsWith('/') || resolved.startsWith('../')) problems.push(`${docFile}: "${target}" points outside the extension`);
    else if (!files.has(resolved)) problems.push(`${docFile}: "${target}" is not in the VSIX`);
  }
  return problems;
}

/** Throws when the README or CHANGELOG packaged in `vsix` links to something the VSIX does not carry. */
export function checkVsixDocs(vsix) {
  const files = vsixFiles(vsix);
  const entries = [...files.keys()];
  const problems = [];
  for (const doc of ['README.md', 'CHANGELOG.md']) {
    // vsce stores them as readme.md and changelog.md.
    const read = files.get(`extension/${doc}`) ?? files.get(`extension/${doc.toLowerCase()}`);
    if (!read) {
      problems.push(`${doc} is not in the VSIX`);
      continue;
    }
    problems.push(...docLinkProblems(doc, read().toString('utf8'), entries));
  }
  if (problems.length > 0) throw new Error(`${path.basename(vsix)}: what the extension page shows is broken:\n  ${problems.join('\n  ')}`);
  return entries;
}
