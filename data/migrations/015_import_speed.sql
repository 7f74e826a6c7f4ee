-- Coverage marking for population units without arrays. ana_mark_points (004) gathered every
-- changed row's geometry into an array before joining it with the grids: for an import of a
-- million buildings, a quarter-gigabyte array built, copied and unnested, about ten seconds of
-- the import. Units now get a trigger of their own that reads the transition tables directly.
-- Up to 10,000 changed units it marks exactly the villages of the grids holding each unit's
-- point on surface, as before; above that (an import) it marks the villages of the grids that
-- meet the extent of the changed units in each 0.05° cell (about 5 km) instead of probing the
-- grids once per unit. That is a superset of the exact set (the point on surface lies in the
-- unit, the unit in its cell's extent), so no village that should be recomputed is missed; a
-- few more may be recomputed than strictly needed.

CREATE FUNCTION ana_mark_units() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    exact_limit constant int := 10000;
    cell constant double precision := 0.05;
    changed text;
    n bigint;
    codes text[];
BEGIN
    changed := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT geom FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT geom FROM old_rows'
        ELSE 'SELECT geom FROM new_rows UNION ALL SELECT geom FROM old_rows' END;
    EXECUTE format('SELECT count(*) FROM (%s) u', changed) INTO n;
    IF n = 0 THEN
        RETURN NULL;
    ELSIF n <= exact_limit THEN
        -- households count toward the grids holding the unit's point on surface
        EXECUTE format('SELECT array_agg(DISTINCT g.village_code) FROM (%s) u '
                       'JOIN grids g ON g.geom && u.geom '
                       'AND ST_Intersects(g.geom, ST_PointOnSurface(u.geom))', changed) INTO codes;
    ELSE
        EXECUTE format('SELECT array_agg(DISTINCT g.village_code) FROM ('
                       '  SELECT ST_SetSRID(ST_Extent(geom)::geometry, 4490) AS box FROM (%s) u '
                       '  GROUP BY floor(ST_XMin(geom) / $1), floor(ST_YMin(geom) / $1)) c '
                       'JOIN grids g ON g.geom && c.box AND ST_Intersects(g.geom, c.box)',
                       changed) INTO codes USING cell;
    END IF;
    PERFORM ana_mark(codes);
    RETURN NULL;
END $$;

DROP TRIGGER population_units_ana_insert ON population_units;
DROP TRIGGER population_units_ana_update ON population_units;
DROP TRIGGER population_units_ana_delete ON population_units;
CREATE TRIGGER population_units_ana_insert AFTER INSERT ON population_units
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ana_mark_units();
CREATE TRIGGER population_units_ana_update AFTER UPDATE ON population_units
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ana_mark_units();
CREATE TRIGGER population_units_ana_delete AFTER DELETE ON population_units
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ana_mark_units();
