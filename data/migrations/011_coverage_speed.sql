-- Coverage analysis, faster (issue 5's speed targets) with the same results:
-- * worker load from the active worker ids each grid already gathered, instead of a second
--   join of the scratch grids with every assignment (its generic plan hashed the whole
--   grid_assignments table on every call: most of a one-village update);
-- * the village rows sum the scratch tables once per batch, grouped by village, instead of a
--   scan of them per village (quadratic in the batch size, which kept batches small);
-- * every overlay (difference, intersection) and every area computed once: a lateral subquery
--   pulled up into the select list repeats its expression at every use (OFFSET 0 stops that);
-- * the overlap pairs found from the grids of the villages that need them, by index, instead of
--   a hash of every grid of the province on each call;
-- * a key place's camera check measures the geodesic distance before it builds any camera's
--   sector, and looks no further than the longest camera range (0.07 degrees at most, as before).

-- The longest camera range, read by every recompute: an index answers max() at once.
CREATE INDEX IF NOT EXISTS cameras_range_idx ON cameras (range_m);

CREATE OR REPLACE FUNCTION ana_recompute(p_codes text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    sliver double precision := ana_num('sliver_m2');
    noise double precision := ana_num('noise_m2');
    ded text[] := ana_list('dedicated_categories');
    sec text[] := ana_list('security_categories');
    cam text[] := ana_list('camera_categories');
    ft_need double precision := ana_num('fulltime_per_community_grid');
    hh_min_c double precision := ana_num('households_min_community');
    hh_max_c double precision := ana_num('households_max_community');
    hh_min_b double precision := ana_num('households_min_base');
    hh_max_b double precision := ana_num('households_max_base');
    max_hh double precision := ana_num('worker_max_households');
    max_grids double precision := ana_num('worker_max_grids');
    max_hz double precision := ana_num('worker_max_open_hazards');
    -- how far (degrees) any camera can see: a box no wider than 0.07 as before, and no wider
    -- than the longest range needs (1 degree is over 80 km anywhere in Jiangxi)
    cam_reach double precision := least(0.07, coalesce((SELECT max(range_m) FROM cameras), 0) / 80000.0 + 1e-6);
    gids bigint[];
    out_codes text[];
    v_n integer;
BEGIN
    -- Scratch tables (ana_*) live for the session, their rows for the transaction: created
    -- once, so the cached plans of the statements using them stay valid.
    -- Tiles of the result layers drop where results were (tiles listener of migration 003).
    PERFORM ana_tiles_notify(p_codes);
    DELETE FROM coverage_gaps WHERE village_code = ANY (p_codes);
    DELETE FROM coverage_overlaps WHERE village_code = ANY (p_codes);
    DELETE FROM coverage_findings WHERE village_code = ANY (p_codes);
    DELETE FROM staffing_findings WHERE village_code = ANY (p_codes);
    DELETE FROM coverage_village WHERE village_code = ANY (p_codes);

    -- The union of each village's community and base grids, with the planar sums that tell
    -- whether any two of them overlap at all (sum of areas above the union's area).
    -- d: the boundary minus that union (the gaps); sticks_out: whether the union reaches
    -- outside the boundary, from planar areas: area(u) - (area(v) - area(d)) is the part of u
    -- outside v (1e-12 square degrees is about 0.01 m²).
    IF to_regclass('pg_temp.ana_union') IS NULL THEN
        CREATE TEMP TABLE ana_union (village_code text, u geometry, sum_area double precision,
            union_area double precision, d geometry, sticks_out boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_union;
    INSERT INTO ana_union
    SELECT v.code, x.u, x.s, ST_Area(x.u), y.d,
           x.u IS NOT NULL AND ST_Area(x.u) - ST_Area(v.geom) + ST_Area(y.d) > 1e-12
    FROM jurisdictions v
    LEFT JOIN LATERAL (SELECT ST_Union(g.geom) u, sum(ST_Area(g.geom)) s FROM grids g
                       WHERE g.village_code = v.code AND g.kind <> 'dedicated') x ON true
    -- OFFSET 0 keeps the difference a row of its own: pulled up into the select list, it would
    -- be computed once for d and once more for its area
    CROSS JOIN LATERAL (SELECT CASE WHEN x.u IS NULL THEN v.geom ELSE ST_Difference(v.geom, x.u) END d
                        OFFSET 0) y
    WHERE v.code = ANY (p_codes) AND v.level = 'village' AND v.geom IS NOT NULL;

    -- Gaps: polygon by polygon.
    INSERT INTO coverage_gaps (village_code, reason, is_sliver, area_m2, geom)
    SELECT gu.village_code, CASE WHEN a.m2 < sliver THEN 'gap_sliver' ELSE 'gap' END, a.m2 < sliver, a.m2, d.geom
    FROM ana_union gu
    CROSS JOIN LATERAL ST_Dump(gu.d) d
    CROSS JOIN LATERAL (SELECT ana_area_m2(d.geom) AS m2 OFFSET 0) a -- one area per polygon
    WHERE GeometryType(d.geom) = 'POLYGON' AND a.m2 >= noise;

    -- Overlaps between sibling community/base grids, pair by pair, in the villages whose
    -- grids' areas add up to more than their union (1e-10 relative: far below noise_m2).
    INSERT INTO coverage_overlaps (village_code, reason, grid_a, grid_b, grid_a_code, grid_b_code,
                                   is_sliver, area_m2, geom)
    SELECT x.village_code, CASE WHEN m.m2 < sliver THEN 'overlap_sliver' ELSE 'overlap' END,
           x.a, x.b, x.ac, x.bc, m.m2 < sliver, m.m2, x.geom
    FROM (SELECT a.village_code, a.id a, b.id b, a.code ac, b.code bc,
                 ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) geom
          -- the grids of those villages by index (a join would hash every grid of the
          -- province on each call: the scratch table's row count is unknown to the plan)
          FROM (SELECT village_code FROM ana_union
                WHERE u IS NOT NULL AND sum_area - union_area > 1e-10 * sum_area) gu
          CROSS JOIN LATERAL (SELECT g.id, g.code, g.village_code, g.geom FROM grids g
                              WHERE g.village_code = gu.village_code AND g.kind <> 'dedicated'
                              OFFSET 0) a
          JOIN grids b ON b.village_code = a.village_code AND b.id > a.id AND b.geom && a.geom
          WHERE b.kind <> 'dedicated' AND ST_Intersects(a.geom, b.geom)
          OFFSET 0) x -- one intersection per pair, not one per use of it
    CROSS JOIN LATERAL (SELECT ana_area_m2(x.geom) AS m2 OFFSET 0) m
    WHERE NOT ST_IsEmpty(x.geom) AND m.m2 >= noise;

    -- Grid area outside its own village: community/base grids only where the village's union
    -- sticks out (one overlay per village), dedicated grids one by one.
    out_codes := ARRAY(SELECT village_code FROM ana_union WHERE sticks_out);
    INSERT INTO coverage_findings (village_code, reason, grid_id, grid_code, subject, area_m2, detail, geom)
    SELECT o.village_code, CASE WHEN m.m2 < sliver THEN 'grid_outside_village_sliver' ELSE 'grid_outside_village' END,
           o.id, o.code, o.name, m.m2, jsonb_build_object('kind', o.kind), o.geom
    FROM (SELECT g.village_code, g.id, g.code, g.name, g.kind,
                 ST_CollectionExtract(ST_Difference(g.geom, v.geom), 3) geom
          FROM grids g JOIN jurisdictions v ON v.code = g.village_code AND v.code = ANY (p_codes)
          WHERE g.village_code = ANY (p_codes) AND v.geom IS NOT NULL
            AND (g.kind = 'dedicated' OR g.village_code = ANY (out_codes))
            AND NOT ST_CoveredBy(g.geom, v.geom)
          OFFSET 0) o -- one difference per grid
    CROSS JOIN LATERAL (SELECT ana_area_m2(o.geom) AS m2 OFFSET 0) m
    WHERE NOT ST_IsEmpty(o.geom) AND m.m2 >= noise;

    -- Key places homed in these villages.
    IF to_regclass('pg_temp.ana_places') IS NULL THEN
        CREATE TEMP TABLE ana_places (id bigint, village_code text, code text, name text,
            category text, has_video boolean, has_alarm boolean, geom geometry, pt geometry) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_places;
    INSERT INTO ana_places
    SELECT k.id, k.village_code, k.code, k.name, k.category, k.has_video, k.has_alarm, k.geom, ST_PointOnSurface(k.geom)
    FROM key_places k WHERE k.village_code = ANY (p_codes);
    INSERT INTO ana_places
    SELECT k.id, v.code, k.code, k.name, k.category, k.has_video, k.has_alarm, k.geom, ST_PointOnSurface(k.geom)
    FROM key_places k JOIN jurisdictions v ON v.geom && k.geom
    WHERE k.village_code IS NULL AND v.code = ANY (p_codes) AND v.level = 'village'
      AND v.code = ana_home_village(NULL, k.geom);

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_outside_grid', p.id, p.name,
           jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_places p
    WHERE NOT EXISTS (SELECT 1 FROM grids g WHERE g.geom && p.geom AND ST_Intersects(g.geom, p.geom));

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_no_dedicated_grid', p.id, p.name,
           jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_places p
    WHERE p.category = ANY (ded)
      AND NOT EXISTS (SELECT 1 FROM grids g WHERE g.kind = 'dedicated' AND g.geom && p.pt
                      AND ST_Intersects(g.geom, p.pt));

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, r.reason, p.id, p.name, jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_places p
    CROSS JOIN LATERAL (VALUES ('school_no_video', NOT p.has_video), ('school_no_alarm', NOT p.has_alarm)) r(reason, bad)
    WHERE p.category = ANY (sec) AND r.bad;

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_no_camera', p.id, p.name, jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_places p
    WHERE p.category = ANY (cam)
      AND NOT EXISTS (SELECT 1 FROM cameras c
                      WHERE c.geom && ST_Expand(p.geom, cam_reach)
                        -- a sector lies within its range of the camera: the geodesic distance
                        -- rules out most cameras before any sector is built (+1 m: the sector's
                        -- edges are straight in degrees, not geodesics)
                        AND (GeometryType(p.geom) = 'POINT'
                             OR ST_DWithin(c.geom::geography, p.geom::geography, c.range_m + 1))
                        AND CASE WHEN GeometryType(p.geom) = 'POINT' THEN
                                 -- a point: within range and within the field of view, exactly
                                 ST_DWithin(c.geom::geography, p.geom::geography, c.range_m)
                                 AND (c.fov_deg >= 360 OR ST_Equals(c.geom, p.geom)
                                      OR abs(mod((degrees(ST_Azimuth(c.geom::geography, p.geom::geography))
                                                  - c.direction_deg + 540)::numeric, 360) - 180) <= c.fov_deg / 2)
                            ELSE ST_Intersects(ana_camera_sector(c.geom, c.direction_deg, c.fov_deg, c.range_m), p.geom)
                            END);

    -- Open hazards homed in these villages.
    IF to_regclass('pg_temp.ana_hazards') IS NULL THEN
        CREATE TEMP TABLE ana_hazards (id bigint, village_code text, code text, name text,
            risk_grade text, accident_grade text, status text, deadline date, geom geometry, pt geometry,
            open boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_hazards;
    INSERT INTO ana_hazards
    SELECT h.id, h.village_code, h.code, h.name, h.risk_grade, h.accident_grade, h.status, h.deadline, h.geom,
           ST_PointOnSurface(h.geom), h.status NOT IN ('rectified', 'closed', 'rejected')
    FROM hazards h WHERE h.village_code = ANY (p_codes);
    INSERT INTO ana_hazards
    SELECT h.id, v.code, h.code, h.name, h.risk_grade, h.accident_grade, h.status, h.deadline, h.geom,
           ST_PointOnSurface(h.geom), h.status NOT IN ('rectified', 'closed', 'rejected')
    FROM hazards h JOIN jurisdictions v ON v.geom && h.geom
    WHERE h.village_code IS NULL AND v.code = ANY (p_codes) AND v.level = 'village'
      AND v.code = ana_home_village(NULL, h.geom);

    INSERT INTO coverage_findings (village_code, reason, hazard_id, grid_id, grid_code, subject, detail, geom)
    SELECT h.village_code,
           CASE WHEN gs.grids IS NULL THEN 'hazard_outside_grid' ELSE 'hazard_grid_no_worker' END,
           h.id, gs.first_id, gs.first_code, h.name,
           jsonb_build_object('code', h.code, 'risk_grade', h.risk_grade, 'grids', gs.grids), h.pt
    FROM ana_hazards h
    CROSS JOIN LATERAL (
        SELECT jsonb_agg(g.code ORDER BY g.code) grids, min(g.id) first_id, min(g.code) first_code,
               bool_or(EXISTS (SELECT 1 FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                               WHERE a.grid_id = g.id AND w.active)) staffed
        FROM grids g WHERE g.geom && h.geom AND ST_Intersects(g.geom, h.geom)) gs
    WHERE h.open AND (gs.grids IS NULL OR NOT gs.staffed);

    INSERT INTO coverage_findings (village_code, reason, hazard_id, subject, detail, geom)
    SELECT h.village_code, 'hazard_major_overdue', h.id, h.name,
           jsonb_build_object('code', h.code, 'risk_grade', h.risk_grade, 'deadline', h.deadline,
                              'days_overdue', current_date - h.deadline), h.pt
    FROM ana_hazards h
    WHERE h.open AND (h.accident_grade = 'major' OR h.risk_grade = 'red') AND h.deadline < current_date;

    -- Staffing: grids of these villages with their households (from the population units whose
    -- point on surface they hold, else the grid's own count) and their active workers.
    -- (Also the grids elsewhere of workers who have a grid here: their load counts them.)
    -- (active worker ids kept per grid: the load below needs no second pass over the assignments)
    IF to_regclass('pg_temp.ana_grid_set') IS NULL THEN
        CREATE TEMP TABLE ana_grid_set (id bigint, village_code text, code text, name text, kind text,
            households integer, workers integer, fulltime integer, hazard_ids bigint[], geom geometry,
            worker_ids bigint[], fulltime_ids bigint[]) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_grid_set;
    gids := ARRAY(SELECT id FROM grids WHERE village_code = ANY (p_codes));
    gids := gids || ARRAY(SELECT a2.grid_id FROM unnest(gids) x(id)
                          JOIN grid_assignments a3 ON a3.grid_id = x.id
                          JOIN grid_assignments a2 ON a2.worker_id = a3.worker_id
                          JOIN grids g2 ON g2.id = a2.grid_id
                          WHERE NOT g2.village_code = ANY (p_codes));
    INSERT INTO ana_grid_set
    SELECT g.id, g.village_code, g.code, g.name, g.kind,
           coalesce(pu.hh, g.households), coalesce(st.workers, 0), coalesce(st.fulltime, 0), hz.ids, g.geom,
           coalesce(st.ids, '{}'), coalesce(st.ft_ids, '{}')
    FROM grids g
    LEFT JOIN LATERAL (SELECT sum(u.households)::integer hh FROM population_units u
                       WHERE u.geom && g.geom
                         AND ST_Intersects(g.geom, CASE WHEN GeometryType(u.geom) = 'POINT' THEN u.geom
                                                        ELSE ST_PointOnSurface(u.geom) END)) pu ON true
    LEFT JOIN LATERAL (SELECT count(*) workers, count(*) FILTER (WHERE w.employment = 'full_time') fulltime,
                              array_agg(w.id) ids, array_agg(w.id) FILTER (WHERE w.employment = 'full_time') ft_ids
                       FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                       WHERE a.grid_id = g.id AND w.active) st ON true
    LEFT JOIN LATERAL (SELECT array_agg(h.id) ids FROM hazards h
                       WHERE h.geom && g.geom AND ST_Intersects(g.geom, h.geom)
                         AND h.status NOT IN ('rectified', 'closed', 'rejected')) hz ON true
    WHERE g.id = ANY (gids);

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, 'community_grid_no_fulltime', g.id, g.code, g.name, g.fulltime,
           ft_need, '配备专职网格员',
           jsonb_build_object('kind', g.kind, 'workers', g.workers), g.geom
    FROM ana_grid_set g WHERE g.village_code = ANY (p_codes) AND g.kind = 'community' AND g.fulltime < ft_need;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, 'grid_no_worker', g.id, g.code, g.name, 0, 1, '配备网格员',
           jsonb_build_object('kind', g.kind), g.geom
    FROM ana_grid_set g WHERE g.village_code = ANY (p_codes) AND g.kind <> 'community' AND g.workers = 0;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, b.reason, g.id, g.code, g.name, g.households, b.bound, b.suggestion,
           jsonb_build_object('kind', g.kind), g.geom
    FROM (SELECT x.*, CASE x.kind WHEN 'community' THEN hh_min_c ELSE hh_min_b END lo,
                      CASE x.kind WHEN 'community' THEN hh_max_c ELSE hh_max_b END hi
          FROM ana_grid_set x WHERE x.village_code = ANY (p_codes) AND x.kind IN ('community', 'base')) g
    CROSS JOIN LATERAL (VALUES
        ('grid_households_over', g.hi, '拆分为 ' || ceil(g.households / nullif(g.hi, 0)) || ' 个网格'),
        ('grid_households_under', g.lo, '与相邻网格合并')) b(reason, bound, suggestion)
    WHERE b.bound IS NOT NULL
      AND ((b.reason = 'grid_households_over' AND g.households > b.bound)
        OR (b.reason = 'grid_households_under' AND g.households < b.bound));

    -- Worker load, reported in the worker's first village.
    INSERT INTO staffing_findings (village_code, reason, worker_id, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT l.home, r.reason, l.worker_id, l.first_grid, l.first_code, l.name, r.value, r.bound, '调整网格员分工',
           jsonb_build_object('employment', l.employment, 'grids', l.grids, 'households', l.households,
                              'open_hazards', l.hazards), ST_PointOnSurface(l.first_geom)
    FROM (
        SELECT w.id worker_id, w.name, w.employment, min(g.village_code) home,
               count(*) FILTER (WHERE e.n IS NULL OR e.n = 1) grids,
               sum(g.households) FILTER (WHERE e.n IS NULL OR e.n = 1) households,
               count(DISTINCT e.hid) hazards,
               min(g.id) first_grid, min(g.code) first_code,
               (array_agg(g.geom ORDER BY g.code))[1] first_geom
        FROM ana_grid_set g
        CROSS JOIN LATERAL unnest(g.worker_ids) a(worker_id)
        CROSS JOIN LATERAL (SELECT x.id, x.name, x.employment FROM grid_workers x
                            WHERE x.id = a.worker_id OFFSET 0) w
        LEFT JOIN LATERAL unnest(g.hazard_ids) WITH ORDINALITY e(hid, n) ON true
        GROUP BY w.id, w.name, w.employment
    ) l
    CROSS JOIN LATERAL (VALUES
        ('worker_over_households', l.households::double precision, max_hh),
        ('worker_over_grids', l.grids::double precision, max_grids),
        ('worker_over_hazards', l.hazards::double precision, max_hz)) r(reason, value, bound)
    WHERE l.home = ANY (p_codes) AND r.value > r.bound AND l.grids > 0;

    -- The village rows: sums of the findings and the counts behind the scorecard.
    INSERT INTO coverage_village
    SELECT v.code, v.name, v.kind, t.code, c.code, ci.code, p.code,
           v.geom IS NOT NULL,
           coalesce(ar.m2, 0),
           CASE WHEN v.geom IS NULL THEN 0 ELSE greatest(coalesce(ar.m2, 0) - coalesce(gp.m2, 0), 0) END,
           coalesce(gp.m2, 0), coalesce(gp.n, 0), coalesce(gp.ns, 0), coalesce(gp.ms, 0),
           coalesce(ov.m2, 0), coalesce(ov.n, 0), coalesce(ov.ns, 0),
           coalesce(ou.m2, 0), coalesce(ou.n, 0),
           coalesce(gr.community, 0), coalesce(gr.base, 0), coalesce(gr.dedicated, 0),
           coalesce(gr.staffed, 0),
           (coalesce(gr.community, 0) * ft_need)::integer,
           coalesce(ft.n, 0),
           coalesce(pl.total, 0), coalesce(pl.need, 0), coalesce(pl.need, 0) - coalesce(plm.missing, 0),
           coalesce(hz.open, 0), coalesce(hz.due, 0), coalesce(hz.on_time, 0),
           coalesce(rs.reasons, '{}'),
           now()
    FROM jurisdictions v
    LEFT JOIN jurisdictions t ON t.code = v.parent_code
    LEFT JOIN jurisdictions c ON c.code = t.parent_code
    LEFT JOIN jurisdictions ci ON ci.code = c.parent_code
    LEFT JOIN jurisdictions p ON p.code = ci.parent_code
    LEFT JOIN LATERAL (SELECT ana_area_m2(v.geom) m2) ar ON v.geom IS NOT NULL
    LEFT JOIN LATERAL (SELECT sum(area_m2) m2, count(*) FILTER (WHERE NOT is_sliver) n,
                              count(*) FILTER (WHERE is_sliver) ns,
                              coalesce(sum(area_m2) FILTER (WHERE is_sliver), 0) ms
                       FROM coverage_gaps x WHERE x.village_code = v.code) gp ON true
    LEFT JOIN LATERAL (SELECT sum(area_m2) m2, count(*) FILTER (WHERE NOT is_sliver) n,
                              count(*) FILTER (WHERE is_sliver) ns
                       FROM coverage_overlaps x WHERE x.village_code = v.code) ov ON true
    LEFT JOIN LATERAL (SELECT sum(area_m2) m2, count(*) n FROM coverage_findings x
                       WHERE x.village_code = v.code AND x.reason LIKE 'grid_outside_village%') ou ON true
    -- the scratch tables summed per village once (a lateral scan of them per village grows
    -- with the square of the batch)
    LEFT JOIN (SELECT x.village_code,
                      count(*) FILTER (WHERE kind = 'community') community,
                      count(*) FILTER (WHERE kind = 'base') base,
                      count(*) FILTER (WHERE kind = 'dedicated') dedicated,
                      count(*) FILTER (WHERE kind = 'community' AND fulltime >= ft_need) staffed
               FROM ana_grid_set x GROUP BY x.village_code) gr ON gr.village_code = v.code
    LEFT JOIN (SELECT x.village_code, count(DISTINCT f.id) n
               FROM ana_grid_set x CROSS JOIN LATERAL unnest(x.fulltime_ids) f(id)
               WHERE x.kind = 'community' GROUP BY x.village_code) ft ON ft.village_code = v.code
    LEFT JOIN (SELECT x.village_code, count(*) total, count(*) FILTER (WHERE category = ANY (ded)) need
               FROM ana_places x GROUP BY x.village_code) pl ON pl.village_code = v.code
    LEFT JOIN LATERAL (SELECT count(*) missing FROM coverage_findings f WHERE f.village_code = v.code
                         AND f.reason = 'place_no_dedicated_grid') plm ON true
    LEFT JOIN (
        SELECT x.village_code, count(*) FILTER (WHERE x.open) open,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status <> 'rejected'
                                  AND (NOT x.open OR x.deadline < current_date)) due,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status IN ('rectified', 'closed')
                                  AND coalesce((SELECT min(e.at) FROM edit_history e
                                                WHERE e.collection = 'hazards' AND e.feature_id = x.id
                                                  AND e.after ->> 'status' IN ('rectified', 'closed')),
                                               (SELECT hh.updated_at FROM hazards hh WHERE hh.id = x.id))::date
                                      <= x.deadline) on_time
        FROM ana_hazards x GROUP BY x.village_code) hz ON hz.village_code = v.code
    LEFT JOIN LATERAL (
        SELECT jsonb_object_agg(reason, n) reasons FROM (
            SELECT reason, count(*) n FROM (
                SELECT reason FROM coverage_gaps WHERE village_code = v.code
                UNION ALL SELECT reason FROM coverage_overlaps WHERE village_code = v.code
                UNION ALL SELECT reason FROM coverage_findings WHERE village_code = v.code
                UNION ALL SELECT reason FROM staffing_findings WHERE village_code = v.code) a
            GROUP BY reason) b) rs ON true
    LEFT JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM grids g WHERE g.village_code = v.code)
                           OR EXISTS (SELECT 1 FROM ana_places x WHERE x.village_code = v.code)
                           OR EXISTS (SELECT 1 FROM ana_hazards x WHERE x.village_code = v.code) any_data) dd ON true
    WHERE v.code = ANY (p_codes) AND v.level = 'village' AND (v.geom IS NOT NULL OR dd.any_data);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    PERFORM ana_tiles_notify(p_codes); -- and where they are now
    RETURN v_n;
END $$;

-- CREATE OR REPLACE drops the settings 004 gave the function: the same again.
ALTER FUNCTION ana_recompute(text[]) SET jit = off;
ALTER FUNCTION ana_recompute(text[]) SET plan_cache_mode = force_generic_plan;

-- Marks every village under a prefix for a full recompute. For the whole province the worker
-- hop of ana_mark adds nothing (every village is marked anyway) and its join over every
-- assignment cost seconds: a plain insert does.
CREATE FUNCTION ana_mark_all(p_prefix text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    IF p_prefix <> '' THEN
        RETURN ana_mark(ARRAY(SELECT ana_all_villages(p_prefix)));
    END IF;
    -- 010: the queue has no unique key; a village already queued is not queued twice
    INSERT INTO coverage_dirty (village_code)
    SELECT v FROM ana_all_villages('') v
    WHERE NOT EXISTS (SELECT 1 FROM coverage_dirty d WHERE d.village_code = v)
    ORDER BY 1;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n > 0 THEN
        PERFORM pg_notify('coverage_dirty', n::text);
    END IF;
    RETURN n;
END $$;
ALTER FUNCTION ana_mark_all(text) SET jit = off;

-- Refreshing: as in 010 (a queue that may hold a village more than once, drainers taking
-- turns per village), with the commit not waiting for the disk (see inside).
CREATE OR REPLACE FUNCTION ana_refresh(p_prefix text DEFAULT '', p_limit integer DEFAULT 2147483647,
                            p_skip_locked boolean DEFAULT false, p_rollup boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    -- Results are derived data and the queue rows leave in the same transaction: a commit lost
    -- in a crash leaves the village dirty, to be recomputed again. So this transaction's
    -- commit need not wait for the WAL to reach the disk (tens of milliseconds on a busy
    -- machine: most of a one-edit update). Nothing else in it is affected by a crash more
    -- than by a rollback: callers run it in a transaction of its own.
    PERFORM set_config('synchronous_commit', 'off', true);
    -- Every table the recompute reads, locked up front in the order bulk loaders truncate
    -- them (grids first): a TRUNCATE ... CASCADE then waits for the recompute, or the
    -- recompute for it, instead of the two deadlocking halfway.
    LOCK TABLE grids, key_places, hazards, cameras, edit_history, grid_assignments, grid_workers,
               population_units, jurisdictions IN ACCESS SHARE MODE;
    PERFORM ana_mark_due();
    IF p_skip_locked THEN
        SELECT array_agg(DISTINCT village_code) INTO codes
        FROM (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
              ORDER BY village_code LIMIT p_limit FOR UPDATE SKIP LOCKED) pick;
        -- a village another drainer is recomputing is left to it
        SELECT array_agg(c ORDER BY c) INTO codes FROM unnest(codes) c
        WHERE pg_try_advisory_xact_lock(hashtext('pingan.coverage:' || c));
    ELSE
        -- reports wait for villages being recomputed (their rows, then their advisory locks),
        -- so on return everything dirty under the prefix when the call began is current
        SELECT array_agg(DISTINCT village_code) INTO codes
        FROM (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
              ORDER BY village_code LIMIT p_limit FOR UPDATE) pick;
        PERFORM pg_advisory_xact_lock(hashtext('pingan.coverage:' || c))
        FROM unnest(codes) c ORDER BY c;
    END IF;
    IF codes IS NULL THEN
        RETURN 0;
    END IF;
    -- every row of these villages no writer holds; a held one brings the village back later
    DELETE FROM coverage_dirty x
    WHERE x.ctid = ANY (ARRAY(SELECT ctid FROM coverage_dirty WHERE village_code = ANY (codes)
                              FOR UPDATE SKIP LOCKED));
    PERFORM ana_recompute(codes);
    IF p_rollup THEN
        PERFORM ana_rollup(codes);
    END IF;
    RETURN cardinality(codes);
END $$;

ALTER FUNCTION ana_refresh(text, integer, boolean, boolean) SET jit = off;

-- A full recompute (pingan report refresh --all) sets pingan.analysis_bulk for its connections:
-- the per-village tile notices (a box per village, before and after: tens of thousands of
-- notices) are skipped and one notice for the whole result layers follows at the end
-- (ana_tiles_notify_all): every tile of them may have changed anyway.
CREATE OR REPLACE FUNCTION ana_tiles_notify(p_codes text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('pingan.analysis_bulk', true) = 'on' THEN
        RETURN;
    END IF;
    PERFORM tile_send('coverage_gaps,coverage_overlaps,staffing_findings', 0, 30,
                     tile_box(ST_SetSRID(ST_Extent(x.geom)::geometry, 4490)), '-')
    FROM (SELECT village_code, geom FROM coverage_gaps WHERE village_code = ANY (p_codes)
          UNION ALL SELECT village_code, geom FROM coverage_overlaps WHERE village_code = ANY (p_codes)
          UNION ALL SELECT village_code, geom FROM staffing_findings WHERE village_code = ANY (p_codes)) x
    GROUP BY x.village_code;
END $$;
ALTER FUNCTION ana_tiles_notify(text[]) SET plan_cache_mode = force_generic_plan;

CREATE FUNCTION ana_tiles_notify_all() RETURNS void
LANGUAGE sql AS $$
    SELECT tile_send('coverage_gaps,coverage_overlaps,staffing_findings', 0, 30,
                     '-20037509,-20037509,20037509,20037509', '-')
$$;

