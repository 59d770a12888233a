// Small core programs that exercise the fabric: used by its tests and by `pnpm bench fabric`.
// They are built to dist/ like every core program, because worker threads import them by URL.

import { E, N, S, W, route } from '@wafer/arch';
import type { Core, Direction, RecvRequest, SubProgram } from '@wafer/arch';
import type { ProgramRef } from '../protocol.js';

type Prog = SubProgram<void>;

/** A ProgramRef for one of the programs below. */
export function testingProgram(name: keyof typeof import('./programs.js')): ProgramRef {
  return { module: import.meta.url, export: name };
}

/** (0,0) and (1,0) bounce a message `rounds` times; every other core idles. */
export function* pingPong(core: Core, args: { rounds: number; words: number }): Prog {
  if (core.y !== 0 || core.x > 1) return;
  const toEast = route(0, E);
  const toWest = route(1, W);
  if (core.x === 0) {
    let msg: Float32Array = new Float32Array(args.words).fill(1);
    for (let r = 0; r < args.rounds; r++) {
      core.send(toEast, msg);
      msg = yield core.recv(1);
      core.compute({ elementwise: msg.length });
      for (let i = 0; i < msg.length; i++) msg[i] += 1;
    }
    core.alloc('result', msg.length).set(msg);
  } else {
    for (let r = 0; r < args.rounds; r++) {
      const msg = yield core.recv(0);
      core.send(toWest, msg);
    }
  }
}

/** Every core sends a value east one hop (colour by column parity) and keeps what arrives from the west. */
export function* rowShift(core: Core, args: { words: number }): Prog {
  const mine = new Float32Array(args.words).fill(core.y * core.cols + core.x);
  if (core.x + 1 < core.cols) core.send(route(core.x % 2, E), mine);
  const out = core.alloc('result', args.words);
  if (core.x > 0) out.set(yield core.recv((core.x - 1) % 2));
}

/** Column 0 multicasts along its row; every other core receives the row's value. */
export function* rowBroadcast(core: Core, args: { words: number }): Prog {
  const out = core.alloc('result', args.words);
  if (core.x === 0) {
    out.fill(core.y + 1);
    if (core.cols > 1) core.send(route(2, E, core.cols - 1, true), out);
  } else {
    out.set(yield core.recv(2));
  }
}

/** (0,0) and (2,0) both send to (1,0): two messages contend for its router-to-core link. */
export function* contended(core: Core, args: { words: number }): Prog {
  if (core.y !== 0 || core.x > 2) return;
  const data = new Float32Array(args.words).fill(core.x + 1);
  if (core.x === 0) core.send(route(3, E), data);
  else if (core.x === 2) core.send(route(4, W), data);
  else {
    const a = yield core.recv(3);
    const b = yield core.recv(4);
    core.alloc('result', 2).set([a[0], b[0]]);
  }
}

/**
 * (0,0) sends on one colour along two routes: `words[0]` values one hop east, `words[1]` multicast three hops east,
 * then `words[2]` one hop east again (each link's counters must follow the route each message took).
 */
export function* routeChanges(core: Core, args: { words: [number, number, number] }): Prog {
  if (core.y !== 0 || core.x > 3) return;
  const [a, b, c] = args.words;
  if (core.x === 0) {
    core.send(route(2, E), new Float32Array(a));
    core.send(route(2, E, 3, true), new Float32Array(b));
    core.send(route(2, E), new Float32Array(c));
    return;
  }
  const got = core.x === 1 ? 3 : 1;
  for (let k = 0; k < got; k++) yield core.recv(2);
}

/** Row 0: core x relays a message from the west to the east (store-and-forward), `hops` cores in a chain. */
export function* relayChain(core: Core, args: { words: number }): Prog {
  if (core.y !== 0) return;
  const colour = (x: number) => x % 2;
  if (core.x === 0) {
    if (core.cols > 1) core.send(route(colour(0), E), new Float32Array(args.words).fill(7));
    return;
  }
  const msg = yield core.recv(colour(core.x - 1));
  if (core.x + 1 < core.cols) core.forward(route(colour(core.x), E), msg);
  else core.alloc('result', msg.length).set(msg);
}

/** Row 0: a streaming reduce chain: each core adds its value (x + 1) to the stream and passes it east. */
export function* streamChain(core: Core, args: { words: number }): Prog {
  if (core.y !== 0) return;
  const acc = yield chainLink(core, args.words, 0);
  if (core.x + 1 === core.cols) core.alloc('result', acc.length).set(acc);
}

/**
 * Row 0 runs `rounds` streaming reduce chains (as streamChain), each as a sub-program two levels below the
 * program, with `yield` (the fabric runs the sub-program in place of its callers) or, with `delegate`, with
 * `yield*` (plain delegation): both must give the same values and the same modeled cycles. The last core
 * keeps the sum of the rounds' results.
 */
export function* nestedChains(core: Core, args: { words: number; rounds: number; delegate: boolean }): Prog {
  if (core.y !== 0) return;
  const total = new Float32Array(args.words);
  for (let r = 0; r < args.rounds; r++) {
    const got = args.delegate ? yield* chainRound(core, args.words, r, true) : yield chainRound(core, args.words, r, false);
    for (let i = 0; i < total.length; i++) total[i] += got[i];
  }
  if (core.x + 1 === core.cols) core.alloc('result', total.length).set(total);
}

/** One round of nestedChains, one level down: the chain, and a step of local work after it. */
function* chainRound(core: Core, words: number, round: number, delegate: boolean): SubProgram<Float32Array> {
  const acc = delegate ? yield* chainLink(core, words, round) : yield chainLink(core, words, round);
  core.compute({ elementwise: words });
  return acc;
}

/**
 * One chain of row 0: add this core's value (x + 1 + round) to the stream and pass it east. Relays stream (β
 * after the head); the last core needs the whole vector, so it waits for the tail.
 */
function* chainLink(core: Core, words: number, round: number): SubProgram<Float32Array> {
  const acc = new Float32Array(words).fill(core.x + 1 + round);
  const last = core.x + 1 === core.cols;
  if (core.x > 0) {
    const inc = last ? yield core.recv((core.x - 1) % 2) : yield core.stream((core.x - 1) % 2);
    for (let i = 0; i < acc.length; i++) acc[i] += inc[i];
  }
  if (!last) core.send(route(core.x % 2, E), acc);
  return acc;
}

/**
 * A chain along row 0: each core adds x + 1 to the vector from its western neighbour (core 0 starts from zeros),
 * keeps the running sum in 'result', and passes the vector east, given up (`give`) or as a copy (`send`).
 */
export function* givenChain(core: Core, args: { words: number; give: boolean }): Prog {
  if (core.y !== 0) return;
  const acc = core.x === 0 ? core.scratch(args.words) : yield core.recv(0);
  for (let i = 0; i < acc.length; i++) acc[i] += core.x + 1;
  core.alloc('result', acc.length).set(acc);
  if (core.x + 1 === core.cols) return;
  if (args.give) core.give(route(0, E), acc);
  else core.send(route(0, E), acc);
}

/** Core (0,0) yields something that is neither a receive nor a sub-program (a program bug); the others end. */
export function* yieldsJunk(core: Core): Prog {
  if (core.x === 0 && core.y === 0) yield { not: 'a program' } as unknown as RecvRequest;
}

const DIRS: Direction[] = [N, E, S, W];

/**
 * Nearest-neighbour exchange: each round every core sends `words` floats to each neighbour and adds what
 * it receives. Colours: 8 = direction × 2 + parity of the sender's coordinate along that axis.
 */
export function* neighbourExchange(core: Core, args: { rounds: number; words: number }): Prog {
  const acc = core.alloc('result', args.words);
  acc.fill(1);
  const has = [core.y > 0, core.x + 1 < core.cols, core.y + 1 < core.rows, core.x > 0];
  const parity = (d: number) => (d === N || d === S ? core.y : core.x) % 2;
  const sendRoutes = DIRS.map((d) => route(d * 2 + parity(d), d));
  // A message from the neighbour in direction d travels in the opposite direction, with its sender's parity.
  const recvColour = DIRS.map((d) => ((d + 2) % 4) * 2 + ((parity(d) + 1) % 2));
  for (let r = 0; r < args.rounds; r++) {
    for (const d of DIRS) if (has[d]) core.send(sendRoutes[d], acc);
    for (const d of DIRS) {
      if (!has[d]) continue;
      const m = yield core.recv(recvColour[d]);
      acc[0] += m[0] * 0.5;
    }
    core.compute({ elementwise: 4 });
  }
}

/**
 * (0,0) sends `count` messages of `words` floats east to (1,0), which receives them all (one link's throughput)
 * and keeps [sum of their sequence numbers, how many arrived in sequence].
 */
export function* burst(core: Core, args: { count: number; words: number }): Prog {
  if (core.y !== 0 || core.x > 1) return;
  if (core.x === 0) {
    const msg = new Float32Array(args.words);
    for (let k = 0; k < args.count; k++) {
      msg[0] = k;
      core.send(route(0, E), msg);
    }
  } else {
    let sum = 0;
    let inOrder = 0;
    for (let k = 0; k < args.count; k++) {
      const seq = (yield core.recv(0))[0];
      sum += seq;
      if (seq === k) inOrder++;
    }
    core.alloc('result', 2).set([sum, inOrder]);
  }
}

/** Core (x, y) = args.at throws; the others wait for a message that never comes. */
export function* throwsAt(core: Core, args: { at: [number, number] }): Prog {
  if (core.x === args.at[0] && core.y === args.at[1]) throw new Error('deliberate failure');
  if (core.x === 0 && core.y === 0) yield core.recv(5);
}

/** Every core waits on colour 5 and nobody sends: a deadlock. */
export function* deadlock(core: Core): Prog {
  yield core.recv(5);
}

/** Core (0,0) exits its worker thread: a worker that dies mid-run. */
export function* exitsWorker(core: Core): Prog {
  if (core.x === 0 && core.y === 0) process.exit(3);
  yield core.recv(6);
}

/** Core `at` loops forever without ever yielding (a program that never yields); the others wait on colour 7. */
export function* neverYields(core: Core, args: { at: [number, number] }): Prog {
  if (core.x === args.at[0] && core.y === args.at[1]) {
    for (;;) {
      // holds its worker thread: only the coordinator's watchdog can end this run
    }
  }
  yield core.recv(7);
}

/** Core (0,0) computes for `ms` of wall time without yielding (a long local kernel); the others end at once. */
export function* computesFor(core: Core, args: { ms: number }): Prog {
  if (core.x !== 0 || core.y !== 0) return;
  const until = performance.now() + args.ms;
  while (performance.now() < until) core.compute({ elementwise: 1 });
}

/** Allocates `floats` floats on every core (for the SRAM budget test). */
export function* allocates(core: Core, args: { floats: number }): Prog {
  core.alloc('big', args.floats);
}

/** Core (0,0) sends on `routes` colours east one hop each: route-table entries at (0,0) and (1,0). */
export function* manyRoutes(core: Core, args: { routes: number }): Prog {
  if (core.y !== 0) return;
  if (core.x === 0) for (let c = 0; c < args.routes; c++) core.send(route(c, E), new Float32Array(1));
  if (core.x === 1) for (let c = 0; c < args.routes; c++) yield core.recv(c);
}

/** Core (0,0) sends `count` messages of `words` floats east that core (1,0) never receives (a program bug). */
export function* strays(core: Core, args: { count: number; words: number }): Prog {
  if (core.x === 0 && core.y === 0) for (let k = 0; k < args.count; k++) core.send(route(0, E), new Float32Array(args.words));
}

/** Two flows of colour 0 merge at router (1,0): (0,0) → (2,0) passing through, and (1,0) → (2,0). */
export function* merging(core: Core): Prog {
  if (core.y !== 0) return;
  if (core.x === 0) core.send(route(0, E, 2), Float32Array.of(10));
  if (core.x === 1) core.send(route(0, E, 1), Float32Array.of(20));
  if (core.x === 2) {
    const a = yield core.recv(0);
    const b = yield core.recv(0);
    core.alloc('result', 2).set([a[0], b[0]]);
  }
}

/** A plain function that throws before returning its generator on core (1,0): argument checking gone wrong. */
export function throwsBeforeStart(core: Core): Prog {
  if (core.x === 1 && core.y === 0) throw new Error('bad arguments');
  return (function* (): Prog {})();
}
