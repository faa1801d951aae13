/* tenon-io job parser: what the parser's files share and the host never
 * sees. Everything here is tio__-prefixed. */
#ifndef TIO_JOB_INTERNAL_H
#define TIO_JOB_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "tio_job.h"

#if defined(__GNUC__)
#define TIO__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TIO__PRINTF(f, a)
#endif

#define TIO__ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- mem.c: allocation through the configured allocator ---------------- */

void *tio__alloc(const struct tio_allocator *a, size_t size); /* zeroed */
void *tio__realloc(const struct tio_allocator *a, void *p, size_t size);
void *tio__reallocarray(const struct tio_allocator *a, void *p, size_t n, size_t size);
void tio__free(const struct tio_allocator *a, void *p);
char *tio__strdup(const struct tio_allocator *a, const char *s);
char *tio__strndup(const struct tio_allocator *a, const char *s, size_t n);

/* Make room for `need` elements of `size` bytes in *arr (capacity *cap). */
int tio__grow(const struct tio_allocator *a, void **arr, size_t *cap, size_t need, size_t size);

/* A growing string. Once an append fails the buffer stays failed, so a
 * sequence of appends needs one check at the end. */
struct tio__buf {
    const struct tio_allocator *a;
    char *s;
    size_t len;
    size_t cap;
    bool failed;
};
void tio__buf_init(struct tio__buf *b, const struct tio_allocator *a);
void tio__buf_add(struct tio__buf *b, const char *s, size_t n);
void tio__buf_puts(struct tio__buf *b, const char *s);
void tio__buf_putc(struct tio__buf *b, char c);
/* A job's error in the form the checks of resolve*.c give it: "job 'NAME':
 * TEXT", at the job's origin. Returns the error code. */
int tio__job_error(struct tio_error *err, const struct tio_job *job, const char *fmt, ...)
    TIO__PRINTF(3, 4);
/* The parsers' reason: formats into why (when given) and returns code. */
int tio__why_set(char *why, size_t whylen, int code, const char *fmt, ...) TIO__PRINTF(4, 5);

void tio__buf_printf(struct tio__buf *b, const char *fmt, ...) TIO__PRINTF(2, 3);
char *tio__buf_take(struct tio__buf *b); /* NULL if failed; resets b */
void tio__buf_free(struct tio__buf *b);

int tio__strv_push(const struct tio_allocator *a, struct tio_strv *v, char *owned);
int tio__strv_copy(const struct tio_allocator *a, struct tio_strv *dst,
                   const struct tio_strv *src);
void tio__strv_free(const struct tio_allocator *a, struct tio_strv *v);

int tio__origin_copy(const struct tio_allocator *a, struct tio_origin *dst,
                     const struct tio_origin *src);
void tio__origin_free(const struct tio_allocator *a, struct tio_origin *o);

int tio__oom(struct tio_error *err);

/* ---- job.c: one job's life ---------------------------------------------- */

int tio__job_init(const struct tio_allocator *a, struct tio_job *job); /* fio defaults */
int tio__job_copy(const struct tio_allocator *a, struct tio_job *dst,
                  const struct tio_job *src);
void tio__job_free(const struct tio_allocator *a, struct tio_job *job);

/* resolve_buffers.c: fio's fix-ups of the buffer-content options, and the
 * combinations refused (TIO_OK or an error in err). */
int tio__resolve_buffers(struct tio_job *job, struct tio_error *err);
/* resolve_prep.c: the same for the options that prepare the files. */
int tio__resolve_prep(struct tio_job *job, struct tio_error *err);

/* resolve_zones.c: sizes given as zones ("size=4z") made bytes, first of
 * all; then fio's checks of zonemode= and what it combines with (TIO_OK
 * or an error in err). */
int tio__resolve_zone_counts(struct tio_job *job, struct tio_error *err);
int tio__resolve_zones(struct tio_job *job, struct tio_error *err);

struct tio_plan *tio__plan_new(const struct tio_parse_config *cfg);
/* Move *job (emptied) to the end of plan->jobs. */
int tio__plan_add_job(struct tio_plan *s, struct tio_job *job);

/* ---- engine_options.c ---------------------------------------------------- */

/* Add or replace key (replacing keeps the first position). */
int tio__engine_option_set(const struct tio_allocator *a, struct tio_job *job, const char *key,
                           const char *value, const struct tio_origin *origin);
int tio__engine_options_copy(const struct tio_allocator *a, struct tio_job *dst,
                             const struct tio_job *src);
void tio__engine_options_free(const struct tio_allocator *a, struct tio_job *job);

/* ---- options.c: the core option table (rows in options/NAME.c) ----------- */

/* How a command-line option takes its value when written without '='. */
enum tio__argkind {
    TIO__ARG_NONE,     /* flag: "--thread" is true, the next argument is not its value */
    TIO__ARG_OPTIONAL, /* bool: takes the next argument only if it is a boolean */
    TIO__ARG_REQUIRED, /* takes the next argument */
};

struct tio__option;
const struct tio__option *tio__option_find(const char *name);
enum tio__argkind tio__option_argkind(const struct tio__option *opt);
bool tio__option_is_early(const struct tio__option *opt); /* kb_base: applied first */
/* The core option table, in order, for tools that walk it (the run
 * fuzzer): the i-th option's name, its kind of value ("string", "bool",
 * "flag", "uint", "u64", "size", "time", "amount", "custom") and an example
 * of a valid value. False past the end. */
bool tio__option_info(size_t i, const char **name, const char **kind, const char **example);
/* Parse value (NULL: given bare) for opt into job. key is the name as
 * written (an alias stays an alias in messages). */
int tio__option_set(const struct tio__option *opt, const struct tio_allocator *a,
                    struct tio_job *job, bool is_global, const char *key, const char *value,
                    const struct tio_origin *origin, struct tio_error *err);
/* The table, walked by the tests that check every option has an effect:
 * entry i's name (NULL past the end) and its alias (NULL if none). */
size_t tio__option_count(void);
const char *tio__option_at(size_t i, const char **alias);
/* The core option name or alias closest to name, or NULL. */
const char *tio__suggest_core(const char *name);
/* Set every option that has a default in the table to it (tio__job_init,
 * on a zeroed job). TIO_ENOMEM is the only failure. */
int tio__options_defaults(const struct tio_allocator *a, struct tio_job *job);
/* Each option's lines of the canonical dump (dump.c collects and sorts). */
struct tio__dump;
void tio__options_dump(struct tio__dump *d, const struct tio_job *j);

/* ---- section.c: a section's options onto a job ------------------------------ */

/* A key=value that is waiting for its section to end. */
struct tio__pending {
    char *key;
    char *value; /* NULL: bare */
    struct tio_origin origin;
};

/* Expands a raw job-file value; NULL for command-line values. */
typedef int (*tio__expand_fn)(void *ctx, const char *key, const char *raw,
                              const struct tio_origin *origin, char **out,
                              struct tio_error *err);

/* Apply a section's options to job: kb_base/unit_base first (so "size=1k"
 * means the same wherever kb_base is written in the section, as fio), then
 * the rest in order. Unknown keys become engine options; fio-only keys fail. */
int tio__apply_section(const struct tio_allocator *a, struct tio_job *job, bool is_global,
                       const struct tio__pending *p, size_t n, tio__expand_fn expand,
                       void *expand_ctx, struct tio_error *err);

/* Option names are letters, digits, '_' and '-' (fio has "hugepage-size"). */
bool tio__valid_key(const char *k);

void tio__pending_free(const struct tio_allocator *a, struct tio__pending *p, size_t n);
int tio__pending_add(const struct tio_allocator *a, struct tio__pending **arr, size_t *n,
                     size_t *cap, const char *key, const char *value,
                     const struct tio_origin *origin);

/* ---- fio_options.c (generated): what fio has, sorted ----------------------- */

extern const char *const tio__fio_job_options[];
extern const size_t tio__fio_job_options_len;
extern const char *const tio__fio_program_options[];
extern const size_t tio__fio_program_options_len;

/* ---- fio_known.c: whether fio has an option -------------------------------- */

bool tio__fio_job_option(const char *name);
bool tio__fio_program_option(const char *name);
/* The fio profile an option of fio's profiles belongs to, or NULL. */
const char *tio__fio_profile_option(const char *name);

/* ---- suggest.c ------------------------------------------------------------- */

/* The candidate closest to name (edit distance <= 2, or 1 for short names),
 * or NULL. */
const char *tio__suggest(const char *name, const char *const *cands, size_t n);

/* ---- error.c ---------------------------------------------------------------- */

/* Quote a value for an error message, shortened to fit. */
void tio__clip(char *dst, size_t size, const char *s);

/* ---- expand.c: ${VAR} and fio's $keywords in job-file values ---------------- */

struct tio__expand_ctx {
    const struct tio_allocator *a;
    const struct tio_parse_config *cfg;
};
int tio__expand_value(void *ctx, const char *key, const char *raw,
                      const struct tio_origin *origin, char **out, struct tio_error *err);

/* ---- program_options.c ------------------------------------------------------- */

enum tio__prog_id {
    TIO__P_HELP,
    TIO__P_VERSION,
    TIO__P_PARSE_ONLY,
    TIO__P_OUTPUT,
    TIO__P_OUTPUT_FORMAT,
    TIO__P_MINIMAL,
    TIO__P_TERSE_VERSION,
    TIO__P_ETA,
    TIO__P_ENGHELP,
    TIO__P_CMDHELP,
    TIO__P_SHOWCMD,
    TIO__P_PLUGIN_CONFIG,
    TIO__P_PLOT,
    TIO__P_SECTION,
    TIO__P_MAX_JOBS,
    TIO__P_READONLY,
    TIO__P_AUX_PATH,
    TIO__P_BANDWIDTH_LOG,
    TIO__P_DEBUG,
    TIO__P_INFLATE_LOG,
    TIO__P_STATUS_INTERVAL,
};

struct tio__prog_opt {
    const char *name;
    enum tio__prog_id id;
    enum tio__argkind arg;
    const char *example; /* a valid value, for "needs a value" */
};

/* Is name one of tenon-io's own program options (--output, --eta, ...)? */
bool tio__program_option(const char *name);
const struct tio__prog_opt *tio__prog_opt_find(const char *name);

/* Sets what the option asks for in s->program; value is NULL when none. */
int tio__prog_opt_apply(struct tio_plan *s, enum tio__prog_id id, const char *key,
                        const char *value, const struct tio_origin *o, struct tio_error *err);

/* ---- showcmd.c --------------------------------------------------------------- */

/* Appends one section as command-line words ("--key=value "); job_name is
 * NULL for [global]. */
void tio__showcmd_section(struct tio__buf *b, const char *job_name,
                          const struct tio__pending *p, size_t n);

/* ---- jobfile.c --------------------------------------------------------------- */

/* Parse one job file into the plan. `base` is the [global] state the file starts
 * from; file_index > 0 makes the file's first job a stonewall, as fio does
 * when several job files are given. */
int tio__jobfile_parse(struct tio_plan *s, const struct tio_parse_config *cfg,
                       const struct tio_job *base, const char *path, const char *text,
                       size_t len, unsigned file_index, struct tio_error *err);

/* Read a whole file ("-" is stdin) into memory; `what` names it in errors.
 * Only a regular file (or, with allow_fifo, a FIFO) is read, never more
 * than 64 MiB, and never text with a NUL byte in it. */
int tio__read_file(const struct tio_allocator *a, const char *path, const char *what,
                   bool allow_fifo, char **text, size_t *len, const struct tio_origin *where,
                   struct tio_error *err);

#endif /* TIO_JOB_INTERNAL_H */
