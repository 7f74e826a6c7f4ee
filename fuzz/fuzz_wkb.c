/* WKB/EWKB, binary and hex: parse, validate, write back as hex WKB. */
#include "fuzz.h"
#include "geo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static geo_ctx *ctx;
    core_err err = {0};
    if (!ctx && !(ctx = geo_ctx_create(&err)))
        abort();
    geo_fault fault;
    geo_fault_clear(&fault);
    geo_geom *g = geo_from_wkb(ctx, data, size, &fault, &err);
    if (g) {
        geo_validate(ctx, g, &fault);
        char *out = geo_to_wkb_hex(ctx, g, &err);
        free(out);
        geo_geom_free(ctx, g);
    }
    char *hex = fuzz_cstr(data, size);
    g = hex ? geo_from_wkb_hex(ctx, hex, &fault, &err) : NULL;
    geo_geom_free(ctx, g);
    free(hex);
    return 0;
}
