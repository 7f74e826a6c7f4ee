/* Bearer tokens: creation with secrets from /dev/urandom, revocation, listing, and the check
 * every request goes through (with a short cache of good answers so most requests cost no
 * database round trip). */
#include "auth.h"

#include "db.h"
#include "feature_query.h"
#include "srv_internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

bool auth_role_valid(const char *role)
{
    static const char *const roles[] = {"admin", "planner", "importer", "viewer"};
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (role && strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

/* n random bytes as 2n lowercase hex digits. */
static core_code random_hex(char *out, size_t nbytes, core_err *err)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        return core_fail(err, CORE_EINVAL, "too many random bytes asked for");
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f)
        return core_fail(err, CORE_EIO, "cannot open /dev/urandom");
    size_t got = fread(raw, 1, nbytes, f);
    fclose(f);
    if (got != nbytes)
        return core_fail(err, CORE_EIO, "short read from /dev/urandom");
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return CORE_OK;
}

/* "30d", "12h", "90m", "2w" → a PostgreSQL interval; false for anything else. */
static bool relative_expiry(const char *s, char *out, size_t size)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (end == s || n <= 0 || n > 100000 || end[0] == '\0' || end[1] != '\0')
        return false;
    const char *unit = end[0] == 'd'   ? "days"
                       : end[0] == 'h' ? "hours"
                       : end[0] == 'm' ? "minutes"
                       : end[0] == 'w' ? "weeks"
                                       : NULL;
    if (!unit)
        return false;
    snprintf(out, size, "%ld %s", n, unit);
    return true;
}

static bool digits_of_level(const char *s)
{
    size_t n = strlen(s);
    return (n == 2 || n == 4 || n == 6 || n == 9 || n == 12) && strspn(s, "0123456789") == n &&
           s[0] != '0';
}

core_code auth_token_create(PGconn *c, const char *role, const char *scope, const char *expires,
                            const char *note, char *token_out, size_t token_size, char *scope_out,
                            size_t scope_size, core_err *err)
{
    if (!auth_role_valid(role))
        return core_fail(err, CORE_EINVAL, "role must be admin, planner, importer or viewer");
    if (!scope || !digits_of_level(scope))
        return core_fail(err, CORE_EINVAL,
                         "scope must be a division code: 2, 4, 6, 9 or 12 digits (e.g. 360502)");
    char interval[64] = "";
    const char *absolute = NULL;
    if (expires && *expires && !relative_expiry(expires, interval, sizeof interval))
        absolute = expires; /* PostgreSQL parses it and says so when it cannot */
    if (note && strlen(note) > 200)
        return core_fail(err, CORE_EINVAL, "note is longer than 200 characters");

    char id[AUTH_ID_LEN + 1], secret[65];
    core_code rc;
    if ((rc = random_hex(id, AUTH_ID_LEN / 2, err)) || (rc = random_hex(secret, 32, err)))
        return rc;
    const char *sql = srv_sql("token_create", err);
    if (!sql)
        return err ? err->code : CORE_EIO;
    const char *params[] = {id,
                            secret,
                            role,
                            scope,
                            absolute,
                            *interval ? interval : NULL,
                            note && *note ? note : NULL};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 7, params, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return core_fail(err, CORE_ENOTFOUND, "no jurisdiction has the code %s", scope);
    }
    if (token_out)
        snprintf(token_out, token_size, "%s.%s", id, secret);
    if (scope_out)
        snprintf(scope_out, scope_size, "%s", PQgetvalue(r, 0, 1));
    PQclear(r);
    explicit_bzero(secret, sizeof secret);
    return CORE_OK;
}

core_code auth_token_revoke(PGconn *c, const char *id, core_err *err)
{
    const char *sql = srv_sql("token_revoke", err);
    if (!sql)
        return err ? err->code : CORE_EIO;
    const char *params[] = {id};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 1, params, err);
    if (!r)
        return err ? err->code : CORE_EDB;
    bool found = PQntuples(r) > 0;
    PQclear(r);
    return found ? CORE_OK : core_fail(err, CORE_ENOTFOUND, "no token has the id %s", id);
}

PGresult *auth_token_list(PGconn *c, core_err *err)
{
    const char *sql = srv_sql("token_list", err);
    return sql ? db_exec(c, PGRES_TUPLES_OK, sql, 0, NULL, err) : NULL;
}

/* ---- the check and its cache ---- */

/* Good answers only. A handful of entries is plenty: a deployment has few active tokens, and
 * a miss costs one indexed lookup. */
#define CACHE_SLOTS 64

static struct {
    char token[AUTH_TOKEN_MAX];
    auth_identity who;
    double at_ms;         /* when it was checked (monotonic) */
    double expires_epoch; /* wall-clock expiry of the token, 0 = never */
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Splits "<id>.<secret>", copies a log-safe id into who->id; false when malformed. */
static bool split_token(const char *token, char *id, size_t id_size, const char **secret,
                        auth_identity *who)
{
    const char *dot = token ? strchr(token, '.') : NULL;
    size_t idlen = dot ? (size_t)(dot - token) : (token ? strlen(token) : 0);
    size_t clean = 0;
    for (size_t i = 0; token && i < idlen && clean < sizeof who->id - 1; i++)
        if (islower((unsigned char)token[i]) || isdigit((unsigned char)token[i]))
            who->id[clean++] = token[i];
    who->id[clean] = '\0';
    if (!clean)
        snprintf(who->id, sizeof who->id, "malformed");
    if (!dot || idlen < 6 || idlen >= id_size || strlen(token) >= AUTH_TOKEN_MAX ||
        strspn(token, "abcdefghijklmnopqrstuvwxyz0123456789") != idlen || !dot[1])
        return false;
    memcpy(id, token, idlen);
    id[idlen] = '\0';
    *secret = dot + 1;
    return true;
}

bool auth_cached(const char *token, int cache_ms, auth_identity *who)
{
    if (!token || cache_ms <= 0 || strlen(token) >= AUTH_TOKEN_MAX)
        return false;
    double now = core_now_ms(), wall = wall_now();
    bool hit = false;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS && !hit; i++) {
        if (!cache[i].token[0] || strcmp(cache[i].token, token) != 0)
            continue;
        if (now - cache[i].at_ms <= cache_ms &&
            (cache[i].expires_epoch == 0 || wall < cache[i].expires_epoch)) {
            *who = cache[i].who;
            hit = true;
        } else {
            cache[i].token[0] = '\0';
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(const char *token, const auth_identity *who, double expires_epoch)
{
    pthread_mutex_lock(&cache_lock);
    int slot = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (!cache[i].token[0]) {
            slot = i;
            break;
        }
        if (cache[i].at_ms < cache[slot].at_ms)
            slot = i; /* the oldest goes */
    }
    snprintf(cache[slot].token, sizeof cache[slot].token, "%s", token);
    cache[slot].who = *who;
    cache[slot].at_ms = core_now_ms();
    cache[slot].expires_epoch = expires_epoch;
    pthread_mutex_unlock(&cache_lock);
}

auth_verdict auth_check(PGconn *c, const char *token, auth_identity *who, core_err *err)
{
    memset(who, 0, sizeof *who);
    char id[32];
    const char *secret = NULL;
    if (!split_token(token, id, sizeof id, &secret, who))
        return AUTH_INVALID;
    const char *sql = srv_sql("token_check", err);
    if (!sql)
        return AUTH_INVALID;
    const char *params[] = {id, secret};
    PGresult *r = db_exec(c, PGRES_TUPLES_OK, sql, 2, params, err);
    if (!r)
        return AUTH_INVALID;
    auth_verdict v = AUTH_INVALID;
    if (PQntuples(r) == 1) {
        if (PQgetvalue(r, 0, 3)[0] == 't')
            v = AUTH_REVOKED;
        else if (PQgetvalue(r, 0, 2)[0] == 't')
            v = AUTH_EXPIRED;
        else
            v = AUTH_OK;
        snprintf(who->role, sizeof who->role, "%s", PQgetvalue(r, 0, 0));
        snprintf(who->scope, sizeof who->scope, "%s", PQgetvalue(r, 0, 1));
        if (v == AUTH_OK)
            cache_put(token, who, strtod(PQgetvalue(r, 0, 4), NULL));
    }
    PQclear(r);
    if (v != AUTH_OK)
        who->role[0] = who->scope[0] = '\0';
    return v;
}

/* ---- the request gate (called by the router before every handler) ---- */

static bool is_read(const char *method)
{
    return !strcmp(method, "GET") || !strcmp(method, "HEAD") || !strcmp(method, "OPTIONS");
}

static int refuse(srv_req *r, const char *code, const char *detail)
{
    char hdr[160];
    snprintf(hdr, sizeof hdr, "WWW-Authenticate: Bearer realm=\"pingan\", error=\"%s\"\r\n",
             strcmp(code, "token_required") == 0 ? "invalid_request" : "invalid_token");
    return srv_problem_ex(r, 401, code, detail, NULL, hdr);
}

/* Routes that never need a token, by their name in the route table: load balancers,
 * Prometheus and the page files must work whatever the read policy. */
static bool open_route(const char *name)
{
    static const char *const open[] = {"health", "metrics", "static"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++)
        if (name && strcmp(name, open[i]) == 0)
            return true;
    return false;
}

/* Routes that decide anonymous reads themselves, per collection (srv_coll_readable): with
 * anonymous_reads off they still list what an anonymous caller may see (nothing), and the
 * service metadata stays discoverable. Every other read route is closed by the gate, so a new
 * data route is safe by default. */
static bool decides_reads_itself(const char *name)
{
    static const char *const self[] = {"landing",    "api",         "conformance", "collections",
                                       "collection", "queryables",  "items",       "item",
                                       "locate",     "item_history"};
    for (size_t i = 0; i < sizeof self / sizeof self[0]; i++)
        if (name && strcmp(name, self[i]) == 0)
            return true;
    return false;
}

int srv_authenticate(srv_req *r, const char *route_name)
{
    if (open_route(route_name))
        return 0;
    const char *h = srv_header(r, "Authorization");
    if (!h) {
        if (is_read(r->method) &&
            (r->server->cfg.anonymous_reads || decides_reads_itself(route_name)))
            return 0;
        return refuse(r, "token_required",
                      is_read(r->method) ? "this server needs a bearer token for reads"
                                         : "writes need a bearer token (pingan token create)");
    }
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return refuse(r, "invalid_token", "Authorization must be 'Bearer <token>'");
    const char *token = h + 7;
    while (*token == ' ')
        token++;
    auth_identity who;
    auth_verdict v = AUTH_OK;
    if (!auth_cached(token, r->server->cfg.auth_cache_ms, &who)) {
        PGconn *c = srv_db_acquire(r);
        if (!c)
            return r->status;
        core_err err = {0};
        v = auth_check(c, token, &who, &err);
        srv_db_release(r, c);
        snprintf(r->actor, sizeof r->actor, "%s", who.id);
        if (err.code) {
            core_log(CORE_LOG_ERROR, "auth_check_failed", "\"error\":\"%s\"",
                     core_code_name(err.code));
            return srv_problem(r, 503, "db_unavailable", "cannot check the token now", NULL);
        }
    }
    snprintf(r->actor, sizeof r->actor, "%s", who.id);
    switch (v) {
    case AUTH_OK:
        snprintf(r->role, sizeof r->role, "%s", who.role);
        snprintf(r->scope, sizeof r->scope, "%s", who.scope);
        return 0;
    case AUTH_EXPIRED:
        return refuse(r, "token_expired", "the token has expired; ask for a new one");
    case AUTH_REVOKED:
        return refuse(r, "token_revoked", "the token has been revoked");
    default:
        return refuse(r, "invalid_token", "the token is not one this server issued");
    }
}

bool srv_may_write(const srv_req *r)
{
    return !strcmp(r->role, "admin") || !strcmp(r->role, "planner");
}

bool srv_in_scope(const srv_req *r, const char *code)
{
    size_t n = strlen(r->scope);
    return n > 0 && code && strncmp(code, r->scope, n) == 0;
}

int srv_require_writer(srv_req *r)
{
    if (!strcmp(r->role, "anonymous"))
        return refuse(r, "token_required", "writes need a bearer token (pingan token create)");
    if (!srv_may_write(r)) {
        char detail[120];
        snprintf(detail, sizeof detail, "the %s role may not change features", r->role);
        return srv_problem(r, 403, "forbidden_role", detail, json_pack("{s:s}", "role", r->role));
    }
    return 0;
}
