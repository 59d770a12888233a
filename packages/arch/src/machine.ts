// The machine description: every constant the modeled clocks and the analytical model use, validated.
// Presets are JSON files under configs/machines/; this module only parses and checks them (no file I/O).

import { WaferError } from './errors.js';

/** Per-relay costs: a streaming relay pipelines element by element; store-and-forward buffers the whole message. */
export interface RelayCosts {
  streamCycles: number; // β for a streaming relay (receive-add-send)
  storeForwardCycles: number; // fixed part of a store-and-forward relay
  storeForwardCyclesPerElement: number;
}

/** Local compute rate. */
export interface ComputeCosts {
  macsPerCycle: number; // fp16 multiply-accumulates per cycle inside a vector instruction
  instructionIssueCycles: number; // cycles to issue one vector instruction
  loopIterationCycles: number; // fixed cost of one outer-loop iteration of a local kernel
  elementwiseOpsPerCycle: number; // element-wise ops (add, mul, exp piece) per cycle inside a vector instruction
}

/** A wafer-scale machine: see docs/calibration.md and wafer-notes §1 for where each figure comes from. */
export interface MachineSpec {
  name: string;
  description: string;
  mesh: { maxRows: number; maxCols: number };
  clockHz: number;
  sramBytesPerCore: number;
  link: { wordsPerCycle: number; bytesPerWord: number };
  bytesPerElement: number; // bytes of one value in SRAM (fp16 = 2)
  elementsPerWord: number; // values carried per link word (the kernels send one fp16 per 32-bit word)
  alphaCyclesPerHop: number; // α: router hop on a configured route
  relay: RelayCosts;
  messageCycles: number; // fixed latency added to every message (injection + ejection)
  stepCycles: number; // fixed cost of one compute-and-shift step of a kernel
  compute: ComputeCosts;
  routing: { routesPerRouter: number }; // usable route ids ("colours") per router
  powerWatts: number; // chip power, for energy = power × time
}

type Path = string;

function num(obj: Record<string, unknown>, key: string, path: Path, source: string, opts: { integer?: boolean; min?: number; positive?: boolean } = {}): number {
  const v = obj[key];
  const where = `${source}: field ${path}${key}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WaferError('BAD_CONFIG', `${where} must be a finite number, got ${JSON.stringify(v)}`);
  if (opts.integer && !Number.isInteger(v)) throw new WaferError('BAD_CONFIG', `${where} must be an integer, got ${v}`);
  if (opts.positive && !(v > 0)) throw new WaferError('BAD_CONFIG', `${where} must be > 0, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new WaferError('BAD_CONFIG', `${where} must be >= ${opts.min}, got ${v}`);
  return v;
}

function obj(parent: Record<string, unknown>, key: string, path: Path, source: string): Record<string, unknown> {
  const v = parent[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new WaferError('BAD_CONFIG', `${source}: field ${path}${key} must be an object`);
  return v as Record<string, unknown>;
}

/**
 * Validates a parsed machine JSON and returns a typed spec. `source` names the file in errors.
 * Unknown top-level fields are rejected so a typo never silently falls back to a default.
 */
export function parseMachineSpec(json: unknown, source: string): MachineSpec {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new WaferError('BAD_CONFIG', `${source}: a machine spec must be a JSON object`);
  const j = json as Record<string, unknown>;
  const known = new Set(['$comment', 'name', 'description', 'mesh', 'clockHz', 'sramBytesPerCore', 'link', 'bytesPerElement', 'elementsPerWord', 'alphaCyclesPerHop', 'relay', 'messageCycles', 'stepCycles', 'compute', 'routing', 'powerWatts', 'calibration']);
  for (const k of Object.keys(j)) if (!known.has(k)) throw new WaferError('BAD_CONFIG', `${source}: unknown field ${k}`);
  if (typeof j.name !== 'string' || j.name === '') throw new WaferError('BAD_CONFIG', `${source}: field name must be a non-empty string`);
  const mesh = obj(j, 'mesh', '', source);
  const link = obj(j, 'link', '', source);
  const relay = obj(j, 'relay', '', source);
  const compute = obj(j, 'compute', '', source);
  const routing = obj(j, 'routing', '', source);
  const spec: MachineSpec = {
    name: j.name,
    description: typeof j.description === 'string' ? j.description : '',
    mesh: {
      maxRows: num(mesh, 'maxRows', 'mesh.', source, { integer: true, positive: true }),
      maxCols: num(mesh, 'maxCols', 'mesh.', source, { integer: true, positive: true }),
    },
    clockHz: num(j, 'clockHz', '', source, { positive: true }),
    sramBytesPerCore: num(j, 'sramBytesPerCore', '', source, { integer: true, positive: true }),
    link: {
      wordsPerCycle: num(link, 'wordsPerCycle', 'link.', source, { positive: true }),
      bytesPerWord: num(link, 'bytesPerWord', 'link.', source, { integer: true, positive: true }),
    },
    bytesPerElement: num(j, 'bytesPerElement', '', source, { integer: true, positive: true }),
    elementsPerWord: num(j, 'elementsPerWord', '', source, { integer: true, positive: true }),
    alphaCyclesPerHop: num(j, 'alphaCyclesPerHop', '', source, { min: 0 }),
    relay: {
      streamCycles: num(relay, 'streamCycles', 'relay.', source, { min: 0 }),
      storeForwardCycles: num(relay, 'storeForwardCycles', 'relay.', source, { min: 0 }),
      storeForwardCyclesPerElement: num(relay, 'storeForwardCyclesPerElement', 'relay.', source, { min: 0 }),
    },
    messageCycles: num(j, 'messageCycles', '', source, { min: 0 }),
    stepCycles: num(j, 'stepCycles', '', source, { min: 0 }),
    compute: {
      macsPerCycle: num(compute, 'macsPerCycle', 'compute.', source, { positive: true }),
      instructionIssueCycles: num(compute, 'instructionIssueCycles', 'compute.', source, { min: 0 }),
      loopIterationCycles: num(compute, 'loopIterationCycles', 'compute.', source, { min: 0 }),
      elementwiseOpsPerCycle: num(compute, 'elementwiseOpsPerCycle', 'compute.', source, { positive: true }),
    },
    routing: { routesPerRouter: num(routing, 'routesPerRouter', 'routing.', source, { integer: true, positive: true }) },
    powerWatts: num(j, 'powerWatts', '', source, { positive: true }),
  };
  if (spec.elementsPerWord * spec.bytesPerElement > spec.link.bytesPerWord) {
    throw new WaferError('BAD_CONFIG', `${source}: elementsPerWord × bytesPerElement (${spec.elementsPerWord}×${spec.bytesPerElement}) exceeds link.bytesPerWord (${spec.link.bytesPerWord})`);
  }
  if (spec.routing.routesPerRouter > 32) throw new WaferError('BAD_CONFIG', `${source}: field routing.routesPerRouter must be <= 32 (5-bit route ids), got ${spec.routing.routesPerRouter}`);
  return spec;
}

/**
 * A machine file's bytes (read from `source`, named in errors) parsed and validated: invalid UTF-8 or JSON
 * is BAD_CONFIG. A pure function of its bytes; throws only WaferErrors.
 */
export function parseMachineJson(bytes: Uint8Array, source: string): MachineSpec {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new WaferError('BAD_CONFIG', `${source}: not valid JSON (${(e as Error).message})`);
  }
  return parseMachineSpec(json, source);
}

/** Cycles to push `elements` values through one link (serialisation). */
export function serialisationCycles(spec: MachineSpec, elements: number): number {
  return Math.ceil(elements / (spec.elementsPerWord * spec.link.wordsPerCycle));
}

/** Local compute cost: MACs in vector instructions, element-wise ops, and outer-loop iterations. */
export interface ComputeCost {
  macs?: number;
  elementwise?: number;
  instructions?: number;
  loops?: number;
}

/** Cycles a local computation takes on one core under the machine's compute model. */
export function computeCycles(spec: MachineSpec, cost: ComputeCost): number {
  const c = spec.compute;
  return (
    Math.ceil((cost.macs ?? 0) / c.macsPerCycle) +
    Math.ceil((cost.elementwise ?? 0) / c.elementwiseOpsPerCycle) +
    (cost.instructions ?? 0) * c.instructionIssueCycles +
    (cost.loops ?? 0) * c.loopIterationCycles
  );
}
