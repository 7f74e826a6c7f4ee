// Browser tests of the situation display and the grid editor, against the real server and a
// fresh database holding fixture.sql (see driver.c). Screenshots of every test are kept in
// $PINGAN_WEB_ARTIFACTS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.PINGAN_WEB_BASE;
const TOKEN = process.env.PINGAN_WEB_TOKEN;
const ART = process.env.PINGAN_WEB_ARTIFACTS || path.join(os.tmpdir(), 'pingan-web-artifacts');
const VILLAGE = '360502001001';
fs.mkdirSync(ART, { recursive: true });

let browser;
const problems = []; // console errors and page errors, from every page

// One row of SQL through psql on the test database (PINGAN_DATABASE_URL, set by the driver).
function sql(q) {
  return execFileSync('psql', [process.env.PINGAN_DATABASE_URL, '-AtX', '-c', q], { encoding: 'utf8' }).trim();
}
async function api(method, p, body, headers) {
  const res = await fetch(BASE + p, {
    method,
    headers: Object.assign({ Authorization: 'Bearer ' + TOKEN, 'Content-Type': 'application/geo+json' }, headers || {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}
async function newPage(name) {
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  await ctx.addInitScript((t) => { try { sessionStorage.setItem('pingan.token', t); } catch (e) { /* about:blank */ } }, TOKEN);
  const page = await ctx.newPage();
  page.on('console', (m) => {
    // The editor's dry-runs answer 422 for a faulty shape and saves 412 for a stale one, by
    // design; Chromium logs every such response. Anything else is a problem.
    if (m.type() !== 'error') return;
    if (name === 'editor' && /Failed to load resource: .* (422|412) /.test(m.text())) return;
    problems.push(name + ': console: ' + m.text());
  });
  page.on('pageerror', (e) => problems.push(name + ': pageerror: ' + e.message));
  return page;
}
async function shot(page, name) {
  await page.screenshot({ path: path.join(ART, name + '.png'), timeout: 60000 });
}
// Waits until the map has drawn everything it asked for.
async function mapIdle(page, handle) {
  await page.waitForFunction((h) => { const m = window[h]; return m && m.loaded() && m.areTilesLoaded() && !m.isMoving(); }, handle, { timeout: 60000, polling: 100 });
  await page.evaluate((h) => new Promise((r) => { const m = window[h]; m.once('idle', r); m.triggerRepaint(); setTimeout(r, 3000); }), handle);
}
// The colour of the screen at a map position, read from a screenshot (averaged over 5×5 px).
async function colourAt(page, lngLat, handle) {
  const px = await page.evaluate(([ll, h]) => { const m = window[h]; const p = m.project(ll); const r = m.getCanvas().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }, [lngLat, handle]);
  const png = await page.screenshot({ clip: { x: px[0] - 2, y: px[1] - 2, width: 5, height: 5 }, timeout: 60000 });
  const probe = await browser.newPage();
  const rgb = await probe.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const s = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) { s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2]; }
    const n = d.length / 4;
    return s.map((v) => Math.round(v / n));
  }, png.toString('base64'));
  await probe.close();
  return rgb;
}
const near = (a, b, tol) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

before(async () => {
  assert.ok(BASE && TOKEN, 'run through the driver (PINGAN_WEB_BASE, PINGAN_WEB_TOKEN)');
  // chromium.launch gives every run a fresh, temporary --user-data-dir of its own (Playwright
  // refuses the flag itself outside launchPersistentContext, which allows one context only).
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-gl=swiftshader', '--enable-unsafe-swiftshader',
      '--ignore-gpu-blocklist'],
  });
});
after(async () => {
  if (browser) await browser.close();
});

let sit; // the situation display, kept open across its tests

test('situation display loads without console errors', async () => {
  sit = await newPage('situation');
  await sit.goto(BASE + '/', { waitUntil: 'load' });
  await sit.waitForFunction(() => window.pinganState && window.pinganState.loaded && window.pinganState.liveConnected, null, { timeout: 60000 });
  await mapIdle(sit, 'pinganMap');
  await shot(sit, '01-situation-province');
  assert.equal(await sit.locator('h1').textContent(), '平安网格 · 态势一张图');
  assert.ok(await sit.locator('#layers input[type=checkbox]').count() >= 5, 'the layer switcher lists the layers');
  assert.ok(await sit.locator('#legend .row').count() >= 8, 'the legend has entries');
  assert.deepEqual(problems, []);
});

test('search zooms to a township', async () => {
  await sit.fill('#search-q', '城南街道');
  await sit.press('#search-q', 'Enter');
  const hit = sit.locator('#search-results button[data-code="360502001000"]');
  await hit.waitFor({ timeout: 30000 });
  await hit.click();
  await sit.waitForFunction(() => window.pinganState.current.code === '360502001000', null, { timeout: 30000 });
  await mapIdle(sit, 'pinganMap');
  const view = await sit.evaluate(() => ({ c: window.pinganMap.getCenter().toArray(), z: window.pinganMap.getZoom() }));
  await shot(sit, '02-search-township');
  // fixture: 城南街道 is 114.90–114.96 × 27.79–27.83
  assert.ok(view.c[0] > 114.90 && view.c[0] < 114.96 && view.c[1] > 27.79 && view.c[1] < 27.83, 'centred on the township: ' + view.c);
  assert.ok(view.z >= 11, 'zoomed in: z' + view.z);
  assert.match(await sit.locator('#crumbs').textContent(), /城南街道/);
});

test('the map draws the demo grids in the grid colour', async () => {
  await sit.evaluate(() => window.pinganMap.jumpTo({ center: [114.915, 27.81], zoom: 14.5 }));
  await mapIdle(sit, 'pinganMap');
  await shot(sit, '03-grids');
  const style = await sit.evaluate(() => window.pinganMap.getStyle());
  const fill = style.layers.find((l) => l.id === 'grids-fill') || style.layers.find((l) => l['source-layer'] === 'grids' && l.type === 'fill');
  const bg = style.layers.find((l) => l.type === 'background');
  // the community colour of the style, over its background, at the layer's opacity
  const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
  const colour = fill.paint['fill-color'];
  const community = hex(Array.isArray(colour) ? colour[colour.indexOf('community') + 1] : colour);
  const opacityRaw = fill.paint['fill-opacity'];
  const opacity = typeof opacityRaw === 'number' ? opacityRaw : opacityRaw[opacityRaw.length - 1];
  const back = hex(bg.paint['background-color']);
  const expected = community.map((c, i) => Math.round(c * opacity + back[i] * (1 - opacity)));
  // inside 百花湖一网格 (114.900–114.910 × 27.800–27.820), away from its buildings and points
  const inside = await colourAt(sit, [114.9085, 27.8185], 'pinganMap');
  const outside = await colourAt(sit, [114.895, 27.811], 'pinganMap');
  assert.ok(near(inside, expected, 24), 'grid colour ' + expected + ' expected, saw ' + inside);
  assert.ok(!near(outside, expected, 10), 'outside the grids is not grid-coloured: ' + outside);
});

test('clicking a grid shows its details', async () => {
  const p = await sit.evaluate(() => { const q = window.pinganMap.project([114.9085, 27.8185]); const r = window.pinganMap.getCanvas().getBoundingClientRect(); return [r.left + q.x, r.top + q.y]; });
  await sit.mouse.click(p[0], p[1]);
  await sit.waitForFunction(() => document.querySelector('#details-body').textContent.includes('360502001001001'), null, { timeout: 30000 });
  await sit.waitForFunction(() => !document.querySelector('#details-body').textContent.includes('…'), null, { timeout: 30000 });
  await shot(sit, '04-grid-details');
  const text = await sit.locator('#details-body').textContent();
  assert.match(text, /百花湖一网格/);
  assert.match(text, /基层治理网格/);
  assert.match(text, /户数\s*400/);
  assert.match(text, /网格员\s*1/);
  assert.match(text, /未销号隐患\s*1/);
});

test('an edit through the API appears on the open map within 2 s', async () => {
  // 双凤楼一网格 (114.92–114.94 × 27.80–27.82) turns from community to base grid.
  const id = sql("SELECT id FROM grids WHERE code = '360502001002001'");
  const before = await sit.evaluate(() => window.pinganState.refreshes);
  const res = await api('PATCH', '/collections/grids/items/' + id, { properties: { kind: 'base' } },
    { 'If-Match': '"' + id + '-1"', 'Content-Type': 'application/merge-patch+json' });
  const started = Date.now(); // committed when the API answers
  assert.equal(res.status, 200, JSON.stringify(res.body));
  await sit.waitForFunction(([b]) => {
    const m = window.pinganMap;
    // drawn on screen is what counts (other tiles may still be loading)
    if (window.pinganState.refreshes <= b) return false;
    const p = m.project([114.93, 27.803]);
    return m.queryRenderedFeatures(p).some((f) => f.sourceLayer === 'grids' && f.properties.kind === 'base');
  }, [before], { timeout: 10000, polling: 50 });
  const elapsed = Date.now() - started;
  console.log('# live update shown ' + elapsed + ' ms after the API answered');
  await mapIdle(sit, 'pinganMap');
  await shot(sit, '05-live-update');
  assert.ok(elapsed <= 2000, 'the change appeared after ' + elapsed + ' ms');
  assert.deepEqual(problems, []);
});

let ed; // the editor, kept open across its tests

async function drawPolygon(page, lngLats) {
  const box = await page.locator('#map').boundingBox();
  const px = await page.evaluate((pts) => pts.map((p) => { const q = window.pinganEditor.map.project(p); return [q.x, q.y]; }), lngLats);
  for (const [x, y] of px) { await page.mouse.click(box.x + x, box.y + y); await page.waitForTimeout(120); }
  await page.mouse.click(box.x + px[0][0], box.y + px[0][1]);
}

test('drawing and saving a grid in the editor creates it in the database', async () => {
  ed = await newPage('editor');
  await ed.goto(BASE + '/editor?village=' + VILLAGE, { waitUntil: 'load' });
  await ed.waitForFunction((v) => window.pinganEditor && window.pinganEditor.opened === v && window.pinganEditor.reloads >= 1, VILLAGE, { timeout: 60000 });
  await mapIdle(ed, 'pinganEditorMap');
  await shot(ed, '06-editor-village');
  await ed.click('#t-draw');
  // the gap of 百花湖社区: 114.91–114.92 × 27.81–27.82, each corner clicked a few pixels off:
  // snapping puts it on the neighbouring grids' corners and the village boundary
  await drawPolygon(ed, [[114.9101, 27.8101], [114.9199, 27.8101], [114.9199, 27.8199], [114.9101, 27.8199]]);
  await ed.fill('#g-name', '百花湖三网格');
  await ed.waitForFunction(() => window.pinganEditor.lastDryRun && window.pinganEditor.lastDryRun.valid, null, { timeout: 30000 });
  const tally = await ed.locator('#tally').textContent();
  // buildings 4, 5 and 6 of the fixture lie in the gap: 120 + 80 + 60 households
  assert.match(tally, /户数\s*260/);
  await shot(ed, '07-editor-drawn');
  await ed.click('#save');
  await ed.waitForFunction(() => document.querySelector('#msg').textContent.length > 0, null, { timeout: 30000 });
  await shot(ed, '08-editor-saved');
  assert.equal(await ed.locator('#msg').textContent(), '已保存');
  assert.equal(sql("SELECT count(*) FROM grids WHERE name = '百花湖三网格' AND village_code = '" + VILLAGE + "'"), '1');
  assert.equal(sql("SELECT households FROM grids WHERE name = '百花湖三网格'"), '260');
  assert.equal(sql("SELECT ST_AsText(ST_Envelope(geom)) FROM grids WHERE name = '百花湖三网格'"),
    'POLYGON((114.91 27.81,114.91 27.82,114.92 27.82,114.92 27.81,114.91 27.81))', 'snapped to the edges');
});

test('a self-intersecting shape shows the fault where it is and saves nothing', async () => {
  const count = sql("SELECT count(*) FROM grids WHERE village_code = '" + VILLAGE + "'");
  await ed.click('#t-draw');
  // a bow-tie inside 百花湖一网格: its edges cross at (114.905, 27.805)
  await drawPolygon(ed, [[114.902, 27.802], [114.908, 27.808], [114.908, 27.802], [114.902, 27.808]]);
  await ed.waitForSelector('#faults li.err[data-code="self_intersection"]', { timeout: 30000 });
  const marker = await ed.evaluate(() => window.pinganEditor.faults.find((f) => f.code === 'self_intersection').location);
  assert.ok(Math.abs(marker[0] - 114.905) < 0.0005 && Math.abs(marker[1] - 27.805) < 0.0005, 'fault at ' + marker);
  const drawn = await ed.evaluate(() => window.pinganEditorMap.querySourceFeatures('e-faults').length);
  assert.ok(drawn >= 1, 'the fault is drawn on the map');
  await shot(ed, '09-editor-self-intersection');
  await ed.click('#save');
  await ed.waitForFunction(() => window.pinganEditor.lastSave && window.pinganEditor.lastSave.status === 422, null, { timeout: 30000 });
  assert.equal(sql("SELECT count(*) FROM grids WHERE village_code = '" + VILLAGE + "'"), count);
  await ed.click('#cancel');
});

test('a stale save gets the conflict message and a way forward', async () => {
  const id = sql("SELECT id FROM grids WHERE code = '360502001001002'");
  // select 百花湖二网格 (114.91–114.92 × 27.80–27.81) and start reshaping it
  const box = await ed.locator('#map').boundingBox();
  const p = await ed.evaluate(() => { const q = window.pinganEditor.map.project([114.9165, 27.8015]); return [q.x, q.y]; });
  await ed.mouse.click(box.x + p[0], box.y + p[1]);
  await ed.waitForFunction((i) => window.pinganEditor.selected && String(window.pinganEditor.selected.id) === i, id, { timeout: 30000 });
  await ed.click('#t-edit');
  await ed.fill('#g-name', '百花湖二网格（调整）');
  // meanwhile someone else renames it through the API
  const version = sql('SELECT version FROM grids WHERE id = ' + id);
  const other = await api('PATCH', '/collections/grids/items/' + id, { properties: { name: '百花湖二网格（他人修改）' } },
    { 'If-Match': '"' + id + '-' + version + '"', 'Content-Type': 'application/merge-patch+json' });
  assert.equal(other.status, 200, JSON.stringify(other.body));
  await ed.click('#save');
  await ed.waitForSelector('#conflict:not([hidden])', { timeout: 30000 });
  await shot(ed, '10-editor-conflict');
  assert.match(await ed.locator('#conflict').textContent(), /有人先修改了这个网格/);
  assert.equal(sql('SELECT name FROM grids WHERE id = ' + id), '百花湖二网格（他人修改）');
  // the way forward: re-apply ours on their version, then save
  await ed.click('#conflict-reapply');
  await ed.waitForSelector('#conflict[hidden]', { state: 'attached', timeout: 30000 });
  await ed.click('#save');
  await ed.waitForFunction(() => window.pinganEditor.lastSave && window.pinganEditor.lastSave.status === 200, null, { timeout: 30000 });
  assert.equal(sql('SELECT name FROM grids WHERE id = ' + id), '百花湖二网格（调整）');
  await shot(ed, '11-editor-reapplied');
  assert.deepEqual(problems, []);
});
