// The module Jazzer.js loads (`pnpm fuzz` passes it): fuzzes the target named by WAFER_FUZZ_TARGET through
// checkInput. A finding is written to WAFER_FUZZ_FINDINGS once per distinct signature and fuzzing goes on
// (WAFER_FUZZ_STOP=1 rethrows it instead, so libFuzzer stops and writes its own crash artifact).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkInput, FuzzFinding } from './check-input.mjs';

const target = process.env.WAFER_FUZZ_TARGET ?? '';
const findingsDir = process.env.WAFER_FUZZ_FINDINGS;
const stopOnFinding = process.env.WAFER_FUZZ_STOP === '1';
const seen = new Set();

/** A finding's identity: its kind and the first frame in wafer's code (its message varies with the input). */
function signature(finding) {
  const frames = (finding.cause?.stack ?? '').split('\n').filter((l) => l.includes('/packages/'));
  return `${finding.kind} ${frames[0]?.trim() ?? ''}`;
}

function record(finding, data) {
  const sig = signature(finding);
  if (seen.has(sig)) return;
  seen.add(sig);
  const id = createHash('sha1').update(sig).digest('hex').slice(0, 12);
  process.stderr.write(`wafer-fuzz: finding ${id} ${finding.message.split('\n')[0].slice(0, 200)}\n`);
  if (!findingsDir) return;
  mkdirSync(findingsDir, { recursive: true });
  const base = join(findingsDir, `${finding.kind}-${id}`);
  if (existsSync(`${base}.txt`)) return;
  writeFileSync(`${base}.input`, data);
  writeFileSync(`${base}.txt`, `${sig}\n\n${finding.stack}\n\ncause: ${finding.cause?.stack ?? ''}\n`);
}

export function fuzz(data) {
  try {
    checkInput(target, data);
  } catch (err) {
    if (!(err instanceof FuzzFinding) || stopOnFinding) throw err;
    record(err, data);
  }
}
