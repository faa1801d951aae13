/* tenon watch: rescans the search path whenever a plugin folder changes
 * and prints each added, removed or replaced plugin file as it happens,
 * until interrupted. inotify where the kernel has it, polling otherwise. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static const char watch_help[] =
    "usage: tenon watch [--path DIR]... [--poll MS] [--json]\n"
    "\n"
    "Watches the folders of the search path (the --path folders, then\n"
    "TENON_PLUGIN_PATH, then the default folder) and, whenever one changes,\n"
    "scans it again and prints one line per plugin file that was added,\n"
    "removed or replaced:\n"
    "\n"
    "  added NAME FILE\n"
    "  removed NAME FILE\n"
    "  replaced NAME FILE\n"
    "\n"
    "No plugin code runs. It uses inotify, and polls every MS milliseconds\n"
    "(default 1000) where inotify is unavailable or a folder cannot be watched\n"
    "(one that does not exist yet). Runs until interrupted (SIGINT, SIGTERM),\n"
    "then exits 0. It says on stderr when it is watching.\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP
    "      --poll MS      poll every MS milliseconds instead of using inotify\n"
    "  -j, --json         print each change as a JSON object on its own line\n"
    "  -h, --help         show this help\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void print_changes(const tenon_changes *list, bool json)
{
    for (size_t i = 0; i < tenon_changes_count(list); i++) {
        const tenon_change *c = tenon_changes_at(list, i);
        if (json) {
            json_t *o = json_pack("{s:s, s:o, s:o}", "change", tenon_change_kind_name(c->kind),
                                  "plugin", cli_json_string(c->plugin), "path",
                                  cli_json_string(c->path));
            char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
            if (text)
                puts(text);
            free(text);
            json_decref(o);
        } else {
            printf("%s %s %s\n", tenon_change_kind_name(c->kind), cli_text(c->plugin),
                   cli_text(c->path));
        }
    }
    fflush(stdout);
}

/* Rescans and prints what changed. Returns 0, or -1 when the registry
 * itself failed (printed). */
static int rescan(tenon_registry *reg, bool json)
{
    tenon_changes *list = NULL;
    int rc = tenon_registry_rescan(reg, &list);
    if (rc < 0) {
        cli_print_error("rescan");
        return -1;
    }
    print_changes(list, json);
    tenon_changes_free(list);
    return 0;
}

/* Watches every folder of the search path that exists, again each time:
 * a folder removed and made again is a new inode, which needs a new watch
 * (adding one for an inode already watched changes nothing). Returns
 * whether every folder is watched; the others are polled. */
static bool watch_folders(int fd, tenon_registry *reg)
{
    const char *dirs[64];
    size_t n = tenon_registry_paths(reg, dirs, 64);
    bool all = n <= 64;
    for (size_t i = 0; i < n && i < 64; i++)
        if (inotify_add_watch(fd, dirs[i],
                              IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                  IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF |
                                  IN_ONLYDIR) < 0)
            all = false;
    return all;
}

/* Reads every queued event; returns whether there were any. */
static bool drain(int fd)
{
    char buf[4096];
    bool any = false;
    while (read(fd, buf, sizeof(buf)) > 0)
        any = true;
    return any;
}

/* The command line of tenon watch. */
typedef struct watch_args {
    cli_search search;
    bool json;
    bool force_poll;
    long poll_ms;
} watch_args;

/* Returns -1 to go on, or the exit status. */
static int parse_watch_args(int argc, char **argv, watch_args *a)
{
    static const struct option opts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"poll", required_argument, NULL, 2001},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
        if (cli_search_option(&a->search, opt, optarg))
            continue;
        switch (opt) {
        case 2001: {
            char *end;
            errno = 0;
            a->poll_ms = strtol(optarg, &end, 10);
            if (errno || *end || a->poll_ms < 10 || a->poll_ms > 3600000) {
                fprintf(stderr,
                        "tenon watch: --poll takes milliseconds from 10 to 3600000, "
                        "not '%s'\n",
                        cli_text(optarg));
                return CLI_USAGE;
            }
            a->force_poll = true;
            break;
        }
        case 'j':
            a->json = true;
            break;
        case 'h':
            fputs(watch_help, stdout);
            return CLI_OK;
        default:
            fputs(watch_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tenon watch: unexpected argument '%s'\n\n%s", cli_text(argv[optind]),
                watch_help);
        return CLI_USAGE;
    }
    return -1;
}

static void catch_stop_signals(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Waits for a change (an event on fd, or the poll interval) and rescans,
 * until stopped. all: whether inotify watches every folder. Returns the
 * exit status. */
static int watch_loop(tenon_registry *reg, const watch_args *a, int fd, bool all)
{
    while (!stop) {
        struct pollfd pfd = {fd, POLLIN, 0};
        int n = poll(&pfd, fd >= 0 ? 1 : 0, fd >= 0 && all ? -1 : (int)a->poll_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("tenon watch: poll");
            return CLI_INTERNAL;
        }
        if (n > 0) {
            /* An installer writes, renames and sets modes in a burst:
             * wait until it has been quiet for a moment, then look once. */
            while (!stop && drain(fd) && poll(&pfd, 1, 100) > 0)
                ;
        }
        if (stop)
            break;
        /* Watches first: what changes after them shows as an event. */
        if (fd >= 0)
            all = watch_folders(fd, reg);
        if (rescan(reg, a->json) < 0)
            return CLI_INTERNAL;
    }
    return CLI_OK;
}

int cmd_watch(int argc, char **argv)
{
    watch_args a = {.poll_ms = 1000};
    int status = parse_watch_args(argc, argv, &a);
    if (status >= 0)
        return status;
    tenon_registry *reg = cli_registry(&a.search);
    if (!reg)
        return CLI_INTERNAL;
    catch_stop_signals();

    /* Watches before the baseline, so that no change falls between. */
    int fd = a.force_poll ? -1 : inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    bool all = fd >= 0 && watch_folders(fd, reg);
    /* The first rescan compares with the scan just made: the baseline. */
    if (tenon_registry_rescan(reg, NULL) < 0) {
        cli_print_error("rescan");
        status = CLI_INTERNAL;
    } else {
        size_t n_dirs = tenon_registry_paths(reg, NULL, 0);
        fprintf(stderr, "tenon watch: watching %zu folder%s (%s)\n", n_dirs,
                n_dirs == 1 ? "" : "s",
                fd < 0 ? "polling"
                : all  ? "inotify"
                       : "inotify and polling");
        fflush(stderr);
        status = watch_loop(reg, &a, fd, all);
    }
    if (fd >= 0)
        close(fd);
    tenon_registry_free(reg);
    return status;
}
