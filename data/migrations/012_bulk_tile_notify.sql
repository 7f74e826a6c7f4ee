-- Tile invalidation by statement instead of by row, for grids, key places, hazards, cameras and
-- population units. The row triggers of 003 ran a PL/pgSQL call, a PROJ transform and a
-- pg_notify for every row: three quarters of the time of a million-building import. Now a
-- statement sends, for each changed row, the same "<layer> 0 30 <old box> <new box>" as before
-- when it changed at most 100 rows; a bigger statement (an import) sends one box per 0.05°
-- cell (about 5 km) holding the extent of the old and new geometries there, so the servers
-- still drop only the tiles the changed rows touch, a few hundred notifications instead of a
-- million. Trigger names stay (tile_notify on INSERT, tile_notify_update), so scripts that
-- disable them for bulk loads keep working; DELETE gets its own, tile_notify_delete.

-- TG_ARGV[0]: the layer; TG_ARGV[1]: for UPDATE, the comma-separated columns whose change
-- redraws a feature (they come from the CREATE TRIGGER statements below only).
CREATE FUNCTION tile_notify_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    layer text := TG_ARGV[0];
    per_row_limit constant int := 100;
    cell constant double precision := 0.05;
    changed text;
    n bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        changed := 'SELECT NULL::geometry AS og, geom AS ng FROM pingan_tile_new';
    ELSIF TG_OP = 'DELETE' THEN
        changed := 'SELECT geom AS og, NULL::geometry AS ng FROM pingan_tile_old';
    ELSE
        changed := format('SELECT o.geom AS og, n.geom AS ng FROM pingan_tile_old o '
                          'JOIN pingan_tile_new n ON n.id = o.id WHERE (%s) IS DISTINCT FROM (%s)',
                          'o.' || replace(TG_ARGV[1], ',', ',o.'),
                          'n.' || replace(TG_ARGV[1], ',', ',n.'));
    END IF;
    EXECUTE format('SELECT count(*) FROM (%s) c', changed) INTO n;
    IF n = 0 THEN
        RETURN NULL;
    ELSIF n <= per_row_limit THEN
        EXECUTE format('SELECT tile_send($1, 0, 30, tile_box(c.og), tile_box(c.ng)) FROM (%s) c',
                       changed) USING layer;
    ELSE
        EXECUTE format(
            'SELECT tile_send($1, 0, 30, ''-'', tile_box(ST_SetSRID(ST_Extent(g)::geometry, 4490))) '
            'FROM (SELECT og AS g FROM (%1$s) c WHERE og IS NOT NULL '
            '      UNION ALL SELECT ng FROM (%1$s) c WHERE ng IS NOT NULL) b '
            'GROUP BY floor(ST_XMin(g) / $2), floor(ST_YMin(g) / $2)',
            changed) USING layer, cell;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('grids', 'geom,code,name,kind,unit_type,households'),
        ('key_places', 'geom,name,category,has_video,has_alarm'),
        ('hazards', 'geom,name,category,risk_grade,status,overdue,escalation_level'),
        ('cameras', 'geom,name,direction_deg,fov_deg,range_m'),
        ('population_units', 'geom,name,kind,households,residents,floors')
    ) AS v (tab, cols)
    LOOP
        EXECUTE format('DROP TRIGGER tile_notify ON %I', t.tab);
        EXECUTE format('DROP TRIGGER tile_notify_update ON %I', t.tab);
        EXECUTE format('CREATE TRIGGER tile_notify AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS pingan_tile_new '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_notify_rows(%L)', t.tab, t.tab);
        EXECUTE format('CREATE TRIGGER tile_notify_update AFTER UPDATE ON %I '
                       'REFERENCING OLD TABLE AS pingan_tile_old NEW TABLE AS pingan_tile_new '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_notify_rows(%L, %L)',
                       t.tab, t.tab, t.cols);
        EXECUTE format('CREATE TRIGGER tile_notify_delete AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS pingan_tile_old '
                       'FOR EACH STATEMENT EXECUTE FUNCTION tile_notify_rows(%L)', t.tab, t.tab);
    END LOOP;
END $$;
