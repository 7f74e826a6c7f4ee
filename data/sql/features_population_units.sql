-- The population_units collection's rows: buildings and village groups. Wrapped as `(…) f`
-- by the OGC API.
SELECT id, code, name, kind, households, residents, floors, village_code, geom, version,
       created_at, updated_at
FROM population_units
