#include "debug.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

bool tio_debug_io_on;

static unsigned mask;
static FILE *out;
static char *mem;
static size_t mem_len;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int tio_debug_open(unsigned m, bool to_memory)
{
    mask = m;
    tio_debug_io_on = (m & TIO_DEBUG_IO) != 0;
    if (!m)
        return 0;
    if (!to_memory) {
        out = stdout;
        return 0;
    }
    out = open_memstream(&mem, &mem_len);
    return out ? 0 : -ENOMEM;
}

bool tio_debug_on(unsigned category)
{
    return (mask & category) != 0;
}

static const char *name_of(unsigned category)
{
    switch (category) {
    case TIO_DEBUG_IO:
        return "io";
    case TIO_DEBUG_RANDOM:
        return "random";
    case TIO_DEBUG_PARSE:
        return "parse";
    case TIO_DEBUG_PROCESS:
        return "process";
    }
    return "?";
}

void tio_debug_printf(unsigned category, const char *fmt, ...)
{
    if (!(mask & category) || !out)
        return;
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&lock);
    fprintf(out, "%-8s %-5u ", name_of(category), (unsigned)syscall(SYS_gettid));
    vfprintf(out, fmt, ap);
    if (out == stdout)
        fflush(out);
    pthread_mutex_unlock(&lock);
    va_end(ap);
}

char *tio_debug_take(size_t *len)
{
    *len = 0;
    if (!out || out == stdout)
        return NULL;
    fclose(out);
    out = NULL;
    char *text = mem;
    *len = mem_len;
    mem = NULL;
    mem_len = 0;
    return text;
}

void tio_debug_close(void)
{
    if (out && out != stdout)
        fclose(out);
    free(mem);
    out = NULL;
    mem = NULL;
    mem_len = 0;
    mask = 0;
    tio_debug_io_on = false;
}

void tio_debug_help(void)
{
    /* fio's list; tenon-io traces io, random, parse and process */
    printf("fio: dumping debug options:process,file,io,mem,blktrace,verify,random,parse,"
           "diskutil,job,mutex,profile,time,net,rate,compress,steadystate,helperthread,zbd,"
           "all\n");
}
