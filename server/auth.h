/*
 * auth — bearer tokens: made by `pingan token`, stored as "<id>" + SHA-256 of the secret,
 * checked on every request by the router (see srv_auth in srv_internal.h). Needs only libpq.
 */
#ifndef PINGAN_AUTH_H
#define PINGAN_AUTH_H

#include "core.h"

#include <libpq-fe.h>
#include <stdbool.h>

#define AUTH_ID_LEN    10 /* public part, [a-z0-9] */
#define AUTH_TOKEN_MAX 96 /* "<id>.<secret>" plus room */

/* True when role is one of admin, planner, importer, viewer. */
bool auth_role_valid(const char *role);

/* Creates a token with a fresh random id and secret from /dev/urandom. scope is a division
 * code of any level (2, 4, 6, 9 or 12 digits, or a 12-digit code of that level); expires is
 * NULL (never), "30d" / "12h" / "90m" (from now), or a date or timestamp. Writes the token
 * "<id>.<secret>" — the only time the secret exists outside the caller — into token_out and
 * the stored scope prefix into scope_out (both may be NULL). */
core_code auth_token_create(PGconn *c, const char *role, const char *scope, const char *expires,
                            const char *note, char *token_out, size_t token_size, char *scope_out,
                            size_t scope_size, core_err *err);
/* Revokes a token by id; CORE_ENOTFOUND when there is no such token. Takes effect within the
 * server's auth_cache_ms. */
core_code auth_token_revoke(PGconn *c, const char *id, core_err *err);
/* Every token (never a secret), newest first: columns id, role, scope, created, expires,
 * state (active|expired|revoked), note. Caller PQclear()s; NULL with err on failure. */
PGresult *auth_token_list(PGconn *c, core_err *err);

typedef enum {
    AUTH_OK,
    AUTH_INVALID, /* malformed or forged */
    AUTH_EXPIRED,
    AUTH_REVOKED,
} auth_verdict;

typedef struct {
    char id[AUTH_ID_LEN + 15]; /* the claimed id, cleaned for logs, even when refused */
    char role[16];
    char scope[16];
} auth_identity;

/* A good answer for token from the in-memory cache, when one younger than cache_ms exists
 * (and the token has not expired since): fills who and returns true. The cache keeps good
 * answers only, so a revocation takes effect within cache_ms. */
bool auth_cached(const char *token, int cache_ms, auth_identity *who);
/* Checks a presented token "<id>.<secret>" against the store and caches a good answer.
 * Returns the verdict; fills who (id always, role/scope when AUTH_OK). On a database failure
 * returns AUTH_INVALID with err->code set (CORE_EUNAVAIL/CORE_EDB) so the caller answers 503. */
auth_verdict auth_check(PGconn *c, const char *token, auth_identity *who, core_err *err);

#endif
