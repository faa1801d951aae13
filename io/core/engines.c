/* Engines are plugins: tenon-io finds them in its registry (static ones
 * linked in, dynamic ones in the search path), picks one per job, and
 * checks the job's engine options against the engine's own schema before
 * any IO starts. */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void registry_error_text(struct tio_error *err, const char *prefix)
{
    char line[8192];
    tenon_error_format(tenon_last_error(), line, sizeof(line));
    tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL, "%s%s", prefix, line);
}

static void quiet_log(void *userdata, tenon_log_level level, const char *plugin,
                      const char *message)
{
    (void)userdata;
    fprintf(stderr, "tenon-io: %s%s%s: %s\n", plugin ? plugin : "", plugin ? ": " : "",
            level == TENON_LOG_ERROR ? "error" : "warning", message);
}

int tio_engines_open(struct tio_engines *e, const char *plugin_config, struct tio_error *err)
{
    memset(e, 0, sizeof(*e));
    if (tenon_registry_create("tenon-io", 0, &e->reg) < 0) {
        registry_error_text(err, "cannot create the plugin registry: ");
        return -1;
    }
    tenon_registry_set_log(e->reg, quiet_log, NULL, TENON_LOG_WARN);
    /* --plugin-config, else $TENON_CONFIG, $XDG_CONFIG_HOME/tenon-io/tenon.json,
     * /etc/tenon-io/tenon.json: folders, enabled plugins, engine instances. */
    if (tenon_config_load(e->reg, plugin_config) < 0) {
        registry_error_text(err, "");
        tenon_registry_free(e->reg);
        e->reg = NULL;
        return -1;
    }
    if (tenon_registry_scan(e->reg) < 0) {
        registry_error_text(err, "cannot scan for engines: ");
        tenon_registry_free(e->reg);
        e->reg = NULL;
        return -1;
    }
    return 0;
}

void tio_engines_close(struct tio_engines *e)
{
    tenon_registry_free(e->reg);
    e->reg = NULL;
}

static bool is_engine(const tenon_plugin *p)
{
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    for (size_t i = 0; d && i < d->n_provides; i++)
        if (strcmp(d->provides[i].name, TIO_ENGINE_INTERFACE) == 0)
            return true;
    return false;
}

static bool usable(const tenon_plugin *p)
{
    tenon_status st = tenon_plugin_status(p);
    return st == TENON_STATUS_FOUND || st == TENON_STATUS_LOADED;
}

/* "null, psync, ..." of the usable engines. */
static void engine_names(tenon_registry *reg, char *buf, size_t size)
{
    tenon_plugin *list[256];
    size_t n = tenon_providers(reg, TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, list, 256);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && i < 256 && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "",
                              tenon_plugin_name(list[i]));
}

static const char *targets_of(const tenon_plugin *p)
{
    const char *t = tenon_descriptor_meta(tenon_plugin_descriptor(p), TIO_META_TARGETS);
    return t && *t ? t : "path";
}

/* The engine plugin the job names, or NULL with err. A name may be an
 * engine instance configured in tenon.json: then *config receives its
 * options. */
static tenon_plugin *find_named(struct tio_engines *e, const struct tio_job *job,
                                const tenon_options **config, struct tio_error *err)
{
    const char *name = job->queue.ioengine ? job->queue.ioengine : "psync";
    tenon_plugin *p = NULL;
    const char *module = NULL, *iface = NULL;
    *config = NULL;
    if (strncmp(name, "external:", 9) != 0 &&
        tenon_config_instance(e->reg, name, &module, &iface, config) == 0) {
        if (iface && strcmp(iface, TIO_ENGINE_INTERFACE) != 0) {
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "job %s: ioengine=%s: the configured instance %s is of interface %s, "
                          "not %s (%s)",
                          job->identity.name, name, name, iface, TIO_ENGINE_INTERFACE,
                          tenon_config_file(e->reg) ? tenon_config_file(e->reg) : "tenon.json");
            return NULL;
        }
        name = module;
    } else if (tenon_last_error()->code == TENON_EDISABLED) {
        char prefix[256];
        snprintf(prefix, sizeof(prefix), "job %s: ioengine=%s: ", job->identity.name, name);
        registry_error_text(err, prefix);
        return NULL;
    }
    if (strncmp(name, "external:", 9) == 0) {
        const char *path = name + 9;
        if (tenon_registry_add_file(e->reg, path, &p) < 0) {
            char prefix[512];
            snprintf(prefix, sizeof(prefix), "job %s: ioengine=%s: ", job->identity.name, name);
            registry_error_text(err, prefix);
            return NULL;
        }
        if (!is_engine(p)) {
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "job %s: ioengine=%s: plugin %s does not provide the %s interface, "
                          "so it "
                          "is not an IO engine",
                          job->identity.name, name, tenon_plugin_name(p), TIO_ENGINE_INTERFACE);
            return NULL;
        }
        return p;
    }
    p = tenon_registry_find(e->reg, name);
    if (!p) {
        /* Perhaps only an unusable file carries the name: say why. */
        size_t n = tenon_registry_count(e->reg);
        for (size_t i = 0; i < n; i++) {
            tenon_plugin *q = tenon_registry_at(e->reg, i);
            if (strcmp(tenon_plugin_name(q), name) == 0 && tenon_plugin_error(q)) {
                char line[8192];
                tenon_error_format(tenon_plugin_error(q), line, sizeof(line));
                tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                              "job %s: ioengine=%s: the engine is %s: %s", job->identity.name,
                              name, tenon_status_name(tenon_plugin_status(q)), line);
                return NULL;
            }
        }
        char names[2048];
        engine_names(e->reg, names, sizeof(names));
        tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                      "job %s: ioengine=%s: no such engine (available: %s; see tenon-io "
                      "--enghelp, "
                      "or give an out-of-tree one as ioengine=external:/abs/path.so)",
                      job->identity.name, name, names[0] ? names : "none");
        return NULL;
    }
    if (!is_engine(p)) {
        tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                      "job %s: ioengine=%s: plugin %s is not an IO engine (it does not "
                      "provide %s)",
                      job->identity.name, name, name, TIO_ENGINE_INTERFACE);
        return NULL;
    }
    if (!usable(p)) {
        char line[8192] = "";
        if (tenon_plugin_error(p))
            tenon_error_format(tenon_plugin_error(p), line, sizeof(line));
        tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                      "job %s: ioengine=%s: the engine is %s%s%s", job->identity.name, name,
                      tenon_status_name(tenon_plugin_status(p)), line[0] ? ": " : "", line);
        return NULL;
    }
    return p;
}

/* Whether the job chose its engine. The parser fills in fio's default
 * ioengine=psync, so what tells is whether ioengine= was written for the
 * job: in its own section or in the [global] options it started from. */
static bool engine_named(const struct tio_job *job)
{
    if (!job->queue.ioengine)
        return false;
    const struct tio_strv *lists[] = {&job->given, &job->global_given};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i + 1 < lists[l]->n; i += 2)
            if (strcmp(lists[l]->v[i], "ioengine") == 0)
                return true;
    return false;
}

/* Routes the job's targets: every target must be claimed by one engine.
 * An engine the job named is never swapped for another: the job asked for
 * it, and its report says it ran. */
static tenon_plugin *route_targets(struct tio_engines *e, const struct tio_job *job,
                                   tenon_plugin *named, struct tio_error *err)
{
    tenon_plugin *chosen = named;
    bool fixed = engine_named(job);
    for (size_t i = 0; i < job->files.filenames.n; i++) {
        const char *t = job->files.filenames.v[i];
        if (tio_engine_claims(chosen, t))
            continue;
        if (fixed) {
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "job %s: engine %s (ioengine=%s) does not accept target %s (it "
                          "accepts: "
                          "%s); drop ioengine= to let tenon-io route each target to the engine "
                          "that claims it, or give the job a target %s accepts",
                          job->identity.name, tenon_plugin_name(chosen), job->queue.ioengine, t,
                          targets_of(chosen), tenon_plugin_name(chosen));
            return NULL;
        }
        tenon_plugin *claimer = tio_route(e->reg, t);
        if (!claimer) {
            char scheme[64];
            bool uri = tio_target_scheme(t, scheme, sizeof(scheme));
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "job %s: no engine accepts target %s%s%s%s (engine %s accepts: %s)",
                          job->identity.name, t, uri ? " (no engine claims the scheme \"" : "",
                          uri ? scheme : "", uri ? "\")" : "", tenon_plugin_name(chosen),
                          targets_of(chosen));
            return NULL;
        }
        if (i > 0 && claimer != chosen) {
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "job %s: its targets need different engines (%s for %s, %s for %s); "
                          "put them in separate jobs",
                          job->identity.name, tenon_plugin_name(chosen),
                          job->files.filenames.v[0], tenon_plugin_name(claimer), t);
            return NULL;
        }
        chosen = claimer;
    }
    return chosen;
}

/* fio ignores its profiles' options outside their profile, and tenon-io
 * (which has no profiles) does the same; said once per job, not per clone,
 * since the user may have meant another option. */
static void say_profile_option_ignored(const struct tio_engine_option *o)
{
    const char *profile = tio_engine_option_fio_profile(o);
    const char *hint = strcmp(o->key, "threads") == 0 ? " (did you mean 'thread'?)" : "";
    char origin[512];

    tio_origin_format(&o->origin, origin, sizeof(origin));
    fprintf(stderr,
            "tenon-io: %s: %s=%s: ignored: an option of fio's %s profile, which fio also "
            "ignores unless profile=%s, and tenon-io has no profiles%s\n",
            origin, o->key, o->value ? o->value : "", profile, profile, hint);
}

/* The job's engine options as tenon options, after checking every key is
 * one the engine declares (the parser left them for the engine to judge).
 * A configured instance's options come first; the job's override them. */
static int engine_options(const struct tio_job *job, tenon_plugin *p,
                          const tenon_options *config, tenon_options **out,
                          struct tio_error *err)
{
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    const char *keys[TENON_MAX_OPTIONS];
    size_t n_keys = 0;
    for (size_t i = 0; i < d->n_options && n_keys < TENON_MAX_OPTIONS; i++)
        keys[n_keys++] = d->options[i].name;
    if (tenon_options_new(out) < 0) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < tenon_options_count(config); i++) {
        const char *key, *value, *origin;
        tenon_options_at(config, i, &key, &value, &origin);
        if (tenon_options_set(*out, key, value, origin) < 0) {
            tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
            tenon_options_free(*out);
            *out = NULL;
            return -1;
        }
    }
    for (size_t i = 0; i < job->nr_engine_options; i++) {
        const struct tio_engine_option *o = &job->engine_options[i];
        if (!tenon_descriptor_option(d, o->key) && tio_engine_option_fio_profile(o)) {
            if (job->clone == 0)
                say_profile_option_ignored(o);
            continue;
        }
        if (!tenon_descriptor_option(d, o->key)) {
            /* The message names the engine checked: as the job named it,
             * or the one its targets routed to when it named none. */
            struct tio_job as_run = *job;
            if (!engine_named(job))
                as_run.queue.ioengine = (char *)tenon_plugin_name(p);
            tio_engine_option_unknown(&as_run, o, keys, n_keys, err);
            tenon_options_free(*out);
            *out = NULL;
            return -1;
        }
        char origin[512];
        tio_origin_format(&o->origin, origin, sizeof(origin));
        if (tenon_options_set(*out, o->key, o->value ? o->value : "", origin) < 0) {
            tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
            tenon_options_free(*out);
            *out = NULL;
            return -1;
        }
    }
    tenon_values *values;
    if (tenon_values_check(d, *out, &values) < 0) {
        char prefix[256];
        snprintf(prefix, sizeof(prefix), "job %s: ", job->identity.name);
        registry_error_text(err, prefix);
        tenon_options_free(*out);
        *out = NULL;
        return -1;
    }
    tenon_values_free(values);
    return 0;
}

int tio_engine_choose(struct tio_engines *e, const struct tio_job *job,
                      struct tio_engine_choice *out, struct tio_error *err)
{
    memset(out, 0, sizeof(*out));
    const tenon_options *config = NULL;
    tenon_plugin *named = find_named(e, job, &config, err);
    if (!named)
        return -1;
    tenon_plugin *p = route_targets(e, job, named, err);
    if (!p)
        return -1;
    /* Loading now, before any file is touched, surfaces a broken engine
     * early and tells whether it needs files at all. */
    const void *table;
    if (tenon_interface(e->reg, tenon_plugin_name(p), TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION,
                        &table, NULL) < 0) {
        char prefix[256];
        snprintf(prefix, sizeof(prefix), "job %s: cannot load engine %s: ", job->identity.name,
                 tenon_plugin_name(p));
        registry_error_text(err, prefix);
        return -1;
    }
    const tio_engine *ops = table;
    if (ops->struct_size < offsetof(tio_engine, teardown) + sizeof(ops->teardown) ||
        !ops->queue || (!(ops->flags & TIO_ENGINE_SYNC) && !ops->getevents)) {
        tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                      "job %s: engine %s has an incomplete %s table (queue%s missing); rebuild "
                      "it "
                      "against this tenon-io's <tenon-io/engine.h>",
                      job->identity.name, tenon_plugin_name(p), TIO_ENGINE_INTERFACE,
                      ops->queue ? "'s partner getevents" : "");
        return -1;
    }
    if (tio_cmdprio_check(job, ops->flags, tenon_plugin_name(p), err) < 0)
        return -1;
    /* The options are checked against the engine that will run, which
     * differs from the default one when the job named none and its
     * targets route elsewhere. */
    if (engine_options(job, p, p == named ? config : NULL, &out->options, err) < 0)
        return -1;
    if (!out->options && tenon_options_new(&out->options) < 0) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    out->plugin = p;
    out->label = strdup(config && p == named && job->queue.ioengine ? job->queue.ioengine
                                                                    : tenon_plugin_name(p));
    out->uri_targets = strcmp(targets_of(p), "path") != 0 && !tio_engine_claims(p, "/");
    out->no_io = (ops->flags & TIO_ENGINE_NO_IO) != 0;
    out->no_files = (ops->flags & TIO_ENGINE_NO_FILES) != 0 || out->no_io;
    out->names_only = !out->no_files && !out->uri_targets &&
                      (ops->flags & TIO_ENGINE_NAMES_ONLY) != 0;
    return out->label ? 0 : -1;
}

void tio_engine_choice_free(struct tio_engine_choice *c)
{
    tenon_options_free(c->options);
    free(c->label);
    memset(c, 0, sizeof(*c));
}

static void print_option(FILE *out, const tenon_option *o)
{
    char type[128];
    if (o->type == TENON_OPT_ENUM)
        snprintf(type, sizeof(type), "%s", o->choices);
    else if (o->max > o->min)
        snprintf(type, sizeof(type), "%s %lld..%lld", tenon_opt_type_name(o->type),
                 (long long)o->min, (long long)o->max);
    else
        snprintf(type, sizeof(type), "%s", tenon_opt_type_name(o->type));
    fprintf(out, "  %-20s %-20s default: %-8s %s\n", o->name, type,
            o->flags & TENON_OPT_REQUIRED ? "(required)" : (o->def[0] ? o->def : "(none)"),
            o->help);
}

int tio_engines_help(struct tio_engines *e, const char *engine, const char *option, FILE *out)
{
    if (!engine) {
        fprintf(out, "Available IO engines (tenon plugins providing %s):\n",
                TIO_ENGINE_INTERFACE);
        size_t n = tenon_registry_count(e->reg);
        for (size_t i = 0; i < n; i++) {
            tenon_plugin *p = tenon_registry_at(e->reg, i);
            if (!is_engine(p) && tenon_plugin_descriptor(p))
                continue;
            const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
            if (!d)
                continue;
            char status[64] = "";
            if (!usable(p))
                snprintf(status, sizeof(status), " [%s]",
                         tenon_status_name(tenon_plugin_status(p)));
            fprintf(out, "\t%-12s %-8s %-8s targets: %-14s %s%s\n", d->name, d->version,
                    tenon_plugin_is_static(p) ? "static" : "dynamic", targets_of(p),
                    d->description, status);
        }
        fprintf(out, "\nEngine options: tenon-io --enghelp=ENGINE\n");
        return 0;
    }
    tenon_plugin *p = tenon_registry_find(e->reg, engine);
    if (!p && strncmp(engine, "external:", 9) == 0)
        tenon_registry_add_file(e->reg, engine + 9, &p);
    if (!p || !is_engine(p)) {
        char names[2048];
        engine_names(e->reg, names, sizeof(names));
        fprintf(stderr, "tenon-io: --enghelp=%s: no such engine (available: %s)\n", engine,
                names);
        return 1;
    }
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    if (option) {
        const tenon_option *o = tenon_descriptor_option(d, option);
        if (!o) {
            fprintf(stderr, "tenon-io: engine %s has no option %s\n", engine, option);
            return 1;
        }
        print_option(out, o);
        return 0;
    }
    fprintf(out, "%s %s: %s\n", d->name, d->version, d->description);
    fprintf(out, "  targets: %s; %s; %s\n", targets_of(p),
            tenon_plugin_is_static(p) ? "linked into tenon-io" : tenon_plugin_path(p),
            tenon_status_name(tenon_plugin_status(p)));
    if (!d->n_options)
        fprintf(out, "  (no engine options)\n");
    for (size_t i = 0; i < d->n_options; i++)
        print_option(out, &d->options[i]);
    return 0;
}
