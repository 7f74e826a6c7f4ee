/* The real server as a child process on a free port, and the pingan tool run as the user
 * would run it. */
#include "harness.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PINGAN_BIN
#error "PINGAN_BIN must name the pingan executable"
#endif

static void die(const char *what)
{
    fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
    exit(1);
}

void th_server_start(th_server *s, const char *const *sets)
{
    const char *argv[64] = {PINGAN_BIN, "serve", "--port", "0", "--threads", "8"};
    int argc = 6;
    for (int i = 0; sets && sets[i] && argc < 60; i++) {
        argv[argc++] = "--set";
        argv[argc++] = sets[i];
    }
    argv[argc] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        /* A test that fails mid-way must not leave its server running. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(PINGAN_BIN, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    /* The server prints its URL once it listens: read that line. */
    FILE *out = fdopen(fds[0], "r");
    char line[256] = "";
    if (!out || !fgets(line, sizeof line, out)) {
        fprintf(stderr, "harness: the server did not start\n");
        kill(pid, SIGKILL);
        exit(1);
    }
    fclose(out);
    const char *colon = strrchr(line, ':');
    s->pid = pid;
    s->port = colon ? (int)strtol(colon + 1, NULL, 10) : 0;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
}

void th_server_stop(th_server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    int status = 0;
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: the server did not stop cleanly (status %d)\n", status);
        exit(1);
    }
}

int th_pingan(char **out, const char *const *args)
{
    const char *argv[64] = {PINGAN_BIN};
    int argc = 1;
    for (int i = 0; args && args[i] && argc < 63; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    int fds[2];
    if (pipe(fds) != 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(PINGAN_BIN, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    char *text = NULL;
    size_t len = 0, cap = 0;
    char chunk[4096];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0) {
        if (len + (size_t)n + 1 > cap) {
            cap = (len + (size_t)n + 1) * 2;
            char *p = realloc(text, cap);
            if (!p)
                die("realloc");
            text = p;
        }
        memcpy(text + len, chunk, (size_t)n);
        len += (size_t)n;
        text[len] = '\0';
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (out)
        *out = text ? text : strdup("");
    else
        free(text);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
