/* tenon: inspect, check and graph tenon plugins. */
#include "cli.h"

#include <string.h>

static const char usage[] =
    "usage: tenon COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "commands:\n"
    "  list     list the plugins in the search path and their status\n"
    "  info     show one plugin's descriptor and verification results\n"
    "  check    load, init and fini plugins in child processes, with a timeout\n"
    "  graph    show the dependency graph and load order (text or dot)\n"
    "  cache    show, rebuild or clear the registry cache\n"
    "  new      write a plugin skeleton: tenon new plugin NAME\n"
    "  keygen   make an Ed25519 key pair for signing plugins\n"
    "  sign     sign plugin files (writes PLUGIN.sig beside each)\n"
    "  verify   check plugin files' signatures against trusted keys\n"
    "  watch    print plugin files added, removed or replaced, as it happens\n"
    "\n"
    "`tenon COMMAND --help` describes each command.\n"
    "\n"
    "options:\n"
    "  -h, --help     show this help\n"
    "  -V, --version  show the version of tenon and of the plugin ABI\n"
    "\n"
    "exit status: 0 success, 1 a plugin failed or was not found, 2 usage error,\n"
    "3 the tool itself failed.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"list", cmd_list},     {"info", cmd_info},   {"check", cmd_check},   {"graph", cmd_graph},
    {"cache", cmd_cache},   {"new", cmd_new},     {"keygen", cmd_keygen}, {"sign", cmd_sign},
    {"verify", cmd_verify}, {"watch", cmd_watch},
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
        printf("tenon %s (libtenon %s, plugin ABI %d.%d)\n", TENON_VERSION_STRING,
               tenon_version(), TENON_ABI_MAJOR, TENON_ABI_MINOR);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tenon: unknown command '%s'\n\n%s", name, usage);
    return CLI_USAGE;
}
