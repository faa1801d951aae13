/* Shared pieces of the tenon command-line tool. */
#ifndef TENON_CLI_H
#define TENON_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include <tenon/tenon.h>

/* Exit statuses, documented in tenon(1). */
enum {
    CLI_OK = 0,       /* success */
    CLI_FAILED = 1,   /* a plugin failed a check, or was not found */
    CLI_USAGE = 2,    /* bad command line */
    CLI_INTERNAL = 3, /* the tool itself failed (out of memory, I/O) */
};

/* Options every plugin-reading command takes. */
typedef struct cli_search {
    const char *dirs[64];
    size_t n_dirs;
    bool no_env;
    bool no_default;
    bool allow_unsafe;
    const char *cache;    /* --cache FILE; NULL: the default cache */
    bool no_cache;        /* --no-cache */
    unsigned cache_flags; /* TENON_CACHE_* */
} cli_search;

/* Handles --path/-p, --no-env, --no-default, --allow-unsafe, --cache,
 * --no-cache. Returns true if opt was one of them. */
bool cli_search_option(cli_search *s, int opt, const char *arg);
#define CLI_SEARCH_LONG_OPTIONS                                                             \
    {"path", required_argument, NULL, 'p'}, {"no-env", no_argument, NULL, 1001},            \
        {"no-default", no_argument, NULL, 1002}, {"allow-unsafe", no_argument, NULL, 1003}, \
        {"cache", required_argument, NULL, 1004},                                           \
    {                                                                                       \
        "no-cache", no_argument, NULL, 1005                                                 \
    }
#define CLI_SEARCH_HELP                                                             \
    "  -p, --path DIR     search DIR for plugins (repeatable; before the others)\n" \
    "      --no-env       ignore TENON_PLUGIN_PATH\n"                               \
    "      --no-default   do not search the default plugin folder\n"                \
    "      --allow-unsafe skip the owner and permission checks (unsafe)\n"          \
    "      --cache FILE   keep the registry cache in FILE (see tenon cache)\n"      \
    "      --no-cache     neither read nor write the registry cache\n"

/* Adds the --path folders (relative ones resolved against the current
 * folder). Prints the error and returns -1 on failure. */
int cli_add_paths(tenon_registry *reg, const cli_search *s);

/* The TENON_REGISTRY_* flags the search options ask for. */
unsigned cli_registry_flags(const cli_search *s);

/* Makes a registry with the search options, and scans. Prints the error and
 * returns NULL on failure. */
tenon_registry *cli_registry(const cli_search *s);

/* Untrusted text (descriptor strings, file names, configuration values,
 * error messages quoting them) goes through these two on every output path,
 * so no byte of it can move the cursor, forge a line or vanish.
 *
 * cli_text: s as terminal-safe text. C0 controls, DEL and invalid UTF-8
 * bytes become \xNN, the C1 controls U+0080..U+009F become \u00NN; valid
 * UTF-8 otherwise stays. The copy lives until the program exits. NULL gives
 * NULL. */
const char *cli_text(const char *s);

/* cli_json_string: s as a JSON string (jansson needs valid UTF-8): invalid
 * bytes become the visible text \xNN, the rest is kept; NULL gives null. */
json_t *cli_json_string(const char *s);

/* Prints "tenon: what: <last error>" to stderr. */
void cli_print_error(const char *what);

/* "ok", "loaded", "shadowed by FILE", "broken: reason",
 * "missing-dependency: reason"... (raw: pass it through cli_text). */
void cli_status_text(tenon_plugin *p, char *buf, size_t size);

/* The first word of cli_status_text: a status name, "missing-dependency"
 * or "unresolvable". */
const char *cli_status_word(tenon_plugin *p);

/* The plugin as a JSON object (descriptor, status, reason, file). */
json_t *cli_plugin_json(tenon_plugin *p);

/* The error as a JSON object, or null. */
json_t *cli_error_json(const tenon_error *e);

/* Prints a JSON value to stdout, with a newline. */
int cli_print_json(json_t *value);

/* Parses a --timeout of milliseconds from 1 to 3600000 for command cmd;
 * prints what to give and returns false otherwise. */
bool cli_parse_timeout(const char *cmd, const char *arg, unsigned *out);

/* What tenon check and tenon info take: the search options, --timeout,
 * --json, --help and, for info, --check. */
typedef struct cli_check_options {
    cli_search search;
    unsigned timeout;
    bool json;
    bool check; /* --check; refused unless allow_check */
} cli_check_options;

/* Parses them for command cmd, printing help on --help or a bad option.
 * Returns -1 to go on (the operands are argv[optind..]), or the exit status. */
int cli_parse_check_options(int argc, char **argv, const char *cmd, const char *help,
                            bool allow_check, cli_check_options *o);

int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_watch(int argc, char **argv);

#endif
