// Resolves `--machine NAME|FILE`: a preset name from configs/machines/, or a path to a JSON file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseMachineJson, usageError, WaferError, type MachineSpec } from '@wafer/arch';
import { MACHINES_DIR } from './paths.js';

/** Names of the bundled presets. */
export function presetNames(): string[] {
  return readdirSync(MACHINES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

export function loadMachine(nameOrFile: string): MachineSpec {
  const isPath = nameOrFile.includes('/') || nameOrFile.endsWith('.json');
  const file = isPath ? nameOrFile : `${MACHINES_DIR}${nameOrFile}.json`;
  if (!existsSync(file)) {
    if (isPath) throw new WaferError('FILE_NOT_FOUND', `--machine ${nameOrFile}: no such file`);
    throw usageError(`--machine ${nameOrFile}: unknown machine (presets: ${presetNames().join(', ')}; or give a JSON file)`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new WaferError('FILE_NOT_FOUND', `--machine ${nameOrFile}: cannot read ${file} (${(e as Error).message})`);
  }
  return parseMachineJson(bytes, file);
}
