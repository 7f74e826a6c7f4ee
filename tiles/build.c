/* Building a tile: the set's layers visible at the zoom in one prepared statement on a pooled
 * connection (binary bytea, no text round trip), concatenated, gzipped once, hashed for the
 * ETag, then offered to the cache. */
#include "db.h"
#include "tile_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static tile_entry empty_tile = {.ref = {.etag = "\"empty\""}, .immortal = true};

tile_ctx *tile_ctx_create(const char *db_url, long long cache_bytes, core_err *err)
{
    /* Every layer's SQL is read now, before the first request needs it. */
    for (int i = 0; i < tile_layer_count(); i++)
        if (!tile_layer_sql(i, err))
            return NULL;
    tile_ctx *t = calloc(1, sizeof *t);
    if (!t) {
        core_fail(err, CORE_ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->synced_cond, NULL);
    t->wake[0] = t->wake[1] = -1;
    if (tile_cache_init(t, cache_bytes, err) || (db_url && tile_listen_start(t, db_url, err))) {
        tile_ctx_free(t);
        return NULL;
    }
    return t;
}

void tile_ctx_free(tile_ctx *t)
{
    if (!t)
        return;
    tile_listen_stop(t);
    pthread_mutex_lock(&t->lock);
    tile_cache_free(t);
    pthread_mutex_unlock(&t->lock);
    pthread_cond_destroy(&t->synced_cond);
    pthread_mutex_destroy(&t->lock);
    free(t->db_url);
    free(t);
}

/* gzip (not raw deflate): what Content-Encoding: gzip means. */
static unsigned char *gzip_bytes(const unsigned char *in, size_t len, size_t *out_len)
{
    z_stream zs = {0};
    if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&zs, (uLong)len);
    unsigned char *out = malloc(cap);
    if (out) {
        zs.next_in = (Bytef *)in;
        zs.avail_in = (uInt)len;
        zs.next_out = out;
        zs.avail_out = (uInt)cap;
        if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
            free(out);
            out = NULL;
        } else {
            *out_len = zs.total_out;
        }
    }
    deflateEnd(&zs);
    return out;
}

core_code tile_ref_inflate(const tile_ref *ref, core_buf *out, core_err *err)
{
    if (!ref->raw_len)
        return CORE_OK;
    if (!core_buf_reserve(out, ref->raw_len))
        return core_fail(err, CORE_ENOMEM, "out of memory");
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return core_fail(err, CORE_ENOMEM, "out of memory");
    zs.next_in = (Bytef *)ref->gz;
    zs.avail_in = (uInt)ref->gz_len;
    zs.next_out = (Bytef *)out->data + out->len;
    zs.avail_out = (uInt)ref->raw_len;
    int rc = inflate(&zs, Z_FINISH);
    size_t got = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || got != ref->raw_len)
        return core_fail(err, CORE_EIO, "cached tile does not inflate");
    out->len += got;
    out->data[out->len] = '\0';
    return CORE_OK;
}

/* Runs the set's statement, preparing it on this connection the first time (the server's
 * SQLSTATE 26000 says it is not prepared here yet). */
static PGresult *run_tile_sql(PGconn *c, const tile_set *set, int z, const char *const vals[3],
                              int *ncols, core_err *err)
{
    char name[80] = "pingan_tile";
    for (int i = 0; i < set->n; i++) {
        const tile_layer *l = tile_layer_at(set->idx[i]);
        if (z >= l->minzoom && z <= l->maxzoom)
            snprintf(name + strlen(name), sizeof name - strlen(name), "_%d", set->idx[i]);
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *r = PQexecPrepared(c, name, 3, vals, NULL, NULL, 1);
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK) {
            *ncols = PQnfields(r);
            return r;
        }
        const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
        if (attempt || !state || strcmp(state, "26000") != 0) {
            db_fail(c, r, err);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        char *sql = tile_set_sql(set, z, ncols, err);
        if (!sql)
            return NULL;
        /* JIT compiling a tile query costs more than running it (seconds on a busy machine,
         * for milliseconds of work); tile statements are prepared once per connection, and
         * the server's other queries are short too, so the session goes without. */
        PQclear(PQexec(c, "SET jit = off"));
        static const Oid types[3] = {23, 23, 23}; /* int4 */
        r = PQprepare(c, name, sql, 3, types);
        free(sql);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            db_fail(c, r, err);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
    }
    return NULL;
}

core_code tile_get(tile_ctx *t, db_pool *pool, const tile_set *set, int z, int x, int y,
                   tile_ref **out, core_err *err)
{
    *out = NULL;
    if (!tile_valid(z, x, y))
        return core_fail(err, CORE_EINVAL, "tile %d/%d/%d is outside the zoom's grid", z, x, y);
    if (!(set->mask & t->visible[z])) {
        *out = &empty_tile.ref; /* nothing of the set is drawn at this zoom */
        return CORE_OK;
    }
    unsigned long long epoch;
    tile_entry *hit = tile_cache_lookup(t, set, z, x, y, &epoch);
    if (hit) {
        *out = &hit->ref;
        return CORE_OK;
    }

    char sz[12], sx[12], sy[12];
    snprintf(sz, sizeof sz, "%d", z);
    snprintf(sx, sizeof sx, "%d", x);
    snprintf(sy, sizeof sy, "%d", y);
    const char *vals[3] = {sz, sx, sy};
    int ncols = 0;
    PGconn *c = db_pool_acquire(pool, 2000, err);
    if (!c)
        return err ? err->code : CORE_EUNAVAIL;
    PGresult *r = run_tile_sql(c, set, z, vals, &ncols, err);
    db_pool_release(pool, c);
    if (!r)
        return err ? err->code : CORE_EDB;
    core_buf raw = {0};
    bool ok = true;
    for (int i = 0; i < ncols && ok && PQntuples(r) > 0; i++)
        if (!PQgetisnull(r, 0, i))
            ok = core_buf_append(&raw, PQgetvalue(r, 0, i), (size_t)PQgetlength(r, 0, i));
    PQclear(r);

    tile_entry *e = calloc(1, sizeof *e);
    if (!ok || !e || !(e->key = strdup(set->key)))
        goto oom;
    if (raw.len) {
        if (!(e->data = gzip_bytes((unsigned char *)raw.data, raw.len, &e->ref.gz_len)))
            goto oom;
        e->ref.gz = e->data;
        e->ref.raw_len = raw.len;
        /* Strong validator: two hashes and the length of the MVT bytes. */
        uLong crc = crc32(0L, (const Bytef *)raw.data, (uInt)raw.len);
        uLong adl = adler32(1L, (const Bytef *)raw.data, (uInt)raw.len);
        snprintf(e->ref.etag, sizeof e->ref.etag, "\"%08lx%08lx%zx\"", crc & 0xffffffffUL,
                 adl & 0xffffffffUL, raw.len);
    } else {
        snprintf(e->ref.etag, sizeof e->ref.etag, "\"empty\"");
    }
    core_buf_free(&raw);
    atomic_init(&e->refs, 1);
    e->mask = set->mask;
    e->z = z, e->x = x, e->y = y;
    e->cost = sizeof *e + e->ref.gz_len + strlen(e->key) + 1;
    tile_cache_insert(t, e, epoch);
    *out = &e->ref;
    return CORE_OK;
oom:
    core_buf_free(&raw);
    tile_entry_free(e);
    return core_fail(err, CORE_ENOMEM, "out of memory");
}
