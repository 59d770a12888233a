// The floor of wafer's execution model: a minimal runtime of the same design (a generator per core, a run queue, a
// typed-array mailbox, pooled payload copies that live until the run ends; no modeled time, counters or rings)
// running the fabric's nearest-neighbour exchange. Used by `pnpm bench floor` and `pnpm bench speed`.
import { median } from './median.mjs';

/**
 * The minimal runtime: the same program as the fabric's `neighbourExchange` (every round, send one float to
 * each neighbour, then receive from each and accumulate), one generator per core, a run queue, and messages
 * that reach a core before its receive kept in a typed-array mailbox. Payloads are copied into pooled vectors,
 * as any runtime must (the sender may change its vector after sending).
 */
export function floorRuntime(side) {
  const n = side * side;
  const cap = 4 * n + 16;
  const mbColor = new Int32Array(cap);
  const mbNext = new Int32Array(cap);
  const mbPayload = new Array(cap);
  const head = new Int32Array(n).fill(-1);
  const tail = new Int32Array(n).fill(-1);
  let free = -1;
  for (let s = cap - 1; s >= 0; s--) (mbNext[s] = free), (free = s);
  const waiting = new Int32Array(n).fill(-1);
  const inbox = new Array(n);
  const queue = new Int32Array(n);
  let qHead = 0;
  let qLen = 0;
  // Payload vectors: views into one growing buffer, kept from run to run (a run hands out each one once).
  const pool = [];
  let used = 0;
  let messages = 0;
  const enqueue = (i) => {
    let s = qHead + qLen;
    if (s >= n) s -= n;
    queue[s] = i;
    qLen++;
  };
  const send = (j, color, data) => {
    messages++;
    if (used === pool.length) growPool();
    const p = pool[used++];
    p[0] = data[0];
    if (waiting[j] === color) {
      waiting[j] = -1;
      inbox[j] = p;
      enqueue(j);
      return;
    }
    const s = free;
    free = mbNext[s];
    mbColor[s] = color;
    mbPayload[s] = p;
    mbNext[s] = -1;
    if (tail[j] < 0) head[j] = s;
    else mbNext[tail[j]] = s;
    tail[j] = s;
  };
  const take = (i, color) => {
    for (let prev = -1, s = head[i]; s >= 0; prev = s, s = mbNext[s]) {
      if (mbColor[s] !== color) continue;
      const after = mbNext[s];
      if (prev < 0) head[i] = after;
      else mbNext[prev] = after;
      if (tail[i] === s) tail[i] = prev;
      const p = mbPayload[s];
      mbPayload[s] = undefined;
      mbNext[s] = free;
      free = s;
      return p;
    }
    return undefined;
  };
  const growPool = () => {
    const block = new Float32Array(65536);
    for (let k = 0; k < block.length; k++) pool.push(block.subarray(k, k + 1));
  };
  const DX = [0, 1, 0, -1];
  const DY = [-1, 0, 1, 0];
  function* core(i, rounds) {
    const x = i % side;
    const y = (i - x) / side;
    const acc = new Float32Array(1).fill(1);
    const has = [y > 0, x + 1 < side, y + 1 < side, x > 0];
    const parity = (d) => (d === 0 || d === 2 ? y : x) % 2;
    for (let r = 0; r < rounds; r++) {
      for (let d = 0; d < 4; d++) if (has[d]) send((y + DY[d]) * side + x + DX[d], d * 2 + parity(d), acc);
      for (let d = 0; d < 4; d++) {
        if (!has[d]) continue;
        const m = yield ((d + 2) % 4) * 2 + ((parity(d) + 1) % 2);
        acc[0] += m[0] * 0.5;
      }
    }
  }
  return (rounds) => {
  const t0 = performance.now();
  let finished = 0;
  used = 0;
  messages = 0;
  const gens = new Array(n);
  for (let i = 0; i < n; i++) (gens[i] = core(i, rounds)), enqueue(i);
  while (qLen > 0) {
    const i = queue[qHead];
    if (++qHead === n) qHead = 0;
    qLen--;
    const g = gens[i];
    let v = inbox[i];
    inbox[i] = undefined;
    for (;;) {
      const r = g.next(v);
      if (r.done) {
        finished++;
        break;
      }
      v = take(i, r.value);
      if (v === undefined) {
        waiting[i] = r.value;
        break;
      }
    }
  }
  const ms = performance.now() - t0;
  const expected = 4 * side * (side - 1) * rounds;
  if (finished !== n || messages !== expected) throw new Error(`floor runtime: ${finished} of ${n} cores finished, ${messages} messages of ${expected}`);
  return { ms, messages };
  };
}

/**
 * ns per message of the floor on a side×side mesh, in runs of `rounds` rounds repeated until about `messages`
 * messages, after one warm-up run (JIT, and the payload pool at its full size); median of `reps`.
 */
export function floorNsPerMessage(side, rounds, messages, reps) {
  const exchange = floorRuntime(side);
  const runs = Math.max(1, Math.round(messages / (4 * side * (side - 1) * rounds)));
  exchange(rounds);
  const ns = [];
  for (let k = 0; k < reps; k++) {
    let ms = 0;
    let sent = 0;
    for (let j = 0; j < runs; j++) {
      const f = exchange(rounds);
      ms += f.ms;
      sent += f.messages;
    }
    ns.push((ms * 1e6) / sent);
  }
  return median(ns);
}

/**
 * The floor's bound for a decode step that sends `messages` messages on a side×side mesh: the floor measured on
 * that mesh in runs of about as many messages (at least `minMessages` per sample), and the tok/s it allows with
 * 2 threads at a perfect 2.0x and no arithmetic counted.
 */
export function floorDecodeBound(side, messages, minMessages, reps) {
  const ns = floorNsPerMessage(side, Math.max(1, Math.round(messages / (4 * side * (side - 1)))), minMessages, reps);
  return { ns, tokPerS: 1e9 / ((messages * ns) / 2) };
}
