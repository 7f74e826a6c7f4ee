-- The coverage_gaps collection's rows: village area covered by no community/base grid, from the
-- coverage analysis (migration 004). Wrapped as `(…) f` by the OGC API.
SELECT id, village_code, reason, is_sliver, area_m2, geom, computed_at,
       computed_at AS updated_at -- what the ETag of a collection without versions is made from
FROM coverage_gaps
