// The report page: one self-contained HTML file (works offline) with the run's configuration, modeled beside
// wall-clock figures, the phase breakdown as a Chart.js chart, and canvas heatmaps of the mesh. Chart.js and
// the page's own script and style are inlined; the viridis colour map is sampled from d3-scale-chromatic.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { interpolateViridis } from 'd3-scale-chromatic';
import { CYCLE_KINDS } from '@wafer/arch';
import type { RunRecord } from './run-record.js';

const ASSETS = new URL('../assets/', import.meta.url);

/** Chart.js's UMD build (it carries its MIT license header). */
function chartJsSource(): string {
  const main = createRequire(import.meta.url).resolve('chart.js'); // …/chart.js/dist/chart.cjs
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

/** 256 colours of viridis, low to high. */
export function viridisLut(): string[] {
  return Array.from({ length: 256 }, (_, i) => interpolateViridis(i / 255));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
/** Script text that cannot end its <script> element early. */
const scriptText = (s: string) => s.replace(/<\/script/gi, '<\\/script');

function table(rows: string[][], head: string[]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The whole page for a run record. */
export function reportHtml(r: RunRecord): string {
  const config = table(
    Object.entries(r.config).map(([k, v]) => [k, v === null ? '–' : String(v)]),
    ['setting', 'value'],
  );
  const summary = table(r.summary.map((row) => [...row]), ['', 'modeled (the emulated chip)', 'wall clock (this machine)']);
  const data = { ...r, kinds: CYCLE_KINDS, viridis: viridisLut() };
  const heatmaps = [
    ['busy', 'Busy share', 'busy cycles / the group’s modeled cycles, per core'],
    ['wait', 'Communication wait', 'cycles waiting for messages / modeled cycles, per core'],
    ['sram', 'SRAM occupancy', `peak bytes / the ${r.machine.sramBytesPerCore.toLocaleString('en-US')}-byte budget, per core`],
    ['links', 'Links', 'values sent over each link (edge colour between cores)'],
  ]
    .map(
      ([id, title, caption]) => `<figure class="map" id="map-${id}">
  <figcaption><strong>${title}</strong> <span class="caption">${caption}</span>${id === 'links' ? ' <label><input type="checkbox" id="links-busy"> busy cycles instead of values</label>' : ''}</figcaption>
  <canvas class="heatmap" data-map="${id}"></canvas>
  <div class="scale"><span class="lo"></span><canvas class="bar" width="256" height="10"></canvas><span class="hi"></span></div>
</figure>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wafer report: ${escapeHtml(r.title)}</title>
<style>
${readFileSync(new URL('report.css', ASSETS), 'utf8')}
</style>
</head>
<body>
<header><h1>wafer report</h1><p class="title">${escapeHtml(r.title)}</p></header>
<main>
<section id="summary">
<div><h2>Configuration</h2>
${config}</div>
<div><h2>Modeled and wall-clock time</h2>
${summary}
<p class="note">Modeled time is what the emulated ${escapeHtml(r.machine.name)} would take (cycles at ${(r.machine.clockHz / 1e9).toFixed(2)} GHz); wall-clock time is what this machine took to emulate it.</p></div>
</section>
<nav id="groups" aria-label="groups of runs"></nav>
<section id="profile">
<h2>Where the modeled time goes</h2>
<p class="note" id="profile-note"></p>
<div class="chart"><canvas id="phase-chart"></canvas></div>
<div id="phase-table"></div>
</section>
<section id="heatmaps">
<h2>The mesh</h2>
<p class="note">${r.mesh.rows}×${r.mesh.cols} cores on ${r.threads} thread(s); hover a core for its values.</p>
<div class="maps">
${heatmaps}
</div>
</section>
</main>
<div id="tooltip" role="tooltip" hidden></div>
<script id="wafer-data" type="application/json">${scriptJson(data)}</script>
<script>${scriptText(chartJsSource())}</script>
<script>${scriptText(readFileSync(new URL('report.js', ASSETS), 'utf8'))}</script>
</body>
</html>
`;
}
