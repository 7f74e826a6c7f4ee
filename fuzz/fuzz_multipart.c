/* multipart/form-data uploads (POST /imports): the project's own parser. The first line of
 * the input is the Content-Type header value, the rest the body. Every part must lie inside
 * the body (no length wrapped past it). */
#include "fuzz.h"
#include "importers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t ctlen = nl ? (size_t)(nl - data) : size;
    char *ct = fuzz_cstr(data, ctlen);
    size_t blen = nl ? size - ctlen - 1 : 0;
    /* an exact-size heap copy so that ASan catches any read past the body */
    char *body = malloc(blen ? blen : 1);
    if (!ct || !body) {
        free(ct);
        free(body);
        return 0;
    }
    if (blen)
        memcpy(body, nl + 1, blen);
    imp_part parts[8];
    int nparts = 0;
    core_err err = {0};
    if (imp_multipart_parse(ct, body, blen, parts, 8, &nparts, &err) == CORE_OK) {
        if (nparts < 0 || nparts > 8)
            abort();
        for (int i = 0; i < nparts; i++)
            if (parts[i].data < body || parts[i].len > blen ||
                parts[i].data + parts[i].len > body + blen)
                abort();
    }
    free(ct);
    free(body);
    return 0;
}
