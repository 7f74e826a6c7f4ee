/* pingan db: the private cluster's life (through scripts/pgcluster.sh) and the schema's
 * (migrations and reference data), or only the latter on a server given by URL. */
#include "commands.h"
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: pingan db COMMAND\n\n"
                 "  init     create and start the private cluster, create the database, apply\n"
                 "           migrations and load the 2023 division codes (idempotent)\n"
                 "  start    start the private cluster\n"
                 "  stop     stop the private cluster\n"
                 "  status   say whether the database answers (exit 0 when it does)\n"
                 "  migrate  apply pending migrations\n"
                 "  url      print the connection URL\n"
                 "  psql     open psql on the database\n\n"
                 "With PINGAN_DATABASE_URL set, an existing PostGIS server is used and no cluster\n"
                 "is ever started or stopped. PINGAN_PG_PORT picks the private cluster's port "
                 "(55432).\n");
}

static bool external(void)
{
    const char *url = getenv("PINGAN_DATABASE_URL");
    return url && *url;
}

/* Runs scripts/pgcluster.sh with one command and waits; its exit status. */
static int cluster(const char *what)
{
    char script[4096];
    if (!core_path(script, sizeof script, "scripts/pgcluster.sh"))
        return 1;
    pid_t pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        execl("/bin/bash", "bash", script, what, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int prepare(core_err *err)
{
    char url[4096];
    if (db_url(url, sizeof url, err) || db_create_database(url, err))
        return 1;
    PGconn *c = db_connect(url, err);
    if (!c)
        return 1;
    int applied = 0;
    long loaded = 0;
    int rc = db_migrate(c, &applied, err) || db_load_reference(c, &loaded, err);
    PQfinish(c);
    if (!rc)
        printf("database ready: %d migration(s) applied, %ld jurisdiction(s) loaded\n", applied,
               loaded);
    return rc;
}

int cmd_db(int argc, char **argv)
{
    if (argc < 2 || cli_wants_help(argc, argv)) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1];
    core_err err = {0};
    char url[4096];

    if (strcmp(sub, "init") == 0) {
        if (!external() && cluster("init") != 0)
            return 1;
        return prepare(&err) ? cli_fail("db init", &err) : 0;
    }
    if (strcmp(sub, "start") == 0 || strcmp(sub, "stop") == 0) {
        if (external()) {
            fprintf(stderr,
                    "pingan db %s: PINGAN_DATABASE_URL is set; the external server is "
                    "not managed here\n",
                    sub);
            return 1;
        }
        return cluster(sub);
    }
    if (strcmp(sub, "migrate") == 0) {
        if (db_url(url, sizeof url, &err))
            return cli_fail("db migrate", &err);
        PGconn *c = db_connect(url, &err);
        int applied = 0;
        if (!c || db_migrate(c, &applied, &err)) {
            PQfinish(c);
            return cli_fail("db migrate", &err);
        }
        PQfinish(c);
        printf("%d migration(s) applied\n", applied);
        return 0;
    }
    if (strcmp(sub, "url") == 0 || strcmp(sub, "status") == 0 || strcmp(sub, "psql") == 0) {
        if (db_url(url, sizeof url, &err))
            return cli_fail("db", &err);
        if (strcmp(sub, "url") == 0) {
            puts(url);
            return 0;
        }
        if (strcmp(sub, "psql") == 0) {
            execlp("psql", "psql", url, (char *)NULL);
            perror("pingan db psql: psql");
            return 1;
        }
        PGconn *c = db_connect(url, &err);
        if (!c)
            return cli_fail("db status", &err);
        printf("running: %s (server %d)\n", url, PQserverVersion(c));
        PQfinish(c);
        return 0;
    }
    fprintf(stderr, "pingan db: unknown command '%s'\n\n", sub);
    usage(stderr);
    return 2;
}
