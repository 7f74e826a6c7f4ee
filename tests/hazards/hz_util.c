/* Helpers shared by the hazard tests (see hz_util.h). */
#include "hz_util.h"

#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *hz_sql(PGconn *c, const char *sql, int n, const char *const *params, char *state, char *msg)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    char *out = NULL;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        bool has = st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0);
        out = strdup(has ? PQgetvalue(r, 0, 0) : "");
        if (state)
            state[0] = '\0';
    } else {
        const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (state)
            snprintf(state, 6, "%s", s ? s : "?????");
        if (msg)
            snprintf(msg, 512, "%s", PQresultErrorMessage(r));
    }
    PQclear(r);
    return out;
}

char *hz_must(PGconn *c, const char *sql, int n, const char *const *params)
{
    char state[6], msg[512];
    char *v = hz_sql(c, sql, n, params, state, msg);
    ck_assert_msg(v != NULL, "%s: %s", sql, msg);
    return v;
}

long hz_hazard(PGconn *c, const char *category, const char *risk_grade, const char *accident_grade,
               double metres, double bearing_deg)
{
    char m[32], b[32];
    snprintf(m, sizeof m, "%.6f", metres);
    snprintf(b, sizeof b, "%.6f", bearing_deg);
    const char *p[] = {category, risk_grade, accident_grade, m, b};
    char *id = hz_must(c,
                       "INSERT INTO hazards (name, category, risk_grade, accident_grade, "
                       "village_code, found_on, geom) "
                       "VALUES ('fixture ' || $1, $1, $2, $3, '" HZ_VILLAGE "', '2026-01-01', "
                       "ST_Project(ST_SetSRID(ST_MakePoint(114.93, 27.81), 4490)::geography, "
                       "$4::float8, radians($5::float8))::geometry) RETURNING id",
                       5, p);
    long v = strtol(id, NULL, 10);
    free(id);
    return v;
}

void hz_force_status(PGconn *c, long id, const char *status)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids, status};
    free(hz_must(c, "BEGIN", 0, NULL));
    free(hz_must(c, "SELECT set_config('pingan.hazard_action', 'on', true)", 0, NULL));
    free(hz_must(c, "UPDATE hazards SET status = $2 WHERE id = $1::bigint", 2, p));
    free(hz_must(c, "COMMIT", 0, NULL));
}

char *hz_act(PGconn *c, long id, const char *action, const char *role, const char *plan,
             char *state)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%ld", id);
    const char *p[] = {ids, action, role, plan};
    return hz_sql(c,
                  "SELECT to_status FROM hazard_act($1::bigint, $2, 'tok-test', $3, '', "
                  "'test note', '[\"photo/1.jpg\"]', $4::jsonb)",
                  4, p, state, NULL);
}

char *hz_token(const char *role, const char *scope, char *id)
{
    char *out = NULL;
    const char *args[] = {"token", "create", "--role", role, "--scope", scope, NULL};
    int rc = th_pingan(&out, args);
    ck_assert_msg(rc == 0, "token create: %s", out ? out : "");
    /* stdout and stderr arrive mixed: the token is the line that is one word with a dot */
    char *token = NULL;
    for (char *line = strtok(out, "\n"); line && !token; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        if (n > 8 && !strchr(line, ' ') && strchr(line, '.') &&
            strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789.") == n)
            token = strdup(line);
    }
    ck_assert_msg(token != NULL, "no token in the output of token create");
    if (id)
        snprintf(id, 32, "%.*s", (int)(strchr(token, '.') - token), token);
    free(out);
    return token;
}
