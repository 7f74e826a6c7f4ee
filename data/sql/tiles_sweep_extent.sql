-- The data area for `pingan tiles sizes`, in longitude/latitude: outlines and grids.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (
    SELECT ST_Extent(geom) AS e FROM (
        SELECT geom FROM jurisdictions WHERE geom IS NOT NULL AND level IN ('province', 'city', 'county')
        UNION ALL SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4490) FROM grids
    ) g
) s
