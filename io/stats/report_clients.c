/* The per-participant results of a distributed run, for the JSON's
 * "client_stats" (report_json.c writes them). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report_internal.h"

int tio_report_add_client(struct tio_report *rep, struct tio_job_result *job, const char *host,
                          unsigned rank)
{
    if (rep->nclients == rep->clients_cap) {
        size_t cap = rep->clients_cap ? rep->clients_cap * 2 : 8;
        struct tio_report_client *c = realloc(rep->clients, cap * sizeof(*c));
        if (!c)
            return -ENOMEM;
        rep->clients = c;
        rep->clients_cap = cap;
    }
    char *h = strdup(host ? host : "");
    if (!h)
        return -ENOMEM;
    rep->clients[rep->nclients++] = (struct tio_report_client){job, h, rank};
    return 0;
}

void tio__report_free_clients(struct tio_report *rep)
{
    for (size_t i = 0; i < rep->nclients; i++) {
        tio_job_result_free(rep->clients[i].result);
        free(rep->clients[i].host);
    }
    free(rep->clients);
    rep->clients = NULL;
    rep->nclients = rep->clients_cap = 0;
}
