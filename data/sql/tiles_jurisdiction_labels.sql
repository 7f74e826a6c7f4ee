-- Tile layer 'jurisdiction_labels': one label point per jurisdiction (its label_point, else a
-- point on its surface, kept in the full-detail band), by the boundaries' zoom rules.
SELECT ST_AsMVT(t, 'jurisdiction_labels', 4096, 'geom') FROM (
    SELECT ST_AsMVTGeom(g.label, ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           j.code, j.name, j.level
    FROM tile_gen_jurisdictions g
    JOIN jurisdictions j ON j.code = g.code
    WHERE g.band = 4 AND g.label IS NOT NULL
      AND g.label && ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096)
      AND $1::int >= tile_level_minzoom(j.level)
) t WHERE t.geom IS NOT NULL
