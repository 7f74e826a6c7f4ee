-- A grid cut by a line: its polygon parts, largest first. $1 grid geometry, $2 line
-- (both EPSG:4490). Hex EWKB of each part as a MultiPolygon.
SELECT ST_Multi(p.geom)::text, ST_Area(p.geom::geography) AS area_m2
FROM ST_Dump(ST_CollectionExtract(ST_Split($1::geometry, $2::geometry), 3)) p
ORDER BY ST_Area(p.geom::geography) DESC;
