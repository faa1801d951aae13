/* Fuzzes the fio job-file parser and the resolution of what it parsed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "job_invariants.h"
#include "tio_job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *no_env(void *ctx, const char *name)
{
    (void)ctx;
    return name[0] == 'D' ? "/tmp" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tio_parse_config cfg;
    tio_parse_config_init(&cfg);
    cfg.no_include = true; /* never read files named by the input */
    cfg.getenv = no_env;
    cfg.pagesize = 4096;
    cfg.mb_memory = 1024;
    cfg.ncpus = 2;
    struct tio_plan *plan = NULL;
    struct tio_error err;
    if (tio_job_parse_buffer((const char *)data, size, "fuzz.fio", &cfg, &plan, &err) == 0) {
        if (tio_plan_resolve(plan, &err) == 0) {
            fuzz_check_plan(plan);
            /* numjobs=65536 dumps for seconds under ASan: a timeout that
             * finds nothing; a few hundred jobs cover the dump's code */
            FILE *sink = plan->nr_jobs <= 256 ? fopen("/dev/null", "w") : NULL;
            if (sink) {
                tio_plan_dump(plan, sink);
                fclose(sink);
            }
        }
        tio_plan_free(plan);
    }
    return 0;
}
