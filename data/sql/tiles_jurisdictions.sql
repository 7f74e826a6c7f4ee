-- Tile layer 'jurisdictions': boundaries from the generalised copy of the zoom's band, which
-- holds a level only from the zoom it is drawn at (province/city/county z5, township z9,
-- village z11). $1 z, $2 x, $3 y.
SELECT ST_AsMVT(t, 'jurisdictions', 4096, 'geom' ORDER BY t.code) FROM (
    SELECT ST_AsMVTGeom(g.geom, ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           j.code, j.name, j.level, j.kind, j.parent_code
    FROM tile_gen_jurisdictions g
    JOIN jurisdictions j ON j.code = g.code
    WHERE g.band = tile_band($1::int)
      AND g.geom && ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096)
      AND g.minzoom <= $1::int
) t WHERE t.geom IS NOT NULL
