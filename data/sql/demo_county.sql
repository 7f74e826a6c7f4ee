-- The demo generator for one county (pingan demo): townships, villages/communities,
-- population, grids, key places, hazards, cameras and workers, all from the county outline,
-- the real 2023 codes and the seed in demo_arg. Runs once per county inside the demo's one
-- transaction; each "-- @step" is run (and timed) on its own by cmd_demo.c.

-- @step townships
-- Townships: a Voronoi partition of the county, streets crowded round the county seat.
DROP TABLE IF EXISTS t_town;
CREATE TEMP TABLE t_town ON COMMIT DROP AS
WITH c AS (
    SELECT j.geom, coalesce(j.label_point, ST_PointOnSurface(j.geom)) AS seat, a.seed
    FROM jurisdictions j, demo_arg a
    WHERE j.code = a.county AND j.geom IS NOT NULL),
k AS (
    SELECT j.code, j.name, j.kind,
           row_number() OVER (ORDER BY j.kind <> 'street', j.code)::int AS idx,
           (count(*) FILTER (WHERE j.kind = 'street') OVER ())::int AS n_core,
           (count(*) OVER ())::int AS n
    FROM jurisdictions j, demo_arg a
    WHERE j.parent_code = a.county AND j.level = 'township')
SELECT k.code, k.name, k.kind, p.site, p.cell AS geom
FROM c
CROSS JOIN LATERAL pg_temp.demo_partition(c.geom, c.seat, (SELECT max(n_core) FROM k),
                                          (SELECT max(n - n_core) FROM k), 0.3,
                                          hashtextextended('townships', c.seed)) p
JOIN k ON k.idx = p.idx;

-- @step villages
-- Villages/communities: the same inside each township, communities round its seat.
DROP TABLE IF EXISTS t_vill;
CREATE TEMP TABLE t_vill ON COMMIT DROP AS
WITH k AS (
    SELECT v.code, v.name, v.kind, v.parent_code,
           row_number() OVER (PARTITION BY v.parent_code
                              ORDER BY v.kind <> 'community', v.code)::int AS idx,
           (count(*) FILTER (WHERE v.kind = 'community') OVER (PARTITION BY v.parent_code))::int
               AS n_core,
           (count(*) OVER (PARTITION BY v.parent_code))::int AS n
    FROM jurisdictions v
    JOIN t_town t ON v.parent_code = t.code
    WHERE v.level = 'village'),
kn AS (SELECT DISTINCT parent_code, n_core, n FROM k)
SELECT k.code, k.name, k.kind, pg_temp.demo_label(k.name) AS label,
       t.code AS town_code, t.kind AS town_kind, t.name AS town_name, p.site, p.cell AS geom
FROM t_town t
JOIN kn ON kn.parent_code = t.code
CROSS JOIN demo_arg a
CROSS JOIN LATERAL pg_temp.demo_partition(t.geom, t.site, kn.n_core, kn.n - kn.n_core, 0.15,
                                          hashtextextended(t.code, a.seed)) p
JOIN k ON k.parent_code = t.code AND k.idx = p.idx;
CREATE INDEX ON t_vill USING gist (geom);
ANALYZE t_vill;

-- @step sites
-- Sites for key places: a ~450 m lattice, jittered, where a 170 m disc fits inside the
-- village, so that campuses and their dedicated grids never touch each other or a border.
DROP TABLE IF EXISTS t_site;
CREATE TEMP TABLE t_site ON COMMIT DROP AS
WITH c AS (
    SELECT coalesce(j.label_point, ST_PointOnSurface(j.geom)) AS seat, a.seed
    FROM jurisdictions j, demo_arg a WHERE j.code = a.county),
inner_v AS MATERIALIZED (
    SELECT v.*, pg_temp.demo_inner(v.geom, 170) AS inner_geom FROM t_vill v),
lat AS (
    SELECT v.code AS village_code, v.kind AS vkind, v.town_code, v.town_kind, v.site AS vsite,
           v.inner_geom, l.i, l.j,
           pg_temp.demo_pt(l.x, l.y, 60 * pg_temp.demo_rand(c.seed, concat('sx', l.i, ':', l.j)) - 30,
                           60 * pg_temp.demo_rand(c.seed, concat('sy', l.i, ':', l.j)) - 30) AS pt
    FROM inner_v v, c, pg_temp.demo_lattice(v.inner_geom, 0.0045) l
    WHERE NOT ST_IsEmpty(v.inner_geom))
SELECT row_number() OVER (ORDER BY lat.village_code, lat.i, lat.j)::int AS id,
       lat.village_code, lat.vkind, lat.town_code, lat.town_kind, lat.pt,
       ST_Distance(lat.pt, c.seat) AS d_seat,
       ST_Distance(lat.pt, t.site) AS d_town,
       ST_Distance(lat.pt, lat.vsite) AS d_vill,
       pg_temp.demo_rand(c.seed, concat('site', lat.i, ':', lat.j)) AS r
FROM lat
CROSS JOIN c
JOIN t_town t ON t.code = lat.town_code
WHERE ST_Intersects(lat.pt, lat.inner_geom);
CREATE INDEX ON t_site USING gist (pt);
ANALYZE t_site;

-- @step key_places
-- What each county, township and village gets, and where: county institutions nearest the
-- seat in the streets, township ones nearest the township seat, village ones nearest the
-- village centre. Sizes are campus length x width in metres; ded is the dedicated grid kind.
DROP TABLE IF EXISTS t_kp;
CREATE TEMP TABLE t_kp (
    kp_id        int PRIMARY KEY,
    site_id      int,
    category     text NOT NULL,
    name         text NOT NULL,
    village_code text,
    len_m        float8,
    wid_m        float8,
    ded          text,
    cams         int NOT NULL DEFAULT 0,
    angle        float8 NOT NULL DEFAULT 0,
    code         text,
    geom         geometry,
    pt           geometry NOT NULL
) ON COMMIT DROP;

-- the industrial park first, in the township next to the city, large and clipped to its
-- village; the sites round it are given up so nothing else lands inside
WITH c AS (SELECT a.seed, pg_temp.demo_short(j.name) AS cs FROM demo_arg a
           JOIN jurisdictions j ON j.code = a.county),
s AS (SELECT * FROM t_site WHERE town_kind <> 'street' AND vkind = 'village'
      ORDER BY d_seat, id LIMIT 1)
INSERT INTO t_kp (kp_id, site_id, category, name, village_code, len_m, wid_m, ded, cams, geom, pt)
SELECT 1, s.id, 'industrial_park', c.cs || '工业园区', s.village_code, 1100, 800, 'park', 3,
       ST_Multi(ST_CollectionExtract(ST_Intersection(pg_temp.demo_rect(s.pt, 1100, 800,
                    20 * pg_temp.demo_rand(c.seed, 'park-angle') - 10),
                ST_Buffer(v.geom, -pg_temp.demo_deg(30))), 3)),
       s.pt
FROM s, c, t_vill v WHERE v.code = s.village_code;
DELETE FROM t_site s USING t_kp k
WHERE k.category = 'industrial_park' AND ST_DWithin(s.pt, k.geom, pg_temp.demo_deg(250));

-- county institutions: wants in order, sites by distance from the seat
WITH c AS (SELECT a.seed, pg_temp.demo_short(j.name) AS cs, j.name AS cn FROM demo_arg a
           JOIN jurisdictions j ON j.code = a.county),
want(rank, category, name, len_m, wid_m, ded, cams) AS (VALUES
    (1, 'government', '{cn}人民政府', 150, 110, 'government', 3),
    (2, 'hospital', '{cn}人民医院', 200, 140, 'medical', 4),
    (3, 'school', '{cs}第一中学', 220, 160, 'school', 4),
    (4, 'hospital', '{cn}中医院', 160, 120, 'medical', 3),
    (5, 'commercial_center', '{cs}国际商业广场', 180, 140, 'commercial_building', 4),
    (6, 'park', '{cs}人民公园', 260, 200, NULL, 2),
    (7, 'school', '{cs}第二中学', 200, 150, 'school', 4),
    (8, 'station', '{cs}汽车客运站', 110, 80, 'other', 4),
    (9, 'hospital', '{cn}妇幼保健院', 120, 90, 'medical', 2),
    (10, 'market', '{cs}城区农贸市场', 90, 70, 'market', 2),
    (11, 'bus_metro', '{cs}公交枢纽站', 0, 0, NULL, 2),
    (12, 'school', '{cs}职业中等专业学校', 200, 150, 'school', 3),
    (13, 'training_institution', '{cs}启智培训学校', 0, 0, NULL, 1),
    (14, 'elderly_care', '{cn}社会福利院', 100, 80, NULL, 2),
    (15, 'child_welfare', '{cn}儿童福利院', 80, 60, NULL, 2),
    (16, 'park', '{cs}湿地公园', 260, 200, NULL, 2),
    (17, 'training_institution', '{cs}启航职业技能培训学校', 0, 0, NULL, 1),
    (18, 'public_event', '{cs}元宵灯会', 0, 0, NULL, 2),
    (19, 'school', '{cs}实验小学', 160, 120, 'school', 3),
    (20, 'kindergarten', '{cs}机关幼儿园', 70, 55, 'school', 2)),
s AS (SELECT s.*, row_number() OVER (ORDER BY s.d_seat, s.id) AS rank
      FROM t_site s WHERE s.town_kind = 'street')
INSERT INTO t_kp (kp_id, site_id, category, name, village_code, len_m, wid_m, ded, cams, angle, geom, pt)
SELECT 100 + w.rank, s.id, w.category,
       replace(replace(w.name, '{cn}', c.cn), '{cs}', c.cs), s.village_code, w.len_m, w.wid_m,
       w.ded, w.cams,
       40 * pg_temp.demo_rand(c.seed, 'angle' || s.id) - 20,
       CASE WHEN w.len_m = 0 THEN s.pt END,
       s.pt
FROM want w JOIN s ON s.rank = w.rank CROSS JOIN c;

-- county institutions outside the city: nearest first, then the far countryside
WITH c AS (SELECT a.seed, pg_temp.demo_short(j.name) AS cs, j.name AS cn FROM demo_arg a
           JOIN jurisdictions j ON j.code = a.county),
want(rank, far, category, name, len_m, wid_m, ded, cams) AS (VALUES
    (1, false, 'station', '{cs}站', 120, 80, 'other', 4),
    (2, false, 'detention', '{cn}看守所', 150, 120, 'other', 4),
    (3, false, 'other', '江西{cs}恒达实业有限公司', 200, 150, 'enterprise', 2),
    (4, false, 'other', '江西{cs}鑫源新材料有限公司', 200, 150, 'enterprise', 2),
    (5, false, 'urban_rural_fringe', '{cs}城郊结合部', 0, 0, NULL, 0),
    (1, true, 'other', '{cs}国有林场', 220, 160, 'forest_farm', 1),
    (2, true, 'heritage_site', '{cs}古村落', 0, 0, NULL, 1),
    (3, true, 'other', '{cs}现代农业示范园', 160, 120, 'farm', 1),
    (4, true, 'heritage_site', '{cs}古塔', 0, 0, NULL, 1)),
s AS (SELECT s.*, row_number() OVER (ORDER BY s.d_seat, s.id) AS near_rank,
             row_number() OVER (ORDER BY s.d_seat DESC, s.id) AS far_rank
      FROM t_site s
      WHERE s.town_kind <> 'street' AND s.vkind = 'village'
        AND NOT EXISTS (SELECT 1 FROM t_kp k WHERE k.site_id = s.id))
INSERT INTO t_kp (kp_id, site_id, category, name, village_code, len_m, wid_m, ded, cams, angle, geom, pt)
SELECT 200 + w.rank + CASE WHEN w.far THEN 50 ELSE 0 END, s.id, w.category,
       replace(replace(w.name, '{cn}', c.cn), '{cs}', c.cs), s.village_code, w.len_m, w.wid_m,
       w.ded, w.cams,
       40 * pg_temp.demo_rand(c.seed, 'angle' || s.id) - 20,
       CASE WHEN w.category = 'urban_rural_fringe' THEN v.geom WHEN w.len_m = 0 THEN s.pt END,
       s.pt
FROM want w
JOIN s ON (CASE WHEN w.far THEN s.far_rank ELSE s.near_rank END) = w.rank
JOIN t_vill v ON v.code = s.village_code
CROSS JOIN c;

-- township institutions, nearest the township seat
WITH c AS (SELECT a.seed FROM demo_arg a),
want(kind, rank, category, name, len_m, wid_m, ded, cams) AS (VALUES
    ('rural', 1, 'school', '{t}中学', 200, 150, 'school', 3),
    ('rural', 2, 'school', '{t}中心小学', 160, 120, 'school', 3),
    ('rural', 3, 'hospital', '{t}卫生院', 90, 70, 'medical', 2),
    ('rural', 4, 'kindergarten', '{t}中心幼儿园', 70, 55, 'school', 2),
    ('rural', 5, 'market', '{t}农贸市场', 80, 60, 'market', 2),
    ('rural', 6, 'elderly_care', '{t}敬老院', 70, 55, NULL, 1),
    ('rural', 7, 'government', '{t}人民政府', 100, 80, NULL, 2),
    ('street', 1, 'hospital', '{t}社区卫生服务中心', 80, 60, 'medical', 2),
    ('street', 2, 'market', '{t}农贸市场', 80, 60, 'market', 2),
    ('street', 3, 'school', '{t}小学', 160, 120, 'school', 3),
    ('street', 4, 'kindergarten', '{t}阳光幼儿园', 60, 45, 'school', 2),
    ('street', 5, 'school', '{t}中学', 200, 150, 'school', 3),
    ('street', 6, 'kindergarten', '{t}育才幼儿园', 60, 45, 'school', 2),
    ('street', 7, 'elderly_care', '{t}居家养老服务中心', 60, 40, NULL, 1),
    ('street', 8, 'school', '{t}第二小学', 150, 110, 'school', 3),
    ('street', 9, 'kindergarten', '{t}启明幼儿园', 60, 45, 'school', 2),
    ('street', 10, 'training_institution', '{t}英才培训学校', 0, 0, NULL, 1),
    ('street', 11, 'kindergarten', '{t}蓝天幼儿园', 60, 45, 'school', 2),
    ('street', 12, 'school', '{t}第三小学', 150, 110, 'school', 3),
    ('street', 13, 'kindergarten', '{t}童星幼儿园', 60, 45, 'school', 2),
    ('street', 14, 'commercial_center', '{t}购物中心', 150, 110, 'commercial_building', 2)),
s AS (SELECT s.*, row_number() OVER (PARTITION BY s.town_code ORDER BY s.d_town, s.id) AS rank
      FROM t_site s WHERE NOT EXISTS (SELECT 1 FROM t_kp k WHERE k.site_id = s.id))
INSERT INTO t_kp (kp_id, site_id, category, name, village_code, len_m, wid_m, ded, cams, angle, geom, pt)
SELECT 1000 + row_number() OVER (ORDER BY t.code, w.rank), s.id, w.category,
       replace(w.name, '{t}', pg_temp.demo_short(t.name)), s.village_code, w.len_m, w.wid_m,
       w.ded, w.cams,
       40 * pg_temp.demo_rand(c.seed, 'angle' || s.id) - 20,
       CASE WHEN w.len_m = 0 THEN s.pt END,
       s.pt
FROM t_town t
JOIN want w ON w.kind = CASE WHEN t.kind = 'street' THEN 'street' ELSE 'rural' END
JOIN s ON s.town_code = t.code AND s.rank = w.rank
CROSS JOIN c
-- a street gets as many schools and kindergartens as its communities call for
WHERE t.kind <> 'street' OR w.rank <= 2 + (SELECT count(*) FROM t_vill v WHERE v.town_code = t.code) / 2;

-- village schools, kindergartens, care homes and ancestral halls, nearest the village centre
WITH c AS (SELECT a.seed FROM demo_arg a),
w AS (
    SELECT v.code, v.label, w.ord, w.category,
           row_number() OVER (PARTITION BY v.code ORDER BY w.ord) AS rank
    FROM t_vill v CROSS JOIN c
    CROSS JOIN (VALUES (1, 'school', false, 0.30), (2, 'kindergarten', true, 0.40),
                       (3, 'elderly_care', false, 0.35), (4, 'heritage_site', false, 0.08))
               AS w(ord, category, in_communities, share)
    WHERE v.town_kind <> 'street' AND (w.in_communities OR v.kind = 'village')
      AND pg_temp.demo_rand(c.seed, 'vkp' || w.category || v.code) < w.share),
s AS (SELECT s.*, row_number() OVER (PARTITION BY s.village_code ORDER BY s.d_vill, s.id) AS rank
      FROM t_site s WHERE NOT EXISTS (SELECT 1 FROM t_kp k WHERE k.site_id = s.id))
INSERT INTO t_kp (kp_id, site_id, category, name, village_code, len_m, wid_m, ded, cams, angle, geom, pt)
SELECT 100000 + row_number() OVER (ORDER BY w.code, w.ord), s.id, w.category,
       regexp_replace(w.label, '(村|社区)$', '') ||
           CASE w.category WHEN 'school' THEN '小学' WHEN 'kindergarten' THEN '幼儿园'
                WHEN 'elderly_care' THEN '农村幸福院' ELSE '古祠堂' END,
       s.village_code,
       CASE w.category WHEN 'school' THEN 120 WHEN 'kindergarten' THEN 60 WHEN 'elderly_care' THEN 40 ELSE 0 END,
       CASE w.category WHEN 'school' THEN 90 WHEN 'kindergarten' THEN 45 WHEN 'elderly_care' THEN 30 ELSE 0 END,
       CASE WHEN w.category IN ('school', 'kindergarten') THEN 'school' END,
       CASE w.category WHEN 'school' THEN 2 WHEN 'heritage_site' THEN 0 ELSE 1 END,
       40 * pg_temp.demo_rand(c.seed, 'angle' || s.id) - 20,
       CASE WHEN w.category = 'heritage_site' THEN s.pt END, s.pt
FROM w JOIN s ON s.village_code = w.code AND s.rank = w.rank CROSS JOIN c;

-- campuses are rectangles round their site
UPDATE t_kp SET geom = pg_temp.demo_rect(pt, len_m, wid_m, angle) WHERE geom IS NULL;

-- villages inside the city are urban villages (城中村); their whole area is the place
INSERT INTO t_kp (kp_id, category, name, village_code, len_m, wid_m, cams, geom, pt)
SELECT 300 + row_number() OVER (ORDER BY v.code), 'urban_village', v.label || '城中村',
       v.code, 0, 0, 0, v.geom, v.site
FROM t_vill v CROSS JOIN demo_arg a
WHERE v.town_kind = 'street' AND v.kind = 'village'
  AND pg_temp.demo_rand(a.seed, 'uv' || v.code) < 0.5;

-- a railway line across the county through its station
WITH c AS (SELECT a.seed, j.geom, pg_temp.demo_short(j.name) AS cs FROM demo_arg a
           JOIN jurisdictions j ON j.code = a.county),
st AS (SELECT pt FROM t_kp WHERE category = 'station' AND kp_id > 200),
ln AS (SELECT ST_SetSRID(ST_MakeLine(ARRAY[
           pg_temp.demo_offset(st.pt, -150000, -150000 * tan(radians(a1))),
           pg_temp.demo_offset(st.pt, -40000, -40000 * tan(radians(a1)) + 3000 * (b1 - 0.5)),
           st.pt,
           pg_temp.demo_offset(st.pt, 40000, 40000 * tan(radians(a2)) + 3000 * (b2 - 0.5)),
           pg_temp.demo_offset(st.pt, 150000, 150000 * tan(radians(a2)))]), 4490) AS line,
           st.pt, c.geom, c.cs
       FROM st, c,
            LATERAL (SELECT 50 * pg_temp.demo_rand(c.seed, 'rail-a1') - 25 AS a1,
                            50 * pg_temp.demo_rand(c.seed, 'rail-a2') - 25 AS a2,
                            pg_temp.demo_rand(c.seed, 'rail-b1') AS b1,
                            pg_temp.demo_rand(c.seed, 'rail-b2') AS b2) r),
parts AS (SELECT d.geom, ln.pt, ln.cs
          FROM ln, ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(ln.line, ln.geom), 2))) d)
INSERT INTO t_kp (kp_id, category, name, village_code, cams, geom, pt)
SELECT 290, 'railway', '铁路' || cs || '段', NULL, 0, geom, ST_ClosestPoint(geom, pt)
FROM parts ORDER BY ST_Distance(geom, pt), ST_Length(geom) DESC LIMIT 1;

CREATE INDEX ON t_kp USING gist (geom);
ANALYZE t_kp;
-- where nothing may be built: campuses (and so dedicated grids), not whole urban villages
-- as one geometry per margin, which a point is tested against fast (prepared)
DROP TABLE IF EXISTS t_block;
CREATE TEMP TABLE t_block ON COMMIT DROP AS
SELECT coalesce(ST_Union(ST_Buffer(geom, pg_temp.demo_deg(61), 2)), 'POLYGON EMPTY'::geometry) AS near_buildings,
       coalesce(ST_Union(ST_Buffer(geom, pg_temp.demo_deg(125), 2)), 'POLYGON EMPTY'::geometry) AS near_hamlets
FROM t_kp
WHERE ST_Dimension(geom) = 2 AND category NOT IN ('urban_village', 'urban_rural_fringe');

-- @step population
-- Population units: buildings in communities, filled nearest the community centre first on
-- a lattice of ~45 m in streets and ~60 m in towns (a footprint reaches at most 17 or 23 m
-- from its centre, which moves at most 4 m, so it never crosses the Voronoi line between two
-- buildings, and the grids drawn along those lines never cut one); 村民小组 hamlets spread
-- over villages on a ~300 m lattice.
DROP TABLE IF EXISTS t_unit0;
CREATE TEMP TABLE t_unit0 ON COMMIT DROP AS
WITH c AS (SELECT a.seed FROM demo_arg a),
comm AS MATERIALIZED (
    SELECT x.*,
           -- the disc the buildings are looked for in, and how many spots to try at most
           1.4 * sqrt(x.target * x.step_m * x.step_m * 1.1 / pi() / x.per_building) AS r_m,
           ceil(2.5 * x.target / x.per_building)::int + 20 AS tries
    FROM (SELECT v.code, v.label, v.site, ST_X(v.site) AS sx, ST_Y(v.site) AS sy,
                 pg_temp.demo_inner(v.geom, 40) AS inner_geom, v.town_kind,
                 CASE WHEN v.town_kind = 'street' THEN pg_temp.demo_int(c.seed, 'hh' || v.code, 1200, 3200)
                      ELSE pg_temp.demo_int(c.seed, 'hh' || v.code, 600, 1600) END AS target,
                 CASE WHEN v.town_kind = 'street' THEN 18.0 ELSE 6.0 END AS per_building,
                 -- lattice step: city blocks are packed closer (~45 m) than towns (~60 m)
                 CASE WHEN v.town_kind = 'street' THEN 0.00045 ELSE 0.0006 END AS step,
                 CASE WHEN v.town_kind = 'street' THEN 47.0 ELSE 63.0 END AS step_m,
                 40 * pg_temp.demo_rand(c.seed, 'orient' || v.code) - 20 AS orient
          FROM t_vill v, c WHERE v.kind = 'community') x),
-- lattice spots nearest the community centre first
cand AS (
    SELECT comm.code, comm.label, comm.town_kind, comm.target, comm.orient, comm.inner_geom,
           comm.tries, comm.r_m, l.i, l.j, l.x, l.y,
           pg_temp.demo_dist(l.x, l.y, comm.sx, comm.sy) AS d
    FROM comm, pg_temp.demo_lattice(ST_Expand(comm.site, pg_temp.demo_deg(comm.r_m) * 1.2), comm.step) l),
near AS (
    SELECT cand.*, row_number() OVER (PARTITION BY code ORDER BY d, i, j) AS k
    FROM cand WHERE d <= cand.r_m),
-- inside the community with room for a footprint, and nothing built on campuses or
-- dedicated grids (35 m round a campus, plus the largest footprint's half-diagonal)
free AS MATERIALIZED (
    SELECT near.*, p.pt
    FROM near CROSS JOIN c
    CROSS JOIN LATERAL (SELECT pg_temp.demo_pt(near.x, near.y,
                                   6 * pg_temp.demo_rand(c.seed, concat('bx', near.i, ':', near.j)) - 3,
                                   6 * pg_temp.demo_rand(c.seed, concat('by', near.i, ':', near.j)) - 3) AS pt) p
    WHERE near.k <= near.tries
      AND ST_Intersects(p.pt, near.inner_geom)
      AND NOT ST_Intersects(p.pt, (SELECT near_buildings FROM t_block))),
bld AS (
    SELECT free.code, free.label, free.target, free.orient, free.i, free.j, free.pt, free.d,
           ty.kind, ty.floors, ty.len_m, ty.wid_m,
           greatest(1, round(ty.floors * ty.per_floor * (0.72 + 0.23 * r.ru)
                             * CASE WHEN ty.kind = 'house' THEN 0.6 ELSE 1 END))::int AS households
    FROM free CROSS JOIN c
    CROSS JOIN LATERAL (SELECT pg_temp.demo_rand(c.seed, concat('bt', free.i, ':', free.j)) AS rt,
                               pg_temp.demo_rand(c.seed, concat('bf', free.i, ':', free.j)) AS rf,
                               pg_temp.demo_rand(c.seed, concat('bu', free.i, ':', free.j)) AS ru) r
    -- the kind of building: in streets 10% towers, 20% mid-rise, 45% walk-ups, 25% older
    -- houses; in towns 5% mid-rise, 30% walk-ups, 65% self-built houses
    CROSS JOIN LATERAL (
        SELECT CASE WHEN free.town_kind = 'street'
                    THEN CASE WHEN r.rt < 0.10 THEN 'tower' WHEN r.rt < 0.30 THEN 'midrise'
                              WHEN r.rt < 0.75 THEN 'walkup' ELSE 'house' END
                    ELSE CASE WHEN r.rt < 0.05 THEN 'midrise' WHEN r.rt < 0.35 THEN 'walkup'
                              ELSE 'house' END END AS kind) k
    -- floors, households a floor, footprint length and width in metres (smaller in the
    -- closer city lattice)
    CROSS JOIN LATERAL (
        SELECT k.kind, t.len_m * f.scale AS len_m, t.wid_m * f.scale AS wid_m,
               t.flo + floor(r.rf * (t.fhi - t.flo + 1))::int AS floors,
               t.plo + floor(r.ru * (t.phi - t.plo + 1))::int AS per_floor
        FROM (SELECT CASE k.kind WHEN 'tower' THEN 18 WHEN 'midrise' THEN 8 WHEN 'walkup' THEN 5 ELSE 2 END AS flo,
                     CASE k.kind WHEN 'tower' THEN 32 WHEN 'midrise' THEN 12 WHEN 'walkup' THEN 7 ELSE 3 END AS fhi,
                     CASE k.kind WHEN 'house' THEN 1 ELSE 2 END AS plo,
                     CASE k.kind WHEN 'house' THEN 1 ELSE 4 END AS phi,
                     CASE k.kind WHEN 'tower' THEN 30.0 WHEN 'midrise' THEN 40.0 WHEN 'walkup' THEN 44.0 ELSE 14.0 END AS len_m,
                     CASE k.kind WHEN 'tower' THEN 20.0 WHEN 'midrise' THEN 14.0 WHEN 'walkup' THEN 12.0 ELSE 10.0 END AS wid_m) t,
             (SELECT CASE WHEN free.town_kind = 'street' AND k.kind <> 'house' THEN 0.74 ELSE 1 END AS scale) f) ty),
-- filled nearest the centre first until the community's households are reached
ok AS (
    SELECT bld.*, sum(households) OVER (PARTITION BY code ORDER BY d, i, j) - households AS before
    FROM bld)
SELECT 'building'::text AS kind, ok.code AS village_code,
       row_number() OVER (PARTITION BY ok.code ORDER BY ok.d, ok.i, ok.j)::int AS serial,
       ok.label, ok.households,
       round(ok.households * (2.3 + 0.8 * pg_temp.demo_rand(c.seed, concat('br', ok.i, ':', ok.j))))::int AS residents,
       ok.floors::smallint AS floors, ok.pt,
       pg_temp.demo_rect(ok.pt, ok.len_m, ok.wid_m,
                         ok.orient + 10 * pg_temp.demo_rand(c.seed, concat('bo', ok.i, ':', ok.j)) - 5) AS geom
FROM ok, c
WHERE ok.before < ok.target;

-- 村民小组 hamlets: spots of a ~300 m lattice in random order, nearer the centre a little
-- likelier; the first few that fit are taken
WITH c AS (SELECT a.seed FROM demo_arg a),
vill AS MATERIALIZED (
    SELECT v.code, v.label, ST_X(v.site) AS sx, ST_Y(v.site) AS sy,
           pg_temp.demo_inner(v.geom, 110) AS inner_geom,
           pg_temp.demo_int(c.seed, 'groups' || v.code, 8, 17) AS groups
    FROM t_vill v, c WHERE v.kind = 'village'),
cand AS (
    SELECT vill.code, vill.label, vill.groups, vill.inner_geom, l.i, l.j, l.x, l.y,
           row_number() OVER (PARTITION BY vill.code
                              ORDER BY pg_temp.demo_rand(c.seed, concat('gp', l.i, ':', l.j))
                                       + pg_temp.demo_dist(l.x, l.y, vill.sx, vill.sy) / 8000, l.i, l.j) AS k
    FROM vill CROSS JOIN c
    CROSS JOIN LATERAL pg_temp.demo_lattice(vill.inner_geom, 0.003) l
    WHERE NOT ST_IsEmpty(vill.inner_geom)),
ok AS MATERIALIZED (
    SELECT cand.*, p.pt, row_number() OVER (PARTITION BY code ORDER BY k) AS rank
    FROM cand CROSS JOIN c
    CROSS JOIN LATERAL (SELECT pg_temp.demo_pt(cand.x, cand.y,
                                   80 * pg_temp.demo_rand(c.seed, concat('gx', cand.i, ':', cand.j)) - 40,
                                   80 * pg_temp.demo_rand(c.seed, concat('gy', cand.i, ':', cand.j)) - 40) AS pt) p
    WHERE cand.k <= 3 * cand.groups + 6
      AND ST_Intersects(p.pt, cand.inner_geom)
      AND NOT ST_Intersects(p.pt, (SELECT near_hamlets FROM t_block)))
INSERT INTO t_unit0 (kind, village_code, serial, label, households, residents, floors, pt, geom)
SELECT 'village_group', ok.code, ok.rank::int, ok.label, hh.households,
       round(hh.households * (2.6 + 0.8 * pg_temp.demo_rand(c.seed, concat('gres', ok.i, ':', ok.j))))::int,
       NULL, ok.pt,
       -- a hamlet: a rough octagon 40-90 m by 30-70 m
       pg_temp.demo_local(ST_Rotate(ST_Scale(ST_Buffer(ST_MakePoint(0, 0), 1, 2),
                                             40 + 50 * pg_temp.demo_rand(c.seed, concat('ga', ok.i, ':', ok.j)),
                                             30 + 40 * pg_temp.demo_rand(c.seed, concat('gb', ok.i, ':', ok.j))),
                                    pi() * pg_temp.demo_rand(c.seed, concat('gr', ok.i, ':', ok.j))),
                          ok.pt)
FROM ok, c,
     LATERAL (SELECT pg_temp.demo_int(c.seed, concat('ghh', ok.i, ':', ok.j), 20, 65) AS households) hh
WHERE ok.rank <= ok.groups;

DROP TABLE IF EXISTS t_unit;
CREATE TEMP TABLE t_unit ON COMMIT DROP AS
SELECT row_number() OVER (ORDER BY village_code, kind, serial)::int AS uid, * FROM t_unit0;
CREATE INDEX ON t_unit USING gist (pt);
CREATE INDEX ON t_unit USING gist (geom);
CREATE INDEX ON t_unit (village_code);
ANALYZE t_unit;

-- @step grids
-- Community and base grids: units split into groups of about 400 (community) or 130 (base)
-- households, the grid being the union of the Voronoi cells of its units, clipped to the
-- village. Sibling grids so partition the village with no gap and no overlap.
DROP TABLE IF EXISTS t_grp;
CREATE TEMP TABLE t_grp ON COMMIT DROP AS
WITH per AS (
    SELECT u.village_code, array_agg(u.uid ORDER BY u.uid) AS ids,
           array_agg(ST_X(u.pt) ORDER BY u.uid) AS xs, array_agg(ST_Y(u.pt) ORDER BY u.uid) AS ys,
           array_agg(u.households::float8 ORDER BY u.uid) AS ws, sum(u.households) AS h
    FROM t_unit u GROUP BY u.village_code)
SELECT per.village_code, per.ids[kd.pos] AS uid, kd.grp
FROM per
JOIN t_vill v ON v.code = per.village_code
CROSS JOIN LATERAL pg_temp.demo_kd(per.xs, per.ys, per.ws,
    greatest(1, round(per.h / CASE WHEN v.kind = 'community' THEN 400.0 ELSE 130.0 END))::int) kd;
CREATE INDEX ON t_grp (uid);

DROP TABLE IF EXISTS t_cell;
CREATE TEMP TABLE t_cell ON COMMIT DROP AS
SELECT v.code AS village_code, d.geom
FROM t_vill v
JOIN (SELECT village_code FROM t_grp GROUP BY village_code HAVING max(grp) > 1) m
    ON m.village_code = v.code
CROSS JOIN LATERAL (
    SELECT ST_VoronoiPolygons(ST_Collect(u.pt), 0, ST_Expand(ST_Envelope(v.geom), 0.01)) AS vor
    FROM t_unit u WHERE u.village_code = v.code) x
CROSS JOIN LATERAL ST_Dump(x.vor) d;
CREATE INDEX ON t_cell USING gist (geom);
ANALYZE t_cell;

DROP TABLE IF EXISTS t_grid;
CREATE TEMP TABLE t_grid (
    gid          int PRIMARY KEY,
    village_code text NOT NULL,
    kind         text NOT NULL,
    unit_type    text,
    kp_id        int,
    grp          int,
    id           bigint,
    name         text,
    code         text,
    households   int NOT NULL DEFAULT 0,
    residents    int NOT NULL DEFAULT 0,
    geom         geometry NOT NULL
) ON COMMIT DROP;

INSERT INTO t_grid (gid, village_code, kind, grp, geom)
SELECT row_number() OVER (ORDER BY u.village_code, u.grp), u.village_code,
       CASE WHEN v.kind = 'community' THEN 'community' ELSE 'base' END, u.grp,
       ST_Multi(ST_CollectionExtract(ST_Intersection(u.geom, v.geom), 3))
FROM (SELECT c.village_code, g.grp, ST_Union(c.geom) AS geom
      FROM t_cell c
      JOIN t_unit u ON u.village_code = c.village_code AND ST_Intersects(c.geom, u.pt)
      JOIN t_grp g ON g.uid = u.uid
      GROUP BY c.village_code, g.grp) u
JOIN t_vill v ON v.code = u.village_code;

-- villages with one grid (or no people at all) are one grid
INSERT INTO t_grid (gid, village_code, kind, grp, geom)
SELECT (SELECT coalesce(max(gid), 0) FROM t_grid) + row_number() OVER (ORDER BY v.code), v.code, CASE WHEN v.kind = 'community' THEN 'community' ELSE 'base' END, 1, v.geom
FROM t_vill v
WHERE NOT EXISTS (SELECT 1 FROM t_grid g WHERE g.village_code = v.code);

-- @step boundaries
-- One coverage for the whole county: the grids' edges noded together (snapped to 1e-9°,
-- 0.1 mm, so the two copies of an edge that two neighbours cut slightly differently become
-- one) and polygonised; every grid is then the union of its faces, and every parent the union
-- of its children's faces (grids → village → township → county). Shared edges are identical,
-- so each child lies inside its parent exactly, with no slivers between neighbours.
DROP TABLE IF EXISTS t_face;
CREATE TEMP TABLE t_face ON COMMIT DROP AS
SELECT row_number() OVER ()::int AS fid, d.geom
FROM (SELECT ST_Polygonize(l.geom) AS faces
      FROM ST_Dump(ST_UnaryUnion((SELECT ST_Collect(ST_Boundary(geom)) FROM t_grid), 1e-9)) l) p,
     ST_Dump(p.faces) d;
ALTER TABLE t_face ADD COLUMN gid int;
UPDATE t_face f SET gid = (SELECT g.gid FROM t_grid g
                           WHERE g.geom && f.geom AND ST_Intersects(g.geom, ST_PointOnSurface(f.geom))
                           ORDER BY g.gid LIMIT 1);
CREATE INDEX ON t_face (gid);
UPDATE t_grid g SET geom = u.geom
FROM (SELECT gid, ST_Multi(ST_Union(geom, 1e-9)) AS geom FROM t_face WHERE gid IS NOT NULL
      GROUP BY gid) u
WHERE u.gid = g.gid;
UPDATE t_vill v SET geom = u.geom
FROM (SELECT g.village_code, ST_Multi(ST_Union(f.geom, 1e-9)) AS geom
      FROM t_face f JOIN t_grid g ON g.gid = f.gid GROUP BY g.village_code) u
WHERE u.village_code = v.code;
UPDATE t_town t SET geom = u.geom
FROM (SELECT town_code, ST_Multi(ST_Union(geom, 1e-9)) AS geom FROM t_vill GROUP BY town_code) u
WHERE u.town_code = t.code;

UPDATE jurisdictions j SET geom = t.geom, label_point = ST_PointOnSurface(t.geom), updated_at = now()
FROM t_town t WHERE j.code = t.code;
UPDATE jurisdictions j SET geom = v.geom, label_point = ST_PointOnSurface(v.geom), updated_at = now()
FROM t_vill v WHERE j.code = v.code;
UPDATE jurisdictions j SET geom = u.geom, updated_at = now()
FROM (SELECT ST_Multi(ST_Union(geom, 1e-9)) AS geom FROM t_town) u, demo_arg a
WHERE j.code = a.county;

-- @step faults
-- Planted faults for the analysis to find (demo county only; recorded in demo_planted at
-- the end): an over-full community grid that also overlaps a sibling, a second overlapping
-- pair of base grids, holes in a community and in a village, schools without a dedicated
-- grid, a school without video and one without alarm. Chosen by seeded order, each checked.
DROP TABLE IF EXISTS t_plant;
CREATE TEMP TABLE t_plant (kind text, gid int, gid2 int, kp_id int, hz_id int, village_code text,
                           note text)
    ON COMMIT DROP;
DO $$
DECLARE
    s bigint;
    a record;
    b record;
    band geometry;
    hole geometry;
    used text[] := ARRAY[]::text[];
BEGIN
    IF NOT (SELECT plant FROM demo_arg) THEN
        RETURN;
    END IF;
    SELECT seed INTO s FROM demo_arg;

    -- 1. over-full: merge two neighbouring community grids of a community whose households
    --    add up to just over 780 (as near 800 as there is), like the one the planner's
    --    journey splits; street communities first
    SELECT g1.gid AS g1, g2.gid AS g2, g1.village_code, h1.h + h2.h AS h INTO a
    FROM t_grid g1
    JOIN t_grid g2 ON g2.village_code = g1.village_code AND g2.gid > g1.gid
    JOIN t_vill v ON v.code = g1.village_code
    CROSS JOIN LATERAL (SELECT sum(households) AS h FROM t_unit u
                        WHERE u.village_code = g1.village_code AND ST_Intersects(g1.geom, u.pt)) h1
    CROSS JOIN LATERAL (SELECT sum(households) AS h FROM t_unit u
                        WHERE u.village_code = g2.village_code AND ST_Intersects(g2.geom, u.pt)) h2
    WHERE g1.kind = 'community' AND g2.kind = 'community'
      AND ST_Length(ST_Intersection(ST_Boundary(g1.geom), ST_Boundary(g2.geom))) > pg_temp.demo_deg(150)
      AND h1.h + h2.h > 790
      AND (SELECT count(*) FROM t_grid g3 WHERE g3.village_code = g1.village_code) >= 3
    ORDER BY v.town_kind <> 'street', abs(h1.h + h2.h - 800) > 30,
             pg_temp.demo_rand(s, 'overfull' || g1.gid || ':' || g2.gid)
    LIMIT 1;
    IF a IS NULL THEN
        RAISE EXCEPTION 'demo: no pair of community grids to merge into an over-full grid';
    END IF;
    UPDATE t_grid SET geom = ST_Multi(ST_Union(geom, (SELECT geom FROM t_grid WHERE gid = a.g2)))
    WHERE gid = a.g1;
    DELETE FROM t_grid WHERE gid = a.g2;
    INSERT INTO t_plant VALUES ('overfull_grid', a.g1, NULL, NULL, NULL, a.village_code,
                                'about ' || a.h || ' households: two grids drawn as one');
    used := used || a.village_code;

    -- 2. overlaps: a grid reaching 40 m into its neighbour along their shared edge, kept off
    --    the village border; once in the over-full grid's community, once in a village
    FOR b IN
        SELECT * FROM (
            SELECT DISTINCT ON (g1.village_code = a.village_code)
                   g1.gid AS g1, g2.gid AS g2, g1.village_code,
                   ST_Intersection(ST_Boundary(g1.geom), ST_Boundary(g2.geom)) AS shared
            FROM t_grid g1
            JOIN t_grid g2 ON g2.village_code = g1.village_code AND g2.gid <> g1.gid
            JOIN t_vill v ON v.code = g1.village_code
            WHERE ((g1.gid = a.g1) OR (g1.kind = 'base' AND v.code <> ALL (used)))
              AND ST_Length(ST_Intersection(ST_Boundary(g1.geom), ST_Boundary(g2.geom)))
                  > pg_temp.demo_deg(300)
            ORDER BY g1.village_code = a.village_code,
                     pg_temp.demo_rand(s, 'overlap' || g1.gid || ':' || g2.gid)) x
    LOOP
        band := ST_CollectionExtract(ST_Intersection(
                    ST_Intersection((SELECT geom FROM t_grid WHERE gid = b.g2),
                                    ST_Buffer(b.shared, pg_temp.demo_deg(40))),
                    (SELECT pg_temp.demo_inner(geom, 60) FROM t_vill WHERE code = b.village_code)), 3);
        UPDATE t_grid SET geom = ST_Multi(ST_CollectionExtract(ST_Union(geom, band), 3))
        WHERE gid = b.g1;
        INSERT INTO t_plant VALUES ('overlapping_grids', b.g1, b.g2, NULL, NULL, b.village_code,
                                    'overlap of about ' ||
                                    round(ST_Area(band::geography)) || ' m²');
        used := used || b.village_code;
    END LOOP;
    IF (SELECT count(*) FROM t_plant WHERE kind = 'overlapping_grids') < 2 THEN
        RAISE EXCEPTION 'demo: found no neighbouring grids to make overlap';
    END IF;

    -- 3. gaps: a hole in one grid of a community and of a village, clear of key places,
    --    village centres and the border, so that only the hole is wrong there
    FOR b IN
        SELECT DISTINCT ON (g.kind) g.gid, g.village_code, g.kind, p.pt,
               CASE WHEN g.kind = 'community' THEN 80 ELSE 150 END AS r
        FROM t_grid g
        JOIN t_vill v ON v.code = g.village_code
        CROSS JOIN LATERAL (
            SELECT d.geom AS pt, d.path[1] AS k
            FROM ST_Dump(ST_GeneratePoints(g.geom, 12, pg_temp.demo_iseed(s, 'hole' || g.gid))) d) p
        WHERE g.kind IN ('community', 'base') AND v.code <> ALL (used)
          AND (SELECT count(*) FROM t_grid g2 WHERE g2.village_code = g.village_code) >= 2
          AND ST_Within(pg_temp.demo_disc(p.pt, 200, 4), g.geom)
          AND NOT EXISTS (SELECT 1 FROM t_kp k WHERE ST_DWithin(k.geom, p.pt, pg_temp.demo_deg(400)))
          AND NOT ST_DWithin(v.site, p.pt, pg_temp.demo_deg(400))
        ORDER BY g.kind, pg_temp.demo_rand(s, 'gap' || g.gid), p.k
    LOOP
        hole := pg_temp.demo_disc(b.pt, b.r, 8);
        UPDATE t_grid SET geom = ST_Multi(ST_Difference(geom, hole)) WHERE gid = b.gid;
        INSERT INTO t_plant VALUES ('village_gap', b.gid, NULL, NULL, NULL, b.village_code,
                                    'hole of about ' || round(ST_Area(hole::geography)) ||
                                    ' m² that no grid covers');
        used := used || b.village_code;
    END LOOP;
    IF (SELECT count(*) FROM t_plant WHERE kind = 'village_gap') < 2 THEN
        RAISE EXCEPTION 'demo: found no room for the planted gaps';
    END IF;

    -- 4. schools without a dedicated grid: the middle school nearest the over-full grid (the
    --    planner's journey draws one round it) and a village school
    INSERT INTO t_plant (kind, kp_id, note)
    SELECT 'school_without_dedicated_grid', k.kp_id, 'middle school near the over-full grid'
    FROM t_kp k, t_grid g
    WHERE g.gid = a.g1 AND k.category = 'school' AND k.name LIKE '%中学'
    ORDER BY ST_Distance(k.pt, g.geom), k.kp_id LIMIT 1;
    INSERT INTO t_plant (kind, kp_id, note)
    SELECT 'school_without_dedicated_grid', k.kp_id, 'village primary school'
    FROM t_kp k WHERE k.category = 'school' AND k.kp_id >= 100000
    ORDER BY pg_temp.demo_rand(s, 'noded' || k.kp_id) LIMIT 1;
    UPDATE t_kp SET ded = NULL
    WHERE kp_id IN (SELECT kp_id FROM t_plant WHERE kind = 'school_without_dedicated_grid');

    -- 5. a school without video and one without a one-button alarm (Art. 44)
    INSERT INTO t_plant (kind, kp_id, note)
    SELECT x.kind, x.kp_id, x.note FROM (
        SELECT CASE WHEN row_number() OVER (ORDER BY pg_temp.demo_rand(s, 'novideo' || k.kp_id)) = 1
                    THEN 'school_without_video' ELSE 'school_without_alarm' END AS kind,
               k.kp_id,
               CASE WHEN row_number() OVER (ORDER BY pg_temp.demo_rand(s, 'novideo' || k.kp_id)) = 1
                    THEN 'no video surveillance (Art. 17, 44)'
                    ELSE 'no one-button alarm (Art. 44)' END AS note
        FROM t_kp k
        WHERE k.category = 'school'
          AND k.kp_id NOT IN (SELECT kp_id FROM t_plant WHERE kp_id IS NOT NULL)
        ORDER BY pg_temp.demo_rand(s, 'novideo' || k.kp_id) LIMIT 2) x;
    UPDATE t_kp SET cams = 0
    WHERE kp_id IN (SELECT kp_id FROM t_plant WHERE kind = 'school_without_video');
END $$;

-- @step dedicated
-- Dedicated grids sit on top: a campus and 20 m round it, inside its village by
-- construction (the site check left room); the industrial park is already clipped.
INSERT INTO t_grid (gid, village_code, kind, unit_type, kp_id, geom)
SELECT 1000000 + k.kp_id, k.village_code, 'dedicated', k.ded, k.kp_id,
       CASE WHEN k.category = 'industrial_park' THEN k.geom
            ELSE ST_Multi(pg_temp.demo_rect(k.pt, k.len_m + 40, k.wid_m + 40, k.angle)) END
FROM t_kp k WHERE k.ded IS NOT NULL;
CREATE INDEX ON t_grid USING gist (geom);
ANALYZE t_grid;

-- @step hazards
-- Hazards of every family the regulations name, at seeded points of the townships (never in
-- a planted hole: every hazard lies in some grid), with grades, statuses and dates that hang
-- together. Open hazards keep their deadlines ahead; only planted ones are overdue.
DROP TABLE IF EXISTS t_haz;
CREATE TEMP TABLE t_haz ON COMMIT DROP AS
WITH c AS (
    SELECT a.seed, j.name AS cn, pg_temp.demo_short(j.name) AS cs,
           CASE left(a.county, 4) WHEN '3601' THEN '赣江' WHEN '3602' THEN '昌江'
                WHEN '3603' THEN '渌水' WHEN '3604' THEN '修河' WHEN '3605' THEN '袁河'
                WHEN '3606' THEN '信江' WHEN '3607' THEN '贡江' WHEN '3608' THEN '赣江'
                WHEN '3609' THEN '锦江' WHEN '3610' THEN '抚河' ELSE '饶河' END AS river
    FROM demo_arg a JOIN jurisdictions j ON j.code = a.county),
fam(fam, lo, hi, rural_only, street_only) AS (VALUES
    ('geo', 6, 16, true, false), ('acc', 10, 20, false, false), ('dg', 1, 4, false, false),
    ('flood', 0, 3, true, false), ('river', 0, 1, true, false), ('fire', 1, 4, false, false),
    ('traffic', 0, 2, false, false), ('security', 1, 1, false, true)),
raw AS (
    SELECT f.fam, t.code AS town_code, t.name AS town_name, d.path[1] AS k, d.geom AS pt
    FROM t_town t CROSS JOIN c CROSS JOIN fam f
    CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(t.geom,
        greatest(1, pg_temp.demo_int(c.seed, f.fam || 'n' || t.code, f.lo, f.hi)),
        pg_temp.demo_iseed(c.seed, f.fam || 'pts' || t.code))) d
    WHERE (NOT f.rural_only OR t.kind <> 'street') AND (NOT f.street_only OR t.kind = 'street')
      AND d.path[1] <= pg_temp.demo_int(c.seed, f.fam || 'n' || t.code, f.lo, f.hi)
    UNION ALL
    SELECT 'acc', 'park', NULL, d.path[1], d.geom
    FROM t_kp p CROSS JOIN c
    CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(p.geom, 18, pg_temp.demo_iseed(c.seed, 'parkacc'))) d
    WHERE p.category = 'industrial_park'),
placed AS (
    SELECT DISTINCT ON (raw.fam, raw.town_code, raw.k) raw.*, v.code AS village_code, v.label
    FROM raw
    JOIN t_vill v ON ST_Intersects(v.geom, raw.pt)
    -- inside some community or base grid: never in a planted hole
    WHERE EXISTS (SELECT 1 FROM t_grid g WHERE g.kind <> 'dedicated' AND ST_Intersects(g.geom, raw.pt))
    ORDER BY raw.fam, raw.town_code, raw.k, v.code),
drawn AS (
    SELECT placed.*, c.*,
           pg_temp.demo_rand(c.seed, concat('h1', fam, town_code, k)) AS r1,
           pg_temp.demo_rand(c.seed, concat('h2', fam, town_code, k)) AS r2,
           pg_temp.demo_rand(c.seed, concat('h3', fam, town_code, k)) AS r3,
           pg_temp.demo_rand(c.seed, concat('h4', fam, town_code, k)) AS r4,
           pg_temp.demo_rand(c.seed, concat('h5', fam, town_code, k)) AS r5,
           pg_temp.demo_int(c.seed, concat('found', fam, town_code, k), 5, 540) AS age_days,
           pg_temp.demo_pick(c.seed, concat('co1', fam, town_code, k), ARRAY[
               '恒达', '鑫源', '华宇', '金诚', '宏远', '瑞丰', '天成', '永盛', '嘉禾', '中联',
               '赣新', '洪昌', '博晟', '安泰', '兴旺', '富民', '明辉', '利民', '佳通', '润泽']) ||
           pg_temp.demo_pick(c.seed, concat('co2', fam, town_code, k), ARRAY[
               '建材', '化工', '机械', '纺织', '食品', '陶瓷', '钢构', '新材料', '电子', '塑业',
               '木业', '物流', '矿业', '光伏', '锂电']) AS company
    FROM placed CROSS JOIN c),
geo AS (
    SELECT drawn.*,
           CASE WHEN r1 < 0.55 THEN 'landslide' WHEN r1 < 0.80 THEN 'collapse'
                WHEN r1 < 0.90 THEN 'debris_flow' ELSE 'subsidence' END AS gcat,
           CASE WHEN r2 < 0.50 THEN 'small' WHEN r2 < 0.80 THEN 'medium'
                WHEN r2 < 0.95 THEN 'large' ELSE 'extra_large' END AS dlevel
    FROM drawn WHERE fam = 'geo')
SELECT 'geo' AS fam, gcat AS category,
       label || pg_temp.demo_pick(seed, concat('place', town_code, k), ARRAY[
           '后山', '山背', '老屋', '上屋', '下屋', '坳背', '岭下', '坑口', '塘边', '石门']) ||
           CASE gcat WHEN 'landslide' THEN '滑坡' WHEN 'collapse' THEN '崩塌'
                     WHEN 'debris_flow' THEN '泥石流' ELSE '地面塌陷' END || '隐患点' AS name,
       CASE dlevel WHEN 'small' THEN (CASE WHEN r3 < 0.8 THEN 'blue' ELSE 'yellow' END)
                   WHEN 'medium' THEN (CASE WHEN r3 < 0.7 THEN 'yellow' ELSE 'orange' END)
                   WHEN 'large' THEN (CASE WHEN r3 < 0.6 THEN 'orange' ELSE 'red' END)
                   ELSE 'red' END AS risk_grade,
       dlevel AS danger_level, NULL::text AS accident_grade,
       '约' || round((0.2 + 9.8 * r4 * r4)::numeric, 1) || '万立方米' AS scale,
       CASE WHEN r5 < 0.15 THEN 'reported' WHEN r5 < 0.70 THEN 'confirmed'
            WHEN r5 < 0.82 THEN 'rectifying' WHEN r5 < 0.92 THEN 'rectified' ELSE 'closed' END AS status,
       current_date - age_days AS found_on,
       CASE WHEN r5 >= 0.70 AND r5 < 0.82 THEN current_date + 30 + (r4 * 300)::int END AS deadline,
       town_name || '人民政府' AS responsible_unit,
       CASE dlevel WHEN 'small' THEN 5 + (r4 * 94)::int WHEN 'medium' THEN 100 + (r4 * 399)::int
                   WHEN 'large' THEN 500 + (r4 * 499)::int ELSE 1000 + (r4 * 600)::int END AS persons,
       CASE dlevel WHEN 'small' THEN 50 + r3 * 449 WHEN 'medium' THEN 500 + r3 * 4499
                   WHEN 'large' THEN 5000 + r3 * 4999 ELSE 10000 + r3 * 10000 END AS property,
       village_code, pt AS geom,
       ST_Multi(pg_temp.demo_local(ST_Rotate(ST_Scale(ST_Buffer(ST_MakePoint(0.5, 0), 1, 8),
                    CASE dlevel WHEN 'small' THEN 120 WHEN 'medium' THEN 220 WHEN 'large' THEN 350 ELSE 500 END,
                    CASE dlevel WHEN 'small' THEN 70 WHEN 'medium' THEN 130 WHEN 'large' THEN 200 ELSE 280 END),
                    2 * pi() * r1), pt)) AS influence_zone,
       k, town_code
FROM geo
UNION ALL
SELECT 'acc', 'accident',
       '江西' || company || '有限公司' || pg_temp.demo_pick(seed, concat('issue', town_code, k), ARRAY[
           '配电箱未接地', '消防通道堵塞', '有限空间作业未审批', '粉尘防爆措施缺失', '危化品储存超量',
           '安全出口锁闭', '特种设备未年检', '脚手架搭设不规范', '员工宿舍违规设置', '机械防护罩缺失',
           '液化气瓶使用不规范', '高处作业无防护']),
       CASE WHEN r1 < 0.12 THEN (CASE WHEN r2 < 0.6 THEN 'red' ELSE 'orange' END)
            ELSE (CASE WHEN r2 < 0.5 THEN 'yellow' ELSE 'blue' END) END,
       NULL, CASE WHEN r1 < 0.12 THEN 'major' ELSE 'general' END, NULL,
       CASE WHEN r5 < 0.10 THEN 'reported' WHEN r5 < 0.35 THEN 'confirmed'
            WHEN r5 < 0.60 THEN 'rectifying' WHEN r5 < 0.85 THEN 'rectified'
            WHEN r5 < 0.95 THEN 'closed' ELSE 'rejected' END,
       current_date - age_days,
       CASE WHEN r5 >= 0.60 THEN current_date - age_days + 7 + (r3 * 60)::int
            WHEN r1 < 0.12 THEN greatest(current_date - age_days + 90 + (r3 * 90)::int,
                                         current_date + 15 + (r4 * 100)::int)
            ELSE greatest(current_date - age_days + 7 + (r3 * 30)::int,
                          current_date + 7 + (r4 * 50)::int) END,
       '江西' || company || '有限公司',
       CASE WHEN r1 < 0.12 THEN 20 + (r4 * 280)::int ELSE (r4 * 80)::int END,
       CASE WHEN r1 < 0.12 THEN 100 + r3 * 2000 END,
       village_code, pt,
       CASE WHEN r1 < 0.12 THEN ST_Multi(pg_temp.demo_disc(pt, 100 + 200 * r3, 8)) END,
       k, town_code
FROM drawn WHERE fam = 'acc'
UNION ALL
SELECT 'dg', 'dangerous_goods',
       CASE WHEN r1 < 0.5 THEN pg_temp.demo_short(coalesce(town_name, cn)) || '加油站'
            WHEN r1 < 0.8 THEN pg_temp.demo_short(coalesce(town_name, cn)) || '液化气供应站'
            ELSE '江西' || company || '有限公司化工仓库' END,
       CASE WHEN r2 < 0.5 THEN 'orange' ELSE 'yellow' END, NULL, NULL,
       '储量约' || (5 + (r4 * 95)::int) || '吨',
       CASE WHEN r5 < 0.7 THEN 'confirmed' ELSE 'rectified' END,
       current_date - age_days, NULL::date, cn || '应急管理局',
       50 + (r4 * 450)::int, 200 + r3 * 3000, village_code, pt,
       ST_Multi(pg_temp.demo_disc(pt, 150 + 350 * r3, 8)), k, town_code
FROM drawn WHERE fam = 'dg'
UNION ALL
SELECT 'flood', 'flood', label || '低洼易涝区',
       CASE WHEN r2 < 0.3 THEN 'orange' WHEN r2 < 0.7 THEN 'yellow' ELSE 'blue' END, NULL, NULL,
       NULL, 'confirmed', current_date - age_days, NULL, cn || '水利局',
       100 + (r4 * 700)::int, 300 + r3 * 5000, village_code, pt,
       ST_Multi(pg_temp.demo_local(ST_Rotate(ST_Scale(ST_Buffer(ST_MakePoint(0, 0), 1, 8),
                    300 + 500 * r3, 150 + 250 * r4), pi() * r1), pt)), k, town_code
FROM drawn WHERE fam = 'flood'
UNION ALL
SELECT 'river', 'river_basin', river || label || '段堤防险段',
       CASE WHEN r2 < 0.4 THEN 'red' ELSE 'orange' END, NULL, NULL,
       '堤长约' || round((0.6 + r4 * 0.9)::numeric, 1) || '公里',
       CASE WHEN r5 < 0.6 THEN 'confirmed' ELSE 'rectifying' END,
       current_date - age_days,
       CASE WHEN r5 >= 0.6 THEN current_date + 60 + (r3 * 200)::int END, cn || '水利局',
       500 + (r4 * 2000)::int, 2000 + r3 * 20000, village_code,
       ST_MakeLine(pt, pg_temp.demo_offset(pt, (600 + 900 * r4) * cos(2 * pi() * r1),
                                               (600 + 900 * r4) * sin(2 * pi() * r1))),
       NULL, k, town_code
FROM drawn WHERE fam = 'river'
UNION ALL
SELECT fam,
       CASE fam WHEN 'fire' THEN 'fire' WHEN 'traffic' THEN 'traffic' ELSE 'public_security' END,
       CASE fam WHEN 'fire' THEN label || CASE WHEN label LIKE '%村' THEN '民房集中区消防隐患'
                                               ELSE '老旧小区消防隐患' END
                WHEN 'traffic' THEN pg_temp.demo_short(town_name) ||
                     pg_temp.demo_pick(seed, concat('road', town_code, k), ARRAY[
                         '人民路', '建设路', '胜利路', '解放路', '团结路', '新华路', '长青路']) ||
                     '路口交通安全隐患'
                ELSE label || '治安重点区域' END,
       CASE WHEN r2 < 0.15 THEN 'orange' WHEN r2 < 0.6 THEN 'yellow' ELSE 'blue' END, NULL, NULL,
       NULL,
       CASE WHEN r5 < 0.2 THEN 'reported' WHEN r5 < 0.5 THEN 'confirmed'
            WHEN r5 < 0.7 THEN 'rectifying' WHEN r5 < 0.9 THEN 'rectified' ELSE 'closed' END,
       current_date - age_days,
       CASE WHEN r5 >= 0.5 AND r5 < 0.7 THEN current_date + 10 + (r3 * 80)::int END,
       CASE fam WHEN 'fire' THEN cn || '消防救援大队'
                WHEN 'traffic' THEN cn || '公安局交通管理大队'
                ELSE cn || '公安局' || pg_temp.demo_short(town_name) || '派出所' END,
       (r4 * 200)::int, NULL, village_code,
       CASE WHEN fam = 'security' THEN pg_temp.demo_disc(pt, 150, 4) ELSE pt END,
       NULL, k, town_code
FROM drawn WHERE fam IN ('fire', 'traffic', 'security');
ALTER TABLE t_haz ADD COLUMN hz_id int;
UPDATE t_haz h SET hz_id = n.rn
FROM (SELECT fam, town_code, k, row_number() OVER (ORDER BY fam, town_code, k)::int AS rn FROM t_haz) n
WHERE n.fam = h.fam AND n.town_code = h.town_code AND n.k = h.k;

-- the hazards the journeys need (demo county only): major accident hazards past their
-- deadline, and a landslide 300 m from a village school, inside its influence zone
DO $$
DECLARE
    s bigint;
    sc record;
BEGIN
    IF NOT (SELECT plant FROM demo_arg) THEN
        RETURN;
    END IF;
    SELECT seed INTO s FROM demo_arg;
    WITH pick AS (
        SELECT hz_id, row_number() OVER (ORDER BY pg_temp.demo_rand(s, 'late' || hz_id)) AS n
        FROM t_haz WHERE category = 'accident' AND town_code = 'park'
        ORDER BY pg_temp.demo_rand(s, 'late' || hz_id) LIMIT 3)
    UPDATE t_haz h SET accident_grade = 'major', risk_grade = CASE WHEN p.n = 2 THEN 'orange' ELSE 'red' END,
                       status = CASE WHEN p.n = 3 THEN 'confirmed' ELSE 'rectifying' END,
                       found_on = current_date - 200 - 20 * p.n::int,
                       deadline = current_date - 10 - 20 * p.n::int,
                       persons = 60 + 40 * p.n::int, property = 500 * p.n,
                       influence_zone = ST_Multi(pg_temp.demo_disc(h.geom, 200, 8))
    FROM pick p WHERE p.hz_id = h.hz_id;
    INSERT INTO t_plant (kind, hz_id, note)
    SELECT 'hazard_past_deadline', hz_id, 'major accident hazard, deadline ' || deadline || ' passed'
    FROM t_haz WHERE deadline < current_date AND status IN ('reported', 'confirmed', 'rectifying');

    SELECT k.kp_id, k.pt, k.name, v.code AS village_code, v.label, d.dir INTO sc
    FROM t_kp k
    CROSS JOIN generate_series(0, 7) AS d(dir)
    JOIN t_vill v ON ST_Intersects(v.geom, pg_temp.demo_offset(k.pt, 300 * cos(d.dir * pi() / 4),
                                                                     300 * sin(d.dir * pi() / 4)))
    WHERE k.category = 'school' AND k.kp_id >= 100000
      AND k.kp_id NOT IN (SELECT kp_id FROM t_plant WHERE kp_id IS NOT NULL)
      AND EXISTS (SELECT 1 FROM t_grid g WHERE g.kind <> 'dedicated'
                  AND ST_Intersects(g.geom, pg_temp.demo_offset(k.pt, 300 * cos(d.dir * pi() / 4),
                                                                      300 * sin(d.dir * pi() / 4))))
    ORDER BY pg_temp.demo_rand(s, 'nearschool' || k.kp_id), d.dir LIMIT 1;
    IF sc IS NULL THEN
        RAISE EXCEPTION 'demo: found no village school for the landslide of journey 3';
    END IF;
    INSERT INTO t_haz (hz_id, fam, category, name, risk_grade, danger_level, scale, status, found_on,
                       responsible_unit, persons, property, village_code, geom, influence_zone,
                       k, town_code)
    SELECT (SELECT max(hz_id) + 1 FROM t_haz), 'geo', 'landslide', sc.label || '后山滑坡隐患点', 'red', 'large', '约6.5万立方米',
           'confirmed', current_date - 3,
           (SELECT t.name FROM t_vill v JOIN t_town t ON t.code = v.town_code
            WHERE v.code = sc.village_code) || '人民政府',
           620, 8000, sc.village_code, p.pt, ST_Multi(pg_temp.demo_disc(p.pt, 450, 8)), 0, 'plant'
    FROM (SELECT pg_temp.demo_offset(sc.pt, 300 * cos(sc.dir * pi() / 4),
                                     300 * sin(sc.dir * pi() / 4)) AS pt) p;
    INSERT INTO t_plant (kind, hz_id, kp_id, note)
    SELECT 'hazard_near_school', (SELECT max(hz_id) FROM t_haz), sc.kp_id,
           'landslide 300 m from ' || sc.name || ', which lies in its influence zone';
END $$;

-- @step cameras
-- Cameras (Art. 17) round the key places that have video, looking in at them, and at the
-- entrances of communities and villages; codes in the GB/T 28181 20-digit style.
DROP TABLE IF EXISTS t_cam;
CREATE TEMP TABLE t_cam ON COMMIT DROP AS
WITH c AS (SELECT a.seed FROM demo_arg a),
kp AS (
    SELECT k.kp_id, k.name, k.pt, k.cams,
           CASE WHEN k.len_m > 0 THEN sqrt(k.len_m * k.len_m + k.wid_m * k.wid_m) / 2 ELSE 40 END AS reach
    FROM t_kp k WHERE k.cams > 0),
at_kp AS (
    SELECT kp.name || CASE WHEN n.i = 1 THEN '大门' ELSE '周界' || (n.i - 1) END || '摄像机' AS name,
           pg_temp.demo_offset(kp.pt, kp.reach * 0.9 * cos(ang), kp.reach * 0.9 * sin(ang)) AS geom,
           kp.pt AS target, 60 + 50 * pg_temp.demo_rand(c.seed, concat('fov', kp.kp_id, ':', n.i)) AS fov,
           greatest(30, least(150, kp.reach * 1.5)) AS range_m, kp.kp_id, n.i
    FROM kp CROSS JOIN c
    CROSS JOIN LATERAL generate_series(1, kp.cams) AS n(i)
    CROSS JOIN LATERAL (SELECT 2 * pi() * (n.i - 1) / kp.cams
                               + pg_temp.demo_rand(c.seed, concat('cang', kp.kp_id)) AS ang) a),
at_vill AS (
    SELECT v.label || CASE WHEN n.i = 1 THEN '入口' ELSE '主干道' END || '摄像机' AS name,
           pg_temp.demo_offset(v.site, 25 * n.i, 15) AS geom, NULL::geometry AS target,
           CASE WHEN n.i = 1 THEN 90 ELSE 360 END AS fov, CASE WHEN n.i = 1 THEN 60 ELSE 120 END AS range_m,
           NULL::int AS kp_id, n.i, v.code
    FROM t_vill v CROSS JOIN c
    CROSS JOIN LATERAL generate_series(1, CASE WHEN v.kind = 'community' THEN 2 ELSE 1 END) AS n(i)
    WHERE v.kind = 'community' OR pg_temp.demo_rand(c.seed, 'vcam' || v.code) < 0.7)
SELECT x.name, x.geom, x.fov, x.range_m,
       CASE WHEN x.target IS NULL
            THEN floor(360 * pg_temp.demo_rand(c.seed, concat('cdir', x.name, x.i)))
            ELSE mod(degrees(ST_Azimuth(x.geom, x.target))::numeric, 360)::float8 END AS direction_deg,
       v.code AS village_code, x.kp_id, x.vcode, x.i
FROM (SELECT name, geom, target, fov, range_m, kp_id, NULL AS vcode, i FROM at_kp
      UNION ALL SELECT name, geom, target, fov, range_m, kp_id, code, i FROM at_vill) x
CROSS JOIN c
LEFT JOIN LATERAL (SELECT v.code FROM t_vill v WHERE ST_Intersects(v.geom, x.geom)
                   ORDER BY v.code LIMIT 1) v ON true;

-- @step households
-- Units that a grid's edge would cut (the planted overlaps and holes move edges) are left
-- out, so that "inside a grid" means the same whichever test the analysis uses; then each
-- grid counts the households and residents of the units inside it.
DELETE FROM t_unit u
USING t_grid g
WHERE g.geom && u.geom AND ST_Intersects(g.geom, u.geom) AND NOT ST_ContainsProperly(g.geom, u.geom);
UPDATE t_grid g SET households = s.h, residents = s.r
FROM (SELECT g.gid, sum(u.households) AS h, sum(u.residents) AS r
      FROM t_grid g JOIN t_unit u ON ST_Intersects(g.geom, u.pt) GROUP BY g.gid) s
WHERE s.gid = g.gid;

-- codes: village code + 3-digit serial, community and base grids first, north to south
WITH n AS (
    SELECT g.gid,
           row_number() OVER (PARTITION BY g.village_code
                              ORDER BY g.kind = 'dedicated', p.y DESC, p.x, g.gid) AS serial,
           row_number() OVER (PARTITION BY g.village_code, g.kind = 'dedicated'
                              ORDER BY p.y DESC, p.x, g.gid) AS nth
    FROM t_grid g
    CROSS JOIN LATERAL (SELECT round(ST_Y(q)::numeric, 3) AS y, ST_X(q) AS x
                        FROM ST_PointOnSurface(g.geom) AS q) p),
named AS (
    SELECT n.gid, n.serial,
           CASE WHEN g.kind = 'dedicated' THEN k.name || '专属网格'
                ELSE v.label || '第' || n.nth || '网格' END AS name
    FROM n JOIN t_grid g ON g.gid = n.gid JOIN t_vill v ON v.code = g.village_code
    LEFT JOIN t_kp k ON k.kp_id = g.kp_id)
UPDATE t_grid g SET code = g.village_code || lpad(named.serial::text, 3, '0'), name = named.name
FROM named WHERE named.gid = g.gid;

-- @step workers
-- One primary worker a grid, some with an assistant: full-time in community grids (Art. 15),
-- full- or part-time in base grids, the unit's own staff in dedicated grids. Names and
-- phone numbers are drawn from common characters and digits: fake, but they read right.
-- The planted staffing faults: three community grids with only a part-time worker, and a
-- base and a dedicated grid with nobody.
INSERT INTO t_plant (kind, gid, note)
SELECT 'community_grid_without_full_time_worker', g.gid,
       'only a part-time worker; Art. 15 wants a full-time one'
FROM t_grid g, demo_arg a
WHERE a.plant AND g.kind = 'community'
  AND g.gid NOT IN (SELECT gid FROM t_plant WHERE gid IS NOT NULL
                    UNION SELECT gid2 FROM t_plant WHERE gid2 IS NOT NULL)
ORDER BY pg_temp.demo_rand(a.seed, 'noft' || g.gid) LIMIT 3;
INSERT INTO t_plant (kind, gid, note)
SELECT DISTINCT ON (g.kind) 'grid_without_worker', g.gid, 'no worker assigned'
FROM t_grid g, demo_arg a
WHERE a.plant AND g.kind IN ('base', 'dedicated')
  AND g.gid NOT IN (SELECT gid FROM t_plant WHERE gid IS NOT NULL
                    UNION SELECT gid2 FROM t_plant WHERE gid2 IS NOT NULL)
ORDER BY g.kind, pg_temp.demo_rand(a.seed, 'nobody' || g.gid);

DROP TABLE IF EXISTS t_work;
CREATE TEMP TABLE t_work ON COMMIT DROP AS
WITH c AS (SELECT a.seed FROM demo_arg a),
plan AS (
    SELECT g.gid, g.code, g.kind, g.village_code, r.role,
           CASE WHEN r.role = 'assistant' THEN 'part_time'
                WHEN g.kind = 'community' AND NOT EXISTS (
                    SELECT 1 FROM t_plant p WHERE p.gid = g.gid
                      AND p.kind = 'community_grid_without_full_time_worker') THEN 'full_time'
                WHEN g.kind = 'base' AND pg_temp.demo_rand(c.seed, 'ft' || g.code) < 0.35 THEN 'full_time'
                ELSE 'part_time' END AS employment
    FROM t_grid g CROSS JOIN c
    CROSS JOIN (VALUES ('primary'), ('assistant')) AS r(role)
    WHERE (r.role = 'primary'
           OR pg_temp.demo_rand(c.seed, 'asst' || g.code)
              < CASE g.kind WHEN 'community' THEN 0.3 WHEN 'base' THEN 0.2 ELSE 0 END)
      AND NOT EXISTS (SELECT 1 FROM t_plant p WHERE p.gid = g.gid AND p.kind = 'grid_without_worker')
    ORDER BY g.code, r.role DESC)
SELECT nextval(pg_get_serial_sequence('grid_workers', 'id')) AS id, plan.*,
       pg_temp.demo_pick(c.seed, 'sn' || plan.code || plan.role, ARRAY[
           '刘', '李', '王', '张', '陈', '胡', '黄', '罗', '吴', '杨', '熊', '周', '徐', '邓', '曾',
           '彭', '邹', '万', '朱', '肖', '钟', '赖', '谢', '郭', '何', '付', '余', '廖', '袁', '龚',
           '聂', '傅', '程', '江', '晏', '简', '敖', '习', '严', '付']) ||
       pg_temp.demo_pick(c.seed, 'gn1' || plan.code || plan.role, ARRAY[
           '建', '志', '晓', '海', '春', '秀', '国', '文', '小', '丽', '明', '金', '玉', '红', '卫',
           '德', '新', '永', '桂', '俊', '雪', '思', '家', '宇', '子']) ||
       CASE WHEN pg_temp.demo_rand(c.seed, 'gl' || plan.code || plan.role) < 0.75
            THEN pg_temp.demo_pick(c.seed, 'gn2' || plan.code || plan.role, ARRAY[
                '华', '强', '平', '英', '芳', '军', '明', '梅', '燕', '兰', '峰', '萍', '辉', '琴',
                '勇', '霞', '波', '涛', '敏', '杰', '鹏', '婷', '林', '斌', '红', '生', '珍'])
            ELSE '' END AS name,
       '1' || pg_temp.demo_pick(c.seed, 'ph' || plan.code || plan.role, ARRAY[
           '33', '35', '36', '37', '38', '39', '50', '51', '52', '57', '58', '59', '77', '80', '81',
           '82', '87', '88', '89', '91', '98', '99']) || ' ' ||
           lpad(pg_temp.demo_int(c.seed, 'p1' || plan.code || plan.role, 0, 9999)::text, 4, '0') || ' ' ||
           lpad(pg_temp.demo_int(c.seed, 'p2' || plan.code || plan.role, 0, 9999)::text, 4, '0') AS phone,
       CASE WHEN plan.kind = 'dedicated' THEN '专属网格员（单位安保负责人）：单位内部巡查、隐患报告、信息报送'
            WHEN plan.employment = 'full_time' THEN '专职网格员：信息采集、巡查走访、矛盾纠纷排查、安全隐患排查、突发事件报告'
            ELSE '兼职网格员（村（居）民小组长）：巡查走访、信息报送、协助调解' END AS duty,
       current_date - pg_temp.demo_int(c.seed, 'since' || plan.code || plan.role, 30, 1500) AS since
FROM plan CROSS JOIN c;

-- @step write
-- Everything into the real tables, in this one transaction (the history triggers record the
-- actor 'demo').
UPDATE t_kp k SET code = 'KP' || left(a.county, 6) || lpad(n.rn::text, 5, '0')
FROM demo_arg a, (SELECT kp_id, row_number() OVER (ORDER BY kp_id) AS rn FROM t_kp) n
WHERE n.kp_id = k.kp_id;

INSERT INTO population_units (code, name, kind, households, residents, floors, village_code, geom)
SELECT u.village_code || '-' || CASE u.kind WHEN 'building' THEN 'B' ELSE 'G' END ||
           lpad(u.serial::text, 4, '0'),
       CASE u.kind WHEN 'building' THEN u.label || u.serial || '栋'
                   ELSE u.label || '第' || u.serial || '村民小组' END,
       u.kind, u.households, u.residents, u.floors, u.village_code, u.geom
FROM t_unit u ORDER BY u.uid;

-- ids are drawn here so that nothing below joins the real tables, whose statistics inside
-- this long transaction still say they are empty (a join on them plans as a scan per row)
UPDATE t_grid g SET id = n.id
FROM (SELECT gid, nextval(pg_get_serial_sequence('grids', 'id')) AS id
      FROM (SELECT gid FROM t_grid ORDER BY code) o) n
WHERE n.gid = g.gid;
INSERT INTO grids (id, code, name, kind, village_code, unit_type, households, residents, geom)
SELECT g.id, g.code, g.name, g.kind, g.village_code, g.unit_type, g.households, g.residents, g.geom
FROM t_grid g ORDER BY g.code;

INSERT INTO key_places (code, name, category, village_code, security_staff, has_video, has_alarm,
                        has_emergency_plan, geom)
SELECT k.code, k.name, k.category,
       coalesce(k.village_code, CASE WHEN k.category <> 'railway' THEN
           (SELECT v.code FROM t_vill v WHERE ST_Intersects(v.geom, k.pt) ORDER BY v.code LIMIT 1) END),
       CASE WHEN k.category = 'school' AND k.name ~ '(中学|职业)' THEN pg_temp.demo_int(a.seed, 'st' || k.kp_id, 3, 6)
            WHEN k.category = 'school' THEN pg_temp.demo_int(a.seed, 'st' || k.kp_id, 1, 3)
            WHEN k.category = 'kindergarten' THEN pg_temp.demo_int(a.seed, 'st' || k.kp_id, 1, 2)
            WHEN k.category = 'hospital' THEN pg_temp.demo_int(a.seed, 'st' || k.kp_id, 2, 8)
            WHEN k.category = 'detention' THEN 12
            WHEN k.category IN ('station', 'commercial_center', 'industrial_park')
                THEN pg_temp.demo_int(a.seed, 'st' || k.kp_id, 4, 12)
            WHEN k.category IN ('railway', 'urban_village', 'urban_rural_fringe', 'heritage_site') THEN 0
            ELSE pg_temp.demo_int(a.seed, 'st' || k.kp_id, 0, 3) END,
       CASE WHEN k.category IN ('school', 'kindergarten')
            THEN NOT EXISTS (SELECT 1 FROM t_plant p WHERE p.kp_id = k.kp_id AND p.kind = 'school_without_video')
            ELSE k.cams > 0 END,
       CASE WHEN k.category IN ('school', 'kindergarten')
            THEN NOT EXISTS (SELECT 1 FROM t_plant p WHERE p.kp_id = k.kp_id AND p.kind = 'school_without_alarm')
            WHEN k.category IN ('hospital', 'detention', 'government', 'station') THEN true
            WHEN k.category IN ('railway', 'urban_village', 'urban_rural_fringe') THEN false
            ELSE pg_temp.demo_rand(a.seed, 'alarm' || k.kp_id) < 0.6 END,
       CASE WHEN k.category IN ('school', 'kindergarten', 'hospital', 'detention', 'station',
                                'elderly_care', 'child_welfare', 'public_event') THEN true
            ELSE pg_temp.demo_rand(a.seed, 'plan' || k.kp_id) < 0.7 END,
       k.geom
FROM t_kp k CROSS JOIN demo_arg a ORDER BY k.kp_id;

-- hazards wait in demo_pending_hazards for demo_finish.sql (see there why)
INSERT INTO demo_pending_hazards (code, name, category, risk_grade, danger_level, accident_grade,
                                  scale, status, found_on, deadline, responsible_unit,
                                  threatened_households, threatened_persons, threatened_property,
                                  village_code, influence_zone, geom)
SELECT 'HZ' || left(a.county, 6) || lpad(h.hz_id::text, 5, '0'), h.name, h.category, h.risk_grade,
       h.danger_level, h.accident_grade, h.scale, h.status, h.found_on, h.deadline,
       h.responsible_unit,
       round(h.persons / (2.8 + 0.8 * pg_temp.demo_rand(a.seed, 'thh' || h.hz_id)))::int, h.persons,
       round(h.property::numeric, 2), h.village_code, h.influence_zone, h.geom
FROM t_haz h CROSS JOIN demo_arg a ORDER BY h.hz_id;

INSERT INTO cameras (code, name, village_code, direction_deg, fov_deg, range_m, geom)
SELECT left(a.county, 6) || '0000131' ||
           lpad(row_number() OVER (ORDER BY c.kp_id NULLS LAST, c.vcode, c.i, c.name)::text, 7, '0'),
       c.name, c.village_code, c.direction_deg, round(c.fov::numeric)::float8,
       round(c.range_m::numeric)::float8, c.geom
FROM t_cam c CROSS JOIN demo_arg a;

INSERT INTO grid_workers (id, name, employment, phone, jurisdiction_code, duty)
SELECT w.id, w.name, w.employment, w.phone, w.village_code, w.duty FROM t_work w ORDER BY w.id;
INSERT INTO grid_assignments (grid_id, worker_id, role, since)
SELECT g.id, w.id, w.role, w.since FROM t_work w JOIN t_grid g ON g.gid = w.gid;

INSERT INTO demo_planted (kind, ref, note)
SELECT p.kind,
       CASE WHEN p.kind = 'overlapping_grids' THEN g.code || '/' || g2.code
            WHEN p.kind = 'village_gap' THEN p.village_code
            WHEN p.hz_id IS NOT NULL THEN 'HZ' || left(a.county, 6) || lpad(p.hz_id::text, 5, '0')
            WHEN p.kp_id IS NOT NULL THEN k.code
            ELSE g.code END,
       CASE WHEN p.kind = 'overfull_grid' THEN g.households || ' households: two grids drawn as one'
            WHEN p.kind = 'village_gap' THEN p.note || ' (in grid ' || g.code || ')'
            WHEN p.kind = 'hazard_near_school' THEN p.note || ' (' || k.code || ')'
            WHEN p.kp_id IS NOT NULL THEN k.name || ': ' || p.note
            ELSE p.note END
FROM t_plant p CROSS JOIN demo_arg a
LEFT JOIN t_grid g ON g.gid = p.gid
LEFT JOIN t_grid g2 ON g2.gid = p.gid2
LEFT JOIN t_kp k ON k.kp_id = p.kp_id;
