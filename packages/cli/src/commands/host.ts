// `wafer host --listen tcp://ADDR:PORT`: a tile host. Prints the address it listens on (one line on stdout),
// serves one coordinator at a time (`--hosts` on run, bench and kernel) and stops on SIGINT or SIGTERM.
import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';
import { usageError } from '@wafer/arch';
import { TileHost } from '@wafer/fabric';
import { intFlag } from '../flags.js';
import { readSecret } from '../hosts-flags.js';
import type { Context } from '../context.js';

export function hostBuilder(y: Argv): Argv {
  return y
    .option('listen', { type: 'string', default: 'tcp://127.0.0.1:5555', describe: 'tcp://ADDR:PORT to listen on (port 0: any free port); 127.0.0.1 unless told otherwise' })
    .option('threads', { alias: 't', type: 'string', describe: 'worker threads for this host\'s band (default: its cores)' })
    .option('secret', { type: 'string', describe: 'shared secret file: CURVE, refusing anyone without the same file' });
}

interface HostArgs {
  listen: string;
  threads?: string;
  secret?: string;
}

export async function hostCommand(a: HostArgs, ctx: Context): Promise<void> {
  const m = /^tcp:\/\/([^:/\s]+):(\d{1,5})$/.exec(a.listen);
  if (m === null || Number(m[2]) > 65535) throw usageError(`--listen must be tcp://ADDR:PORT, got '${a.listen}'`);
  const threads = a.threads === undefined ? availableParallelism() : intFlag('--threads', a.threads, { min: 1 });
  const secret = a.secret === undefined ? undefined : readSecret(a.secret);
  if (secret === undefined && !['127.0.0.1', 'localhost', '::1'].includes(m[1])) {
    ctx.log.warn({ listen: a.listen }, 'listening beyond this machine without --secret: anyone who reaches the port can run programs here');
  }
  const host = await TileHost.start({ listen: a.listen, threads, secret, logger: ctx.log });
  ctx.stdout.write(`listening ${host.address}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await host.close();
}
