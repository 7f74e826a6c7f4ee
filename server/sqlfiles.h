/* SQL files of data/sql/ read once and kept for the life of the process (requests run the
 * same statements over and over; reading the file each time would cost a syscall or three). */
#ifndef PINGAN_SQLFILES_H
#define PINGAN_SQLFILES_H

#include "core.h"

/* The text of data/sql/<name>.sql, owned by the cache (never free it); NULL with err. */
const char *srv_sql(const char *name, core_err *err);

#endif
