-- Revokes a token once; the first revocation time is kept. $1 id.
UPDATE tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING revoked_at;
