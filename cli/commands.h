/* The subcommands of the pingan tool: each takes its own argv (argv[0] is its name) and
 * returns the process exit status. */
#ifndef PINGAN_COMMANDS_H
#define PINGAN_COMMANDS_H

#include "core.h"

int cmd_serve(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_tiles(int argc, char **argv);

/* Prints "pingan <cmd>: <message>" to stderr and returns 1, the failing exit status. */
int cli_fail(const char *cmd, const core_err *err);
/* True when argv holds -h or --help. */
bool cli_wants_help(int argc, char **argv);

#endif
