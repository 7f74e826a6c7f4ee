-- The cameras collection's rows (Art. 17). Wrapped as `(…) f` by the OGC API.
SELECT id, code, name, village_code, direction_deg, fov_deg, range_m, geom, version,
       created_at, updated_at
FROM cameras
