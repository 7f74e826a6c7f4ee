/* Request JSON bodies as the write handlers read them: the depth limiter and jansson
 * (srv_json_parse), then RFC 7396 merge patches of the parsed body onto a feature and onto
 * itself (edit_merge_patch), and the geometry inside a Feature. */
#include "edit_internal.h"
#include "fuzz.h"
#include "geo.h"
#include "srv_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static geo_ctx *ctx;
    static json_t *feature;
    core_err err = {0};
    if (!ctx && !(ctx = geo_ctx_create(&err)))
        abort();
    if (!feature)
        feature =
            json_loads("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":"
                       "[115.1,27.8]},\"properties\":{\"name\":\"a\",\"kind\":\"community\","
                       "\"nested\":{\"x\":1,\"y\":[1,2]}}}",
                       0, NULL);
    json_t *doc = NULL;
    json_error_t e;
    if (srv_json_parse((const char *)data, size, 32, &doc, &e) != SRV_JSON_OK)
        return 0;
    json_t *a = edit_merge_patch(feature, doc);
    json_t *b = edit_merge_patch(doc, doc);
    json_t *geom = json_object_get(doc, "geometry");
    if (json_is_object(geom)) {
        char *text = json_dumps(geom, JSON_COMPACT);
        geo_fault fault;
        geo_geom *g = text ? geo_from_geojson(ctx, text, &fault, &err) : NULL;
        geo_geom_free(ctx, g);
        free(text);
    }
    json_decref(a);
    json_decref(b);
    json_decref(doc);
    return 0;
}
