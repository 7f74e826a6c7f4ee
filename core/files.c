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
    core_buf b = {0};
    /* read straight into the buffer: a 64 KiB array on the stack overflows the small stacks
     * of CivetWeb's worker threads (seen under ASan when a handler loads its SQL file) */
    size_t n;
    bool ok = true;
    while ((ok = core_buf_reserve(&b, 65536)) && (n = fread(b.data + b.len, 1, 65536, f)) > 0)
        b.len += n;
    if (!ok || ferror(f)) {
        core_fail(err, ok ? CORE_EIO : CORE_ENOMEM, "cannot read %s", path);
        fclose(f);
        core_buf_free(&b);
        return NULL;
    }
    fclose(f);
    b.data[b.len] = '\0';
    if (len)
        *len = b.len;
    return core_buf_take(&b);
}
