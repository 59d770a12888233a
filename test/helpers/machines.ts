// Test helper: a machine preset from configs/machines, parsed and validated like the CLI does.
import { readFileSync } from 'node:fs';
import { parseMachineSpec, type MachineSpec } from '@wafer/arch';

export function preset(name: 'dev' | 'wse2' | 'wse3'): MachineSpec {
  const file = new URL(`../../configs/machines/${name}.json`, import.meta.url);
  return parseMachineSpec(JSON.parse(readFileSync(file, 'utf8')), `configs/machines/${name}.json`);
}
