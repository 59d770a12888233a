// Pairs the traced sends and receives of one run into message flows. A receive records its colour and its
// number among the core's receives on that colour; the k-th one is the k-th message the unique sender on that
// (receiver, colour) sent there, since the fabric fails any run in which two flows of one colour merge at a
// router (docs/fabric.md, "Routes"). Pairing is by core order and program order: the same for any thread count.

import { DX, DY, EV_RECV, EV_SEND, TRACE_RECORD, unpackRoute, type MeshShape } from '@wafer/arch';
import type { TileTrace } from '@wafer/fabric';

const R = TRACE_RECORD;
const SEQ = 2 ** 24; // receives per core and colour the key can tell apart

/** What became of the run's traced messages. */
export interface FlowTally {
  kept: number;
  overCap: number; // paired, but over the trace's flow cap
  unmatched: number; // a send into the window or a receive without its other end (per-core caps)
  ambiguous: number; // a (receiver, colour) with two senders: not paired
}

/** Flow ids of one run: per traced core's send event (by its index in the trace), and per receive event. */
export interface RunFlows {
  sends: Map<number, number[]>; // event index → flow ids (a multicast send starts several)
  recvs: Map<number, number>; // event index → flow id
}

/**
 * Assigns flow ids to the paired messages of a run, in sender order, from `nextId` on, while `cap` allows.
 * Returns the flows and adds what happened to `tally`.
 */
export function pairFlows(trace: TileTrace, mesh: MeshShape, nextId: number, cap: number, tally: FlowTally): RunFlows {
  const cols = mesh.cols;
  const traced = new Set<number>(trace.cores);
  const recvAt = new Map<number, number>(); // (core·32 + colour)·SEQ + seq → event index
  const senders = new Map<number, number>(); // core·32 + colour → the sender seen (or -1: more than one)
  const sendDsts: { ev: number; dsts: number[]; color: number }[] = [];
  let e = 0;
  trace.cores.forEach((core, k) => {
    const x = core % cols;
    const y = (core - x) / cols;
    for (let j = 0; j < trace.counts[k]; j++, e++) {
      const o = e * R;
      const type = trace.events[o];
      if (type === EV_RECV) recvAt.set((core * 32 + trace.events[o + 2]) * SEQ + trace.events[o + 3], e);
      else if (type === EV_SEND) {
        const r = unpackRoute(trace.events[o + 3]);
        const dsts: number[] = [];
        for (let h = r.multicast ? 1 : r.hops; h <= r.hops; h++) dsts.push((y + DY[r.dir] * h) * cols + x + DX[r.dir] * h);
        for (const d of dsts) {
          const key = d * 32 + r.color;
          const seen = senders.get(key);
          senders.set(key, seen === undefined || seen === core ? core : -1);
        }
        sendDsts.push({ ev: e, dsts, color: r.color });
      }
    }
  });
  const flows: RunFlows = { sends: new Map(), recvs: new Map() };
  const sent = new Map<number, number>(); // core·32 + colour → messages sent there so far
  const matched = new Set<number>();
  let id = nextId;
  for (const s of sendDsts) {
    for (const d of s.dsts) {
      const key = d * 32 + s.color;
      const seq = sent.get(key) ?? 0;
      sent.set(key, seq + 1);
      if (!traced.has(d)) continue;
      if (senders.get(key) === -1) {
        tally.ambiguous++;
        continue;
      }
      const r = recvAt.get(key * SEQ + seq);
      if (r === undefined) {
        tally.unmatched++;
        continue;
      }
      matched.add(r);
      if (id - nextId >= cap) {
        tally.overCap++;
        continue;
      }
      const list = flows.sends.get(s.ev);
      if (list === undefined) flows.sends.set(s.ev, [id]);
      else list.push(id);
      flows.recvs.set(r, id);
      id++;
    }
  }
  tally.kept += id - nextId;
  for (const r of recvAt.values()) if (!matched.has(r)) tally.unmatched++;
  return flows;
}
