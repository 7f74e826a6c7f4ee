-- Vector tiles: generalised copies of the polygon layers per zoom band (so that low zooms never
-- simplify detailed boundaries at request time), kept current by triggers, and change
-- notifications on channel 'pingan_tiles' that carry the old and new bounding boxes of every
-- changed row, whatever path the change took (API, import or plain SQL).
--
-- Notification payload (one line, space separated):
--   <layer[,layer…]> <zmin> <zmax> <old box|-> <new box|->
-- a box is "minx,miny,maxx,maxy" in EPSG:3857 metres, rounded outwards. A server drops every
-- cached tile of those layers, at zooms zmin..zmax, whose area plus buffer touches a box.

-- Zoom bands of the generalised copies. tolerance and grid are in metres: one MVT unit
-- (extent 4096) at the band's deepest zoom, so that the generalisation never shows; the last
-- band keeps full detail and only saves the transform to 3857.
CREATE TABLE tile_bands (
    band      smallint PRIMARY KEY,
    zmin      smallint NOT NULL,
    zmax      smallint NOT NULL,
    tolerance double precision NOT NULL,
    grid      double precision NOT NULL,
    CHECK (zmin <= zmax)
);
INSERT INTO tile_bands VALUES
    (0, 0, 6, 152.9, 38.2),
    (1, 7, 8, 38.2, 9.6),
    (2, 9, 10, 9.6, 2.4),
    (3, 11, 12, 2.4, 0.6),
    (4, 13, 30, 0, 0);

CREATE FUNCTION tile_band(z integer) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- kept in step with tile_bands (immutable so that a prepared plan folds it)
    SELECT CASE WHEN z <= 6 THEN 0 WHEN z <= 8 THEN 1 WHEN z <= 10 THEN 2
                WHEN z <= 12 THEN 3 ELSE 4 END::smallint
$$;

-- The first zoom at which a jurisdiction level is drawn (the wall map's rules).
CREATE FUNCTION tile_level_minzoom(level text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE level WHEN 'township' THEN 9 WHEN 'village' THEN 11 ELSE 5 END
$$;

-- Geometry in 3857 generalised for a band; NULL when nothing is left at that scale.
CREATE FUNCTION tile_generalise(g geometry, band smallint) RETURNS geometry
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    b tile_bands;
    m geometry;
BEGIN
    SELECT * INTO b FROM tile_bands t WHERE t.band = tile_generalise.band;
    m := ST_Transform(g, 3857);
    IF b.tolerance > 0 THEN
        m := ST_CollectionExtract(ST_ReducePrecision(ST_SimplifyPreserveTopology(m, b.tolerance), b.grid), 3);
    END IF;
    IF m IS NULL OR ST_IsEmpty(m) THEN
        RETURN NULL;
    END IF;
    RETURN ST_Multi(m);
END $$;

-- A bounding box in 3857 as notification text, rounded outwards to the metre; '-' for none.
CREATE FUNCTION tile_box(g geometry) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN '-' ELSE
        (SELECT format('%s,%s,%s,%s', floor(ST_XMin(b)), floor(ST_YMin(b)), ceil(ST_XMax(b)), ceil(ST_YMax(b)))
         FROM (SELECT CASE WHEN ST_SRID(g) = 3857 THEN Box2D(g)
                           ELSE Box2D(ST_Transform(ST_SetSRID(Box2D(g)::geometry, ST_SRID(g)), 3857)) END AS b) s)
    END
$$;

CREATE FUNCTION tile_send(layers text, zmin integer, zmax integer, old_box text, new_box text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF old_box <> '-' OR new_box <> '-' THEN
        PERFORM pg_notify('pingan_tiles', format('%s %s %s %s %s', layers, zmin, zmax, old_box, new_box));
    END IF;
END $$;

-- ---------------------------------------------------------------------------------------
-- Generalised copies
-- ---------------------------------------------------------------------------------------
CREATE TABLE tile_gen_jurisdictions (
    code  text NOT NULL REFERENCES jurisdictions (code) ON UPDATE CASCADE ON DELETE CASCADE,
    band  smallint NOT NULL REFERENCES tile_bands (band),
    geom  geometry(MultiPolygon, 3857) NOT NULL,
    label geometry(Point, 3857),  -- only in the full-detail band
    PRIMARY KEY (code, band)
);
CREATE INDEX tile_gen_jurisdictions_geom_idx ON tile_gen_jurisdictions USING gist (geom);
CREATE INDEX tile_gen_jurisdictions_label_idx ON tile_gen_jurisdictions USING gist (label) WHERE label IS NOT NULL;

CREATE TABLE tile_gen_grids (
    grid_id bigint NOT NULL REFERENCES grids (id) ON DELETE CASCADE,
    band    smallint NOT NULL REFERENCES tile_bands (band),
    geom    geometry(MultiPolygon, 3857) NOT NULL,
    PRIMARY KEY (grid_id, band)
);
CREATE INDEX tile_gen_grids_geom_idx ON tile_gen_grids USING gist (geom);

-- Rebuilds the copies of one jurisdiction, only for the bands where its level is drawn.
CREATE FUNCTION tile_gen_jurisdiction_refresh(c text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tile_gen_jurisdictions WHERE code = c;
    INSERT INTO tile_gen_jurisdictions (code, band, geom, label)
    SELECT j.code, b.band, g.geom,
           CASE WHEN b.band = 4 THEN ST_Transform(coalesce(j.label_point, ST_PointOnSurface(j.geom)), 3857) END
    FROM jurisdictions j
    JOIN tile_bands b ON b.zmax >= tile_level_minzoom(j.level)
    CROSS JOIN LATERAL (SELECT tile_generalise(j.geom, b.band) AS geom) g
    WHERE j.code = c AND j.geom IS NOT NULL AND g.geom IS NOT NULL;
END $$;

CREATE FUNCTION tile_gen_grid_refresh(gid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM tile_gen_grids WHERE grid_id = gid;
    INSERT INTO tile_gen_grids (grid_id, band, geom)
    SELECT gr.id, b.band, g.geom
    FROM grids gr
    JOIN tile_bands b ON b.zmax >= 12  -- grids are drawn from z12
    CROSS JOIN LATERAL (SELECT tile_generalise(gr.geom, b.band) AS geom) g
    WHERE gr.id = gid AND g.geom IS NOT NULL;
END $$;

CREATE FUNCTION tile_gen_jurisdictions_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.code <> NEW.code THEN
        DELETE FROM tile_gen_jurisdictions WHERE code = OLD.code;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM tile_gen_jurisdiction_refresh(NEW.code);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tile_gen_sync AFTER INSERT ON jurisdictions
    FOR EACH ROW WHEN (NEW.geom IS NOT NULL) EXECUTE FUNCTION tile_gen_jurisdictions_sync();
CREATE TRIGGER tile_gen_sync_update AFTER UPDATE ON jurisdictions
    FOR EACH ROW WHEN (OLD.geom IS DISTINCT FROM NEW.geom OR OLD.level IS DISTINCT FROM NEW.level
                       OR OLD.label_point IS DISTINCT FROM NEW.label_point)
    EXECUTE FUNCTION tile_gen_jurisdictions_sync();
-- deletes cascade through the foreign key

CREATE FUNCTION tile_gen_grids_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_gen_grid_refresh(NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER tile_gen_sync AFTER INSERT ON grids
    FOR EACH ROW EXECUTE FUNCTION tile_gen_grids_sync();
CREATE TRIGGER tile_gen_sync_update AFTER UPDATE OF geom ON grids
    FOR EACH ROW WHEN (OLD.geom IS DISTINCT FROM NEW.geom) EXECUTE FUNCTION tile_gen_grids_sync();

-- ---------------------------------------------------------------------------------------
-- Change notifications. Each trigger names the tile layers its table feeds; the zoom range
-- is everything for the source tables and the band's range for the generalised copies.
-- ---------------------------------------------------------------------------------------

-- Source tables: the box of the geometry the layers draw.
CREATE FUNCTION tile_notify_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send(TG_ARGV[0], 0, 30,
                      CASE WHEN TG_OP = 'INSERT' THEN '-' ELSE tile_box(OLD.geom) END,
                      CASE WHEN TG_OP = 'DELETE' THEN '-' ELSE tile_box(NEW.geom) END);
    RETURN NULL;
END $$;

-- Jurisdictions draw their label point too, which bad data may put outside the boundary.
CREATE FUNCTION tile_notify_jurisdiction() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send(TG_ARGV[0], 0, 30,
                      CASE WHEN TG_OP = 'INSERT' THEN '-' ELSE tile_box(ST_Collect(OLD.geom, ST_Multi(OLD.label_point))) END,
                      CASE WHEN TG_OP = 'DELETE' THEN '-' ELSE tile_box(ST_Collect(NEW.geom, ST_Multi(NEW.label_point))) END);
    RETURN NULL;
END $$;

-- Generalised copies: the band's zoom range and the copy's own box.
CREATE FUNCTION tile_notify_generalised() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b tile_bands;
BEGIN
    SELECT * INTO b FROM tile_bands
    WHERE band = CASE WHEN TG_OP = 'DELETE' THEN OLD.band ELSE NEW.band END;
    PERFORM tile_send(TG_ARGV[0], b.zmin, b.zmax,
                      CASE WHEN TG_OP = 'INSERT' THEN '-' ELSE tile_box(OLD.geom) END,
                      CASE WHEN TG_OP = 'DELETE' THEN '-' ELSE tile_box(NEW.geom) END);
    RETURN NULL;
END $$;

-- Staffing shown on grids: an assignment or a worker change touches the grids concerned.
CREATE FUNCTION tile_notify_assignment() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send('grids', 0, 30, '-', tile_box(g.geom))
    FROM grids g
    WHERE g.id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.grid_id END,
                   CASE WHEN TG_OP <> 'DELETE' THEN NEW.grid_id END);
    RETURN NULL;
END $$;

CREATE FUNCTION tile_notify_worker() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send('grids', 0, 30, '-', tile_box(g.geom))
    FROM grid_assignments a JOIN grids g ON g.id = a.grid_id
    WHERE a.worker_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON jurisdictions
    FOR EACH ROW EXECUTE FUNCTION tile_notify_jurisdiction('jurisdictions,jurisdiction_labels');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON jurisdictions
    FOR EACH ROW WHEN ((OLD.geom, OLD.label_point, OLD.name, OLD.level, OLD.kind, OLD.code, OLD.parent_code)
                       IS DISTINCT FROM (NEW.geom, NEW.label_point, NEW.name, NEW.level, NEW.kind, NEW.code, NEW.parent_code))
    EXECUTE FUNCTION tile_notify_jurisdiction('jurisdictions,jurisdiction_labels');

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON grids
    FOR EACH ROW EXECUTE FUNCTION tile_notify_row('grids');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON grids
    FOR EACH ROW WHEN ((OLD.geom, OLD.code, OLD.name, OLD.kind, OLD.unit_type, OLD.households)
                       IS DISTINCT FROM (NEW.geom, NEW.code, NEW.name, NEW.kind, NEW.unit_type, NEW.households))
    EXECUTE FUNCTION tile_notify_row('grids');

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON key_places
    FOR EACH ROW EXECUTE FUNCTION tile_notify_row('key_places');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON key_places
    FOR EACH ROW WHEN ((OLD.geom, OLD.name, OLD.category, OLD.has_video, OLD.has_alarm)
                       IS DISTINCT FROM (NEW.geom, NEW.name, NEW.category, NEW.has_video, NEW.has_alarm))
    EXECUTE FUNCTION tile_notify_row('key_places');

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON hazards
    FOR EACH ROW EXECUTE FUNCTION tile_notify_row('hazards');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON hazards
    FOR EACH ROW WHEN ((OLD.geom, OLD.name, OLD.category, OLD.risk_grade, OLD.status, OLD.overdue, OLD.escalation_level)
                       IS DISTINCT FROM (NEW.geom, NEW.name, NEW.category, NEW.risk_grade, NEW.status, NEW.overdue, NEW.escalation_level))
    EXECUTE FUNCTION tile_notify_row('hazards');

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON cameras
    FOR EACH ROW EXECUTE FUNCTION tile_notify_row('cameras');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON cameras
    FOR EACH ROW WHEN ((OLD.geom, OLD.name, OLD.direction_deg, OLD.fov_deg, OLD.range_m)
                       IS DISTINCT FROM (NEW.geom, NEW.name, NEW.direction_deg, NEW.fov_deg, NEW.range_m))
    EXECUTE FUNCTION tile_notify_row('cameras');

CREATE TRIGGER tile_notify AFTER INSERT OR DELETE ON population_units
    FOR EACH ROW EXECUTE FUNCTION tile_notify_row('population_units');
CREATE TRIGGER tile_notify_update AFTER UPDATE ON population_units
    FOR EACH ROW WHEN ((OLD.geom, OLD.name, OLD.kind, OLD.households, OLD.residents, OLD.floors)
                       IS DISTINCT FROM (NEW.geom, NEW.name, NEW.kind, NEW.households, NEW.residents, NEW.floors))
    EXECUTE FUNCTION tile_notify_row('population_units');

CREATE TRIGGER tile_notify AFTER INSERT OR UPDATE OR DELETE ON tile_gen_jurisdictions
    FOR EACH ROW EXECUTE FUNCTION tile_notify_generalised('jurisdictions');
CREATE TRIGGER tile_notify AFTER INSERT OR UPDATE OR DELETE ON tile_gen_grids
    FOR EACH ROW EXECUTE FUNCTION tile_notify_generalised('grids');

CREATE TRIGGER tile_notify AFTER INSERT OR UPDATE OR DELETE ON grid_assignments
    FOR EACH ROW EXECUTE FUNCTION tile_notify_assignment();
CREATE TRIGGER tile_notify_update AFTER UPDATE ON grid_workers
    FOR EACH ROW WHEN ((OLD.employment, OLD.active) IS DISTINCT FROM (NEW.employment, NEW.active))
    EXECUTE FUNCTION tile_notify_worker();
