// Starts `wafer serve`'s server in-process on an ephemeral 127.0.0.1 port with stories260K placed on a
// 5x5 wse2 mesh (the smallest square that holds its .bin), one worker thread.
import { parseMesh } from '@wafer/arch';
import { loadModel, loadTokenizer, MeshLlama, type ModelDescription, type Tokenizer } from '@wafer/llama';
import { WaferServer, type ServeOptions } from '@wafer/serve';
import { MODELS } from './golden.js';
import { preset } from './machines.js';

/** The mesh flags that give `wafer run` the same engine as the test server. */
export const SERVE_MESH_FLAGS = ['--mesh', '5x5', '--threads', '1', '--machine', 'wse2'];

export interface TestServer {
  server: WaferServer;
  mesh: MeshLlama;
  model: ModelDescription;
  tokenizer: Tokenizer;
  /** server.url + '/v1' */
  baseURL: string;
  close(): Promise<void>;
}

/** A running server; `options` override the defaults (port 0, model id 'stories260K'). */
export async function startTestServer(options: Partial<Omit<ServeOptions, 'engine' | 'tokenizer'>> = {}): Promise<TestServer> {
  const model = options.model ?? loadModel(MODELS.bin);
  const tokenizer = loadTokenizer(model);
  const mesh = await MeshLlama.create(model, { mesh: parseMesh('5x5'), threads: 1, machine: preset('wse2') });
  try {
    const server = await WaferServer.start({ modelId: 'stories260K', port: 0, ...options, engine: mesh, model, tokenizer });
    return {
      server,
      mesh,
      model,
      tokenizer,
      baseURL: `${server.url}/v1`,
      close: async () => {
        await server.close();
        await mesh.close();
      },
    };
  } catch (e) {
    await mesh.close();
    throw e;
  }
}

/** POSTs JSON (or a raw string body) to `url`; returns the status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) };
}

/** The value of one Prometheus sample (`name{labels}`) in a /metrics text, or 0 when absent. */
export function metricValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** Polls `check` every 20 ms until it returns true (or fails after `timeoutMs`). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
