/* pool.h — lrc's own worker threads, for the element-wise loops of
 * training (optimizer updates, bias + activation, their gradients, batch
 * gathering) and the dense products, which blas.c cuts into shape-fixed
 * blocks for single-threaded OpenBLAS.
 *
 * pool_run splits [0, n) into contiguous ranges and calls fn once per
 * range, on the calling thread and the workers at once. The ranges depend
 * on the thread count, so a loop run this way must compute each index (or
 * each row, or each column) without reference to the others: then its
 * results are the same bytes for every thread count. Reductions across
 * the split (a sum over all elements) do not belong here.
 *
 * The pool is process-wide, like the BLAS library's. */
#ifndef LR_POOL_H
#define LR_POOL_H
#include <stddef.h>

/* The most threads lrc's --threads accepts, and so the pool's limit. */
#define POOL_MAX_THREADS 1024
/* Loops shorter than this many elements per thread run on the calling
 * thread alone: waking a worker costs about as much as a few microseconds
 * of streaming arithmetic (bench/mlp.lr shows no gain below it). */
#define POOL_GRAIN 16384

/* The grain, in indices, of a loop doing `work` elements per index (a row
 * of that many columns, say). */
static inline size_t pool_grain(size_t work)
{
    return work >= POOL_GRAIN ? 1 : POOL_GRAIN / (work ? work : 1);
}

typedef void LrRangeFn(void *ctx, size_t begin, size_t end);

/* Sets the number of threads loops may use (1 = the calling thread only;
 * clamped to 1..POOL_MAX_THREADS). Call before pool_start. */
void pool_set_threads(int threads);
/* Starts the workers (threads - 1 of them) unless they run already. If
 * the system refuses a thread, the pool makes do with those it has:
 * results do not depend on the count. Call outside the training step: it
 * allocates. */
void pool_start(void);
/* Stops and joins the workers (also run at exit once started). */
void pool_stop(void);
/* Threads a pool_run of a large loop uses now (1 before pool_start). */
int pool_threads(void);
/* fn(ctx, begin, end) over [0, n) in ranges of at least `grain` indices
 * (all on the calling thread when n < 2 grain or the pool is not started);
 * returns when every range is done. Allocates nothing. Not reentrant: fn
 * must not call pool_run. */
void pool_run(size_t n, size_t grain, LrRangeFn *fn, void *ctx);

#endif
