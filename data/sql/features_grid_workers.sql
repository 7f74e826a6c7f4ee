-- The grid_workers collection's rows. phone and id_number are personal: the OGC API nulls
-- them unless the caller's role and scope may see them (server/collections.c).
SELECT id, name, employment, phone, id_number, jurisdiction_code, duty, active, version,
       created_at, updated_at
FROM grid_workers
