-- Creates a token. $1 id, $2 secret (only its SHA-256 is stored), $3 role, $4 scope as given
-- (any length of a division code; stored as its level's prefix), $5 absolute expiry or NULL,
-- $6 relative expiry (interval) or NULL, $7 note. No row back when the scope is unknown.
INSERT INTO tokens (id, secret_hash, role, scope, expires_at, note)
SELECT $1, sha256(convert_to($2, 'UTF8')), $3, jurisdiction_prefix(j.code),
       coalesce($5::timestamptz, now() + $6::interval), $7
FROM jurisdictions j
WHERE j.code = rpad($4, 12, '0')
RETURNING id, scope, expires_at;
