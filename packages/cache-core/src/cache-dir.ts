import os from 'node:os';
import path from 'node:path';

/**
 * Where the cache lives when no `dir` is given: $BARCACHE_DIR, else the OS cache folder
 * ($XDG_CACHE_HOME/barcache or ~/.cache/barcache on Linux, ~/Library/Caches/barcache on macOS,
 * %LOCALAPPDATA%\barcache on Windows). The CLI and the VS Code extension use the same rule.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BARCACHE_DIR) return path.resolve(env.BARCACHE_DIR);
  const home = os.homedir();
  switch (process.platform) {
    case 'darwin':
      return path.join(home, 'Library', 'Caches', 'barcache');
    case 'win32':
      return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'barcache');
    default:
      return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'barcache');
  }
}
