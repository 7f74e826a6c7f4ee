/* GeoJSON geometries and Features from request bodies: parse, validate, write back. */
#include "fuzz.h"
#include "geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static geo_ctx *ctx;
    core_err err = {0};
    if (!ctx && !(ctx = geo_ctx_create(&err)))
        abort();
    char *text = fuzz_cstr(data, size);
    geo_fault fault;
    geo_fault_clear(&fault);
    geo_geom *g = text ? geo_from_geojson(ctx, text, &fault, &err) : NULL;
    if (g) {
        geo_validate(ctx, g, &fault);
        char *out = geo_to_geojson(ctx, g, 9, &err);
        free(out);
        geo_geom_free(ctx, g);
    }
    free(text);
    return 0;
}
