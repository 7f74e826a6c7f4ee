/* The geometry text targets' one body: read the input with a reader, validate what it gives,
 * write it back with the matching writer. Only the format differs between them. */
#ifndef PINGAN_FUZZ_GEO_H
#define PINGAN_FUZZ_GEO_H

#include "fuzz.h"
#include "geo.h"

typedef geo_geom *(*fuzz_geo_reader)(geo_ctx *ctx, const char *text, geo_fault *fault,
                                     core_err *err);
typedef char *(*fuzz_geo_writer)(geo_ctx *ctx, const geo_geom *g, int precision, core_err *err);

static inline int fuzz_geo_round_trip(const uint8_t *data, size_t size, fuzz_geo_reader read,
                                      fuzz_geo_writer write)
{
    static geo_ctx *ctx;
    core_err err = {0};
    if (!ctx && !(ctx = geo_ctx_create(&err)))
        abort();
    char *text = fuzz_cstr(data, size);
    geo_fault fault;
    geo_fault_clear(&fault);
    geo_geom *g = text ? read(ctx, text, &fault, &err) : NULL;
    if (g) {
        geo_validate(ctx, g, &fault);
        free(write(ctx, g, 9, &err));
        geo_geom_free(ctx, g);
    }
    free(text);
    return 0;
}

#endif
