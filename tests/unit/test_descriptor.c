/* The descriptor reader: every fixture plugin through tenon_descriptor_read,
 * then data-driven mutations of a good plugin's bytes in memory (ELF
 * header, program headers, the note, every descriptor field) through
 * tenon_descriptor_read_memory, truncations at every length, and random
 * byte flips that must never crash the reader. */
#include "helpers.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basic.h"

/* ---- A good plugin's image and where its parts are ------------------------ */

typedef struct image {
    unsigned char *data;
    size_t size;
    size_t phdr_note; /* offset of the PT_NOTE program header holding the note */
    size_t note;      /* offset of the tenon note's header */
    size_t desc;      /* offset of the descriptor (the note's payload) */
    size_t notes_end; /* end of that PT_NOTE segment */
} image;

/* Layout 1 is fixed: renaming requires to deps (C++ reserves requires)
 * moved no byte, and C code may still use the old names. */
_Static_assert(sizeof(tenon_descriptor) == 13860, "descriptor layout 1 size");
_Static_assert(offsetof(tenon_descriptor, deps) == 420, "descriptor layout 1 deps");
_Static_assert(offsetof(tenon_descriptor, requires) == offsetof(tenon_descriptor, deps),
               "requires is deps in C");
_Static_assert(offsetof(tenon_plugin_desc, n_deps) == 72, "tenon_plugin_desc layout");
_Static_assert(offsetof(tenon_plugin_desc, n_requires) == offsetof(tenon_plugin_desc, n_deps),
               "n_requires is n_deps in C");

static void test_old_member_names(void **state)
{
    (void)state;
    tenon_descriptor d = {.requires = {{"a", ">=1"}}};
    assert_string_equal(d.deps[0].name, "a");
    tenon_dep dep = {"b", ""};
    tenon_plugin_desc view = {.deps = &dep, .n_deps = 1};
    assert_ptr_equal(view.requires, &dep);
    assert_int_equal(view.n_requires, 1);
}

static void load_image(const char *fixture, image *im)
{
    memset(im, 0, sizeof(*im));
    im->data = read_file(fx_path(fixture), &im->size);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->data;
    assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
    for (size_t i = 0; i < eh->e_phnum; i++) {
        size_t off = eh->e_phoff + i * eh->e_phentsize;
        const Elf64_Phdr *ph = (const Elf64_Phdr *)(im->data + off);
        if (ph->p_type != PT_NOTE)
            continue;
        size_t align = ph->p_align == 8 ? 8 : 4;
        size_t at = ph->p_offset, end = ph->p_offset + ph->p_filesz;
        while (at + sizeof(Elf64_Nhdr) <= end) {
            const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(im->data + at);
            size_t name = at + sizeof(*nh);
            size_t desc = (name + nh->n_namesz + align - 1) & ~(align - 1);
            if (nh->n_namesz == sizeof(TENON_NOTE_OWNER) &&
                memcmp(im->data + name, TENON_NOTE_OWNER, sizeof(TENON_NOTE_OWNER)) == 0) {
                im->phdr_note = off;
                im->note = at;
                im->desc = desc;
                im->notes_end = end;
                return;
            }
            at = (desc + nh->n_descsz + align - 1) & ~(align - 1);
        }
    }
    fail_msg("no tenon note in %s", fixture);
}

static int read_mem(const unsigned char *data, size_t size, tenon_plugin_desc **out)
{
    return tenon_descriptor_read_memory(data, size, "mutated.so", out);
}

/* ---- Every fixture file --------------------------------------------------- */

static void test_good_plugin_read_completely(void **state)
{
    (void)state;
    tenon_plugin_desc *d = NULL;
    expect_ok(tenon_descriptor_read(fx_path("good_basic.so"), &d));
    assert_string_equal(d->name, "good_basic");
    assert_string_equal(d->version, "1.2.3");
    assert_string_equal(d->description, "a plugin with options of every type");
    assert_string_equal(d->license, "MIT");
    assert_string_equal(d->url, "https://example.org/good_basic");
    assert_int_equal(d->layout, TENON_DESC_LAYOUT);
    assert_int_equal(d->abi_major, TENON_ABI_MAJOR);
    assert_int_equal(d->abi_minor, TENON_ABI_MINOR);
    assert_int_equal(d->flags, 0);
    assert_int_equal(d->n_deps, 0);
    assert_int_equal(d->n_overrides, 0);
    assert_int_equal(d->n_provides, 1);
    assert_string_equal(d->provides[0].name, BASIC_IFACE);
    assert_int_equal(d->provides[0].version, BASIC_IFACE_VERSION);
    assert_int_equal(d->provides[0].rank, 7);

    static const struct {
        const char *name;
        tenon_opt_type type;
        const char *type_name, *def;
    } opts[] = {
        {"verbose", TENON_OPT_BOOL, "bool", "false"},
        {"depth", TENON_OPT_INT, "int", "4"},
        {"block", TENON_OPT_SIZE, "size", "4k"},
        {"timeout", TENON_OPT_DURATION, "duration", "1500ms"},
        {"ratio", TENON_OPT_DOUBLE, "double", "0.5"},
        {"label", TENON_OPT_STRING, "string", "none"},
        {"mode", TENON_OPT_ENUM, "enum", "auto"},
        {"fail", TENON_OPT_BOOL, "bool", "0"},
    };
    assert_int_equal(d->n_options, sizeof(opts) / sizeof(opts[0]));
    for (size_t i = 0; i < d->n_options; i++) {
        assert_string_equal(d->options[i].name, opts[i].name);
        assert_int_equal(d->options[i].type, opts[i].type);
        assert_string_equal(d->options[i].def, opts[i].def);
        assert_string_equal(tenon_opt_type_name(d->options[i].type), opts[i].type_name);
        assert_ptr_equal(tenon_descriptor_option(d, opts[i].name), &d->options[i]);
    }
    const tenon_option *depth = tenon_descriptor_option(d, "depth");
    assert_true(depth->min == 1 && depth->max == 64);
    assert_string_equal(depth->help, "queue depth");
    assert_string_equal(tenon_descriptor_option(d, "mode")->choices, "fast|slow|auto");
    assert_string_equal(tenon_descriptor_option(d, "verbose")->choices, "");
    assert_null(tenon_descriptor_option(d, "colour"));
    assert_null(tenon_descriptor_option(NULL, "depth"));
    assert_string_equal(tenon_opt_type_name((tenon_opt_type)99), "unknown");

    assert_int_equal(d->n_meta, 2);
    assert_string_equal(tenon_descriptor_meta(d, "homepage"), "https://example.org");
    assert_string_equal(tenon_descriptor_meta(d, "maintainer"), "tests");
    assert_null(tenon_descriptor_meta(d, "nothing"));
    tenon_descriptor_free(d);

    expect_ok(tenon_descriptor_read(fx_path("chain_a.so"), &d));
    assert_int_equal(d->n_deps, 1);
    assert_string_equal(d->deps[0].name, "chain_b");
    assert_string_equal(d->deps[0].range, ">=1.2 <2");
    assert_int_equal(d->flags, TENON_PLUGIN_UNLOADABLE);
    tenon_descriptor_free(d);

    expect_ok(tenon_descriptor_read(fx_path("dia_top.so"), &d));
    assert_int_equal(d->n_deps, 2);
    assert_string_equal(d->deps[0].name, "dia_left");
    assert_string_equal(d->deps[0].range, "");
    assert_string_equal(d->deps[1].name, "dia_right");
    assert_string_equal(d->deps[1].range, "1.x");
    tenon_descriptor_free(d);

    expect_ok(tenon_descriptor_read(fx_path("good_disabled.so"), &d));
    assert_int_equal(d->flags, TENON_PLUGIN_DISABLED_BY_DEFAULT);
    tenon_descriptor_free(d);
    tenon_descriptor_free(NULL);
}

static void test_broken_fixture_files(void **state)
{
    (void)state;
    tenon_plugin_desc *d = (tenon_plugin_desc *)1;
    expect_error(tenon_descriptor_read(fx_path("bad_nodesc.so"), &d), TENON_ENODESC,
                 "bad_nodesc.so", "no tenon descriptor", ".note.tenon", NULL);
    assert_null(d);
    expect_error(tenon_descriptor_read(fx_path("bad_magic.so"), &d), TENON_EBADMAGIC,
                 "bad_magic.so", "magic is 0xdeadbeef", NULL);
    expect_error(tenon_descriptor_read(fx_path("bad_layout.so"), &d), TENON_ELAYOUT,
                 "bad_layout.so", "layout 99", NULL);
    expect_error(tenon_descriptor_read(fx_path("bad_field.so"), &d), TENON_EFIELD,
                 "bad_field.so", "'description'", "no room for the terminating NUL", NULL);
    {
        /* Says what is wrong with the string and how long it may be, not
         * that the file was damaged. */
        char text[2048], want[2048];
        tenon_error_format(NULL, text, sizeof(text));
        snprintf(want, sizeof(want),
                 "scan: bad_field: descriptor field 'description' fills all its 192 bytes, "
                 "leaving no room for the terminating NUL (%s); shorten it to at most 191 "
                 "bytes "
                 "and rebuild the plugin with the current tenon headers, which refuse such "
                 "strings at compile time",
                 fx_path("bad_field.so"));
        assert_string_equal(text, want);
    }
    /* The plugin's name is known once it has been read. */
    assert_string_equal(tenon_last_error()->plugin, "bad_field");
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_SCAN);

    /* The reader checks no ABI: that is the registry's job. */
    expect_ok(tenon_descriptor_read(fx_path("bad_abimajor.so"), &d));
    assert_int_equal(d->abi_major, 99);
    tenon_descriptor_free(d);
    expect_ok(tenon_descriptor_read(fx_path("bad_abiminor.so"), &d));
    assert_int_equal(d->abi_minor, 99);
    tenon_descriptor_free(d);
    /* Nor the code: these have good descriptors. */
    static const char *const readable[] = {"bad_mismatch.so", "bad_noentry.so",
                                           "bad_undefined.so", "bad_initfail.so",
                                           "bad_initcrash.so"};
    for (size_t i = 0; i < sizeof(readable) / sizeof(readable[0]); i++) {
        expect_ok(tenon_descriptor_read(fx_path(readable[i]), &d));
        tenon_descriptor_free(d);
    }
}

static void test_elf32(void **state)
{
    (void)state;
    if (!fixture_exists("bad_elf32.so"))
        skip(); /* built only when clang and ld.lld are installed */
    tenon_plugin_desc *d;
    expect_error(tenon_descriptor_read(fx_path("bad_elf32.so"), &d), TENON_EELFCLASS,
                 "bad_elf32.so", "32-bit", "64-bit plugins", NULL);
}

static void test_foreign_files(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    tenon_plugin_desc *d;
    write_file(tmp_path(dir, "text.so"), "this is not a plugin\n");
    expect_error(tenon_descriptor_read(tmp_path(dir, "text.so"), &d), TENON_ENOTELF, "text.so",
                 "not an ELF file", NULL);
    write_file(tmp_path(dir, "empty.so"), "");
    expect_error(tenon_descriptor_read(tmp_path(dir, "empty.so"), &d), TENON_ENOTELF,
                 "empty.so", "not an ELF file", NULL);
    write_file(tmp_path(dir, "magic.so"), "\177ELF");
    expect_error(tenon_descriptor_read(tmp_path(dir, "magic.so"), &d), TENON_ETRUNCATED,
                 "magic.so", "truncated", NULL);
    /* A script with a shebang, a static archive. */
    write_file(tmp_path(dir, "script.so"), "#!/bin/sh\necho hi\n");
    expect_error(tenon_descriptor_read(tmp_path(dir, "script.so"), &d), TENON_ENOTELF,
                 "script.so", NULL);
    write_file(tmp_path(dir, "archive.so"), "!<arch>\n");
    expect_error(tenon_descriptor_read(tmp_path(dir, "archive.so"), &d), TENON_ENOTELF,
                 "archive.so", NULL);
    /* An ELF executable is not a shared object. */
    copy_file("/bin/true", tmp_path(dir, "true.so"));
    int rc = tenon_descriptor_read(tmp_path(dir, "true.so"), &d);
    if (rc != TENON_EELFTYPE) /* Debian builds PIE executables: ET_DYN */
        expect_error(rc, TENON_ENODESC, "true.so", "no tenon descriptor", NULL);
    tmp_remove(dir);
}

static void test_read_fd(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    tenon_plugin_desc *d = (tenon_plugin_desc *)1;
    expect_error(tenon_descriptor_read_fd(fds[0], "a pipe", &d), TENON_ENOTREG, "a pipe",
                 "FIFO", NULL);
    assert_null(d);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(tenon_descriptor_read_fd(-1, "x", &d), TENON_EINVAL);

    FILE *f = fopen(fx_path("good_basic.so"), "rb");
    assert_non_null(f);
    /* The file position does not matter. */
    fseek(f, 1234, SEEK_SET);
    expect_ok(tenon_descriptor_read_fd(fileno(f), "good_basic.so", &d));
    assert_string_equal(d->name, "good_basic");
    tenon_descriptor_free(d);
    fclose(f);
}

/* A note segment larger than the reader's first read of the file. */
static void test_big_note_segment(void **state)
{
    (void)state;
    tenon_plugin_desc *d;
    expect_ok(tenon_descriptor_read(fx_path("good_bignote.so"), &d));
    assert_string_equal(d->name, "good_bignote");
    tenon_descriptor_free(d);
    image im;
    load_image("good_bignote.so", &im);
    assert_true(im.notes_end > 16 * 1024);
    expect_ok(read_mem(im.data, im.size, &d));
    tenon_descriptor_free(d);
    /* Cut inside the part of the segment beyond the first read. */
    expect_error(read_mem(im.data, im.notes_end - 100, &d), TENON_ETRUNCATED, "mutated.so",
                 "truncated", NULL);
    /* With the section headers gone (as strip --strip-section-headers
     * would), a cut segment is what is reported. */
    Elf64_Ehdr *eh = (Elf64_Ehdr *)im.data;
    eh->e_shoff = 0;
    eh->e_shnum = 0;
    expect_ok(read_mem(im.data, im.size, &d));
    tenon_descriptor_free(d);
    expect_error(read_mem(im.data, im.notes_end - 100, &d), TENON_ETRUNCATED, "mutated.so",
                 "segment end at byte", NULL);
    free(im.data);

    char *dir = tmp_dir();
    copy_fixture(dir, "good_bignote", NULL);
    tenon_registry *reg = new_registry(dir, 0, NULL);
    expect_ok(tenon_registry_load(reg, "good_bignote", NULL));
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* ---- Truncated files ---------------------------------------------------------- */

static void test_truncated_files(void **state)
{
    (void)state;
    image im;
    load_image("good_basic.so", &im);
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im.data;
    char *dir = tmp_dir();
    const struct {
        const char *where;
        size_t size;
        const char *text;
    } cuts[] = {
        {"inside the identification", 10, "identification"},
        {"inside the ELF header", 40, "ELF header"},
        {"inside the program headers", eh->e_phoff + eh->e_phentsize + 20, "program headers"},
        {"inside the note", im.desc + 100, "truncated"},
        {"after the note", im.notes_end + 64, "truncated"},
        {"just before the end", im.size - 1, "truncated"},
    };
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        const char *path = tmp_path(dir, "cut.so");
        copy_fixture(dir, "good_basic", "cut.so");
        assert_int_equal(truncate(path, (off_t)cuts[i].size), 0);
        tenon_plugin_desc *d;
        int rc = tenon_descriptor_read(path, &d);
        if (rc != TENON_ETRUNCATED)
            fail_msg("cut %s (%zu bytes): got %s: %s", cuts[i].where, cuts[i].size,
                     tenon_err_name(rc), tenon_last_error()->message);
        expect_error(rc, TENON_ETRUNCATED, "cut.so", cuts[i].text, NULL);
    }
    tmp_remove(dir);
    free(im.data);
}

static void test_every_prefix_is_refused(void **state)
{
    (void)state;
    image im;
    load_image("good_basic.so", &im);
    /* Every length up to past the note, then a stride to the end. */
    for (size_t n = 0; n < im.size; n += n < im.notes_end + 256 ? 1 : 61) {
        unsigned char *copy = malloc(n ? n : 1);
        memcpy(copy, im.data, n);
        tenon_plugin_desc *d = (tenon_plugin_desc *)1;
        int rc = read_mem(copy, n, &d);
        int want = n < 4 ? TENON_ENOTELF : TENON_ETRUNCATED;
        if (rc != want)
            fail_msg("prefix of %zu bytes: got %s, want %s: %s", n, tenon_err_name(rc),
                     tenon_err_name(want), tenon_last_error()->message);
        assert_null(d);
        free(copy);
    }
    tenon_plugin_desc *d;
    expect_ok(read_mem(im.data, im.size, &d));
    tenon_descriptor_free(d);
    assert_int_equal(tenon_descriptor_read_memory(NULL, 10, "x", &d), TENON_EINVAL);
    expect_error(tenon_descriptor_read_memory(NULL, 0, "nothing", &d), TENON_ENOTELF, "nothing",
                 NULL);
    free(im.data);
}

/* ---- Mutations ----------------------------------------------------------------- */

enum base { B_FILE, B_PHDR, B_NOTE, B_DESC };
enum kind { SET8, SET16, SET32, SET64, FILL, STR };

typedef struct mutation {
    const char *what;
    const char *fixture;
    enum base base;
    size_t offset;
    enum kind kind;
    uint64_t value;  /* SETn: the value; FILL: the byte */
    size_t len;      /* FILL: how many bytes */
    const char *str; /* STR: written with its NUL */
    int code;
    const char *text;
} mutation;

#define D(field) offsetof(tenon_descriptor, field)
#define E(field) offsetof(Elf64_Ehdr, field)
#define P(field) offsetof(Elf64_Phdr, field)
#define N(field) offsetof(Elf64_Nhdr, field)
#define OPT(i, field) \
    (D(options) + (i) * sizeof(tenon_desc_option) + offsetof(tenon_desc_option, field))
#define GB "good_basic.so"

static const mutation mutations[] = {
    /* the ELF identification and header */
    {"ELF magic", GB, B_FILE, 1, SET8, 'X', 0, NULL, TENON_ENOTELF, "not an ELF file"},
    {"class 32", GB, B_FILE, EI_CLASS, SET8, ELFCLASS32, 0, NULL, TENON_EELFCLASS, "32-bit"},
    {"class none", GB, B_FILE, EI_CLASS, SET8, ELFCLASSNONE, 0, NULL, TENON_EELFCLASS,
     "unknown class"},
    {"class 7", GB, B_FILE, EI_CLASS, SET8, 7, 0, NULL, TENON_EELFCLASS, "unknown class"},
    {"big-endian", GB, B_FILE, EI_DATA, SET8, ELFDATA2MSB, 0, NULL, TENON_EELFCLASS,
     "big-endian"},
    {"machine aarch64", GB, B_FILE, E(e_machine), SET16, EM_AARCH64, 0, NULL, TENON_EELFMACHINE,
     "AArch64"},
    {"machine unknown", GB, B_FILE, E(e_machine), SET16, 0xbeef, 0, NULL, TENON_EELFMACHINE,
     "48879"},
    {"type exec", GB, B_FILE, E(e_type), SET16, ET_EXEC, 0, NULL, TENON_EELFTYPE, "executable"},
    {"type rel", GB, B_FILE, E(e_type), SET16, ET_REL, 0, NULL, TENON_EELFTYPE, "relocatable"},
    {"type core", GB, B_FILE, E(e_type), SET16, ET_CORE, 0, NULL, TENON_EELFTYPE, "core"},
    {"type none", GB, B_FILE, E(e_type), SET16, ET_NONE, 0, NULL, TENON_EELFTYPE,
     "unknown type"},
    /* program headers */
    {"phoff past the end", GB, B_FILE, E(e_phoff), SET64, 1u << 30, 0, NULL, TENON_ETRUNCATED,
     "program headers"},
    {"phoff wraps", GB, B_FILE, E(e_phoff), SET64, UINT64_MAX - 8, 0, NULL, TENON_ETRUNCATED,
     "program headers"},
    {"no program headers", GB, B_FILE, E(e_phnum), SET16, 0, 0, NULL, TENON_ENODESC,
     "no tenon descriptor"},
    {"too many program headers", GB, B_FILE, E(e_phnum), SET16, 0xfff0, 0, NULL,
     TENON_ETRUNCATED, "program headers"},
    {"shoff past the end", GB, B_FILE, E(e_shoff), SET64, 1u << 30, 0, NULL, TENON_ETRUNCATED,
     "section headers"},
    {"note segment offset", GB, B_PHDR, P(p_offset), SET64, 1u << 30, 0, NULL, TENON_ETRUNCATED,
     "note segment"},
    {"note segment size", GB, B_PHDR, P(p_filesz), SET64, 1u << 30, 0, NULL, TENON_ETRUNCATED,
     "note segment"},
    {"note segment size wraps", GB, B_PHDR, P(p_filesz), SET64, UINT64_MAX - 16, 0, NULL,
     TENON_ETRUNCATED, "note segment"},
    {"note segment type", GB, B_PHDR, P(p_type), SET32, PT_NULL, 0, NULL, TENON_ENODESC,
     "no tenon descriptor"},
    /* the note header */
    {"note owner", GB, B_NOTE, sizeof(Elf64_Nhdr), SET8, 't', 0, NULL, TENON_ENODESC,
     "no tenon descriptor"},
    {"note owner size", GB, B_NOTE, N(n_namesz), SET32, 5, 0, NULL, TENON_ENODESC,
     "no tenon descriptor"},
    {"note type", GB, B_NOTE, N(n_type), SET32, 0x32444e54, 0, NULL, TENON_ENODESC,
     "no tenon descriptor"},
    {"note payload shorter", GB, B_NOTE, N(n_descsz), SET32, sizeof(tenon_descriptor) - 4, 0,
     NULL, TENON_EFIELD, "size"},
    {"note payload tiny", GB, B_NOTE, N(n_descsz), SET32, 4, 0, NULL, TENON_EFIELD,
     "too short"},
    /* the descriptor header */
    {"magic", GB, B_DESC, D(magic), SET32, 0x12345678, 0, NULL, TENON_EBADMAGIC, "0x12345678"},
    {"layout 2", GB, B_DESC, D(layout), SET16, 2, 0, NULL, TENON_ELAYOUT, "layout 2"},
    {"layout 0", GB, B_DESC, D(layout), SET16, 0, 0, NULL, TENON_ELAYOUT, "layout 0"},
    {"layout 65535", GB, B_DESC, D(layout), SET16, 65535, 0, NULL, TENON_ELAYOUT,
     "layout 65535"},
    {"size smaller", GB, B_DESC, D(size), SET32, sizeof(tenon_descriptor) - 4, 0, NULL,
     TENON_EFIELD, "size"},
    {"size larger", GB, B_DESC, D(size), SET32, sizeof(tenon_descriptor) + 4, 0, NULL,
     TENON_EFIELD, "size"},
    /* string fields */
    {"name unterminated", GB, B_DESC, D(name), FILL, 'a', TENON_NAME_MAX, NULL, TENON_EFIELD,
     "'name'"},
    {"name empty", GB, B_DESC, D(name), STR, 0, 0, "", TENON_ENAME, "empty"},
    {"name with slash", GB, B_DESC, D(name), STR, 0, 0, "a/b", TENON_ENAME, "'/'"},
    {"name with dots", GB, B_DESC, D(name), STR, 0, 0, "a..b", TENON_ENAME, "\"..\""},
    {"name starts with dot", GB, B_DESC, D(name), STR, 0, 0, ".hidden", TENON_ENAME,
     "starts with"},
    {"name with a control byte", GB, B_DESC, D(name), STR, 0, 0, "a\033b", TENON_EFIELD,
     "control character"},
    {"name with a space", GB, B_DESC, D(name), STR, 0, 0, "a b", TENON_ENAME, "a b"},
    {"version unterminated", GB, B_DESC, D(version), FILL, '1', TENON_VERSION_MAX, NULL,
     TENON_EFIELD, "'version'"},
    {"version not semver", GB, B_DESC, D(version), STR, 0, 0, "banana", TENON_EFIELD,
     "semantic version"},
    {"version empty", GB, B_DESC, D(version), STR, 0, 0, "", TENON_EFIELD, "(empty)"},
    {"version wildcard", GB, B_DESC, D(version), STR, 0, 0, "1.x", TENON_EFIELD,
     "semantic version"},
    {"description unterminated", GB, B_DESC, D(description), FILL, 'd', TENON_DESCRIPTION_MAX,
     NULL, TENON_EFIELD, "'description'"},
    {"description escape", GB, B_DESC, D(description), STR, 0, 0, "\033[31mred", TENON_EFIELD,
     "control character"},
    {"license unterminated", GB, B_DESC, D(license), FILL, 'l', TENON_LICENSE_MAX, NULL,
     TENON_EFIELD, "'license'"},
    {"url unterminated", GB, B_DESC, D(url), FILL, 'u', TENON_URL_MAX, NULL, TENON_EFIELD,
     "'url'"},
    /* provides */
    {"provides version 0", GB, B_DESC, D(provides) + offsetof(tenon_desc_provide, version),
     SET32, 0, 0, NULL, TENON_EFIELD, "provides[0].version"},
    {"provides bad name", GB, B_DESC, D(provides), STR, 0, 0, "a b", TENON_EFIELD,
     "provides[0].name"},
    {"provides unterminated", GB, B_DESC, D(provides) + sizeof(tenon_desc_provide), FILL, 'p',
     TENON_NAME_MAX, NULL, TENON_EFIELD, "provides[1].name"},
    /* options */
    {"option type", GB, B_DESC, OPT(0, type), SET32, 99, 0, NULL, TENON_EFIELD, "unknown type"},
    {"option type 0", GB, B_DESC, OPT(0, type), SET32, 0, 0, NULL, TENON_EFIELD,
     "unknown type"},
    {"option name", GB, B_DESC, OPT(0, name), STR, 0, 0, "bad name", TENON_EFIELD,
     "invalid name"},
    {"option twice", GB, B_DESC, OPT(1, name), STR, 0, 0, "verbose", TENON_EFIELD,
     "declared twice"},
    {"option default", GB, B_DESC, OPT(1, def), STR, 0, 0, "deep", TENON_EFIELD,
     "does not parse"},
    {"option default out of range", GB, B_DESC, OPT(1, def), STR, 0, 0, "100", TENON_EFIELD,
     "from 1 to 64"},
    {"enum default not a choice", GB, B_DESC, OPT(6, def), STR, 0, 0, "medium", TENON_EFIELD,
     "fast|slow|auto"},
    {"enum without choices", GB, B_DESC, OPT(6, choices), STR, 0, 0, "", TENON_EFIELD,
     "without choices"},
    {"option help unterminated", GB, B_DESC, OPT(2, help), FILL, 'h', TENON_OPTION_HELP_MAX,
     NULL, TENON_EFIELD, "options[2].help"},
    {"unused option slot unterminated", GB, B_DESC, OPT(TENON_MAX_OPTIONS - 1, choices), FILL,
     'c', TENON_OPTION_CHOICES_MAX, NULL, TENON_EFIELD, "options[31].choices"},
    /* meta */
    {"meta value unterminated", GB, B_DESC,
     D(meta) + 7 * sizeof(tenon_desc_meta) + offsetof(tenon_desc_meta, value), FILL, 'm',
     TENON_META_VALUE_MAX, NULL, TENON_EFIELD, "meta[7].value"},
    /* requires */
    {"requires range", "chain_a.so", B_DESC, D(requires) + offsetof(tenon_desc_require, range),
     STR, 0, 0, ">>1", TENON_EFIELD, "deps[0].range"},
    {"requires name", "chain_a.so", B_DESC, D(requires), STR, 0, 0, "x/y", TENON_EFIELD,
     "deps[0].name"},
    {"requires unterminated", "chain_a.so", B_DESC, D(requires), FILL, 'r', TENON_NAME_MAX,
     NULL, TENON_EFIELD, "deps[0].name"},
    /* overrides */
    {"overrides name", GB, B_DESC, D(overrides), STR, 0, 0, "../up", TENON_EFIELD,
     "overrides[0]"},
};

static void apply(unsigned char *data, size_t at, const mutation *m)
{
    switch (m->kind) {
    case SET8:
        data[at] = (unsigned char)m->value;
        break;
    case SET16: {
        uint16_t v = (uint16_t)m->value;
        memcpy(data + at, &v, sizeof(v));
        break;
    }
    case SET32: {
        uint32_t v = (uint32_t)m->value;
        memcpy(data + at, &v, sizeof(v));
        break;
    }
    case SET64:
        memcpy(data + at, &m->value, sizeof(m->value));
        break;
    case FILL:
        memset(data + at, (int)m->value, m->len);
        break;
    case STR:
        memcpy(data + at, m->str, strlen(m->str) + 1);
        break;
    }
}

static void test_mutations(void **state)
{
    (void)state;
    int wrong = 0;
    for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
        const mutation *m = &mutations[i];
        image im;
        load_image(m->fixture, &im);
        size_t base = m->base == B_FILE   ? 0
                      : m->base == B_PHDR ? im.phdr_note
                      : m->base == B_NOTE ? im.note
                                          : im.desc;
        apply(im.data, base + m->offset, m);
        tenon_plugin_desc *d = (tenon_plugin_desc *)1;
        int rc = read_mem(im.data, im.size, &d);
        const tenon_error *e = tenon_last_error();
        char text[2048];
        tenon_error_format(e, text, sizeof(text));
        if (rc != m->code || e->code != m->code || !strstr(text, m->text) ||
            !strstr(text, "mutated.so") || d != NULL) {
            print_error("%s: got %s, want %s with \"%s\": %s\n", m->what, tenon_err_name(rc),
                        tenon_err_name(m->code), m->text, text);
            wrong++;
        }
        if (rc == 0)
            tenon_descriptor_free(d);
        free(im.data);
    }
    assert_int_equal(wrong, 0);
}

/* Random damage anywhere in the headers and the note: the reader returns a
 * reader error or a descriptor, never crashes (ASan checks every access). */
static void test_random_damage(void **state)
{
    (void)state;
    image im;
    load_image("good_basic.so", &im);
    unsigned char *copy = malloc(im.size);
    static const int allowed[] = {
        0,
        TENON_ENOTELF,
        TENON_EELFCLASS,
        TENON_EELFMACHINE,
        TENON_EELFTYPE,
        TENON_ETRUNCATED,
        TENON_ENODESC,
        TENON_EBADMAGIC,
        TENON_ELAYOUT,
        TENON_EFIELD,
        TENON_ENAME,
    };
    unsigned seed = 12345;
    size_t region = im.notes_end;
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, im.data, im.size);
        int flips = 1 + (int)(rand_r(&seed) % 4);
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)rand_r(&seed) % region;
            /* Favor the headers, where structure lives. */
            if (k == 0 && round % 2)
                at = (size_t)rand_r(&seed) % (im.note + 64);
            copy[at] = (unsigned char)rand_r(&seed);
        }
        tenon_plugin_desc *d = NULL;
        int rc = read_mem(copy, im.size, &d);
        bool ok = false;
        for (size_t a = 0; a < sizeof(allowed) / sizeof(allowed[0]); a++)
            ok |= rc == allowed[a];
        if (!ok)
            fail_msg("round %d: unexpected %s: %s", round, tenon_err_name(rc),
                     tenon_last_error()->message);
        if (rc == 0) {
            assert_non_null(d);
            tenon_descriptor_free(d);
        } else {
            assert_null(d);
            assert_true(tenon_last_error()->message[0] != '\0');
        }
    }
    free(copy);
    free(im.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin_read_completely),
        cmocka_unit_test(test_broken_fixture_files),
        cmocka_unit_test(test_elf32),
        cmocka_unit_test(test_foreign_files),
        cmocka_unit_test(test_read_fd),
        cmocka_unit_test(test_big_note_segment),
        cmocka_unit_test(test_truncated_files),
        cmocka_unit_test(test_every_prefix_is_refused),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_random_damage),
        cmocka_unit_test(test_old_member_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
