-- Tile layer 'jurisdiction_labels': one label point per jurisdiction (its label_point, else a
-- point on its surface, kept in the full-detail band), by the boundaries' zoom rules. The
-- label index is scanned first (materialised), whatever the planner guesses of the join.
WITH g AS MATERIALIZED (
    SELECT g.code, g.label FROM tile_gen_jurisdictions g
    WHERE g.label IS NOT NULL AND g.minzoom <= $1::int
      AND g.label && ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096)
)
SELECT ST_AsMVT(t, 'jurisdiction_labels', 4096, 'geom' ORDER BY t.code) FROM (
    SELECT ST_AsMVTGeom(g.label, ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           j.code, j.name, j.level
    FROM g JOIN jurisdictions j ON j.code = g.code
) t WHERE t.geom IS NOT NULL
