// `wafer report RUN.json -o report.html`: the report page of a saved run record (wafer run|kernel --save-run).
import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { readRunRecord, reportHtml } from '@wafer/observe';
import { ensureParentDir } from '../output-file.js';
import type { Context } from '../context.js';

export function reportBuilder(y: Argv): Argv {
  return y
    .positional('record', { type: 'string', describe: 'run record written by wafer run --save-run or wafer kernel --save-run' })
    .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the HTML page to write' });
}

interface ReportArgs {
  record: string;
  out: string;
}

export async function reportCommand(argv: ReportArgs, ctx: Context): Promise<void> {
  const record = readRunRecord(argv.record);
  ensureParentDir(argv.out, '-o');
  writeFileSync(argv.out, reportHtml(record));
  ctx.stderr.write(`[wafer] report: ${argv.out} (${record.title})\n`);
}
