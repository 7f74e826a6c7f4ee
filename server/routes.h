/* The route table's row type and lookups, shared by the router and the metrics. */
#ifndef PINGAN_ROUTES_H
#define PINGAN_ROUTES_H

#include "srv_internal.h"

typedef struct {
    const char *methods; /* "GET,HEAD" */
    const char *pattern; /* "/collections/{id}/items" */
    srv_handler handler;
    const char *name; /* label in logs and metrics */
} srv_route;

int srv_route_count(void);
const char *srv_route_name(int i);
/* Sends every request to the table. */
void srv_routes_install(srv *s);

#endif
