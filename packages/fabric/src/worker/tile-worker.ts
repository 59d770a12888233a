// Piscina task: one long-lived tile per worker thread. It serves the coordinator's control commands
// (msgpackr over a MessagePort) until shutdown; core traffic never passes through here.

import { PerformanceObserver } from 'node:perf_hooks';
import type { CoreProgram } from '@wafer/arch';
import { pack, unpack, type Command, type ProgramRef, type Reply, type TileInit } from '../protocol.js';
import { TileRuntime } from './tile-runtime.js';

const programCache = new Map<string, CoreProgram>();

async function loadProgram(ref: ProgramRef): Promise<CoreProgram> {
  const key = `${ref.module}#${ref.export}`;
  let p = programCache.get(key);
  if (p === undefined) {
    const mod = (await import(ref.module)) as Record<string, unknown>;
    const fn = mod[ref.export];
    if (typeof fn !== 'function') throw new Error(`module ${ref.module} has no core program export '${ref.export}'`);
    p = fn as CoreProgram;
    programCache.set(key, p);
  }
  return p;
}

async function handle(tile: TileRuntime, cmd: Command): Promise<Reply> {
  switch (cmd.type) {
    case 'place':
      for (let k = 0; k < cmd.cores.length; k++) tile.placeGlobal(cmd.cores[k], cmd.name, cmd.data[k]);
      return { type: 'ok' };
    case 'free':
      tile.releaseAll(cmd.name);
      return { type: 'ok' };
    case 'gather': {
      const { cores, data } = tile.gatherAll(cmd.name);
      return { type: 'data', cores, data };
    }
    case 'counters':
      return { type: 'counters', counters: tile.counters() };
    case 'strays': {
      const s = tile.strays();
      return { type: 'drained', strays: s.count, strayCores: s.cores };
    }
    case 'run': {
      const program = await loadProgram(cmd.program);
      const r = tile.run(program, cmd.args, cmd.epoch);
      tile.wall.gcMs = 0;
      if (r.kind === 'done') return { type: 'done', summary: r.summary, gathered: cmd.gather?.map((name) => ({ name, ...tile.gatherAll(name) })) };
      if (r.kind === 'failed') return { type: 'failed', failure: r.failure };
      return { type: 'aborted', reason: r.reason, waiting: r.waiting, waitingCount: r.waitingCount };
    }
    case 'shutdown':
      return { type: 'ok' };
  }
}

/** Adds the thread's garbage-collection pauses to the tile's wall profile (reported with the next run). */
function observeGc(tile: TileRuntime): void {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      tile.wall.gcMs += e.duration;
      tile.wall.recorder?.gc(e.startTime, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
}

/** The tile task: resolves when the coordinator sends `shutdown`. */
export default function tileTask(init: TileInit): Promise<void> {
  const tile = new TileRuntime(init);
  if (init.profileWall || init.observe?.wallTrace) observeGc(tile);
  const port = init.port;
  return new Promise<void>((resolve) => {
    let chain = Promise.resolve();
    port.on('message', (bytes: Uint8Array) => {
      // Commands are handled strictly in order; each reply is sent before the next command starts.
      chain = chain.then(async () => {
        const cmd = unpack<Command>(bytes);
        let reply: Reply;
        try {
          reply = await handle(tile, cmd);
        } catch (err) {
          const e = err as Error & { code?: string };
          reply = { type: 'error', message: e?.message ?? String(err), code: e?.code };
        }
        const out = pack(reply);
        port.postMessage(out, [out.buffer as ArrayBuffer]);
        // A finished tile keeps draining its rings until every tile has finished (the reply is already on its way).
        if (cmd.type === 'run' && reply.type === 'done') tile.drainUntilRunEnds(cmd.epoch);
        if (cmd.type === 'shutdown') {
          port.close();
          resolve();
        }
      });
    });
  });
}
