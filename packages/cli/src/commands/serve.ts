// `wafer serve`: places one model on one mesh and serves it over an OpenAI-compatible HTTP API until
// SIGINT or SIGTERM; then stops accepting, finishes or cancels the running request, closes the fabric.
import { basename } from 'node:path';
import type { Argv } from 'yargs';
import { usageError } from '@wafer/arch';
import { loadModel, loadTokenizer, MeshLlama } from '@wafer/llama';
import { intFlag, numFlag } from '../flags.js';
import { meshFlagOptions, parseMeshFlags, type MeshFlagArgs } from '../mesh-flags.js';
import { parseSamplingFlags, samplingFlagOptions, type SamplingFlagArgs } from '../sampling-flags.js';
import { DEFAULT_MODEL } from '../paths.js';
import type { Context } from '../context.js';
import { placementProgress } from '../progress.js';

export function serveBuilder(y: Argv): Argv {
  const base = y
    .option('model', { alias: 'm', type: 'string', describe: 'checkpoint: llama2.c .bin, .gguf, or a Hugging Face directory', default: DEFAULT_MODEL, defaultDescription: 'models/stories260K/stories260K.bin' })
    .option('tokenizer', { type: 'string', describe: 'tokenizer file (tokenizer.bin, tok512.bin or tokenizer.json)' })
    .option('alias', { type: 'string', describe: 'the model id clients see in /v1/models and responses', defaultDescription: "the checkpoint's file name" })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to bind (0.0.0.0 serves other machines too)' })
    .option('port', { type: 'string', default: '8080', describe: 'TCP port (0: any free port)' })
    .option('max-queue', { type: 'string', default: '16', describe: 'requests that may wait behind the running one; more get 429' })
    .option('api-key', { type: 'string', describe: 'require Authorization: Bearer KEY on /v1 routes (or set WAFER_API_KEY)' })
    .option('arrival-scale', { type: 'string', default: '1', describe: 'modeled seconds per wall second between arrivals (below 1: as if clients sent faster than the emulator can serve)' })
    .option('shutdown-grace', { type: 'string', default: '10', describe: 'seconds a running request may take to finish after SIGINT/SIGTERM' });
  return meshFlagOptions(samplingFlagOptions(base, undefined, 'default sampling seed of requests without one (default: a random seed per request)'));
}

interface ServeArgs extends SamplingFlagArgs, MeshFlagArgs {
  model: string;
  tokenizer?: string;
  alias?: string;
  host: string;
  port: string;
  'max-queue': string;
  'api-key'?: string;
  'shutdown-grace': string;
  'arrival-scale': string;
}

export async function serveCommand(argv: ServeArgs, ctx: Context): Promise<void> {
  const meshOpts = parseMeshFlags(argv);
  const defaults = parseSamplingFlags(argv);
  const port = intFlag('--port', argv.port, { min: 0, max: 65535 });
  const maxQueue = intFlag('--max-queue', argv['max-queue'], { min: 0 });
  const graceS = numFlag('--shutdown-grace', argv['shutdown-grace'], { min: 0 });
  const arrivalScale = numFlag('--arrival-scale', argv['arrival-scale'], { min: 0, minExclusive: true });
  if (argv.host.trim() === '') throw usageError('--host must name an address, got an empty string');
  const apiKey = argv['api-key'] ?? process.env.WAFER_API_KEY;
  if (apiKey !== undefined && apiKey === '') throw usageError('--api-key must not be empty');
  // Loaded here, not at the top: the HTTP stack (fastify, prom-client) would add about 0.2 s to every other
  // command's start. Before the model is placed, so that a broken install fails at once.
  const { WaferServer } = await import('@wafer/serve');
  const model = loadModel(argv.model, { tokenizerPath: argv.tokenizer });
  const tokenizer = loadTokenizer(model, argv.tokenizer);
  const progress = placementProgress(model.config.nLayers, ctx.stderr === process.stderr);
  let mesh: MeshLlama;
  try {
    mesh = await MeshLlama.create(model, { ...meshOpts, logger: ctx.log, onPlace: progress?.onPlace });
  } finally {
    progress?.stop();
  }
  try {
    const modelId = argv.alias ?? basename(argv.model.replace(/\/+$/, ''));
    const server = await WaferServer.start({ engine: mesh, model, tokenizer, modelId, host: argv.host, port, maxQueue, apiKey, defaults, logger: ctx.log, shutdownGraceMs: graceS * 1000, arrivalScale });
    const { rows, cols } = server.chip.mesh;
    ctx.stderr.write(`[wafer] serving ${modelId} on ${server.url} (OpenAI API under /v1; ${server.chip.machine} ${rows}x${cols}, ${server.chip.threads} thread${server.chip.threads === 1 ? '' : 's'}${apiKey ? ', API key required' : ''})\n`);
    await untilSignal((signal, repeated) => {
      ctx.stderr.write(repeated ? `[wafer] ${signal} again: cancelling the running request\n` : `[wafer] ${signal}: shutting down (waiting requests get 503; the running one has ${graceS} s to finish)\n`);
      return server.close(repeated);
    });
  } finally {
    await mesh.close();
  }
  ctx.stderr.write('[wafer] stopped\n');
}

/** Resolves once `stop` (called on the first SIGINT/SIGTERM, and again on each repeat) has finished. */
function untilSignal(stop: (signal: string, repeated: boolean) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      const repeated = stopping;
      stopping = true;
      stop(signal, repeated).then(
        () => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve();
        },
        reject,
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
