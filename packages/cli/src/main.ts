#!/usr/bin/env node
// The `wafer` command: parses the command line (yargs), builds the logger, runs a command, and maps
// errors to one line and an exit code (2: usage, 1: anything else). The only place that sets exit codes.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { usageError, WaferError } from '@wafer/arch';
import { createLogger } from './logger.js';
import type { Context } from './context.js';
import { runBuilder, runCommand } from './commands/run.js';
import { inspectBuilder, inspectCommand } from './commands/inspect.js';
import { synthBuilder, synthCommand } from './commands/synth.js';
import { quantizeBuilder, quantizeCommand } from './commands/quantize.js';
import { kernelBuilder, kernelCommand } from './commands/kernel.js';
import { benchBuilder, benchCommand } from './commands/bench.js';
import { estimateBuilder, estimateCommand } from './commands/estimate.js';
import { hostBuilder, hostCommand } from './commands/host.js';

type Handler = (argv: never, ctx: Context) => Promise<void>;

export async function main(args: string[], io: Pick<Context, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const verbose = args.includes('--verbose');
  const log = createLogger({ verbose, level: process.env.WAFER_LOG_LEVEL });
  const ctx: Context = { log, verbose, ...io };
  let pending: Promise<void> | undefined;
  const wrap = (h: Handler) => (argv: unknown) => { pending = h(argv as never, ctx); };
  const cli: Argv = yargs(args)
    .scriptName('wafer')
    .usage('$0 <command> [options]')
    .command('run', 'generate text from a checkpoint', runBuilder, wrap(runCommand))
    .command('inspect <model>', 'show a checkpoint\'s format, shape, tensors and tokenizer', inspectBuilder, wrap(inspectCommand))
    .command('synth', 'write a seeded random-weight checkpoint of a named or given shape', synthBuilder, wrap(synthCommand))
    .command('quantize <in> <out>', 'write any checkpoint as a GGUF of one tensor type (Q4_K, Q6_K, Q8_0, Q4_0, …)', quantizeBuilder, wrap(quantizeCommand))
    .command('bench', 'llama-bench for the emulator: prompt and generation tok/s, modeled and wall-clock', benchBuilder, wrap(benchCommand))
    .command('estimate', 'predict a full-size model on a wafer-scale mesh with the analytical PLMR model', estimateBuilder, wrap(estimateCommand))
    .command('host', 'serve a band of a mesh to a coordinator\'s --hosts (a tile host, over ZeroMQ)', hostBuilder, wrap(hostCommand))
    .command('kernel <op>', 'run one mesh kernel (gemm, gemv) against its reference, or compare the algorithms', kernelBuilder, wrap(kernelCommand))
    .option('verbose', { type: 'boolean', default: false, describe: 'debug logs on stderr and stack traces on errors' })
    .demandCommand(1, 'name a command: run, bench, estimate, inspect, synth, quantize, kernel or host')
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg: string | undefined, err: Error | undefined) => {
      // Throwing stops yargs before any command handler runs; the catch below turns it into exit code 2.
      if (err) throw err;
      throw usageError(`${(msg ?? 'bad command line').replace(/\s*\n\s*/g, ' ')} (see wafer --help)`);
    })
    .exitProcess(false);
  try {
    await cli.parseAsync();
    if (pending) await pending;
    return 0;
  } catch (err) {
    return reportError(err, ctx);
  }
}

function reportError(err: unknown, ctx: Context): number {
  if (err instanceof WaferError) {
    ctx.stderr.write(`wafer: ${err.message}\n`);
    if (ctx.verbose && err.stack) ctx.stderr.write(`${err.stack}\n`);
    return err.isUsage ? 2 : 1;
  }
  const e = err as Error;
  ctx.stderr.write(`wafer: internal error: ${e?.message ?? String(err)}${ctx.verbose ? '' : ' (run with --verbose for the stack trace)'}\n`);
  if (ctx.verbose && e?.stack) ctx.stderr.write(`${e.stack}\n`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli/dist/main.js')) {
  // A closed pipe (`wafer run | head`) ends the command quietly, as for any Unix filter.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}
