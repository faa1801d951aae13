#include "alloc_fail.h"

#include <execinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Enough for any test's operation; a sweep that gets here is looping. */
#define ALLOC_FAIL_MAX_RUNS 1000000UL

struct alloc_fail alloc_fail;

void alloc_fail_arm(unsigned long n)
{
    alloc_fail.calls = 0;
    alloc_fail.failures = 0;
    alloc_fail.paused = false;
    alloc_fail.fail_at = n;
}

void alloc_fail_disarm(void)
{
    alloc_fail.fail_at = 0;
}

void alloc_fail_pause(void)
{
    alloc_fail.paused = true;
}

void alloc_fail_resume(void)
{
    alloc_fail.paused = false;
}

static void trace(unsigned long n)
{
    const char *want = getenv("ALLOC_FAIL_TRACE");
    if (want && strtoul(want, NULL, 10) == n) {
        void *frames[16];
        backtrace_symbols_fd(frames, backtrace(frames, 16), STDERR_FILENO);
    }
}

bool alloc_fail_next(void)
{
    if (alloc_fail.paused)
        return false;
    unsigned long n = ++alloc_fail.calls;
    if (alloc_fail.fail_at == 0 || n < alloc_fail.fail_at ||
        (n > alloc_fail.fail_at && !alloc_fail.and_later))
        return false;
    if (n == alloc_fail.fail_at)
        trace(n);
    alloc_fail.failures++;
    return true;
}

void *alloc_fail_malloc(size_t size)
{
    if (alloc_fail_next())
        return NULL;
    void *p = malloc(size);
    alloc_fail.live += p != NULL;
    return p;
}

void *alloc_fail_realloc(void *ptr, size_t size)
{
    if (alloc_fail_next())
        return NULL;
    void *p = realloc(ptr, size);
    alloc_fail.live += p && !ptr;
    return p;
}

void alloc_fail_free(void *ptr)
{
    alloc_fail.live -= ptr != NULL;
    free(ptr);
}

int alloc_fail_sweep(alloc_fail_run run, void *arg, struct alloc_fail_result *result)
{
    struct alloc_fail_result r = {0, 0};
    alloc_fail.error[0] = '\0';

    alloc_fail_arm(0);
    int rc = run(arg);
    alloc_fail_disarm();
    r.allocations = alloc_fail.calls;
    if (rc != 0)
        goto out;

    for (unsigned long n = 1;; n++) {
        if (n > ALLOC_FAIL_MAX_RUNS) {
            snprintf(alloc_fail.error, sizeof(alloc_fail.error),
                     "still failing allocations after %lu runs: the operation never ends",
                     ALLOC_FAIL_MAX_RUNS);
            rc = -1;
            break;
        }
        long live_before = alloc_fail.live;
        alloc_fail_arm(n);
        rc = run(arg);
        alloc_fail_disarm();
        if (rc != 0)
            break;
        if (alloc_fail.live != live_before) {
            snprintf(alloc_fail.error, sizeof(alloc_fail.error),
                     "allocation %lu failing leaks %ld blocks (rerun with ALLOC_FAIL_TRACE=%lu "
                     "to see where it is made)",
                     n, alloc_fail.live - live_before, n);
            rc = -1;
            break;
        }
        if (alloc_fail.failures == 0)
            break; /* past the last allocation: the run completed */
        r.failed_runs++;
    }
out:
    if (result)
        *result = r;
    return rc;
}
