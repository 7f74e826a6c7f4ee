-- The system of record: jurisdictions, grids, workers, key places, hazards, cameras,
-- population units and the edit history. Geometry is CGCS2000 (EPSG:4490); constraints keep
-- bad rows out whatever path they arrive by (API, import or plain SQL).

CREATE EXTENSION IF NOT EXISTS postgis;

-- Statistical division codes: 12 digits, shorter levels padded with zeros as the statistics
-- bureau does. Codes change yearly, so the year is kept with the row.
CREATE TABLE jurisdictions (
    code        text PRIMARY KEY CHECK (code ~ '^[1-9][0-9]{11}$'),
    level       text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    parent_code text REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    -- townships (from the code): street 街道 001-099, town 镇 100-199, township 乡 200-399,
    -- zone 400-599 (development zones, farms, management offices);
    -- villages: community 居委会 (serial 001-199, or so named) / village 村委会
    kind        text CHECK (kind IN ('street', 'town', 'township', 'zone', 'community', 'village')),
    code_year   smallint NOT NULL CHECK (code_year BETWEEN 1980 AND 2100),
    geom        geometry(MultiPolygon, 4490) CHECK (geom IS NULL OR (ST_IsValid(geom) AND NOT ST_IsEmpty(geom))),
    label_point geometry(Point, 4490),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((level = 'province') = (parent_code IS NULL)),
    CHECK (level <> 'village' OR kind IN ('community', 'village')),
    CHECK (level <> 'township' OR kind IN ('street', 'town', 'township', 'zone'))
);
CREATE INDEX jurisdictions_parent_idx ON jurisdictions (parent_code);
CREATE INDEX jurisdictions_level_idx ON jurisdictions (level);
CREATE INDEX jurisdictions_geom_idx ON jurisdictions USING gist (geom);
CREATE INDEX jurisdictions_name_idx ON jurisdictions (name text_pattern_ops);

-- The level's prefix of a 12-digit code: 2, 4, 6, 9 or 12 digits.
CREATE FUNCTION jurisdiction_prefix(code text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN substr(code, 3) = '0000000000' THEN substr(code, 1, 2)
        WHEN substr(code, 5) = '00000000' THEN substr(code, 1, 4)
        WHEN substr(code, 7) = '000000' THEN substr(code, 1, 6)
        WHEN substr(code, 10) = '000' THEN substr(code, 1, 9)
        ELSE code END
$$;

CREATE TABLE grids (
    id           bigserial PRIMARY KEY,
    -- village/community code + 3-digit serial
    code         text NOT NULL UNIQUE CHECK (code ~ '^[1-9][0-9]{14}$'),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- community 基层治理网格 / base 基础网格 / dedicated 专属网格 (Art. 15)
    kind         text NOT NULL CHECK (kind IN ('community', 'base', 'dedicated')),
    village_code text NOT NULL REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    -- what a dedicated grid covers; NULL for community and base grids
    unit_type    text CHECK (unit_type IN ('government', 'park', 'commercial_building', 'market',
                                           'school', 'farm', 'forest_farm', 'medical',
                                           'enterprise', 'other')),
    households   integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    residents    integer NOT NULL DEFAULT 0 CHECK (residents >= 0),
    geom         geometry(MultiPolygon, 4490) NOT NULL
                 CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    version      integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'dedicated') = (unit_type IS NOT NULL)),
    CHECK (left(code, 12) = village_code)
);
CREATE INDEX grids_village_idx ON grids (village_code);
CREATE INDEX grids_geom_idx ON grids USING gist (geom);
CREATE INDEX grids_updated_idx ON grids (updated_at);

-- Contact data here is personal data: only roles allowed to see it get it.
CREATE TABLE grid_workers (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    employment        text NOT NULL CHECK (employment IN ('full_time', 'part_time')),
    phone             text CHECK (phone ~ '^[0-9+ -]{5,20}$'),
    id_number         text CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
    jurisdiction_code text NOT NULL REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    duty              text,
    active            boolean NOT NULL DEFAULT true,
    version           integer NOT NULL DEFAULT 1,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grid_workers_jurisdiction_idx ON grid_workers (jurisdiction_code);

CREATE TABLE grid_assignments (
    grid_id    bigint NOT NULL REFERENCES grids (id) ON DELETE CASCADE,
    worker_id  bigint NOT NULL REFERENCES grid_workers (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'assistant')),
    since      date NOT NULL DEFAULT current_date,
    PRIMARY KEY (grid_id, worker_id)
);
CREATE INDEX grid_assignments_worker_idx ON grid_assignments (worker_id);

-- Key places of Art. 42 and 44 (and large public events of Art. 43).
CREATE TABLE key_places (
    id                 bigserial PRIMARY KEY,
    code               text UNIQUE,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category           text NOT NULL CHECK (category IN (
        'school', 'kindergarten', 'training_institution', 'elderly_care', 'child_welfare',
        'hospital', 'park', 'heritage_site', 'commercial_center', 'market', 'industrial_park',
        'airport', 'station', 'bus_metro', 'railway', 'port', 'border_port', 'urban_village',
        'urban_rural_fringe', 'detention', 'public_event', 'government', 'other')),
    village_code       text REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    security_staff     integer NOT NULL DEFAULT 0 CHECK (security_staff >= 0),
    has_video          boolean NOT NULL DEFAULT false,
    has_alarm          boolean NOT NULL DEFAULT false,
    has_emergency_plan boolean NOT NULL DEFAULT false,
    -- railway lines are lines, campuses polygons, small sites points
    geom               geometry(Geometry, 4490) NOT NULL
                       CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    version            integer NOT NULL DEFAULT 1,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_places_geom_idx ON key_places USING gist (geom);
CREATE INDEX key_places_village_idx ON key_places (village_code);
CREATE INDEX key_places_category_idx ON key_places (category);

-- Hazards and risks (Art. 25, 30, 35, 38): four-colour risk grade for every hazard; 险情
-- level for geological hazards; 一般/重大 grade for accident hazards.
CREATE TABLE hazards (
    id                    bigserial PRIMARY KEY,
    code                  text UNIQUE,
    name                  text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category              text NOT NULL CHECK (category IN (
        'landslide', 'collapse', 'debris_flow', 'subsidence', 'ground_fissure',
        'accident', 'dangerous_goods', 'fire', 'flood', 'river_basin', 'traffic',
        'public_security', 'other')),
    risk_grade            text NOT NULL CHECK (risk_grade IN ('red', 'orange', 'yellow', 'blue')),
    danger_level          text CHECK (danger_level IN ('extra_large', 'large', 'medium', 'small')),
    accident_grade        text CHECK (accident_grade IN ('general', 'major')),
    scale                 text,
    status                text NOT NULL DEFAULT 'reported' CHECK (status IN (
        'reported', 'confirmed', 'rectifying', 'rectified', 'closed', 'rejected')),
    found_on              date NOT NULL DEFAULT current_date,
    deadline              date,
    responsible_unit      text,
    threatened_households integer NOT NULL DEFAULT 0 CHECK (threatened_households >= 0),
    threatened_persons    integer NOT NULL DEFAULT 0 CHECK (threatened_persons >= 0),
    threatened_property   numeric(14, 2) CHECK (threatened_property >= 0),  -- 万元
    overdue               boolean NOT NULL DEFAULT false,
    escalation_level      smallint NOT NULL DEFAULT 0 CHECK (escalation_level >= 0),
    escalated_at          timestamptz,
    village_code          text REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    influence_zone        geometry(MultiPolygon, 4490)
                          CHECK (influence_zone IS NULL OR ST_IsValid(influence_zone)),
    geom                  geometry(Geometry, 4490) NOT NULL
                          CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (deadline IS NULL OR deadline >= found_on)
);
CREATE INDEX hazards_geom_idx ON hazards USING gist (geom);
CREATE INDEX hazards_zone_idx ON hazards USING gist (influence_zone);
CREATE INDEX hazards_village_idx ON hazards (village_code);
CREATE INDEX hazards_status_idx ON hazards (status, risk_grade);

-- Video surveillance (Art. 17): a camera sees a sector given by direction, field of view and
-- range.
CREATE TABLE cameras (
    id            bigserial PRIMARY KEY,
    code          text UNIQUE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    village_code  text REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    direction_deg double precision NOT NULL DEFAULT 0 CHECK (direction_deg >= 0 AND direction_deg < 360),
    fov_deg       double precision NOT NULL DEFAULT 360 CHECK (fov_deg > 0 AND fov_deg <= 360),
    range_m       double precision NOT NULL DEFAULT 50 CHECK (range_m > 0 AND range_m <= 5000),
    geom          geometry(Point, 4490) NOT NULL CHECK (NOT ST_IsEmpty(geom)),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_geom_idx ON cameras USING gist (geom);

-- Buildings or village groups (村民小组) with households and residents: what grid sizes are
-- counted from.
CREATE TABLE population_units (
    id           bigserial PRIMARY KEY,
    code         text UNIQUE,
    name         text,
    kind         text NOT NULL CHECK (kind IN ('building', 'village_group')),
    households   integer NOT NULL DEFAULT 0 CHECK (households >= 0),
    residents    integer NOT NULL DEFAULT 0 CHECK (residents >= 0),
    floors       smallint CHECK (floors > 0),
    village_code text REFERENCES jurisdictions (code) ON UPDATE CASCADE,
    geom         geometry(Geometry, 4490) NOT NULL CHECK (ST_IsValid(geom) AND NOT ST_IsEmpty(geom)),
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX population_units_geom_idx ON population_units USING gist (geom);
CREATE INDEX population_units_village_idx ON population_units (village_code);

-- Every grid belongs to a village/community: enforce the level, which a foreign key alone
-- cannot.
CREATE FUNCTION grids_check_village() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM jurisdictions WHERE code = NEW.village_code AND level = 'village') THEN
        RAISE EXCEPTION 'grid % must belong to a village/community, not %', NEW.code, NEW.village_code
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER grids_check_village BEFORE INSERT OR UPDATE OF village_code ON grids
    FOR EACH ROW EXECUTE FUNCTION grids_check_village();

-- Edit history, written by triggers so that API writes, imports and plain SQL are all
-- recorded. The writer names itself with SET LOCAL pingan.actor.
CREATE TABLE edit_history (
    id         bigserial PRIMARY KEY,
    collection text NOT NULL,
    feature_id bigint NOT NULL,
    operation  text NOT NULL CHECK (operation IN ('insert', 'update', 'delete')),
    actor      text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    version    integer,
    before     jsonb,
    after      jsonb
);
CREATE INDEX edit_history_feature_idx ON edit_history (collection, feature_id, id);

CREATE FUNCTION record_history() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    actor text := coalesce(nullif(current_setting('pingan.actor', true), ''), 'sql:' || session_user);
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO edit_history (collection, feature_id, operation, actor, version, after)
        VALUES (TG_TABLE_NAME, NEW.id, 'insert', actor, NEW.version, to_jsonb(NEW));
        RETURN NEW;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO edit_history (collection, feature_id, operation, actor, version, before, after)
        VALUES (TG_TABLE_NAME, NEW.id, 'update', actor, NEW.version, to_jsonb(OLD), to_jsonb(NEW));
        RETURN NEW;
    ELSE
        INSERT INTO edit_history (collection, feature_id, operation, actor, version, before)
        VALUES (TG_TABLE_NAME, OLD.id, 'delete', actor, OLD.version, to_jsonb(OLD));
        RETURN OLD;
    END IF;
END $$;

-- A change bumps the version and the change time, whoever makes it, so ETags stay honest.
CREATE FUNCTION bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END $$;

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['grids', 'grid_workers', 'key_places', 'hazards', 'cameras', 'population_units'] LOOP
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION bump_version()',
                       t || '_bump_version', t);
    END LOOP;
    -- population units arrive by the million from imports; their history is the import's
    FOREACH t IN ARRAY ARRAY['grids', 'grid_workers', 'key_places', 'hazards', 'cameras'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION record_history()',
                       t || '_history', t);
    END LOOP;
END $$;
