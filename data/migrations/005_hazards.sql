-- Hazards: the rectification lifecycle (transition rules in one table, every step logged as an
-- action), deadlines that escalate exactly once when missed, influence zones kept current from
-- per-category buffers, camera sectors and school safety zones (Art. 25, 30, 44, 58(3)).

-- ---------------------------------------------------------------------------------------------
-- Columns the lifecycle and the zones need, added to the 001 table.
ALTER TABLE hazards
    -- finer kind inside a category, e.g. dangerous_goods/fireworks_storage; picks the buffer
    ADD COLUMN subcategory        text CHECK (subcategory IS NULL OR length(subcategory) BETWEEN 1 AND 50),
    -- the rectification plan: measures here, responsible_unit and deadline are in 001
    ADD COLUMN rectification_measures text,
    -- 'given': influence_zone was supplied; 'buffer': computed from hazard_zone_defaults
    ADD COLUMN zone_source        text NOT NULL DEFAULT 'buffer' CHECK (zone_source IN ('given', 'buffer')),
    ADD COLUMN zone_buffer_m      double precision CHECK (zone_buffer_m IS NULL OR zone_buffer_m > 0),
    -- the deadline whose miss was last escalated: a deadline escalates at most once
    ADD COLUMN escalated_deadline date,
    ADD COLUMN status_changed_at  timestamptz;

-- Major hazard (重大事故隐患 or red risk): needs a plan before it can be confirmed.
CREATE FUNCTION hazard_is_major(accident_grade text, risk_grade text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(accident_grade = 'major', false) OR coalesce(risk_grade = 'red', false)
$$;

-- ---------------------------------------------------------------------------------------------
-- The lifecycle rules, in one place. A role may take `action` from `from_status` to
-- `to_status` when it is listed in `roles` (values of the auth middleware's r->role).
CREATE TABLE hazard_transitions (
    from_status text NOT NULL CHECK (from_status IN ('reported', 'confirmed', 'rectifying', 'rectified', 'closed', 'rejected')),
    action      text NOT NULL CHECK (action ~ '^[a-z_]{2,40}$'),
    to_status   text NOT NULL CHECK (to_status IN ('reported', 'confirmed', 'rectifying', 'rectified', 'closed', 'rejected')),
    roles       text[] NOT NULL CHECK (roles <@ ARRAY['admin', 'planner', 'importer', 'viewer']::text[]),
    -- whether the action may carry a rectification plan (measures, responsible unit, deadline)
    takes_plan  boolean NOT NULL DEFAULT false,
    label_zh    text NOT NULL,
    PRIMARY KEY (from_status, action)
);
INSERT INTO hazard_transitions (from_status, action, to_status, roles, takes_plan, label_zh) VALUES
    ('reported',   'confirm',                  'confirmed',  '{admin,planner}', true,  '确认'),
    ('reported',   'reject',                   'rejected',   '{admin,planner}', false, '不予确认'),
    ('confirmed',  'start_rectification',      'rectifying', '{admin,planner}', true,  '开始整改'),
    ('rectifying', 'complete_rectification',   'rectified',  '{admin,planner}', false, '整改完成'),
    ('rectified',  'verify',                   'closed',     '{admin,planner}', false, '验收销号'),
    ('rectified',  'return_for_rectification', 'rectifying', '{admin,planner}', true,  '验收不合格，退回整改'),
    ('rejected',   'reopen',                   'reported',   '{admin}',         false, '重新受理');

-- Every step of every hazard: transitions, the report itself, and system escalations.
CREATE TABLE hazard_actions (
    id               bigserial PRIMARY KEY,
    hazard_id        bigint NOT NULL REFERENCES hazards (id) ON DELETE CASCADE,
    action           text NOT NULL CHECK (action ~ '^[a-z_]{2,40}$'),
    from_status      text,
    to_status        text NOT NULL,
    actor            text NOT NULL CHECK (length(actor) BETWEEN 1 AND 100),  -- token id or 'system'
    role             text NOT NULL,
    at               timestamptz NOT NULL DEFAULT now(),
    note             text CHECK (note IS NULL OR length(note) <= 4000),
    photos           jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(photos) = 'array'),
    plan             jsonb CHECK (plan IS NULL OR jsonb_typeof(plan) = 'object'),
    escalation_level smallint
);
CREATE INDEX hazard_actions_hazard_idx ON hazard_actions (hazard_id, id);

-- The status changes only through hazard_act() (and hazards_mark_overdue() never touches it).
-- hazard_act sets pingan.hazard_action for the one UPDATE it makes and clears it at once.
CREATE FUNCTION hazards_guard_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND coalesce(current_setting('pingan.hazard_action', true), '') <> 'on' THEN
        RAISE EXCEPTION 'the status of hazard % changes only through its actions (POST /collections/hazards/items/%/actions)', OLD.id, OLD.id
            USING ERRCODE = 'HZ008', HINT = '隐患状态只能通过处置动作变更';
    END IF;
    -- a new deadline is a new chance: the overdue flag waits for the next check
    IF NEW.deadline IS DISTINCT FROM OLD.deadline THEN
        NEW.overdue := false;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hazards_guard_status BEFORE UPDATE ON hazards
    FOR EACH ROW EXECUTE FUNCTION hazards_guard_status();

-- The report is the first line of the log, however the hazard arrived (API, import, SQL).
CREATE FUNCTION hazards_log_report() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hazard_actions (hazard_id, action, from_status, to_status, actor, role, at)
    VALUES (NEW.id, 'report', NULL, NEW.status,
            coalesce(nullif(current_setting('pingan.actor', true), ''), 'sql:' || session_user),
            coalesce(nullif(current_setting('pingan.role', true), ''), 'sql'), NEW.created_at);
    RETURN NEW;
END $$;
CREATE TRIGGER hazards_log_report AFTER INSERT ON hazards
    FOR EACH ROW EXECUTE FUNCTION hazards_log_report();

CREATE FUNCTION hazard_status_zh(status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE status WHEN 'reported' THEN '已上报' WHEN 'confirmed' THEN '已确认'
                       WHEN 'rectifying' THEN '整改中' WHEN 'rectified' THEN '已整改'
                       WHEN 'closed' THEN '已验收销号' WHEN 'rejected' THEN '不予确认' ELSE status END
$$;

CREATE FUNCTION hazard_raise(code text, en text, zh text, extra jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', en USING ERRCODE = code, HINT = zh, DETAIL = extra::text;
END $$;

-- Takes one action on a hazard for an actor (token id) with a role and a scope (jurisdiction
-- code prefix, '' for all). Errors carry SQLSTATE HZ001..HZ007, the English message, the
-- Chinese one as HINT and a JSON object of extra members as DETAIL:
--   HZ001 unknown action, HZ002 transition not allowed from the status, HZ003 role not
--   allowed, HZ004 hazard outside the caller's scope, HZ005 plan required (major hazard),
--   HZ006 plan invalid, HZ007 no such hazard.
CREATE FUNCTION hazard_act(p_hazard bigint, p_action text, p_actor text, p_role text, p_scope text,
                           p_note text DEFAULT NULL, p_photos jsonb DEFAULT '[]',
                           p_plan jsonb DEFAULT NULL, p_at timestamptz DEFAULT now())
RETURNS hazard_actions
LANGUAGE plpgsql AS $$
DECLARE
    h        hazards;
    t        hazard_transitions;
    allowed  jsonb;
    measures text;
    unit     text;
    dl       date;
    missing  text[] := '{}';
    missing_zh text[] := '{}';
    result   hazard_actions;
    place    text;
BEGIN
    SELECT * INTO h FROM hazards WHERE id = p_hazard FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM hazard_raise('HZ007', format('hazard %s does not exist', p_hazard),
                             format('隐患 %s 不存在', p_hazard));
    END IF;
    -- the hazard's village, else the village whose boundary holds it
    place := coalesce(h.village_code,
                      (SELECT j.code FROM jurisdictions j
                        WHERE j.level = 'village' AND j.geom IS NOT NULL AND ST_Intersects(j.geom, h.geom)
                        ORDER BY j.code LIMIT 1));
    IF coalesce(p_scope, '') <> '' AND NOT coalesce(place LIKE p_scope || '%', false) THEN
        PERFORM hazard_raise('HZ004', format('hazard %s lies in %s, outside your scope %s', p_hazard,
                                             coalesce(place, 'no known jurisdiction'), p_scope),
                             format('隐患 %s 位于 %s，不在您的管辖范围 %s 内', p_hazard,
                                    coalesce(place, '未知辖区'), p_scope),
                             jsonb_build_object('scope', p_scope, 'place_code', place));
    END IF;
    IF NOT EXISTS (SELECT 1 FROM hazard_transitions WHERE action = p_action) THEN
        PERFORM hazard_raise('HZ001', format('unknown action "%s"', p_action),
                             format('未知的处置动作“%s”', p_action),
                             jsonb_build_object('actions', (SELECT jsonb_agg(DISTINCT action) FROM hazard_transitions)));
    END IF;
    SELECT * INTO t FROM hazard_transitions WHERE from_status = h.status AND action = p_action;
    IF NOT FOUND THEN
        SELECT coalesce(jsonb_agg(action ORDER BY action), '[]') INTO allowed
          FROM hazard_transitions WHERE from_status = h.status;
        PERFORM hazard_raise('HZ002',
                             format('action %s is not allowed on a hazard that is %s (allowed: %s)',
                                    p_action, h.status, allowed),
                             format('隐患当前状态为“%s”，不能执行“%s”', hazard_status_zh(h.status),
                                    coalesce((SELECT label_zh FROM hazard_transitions WHERE action = p_action LIMIT 1), p_action)),
                             jsonb_build_object('current_status', h.status, 'allowed_actions', allowed));
    END IF;
    IF NOT (coalesce(p_role, '') = ANY (t.roles)) THEN
        PERFORM hazard_raise('HZ003', format('role %s may not %s a hazard (roles allowed: %s)',
                                             coalesce(p_role, 'anonymous'), p_action, array_to_string(t.roles, ', ')),
                             format('角色 %s 无权执行“%s”', coalesce(p_role, 'anonymous'), t.label_zh),
                             jsonb_build_object('roles_allowed', to_jsonb(t.roles)));
    END IF;

    IF p_plan IS NOT NULL AND p_plan <> '{}'::jsonb THEN
        IF NOT t.takes_plan THEN
            PERFORM hazard_raise('HZ006', format('action %s does not take a rectification plan', p_action),
                                 format('“%s”不接受整改方案', t.label_zh));
        END IF;
        IF jsonb_typeof(p_plan) <> 'object' THEN
            PERFORM hazard_raise('HZ006', 'the plan must be an object {measures, responsible_unit, deadline}',
                                 '整改方案格式应为 {measures, responsible_unit, deadline}');
        END IF;
        measures := nullif(btrim(p_plan ->> 'measures'), '');
        unit := nullif(btrim(p_plan ->> 'responsible_unit'), '');
        IF p_plan ? 'deadline' THEN
            BEGIN
                dl := (p_plan ->> 'deadline')::date;
            EXCEPTION WHEN others THEN
                PERFORM hazard_raise('HZ006', format('plan deadline "%s" is not a date (YYYY-MM-DD)', p_plan ->> 'deadline'),
                                     format('整改期限“%s”不是有效日期（YYYY-MM-DD）', p_plan ->> 'deadline'),
                                     jsonb_build_object('field', 'deadline'));
            END;
            IF dl < h.found_on THEN
                PERFORM hazard_raise('HZ006', format('plan deadline %s is before the hazard was found (%s)', dl, h.found_on),
                                     format('整改期限 %s 早于发现日期 %s', dl, h.found_on),
                                     jsonb_build_object('field', 'deadline'));
            END IF;
        END IF;
        h.rectification_measures := coalesce(measures, h.rectification_measures);
        h.responsible_unit := coalesce(unit, h.responsible_unit);
        h.deadline := coalesce(dl, h.deadline);
    END IF;

    IF t.to_status = 'confirmed' AND hazard_is_major(h.accident_grade, h.risk_grade) THEN
        IF h.rectification_measures IS NULL THEN
            missing := missing || 'measures'::text; missing_zh := missing_zh || '整改措施'::text;
        END IF;
        IF h.responsible_unit IS NULL THEN
            missing := missing || 'responsible_unit'::text; missing_zh := missing_zh || '责任单位'::text;
        END IF;
        IF h.deadline IS NULL THEN
            missing := missing || 'deadline'::text; missing_zh := missing_zh || '整改期限'::text;
        END IF;
        IF cardinality(missing) > 0 THEN
            PERFORM hazard_raise('HZ005',
                'a major hazard cannot be confirmed without a rectification plan (measures, responsible unit, deadline); missing: '
                    || array_to_string(missing, ', '),
                '重大事故隐患须有整改方案（整改措施、责任单位、整改期限）方可确认；缺少：'
                    || array_to_string(missing_zh, '、'),
                jsonb_build_object('missing', to_jsonb(missing)));
        END IF;
    END IF;

    PERFORM set_config('pingan.actor', p_actor, true);
    PERFORM set_config('pingan.hazard_action', 'on', true);
    UPDATE hazards
       SET status = t.to_status,
           status_changed_at = p_at,
           rectification_measures = h.rectification_measures,
           responsible_unit = h.responsible_unit,
           deadline = h.deadline,
           -- a hazard no longer open is no longer overdue; its escalation level stays as history
           overdue = CASE WHEN t.to_status IN ('rectified', 'closed', 'rejected') THEN false ELSE overdue END
     WHERE id = p_hazard;
    PERFORM set_config('pingan.hazard_action', 'off', true);

    INSERT INTO hazard_actions (hazard_id, action, from_status, to_status, actor, role, at, note, photos, plan)
    VALUES (p_hazard, p_action, h.status, t.to_status, p_actor, p_role, p_at, nullif(btrim(p_note), ''),
            coalesce(p_photos, '[]'),
            CASE WHEN p_plan IS NOT NULL AND p_plan <> '{}'::jsonb THEN
                jsonb_build_object('measures', h.rectification_measures,
                                   'responsible_unit', h.responsible_unit,
                                   'deadline', h.deadline) END)
    RETURNING * INTO result;
    RETURN result;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Deadlines (Art. 58(3)). The check runs every minute: it reads only open hazards with a
-- deadline, through this index.
CREATE INDEX hazards_open_deadline_idx ON hazards (deadline)
    WHERE status IN ('reported', 'confirmed', 'rectifying') AND deadline IS NOT NULL;

-- Open hazards whose deadline passed before `now` (local date in
-- China Standard Time) become overdue and go up one escalation level, once per deadline: the
-- escalated deadline is recorded, so running again changes nothing, and a new deadline that is
-- missed escalates again. Safe to run from several servers at once (the row lock re-checks the
-- condition). Returns how many hazards were escalated.
CREATE FUNCTION hazards_mark_overdue(p_now timestamptz DEFAULT now()) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    prev_actor text := current_setting('pingan.actor', true);
BEGIN
    PERFORM set_config('pingan.actor', 'system', true);
    WITH due AS (
        UPDATE hazards
           SET overdue = true,
               escalation_level = escalation_level + 1,
               escalated_at = p_now,
               escalated_deadline = deadline
         WHERE status IN ('reported', 'confirmed', 'rectifying')
           AND deadline IS NOT NULL
           AND deadline < (p_now AT TIME ZONE 'Asia/Shanghai')::date
           AND escalated_deadline IS DISTINCT FROM deadline
        RETURNING id, status, deadline, escalation_level
    )
    INSERT INTO hazard_actions (hazard_id, action, from_status, to_status, actor, role, at, note, escalation_level)
    SELECT id, 'escalate', status, status, 'system', 'system', p_now,
           format('deadline %s missed; escalated to level %s / 整改期限 %s 已过，升级至第 %s 级',
                  deadline, escalation_level, deadline, escalation_level),
           escalation_level
      FROM due;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('pingan.actor', coalesce(prev_actor, ''), true);
    RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Influence zones. A hazard without a given polygon gets a buffer of its category's default
-- distance, computed on the geography (metres on the ellipsoid), kept current by trigger.
CREATE TABLE hazard_zone_defaults (
    category    text NOT NULL,
    subcategory text NOT NULL DEFAULT '',  -- '' : the category's default
    buffer_m    double precision NOT NULL CHECK (buffer_m > 0 AND buffer_m <= 20000),
    basis       text,
    PRIMARY KEY (category, subcategory)
);
INSERT INTO hazard_zone_defaults (category, subcategory, buffer_m, basis) VALUES
    ('dangerous_goods', '',                  500, '危险化学品单位周边'),
    ('dangerous_goods', 'fireworks_storage', 300, '烟花爆竹储存仓库外部安全距离'),
    ('dangerous_goods', 'gas_station',       100, '加油加气站'),
    ('landslide',       '',                  200, '滑坡滑距'),
    ('debris_flow',     '',                  300, '泥石流冲出范围'),
    ('collapse',        '',                  100, '崩塌影响范围'),
    ('subsidence',      '',                  100, '地面塌陷'),
    ('ground_fissure',  '',                   50, '地裂缝'),
    ('flood',           '',                  500, '洪涝淹没'),
    ('river_basin',     '',                 1000, '流域（鄱阳湖及赣抚信饶修五河）'),
    ('accident',        '',                  100, '事故隐患'),
    ('fire',            '',                  100, '火灾隐患'),
    ('traffic',         '',                   50, '交通隐患'),
    ('public_security', '',                   50, '治安隐患'),
    ('other',           '',                   50, '其他');

-- Settings the database itself needs (so that the view, the tiles and the API agree).
CREATE TABLE hazard_settings (
    name  text PRIMARY KEY,
    value double precision NOT NULL,
    note  text
);
INSERT INTO hazard_settings (name, value, note) VALUES
    ('school_zone_m', 200, 'school safety zone (Art. 44): metres around each school and kindergarten');

CREATE FUNCTION hazard_setting(p_name text) RETURNS double precision
LANGUAGE sql STABLE AS $$ SELECT value FROM hazard_settings WHERE name = p_name $$;

-- A buffer of `metres` around a CGCS2000 geometry, on the geography (quad_segs 32: the polygon
-- stays within 0.03 % of the true distance).
CREATE FUNCTION hazard_buffer(g geometry, metres double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_Multi(ST_SetSRID(ST_Buffer(g::geography, metres, 'quad_segs=32')::geometry, 4490))
$$;

CREATE FUNCTION hazards_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    m double precision;
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.zone_source := CASE WHEN NEW.influence_zone IS NULL THEN 'buffer' ELSE 'given' END;
    ELSIF NEW.influence_zone IS DISTINCT FROM OLD.influence_zone THEN
        -- a polygon written is a polygon given; clearing it goes back to the default buffer
        NEW.zone_source := CASE WHEN NEW.influence_zone IS NULL THEN 'buffer' ELSE 'given' END;
    END IF;
    IF NEW.zone_source = 'given' THEN
        NEW.zone_buffer_m := NULL;
        RETURN NEW;
    END IF;
    SELECT buffer_m INTO m FROM hazard_zone_defaults
     WHERE category = NEW.category AND subcategory IN (coalesce(NEW.subcategory, ''), '')
     ORDER BY subcategory DESC LIMIT 1;
    NEW.zone_buffer_m := m;
    NEW.influence_zone := CASE WHEN m IS NULL THEN NULL ELSE hazard_buffer(NEW.geom, m) END;
    RETURN NEW;
END $$;
-- named to sort before hazards_bump_version (same-event triggers fire in name order), so a
-- redrawn zone bumps the version too
CREATE TRIGGER hazards_apply_zone BEFORE INSERT OR UPDATE OF geom, category, subcategory, influence_zone, zone_source
    ON hazards FOR EACH ROW EXECUTE FUNCTION hazards_zone();

-- A changed default redraws every buffer of that category.
CREATE FUNCTION hazard_zone_defaults_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hazards SET zone_source = 'buffer'
     WHERE zone_source = 'buffer'
       AND category IN (SELECT category FROM new_rows UNION SELECT category FROM old_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION hazard_zone_defaults_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hazards SET zone_source = 'buffer'
     WHERE zone_source = 'buffer' AND category IN (SELECT category FROM new_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION hazard_zone_defaults_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE hazards SET zone_source = 'buffer'
     WHERE zone_source = 'buffer' AND category IN (SELECT category FROM old_rows);
    RETURN NULL;
END $$;
CREATE TRIGGER hazard_zone_defaults_changed AFTER UPDATE ON hazard_zone_defaults
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hazard_zone_defaults_changed();
CREATE TRIGGER hazard_zone_defaults_inserted AFTER INSERT ON hazard_zone_defaults
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hazard_zone_defaults_inserted();
CREATE TRIGGER hazard_zone_defaults_deleted AFTER DELETE ON hazard_zone_defaults
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hazard_zone_defaults_deleted();

-- Zones of hazards that were already there when this migration ran.
UPDATE hazards SET zone_source = CASE WHEN influence_zone IS NULL THEN 'buffer' ELSE 'given' END;

-- ---------------------------------------------------------------------------------------------
-- Cameras: the sector a camera sees, from its position, direction (degrees clockwise from
-- north), field of view and range, with geodesic arc points every degree at most.
CREATE FUNCTION camera_sector(pos geometry, direction_deg double precision, fov_deg double precision,
                              range_m double precision) RETURNS geometry
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN fov_deg >= 360 THEN ST_SetSRID(ST_Buffer(pos::geography, range_m, 'quad_segs=90')::geometry, 4490)
    ELSE ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[pos]
            || ARRAY(SELECT ST_Project(pos::geography, range_m,
                                       radians(direction_deg - fov_deg / 2 + fov_deg * i / n))::geometry
                       FROM (SELECT greatest(2, ceil(fov_deg)::int) AS n) k,
                            generate_series(0, greatest(2, ceil(fov_deg)::int)) i)
            || ARRAY[pos])), 4490) END
$$;

-- ---------------------------------------------------------------------------------------------
-- School safety zones (Art. 44): hazards within school_zone_m of a school or kindergarten.
CREATE VIEW hazards_school_zone AS
SELECT h.id AS hazard_id, kp.id AS key_place_id, kp.name AS school_name, kp.category,
       ST_Distance(h.geom::geography, kp.geom::geography) AS distance_m
  FROM hazards h
  JOIN key_places kp
    ON kp.category IN ('school', 'kindergarten')
   AND ST_DWithin(h.geom::geography, kp.geom::geography, hazard_setting('school_zone_m'));

-- What the map needs of a hazard's zone (the `hazard_zones` tile layer reads this).
CREATE VIEW hazard_zones AS
SELECT h.id, h.name, h.category, h.subcategory, h.risk_grade, h.status, h.overdue,
       h.escalation_level, h.zone_source, h.zone_buffer_m, h.village_code,
       hazard_is_major(h.accident_grade, h.risk_grade) AS major,
       EXISTS (SELECT 1 FROM hazards_school_zone s WHERE s.hazard_id = h.id) AS in_school_zone,
       h.influence_zone AS geom
  FROM hazards h
 WHERE h.influence_zone IS NOT NULL;
