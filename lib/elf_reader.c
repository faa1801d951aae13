/* Finds the tenon descriptor note in an ELF file without loading it.
 *
 * The note sits in a PT_NOTE segment right after the ELF and program
 * headers (linkers place allocated notes first), so one read of the file's
 * first bytes usually holds everything: no section headers, which live at
 * the end of the file, are needed. libelf parses that buffer. Every defect
 * of an untrusted file gets its own error code and a message naming it. */
#include "internal.h"

#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

#define FIRST_READ (16 * 1024)
#define MAX_NOTES_END (4 * 1024 * 1024)

#if UINTPTR_MAX == UINT64_MAX
#define HOST_CLASS ELFCLASS64
#define HOST_BITS 64
typedef Elf64_Phdr host_phdr;
#define host_getphdr elf64_getphdr
#else
#define HOST_CLASS ELFCLASS32
#define HOST_BITS 32
typedef Elf32_Phdr host_phdr;
#define host_getphdr elf32_getphdr
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_DATA ELFDATA2LSB
#else
#define HOST_DATA ELFDATA2MSB
#endif

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#else
#error "unknown host machine: add its EM_ value"
#endif

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;
static void libelf_init(void)
{
    elf_version(EV_CURRENT);
}

/* The bytes of the file: an fd read on demand, or an image in memory. */
typedef struct source {
    int fd;
    const unsigned char *image;
    uint64_t size;
    const char *path;
} source;

/* Reads [0, want) of the source into buf (grown when too small; scans
 * reuse one buffer for every file). */
static int read_prefix(const source *src, tenon__elf_buf *b, size_t *have, size_t want)
{
    if (want > src->size)
        want = (size_t)src->size;
    if (want <= *have)
        return 0;
    if (want > b->cap) {
        unsigned char *bigger = tenon__realloc(b->data, want);
        if (!bigger)
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        b->data = bigger;
        b->cap = want;
    }
    unsigned char *grown = b->data;
    if (src->image) {
        memcpy(grown + *have, src->image + *have, want - *have);
    } else {
        size_t off = *have;
        while (off < want) {
            ssize_t n = pread(src->fd, grown + off, want - off, (off_t)off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return tenon__fail(TENON_EIO, TENON_STAGE_SCAN, NULL, src->path, NULL,
                                   "cannot read the file: %s", strerror(errno));
            if (n == 0)
                return tenon__fail(TENON_ETRUNCATED, TENON_STAGE_SCAN, NULL, src->path,
                                   "the file changed while it was read; scan again",
                                   "file ended after %zu bytes", off);
            off += (size_t)n;
        }
    }
    *have = want;
    return 0;
}

static const char *machine_name(unsigned machine)
{
    switch (machine) {
    case EM_X86_64:
        return "x86-64";
    case EM_386:
        return "i386";
    case EM_AARCH64:
        return "AArch64";
    case EM_ARM:
        return "ARM";
    case EM_RISCV:
        return "RISC-V";
    case EM_PPC64:
        return "PowerPC64";
    case EM_S390:
        return "s390";
    default:
        return "another machine";
    }
}

static int truncated(const source *src, const char *what, uint64_t end)
{
    return tenon__fail(TENON_ETRUNCATED, TENON_STAGE_SCAN, NULL, src->path,
                       "the file was cut short (interrupted copy or download?); "
                       "reinstall or rebuild the plugin",
                       "file is truncated: %s end at byte %llu but the file has %llu bytes",
                       what, (unsigned long long)end, (unsigned long long)src->size);
}

/* Checks the identification bytes before libelf sees the buffer, so each
 * kind of foreign file gets its own error. */
static int check_ident(const source *src, const unsigned char *buf, size_t have)
{
    if (have < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return tenon__fail(TENON_ENOTELF, TENON_STAGE_SCAN, NULL, src->path,
                           "plugin files are shared objects built with TENON_PLUGIN(); "
                           "remove other files from the plugin folder",
                           "not an ELF file (no ELF magic number at its start)");
    if (have < EI_NIDENT)
        return truncated(src, "the ELF identification bytes", EI_NIDENT);
    if (buf[EI_CLASS] != HOST_CLASS)
        return tenon__fail(TENON_EELFCLASS, TENON_STAGE_SCAN, NULL, src->path,
                           "build the plugin for this host's architecture",
                           "is a %s ELF file; this host loads %d-bit plugins",
                           buf[EI_CLASS] == ELFCLASS32   ? "32-bit"
                           : buf[EI_CLASS] == ELFCLASS64 ? "64-bit"
                                                         : "malformed (unknown class)",
                           HOST_BITS);
    if (buf[EI_DATA] != HOST_DATA)
        return tenon__fail(TENON_EELFCLASS, TENON_STAGE_SCAN, NULL, src->path,
                           "build the plugin for this host's architecture",
                           "is a %s ELF file; this host is %s",
                           buf[EI_DATA] == ELFDATA2MSB ? "big-endian" : "little-endian",
                           HOST_DATA == ELFDATA2LSB ? "little-endian" : "big-endian");
    size_t ehdr_size = HOST_CLASS == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
    if (src->size < ehdr_size)
        return truncated(src, "the ELF header", ehdr_size);
    return 0;
}

/* The descriptor notes in one PT_NOTE segment; counts them and keeps the
 * first one's payload as an offset into the image (libelf may hand out a
 * copy of the segment, laid out the same, that dies with the Elf). */
static int scan_segment(Elf *elf, const source *src, const host_phdr *ph, size_t *raw_offset,
                        size_t *raw_size, int *found)
{
    Elf_Data *data = elf_getdata_rawchunk(elf, (int64_t)ph->p_offset, ph->p_filesz,
                                          ph->p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
    if (!data)
        return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, src->path,
                           "rebuild the plugin", "cannot read a note segment: %s",
                           elf_errmsg(-1));
    size_t offset = 0, name_off, desc_off;
    GElf_Nhdr nh;
    size_t next;
    while (offset < data->d_size &&
           (next = gelf_getnote(data, offset, &nh, &name_off, &desc_off)) > 0) {
        const char *owner = (const char *)data->d_buf + name_off;
        if (nh.n_type == TENON_NOTE_TYPE && nh.n_namesz == sizeof(TENON_NOTE_OWNER) &&
            memcmp(owner, TENON_NOTE_OWNER, sizeof(TENON_NOTE_OWNER)) == 0) {
            if (++*found == 1) {
                *raw_offset = (size_t)ph->p_offset + desc_off;
                *raw_size = nh.n_descsz;
            }
        }
        offset = next;
    }
    return 0;
}

static int read_note(const source *src, tenon__elf_buf *b, const void **raw, size_t *raw_size)
{
    pthread_once(&libelf_once, libelf_init);
    *raw = NULL;
    *raw_size = 0;

    size_t have = 0, raw_offset = 0;
    Elf *elf = NULL;
    int rc = read_prefix(src, b, &have, FIRST_READ);
    if (rc < 0)
        goto out;
    if ((rc = check_ident(src, b->data, have)) < 0)
        goto out;

    /* Up to two passes: the second one after reading far enough to cover
     * the note segments the first pass found beyond the buffer. */
    for (int pass = 0; pass < 2; pass++) {
        elf = elf_memory((char *)b->data, have);
        GElf_Ehdr eh;
        if (!elf || !gelf_getehdr(elf, &eh)) {
            rc = tenon__fail(TENON_ENOTELF, TENON_STAGE_SCAN, NULL, src->path,
                             "rebuild the plugin", "malformed ELF header: %s", elf_errmsg(-1));
            goto out;
        }
        if (eh.e_machine != HOST_MACHINE) {
            rc = tenon__fail(TENON_EELFMACHINE, TENON_STAGE_SCAN, NULL, src->path,
                             "build the plugin for this host's architecture",
                             "is built for %s (ELF machine %u); this host is %s",
                             machine_name(eh.e_machine), eh.e_machine,
                             machine_name(HOST_MACHINE));
            goto out;
        }
        if (eh.e_type != ET_DYN) {
            rc = tenon__fail(TENON_EELFTYPE, TENON_STAGE_SCAN, NULL, src->path,
                             "link plugins with -shared (the build's plugin helper does)",
                             "is an ELF %s, not a shared object",
                             eh.e_type == ET_REL    ? "relocatable object (.o)"
                             : eh.e_type == ET_EXEC ? "executable"
                             : eh.e_type == ET_CORE ? "core dump"
                                                    : "file of unknown type");
            goto out;
        }
        uint64_t ph_end = eh.e_phoff + (uint64_t)eh.e_phnum * eh.e_phentsize;
        if (eh.e_phoff > src->size || ph_end > src->size) { /* the sum may wrap */
            rc = truncated(src, "the program headers", ph_end);
            goto out;
        }
        if (eh.e_shoff) {
            uint64_t sh_end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
            if (eh.e_shoff > src->size || sh_end > src->size) {
                rc = truncated(src, "the section headers", sh_end);
                goto out;
            }
        }
        if (ph_end > have) {
            if (pass == 1 || ph_end > MAX_NOTES_END) {
                rc = tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, src->path,
                                 "rebuild the plugin",
                                 "program headers lie %llu bytes into "
                                 "the file, beyond where tenon reads them",
                                 (unsigned long long)ph_end);
                goto out;
            }
            elf_end(elf);
            elf = NULL;
            if ((rc = read_prefix(src, b, &have, (size_t)ph_end)) < 0)
                goto out;
            continue;
        }

        size_t phnum;
        if (elf_getphdrnum(elf, &phnum) != 0) {
            rc = tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, src->path,
                             "rebuild the plugin", "malformed program headers: %s",
                             elf_errmsg(-1));
            goto out;
        }
        /* The class is the host's (checked above): the table in its own
         * type, in one call, rather than a converted copy per header. */
        const host_phdr *phdrs = host_getphdr(elf);
        if (!phdrs)
            phnum = 0;
        uint64_t notes_end = 0;
        for (size_t i = 0; i < phnum; i++) {
            host_phdr ph; /* damaged files put the table anywhere: no aligned loads */
            memcpy(&ph, (const char *)phdrs + i * sizeof(ph), sizeof(ph));
            uint64_t end = (uint64_t)ph.p_offset + ph.p_filesz;
            if (end < ph.p_offset ||
                ((ph.p_type == PT_LOAD || ph.p_type == PT_NOTE) && end > src->size)) {
                rc = truncated(src,
                               ph.p_type == PT_NOTE ? "a note segment" : "a loadable segment",
                               end);
                goto out;
            }
            if (ph.p_type == PT_NOTE && end > notes_end)
                notes_end = end;
        }
        if (notes_end > have) {
            if (pass == 1 || notes_end > MAX_NOTES_END) {
                rc = tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, src->path,
                                 "rebuild the plugin",
                                 "note segments end %llu bytes into the file, beyond the "
                                 "%d bytes where tenon looks for descriptors",
                                 (unsigned long long)notes_end, MAX_NOTES_END);
                goto out;
            }
            elf_end(elf);
            elf = NULL;
            if ((rc = read_prefix(src, b, &have, (size_t)notes_end)) < 0)
                goto out;
            continue;
        }

        int found = 0;
        for (size_t i = 0; i < phnum; i++) {
            host_phdr ph;
            memcpy(&ph, (const char *)phdrs + i * sizeof(ph), sizeof(ph));
            if (ph.p_type != PT_NOTE)
                continue;
            if ((rc = scan_segment(elf, src, &ph, &raw_offset, raw_size, &found)) < 0)
                goto out;
        }
        if (found == 0) {
            rc = tenon__fail(TENON_ENODESC, TENON_STAGE_SCAN, NULL, src->path,
                             "plugins declare themselves with TENON_PLUGIN() from "
                             "<tenon/plugin.h>; a shared library that is not a plugin does "
                             "not belong in a plugin folder",
                             "no tenon descriptor: the file has no " TENON_NOTE_SECTION
                             " note");
        } else if (found > 1) {
            rc = tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, src->path,
                             "build each plugin into its own shared object",
                             "the file holds %d tenon descriptors; a plugin file holds "
                             "exactly one",
                             found);
        } else {
            rc = 0;
            *raw = b->data + raw_offset;
        }
        goto out;
    }
out:
    if (elf)
        elf_end(elf);
    if (rc < 0)
        *raw_size = 0;
    return rc;
}

/* The payload in a buffer of its own, for callers that keep it. */
static int read_note_copy(const source *src, void **raw, size_t *raw_size)
{
    tenon__elf_buf b = {NULL, 0};
    const void *in_place;
    *raw = NULL;
    int rc = read_note(src, &b, &in_place, raw_size);
    if (rc == 0) {
        *raw = tenon__malloc(*raw_size ? *raw_size : 1);
        if (*raw)
            memcpy(*raw, in_place, *raw_size);
        else
            rc = tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    tenon__free(b.data);
    if (rc < 0)
        *raw_size = 0;
    return rc;
}

int tenon__elf_read_note(int fd, off_t file_size, const char *path, void **raw,
                         size_t *raw_size)
{
    source src = {fd, NULL, (uint64_t)file_size, path};
    return read_note_copy(&src, raw, raw_size);
}

int tenon__elf_read_note_in(int fd, off_t file_size, const char *path, tenon__elf_buf *buf,
                            const void **raw, size_t *raw_size)
{
    source src = {fd, NULL, (uint64_t)file_size, path};
    return read_note(&src, buf, raw, raw_size);
}

int tenon__elf_read_note_memory(const void *image, size_t size, const char *path, void **raw,
                                size_t *raw_size)
{
    source src = {-1, image, size, path};
    return read_note_copy(&src, raw, raw_size);
}
