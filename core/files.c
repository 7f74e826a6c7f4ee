/* Where the project's files are, and reading one whole. */
#include "core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PINGAN_SOURCE_DIR
#define PINGAN_SOURCE_DIR "."
#endif

const char *core_home(void)
{
    const char *home = getenv("PINGAN_HOME");
    return home && *home ? home : PINGAN_SOURCE_DIR;
}

bool core_path(char *out, size_t size, const char *rel)
{
    int n = snprintf(out, size, "%s/%s", core_home(), rel);
    return n > 0 && (size_t)n < size;
}

char *core_read_file(const char *path, size_t *len, core_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        core_fail(err, CORE_EIO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    /* Read through the growable buffer itself: no large stack buffer, since server threads
     * run on small stacks. */
    core_buf b = {0};
    bool ok = true;
    for (;;) {
        if (!core_buf_reserve(&b, 65536)) {
            ok = false;
            break;
        }
        size_t n = fread(b.data + b.len, 1, b.cap - b.len - 1, f);
        b.len += n;
        b.data[b.len] = '\0';
        if (n == 0)
            break;
    }
    if (!ok || ferror(f)) {
        core_fail(err, ok ? CORE_EIO : CORE_ENOMEM, "cannot read %s", path);
        fclose(f);
        core_buf_free(&b);
        return NULL;
    }
    fclose(f);
    if (len)
        *len = b.len;
    return core_buf_take(&b);
}
