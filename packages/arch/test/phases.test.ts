// The phase registry: ids are the names' positions, so every worker thread and the observe package agree.
import { describe, expect, it } from 'vitest';
import { CYCLE_KINDS, KIND_COMPUTE, KIND_ELEMENTWISE, KIND_OVERHEAD, KIND_RELAY, KIND_WAIT, KV_PHASES, PHASE, PHASE_COUNT, PHASE_NAMES, phaseName } from '@wafer/arch';

describe('phase registry', () => {
  it('gives every named phase the id of its position', () => {
    const camel = (s: string) => s.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    expect(Object.keys(PHASE).length).toBe(PHASE_COUNT);
    PHASE_NAMES.forEach((name, id) => expect(PHASE[camel(name) as keyof typeof PHASE], name).toBe(id));
    expect(PHASE_COUNT).toBeLessThanOrEqual(256); // the runtime keeps a phase id per core in a Uint8Array
    expect(phaseName(PHASE.attnV)).toBe('attn-v');
    expect(phaseName(99)).toBe('phase#99');
  });

  it('numbers the cycle kinds as named, and the KV phases are real phases', () => {
    expect([KIND_COMPUTE, KIND_ELEMENTWISE, KIND_OVERHEAD, KIND_RELAY, KIND_WAIT].map((k) => CYCLE_KINDS[k])).toEqual(['compute', 'elementwise', 'overhead', 'relay', 'wait']);
    expect(KV_PHASES.map(phaseName)).toEqual(['kv-shift', 'phase-change']);
  });
});
