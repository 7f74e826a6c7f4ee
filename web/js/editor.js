// The grid editor: a planner signs in with a token, opens a village/community and draws,
// reshapes, splits, merges and deletes its grids. Every change is checked by the server's
// dry-run while drawing (faults shown where they are), saved with If-Match, and a conflict
// (412) is explained with a way forward. Drawing is terra-draw on MapLibre.
(function () {
  'use strict';
  const { t } = I18N;
  const { TerraDraw, TerraDrawPolygonMode, TerraDrawLineStringMode, TerraDrawSelectMode } = terraDraw;
  const { TerraDrawMapLibreGLAdapter } = terraDrawMaplibreGlAdapter;
  const SNAP_PX = 12;
  const EMPTY = { type: 'FeatureCollection', features: [] };
  const $ = (id) => document.getElementById(id);

  const S = {
    village: null, villageGeom: null, grids: [], neighbours: [], pus: [], places: [],
    mode: 'idle', selected: null, mergeWith: null,
    draft: null, // {op: 'create'|'replace'|'split'|'merge', gridId, etag, geometry, tdId}
    undo: [], redo: [], faults: [], dryRunSeq: 0, lastDryRun: null, saving: false,
  };
  window.pinganEditor = S;
  let map, draw;

  // ---- start ----
  async function init() {
    I18N.apply();
    document.title = t('editor.title');
    $('lang').addEventListener('click', () => I18N.toggle());
    I18N.onChange(() => { document.title = t('editor.title'); renderVillage(); renderSelected(); renderTally(); renderFaults(); setHint(); });
    wireSignin();
    wireVillageSearch();
    wireTools();
    const style = (await PG.loadStyle('editor')) || { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eef2f5' } }] };
    map = new maplibregl.Map({ container: 'map', style, bounds: PG.JIANGXI_BOUNDS, attributionControl: false, doubleClickZoom: false });
    S.map = map;
    window.pinganEditorMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.on('error', (e) => { S.lastMapError = e && e.error ? String(e.error.message || e.error) : 'error'; });
    map.on('load', () => {
      // The tile-drawn grids would lag behind unsaved edits: the editor draws them itself.
      for (const l of map.getStyle().layers) if (l['source-layer'] === 'grids') map.setLayoutProperty(l.id, 'visibility', 'none');
      addLayers();
      startDraw();
      map.on('click', onMapClick);
      S.loaded = true;
      const v = new URLSearchParams(location.search).get('village');
      if (v) openVillage(v);
    });
    PG.live(onLiveEvent, () => S.village && reloadData(), null);
  }

  function addLayers() {
    const src = (id) => map.addSource(id, { type: 'geojson', data: EMPTY });
    ['e-village', 'e-grids', 'e-pus', 'e-places', 'e-faults', 'e-history', 'e-selected'].forEach(src);
    const before = (map.getStyle().layers.find((l) => l.type === 'symbol') || {}).id;
    const add = (l) => map.addLayer(l, before);
    add({ id: 'e-pus-fill', type: 'fill', source: 'e-pus', paint: { 'fill-color': '#8a8f98', 'fill-opacity': 0.7, 'fill-outline-color': '#ffffff' } });
    add({ id: 'e-grids-fill', type: 'fill', source: 'e-grids', paint: { 'fill-color': ['match', ['get', 'kind'], 'community', '#4f8ff7', 'base', '#3fbf6f', 'dedicated', '#b16cf0', '#888888'], 'fill-opacity': 0.3 } });
    add({ id: 'e-grids-line', type: 'line', source: 'e-grids', paint: { 'line-color': ['match', ['get', 'kind'], 'community', '#4f8ff7', 'base', '#3fbf6f', 'dedicated', '#b16cf0', '#888888'], 'line-width': 2 } });
    add({ id: 'e-village-line', type: 'line', source: 'e-village', paint: { 'line-color': '#ffd54f', 'line-width': 3, 'line-dasharray': [3, 2] } });
    add({ id: 'e-history-line', type: 'line', source: 'e-history', paint: { 'line-color': '#ff9100', 'line-width': 2, 'line-dasharray': [2, 2], 'line-opacity': 0.9 } });
    add({ id: 'e-selected-line', type: 'line', source: 'e-selected', paint: { 'line-color': '#ffffff', 'line-width': 4 } });
    add({ id: 'e-places', type: 'circle', source: 'e-places', paint: { 'circle-color': '#ffee58', 'circle-radius': 6, 'circle-stroke-color': '#333', 'circle-stroke-width': 1 } });
    add({ id: 'e-faults', type: 'circle', source: 'e-faults', paint: { 'circle-color': 'rgba(229,57,53,0.35)', 'circle-radius': 14, 'circle-stroke-color': '#e53935', 'circle-stroke-width': 3 } });
  }

  function startDraw() {
    let n = 0;
    const snapping = { toCustom: snapTo };
    draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map, lib: maplibregl }),
      idStrategy: { isValidId: (id) => typeof id === 'string' && id.length > 0, getId: () => 'td' + (++n) },
      modes: [
        new TerraDrawPolygonMode({ snapping, keyEvents: { cancel: 'Escape', finish: 'Enter' }, pointerDistance: 20 }),
        new TerraDrawLineStringMode({ snapping, keyEvents: { cancel: 'Escape', finish: 'Enter' } }),
        new TerraDrawSelectMode({
          flags: { polygon: { feature: { draggable: false, selfIntersectable: true, coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snapping } } } },
        }),
      ],
    });
    draw.start();
    S.draw = draw;
    draw.on('change', (ids, type) => {
      if (!S.draft || !S.draft.tdId || !ids.includes(S.draft.tdId) || type === 'delete') return;
      const f = draw.getSnapshotFeature(S.draft.tdId);
      if (!f) return;
      S.draft.geometry = f.geometry;
      renderTally();
      scheduleDryRun();
    });
    draw.on('finish', (id, ctx) => onFinish(id, ctx));
  }

  // ---- snapping: the nearest vertex or edge point of the village boundary and the
  // neighbouring grids, within SNAP_PX pixels ----
  function snapTo(ev) {
    if (!$('t-snap').checked || !S.village) return undefined;
    const p = { x: ev.containerX, y: ev.containerY };
    const rings = [];
    for (const poly of PG.polygonsOf(S.villageGeom)) rings.push(...poly);
    for (const g of S.neighbours) {
      if (S.draft && S.draft.op === 'replace' && String(g.id) === String(S.draft.gridId)) continue;
      for (const poly of PG.polygonsOf(g.geometry)) rings.push(...poly);
    }
    // a vertex within reach wins (corners are shared exactly); else the nearest edge point,
    // interpolated in degrees so that a point on a straight edge stays exactly on it
    let vertex = null, vd = SNAP_PX, edge = null, ed = SNAP_PX;
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        const a = map.project(ring[i]), b = map.project(ring[i + 1]);
        const d0 = Math.hypot(a.x - p.x, a.y - p.y);
        if (d0 < vd) { vd = d0; vertex = ring[i]; }
        const dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
        if (!len2) continue;
        const tt = Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
        const d = Math.hypot(a.x + tt * dx - p.x, a.y + tt * dy - p.y);
        if (d < ed) {
          ed = d;
          const A = ring[i], B = ring[i + 1];
          edge = [A[0] === B[0] ? A[0] : A[0] + tt * (B[0] - A[0]), A[1] === B[1] ? A[1] : A[1] + tt * (B[1] - A[1])];
        }
      }
    }
    return vertex || edge || undefined;
  }

  // ---- sign-in ----
  function wireSignin() {
    const show = () => {
      const signed = !!PG.token();
      $('signed').hidden = !signed;
      $('token').hidden = signed;
      $('signin-btn').hidden = signed;
      document.querySelector('label[for=token]').hidden = signed;
    };
    $('signin').addEventListener('submit', (e) => {
      e.preventDefault();
      const v = $('token').value.trim();
      if (!v) return;
      sessionStorage.setItem('pingan.token', v);
      $('token').value = '';
      show();
      $('signout').focus();
    });
    $('signout').addEventListener('click', () => { sessionStorage.removeItem('pingan.token'); show(); $('token').focus(); });
    show();
  }

  // ---- choosing a village ----
  function wireVillageSearch() {
    const list = $('village-results');
    $('village-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const q = $('village-q').value.trim();
      if (!q) return;
      const res = await PG.api('GET', '/search/jurisdictions?q=' + encodeURIComponent(q));
      const items = res.ok && Array.isArray(res.body) ? res.body.filter((j) => j.level === 'village') : [];
      list.innerHTML = '';
      if (!items.length) { list.innerHTML = '<li class="muted">' + PG.esc(t('search.none')) + '</li>'; }
      for (const j of items) {
        const li = document.createElement('li');
        li.setAttribute('role', 'option');
        const b = document.createElement('button');
        b.type = 'button';
        b.innerHTML = PG.esc(j.name) + ' <span class="sub">' + PG.esc(j.code) + ' · ' + PG.esc((j.path || []).map((p) => p.name).slice(-2).join(' › ')) + '</span>';
        b.addEventListener('click', () => { list.hidden = true; openVillage(j.code); });
        li.append(b);
        list.append(li);
      }
      list.hidden = false;
      const first = list.querySelector('button');
      if (first) first.focus();
    });
    list.addEventListener('keydown', (e) => {
      const bs = [...list.querySelectorAll('button')];
      const i = bs.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' && i < bs.length - 1) { bs[i + 1].focus(); e.preventDefault(); }
      if (e.key === 'ArrowUp') { (i > 0 ? bs[i - 1] : $('village-q')).focus(); e.preventDefault(); }
      if (e.key === 'Escape') { list.hidden = true; $('village-q').focus(); }
    });
  }

  async function openVillage(code) {
    const res = await PG.api('GET', '/collections/jurisdictions/items/' + encodeURIComponent(code));
    if (!res.ok || !res.body || !res.body.properties) { message(t('error.network') + ' (' + res.status + ')', false); return; }
    S.village = { code, name: res.body.properties.name };
    S.villageGeom = res.body.geometry;
    discardDraft();
    select(null);
    await reloadData();
    renderVillage();
    const b = PG.bboxOf(S.villageGeom) || PG.bboxOf({ type: 'GeometryCollection', coordinates: S.grids.map((g) => g.geometry.coordinates) });
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, duration: 0 });
    const u = new URL(location.href);
    u.searchParams.set('village', code);
    history.replaceState(null, '', u);
    S.opened = code;
  }

  async function getAll(path) {
    const out = [];
    let url = path;
    for (let page = 0; url && page < 20; page++) {
      const r = await PG.api('GET', url);
      if (!r.ok || !r.body || !r.body.features) break;
      out.push(...r.body.features);
      const next = (r.body.links || []).find((l) => l.rel === 'next');
      url = next ? next.href.replace(/^https?:\/\/[^/]+/, '') : null;
    }
    return out;
  }

  async function reloadData() {
    if (!S.village) return;
    const v = encodeURIComponent(S.village.code);
    const b = PG.bboxOf(S.villageGeom);
    const pad = 0.005;
    const [grids, pus, places, neighbours] = await Promise.all([
      getAll('/collections/grids/items?limit=1000&village_code=' + v),
      getAll('/collections/population_units/items?limit=5000&village_code=' + v),
      getAll('/collections/key_places/items?limit=1000&village_code=' + v),
      b ? getAll('/collections/grids/items?limit=1000&bbox=' + [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad].join(',')) : Promise.resolve([]),
    ]);
    S.grids = grids;
    S.pus = pus;
    S.places = places;
    const ids = new Set(grids.map((g) => String(g.id)));
    S.neighbours = grids.concat(neighbours.filter((g) => !ids.has(String(g.id))));
    map.getSource('e-village').setData(S.villageGeom ? { type: 'Feature', geometry: S.villageGeom, properties: {} } : EMPTY);
    map.getSource('e-grids').setData({ type: 'FeatureCollection', features: S.neighbours.map((g) => Object.assign({}, g, { properties: Object.assign({ id: g.id }, g.properties) })) });
    map.getSource('e-pus').setData({ type: 'FeatureCollection', features: pus });
    map.getSource('e-places').setData({ type: 'FeatureCollection', features: places });
    if (S.selected) {
      const fresh = S.grids.find((g) => String(g.id) === String(S.selected.id));
      select(fresh || null);
    }
    S.reloads = (S.reloads || 0) + 1;
  }

  function renderVillage() {
    $('village-name').textContent = S.village ? S.village.name + ' (' + S.village.code + ')' : t('village.none');
  }

  // Another user's change to this village's grids shows up at once (unless it is our draft's
  // grid, which the save's If-Match protects).
  let liveTimer = null;
  function onLiveEvent(ev) {
    if (!S.village || !['grids', 'population_units', 'key_places'].includes(ev.collection)) return;
    const b = PG.bboxOf(S.villageGeom);
    if (ev.bbox && b && !PG.bboxIntersects(ev.bbox, b)) return;
    clearTimeout(liveTimer);
    liveTimer = setTimeout(() => reloadData(), 200);
  }

  // ---- selection and tools ----
  function gridAt(point) {
    const feats = map.queryRenderedFeatures(point, { layers: ['e-grids-fill'] });
    if (!feats.length) return null;
    // the smallest grid under the cursor (a dedicated grid over a community grid)
    const cands = feats.map((f) => S.neighbours.find((g) => String(g.id) === String(f.properties.id))).filter(Boolean)
      .filter((g) => g.properties.village_code === S.village.code);
    cands.sort((a, b) => PG.area(a.geometry) - PG.area(b.geometry));
    return cands[0] || null;
  }
  function select(g) {
    S.selected = g;
    map.getSource('e-selected').setData(g ? { type: 'Feature', geometry: g.geometry, properties: {} } : EMPTY);
    renderSelected();
    updateButtons();
  }
  function renderSelected() {
    const box = $('selected');
    const g = S.selected;
    if (!g) { box.innerHTML = ''; return; }
    const p = g.properties;
    box.innerHTML = '<table><tr><th>' + t('f.code') + '</th><td>' + PG.esc(p.code) + '</td></tr><tr><th>' + t('f.name') + '</th><td>' + PG.esc(p.name) +
      '</td></tr><tr><th>' + t('f.kind') + '</th><td>' + PG.esc(t('kind.' + p.kind)) + '</td></tr><tr><th>' + t('f.households') + '</th><td>' + PG.esc(p.households) +
      '</td></tr><tr><th>' + t('f.residents') + '</th><td>' + PG.esc(p.residents) + '</td></tr><tr><th>' + t('f.area') + '</th><td>' + PG.esc(PG.formatArea(PG.area(g.geometry))) +
      '</td></tr><tr><th>' + t('f.version') + '</th><td>' + PG.esc(p.version) + '</td></tr></table>';
  }
  function updateButtons() {
    const v = !!S.village, sel = !!S.selected, busy = !!S.draft;
    $('t-draw').disabled = !v || busy;
    $('t-edit').disabled = !sel || busy;
    $('t-split').disabled = !sel || busy;
    $('t-merge').disabled = !sel || busy;
    $('t-delete').disabled = !sel || busy;
    $('t-history').disabled = !sel;
    $('t-undo').disabled = !S.undo.length;
    $('t-redo').disabled = !S.redo.length;
    for (const [id, mode] of [['t-draw', 'draw'], ['t-edit', 'edit'], ['t-split', 'split'], ['t-merge', 'merge']]) $(id).setAttribute('aria-pressed', String(S.mode === mode));
  }
  function setHint() {
    const key = { draw: 'hint.draw', edit: 'hint.edit', split: 'hint.split', merge: 'hint.merge', idle: S.village ? 'hint.select' : 'village.none' }[S.mode];
    $('hint').textContent = key ? t(key) : '';
  }
  function setMode(m) { S.mode = m; setHint(); updateButtons(); }

  function wireTools() {
    $('t-draw').addEventListener('click', () => beginDraft('create'));
    $('t-edit').addEventListener('click', () => beginDraft('replace'));
    $('t-split').addEventListener('click', () => beginDraft('split'));
    $('t-merge').addEventListener('click', () => { setMode('merge'); S.mergeWith = null; message(t('merge.pick') + ': ' + S.selected.properties.name, true); });
    $('t-delete').addEventListener('click', deleteSelected);
    $('t-history').addEventListener('click', showHistory);
    $('t-undo').addEventListener('click', undo);
    $('t-redo').addEventListener('click', redo);
    $('save').addEventListener('click', save);
    $('cancel').addEventListener('click', () => { discardDraft(); setMode('idle'); });
    $('conflict-reload').addEventListener('click', conflictReload);
    $('conflict-reapply').addEventListener('click', conflictReapply);
    $('g-kind').addEventListener('change', () => { $('g-unit-field').hidden = $('g-kind').value !== 'dedicated'; scheduleDryRun(); });
    $('g-unit').addEventListener('change', scheduleDryRun);
    $('g-name').addEventListener('input', scheduleDryRun);
    document.addEventListener('keydown', (e) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'z' && !e.shiftKey) { undo(); e.preventDefault(); }
      if (mod && (e.key === 'y' || (e.key === 'z' && e.shiftKey))) { redo(); e.preventDefault(); }
    });
    updateButtons();
    setHint();
  }

  function onMapClick(e) {
    if (!S.village || (S.draft && S.mode !== 'merge')) return;
    if (S.mode === 'draw' || S.mode === 'edit' || S.mode === 'split') return;
    const g = gridAt(e.point);
    if (S.mode === 'merge' && S.selected && g && String(g.id) !== String(S.selected.id)) {
      S.mergeWith = g;
      beginDraft('merge');
      return;
    }
    select(g);
  }

  // ---- drafts: what is being changed, its geometry, undo/redo ----
  function beginDraft(op) {
    clearMessages();
    const g = S.selected;
    S.draft = { op, gridId: g ? g.id : null, etag: g ? '"' + g.id + '-' + g.properties.version + '"' : null, geometry: null, tdId: null };
    S.undo = []; S.redo = [];
    $('draft').hidden = false;
    $('g-name').value = op === 'create' ? '' : (g ? g.properties.name : '');
    $('g-kind').value = g && op !== 'create' ? g.properties.kind : 'community';
    $('g-unit').value = (g && g.properties.unit_type) || 'school';
    $('g-unit-field').hidden = $('g-kind').value !== 'dedicated';
    $('g-kind').disabled = op === 'split' || op === 'merge';
    if (op === 'create') {
      draw.setMode('polygon');
      setMode('draw');
    } else if (op === 'replace') {
      const poly = largestPolygon(g.geometry);
      const [id] = addToDraw({ type: 'Polygon', coordinates: poly });
      S.draft.tdId = id;
      S.draft.geometry = { type: 'Polygon', coordinates: poly };
      draw.setMode('select');
      draw.selectFeature(id);
      setMode('edit');
      pushUndo();
    } else if (op === 'split') {
      draw.setMode('linestring');
      setMode('split');
    } else if (op === 'merge') {
      S.draft.geometry = null;
      S.draft.ids = [S.selected.id, S.mergeWith.id];
      setMode('merge');
      dryRun();
    }
    renderTally();
    updateButtons();
    if (op !== 'merge') map.getCanvas().focus();
  }
  function largestPolygon(geom) {
    const polys = PG.polygonsOf(geom);
    polys.sort((a, b) => PG.area({ type: 'Polygon', coordinates: b }) - PG.area({ type: 'Polygon', coordinates: a }));
    return polys[0];
  }
  function addToDraw(geometry) {
    const mode = geometry.type === 'LineString' ? 'linestring' : 'polygon';
    const res = draw.addFeatures([{ type: 'Feature', geometry, properties: { mode } }]);
    return res.filter((r) => r.valid).map((r) => r.id);
  }
  function onFinish(id, ctx) {
    if (!S.draft) return;
    const f = draw.getSnapshotFeature(id);
    if (!f) return;
    if (S.draft.op === 'create' && f.geometry.type === 'Polygon') {
      S.draft.tdId = id;
      S.draft.geometry = f.geometry;
      draw.setMode('select');
      draw.selectFeature(id);
      setMode('edit');
    } else if (S.draft.op === 'split' && f.geometry.type === 'LineString') {
      S.draft.tdId = id;
      S.draft.geometry = f.geometry;
      setMode('idle');
      draw.setMode('select');
    } else if (S.draft.tdId === id) {
      S.draft.geometry = f.geometry;
    }
    pushUndo();
    renderTally();
    dryRun();
  }
  function pushUndo() {
    if (!S.draft || !S.draft.geometry) return;
    const snap = JSON.stringify(S.draft.geometry);
    if (S.undo.length && S.undo[S.undo.length - 1] === snap) return;
    S.undo.push(snap);
    S.redo = [];
    updateButtons();
  }
  function restore(snap) {
    const geometry = JSON.parse(snap);
    S.draft.geometry = geometry;
    if (S.draft.tdId) {
      try { draw.deselectFeature(S.draft.tdId); } catch (e) { /* not selected */ }
      draw.removeFeatures([S.draft.tdId]);
    }
    const [id] = addToDraw(geometry);
    S.draft.tdId = id;
    if (geometry.type === 'Polygon') { draw.setMode('select'); draw.selectFeature(id); }
    renderTally();
    dryRun();
  }
  function undo() {
    if (!S.draft || S.undo.length < 2) {
      if (S.draft && S.undo.length === 1 && S.draft.op === 'create') { S.redo.push(S.undo.pop()); discardGeometry(); }
      updateButtons();
      return;
    }
    S.redo.push(S.undo.pop());
    restore(S.undo[S.undo.length - 1]);
    updateButtons();
  }
  function redo() {
    if (!S.draft || !S.redo.length) return;
    const snap = S.redo.pop();
    S.undo.push(snap);
    restore(snap);
    updateButtons();
  }
  function discardGeometry() {
    if (S.draft && S.draft.tdId) draw.removeFeatures([S.draft.tdId]);
    if (S.draft) { S.draft.tdId = null; S.draft.geometry = null; draw.setMode('polygon'); setMode('draw'); }
    renderTally();
    setFaults([]);
  }
  function discardDraft() {
    if (draw) { draw.clear(); draw.setMode('static'); }
    S.draft = null; S.undo = []; S.redo = []; S.mergeWith = null;
    $('draft').hidden = true;
    $('conflict').hidden = true;
    setFaults([]);
    setMode('idle');
  }

  // ---- live tally: households and residents of the population units inside, and area ----
  function renderTally() {
    const box = $('tally');
    const d = S.draft;
    if (!d) { box.innerHTML = ''; return; }
    let rows;
    if ((d.op === 'split' || d.op === 'merge') && S.lastDryRun && S.lastDryRun.features) {
      rows = S.lastDryRun.features.map((f) => [f.properties.name || f.properties.code, f.properties.households + ' / ' + f.properties.residents + ' · ' + PG.formatArea(PG.area(f.geometry))]);
      rows.unshift([t('tally.households') + ' / ' + t('tally.residents'), '']);
    } else if (d.geometry && d.geometry.type !== 'LineString') {
      let hh = 0, res = 0, units = 0;
      for (const u of S.pus) {
        const a = PG.anchor(u.geometry);
        if (a && PG.contains(d.geometry, a)) { hh += u.properties.households || 0; res += u.properties.residents || 0; units++; }
      }
      rows = [[t('tally.households'), hh], [t('tally.residents'), res], [t('tally.area'), PG.formatArea(PG.area(d.geometry))], [t('tally.units'), units]];
      S.tally = { households: hh, residents: res, area: PG.area(d.geometry), units };
    } else {
      rows = [];
    }
    box.innerHTML = rows.map(([k, v]) => '<dt>' + PG.esc(k) + '</dt><dd>' + PG.esc(v) + '</dd>').join('');
  }

  // ---- server validation (dry-run) ----
  let dryTimer = null;
  function scheduleDryRun() { clearTimeout(dryTimer); dryTimer = setTimeout(dryRun, 400); }
  function featureBody() {
    const d = S.draft;
    const kind = $('g-kind').value;
    const props = { name: $('g-name').value.trim() || (S.village.name + '新网格'), kind, village_code: S.village.code, unit_type: kind === 'dedicated' ? $('g-unit').value : null };
    return { type: 'Feature', geometry: d.geometry, properties: props };
  }
  function request(dry) {
    const d = S.draft;
    const q = dry ? '?dry-run=true' : '';
    const ifm = d.etag ? { 'If-Match': d.etag } : {};
    switch (d.op) {
      case 'create': return ['POST', '/collections/grids/items' + q, featureBody(), {}];
      case 'replace': return ['PUT', '/collections/grids/items/' + d.gridId + q, featureBody(), ifm];
      case 'split': return ['POST', '/collections/grids/items/' + d.gridId + '/split' + q, { type: 'Feature', geometry: d.geometry, properties: { name: $('g-name').value.trim() || undefined } }, ifm];
      case 'merge': return ['POST', '/collections/grids/merge' + q, { ids: d.ids.map(Number), name: $('g-name').value.trim() || undefined }, { 'Content-Type': 'application/json' }];
      default: return null;
    }
  }
  async function dryRun() {
    const d = S.draft;
    if (!d || (!d.geometry && d.op !== 'merge')) return;
    if (!PG.token()) { setFaults([{ code: 'token', message_zh: t('token.needed'), message_en: t('token.needed') }]); return; }
    const seq = ++S.dryRunSeq;
    $('faults').innerHTML = '<li>' + PG.esc(t('faults.checking')) + '</li>';
    let res;
    try { const [m, p, b, h] = request(true); res = await PG.api(m, p, b, h); } catch (e) { res = { status: 0 }; }
    if (seq !== S.dryRunSeq) return; // a newer shape is being checked
    S.lastDryRun = res.ok ? res.body : null;
    if (res.ok) setFaults([], (res.body && res.body.warnings) || []);
    else if (res.status === 422) setFaults((res.body && res.body.faults) || [], (res.body && res.body.warnings) || []);
    else if (res.status === 401) setFaults([{ code: 'unauthorized', message_zh: t('token.bad'), message_en: t('token.bad') }]);
    else if (res.status === 403) setFaults([{ code: 'forbidden', message_zh: t('token.denied'), message_en: t('token.denied') }]);
    else if (res.status === 412) { setFaults([]); showConflict(); }
    else setFaults([{ code: 'unavailable', message_zh: t('faults.unavailable') + ' (' + res.status + ')', message_en: t('faults.unavailable') + ' (' + res.status + ')' }]);
    renderTally();
    S.dryRuns = (S.dryRuns || 0) + 1;
  }
  function setFaults(faults, warnings) {
    S.faults = faults || [];
    S.warnings = warnings || [];
    const feats = [];
    for (const f of S.faults.concat(S.warnings)) {
      const loc = f.location;
      if (Array.isArray(loc) && typeof loc[0] === 'number') feats.push({ type: 'Feature', geometry: { type: 'Point', coordinates: loc }, properties: { code: f.code } });
      else if (loc && loc.type) feats.push({ type: 'Feature', geometry: loc, properties: { code: f.code } });
    }
    if (map && map.getSource('e-faults')) map.getSource('e-faults').setData({ type: 'FeatureCollection', features: feats });
    renderFaults();
  }
  function renderFaults() {
    const ul = $('faults');
    if (!S.draft) { ul.innerHTML = ''; return; }
    const msg = (f) => (I18N.lang === 'zh' ? f.message_zh : f.message_en) || f.message || f.code;
    const items = S.faults.map((f) => '<li class="err" data-code="' + PG.esc(f.code) + '">' + PG.esc(msg(f)) + (Array.isArray(f.location) ? ' <span class="muted">@ ' + f.location.map((x) => x.toFixed(5)).join(', ') + '</span>' : '') + '</li>')
      .concat(S.warnings.map((f) => '<li class="warn" data-code="' + PG.esc(f.code) + '">' + PG.esc(msg(f)) + '</li>'));
    ul.innerHTML = items.length ? items.join('') : (S.lastDryRun ? '<li class="ok">' + PG.esc(t('faults.none')) + '</li>' : '');
  }

  // ---- saving ----
  async function save() {
    const d = S.draft;
    if (!d || S.saving) return;
    if (!PG.token()) { message(t('token.needed'), false); $('token').focus(); return; }
    if (!d.geometry && d.op !== 'merge') return;
    S.saving = true;
    let res;
    try { const [m, p, b, h] = request(false); res = await PG.api(m, p, b, h); } catch (e) { res = { status: 0 }; }
    S.saving = false;
    S.lastSave = { status: res.status, op: d.op };
    if (res.ok) {
      const kept = d.op === 'create' ? null : d.gridId;
      discardDraft();
      await reloadData();
      const g = kept && S.grids.find((x) => String(x.id) === String(kept));
      select(g || (res.body && res.body.id !== undefined ? S.grids.find((x) => String(x.id) === String(res.body.id)) || null : null));
      message(t('saved'), true);
    } else if (res.status === 412) {
      showConflict();
    } else if (res.status === 422) {
      setFaults((res.body && res.body.faults) || [], (res.body && res.body.warnings) || []);
      message(t('save.invalid'), false);
    } else if (res.status === 401) {
      message(t('token.bad'), false);
    } else if (res.status === 403) {
      message(t('token.denied'), false);
    } else {
      message(t('save.failed') + ' (' + res.status + (res.body && res.body.detail ? ': ' + res.body.detail : '') + ')', false);
    }
  }
  function showConflict() {
    $('conflict').hidden = false;
    I18N.apply($('conflict'));
    $('conflict-reapply').focus();
  }
  // Their version: drop the draft, show the grid as it is now.
  async function conflictReload() {
    const id = S.draft && S.draft.gridId;
    discardDraft();
    await reloadData();
    if (id) select(S.grids.find((g) => String(g.id) === String(id)) || null);
    $('conflict').hidden = true;
  }
  // Ours on top of theirs: take the current version's ETag, keep our geometry, check again.
  async function conflictReapply() {
    const d = S.draft;
    if (!d || !d.gridId) return;
    const r = await PG.api('GET', '/collections/grids/items/' + d.gridId);
    if (!r.ok) { message(t('save.failed') + ' (' + r.status + ')', false); return; }
    d.etag = r.headers.get('ETag') || ('"' + d.gridId + '-' + r.body.properties.version + '"');
    await reloadData();
    $('conflict').hidden = true;
    dryRun();
  }

  async function deleteSelected() {
    const g = S.selected;
    if (!g) return;
    if (!window.confirm(t('confirm.delete') + ' ' + g.properties.name + '?')) return;
    const res = await PG.api('DELETE', '/collections/grids/items/' + g.id, null, { 'If-Match': '"' + g.id + '-' + g.properties.version + '"' });
    if (res.ok) { select(null); await reloadData(); message(t('deleted'), true); }
    else if (res.status === 412) { S.draft = { op: 'delete', gridId: g.id }; showConflict(); }
    else message(t('save.failed') + ' (' + res.status + ')', false);
  }

  // ---- history: every version, earlier shapes drawn dashed ----
  async function showHistory() {
    const g = S.selected;
    if (!g) return;
    const res = await PG.api('GET', '/collections/grids/items/' + g.id + '/history');
    const list = $('history-list');
    list.innerHTML = '';
    $('history').hidden = false;
    const changes = res.ok && res.body && Array.isArray(res.body.changes) ? res.body.changes : [];
    if (!changes.length) { list.innerHTML = '<li class="muted">' + PG.esc(t('history.none')) + '</li>'; }
    const earlier = [];
    for (const c of changes) {
      const li = document.createElement('li');
      const shape = c.after || c.before;
      li.textContent = 'v' + c.version + ' · ' + t('op.' + c.operation) + ' · ' + (c.at || '').replace('T', ' ').slice(0, 19) + ' · ' + c.actor;
      if (shape && shape.geometry && c.version !== g.properties.version) earlier.push({ type: 'Feature', geometry: shape.geometry, properties: { version: c.version } });
      list.append(li);
    }
    map.getSource('e-history').setData({ type: 'FeatureCollection', features: earlier });
    S.historyShown = earlier.length;
  }

  function message(text, ok) {
    const m = $('msg');
    m.className = 'msg ' + (ok ? 'ok' : 'err');
    m.textContent = text;
  }
  function clearMessages() { $('msg').textContent = ''; $('msg').className = ''; }

  init();
})();
