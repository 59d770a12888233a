#!/usr/bin/env node
// `pnpm bench [NAME ...]`: runs benchmark scripts from scripts/bench/ and prints their tables.
// With no name it runs every benchmark. Numbers are printed, never asserted.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('./bench/', import.meta.url));
const all = readdirSync(dir).filter((f) => f.endsWith('.mjs')).map((f) => f.slice(0, -4)).sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`bench: unknown benchmark '${n}' (have: ${all.join(', ')})`);
    process.exit(2);
  }
}
for (const name of names.length ? names : all) {
  console.log(`\n## bench ${name}\n`);
  const r = spawnSync(process.execPath, [`${dir}${name}.mjs`, ...flags], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
