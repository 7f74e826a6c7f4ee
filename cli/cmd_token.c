/* pingan token: bearer tokens for the HTTP API — create (the secret is shown once), list,
 * revoke. Tokens carry a role and a jurisdiction scope; the server checks both. */
#include "auth.h"
#include "commands.h"
#include "db.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: pingan token COMMAND [OPTIONS]\n\n"
                 "  create --role ROLE --scope CODE [--expires 30d|12h|DATE] [--note TEXT]\n"
                 "           make a token and print it once as <id>.<secret>\n"
                 "  list     every token with its role, scope, expiry and state (no secrets)\n"
                 "  revoke ID\n"
                 "           stop a token working (servers notice within auth_cache_ms)\n\n"
                 "Roles: admin, planner (change features in scope), importer (imports),\n"
                 "viewer (reads). The scope is a division code of the jurisdiction the token\n"
                 "may act in: 36 (province), 3605 (city), 360502 (county), 360502001\n"
                 "(township) or a 12-digit code.\n"
                 "Run 'pingan token COMMAND --help' for one command.\n");
}

static void create_usage(FILE *out)
{
    fprintf(out,
            "Usage: pingan token create --role ROLE --scope CODE [--expires WHEN] [--note TEXT]\n\n"
            "  --role ROLE     admin, planner, importer or viewer\n"
            "  --scope CODE    division code the token may act in (2, 4, 6, 9 or 12 digits)\n"
            "  --expires WHEN  30d, 12h, 90m, 2w from now, or a date (2027-06-30) or\n"
            "                  timestamp; default: never\n"
            "  --note TEXT     who or what the token is for (shown by 'token list')\n\n"
            "Prints the token once; only a hash of its secret is stored.\n");
}

static PGconn *connect_db(const char *cmd, core_err *err)
{
    char url[4096];
    if (db_url(url, sizeof url, err))
        return NULL;
    PGconn *c = db_connect(url, err);
    (void)cmd;
    return c;
}

static int create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, 0, 'r'},    {"scope", required_argument, 0, 's'},
        {"expires", required_argument, 0, 'e'}, {"note", required_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0},
    };
    const char *role = NULL, *scope = NULL, *expires = NULL, *note = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:s:e:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            role = optarg;
            break;
        case 's':
            scope = optarg;
            break;
        case 'e':
            expires = optarg;
            break;
        case 'n':
            note = optarg;
            break;
        case 'h':
            create_usage(stdout);
            return 0;
        default:
            create_usage(stderr);
            return 2;
        }
    }
    if (!role || !scope || optind < argc) {
        fprintf(stderr, "pingan token create: --role and --scope are required\n\n");
        create_usage(stderr);
        return 2;
    }
    core_err err = {0};
    PGconn *db = connect_db("token create", &err);
    if (!db)
        return cli_fail("token create", &err);
    char token[AUTH_TOKEN_MAX], stored[16];
    core_code rc = auth_token_create(db, role, scope, expires, note, token, sizeof token, stored,
                                     sizeof stored, &err);
    PQfinish(db);
    if (rc)
        return cli_fail("token create", &err);
    printf("%s\n", token);
    fflush(stdout); /* the token first, whoever reads both streams */
    fprintf(stderr,
            "token created: role %s, scope %s%s%s. Keep it now: the secret is not shown again.\n",
            role, stored, expires ? ", expires " : "", expires ? expires : "");
    return 0;
}

static int list(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("Usage: pingan token list\n\nEvery token, newest first: id, role, scope, "
               "created, expires, state (active, expired, revoked) and note. Secrets are\n"
               "never stored, so never shown.\n");
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "pingan token list: takes no arguments\n");
        return 2;
    }
    core_err err = {0};
    PGconn *db = connect_db("token list", &err);
    PGresult *r = db ? auth_token_list(db, &err) : NULL;
    if (!r) {
        PQfinish(db);
        return cli_fail("token list", &err);
    }
    printf("%-12s %-9s %-13s %-17s %-17s %-8s %s\n", "ID", "ROLE", "SCOPE", "CREATED", "EXPIRES",
           "STATE", "NOTE");
    for (int i = 0; i < PQntuples(r); i++)
        printf("%-12s %-9s %-13s %-17s %-17s %-8s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
               PQgetvalue(r, i, 2), PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5),
               PQgetvalue(r, i, 6));
    if (PQntuples(r) == 0)
        printf("(no tokens yet: pingan token create --role planner --scope CODE)\n");
    PQclear(r);
    PQfinish(db);
    return 0;
}

static int revoke(int argc, char **argv)
{
    if (cli_wants_help(argc, argv)) {
        printf("Usage: pingan token revoke ID\n\nStops the token with this id (the part before "
               "the dot) from working.\nRunning servers refuse it within their auth_cache_ms "
               "setting (default 3 s).\n");
        return 0;
    }
    if (argc != 2) {
        fprintf(stderr, "Usage: pingan token revoke ID\n");
        return 2;
    }
    core_err err = {0};
    PGconn *db = connect_db("token revoke", &err);
    if (!db || auth_token_revoke(db, argv[1], &err)) {
        PQfinish(db);
        return cli_fail("token revoke", &err);
    }
    PQfinish(db);
    printf("token %s revoked\n", argv[1]);
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "create"))
        return create(argc - 1, argv + 1);
    if (!strcmp(sub, "list"))
        return list(argc - 1, argv + 1);
    if (!strcmp(sub, "revoke"))
        return revoke(argc - 1, argv + 1);
    fprintf(stderr, "pingan token: unknown command '%s'\n\n", sub);
    usage(stderr);
    return 2;
}
