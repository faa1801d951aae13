/* IO directions, in fio's order (read, write, trim). */
#ifndef TIO_DDIR_H
#define TIO_DDIR_H

#ifdef __cplusplus
extern "C" {
#endif

enum tio_ddir { TIO_DDIR_READ = 0, TIO_DDIR_WRITE = 1, TIO_DDIR_TRIM = 2, TIO_DDIR_COUNT = 3 };

/* "read", "write", "trim" (fio's JSON keys and normal-output labels). */
const char *tio_ddir_name(enum tio_ddir d);

#ifdef __cplusplus
}
#endif

#endif
