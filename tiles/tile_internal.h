/* The tile context's insides, shared by the cache, the builder and the listener. */
#ifndef PINGAN_TILE_INTERNAL_H
#define PINGAN_TILE_INTERNAL_H

#include "tiles.h"

#include <pthread.h>
#include <stdatomic.h>

/* A cached tile. The public tile_ref comes first so that a tile_ref* is an entry*. The cache
 * holds one reference while the entry is listed; every reader holds one more. */
typedef struct tile_entry tile_entry;
struct tile_entry {
    tile_ref ref;
    atomic_int refs;
    bool immortal;           /* the shared empty tile: never freed */
    tile_entry *hnext;       /* hash chain */
    tile_entry *prev, *next; /* LRU list, most recent first */
    uint64_t mask;
    int z, x, y;
    size_t cost; /* bytes charged to the budget */
    char *key;   /* the set's canonical key */
    unsigned char *data;
};

/* A recent invalidation, kept so that a tile built from a snapshot older than the change is
 * not cached after the change was applied. */
typedef struct {
    unsigned long long epoch;
    uint64_t mask; /* all ones for a flush */
    int zmin, zmax;
    int nboxes;
    tile_box box[2];
} tile_inval;
#define TILE_RING 512

struct tile_ctx {
    pthread_mutex_t lock;
    tile_entry **buckets;
    size_t nbuckets;
    tile_entry lru; /* sentinel */
    long long budget;
    tile_stats st;
    unsigned long long epoch;
    bool ever_listened;
    tile_inval ring[TILE_RING];
    uint64_t visible[TILE_MAX_ZOOM + 1]; /* layers drawn at each zoom */

    /* listener */
    char *db_url;
    PGconn *first_conn; /* handed to the thread */
    pthread_t thread;
    bool thread_started;
    int wake[2];
    atomic_bool stop;
    pthread_cond_t synced_cond;
    unsigned long long sync_next, synced;
    char sync_prefix[48];
};

/* cache.c */
core_code tile_cache_init(tile_ctx *t, long long budget, core_err *err);
void tile_cache_free(tile_ctx *t);
/* A cached tile with a new reference, or NULL (and *epoch gets the epoch to build from). */
tile_entry *tile_cache_lookup(tile_ctx *t, const tile_set *set, int z, int x, int y,
                              unsigned long long *epoch);
/* Lists a built entry unless a change applied since `epoch` touches it or the listener is away. */
void tile_cache_insert(tile_ctx *t, tile_entry *e, unsigned long long epoch);
void tile_entry_free(tile_entry *e);
/* Called with the lock held by the listener when it (re)connects or loses its connection. */
void tile_set_listening(tile_ctx *t, bool on);

/* listen.c */
core_code tile_listen_start(tile_ctx *t, const char *url, core_err *err);
void tile_listen_stop(tile_ctx *t);

#endif
