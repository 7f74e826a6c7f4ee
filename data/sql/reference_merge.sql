-- Turns the staged statistical division codes (ref_* temporary tables, filled by COPY from
-- data/reference/*.csv) into jurisdiction rows, padding every code to 12 digits. Existing
-- rows are kept, so loading twice changes nothing.
INSERT INTO jurisdictions (code, level, name, parent_code, kind, code_year)
SELECT rpad(code, 12, '0'), 'province', name, NULL, NULL, 2023 FROM ref_provinces
UNION ALL
SELECT rpad(code, 12, '0'), 'city', name, rpad(province_code, 12, '0'), NULL, 2023 FROM ref_cities
UNION ALL
SELECT rpad(code, 12, '0'), 'county', name, rpad(city_code, 12, '0'), NULL, 2023 FROM ref_areas
UNION ALL
SELECT rpad(code, 12, '0'), 'township', name, rpad(area_code, 12, '0'),
       CASE WHEN substr(code, 7, 3)::int < 100 THEN 'street'
            WHEN substr(code, 7, 3)::int < 200 THEN 'town'
            WHEN substr(code, 7, 3)::int < 400 THEN 'township'
            ELSE 'zone' END,
       2023
FROM ref_streets
UNION ALL
SELECT code, 'village', name, rpad(street_code, 12, '0'),
       CASE WHEN substr(code, 10, 3)::int < 200 OR name ~ '(社区|居委|居民委|家委会|生活区)'
            THEN 'community' ELSE 'village' END,
       2023
FROM ref_villages
ON CONFLICT (code) DO NOTHING;
