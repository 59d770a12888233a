// A bounded load run against a wafer server with autocannon: every response is recorded (status, id, text,
// x_wafer), /health is polled throughout, and the percentiles of wall and modeled latency are summarised.
// Used by `pnpm bench serve` and by the load test (test/serve-load.test.ts).
import autocannon from 'autocannon';

/**
 * Sends `amount` POSTs of `body` to `${url}${path}` over `connections` connections (at most `overallRate`
 * requests per second when given), each allowed `timeoutS` seconds. Returns autocannon's result, one record
 * per response, and the /health polls ({ ok, failed }).
 */
export async function runLoad({ url, path = '/v1/completions', body, amount, connections, overallRate, timeoutS = 60, healthEveryMs = 100, headers = {} }) {
  const records = [];
  const health = { ok: 0, failed: [] };
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        if (res.status === 200) health.ok++;
        else health.failed.push(`status ${res.status}`);
        await res.arrayBuffer();
      } catch (e) {
        health.failed.push(String(e));
      }
      await new Promise((r) => setTimeout(r, healthEveryMs));
    }
  })();
  const allHeaders = { 'content-type': 'application/json', ...headers };
  const result = await autocannon({
    url,
    connections,
    amount,
    ...(overallRate ? { overallRate } : {}),
    timeout: timeoutS,
    requests: [
      {
        method: 'POST',
        path,
        headers: allHeaders,
        body: JSON.stringify(body),
        onResponse: (status, text) => {
          let json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          records.push({ status, json });
        },
      },
    ],
  });
  polling = false;
  await poll;
  return { result, records, health };
}

/**
 * An open-loop run: `amount` POSTs sent at Poisson arrival times of `ratePerS` per second (exponential gaps
 * from a seeded generator), whatever the answers. Returns one record per response, like runLoad.
 */
export async function runPoisson({ url, path = '/v1/completions', body, amount, ratePerS, seed = 1 }) {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 2 ** 32;
  };
  for (let i = 0; i < 16; i++) uniform(); // xorshift's first draws from a small seed are small
  const records = [];
  const sent = [];
  const t0 = performance.now();
  let at = 0;
  for (let k = 0; k < amount; k++) {
    at += -Math.log(uniform()) / ratePerS;
    const wait = t0 + at * 1000 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(async (res) => records.push({ status: res.status, json: await res.json() }))
        .catch((e) => records.push({ status: 0, error: String(e) })),
    );
  }
  await Promise.all(sent);
  return { records, durationS: (performance.now() - t0) / 1000 };
}

/** The p-th percentile (nearest rank) of `values`. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Percentile rows (p50, p90, p99, max) of the wall and modeled figures of the successful responses. */
export function latencyRows(records) {
  const ok = records.filter((r) => r.status === 200 && r.json?.x_wafer);
  const x = ok.map((r) => r.json.x_wafer);
  const series = [
    ['wall: request latency (s)', x.map((w) => w.wall.total_s)],
    ['wall: queue wait (s)', x.map((w) => w.wall.queue_s)],
    ['wall: time to first token (s)', x.map((w) => w.wall.ttft_s).filter((v) => v !== null)],
    ['wall: decode tok/s', x.map((w) => w.wall.decode_tok_s).filter((v) => v !== null)],
    ['modeled: queue wait (s)', x.map((w) => w.modeled.queue_s)],
    ['modeled: time to first token (s)', x.map((w) => w.modeled.ttft_s)],
    ['modeled: decode tok/s', x.map((w) => w.modeled.decode_tok_s).filter((v) => v !== null)],
  ];
  return series.map(([name, values]) => ({ name, n: values.length, p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: Math.max(...values) }));
}

/** Formats a figure for a table: seconds in µs/ms/s, rates without decimals. */
export function formatFigure(name, v) {
  if (!Number.isFinite(v)) return '–';
  if (name.endsWith('tok/s')) return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
  if (v === 0) return '0';
  if (v < 1e-3) return `${(v * 1e6).toFixed(1)} µs`;
  if (v < 1) return `${(v * 1e3).toFixed(1)} ms`;
  return `${v.toFixed(2)} s`;
}

/** A markdown table of latencyRows. */
export function latencyTable(rows) {
  return [
    '| figure | n | p50 | p90 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${r.n} | ${[r.p50, r.p90, r.p99, r.max].map((v) => formatFigure(r.name, v)).join(' | ')} |`),
  ].join('\n');
}
