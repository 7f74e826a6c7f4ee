// What both pages share: requests to pingan serve, the live-event client, the legend read
// from the style, and the small geometry sums the editor's tally needs.
(function () {
  'use strict';
  const JIANGXI_BOUNDS = [[113.57, 24.48], [118.48, 30.08]];

  function token() { try { return sessionStorage.getItem('pingan.token') || ''; } catch (e) { return ''; } }

  // fetch with the bearer token; resolves to {status, ok, body, headers} and never throws on
  // HTTP errors (the callers explain them), only on network failure.
  async function api(method, path, body, headers) {
    const h = Object.assign({ Accept: 'application/geo+json, application/json;q=0.9' }, headers || {});
    const tok = token();
    if (tok) h.Authorization = 'Bearer ' + tok;
    let payload;
    if (body !== undefined && body !== null) {
      h['Content-Type'] = h['Content-Type'] || 'application/geo+json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store' });
    let data = null;
    const text = res.status === 204 ? '' : await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = text; } }
    return { status: res.status, ok: res.ok, body: data, headers: res.headers };
  }

  // Live events: EventSource reconnects by itself and sends Last-Event-ID, so the server
  // replays what was missed; a 'reset' means "re-fetch everything".
  function live(onChange, onReset, onState) {
    let es = null;
    function open() {
      es = new EventSource('/events');
      es.addEventListener('open', () => onState && onState(true));
      es.addEventListener('error', () => onState && onState(false));
      es.addEventListener('change', (ev) => {
        let d; try { d = JSON.parse(ev.data); } catch (e) { return; }
        onChange(d);
      });
      es.addEventListener('reset', () => onReset && onReset());
    }
    open();
    return { close() { if (es) es.close(); } };
  }

  // Re-requests the tiles that may have changed. The tile server invalidates exactly and
  // answers with max-age=0 + ETag, so re-fetching a tile gets it fresh (or a cheap 304). Only
  // the tiles in view that touch the changed box are reloaded (through the tile manager, a
  // pinned maplibre-gl 5 internal); without it every source gets new tile URLs instead.
  const baseTiles = new WeakMap();
  function tileBounds(c) {
    const n = 2 ** c.z;
    const lon = (x) => x / n * 360 - 180;
    const lat = (y) => Math.atan(Math.sinh(Math.PI * (1 - 2 * y / n))) * 180 / Math.PI;
    return [lon(c.x), lat(c.y + 1), lon(c.x + 1), lat(c.y)];
  }
  function refreshVectorSources(map, bbox) {
    const style = map.getStyle();
    if (!style) return 0;
    const managers = map.style && (map.style.tileManagers || map.style.sourceCaches);
    const stamp = Date.now().toString(36);
    let n = 0;
    for (const id of Object.keys(style.sources)) {
      if (style.sources[id].type !== 'vector') continue;
      const m = managers && managers[id];
      if (m && m._inViewTiles && typeof m._reloadTile === 'function') {
        for (const tid of m._inViewTiles.getAllIds()) {
          const tile = m._inViewTiles.getTileById(tid);
          if (bbox && !bboxIntersects(tileBounds(tile.tileID.canonical), bbox)) continue;
          m._reloadTile(tid, 'expired');
          n++;
        }
        if (m._outOfViewCache && m._outOfViewCache.reset) m._outOfViewCache.reset();
        continue;
      }
      const src = map.getSource(id);
      if (!src || typeof src.setTiles !== 'function' || !src.tiles) continue;
      if (!baseTiles.has(src)) baseTiles.set(src, src.tiles.slice());
      src.setTiles(baseTiles.get(src).map((u) => u + (u.includes('?') ? '&' : '?') + 'v=' + stamp));
      n++;
    }
    return n;
  }

  function bboxIntersects(a, b) {
    return a && b && a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
  }

  // Legend entries read from the style itself, so the legend always matches what is drawn:
  // a layer's colour (or a match/case on one property) becomes rows of swatches.
  function legendFromStyle(style, groupOf) {
    const out = [];
    for (const layer of style.layers || []) {
      const group = groupOf(layer);
      if (!group) continue;
      const paint = layer.paint || {};
      const colour = paint['fill-color'] || paint['circle-color'] || paint['line-color'] || paint['icon-color'] || paint['text-color'];
      if (colour === undefined) continue;
      const shape = layer.type === 'symbol' ? 'symbol' : layer.type === 'fill' ? 'fill' : layer.type === 'line' ? 'line' : 'circle';
      const rows = [];
      if (Array.isArray(colour) && colour[0] === 'match' && Array.isArray(colour[1])) {
        const prop = colour[1][colour[1].length - 1];
        for (let i = 2; i + 1 < colour.length; i += 2) {
          const values = Array.isArray(colour[i]) ? colour[i] : [colour[i]];
          rows.push({ prop, value: values[0], colour: colour[i + 1] });
        }
      } else if (typeof colour === 'string') {
        rows.push({ prop: null, value: null, colour });
      } else {
        continue;
      }
      out.push({ group, layer: layer.id, shape, rows });
    }
    return out;
  }

  // ---- geometry: planar sums on a local equirectangular projection (good to ~0.1 % for a
  // village-sized shape) and point-in-polygon for the tally ----
  const R = 6371008.8;
  function ringArea(ring) {
    if (ring.length < 3) return 0;
    const lat0 = ring.reduce((s, p) => s + p[1], 0) / ring.length * Math.PI / 180;
    let a = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const xi = ring[i][0] * Math.PI / 180 * R * Math.cos(lat0), yi = ring[i][1] * Math.PI / 180 * R;
      const xj = ring[j][0] * Math.PI / 180 * R * Math.cos(lat0), yj = ring[j][1] * Math.PI / 180 * R;
      a += (xj * yi - xi * yj);
    }
    return Math.abs(a) / 2;
  }
  function polygonsOf(geom) {
    if (!geom) return [];
    if (geom.type === 'Polygon') return [geom.coordinates];
    if (geom.type === 'MultiPolygon') return geom.coordinates;
    return [];
  }
  function area(geom) {
    return polygonsOf(geom).reduce((s, poly) => s + ringArea(poly[0]) - poly.slice(1).reduce((h, r) => h + ringArea(r), 0), 0);
  }
  function inRing(pt, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > pt[1]) !== (yj > pt[1]) && pt[0] < (xj - xi) * (pt[1] - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function contains(geom, pt) {
    return polygonsOf(geom).some((poly) => inRing(pt, poly[0]) && !poly.slice(1).some((h) => inRing(pt, h)));
  }
  // A representative point: the point itself, else the mean of the outer ring's vertices.
  function anchor(geom) {
    if (!geom) return null;
    if (geom.type === 'Point') return geom.coordinates;
    const polys = polygonsOf(geom);
    const ring = polys.length ? polys[0][0] : (geom.type === 'LineString' ? geom.coordinates : null);
    if (!ring || !ring.length) return null;
    const n = ring.length - (polys.length ? 1 : 0);
    let x = 0, y = 0;
    for (let i = 0; i < n; i++) { x += ring[i][0]; y += ring[i][1]; }
    return [x / n, y / n];
  }
  function bboxOf(geom) {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
      if (typeof c[0] === 'number') { b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1]); b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1]); }
      else c.forEach(walk);
    };
    if (geom && geom.coordinates) walk(geom.coordinates);
    return b[0] === Infinity ? null : b;
  }
  function formatArea(m2) {
    if (m2 >= 1e6) return (m2 / 1e6).toFixed(3) + ' km²';
    return Math.round(m2).toLocaleString() + ' m²';
  }
  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  // The style from the server, or null when it has none (the caller then builds its own).
  async function loadStyle(name) {
    try {
      const res = await fetch('/styles/' + name + '.json', { cache: 'no-store' });
      if (!res.ok) return null;
      return await res.json();
    } catch (e) { return null; }
  }

  window.PG = {
    JIANGXI_BOUNDS, token, api, live, refreshVectorSources, bboxIntersects, legendFromStyle,
    area, contains, anchor, bboxOf, polygonsOf, formatArea, esc, loadStyle,
  };
})();
