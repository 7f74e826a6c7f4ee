/* A small Mapbox Vector Tile (protobuf) reader for the tests: layers, their keys, and per
 * feature the type, tag keys and the bounding box of its geometry in tile units. Written from
 * the MVT 2.1 specification, independent of the server's code. */
#ifndef PINGAN_MVT_READER_H
#define PINGAN_MVT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MVT_MAX 64

typedef struct {
    int type; /* 1 point, 2 line, 3 polygon */
    bool has_id;
    uint64_t id;
    int ntags;
    int key[MVT_MAX]; /* index into the layer's keys */
    int val[MVT_MAX];
    long minx, miny, maxx, maxy;
    int ncoords;
} mvt_feature;

typedef struct {
    char name[64];
    unsigned version, extent;
    int nkeys;
    char keys[MVT_MAX][40];
    int nvalues;
    char values[256][96]; /* every value as text */
    int nfeatures;
    mvt_feature features[256];
} mvt_layer;

typedef struct {
    int nlayers;
    mvt_layer layers[16];
} mvt_tile;

/* Decodes buf into *t (zeroed first); false when the bytes are not a valid tile. */
bool mvt_decode(const unsigned char *buf, size_t len, mvt_tile *t);
/* The layer called name, or NULL. */
const mvt_layer *mvt_find(const mvt_tile *t, const char *name);
/* The text of feature f's value for key, or NULL when it has none. */
const char *mvt_value(const mvt_layer *l, const mvt_feature *f, const char *key);

#endif
