/* A library the "dep" variant of the benchmark plugin links against. */
#ifndef TENON_BENCH_DEP_H
#define TENON_BENCH_DEP_H

__attribute__((visibility("default"))) int bench_dep_value(void);

#endif
