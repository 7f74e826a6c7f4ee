/* Starting and stopping the server: pool first (so that /health is honest from the first
 * request), then CivetWeb with every URI routed to the project's own handlers. */
#include "edit.h"
#include "routes.h"
#include "srv_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int log_message(const struct mg_connection *conn, const char *message)
{
    (void)conn;
    core_buf b = {0};
    if (core_buf_json_str(&b, message))
        core_log(CORE_LOG_WARN, "civetweb", "\"message\":%s", b.data);
    core_buf_free(&b);
    return 1;
}

static int allow_all(struct mg_connection *conn, void *data)
{
    (void)conn, (void)data;
    return 1;
}

/* A worker thread's first write sets PROJ up in-process (~1.3 s measured on the loaded
 * development machine); with db_pool_warm it is done as each thread starts instead. */
static void *warm_thread(const struct mg_context *ctx, int thread_type)
{
    (void)ctx;
    if (thread_type == 1)
        edit_warm_thread();
    return NULL;
}

srv *srv_start(const srv_config *cfg, core_err *err)
{
    srv *s = calloc(1, sizeof *s);
    if (!s) {
        core_fail(err, CORE_ENOMEM, NULL);
        return NULL;
    }
    s->cfg = *cfg;
    s->started_ms = core_now_ms();
    char url[1024];
    if (cfg->database_url[0])
        snprintf(url, sizeof url, "%s", cfg->database_url);
    else if (db_url(url, sizeof url, err))
        goto fail;
    if (!(s->pool = db_pool_create(url, cfg->db_pool, err)))
        goto fail;
    if (cfg->db_pool_warm > 0) {
        core_err werr = {0};
        char *warm = db_sql("pool_warm", &werr);
        int ready = db_pool_warm(s->pool, cfg->db_pool_warm, warm);
        free(warm);
        core_log(CORE_LOG_INFO, "pool_warmed", "\"connections\":%d", ready);
    }
    if (ana_init(err))
        goto fail;
    if (cfg->analysis_worker && !(s->analysis = ana_worker_start(url, cfg->analysis_batch, err)))
        goto fail;
    if (srv_tiles_start(s, url, err))
        goto fail;

    char ports[96], threads[16], timeout[16];
    snprintf(ports, sizeof ports, "%s:%d", cfg->listen, cfg->port);
    snprintf(threads, sizeof threads, "%d", cfg->threads);
    snprintf(timeout, sizeof timeout, "%d", cfg->request_timeout_ms);
    /* No document_root: CivetWeb's own file serving stays unreachable (CVE-2025-55763).
     * tcp_nodelay: without it every small response waits ~40 ms for Nagle. */
    const char *options[] = {"listening_ports",
                             ports,
                             "num_threads",
                             threads,
                             "tcp_nodelay",
                             "1",
                             "request_timeout_ms",
                             timeout,
                             "enable_keep_alive",
                             "yes",
                             "keep_alive_timeout_ms",
                             "15000",
                             "enable_auth_domain_check",
                             "no",
                             NULL};
    struct mg_callbacks callbacks = {.log_message = log_message,
                                     .init_thread = cfg->db_pool_warm > 0 ? warm_thread : NULL};
    mg_init_library(0);
    s->ctx = mg_start(&callbacks, s, options);
    if (!s->ctx) {
        core_fail(err, CORE_EIO, "cannot listen on %s (port in use?)", ports);
        goto fail;
    }
    struct mg_server_port bound[4];
    int n = mg_get_server_ports(s->ctx, 4, bound);
    s->port = n > 0 ? bound[0].port : cfg->port;
    if (srv_events_start(s, url, err)) {
        mg_stop(s->ctx);
        s->ctx = NULL;
        goto fail;
    }
    /* Authorization is the handlers' (auth.c): without a handler here CivetWeb looks for a
     * .htpasswd file on every request, a stat() per cached tile. */
    mg_set_auth_handler(s->ctx, "/", allow_all, NULL);
    srv_routes_install(s);
    s->overdue = srv_overdue_start(s);
    return s;
fail:
    ana_worker_stop(s->analysis);
    srv_tiles_free(s);
    db_pool_free(s->pool);
    free(s);
    return NULL;
}

int srv_port(const srv *s)
{
    return s->port;
}

/* CivetWeb 1.15's master thread looks at its stop flag only between polls of the listening
 * sockets, which wait up to two seconds: mg_stop alone takes a second on average, paid by every
 * restart. A connection to our own port while mg_stop waits ends that poll at once. */
typedef struct {
    struct sockaddr_in addr;
    atomic_bool done;
} stop_waker;

static void *wake_master(void *arg)
{
    stop_waker *w = arg;
    const struct timespec pause = {0, 20 * 1000 * 1000};
    while (!atomic_load(&w->done)) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0) {
            (void)connect(fd, (const struct sockaddr *)&w->addr, sizeof w->addr);
            close(fd);
        }
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void stop_civetweb(srv *s)
{
    stop_waker w = {.addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port)}};
    atomic_init(&w.done, false);
    const char *host = strcmp(s->cfg.listen, "0.0.0.0") == 0 ? "127.0.0.1" : s->cfg.listen;
    pthread_t waker;
    /* Another address family or no thread: mg_stop still works, only slower. */
    bool waking = inet_pton(AF_INET, host, &w.addr.sin_addr) == 1 &&
                  pthread_create(&waker, NULL, wake_master, &w) == 0;
    mg_stop(s->ctx); /* waits for requests in flight */
    if (waking) {
        atomic_store(&w.done, true);
        pthread_join(waker, NULL);
    }
}

void srv_free(srv *s)
{
    if (!s)
        return;
    srv_events_shutdown(s); /* ends the event streams, which mg_stop would wait for */
    if (s->ctx)
        stop_civetweb(s);
    srv_overdue_stop(s->overdue);
    ana_worker_stop(s->analysis);
    srv_tiles_free(s);
    srv_events_free(s);
    db_pool_free(s->pool);
    free(s);
    mg_exit_library();
}
