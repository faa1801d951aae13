/* tenon cache: what the registry cache holds, rebuilding it, clearing it. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

static const char cache_help[] =
    "usage: tenon cache show|rebuild|clear [--path DIR]... [--cache FILE] [--json]\n"
    "\n"
    "The registry cache keeps, for each plugin file, its identity (device, inode,\n"
    "size, mtime, ctime), its descriptor or why it has none, and what the last\n"
    "`tenon check` of it found. A scan reads again only the files whose identity\n"
    "changed, and forgets a cached failure as soon as its file changes.\n"
    "\n"
    "  show     list the entries: file, identity, status, reason, age (and the\n"
    "           listings of folders, which scans use while a folder is unchanged)\n"
    "  rebuild  read every plugin file in the search path again and write a new cache\n"
    "  clear    delete the cache file\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP "  -j, --json         print JSON (show)\n"
    "  -h, --help         show this help\n"
    "\n"
    "The cache file is --cache FILE, else $XDG_CACHE_HOME/tenon/tenon.cache, else\n"
    "$HOME/.cache/tenon/tenon.cache.\n";

static int cache_file(const cli_search *s, char *buf, size_t size)
{
    if (s->cache) {
        if (s->cache[0] == '/') {
            snprintf(buf, size, "%s", s->cache);
            return 0;
        }
        if (!realpath(".", buf) || strlen(buf) + strlen(s->cache) + 2 > size) {
            fprintf(stderr, "tenon cache: cannot resolve %s\n", cli_text(s->cache));
            return -1;
        }
        strcat(buf, "/");
        strcat(buf, s->cache);
        return 0;
    }
    if (tenon_cache_default_path("tenon", buf, size) < 0) {
        cli_print_error("cache");
        return -1;
    }
    return 0;
}

/* "45s", "12m", "3h", "2d". */
static void age_text(int64_t then_ns, char *buf, size_t size)
{
    if (!then_ns) {
        snprintf(buf, size, "-");
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    int64_t s = (now - then_ns) / 1000000000;
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, size, "%llds", (long long)s);
    else if (s < 2 * 3600)
        snprintf(buf, size, "%lldm", (long long)(s / 60));
    else if (s < 2 * 86400)
        snprintf(buf, size, "%lldh", (long long)(s / 3600));
    else
        snprintf(buf, size, "%lldd", (long long)(s / 86400));
}

static const char *entry_status(const tenon_cache_entry *e)
{
    if (e->folder)
        return "folder";
    if (!e->desc)
        return "broken";
    if (e->check == TENON_CHECK_FAILED)
        return "check-failed";
    if (e->check == TENON_CHECK_PASSED)
        return "checked";
    return "ok";
}

static void time_text(int64_t ns, char *buf, size_t size)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    char day[32] = "?";
    if (localtime_r(&t, &tm))
        strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, size, "%s.%09lld", day, (long long)(ns % 1000000000));
}

static int show(const char *path, bool json)
{
    tenon_cache *cache;
    int rc = tenon_cache_read(path, &cache);
    if (rc == TENON_ENOTFOUND) {
        if (json)
            return cli_print_json(
                json_pack("{s:o, s:[]}", "cache", cli_json_string(path), "entries"));
        printf("no registry cache at %s\n", cli_text(path));
        return CLI_OK;
    }
    if (rc < 0) {
        cli_print_error(path);
        return CLI_FAILED;
    }
    size_t n = tenon_cache_count(cache);
    char age[32], line[2 * TENON_ERROR_TEXT_MAX + TENON_ERROR_PATH_MAX];
    if (json) {
        json_t *entries = json_array();
        for (size_t i = 0; i < n; i++) {
            const tenon_cache_entry *e = tenon_cache_at(cache, i);
            json_t *o =
                json_pack("{s:o, s:s, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:o, s:o, s:o, s:o}",
                          "file", cli_json_string(e->path), "status", entry_status(e), "key",
                          "dev", (json_int_t)e->dev, "ino", (json_int_t)e->ino, "size",
                          (json_int_t)e->size, "mtime_ns", (json_int_t)e->mtime_ns, "ctime_ns",
                          (json_int_t)e->ctime_ns, "read_ns", (json_int_t)e->read_ns, "name",
                          cli_json_string(e->desc ? e->desc->name : NULL), "version",
                          cli_json_string(e->desc ? e->desc->version : NULL), "error",
                          cli_error_json(e->error), "check_error",
                          cli_error_json(e->check_error));
            if (e->check != TENON_CHECK_NONE)
                json_object_set_new(o, "checked_ns", json_integer(e->checked_ns));
            if (e->folder) {
                json_t *names = json_array();
                for (size_t k = 0; k < e->n_names; k++)
                    json_array_append_new(names, cli_json_string(e->names[k]));
                json_object_set_new(o, "plugin_files", names);
            }
            json_array_append_new(entries, o);
        }
        tenon_cache_free(cache);
        return cli_print_json(
            json_pack("{s:o, s:o}", "cache", cli_json_string(path), "entries", entries));
    }
    age_text(tenon_cache_written_ns(cache), age, sizeof(age));
    printf("registry cache %s: %zu entr%s, written %s ago\n", cli_text(path), n,
           n == 1 ? "y" : "ies", age);
    if (n)
        printf("%-13s %-5s %-28s %s\n", "STATUS", "AGE", "PLUGIN", "FILE");
    for (size_t i = 0; i < n; i++) {
        const tenon_cache_entry *e = tenon_cache_at(cache, i);
        char plugin[96] = "-", mtime[64], ctime_text[64];
        if (e->desc)
            snprintf(plugin, sizeof(plugin), "%s %s", cli_text(e->desc->name),
                     cli_text(e->desc->version));
        else if (e->folder)
            snprintf(plugin, sizeof(plugin), "(%zu plugin file%s)", e->n_names,
                     e->n_names == 1 ? "" : "s");
        age_text(e->read_ns, age, sizeof(age));
        printf("%-13s %-5s %-28s %s\n", entry_status(e), age, plugin, cli_text(e->path));
        time_text(e->mtime_ns, mtime, sizeof(mtime));
        time_text(e->ctime_ns, ctime_text, sizeof(ctime_text));
        printf("    key: dev %u:%u inode %llu size %lld mtime %s ctime %s\n",
               major((dev_t)e->dev), minor((dev_t)e->dev), (unsigned long long)e->ino,
               (long long)e->size, mtime, ctime_text);
        if (e->error) {
            tenon_error_format(e->error, line, sizeof(line));
            printf("    reason: %s\n", cli_text(line));
        }
        if (e->check != TENON_CHECK_NONE) {
            age_text(e->checked_ns, age, sizeof(age));
            if (e->check_error) {
                tenon_error_format(e->check_error, line, sizeof(line));
                printf("    check (%s ago) failed: %s\n", age, cli_text(line));
            } else {
                printf("    check (%s ago) passed\n", age);
            }
        }
    }
    tenon_cache_free(cache);
    return CLI_OK;
}

static int rebuild(const cli_search *s, const char *path)
{
    cli_search with = *s;
    with.cache = path;
    with.cache_flags = TENON_CACHE_REBUILD;
    tenon_registry *reg = cli_registry(&with);
    if (!reg)
        return CLI_INTERNAL;
    if (!tenon_registry_cache_path(reg)) {
        tenon_registry_free(reg);
        return CLI_INTERNAL;
    }
    tenon_cache_stats st = {.struct_size = sizeof(st)};
    tenon_registry_cache_stats(reg, &st);
    size_t n = tenon_registry_count(reg);
    int rc = CLI_OK;
    if (st.cache_saves == 0 && tenon_registry_save_cache(reg) < 0) {
        cli_print_error("rebuild");
        rc = CLI_FAILED;
    } else {
        tenon_registry_cache_stats(reg, &st);
        printf("rebuilt %s: %zu plugin file%s read, %llu entr%s\n", cli_text(path), n,
               n == 1 ? "" : "s", (unsigned long long)st.entries_written,
               st.entries_written == 1 ? "y" : "ies");
    }
    tenon_registry_free(reg);
    return rc;
}

int cmd_cache(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_search search = {0};
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:jh", longopts, NULL)) != -1) {
        if (cli_search_option(&search, opt, optarg))
            continue;
        switch (opt) {
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(cache_help, stdout);
            return CLI_OK;
        default:
            fputs(cache_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(cache_help, stderr);
        return CLI_USAGE;
    }
    const char *action = argv[optind];
    char path[PATH_MAX];
    if (strcmp(action, "show") != 0 && strcmp(action, "rebuild") != 0 &&
        strcmp(action, "clear") != 0) {
        fprintf(stderr, "tenon cache: unknown action '%s'\n\n%s", cli_text(action), cache_help);
        return CLI_USAGE;
    }
    if (search.no_cache) {
        fprintf(stderr, "tenon cache: --no-cache leaves nothing to do\n");
        return CLI_USAGE;
    }
    if (cache_file(&search, path, sizeof(path)) < 0)
        return CLI_FAILED;
    if (strcmp(action, "show") == 0)
        return show(path, json);
    if (strcmp(action, "rebuild") == 0)
        return rebuild(&search, path);
    if (tenon_cache_remove(path) < 0) {
        cli_print_error("clear");
        return CLI_FAILED;
    }
    printf("removed %s\n", cli_text(path));
    return CLI_OK;
}
