#!/usr/bin/env node
// `pnpm fuzz <target>|all [--time S] [--stop]`: coverage-guided fuzzing of wafer's readers with Jazzer.js
// (libFuzzer). Each target runs for --time seconds (default 60) from its seed corpus, restarting after a
// crash or timeout; then a table of executions, executions/s, covered edges and findings per target.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadableAddonPath, prebuiltAddonPath } from './fuzz/addon-compat.mjs';
import { FUZZ_TARGET_NAMES } from '../test/fuzz/harness/targets.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, '.fuzz');
/** A per-input timeout: an input that runs longer is a hang (libFuzzer writes a timeout- artifact). */
const INPUT_TIMEOUT_MS = 5000;
/** Longest input libFuzzer generates (the largest seed is ~31 KB). */
const MAX_INPUT_BYTES = 65536;
/** Dictionaries by target. */
const DICTIONARIES = {
  gguf: 'gguf.dict',
  safetensors: 'safetensors.dict',
  'safetensors-index': 'safetensors.dict',
  'tokenizer-json': 'hf-json.dict',
  'hf-config': 'hf-json.dict',
  machine: 'machine.dict',
};

function usage(message) {
  console.error(`fuzz: ${message}\nusage: pnpm fuzz <${FUZZ_TARGET_NAMES.join('|')}|all> [--time SECONDS] [--stop]`);
  process.exit(2);
}

function parseArgs(argv) {
  const names = [];
  let seconds = 60;
  let stop = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--time') {
      seconds = Number(argv[++i]);
      if (!Number.isFinite(seconds) || seconds <= 0) usage(`--time ${argv[i]} is not a positive number of seconds`);
    } else if (argv[i] === '--stop') stop = true;
    else if (argv[i].startsWith('-')) usage(`unknown flag ${argv[i]}`);
    else names.push(argv[i]);
  }
  if (names.length !== 1) usage('name one target, or all');
  if (names[0] !== 'all' && !FUZZ_TARGET_NAMES.includes(names[0])) usage(`unknown target ${names[0]}`);
  return { targets: names[0] === 'all' ? FUZZ_TARGET_NAMES : names, seconds, stop };
}

/** One Jazzer.js process: fuzzes until `seconds` pass or it crashes; resolves with its parsed statistics. */
function runJazzer(target, seconds, dirs, env, log) {
  const cli = join(root, 'node_modules/@jazzer.js/core/dist/cli.js');
  const libFuzzerArgs = [
    `-max_total_time=${Math.max(1, Math.round(seconds))}`,
    `-max_len=${MAX_INPUT_BYTES}`,
    '-print_final_stats=1',
    `-artifact_prefix=${dirs.artifacts}/`,
    '-rss_limit_mb=4096',
  ];
  if (DICTIONARIES[target]) libFuzzerArgs.push(`-dict=${join(root, 'test/fuzz/dict', DICTIONARIES[target])}`);
  const args = [
    '--require', join(root, 'scripts/fuzz/addon-redirect.cjs'),
    cli, join(root, 'test/fuzz/harness/jazzer-entry.mjs'), dirs.corpus, join(root, 'test/fuzz/corpus', target),
    '--sync', `--timeout=${INPUT_TIMEOUT_MS}`, '--includes=packages/', '--excludes=node_modules',
    '--', ...libFuzzerArgs,
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stats = { executions: 0, edges: 0, crashed: false };
    let pending = '';
    const onData = (chunk) => {
      log.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        const cov = /^#(\d+)\s.*\bcov: (\d+)/.exec(line);
        if (cov) {
          stats.executions = Math.max(stats.executions, Number(cov[1]));
          stats.edges = Math.max(stats.edges, Number(cov[2]));
        }
        const runs = /^stat::number_of_executed_units:\s+(\d+)/.exec(line);
        if (runs) stats.executions = Math.max(stats.executions, Number(runs[1]));
        if (line.startsWith('wafer-fuzz: finding')) process.stderr.write(`  ${target}: ${line}\n`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('close', (code, signal) => {
      stats.crashed = code !== 0 || signal !== null;
      resolve(stats);
    });
  });
}

/** Fuzzes one target for `seconds` in total, restarting after crashes; returns its row of the table. */
async function fuzzTarget(target, seconds, stop, addon) {
  const base = join(work, target);
  const dirs = { corpus: join(base, 'corpus'), artifacts: join(base, 'artifacts'), findings: join(base, 'findings') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  const env = {
    ...process.env,
    WAFER_FUZZ_TARGET: target,
    WAFER_FUZZ_FINDINGS: dirs.findings,
    WAFER_FUZZ_STOP: stop ? '1' : '0',
    WAFER_JAZZER_PREBUILT: prebuiltAddonPath(),
    WAFER_JAZZER_ADDON: addon,
  };
  const log = createWriteStream(join(base, 'fuzz.log'), { flags: 'a' });
  const started = performance.now();
  const row = { target, seconds: 0, executions: 0, edges: 0, restarts: 0 };
  for (;;) {
    const left = seconds - (performance.now() - started) / 1000;
    if (left < 1) break;
    const stats = await runJazzer(target, left, dirs, env, log);
    row.executions += stats.executions;
    row.edges = Math.max(row.edges, stats.edges);
    if (!stats.crashed) break;
    row.restarts++;
    if (stop) break;
  }
  log.end();
  row.seconds = (performance.now() - started) / 1000;
  const artifacts = readdirSync(dirs.artifacts).filter((f) => /^(crash|timeout|oom|slow-unit|leak)-/.test(f));
  const findings = readdirSync(dirs.findings).filter((f) => f.endsWith('.txt'));
  row.findings = findings.length + artifacts.length;
  row.findingNames = [...findings.map((f) => join(dirs.findings, f)), ...artifacts.map((f) => join(dirs.artifacts, f))];
  return row;
}

function printTable(rows) {
  console.log('\n| target | minutes | executions | executions/s | edges | findings |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const perSecond = Math.round(r.executions / r.seconds);
    console.log(`| ${r.target} | ${(r.seconds / 60).toFixed(1)} | ${r.executions.toLocaleString('en-US')} | ${perSecond.toLocaleString('en-US')} | ${r.edges.toLocaleString('en-US')} | ${r.findings} |`);
  }
  for (const r of rows) for (const name of r.findingNames) console.log(`finding (${r.target}): ${name}`);
}

const { targets, seconds, stop } = parseArgs(process.argv.slice(2));
if (!existsSync(join(root, 'packages/llama/dist/index.js'))) usage('packages are not built: run pnpm build first');
const addon = loadableAddonPath(join(root, 'node_modules/.cache/wafer-fuzz'));
const rows = [];
for (const target of targets) {
  // Findings and artifacts of a previous run of this target are cleared; the corpus it grew is kept.
  for (const sub of ['findings', 'artifacts']) rmSync(join(work, target, sub), { recursive: true, force: true });
  process.stderr.write(`fuzz: ${target} for ${seconds} s (log: .fuzz/${target}/fuzz.log)\n`);
  rows.push(await fuzzTarget(target, seconds, stop, addon));
}
printTable(rows);
