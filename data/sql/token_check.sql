-- Checks a presented token: $1 id, $2 secret. No row: forged. Also says whether it has
-- expired or been revoked, and when it expires (epoch seconds) so a cache can stop in time.
SELECT role, scope,
       (expires_at IS NOT NULL AND expires_at <= now()) AS expired,
       (revoked_at IS NOT NULL) AS revoked,
       coalesce(extract(epoch FROM expires_at), 0)::float8 AS expires_epoch
FROM tokens
WHERE id = $1 AND secret_hash = sha256(convert_to($2, 'UTF8'));
