-- The jurisdictions collection's rows: one per statistical division code. The OGC API wraps
-- this as `(…) f` and picks the registry's columns (server/collections.c), so filters and
-- sorting reach the table's indexes.
SELECT code, level, name, parent_code, kind, code_year, geom, updated_at
FROM jurisdictions
