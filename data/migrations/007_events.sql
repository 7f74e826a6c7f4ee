-- Live events: every committed change to a mapped table is announced on the channel
-- pingan_events as JSON {collection, id, op, bbox}, whatever path it arrives by (API, import,
-- plain SQL), so that open maps re-fetch exactly what changed. NOTIFY is delivered at commit,
-- and rolled-back changes are never announced.
--
-- Statement-level triggers with transition tables: an import of a million population units
-- sends one summary event (id null, count n, bbox of all) instead of a million.

CREATE FUNCTION pingan_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    -- TG_ARGV[0]: the id expression, TG_ARGV[1]: the geometry expression, both over a row r
    -- of the transition table(s); they come from the CREATE TRIGGER statements below only.
    id_expr   text := TG_ARGV[0];
    geom_expr text := TG_ARGV[1];
    op        text := lower(TG_OP);
    rows_sql  text;
    n         bigint;
    rec       record;
    per_row_limit constant int := 100;
BEGIN
    rows_sql := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT * FROM pingan_new_rows'
        WHEN 'DELETE' THEN 'SELECT * FROM pingan_old_rows'
        ELSE 'SELECT * FROM pingan_new_rows UNION ALL SELECT * FROM pingan_old_rows' END;
    EXECUTE format('SELECT count(DISTINCT %s) FROM (%s) r', id_expr, rows_sql) INTO n;
    IF n = 0 THEN
        RETURN NULL;
    END IF;
    IF n <= per_row_limit THEN
        FOR rec IN EXECUTE format(
            'SELECT (%s)::text AS id, ST_Extent(%s) AS box FROM (%s) r GROUP BY 1 ORDER BY 1',
            id_expr, geom_expr, rows_sql)
        LOOP
            PERFORM pg_notify('pingan_events', json_build_object(
                'collection', TG_TABLE_NAME, 'id', rec.id, 'op', op,
                'bbox', pingan_events_bbox(rec.box))::text);
        END LOOP;
    ELSE
        EXECUTE format('SELECT ST_Extent(%s) FROM (%s) r', geom_expr, rows_sql) INTO rec;
        PERFORM pg_notify('pingan_events', json_build_object(
            'collection', TG_TABLE_NAME, 'id', NULL, 'op', op, 'count', n,
            'bbox', pingan_events_bbox(rec.st_extent))::text);
    END IF;
    RETURN NULL;
END $$;

-- [west, south, east, north] in degrees, or null when the rows had no geometry.
CREATE FUNCTION pingan_events_bbox(b box2d) RETURNS json
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN b IS NULL THEN NULL
                ELSE json_build_array(round(ST_XMin(b)::numeric, 7), round(ST_YMin(b)::numeric, 7),
                                      round(ST_XMax(b)::numeric, 7), round(ST_YMax(b)::numeric, 7))
           END
$$;

DO $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('grids', 'r.id', 'r.geom'),
        ('key_places', 'r.id', 'r.geom'),
        ('hazards', 'r.id', 'r.geom'),
        ('cameras', 'r.id', 'r.geom'),
        ('population_units', 'r.id', 'r.geom'),
        -- workers have no geometry; their place is their jurisdiction's
        ('grid_workers', 'r.id',
         '(SELECT j.geom FROM jurisdictions j WHERE j.code = r.jurisdiction_code)'),
        -- an assignment changes its grid's staffing: announce the grid's box
        ('grid_assignments', 'r.grid_id', '(SELECT g.geom FROM grids g WHERE g.id = r.grid_id)')
    ) AS v (tab, id_expr, geom_expr)
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS pingan_new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION pingan_events_notify(%L, %L)',
                       t.tab || '_events_ins', t.tab, t.id_expr, t.geom_expr);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS pingan_old_rows '
                       'NEW TABLE AS pingan_new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION pingan_events_notify(%L, %L)',
                       t.tab || '_events_upd', t.tab, t.id_expr, t.geom_expr);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS pingan_old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION pingan_events_notify(%L, %L)',
                       t.tab || '_events_del', t.tab, t.id_expr, t.geom_expr);
    END LOOP;
END $$;
