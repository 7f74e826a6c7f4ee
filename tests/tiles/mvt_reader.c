/* Protobuf wire format and MVT geometry commands, just enough for the tests. */
#include "mvt_reader.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const unsigned char *p, *end;
    bool bad;
} rd;

static uint64_t varint(rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = true;
            return 0;
        }
        unsigned char b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    r->bad = true;
    return 0;
}

static rd sub(rd *r)
{
    uint64_t n = varint(r);
    rd s = {r->p, r->p, false};
    if (r->bad || n > (uint64_t)(r->end - r->p)) {
        r->bad = true;
        s.bad = true;
        return s;
    }
    s.end = r->p + n;
    r->p += n;
    return s;
}

static void skip(rd *r, int wire)
{
    if (wire == 0)
        varint(r);
    else if (wire == 1)
        r->p += 8;
    else if (wire == 2)
        sub(r);
    else if (wire == 5)
        r->p += 4;
    else
        r->bad = true;
    if (r->p > r->end)
        r->bad = true;
}

static int64_t zigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void value(rd r, char *out, size_t size)
{
    snprintf(out, size, "?");
    while (r.p < r.end && !r.bad) {
        uint64_t tag = varint(&r);
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field == 1 && wire == 2) {
            rd s = sub(&r);
            snprintf(out, size, "%.*s", (int)(s.end - s.p), (const char *)s.p);
        } else if (field == 2 && wire == 5) {
            float f;
            memcpy(&f, r.p, 4);
            r.p += 4;
            snprintf(out, size, "%g", f);
        } else if (field == 3 && wire == 1) {
            double d;
            memcpy(&d, r.p, 8);
            r.p += 8;
            snprintf(out, size, "%g", d);
        } else if ((field == 4 || field == 5) && wire == 0) {
            snprintf(out, size, "%lld", (long long)varint(&r));
        } else if (field == 6 && wire == 0) {
            snprintf(out, size, "%lld", (long long)zigzag(varint(&r)));
        } else if (field == 7 && wire == 0) {
            snprintf(out, size, "%s", varint(&r) ? "true" : "false");
        } else {
            skip(&r, wire);
        }
    }
}

static bool geometry(rd g, mvt_feature *f)
{
    long x = 0, y = 0;
    f->minx = f->miny = 1L << 40;
    f->maxx = f->maxy = -(1L << 40);
    while (g.p < g.end && !g.bad) {
        uint64_t cmd = varint(&g);
        unsigned id = cmd & 7, count = (unsigned)(cmd >> 3);
        if (id == 7)
            continue;
        if (id != 1 && id != 2)
            return false;
        for (unsigned i = 0; i < count && !g.bad; i++) {
            x += zigzag(varint(&g));
            y += zigzag(varint(&g));
            f->ncoords++;
            if (x < f->minx)
                f->minx = x;
            if (x > f->maxx)
                f->maxx = x;
            if (y < f->miny)
                f->miny = y;
            if (y > f->maxy)
                f->maxy = y;
        }
    }
    return !g.bad && f->ncoords > 0;
}

static bool feature(rd r, mvt_feature *f)
{
    while (r.p < r.end && !r.bad) {
        uint64_t tag = varint(&r);
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field == 1 && wire == 0) {
            f->has_id = true;
            f->id = varint(&r);
        } else if (field == 2 && wire == 2) {
            rd t = sub(&r);
            while (t.p < t.end && !t.bad && f->ntags < MVT_MAX) {
                f->key[f->ntags] = (int)varint(&t);
                f->val[f->ntags++] = (int)varint(&t);
            }
        } else if (field == 3 && wire == 0) {
            f->type = (int)varint(&r);
        } else if (field == 4 && wire == 2) {
            if (!geometry(sub(&r), f))
                return false;
        } else {
            skip(&r, wire);
        }
    }
    return !r.bad;
}

static bool layer(rd r, mvt_layer *l)
{
    l->extent = 4096;
    while (r.p < r.end && !r.bad) {
        uint64_t tag = varint(&r);
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field == 15 && wire == 0) {
            l->version = (unsigned)varint(&r);
        } else if (field == 1 && wire == 2) {
            rd s = sub(&r);
            snprintf(l->name, sizeof l->name, "%.*s", (int)(s.end - s.p), (const char *)s.p);
        } else if (field == 2 && wire == 2) {
            rd s = sub(&r);
            if (l->nfeatures < 256 && !feature(s, &l->features[l->nfeatures++]))
                return false;
        } else if (field == 3 && wire == 2) {
            rd s = sub(&r);
            if (l->nkeys < MVT_MAX)
                snprintf(l->keys[l->nkeys++], 40, "%.*s", (int)(s.end - s.p), (const char *)s.p);
        } else if (field == 4 && wire == 2) {
            rd s = sub(&r);
            if (l->nvalues < 256)
                value(s, l->values[l->nvalues++], 96);
        } else if (field == 5 && wire == 0) {
            l->extent = (unsigned)varint(&r);
        } else {
            skip(&r, wire);
        }
    }
    return !r.bad;
}

bool mvt_decode(const unsigned char *buf, size_t len, mvt_tile *t)
{
    memset(t, 0, sizeof *t);
    rd r = {buf, buf + len, false};
    while (r.p < r.end && !r.bad) {
        uint64_t tag = varint(&r);
        int field = (int)(tag >> 3), wire = (int)(tag & 7);
        if (field == 3 && wire == 2) {
            rd s = sub(&r);
            if (t->nlayers >= 16 || !layer(s, &t->layers[t->nlayers++]))
                return false;
        } else {
            skip(&r, wire);
        }
    }
    return !r.bad;
}

const mvt_layer *mvt_find(const mvt_tile *t, const char *name)
{
    for (int i = 0; i < t->nlayers; i++)
        if (strcmp(t->layers[i].name, name) == 0)
            return &t->layers[i];
    return NULL;
}

const char *mvt_value(const mvt_layer *l, const mvt_feature *f, const char *key)
{
    for (int i = 0; i < f->ntags; i++)
        if (f->key[i] < l->nkeys && strcmp(l->keys[f->key[i]], key) == 0)
            return f->val[i] < l->nvalues ? l->values[f->val[i]] : NULL;
    return NULL;
}
