/* tenon graph: the dependency graph and the load order, as text or as
 * Graphviz dot (`tenon graph --dot | dot -Tsvg > plugins.svg`). */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char graph_help[] =
    "usage: tenon graph [--path DIR]... [--dot]\n"
    "\n"
    "Prints the load order of the usable plugins in the search path (every\n"
    "plugin after its dependencies) and the dependency graph, with missing\n"
    "dependencies, version conflicts and cycles named. No plugin code runs.\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP "  -d, --dot          print the graph in Graphviz dot\n"
    "  -h, --help         show this help\n";

typedef struct graph {
    tenon_registry *reg;
    tenon_plugin **order;
    size_t n_order;
    size_t cap;
} graph;

static bool in_order(const graph *g, const tenon_plugin *p)
{
    for (size_t i = 0; i < g->n_order; i++)
        if (g->order[i] == p)
            return true;
    return false;
}

static bool usable(tenon_plugin *p)
{
    tenon_status st = tenon_plugin_status(p);
    return st == TENON_STATUS_FOUND || st == TENON_STATUS_LOADED;
}

/* Escapes a string for a dot label or ID. */
static void dot_quoted(const char *raw)
{
    const char *s = cli_text(raw);
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

/* Returns -1 to go on, or the exit status. */
static int parse_graph_args(int argc, char **argv, cli_search *search, bool *dot)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"dot", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    while ((opt = getopt_long(argc, argv, "p:dh", longopts, NULL)) != -1) {
        if (cli_search_option(search, opt, optarg))
            continue;
        switch (opt) {
        case 'd':
            *dot = true;
            break;
        case 'h':
            fputs(graph_help, stdout);
            return CLI_OK;
        default:
            fputs(graph_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tenon graph: unexpected argument '%s'\n", cli_text(argv[optind]));
        return CLI_USAGE;
    }
    return -1;
}

/* Merging each plugin's own load order keeps every dependency before
 * its dependents. one has room for an order; errors[i] is set for the
 * plugin i that does not resolve. Returns the exit status. */
static int merge_load_orders(graph *g, tenon_plugin **one, tenon_error *errors)
{
    int status = CLI_OK;
    for (size_t i = 0; i < g->cap; i++) {
        tenon_plugin *p = tenon_registry_at(g->reg, i);
        if (!usable(p))
            continue;
        int k = tenon_plugin_load_order(p, one, g->cap);
        if (k < 0) {
            errors[i] = *tenon_last_error();
            status = CLI_FAILED;
            continue;
        }
        for (int j = 0; j < k; j++)
            if (!in_order(g, one[j]))
                g->order[g->n_order++] = one[j];
    }
    return status;
}

/* The node of a plugin: name, version, and its state as a colour. */
static void print_dot_node(tenon_plugin *p, const tenon_plugin_desc *d,
                           const tenon_error *error)
{
    char label[2048];
    /* Escaped for the terminal, then for DOT's quotes. */
    const char *shown_name = cli_text(d->name), *shown_version = cli_text(d->version);
    char quoted[2 * TENON_NAME_MAX * 6 + 4];
    size_t q = 0;
    for (const char *c = shown_name; *c && q + 2 < sizeof(quoted); c++) {
        if (*c == '"' || *c == '\\')
            quoted[q++] = '\\';
        quoted[q++] = *c;
    }
    quoted[q] = '\0';
    snprintf(label, sizeof(label), "%s\\n%s%s", quoted, shown_version,
             tenon_plugin_is_static(p) ? " (static)" : "");
    printf("  ");
    dot_quoted(d->name);
    printf(" [label=\"%s\"%s];\n", label,
           !usable(p)    ? ", color=gray, fontcolor=gray"
           : error->code ? ", color=red"
                         : "");
}

/* An edge a dependency, and a red node for each one missing. */
static void print_dot_edges(tenon_registry *reg, const tenon_plugin_desc *d)
{
    for (size_t r = 0; r < d->n_deps; r++) {
        tenon_plugin *dep = tenon_registry_find(reg, d->deps[r].name);
        if (!dep) {
            printf("  ");
            dot_quoted(d->deps[r].name);
            printf(" [label=\"%s\\nmissing\", color=red, fontcolor=red, "
                   "style=\"rounded,dashed\"];\n",
                   cli_text(d->deps[r].name));
        }
        printf("  ");
        dot_quoted(d->name);
        printf(" -> ");
        dot_quoted(d->deps[r].name);
        printf(" [label=");
        dot_quoted(d->deps[r].range[0] ? d->deps[r].range : "any");
        printf("%s];\n", dep ? "" : ", color=red");
    }
}

static void print_dot(const graph *g, const tenon_error *errors)
{
    printf("digraph tenon {\n  rankdir=LR;\n  node [shape=box, style=rounded, "
           "fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (size_t i = 0; i < g->cap; i++) {
        tenon_plugin *p = tenon_registry_at(g->reg, i);
        const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
        if (!d || tenon_plugin_status(p) == TENON_STATUS_SHADOWED)
            continue;
        print_dot_node(p, d, &errors[i]);
        print_dot_edges(g->reg, d);
    }
    printf("}\n");
}

static void print_dependencies_text(tenon_registry *reg, size_t n)
{
    printf("dependencies:\n");
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
        if (!d || !usable(p))
            continue;
        for (size_t r = 0; r < d->n_deps; r++) {
            tenon_plugin *dep = tenon_registry_find(reg, d->deps[r].name);
            printf("  %s -> %s %s%s\n", cli_text(d->name), cli_text(d->deps[r].name),
                   d->deps[r].range[0] ? cli_text(d->deps[r].range) : "(any)",
                   dep ? "" : "  [missing]");
            any = true;
        }
    }
    if (!any)
        printf("  (none)\n");
}

static void print_text(const graph *g, const tenon_error *errors)
{
    printf("load order:\n");
    for (size_t i = 0; i < g->n_order; i++)
        printf("  %2zu. %s %s\n", i + 1, cli_text(tenon_plugin_name(g->order[i])),
               cli_text(tenon_plugin_version(g->order[i])));
    if (!g->n_order)
        printf("  (no usable plugins)\n");
    print_dependencies_text(g->reg, g->cap);
    bool header = false;
    for (size_t i = 0; i < g->cap; i++) {
        if (!errors[i].code)
            continue;
        if (!header)
            printf("problems:\n");
        header = true;
        printf("  %s: %s\n", cli_text(tenon_plugin_name(tenon_registry_at(g->reg, i))),
               cli_text(errors[i].message));
    }
}

int cmd_graph(int argc, char **argv)
{
    cli_search search = {0};
    bool dot = false;
    int status = parse_graph_args(argc, argv, &search, &dot);
    if (status >= 0)
        return status;
    tenon_registry *reg = cli_registry(&search);
    if (!reg)
        return CLI_INTERNAL;
    size_t n = tenon_registry_count(reg);
    graph g = {reg, calloc(n + 1, sizeof(tenon_plugin *)), 0, n};
    tenon_plugin **one = calloc(n + 1, sizeof(tenon_plugin *));
    tenon_error *errors = calloc(n + 1, sizeof(tenon_error));
    if (!g.order || !one || !errors)
        return CLI_INTERNAL;
    status = merge_load_orders(&g, one, errors);
    if (dot)
        print_dot(&g, errors);
    else
        print_text(&g, errors);
    free(errors);
    free(one);
    free(g.order);
    tenon_registry_free(reg);
    return status;
}
