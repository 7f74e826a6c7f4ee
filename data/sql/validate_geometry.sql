-- A client's geometry made ready to store, with what GEOS thinks of it. $1 GeoJSON geometry,
-- $2 its SRID, $3 true when its axes are latitude/northing first, $4 true to make it Multi.
-- Returns validity with GEOS's reason and location (CRS84), the geometry in EPSG:4490 as
-- hex EWKB, and the first vertex outside Jiangxi's bounding box (CRS84) if any.
WITH given AS (
    SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), $2::int) AS g
), ordered AS (
    SELECT CASE WHEN $3::bool THEN ST_FlipCoordinates(g) ELSE g END AS g FROM given
), stored AS (
    SELECT CASE WHEN ST_SRID(g) = 4490 THEN g ELSE ST_Transform(g, 4490) END AS g FROM ordered
), shaped AS (
    SELECT CASE WHEN $4::bool THEN ST_Multi(g) ELSE g END AS g FROM stored
)
SELECT (d).valid,
       (d).reason,
       ST_AsGeoJSON(ST_Transform(ST_SetSRID((d).location, 4490), 4326), 7) AS location,
       s.g::text AS ewkb,
       (SELECT ST_AsGeoJSON(ST_Transform(p.geom, 4326), 7)
          FROM ST_DumpPoints(s.g) p
         WHERE NOT ST_Intersects(p.geom, ST_MakeEnvelope(113.5, 24.4, 118.55, 30.1, 4490))
         LIMIT 1) AS outside_jiangxi,
       ST_IsEmpty(s.g) AS empty
FROM shaped s, LATERAL (SELECT ST_IsValidDetail(s.g) AS d) v;
