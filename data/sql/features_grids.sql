-- The grids collection's rows (community, base and dedicated grids). Wrapped as `(…) f` by
-- the OGC API, which picks the registry's columns (server/collections.c).
SELECT id, code, name, kind, village_code, unit_type, households, residents, geom, version,
       created_at, updated_at
FROM grids
