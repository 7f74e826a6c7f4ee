-- A feature's change history, oldest first. $1 table name, $2 feature id.
SELECT id, operation, actor,
       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
       version, before::text, after::text
FROM edit_history
WHERE collection = $1 AND feature_id = $2::bigint
ORDER BY id;
