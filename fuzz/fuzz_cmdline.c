/* Fuzzes fio's command-line syntax: the input is split into arguments at
 * newlines; arguments that would name job files are dropped so the parser
 * never opens files. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "job_invariants.h"
#include "tio_job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "tenon-io";
    for (char *save = NULL, *a = strtok_r(text, "\n", &save); a && argc < MAX_ARGS;
         a = strtok_r(NULL, "\n", &save)) {
        if (a[0] == '-' && a[1] == '-' && !strstr(a, "include"))
            argv[argc++] = a;
    }
    argv[argc] = NULL;
    struct tio_parse_config cfg;
    tio_parse_config_init(&cfg);
    cfg.no_include = true;
    struct tio_plan *plan = NULL;
    struct tio_error err;
    if (tio_cmdline_parse(argc, argv, &cfg, &plan, &err) == 0) {
        if (plan->program.job_files.n == 0 && tio_plan_resolve(plan, &err) == 0)
            fuzz_check_plan(plan);
        tio_plan_free(plan);
    }
    free(text);
    return 0;
}
