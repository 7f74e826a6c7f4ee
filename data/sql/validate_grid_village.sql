-- The village/community a grid claims, and how much of the grid lies outside it.
-- $1 grid geometry (EPSG:4490), $2 village code. No row: no such code.
SELECT j.level,
       j.name,
       j.geom IS NOT NULL AS has_boundary,
       coalesce(ST_Area(o.outside::geography), 0) AS outside_m2,
       CASE WHEN o.outside IS NULL OR ST_IsEmpty(o.outside) THEN NULL
            ELSE ST_AsGeoJSON(ST_Transform(o.outside, 4326), 7) END AS outside
FROM jurisdictions j
LEFT JOIN LATERAL (
    SELECT ST_CollectionExtract(ST_Difference($1::geometry, j.geom), 3) AS outside
    WHERE j.geom IS NOT NULL
) o ON true
WHERE j.code = $2;
