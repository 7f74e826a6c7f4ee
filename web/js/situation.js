// The situation display (态势一张图): the province on the project's situation style, search
// and drill-down through the jurisdictions, a layer switcher and a legend read from the
// style, details of anything clicked, the scorecard of the current jurisdiction and its
// children, and live updates from /events.
(function () {
  'use strict';
  const { t } = I18N;
  const LEVELS = ['province', 'city', 'county', 'township', 'village'];
  const PROVINCE = { code: '360000000000', name: '江西省', level: 'province', bbox: null, path: [] };
  // Layer groups by tile layer, and the property the switcher filters each on.
  const GROUPS = [
    { id: 'grids', prop: 'kind', values: ['community', 'base', 'dedicated'], label: (v) => t('kind.' + v) },
    { id: 'key_places', prop: 'category', values: null, label: (v) => (I18N.has('cat.' + v) ? t('cat.' + v) : v) },
    { id: 'hazards', prop: 'risk_grade', values: ['red', 'orange', 'yellow', 'blue'], label: (v) => t('grade.' + v) },
    { id: 'cameras' },
    { id: 'coverage_gaps', also: ['coverage_overlaps'] },
    { id: 'staffing_findings' },
    { id: 'population_units' },
    { id: 'jurisdictions' },
  ];
  // Analysis layers drawn by the page when the tile server has them but the style does not.
  const ANALYSIS_LAYERS = {
    coverage_gaps: { id: 'coverage-gaps', type: 'fill', paint: { 'fill-color': '#ff1744', 'fill-opacity': 0.45, 'fill-outline-color': '#ff1744' } },
    coverage_overlaps: { id: 'coverage-overlaps', type: 'fill', paint: { 'fill-color': '#ff9100', 'fill-opacity': 0.45 } },
    staffing_findings: { id: 'staffing-findings', type: 'circle', paint: { 'circle-color': '#ff9100', 'circle-radius': 6, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } },
  };
  async function addAnalysisLayers() {
    let cat;
    try { cat = await (await fetch('/tiles', { headers: { Accept: 'application/json' } })).json(); } catch (e) { return; }
    const have = new Set(map.getStyle().layers.map((l) => l['source-layer']).filter(Boolean));
    const before = map.getStyle().layers.find((l) => l.type === 'symbol');
    for (const ts of (cat && cat.tilesets) || []) {
      const def = ANALYSIS_LAYERS[ts.id];
      if (!def || have.has(ts.id)) continue;
      const src = 'pingan-' + ts.id;
      map.addSource(src, { type: 'vector', tiles: [ts.tiles], minzoom: ts.minzoom || 0, maxzoom: Math.min(ts.maxzoom || 16, 16) });
      map.addLayer(Object.assign({ source: src, 'source-layer': ts.id }, def), before && before.id);
      state.originalFilter[def.id] = undefined;
    }
  }
  const PICK_ORDER = ['hazards', 'key_places', 'cameras', 'staffing_findings', 'coverage_gaps', 'coverage_overlaps', 'grids'];

  const state = { current: PROVINCE, hidden: {}, off: {}, originalFilter: {}, events: 0, refreshes: 0, selected: null };
  window.pinganState = state;

  function groupOfLayer(layer) {
    const sl = layer['source-layer'];
    if (!sl) return null;
    for (const g of GROUPS) if (g.id === sl || (g.also && g.also.includes(sl))) return g.id;
    return null;
  }

  // Without a style from the server, one built on the same tiles (the tile server's layers).
  function fallbackStyle() {
    const tiles = [location.origin + '/tiles/jurisdictions,grids,key_places,hazards,cameras/{z}/{x}/{y}.mvt'];
    return {
      version: 8,
      sources: { pingan: { type: 'vector', tiles, minzoom: 0, maxzoom: 16 } },
      layers: [
        { id: 'background', type: 'background', paint: { 'background-color': '#eef2f5' } },
        { id: 'jurisdictions-line', type: 'line', source: 'pingan', 'source-layer': 'jurisdictions', paint: { 'line-color': '#5c6bc0', 'line-width': 1.2 } },
        { id: 'grids-fill', type: 'fill', source: 'pingan', 'source-layer': 'grids',
          paint: { 'fill-color': ['match', ['get', 'kind'], 'community', '#26a69a', 'base', '#9ccc65', 'dedicated', '#ab47bc', '#90a4ae'], 'fill-opacity': 0.45 } },
        { id: 'grids-line', type: 'line', source: 'pingan', 'source-layer': 'grids', paint: { 'line-color': '#00695c', 'line-width': 1 } },
        { id: 'key-places', type: 'circle', source: 'pingan', 'source-layer': 'key_places', paint: { 'circle-color': '#1e88e5', 'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
        { id: 'hazards', type: 'circle', source: 'pingan', 'source-layer': 'hazards',
          paint: { 'circle-color': ['match', ['get', 'risk_grade'], 'red', '#e53935', 'orange', '#fb8c00', 'yellow', '#fdd835', 'blue', '#1e88e5', '#888'], 'circle-radius': 6, 'circle-stroke-color': '#222', 'circle-stroke-width': 1 } },
        { id: 'cameras', type: 'circle', source: 'pingan', 'source-layer': 'cameras', paint: { 'circle-color': '#455a64', 'circle-radius': 3 } },
      ],
    };
  }

  let map;
  async function init() {
    I18N.apply();
    document.getElementById('lang').addEventListener('click', () => I18N.toggle());
    I18N.onChange(() => { document.title = t('app.title'); buildSwitcher(); buildLegend(); renderCrumbs(); renderDetails(state.selected); loadScorecard(); });
    document.title = t('app.title');
    const style = (await PG.loadStyle('situation')) || fallbackStyle();
    map = new maplibregl.Map({ container: 'map', style, bounds: PG.JIANGXI_BOUNDS, fitBoundsOptions: { padding: 20 }, attributionControl: false, hash: false });
    window.pinganMap = map;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    map.on('error', (e) => { state.lastMapError = e && e.error ? String(e.error.message || e.error) : 'error'; });
    map.on('load', () => {
      for (const layer of map.getStyle().layers) state.originalFilter[layer.id] = layer.filter;
      buildSwitcher();
      buildLegend();
      addAnalysisLayers().then(() => { buildSwitcher(); buildLegend(); });
      setJurisdiction(PROVINCE, false);
      state.loaded = true;
    });
    map.on('click', onClick);
    map.on('mousemove', (e) => {
      const f = pick(e.point);
      map.getCanvas().style.cursor = f ? 'pointer' : '';
    });
    wireSearch();
    document.getElementById('details-close').addEventListener('click', () => { state.selected = null; renderDetails(null); });
    startLive();
  }

  // ---- layer switcher and legend ----
  function groupLayers(gid) { return map.getStyle().layers.filter((l) => groupOfLayer(l) === gid); }
  function valuesOf(g) {
    if (g.values) return g.values;
    // categories actually coloured in the style, else the common ones
    const seen = [];
    for (const entry of PG.legendFromStyle(map.getStyle(), groupOfLayer)) {
      if (entry.group !== g.id) continue;
      for (const r of entry.rows) if (r.value !== null && !seen.includes(r.value)) seen.push(r.value);
    }
    return seen.length ? seen : ['school', 'kindergarten', 'hospital', 'market', 'elderly_care', 'station', 'other'];
  }
  function isExpression(f) { return Array.isArray(f) && (Array.isArray(f[1]) || ['all', 'any', '!'].includes(f[0]) && f.slice(1).every(isExpression) || typeof f[1] === 'boolean'); }
  function applyGroup(g) {
    for (const layer of groupLayers(g.id)) {
      map.setLayoutProperty(layer.id, 'visibility', state.off[g.id] ? 'none' : 'visible');
      if (!g.prop) continue;
      const hidden = state.hidden[g.id] || [];
      const orig = state.originalFilter[layer.id];
      if (orig !== undefined && !isExpression(orig)) continue; // a legacy filter cannot be combined
      const keep = hidden.length ? ['!', ['in', ['coalesce', ['get', g.prop], ''], ['literal', hidden]]] : null;
      const filter = keep && orig ? ['all', orig, keep] : keep || orig || null;
      map.setFilter(layer.id, filter);
    }
  }
  function buildSwitcher() {
    if (!map || !map.isStyleLoaded()) return;
    const box = document.getElementById('layers');
    box.innerHTML = '';
    for (const g of GROUPS) {
      if (!groupLayers(g.id).length) continue;
      const fs = document.createElement('fieldset');
      const lg = document.createElement('legend');
      const main = document.createElement('label');
      const cb = document.createElement('input');
      cb.type = 'checkbox'; cb.checked = !state.off[g.id]; cb.id = 'layer-' + g.id;
      cb.addEventListener('change', () => { state.off[g.id] = !cb.checked; applyGroup(g); });
      main.append(cb, document.createTextNode(t('layers.' + g.id)));
      lg.append(main);
      fs.append(lg);
      if (g.prop) {
        const subs = document.createElement('div');
        subs.className = 'subs';
        for (const v of valuesOf(g)) {
          const l = document.createElement('label');
          const c = document.createElement('input');
          c.type = 'checkbox'; c.value = v; c.id = 'layer-' + g.id + '-' + v;
          c.checked = !(state.hidden[g.id] || []).includes(v);
          c.addEventListener('change', () => {
            const h = new Set(state.hidden[g.id] || []);
            if (c.checked) h.delete(v); else h.add(v);
            state.hidden[g.id] = [...h];
            applyGroup(g);
          });
          l.append(c, document.createTextNode(g.label(v)));
          subs.append(l);
        }
        fs.append(subs);
      }
      box.append(fs);
    }
  }
  function labelFor(group, row) {
    if (row.label) return row.label;
    if (row.value === null) return t('layers.' + group);
    const g = GROUPS.find((x) => x.id === group);
    return g && g.label ? g.label(row.value) : String(row.value);
  }
  function buildLegend() {
    if (!map || !map.isStyleLoaded()) return;
    const box = document.getElementById('legend');
    box.innerHTML = '';
    const done = new Set();
    for (const entry of PG.legendFromStyle(map.getStyle(), groupOfLayer)) {
      if (entry.group === 'jurisdictions' || entry.shape === 'symbol') continue;
      for (const row of entry.rows) {
        if (row.value === null && I18N.has('legend.' + entry.layer)) row.label = t('legend.' + entry.layer);
        const key = entry.group + '|' + row.value + '|' + entry.shape + '|' + (row.label || '');
        if (done.has(key) || (entry.shape === 'line' && entry.group === 'grids' && !row.label)) continue;
        done.add(key);
        const div = document.createElement('div');
        div.className = 'row';
        const sw = document.createElement('span');
        sw.className = 'swatch ' + entry.shape;
        sw.style.background = typeof row.colour === 'string' ? row.colour : '#999';
        sw.dataset.layer = entry.layer;
        div.append(sw, document.createTextNode(labelFor(entry.group, row)));
        box.append(div);
      }
    }
  }

  // ---- search and drill-down ----
  function wireSearch() {
    const form = document.getElementById('search');
    const input = document.getElementById('search-q');
    const list = document.getElementById('search-results');
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (!q) return;
      let res;
      try { res = await PG.api('GET', '/search/jurisdictions?q=' + encodeURIComponent(q)); } catch (err) { res = { ok: false }; }
      list.innerHTML = '';
      const items = res.ok && Array.isArray(res.body) ? res.body : [];
      if (!items.length) {
        const li = document.createElement('li');
        li.textContent = t('search.none');
        li.className = 'muted';
        list.append(li);
      }
      for (const j of items) {
        const li = document.createElement('li');
        li.setAttribute('role', 'option');
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.code = j.code;
        b.innerHTML = PG.esc(j.name) + ' <span class="sub">' + PG.esc(t('level.' + j.level)) + ' · ' + PG.esc(j.code) + ' · ' +
          PG.esc((j.path || []).map((p) => p.name).join(' › ')) + '</span>';
        b.addEventListener('click', () => { list.hidden = true; setJurisdiction(j, true); });
        li.append(b);
        list.append(li);
      }
      list.hidden = false;
      const first = list.querySelector('button');
      if (first) first.focus();
    });
    list.addEventListener('keydown', (e) => {
      const buttons = [...list.querySelectorAll('button')];
      const i = buttons.indexOf(document.activeElement);
      if (e.key === 'ArrowDown' && i < buttons.length - 1) { buttons[i + 1].focus(); e.preventDefault(); }
      if (e.key === 'ArrowUp') { (i > 0 ? buttons[i - 1] : input).focus(); e.preventDefault(); }
      if (e.key === 'Escape') { list.hidden = true; input.focus(); }
    });
    document.addEventListener('click', (e) => { if (!form.contains(e.target)) list.hidden = true; });
  }

  function setJurisdiction(j, zoom) {
    state.current = j;
    renderCrumbs();
    loadScorecard();
    if (!zoom) return;
    if (j.level === 'province' || !j.bbox) {
      if (j.level === 'province') map.fitBounds(PG.JIANGXI_BOUNDS, { padding: 20 });
      return;
    }
    map.fitBounds([[j.bbox[0], j.bbox[1]], [j.bbox[2], j.bbox[3]]], { padding: 40, maxZoom: 17, duration: 600 });
  }
  function renderCrumbs() {
    const nav = document.getElementById('crumbs');
    nav.innerHTML = '';
    const chain = [...(state.current.path || []).filter((p) => p.level !== 'province'), state.current];
    const all = state.current.level === 'province' ? [PROVINCE] : [PROVINCE, ...chain];
    all.forEach((j, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = j.level === 'province' ? t('crumb.province') : j.name;
      if (i === all.length - 1) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', async () => {
        if (j.level === 'province') return setJurisdiction(PROVINCE, true);
        const res = await PG.api('GET', '/search/jurisdictions?q=' + encodeURIComponent(j.code));
        const hit = res.ok && Array.isArray(res.body) ? res.body.find((x) => x.code === j.code) : null;
        setJurisdiction(hit || j, true);
      });
      nav.append(b);
    });
  }
  // A click on no feature goes one level down: the child jurisdiction under the point.
  async function drillDown(lngLat) {
    const from = LEVELS.indexOf(state.current.level);
    for (let i = from + 1; i < LEVELS.length; i++) {
      const res = await PG.api('GET', '/search/jurisdictions?at=' + lngLat.lng.toFixed(7) + ',' + lngLat.lat.toFixed(7) + '&level=' + LEVELS[i]);
      if (res.ok && Array.isArray(res.body) && res.body.length) { setJurisdiction(res.body[0], true); return; }
    }
  }

  // ---- details ----
  function pick(point) {
    if (!map.isStyleLoaded()) return null;
    const box = [[point.x - 4, point.y - 4], [point.x + 4, point.y + 4]];
    const feats = map.queryRenderedFeatures(box).filter((f) => PICK_ORDER.includes(f.sourceLayer));
    feats.sort((a, b) => PICK_ORDER.indexOf(a.sourceLayer) - PICK_ORDER.indexOf(b.sourceLayer));
    return feats[0] || null;
  }
  function onClick(e) {
    const f = pick(e.point);
    // Above the township a click always goes one level down (points there are too dense to
    // aim past); below it, on empty ground or a cluster standing for many points.
    const high = ['province', 'city', 'county'].includes(state.current.level);
    if (high || !f || Number(f.properties.count) > 1) drillDown(e.lngLat);
    if (!f || Number(f.properties.count) > 1) return;
    state.selected = { layer: f.sourceLayer, props: Object.assign({}, f.properties), id: f.properties.id !== undefined ? f.properties.id : f.id, lngLat: e.lngLat, extra: {} };
    renderDetails(state.selected);
    enrich(state.selected);
  }
  const yesno = (v) => (v === true || v === 'true' || v === 1 ? t('yes') : v === false || v === 'false' || v === 0 ? t('no') : t('unknown'));
  function rowsFor(sel) {
    const p = Object.assign({}, sel.props, sel.extra.item || {});
    const x = sel.extra;
    switch (sel.layer) {
      case 'grids': return [
        ['f.code', p.code], ['f.name', p.name], ['f.kind', p.kind ? t('kind.' + p.kind) : ''],
        ['f.households', p.households], ['f.residents', p.residents],
        ['f.workers', x.workers !== undefined ? x.workers : p.workers !== undefined ? p.workers + (p.full_time !== undefined ? '（' + t('f.full_time') + ' ' + p.full_time + '）' : '') : undefined],
        ['f.open_hazards', x.openHazards !== undefined ? x.openHazards : '…'], ['f.findings', x.findings !== undefined ? x.findings : '…']];
      case 'hazards': return [
        ['f.name', p.name], ['f.grade', p.risk_grade ? t('grade.' + p.risk_grade) : ''], ['f.status', p.status ? t('status.' + p.status) : ''],
        ['f.deadline', p.deadline || '—'], ['f.overdue', yesno(p.overdue)], ['f.responsible_unit', p.responsible_unit || '—'], ['f.code', p.code]];
      case 'key_places': return [
        ['f.name', p.name], ['f.category', I18N.has('cat.' + p.category) ? t('cat.' + p.category) : p.category],
        ['f.video', yesno(p.has_video)], ['f.alarm', yesno(p.has_alarm)],
        ['f.dedicated_grid', x.dedicated !== undefined ? x.dedicated : (p.dedicated_grid !== undefined ? yesno(!!p.dedicated_grid) : '…')], ['f.code', p.code]];
      default: return Object.keys(p).filter((k) => typeof p[k] !== 'object').slice(0, 12).map((k) => [k, p[k]]);
    }
  }
  function renderDetails(sel) {
    const body = document.getElementById('details-body');
    const close = document.getElementById('details-close');
    if (!sel) { body.innerHTML = '<p class="muted">' + PG.esc(t('details.empty')) + '</p>'; close.hidden = true; return; }
    close.hidden = false;
    const title = t('layers.' + sel.layer);
    let html = '<p><strong>' + PG.esc(title) + '</strong></p><table>';
    for (const [k, v] of rowsFor(sel)) html += '<tr><th>' + PG.esc(I18N.has(k) ? t(k) : k) + '</th><td>' + PG.esc(v === undefined || v === null ? '—' : v) + '</td></tr>';
    body.innerHTML = html + '</table>';
    body.dataset.layer = sel.layer;
  }
  // Fills in what the tile does not carry: the feature's full record, and for a grid its
  // workers, open hazards and findings.
  async function enrich(sel) {
    const coll = sel.layer;
    try {
      if (sel.id !== undefined && sel.id !== null && ['grids', 'hazards', 'key_places', 'cameras'].includes(coll)) {
        const r = await PG.api('GET', '/collections/' + coll + '/items/' + encodeURIComponent(sel.id));
        if (r.ok && r.body && r.body.properties) { sel.extra.item = r.body.properties; sel.geometry = r.body.geometry; }
      }
      if (coll === 'grids' && sel.geometry) {
        const b = PG.bboxOf(sel.geometry);
        const hz = await PG.api('GET', '/collections/hazards/items?limit=500&bbox=' + b.join(','));
        if (hz.ok && hz.body && hz.body.features) {
          sel.extra.openHazards = hz.body.features.filter((f) => !['closed', 'rectified', 'rejected'].includes(f.properties.status) &&
            PG.contains(sel.geometry, PG.anchor(f.geometry))).length;
        }
        const village = (sel.extra.item && sel.extra.item.village_code) || (sel.props.code ? String(sel.props.code).slice(0, 12) : null);
        if (village) {
          const fd = await PG.api('GET', '/reports/staffing?f=json&jurisdiction=' + village, null, { Accept: 'application/json' });
          const list = fd.ok && fd.body && Array.isArray(fd.body.findings) ? fd.body.findings.filter((f) => String(f.grid_id) === String(sel.id)) : null;
          sel.extra.findings = list ? (list.length ? list.length + '：' + list.map((f) => (I18N.lang === 'zh' ? f.label_zh : f.label_en) || f.reason).join('；') : '0') : '—';
        }
        const p = sel.extra.item || {};
        if (p.worker_count !== undefined) sel.extra.workers = p.worker_count;
        else if (Array.isArray(p.workers)) sel.extra.workers = p.workers.length;
      }
      if (coll === 'key_places' && sel.extra.item && sel.extra.item.dedicated_grid !== undefined) sel.extra.dedicated = yesno(!!sel.extra.item.dedicated_grid);
    } catch (e) { /* details stay as the tile gave them */ }
    if (sel.extra.openHazards === undefined) sel.extra.openHazards = '—';
    if (sel.extra.findings === undefined) sel.extra.findings = '—';
    if (state.selected === sel) renderDetails(sel);
  }

  // ---- scorecard (/reports/scorecard: total, indicators, rows of the children) ----
  const SCORE_EXTRA = ['villages', 'grids_community', 'grids_dedicated', 'gap_count', 'fulltime_short', 'hazards_open'];
  function fmt(v, pct) {
    if (v === null || v === undefined) return '—';
    if (typeof v !== 'number') return v;
    return pct ? v.toFixed(1) + '%' : Number.isInteger(v) ? v.toLocaleString() : v.toFixed(1);
  }
  function indicatorLabel(ind) { return I18N.has('score.' + ind.key) ? t('score.' + ind.key) : (I18N.lang === 'zh' && ind.label_zh) || ind.key; }
  async function loadScorecard() {
    const j = state.current;
    document.getElementById('score-name').textContent = j.level === 'province' ? t('crumb.province') : j.name;
    const body = document.getElementById('score-body');
    const kids = document.getElementById('score-children');
    const next = LEVELS[LEVELS.indexOf(j.level) + 1];
    let res;
    try { res = await PG.api('GET', '/reports/scorecard?f=json&jurisdiction=' + j.code + (next ? '&level=' + next : ''), null, { Accept: 'application/json' }); } catch (e) { res = null; }
    if (state.current !== j) return;
    const doc = res && res.ok && res.body && typeof res.body === 'object' ? res.body : null;
    if (!doc || !doc.total) {
      body.innerHTML = '<p class="muted">' + PG.esc(t('score.unavailable')) + '</p>';
      kids.innerHTML = '';
      return;
    }
    const inds = Array.isArray(doc.indicators) ? doc.indicators : [];
    let html = '<table class="details" id="score-table">';
    for (const ind of inds) html += '<tr><th>' + PG.esc(indicatorLabel(ind)) + '</th><td data-key="' + PG.esc(ind.key) + '">' + PG.esc(fmt(doc.total[ind.key], true)) + '</td></tr>';
    for (const k of SCORE_EXTRA) if (k in doc.total) html += '<tr><th>' + PG.esc(t('score.' + k)) + '</th><td data-key="' + k + '">' + PG.esc(fmt(doc.total[k])) + '</td></tr>';
    body.innerHTML = html + '</table>';
    const rows = Array.isArray(doc.rows) ? doc.rows : [];
    if (!rows.length) { kids.innerHTML = ''; return; }
    const cols = inds.map((ind) => ({ key: ind.key, label: indicatorLabel(ind), pct: true })).concat([{ key: 'fulltime_short', label: t('score.fulltime_short') }, { key: 'hazards_open', label: t('score.hazards_open') }]);
    let tbl = '<table><thead><tr><th scope="col">' + PG.esc(t('score.name')) + '</th>' + cols.map((c) => '<th scope="col" class="num">' + PG.esc(c.label) + '</th>').join('') + '</tr></thead><tbody>';
    for (const c of rows) {
      tbl += '<tr><td><button type="button" class="link" data-code="' + PG.esc(c.code) + '">' + PG.esc(c.name || c.code) + '</button></td>' +
        cols.map((col) => '<td class="num">' + PG.esc(fmt(c[col.key], col.pct)) + '</td>').join('') + '</tr>';
    }
    kids.innerHTML = tbl + '</tbody></table>';
    kids.querySelectorAll('button[data-code]').forEach((b) => b.addEventListener('click', async () => {
      const r = await PG.api('GET', '/search/jurisdictions?q=' + encodeURIComponent(b.dataset.code));
      const hit = r.ok && Array.isArray(r.body) ? r.body.find((x) => x.code === b.dataset.code) : null;
      if (hit) setJurisdiction(hit, true);
    }));
  }

  // ---- live ----
  // Changes arriving close together are applied together; the short wait also lets the tile
  // server's own listener drop the changed tiles before they are asked for again.
  let pending = null, boxes = [], all = false;
  function startLive() {
    const el = document.getElementById('live');
    const setState = (on) => { el.className = 'live ' + (on ? 'on' : 'off'); el.textContent = t(on ? 'live.on' : 'live.off'); state.liveConnected = on; };
    PG.live((ev) => {
      state.events++;
      if (!map || !state.loaded) return;
      const b = map.getBounds();
      const view = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()];
      if (ev.bbox && !PG.bboxIntersects(ev.bbox, view)) return;
      schedule(ev);
    }, () => schedule(null), setState);
  }
  function schedule(ev) {
    if (ev && ev.bbox) boxes.push(ev.bbox); else all = true;
    if (ev) state.lastEvent = ev;
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      const box = all ? null : boxes.reduce((a, b) => [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])]);
      boxes = []; all = false;
      PG.refreshVectorSources(map, box);
      state.refreshes++;
      const sel = state.selected;
      if (sel && (!box || (sel.lngLat && PG.bboxIntersects(box, [sel.lngLat.lng, sel.lngLat.lat, sel.lngLat.lng, sel.lngLat.lat])))) enrich(sel);
      loadScorecard();
    }, 80);
  }

  init();
})();
