// The wafer report page's script (inlined into the page by report-page.ts): decodes the run record's arrays,
// draws the phase chart with Chart.js and the heatmaps into canvases (ImageData, a block of pixels per core,
// never a DOM node per core), and shows a core's values on hover.
/* global Chart */
(async function main() {
  'use strict';
  const data = JSON.parse(document.getElementById('wafer-data').textContent);
  const rows = data.mesh.rows;
  const cols = data.mesh.cols;
  const n = rows * cols;
  const NONE = [226, 230, 234]; // exactly zero: nothing happened there
  const CORE = [89, 98, 107]; // cores on the link map
  const lut = data.viridis.map(rgbOf);
  const fmt = (v) => Math.round(v).toLocaleString('en-US');
  const pct = (v) => (100 * v).toFixed(1) + '%';
  const DIRS = ['N', 'E', 'S', 'W'];
  const DX = [0, 1, 0, -1];
  const DY = [-1, 0, 1, 0];

  function rgbOf(c) {
    const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c) || /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(c);
    return m[0].startsWith('rgb') ? [+m[1], +m[2], +m[3]] : [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
  }
  /** The colour of v on the scale [lo, hi]: grey for exactly 0 (nothing there), viridis for the rest. */
  function colourOf(v, scale) {
    if (!(v > 0)) return NONE;
    const [lo, hi] = scale;
    if (!(hi > lo)) return lut[255];
    return lut[Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo)) * 255)))];
  }

  async function unpack(p) {
    const bin = atob(p.data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Float32Array(await new Response(stream).arrayBuffer(), 0, p.length);
  }

  const tileOf = new Int32Array(n);
  for (const t of data.tiles) for (let y = t.y0; y < t.y0 + t.height; y++) for (let x = t.x0; x < t.x0 + t.width; x++) tileOf[y * cols + x] = t.id;

  const groups = await Promise.all(
    data.groups.map(async (g) => ({
      name: g.group,
      runs: g.runs,
      cycles: g.modeledCycles,
      busy: await unpack(g.busy),
      wait: await unpack(g.wait),
      sram: await unpack(g.sramPeak),
      linkWords: await unpack(g.linkWords),
      linkBusy: await unpack(g.linkBusy),
    })),
  );
  const names = [...new Set([...data.profiles.map((p) => p.group), ...groups.map((g) => g.name)])];

  // ---- geometry of the maps ----
  const cell = Math.max(1, Math.min(48, Math.floor(512 / Math.max(rows, cols))));
  const detailedLinks = cell >= 12; // bars between core squares; else one pixel per link between core pixels
  const linkScale = detailedLinks ? 0 : Math.max(1, Math.floor(512 / (2 * Math.max(rows, cols))));
  /** Canvas pixel (centre) of core (x, y) on a core map. */
  function corePixel(x, y) {
    return [x * cell + Math.floor(cell / 2), y * cell + Math.floor(cell / 2)];
  }
  /** Canvas pixel (centre) of the link leaving core (x, y) in direction d, on the link map. */
  function linkPixel(x, y, d) {
    if (detailedLinks) {
      const c = cell;
      const mid = (a) => Math.floor(a * c);
      if (d === 1) return [x * c + mid(1), y * c + mid(0.43)];
      if (d === 3) return [x * c, y * c + mid(0.57)];
      if (d === 2) return [x * c + mid(0.57), y * c + mid(1)];
      return [x * c + mid(0.43), y * c];
    }
    const k = linkScale;
    const px = 2 * x + (d === 1 ? 1 : d === 3 ? -1 : 0);
    const py = 2 * y + (d === 2 ? 1 : d === 0 ? -1 : 0);
    return [px * k + Math.floor(k / 2), py * k + Math.floor(k / 2)];
  }

  /** Shown size: at least 400 CSS pixels, and a CSS pixel per core or more (so every core can be pointed at). */
  function displaySize(canvas) {
    const k = Math.max(400 / Math.max(rows, cols), cell);
    canvas.style.width = `${Math.round(cols * k)}px`;
    canvas.style.height = `${Math.round(rows * k)}px`;
  }

  function paintCores(canvas, values, scale) {
    canvas.width = cols * cell;
    canvas.height = rows * cell;
    displaySize(canvas);
    const g = canvas.getContext('2d');
    const img = g.createImageData(canvas.width, canvas.height);
    for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) fillBlock(img, x, y, cell, colourOf(values[y * cols + x], scale));
    g.putImageData(img, 0, 0);
  }

  /** Paints block (bx, by) of k×k pixels of an image. */
  function fillBlock(img, bx, by, k, c) {
    for (let dy = 0; dy < k; dy++) {
      let o = ((by * k + dy) * img.width + bx * k) * 4;
      for (let dx = 0; dx < k; dx++, o += 4) {
        img.data[o] = c[0];
        img.data[o + 1] = c[1];
        img.data[o + 2] = c[2];
        img.data[o + 3] = 255;
      }
    }
  }

  function paintLinks(canvas, links, scale) {
    const g = canvas.getContext('2d');
    displaySize(canvas);
    const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;
    if (detailedLinks) {
      canvas.width = cols * cell;
      canvas.height = rows * cell;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      const c = cell;
      const a = Math.floor(0.3 * c);
      const b = Math.ceil(0.7 * c);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          g.fillStyle = rgb(CORE);
          g.fillRect(x * c + a, y * c + a, b - a, b - a);
          const i = (y * cols + x) * 4;
          // Eastward (upper half) and westward (lower half) bars between horizontal neighbours; southward (right)
          // and northward (left) bars between vertical ones.
          if (x + 1 < cols) {
            g.fillStyle = rgb(colourOf(links[i + 1], scale));
            g.fillRect(x * c + b, y * c + Math.floor(0.37 * c), c + a - b, Math.max(1, Math.floor(0.12 * c)));
            g.fillStyle = rgb(colourOf(links[i + 4 + 3], scale));
            g.fillRect(x * c + b, y * c + Math.floor(0.51 * c), c + a - b, Math.max(1, Math.floor(0.12 * c)));
          }
          if (y + 1 < rows) {
            g.fillStyle = rgb(colourOf(links[i + 2], scale));
            g.fillRect(x * c + Math.floor(0.51 * c), y * c + b, Math.max(1, Math.floor(0.12 * c)), c + a - b);
            g.fillStyle = rgb(colourOf(links[i + cols * 4 + 0], scale));
            g.fillRect(x * c + Math.floor(0.37 * c), y * c + b, Math.max(1, Math.floor(0.12 * c)), c + a - b);
          }
        }
      }
      return;
    }
    // One pixel block per core at (2x, 2y), per pair of opposite links between them (both directions added).
    const k = linkScale;
    const W = (2 * cols - 1) * k;
    const H = (2 * rows - 1) * k;
    canvas.width = W;
    canvas.height = H;
    const img = g.createImageData(W, H);
    const put = (px, py, c) => fillBlock(img, px, py, k, c);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const i = (y * cols + x) * 4;
        put(2 * x, 2 * y, CORE);
        if (x + 1 < cols) put(2 * x + 1, 2 * y, colourOf(links[i + 1] + links[i + 4 + 3], scale));
        if (y + 1 < rows) put(2 * x, 2 * y + 1, colourOf(links[i + 2] + links[i + cols * 4], scale));
        if (x + 1 < cols && y + 1 < rows) put(2 * x + 1, 2 * y + 1, [255, 255, 255]);
      }
    }
    g.putImageData(img, 0, 0);
  }

  function scaleBar(fig, lo, hi) {
    const bar = fig.querySelector('canvas.bar');
    const g = bar.getContext('2d');
    for (let i = 0; i < 256; i++) {
      g.fillStyle = `rgb(${lut[i].join(',')})`;
      g.fillRect(i, 0, 1, bar.height);
    }
    fig.querySelector('.lo').textContent = lo;
    fig.querySelector('.hi').textContent = hi;
  }

  /** [smallest, largest] of the positive values (the colour scale; zeros are grey). */
  function range(a) {
    let lo = Infinity;
    let hi = 0;
    for (const v of a) {
      if (v > 0 && v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return hi > 0 ? [lo, hi] : [0, 0];
  }

  // ---- the phase chart and table ----
  const KIND_COLOURS = { compute: '#3b6fb6', elementwise: '#6cb06a', overhead: '#a0a8b0', relay: '#e0a23b', wait: '#d0534c' };
  const KIND_LABELS = { compute: 'compute (MACs)', elementwise: 'element-wise', overhead: 'step overhead', relay: 'relay', wait: 'communication wait' };
  let chart = null;

  function showProfile(name) {
    const p = data.profiles.find((q) => q.group === name);
    const note = document.getElementById('profile-note');
    const tableDiv = document.getElementById('phase-table');
    if (chart) chart.destroy();
    chart = null;
    if (!p) {
      note.textContent = 'No phase profile in this record (run with --profile or --report).';
      tableDiv.textContent = '';
      return;
    }
    const crit = p.criticalCores.map((c) => `${c.core} in ${c.runs}`).join(', ');
    note.textContent = `${p.runs} run(s), ${fmt(p.modeledCycles)} modeled cycles (${((p.modeledCycles / data.machine.clockHz) * 1e6).toFixed(2)} µs). Bars: the cycles of each phase on the critical path (the last-finishing core of each run: ${crit}), by kind.`;
    document.querySelector('.chart').style.height = `${90 + 24 * p.phases.length}px`;
    chart = new Chart(document.getElementById('phase-chart'), {
      type: 'bar',
      data: {
        labels: p.phases.map((r) => r.phase),
        datasets: data.kinds.map((k) => ({ label: KIND_LABELS[k], data: p.phases.map((r) => r.kinds[k]), backgroundColor: KIND_COLOURS[k], maxBarThickness: 22 })),
      },
      options: {
        indexAxis: 'y',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true, title: { display: true, text: 'modeled cycles on the critical path' } }, y: { stacked: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    });
    const head = ['phase', 'cycles', 'share', 'busy mean', 'min', 'max', 'p95', 'imbalance (max/mean)', 'wait mean'];
    const body = p.phases
      .map((r) => `<tr><th scope="row">${r.phase}</th><td>${fmt(r.cycles)}</td><td>${pct(r.share)}</td><td>${fmt(r.busy.mean)}</td><td>${fmt(r.busy.min)}</td><td>${fmt(r.busy.max)}</td><td>${fmt(r.busy.p95)}</td><td>${r.busy.imbalance.toFixed(2)}</td><td>${fmt(r.waitMean)}</td></tr>`)
      .join('');
    const c = p.categories;
    const total = p.modeledCycles || 1;
    const cats = [['compute', c.compute], ['communication', c.communication], ['KV cache', c.kvCache], ['element-wise', c.elementwise], ['step overhead', c.overhead]]
      .map(([k, v]) => `${k} ${fmt(v)} (${pct(v / total)})`)
      .join(' · ');
    tableDiv.innerHTML = `<table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table><p class="note">Categories on the critical path: ${cats}.</p>`;
  }

  // ---- heatmaps ----
  let current = null;
  function showMaps(name) {
    const g = groups.find((q) => q.name === name);
    current = g || null;
    document.getElementById('heatmaps').hidden = !g;
    if (!g) return;
    const share = (a) => a.map((v) => v / (g.cycles || 1));
    const busy = share(g.busy);
    const wait = share(g.wait);
    const budget = data.machine.sramBytesPerCore;
    const sram = g.sram.map((v) => v / budget);
    const fig = (id) => document.getElementById(`map-${id}`);
    const rb = range(busy);
    paintCores(fig('busy').querySelector('canvas.heatmap'), busy, rb);
    scaleBar(fig('busy'), pct(rb[0]), pct(rb[1]));
    const rw = range(wait);
    paintCores(fig('wait').querySelector('canvas.heatmap'), wait, rw);
    scaleBar(fig('wait'), pct(rw[0]), pct(rw[1]));
    // SRAM against the budget: 0 to 100% (or to the peak, if a core went over).
    const rs = [0, Math.max(1, range(sram)[1])];
    paintCores(fig('sram').querySelector('canvas.heatmap'), sram, rs);
    scaleBar(fig('sram'), '0', pct(rs[1]));
    const useBusy = document.getElementById('links-busy').checked;
    const links = useBusy ? g.linkBusy : g.linkWords;
    const rl = detailedLinks ? range(links) : range(pairs(links));
    paintLinks(fig('links').querySelector('canvas.heatmap'), links, rl);
    const unit = useBusy ? 'cycles' : 'values';
    scaleBar(fig('links'), `${fmt(rl[0])} ${unit}`, `${fmt(rl[1])} ${unit}`);
  }
  /** Both directions of every link added (what the coarse link map shows per link). */
  function pairs(a) {
    const out = [];
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        const i = (y * cols + x) * 4;
        if (x + 1 < cols) out.push(a[i + 1] + a[i + 4 + 3]);
        if (y + 1 < rows) out.push(a[i + 2] + a[i + cols * 4]);
      }
    }
    return out;
  }

  // ---- hover ----
  const tip = document.getElementById('tooltip');
  function coreAt(canvas, ev) {
    const r = canvas.getBoundingClientRect(); // the border box: the picture starts inside the border
    const x = Math.floor(((ev.clientX - r.left - canvas.clientLeft) / canvas.clientWidth) * cols);
    const y = Math.floor(((ev.clientY - r.top - canvas.clientTop) / canvas.clientHeight) * rows);
    return x >= 0 && x < cols && y >= 0 && y < rows ? [x, y] : null;
  }
  function describe(x, y) {
    const g = current;
    const i = y * cols + x;
    const t = tileOf[i];
    const dirs = (a) => DIRS.map((d, k) => `${d} ${fmt(a[i * 4 + k])}`).join(' · ');
    return [
      `core(${x},${y}) · tile ${t} (thread ${t})`,
      `busy ${fmt(g.busy[i])} cycles (${pct(g.busy[i] / (g.cycles || 1))})`,
      `wait ${fmt(g.wait[i])} cycles (${pct(g.wait[i] / (g.cycles || 1))})`,
      `SRAM peak ${fmt(g.sram[i])} B (${pct(g.sram[i] / data.machine.sramBytesPerCore)} of ${fmt(data.machine.sramBytesPerCore)})`,
      `values out: ${dirs(g.linkWords)}`,
      `link busy cycles: ${dirs(g.linkBusy)}`,
    ].join('\n');
  }
  for (const canvas of document.querySelectorAll('canvas.heatmap')) {
    canvas.addEventListener('mousemove', (ev) => {
      const at = current && coreAt(canvas, ev);
      if (!at) {
        tip.hidden = true;
        return;
      }
      tip.textContent = describe(at[0], at[1]);
      tip.hidden = false;
      tip.style.left = `${ev.clientX + 14}px`;
      tip.style.top = `${ev.clientY + 14}px`;
    });
    canvas.addEventListener('mouseleave', () => {
      tip.hidden = true;
    });
  }

  // ---- groups ----
  const nav = document.getElementById('groups');
  function select(name) {
    for (const b of nav.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.group === name));
    showProfile(name);
    showMaps(name);
    window.waferReport.group = name;
  }
  for (const name of names) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = name;
    b.dataset.group = name;
    b.addEventListener('click', () => select(name));
    nav.appendChild(b);
  }
  document.getElementById('links-busy').addEventListener('change', () => current && showMaps(current.name));
  window.waferReport = { cell, detailedLinks, corePixel, linkPixel, none: NONE, viridis: lut, group: null, groups: names, directions: DIRS, dx: DX, dy: DY };
  // The decode steps when there are some (the steady state), else the first group.
  select(names.includes('decode') ? 'decode' : names[0]);
  document.body.dataset.ready = '1';
})().catch((e) => {
  console.error(e);
  document.body.dataset.ready = 'error';
});
