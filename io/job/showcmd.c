/* --showcmd: a job file turned into the command line that runs the same
 * jobs, as fio prints it: the program name, then each section's options in
 * file order, a job section starting with --name=SECTION. A value the shell
 * would split or expand is single-quoted (fio prints it bare, which the
 * shell would not read back as the same value). */
#include <string.h>

#include "job_internal.h"

static void put_word(struct tio__buf *b, const char *s)
{
    const char *p;

    if (*s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                        "_-+=.,:/%@") == strlen(s)) {
        tio__buf_puts(b, s);
        return;
    }
    tio__buf_putc(b, '\'');
    for (p = s; *p; p++) {
        if (*p == '\'')
            tio__buf_puts(b, "'\\''");
        else
            tio__buf_putc(b, *p);
    }
    tio__buf_putc(b, '\'');
}

void tio__showcmd_section(struct tio__buf *b, const char *job_name,
                          const struct tio__pending *p, size_t n)
{
    struct tio__buf w;
    char *word;
    size_t i;

    tio__buf_init(&w, b->a);
    for (i = 0; i <= n; i++) {
        if (i == 0 && !job_name)
            continue;
        if (i == 0)
            tio__buf_printf(&w, "--name=%s", job_name);
        else if (p[i - 1].value)
            tio__buf_printf(&w, "--%s=%s", p[i - 1].key, p[i - 1].value);
        else
            tio__buf_printf(&w, "--%s", p[i - 1].key);
        word = tio__buf_take(&w);
        if (!word) {
            b->failed = true;
            continue;
        }
        put_word(b, word);
        tio__buf_putc(b, ' ');
        tio__free(b->a, word);
    }
    tio__buf_free(&w);
}
