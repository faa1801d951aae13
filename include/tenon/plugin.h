/* The plugin author's header.
 *
 * A plugin is declared once, with TENON_PLUGIN():
 *
 *     TENON_PLUGIN(hello,
 *         TENON_DESCRIBE(
 *             .version = "1.0.0",
 *             .description = "says hello",
 *             .license = "MIT",
 *             .provides = { { "example.greeter", 1 } },
 *         ),
 *         TENON_CODE(
 *             .init = hello_init,
 *             TENON_IMPLEMENTS(TENON_IMPL("example.greeter", &hello_table)),
 *         ));
 *
 * TENON_DESCRIBE() fills the descriptor: plain data with no pointers, stored
 * in the ELF note section ".note.tenon" so the host reads it without running
 * any plugin code. TENON_CODE() fills the entry: the function pointers, which
 * reach the host through one exported symbol only after the checks pass.
 *
 * The same source builds as a shared object (the default) or into a host
 * (compiled with -DTENON_PLUGIN_STATIC, which the build's plugin helper sets);
 * static plugins are collected through the "tenon_static_plugins" linker
 * section, so no host keeps a list of them.
 *
 * A plugin never links against the host or libtenon: everything it needs
 * from the host comes through the tenon_host_api table passed to init.
 *
 * The same macros work in C++14 and later (designated fields in declaration
 * order; see the C++ part below and docs/plugin-guide.md).
 */
#ifndef TENON_PLUGIN_H
#define TENON_PLUGIN_H

#include <tenon/common.h>
#include <tenon/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Descriptor layout 1 ------------------------------------------------ */

#define TENON_DESC_MAGIC 0x4e4f4e54u /* "TNON" in a little-endian file */
#define TENON_DESC_LAYOUT 1u
#define TENON_NOTE_OWNER "Tenon"
#define TENON_NOTE_TYPE 0x31444e54u /* "TND1" */
#define TENON_NOTE_SECTION ".note.tenon"
#define TENON_ENTRY_SYMBOL "tenon_entry"

/* Field capacities of layout 1, in bytes including the terminating NUL. */
#define TENON_NAME_MAX 48
#define TENON_VERSION_MAX 32
#define TENON_DESCRIPTION_MAX 192
#define TENON_LICENSE_MAX 32
#define TENON_URL_MAX 96
#define TENON_RANGE_MAX 48
#define TENON_OPTION_NAME_MAX 32
#define TENON_OPTION_DEFAULT_MAX 64
#define TENON_OPTION_HELP_MAX 128
#define TENON_OPTION_CHOICES_MAX 64
#define TENON_META_KEY_MAX 32
#define TENON_META_VALUE_MAX 128

/* Entry capacities of layout 1. */
#define TENON_MAX_DEPS 16
#define TENON_MAX_REQUIRES TENON_MAX_DEPS /* the name before 1.0's C++ support */
#define TENON_MAX_PROVIDES 8
#define TENON_MAX_OVERRIDES 4
#define TENON_MAX_OPTIONS 32
#define TENON_MAX_META 8

/* Plugin flags. */
enum {
    /* Scanned but not loaded unless a configuration enables it (VPP). */
    TENON_PLUGIN_DISABLED_BY_DEFAULT = 1u << 0,
    /* May be unloaded when nothing holds it; plugins are resident otherwise. */
    TENON_PLUGIN_UNLOADABLE = 1u << 1,
};

/* Option value types. */
typedef enum tenon_opt_type {
    TENON_OPT_BOOL = 1,     /* 1/0, true/false, yes/no, on/off */
    TENON_OPT_INT = 2,      /* signed 64-bit decimal or 0x hex */
    TENON_OPT_SIZE = 3,     /* bytes, with k/m/g/t (1024-based) or KiB/KB... */
    TENON_OPT_DURATION = 4, /* nanoseconds; ns/us/ms/s/m/h suffixes, bare = s */
    TENON_OPT_DOUBLE = 5,
    TENON_OPT_STRING = 6,
    TENON_OPT_ENUM = 7, /* one of .choices, written "a|b|c" */
} tenon_opt_type;

/* Option flags. */
enum {
    TENON_OPT_REQUIRED = 1u << 0, /* must be given; no default applies */
};

/* int64_t whose alignment is 4, so the descriptor stays a sequence of 4-byte
 * words as ELF notes require. */
typedef int64_t tenon_i64_a4 __attribute__((aligned(4)));

typedef struct tenon_desc_require {
    char name[TENON_NAME_MAX];
    char range[TENON_RANGE_MAX]; /* e.g. ">=1.2 <2", "^1.4", "" for any */
} tenon_desc_require;

typedef struct tenon_desc_provide {
    char name[TENON_NAME_MAX]; /* interface name, e.g. "tenon-io.engine" */
    uint32_t version;          /* interface version the table implements */
    int32_t rank;              /* higher wins when the host asks for any provider */
} tenon_desc_provide;

typedef struct tenon_desc_option {
    char name[TENON_OPTION_NAME_MAX];
    uint32_t type;  /* tenon_opt_type */
    uint32_t flags; /* TENON_OPT_* */
    char def[TENON_OPTION_DEFAULT_MAX];
    char help[TENON_OPTION_HELP_MAX];
    char choices[TENON_OPTION_CHOICES_MAX]; /* for TENON_OPT_ENUM: "a|b|c" */
    tenon_i64_a4 min;                       /* range applies when max > min */
    tenon_i64_a4 max;
} tenon_desc_option;

typedef struct tenon_desc_meta {
    char key[TENON_META_KEY_MAX];
    char value[TENON_META_VALUE_MAX];
} tenon_desc_meta;

/* The descriptor as stored in the file. Only fixed-size data: it needs no
 * relocation and reads the same from any process. New layouts only append. */
typedef struct tenon_descriptor {
    uint32_t magic;  /* TENON_DESC_MAGIC */
    uint16_t layout; /* TENON_DESC_LAYOUT */
    uint16_t reserved;
    uint32_t size;      /* sizeof(tenon_descriptor) in the plugin's layout */
    uint16_t abi_major; /* ABI of the tenon headers the plugin compiled with */
    uint16_t abi_minor;
    uint32_t flags; /* TENON_PLUGIN_* */
    char name[TENON_NAME_MAX];
    char version[TENON_VERSION_MAX]; /* semantic version "1.2.3" */
    char description[TENON_DESCRIPTION_MAX];
    char license[TENON_LICENSE_MAX];
    char url[TENON_URL_MAX];
    /* Other plugins this one needs. C code may still say .requires, the
     * name before C++ support (a C++20 keyword): the same bytes. */
    TENON__C_ALIAS(tenon_desc_require deps[TENON_MAX_DEPS],
                   tenon_desc_require requires[TENON_MAX_DEPS]);
    tenon_desc_provide provides[TENON_MAX_PROVIDES];
    char overrides[TENON_MAX_OVERRIDES][TENON_NAME_MAX];
    tenon_desc_option options[TENON_MAX_OPTIONS];
    tenon_desc_meta meta[TENON_MAX_META];
} tenon_descriptor;

/* The ELF note that carries the descriptor. */
typedef struct tenon_note {
    uint32_t namesz; /* sizeof(TENON_NOTE_OWNER) */
    uint32_t descsz; /* sizeof(tenon_descriptor) */
    uint32_t type;   /* TENON_NOTE_TYPE */
    char owner[8];   /* TENON_NOTE_OWNER, padded to 4 bytes */
    tenon_descriptor desc;
} tenon_note;

/* ---- What the host gives the plugin ------------------------------------- */

typedef struct tenon_plugin tenon_plugin;     /* a plugin, as the host knows it */
typedef struct tenon_instance tenon_instance; /* an instance of an interface */
typedef struct tenon_values tenon_values;     /* checked, typed option values */
typedef struct tenon_options tenon_options;   /* option strings, as given */

typedef enum tenon_log_level {
    TENON_LOG_ERROR = 0,
    TENON_LOG_WARN = 1,
    TENON_LOG_INFO = 2,
    TENON_LOG_DEBUG = 3,
} tenon_log_level;

#define TENON_HOST_API_VERSION 2u /* 2 since ABI 1.1 */

/* The host's services, passed to init. Starts with its size; functions are
 * only ever appended, so a plugin checks struct_size before using a member
 * newer than the ABI it was built against (TENON_HOST_HAS). */
typedef struct tenon_host_api {
    uint32_t struct_size;
    uint32_t version;

    /* Logs through the host's log callback, tagged with the plugin's name. */
    void (*log)(tenon_plugin *self, tenon_log_level level, const char *fmt, ...)
        TENON_PRINTF(3, 4);

    /* The plugin's own options, checked against its schema, defaults filled. */
    const tenon_values *(*options)(tenon_plugin *self);

    /* Typed reads of checked option values: the library's tenon_values_bool,
     * tenon_values_int... under the same names, so hosts and plugins read
     * options with one API. A name outside the schema is a programming
     * error: it is logged and 0 / false / NULL is returned. Before 1.1 the
     * members were called get_bool, get_int, get_double, get_string and
     * is_set; those names remain (the same members), deprecated. */
    TENON__RENAMED(bool (*values_bool)(const tenon_values *values, const char *name),
                   bool (*get_bool)(const tenon_values *values, const char *name),
                   "use values_bool");
    TENON__RENAMED(int64_t (*values_int)(const tenon_values *values, const char *name),
                   int64_t (*get_int)(const tenon_values *values, const char *name),
                   "use values_int"); /* INT, SIZE, DURATION */
    TENON__RENAMED(double (*values_double)(const tenon_values *values, const char *name),
                   double (*get_double)(const tenon_values *values, const char *name),
                   "use values_double");
    TENON__RENAMED(const char *(*values_string)(const tenon_values *values, const char *name),
                   const char *(*get_string)(const tenon_values *values, const char *name),
                   "use values_string"); /* STRING, ENUM */
    TENON__RENAMED(bool (*values_is_set)(const tenon_values *values, const char *name),
                   bool (*is_set)(const tenon_values *values, const char *name),
                   "use values_is_set"); /* given, not defaulted */

    /* Looks up an interface of another plugin (by name, or NULL for the
     * highest-ranked provider), loading it if needed. The caller becomes a
     * holder of the provider until release() or its own unload. Returns 0 and
     * sets *table, or a negative tenon error code. */
    int (*interface)(tenon_plugin *self, const char *plugin, const char *iface,
                     uint32_t min_version, const void **table);
    /* Drops one hold taken by interface(). */
    int (*release)(tenon_plugin *self, const char *plugin);
    /* A raw symbol of a plugin the caller lists in its requires; NULL
     * otherwise (VPP's vlib_get_plugin_symbol). */
    void *(*symbol)(tenon_plugin *self, const char *plugin, const char *symbol);

    /* Records why init (or an instance init) fails, for the host's error
     * report. Returns code, so "return host->fail(self, TENON_EINIT, ...)". */
    int (*fail)(tenon_plugin *self, int code, const char *fmt, ...) TENON_PRINTF(3, 4);

    /* Plugin-wide state, for plugins that keep some. */
    void (*set_data)(tenon_plugin *self, void *data);
    void *(*data)(tenon_plugin *self);

    /* Names, for messages. */
    const char *(*plugin_name)(const tenon_plugin *plugin);
    const char *(*instance_name)(const tenon_instance *instance);

    /* Deprecated since 1.1 (use instance_create, which takes tenon_options
     * as hosts do): an instance of another plugin's interface, with options
     * as a list of key, value strings ending with NULL. */
    int (*instance_new)(tenon_plugin *self, const char *plugin, const char *iface,
                        const char *const *options, tenon_instance **out)
        TENON_DEPRECATED("use instance_create with tenon_options");
    void (*instance_free)(tenon_plugin *self, tenon_instance *instance);
    const void *(*instance_table)(const tenon_instance *instance);
    void *(*instance_data)(const tenon_instance *instance);

    /* ---- Since ABI 1.1 (version 2): check TENON_HOST_HAS first. ---- */

    /* Options as hosts pass them: the library's tenon_options_new,
     * tenon_options_set and tenon_options_free (origin, which may be NULL,
     * says where a value came from for error messages). */
    int (*options_new)(tenon_options **out);
    int (*options_set)(tenon_options *opts, const char *key, const char *value,
                       const char *origin);
    void (*options_free)(tenon_options *opts);

    /* Instances of another plugin's interface, for plugins that wrap or
     * compose others (plugin NULL: the best provider), as tenon_instance_new
     * makes them for hosts: opts (NULL: none; the caller keeps them) are
     * checked against that plugin's schema. The instance is anonymous; the
     * caller frees it (instance_free) before its own fini. */
    int (*instance_create)(tenon_plugin *self, const char *plugin, const char *iface,
                           const tenon_options *opts, tenon_instance **out);
} tenon_host_api;

#define TENON_HOST_HAS(host, member) \
    ((host)->struct_size >=          \
     offsetof(tenon_host_api, member) + sizeof(((tenon_host_api *)0)->member))

/* ---- What the plugin gives the host -------------------------------------- */

/* Every interface table starts with these two fields, and a table only ever
 * grows at the end (SQLite's iVersion rule). */
typedef struct tenon_iface_header {
    uint32_t struct_size; /* sizeof the table as the plugin compiled it */
    uint32_t version;     /* interface version, equal to the descriptor's */
} tenon_iface_header;

/* One provided interface: its table, and how to make instances of it. The
 * core allocates instance_size zeroed bytes of private data per instance. */
typedef struct tenon_impl {
    uint32_t struct_size;
    const char *interface; /* matches a .provides entry of the descriptor */
    const void *table;     /* starts with tenon_iface_header */
    size_t instance_size;
    int (*instance_init)(tenon_plugin *self, tenon_instance *instance, void *data,
                         const tenon_values *options);
    void (*instance_fini)(tenon_plugin *self, tenon_instance *instance, void *data);
} tenon_impl;

/* The entry the host finds after the checks pass. */
typedef struct tenon_plugin_entry {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
    const tenon_descriptor *descriptor;                          /* the note's descriptor */
    int (*init)(tenon_plugin *self, const tenon_host_api *host); /* may be NULL */
    void (*fini)(tenon_plugin *self);                            /* may be NULL */
    const tenon_impl *impls;
    uint32_t n_impls;
    uint32_t impl_size; /* stride of impls: sizeof(tenon_impl) as compiled */
    /* Called instead of init when tenon_plugin_reload replaces an older
     * generation of this plugin's code with this one (may be NULL: init
     * runs, and the old code's fini runs when its last holder is gone).
     * old_data is what the old code stored with host->set_data; the new
     * code takes it over (host->data(self) returns it until the new code
     * stores its own) and the old code's fini never runs. Returns 0, or
     * an error (host->fail) that leaves the old code running, untouched.
     * Read by hosts only when struct_size covers it. */
    int (*migrate)(tenon_plugin *self, const tenon_host_api *host, void *old_data);
} tenon_plugin_entry;

/* ---- The declaring macro ------------------------------------------------- */

/* The macros below are laid out by hand. */
/* clang-format off */

#ifdef __cplusplus
} /* extern "C": the C++ helpers below are templates */
#endif

#define TENON_DESCRIBE(...) (__VA_ARGS__)
#define TENON_CODE(...) (__VA_ARGS__)
#define TENON__UNWRAP(...) __VA_ARGS__

/* One provided interface, for TENON_IMPLEMENTS(). Further designated fields
 * (.instance_size, .instance_init, .instance_fini) may follow. */
#define TENON_IMPL(iface_name, table_ptr, ...)                              \
    {                                                                       \
        .struct_size = sizeof(tenon_impl), .interface = (iface_name),       \
        .table = (table_ptr), __VA_ARGS__                                   \
    }

/* Instance data helpers: TENON_INSTANCE_OF(struct foo) for .instance_size. */
#define TENON_INSTANCE_OF(type) .instance_size = sizeof(type)

/* The ABI a plugin records; tests override it to build incompatible fixtures. */
#ifndef TENON_PLUGIN_ABI_MAJOR
#define TENON_PLUGIN_ABI_MAJOR TENON_ABI_MAJOR
#endif
#ifndef TENON_PLUGIN_ABI_MINOR
#define TENON_PLUGIN_ABI_MINOR TENON_ABI_MINOR
#endif

#if defined(__has_attribute)
#if __has_attribute(retain)
#define TENON__RETAIN __attribute__((retain))
#endif
#endif
#ifndef TENON__RETAIN
#define TENON__RETAIN
#endif

/* clang's AddressSanitizer pads globals, which would break the note's
 * layout inside its segment; GCC leaves globals in named sections alone. */
#if defined(__clang__) && defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define TENON__NOTE_ATTRS __attribute__((no_sanitize("address")))
#endif
#endif
#ifndef TENON__NOTE_ATTRS
#define TENON__NOTE_ATTRS
#endif

#ifndef __cplusplus /* ---- C ----------------------------------------------- */

/* The list of provided interfaces' implementations inside TENON_CODE(). */
#define TENON_IMPLEMENTS(...)                                               \
    .impls = (const tenon_impl[]){__VA_ARGS__},                             \
    .n_impls = (uint32_t)(sizeof((const tenon_impl[]){__VA_ARGS__}) /       \
                          sizeof(tenon_impl))

#ifdef TENON_PLUGIN_STATIC
#define TENON__ENTRY(ident) static const tenon_plugin_entry tenon__entry_##ident
#define TENON__REGISTER_STATIC(ident)                                        \
    __attribute__((section("tenon_static_plugins"), used)) TENON__RETAIN     \
    static const tenon_plugin_entry *const tenon__static_##ident =           \
        &tenon__entry_##ident;
#else
#define TENON__ENTRY(ident)                                                  \
    __attribute__((visibility("default"))) extern const tenon_plugin_entry  \
        tenon_entry;                                                         \
    const tenon_plugin_entry tenon_entry
#define TENON__REGISTER_STATIC(ident)
#endif

/* Strings must fit their fields with their terminating NUL, but C accepts a
 * literal exactly as long as its array and drops the NUL; the host would
 * then refuse the descriptor at run time. So the descriptor is checked at
 * compile time (C++ refuses such initializers already):
 * - GCC warns of the exact fit under -Wc++-compat, made an error here;
 * - clang has no such warning, so the fields are also initialized, in an
 *   unevaluated sizeof, into a copy of the layout with every string one
 *   byte shorter, where an exact fit is too long (an error here).
 * Longer literals are too long for both (GCC always warns of those). */
#if defined(__cplusplus)
#define TENON__FIT_BEGIN
#define TENON__FIT_END
#define TENON__FIT_CHECK(ident, describe)
#elif defined(__clang__)
#define TENON__FIT_BEGIN
#define TENON__FIT_END
typedef struct tenon__fit_require {
    char name[TENON_NAME_MAX - 1];
    char range[TENON_RANGE_MAX - 1];
} tenon__fit_require;
typedef struct tenon__fit_provide {
    char name[TENON_NAME_MAX - 1];
    uint32_t version;
    int32_t rank;
} tenon__fit_provide;
typedef struct tenon__fit_option {
    char name[TENON_OPTION_NAME_MAX - 1];
    uint32_t type;
    uint32_t flags;
    char def[TENON_OPTION_DEFAULT_MAX - 1];
    char help[TENON_OPTION_HELP_MAX - 1];
    char choices[TENON_OPTION_CHOICES_MAX - 1];
    tenon_i64_a4 min;
    tenon_i64_a4 max;
} tenon__fit_option;
typedef struct tenon__fit_meta {
    char key[TENON_META_KEY_MAX - 1];
    char value[TENON_META_VALUE_MAX - 1];
} tenon__fit_meta;
/* Field for field tenon_descriptor, strings one byte shorter. */
typedef struct tenon__fit_descriptor {
    uint32_t magic;
    uint16_t layout;
    uint16_t reserved;
    uint32_t size;
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t flags;
    char name[TENON_NAME_MAX - 1];
    char version[TENON_VERSION_MAX - 1];
    char description[TENON_DESCRIPTION_MAX - 1];
    char license[TENON_LICENSE_MAX - 1];
    char url[TENON_URL_MAX - 1];
    TENON__C_ALIAS(tenon__fit_require deps[TENON_MAX_DEPS],
                   tenon__fit_require requires[TENON_MAX_DEPS]);
    tenon__fit_provide provides[TENON_MAX_PROVIDES];
    char overrides[TENON_MAX_OVERRIDES][TENON_NAME_MAX - 1];
    tenon__fit_option options[TENON_MAX_OPTIONS];
    tenon__fit_meta meta[TENON_MAX_META];
} tenon__fit_descriptor;
#define TENON__FIT_CHECK(ident, describe)                                    \
    _Pragma("clang diagnostic push")                                         \
    _Pragma("clang diagnostic error \"-Wexcess-initializers\"")            \
    _Static_assert(sizeof((tenon__fit_descriptor){                           \
                       .name = #ident, TENON__UNWRAP describe}) != 0,        \
                   "descriptor strings fit their fields");                   \
    _Pragma("clang diagnostic pop")
#elif defined(__GNUC__)
#define TENON__FIT_BEGIN                                                     \
    _Pragma("GCC diagnostic push")                                           \
    _Pragma("GCC diagnostic error \"-Wc++-compat\"")
#define TENON__FIT_END _Pragma("GCC diagnostic pop")
#define TENON__FIT_CHECK(ident, describe)
#else
#define TENON__FIT_BEGIN
#define TENON__FIT_END
#define TENON__FIT_CHECK(ident, describe)
#endif

/* Declares plugin `ident` (also its name). describe is TENON_DESCRIBE(...)
 * with designated fields of tenon_descriptor; code is TENON_CODE(...) with
 * designated fields of tenon_plugin_entry. */
#define TENON_PLUGIN(ident, describe, code)                                  \
    TENON__FIT_CHECK(ident, describe)                                        \
    TENON__FIT_BEGIN                                                         \
    __attribute__((section(TENON_NOTE_SECTION), used, aligned(4)))           \
    TENON__NOTE_ATTRS                                                        \
    static const tenon_note tenon__note_##ident = {                          \
        .namesz = sizeof(TENON_NOTE_OWNER),                                  \
        .descsz = sizeof(tenon_descriptor),                                  \
        .type = TENON_NOTE_TYPE,                                             \
        .owner = TENON_NOTE_OWNER,                                           \
        .desc = {                                                            \
            .magic = TENON_DESC_MAGIC,                                       \
            .layout = TENON_DESC_LAYOUT,                                     \
            .size = sizeof(tenon_descriptor),                                \
            .abi_major = TENON_PLUGIN_ABI_MAJOR,                             \
            .abi_minor = TENON_PLUGIN_ABI_MINOR,                             \
            .name = #ident,                                                  \
            TENON__UNWRAP describe                                           \
        }};                                                                  \
    TENON__FIT_END                                                           \
    TENON__ENTRY(ident) = {                                                  \
        .struct_size = sizeof(tenon_plugin_entry),                           \
        .abi_major = TENON_PLUGIN_ABI_MAJOR,                                 \
        .abi_minor = TENON_PLUGIN_ABI_MINOR,                                 \
        .descriptor = &tenon__note_##ident.desc,                             \
        .impl_size = sizeof(tenon_impl),                                     \
        TENON__UNWRAP code                                                   \
    };                                                                       \
    TENON__REGISTER_STATIC(ident)                                            \
    _Static_assert(sizeof(tenon_descriptor) % 4 == 0, "note payload alignment")

#elif __cplusplus >= 201402L /* ---- C++14 and later ------------------------ */

/* C++ differs from C in what an initializer may say: designators must come
 * in declaration order (so the macro cannot put its own fields before the
 * plugin's), and there are no compound literals. So the descriptor and the
 * entry are made by constexpr functions that fill in the fields the macro
 * owns; the note stays constant data (constexpr), read without running
 * code. Designated initializers are standard from C++20 on; C++14 and 17
 * compilers (g++, clang++) accept them as an extension (not with
 * -pedantic). */
namespace tenon_detail {

template <size_t N>
constexpr tenon_note note(const char (&name)[N], tenon_descriptor desc,
                          unsigned abi_major, unsigned abi_minor)
{
    static_assert(N <= TENON_NAME_MAX, "the plugin's name is too long (TENON_NAME_MAX)");
    tenon_note n{};
    n.namesz = sizeof(TENON_NOTE_OWNER);
    n.descsz = sizeof(tenon_descriptor);
    n.type = TENON_NOTE_TYPE;
    for (size_t i = 0; i < sizeof(TENON_NOTE_OWNER); i++)
        n.owner[i] = TENON_NOTE_OWNER[i];
    desc.magic = TENON_DESC_MAGIC;
    desc.layout = TENON_DESC_LAYOUT;
    desc.size = sizeof(tenon_descriptor);
    desc.abi_major = static_cast<uint16_t>(abi_major);
    desc.abi_minor = static_cast<uint16_t>(abi_minor);
    for (size_t i = 0; i < TENON_NAME_MAX; i++)
        desc.name[i] = i < N ? name[i] : '\0';
    n.desc = desc;
    return n;
}

constexpr tenon_plugin_entry entry(const tenon_descriptor *desc, tenon_plugin_entry e,
                                   unsigned abi_major, unsigned abi_minor)
{
    e.struct_size = sizeof(tenon_plugin_entry);
    e.abi_major = static_cast<uint16_t>(abi_major);
    e.abi_minor = static_cast<uint16_t>(abi_minor);
    e.descriptor = desc;
    e.impl_size = sizeof(tenon_impl);
    return e;
}

template <size_t N>
constexpr uint32_t count_of(const tenon_impl (&)[N])
{
    return static_cast<uint32_t>(N);
}

#if __cplusplus >= 202002L
/* The list of impls as constant data: a static member of a template keyed
 * on the lambda that builds it, since C++ has no array compound literals. */
template <size_t N>
struct impl_list {
    tenon_impl items[N];
};

template <size_t N>
constexpr impl_list<N> list_of(const tenon_impl (&impls)[N])
{
    impl_list<N> list{};
    for (size_t i = 0; i < N; i++)
        list.items[i] = impls[i];
    return list;
}

template <class Make>
struct impls_holder {
    static constexpr auto list = Make{}();
};

template <class Make>
constexpr const tenon_impl *impls_of(Make)
{
    return impls_holder<Make>::list.items;
}
#endif

} /* namespace tenon_detail */

#if __cplusplus >= 202002L
#define TENON_IMPLEMENTS(...)                                                \
    .impls = ::tenon_detail::impls_of(                                       \
        [] { return ::tenon_detail::list_of({__VA_ARGS__}); }),              \
    .n_impls = ::tenon_detail::count_of({__VA_ARGS__})
/* The entry is constant data too: nothing runs before the host calls init. */
#define TENON__CONSTINIT constinit
#else
/* Before C++20 the list is a function-local static, and the entry is
 * filled in when the plugin is loaded (before dlopen returns; for a static
 * plugin, before main). */
#define TENON_IMPLEMENTS(...)                                                \
    .impls = [] {                                                            \
        static const tenon_impl tenon__impls[] = {__VA_ARGS__};              \
        return &tenon__impls[0];                                             \
    }(),                                                                     \
    .n_impls = ::tenon_detail::count_of({__VA_ARGS__})
#define TENON__CONSTINIT
#endif

#ifdef TENON_PLUGIN_STATIC
#define TENON__ENTRY(ident)                                                  \
    static TENON__CONSTINIT const tenon_plugin_entry tenon__entry_##ident
#define TENON__REGISTER_STATIC(ident)                                        \
    __attribute__((section("tenon_static_plugins"), used)) TENON__RETAIN     \
    static const tenon_plugin_entry *const tenon__static_##ident =           \
        &tenon__entry_##ident;
#else
/* Declared in a linkage specification, defined outside it: g++ refuses the
 * static inside TENON_IMPLEMENTS' lambda within one. */
#define TENON__ENTRY(ident)                                                  \
    extern "C" __attribute__((visibility("default")))                        \
    const tenon_plugin_entry tenon_entry;                                    \
    TENON__CONSTINIT const tenon_plugin_entry tenon_entry
#define TENON__REGISTER_STATIC(ident)
#endif

/* g++ warns (-Wextra) about every field a designated initializer leaves
 * out, which C compilers and clang++ do not: leaving fields out is how
 * descriptors are written. */
#if defined(__GNUC__) && !defined(__clang__)
#define TENON__CXX_DIAG_PUSH                                                 \
    _Pragma("GCC diagnostic push")                                           \
    _Pragma("GCC diagnostic ignored \"-Wmissing-field-initializers\"")
#define TENON__CXX_DIAG_POP _Pragma("GCC diagnostic pop")
#else
#define TENON__CXX_DIAG_PUSH
#define TENON__CXX_DIAG_POP
#endif

/* As in C, at namespace scope outside any namespace. In C++ the designated
 * fields of describe and code must follow the order of tenon_descriptor and
 * tenon_plugin_entry (.flags, .version, .description, ...; .init, .fini,
 * then TENON_IMPLEMENTS). */
#define TENON_PLUGIN(ident, describe, code)                                  \
    TENON__CXX_DIAG_PUSH                                                     \
    __attribute__((section(TENON_NOTE_SECTION), used, aligned(4)))           \
    TENON__NOTE_ATTRS                                                        \
    static constexpr tenon_note tenon__note_##ident = ::tenon_detail::note(  \
        #ident, tenon_descriptor{TENON__UNWRAP describe},                    \
        TENON_PLUGIN_ABI_MAJOR, TENON_PLUGIN_ABI_MINOR);                     \
    TENON__ENTRY(ident) = ::tenon_detail::entry(                             \
        &tenon__note_##ident.desc, tenon_plugin_entry{TENON__UNWRAP code},   \
        TENON_PLUGIN_ABI_MAJOR, TENON_PLUGIN_ABI_MINOR);                     \
    TENON__REGISTER_STATIC(ident)                                            \
    TENON__CXX_DIAG_POP                                                      \
    static_assert(sizeof(tenon_descriptor) % 4 == 0, "note payload alignment")

#else /* ---- C++11 --------------------------------------------------------- */

#define TENON_PLUGIN(ident, describe, code)                                  \
    static_assert(__cplusplus >= 201402L, "TENON_PLUGIN() needs C++14 or later")

#endif

/* clang-format on */

#endif
