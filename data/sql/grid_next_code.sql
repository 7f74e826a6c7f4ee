-- The next grid code of a village: its code plus the next free 3-digit serial. Run inside
-- the writing transaction after pg_advisory_xact_lock on the village (see edit.c) so two
-- writers never pick the same serial. $1 village code.
SELECT $1 || lpad((coalesce(max(right(code, 3)::int), 0) + 1)::text, 3, '0') AS code,
       coalesce(max(right(code, 3)::int), 0) + 1 AS serial
FROM grids
WHERE village_code = $1;
