/* The verify log of extents against a plain model: a byte map of which
 * write covers each byte, where a write drops every extent it overlaps
 * (fio's log_io_piece). Random writes, drops and lookups over a small
 * space, compared after each step; and the array's growth and reuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "verify_extents.h"

#define SPACE 512u
#define MAXN 256u

struct model {
    struct tio_vext_extent e[MAXN];
    unsigned n;
};

static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void model_put(struct model *m, uint64_t pos, uint64_t len, uint32_t num)
{
    unsigned k = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->e[i].pos + m->e[i].len <= pos || m->e[i].pos >= pos + len)
            m->e[k++] = m->e[i];
    m->n = k;
    m->e[m->n++] = (struct tio_vext_extent){pos, len, num};
}

static const struct tio_vext_extent *model_at(const struct model *m, uint64_t pos)
{
    for (unsigned i = 0; i < m->n; i++)
        if (m->e[i].pos == pos)
            return &m->e[i];
    return NULL;
}

/* The log, walked in offset order, holds exactly the model's extents. */
static void same(const struct tio_vext *x, const struct model *m)
{
    struct tio_vext_extent e;
    uint64_t at = 0, n = 0;
    while (tio_vext_first_from(x, at, &e)) {
        const struct tio_vext_extent *want = model_at(m, e.pos);
        assert_non_null(want);
        assert_int_equal(e.len, want->len);
        assert_int_equal(e.num, want->num);
        assert_true(e.pos >= at);
        at = e.pos + e.len;
        n++;
    }
    assert_int_equal(n, m->n);
    assert_int_equal(x->count, m->n);
}

static void against_model(void **state)
{
    (void)state;
    struct tio_vext x;
    struct model m = {.n = 0};
    uint32_t s = 12345;
    tio_vext_init(&x);
    tio_vext_clear(&x);
    for (uint32_t num = 1; num < 20000; num++) {
        uint64_t pos = rnd(&s) % SPACE, len = 1 + rnd(&s) % 24;
        if (pos + len > SPACE)
            len = SPACE - pos;
        unsigned before = m.n;
        model_put(&m, pos, len, num);
        int64_t dropped = tio_vext_put(&x, pos, len, num);
        assert_int_equal(dropped, (int64_t)before + 1 - m.n);
        if (rnd(&s) % 4 == 0) { /* a checked or failed write leaves the log */
            const struct tio_vext_extent *e = &m.e[rnd(&s) % m.n];
            assert_false(tio_vext_drop(&x, e->pos, e->num + 1));
            assert_true(tio_vext_holds(&x, e->pos, e->num));
            assert_true(tio_vext_drop(&x, e->pos, e->num));
            *(struct tio_vext_extent *)e = m.e[--m.n];
        }
        uint64_t q = rnd(&s) % SPACE, ql = 1 + rnd(&s) % 16;
        bool any = false;
        for (unsigned i = 0; i < m.n; i++)
            any |= m.e[i].pos < q + ql && m.e[i].pos + m.e[i].len > q;
        assert_int_equal(tio_vext_overlaps(&x, q, ql), any);
        if (num % 97 == 0)
            same(&x, &m);
        if (num % 5000 == 0) { /* a new pass */
            tio_vext_clear(&x);
            m.n = 0;
            same(&x, &m);
        }
    }
    tio_vext_free(&x);
}

/* Sequential writes, as many as a large region holds: the array grows,
 * and a second pass over the same offsets reuses what the first freed. */
static void grows_and_reuses(void **state)
{
    (void)state;
    struct tio_vext x;
    tio_vext_init(&x);
    tio_vext_clear(&x);
    for (uint32_t i = 0; i < 100000; i++)
        assert_int_equal(tio_vext_put(&x, (uint64_t)i * 4096, 4096, i + 1), 0);
    uint32_t cap = x.cap;
    for (uint32_t i = 0; i < 50000; i++) /* each over two of the first pass */
        assert_int_equal(tio_vext_put(&x, (uint64_t)i * 8192 + 2048, 4096, i + 1), 2);
    assert_int_equal(x.cap, cap);
    struct tio_vext_extent e;
    assert_true(tio_vext_first_from(&x, 0, &e));
    assert_int_equal(e.pos, 2048);
    assert_false(tio_vext_first_from(&x, 50000ull * 8192, &e));
    assert_int_equal(x.count, 50000);
    tio_vext_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(against_model),
        cmocka_unit_test(grows_and_reuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
