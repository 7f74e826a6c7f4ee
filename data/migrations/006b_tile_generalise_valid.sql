-- Found by importing the real county outlines (tests/import, counties case): for 5 of Jiangxi's
-- counties ST_SimplifyPreserveTopology returns an invalid polygon at band 0, ST_ReducePrecision
-- then throws a TopologyException, and the tiles trigger on jurisdictions aborts the whole
-- boundary import. Same function as 003_tiles.sql with ST_MakeValid between the two steps.
-- (Belongs with tiles/: move it there if tiles ships its own fix.)
CREATE OR REPLACE FUNCTION tile_generalise(g geometry, band smallint) RETURNS geometry
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    b tile_bands;
    m geometry;
BEGIN
    SELECT * INTO b FROM tile_bands t WHERE t.band = tile_generalise.band;
    m := ST_Transform(g, 3857);
    IF b.tolerance > 0 THEN
        m := ST_CollectionExtract(ST_ReducePrecision(ST_MakeValid(ST_SimplifyPreserveTopology(m, b.tolerance)), b.grid), 3);
    END IF;
    IF m IS NULL OR ST_IsEmpty(m) THEN
        RETURN NULL;
    END IF;
    RETURN ST_Multi(m);
END $$;
