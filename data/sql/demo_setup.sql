-- Helpers of the demo generator (pingan demo), created once per run inside its transaction:
-- keyed pseudo-random draws, shapes sized in metres, and the Voronoi partition of a region.
-- They live in pg_temp, so nothing of them outlives the session.

-- The generator's statements join many small temporary tables whose sizes the planner
-- guesses wildly; with JIT on it spends seconds compiling plans that run in milliseconds.
SET LOCAL jit = off;
-- The foreign-key checks of grid_assignments (and any other cached plan) were planned when
-- the tables were still empty, as sequential scans; inside one transaction that loads a
-- province they would rescan ever larger tables for every row. Custom plans see the size.
SET LOCAL plan_cache_mode = force_custom_plan;

-- What the demo planted on purpose for the analysis to find, and what has been loaded.
CREATE TABLE IF NOT EXISTS demo_planted (
    kind text NOT NULL,
    ref  text NOT NULL,
    note text,
    PRIMARY KEY (kind, ref)
);
CREATE TABLE IF NOT EXISTS demo_loads (
    scale       text NOT NULL CHECK (scale IN ('county', 'province')),
    county_code text NOT NULL,
    seed        bigint NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scale, county_code)
);

-- A draw in [0, 1) that depends only on the seed and a key naming what is drawn. random()
-- after setseed() would depend on the order rows happen to be scanned in; a keyed hash does
-- not, so the same seed gives the same data whatever plan the server picks.
CREATE FUNCTION pg_temp.demo_rand(seed bigint, key text) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (hashtextextended(key, seed) & 9007199254740991)::float8 / 9007199254740992.0
$$;

CREATE FUNCTION pg_temp.demo_int(seed bigint, key text, lo int, hi int) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT lo + floor(pg_temp.demo_rand(seed, key) * (hi - lo + 1))::int
$$;

CREATE FUNCTION pg_temp.demo_pick(seed bigint, key text, items text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT items[1 + floor(pg_temp.demo_rand(seed, key) * cardinality(items))::int]
$$;

-- A positive int seed for ST_GeneratePoints.
CREATE FUNCTION pg_temp.demo_iseed(seed bigint, key text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 1 + (hashtextextended(key, seed) & 1073741823)::int
$$;

-- Places a shape drawn in metres around (0, 0) at a lon/lat point (EPSG:4490). Local
-- scale factors keep rectangles rectangular at Jiangxi's latitudes.
CREATE FUNCTION pg_temp.demo_local(shape geometry, at geometry) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_SetSRID(ST_Affine(shape, 1 / (111320.0 * cos(radians(ST_Y(at)))), 0, 0,
                                1 / 110850.0, ST_X(at), ST_Y(at)), 4490)
$$;

CREATE FUNCTION pg_temp.demo_rect(at geometry, len_m float8, wid_m float8, angle_deg float8)
RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_temp.demo_local(ST_Rotate(ST_MakeEnvelope(-len_m / 2, -wid_m / 2, len_m / 2,
                                                        wid_m / 2), radians(angle_deg)), at)
$$;

CREATE FUNCTION pg_temp.demo_disc(at geometry, r_m float8, quad_segs int) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_temp.demo_local(ST_Buffer(ST_MakePoint(0, 0), r_m, quad_segs), at)
$$;

-- A point dx, dy metres east and north of another.
CREATE FUNCTION pg_temp.demo_offset(at geometry, dx_m float8, dy_m float8) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pg_temp.demo_local(ST_MakePoint(dx_m, dy_m), at)
$$;

-- The cells of a square lattice of `size` degrees over a box, by their indices and centres:
-- arithmetic, so that scanning thousands of candidate spots costs no geometry.
CREATE FUNCTION pg_temp.demo_lattice(box geometry, size float8)
RETURNS TABLE (i int, j int, x float8, y float8)
LANGUAGE sql IMMUTABLE AS $$
    SELECT gi, gj, (gi + 0.5) * size, (gj + 0.5) * size
    FROM generate_series(floor(ST_XMin(box) / size)::int, floor(ST_XMax(box) / size)::int) gi,
         generate_series(floor(ST_YMin(box) / size)::int, floor(ST_YMax(box) / size)::int) gj
$$;

-- A point dx, dy metres from lon x, lat y.
CREATE FUNCTION pg_temp.demo_pt(x float8, y float8, dx_m float8, dy_m float8) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_SetSRID(ST_MakePoint(x + dx_m / (111320.0 * cos(radians(y))), y + dy_m / 110850.0),
                      4490)
$$;

-- Metres between two lon/lat positions, by the local scale (placement only).
CREATE FUNCTION pg_temp.demo_dist(x1 float8, y1 float8, x2 float8, y2 float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sqrt(power((x1 - x2) * 111320.0 * cos(radians(y1)), 2) + power((y1 - y2) * 110850.0, 2))
$$;

-- Metres to degrees of latitude: good enough for distances that only steer placement.
CREATE FUNCTION pg_temp.demo_deg(m float8) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT m / 111000.0
$$;

-- The part of a region at least r_m metres from its edge (conservative at these latitudes).
-- Testing a point against it is much cheaper than testing a disc against the region.
CREATE FUNCTION pg_temp.demo_inner(region geometry, r_m float8) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Buffer(region, -r_m / (111320.0 * cos(radians(ST_Y(ST_Centroid(region))))), 4)
$$;

-- Area in square metres from lon/lat, by the local scale: for thresholds, where the
-- spheroidal area of a geography is too noisy on slivers of a few square centimetres.
CREATE FUNCTION pg_temp.demo_m2(g geometry) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Area(g) * 111320.0 * 110850.0 * cos(radians(ST_Y(ST_PointOnSurface(g))))
$$;

-- Drops the parts of a polygonal geometry under min_part_m2 (the largest part always stays)
-- and fills its holes under min_hole_m2: the crumbs a repair leaves of quantised outlines
-- and the slivers between neighbouring outlines in a union.
CREATE FUNCTION pg_temp.demo_tidy(g geometry, min_part_m2 float8, min_hole_m2 float8)
RETURNS geometry
LANGUAGE sql IMMUTABLE AS $$
    SELECT ST_Multi(ST_UnaryUnion(ST_Collect(ST_MakePolygon(ST_ExteriorRing(p.geom),
               ARRAY(SELECT ST_ExteriorRing(r.geom) FROM ST_DumpRings(p.geom) r
                     WHERE r.path[1] > 0 AND pg_temp.demo_m2(r.geom) >= min_hole_m2)))))
    FROM ST_Dump(g) p
    WHERE pg_temp.demo_m2(p.geom) >= min_part_m2
       OR ST_Area(p.geom) = (SELECT max(ST_Area(q.geom)) FROM ST_Dump(g) q)
$$;

-- Short names: 城南街道 → 城南, 东风村委会 → 东风, 渝水区 → 渝水.
CREATE FUNCTION pg_temp.demo_short(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN name ~ '(社区居民委员会|社区居委会|社区委员会)$'
            THEN regexp_replace(name, '(社区居民委员会|社区居委会|社区委员会)$', '')
        WHEN name ~ '(村民委员会|村委会)$' THEN regexp_replace(name, '(村民委员会|村委会)$', '')
        WHEN name ~ '(居民委员会|居委会)$' THEN regexp_replace(name, '(居民委员会|居委会)$', '')
        WHEN name ~ '(街道办事处|街道)$' THEN regexp_replace(name, '(街道办事处|街道)$', '')
        WHEN length(name) > 2 AND name ~ '[镇乡区县市]$' THEN left(name, length(name) - 1)
        ELSE name END
$$;

-- How a village/community calls itself on a map: 东风村委会 → 东风村, 城北社区居委会 → 城北社区.
CREATE FUNCTION pg_temp.demo_label(name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN name ~ '社区(居民委员会|居委会|委员会)$'
            THEN regexp_replace(name, '(居民委员会|居委会|委员会)$', '')
        WHEN name ~ '(村民委员会|村委会)$' THEN regexp_replace(name, '(村民委员会|村委会)$', '村')
        WHEN name ~ '居民委员会$' THEN regexp_replace(name, '居民委员会$', '居委会')
        ELSE name END
$$;

-- n points spread evenly over a region: seeded random points, then Lloyd relaxation (each
-- point moves to the centre of its Voronoi cell), which evens out the cell sizes.
CREATE FUNCTION pg_temp.demo_lloyd(region geometry, n int, seed int, iters int)
RETURNS geometry[]
LANGUAGE plpgsql AS $$
DECLARE
    pts geometry[];
    vor geometry;
    env geometry := ST_Expand(ST_Envelope(region), 0.05);
BEGIN
    IF n <= 0 THEN
        RETURN ARRAY[]::geometry[];
    END IF;
    IF n = 1 THEN
        RETURN ARRAY[ST_PointOnSurface(region)];
    END IF;
    SELECT array_agg(d.geom ORDER BY d.path[1]) INTO pts
    FROM ST_Dump(ST_GeneratePoints(region, n, seed)) d;
    FOR it IN 1..iters LOOP
        vor := ST_VoronoiPolygons(ST_Collect(pts), 0, env);
        SELECT array_agg(coalesce(
                   CASE WHEN ST_Intersects(ST_Centroid(q.x), region) THEN ST_Centroid(q.x)
                        ELSE ST_PointOnSurface(q.x) END, p.pt) ORDER BY p.i)
        INTO pts
        FROM unnest(pts) WITH ORDINALITY p(pt, i)
        LEFT JOIN LATERAL (
            SELECT ST_CollectionExtract(ST_Intersection(v.geom, region), 3) AS x
            FROM ST_Dump(vor) v WHERE ST_Intersects(v.geom, p.pt) LIMIT 1) q
            ON NOT ST_IsEmpty(q.x);
    END LOOP;
    RETURN pts;
END $$;

-- Cuts a region into n_core + n_outer cells (Voronoi of relaxed seeds, clipped to the
-- region): the n_core cells crowd round `seat` inside a disc holding core_share of their
-- fair area (streets round the county seat, communities round the town), the rest fill the
-- remainder. Cells come back numbered 1..n, core cells first, with their seed point.
CREATE FUNCTION pg_temp.demo_partition(region geometry, seat geometry, n_core int,
                                       n_outer int, core_share float8, seed bigint)
RETURNS TABLE (idx int, site geometry, cell geometry)
LANGUAGE plpgsql AS $$
DECLARE
    n int := n_core + n_outer;
    total float8 := ST_Area(region);
    want float8;
    r float8;
    disc geometry;
    core geometry;
    rest geometry;
    pts geometry[];
    vor geometry;
    s int := 1 + (abs(seed) % 2000000000)::int;
BEGIN
    IF n <= 0 THEN
        RETURN;
    END IF;
    IF n = 1 THEN
        idx := 1;
        site := CASE WHEN seat IS NOT NULL AND ST_Intersects(seat, region) THEN seat
                     ELSE ST_PointOnSurface(region) END;
        cell := ST_Multi(region);
        RETURN NEXT;
        RETURN;
    END IF;
    IF n_core > 0 AND n_outer > 0 AND seat IS NOT NULL THEN
        want := core_share * n_core / n * total;
        r := sqrt(want / pi());
        -- a seat near the edge leaves little of the disc inside: widen until enough is
        FOR attempt IN 1..8 LOOP
            disc := ST_Buffer(seat, r, 16);
            core := ST_CollectionExtract(ST_Intersection(region, disc), 3);
            EXIT WHEN ST_Area(core) >= 0.7 * want;
            r := r * 1.25;
        END LOOP;
        rest := ST_CollectionExtract(ST_Difference(region, disc), 3);
        IF ST_IsEmpty(core) THEN
            core := region;
        END IF;
        IF ST_IsEmpty(rest) OR ST_Area(rest) < 0.05 * total THEN
            rest := region;
        END IF;
        pts := pg_temp.demo_lloyd(core, n_core, s, 3) || pg_temp.demo_lloyd(rest, n_outer, s + 1, 3);
    ELSE
        pts := pg_temp.demo_lloyd(region, n, s, 3);
    END IF;
    vor := ST_VoronoiPolygons(ST_Collect(pts), 0, ST_Expand(ST_Envelope(region), 0.05));
    RETURN QUERY
        SELECT p.i::int, p.pt,
               ST_Multi(ST_CollectionExtract(ST_Intersection(v.geom, region), 3))
        FROM unnest(pts) WITH ORDINALITY p(pt, i)
        CROSS JOIN LATERAL (SELECT d.geom FROM ST_Dump(vor) d
                            WHERE ST_Intersects(d.geom, p.pt) LIMIT 1) v
        ORDER BY p.i;
END $$;

-- Splits weighted points into k groups of about equal weight by recursive median cuts
-- across the longer side (a k-d split): compact groups, so the grids drawn round them are
-- compact too. Returns the group (1..k) of each input position.
CREATE FUNCTION pg_temp.demo_kd(xs float8[], ys float8[], ws float8[], k int)
RETURNS TABLE (pos int, grp int)
LANGUAGE plpgsql AS $$
DECLARE
    n int := cardinality(xs);
    k1 int;
    ord int[];
    total float8;
    acc float8 := 0;
    cut int := 0;
    by_x boolean;
BEGIN
    IF n IS NULL OR n = 0 THEN
        RETURN;
    END IF;
    k := least(k, n);
    IF k <= 1 THEN
        RETURN QUERY SELECT i, 1 FROM generate_series(1, n) i;
        RETURN;
    END IF;
    SELECT (max(x) - min(x)) * cos(radians(avg(y))) >= max(y) - min(y), sum(w)
    INTO by_x, total
    FROM unnest(xs, ys, ws) AS t(x, y, w);
    SELECT array_agg(i ORDER BY CASE WHEN by_x THEN xs[i] ELSE ys[i] END, i) INTO ord
    FROM generate_series(1, n) i;
    k1 := k / 2;
    -- first half takes k1/k of the weight, and at least k1 points, and leaves k - k1
    FOR j IN 1..n LOOP
        EXIT WHEN j > n - (k - k1);
        IF j > k1 AND acc + ws[ord[j]] / 2 > total * k1 / k THEN
            EXIT;
        END IF;
        acc := acc + ws[ord[j]];
        cut := j;
    END LOOP;
    RETURN QUERY
        SELECT ord[h.pos], h.grp
        FROM pg_temp.demo_kd(ARRAY(SELECT xs[ord[j]] FROM generate_series(1, cut) j),
                             ARRAY(SELECT ys[ord[j]] FROM generate_series(1, cut) j),
                             ARRAY(SELECT ws[ord[j]] FROM generate_series(1, cut) j), k1) h;
    RETURN QUERY
        SELECT ord[cut + h.pos], k1 + h.grp
        FROM pg_temp.demo_kd(ARRAY(SELECT xs[ord[j]] FROM generate_series(cut + 1, n) j),
                             ARRAY(SELECT ys[ord[j]] FROM generate_series(cut + 1, n) j),
                             ARRAY(SELECT ws[ord[j]] FROM generate_series(cut + 1, n) j),
                             k - k1) h;
END $$;
