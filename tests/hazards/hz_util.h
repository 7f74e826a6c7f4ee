/* Helpers shared by the hazard tests: SQL that reports its SQLSTATE instead of aborting, and
 * fixtures placed by geodesic distance and bearing from a point. */
#ifndef PINGAN_HZ_UTIL_H
#define PINGAN_HZ_UTIL_H

#include <libpq-fe.h>
#include <stdbool.h>

/* The village every fixture lives in (渝水区 百花湖社区) and a point near it. */
#define HZ_VILLAGE "360502001001"
#define HZ_LON     114.93
#define HZ_LAT     27.81

/* Runs SQL with text parameters. Returns the first value of the first row as a new string
 * (caller frees; "" when there is no row or it is NULL) or NULL on error, with the SQLSTATE
 * copied into state (6 bytes) and the message into msg (may be NULL, 512 bytes). */
char *hz_sql(PGconn *c, const char *sql, int n, const char *const *params, char *state, char *msg);
/* The same, failing the test on an error. */
char *hz_must(PGconn *c, const char *sql, int n, const char *const *params);
/* Inserts a hazard (point at `metres` and `bearing_deg` from HZ_LON/HZ_LAT) and returns its id. */
long hz_hazard(PGconn *c, const char *category, const char *risk_grade, const char *accident_grade,
               double metres, double bearing_deg);
/* Puts a hazard in a status bypassing the lifecycle, as only a test fixture may. */
void hz_force_status(PGconn *c, long id, const char *status);
/* hazard_act(): the new status as a new string, or NULL with the SQLSTATE in state. */
char *hz_act(PGconn *c, long id, const char *action, const char *role, const char *plan,
             char *state);
/* Creates a bearer token with `pingan token create` and returns it ("<id>.<secret>", a new
 * string); the id (before the dot) is copied into id (32 bytes) when not NULL. */
char *hz_token(const char *role, const char *scope, char *id);

#endif
