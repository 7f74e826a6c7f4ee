-- Jurisdictions by name or code ($1, may be empty) and/or children of a parent ($2, may be
-- empty), or the one of level $5 that holds the point ($3 lon, $4 lat); at most 20, nearest
-- level first, exact names before partial ones. Each with its chain of parents and a bbox
-- (its own geometry's, else its grids').
WITH hits AS (
    SELECT j.code, j.name, j.level, j.kind, j.parent_code,
           CASE j.level WHEN 'province' THEN 1 WHEN 'city' THEN 2 WHEN 'county' THEN 3
                        WHEN 'township' THEN 4 ELSE 5 END AS rank,
           (j.name = $1 OR j.code = $1) AS exact
    FROM jurisdictions j
    WHERE ($1 = '' OR j.name LIKE '%' || $1 || '%' OR j.code LIKE $1 || '%')
      AND ($2 = '' OR j.parent_code = $2)
      AND ($3::text = '' OR (j.level = $5::text AND j.geom IS NOT NULL
                       AND ST_Intersects(j.geom, ST_SetSRID(ST_MakePoint($3::text::float8, $4::text::float8), 4490))))
      AND ($1 <> '' OR $2 <> '' OR $3 <> '')
    ORDER BY exact DESC, rank, j.code
    LIMIT 20
)
SELECT coalesce(json_agg(json_build_object(
           'code', h.code, 'name', h.name, 'level', h.level, 'kind', h.kind,
           'parent_code', h.parent_code,
           'path', (SELECT json_agg(json_build_object('code', p.code, 'name', p.name, 'level', p.level)
                                    ORDER BY p.code)
                    FROM jurisdictions p
                    WHERE p.code IN (rpad(left(h.code, 2), 12, '0'), rpad(left(h.code, 4), 12, '0'),
                                     rpad(left(h.code, 6), 12, '0'), rpad(left(h.code, 9), 12, '0'))
                      AND p.code <> h.code),
           'bbox', pingan_events_bbox(coalesce(
               (SELECT ST_Extent(j.geom) FROM jurisdictions j WHERE j.code = h.code AND j.geom IS NOT NULL),
               (SELECT ST_Extent(g.geom) FROM grids g
                WHERE g.village_code LIKE jurisdiction_prefix(h.code) || '%'))))
       ORDER BY h.exact DESC, h.rank, h.code), '[]'::json)::text
FROM hits h
