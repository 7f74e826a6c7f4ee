/* SQL files with named sections: one .sql per target keeps its statements together, and
 * statements are picked by name rather than built from strings. */
#include "db.h"
#include "imp_internal.h"

#include <stdlib.h>
#include <string.h>

char *imp_sql(const char *file, const char *section, core_err *err)
{
    char *all = db_sql(file, err);
    if (!all)
        return NULL;
    char marker[96];
    snprintf(marker, sizeof marker, "-- @%s", section);
    char *p = all;
    char *start = NULL;
    while ((p = strstr(p, marker))) {
        char after = p[strlen(marker)];
        if ((p == all || p[-1] == '\n') && (after == '\n' || after == ' ' || after == '\0')) {
            start = strchr(p, '\n');
            break;
        }
        p += strlen(marker);
    }
    if (!start) {
        free(all);
        core_fail(err, CORE_ENOTFOUND, "data/sql/%s.sql has no section %s", file, section);
        return NULL;
    }
    start++;
    char *end = strstr(start, "\n-- @");
    size_t len = end ? (size_t)(end - start) + 1 : strlen(start);
    char *out = malloc(len + 1);
    if (!out) {
        free(all);
        core_fail(err, CORE_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(out, start, len);
    out[len] = '\0';
    free(all);
    return out;
}
