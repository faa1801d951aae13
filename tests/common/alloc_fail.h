/* Allocation-failure sweeps, shared by every test that checks a path under
 * memory pressure (jansson's approach): the Nth allocation fails, for
 * N = 1, 2, ... until a run of the operation meets no failure, and every
 * run must end cleanly (what "clean" is, each test says) and free what it
 * allocated.
 *
 * The state is global because the hooks it serves have no context pointer
 * (tenon_set_allocator, -Wl,--wrap). Hook it in with:
 *   tenon_set_allocator(alloc_fail_malloc, alloc_fail_realloc, alloc_fail_free)
 * or call alloc_fail_next() from any other hook: it counts one allocation
 * and says whether it must fail. Blocks are counted as live only through
 * alloc_fail_malloc/realloc/free; hooks that do not see the frees leave the
 * leak check to ASan.
 *
 * ALLOC_FAIL_TRACE=N prints a backtrace where allocation N is made (the one
 * that fails in run N), to find the code a failing run points at. */
#ifndef TENON_TEST_ALLOC_FAIL_H
#define TENON_TEST_ALLOC_FAIL_H

#include <stdbool.h>
#include <stddef.h>

struct alloc_fail {
    unsigned long fail_at;  /* the allocation that fails, from arming; 0: none */
    bool and_later;         /* every allocation after fail_at fails too */
    unsigned long calls;    /* allocations counted since arming */
    unsigned long failures; /* allocations refused since arming */
    long live;              /* blocks from the hooks not yet freed through them */
    bool paused;            /* alloc_fail_pause: allocations pass, uncounted */
    char error[512];        /* why alloc_fail_sweep stopped */
};

extern struct alloc_fail alloc_fail;

/* Counts from zero again, with allocation n failing (0: none fails). */
void alloc_fail_arm(unsigned long n);
/* No allocation fails any more; the counters stay for reading. */
void alloc_fail_disarm(void);
/* Around a run's own setup and checks: their allocations neither count nor
 * fail, so that N counts only the operation under test. */
void alloc_fail_pause(void);
void alloc_fail_resume(void);

/* Counts one allocation; true when it must fail. */
bool alloc_fail_next(void);

void *alloc_fail_malloc(size_t size);
void *alloc_fail_realloc(void *ptr, size_t size);
void alloc_fail_free(void *ptr);

/* One run of the operation, called armed. Checks its own outcome against
 * alloc_fail.failures (did an allocation fail?) and returns 0 when it is
 * right, or -1 after reporting what is wrong (or writing it into
 * alloc_fail.error). */
typedef int (*alloc_fail_run)(void *arg);

struct alloc_fail_result {
    unsigned long allocations; /* how many a run without failures makes */
    unsigned long failed_runs; /* runs in which an allocation failed */
};

/* First a run in which nothing fails (it may allocate what stays for the
 * process, so its blocks are not counted as leaked); then the runs with the
 * 1st, 2nd, ... allocation failing, until one meets no failure. After each,
 * the blocks counted as live must be as before it. Returns 0, or -1 with
 * the reason in alloc_fail.error (empty when run reported it itself). */
int alloc_fail_sweep(alloc_fail_run run, void *arg, struct alloc_fail_result *result);

#endif
