/* The tile cache: a hash of (z, x, y) chains holding every layer set of that tile, an LRU list
 * for the byte budget, and exact invalidation. A change's box is turned, zoom by zoom, into
 * the range of tiles whose buffered square touches it; small ranges are probed in the hash,
 * large ones (a province outline at z15) are checked against the cached entries instead, so
 * the cost is the smaller of the two. */
#include "tile_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WORLD_HALF  20037508.342789244
#define PROBE_LIMIT 4096 /* tiles per zoom probed one by one; more: scan the entries */

static uint32_t hash_zxy(int z, int x, int y)
{
    uint64_t h = ((uint64_t)(uint32_t)z << 58) ^ ((uint64_t)(uint32_t)x << 29) ^ (uint32_t)y;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (uint32_t)h;
}

core_code tile_cache_init(tile_ctx *t, long long budget, core_err *err)
{
    t->nbuckets = 1 << 12;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets)
        return core_fail(err, CORE_ENOMEM, "out of memory");
    t->lru.prev = t->lru.next = &t->lru;
    t->budget = budget;
    t->st.budget = budget;
    for (int z = 0; z <= TILE_MAX_ZOOM; z++)
        for (int i = 0; i < tile_layer_count(); i++) {
            const tile_layer *l = tile_layer_at(i);
            if (z >= l->minzoom && z <= l->maxzoom)
                t->visible[z] |= 1ULL << i;
        }
    return CORE_OK;
}

void tile_entry_free(tile_entry *e)
{
    if (!e || e->immortal)
        return;
    free(e->data);
    free(e->key);
    free(e);
}

void tile_ref_release(tile_ref *ref)
{
    tile_entry *e = (tile_entry *)ref;
    if (e && !e->immortal && atomic_fetch_sub(&e->refs, 1) == 1)
        tile_entry_free(e);
}

static void lru_unlink(tile_entry *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
}

static void lru_push_front(tile_ctx *t, tile_entry *e)
{
    e->next = t->lru.next;
    e->prev = &t->lru;
    t->lru.next->prev = e;
    t->lru.next = e;
}

/* Unlists an entry (lock held) and drops the cache's reference. */
static void drop(tile_ctx *t, tile_entry *e)
{
    tile_entry **pp = &t->buckets[hash_zxy(e->z, e->x, e->y) & (t->nbuckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    lru_unlink(e);
    t->st.bytes -= (long long)e->cost;
    t->st.entries--;
    tile_ref_release(&e->ref);
}

void tile_cache_free(tile_ctx *t)
{
    while (t->lru.next != &t->lru)
        drop(t, t->lru.next);
    free(t->buckets);
}

tile_entry *tile_cache_lookup(tile_ctx *t, const tile_set *set, int z, int x, int y,
                              unsigned long long *epoch)
{
    pthread_mutex_lock(&t->lock);
    tile_entry *e = t->buckets[hash_zxy(z, x, y) & (t->nbuckets - 1)];
    for (; e; e = e->hnext)
        if (e->z == z && e->x == x && e->y == y && e->mask == set->mask &&
            strcmp(e->key, set->key) == 0)
            break;
    if (e) {
        atomic_fetch_add(&e->refs, 1);
        lru_unlink(e);
        lru_push_front(t, e);
        t->st.hits++;
    } else {
        t->st.misses++;
    }
    *epoch = t->epoch;
    pthread_mutex_unlock(&t->lock);
    return e;
}

static bool boxes_touch(const tile_box *a, const tile_box *b)
{
    return a->minx <= b->maxx && a->maxx >= b->minx && a->miny <= b->maxy && a->maxy >= b->miny;
}

static bool inval_touches(const tile_ctx *t, const tile_inval *v, int z, int x, int y,
                          uint64_t mask)
{
    if (z < v->zmin || z > v->zmax || !(v->mask & mask & t->visible[z]))
        return false;
    if (v->nboxes < 0)
        return true; /* a flush */
    tile_box area = tile_bounds_buffered(z, x, y);
    for (int i = 0; i < v->nboxes; i++)
        if (boxes_touch(&area, &v->box[i]))
            return true;
    return false;
}

static void grow(tile_ctx *t)
{
    size_t n = t->nbuckets * 2;
    tile_entry **nb = calloc(n, sizeof *nb);
    if (!nb)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < t->nbuckets; i++)
        for (tile_entry *e = t->buckets[i], *next; e; e = next) {
            next = e->hnext;
            size_t h = hash_zxy(e->z, e->x, e->y) & (n - 1);
            e->hnext = nb[h];
            nb[h] = e;
        }
    free(t->buckets);
    t->buckets = nb;
    t->nbuckets = n;
}

void tile_cache_insert(tile_ctx *t, tile_entry *e, unsigned long long epoch)
{
    pthread_mutex_lock(&t->lock);
    bool ok = t->budget > 0 && t->st.listening && (long long)e->cost <= t->budget;
    /* Changes applied while this tile was being built: the ring tells whether one touches it;
     * when the ring has moved on past the build's start, nothing can be said, so skip. */
    if (ok && t->epoch > epoch) {
        if (t->epoch - epoch > TILE_RING)
            ok = false;
        for (unsigned long long ep = epoch + 1; ok && ep <= t->epoch; ep++)
            if (inval_touches(t, &t->ring[ep % TILE_RING], e->z, e->x, e->y, e->mask))
                ok = false;
    }
    size_t h = hash_zxy(e->z, e->x, e->y) & (t->nbuckets - 1);
    for (tile_entry *o = t->buckets[h]; ok && o; o = o->hnext)
        if (o->z == e->z && o->x == e->x && o->y == e->y && o->mask == e->mask &&
            strcmp(o->key, e->key) == 0)
            ok = false; /* built concurrently by another request: keep the first */
    if (ok) {
        atomic_fetch_add(&e->refs, 1);
        e->hnext = t->buckets[h];
        t->buckets[h] = e;
        lru_push_front(t, e);
        t->st.bytes += (long long)e->cost;
        t->st.entries++;
        while (t->st.bytes > t->budget && t->lru.prev != &t->lru && t->lru.prev != e) {
            drop(t, t->lru.prev);
            t->st.evictions++;
        }
        if ((size_t)t->st.entries > t->nbuckets)
            grow(t);
    }
    pthread_mutex_unlock(&t->lock);
}

/* Records an invalidation in the ring (lock held). */
static void remember(tile_ctx *t, const tile_inval *v)
{
    t->epoch++;
    t->ring[t->epoch % TILE_RING] = *v;
    t->ring[t->epoch % TILE_RING].epoch = t->epoch;
}

static long flush_locked(tile_ctx *t)
{
    long n = 0;
    while (t->lru.next != &t->lru) {
        /* drop() unlinks the entry before it may free it, so lru.next is never freed memory;
         * the analyzer does not follow the unlink. */
        drop(t, t->lru.next); // NOLINT(clang-analyzer-unix.Malloc)
        n++;
    }
    tile_inval v = {.mask = ~0ULL, .zmin = 0, .zmax = TILE_MAX_ZOOM, .nboxes = -1};
    remember(t, &v);
    return n;
}

void tile_flush(tile_ctx *t)
{
    pthread_mutex_lock(&t->lock);
    flush_locked(t);
    t->st.flushes++;
    pthread_mutex_unlock(&t->lock);
}

void tile_set_listening(tile_ctx *t, bool on)
{
    pthread_mutex_lock(&t->lock);
    if (on) {
        /* Whatever changed while nobody listened is unknown: start again from nothing. */
        flush_locked(t);
        if (t->ever_listened)
            t->st.flushes++;
        t->ever_listened = true;
    } else if (t->st.listening) {
        /* Nothing tells us of changes from now on: what is cached may go stale unseen. */
        flush_locked(t);
        t->st.flushes++;
    }
    t->st.listening = on;
    pthread_mutex_unlock(&t->lock);
}

static bool parse_box(const char *s, tile_box *b)
{
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        v[i] = strtod(p, &end);
        if (end == p || !isfinite(v[i]) || *end != (i < 3 ? ',' : '\0'))
            return false;
        p = end + 1;
    }
    *b = (tile_box){.minx = v[0], .miny = v[1], .maxx = v[2], .maxy = v[3]};
    return b->minx <= b->maxx && b->miny <= b->maxy;
}

/* A zoom of a notification: a whole number, clamped to the zooms there are. */
static bool parse_zoom(const char *s, int *z)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end)
        return false;
    *z = v < 0 ? 0 : v > TILE_MAX_ZOOM ? TILE_MAX_ZOOM : (int)v;
    return true;
}

/* The range of tiles at zoom z whose buffered square touches b (closed intervals). */
static void tile_range(const tile_box *b, int z, long r[4])
{
    long n = 1L << z;
    double w = 2 * WORLD_HALF / (double)n;
    double m = w * TILE_BUFFER / TILE_EXTENT;
    r[0] = (long)ceil((b->minx - m + WORLD_HALF) / w - 1);
    r[2] = (long)floor((b->maxx + m + WORLD_HALF) / w);
    r[1] = (long)ceil((WORLD_HALF - b->maxy - m) / w - 1); /* y grows southwards */
    r[3] = (long)floor((WORLD_HALF - b->miny + m) / w);
    for (int i = 0; i < 4; i++)
        r[i] = r[i] < 0 ? 0 : r[i] >= n ? n - 1 : r[i];
}

long tile_invalidate(tile_ctx *t, const char *payload)
{
    if (strcmp(payload, "flush") == 0) {
        pthread_mutex_lock(&t->lock);
        long n = flush_locked(t);
        t->st.flushes++;
        t->st.invalidated += n;
        pthread_mutex_unlock(&t->lock);
        return n;
    }
    /* "layers zmin zmax oldbox newbox": five words, nothing more */
    char copy[1024], *word[6] = {0}, *save = NULL;
    if (snprintf(copy, sizeof copy, "%s", payload) >= (int)sizeof copy)
        return -1;
    int words = 0;
    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (words < 6)
            word[words++] = w;
    tile_inval v = {0};
    if (words != 5 || !parse_zoom(word[1], &v.zmin) || !parse_zoom(word[2], &v.zmax))
        return -1;
    char *layers = word[0], *sold = word[3], *snew = word[4];
    for (char *name = strtok_r(layers, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int i = tile_layer_find(name);
        if (i >= 0)
            v.mask |= 1ULL << i; /* a layer this build does not know is nobody's tile */
    }
    const char *boxes[2] = {sold, snew};
    for (int i = 0; i < 2; i++) {
        if (strcmp(boxes[i], "-") == 0)
            continue;
        if (!parse_box(boxes[i], &v.box[v.nboxes]))
            return -1;
        v.nboxes++;
    }

    long dropped = 0;
    pthread_mutex_lock(&t->lock);
    t->st.notifications++;
    remember(t, &v);
    bool scan = false;
    long ranges[TILE_MAX_ZOOM + 1][2][4];
    bool big[TILE_MAX_ZOOM + 1] = {0};
    for (int z = v.zmin; z <= v.zmax && v.mask && t->st.entries; z++) {
        if (!(v.mask & t->visible[z]))
            continue;
        for (int b = 0; b < v.nboxes; b++) {
            long *r = ranges[z][b];
            tile_range(&v.box[b], z, r);
            if ((r[2] - r[0] + 1) * (r[3] - r[1] + 1) > PROBE_LIMIT) {
                big[z] = scan = true;
                continue;
            }
            for (long x = r[0]; x <= r[2]; x++)
                for (long y = r[1]; y <= r[3]; y++) {
                    tile_entry **pp = &t->buckets[hash_zxy(z, (int)x, (int)y) & (t->nbuckets - 1)];
                    for (tile_entry *e = *pp, *next; e; e = next) {
                        next = e->hnext;
                        if (e->z == z && e->x == x && e->y == y &&
                            (e->mask & v.mask & t->visible[z])) {
                            drop(t, e);
                            dropped++;
                        }
                    }
                }
        }
    }
    if (scan) {
        for (tile_entry *e = t->lru.next, *next; e != &t->lru; e = next) {
            next = e->next;
            if (!big[e->z] || !(e->mask & v.mask & t->visible[e->z]))
                continue;
            for (int b = 0; b < v.nboxes; b++) {
                long *r = ranges[e->z][b];
                if (e->x >= r[0] && e->x <= r[2] && e->y >= r[1] && e->y <= r[3]) {
                    drop(t, e);
                    dropped++;
                    break;
                }
            }
        }
    }
    t->st.invalidated += dropped;
    pthread_mutex_unlock(&t->lock);
    return dropped;
}

void tile_stats_get(tile_ctx *t, tile_stats *out)
{
    pthread_mutex_lock(&t->lock);
    *out = t->st;
    pthread_mutex_unlock(&t->lock);
}
