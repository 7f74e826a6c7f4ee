-- What `pingan export` writes for each collection: plain columns then the geometry as WKB
-- (hex) in CGCS2000. $1 is a jurisdiction code (NULL for all): features inside it by code.

-- @jurisdictions
SELECT code, name, level, kind, parent_code, code_year, encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM jurisdictions
 WHERE geom IS NOT NULL AND ($1::text IS NULL OR code LIKE jurisdiction_prefix($1) || '%')
 ORDER BY code;

-- @grids
SELECT code, name, kind, village_code, unit_type, households, residents, version,
       encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM grids
 WHERE $1::text IS NULL OR village_code LIKE jurisdiction_prefix($1) || '%'
 ORDER BY code;

-- @key_places
SELECT code, name, category, village_code, security_staff, has_video, has_alarm,
       has_emergency_plan, version, encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM key_places
 WHERE $1::text IS NULL OR village_code LIKE jurisdiction_prefix($1) || '%'
 ORDER BY id;

-- @hazards
SELECT code, name, category, risk_grade, danger_level, scale, status, threatened_households,
       threatened_persons, village_code, version, encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM hazards
 WHERE $1::text IS NULL OR village_code LIKE jurisdiction_prefix($1) || '%'
 ORDER BY id;

-- @population_units
SELECT code, name, kind, households, residents, floors, village_code,
       encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM population_units
 WHERE $1::text IS NULL OR village_code LIKE jurisdiction_prefix($1) || '%'
 ORDER BY id;

-- @cameras
SELECT code, name, village_code, direction_deg, fov_deg, range_m,
       encode(ST_AsBinary(geom), 'hex') AS wkb
  FROM cameras
 WHERE $1::text IS NULL OR village_code LIKE jurisdiction_prefix($1) || '%'
 ORDER BY id;
