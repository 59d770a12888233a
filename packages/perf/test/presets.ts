// Loads the machine presets the tests use from configs/machines/ (the same files the CLI reads).
import { readFileSync } from 'node:fs';
import { parseMachineSpec, type MachineSpec } from '@wafer/arch';

export function preset(name: 'dev' | 'wse2' | 'wse3'): MachineSpec {
  const url = new URL(`../../../configs/machines/${name}.json`, import.meta.url);
  return parseMachineSpec(JSON.parse(readFileSync(url, 'utf8')), `configs/machines/${name}.json`);
}
