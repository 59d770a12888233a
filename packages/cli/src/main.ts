#!/usr/bin/env node
// The `wafer` command: parses the command line (yargs), builds the logger, runs a command, and maps errors to
// one line (and, with --json, one JSON object on stdout) and an exit code (2: usage, 1: anything else, 130 and
// 143: interrupted by SIGINT or SIGTERM). The only place that sets exit codes.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkLocalHeapBound, usageError, WaferError, type ErrorCode } from '@wafer/arch';
import { destroyAllFabrics } from '@wafer/fabric';
import { createLogger } from './logger.js';
import type { Context } from './context.js';

type Handler = (argv: never, ctx: Context) => Promise<void>;

/** A command's flags and its handler, from its module. */
interface LoadedCommand {
  builder: (y: Argv) => Argv;
  handler: Handler;
}

/**
 * Every command, by name: its usage and description, and its module, imported only when that command runs (each
 * pulls in packages the others do not need: importing all of them took 330 ms, `run` alone 200 ms).
 */
const COMMANDS: Record<string, { usage: string; describe: string; load: () => Promise<LoadedCommand> }> = {
  run: { usage: 'run', describe: 'generate text from a checkpoint', load: async () => { const m = await import('./commands/run.js'); return { builder: m.runBuilder, handler: m.runCommand }; } },
  inspect: { usage: 'inspect <model>', describe: "show a checkpoint's format, shape, tensors and tokenizer", load: async () => { const m = await import('./commands/inspect.js'); return { builder: m.inspectBuilder, handler: m.inspectCommand }; } },
  synth: { usage: 'synth', describe: 'write a seeded random-weight checkpoint of a named or given shape', load: async () => { const m = await import('./commands/synth.js'); return { builder: m.synthBuilder, handler: m.synthCommand }; } },
  quantize: { usage: 'quantize <in> <out>', describe: 'write any checkpoint as a GGUF of one tensor type (Q4_K, Q6_K, Q8_0, Q4_0, …)', load: async () => { const m = await import('./commands/quantize.js'); return { builder: m.quantizeBuilder, handler: m.quantizeCommand }; } },
  bench: { usage: 'bench', describe: 'llama-bench for the emulator: prompt and generation tok/s, modeled and wall-clock', load: async () => { const m = await import('./commands/bench.js'); return { builder: m.benchBuilder, handler: m.benchCommand }; } },
  estimate: { usage: 'estimate', describe: 'predict a full-size model on a wafer-scale mesh with the analytical PLMR model', load: async () => { const m = await import('./commands/estimate.js'); return { builder: m.estimateBuilder, handler: m.estimateCommand }; } },
  serve: { usage: 'serve', describe: 'serve a model on the emulated mesh over an OpenAI-compatible HTTP API, with modeled latency per request', load: async () => { const m = await import('./commands/serve.js'); return { builder: m.serveBuilder, handler: m.serveCommand }; } },
  host: { usage: 'host', describe: "serve a band of a mesh to a coordinator's --hosts (a tile host, over ZeroMQ)", load: async () => { const m = await import('./commands/host.js'); return { builder: m.hostBuilder, handler: m.hostCommand }; } },
  kernel: { usage: 'kernel <op>', describe: 'run one mesh kernel (gemm, gemv, shift) against its reference, or compare the algorithms', load: async () => { const m = await import('./commands/kernel.js'); return { builder: m.kernelBuilder, handler: m.kernelCommand }; } },
  report: { usage: 'report <record>', describe: 'write the HTML report page of a saved run record (--save-run)', load: async () => { const m = await import('./commands/report.js'); return { builder: m.reportBuilder, handler: m.reportCommand }; } },
};

/** Exit codes of a command stopped by a signal (128 + the signal's number, as shells report them). */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof SIGNAL_EXIT_CODES;
/** Commands with a --json option: their failures are one JSON object on stdout too. */
const JSON_COMMANDS = new Set(['run', 'bench', 'estimate', 'inspect', 'kernel']);
/**
 * Commands that run worker threads and handle SIGINT and SIGTERM themselves. The others keep the default
 * (the process ends at once), which a long synchronous step (quantizing a large model) would otherwise delay.
 */
const SIGNAL_COMMANDS = new Set(['run', 'bench', 'kernel']);
/** How long an interrupted command may take to release its worker threads before the process exits anyway. */
const RELEASE_MS = 500;

export interface MainOptions {
  /**
   * Where SIGINT and SIGTERM arrive (the process, for the real command); without it they are not handled. Only
   * the commands that run worker threads (SIGNAL_COMMANDS) listen.
   */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

export async function main(
  args: string[],
  io: Pick<Context, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr },
  options: MainOptions = {},
): Promise<number> {
  const verbose = args.includes('--verbose');
  // The command, first guessed: the first word that names one (options may come before it), else the first word.
  // If yargs finds another (an option's value before it named a command), that one is loaded and parsed instead.
  let command = args.find((a) => Object.hasOwn(COMMANDS, a)) ?? args.find((a) => !a.startsWith('-')) ?? '';
  let json = args.includes('--json') && JSON_COMMANDS.has(command);
  let signals: MainOptions['signals'];
  const log = createLogger({ verbose, level: process.env.WAFER_LOG_LEVEL });
  let wroteStdout = false;
  const stdout = { write: (s: string) => ((wroteStdout ||= s !== ''), io.stdout.write(s)) };
  const interruption = new AbortController();
  const ctx: Context = { log, verbose, stdout, stderr: io.stderr, interrupted: interruption.signal };
  // With --json, a failure is one JSON object on stdout too, unless the command already printed its own.
  const report = (err: unknown): number => reportError(err, ctx, json && !wroteStdout);
  let interruptedBy: StopSignal | undefined;
  let pending: Promise<void> | undefined;
  const wrap = (h: Handler) => (argv: unknown) => { pending = h(argv as never, ctx); };

  let onSignal: (signal: StopSignal) => void = () => undefined;
  const interrupted = new Promise<number>((resolve) => {
    onSignal = (signal) => {
      if (interruptedBy !== undefined) return; // the first signal is already stopping the command
      interruptedBy = signal;
      const err = new WaferError('INTERRUPTED', `interrupted by ${signal}`);
      interruption.abort(err);
      report(err);
      // Terminate the worker threads whatever the command was doing with them; what it wrote is already out.
      const released = destroyAllFabrics();
      void Promise.race([released, new Promise((r) => setTimeout(r, RELEASE_MS).unref())]).then(() => resolve(SIGNAL_EXIT_CODES[signal]));
    };
  });
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, () => onSignal(signal)] as const);
  /** Settles what depends on the command: --json errors, and the signal listeners of the commands that want them. */
  const commandIs = (name: string): void => {
    command = name;
    json = args.includes('--json') && JSON_COMMANDS.has(command);
    if (signals === undefined && SIGNAL_COMMANDS.has(command) && options.signals !== undefined) {
      signals = options.signals;
      for (const [signal, listener] of listeners) signals.on(signal, listener);
    }
  };
  commandIs(command);
  const work = (async () => {
    checkLocalHeapBound(); // every thread's heap reads it; a bad value is a usage error here, not a dead worker
    // Only the command's module is imported; the others are listed (help, strict parsing) and never run.
    for (let attempt = 0; ; attempt++) {
      const selected = Object.hasOwn(COMMANDS, command) ? { name: command, ...(await COMMANDS[command].load()) } : undefined;
      try {
        await buildCli(args, wrap, selected).parseAsync();
        break;
      } catch (err) {
        if (!(err instanceof NotLoaded) || attempt > 0) throw err;
        commandIs(err.command);
      }
    }
    if (pending) await pending;
    return 0;
  })().catch((err: unknown) => (interruptedBy !== undefined ? SIGNAL_EXIT_CODES[interruptedBy] : report(err)));
  try {
    return await Promise.race([work, interrupted]);
  } finally {
    for (const [signal, listener] of listeners) signals?.off(signal, listener);
  }
}

/** Thrown when yargs picks a command whose module was not loaded: main loads it and parses again. */
class NotLoaded extends Error {
  constructor(readonly command: string) {
    super(`command '${command}' is not loaded`);
  }
}

/** The yargs parser: every command listed (for the help and for strict parsing), the `selected` one runnable. */
function buildCli(args: string[], wrap: (h: Handler) => (argv: unknown) => void, selected: (LoadedCommand & { name: string }) | undefined): Argv {
  let cli = yargs(args);
  skipHelpCache(cli);
  cli = cli.scriptName('wafer').usage('$0 <command> [options]');
  for (const [name, c] of Object.entries(COMMANDS)) {
    if (selected?.name === name) cli = cli.command(c.usage, c.describe, selected.builder, wrap(selected.handler));
    else cli = cli.command(c.usage, c.describe, () => { throw new NotLoaded(name); }, () => undefined);
  }
  return cli
    .option('verbose', { type: 'boolean', default: false, describe: 'debug logs on stderr and stack traces on errors' })
    .demandCommand(1, 'name a command: run, serve, host, bench, estimate, inspect, synth, quantize, kernel or report')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg: string | undefined, err: Error | undefined) => {
      // Throwing stops yargs before any command handler runs; the catch in main turns it into exit code 2.
      if (err) throw err;
      throw usageError(`${(msg ?? 'bad command line').replace(/\s*\n\s*/g, ' ')} (see wafer --help)`);
    })
    .exitProcess(false);
}

/**
 * yargs renders the whole help text each time a command starts (so that an asynchronous handler could show it
 * later): 60–130 ms of every command's start-up here, for a text that `wafer` never shows that way (`--help` is
 * rendered on its own, and failures are one-line errors). This turns that cache off, where the yargs version has it.
 */
function skipHelpCache(cli: Argv): void {
  const internal = (cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * Writes one line on stderr (and with `jsonObject` one `{"error": {code, message}}` line on stdout) and returns
 * the exit code: 2 for usage errors, 1 otherwise.
 */
function reportError(err: unknown, ctx: Context, jsonObject: boolean): number {
  const known = err instanceof WaferError;
  const code: ErrorCode = known ? err.code : 'INTERNAL';
  const e = err as Error;
  const message = known ? err.message : `internal error: ${e?.message ?? String(err)}`;
  ctx.stderr.write(`wafer: ${message}${known || ctx.verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
  if (ctx.verbose && e?.stack && code !== 'INTERRUPTED') ctx.stderr.write(`${e.stack}\n`); // a signal has no stack worth showing
  if (jsonObject) ctx.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  return known && err.isUsage ? 2 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/dist/main.js')) {
  // A closed pipe (`wafer run | head`) ends the command quietly, as for any Unix filter.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(hideBin(process.argv), undefined, { signals: process }).then((code) => {
    process.exitCode = code;
    // Interrupted: exit now, whatever the abandoned command still had scheduled.
    if (code === SIGNAL_EXIT_CODES.SIGINT || code === SIGNAL_EXIT_CODES.SIGTERM) process.exit(code);
  });
}
