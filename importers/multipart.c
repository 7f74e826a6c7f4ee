/* A small, strict multipart/form-data parser (RFC 7578) for uploads: the whole body is in
 * memory already (bounded by the server), parts point into it, nothing is allocated. */
#include "imp_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HEADER_MAX  1024 /* one part header line */
#define HEADERS_MAX 8    /* header lines per part */

static const char *memfind(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0 || n < m)
        return NULL;
    for (const char *p = hay; (p = memchr(p, needle[0], n - (size_t)(p - hay) - m + 1));) {
        if (memcmp(p, needle, m) == 0)
            return p;
        p++;
        if ((size_t)(p - hay) > n - m)
            break;
    }
    return NULL;
}

/* The value of param (boundary, name, filename) in a header value; quoted or token. */
static bool param(const char *h, size_t hlen, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i + klen + 1 < hlen; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ') && strncasecmp(h + i, key, klen) == 0 &&
            h[i + klen] == '=') {
            const char *v = h + i + klen + 1, *end = h + hlen;
            size_t n = 0;
            if (*v == '"') {
                v++;
                while (v < end && *v != '"' && n + 1 < size) {
                    if (*v == '\\' && v + 1 < end)
                        v++;
                    out[n++] = *v++;
                }
                if (v >= end || *v != '"')
                    return false;
            } else {
                while (v < end && *v != ';' && !isspace((unsigned char)*v) && n + 1 < size)
                    out[n++] = *v++;
            }
            out[n] = '\0';
            return n > 0;
        }
    }
    return false;
}

core_code imp_multipart_parse(const char *content_type, const char *body, size_t len,
                              imp_part *parts, int max, int *nparts, core_err *err)
{
    *nparts = 0;
    char boundary[80];
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0)
        return core_fail(err, CORE_EFORMAT, "Content-Type must be multipart/form-data");
    if (!param(content_type, strlen(content_type), "boundary", boundary, sizeof boundary) ||
        strlen(boundary) > 70)
        return core_fail(err, CORE_EFORMAT, "multipart body without a valid boundary (1-70 chars)");
    char delim[96];
    int dlen = snprintf(delim, sizeof delim, "--%s", boundary);
    /* The body starts with the first delimiter (a preamble is allowed but ignored). */
    const char *p = memfind(body, len, delim, (size_t)dlen);
    const char *end = body + len;
    if (!p)
        return core_fail(err, CORE_EFORMAT, "multipart body has no boundary line");
    char next[100];
    int nlen = snprintf(next, sizeof next, "\r\n--%s", boundary);
    for (;;) {
        p += dlen;
        if (end - p >= 2 && p[0] == '-' && p[1] == '-')
            return *nparts > 0 ? CORE_OK
                               : core_fail(err, CORE_EFORMAT, "multipart body has no parts");
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return core_fail(err, CORE_EFORMAT, "malformed multipart boundary line");
        p += 2;
        if (*nparts == max)
            return core_fail(err, CORE_ELIMIT, "more than %d multipart parts", max);
        imp_part *part = &parts[*nparts];
        memset(part, 0, sizeof *part);
        bool named = false;
        for (int h = 0;; h++) {
            const char *eol = memfind(p, (size_t)(end - p), "\r\n", 2);
            if (!eol || eol - p > HEADER_MAX || h > HEADERS_MAX)
                return core_fail(err, CORE_EFORMAT, "multipart part headers missing or too long");
            if (eol == p) {
                p += 2;
                break;
            }
            size_t hl = (size_t)(eol - p);
            if (hl > 20 && strncasecmp(p, "Content-Disposition:", 20) == 0) {
                const char *v = p + 20;
                while (*v == ' ')
                    v++;
                if (strncasecmp(v, "form-data", 9) != 0)
                    return core_fail(err, CORE_EFORMAT, "part is not form-data");
                named = param(v, (size_t)(eol - v), "name", part->name, sizeof part->name);
                param(v, (size_t)(eol - v), "filename", part->filename, sizeof part->filename);
            }
            p = eol + 2;
        }
        if (!named)
            return core_fail(err, CORE_EFORMAT, "multipart part without a form-data name");
        const char *stop = memfind(p, (size_t)(end - p), next, (size_t)nlen);
        if (!stop)
            return core_fail(err, CORE_EFORMAT,
                             "multipart body truncated: closing boundary missing");
        part->data = p;
        part->len = (size_t)(stop - p);
        (*nparts)++;
        p = stop + 2;
    }
}
