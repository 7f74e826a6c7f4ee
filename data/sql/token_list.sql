-- Every token, newest first, with its state; never the secret or its hash.
SELECT id, role, scope,
       to_char(created_at, 'YYYY-MM-DD HH24:MI') AS created,
       coalesce(to_char(expires_at, 'YYYY-MM-DD HH24:MI'), '-') AS expires,
       CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
            WHEN expires_at IS NOT NULL AND expires_at <= now() THEN 'expired'
            ELSE 'active' END AS state,
       coalesce(note, '') AS note
FROM tokens
ORDER BY created_at DESC, id;
