/* Shared by scan.c (the folder walk) and scan_record.c (one file's record). */
#ifndef TENON_SCAN_INTERNAL_H
#define TENON_SCAN_INTERNAL_H

#include "cache_internal.h"

#include <sys/stat.h>
#include <sys/types.h>

/* Makes the record of one file (canonical; name is the file's name in the
 * folder open as dirfd). dir_error, when set, is the folder's failed check,
 * recorded instead of reading the file; st, when set, the file's stat,
 * which lets a matching cache entry stand in for reading the file. Only a
 * failure to allocate the record is returned as an error; anything wrong
 * with the file is recorded in it. buf is a read buffer reused across
 * files. */
TENON__HIDDEN int tenon__scan_make_record(tenon_registry *reg, const char *canonical,
                                          unsigned origin, bool check_dirs,
                                          const tenon_error *dir_error, int dirfd,
                                          const char *name, const struct stat *st, uid_t euid,
                                          tenon__elf_buf *buf, tenon_plugin **out);
/* Frees a record that was never appended. */
TENON__HIDDEN void tenon__scan_free_record(tenon_plugin *p);
/* A rescan read old's file again and made n of it (n is consumed). A
 * plugin not in use takes n's contents; what callers may still point to
 * (descriptor, name, errors) is retired, not freed. A plugin in use keeps
 * what it was loaded from: its record says a newer file exists, which the
 * next load takes (loader.c). */
TENON__HIDDEN int tenon__scan_refresh_record(tenon_registry *reg, tenon_plugin *old,
                                             tenon_plugin *n);
/* Whether st is still the identity of the file p was read from. */
TENON__HIDDEN bool tenon__scan_same_identity(const tenon_plugin *p, const struct stat *st);

#endif
