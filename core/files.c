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
    /* Read straight into the buffer: server worker threads have small stacks (CivetWeb's
     * 100 KB), so no large chunk lives on the stack. */
    core_buf b = {0};
    size_t n = 0;
    bool ok = true;
    do {
        ok = core_buf_reserve(&b, 65536);
        if (ok) {
            n = fread(b.data + b.len, 1, 65536, f);
            b.len += n;
        }
    } while (ok && n > 0);
    if (ok)
        b.data[b.len] = '\0';
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
