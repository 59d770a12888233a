// The sampling flags (--temp, --top-p, --top-k, --seed) shared by `wafer run` and `wafer serve` (where they
// are the defaults of requests that do not say), each bad value a usage error naming the flag.
import type { Argv } from 'yargs';
import { intFlag, numFlag } from './flags.js';

/** The sampling flags as yargs gives them. */
export interface SamplingFlagArgs {
  temp: string;
  'top-k': string;
  'top-p': string;
  seed?: string;
}

/** Declares the sampling flags; `seedDefault` undefined leaves --seed unset by default. */
export function samplingFlagOptions(y: Argv, seedDefault: string | undefined, seedDescription: string): Argv {
  return y
    .option('temp', { type: 'string', default: '1.0', describe: 'temperature; 0 is greedy' })
    .option('top-k', { type: 'string', default: '0', describe: 'keep the k most probable tokens (0: all)' })
    .option('top-p', { type: 'string', default: '0.9', describe: 'nucleus sampling mass in (0, 1]' })
    .option('seed', { type: 'string', default: seedDefault, describe: seedDescription });
}

/** Validates the sampling flags; seed is undefined when --seed was not given and has no default. */
export function parseSamplingFlags(argv: SamplingFlagArgs): { temperature: number; topK: number; topP: number; seed: number | undefined } {
  return {
    temperature: numFlag('--temp', argv.temp, { min: 0 }),
    topK: intFlag('--top-k', argv['top-k'], { min: 0 }),
    topP: numFlag('--top-p', argv['top-p'], { min: 0, minExclusive: true, max: 1 }),
    seed: argv.seed === undefined ? undefined : intFlag('--seed', argv.seed, { min: 1 }),
  };
}
