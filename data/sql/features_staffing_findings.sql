-- The staffing_findings collection's rows (Art. 15), from the staffing analysis (migration
-- 004). Wrapped as `(…) f` by the OGC API.
SELECT id, village_code, reason, grid_id, grid_code, worker_id, subject, value, bound,
       suggestion, geom, computed_at,
       computed_at AS updated_at -- what the ETag of a collection without versions is made from
FROM staffing_findings
