// Core programs for the contention measurement (scripts/bench/contention.mjs): the mesh engine's decode step and
// MeshGEMM prefill run through a core that records every send (route, when it leaves the core, length) and leaves
// the records in a 'trace' buffer. The leave time follows docs/fabric.md: max(clock, the core-to-router link free).
import { serialisationCycles } from '@wafer/arch';
import { decodeStep } from '../../packages/llama/dist/mesh/decode-program.js';
import { prefillProgram } from '../../packages/llama/dist/mesh/prefill-program.js';

const FIELDS = 5; // dir, hops, start, values, color

function recorder(core) {
  let egressFree = 0;
  const records = [];
  const view = Object.create(core);
  for (const k of ['alloc', 'buffer', 'has', 'free', 'recv', 'stream', 'compute', 'step']) view[k] = (...a) => core[k](...a);
  const log = (r, data) => {
    const start = Math.max(core.clock, egressFree);
    egressFree = start + serialisationCycles(core.machine, data.length);
    records.push(r.dir, r.hops, start, data.length, r.color);
  };
  // Every method of the core contract that sends (send, give, forward): a new one must be logged here too.
  view.send = (r, data) => { log(r, data); core.send(r, data); };
  view.give = (r, data) => { log(r, data); core.give(r, data); };
  view.forward = (r, data) => { log(r, data); core.forward(r, data); };
  Object.defineProperty(view, 'clock', { get: () => core.clock });
  const save = () => core.alloc('trace', records.length).set(records);
  return { view, save };
}

export function* tracedDecode(core, args) {
  const { view, save } = recorder(core);
  yield* decodeStep(view, args);
  save();
}

export function* tracedPrefill(core, args) {
  const { view, save } = recorder(core);
  yield* prefillProgram(view, args);
  save();
}

export { FIELDS };
