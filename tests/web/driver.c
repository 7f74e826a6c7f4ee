/* The browser tests' driver: a fresh database holding the web fixture, the real server on a
 * free port and a planner token, then `node --test` over the test files (*.test.mjs) with
 * Debian's Chromium. Exits with node's status. Usage: test_web_driver SOURCE_DIR ARTIFACT_DIR */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s SOURCE_DIR ARTIFACT_DIR\n", argv[0]);
        return 2;
    }
    const char *src = argv[1], *artifacts = argv[2];
    char path[4096];
    snprintf(path, sizeof path, "%s/node_modules/playwright-core/package.json", src);
    FILE *probe = fopen(path, "r");
    if (!probe) {
        fprintf(stderr, "test_web: %s/node_modules is missing: run scripts/install-deps.sh\n", src);
        return 1;
    }
    fclose(probe);

    th_db_create("web");
    PGconn *c = th_db_connect();
    snprintf(path, sizeof path, "%s/fixture.sql", src);
    char *sql = slurp(path);
    PGresult *res = sql ? PQexec(c, sql) : NULL;
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "test_web: the fixture failed: %s\n", PQerrorMessage(c));
        th_db_drop();
        return 1;
    }
    PQclear(res);
    free(sql);
    PQfinish(c);

    char *token = NULL;
    const char *const create[] = {"token",  "create", "--role",        "planner", "--scope",
                                  "360502", "--note", "browser tests", NULL};
    if (th_pingan(&token, create) != 0 || !token) {
        fprintf(stderr, "test_web: cannot create a token\n");
        th_db_drop();
        return 1;
    }
    /* The token is the one stdout line made of hex digits around a dot (notes go to stderr). */
    char *tok = NULL;
    for (char *line = strtok(token, "\r\n"); line && !tok; line = strtok(NULL, "\r\n"))
        if (strchr(line, '.') && strspn(line, "0123456789abcdef.") == strlen(line))
            tok = line;
    if (!tok) {
        fprintf(stderr, "test_web: no token in the output of pingan token create\n");
        th_db_drop();
        return 1;
    }

    /* A browser keeps several connections open, each holding a worker thread. */
    const char *const sets[] = {"threads=24", "events_max_subscribers=8", NULL};
    th_server s;
    th_server_start(&s, sets);
    setenv("PINGAN_WEB_BASE", s.base, 1);
    setenv("PINGAN_WEB_TOKEN", tok, 1);
    setenv("PINGAN_WEB_ARTIFACTS", artifacts, 1);
    free(token);

    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && node --test --test-concurrency=1 *.test.mjs", src);
    int status = system(cmd);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;

    th_server_stop(&s);
    th_db_drop();
    return rc;
}
