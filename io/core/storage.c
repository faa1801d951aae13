/* The forwarding layer (OPAE's plugin manager, in tenon-io): tenon-io's
 * storage calls go through here. Each target is routed to the engine that
 * claims it, read from the engines' descriptors without loading them, and
 * what an engine opens is wrapped in a handle tagged with that engine. No
 * code here or anywhere in the host names a particular engine or scheme,
 * so an engine for a new kind of target slots in as a plugin. */
#include "host.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool tio_target_scheme(const char *target, char *scheme, size_t size)
{
    const char *p = target;
    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return false;
    size_t n = (size_t)(p - target);
    if (n + 1 > size)
        return false;
    for (size_t i = 0; i < n; i++)
        scheme[i] = (char)tolower((unsigned char)target[i]);
    scheme[n] = '\0';
    return true;
}

/* Whether word is one of the comma-separated tokens of list. */
static bool has_token(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

bool tio_engine_claims(const tenon_plugin *engine, const char *target)
{
    const char *targets = tenon_descriptor_meta(tenon_plugin_descriptor(engine), TIO_META_TARGETS);
    if (!targets || !*targets)
        targets = "path";
    char scheme[64];
    if (tio_target_scheme(target, scheme, sizeof(scheme)))
        return has_token(targets, scheme);
    return has_token(targets, "path");
}

tenon_plugin *tio_route(tenon_registry *reg, const char *target)
{
    tenon_plugin *engines[256];
    size_t n = tenon_providers(reg, TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, engines, 256);
    for (size_t i = 0; i < n && i < 256; i++)
        if (tio_engine_claims(engines[i], target))
            return engines[i]; /* best rank first */
    return NULL;
}

int tio_handle_open(struct tio_handle *h, const tio_engine *ops, void *engine_data,
                    const char *engine_name, char *err, size_t errlen)
{
    h->ops = ops;
    h->engine_data = engine_data;
    if (ops->open_file) {
        int rc = ops->open_file(engine_data, &h->file);
        if (rc < 0) {
            snprintf(err, errlen, "%s: engine %s cannot open it: %s", h->file.name, engine_name,
                     strerror(-rc));
            return rc;
        }
    }
    h->open = true;
    return 0;
}

void tio_handle_close(struct tio_handle *h)
{
    if (h->open && h->ops->close_file)
        h->ops->close_file(h->engine_data, &h->file);
    h->open = false;
    if (h->file.fd >= 0) {
        close(h->file.fd);
        h->file.fd = -1;
    }
}
