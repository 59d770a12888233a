// The report page in a real browser (Debian's chromium, driven by playwright-core): it loads offline with no
// console error, the heatmaps show the pattern of runs whose counters we know (a row shift on 512x512: only
// eastward links carry values, the first column neither computes nor waits), hovering a core shows its values,
// and a screenshot of each page is written to test/output/. Without chromium these tests are skipped with a
// loud message, except in CI (CI=true), where they fail.
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { wafer } from './helpers/cli.js';

const CHROMIUM = process.env.WAFER_CHROMIUM ?? '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
const REQUIRED = process.env.CI === 'true' || process.env.CI === '1';
const OUT = new URL('./output/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'wafer-report-'));

if (!HAVE) {
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPING the report page browser tests: no ${CHROMIUM} (apt-get install chromium; .ci/run installs it)\n${line}\n`);
}

describe.skipIf(!HAVE)('the report page in Chromium', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'wafer-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1300, height: 900 },
      offline: true,
    });
  });
  afterAll(async () => {
    await context?.close();
  });

  /** Opens a page file; returns the page and the console errors it logs. */
  async function open(file: string): Promise<{ page: Page; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${file}`);
    await page.waitForFunction(() => document.body.dataset.ready !== undefined, null, { timeout: 30_000 });
    expect(await page.evaluate(() => document.body.dataset.ready)).toBe('1');
    return { page, errors };
  }

  /** RGB of canvas pixels of a map ('busy', 'wait', 'sram', 'links'). */
  const pixels = (page: Page, map: string, at: [number, number][]) =>
    page.evaluate(([m, pts]) => {
      const g = (document.querySelector(`#map-${m} canvas.heatmap`) as HTMLCanvasElement).getContext('2d')!;
      return pts.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data.slice(0, 3)));
    }, [map, at] as const);

  /** Moves the mouse over core (x, y) of a map and returns the tooltip's text. */
  async function hover(page: Page, map: string, x: number, y: number, rows: number, cols: number): Promise<string> {
    const canvas = page.locator(`#map-${map} canvas.heatmap`);
    await canvas.scrollIntoViewIfNeeded();
    // The picture inside the canvas's border, in the viewport's CSS pixels.
    const box = await canvas.evaluate((c: HTMLCanvasElement) => {
      const r = c.getBoundingClientRect();
      return { left: r.left + c.clientLeft, top: r.top + c.clientTop, width: c.clientWidth, height: c.clientHeight };
    });
    await page.mouse.move(box.left + ((x + 0.5) / cols) * box.width, box.top + ((y + 0.5) / rows) * box.height);
    await expect.poll(() => page.locator('#tooltip').isVisible()).toBe(true);
    return (await page.locator('#tooltip').textContent()) ?? '';
  }

  it('stories260K on 8x8: summary, phase chart, heatmaps and hover; wafer report of the saved record is the same page', async () => {
    const html = join(dir, 'stories.html');
    const record = join(dir, 'stories.json');
    const r = await wafer('run', '-p', 'Once upon a time', '-n', '4', '--temp', '0', '--report', html, '--save-run', record);
    expect(r.code, r.stderr).toBe(0);
    const again = join(dir, 'again.html');
    expect((await wafer('report', record, '-o', again)).code).toBe(0);
    expect(readFileSync(again, 'utf8') === readFileSync(html, 'utf8')).toBe(true);

    const { page, errors } = await open(html);
    expect(await page.locator('#groups button').allTextContents()).toEqual(['prefill', 'decode']);
    expect(await page.locator('#summary').textContent()).toMatch(/time to first token[\s\S]*cycles/);
    const labels = await page.evaluate(() => (globalThis as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { labels: string[] } } } }).Chart.getChart(document.getElementById('phase-chart') as HTMLCanvasElement).data.labels);
    expect(labels).toEqual(expect.arrayContaining(['rmsnorm', 'qkv', 'softmax', 'ffn-up-gate', 'classifier']));
    const api = await page.evaluate(() => (window as unknown as { waferReport: { cell: number; none: number[] } }).waferReport);
    const centres = [0, 3, 7].flatMap((y) => [0, 4, 7].map((x) => [x * api.cell + api.cell / 2, y * api.cell + api.cell / 2] as [number, number]));
    for (const map of ['busy', 'wait', 'sram']) for (const px of await pixels(page, map, centres)) expect(px, map).not.toEqual(api.none);
    const tip = await hover(page, 'busy', 5, 2, 8, 8);
    expect(tip).toContain('core(5,2) · tile 1 (thread 1)'); // 2 threads cut the mesh into columns 0..3 and 4..7
    expect(tip).toMatch(/busy [\d,]+ cycles \([\d.]+%\)\nwait [\d,]+ cycles/);
    expect(tip).toMatch(/SRAM peak [\d,]+ B/);
    await page.locator('#groups button', { hasText: 'prefill' }).click();
    expect(await page.locator('#groups button[aria-pressed="true"]').textContent()).toBe('prefill');
    await page.screenshot({ path: join(OUT, 'report-stories260K-8x8.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('a row shift on 512x512: only eastward links and columns 1.. light up; hover shows a core', async () => {
    const html = join(dir, 'shift.html');
    const r = await wafer('kernel', 'shift', '--mesh', '512', '--threads', '2', '--report', html);
    expect(r.code, r.stderr).toBe(0);
    const { page, errors } = await open(html);
    const api = await page.evaluate(() => {
      const w = (window as unknown as { waferReport: { cell: number; detailedLinks: boolean; none: number[]; viridis: number[][]; linkPixel(x: number, y: number, d: number): [number, number] } }).waferReport;
      const cores = [[0, 0], [1, 0], [255, 300], [509, 511], [510, 17], [511, 9]];
      return { cell: w.cell, detailed: w.detailedLinks, none: w.none, top: w.viridis[255], east: cores.map(([x, y]) => ({ x, y, px: w.linkPixel(x, y, 1) })), south: cores.filter(([, y]) => y < 511).map(([x, y]) => w.linkPixel(x, y, 2)) };
    });
    expect(api.cell).toBe(1);
    expect(api.detailed).toBe(false);
    const east = await pixels(page, 'links', api.east.filter((c) => c.x < 511).map((c) => c.px));
    for (const px of east) expect(px).toEqual(api.top); // every eastward link carried the same 16 values
    for (const px of await pixels(page, 'links', api.south)) expect(px).toEqual(api.none); // nothing moved along Y
    const busy = await pixels(page, 'busy', [[0, 0], [0, 300], [1, 0], [200, 300], [511, 511]]);
    expect(busy[0]).toEqual(api.none); // the first column only sends: no compute
    expect(busy[1]).toEqual(api.none);
    for (const px of busy.slice(2)) expect(px).toEqual(api.top);
    const wait = await pixels(page, 'wait', [[0, 7], [0, 511], [3, 7], [511, 0]]);
    expect(wait.slice(0, 2)).toEqual([api.none, api.none]); // nor waits: it receives nothing
    for (const px of wait.slice(2)) expect(px).not.toEqual(api.none);
    const tip = await hover(page, 'wait', 300, 200, 512, 512);
    expect(tip).toContain('core(300,200)');
    expect(tip).toContain('values out: N 0 · E 16 · S 0 · W 0');
    await page.screenshot({ path: join(OUT, 'report-shift-512x512.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});

describe.runIf(!HAVE && REQUIRED)('CI has Chromium', () => {
  it(`finds ${CHROMIUM} (CI must never skip the report page tests)`, () => {
    expect(existsSync(CHROMIUM)).toBe(true);
  });
});
