-- Hazards in a school safety zone, found through the key places' spatial index: the view of
-- 005 compared every hazard with every school on the geography (ST_DWithin on ::geography
-- uses no index on the CGCS2000 column), which made one z13 tile of the 'hazard_zones' layer
-- take 7 s on province-scale data (114 hazards x 12,000 schools) and slowed the hazard
-- reports and exposure the same way. Same columns, same rows: a box in degrees that surely
-- holds the zone (111,000 m per degree of longitude at the hazard's highest latitude plus one
-- degree, 110,000 m per degree of latitude: both less than the true lengths) picks the
-- candidates, and the geography test decides as before.
CREATE OR REPLACE VIEW hazards_school_zone AS
SELECT h.id AS hazard_id, kp.id AS key_place_id, kp.name AS school_name, kp.category,
       ST_Distance(h.geom::geography, kp.geom::geography) AS distance_m
  FROM hazards h
  JOIN key_places kp
    ON kp.category IN ('school', 'kindergarten')
   AND kp.geom && ST_Expand(h.geom,
           hazard_setting('school_zone_m')
             / (111000 * cos(radians(least(89, greatest(abs(ST_YMin(h.geom)), abs(ST_YMax(h.geom))) + 1)))),
           hazard_setting('school_zone_m') / 110000)
   AND ST_DWithin(h.geom::geography, kp.geom::geography, hazard_setting('school_zone_m'));
