/* tenon-io job parser: the row of the core option table, and what the
 * option family files (io/job/options/NAME.c) share. A family file only
 * parses: it owns its options' rows (name, value syntax, default, dump,
 * help, status) and their custom setters; what an option does in a run
 * belongs to io/core. options.c joins the families into one table. */
#ifndef TIO_JOB_OPTION_H
#define TIO_JOB_OPTION_H

#include <stddef.h>
#include <stdint.h>

#include "job_internal.h"

/* How a value is read. All but O_CUSTOM are parsed into the field at
 * `off` by options.c; O_CUSTOM calls the row's set(), and an O_FLAG row's
 * set(), if it has one, runs once its field is parsed. */
enum tio__otype {
    O_STR,    /* char * */
    O_BOOL,   /* bool; bare means true; on the command line it may take the next argument */
    O_FLAG,   /* bool; bare means true; never takes the next argument (fio's "set" options) */
    O_UINT,   /* unsigned, [min, max], size units allowed as fio */
    O_U64,    /* uint64_t, [min, max] */
    O_SIZE,   /* uint64_t bytes */
    O_TIME,   /* uint64_t microseconds, bare numbers in seconds */
    O_AMOUNT, /* struct tio_amount: bytes or percent */
    O_CUSTOM,
};

/* What tenon-io does with an option, as tests/io/effects/effects.tsv says
 * (the effects-table test holds the two to the same word). */
enum tio__status {
    TIO__SUPPORTED = 0, /* "supported": as fio 3.33 */
    TIO__DIFFERS,       /* "differs": supported, with an intended difference */
    TIO__REFUSED_VALUE, /* "refused": accepted, but some values are refused */
};

struct tio__optctx {
    const struct tio_allocator *a;
    struct tio_job *job;
    bool is_global;
    bool is_default; /* applying the table's default, not a written value */
    const char *key;
    const char *value;
    const struct tio_origin *origin;
    struct tio_error *err;
};

/* The canonical dump's lines for one block (dump.c). */
struct tio__dump;

struct tio__option {
    const char *name;
    const char *alias;
    enum tio__otype type;
    size_t off;        /* the field, for parsing by type and for the dump helpers */
    uint64_t min, max; /* O_UINT, O_U64 */
    int (*set)(struct tio__optctx *c, const struct tio__option *o); /* O_CUSTOM */
    /* The option's lines of the canonical dump; NULL: one line by type. */
    void (*dump)(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j);
    const char *example;  /* a valid value, for "needs a value" messages */
    const char *def;      /* default, as a value tio__job_init parses; NULL: zero */
    const char *def_text; /* the default as help shows it when def does not say it
                                   (resolved defaults: "bs", "iodepth"); NULL: def */
    const char *values;   /* what a value may be, for help; NULL: from type */
    const char *help;     /* one line: what the option asks for */
    enum tio__status status;
    bool bare_ok;  /* O_CUSTOM: may be given without a value (a bool) */
    bool empty_ok; /* O_CUSTOM: "name=" is a value of its own (write_bw_log=) */
    bool early;    /* kb_base, unit_base: before everything else */
};

/* One family: its rows, in the order help lists them. */
struct tio__family {
    const char *name;  /* "files": the file io/job/options/files.c */
    const char *title; /* "Files and sizes" */
    const struct tio__option *rows;
    size_t n;
};

#define TIO__FAMILY(var, nm, ttl, rows_) \
    const struct tio__family var = {nm, ttl, rows_, sizeof(rows_) / sizeof((rows_)[0])}

/* A row's field, inside its family's sub-struct of struct tio_job. Each
 * family file defines OFF(f) as TIO__OFF(its sub-struct, f), so its rows
 * cannot point into another family's fields. */
#define TIO__OFF(family, f) offsetof(struct tio_job, family.f)

extern const struct tio__family tio__family_files;
extern const struct tio__family tio__family_pattern;
extern const struct tio__family tio__family_queue;
extern const struct tio__family tio__family_time;
extern const struct tio__family tio__family_rate;
extern const struct tio__family tio__family_durability;
extern const struct tio__family tio__family_verify;
extern const struct tio__family tio__family_buffers;
extern const struct tio__family tio__family_reporting;
extern const struct tio__family tio__family_logs;
extern const struct tio__family tio__family_ranks;
extern const struct tio__family tio__family_identity;
extern const struct tio__family tio__family_steadystate;
extern const struct tio__family tio__family_replay;
extern const struct tio__family tio__family_flow;
extern const struct tio__family tio__family_prio;
extern const struct tio__family tio__family_placement;
extern const struct tio__family tio__family_think;
extern const struct tio__family tio__family_errors;
extern const struct tio__family tio__family_latency;
extern const struct tio__family tio__family_zones;

/* Every family, in the order help lists them (options.c). */
extern const struct tio__family *const tio__families[];
extern const size_t tio__nr_families;

/* The short word of a status, as effects.tsv writes it. */
const char *tio__status_name(enum tio__status s);
/* What a value of o may be, for help ("integer 1..65536"). */
const char *tio__option_values(const struct tio__option *o, char *buf, size_t size);
/* The default as help shows it. */
const char *tio__option_default_text(const struct tio__option *o);

/* ---- options.c: what the setters share ------------------------------------ */

int tio__opt_fail(struct tio__optctx *c, int code, const char *fmt, ...) TIO__PRINTF(3, 4);
int tio__opt_set_string(struct tio__optctx *c, char **dst, const char *v);
/* A bool value; bare (NULL) is true. */
int tio__opt_bool(struct tio__optctx *c, bool *out);

/* A value that names one of a fixed set. */
struct tio__enumval {
    const char *name;
    int value;
    const char *unsupported; /* non-NULL: a value fio has and tenon-io lacks; why, or "" */
};
/* `word` is the part of the value that must name one of vals (all of it,
 * or "randread" in "randread:8"). */
int tio__opt_pick(struct tio__optctx *c, const char *word, const struct tio__enumval *vals,
                  size_t n, const char *what, const char *choices, int *out);
/* "low-high" or "low:high", as fio's range options; one value: lo == hi. */
int tio__opt_range(struct tio__optctx *c,
                   int (*one)(struct tio__optctx *, const char *, uint64_t *), uint64_t *lo,
                   uint64_t *hi);
int tio__opt_one_time(struct tio__optctx *c, const char *s, uint64_t *out);

/* ---- options_ddir.c: fio's per-direction values "read,write,trim" ------- */

struct tio__ddir_form;
/* Parses one part of a per-direction value into *out (an element). */
typedef int (*tio__ddir_parse)(struct tio__optctx *c, const char *part,
                               const struct tio__ddir_form *f, void *out);
/* How an option's per-direction value is read. */
struct tio__ddir_form {
    const char *what;  /* what a part is, for errors: "block size" */
    size_t size;       /* bytes of one element of the output array */
    unsigned ndirs;    /* elements of the output array (3, or 2: read,write) */
    bool ignore_extra; /* parts after the ndirs-th are ignored (fio's cmdprio_*),
                        * not refused */
    bool empty_skips;  /* an empty part is not parsed: it gives no value */
    bool own_only;     /* with commas, a direction takes only its own part (0
                        * when empty or left out), not fio's "the last value
                        * serves the directions after it" */
    const void *arg;   /* for parse */
};
/* Splits text at commas, parses each part and fills out (f->ndirs
 * elements): one value serves every direction; with commas each direction
 * takes its own part, and the last part given the directions after it.
 * out is left as it is on an error. *given (may be NULL) gets a bit per
 * part that gave a value. */
int tio__opt_per_ddir(struct tio__optctx *c, const char *text, tio__ddir_parse parse, void *out,
                      const struct tio__ddir_form *f, unsigned *given);

/* ---- rand_dist.c: random_distribution, a row of pattern.c -------------- */

/* zipf|pareto|normal's ":VALUE[:CENTER]" (args NULL: none), as fio checks it. */
int tio__dist_args(struct tio__optctx *c, const char *model, const char *args, double *value,
                   double *center);
int tio__set_random_distribution(struct tio__optctx *c, const struct tio__option *o);
void tio__dump_random_distribution(struct tio__dump *d, const struct tio__option *o,
                                   const struct tio_job *j);

/* ---- dump.c: lines of the canonical dump ---------------------------------- */

void tio__dump_str(struct tio__dump *d, const char *key, const char *v);
void tio__dump_u64(struct tio__dump *d, const char *key, uint64_t v, const char *unit);
void tio__dump_bool(struct tio__dump *d, const char *key, bool v);
void tio__dump_list(struct tio__dump *d, const char *key, const struct tio_strv *v);
void tio__dump_amount(struct tio__dump *d, const char *key, const struct tio_amount *am);
void tio__dump_ddir(struct tio__dump *d, const char *key, const uint64_t *v);
void tio__dump_printf(struct tio__dump *d, const char *fmt, ...) TIO__PRINTF(2, 3);

/* Row dumps for custom options whose field is a plain one (at o->off). */
void tio__dump_field_str(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j);
void tio__dump_field_uint(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j);
/* No line: the option is shown by another's (buffered by direct). */
void tio__dump_nothing(struct tio__dump *d, const struct tio__option *o,
                       const struct tio_job *j);

#endif /* TIO_JOB_OPTION_H */
