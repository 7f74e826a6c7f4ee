-- Vector tiles, second step: the first zoom a generalised jurisdiction is drawn at is kept
-- with it (so that a tile's index scan skips levels not drawn yet instead of joining them
-- away), and the tile tables are never scanned by parallel workers: a tile query is small,
-- and starting workers costs more than it saves.
ALTER TABLE tile_gen_jurisdictions ADD COLUMN minzoom smallint;
UPDATE tile_gen_jurisdictions g SET minzoom = tile_level_minzoom(j.level)
FROM jurisdictions j WHERE j.code = g.code;
ALTER TABLE tile_gen_jurisdictions ALTER COLUMN minzoom SET NOT NULL;
DROP INDEX tile_gen_jurisdictions_label_idx;
-- not partial: the planner would not use a partial GiST index on label here
CREATE INDEX tile_gen_jurisdictions_label_idx ON tile_gen_jurisdictions USING gist (label);

CREATE OR REPLACE FUNCTION tile_gen_jurisdiction_refresh(c text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tile_gen_jurisdictions WHERE code = c;
    INSERT INTO tile_gen_jurisdictions (code, band, geom, label, minzoom)
    SELECT j.code, b.band, g.geom,
           CASE WHEN b.band = 4 THEN ST_Transform(coalesce(j.label_point, ST_PointOnSurface(j.geom)), 3857) END,
           tile_level_minzoom(j.level)
    FROM jurisdictions j
    JOIN tile_bands b ON b.zmax >= tile_level_minzoom(j.level)
    CROSS JOIN LATERAL (SELECT tile_generalise(j.geom, b.band) AS geom) g
    WHERE j.code = c AND j.geom IS NOT NULL AND g.geom IS NOT NULL;
END $$;

ALTER TABLE tile_gen_jurisdictions SET (parallel_workers = 0);
ALTER TABLE tile_gen_grids SET (parallel_workers = 0);
ANALYZE tile_gen_jurisdictions;
ANALYZE tile_gen_grids;
