-- The state of a feature at one version, as written then. $1 table, $2 id, $3 version.
SELECT after::text
FROM edit_history
WHERE collection = $1 AND feature_id = $2::bigint AND version = $3::int
  AND operation IN ('insert', 'update')
ORDER BY id DESC
LIMIT 1;
