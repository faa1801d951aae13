/* Registry teardown: every loaded plugin finied before what it requires,
 * holds or owns instances of, in time linear in plugins and edges (the
 * plan below), with a slow fallback that needs no memory. */
#include "internal.h"

#include <stdlib.h>

/* ---- Teardown --------------------------------------------------------------- */

/* The order registry teardown finis plugins in. An edge says "from is
 * finied before to": from requires to, holds it, or owns a live instance
 * of to (made it, or an instance of from's made it), whose fini is to's
 * code. The plan is built once, under the lock, and followed with counts
 * of what each plugin still waits for (Kahn), so teardown costs
 * O((plugins + edges) log plugins) however the plugins depend on each
 * other. Among plugins that wait for nothing the newest load goes first;
 * only plugins on a cycle (holds taken at run time can make one) fall back
 * to that order among themselves: the cycles are the graph's strongly
 * connected components (Tarjan), and a component opens when nothing
 * outside it waits to be finied first. Positions are in order, newest
 * load first, so a smaller position is a newer load. */
typedef struct fini_plan {
    tenon_plugin **order; /* the loaded plugins, newest load first */
    size_t n;
    size_t *edge;  /* targets, by source: edge[first[i] .. first[i + 1]) */
    size_t *block; /* every array below */
    size_t *pos;   /* by plugin index: position, or SIZE_MAX */
    size_t *first;
    size_t *comp;       /* component of each position */
    size_t *members;    /* positions, grouped by component ... */
    size_t *comp_first; /* ... those of c from comp_first[c] */
    size_t n_comps;
    size_t *outside; /* by component: edges into it from unfinished plugins outside */
    size_t *inside;  /* by position: edges into it from unfinished plugins of its component */
    size_t *ready, n_ready; /* heap: plugins that wait for nothing */
    size_t *open, n_open;   /* heap: plugins of open components */
    size_t *done;
    size_t *idx, *low, *stack, *call, *cursor, *on_stack; /* Tarjan's */
} fini_plan;

static void plan_free(fini_plan *fp)
{
    tenon__free(fp->order);
    tenon__free(fp->edge);
    tenon__free(fp->block);
}

static int newest_first(const void *a, const void *b)
{
    uint64_t x = (*(tenon_plugin *const *)a)->load_seq;
    uint64_t y = (*(tenon_plugin *const *)b)->load_seq;
    return x < y ? 1 : x > y ? -1 : 0;
}

static size_t pos_of(const fini_plan *fp, const tenon_plugin *p)
{
    return p ? fp->pos[p->index] : SIZE_MAX;
}

/* Counts an edge (first pass) or stores it (second pass, once fp->edge is
 * allocated; fp->ready then holds each source's next free slot). */
static void add_edge(fini_plan *fp, size_t from, size_t to)
{
    if (from == SIZE_MAX || to == SIZE_MAX || from == to)
        return;
    if (fp->edge)
        fp->edge[fp->ready[from]++] = to;
    else
        fp->first[from + 1]++;
}

static void visit_edges(tenon_registry *reg, fini_plan *fp)
{
    for (size_t i = 0; i < fp->n; i++) {
        const tenon_plugin *p = fp->order[i];
        for (size_t d = 0; d < p->n_deps; d++)
            add_edge(fp, i, pos_of(fp, p->deps[d]));
        for (size_t h = 0; h < p->n_holders; h++)
            add_edge(fp, pos_of(fp, p->holders[h].by), i);
    }
    for (size_t k = 0; k < reg->n_instances; k++) {
        const tenon_instance *inst = reg->instances[k];
        add_edge(fp, pos_of(fp, inst->root), pos_of(fp, inst->plugin));
    }
}

/* Tarjan's strongly connected components, without recursion. */
static void find_components(fini_plan *fp)
{
    size_t counter = 0, sp = 0, n_members = 0;
    for (size_t i = 0; i < fp->n; i++)
        fp->idx[i] = SIZE_MAX;
    for (size_t root = 0; root < fp->n; root++) {
        if (fp->idx[root] != SIZE_MAX)
            continue;
        size_t depth = 0;
        fp->call[0] = root;
        fp->cursor[0] = fp->first[root];
        fp->idx[root] = fp->low[root] = counter++;
        fp->stack[sp++] = root;
        fp->on_stack[root] = 1;
        for (;;) {
            size_t v = fp->call[depth];
            if (fp->cursor[depth] < fp->first[v + 1]) {
                size_t w = fp->edge[fp->cursor[depth]++];
                if (fp->idx[w] == SIZE_MAX) {
                    fp->idx[w] = fp->low[w] = counter++;
                    fp->stack[sp++] = w;
                    fp->on_stack[w] = 1;
                    depth++;
                    fp->call[depth] = w;
                    fp->cursor[depth] = fp->first[w];
                } else if (fp->on_stack[w] && fp->idx[w] < fp->low[v]) {
                    fp->low[v] = fp->idx[w];
                }
                continue;
            }
            if (fp->low[v] == fp->idx[v]) {
                fp->comp_first[fp->n_comps] = n_members;
                size_t w;
                do {
                    w = fp->stack[--sp];
                    fp->on_stack[w] = 0;
                    fp->comp[w] = fp->n_comps;
                    fp->members[n_members++] = w;
                } while (w != v);
                fp->n_comps++;
            }
            if (depth == 0)
                break;
            size_t u = fp->call[--depth];
            if (fp->low[v] < fp->low[u])
                fp->low[u] = fp->low[v];
        }
    }
    fp->comp_first[fp->n_comps] = n_members;
}

/* Lock held. Returns 0 (fp->n 0: nothing is loaded) or TENON_ENOMEM. */
static int plan_make(tenon_registry *reg, fini_plan *fp)
{
    *fp = (fini_plan){0};
    size_t n = 0;
    for (size_t i = 0; i < reg->n_plugins; i++)
        n += reg->plugins[i]->state == TENON__LOADED;
    if (!n)
        return 0;
    fp->order = tenon__calloc(n, sizeof(*fp->order));
    /* pos, first and comp_first, and the 13 arrays of n. */
    size_t words = reg->n_plugins + 2 * (n + 1) + 13 * n;
    fp->block = tenon__calloc(words, sizeof(size_t));
    if (!fp->order || !fp->block)
        goto nomem;
    size_t *at = fp->block;
    fp->pos = at, at += reg->n_plugins;
    fp->first = at, at += n + 1;
    fp->comp_first = at, at += n + 1;
    size_t **arrays[] = {&fp->comp, &fp->members, &fp->outside, &fp->inside, &fp->ready,
                         &fp->open, &fp->done,    &fp->idx,     &fp->low,    &fp->stack,
                         &fp->call, &fp->cursor,  &fp->on_stack};
    for (size_t k = 0; k < TENON__ARRAY_SIZE(arrays); k++)
        *arrays[k] = at, at += n;

    for (size_t i = 0; i < reg->n_plugins; i++)
        if (reg->plugins[i]->state == TENON__LOADED)
            fp->order[fp->n++] = reg->plugins[i];
    qsort(fp->order, fp->n, sizeof(*fp->order), newest_first);
    for (size_t i = 0; i < reg->n_plugins; i++)
        fp->pos[i] = SIZE_MAX;
    for (size_t i = 0; i < fp->n; i++)
        fp->pos[fp->order[i]->index] = i;

    visit_edges(reg, fp); /* counts */
    for (size_t i = 0; i < fp->n; i++) {
        fp->first[i + 1] += fp->first[i];
        fp->ready[i] = fp->first[i];
    }
    fp->edge = tenon__calloc(fp->first[fp->n], sizeof(*fp->edge));
    if (!fp->edge)
        goto nomem;
    visit_edges(reg, fp); /* stores */

    find_components(fp);
    for (size_t v = 0; v < fp->n; v++) {
        for (size_t e = fp->first[v]; e < fp->first[v + 1]; e++) {
            size_t w = fp->edge[e];
            if (fp->comp[w] != fp->comp[v])
                fp->outside[fp->comp[w]]++;
            else
                fp->inside[w]++;
        }
    }
    return 0;
nomem:
    plan_free(fp);
    return TENON_ENOMEM;
}

/* Min-heaps of positions: the newest load on top. */
static void heap_push(size_t *heap, size_t *n, size_t v)
{
    size_t k = (*n)++;
    while (k > 0 && heap[(k - 1) / 2] > v) {
        heap[k] = heap[(k - 1) / 2];
        k = (k - 1) / 2;
    }
    heap[k] = v;
}

static size_t heap_pop(size_t *heap, size_t *n)
{
    size_t top = heap[0], v = heap[--*n], k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && heap[c + 1] < heap[c])
            c++;
        if (heap[c] >= v)
            break;
        heap[k] = heap[c];
        k = c;
    }
    heap[k] = v;
    return top;
}

/* Nothing outside component c waits any more. */
static void open_component(fini_plan *fp, size_t c)
{
    for (size_t m = fp->comp_first[c]; m < fp->comp_first[c + 1]; m++) {
        size_t v = fp->members[m];
        heap_push(fp->open, &fp->n_open, v);
        if (!fp->inside[v])
            heap_push(fp->ready, &fp->n_ready, v);
    }
}

static void plan_run(tenon_registry *reg, fini_plan *fp)
{
    fp->n_ready = fp->n_open = 0;
    for (size_t c = 0; c < fp->n_comps; c++)
        if (!fp->outside[c])
            open_component(fp, c);
    for (;;) {
        size_t i;
        if (fp->n_ready)
            i = heap_pop(fp->ready, &fp->n_ready);
        else if (fp->n_open) /* only cycles are left: break one, newest first */
            i = heap_pop(fp->open, &fp->n_open);
        else
            return;
        if (fp->done[i])
            continue;
        fp->done[i] = 1;
        tenon_plugin *p = fp->order[i];
        tenon__lock(reg);
        bool loaded = p->state == TENON__LOADED; /* a fini may have unloaded it */
        tenon__unlock(reg);
        if (loaded)
            tenon__plugin_fini_unload(p, true);
        for (size_t e = fp->first[i]; e < fp->first[i + 1]; e++) {
            size_t to = fp->edge[e], c = fp->comp[to];
            if (c != fp->comp[i]) {
                if (--fp->outside[c] == 0)
                    open_component(fp, c);
            } else if (--fp->inside[to] == 0 && !fp->outside[c] && !fp->done[to]) {
                heap_push(fp->ready, &fp->n_ready, to);
            }
        }
    }
}

/* Teardown without memory for a plan: the same order, one plugin per
 * round, each round walking every plugin. */
static void fini_rest_slowly(tenon_registry *reg)
{
    for (;;) {
        tenon_plugin *last = NULL, *last_needed = NULL;
        tenon__lock(reg);
        for (size_t i = 0; i < reg->n_plugins; i++)
            reg->plugins[i]->needed = false;
        for (size_t i = 0; i < reg->n_plugins; i++) {
            tenon_plugin *q = reg->plugins[i];
            if (q->state != TENON__LOADED)
                continue;
            for (size_t d = 0; d < q->n_deps; d++)
                if (q->deps[d] != q)
                    q->deps[d]->needed = true;
            for (size_t h = 0; h < q->n_holders; h++) {
                const tenon_plugin *by = q->holders[h].by;
                if (by && by != q && by->state == TENON__LOADED)
                    q->needed = true;
            }
        }
        for (size_t k = 0; k < reg->n_instances; k++) {
            tenon_instance *inst = reg->instances[k];
            if (inst->root && inst->root != inst->plugin && inst->root->state == TENON__LOADED)
                inst->plugin->needed = true;
        }
        for (size_t i = 0; i < reg->n_plugins; i++) {
            tenon_plugin *p = reg->plugins[i];
            if (p->state != TENON__LOADED)
                continue;
            tenon_plugin **slot = p->needed ? &last_needed : &last;
            if (!*slot || p->load_seq > (*slot)->load_seq)
                *slot = p;
        }
        tenon__unlock(reg);
        if (!last)
            last = last_needed;
        if (!last)
            return;
        tenon__plugin_fini_unload(last, true);
    }
}

void tenon__fini_all(tenon_registry *reg)
{
    /* A fini may load plugins again: each round plans what is loaded. */
    for (;;) {
        fini_plan fp;
        tenon__lock(reg);
        int rc = plan_make(reg, &fp);
        tenon__unlock(reg);
        if (rc < 0) {
            fini_rest_slowly(reg);
            return;
        }
        if (!fp.n)
            return;
        plan_run(reg, &fp);
        plan_free(&fp);
    }
}
