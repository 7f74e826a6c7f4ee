/* The growable byte buffer: amortised doubling, always NUL-terminated. */
#include "core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool core_buf_reserve(core_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2)
            return false;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool core_buf_append(core_buf *b, const void *data, size_t len)
{
    if (!core_buf_reserve(b, len))
        return false;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return true;
}

bool core_buf_puts(core_buf *b, const char *s)
{
    return core_buf_append(b, s, strlen(s));
}

bool core_buf_vprintf(core_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !core_buf_reserve(b, (size_t)n))
        return false;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return true;
}

bool core_buf_printf(core_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = core_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return ok;
}

bool core_buf_json_str(core_buf *b, const char *s)
{
    if (!core_buf_append(b, "\"", 1))
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        const char *out = NULL;
        switch (*p) {
        case '"':
            out = "\\\"";
            break;
        case '\\':
            out = "\\\\";
            break;
        case '\n':
            out = "\\n";
            break;
        case '\r':
            out = "\\r";
            break;
        case '\t':
            out = "\\t";
            break;
        default:
            if (*p < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                out = esc;
            }
        }
        if (out ? !core_buf_puts(b, out) : !core_buf_append(b, p, 1))
            return false;
    }
    return core_buf_append(b, "\"", 1);
}

void core_buf_reset(core_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void core_buf_free(core_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *core_buf_take(core_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
