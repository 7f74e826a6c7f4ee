/* pingan serve: configure the server from its settings table, run it until SIGTERM/SIGINT,
 * then stop gracefully (requests in flight finish). */
#include "commands.h"
#include "server.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "Usage: pingan serve [--port N] [--listen ADDR] [--threads N] [--config FILE]\n"
                 "                    [--set NAME=VALUE]...\n\n"
                 "Serves OGC API - Features, vector tiles, reports and the map pages.\n"
                 "Stops gracefully on SIGTERM or SIGINT.\n\n");
    srv_config_describe(out);
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"port", required_argument, 0, 'p'},
        {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},
        {"config", required_argument, 0, 'c'},
        {"set", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    srv_config cfg;
    srv_config_defaults(&cfg);
    core_err err = {0};
    /* Precedence: defaults < config file < environment < command line. */
    for (int i = 1; i < argc - 1; i++)
        if (strcmp(argv[i], "--config") == 0 && srv_config_from_file(&cfg, argv[i + 1], &err))
            return cli_fail("serve", &err);
    if (srv_config_from_env(&cfg, &err))
        return cli_fail("serve", &err);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:l:t:c:s:h", opts, NULL)) != -1) {
        core_code rc = CORE_OK;
        char *eq;
        switch (c) {
        case 'p':
            rc = srv_config_set(&cfg, "port", optarg, &err);
            break;
        case 'l':
            rc = srv_config_set(&cfg, "listen", optarg, &err);
            break;
        case 't':
            rc = srv_config_set(&cfg, "threads", optarg, &err);
            break;
        case 'c':
            break;
        case 's':
            if (!(eq = strchr(optarg, '=')))
                rc = core_fail(&err, CORE_EINVAL, "--set takes NAME=VALUE");
            else {
                *eq = '\0';
                rc = srv_config_set(&cfg, optarg, eq + 1, &err);
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
        if (rc)
            return cli_fail("serve", &err);
    }

    /* Block the stop signals before any thread starts, so that only sigwait sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    srv *s = srv_start(&cfg, &err);
    if (!s)
        return cli_fail("serve", &err);
    printf("Pingan Grid is serving at http://%s:%d/\n", cfg.listen, srv_port(s));
    fflush(stdout);
    core_log(CORE_LOG_INFO, "started", "\"port\":%d,\"threads\":%d", srv_port(s), cfg.threads);
    int sig = 0;
    sigwait(&stop, &sig);
    core_log(CORE_LOG_INFO, "stopping", "\"signal\":%d", sig);
    srv_free(s);
    core_log(CORE_LOG_INFO, "stopped", NULL);
    return 0;
}
