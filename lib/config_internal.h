/* Declarations shared by the tenon.json sources (config_index.c, config.c,
 * config_values.c, config_document.c, config_decide.c, config_plan.c).
 * Nothing here is part of the ABI. */
#ifndef TENON_CONFIG_INTERNAL_H
#define TENON_CONFIG_INTERNAL_H

#include "internal.h"

#include <tenon/config.h>

#include <jansson.h>

/* ---- config_index.c: where every key and value of a JSON text is ---------
 *
 * jansson parses and validates the document; it keeps no positions except
 * for syntax errors. The index is a second, position-only pass over the same
 * text: a node per value, found from its parent by key or array index, with
 * the line and column of the value and of its key. Columns count characters
 * (UTF-8 sequences), as jansson's do; both start at 1. */

#define TENON__JNONE SIZE_MAX

typedef struct tenon__jpos {
    unsigned line, col; /* 0, 0: unknown */
    size_t offset;      /* byte offset in the text (document order) */
} tenon__jpos;

typedef struct tenon__jindex tenon__jindex;

/* Indexes text (len bytes). Errors: TENON_ENOMEM; TENON_ECONFIG when the
 * text is not one JSON value (the index is built only after jansson
 * accepted the text, so that means the two disagree). */
TENON__HIDDEN int tenon__jindex_build(const char *text, size_t len, tenon__jindex **out);
TENON__HIDDEN void tenon__jindex_free(tenon__jindex *ix);
/* The node of the top-level value, or TENON__JNONE. ix may be NULL (every
 * lookup on a NULL index finds nothing). */
TENON__HIDDEN size_t tenon__jindex_root(const tenon__jindex *ix);
/* The value of member key of the object at node, or TENON__JNONE. */
TENON__HIDDEN size_t tenon__jindex_member(const tenon__jindex *ix, size_t node,
                                          const char *key);
/* Item i of the array at node, or TENON__JNONE. */
TENON__HIDDEN size_t tenon__jindex_item(const tenon__jindex *ix, size_t node, size_t i);
/* A node by JSON Pointer (RFC 6901: "" is the root, "/plugins/0/name",
 * "~0" for '~' and "~1" for '/' in keys), or TENON__JNONE. */
TENON__HIDDEN size_t tenon__jindex_find(const tenon__jindex *ix, const char *pointer);
/* Where the value at node starts; for an object member, where its key
 * starts (tenon__jindex_key_pos); unknown nodes give {0, 0, 0}. */
TENON__HIDDEN tenon__jpos tenon__jindex_pos(const tenon__jindex *ix, size_t node);
TENON__HIDDEN tenon__jpos tenon__jindex_key_pos(const tenon__jindex *ix, size_t node);
TENON__HIDDEN size_t tenon__jindex_count(const tenon__jindex *ix);
/* The line and column of byte offset in text (offset may equal len). */
TENON__HIDDEN tenon__jpos tenon__jpos_at(const char *text, size_t len, size_t offset);

/* ---- config.c: the parsed configuration ---------------------------------- */

typedef struct tenon__cfg_policy {
    bool required;
    tenon_on_error on_error;
} tenon__cfg_policy;

/* One entry of "plugins". */
typedef struct tenon__cfg_entry {
    size_t index; /* in "plugins" */
    char *module;
    bool glob;  /* module is a pattern: an enable/disable-only entry */
    char *name; /* instance name; NULL for the module's own settings */
    bool enabled;
    char *interface; /* NULL: the plugin's first */
    char *version;   /* semver range the plugin must satisfy, or NULL */
    char *sha256;    /* pinned hash (lower-case hex), or NULL */
    tenon__cfg_policy policy;
    tenon_options *options; /* "config", as strings with "FILE:L:C" origins */
    struct tenon__cfg_opt *opts;
    size_t n_opts;
    char *origin; /* "FILE:L:C" of the entry */
    tenon__jpos pos, module_pos, name_pos, config_pos, interface_pos, version_pos, sha_pos;
} tenon__cfg_entry;

/* One option value of an entry's "config", as written. */
typedef struct tenon__cfg_opt {
    char *key;
    char *text;    /* the value as option text */
    int json_type; /* json_type of the value */
    bool integral; /* a JSON integer, or a real with no fraction */
    char *origin;  /* "FILE:L:C" of the value */
    tenon__jpos key_pos, pos;
} tenon__cfg_opt;

/* An enable or disable decision: from "enable", "disable", or an entry. */
typedef struct tenon__cfg_rule {
    char *pattern;
    bool glob;
    bool enable;
    tenon__jpos pos; /* with seq, the document order: the last matching glob wins */
    size_t seq;
    char *origin; /* "FILE:L:C" */
    char *where;  /* "enable[2]", "plugins[0]"... */
} tenon__cfg_rule;

typedef struct tenon__config {
    struct tenon__config *older; /* replaced configurations, kept until the registry goes */
    unsigned gen;
    char *path; /* the file as given; for a buffer, its name */
    char *name; /* what messages call it: the file's base name, or the buffer's name */
    char *dir;  /* absolute folder of the file, for relative paths; NULL for a buffer */

    char **paths; /* plugin_path, absolute */
    char **path_origins;
    size_t n_paths;

    bool default_enabled;
    char *default_origin; /* of default.enabled, or NULL */
    tenon__cfg_policy default_policy;

    tenon__cfg_entry *entries;
    size_t n_entries;
    tenon__cfg_rule *rules;
    size_t n_rules;

    /* Integrity settings, for the trust API (include/tenon/trust.h). */
    char **trusted_keys;
    tenon__jpos *trusted_key_pos;
    size_t n_trusted_keys;
    char *keys_dir; /* absolute, or NULL */
    tenon__jpos keys_dir_pos;
    int require_signed; /* -1: not set */

    bool applied;
} tenon__config;

/* How the configuration decides whether a plugin name is enabled. */
typedef enum tenon__cfg_source {
    TENON__CFG_DEFAULT = 0,    /* nothing in the config names it */
    TENON__CFG_DEFAULT_FLAG,   /* flagged disabled-by-default, nothing enables it */
    TENON__CFG_DEFAULT_CONFIG, /* "default": {"enabled": false} */
    TENON__CFG_RULE,           /* an enable, disable or plugins entry */
} tenon__cfg_source;

typedef struct tenon__cfg_decision {
    bool enabled;
    tenon__cfg_source source;
    const tenon__cfg_rule *rule; /* for TENON__CFG_RULE */
} tenon__cfg_decision;

/* The decision for a plugin called name with descriptor flags. cfg may be
 * NULL (no configuration). */
TENON__HIDDEN tenon__cfg_decision tenon__config_decide(const tenon__config *cfg,
                                                       const char *name, uint32_t flags);
/* The module-level entry (no "name") of module, or NULL. */
TENON__HIDDEN const tenon__cfg_entry *tenon__config_module_entry(const tenon__config *cfg,
                                                                 const char *module);
/* Edit distance of two short strings (SIZE_MAX for long ones), for "did you
 * mean" hints. */
TENON__HIDDEN size_t tenon__config_distance(const char *a, const char *b);
/* Fails with "NAME:L:C: message" (or "NAME: message" when pos is unknown).
 * code is a tenon error; plugin may be NULL. */
TENON__HIDDEN int tenon__config_fail(const tenon__config *cfg, tenon__jpos pos, int code,
                                     const char *plugin, const char *hint, const char *fmt, ...)
    TENON_PRINTF(6, 7);

/* ---- config_document.c: checking a whole document ------------------------ */

/* Checks text as a tenon.json and fills cfg (path, name, dir and the
 * defaults already set). Errors carry a message with the position. */
TENON__HIDDEN int tenon__config_parse_text(tenon_registry *reg, tenon__config *cfg,
                                           const char *text, size_t len);

/* ---- config_values.c: checking one value, with its position -------------- */

/* The document being checked. */
typedef struct tenon__cfg_ctx {
    tenon_registry *reg;
    tenon__config *cfg;
    const tenon__jindex *ix;
    size_t seq; /* rules made so far */
} tenon__cfg_ctx;

/* A user's string for a message: at most about 60 characters, control
 * characters shown as '?', quoted (shown_key: unless a plain word). */
TENON__HIDDEN const char *tenon__cfg_shown(const char *s, char *buf, size_t size);
TENON__HIDDEN const char *tenon__cfg_shown_key(const char *s, char *buf, size_t size);
/* "an object", "a list"...: v's JSON type for messages. */
TENON__HIDDEN const char *tenon__cfg_kind(const json_t *v);
/* Where node's value (or key) starts. */
TENON__HIDDEN tenon__jpos tenon__cfg_pos(const tenon__cfg_ctx *c, size_t node);
TENON__HIDDEN tenon__jpos tenon__cfg_key_pos(const tenon__cfg_ctx *c, size_t node);
/* "FILE:L:C", or "FILE" when the position is unknown. NULL on ENOMEM. */
TENON__HIDDEN char *tenon__cfg_origin(const tenon__config *cfg, tenon__jpos pos);
/* Out of memory, at the configuration stage. */
TENON__HIDDEN int tenon__cfg_nomem(void);
/* The closest of words (NULL-terminated) to word, if close enough to be
 * a typo, or NULL. */
TENON__HIDDEN const char *tenon__cfg_suggest(const char *word, const char *const *words);
/* Fails for each key of obj not in allowed (NULL-terminated), suggesting
 * the closest. where names obj in messages. */
TENON__HIDDEN int tenon__cfg_check_keys(tenon__cfg_ctx *c, json_t *obj, size_t node,
                                        const char *where, const char *const *allowed);
/* "WHERE: expected EXPECTED, got KIND". */
TENON__HIDDEN int tenon__cfg_type_error(tenon__cfg_ctx *c, size_t node, const char *where,
                                        const char *expected, const json_t *got,
                                        const char *hint);
/* A boolean; a non-empty string (what: what it names, for messages). */
TENON__HIDDEN int tenon__cfg_bool(tenon__cfg_ctx *c, json_t *v, size_t node, const char *where,
                                  bool *out);
TENON__HIDDEN int tenon__cfg_string(tenon__cfg_ctx *c, json_t *v, size_t node,
                                    const char *where, const char *what, const char **out);
/* Whether s holds fnmatch characters. */
TENON__HIDDEN bool tenon__cfg_is_glob(const char *s);
/* A plugin or instance name (a glob when glob is set). */
TENON__HIDDEN int tenon__cfg_check_name(tenon__cfg_ctx *c, const char *s, size_t node,
                                        const char *where, const char *what, bool glob);
/* A folder: absolute, "~/..." or relative to the configuration's folder.
 * *out is allocated. */
TENON__HIDDEN int tenon__cfg_resolve_dir(tenon__cfg_ctx *c, const char *value, size_t node,
                                         const char *where, char **out);

#endif
