/* The /items query string (bbox, bbox-crs, crs, datetime, sortby, limit, offset, after,
 * jurisdiction and property filters) parsed as h_items does, for every collection, on a
 * request without a connection (replies go nowhere; the status is what is checked). */
#include "feature_query.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fuzz_cstr(data, size);
    if (!q)
        return 0;
    static srv s;
    for (int i = 0; i < srv_coll_count(); i++) {
        srv_req r = {.server = &s, .method = "GET", .path = "/fuzz", .query = q, .route = -1};
        srv_items_params p;
        srv_sqlargs a = {0};
        int st = srv_items_parse(&r, srv_coll_at(i), &p, &a);
        if (st != 0 && st != 400)
            abort(); /* a bad parameter is the client's error, never anything else */
        if (st == 0 && a.n > SRV_SQL_MAX_ARGS)
            abort();
        srv_items_params_free(&p);
        srv_sqlargs_free(&a);
    }
    free(q);
    return 0;
}
