/* test_pool.c — pool_run covers [0, n) exactly once, in contiguous ranges
 * of at least the grain, in order, for thread counts 1 to 4 (on any
 * machine: the pool starts as many threads as asked); small loops stay on
 * the calling thread; the pool stops and starts again. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pool.h"

enum { MAX_N = 100000, MAX_RANGES = 64 };

typedef struct Record {
    unsigned char hits[MAX_N];
    atomic_int ranges;
    size_t begin[MAX_RANGES], end[MAX_RANGES];
    pthread_t thread[MAX_RANGES];
} Record;

static Record record;

static void mark(void *ctx, size_t begin, size_t end)
{
    Record *r = ctx;
    int slot = atomic_fetch_add(&r->ranges, 1);
    if (slot < MAX_RANGES) {
        r->begin[slot] = begin;
        r->end[slot] = end;
        r->thread[slot] = pthread_self();
    }
    for (size_t i = begin; i < end; i++)
        r->hits[i]++; /* ranges are disjoint: no two threads write one byte */
}

/* Runs n, grain and checks coverage; returns the number of ranges. */
static int run_and_check(size_t n, size_t grain)
{
    memset(record.hits, 0, n);
    atomic_store(&record.ranges, 0);
    pool_run(n, grain, mark, &record);
    for (size_t i = 0; i < n; i++)
        if (record.hits[i] != 1)
            fail_msg("n %zu grain %zu: index %zu done %d times", n, grain, i, record.hits[i]);
    int ranges = atomic_load(&record.ranges);
    assert_true(ranges <= pool_threads());
    /* Sorted by begin, the ranges tile [0, n) and none is below the grain. */
    size_t at = 0;
    for (int found = 0; found < ranges; found++) {
        int k = 0;
        while (k < ranges && record.begin[k] != at)
            k++;
        if (k == ranges)
            fail_msg("n %zu grain %zu: no range starts at %zu", n, grain, at);
        if (ranges > 1)
            assert_true(record.end[k] - record.begin[k] >= (grain ? grain : 1));
        at = record.end[k];
    }
    assert_int_equal(at, n);
    return ranges;
}

static void test_pool__covers_every_index_once(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 7, 100, 1000, 4097, 65536, 99999};
    static const size_t grains[] = {0, 1, 3, 64, 1000, 40000};
    for (int threads = 1; threads <= 4; threads++) {
        pool_set_threads(threads);
        pool_start();
        assert_int_equal(pool_threads(), threads);
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (size_t g = 0; g < sizeof grains / sizeof *grains; g++)
                run_and_check(sizes[s], grains[g]);
        pool_stop();
        assert_int_equal(pool_threads(), 1);
    }
}

static void test_pool__splits_large_loops_across_threads(void **state)
{
    (void)state;
    pool_set_threads(3);
    pool_start();
    /* 3 ranges of 30000 or so, on 3 different threads. */
    assert_int_equal(run_and_check(90001, 1000), 3);
    assert_false(pthread_equal(record.thread[0], record.thread[1]));
    assert_false(pthread_equal(record.thread[0], record.thread[2]));
    assert_false(pthread_equal(record.thread[1], record.thread[2]));
    /* Fewer than two grains: one range, on this thread. */
    assert_int_equal(run_and_check(1999, 1000), 1);
    assert_true(pthread_equal(record.thread[0], pthread_self()));
    /* Two grains: two ranges although three threads are there. */
    assert_int_equal(run_and_check(2000, 1000), 2);
    /* Many jobs in a row, as in a training loop. */
    for (int i = 0; i < 2000; i++)
        run_and_check(3000 + (size_t)i, 1000);
    pool_stop();
}

static void test_pool__one_thread_runs_inline(void **state)
{
    (void)state;
    pool_set_threads(1);
    pool_start();
    assert_int_equal(pool_threads(), 1);
    assert_int_equal(run_and_check(MAX_N, 1), 1);
    assert_true(pthread_equal(record.thread[0], pthread_self()));
    /* A thread count below 1 means 1. */
    pool_set_threads(0);
    pool_start();
    assert_int_equal(pool_threads(), 1);
}

static void test_pool__grain_for_wide_and_narrow_rows(void **state)
{
    (void)state;
    assert_int_equal(pool_grain(0), POOL_GRAIN);
    assert_int_equal(pool_grain(1), POOL_GRAIN);
    assert_int_equal(pool_grain(128), POOL_GRAIN / 128);
    assert_int_equal(pool_grain(POOL_GRAIN), 1);
    assert_int_equal(pool_grain(10 * POOL_GRAIN), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool__covers_every_index_once),
        cmocka_unit_test(test_pool__splits_large_loops_across_threads),
        cmocka_unit_test(test_pool__one_thread_runs_inline),
        cmocka_unit_test(test_pool__grain_for_wide_and_narrow_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
