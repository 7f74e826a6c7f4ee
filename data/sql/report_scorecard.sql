-- The Art. 57 scorecard: $1 jurisdiction code, $2 level of the rows ('township', 'county',
-- 'city', 'village'; the rows are the jurisdiction's descendants at that level). One JSON
-- document with the jurisdiction's own total and one row per descendant, indicators with the
-- counts behind them.
WITH j AS (
    SELECT code, level, name, jurisdiction_prefix(code) AS pfx FROM jurisdictions WHERE code = $1
), rows AS (
    SELECT d.code FROM jurisdictions d, j
    WHERE d.level = $2 AND d.code LIKE j.pfx || '%' AND d.code <> j.code
)
SELECT jsonb_build_object(
    'report', 'scorecard',
    'jurisdiction', (SELECT jsonb_build_object('code', code, 'level', level, 'name', name) FROM j),
    'level', $2::text,
    'indicators', jsonb_build_array(
        jsonb_build_object('key', 'coverage_pct', 'label_zh', '网格覆盖率', 'numerator', 'covered_m2', 'denominator', 'area_m2'),
        jsonb_build_object('key', 'community_staffed_pct', 'label_zh', '基层治理网格专职网格员配备率', 'numerator', 'community_staffed', 'denominator', 'grids_community'),
        jsonb_build_object('key', 'dedicated_pct', 'label_zh', '重点场所专属网格设置率', 'numerator', 'places_with_dedicated', 'denominator', 'places_need_dedicated'),
        jsonb_build_object('key', 'on_time_pct', 'label_zh', '隐患按期整改率', 'numerator', 'hazards_on_time', 'denominator', 'hazards_due')),
    'total', ana_summary($1) - 'reasons',
    'rows', coalesce((SELECT jsonb_agg(ana_summary(r.code) - 'reasons' ORDER BY r.code) FROM rows r
                      WHERE EXISTS (SELECT 1 FROM coverage_rollup x WHERE x.code = r.code)
                         OR EXISTS (SELECT 1 FROM coverage_village x WHERE x.village_code = r.code)), '[]')
)::text
FROM j
