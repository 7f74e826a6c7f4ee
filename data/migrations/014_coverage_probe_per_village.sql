-- Coverage analysis with fewer index searches (issue 5: a full recompute faster than the
-- one-query-per-village reference). A profile of a 1,000-village batch put a quarter of the
-- time in GiST searches: one search per grid for its population units, one more for its open
-- hazards, two per key place for the grids around it. A search costs 30-60 µs however few rows
-- it finds (the leaf pages are scanned entry by entry), so:
-- * population units and open hazards are found with one search per village, over the box of
--   the village's grids, and matched to the grids in memory (box test first, then the exact
--   test as before);
-- * a key place's grid and dedicated-grid checks share one search, and so do the open hazards
--   of a village for the grids around them;
-- * a camera on or in a key place sees it without building its sector, and so does a camera
--   that sees all round within its range (a geodesic distance, exact, as for point places:
--   the buffer that was its sector cost half a second of PROJ set-up per connection and zone);
-- * a village its grids tile exactly is shown gap-free by an equality test (half an overlay);
-- * the village rows sum the result tables once per batch, grouped by village, instead of
--   seven index scans per village;
-- * tests of "is this village in the batch" on every row (a linear scan of the batch's codes in
--   a generic plan) are answered by a flag set once per grid.
-- The results are the same, but for key places at the very edge of an all-round camera's range:
-- its sector was a 72-gon inside the circle, now the circle itself decides (up to 0.1 % of the
-- range nearer the edge). The scratch tables have new names: a session that created the old
-- ones keeps working until it ends, and this one never meets their old column lists.

-- Key places and hazards without a village code are few: their own index finds those of a
-- village at once (the full one would be searched village by village for nothing).
CREATE INDEX IF NOT EXISTS key_places_homeless_geom_idx ON key_places USING gist (geom) WHERE village_code IS NULL;
CREATE INDEX IF NOT EXISTS hazards_homeless_geom_idx ON hazards USING gist (geom) WHERE village_code IS NULL;
-- When each hazard was first rectified or closed (the scorecard's "rectified on time"), without
-- reading every line of its history.
CREATE INDEX IF NOT EXISTS edit_history_hazard_done_idx ON edit_history (feature_id, at)
    WHERE collection = 'hazards' AND (after ->> 'status') IN ('rectified', 'closed');
-- The villages with a boundary, which a full recompute marks (ana_all_villages), without a scan
-- of the boundaries themselves.
CREATE INDEX IF NOT EXISTS jurisdictions_mapped_villages_idx ON jurisdictions (code)
    WHERE level = 'village' AND geom IS NOT NULL;

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
    -- outside v (1e-12 square degrees is about 0.01 m²). vg: the boundary itself.
    IF to_regclass('pg_temp.ana_villages') IS NULL THEN
        CREATE TEMP TABLE ana_villages (village_code text, vg geometry, u geometry,
            sum_area double precision, union_area double precision, d geometry,
            sticks_out boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_villages;
    INSERT INTO ana_villages
    SELECT v.code, v.geom, x.u, x.s, ST_Area(x.u), y.d,
           x.u IS NOT NULL AND ST_Area(x.u) - ST_Area(v.geom) + ST_Area(y.d) > 1e-12
    FROM jurisdictions v
    LEFT JOIN LATERAL (SELECT ST_Union(g.geom) u, sum(ST_Area(g.geom)) s FROM grids g
                       WHERE g.village_code = v.code AND g.kind <> 'dedicated') x ON true
    -- OFFSET 0 keeps the difference a row of its own: pulled up into the select list, it would
    -- be computed once for d and once more for its area. Grids that tile their village leave no
    -- gap: when the union has the boundary's area, an equality test (half the cost of the
    -- overlay) may show it.
    CROSS JOIN LATERAL (SELECT CASE WHEN x.u IS NULL THEN v.geom
                                    WHEN abs(ST_Area(v.geom) - ST_Area(x.u)) <= 1e-9 * ST_Area(v.geom)
                                         AND ST_Equals(v.geom, x.u) THEN 'SRID=4490;POLYGON EMPTY'::geometry
                                    ELSE ST_Difference(v.geom, x.u) END d
                        OFFSET 0) y
    WHERE v.code = ANY (p_codes) AND v.level = 'village' AND v.geom IS NOT NULL;

    -- Gaps: polygon by polygon.
    INSERT INTO coverage_gaps (village_code, reason, is_sliver, area_m2, geom)
    SELECT gu.village_code, CASE WHEN a.m2 < sliver THEN 'gap_sliver' ELSE 'gap' END, a.m2 < sliver, a.m2, d.geom
    FROM ana_villages gu
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
          FROM (SELECT village_code FROM ana_villages
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
    INSERT INTO coverage_findings (village_code, reason, grid_id, grid_code, subject, area_m2, detail, geom)
    SELECT o.village_code, CASE WHEN m.m2 < sliver THEN 'grid_outside_village_sliver' ELSE 'grid_outside_village' END,
           o.id, o.code, o.name, m.m2, jsonb_build_object('kind', o.kind), o.geom
    FROM (SELECT g.village_code, g.id, g.code, g.name, g.kind,
                 ST_CollectionExtract(ST_Difference(g.geom, v.vg), 3) geom
          FROM ana_villages v
          CROSS JOIN LATERAL (SELECT g.* FROM grids g WHERE g.village_code = v.village_code OFFSET 0) g
          WHERE (g.kind = 'dedicated' OR v.sticks_out) AND NOT ST_CoveredBy(g.geom, v.vg)
          OFFSET 0) o -- one difference per grid
    CROSS JOIN LATERAL (SELECT ana_area_m2(o.geom) AS m2 OFFSET 0) m
    WHERE NOT ST_IsEmpty(o.geom) AND m.m2 >= noise;

    -- Key places homed in these villages, each with one search of the grids around it: whether
    -- any grid holds it, and whether a dedicated grid holds its point on surface (the point lies
    -- in the place, so every grid that can hold it is among those the place's box finds).
    IF to_regclass('pg_temp.ana_place_set') IS NULL THEN
        CREATE TEMP TABLE ana_place_set (id bigint, village_code text, code text, name text,
            category text, has_video boolean, has_alarm boolean, geom geometry, pt geometry,
            in_grid boolean, in_dedicated boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_place_set;
    INSERT INTO ana_place_set
    SELECT k.id, k.home, k.code, k.name, k.category, k.has_video, k.has_alarm, k.geom, s.pt,
           coalesce(c.in_grid, false), coalesce(c.in_dedicated, false)
    FROM (SELECT k.id, k.village_code home, k.code, k.name, k.category, k.has_video, k.has_alarm, k.geom
          FROM key_places k WHERE k.village_code = ANY (p_codes)
          UNION ALL
          -- places without a village code, through their own small index, village by village
          SELECT k.id, v.code, k.code, k.name, k.category, k.has_video, k.has_alarm, k.geom
          FROM jurisdictions v
          CROSS JOIN LATERAL (SELECT k.* FROM key_places k
                              WHERE k.village_code IS NULL AND k.geom && v.geom OFFSET 0) k
          WHERE v.code = ANY (p_codes) AND v.level = 'village'
            AND v.code = ana_home_village(NULL, k.geom)) k
    CROSS JOIN LATERAL (SELECT ST_PointOnSurface(k.geom) pt OFFSET 0) s
    CROSS JOIN LATERAL (SELECT bool_or(ST_Intersects(g.geom, k.geom)) in_grid,
                               bool_or(g.kind = 'dedicated' AND ST_Intersects(g.geom, s.pt)) in_dedicated
                        FROM grids g WHERE g.geom && k.geom) c;

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_outside_grid', p.id, p.name,
           jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_place_set p WHERE NOT p.in_grid;

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_no_dedicated_grid', p.id, p.name,
           jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_place_set p
    WHERE p.category = ANY (ded) AND NOT p.in_dedicated;

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, r.reason, p.id, p.name, jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_place_set p
    CROSS JOIN LATERAL (VALUES ('school_no_video', NOT p.has_video), ('school_no_alarm', NOT p.has_alarm)) r(reason, bad)
    WHERE p.category = ANY (sec) AND r.bad;

    INSERT INTO coverage_findings (village_code, reason, place_id, subject, detail, geom)
    SELECT p.village_code, 'place_no_camera', p.id, p.name, jsonb_build_object('category', p.category, 'code', p.code), p.pt
    FROM ana_place_set p
    WHERE p.category = ANY (cam)
      AND NOT EXISTS (SELECT 1 FROM cameras c
                      WHERE c.geom && ST_Expand(p.geom, cam_reach)
                        -- a camera on or in a place (a line or polygon) sees it: the sector's
                        -- apex is the camera; a planar test, far cheaper than any sector
                        AND ((GeometryType(p.geom) <> 'POINT' AND ST_Intersects(p.geom, c.geom))
                        -- a sector lies within its range of the camera: the geodesic distance
                        -- rules out most cameras before any sector is built (+1 m: the sector's
                        -- edges are straight in degrees, not geodesics)
                        OR ((GeometryType(p.geom) = 'POINT'
                             OR ST_DWithin(c.geom::geography, p.geom::geography, c.range_m + 1))
                        AND CASE WHEN GeometryType(p.geom) = 'POINT' THEN
                                 -- a point: within range and within the field of view, exactly
                                 ST_DWithin(c.geom::geography, p.geom::geography, c.range_m)
                                 AND (c.fov_deg >= 360 OR ST_Equals(c.geom, p.geom)
                                      OR abs(mod((degrees(ST_Azimuth(c.geom::geography, p.geom::geography))
                                                  - c.direction_deg + 540)::numeric, 360) - 180) <= c.fov_deg / 2)
                            -- all round: within range, exactly (no sector to build)
                            WHEN c.fov_deg >= 360 THEN ST_DWithin(c.geom::geography, p.geom::geography, c.range_m)
                            ELSE ST_Intersects(ana_camera_sector(c.geom, c.direction_deg, c.fov_deg, c.range_m), p.geom)
                            END)));

    -- Hazards homed in these villages.
    IF to_regclass('pg_temp.ana_hazard_set') IS NULL THEN
        CREATE TEMP TABLE ana_hazard_set (id bigint, village_code text, code text, name text,
            risk_grade text, accident_grade text, status text, deadline date, geom geometry, pt geometry,
            open boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_hazard_set;
    INSERT INTO ana_hazard_set
    SELECT h.id, h.village_code, h.code, h.name, h.risk_grade, h.accident_grade, h.status, h.deadline, h.geom,
           ST_PointOnSurface(h.geom), h.status NOT IN ('rectified', 'closed', 'rejected')
    FROM hazards h WHERE h.village_code = ANY (p_codes);
    INSERT INTO ana_hazard_set
    SELECT h.id, v.code, h.code, h.name, h.risk_grade, h.accident_grade, h.status, h.deadline, h.geom,
           ST_PointOnSurface(h.geom), h.status NOT IN ('rectified', 'closed', 'rejected')
    FROM jurisdictions v
    CROSS JOIN LATERAL (SELECT h.* FROM hazards h WHERE h.village_code IS NULL AND h.geom && v.geom OFFSET 0) h
    WHERE v.code = ANY (p_codes) AND v.level = 'village' AND v.code = ana_home_village(NULL, h.geom);

    -- The grids around the open hazards of a village, found with one search per village; the
    -- hazards' fields ride along in arrays (a join back to them would be planned blind).
    INSERT INTO coverage_findings (village_code, reason, hazard_id, grid_id, grid_code, subject, detail, geom)
    SELECT x.village_code,
           CASE WHEN m.grids IS NULL THEN 'hazard_outside_grid' ELSE 'hazard_grid_no_worker' END,
           x.ids[m.n], m.first_id, m.first_code, x.names[m.n],
           jsonb_build_object('code', x.codes[m.n], 'risk_grade', x.grades[m.n], 'grids', m.grids), x.pts[m.n]
    FROM (SELECT h.village_code, array_agg(h.id) ids, array_agg(h.geom) geoms, array_agg(h.name) names,
                 array_agg(h.code) codes, array_agg(h.risk_grade) grades, array_agg(h.pt) pts,
                 ST_SetSRID(ST_Extent(h.geom)::geometry, 4490) b
          FROM ana_hazard_set h WHERE h.open GROUP BY h.village_code) x
    CROSS JOIN LATERAL (
        SELECT t.n, jsonb_agg(g.code ORDER BY g.code) FILTER (WHERE g.id IS NOT NULL) grids,
               min(g.id) first_id, min(g.code) first_code,
               bool_or(EXISTS (SELECT 1 FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                               WHERE a.grid_id = g.id AND w.active)) staffed
        FROM unnest(x.geoms) WITH ORDINALITY t(geom, n)
        LEFT JOIN (SELECT g.id, g.code, g.geom FROM grids g WHERE g.geom && x.b OFFSET 0) g
          ON g.geom && t.geom AND ST_Intersects(g.geom, t.geom)
        GROUP BY t.n) m
    WHERE m.grids IS NULL OR NOT m.staffed;

    INSERT INTO coverage_findings (village_code, reason, hazard_id, subject, detail, geom)
    SELECT h.village_code, 'hazard_major_overdue', h.id, h.name,
           jsonb_build_object('code', h.code, 'risk_grade', h.risk_grade, 'deadline', h.deadline,
                              'days_overdue', current_date - h.deadline), h.pt
    FROM ana_hazard_set h
    WHERE h.open AND (h.accident_grade = 'major' OR h.risk_grade = 'red') AND h.deadline < current_date;

    -- Staffing: the grids of these villages (home) and the grids elsewhere of workers who have
    -- a grid here (their load counts them), with their households (from the population units
    -- whose point on surface they hold, else the grid's own count), their open hazards and
    -- their active workers (ids kept: the load below needs no second pass over assignments).
    IF to_regclass('pg_temp.ana_grids') IS NULL THEN
        CREATE TEMP TABLE ana_grids (id bigint, village_code text, code text, name text, kind text,
            households integer, workers integer, fulltime integer, hazard_ids bigint[], geom geometry,
            worker_ids bigint[], fulltime_ids bigint[], home boolean) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_grids;
    INSERT INTO ana_grids
    WITH home AS MATERIALIZED (
        SELECT g.id, g.village_code, g.code, g.name, g.kind, g.households, g.geom
        FROM grids g WHERE g.village_code = ANY (p_codes)),
    gset AS MATERIALIZED (
        SELECT h.*, true home FROM home h
        UNION ALL
        SELECT g.id, g.village_code, g.code, g.name, g.kind, g.households, g.geom, false
        FROM grids g
        WHERE g.id IN (SELECT a2.grid_id FROM home h
                       JOIN grid_assignments a3 ON a3.grid_id = h.id
                       JOIN grid_assignments a2 ON a2.worker_id = a3.worker_id
                       WHERE NOT EXISTS (SELECT 1 FROM home x WHERE x.id = a2.grid_id))),
    -- one search per village: the box of its grids in the set, and those grids as arrays to
    -- match in memory
    box AS MATERIALIZED (
        SELECT s.village_code, array_agg(s.id) ids, array_agg(s.geom) geoms,
               ST_SetSRID(ST_Extent(s.geom)::geometry, 4490) b
        FROM gset s GROUP BY s.village_code),
    pu AS MATERIALIZED (
        SELECT m.id, m.hh FROM box x
        CROSS JOIN LATERAL (
            SELECT t.id, sum(u.households)::integer hh
            FROM unnest(x.ids, x.geoms) t(id, geom)
            JOIN (SELECT u.households, u.geom FROM population_units u WHERE u.geom && x.b OFFSET 0) u
              ON t.geom && u.geom
             AND ST_Intersects(t.geom, CASE WHEN GeometryType(u.geom) = 'POINT' THEN u.geom
                                            ELSE ST_PointOnSurface(u.geom) END)
            GROUP BY t.id) m),
    hz AS MATERIALIZED (
        SELECT m.id, m.ids FROM box x
        CROSS JOIN LATERAL (
            SELECT t.id, array_agg(h.id) ids
            FROM unnest(x.ids, x.geoms) t(id, geom)
            JOIN (SELECT h.id, h.geom FROM hazards h
                  WHERE h.geom && x.b AND h.status NOT IN ('rectified', 'closed', 'rejected') OFFSET 0) h
              ON t.geom && h.geom AND ST_Intersects(t.geom, h.geom)
            GROUP BY t.id) m)
    SELECT g.id, g.village_code, g.code, g.name, g.kind,
           coalesce(pu.hh, g.households), coalesce(st.workers, 0), coalesce(st.fulltime, 0), hz.ids, g.geom,
           coalesce(st.ids, '{}'), coalesce(st.ft_ids, '{}'), g.home
    FROM gset g
    LEFT JOIN pu ON pu.id = g.id
    LEFT JOIN hz ON hz.id = g.id
    LEFT JOIN LATERAL (SELECT count(*) workers, count(*) FILTER (WHERE w.employment = 'full_time') fulltime,
                              array_agg(w.id) ids, array_agg(w.id) FILTER (WHERE w.employment = 'full_time') ft_ids
                       FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                       WHERE a.grid_id = g.id AND w.active) st ON true;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, 'community_grid_no_fulltime', g.id, g.code, g.name, g.fulltime,
           ft_need, '配备专职网格员',
           jsonb_build_object('kind', g.kind, 'workers', g.workers), g.geom
    FROM ana_grids g WHERE g.home AND g.kind = 'community' AND g.fulltime < ft_need;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, 'grid_no_worker', g.id, g.code, g.name, 0, 1, '配备网格员',
           jsonb_build_object('kind', g.kind), g.geom
    FROM ana_grids g WHERE g.home AND g.kind <> 'community' AND g.workers = 0;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, b.reason, g.id, g.code, g.name, g.households, b.bound, b.suggestion,
           jsonb_build_object('kind', g.kind), g.geom
    FROM (SELECT x.*, CASE x.kind WHEN 'community' THEN hh_min_c ELSE hh_min_b END lo,
                      CASE x.kind WHEN 'community' THEN hh_max_c ELSE hh_max_b END hi
          FROM ana_grids x WHERE x.home AND x.kind IN ('community', 'base')) g
    CROSS JOIN LATERAL (VALUES
        ('grid_households_over', g.hi, '拆分为 ' || ceil(g.households / nullif(g.hi, 0)) || ' 个网格'),
        ('grid_households_under', g.lo, '与相邻网格合并')) b(reason, bound, suggestion)
    WHERE b.bound IS NOT NULL
      AND ((b.reason = 'grid_households_over' AND g.households > b.bound)
        OR (b.reason = 'grid_households_under' AND g.households < b.bound));

    -- Worker load, reported in the worker's first village (when that village is in the batch:
    -- every grid of a village is home or none is, so the first of the home villages is the
    -- first of all exactly when the first village is in the batch).
    INSERT INTO staffing_findings (village_code, reason, worker_id, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT l.home, r.reason, l.worker_id, l.first_grid, l.first_code, l.name, r.value, r.bound, '调整网格员分工',
           jsonb_build_object('employment', l.employment, 'grids', l.grids, 'households', l.households,
                              'open_hazards', l.hazards), ST_PointOnSurface(l.first_geom)
    FROM (
        SELECT w.id worker_id, w.name, w.employment, min(g.village_code) home,
               min(g.village_code) FILTER (WHERE g.home) first_home,
               count(*) FILTER (WHERE e.n IS NULL OR e.n = 1) grids,
               sum(g.households) FILTER (WHERE e.n IS NULL OR e.n = 1) households,
               count(DISTINCT e.hid) hazards,
               min(g.id) first_grid, min(g.code) first_code,
               (array_agg(g.geom ORDER BY g.code))[1] first_geom
        FROM ana_grids g
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
    WHERE l.home = l.first_home AND r.value > r.bound AND l.grids > 0;

    -- The village rows: sums of the findings and the counts behind the scorecard, each result
    -- table read once for the batch and summed per village.
    INSERT INTO coverage_village
    WITH gp AS (SELECT x.village_code, sum(area_m2) m2, count(*) FILTER (WHERE NOT is_sliver) n,
                       count(*) FILTER (WHERE is_sliver) ns,
                       coalesce(sum(area_m2) FILTER (WHERE is_sliver), 0) ms
                FROM coverage_gaps x WHERE x.village_code = ANY (p_codes) GROUP BY x.village_code),
    ov AS (SELECT x.village_code, sum(area_m2) m2, count(*) FILTER (WHERE NOT is_sliver) n,
                  count(*) FILTER (WHERE is_sliver) ns
           FROM coverage_overlaps x WHERE x.village_code = ANY (p_codes) GROUP BY x.village_code),
    cf AS (SELECT x.village_code,
                  sum(area_m2) FILTER (WHERE x.reason LIKE 'grid_outside_village%') ou_m2,
                  count(*) FILTER (WHERE x.reason LIKE 'grid_outside_village%') ou_n,
                  count(*) FILTER (WHERE x.reason = 'place_no_dedicated_grid') missing
           FROM coverage_findings x WHERE x.village_code = ANY (p_codes) GROUP BY x.village_code),
    rs AS (SELECT b.village_code, jsonb_object_agg(b.reason, b.n) reasons FROM (
               SELECT a.village_code, a.reason, count(*) n FROM (
                   SELECT village_code, reason FROM coverage_gaps WHERE village_code = ANY (p_codes)
                   UNION ALL SELECT village_code, reason FROM coverage_overlaps WHERE village_code = ANY (p_codes)
                   UNION ALL SELECT village_code, reason FROM coverage_findings WHERE village_code = ANY (p_codes)
                   UNION ALL SELECT village_code, reason FROM staffing_findings WHERE village_code = ANY (p_codes)) a
               GROUP BY a.village_code, a.reason) b
           GROUP BY b.village_code),
    -- the scratch tables summed per village once
    -- (sorted by village, as the result tables' sums are: the plan then merges them all with
    -- the villages; it guesses the batch small, and would scan a hashed scratch sum per village)
    gr AS (SELECT x.village_code,
                  count(*) FILTER (WHERE kind = 'community') community,
                  count(*) FILTER (WHERE kind = 'base') base,
                  count(*) FILTER (WHERE kind = 'dedicated') dedicated,
                  count(*) FILTER (WHERE kind = 'community' AND fulltime >= ft_need) staffed
           FROM ana_grids x GROUP BY x.village_code ORDER BY x.village_code),
    ft AS (SELECT x.village_code, count(DISTINCT f.id) n
           FROM ana_grids x CROSS JOIN LATERAL unnest(x.fulltime_ids) f(id)
           WHERE x.kind = 'community' GROUP BY x.village_code ORDER BY x.village_code),
    pl AS (SELECT x.village_code, count(*) total, count(*) FILTER (WHERE category = ANY (ded)) need
           FROM ana_place_set x GROUP BY x.village_code ORDER BY x.village_code),
    hz AS (
        SELECT x.village_code, count(*) FILTER (WHERE x.open) open,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status <> 'rejected'
                                  AND (NOT x.open OR x.deadline < current_date)) due,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status IN ('rectified', 'closed')
                                  AND coalesce((SELECT min(e.at) FROM edit_history e
                                                WHERE e.collection = 'hazards' AND e.feature_id = x.id
                                                  AND e.after ->> 'status' IN ('rectified', 'closed')),
                                               (SELECT hh.updated_at FROM hazards hh WHERE hh.id = x.id))::date
                                      <= x.deadline) on_time
        FROM ana_hazard_set x GROUP BY x.village_code ORDER BY x.village_code)
    SELECT v.code, v.name, v.kind, t.code, c.code, ci.code, p.code,
           v.geom IS NOT NULL,
           coalesce(ar.m2, 0),
           CASE WHEN v.geom IS NULL THEN 0 ELSE greatest(coalesce(ar.m2, 0) - coalesce(gp.m2, 0), 0) END,
           coalesce(gp.m2, 0), coalesce(gp.n, 0), coalesce(gp.ns, 0), coalesce(gp.ms, 0),
           coalesce(ov.m2, 0), coalesce(ov.n, 0), coalesce(ov.ns, 0),
           coalesce(cf.ou_m2, 0), coalesce(cf.ou_n, 0),
           coalesce(gr.community, 0), coalesce(gr.base, 0), coalesce(gr.dedicated, 0),
           coalesce(gr.staffed, 0),
           (coalesce(gr.community, 0) * ft_need)::integer,
           coalesce(ft.n, 0),
           coalesce(pl.total, 0), coalesce(pl.need, 0), coalesce(pl.need, 0) - coalesce(cf.missing, 0),
           coalesce(hz.open, 0), coalesce(hz.due, 0), coalesce(hz.on_time, 0),
           coalesce(rs.reasons, '{}'),
           now()
    FROM jurisdictions v
    LEFT JOIN jurisdictions t ON t.code = v.parent_code
    LEFT JOIN jurisdictions c ON c.code = t.parent_code
    LEFT JOIN jurisdictions ci ON ci.code = c.parent_code
    LEFT JOIN jurisdictions p ON p.code = ci.parent_code
    LEFT JOIN LATERAL (SELECT ana_area_m2(v.geom) m2) ar ON v.geom IS NOT NULL
    LEFT JOIN gp ON gp.village_code = v.code
    LEFT JOIN ov ON ov.village_code = v.code
    LEFT JOIN cf ON cf.village_code = v.code
    LEFT JOIN rs ON rs.village_code = v.code
    LEFT JOIN gr ON gr.village_code = v.code
    LEFT JOIN ft ON ft.village_code = v.code
    LEFT JOIN pl ON pl.village_code = v.code
    LEFT JOIN hz ON hz.village_code = v.code
    WHERE v.code = ANY (p_codes) AND v.level = 'village'
      AND (v.geom IS NOT NULL OR gr.village_code IS NOT NULL OR pl.village_code IS NOT NULL
           OR hz.village_code IS NOT NULL);
    GET DIAGNOSTICS v_n = ROW_COUNT;
    PERFORM ana_tiles_notify(p_codes); -- and where they are now
    RETURN v_n;
END $$;

-- CREATE OR REPLACE drops the settings 004 gave the function: the same again.
ALTER FUNCTION ana_recompute(text[]) SET jit = off;
ALTER FUNCTION ana_recompute(text[]) SET plan_cache_mode = force_generic_plan;
