// Output files named on the command line: their directory is created, or the flag is named in the error.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WaferError } from '@wafer/arch';

/** Creates the directory `file` will be written in; a failure names the flag and the path. */
export function ensureParentDir(file: string, flag: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (e) {
    throw new WaferError('USAGE', `${flag} ${file}: cannot create its directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
