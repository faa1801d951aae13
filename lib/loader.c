/* Turning a verified file into code: the file is opened once, checked
 * through that open descriptor, and loaded through the same descriptor
 * (/proc/self/fd/N), so it cannot be swapped between the check and the
 * load. Then the one exported entry symbol must describe the same plugin
 * as the note that was checked. */
#include "cache_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int mismatch(const tenon_plugin *p, const char *hint, const char *fmt, ...)
    TENON_PRINTF(3, 4);
static int mismatch(const tenon_plugin *p, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tenon__vfail(TENON_EMISMATCH, TENON_STAGE_LOAD, p->display_name, p->path, hint,
                          fmt, ap);
    va_end(ap);
    return rc;
}

/* The provide of interface name at version, or else the first one of that
 * name (a plugin may provide one interface in several versions, each with
 * its own table). */
static const tenon_provide *find_provide(const tenon_plugin_desc *desc, const char *name,
                                         uint32_t version)
{
    const tenon_provide *any = NULL;
    for (size_t i = 0; i < desc->n_provides; i++)
        if (strcmp(desc->provides[i].name, name) == 0) {
            if (desc->provides[i].version == version)
                return &desc->provides[i];
            if (!any)
                any = &desc->provides[i];
        }
    return any;
}

/* The entry's descriptor says what the checked note says. */
static int compare_code_desc(const tenon_plugin *p, const tenon_plugin_entry *entry,
                             const tenon_plugin_desc *file_desc, const char *rebuild)
{
    tenon_plugin_desc *code_desc;
    int rc = tenon__desc_from_raw(entry->descriptor, sizeof(tenon_descriptor), p->path,
                                  &code_desc);
    if (rc == TENON_ENOMEM)
        return rc; /* not the plugin's fault: it must not be recorded as broken */
    if (rc < 0) {
        tenon_error *e = tenon__error_tls();
        char msg[TENON_ERROR_TEXT_MAX];
        tenon__strlcpy(msg, e->message, sizeof(msg));
        return mismatch(p, rebuild, "the entry symbol's descriptor is invalid: %s", msg);
    }
    if (strcmp(code_desc->name, file_desc->name) != 0) {
        rc = tenon__fail(TENON_EMISMATCH, TENON_STAGE_LOAD, file_desc->name, p->path,
                         "the note and the entry must come from one TENON_PLUGIN() "
                         "declaration; rebuild the plugin",
                         "the descriptor note names plugin \"%s\" but the entry symbol's "
                         "descriptor names \"%s\"",
                         file_desc->name, code_desc->name);
        tenon_descriptor_free(code_desc);
        return rc;
    }
    if (strcmp(code_desc->version, file_desc->version) != 0 ||
        code_desc->abi_major != file_desc->abi_major ||
        code_desc->abi_minor != file_desc->abi_minor) {
        rc = tenon__fail(TENON_EMISMATCH, TENON_STAGE_LOAD, file_desc->name, p->path,
                         "rebuild the plugin",
                         "the descriptor note says version %s but the entry symbol's "
                         "descriptor says %s (or their ABIs differ)",
                         file_desc->version, code_desc->version);
        tenon_descriptor_free(code_desc);
        return rc;
    }
    tenon_descriptor_free(code_desc);
    return 0;
}

/* file_raw: the note's bytes as checked before the dlopen, or NULL. */
static int entry_check(const tenon_plugin *p, const tenon_plugin_entry *entry,
                       const tenon_plugin_desc *file_desc, const void *file_raw)
{
    const char *rebuild = "rebuild the plugin with TENON_PLUGIN() from <tenon/plugin.h>";
    if (entry->struct_size < offsetof(tenon_plugin_entry, impl_size) + sizeof(uint32_t) ||
        !entry->descriptor)
        return mismatch(p, rebuild, "the entry symbol " TENON_ENTRY_SYMBOL " is malformed");
    /* TENON_PLUGIN() points the entry at the note itself: byte for byte
     * the bytes checked before the dlopen, which then need no second
     * check (that was a tenth of a load's instructions). */
    int rc;
    if (!file_raw || memcmp(entry->descriptor, file_raw, sizeof(tenon_descriptor)) != 0) {
        if ((rc = compare_code_desc(p, entry, file_desc, rebuild)) < 0)
            return rc;
    }
    if (entry->abi_major != file_desc->abi_major || entry->abi_minor != file_desc->abi_minor)
        return mismatch(p, rebuild, "the entry symbol's ABI differs from its descriptor's");

    if (entry->n_impls &&
        (!entry->impls ||
         entry->impl_size < offsetof(tenon_impl, instance_fini) + sizeof(void (*)(void))))
        return mismatch(p, rebuild, "the entry's interface list is malformed");
    if (entry->n_impls > TENON_MAX_PROVIDES)
        return mismatch(p, rebuild, "the entry lists more interfaces than a descriptor can");
    for (uint32_t i = 0; i < entry->n_impls; i++) {
        const tenon_impl *impl = (const tenon_impl *)((const char *)entry->impls +
                                                      (size_t)i * entry->impl_size);
        if (!impl->interface || !impl->table)
            return mismatch(p, rebuild, "an interface of the entry has no %s",
                            impl->interface ? "table" : "name");
        const tenon_iface_header *h = impl->table;
        if (h->struct_size < sizeof(tenon_iface_header))
            return mismatch(p, "set .struct_size = sizeof(the table) in the table",
                            "interface \"%s\" table has struct_size %s", impl->interface,
                            h->struct_size ? "too small" : "0");
        const tenon_provide *pr = find_provide(file_desc, impl->interface, h->version);
        if (!pr)
            return mismatch(p, "add it to .provides in TENON_DESCRIBE()",
                            "the code implements interface \"%s\" that the descriptor does not "
                            "declare",
                            impl->interface);
        if (h->version != pr->version) {
            char v1[16], v2[16];
            snprintf(v1, sizeof(v1), "%u", h->version);
            snprintf(v2, sizeof(v2), "%u", pr->version);
            return tenon__fail(TENON_EMISMATCH, TENON_STAGE_LOAD, file_desc->name, p->path,
                               "make the table's version match .provides",
                               "interface \"%s\" table is version %s but the descriptor "
                               "declares version %s",
                               impl->interface, v1, v2);
        }
    }
    for (size_t k = 0; k < file_desc->n_provides; k++) {
        bool found = false;
        for (uint32_t i = 0; i < entry->n_impls && !found; i++) {
            const tenon_impl *impl = (const tenon_impl *)((const char *)entry->impls +
                                                          (size_t)i * entry->impl_size);
            found = strcmp(impl->interface, file_desc->provides[k].name) == 0 &&
                    ((const tenon_iface_header *)impl->table)->version ==
                        file_desc->provides[k].version;
        }
        if (!found)
            return mismatch(p,
                            "add TENON_IMPL() for it in TENON_CODE(), with a table of "
                            "that version",
                            "the descriptor declares interface \"%s\" version %u but the code "
                            "implements none (no table of that version)",
                            file_desc->provides[k].name, file_desc->provides[k].version);
    }
    return 0;
}

int tenon__entry_check(const tenon_plugin *p, const tenon_plugin_entry *entry,
                       const tenon_plugin_desc *file_desc)
{
    return entry_check(p, entry, file_desc, NULL);
}

/* The record's descriptor differs from the file's own in field: the
 * file's is what loads. A descriptor from the registry cache was not read
 * from the file (anyone who can write the cache folder can edit it), and a
 * rescan may have found the file replaced while the plugin was loaded.
 * Takes *file_desc over (sets it NULL). When the field decides what is
 * used and how it resolves, the load must start again from the choice:
 * returns TENON_ECACHE, which the load transaction retries. field NULL:
 * the descriptors are the same, but a rescan saw the file replaced. */
static int adopt_file_desc(tenon_plugin *p, tenon_plugin_desc **file_desc,
                           const struct stat *st, const char *field, bool affects_selection)
{
    tenon_registry *reg = p->reg;
    bool from_cache = p->desc_from_cache;
    if (!field)
        tenon__log(reg, TENON_LOG_DEBUG, p->display_name,
                   "%s was replaced since it was scanned, by a file with the same descriptor",
                   p->path);
    else if (from_cache)
        tenon__cache_entry_mismatch(reg, p, field);
    else
        tenon__log(reg, TENON_LOG_INFO, p->display_name,
                   "%s changed since it was scanned (field \"%s\" of its descriptor): the "
                   "file's descriptor is used",
                   p->path, field);
    tenon__lock(reg);
    tenon__retire(reg, p->desc);
    p->desc = *file_desc;
    *file_desc = NULL;
    p->dev = st->st_dev;
    p->ino = st->st_ino;
    p->size = st->st_size;
    p->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    p->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
    p->read_ns = tenon__now_ns();
    p->keyed = true;
    /* A check was of other bytes. */
    p->check = TENON_CHECK_NONE;
    p->checked_ns = 0;
    tenon__retire(reg, p->check_error);
    p->check_error = NULL;
    p->desc_from_cache = false;
    if (p->newer_file) {
        p->newer_file = false;
        if (tenon__plugin_usable(p)) {
            tenon__retire(reg, p->error); /* the note that a newer file exists */
            p->error = NULL;
        }
    }
    tenon__unlock(reg);
    tenon__cache_changed(reg);
    if (!affects_selection)
        return 0;
    return tenon__fail(TENON_ECACHE, TENON_STAGE_VERIFY, p->display_name, p->path,
                       "load the plugin again",
                       "the descriptor %s had for plugin %s differs from its file's in "
                       "field \"%s\": the plugins to load are chosen again with the file's",
                       from_cache ? "the registry cache" : "the scan", p->display_name, field);
}

/* Re-reads and re-checks the descriptor from the open fd: what is loaded
 * must be what was checked, even if the file changed since the scan. The
 * note is read into buf and checked there; *raw points at it. Every field
 * that affects loading comes from this descriptor: when the record's
 * differs, the file's replaces it (adopt_file_desc) and *file_desc is
 * NULL on success. */
static int verify_open_file(tenon_plugin *p, int fd, const struct stat *st, tenon__elf_buf *buf,
                            const void **raw, tenon_plugin_desc **file_desc)
{
    int rc;
    size_t raw_size;
    if ((rc = tenon__elf_read_note_in(fd, st->st_size, p->path, buf, raw, &raw_size)) < 0)
        return rc;
    rc = tenon__desc_from_raw(*raw, raw_size, p->path, file_desc);
    if (rc < 0)
        return rc;
    if ((rc = tenon__abi_check(*file_desc, p->path)) < 0)
        goto fail;
    /* Another version where the record expects one is a swapped file,
     * unless the record's descriptor came from the cache or a rescan saw
     * the file replaced. */
    if (strcmp((*file_desc)->name, p->desc->name) != 0 ||
        (strcmp((*file_desc)->version, p->desc->version) != 0 && !p->desc_from_cache &&
         !p->newer_file)) {
        rc = tenon__fail(TENON_EMISMATCH, TENON_STAGE_VERIFY, p->desc->name, p->path,
                         "scan the plugins again",
                         "the file changed since it was scanned: it was %s %s and is now "
                         "%s %s",
                         p->desc->name, p->desc->version, (*file_desc)->name,
                         (*file_desc)->version);
        goto fail;
    }
    bool affects_selection;
    const char *field = tenon__desc_diff(p->desc, *file_desc, &affects_selection);
    /* A rescan saw the file replaced: the record takes its identity even
     * when the descriptor is the same. */
    if ((field || p->newer_file) &&
        (rc = adopt_file_desc(p, file_desc, st, field, affects_selection)) < 0)
        goto fail;
    return 0;
fail:
    tenon_descriptor_free(*file_desc);
    *file_desc = NULL;
    return rc;
}

/* Whether addr lies in the object behind handle (dlsym also searches the
 * object's dependencies, which must not supply the entry). */
bool tenon__symbol_in_object(void *handle, const void *addr)
{
    struct link_map *own = NULL, *found = NULL;
    Dl_info info;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &own) != 0 ||
        !dladdr1(addr, &info, (void **)&found, RTLD_DL_LINKMAP))
        return false;
    return own == found;
}

/* The dynamic loader recognizes an already loaded object by the name it
 * was opened with before it looks at the file, and /proc/self/fd/N names
 * are reused with fd numbers. So the fd a plugin was loaded through stays
 * open for as long as its object stays mapped: every such name in the
 * loader's list then denotes exactly the file opened through it. The table
 * is process-wide because several registries may load the same file. */
typedef struct fd_slot {
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns, ctime_ns; /* as loaded: a reload tells an in-place overwrite */
    int fd;
    unsigned handles; /* our dlopen handles on the object */
} fd_slot;

static pthread_mutex_t fd_table_lock = PTHREAD_MUTEX_INITIALIZER;
static fd_slot *fd_table;
static size_t fd_table_n, fd_table_cap;

static fd_slot *fd_slot_find(dev_t dev, ino_t ino)
{
    for (size_t i = 0; i < fd_table_n; i++)
        if (fd_table[i].dev == dev && fd_table[i].ino == ino)
            return &fd_table[i];
    return NULL;
}

/* dlopens the verified file open as fd (taken over: kept or closed). */
static void *open_through_fd(int fd, const struct stat *st, char *name, size_t name_size,
                             int *err_no_slot)
{
    *err_no_slot = 0;
    pthread_mutex_lock(&fd_table_lock);
    fd_slot *slot = fd_slot_find(st->st_dev, st->st_ino);
    bool fresh = !slot;
    if (fresh) {
        if (tenon__grow((void **)&fd_table, &fd_table_cap, fd_table_n + 1, sizeof(fd_slot)) <
            0) {
            pthread_mutex_unlock(&fd_table_lock);
            close(fd);
            *err_no_slot = 1;
            return NULL;
        }
        slot = &fd_table[fd_table_n++];
        *slot = (fd_slot){st->st_dev,
                          st->st_ino,
                          st->st_size,
                          (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
                          (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
                          fd,
                          0};
    } else {
        close(fd); /* the same file is already loaded through slot->fd */
    }
    snprintf(name, name_size, "/proc/self/fd/%d", slot->fd);
    void *handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle) {
        slot->handles++;
    } else if (fresh) {
        close(slot->fd);
        *slot = fd_table[--fd_table_n];
    }
    pthread_mutex_unlock(&fd_table_lock);
    return handle;
}

/* Whether the page holding addr is mapped (mincore fails with ENOMEM on
 * an unmapped range; it reads no memory and walks no loader list). */
static bool page_mapped(const void *addr)
{
    long page_size = sysconf(_SC_PAGESIZE);
    uintptr_t page = (uintptr_t)addr & ~(uintptr_t)(page_size - 1);
    unsigned char vec;
    return mincore((void *)page, 1, &vec) == 0 || errno != ENOMEM;
}

/* Whether the object last dlclosed through name (whose dynamic section
 * was at dyn) is still loaded. An object can outlive its last dlclose
 * (a unique symbol, -z nodelete, the dynamic loader's own references):
 * then its name, and so its fd, stay reserved, or a later dlopen of that
 * name would hand back this object for another file. Counting our own
 * handles cannot tell, so the loader is asked: first whether the object's
 * pages are gone (one system call: unloading unmaps the whole object, so
 * unmapped pages prove it gone), and only when they are still mapped
 * (the object stayed, or another mapping took the place since) by name
 * with RTLD_NOLOAD, which compares the name with every loaded object's:
 * at 10 000 plugins that walk cost more than the rest of the unload. */
static bool still_loaded(const char *name, const void *dyn)
{
    if (dyn && !page_mapped(dyn))
        return false;
    void *still = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    if (still)
        dlclose(still);
    return still != NULL;
}

static void close_through_fd(void *handle)
{
    struct link_map *lm = NULL;
    char name[64] = "";
    const void *dyn = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name) {
        tenon__strlcpy(name, lm->l_name, sizeof(name));
        dyn = lm->l_ld;
    }
    pthread_mutex_lock(&fd_table_lock);
    dlclose(handle);
    int fd = -1;
    if (sscanf(name, "/proc/self/fd/%d", &fd) == 1) {
        /* Newest first: registry teardown unloads newest first, so the
         * slot is the last one and the search constant. */
        for (size_t i = fd_table_n; i-- > 0;) {
            fd_slot *slot = &fd_table[i];
            if (slot->fd != fd)
                continue;
            if (slot->handles)
                slot->handles--;
            if (!slot->handles && !still_loaded(name, dyn)) {
                close(slot->fd);
                *slot = fd_table[--fd_table_n];
            }
            break;
        }
    }
    pthread_mutex_unlock(&fd_table_lock);
}

int tenon__load_code(tenon_plugin *p)
{
    if (p->static_entry) {
        int rc = tenon__entry_check(p, p->static_entry, p->desc);
        if (rc == 0)
            p->entry = p->static_entry;
        return rc;
    }
    int fd;
    struct stat st;
    /* Opened, and its owner and permissions and those of its folders
     * checked (scan.c: relative to the folder the scan checked). */
    int rc = tenon__open_scanned_plugin(p, &fd, &st);
    if (rc < 0)
        return rc;
    tenon_plugin_desc *file_desc = NULL;
    tenon__elf_buf note_buf = {NULL, 0};
    const void *raw = NULL;
    if ((rc = verify_open_file(p, fd, &st, &note_buf, &raw, &file_desc)) < 0) {
        tenon__free(note_buf.data);
        close(fd);
        return rc;
    }
    /* Pins and signatures are checked through the same fd, which is the
     * one dlopened below: the bytes checked are the bytes loaded. */
    if ((rc = tenon__integrity_check(p, fd, &st)) < 0) {
        tenon_descriptor_free(file_desc);
        tenon__free(note_buf.data);
        close(fd);
        return rc;
    }
    if (p->reg->before_dlopen_hook)
        p->reg->before_dlopen_hook(p->reg->before_dlopen_userdata, p);

    char fd_path[64];
    int no_slot;
    void *handle = open_through_fd(fd, &st, fd_path, sizeof(fd_path), &no_slot);
    if (!handle && no_slot) {
        tenon_descriptor_free(file_desc);
        tenon__free(note_buf.data);
        return tenon__nomem(TENON_STAGE_LOAD, p->display_name);
    }
    if (!handle) {
        const char *why = dlerror();
        /* dlerror names the /proc path; the file's real path is in the error. */
        const char *colon = why ? strstr(why, ": ") : NULL;
        const char *detail = why ? (colon && strncmp(why, "/proc/self/fd/", 14) == 0 ? colon + 2
                                                                                     : why)
                                 : "unknown reason";
        rc = tenon__fail(TENON_EDLOPEN, TENON_STAGE_LOAD, p->desc->name, p->path,
                         strstr(detail, "undefined symbol")
                             ? "the plugin uses a symbol nothing provides: link it against "
                               "the library that defines it, or reach host services through "
                               "the tenon_host_api table"
                             : (access("/proc/self/fd", X_OK) != 0
                                    ? "mount /proc: plugins are loaded through their verified "
                                      "file descriptor"
                                    : "check the plugin's shared library dependencies (ldd)"),
                         "cannot load %s: %s", p->desc->name, detail);
        tenon_descriptor_free(file_desc);
        tenon__free(note_buf.data);
        return rc;
    }
    const tenon_plugin_entry *entry = dlsym(handle, TENON_ENTRY_SYMBOL);
    if (!entry || !tenon__symbol_in_object(handle, entry)) {
        rc = tenon__fail(TENON_ENOENTRY, TENON_STAGE_LOAD, p->desc->name, p->path,
                         "declare the plugin with TENON_PLUGIN() in one of its sources, and "
                         "do not hide it with a version script",
                         "the file has a descriptor but does not export the entry symbol "
                         "\"" TENON_ENTRY_SYMBOL "\"");
        close_through_fd(handle);
        tenon_descriptor_free(file_desc);
        tenon__free(note_buf.data);
        return rc;
    }
    rc = entry_check(p, entry, file_desc ? file_desc : p->desc, raw);
    tenon_descriptor_free(file_desc);
    tenon__free(note_buf.data);
    if (rc < 0) {
        close_through_fd(handle);
        return rc;
    }
    p->dl = handle;
    p->entry = entry;
    return 0;
}

void tenon__unload_code(tenon_plugin *p)
{
    if (p->dl)
        close_through_fd(p->dl);
    p->dl = NULL;
    p->entry = NULL;
}

void tenon__close_handle(void *handle)
{
    if (handle)
        close_through_fd(handle);
}

/* Whether the dynamic loader already has the file of st mapped through
 * one of our fds (1: as it is now; 2: with other bytes, overwritten in
 * place), or not (0). */
static int mapped_state(const struct stat *st)
{
    pthread_mutex_lock(&fd_table_lock);
    fd_slot *slot = fd_slot_find(st->st_dev, st->st_ino);
    int state = 0;
    if (slot)
        state = slot->size == st->st_size &&
                        slot->mtime_ns ==
                            (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec &&
                        slot->ctime_ns ==
                            (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec
                    ? 1
                    : 2;
    pthread_mutex_unlock(&fd_table_lock);
    return state;
}

int tenon__load_generation(tenon_plugin *p, tenon__new_code *out)
{
    *out = (tenon__new_code){0};
    int fd;
    int rc = tenon__open_scanned_plugin(p, &fd, &out->st);
    if (rc < 0)
        return rc;
    int mapped = mapped_state(&out->st);
    if (mapped) {
        close(fd);
        if (mapped == 1)
            return 1; /* the file is the code already loaded */
        return tenon__fail(TENON_ESTATE, TENON_STAGE_VERIFY, p->display_name, p->path,
                           "install a new version by writing it to a new file in the same "
                           "folder and renaming it over the old name (install(1) and "
                           "package managers do), then reload",
                           "the file of plugin %s was overwritten in place while its code is "
                           "mapped: the dynamic loader would hand back the old object, and "
                           "the running code may already be corrupt",
                           p->display_name);
    }
    tenon__elf_buf buf = {NULL, 0};
    const void *raw = NULL;
    size_t raw_size;
    tenon_plugin_desc *desc = NULL;
    if ((rc = tenon__elf_read_note_in(fd, out->st.st_size, p->path, &buf, &raw, &raw_size)) <
            0 ||
        (rc = tenon__desc_from_raw(raw, raw_size, p->path, &desc)) < 0 ||
        (rc = tenon__abi_check(desc, p->path)) < 0)
        goto fail;
    if (strcmp(desc->name, p->desc->name) != 0) {
        rc = tenon__fail(TENON_EMISMATCH, TENON_STAGE_VERIFY, p->desc->name, p->path,
                         "put plugin %s's new version at this path, or scan to find the "
                         "plugin now there",
                         "the file of plugin %s now holds another plugin, %s %s", p->desc->name,
                         desc->name, desc->version);
        goto fail;
    }
    /* Pins and signatures are those of the plugin's name, checked through
     * the fd that is dlopened. */
    if ((rc = tenon__integrity_check(p, fd, &out->st)) < 0)
        goto fail;
    char fd_path[64];
    int no_slot;
    void *handle = open_through_fd(fd, &out->st, fd_path, sizeof(fd_path), &no_slot);
    fd = -1;
    if (!handle) {
        if (no_slot) {
            rc = tenon__nomem(TENON_STAGE_LOAD, p->display_name);
        } else {
            const char *why = dlerror();
            rc = tenon__fail(TENON_EDLOPEN, TENON_STAGE_LOAD, p->desc->name, p->path,
                             "check the plugin's shared library dependencies (ldd)",
                             "cannot load the new code of %s: %s", p->desc->name,
                             why ? why : "unknown reason");
        }
        goto fail;
    }
    const tenon_plugin_entry *entry = dlsym(handle, TENON_ENTRY_SYMBOL);
    if (!entry || !tenon__symbol_in_object(handle, entry)) {
        rc = tenon__fail(TENON_ENOENTRY, TENON_STAGE_LOAD, p->desc->name, p->path,
                         "declare the plugin with TENON_PLUGIN() in one of its sources",
                         "the new file has a descriptor but does not export the entry symbol "
                         "\"" TENON_ENTRY_SYMBOL "\"");
        close_through_fd(handle);
        goto fail;
    }
    if ((rc = entry_check(p, entry, desc, raw)) < 0) {
        close_through_fd(handle);
        goto fail;
    }
    tenon__free(buf.data);
    out->dl = handle;
    out->entry = entry;
    out->desc = desc;
    return 0;
fail:
    if (fd >= 0)
        close(fd);
    tenon__free(buf.data);
    tenon_descriptor_free(desc);
    return rc;
}
