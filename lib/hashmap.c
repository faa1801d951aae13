/* Open-addressing hash map from borrowed string keys to pointers, for name
 * lookups that must stay O(1) with ten thousand plugins. */
#include "internal.h"

#include <string.h>

struct tenon__map_slot {
    const char *key; /* NULL: empty; TOMBSTONE: deleted */
    uint64_t hash;
    void *value;
};

static const char tombstone_mark;
#define TOMBSTONE (&tombstone_mark)

uint64_t tenon__hash(const char *s)
{
    /* FNV-1a: short keys, no adversarial input that could not also just
     * create many files. */
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

void tenon__map_init(tenon__map *map)
{
    memset(map, 0, sizeof(*map));
}

void tenon__map_free(tenon__map *map)
{
    tenon__free(map->slots);
    tenon__map_init(map);
}

static struct tenon__map_slot *find_slot(const tenon__map *map, const char *key, uint64_t hash,
                                         bool for_insert)
{
    if (!map->cap)
        return NULL;
    size_t mask = map->cap - 1;
    struct tenon__map_slot *first_free = NULL;
    for (size_t i = hash & mask, n = 0; n < map->cap; i = (i + 1) & mask, n++) {
        struct tenon__map_slot *s = &map->slots[i];
        if (!s->key)
            return for_insert && first_free ? first_free : (for_insert ? s : NULL);
        if (s->key == TOMBSTONE) {
            if (!first_free)
                first_free = s;
            continue;
        }
        if (s->hash == hash && strcmp(s->key, key) == 0)
            return s;
    }
    return for_insert ? first_free : NULL;
}

static int rehash(tenon__map *map, size_t new_cap)
{
    struct tenon__map_slot *slots = tenon__calloc(new_cap, sizeof(*slots));
    if (!slots)
        return TENON_ENOMEM;
    struct tenon__map_slot *old = map->slots;
    size_t old_cap = map->cap;
    map->slots = slots;
    map->cap = new_cap;
    map->count = 0;
    map->tombstones = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].key && old[i].key != TOMBSTONE) {
            struct tenon__map_slot *s = find_slot(map, old[i].key, old[i].hash, true);
            *s = old[i];
            map->count++;
        }
    }
    tenon__free(old);
    return 0;
}

void tenon__map_clear(tenon__map *map)
{
    if (map->cap)
        memset(map->slots, 0, map->cap * sizeof(*map->slots));
    map->count = 0;
    map->tombstones = 0;
}

/* Whether n keys (and no tombstones) fit in cap slots without a put
 * growing the map: put grows when (count + tombstones + 1) * 4 >= cap * 3. */
static bool fits(size_t n, size_t cap)
{
    return n * 4 < cap * 3;
}

int tenon__map_reserve(tenon__map *map, size_t n)
{
    if (fits(n + map->tombstones, map->cap))
        return 0;
    size_t cap = map->cap ? map->cap : 16;
    while (!fits(n, cap))
        cap *= 2;
    return rehash(map, cap);
}

int tenon__map_put(tenon__map *map, const char *key, void *value)
{
    if ((map->count + map->tombstones + 1) * 4 >= map->cap * 3) {
        size_t cap = map->cap ? map->cap : 16;
        while ((map->count + 1) * 2 >= cap)
            cap *= 2;
        if (rehash(map, cap) < 0)
            return TENON_ENOMEM;
    }
    uint64_t hash = tenon__hash(key);
    struct tenon__map_slot *s = find_slot(map, key, hash, true);
    if (s->key && s->key != TOMBSTONE) {
        s->key = key;
        s->value = value;
        return 0;
    }
    if (s->key == TOMBSTONE)
        map->tombstones--;
    s->key = key;
    s->hash = hash;
    s->value = value;
    map->count++;
    return 0;
}

void *tenon__map_get(const tenon__map *map, const char *key)
{
    struct tenon__map_slot *s = find_slot(map, key, tenon__hash(key), false);
    return s ? s->value : NULL;
}

void tenon__map_del(tenon__map *map, const char *key)
{
    struct tenon__map_slot *s = find_slot(map, key, tenon__hash(key), false);
    if (!s)
        return;
    s->key = TOMBSTONE;
    s->value = NULL;
    map->count--;
    map->tombstones++;
}
