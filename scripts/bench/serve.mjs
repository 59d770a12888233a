// `wafer serve` under load: a server (stories260K on the default 8x8 wse2 mesh, 2 threads; a child process)
// and autocannon on 127.0.0.1, requests of 16 new tokens, a queue deep enough for all. Three arrival
// patterns: a closed loop (8 connections, 200 requests), a burst (32 requests at once), and Poisson arrivals
// at 2 per wall second replayed 1000x faster on the modeled clock (--arrival-scale 0.001: 2,000 per modeled
// second, beside the M/D/1 mean wait they predict). Prints wall and modeled percentiles. --quick: fewer.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { latencyRows, latencyTable, runLoad, runPoisson } from '../lib/serve-load.mjs';

const CLI = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const quick = process.argv.includes('--quick');
const [CLOSED, BURST, PACED] = quick ? [40, 8, 12] : [200, 32, 100];
const BODY = { prompt: 'Once upon a time', max_tokens: 16, temperature: 0 };

/** Starts `wafer serve` and resolves with its URL and a stop() that SIGTERMs it and waits for exit 0. */
async function startServer(args) {
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = /serving \S+ on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    proc.on('exit', () => reject(new Error(`wafer serve exited: ${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`wafer serve exited with ${code}: ${stderr}`);
    },
  };
}

/** Runs one pattern and prints its table. */
async function pattern(title, url, options) {
  const { result, records, health } = await runLoad({ url, body: BODY, ...options });
  const codes = Object.entries(result.statusCodeStats).map(([code, { count }]) => `${count} × ${code}`).join(', ');
  console.log(`\n### ${title}\n`);
  console.log(`${codes}; errors ${result.errors}, timeouts ${result.timeouts}; ${result.duration.toFixed(1)} s; /health answered ${health.ok} polls, failed ${health.failed.length}\n`);
  console.log(latencyTable(latencyRows(records)));
}

const server = await startServer(['--max-queue', '64']);
try {
  await runLoad({ url: server.url, body: BODY, amount: 8, connections: 2 }); // warm-up
  await pattern(`closed loop: ${CLOSED} requests over 8 connections (each sends when its last answer arrives)`, server.url, { amount: CLOSED, connections: 8 });
  await pattern(`burst: ${BURST} requests sent at once over ${BURST} connections`, server.url, { amount: BURST, connections: BURST });
} finally {
  await server.stop();
}
const scaled = await startServer(['--max-queue', '64', '--arrival-scale', '0.001']);
try {
  await runLoad({ url: scaled.url, body: BODY, amount: 4, connections: 2 }); // warm-up
  const { records, durationS } = await runPoisson({ url: scaled.url, body: BODY, amount: PACED, ratePerS: 2 });
  const ok = records.filter((r) => r.status === 200);
  const x = ok.map((r) => r.json.x_wafer.modeled);
  const serviceS = x.reduce((a, m) => a + m.service_s, 0) / x.length;
  const lambda = 2 / 0.001; // modeled arrivals per second
  const rho = lambda * serviceS;
  const md1WaitS = rho < 1 ? (rho * serviceS) / (2 * (1 - rho)) : Infinity;
  const meanWaitS = x.reduce((a, m) => a + m.queue_s, 0) / x.length;
  console.log(`\n### Poisson arrivals: ${PACED} requests at 2 per wall second, --arrival-scale 0.001 (2,000 per modeled second)\n`);
  console.log(`${ok.length} × 200 of ${records.length}; ${durationS.toFixed(1)} s; modeled service ${(serviceS * 1e6).toFixed(1)} µs, utilisation ${rho.toFixed(2)}; mean modeled queue wait ${(meanWaitS * 1e6).toFixed(1)} µs (M/D/1 predicts ${(md1WaitS * 1e6).toFixed(1)} µs)\n`);
  console.log(latencyTable(latencyRows(records)));
} finally {
  await scaled.stop();
}
