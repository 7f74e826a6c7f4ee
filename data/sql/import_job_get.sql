-- One import job as GET /imports/{id} shows it.
SELECT json_build_object(
           'id', id, 'status', status, 'actor', actor, 'filename', filename, 'into', target,
           'options', options, 'report', report, 'error', error,
           'created', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
           'finished', to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))::text
  FROM import_jobs WHERE id = $1::bigint;
