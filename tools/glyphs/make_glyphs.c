/* pingan-glyphs: writes MapLibre glyph ranges (<start>-<end>.pbf: signed distance fields of
 * 24 px glyphs, 3 px buffer, radius 8, cutoff 0.25, as fontnik makes them) from TrueType fonts
 * with FreeType, so that the styles' labels need no font server. Each code point comes from the
 * first font that has it. A build tool: its output is committed under styles/glyphs/. */
#include <ft2build.h>
#include FT_FREETYPE_H

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SIZE   24 /* px: the size MapLibre's glyph metrics assume */
#define BUFFER 3
#define RADIUS 8.0
#define CUTOFF 0.25
#define SCALE  4 /* rendered this many times larger, then sampled: smoother edges */

typedef struct {
    unsigned char *p;
    size_t len, cap;
} pbuf;

static void put(pbuf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "pingan-glyphs: out of memory\n");
            exit(1);
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void varint(pbuf *b, uint64_t v)
{
    unsigned char c[10];
    size_t n = 0;
    do {
        c[n] = (unsigned char)(v & 0x7f);
        v >>= 7;
        if (v)
            c[n] |= 0x80;
        n++;
    } while (v);
    put(b, c, n);
}

static void field_varint(pbuf *b, int field, uint64_t v)
{
    varint(b, (uint64_t)field << 3);
    varint(b, v);
}

static void field_sint(pbuf *b, int field, int64_t v)
{
    /* zigzag: 0, -1, 1, -2 … as 0, 1, 2, 3 … */
    field_varint(b, field, v < 0 ? ((uint64_t)(-(v + 1)) << 1) | 1 : (uint64_t)v << 1);
}

static void field_bytes(pbuf *b, int field, const void *data, size_t n)
{
    varint(b, ((uint64_t)field << 3) | 2);
    varint(b, n);
    put(b, data, n);
}

/* The signed distance field of the glyph in the face's slot (rendered at SIZE * SCALE), one
 * byte per pixel of a (w + 2 BUFFER) x (h + 2 BUFFER) bitmap at SIZE. */
static unsigned char *sdf(const FT_Bitmap *bm, int left, int top, int *w, int *h, int *out_left,
                          int *out_top)
{
    /* The glyph box at SIZE, in whole pixels. */
    int x0 = (int)floor((double)left / SCALE), y1 = (int)ceil((double)top / SCALE);
    int x1 = (int)ceil((double)(left + (int)bm->width) / SCALE);
    int y0 = (int)floor((double)(top - (int)bm->rows) / SCALE);
    *w = x1 - x0;
    *h = y1 - y0;
    *out_left = x0;
    *out_top = y1;
    int W = *w + 2 * BUFFER, H = *h + 2 * BUFFER;
    unsigned char *out = malloc((size_t)W * (size_t)H);
    if (!out)
        return NULL;
    int R = (int)(RADIUS * SCALE) + 1;
    for (int j = 0; j < H; j++)
        for (int i = 0; i < W; i++) {
            /* The pixel's centre in the large bitmap's coordinates (row 0 at the top). */
            double cx = ((x0 - BUFFER + i) + 0.5) * SCALE - left;
            double cy = top - ((y1 + BUFFER - j) - 0.5) * SCALE;
            int px = (int)floor(cx), py = (int)floor(cy);
            bool in = px >= 0 && py >= 0 && px < (int)bm->width && py < (int)bm->rows &&
                      bm->buffer[py * bm->pitch + px] >= 128;
            double best = (double)R * R;
            for (int dy = -R; dy <= R; dy++) {
                int y = py + dy;
                for (int dx = -R; dx <= R; dx++) {
                    int x = px + dx;
                    bool other_in = x >= 0 && y >= 0 && x < (int)bm->width && y < (int)bm->rows &&
                                    bm->buffer[y * bm->pitch + x] >= 128;
                    if (other_in == in)
                        continue;
                    double ddx = x + 0.5 - cx, ddy = y + 0.5 - cy;
                    double d2 = ddx * ddx + ddy * ddy;
                    if (d2 < best)
                        best = d2;
                }
            }
            double d = sqrt(best) / SCALE; /* px at SIZE to the nearest pixel of the other side */
            if (in)
                d = -d;
            double v = 255 - 255 * (d / RADIUS + CUTOFF);
            out[j * W + i] = (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
        }
    return out;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "Usage: pingan-glyphs OUTDIR STACKNAME FONT[:FONT...] START...\n"
                        "Writes OUTDIR/START-END.pbf (END = START + 255) for each START, a\n"
                        "multiple of 256, glyphs from the first FONT that has each code point.\n");
        return 2;
    }
    const char *outdir = argv[1], *stack = argv[2];
    FT_Library ft;
    if (FT_Init_FreeType(&ft)) {
        fprintf(stderr, "pingan-glyphs: FreeType did not start\n");
        return 1;
    }
    FT_Face faces[8];
    int nfaces = 0;
    char *fonts = strdup(argv[3]);
    for (char *save = NULL, *f = strtok_r(fonts, ":", &save); f && nfaces < 8;
         f = strtok_r(NULL, ":", &save)) {
        if (FT_New_Face(ft, f, 0, &faces[nfaces])) {
            fprintf(stderr, "pingan-glyphs: cannot read the font %s\n", f);
            return 1;
        }
        FT_Set_Pixel_Sizes(faces[nfaces], 0, SIZE * SCALE);
        nfaces++;
    }
    free(fonts);
    if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "pingan-glyphs: cannot make %s: %s\n", outdir, strerror(errno));
        return 1;
    }
    for (int a = 4; a < argc; a++) {
        long start = strtol(argv[a], NULL, 10);
        if (start < 0 || start % 256 || start > 65280) {
            fprintf(stderr, "pingan-glyphs: %s is not a multiple of 256 within 0..65280\n",
                    argv[a]);
            return 2;
        }
        char range[32];
        snprintf(range, sizeof range, "%ld-%ld", start, start + 255);
        pbuf stackbuf = {0};
        field_bytes(&stackbuf, 1, stack, strlen(stack));
        field_bytes(&stackbuf, 2, range, strlen(range));
        int count = 0;
        for (long cp = start; cp <= start + 255; cp++) {
            FT_Face face = NULL;
            FT_UInt gi = 0;
            for (int f = 0; f < nfaces && !gi; f++)
                if ((gi = FT_Get_Char_Index(faces[f], (FT_ULong)cp)))
                    face = faces[f];
            if (!gi || FT_Load_Glyph(face, gi, FT_LOAD_RENDER | FT_LOAD_NO_HINTING))
                continue;
            FT_GlyphSlot g = face->glyph;
            int ascender = (int)lround((double)face->size->metrics.ascender / 64.0 / SCALE);
            int advance = (int)lround((double)g->advance.x / 64.0 / SCALE);
            pbuf gl = {0};
            field_varint(&gl, 1, (uint64_t)cp);
            int w = 0, h = 0, left = 0, top = 0;
            if (g->bitmap.width && g->bitmap.rows) {
                unsigned char *bits =
                    sdf(&g->bitmap, g->bitmap_left, g->bitmap_top, &w, &h, &left, &top);
                if (!bits) {
                    fprintf(stderr, "pingan-glyphs: out of memory\n");
                    return 1;
                }
                field_bytes(&gl, 2, bits, (size_t)(w + 2 * BUFFER) * (size_t)(h + 2 * BUFFER));
                free(bits);
            }
            field_varint(&gl, 3, (uint64_t)w);
            field_varint(&gl, 4, (uint64_t)h);
            field_sint(&gl, 5, left);
            field_sint(&gl, 6, top - ascender); /* as fontnik: from the line's top */
            field_varint(&gl, 7, (uint64_t)(advance < 0 ? 0 : advance));
            field_bytes(&stackbuf, 3, gl.p, gl.len);
            free(gl.p);
            count++;
        }
        pbuf file = {0};
        field_bytes(&file, 1, stackbuf.p, stackbuf.len);
        free(stackbuf.p);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.pbf", outdir, range);
        FILE *out = fopen(path, "wb");
        if (!out || fwrite(file.p, 1, file.len, out) != file.len || fclose(out) != 0) {
            fprintf(stderr, "pingan-glyphs: cannot write %s\n", path);
            return 1;
        }
        printf("%s: %d glyphs, %zu bytes\n", path, count, file.len);
        free(file.p);
    }
    for (int f = 0; f < nfaces; f++)
        FT_Done_Face(faces[f]);
    FT_Done_FreeType(ft);
    return 0;
}
