-- Run on each pooled connection the server opens before it listens (setting db_pool_warm):
-- a backend's first transform sets PROJ up and its first write compiles the triggers' plans,
-- about 1 s under load (bench/load.sh), which would otherwise land on one unlucky request.
SELECT ST_Transform(ST_SetSRID(ST_MakePoint(115.9, 28.7), 4490), 4547) IS NOT NULL,
       ST_Transform(ST_SetSRID(ST_MakePoint(115.9, 28.7), 4490), 990490) IS NOT NULL,
       ST_Area(ST_Buffer(ST_SetSRID(ST_MakePoint(115.9, 28.7), 4490)::geography, 10)) > 0,
       ST_Transform(ST_SetSRID(ST_MakePoint(115.9, 28.7), 4490), 3857) IS NOT NULL;
