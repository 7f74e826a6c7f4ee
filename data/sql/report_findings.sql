-- A coverage or staffing report for one jurisdiction: $1 code, $2 'coverage' | 'staffing'.
-- One JSON document: the jurisdiction, the settings in force, its totals, its children's
-- totals side by side, and every finding under it (reason code and labels, what it concerns,
-- area, a location point as [lon, lat]).
WITH j AS (
    SELECT code, level, name, jurisdiction_prefix(code) AS pfx FROM jurisdictions WHERE code = $1
), kids AS (
    SELECT ch.code FROM jurisdictions ch, j WHERE ch.parent_code = j.code
)
SELECT jsonb_build_object(
    'report', $2::text,
    'jurisdiction', (SELECT jsonb_build_object('code', code, 'level', level, 'name', name) FROM j),
    'area_method', 'square metres on the CGCS2000 ellipsoid (PostGIS ST_Area on geography)',
    'settings', (SELECT jsonb_object_agg(name, value) FROM analysis_settings),
    'summary', ana_summary($1),
    'children', coalesce((SELECT jsonb_agg(ana_summary(k.code) ORDER BY k.code) FROM kids k
                          WHERE EXISTS (SELECT 1 FROM coverage_rollup r WHERE r.code = k.code)
                             OR EXISTS (SELECT 1 FROM coverage_village v WHERE v.village_code = k.code)), '[]'),
    'findings', coalesce((
        SELECT jsonb_agg(jsonb_build_object(
                   'id', f.id, 'reason', f.reason, 'label_zh', r.label_zh, 'label_en', r.label_en,
                   'severity', r.severity, 'village_code', f.village_code, 'village_name', v.name,
                   'grid_id', f.grid_id, 'grid_code', f.grid_code, 'place_id', f.place_id,
                   'hazard_id', f.hazard_id, 'worker_id', f.worker_id, 'subject', f.subject,
                   'area_m2', round(f.area_m2::numeric, 2), 'value', f.value, 'bound', f.bound,
                   'suggestion', f.suggestion, 'detail', f.detail,
                   'location', jsonb_build_array(round(ST_X(p.pt)::numeric, 7), round(ST_Y(p.pt)::numeric, 7)))
                   ORDER BY f.village_code, r.severity, f.reason, f.id)
        FROM j, analysis_findings f
        JOIN analysis_reasons r ON r.code = f.reason
        JOIN jurisdictions v ON v.code = f.village_code
        CROSS JOIN LATERAL (SELECT ST_PointOnSurface(f.geom) AS pt) p
        WHERE f.report = $2 AND f.village_code LIKE j.pfx || '%'), '[]')
)::text
FROM j
