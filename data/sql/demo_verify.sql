-- Checks the demo county pingan demo just wrote: clean everywhere except the planted
-- faults, and those exactly as recorded in demo_planted. Any difference aborts the whole
-- load, so a demo that loads is a demo the analysis can be tested on.
DO $$
DECLARE
    c6 text := (SELECT left(county, 6) FROM demo_arg);
    got text;
    want text;
    n bigint;
BEGIN
    -- every village has a boundary and community/base grids; every grid lies in its village
    SELECT count(*) INTO n FROM jurisdictions v
    WHERE v.level = 'village' AND left(v.code, 6) = c6
      AND (v.geom IS NULL OR NOT EXISTS (SELECT 1 FROM grids g WHERE g.village_code = v.code
                                                                 AND g.kind <> 'dedicated'));
    IF n > 0 THEN
        RAISE EXCEPTION 'demo check: % villages without a boundary or grids', n;
    END IF;
    SELECT count(*) INTO n FROM grids g JOIN jurisdictions v ON v.code = g.village_code
    WHERE left(g.code, 6) = c6 AND NOT ST_CoveredBy(g.geom, v.geom);
    IF n > 0 THEN
        RAISE EXCEPTION 'demo check: % grids not inside their village', n;
    END IF;
    SELECT count(*) INTO n FROM jurisdictions v JOIN jurisdictions t ON t.code = v.parent_code
    WHERE v.level = 'village' AND left(v.code, 6) = c6 AND NOT ST_CoveredBy(v.geom, t.geom);
    IF n > 0 THEN
        RAISE EXCEPTION 'demo check: % villages not inside their township', n;
    END IF;

    -- gaps: villages whose community and base grids leave more than 1 m² uncovered
    SELECT string_agg(code, ',' ORDER BY code) INTO got FROM (
        SELECT v.code FROM jurisdictions v
        JOIN grids g ON g.village_code = v.code AND g.kind <> 'dedicated'
        WHERE v.level = 'village' AND left(v.code, 6) = c6
        GROUP BY v.code, v.geom
        HAVING ST_Area(ST_Difference(v.geom, ST_Union(g.geom))::geography) > 1) s;
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want
    FROM demo_planted WHERE kind = 'village_gap' AND left(ref, 6) = c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: villages with gaps are % but % were planted', got, want;
    END IF;

    -- overlaps: sibling community/base grids sharing more than 1 m²
    SELECT string_agg(least(a.code, b.code) || '/' || greatest(a.code, b.code), ','
                      ORDER BY least(a.code, b.code), greatest(a.code, b.code)) INTO got
    FROM grids a JOIN grids b ON b.village_code = a.village_code AND a.code < b.code
    WHERE left(a.code, 6) = c6 AND a.kind <> 'dedicated' AND b.kind <> 'dedicated'
      AND a.geom && b.geom AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > 1;
    SELECT string_agg(x, ',' ORDER BY x) INTO want FROM (
        SELECT (SELECT string_agg(c, '/' ORDER BY c) FROM unnest(string_to_array(ref, '/')) c) AS x
        FROM demo_planted WHERE kind = 'overlapping_grids' AND left(ref, 6) = c6) s;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: overlapping grids are % but % were planted', got, want;
    END IF;

    -- over-full grids
    SELECT string_agg(code, ',' ORDER BY code) INTO got
    FROM grids WHERE left(code, 6) = c6 AND households > 780;
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want
    FROM demo_planted WHERE kind = 'overfull_grid' AND left(ref, 6) = c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: grids over 780 households are % but % were planted', got, want;
    END IF;

    -- households of every grid: the units inside it
    SELECT count(*) INTO n FROM grids g
    WHERE left(g.code, 6) = c6
      AND g.households <> (SELECT coalesce(sum(u.households), 0) FROM population_units u
                           WHERE u.geom && g.geom
                             AND ST_Intersects(g.geom, ST_PointOnSurface(u.geom)));
    IF n > 0 THEN
        RAISE EXCEPTION 'demo check: % grids whose households differ from their units', n;
    END IF;

    -- staffing: community grids without a full-time worker, grids without any worker
    SELECT string_agg(code, ',' ORDER BY code) INTO got FROM grids g
    WHERE left(g.code, 6) = c6 AND g.kind = 'community'
      AND NOT EXISTS (SELECT 1 FROM grid_assignments a JOIN grid_workers w ON w.id = a.worker_id
                      WHERE a.grid_id = g.id AND w.employment = 'full_time' AND w.active);
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want FROM demo_planted
    WHERE kind = 'community_grid_without_full_time_worker' AND left(ref, 6) = c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: community grids without a full-time worker are % but % were planted', got, want;
    END IF;
    SELECT string_agg(code, ',' ORDER BY code) INTO got FROM grids g
    WHERE left(g.code, 6) = c6
      AND NOT EXISTS (SELECT 1 FROM grid_assignments a WHERE a.grid_id = g.id);
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want FROM demo_planted
    WHERE kind = 'grid_without_worker' AND left(ref, 6) = c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: grids without a worker are % but % were planted', got, want;
    END IF;

    -- schools: a dedicated school grid round each, video and alarm at each
    SELECT string_agg(k.code, ',' ORDER BY k.code) INTO got FROM key_places k
    WHERE left(k.code, 8) = 'KP' || c6 AND k.category = 'school'
      AND NOT EXISTS (SELECT 1 FROM grids g WHERE g.kind = 'dedicated' AND g.unit_type = 'school'
                      AND g.geom && k.geom AND ST_Intersects(g.geom, ST_PointOnSurface(k.geom)));
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want FROM demo_planted
    WHERE kind = 'school_without_dedicated_grid' AND left(ref, 8) = 'KP' || c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: schools without a dedicated grid are % but % were planted', got, want;
    END IF;
    SELECT string_agg(k.code, ',' ORDER BY k.code) INTO got FROM key_places k
    WHERE left(k.code, 8) = 'KP' || c6 AND k.category IN ('school', 'kindergarten')
      AND NOT (k.has_video AND k.has_alarm AND k.security_staff > 0);
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want FROM demo_planted
    WHERE kind IN ('school_without_video', 'school_without_alarm') AND left(ref, 8) = 'KP' || c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: schools without video or alarm are % but % were planted', got, want;
    END IF;

    -- hazards: only the planted ones are open past their deadline, and all lie in a grid
    SELECT string_agg(code, ',' ORDER BY code) INTO got FROM hazards
    WHERE left(code, 8) = 'HZ' || c6 AND deadline < current_date
      AND status IN ('reported', 'confirmed', 'rectifying');
    SELECT string_agg(ref, ',' ORDER BY ref) INTO want FROM demo_planted
    WHERE kind = 'hazard_past_deadline' AND left(ref, 8) = 'HZ' || c6;
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'demo check: hazards past their deadline are % but % were planted', got, want;
    END IF;
    SELECT count(*) INTO n FROM hazards h
    WHERE left(h.code, 8) = 'HZ' || c6
      AND NOT EXISTS (SELECT 1 FROM grids g WHERE g.kind <> 'dedicated'
                      AND ST_Intersects(g.geom, h.geom));
    IF n > 0 THEN
        RAISE EXCEPTION 'demo check: % hazards outside every grid', n;
    END IF;
END $$;
