-- Tile layer 'population_units' (from z15): buildings and village groups as drawn.
SELECT ST_AsMVT(t, 'population_units', 4096, 'geom', 'id' ORDER BY t.id) FROM (
    SELECT ST_AsMVTGeom(ST_Transform(u.geom, 3857), ST_TileEnvelope($1::int, $2::int, $3::int), 4096, 64, true) AS geom,
           u.id, u.name, u.kind, u.households, u.residents, u.floors::int AS floors
    FROM population_units u
    WHERE u.geom && ST_Transform(ST_TileEnvelope($1::int, $2::int, $3::int, margin => 64.0 / 4096), 4490)
) t WHERE t.geom IS NOT NULL
