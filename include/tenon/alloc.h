/* Memory allocation hooks, as jansson's json_set_alloc_funcs. */
#ifndef TENON_ALLOC_H
#define TENON_ALLOC_H

#include <tenon/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef void *(*tenon_malloc_fn)(size_t size);
typedef void *(*tenon_realloc_fn)(void *ptr, size_t size);
typedef void (*tenon_free_fn)(void *ptr);

/* Routes every allocation libtenon makes through these functions (NULL
 * restores the C library's). Call it before any other tenon function; it is
 * not safe while another thread uses the library. Memory is always freed
 * with the free function in effect when it was allocated. Every failing
 * allocation ends the call that made it with TENON_ENOMEM and no leak. */
TENON_API void tenon_set_allocator(tenon_malloc_fn malloc_fn, tenon_realloc_fn realloc_fn,
                                   tenon_free_fn free_fn);

#ifdef __cplusplus
}
#endif

#endif
