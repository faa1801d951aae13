/* tenon new plugin NAME: writes a working plugin skeleton (source,
 * meson.build, CMakeLists.txt, README) that builds against an installed
 * tenon and passes `tenon check` as written. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char new_help[] =
    "usage: tenon new plugin [--dir DIR] NAME\n"
    "\n"
    "Writes DIR/NAME (default ./NAME) with a plugin skeleton: NAME.c declaring\n"
    "the plugin with an interface, an option and instance data, plus\n"
    "meson.build, CMakeLists.txt and a README. It builds as written against an\n"
    "installed tenon (pkg-config or CMake) and passes `tenon check`. NAME is a\n"
    "C identifier (letters, digits, '_').\n";

static const char source_template[] =
    "/* @NAME@: a tenon plugin. It provides the interface \"@NAME@.api\" version 1,\n"
    " * takes one option, and keeps private data per instance. */\n"
    "#include <stdio.h>\n"
    "\n"
    "#include <tenon/plugin.h>\n"
    "\n"
    "/* The interface table: size and version first, new functions only ever\n"
    " * appended. Hosts share this struct through a header of their own. */\n"
    "typedef struct @NAME@_api {\n"
    "    uint32_t struct_size;\n"
    "    uint32_t version;\n"
    "    int (*describe)(void *data, char *out, size_t size);\n"
    "} @NAME@_api;\n"
    "\n"
    "typedef struct @NAME@_instance {\n"
    "    long long count;\n"
    "} @NAME@_instance;\n"
    "\n"
    "static const tenon_host_api *host;\n"
    "\n"
    "static int @NAME@_init(tenon_plugin *self, const tenon_host_api *api)\n"
    "{\n"
    "    host = api;\n"
    "    host->log(self, TENON_LOG_DEBUG, \"initialized\");\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "static void @NAME@_fini(tenon_plugin *self)\n"
    "{\n"
    "    host->log(self, TENON_LOG_DEBUG, \"finished\");\n"
    "}\n"
    "\n"
    "static int @NAME@_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,\n"
    "                                const tenon_values *opts)\n"
    "{\n"
    "    (void)self;\n"
    "    (void)inst;\n"
    "    @NAME@_instance *me = data;\n"
    "    me->count = (long long)host->values_int(opts, \"count\");\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "static int @NAME@_describe(void *data, char *out, size_t size)\n"
    "{\n"
    "    const @NAME@_instance *me = data;\n"
    "    snprintf(out, size, \"@NAME@ with count %lld\", me->count);\n"
    "    return 0;\n"
    "}\n"
    "\n"
    "static const @NAME@_api @NAME@_table = {\n"
    "    .struct_size = sizeof(@NAME@_api),\n"
    "    .version = 1,\n"
    "    .describe = @NAME@_describe,\n"
    "};\n"
    "\n"
    "TENON_PLUGIN(@NAME@,\n"
    "    TENON_DESCRIBE(\n"
    "        .version = \"0.1.0\",\n"
    "        .description = \"@NAME@ plugin\",\n"
    "        .license = \"MIT\",\n"
    "        .provides = {{\"@NAME@.api\", 1}},\n"
    "        .options = {{\"count\", TENON_OPT_INT, .def = \"1\", .help = \"an example "
    "option\",\n"
    "                     .min = 0, .max = 1000}},\n"
    "    ),\n"
    "    TENON_CODE(\n"
    "        .init = @NAME@_init,\n"
    "        .fini = @NAME@_fini,\n"
    "        TENON_IMPLEMENTS(TENON_IMPL(\"@NAME@.api\", &@NAME@_table,\n"
    "                                    TENON_INSTANCE_OF(@NAME@_instance),\n"
    "                                    .instance_init = @NAME@_instance_init)),\n"
    "    ));\n";

static const char meson_template[] =
    "project('@NAME@', 'c', version: '0.1.0', default_options: ['c_std=c17', "
    "'warning_level=2'])\n"
    "\n"
    "# A plugin compiles against tenon's headers only; it never links libtenon.\n"
    "tenon = dependency('tenon').partial_dependency(compile_args: true, includes: true)\n"
    "\n"
    "shared_module('@NAME@', '@NAME@.c',\n"
    "  name_prefix: '',\n"
    "  dependencies: tenon,\n"
    "  gnu_symbol_visibility: 'hidden',\n"
    "  link_args: ['-Wl,-z,defs'],\n"
    "  install: true,\n"
    "  install_dir: dependency('tenon').get_variable(pkgconfig: 'plugindir'))\n";

static const char cmake_template[] =
    "cmake_minimum_required(VERSION 3.16)\n"
    "project(@NAME@ C)\n"
    "set(CMAKE_C_STANDARD 17)\n"
    "\n"
    "find_package(tenon 0 REQUIRED)\n"
    "# tenon_add_plugin: a MODULE library with hidden visibility and no lib prefix.\n"
    "tenon_add_plugin(@NAME@ @NAME@.c)\n"
    "install(TARGETS @NAME@ LIBRARY DESTINATION \"${TENON_PLUGIN_DIR}\")\n";

static const char readme_template[] =
    "# @NAME@\n"
    "\n"
    "A tenon plugin. Build it against an installed tenon, either way:\n"
    "\n"
    "```sh\n"
    "meson setup build && ninja -C build            # pkg-config finds tenon\n"
    "cmake -S . -B build && cmake --build build     # find_package(tenon)\n"
    "```\n"
    "\n"
    "(add `PKG_CONFIG_PATH=PREFIX/lib/.../pkgconfig` or `-DCMAKE_PREFIX_PATH=PREFIX` for a\n"
    "tenon installed outside the system folders), then check it:\n"
    "\n"
    "```sh\n"
    "tenon info $PWD/build/@NAME@.so     # the descriptor, read without running the plugin\n"
    "tenon check $PWD/build/@NAME@.so    # load, init and fini in a child process\n"
    "```\n"
    "\n"
    "Sign it for hosts that require signed plugins: `tenon sign --key KEY.key "
    "build/@NAME@.so`.\n"
    "See docs/plugin-guide.md in the tenon sources for interfaces, options,\n"
    "dependencies and instances.\n";

/* Writes template with @NAME@ replaced; refuses to overwrite. */
static int write_file(const char *dir, const char *file, const char *template, const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "wx");
    if (!f) {
        fprintf(stderr, "tenon new: cannot create %s: %s\n", cli_text(path), strerror(errno));
        return -1;
    }
    for (const char *p = template; *p;) {
        if (strncmp(p, "@NAME@", 6) == 0) {
            fputs(name, f);
            p += 6;
        } else {
            fputc(*p++, f);
        }
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "tenon new: cannot write %s: %s\n", cli_text(path), strerror(errno));
        return -1;
    }
    return 0;
}

static bool c_identifier(const char *s)
{
    if (!*s || strlen(s) >= TENON_NAME_MAX || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

int cmd_new(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *parent = ".";
    int opt;
    while ((opt = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            parent = optarg;
            break;
        case 'h':
            fputs(new_help, stdout);
            return CLI_OK;
        default:
            fputs(new_help, stderr);
            return CLI_USAGE;
        }
    }
    if (argc - optind != 2 || strcmp(argv[optind], "plugin") != 0) {
        fputs(new_help, stderr);
        return CLI_USAGE;
    }
    const char *name = argv[optind + 1];
    if (!c_identifier(name)) {
        fprintf(stderr,
                "tenon new: \"%s\" is not a C identifier of at most %d characters; the "
                "plugin name is also its C name in TENON_PLUGIN()\n",
                cli_text(name), TENON_NAME_MAX - 1);
        return CLI_USAGE;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/%s", parent, name);
    if (mkdir(dir, 0755) != 0) {
        fprintf(stderr, "tenon new: cannot create folder %s: %s%s\n", cli_text(dir),
                strerror(errno), errno == EEXIST ? " (choose another name or --dir)" : "");
        return CLI_FAILED;
    }
    char source[PATH_MAX];
    snprintf(source, sizeof(source), "%s.c", name);
    if (write_file(dir, source, source_template, name) < 0 ||
        write_file(dir, "meson.build", meson_template, name) < 0 ||
        write_file(dir, "CMakeLists.txt", cmake_template, name) < 0 ||
        write_file(dir, "README.md", readme_template, name) < 0)
        return CLI_FAILED;
    printf("created %s: %s, meson.build, CMakeLists.txt, README.md\n", cli_text(dir),
           cli_text(source));
    return CLI_OK;
}
