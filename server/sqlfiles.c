/* A process-wide cache of data/sql/ files: loaded on first use, under a lock, never freed
 * (a few kilobytes that live as long as the statements that need them). */
#include "sqlfiles.h"

#include "db.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SQL_SLOTS 128

static struct {
    char name[64];
    char *text;
} slots[SQL_SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

const char *srv_sql(const char *name, core_err *err)
{
    if (strlen(name) >= sizeof slots[0].name) {
        core_fail(err, CORE_EINVAL, "SQL file name too long: %s", name);
        return NULL;
    }
    const char *found = NULL;
    pthread_mutex_lock(&lock);
    int i;
    for (i = 0; i < SQL_SLOTS && slots[i].text; i++)
        if (strcmp(slots[i].name, name) == 0) {
            found = slots[i].text;
            break;
        }
    if (!found && i < SQL_SLOTS) {
        char *text = db_sql(name, err);
        if (text) {
            strcpy(slots[i].name, name);
            slots[i].text = text;
            found = text;
        }
    } else if (!found) {
        core_fail(err, CORE_ELIMIT, "too many SQL files");
    }
    pthread_mutex_unlock(&lock);
    return found;
}
