-- Coverage and staffing analysis (Art. 15, 42-44, 57): settings, result tables kept current by
-- a dirty queue, and the set-based functions that recompute villages and roll them up.
--
-- Areas are square metres on the CGCS2000 ellipsoid, measured in an Albers equal-area conic
-- projection of it made for Jiangxi (SRID 990490: standard parallels 25°N and 30°N, central
-- meridian 116°E, GRS80 = CGCS2000 ellipsoid). Equal-area means areas are exact anywhere in the
-- province with no zone to choose (Gauss-Krüger zones are conformal, not equal-area: 0.06 %
-- off at a zone's edge), and it is far faster than ST_Area on geography (spheroid).
-- Overlay work (union, difference, intersection) is done in EPSG:4490 itself: topology does not
-- depend on the projection.
--
-- Freshness: statement-level triggers (transition tables, so a bulk import marks each
-- village once) put the villages a write can affect into coverage_dirty and NOTIFY
-- coverage_dirty. The server drains the queue in a background thread; every report first
-- recomputes the dirty villages under its jurisdiction (ana_refresh), so a report is never
-- stale even when no server runs. Writes stay cheap: a bulk import does not pay for the
-- analysis inside its own transaction.

INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
VALUES (990490, NULL, NULL, NULL,
        '+proj=aea +lat_0=0 +lon_0=116 +lat_1=25 +lat_2=30 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs')
ON CONFLICT (srid) DO NOTHING;

-- Square metres of a geometry in EPSG:4490 (see above).
CREATE FUNCTION ana_area_m2(g geometry) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ST_Area(ST_Transform(g, 990490))
$$;

-- ---------------------------------------------------------------------------------------
-- Settings: a deployment changes a threshold with one UPDATE; every village is recomputed.
CREATE TABLE analysis_settings (
    name          text PRIMARY KEY,
    value         jsonb NOT NULL,
    default_value jsonb NOT NULL,
    description   text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

INSERT INTO analysis_settings (name, value, default_value, description)
SELECT n, v::jsonb, v::jsonb, d FROM (VALUES
    ('sliver_m2', '50', 'gaps, overlaps and outside parts smaller than this (m²) are reported as slivers, separately'),
    ('noise_m2', '0.01', 'fragments smaller than this (m²) are floating-point noise of the overlay and dropped'),
    ('dedicated_categories', '["school","kindergarten","hospital","market","industrial_park","commercial_center","station","detention"]',
     'key-place categories that need a dedicated grid 专属网格'),
    ('security_categories', '["school","kindergarten"]',
     'key-place categories that need video and a one-button alarm (Art. 44)'),
    ('camera_categories', '["school","kindergarten","hospital","market","industrial_park","commercial_center","station","detention"]',
     'key-place categories that must lie within some camera''s coverage sector'),
    ('households_min_community', '300', 'fewer households in a community grid: suggest merging'),
    ('households_max_community', '500', 'more households in a community grid: suggest splitting'),
    ('households_min_base', '50', 'fewer households in a base grid: suggest merging'),
    ('households_max_base', '800', 'more households in a base grid: suggest splitting'),
    ('worker_max_households', '600', 'households one worker may carry over all grids'),
    ('worker_max_grids', '3', 'grids one worker may carry'),
    ('worker_max_open_hazards', '20', 'open hazards in one worker''s grids'),
    ('fulltime_per_community_grid', '1', 'full-time workers required per community grid (Art. 15)')
) s(n, v, d);

CREATE FUNCTION ana_num(p_name text) RETURNS double precision
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (value #>> '{}')::double precision FROM analysis_settings WHERE name = p_name
$$;

CREATE FUNCTION ana_list(p_name text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(e), '{}') FROM analysis_settings, jsonb_array_elements_text(value) e
    WHERE name = p_name
$$;

-- Reason codes with their Chinese and English labels: one list for JSON, CSV and the map.
CREATE TABLE analysis_reasons (
    code     text PRIMARY KEY,
    report   text NOT NULL CHECK (report IN ('coverage', 'staffing')),
    severity text NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    label_zh text NOT NULL,
    label_en text NOT NULL
);
INSERT INTO analysis_reasons VALUES
    ('gap', 'coverage', 'high', '网格未覆盖区域', 'part of the village/community covered by no community/base grid'),
    ('gap_sliver', 'coverage', 'low', '未覆盖碎片', 'uncovered sliver below sliver_m2'),
    ('overlap', 'coverage', 'high', '网格重叠', 'two community/base grids of one village overlap'),
    ('overlap_sliver', 'coverage', 'low', '重叠碎片', 'overlap sliver below sliver_m2'),
    ('grid_outside_village', 'coverage', 'medium', '网格超出村(社区)界', 'grid area outside its village/community'),
    ('grid_outside_village_sliver', 'coverage', 'low', '网格越界碎片', 'grid area outside its village, below sliver_m2'),
    ('place_outside_grid', 'coverage', 'high', '重点场所不在任何网格内', 'key place outside every grid'),
    ('place_no_dedicated_grid', 'coverage', 'high', '重点场所未设专属网格', 'key place of a category that needs a dedicated grid has none'),
    ('school_no_video', 'coverage', 'high', '学校未安装视频监控', 'school/kindergarten without video (Art. 44)'),
    ('school_no_alarm', 'coverage', 'high', '学校未安装一键报警', 'school/kindergarten without one-button alarm (Art. 44)'),
    ('place_no_camera', 'coverage', 'medium', '重点场所不在摄像头覆盖范围内', 'key place within no camera''s coverage sector'),
    ('hazard_outside_grid', 'coverage', 'high', '隐患点不在任何网格内', 'open hazard outside every grid'),
    ('hazard_grid_no_worker', 'coverage', 'high', '隐患点所在网格无网格员', 'open hazard in grids without any worker'),
    ('hazard_major_overdue', 'coverage', 'high', '重大隐患逾期未整改', 'major hazard past its rectification deadline'),
    ('community_grid_no_fulltime', 'staffing', 'high', '基层治理网格未配专职网格员', 'community grid without a full-time worker (Art. 15)'),
    ('grid_no_worker', 'staffing', 'medium', '网格未配网格员', 'grid without any worker'),
    ('worker_over_households', 'staffing', 'medium', '网格员服务户数超标', 'worker carries more households than worker_max_households'),
    ('worker_over_grids', 'staffing', 'medium', '网格员负责网格数超标', 'worker carries more grids than worker_max_grids'),
    ('worker_over_hazards', 'staffing', 'medium', '网格员在办隐患超标', 'more open hazards in the worker''s grids than worker_max_open_hazards'),
    ('grid_households_over', 'staffing', 'medium', '网格户数超上限，建议拆分', 'grid above the household bound of its kind: split'),
    ('grid_households_under', 'staffing', 'low', '网格户数低于下限，建议合并', 'grid below the household bound of its kind: merge');

-- ---------------------------------------------------------------------------------------
-- Results. Every row belongs to one village/community; recomputing a village replaces its rows.
CREATE TABLE coverage_dirty (
    village_code text PRIMARY KEY,
    marked_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE coverage_village (
    village_code            text PRIMARY KEY,
    name                    text NOT NULL,
    kind                    text,
    township_code           text,
    county_code             text,
    city_code               text,
    province_code           text,
    has_boundary            boolean NOT NULL,
    area_m2                 double precision NOT NULL DEFAULT 0,
    covered_m2              double precision NOT NULL DEFAULT 0,
    gap_m2                  double precision NOT NULL DEFAULT 0,
    gap_count               integer NOT NULL DEFAULT 0,
    gap_sliver_count        integer NOT NULL DEFAULT 0,
    gap_sliver_m2           double precision NOT NULL DEFAULT 0,
    overlap_m2              double precision NOT NULL DEFAULT 0,
    overlap_count           integer NOT NULL DEFAULT 0,
    overlap_sliver_count    integer NOT NULL DEFAULT 0,
    outside_m2              double precision NOT NULL DEFAULT 0,
    outside_count           integer NOT NULL DEFAULT 0,
    grids_community         integer NOT NULL DEFAULT 0,
    grids_base              integer NOT NULL DEFAULT 0,
    grids_dedicated         integer NOT NULL DEFAULT 0,
    community_staffed       integer NOT NULL DEFAULT 0,
    fulltime_required       integer NOT NULL DEFAULT 0,
    fulltime_actual         integer NOT NULL DEFAULT 0,
    places_total            integer NOT NULL DEFAULT 0,
    places_need_dedicated   integer NOT NULL DEFAULT 0,
    places_with_dedicated   integer NOT NULL DEFAULT 0,
    hazards_open            integer NOT NULL DEFAULT 0,
    hazards_due             integer NOT NULL DEFAULT 0,
    hazards_on_time         integer NOT NULL DEFAULT 0,
    reasons                 jsonb NOT NULL DEFAULT '{}',
    computed_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coverage_village_township_idx ON coverage_village (township_code);
CREATE INDEX coverage_village_county_idx ON coverage_village (county_code);
CREATE INDEX coverage_village_city_idx ON coverage_village (city_code);
CREATE INDEX coverage_village_prefix_idx ON coverage_village (village_code text_pattern_ops);
CREATE INDEX coverage_village_computed_idx ON coverage_village (computed_at);

-- Township, county, city and province totals: each level summed from the level below, so an
-- update touches a handful of rows per level.
CREATE TABLE coverage_rollup (LIKE coverage_village INCLUDING DEFAULTS);
ALTER TABLE coverage_rollup RENAME COLUMN village_code TO code;
ALTER TABLE coverage_rollup ADD PRIMARY KEY (code);
ALTER TABLE coverage_rollup ADD COLUMN level text NOT NULL DEFAULT 'township';
ALTER TABLE coverage_rollup ADD COLUMN parent_code text;
ALTER TABLE coverage_rollup ADD COLUMN villages integer NOT NULL DEFAULT 0;
ALTER TABLE coverage_rollup ADD COLUMN villages_with_boundary integer NOT NULL DEFAULT 0;
CREATE INDEX coverage_rollup_parent_idx ON coverage_rollup (parent_code);

CREATE TABLE coverage_gaps (
    id           bigserial PRIMARY KEY,
    village_code text NOT NULL,
    reason       text NOT NULL,
    is_sliver    boolean NOT NULL,
    area_m2      double precision NOT NULL,
    geom         geometry(Polygon, 4490) NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coverage_gaps_village_idx ON coverage_gaps (village_code text_pattern_ops);
CREATE INDEX coverage_gaps_geom_idx ON coverage_gaps USING gist (geom);

CREATE TABLE coverage_overlaps (
    id           bigserial PRIMARY KEY,
    village_code text NOT NULL,
    reason       text NOT NULL,
    grid_a       bigint NOT NULL,
    grid_b       bigint NOT NULL,
    grid_a_code  text NOT NULL,
    grid_b_code  text NOT NULL,
    is_sliver    boolean NOT NULL,
    area_m2      double precision NOT NULL,
    geom         geometry(MultiPolygon, 4490) NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coverage_overlaps_village_idx ON coverage_overlaps (village_code text_pattern_ops);
CREATE INDEX coverage_overlaps_geom_idx ON coverage_overlaps USING gist (geom);

-- Everything else the coverage report finds: grids outside their village, key places, hazards.
CREATE TABLE coverage_findings (
    id           bigserial PRIMARY KEY,
    village_code text NOT NULL,
    reason       text NOT NULL,
    grid_id      bigint,
    grid_code    text,
    place_id     bigint,
    hazard_id    bigint,
    subject      text,
    area_m2      double precision,
    detail       jsonb NOT NULL DEFAULT '{}',
    geom         geometry(Geometry, 4490) NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX coverage_findings_village_idx ON coverage_findings (village_code text_pattern_ops);
CREATE INDEX coverage_findings_geom_idx ON coverage_findings USING gist (geom);

CREATE TABLE staffing_findings (
    id           bigserial PRIMARY KEY,
    village_code text NOT NULL,
    reason       text NOT NULL,
    grid_id      bigint,
    grid_code    text,
    worker_id    bigint,
    subject      text,
    value        double precision,
    bound        double precision,
    suggestion   text,
    detail       jsonb NOT NULL DEFAULT '{}',
    geom         geometry(Geometry, 4490) NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX staffing_findings_village_idx ON staffing_findings (village_code text_pattern_ops);
CREATE INDEX staffing_findings_geom_idx ON staffing_findings USING gist (geom);

-- Lookups the analysis and the triggers lean on.
CREATE INDEX IF NOT EXISTS hazards_deadline_idx ON hazards (deadline) WHERE deadline IS NOT NULL;
CREATE INDEX IF NOT EXISTS grid_workers_active_idx ON grid_workers (id) WHERE active;

-- ---------------------------------------------------------------------------------------
-- Geometry helpers.

-- A camera's coverage: the sector from direction - fov/2 to direction + fov/2 (clockwise
-- from north), radius range_m, on the ellipsoid; a full circle when fov is 360. The arc has
-- a vertex every <= 5 degrees (chord error under 0.1 % of the range).
CREATE FUNCTION ana_camera_sector(pos geometry, direction_deg double precision,
                                  fov_deg double precision, range_m double precision)
RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_SetSRID(CASE
        WHEN fov_deg >= 360 THEN ST_Buffer(pos::geography, range_m, 'quad_segs=18')::geometry
        ELSE ST_MakePolygon(ST_MakeLine(
            ARRAY[ST_Force2D(pos)]
            || ARRAY(SELECT ST_Project(pos::geography, range_m,
                                       radians(direction_deg - fov_deg / 2 + fov_deg * i / n))::geometry
                     FROM (SELECT greatest(2, ceil(fov_deg / 5)::int) AS n) k, generate_series(0, k.n) i
                     ORDER BY i)
            || ARRAY[ST_Force2D(pos)]))
    END, 4490)
$$;

-- The village/community a key place, hazard or camera belongs to: its village_code, else the
-- village whose boundary holds its point on surface.
CREATE FUNCTION ana_home_village(p_code text, p_geom geometry) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(p_code, (SELECT j.code FROM jurisdictions j
                             WHERE j.level = 'village' AND j.geom && p_geom
                               AND ST_Intersects(j.geom, ST_PointOnSurface(p_geom))
                             ORDER BY j.code LIMIT 1))
$$;

-- ---------------------------------------------------------------------------------------
-- Marking. A worker's load findings live in the first (lowest-coded) village where the worker
-- has a grid, so any change in a village also dirties the villages of the grids of every
-- worker who has a grid there (one hop is enough: a worker's load depends on their grids only).
CREATE FUNCTION ana_mark(p_codes text[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    IF p_codes IS NULL OR cardinality(p_codes) = 0 THEN
        RETURN 0;
    END IF;
    WITH base AS (
        SELECT DISTINCT c AS code FROM unnest(p_codes) c WHERE c IS NOT NULL
    ), hop AS (
        SELECT DISTINCT g2.village_code AS code
        FROM grids g1
        JOIN grid_assignments a1 ON a1.grid_id = g1.id
        JOIN grid_assignments a2 ON a2.worker_id = a1.worker_id AND a2.grid_id <> a1.grid_id
        JOIN grids g2 ON g2.id = a2.grid_id
        WHERE g1.village_code IN (SELECT code FROM base)
    ), ins AS (
        INSERT INTO coverage_dirty (village_code)
        SELECT code FROM base UNION SELECT code FROM hop
        ORDER BY 1
        ON CONFLICT (village_code) DO NOTHING
        RETURNING 1
    )
    SELECT count(*) INTO n FROM ins;
    IF n > 0 THEN
        PERFORM pg_notify('coverage_dirty', n::text);
    END IF;
    RETURN n;
END $$;

-- What a grid row can affect: its village; the home villages of the key places and hazards
-- it touches (they are judged against every grid, whoever owns it).
CREATE FUNCTION ana_villages_near_grids(p_geoms geometry[]) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(DISTINCT v), '{}') FROM (
        SELECT ana_home_village(k.village_code, k.geom) v
        FROM unnest(p_geoms) g JOIN key_places k ON k.geom && g AND ST_Intersects(k.geom, g)
        UNION ALL
        SELECT ana_home_village(h.village_code, h.geom)
        FROM unnest(p_geoms) g JOIN hazards h ON h.geom && g AND ST_Intersects(h.geom, g)
    ) s
$$;

CREATE FUNCTION ana_mark_grids() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
    geoms geometry[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(village_code), array_agg(geom) INTO codes, geoms FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(village_code), array_agg(geom) INTO codes, geoms FROM old_rows;
    ELSE
        SELECT array_agg(village_code), array_agg(geom) INTO codes, geoms
        FROM (SELECT village_code, geom FROM new_rows UNION ALL SELECT village_code, geom FROM old_rows) s;
    END IF;
    PERFORM ana_mark(codes || ana_villages_near_grids(geoms));
    RETURN NULL;
END $$;

CREATE FUNCTION ana_mark_assignments() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT g.village_code) INTO codes FROM grids g
        WHERE g.id IN (SELECT grid_id FROM new_rows)
           OR g.id IN (SELECT a.grid_id FROM grid_assignments a WHERE a.worker_id IN (SELECT worker_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT g.village_code) INTO codes FROM grids g
        WHERE g.id IN (SELECT grid_id FROM old_rows)
           OR g.id IN (SELECT a.grid_id FROM grid_assignments a WHERE a.worker_id IN (SELECT worker_id FROM old_rows));
    ELSE
        SELECT array_agg(DISTINCT g.village_code) INTO codes FROM grids g
        WHERE g.id IN (SELECT grid_id FROM old_rows UNION SELECT grid_id FROM new_rows)
           OR g.id IN (SELECT a.grid_id FROM grid_assignments a
                       WHERE a.worker_id IN (SELECT worker_id FROM old_rows UNION SELECT worker_id FROM new_rows));
    END IF;
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

CREATE FUNCTION ana_mark_workers() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT g.village_code) INTO codes
        FROM grid_assignments a JOIN grids g ON g.id = a.grid_id
        WHERE a.worker_id IN (SELECT id FROM new_rows UNION SELECT id FROM old_rows);
    ELSE
        -- a new worker has no grid yet; a deleted one loses them through the cascade on
        -- grid_assignments, whose own trigger marks the villages
        RETURN NULL;
    END IF;
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

-- Key places: their home villages. Hazards: theirs and those of the grids they lie in
-- (the load of those grids' workers).
CREATE FUNCTION ana_mark_points() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    c1 text[];
    c2 text[];
    g1 geometry[];
    g2 geometry[];
    codes text[];
BEGIN
    IF TG_OP <> 'DELETE' THEN
        SELECT array_agg(village_code), array_agg(geom) INTO c1, g1 FROM new_rows;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        SELECT array_agg(village_code), array_agg(geom) INTO c2, g2 FROM old_rows;
    END IF;
    c1 := coalesce(c1, '{}') || coalesce(c2, '{}');
    g1 := coalesce(g1, '{}') || coalesce(g2, '{}');
    IF TG_TABLE_NAME = 'hazards' THEN
        SELECT array_agg(DISTINCT v) INTO codes FROM (
            SELECT ana_home_village(t.c, t.g) v FROM unnest(c1, g1) t(c, g)
            UNION ALL
            SELECT g.village_code FROM unnest(g1) t(g) JOIN grids g ON g.geom && t.g AND ST_Intersects(g.geom, t.g)
        ) s;
    ELSIF TG_TABLE_NAME = 'population_units' THEN
        -- households count toward the grids holding the unit's point on surface
        SELECT array_agg(DISTINCT g.village_code) INTO codes
        FROM unnest(g1) t(g) JOIN grids g ON g.geom && t.g AND ST_Intersects(g.geom, ST_PointOnSurface(t.g));
    ELSE
        SELECT array_agg(DISTINCT ana_home_village(t.c, t.g)) INTO codes FROM unnest(c1, g1) t(c, g);
    END IF;
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

-- Cameras: the home villages of the key places within their range, before and after.
CREATE FUNCTION ana_mark_cameras() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    g1 geometry[];
    g2 geometry[];
    r1 double precision[];
    r2 double precision[];
    codes text[];
BEGIN
    IF TG_OP <> 'DELETE' THEN
        SELECT array_agg(geom), array_agg(range_m) INTO g1, r1 FROM new_rows;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        SELECT array_agg(geom), array_agg(range_m) INTO g2, r2 FROM old_rows;
    END IF;
    SELECT array_agg(DISTINCT ana_home_village(k.village_code, k.geom)) INTO codes
    FROM unnest(coalesce(g1, '{}') || coalesce(g2, '{}'), coalesce(r1, '{}') || coalesce(r2, '{}')) c(geom, range_m)
    JOIN key_places k ON k.geom && ST_Expand(c.geom, c.range_m / 80000.0)
                     AND ST_DWithin(k.geom::geography, c.geom::geography, c.range_m + 1);
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

-- Village boundaries: the village itself (and places homed by position inside it).
CREATE FUNCTION ana_mark_jurisdictions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(code) INTO codes FROM new_rows WHERE level = 'village' AND geom IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(code) INTO codes FROM old_rows WHERE level = 'village';
    ELSE
        SELECT array_agg(n.code) INTO codes FROM new_rows n JOIN old_rows o ON o.code = n.code
        WHERE n.level = 'village' AND (n.geom IS DISTINCT FROM o.geom OR n.name <> o.name
                                       OR n.parent_code IS DISTINCT FROM o.parent_code);
    END IF;
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

CREATE FUNCTION ana_mark_settings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ana_mark(ARRAY(SELECT village_code FROM coverage_village
                           UNION SELECT code FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL
                           UNION SELECT village_code FROM grids));
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
    op text;
BEGIN
    FOR t IN SELECT * FROM (VALUES ('grids', 'ana_mark_grids'), ('grid_assignments', 'ana_mark_assignments'),
                                   ('grid_workers', 'ana_mark_workers'), ('key_places', 'ana_mark_points'),
                                   ('hazards', 'ana_mark_points'), ('population_units', 'ana_mark_points'),
                                   ('cameras', 'ana_mark_cameras'), ('jurisdictions', 'ana_mark_jurisdictions')) s(tab, fn)
    LOOP
        FOREACH op IN ARRAY ARRAY['insert', 'update', 'delete'] LOOP
            EXECUTE format('CREATE TRIGGER %I AFTER %s ON %I REFERENCING %s FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                           t.tab || '_ana_' || op, op, t.tab,
                           CASE op WHEN 'insert' THEN 'NEW TABLE AS new_rows'
                                   WHEN 'delete' THEN 'OLD TABLE AS old_rows'
                                   ELSE 'OLD TABLE AS old_rows NEW TABLE AS new_rows' END,
                           t.fn);
        END LOOP;
    END LOOP;
END $$;

CREATE TRIGGER analysis_settings_ana AFTER INSERT OR UPDATE OR DELETE ON analysis_settings
    FOR EACH STATEMENT EXECUTE FUNCTION ana_mark_settings();

-- ---------------------------------------------------------------------------------------
-- Recomputing. ana_recompute replaces every result row of the given villages with set-based
-- statements (one per finding family, all villages at once); a village that no longer exists
-- or has neither boundary nor grids is left with no rows.
-- Tells the tile cache (channel pingan_tiles, migration 003) which boxes of the result layers
-- change: one box per village, around its gaps, overlaps and staffing findings.
CREATE FUNCTION ana_tiles_notify(p_codes text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send('coverage_gaps,coverage_overlaps,staffing_findings', 0, 30,
                     tile_box(ST_SetSRID(ST_Extent(x.geom)::geometry, 4490)), '-')
    FROM (SELECT village_code, geom FROM coverage_gaps WHERE village_code = ANY (p_codes)
          UNION ALL SELECT village_code, geom FROM coverage_overlaps WHERE village_code = ANY (p_codes)
          UNION ALL SELECT village_code, geom FROM staffing_findings WHERE village_code = ANY (p_codes)) x
    GROUP BY x.village_code;
END $$;

CREATE FUNCTION ana_recompute(p_codes text[]) RETURNS integer
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
    CROSS JOIN LATERAL (SELECT CASE WHEN x.u IS NULL THEN v.geom ELSE ST_Difference(v.geom, x.u) END d) y
    WHERE v.code = ANY (p_codes) AND v.level = 'village' AND v.geom IS NOT NULL;

    -- Gaps: polygon by polygon.
    INSERT INTO coverage_gaps (village_code, reason, is_sliver, area_m2, geom)
    SELECT gu.village_code, CASE WHEN a.m2 < sliver THEN 'gap_sliver' ELSE 'gap' END, a.m2 < sliver, a.m2, d.geom
    FROM ana_union gu
    CROSS JOIN LATERAL ST_Dump(gu.d) d
    CROSS JOIN LATERAL (SELECT ana_area_m2(d.geom) AS m2) a
    WHERE GeometryType(d.geom) = 'POLYGON' AND a.m2 >= noise;

    -- Overlaps between sibling community/base grids, pair by pair, in the villages whose
    -- grids' areas add up to more than their union (1e-10 relative: far below noise_m2).
    INSERT INTO coverage_overlaps (village_code, reason, grid_a, grid_b, grid_a_code, grid_b_code,
                                   is_sliver, area_m2, geom)
    SELECT x.village_code, CASE WHEN m.m2 < sliver THEN 'overlap_sliver' ELSE 'overlap' END,
           x.a, x.b, x.ac, x.bc, m.m2 < sliver, m.m2, x.geom
    FROM (SELECT a.village_code, a.id a, b.id b, a.code ac, b.code bc,
                 ST_Multi(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 3)) geom
          FROM ana_union gu
          JOIN grids a ON a.village_code = gu.village_code
          JOIN grids b ON b.village_code = a.village_code AND b.id > a.id AND b.geom && a.geom
          WHERE gu.u IS NOT NULL AND gu.sum_area - gu.union_area > 1e-10 * gu.sum_area
            AND a.kind <> 'dedicated' AND b.kind <> 'dedicated' AND ST_Intersects(a.geom, b.geom)) x
    CROSS JOIN LATERAL (SELECT ana_area_m2(x.geom) AS m2) m
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
            AND NOT ST_CoveredBy(g.geom, v.geom)) o
    CROSS JOIN LATERAL (SELECT ana_area_m2(o.geom) AS m2) m
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
                      WHERE c.geom && ST_Expand(p.geom, 0.07)
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
    IF to_regclass('pg_temp.ana_grids') IS NULL THEN
        CREATE TEMP TABLE ana_grids (id bigint, village_code text, code text, name text, kind text,
            households integer, workers integer, fulltime integer, hazard_ids bigint[], geom geometry) ON COMMIT DELETE ROWS;
    END IF;
    DELETE FROM ana_grids;
    gids := ARRAY(SELECT id FROM grids WHERE village_code = ANY (p_codes));
    gids := gids || ARRAY(SELECT a2.grid_id FROM unnest(gids) x(id)
                          JOIN grid_assignments a3 ON a3.grid_id = x.id
                          JOIN grid_assignments a2 ON a2.worker_id = a3.worker_id
                          JOIN grids g2 ON g2.id = a2.grid_id
                          WHERE NOT g2.village_code = ANY (p_codes));
    INSERT INTO ana_grids
    SELECT g.id, g.village_code, g.code, g.name, g.kind,
           coalesce(pu.hh, g.households), coalesce(st.workers, 0), coalesce(st.fulltime, 0), hz.ids, g.geom
    FROM grids g
    LEFT JOIN LATERAL (SELECT sum(u.households)::integer hh FROM population_units u
                       WHERE u.geom && g.geom
                         AND ST_Intersects(g.geom, CASE WHEN GeometryType(u.geom) = 'POINT' THEN u.geom
                                                        ELSE ST_PointOnSurface(u.geom) END)) pu ON true
    LEFT JOIN LATERAL (SELECT count(*) workers, count(*) FILTER (WHERE w.employment = 'full_time') fulltime
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
    FROM ana_grids g WHERE g.village_code = ANY (p_codes) AND g.kind = 'community' AND g.fulltime < ft_need;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, 'grid_no_worker', g.id, g.code, g.name, 0, 1, '配备网格员',
           jsonb_build_object('kind', g.kind), g.geom
    FROM ana_grids g WHERE g.village_code = ANY (p_codes) AND g.kind <> 'community' AND g.workers = 0;

    INSERT INTO staffing_findings (village_code, reason, grid_id, grid_code, subject, value, bound, suggestion, detail, geom)
    SELECT g.village_code, b.reason, g.id, g.code, g.name, g.households, b.bound, b.suggestion,
           jsonb_build_object('kind', g.kind), g.geom
    FROM (SELECT x.*, CASE x.kind WHEN 'community' THEN hh_min_c ELSE hh_min_b END lo,
                      CASE x.kind WHEN 'community' THEN hh_max_c ELSE hh_max_b END hi
          FROM ana_grids x WHERE x.village_code = ANY (p_codes) AND x.kind IN ('community', 'base')) g
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
        FROM ana_grids g JOIN grid_assignments a ON a.grid_id = g.id JOIN grid_workers w ON w.id = a.worker_id
        LEFT JOIN LATERAL unnest(g.hazard_ids) WITH ORDINALITY e(hid, n) ON true
        WHERE w.active
        GROUP BY w.id
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
           coalesce(pl.total, 0), coalesce(pl.need, 0), coalesce(pl.need, 0) - coalesce(pl.missing, 0),
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
    LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE kind = 'community') community,
                              count(*) FILTER (WHERE kind = 'base') base,
                              count(*) FILTER (WHERE kind = 'dedicated') dedicated,
                              count(*) FILTER (WHERE kind = 'community' AND fulltime >= ft_need) staffed
                       FROM ana_grids x WHERE x.village_code = v.code) gr ON true
    LEFT JOIN LATERAL (SELECT count(DISTINCT w.id) n FROM ana_grids x
                       JOIN grid_assignments a ON a.grid_id = x.id
                       JOIN grid_workers w ON w.id = a.worker_id
                       WHERE x.village_code = v.code AND x.kind = 'community' AND w.active
                         AND w.employment = 'full_time') ft ON true
    LEFT JOIN LATERAL (SELECT count(*) total, count(*) FILTER (WHERE category = ANY (ded)) need,
                              (SELECT count(*) FROM coverage_findings f WHERE f.village_code = v.code
                                 AND f.reason = 'place_no_dedicated_grid') missing
                       FROM ana_places x WHERE x.village_code = v.code) pl ON true
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE x.open) open,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status <> 'rejected'
                                  AND (NOT x.open OR x.deadline < current_date)) due,
               count(*) FILTER (WHERE x.deadline IS NOT NULL AND x.status IN ('rectified', 'closed')
                                  AND coalesce((SELECT min(e.at) FROM edit_history e
                                                WHERE e.collection = 'hazards' AND e.feature_id = x.id
                                                  AND e.after ->> 'status' IN ('rectified', 'closed')),
                                               (SELECT hh.updated_at FROM hazards hh WHERE hh.id = x.id))::date
                                      <= x.deadline) on_time
        FROM ana_hazards x WHERE x.village_code = v.code) hz ON true
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

-- Sums each level from the one below it, for the ancestors of the given villages only.
CREATE FUNCTION ana_rollup(p_codes text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lvl text;
    codes text[];
BEGIN
    -- one roll-up at a time: each then sums what the previous one committed
    PERFORM pg_advisory_xact_lock(7351902212);
    SELECT array_agg(DISTINCT t.code) INTO codes
    FROM jurisdictions v JOIN jurisdictions t ON t.code = v.parent_code WHERE v.code = ANY (p_codes);
    FOREACH lvl IN ARRAY ARRAY['township', 'county', 'city', 'province'] LOOP
        EXIT WHEN codes IS NULL;
        DELETE FROM coverage_rollup WHERE code = ANY (codes);
        INSERT INTO coverage_rollup (code, level, parent_code, name, kind, township_code, county_code,
            city_code, province_code, has_boundary, villages, villages_with_boundary,
            area_m2, covered_m2, gap_m2, gap_count, gap_sliver_count, gap_sliver_m2,
            overlap_m2, overlap_count, overlap_sliver_count, outside_m2, outside_count,
            grids_community, grids_base, grids_dedicated, community_staffed, fulltime_required,
            fulltime_actual, places_total, places_need_dedicated, places_with_dedicated,
            hazards_open, hazards_due, hazards_on_time, reasons, computed_at)
        SELECT j.code, j.level, j.parent_code, j.name, j.kind,
               CASE WHEN lvl = 'township' THEN j.code END,
               CASE WHEN lvl IN ('township', 'county') THEN min(x.county_code) END,
               CASE WHEN lvl IN ('township', 'county', 'city') THEN min(x.city_code) END,
               min(x.province_code), bool_or(x.has_boundary),
               sum(x.villages), sum(x.villages_with_boundary),
               sum(x.area_m2), sum(x.covered_m2), sum(x.gap_m2), sum(x.gap_count), sum(x.gap_sliver_count),
               sum(x.gap_sliver_m2), sum(x.overlap_m2), sum(x.overlap_count), sum(x.overlap_sliver_count),
               sum(x.outside_m2), sum(x.outside_count), sum(x.grids_community), sum(x.grids_base),
               sum(x.grids_dedicated), sum(x.community_staffed), sum(x.fulltime_required),
               sum(x.fulltime_actual), sum(x.places_total), sum(x.places_need_dedicated),
               sum(x.places_with_dedicated), sum(x.hazards_open), sum(x.hazards_due), sum(x.hazards_on_time),
               '{}'::jsonb,
               max(x.computed_at)
        FROM jurisdictions j
        JOIN (SELECT CASE lvl WHEN 'township' THEN cv.township_code ELSE NULL END parent,
                     cv.county_code, cv.city_code, cv.province_code, cv.has_boundary,
                     1 villages, cv.has_boundary::int villages_with_boundary,
                     cv.area_m2, cv.covered_m2, cv.gap_m2, cv.gap_count, cv.gap_sliver_count, cv.gap_sliver_m2,
                     cv.overlap_m2, cv.overlap_count, cv.overlap_sliver_count, cv.outside_m2, cv.outside_count,
                     cv.grids_community, cv.grids_base, cv.grids_dedicated, cv.community_staffed,
                     cv.fulltime_required, cv.fulltime_actual, cv.places_total, cv.places_need_dedicated,
                     cv.places_with_dedicated, cv.hazards_open, cv.hazards_due, cv.hazards_on_time, cv.reasons,
                     cv.computed_at
              FROM coverage_village cv WHERE lvl = 'township' AND cv.township_code = ANY (codes)
              UNION ALL
              SELECT r.parent_code, r.county_code, r.city_code, r.province_code, r.has_boundary,
                     r.villages, r.villages_with_boundary,
                     r.area_m2, r.covered_m2, r.gap_m2, r.gap_count, r.gap_sliver_count, r.gap_sliver_m2,
                     r.overlap_m2, r.overlap_count, r.overlap_sliver_count, r.outside_m2, r.outside_count,
                     r.grids_community, r.grids_base, r.grids_dedicated, r.community_staffed,
                     r.fulltime_required, r.fulltime_actual, r.places_total, r.places_need_dedicated,
                     r.places_with_dedicated, r.hazards_open, r.hazards_due, r.hazards_on_time, r.reasons,
                     r.computed_at
              FROM coverage_rollup r WHERE lvl <> 'township' AND r.parent_code = ANY (codes)) x
          ON x.parent = j.code
        WHERE j.code = ANY (codes)
        GROUP BY j.code;
        -- reasons: summed separately (an aggregate of jsonb maps)
        UPDATE coverage_rollup r SET reasons = s.reasons
        FROM (SELECT q.code, jsonb_object_agg(q.k, q.n) reasons FROM (
                  SELECT x.parent code, e.key k, sum(e.value::bigint) n
                  FROM (SELECT township_code parent, reasons FROM coverage_village
                        WHERE lvl = 'township' AND township_code = ANY (codes)
                        UNION ALL
                        SELECT parent_code, reasons FROM coverage_rollup
                        WHERE lvl <> 'township' AND parent_code = ANY (codes)) x,
                       jsonb_each_text(x.reasons) e
                  GROUP BY 1, 2) q GROUP BY q.code) s
        WHERE r.code = s.code;
        SELECT array_agg(DISTINCT j.parent_code) INTO codes
        FROM jurisdictions j WHERE j.code = ANY (codes) AND j.parent_code IS NOT NULL;
    END LOOP;
END $$;

-- Villages whose results a passing day changes with no write: open major hazards whose
-- deadline passed since their village was computed (overdue findings, on-time counts).
CREATE FUNCTION ana_mark_due() RETURNS integer
LANGUAGE sql AS $$
    SELECT ana_mark(ARRAY(
        SELECT DISTINCT cv.village_code
        FROM hazards h
        JOIN coverage_village cv ON cv.village_code = ana_home_village(h.village_code, h.geom)
        WHERE h.deadline < current_date
          AND h.deadline >= (SELECT min(computed_at)::date FROM coverage_village)
          AND h.deadline >= cv.computed_at::date))
$$;

-- Takes up to p_limit dirty villages under a code prefix ('' for all), recomputes them (and
-- their roll-ups unless p_rollup is false) and returns how many it did.
-- p_skip_locked false (reports): villages another session is recomputing are waited for, so on
-- return everything under the prefix that was dirty when the call began is current.
-- p_skip_locked true (the server's drainer, parallel full recomputes): they are left alone.
CREATE FUNCTION ana_refresh(p_prefix text DEFAULT '', p_limit integer DEFAULT 2147483647,
                            p_skip_locked boolean DEFAULT false, p_rollup boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    codes text[];
BEGIN
    -- Every table the recompute reads, locked up front in the order bulk loaders truncate
    -- them (grids first): a TRUNCATE ... CASCADE then waits for the recompute, or the
    -- recompute for it, instead of the two deadlocking halfway.
    LOCK TABLE grids, key_places, hazards, cameras, edit_history, grid_assignments, grid_workers,
               population_units, jurisdictions IN ACCESS SHARE MODE;
    PERFORM ana_mark_due();
    IF p_skip_locked THEN
        WITH pick AS (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
                      ORDER BY village_code LIMIT p_limit FOR UPDATE SKIP LOCKED),
             d AS (DELETE FROM coverage_dirty x USING pick WHERE x.village_code = pick.village_code
                   RETURNING x.village_code)
        SELECT array_agg(village_code ORDER BY village_code) INTO codes FROM d;
    ELSE
        WITH pick AS (SELECT village_code FROM coverage_dirty WHERE village_code LIKE p_prefix || '%'
                      ORDER BY village_code LIMIT p_limit FOR UPDATE),
             d AS (DELETE FROM coverage_dirty x USING pick WHERE x.village_code = pick.village_code
                   RETURNING x.village_code)
        SELECT array_agg(village_code ORDER BY village_code) INTO codes FROM d;
    END IF;
    IF codes IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM ana_recompute(codes);
    IF p_rollup THEN
        PERFORM ana_rollup(codes);
    END IF;
    RETURN cardinality(codes);
END $$;

-- Every village that has a boundary, grids, key places or hazards: what a full recompute covers.
CREATE FUNCTION ana_all_villages(p_prefix text DEFAULT '') RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    SELECT code FROM jurisdictions WHERE level = 'village' AND geom IS NOT NULL AND code LIKE p_prefix || '%'
    UNION SELECT village_code FROM grids WHERE village_code LIKE p_prefix || '%'
    UNION SELECT village_code FROM key_places WHERE village_code LIKE p_prefix || '%'
    UNION SELECT village_code FROM hazards WHERE village_code LIKE p_prefix || '%'
    UNION SELECT village_code FROM coverage_village WHERE village_code LIKE p_prefix || '%'
$$;


-- ---------------------------------------------------------------------------------------
-- Reading. The totals of one jurisdiction (its village row or its roll-up) with the
-- scorecard indicators (Art. 57) and the counts behind each, as JSON.
CREATE FUNCTION ana_summary(p_code text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH s AS (
        SELECT to_jsonb(cv) - 'village_code' || jsonb_build_object('code', cv.village_code, 'level', 'village',
               'villages', 1, 'villages_with_boundary', cv.has_boundary::int) AS j
        FROM coverage_village cv WHERE cv.village_code = p_code
        UNION ALL
        SELECT to_jsonb(r) FROM coverage_rollup r WHERE r.code = p_code
    ), t AS (
        SELECT coalesce((SELECT j FROM s LIMIT 1),
                        (SELECT jsonb_build_object('code', code, 'level', level, 'name', name, 'villages', 0,
                                                   'area_m2', 0, 'covered_m2', 0, 'reasons', '{}'::jsonb)
                         FROM jurisdictions WHERE code = p_code)) AS j
    )
    SELECT t.j || jsonb_build_object(
        'coverage_pct', round((100 * (t.j ->> 'covered_m2')::numeric / nullif((t.j ->> 'area_m2')::numeric, 0)), 3),
        'community_staffed_pct', round(100 * (t.j ->> 'community_staffed')::numeric / nullif((t.j ->> 'grids_community')::numeric, 0), 2),
        'dedicated_pct', round(100 * (t.j ->> 'places_with_dedicated')::numeric / nullif((t.j ->> 'places_need_dedicated')::numeric, 0), 2),
        'on_time_pct', round(100 * (t.j ->> 'hazards_on_time')::numeric / nullif((t.j ->> 'hazards_due')::numeric, 0), 2),
        'fulltime_short', greatest(coalesce((t.j ->> 'fulltime_required')::int, 0) - coalesce((t.j ->> 'fulltime_actual')::int, 0), 0))
    FROM t
$$;

-- Every finding under a jurisdiction, one shape for gaps, overlaps and the rest.
CREATE VIEW analysis_findings AS
    SELECT 'coverage' AS report, 'gap:' || x.id AS id, x.village_code, x.reason, NULL::bigint AS grid_id,
           NULL::text AS grid_code, NULL::bigint AS place_id, NULL::bigint AS hazard_id, NULL::bigint AS worker_id,
           NULL::text AS subject, x.area_m2, NULL::double precision AS value, NULL::double precision AS bound,
           NULL::text AS suggestion, '{}'::jsonb AS detail, x.geom
    FROM coverage_gaps x
    UNION ALL
    SELECT 'coverage', 'overlap:' || x.id, x.village_code, x.reason, x.grid_a, x.grid_a_code || '/' || x.grid_b_code,
           NULL, NULL, NULL, NULL, x.area_m2, NULL, NULL, NULL,
           jsonb_build_object('grid_a', x.grid_a, 'grid_b', x.grid_b, 'grid_a_code', x.grid_a_code, 'grid_b_code', x.grid_b_code),
           x.geom
    FROM coverage_overlaps x
    UNION ALL
    SELECT 'coverage', 'finding:' || x.id, x.village_code, x.reason, x.grid_id, x.grid_code, x.place_id, x.hazard_id,
           NULL, x.subject, x.area_m2, NULL, NULL, NULL, x.detail, x.geom
    FROM coverage_findings x
    UNION ALL
    SELECT 'staffing', 'staffing:' || x.id, x.village_code, x.reason, x.grid_id, x.grid_code, NULL, NULL, x.worker_id,
           x.subject, NULL, x.value, x.bound, x.suggestion, x.detail, x.geom
    FROM staffing_findings x;

-- The analysis' statements are estimated as costly, which would make PostgreSQL JIT-compile
-- them on every call (seconds of compilation for milliseconds of work).
ALTER FUNCTION ana_recompute(text[]) SET jit = off;
ALTER FUNCTION ana_tiles_notify(text[]) SET plan_cache_mode = force_generic_plan;
-- Generic plans: planning the ~25 statements for each call's array costs more than running
-- them, for one edited village and for batches alike (measured: 1.6 s vs 3.4 s per 200).
ALTER FUNCTION ana_recompute(text[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ana_rollup(text[]) SET jit = off;
ALTER FUNCTION ana_rollup(text[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION ana_refresh(text, integer, boolean, boolean) SET jit = off;
ALTER FUNCTION ana_mark(text[]) SET jit = off;
ALTER FUNCTION ana_mark(text[]) SET plan_cache_mode = force_generic_plan;
