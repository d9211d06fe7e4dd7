/**
 * The `barcache` command line: commander setup, global options, error → exit code.
 * `runCli` never calls process.exit and never touches `process` directly: main.ts passes the
 * real streams, env and cache factory in, tests may pass their own.
 */
import { Command, CommanderError, Option } from 'commander';
import type { CliContext, CliDeps, CliIo } from './context.js';
import { ExitCode, exitCodeFor, formatError } from './exit-codes.js';
import { resolveGlobalOptions, type GlobalOptions, type RawGlobalOptions } from './options.js';
import { clearCommand } from './commands/clear.js';
import { explainCommand } from './commands/explain.js';
import { importCommand } from './commands/import.js';
import { lsCommand } from './commands/ls.js';
import { repairCommand } from './commands/repair.js';
import { statsCommand } from './commands/stats.js';
import { warmCommand } from './commands/warm.js';

export interface RunOptions {
  /** Shown by --version. */
  version?: string;
}

export function buildProgram(ctx: CliContext, setExit: (code: number) => void, options: RunOptions = {}): Command {
  const program = new Command('barcache')
    .description('Barcache: a market-data cache for backtests (memory → LevelDB → Yahoo).')
    .version(options.version ?? '0.0.0', '-V, --version')
    .addOption(new Option('--dir <path>', 'cache directory (default: $BARCACHE_DIR, else the OS cache dir, ~/.cache/barcache on Linux)'))
    .addOption(new Option('--offline', 'never call the provider; a miss is an OFFLINE_MISS error (also: BARCACHE_OFFLINE=1)'))
    .addOption(new Option('-q, --quiet', 'print only errors (and --json output)'))
    .addOption(new Option('--no-progress', 'no progress bars (they are off anyway when stdout is not a terminal)'))
    .addOption(new Option('--shared <url>', 'team cache: a Redis between the local disk and the provider, redis://[user:password@]host:6379 (default: $BARCACHE_SHARED_URL)'))
    .addOption(new Option('--no-shared', 'no team cache, even when BARCACHE_SHARED_URL is set'))
    .addOption(new Option('--lock-timeout <ms>', 'how long to wait for another process to release the cache dir').hideHelp())
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      [
        '',
        'Exit status: 0 ok, 1 failed (provider, offline miss, a symbol that failed to warm),',
        '             2 bad input or usage (INVALID_FILE, NO_CACHE too), 3 the cache dir is locked by another process.',
        'Environment: BARCACHE_DIR (cache dir), BARCACHE_YAHOO_BASE_URL (Yahoo endpoint, e.g. a test server),',
        '             BARCACHE_SHARED_URL, BARCACHE_SHARED_PREFIX, BARCACHE_SHARED_CLUSTER=1 (team cache on Redis; docs/shared-tier.md).',
      ].join('\n'),
    );

  for (const cmd of [
    warmCommand(ctx, setExit),
    importCommand(ctx, setExit),
    statsCommand(ctx),
    lsCommand(ctx),
    clearCommand(ctx, setExit),
    explainCommand(ctx),
    repairCommand(ctx),
  ]) {
    program.addCommand(cmd);
  }
  configureRecursively(program, ctx);
  return program;
}

function configureRecursively(cmd: Command, ctx: CliContext): void {
  cmd.exitOverride();
  // A subcommand's --help also lists --dir, --offline, --quiet…
  cmd.configureHelp({ showGlobalOptions: true });
  cmd.configureOutput({
    writeOut: (s) => void ctx.io.stdout.write(s),
    writeErr: (s) => void ctx.io.stderr.write(s),
    outputError: (s, write) => write(s.replace(/^error: /, 'barcache: usage: ')),
  });
  for (const sub of cmd.commands) configureRecursively(sub, ctx);
}

/** Parses `argv` (without node and the script), runs the command, resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps, options: RunOptions = {}): Promise<number> {
  let exitCode: number = ExitCode.OK;
  let program: Command | undefined;
  let globals: GlobalOptions | undefined;
  const ctx: CliContext = {
    io,
    deps,
    globals() {
      if (!globals) {
        const raw = (program?.opts() ?? {}) as RawGlobalOptions;
        globals = resolveGlobalOptions(raw, io.env, deps.defaultCacheDir, io.stdout.isTTY === true && io.progressStream !== undefined);
      }
      return globals;
    },
    out: (text) => void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void io.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  program = buildProgram(ctx, setExit, options);
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.OK;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with exitCode 0; everything else is a usage error.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.BAD_INPUT;
    }
    ctx.err(formatError(err, isTruthy(io.env['BARCACHE_DEBUG'])));
    return exitCodeFor(err);
  }
}

function isTruthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v);
}
