/* pool.c — see pool.h. One job at a time: the caller publishes it by
 * bumping a generation counter, every worker acknowledges it (whether it
 * had a range or not, so that the job's fields are never rewritten while a
 * worker may still read them), and the caller waits for the
 * acknowledgements.
 *
 * Between jobs a worker polls for the next one for POOL_POLL_NS, yielding
 * its core at each poll (to a thread of another process, if one waits),
 * then sleeps on a condition variable. Within a training step jobs follow
 * each other by microseconds, and a futex wake-up per job cost more than
 * the split gained (bench/mlp.lr); once training is over the workers are
 * asleep within a fraction of a millisecond. */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* How long an idle worker polls before it sleeps. */
#define POOL_POLL_NS 200000

static struct {
    int wanted;  /* pool_set_threads */
    int workers; /* started: threads - 1 */
    pthread_t ids[POOL_MAX_THREADS];
    pthread_mutex_t lock;
    pthread_cond_t wake;
    atomic_uint generation; /* bumped once per job */
    atomic_int unacked;     /* workers yet to finish the current job */
    atomic_int sleepers;    /* workers waiting on `wake` */
    atomic_bool stopping;
    unsigned start_generation; /* the generation new workers start from */
    bool exit_registered;
    /* The current job; written only while no worker reads it. */
    LrRangeFn *fn;
    void *ctx;
    size_t n;
    int parts;
} pool = {
    .wanted = 1,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
};

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Part `part` of `parts` of [0, n): contiguous, in order, sizes differing
 * by at most one. */
static void run_part(int part)
{
    size_t n = pool.n, parts = (size_t)pool.parts, p = (size_t)part;
    size_t extra = n % parts;
    size_t begin = n / parts * p + (p < extra ? p : extra);
    size_t end = begin + n / parts + (p < extra ? 1 : 0);
    pool.fn(pool.ctx, begin, end);
}

/* The next generation after `seen`: polled, then slept for. */
static unsigned next_job(unsigned seen)
{
    unsigned now = atomic_load(&pool.generation);
    for (long long start = now_ns(); now == seen && now_ns() - start < POOL_POLL_NS;) {
        sched_yield();
        now = atomic_load(&pool.generation);
    }
    if (now != seen)
        return now;
    pthread_mutex_lock(&pool.lock);
    /* sleepers is raised before generation is read again, and the caller
     * bumps generation before it reads sleepers (both sequentially
     * consistent): either this sees the new job or the caller sees a
     * sleeper and signals under the lock. */
    atomic_fetch_add(&pool.sleepers, 1);
    while ((now = atomic_load(&pool.generation)) == seen && !atomic_load(&pool.stopping))
        pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleepers, 1);
    pthread_mutex_unlock(&pool.lock);
    return now;
}

static void *worker_main(void *arg)
{
    const int index = (int)(size_t)arg; /* 1 .. workers; the caller is 0 */
    unsigned seen = pool.start_generation;
    for (;;) {
        seen = next_job(seen);
        if (atomic_load(&pool.stopping))
            return NULL;
        if (index < pool.parts)
            run_part(index);
        atomic_fetch_sub(&pool.unacked, 1);
    }
}

void pool_set_threads(int threads)
{
    pool.wanted = threads < 1 ? 1 : threads > POOL_MAX_THREADS ? POOL_MAX_THREADS : threads;
}

void pool_start(void)
{
    if (pool.workers > 0 || pool.wanted < 2)
        return;
    /* Signals (SIGINT, SIGTERM) stay with the main thread, whose handler
     * asks the training loop to stop. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    atomic_store(&pool.stopping, false);
    pool.start_generation = atomic_load(&pool.generation);
    while (pool.workers < pool.wanted - 1) {
        if (pthread_create(&pool.ids[pool.workers], NULL, worker_main,
                           (void *)(size_t)(pool.workers + 1)) != 0)
            break; /* fewer threads: the same results, a little later */
        pool.workers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!pool.exit_registered && pool.workers > 0)
        pool.exit_registered = atexit(pool_stop) == 0;
}

void pool_stop(void)
{
    if (pool.workers == 0)
        return;
    pthread_mutex_lock(&pool.lock);
    atomic_store(&pool.stopping, true);
    atomic_fetch_add(&pool.generation, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.workers; i++)
        pthread_join(pool.ids[i], NULL);
    pool.workers = 0;
}

int pool_threads(void)
{
    return pool.workers + 1;
}

void pool_run(size_t n, size_t grain, LrRangeFn *fn, void *ctx)
{
    if (grain < 1)
        grain = 1;
    size_t parts = n / grain;
    if (parts > (size_t)pool.workers + 1)
        parts = (size_t)pool.workers + 1;
    if (parts < 2) {
        if (n > 0)
            fn(ctx, 0, n);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    pool.parts = (int)parts;
    atomic_store(&pool.unacked, pool.workers);
    atomic_fetch_add(&pool.generation, 1);
    if (atomic_load(&pool.sleepers) > 0) {
        pthread_mutex_lock(&pool.lock);
        pthread_cond_broadcast(&pool.wake);
        pthread_mutex_unlock(&pool.lock);
    }
    run_part(0);
    /* The other parts are about as long as this one: poll, yielding. */
    while (atomic_load(&pool.unacked) > 0)
        sched_yield();
}
