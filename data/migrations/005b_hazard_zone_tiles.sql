-- The 'hazard_zones' tile layer's change notifications (channel and format: 003_tiles.sql):
-- a hazard whose zone or drawn attributes change, and a school or kindergarten that moves,
-- appears or goes (it flips in_school_zone of the hazards near it).

CREATE FUNCTION tile_notify_hazard_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tile_send('hazard_zones', 0, 30,
                      CASE WHEN TG_OP = 'INSERT' THEN '-' ELSE tile_box(OLD.influence_zone) END,
                      CASE WHEN TG_OP = 'DELETE' THEN '-' ELSE tile_box(NEW.influence_zone) END);
    RETURN NULL;
END $$;
CREATE TRIGGER tile_notify_zone AFTER INSERT OR DELETE ON hazards
    FOR EACH ROW EXECUTE FUNCTION tile_notify_hazard_zone();
CREATE TRIGGER tile_notify_zone_update AFTER UPDATE ON hazards
    FOR EACH ROW WHEN ((OLD.influence_zone, OLD.geom, OLD.name, OLD.category, OLD.risk_grade,
                        OLD.accident_grade, OLD.status, OLD.overdue, OLD.escalation_level, OLD.zone_source)
                       IS DISTINCT FROM
                       (NEW.influence_zone, NEW.geom, NEW.name, NEW.category, NEW.risk_grade,
                        NEW.accident_grade, NEW.status, NEW.overdue, NEW.escalation_level, NEW.zone_source))
    EXECUTE FUNCTION tile_notify_hazard_zone();

-- The zones of hazards within the school zone of a school's old or new place.
CREATE FUNCTION tile_notify_school_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    m double precision := hazard_setting('school_zone_m');
BEGIN
    PERFORM tile_send('hazard_zones', 0, 30,
        CASE WHEN TG_OP = 'INSERT' OR OLD.category NOT IN ('school', 'kindergarten') THEN '-' ELSE
            tile_box((SELECT ST_Collect(h.influence_zone) FROM hazards h
                       WHERE ST_DWithin(h.geom::geography, OLD.geom::geography, m))) END,
        CASE WHEN TG_OP = 'DELETE' OR NEW.category NOT IN ('school', 'kindergarten') THEN '-' ELSE
            tile_box((SELECT ST_Collect(h.influence_zone) FROM hazards h
                       WHERE ST_DWithin(h.geom::geography, NEW.geom::geography, m))) END);
    RETURN NULL;
END $$;
CREATE TRIGGER tile_notify_school_zone AFTER INSERT OR DELETE ON key_places
    FOR EACH ROW EXECUTE FUNCTION tile_notify_school_zone();
CREATE TRIGGER tile_notify_school_zone_update AFTER UPDATE ON key_places
    FOR EACH ROW WHEN ((OLD.geom, OLD.category) IS DISTINCT FROM (NEW.geom, NEW.category))
    EXECUTE FUNCTION tile_notify_school_zone();
