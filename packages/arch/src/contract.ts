// The core contract: everything a per-core program may see and do. Kernels are written once against it;
// the fabric's tile workers implement it. Pure types and route helpers, no Node APIs.

import type { ComputeCost, MachineSpec } from './machine.js';
import type { Direction } from './mesh.js';

/** Route ids ("colours") are 5-bit, as on the WSE router: 0..31. */
export const MAX_COLORS = 32;

/**
 * A configured route: a straight path of `hops` links from the sending core in direction `dir`.
 * Traffic passes intermediate routers without involving their cores (α per hop, no relay). With
 * `multicast`, every core the route passes also receives a copy; otherwise only the last one does.
 * A neighbour link is simply a route of one hop.
 */
export interface Route {
  readonly color: number;
  readonly dir: Direction;
  readonly hops: number;
  readonly multicast?: boolean;
}

/** Builds a route, checking its fields (kernels build their routes once, outside hot loops). */
export function route(color: number, dir: Direction, hops = 1, multicast = false): Route {
  if (!Number.isInteger(color) || color < 0 || color >= MAX_COLORS) throw new RangeError(`route colour must be 0..31, got ${color}`);
  if (!Number.isInteger(hops) || hops < 1) throw new RangeError(`route hops must be >= 1, got ${hops}`);
  return { color, dir, hops, multicast };
}

/** What a program yields to wait for a message; the fabric resumes it with the payload. */
export type RecvRequest = number & { readonly __recv: true };

/**
 * A part of a program that is a program itself, such as a collective: `const y = yield sub(...)` runs it on
 * the core, and the `yield` evaluates to what it returns (an error it throws is thrown at the `yield`). While
 * it runs, its caller stays suspended: the fabric resumes only the sub-program for the messages it receives,
 * however deep the calls are nested. `yield* sub(...)`, plain delegation, gives the same results but resumes
 * every caller in the chain for each message; use it for a sub-program that returns something other than a
 * vector, since TypeScript types every `yield` of a program as the vector a receive resumes it with. (One
 * difference: the stack of an error thrown in a sub-program run with `yield` does not show its callers.)
 */
export interface SubProgram<T = unknown> extends Generator<CoreStep, T, Float32Array> {}

/** What a program yields: a receive (`core.recv`, `core.stream`) or a sub-program to run. */
export type CoreStep = RecvRequest | SubProgram;

/**
 * A per-core program: `const data = yield core.recv(colour)` waits for the next message on that route, and
 * `const y = yield sub(...)` runs a sub-program (see SubProgram).
 */
export type CoreProgram<A = unknown> = (core: Core, args: A) => Generator<CoreStep, void, Float32Array>;

/** The interface a core program is given. */
export interface Core {
  readonly x: number;
  readonly y: number;
  readonly rows: number;
  readonly cols: number;
  readonly machine: MachineSpec;
  /** This core's modeled clock, in cycles since the start of the run. */
  readonly clock: number;

  /** Allocates a zeroed local buffer, counted against the core's SRAM (replaces one of the same name). */
  alloc(name: string, length: number): Float32Array;
  /** A buffer placed by the coordinator or allocated earlier; throws naming the core if absent. */
  buffer(name: string): Float32Array;
  has(name: string): boolean;
  free(name: string): void;

  /**
   * A zeroed temporary vector for intermediate values (what registers and the compiler's temporaries hold on
   * a chip), valid until the run ends and not counted against SRAM. Results that outlive the run go into
   * `alloc`ed buffers.
   */
  scratch(length: number): Float32Array;

  /** Sends a copy of `data` on a route; the transfer proceeds while the core computes. */
  send(r: Route, data: Float32Array): void;
  /**
   * Sends `data` itself, as `send` does in every modeled respect, but without the copy: the core gives the vector
   * up and must not read or change it afterwards (the receiver may). For a vector the core is done with, such as
   * a partial sum it passes on and never reads again; never for a placed or `alloc`ed buffer, which stays the core's. A
   * multicast still gives every receiver a copy.
   */
  give(r: Route, data: Float32Array): void;
  /** Store-and-forward relay: re-sends a received message, paying the relay cost first. */
  forward(r: Route, data: Float32Array): void;
  /**
   * Waits for the whole next message on route `color` (use as `yield core.recv(c)`). The payload is this
   * core's to read and change, until the run ends (like a scratch vector).
   */
  recv(color: number): RecvRequest;
  /**
   * Waits only for the head of the next message on `color`: for streaming relays and reductions, which
   * pipeline element by element. The next `send` is then the streamed output (β per relay, not n).
   */
  stream(color: number): RecvRequest;

  /** Charges local computation to this core's clock. */
  compute(cost: ComputeCost): void;
  /** Charges the fixed per-step overhead of a compute-and-shift kernel step. */
  step(): void;
  /**
   * Marks the start of a named phase on this core (an id from `PHASE`): the cycles that follow are attributed
   * to it until the next marker, in profiles and traces. Costs no modeled time.
   */
  phase(id: number): void;
}
