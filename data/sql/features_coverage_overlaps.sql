-- The coverage_overlaps collection's rows: overlaps between sibling community/base grids, from
-- the coverage analysis (migration 004). Wrapped as `(…) f` by the OGC API.
SELECT id, village_code, reason, grid_a, grid_b, grid_a_code, grid_b_code, is_sliver, area_m2,
       geom, computed_at,
       computed_at AS updated_at -- what the ETag of a collection without versions is made from
FROM coverage_overlaps
