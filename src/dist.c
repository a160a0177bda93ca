/* dist.c — see dist.h. The only file that includes <mpi.h>.
 *
 * mpirun marks the processes it starts in their environment
 * (OMPI_COMM_WORLD_SIZE; PMIX_RANK and PMI_SIZE for other launchers), so
 * lrc joins MPI only then: a plain `lrc FILE.lr` never loads the
 * library's machinery, and behaves as it did before MPI existed. */
#include "dist.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"

#ifdef LRC_MPI
#include <mpi.h>
#endif

static struct {
    int rank, size;
    bool joined; /* MPI_Init was called */
    int stderr_fd; /* a quiet worker's own stderr; -1 when not quiet */
} world = {0, 1, false, -1};

#ifdef LRC_MPI
static MPI_Request meeting = MPI_REQUEST_NULL; /* dist_meet_start's barrier */
#endif

/* The world size mpirun announced, 0 when not started by it. */
static int launched_size(int *rank)
{
    static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    static const char *const ranks[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        const char *size = getenv(sizes[i]), *r = getenv(ranks[i]);
        if (size && *size) {
            *rank = r ? atoi(r) : 0;
            return atoi(size);
        }
    }
    *rank = 0;
    return 0;
}

int dist_init(int *argc, char ***argv, char *why, size_t why_size)
{
    int rank, size = launched_size(&rank);
    if (size <= 1)
        return 0;
    /* mpirun forwards what a rank writes as it reads it, between its own
     * notices and the other ranks' lines: a message goes out as one
     * write, not as the pieces diag.c writes unbuffered (nothing has been
     * written yet, as setvbuf requires). */
    setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
#ifdef LRC_MPI
    int provided;
    /* OpenMPI's shared-memory transport copies between processes with
     * process_vm_readv, which the sandbox's undumpable processes (and
     * many containers) refuse: each refusal printed a line before it fell
     * back to copying through the shared segment. Copy through it from
     * the start, unless the user chose otherwise. */
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
    /* lrc's own threads never call MPI: only the main thread does. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        snprintf(why, why_size, "cannot join the MPI job mpirun started (MPI_Init failed)");
        return -1;
    }
    world.joined = true;
    MPI_Comm_rank(MPI_COMM_WORLD, &world.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world.size);
    /* A rank's failure ends the job with a status (dist_abort), never
     * with MPI's own message about an error handler. */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return 0;
#else
    (void)argc;
    (void)argv;
    snprintf(why, why_size,
             "mpirun started %d processes, but this lrc was built without MPI (libopenmpi-dev "
             "was missing): each would train the whole model alone. Install it (make deps) "
             "and rebuild (make), or run lrc without mpirun",
             size);
    world.rank = rank;
    return -1;
#endif
}

void dist_finish(void)
{
#ifdef LRC_MPI
    if (world.joined)
        MPI_Finalize();
    world.joined = false;
#endif
}

void dist_abort(int code)
{
#ifdef LRC_MPI
    if (world.joined && world.size > 1)
        MPI_Abort(MPI_COMM_WORLD, code);
#endif
    exit(code);
}

int dist_rank(void)
{
    return world.rank;
}

int dist_size(void)
{
    return world.size;
}

int dist_local_size(void)
{
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    int n = local ? atoi(local) : 1;
    return n >= 1 ? n : 1;
}

const char *dist_library(void)
{
#ifdef LRC_MPI
    static char version[64];
    if (!version[0]) {
#ifdef OMPI_MAJOR_VERSION
        snprintf(version, sizeof version, "OpenMPI %d.%d.%d", OMPI_MAJOR_VERSION,
                 OMPI_MINOR_VERSION, OMPI_RELEASE_VERSION);
#else
        snprintf(version, sizeof version, "MPI %d.%d", MPI_VERSION, MPI_SUBVERSION);
#endif
    }
    return version;
#else
    return NULL;
#endif
}

LrStatus dist_agree(LrStatus status)
{
    if (world.size == 1)
        return status;
    double worst = (double)status.outcome;
    dist_max_doubles(&worst, 1);
    LrOutcome outcome = (LrOutcome)worst;
    return outcome == status.outcome ? status : status_of(outcome);
}

void dist_quiet(void)
{
    if (world.rank == 0 || world.stderr_fd >= 0)
        return;
    fflush(stdout);
    fflush(stderr);
    /* What it says when it speaks is marked, even if formatted now. */
    diag_set_rank(world.rank);
    int null = open("/dev/null", O_WRONLY);
    world.stderr_fd = dup(2);
    if (null >= 0) {
        dup2(null, 1);
        dup2(null, 2);
        close(null);
    }
}

void dist_speak(void)
{
    if (world.stderr_fd < 0)
        return;
    fflush(stderr);
    dup2(world.stderr_fd, 2);
    close(world.stderr_fd);
    world.stderr_fd = -1;
    diag_set_rank(world.rank);
}

/* A collective call that fails leaves the ranks out of step: nothing
 * sensible can follow, so the job ends. */
#ifdef LRC_MPI
static void check(int result, const char *what)
{
    if (result == MPI_SUCCESS)
        return;
    dist_speak();
    diag_plain("%s failed (MPI error %d); ending the job", what, result);
    dist_abort(1);
}
#endif

void dist_max_doubles(double *v, int n)
{
#ifdef LRC_MPI
    if (world.size > 1)
        check(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD),
              "MPI_Allreduce (max)");
#else
    (void)v;
    (void)n;
#endif
}

void dist_sum_int64(int64_t *v, size_t n)
{
#ifdef LRC_MPI
    /* In pieces an int count can hold. */
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; world.size > 1 && done < n; done += piece)
        check(MPI_Allreduce(MPI_IN_PLACE, v + done, (int)(n - done < piece ? n - done : piece),
                            MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
              "MPI_Allreduce (sum)");
#else
    (void)v;
    (void)n;
#endif
}

void dist_broadcast_bytes(void *v, size_t n, int root)
{
#ifdef LRC_MPI
    const size_t piece = (size_t)1 << 30;
    for (size_t done = 0; world.size > 1 && done < n; done += piece)
        check(MPI_Bcast((char *)v + done, (int)(n - done < piece ? n - done : piece), MPI_BYTE,
                        root, MPI_COMM_WORLD),
              "MPI_Bcast");
#else
    (void)v;
    (void)n;
    (void)root;
#endif
}

void dist_broadcast(float *v, size_t n, int root)
{
    dist_broadcast_bytes(v, n * sizeof *v, root);
}

void dist_gather_int64(int64_t mine, int64_t *all)
{
    all[world.rank] = mine;
#ifdef LRC_MPI
    if (world.size > 1)
        check(MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, 1, MPI_INT64_T,
                            MPI_COMM_WORLD),
              "MPI_Allgather");
#endif
}

void dist_gather_bytes(void *all, const int *counts, const int *at)
{
#ifdef LRC_MPI
    if (world.size > 1)
        check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, counts, at, MPI_BYTE,
                             MPI_COMM_WORLD),
              "MPI_Allgatherv");
#else
    (void)all;
    (void)counts;
    (void)at;
#endif
}

void dist_exchange(const float *send, const int *send_counts, const int *send_at, float *recv,
                   const int *recv_counts, const int *recv_at)
{
#ifdef LRC_MPI
    if (world.size > 1) {
        check(MPI_Alltoallv(send, send_counts, send_at, MPI_FLOAT, recv, recv_counts, recv_at,
                            MPI_FLOAT, MPI_COMM_WORLD),
              "MPI_Alltoallv");
        return;
    }
#endif
    memcpy(recv + recv_at[0], send + send_at[0], (size_t)send_counts[0] * sizeof *send);
    (void)recv_counts;
}

void dist_relay_wait(double *v, size_t n)
{
#ifdef LRC_MPI
    if (world.rank > 0)
        check(MPI_Recv(v, (int)n, MPI_DOUBLE, world.rank - 1, 0, MPI_COMM_WORLD,
                       MPI_STATUS_IGNORE),
              "MPI_Recv");
#else
    (void)v;
    (void)n;
#endif
}

void dist_relay_pass(double *v, size_t n)
{
#ifdef LRC_MPI
    if (world.rank + 1 < world.size)
        check(MPI_Send(v, (int)n, MPI_DOUBLE, world.rank + 1, 0, MPI_COMM_WORLD), "MPI_Send");
    dist_broadcast_bytes(v, n * sizeof *v, world.size - 1);
#else
    (void)v;
    (void)n;
#endif
}

double dist_sum_scale(double max_abs, int shards)
{
    if (!(max_abs > 0))
        return 0.0;
    int headroom = 0;
    while ((1 << headroom) < shards)
        headroom++;
    int e;
    frexp(max_abs, &e); /* max_abs < 2^e */
    return ldexp(1.0, 62 - headroom - e);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define X86_DISPATCH 1
#define ALWAYS_INLINE __attribute__((always_inline))
#define AVX512DQ __attribute__((target("avx512f,avx512dq")))
#define AVX2 __attribute__((target("avx2")))
#else
#define X86_DISPATCH 0
#define ALWAYS_INLINE
#endif

/* By runs of SUM_RUN values, a shard at a time, so that each pass reads
 * one shard's values in order (integer sums: the order is free) and the
 * run's sums stay in the L1 cache. */
enum { SUM_RUN = 512 };

/* The bodies of the functions below, compiled twice on x86-64 (below). */
static inline ALWAYS_INLINE void to_int_runs(int64_t *sum, const float *values, size_t n,
                                             size_t stride, int shards, double scale)
{
    for (size_t i = 0; i < n; i += SUM_RUN) {
        const size_t run = n - i < SUM_RUN ? n - i : SUM_RUN;
        int64_t *s = sum + i;
        if (shards == 0) { /* more ranks than shards: this one adds zero */
            memset(s, 0, run * sizeof *s);
            continue;
        }
        const float *g = values + i;
        for (size_t j = 0; j < run; j++)
            s[j] = (int64_t)((double)g[j] * scale);
        for (int k = 1; k < shards; k++) {
            g = values + (size_t)k * stride + i;
            for (size_t j = 0; j < run; j++)
                s[j] += (int64_t)((double)g[j] * scale);
        }
    }
}

static inline ALWAYS_INLINE void int_to_float(float *out, const int64_t *sum, size_t n,
                                              double scale)
{
    const double unscale = scale > 0 ? 1.0 / scale : 0.0; /* a power of two: exact */
    for (size_t i = 0; i < n; i++)
        out[i] = (float)((double)sum[i] * unscale);
}

/* A run's integers on the stack, in L1, and straight back to floats. */
static inline ALWAYS_INLINE void to_float_runs(float *out, const float *values, size_t n,
                                               size_t stride, int shards, double scale)
{
    int64_t sum[SUM_RUN];
    for (size_t i = 0; i < n; i += SUM_RUN) {
        const size_t run = n - i < SUM_RUN ? n - i : SUM_RUN;
        to_int_runs(sum, values + i, run, stride, shards, scale);
        int_to_float(out + i, sum, run, scale);
    }
}

static inline ALWAYS_INLINE uint32_t max_bits(const float *values, size_t n, uint32_t bits)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &values[i], sizeof b);
        b &= 0x7fffffffu;
        bits = b > bits ? b : bits;
    }
    return bits;
}

/* x86-64 has no vector conversion between doubles and 64-bit integers
 * before AVX-512DQ, and the sum converts every value of every shard:
 * copies compiled for it, taken where the processor has it. perf of
 * bench/mlp_shard.lr on one thread (EPYC, 4 kHz): dist_shards_to_float
 * 908 samples against the baseline copy's 3830, the maximum 396 against
 * 1593. The conversions are exact either way, so both give the same
 * bytes. */
#if X86_DISPATCH
#define HAS_AVX512DQ() __builtin_cpu_supports("avx512dq")
AVX512DQ static void to_int_runs_avx512(int64_t *sum, const float *values, size_t n,
                                        size_t stride, int shards, double scale)
{
    to_int_runs(sum, values, n, stride, shards, scale);
}

AVX512DQ static void int_to_float_avx512(float *out, const int64_t *sum, size_t n, double scale)
{
    int_to_float(out, sum, n, scale);
}

AVX512DQ static void to_float_runs_avx512(float *out, const float *values, size_t n,
                                          size_t stride, int shards, double scale)
{
    to_float_runs(out, values, n, stride, shards, scale);
}

AVX512DQ static uint32_t max_bits_avx512(const float *values, size_t n, uint32_t bits)
{
    return max_bits(values, n, bits);
}

/* The maximum needs no conversion, only an unsigned compare, which x86-64
 * has in vectors from SSE4.1 on: in AVX2 it reads 7 times as fast as the
 * baseline's (0.04 against 0.3 ns a value on the EPYC the bench ran on). */
AVX2 static uint32_t max_bits_avx2(const float *values, size_t n, uint32_t bits)
{
    return max_bits(values, n, bits);
}
#endif

void dist_shards_to_int(int64_t *sum, const float *values, size_t n, size_t stride, int shards,
                        double scale)
{
#if X86_DISPATCH
    if (HAS_AVX512DQ()) {
        to_int_runs_avx512(sum, values, n, stride, shards, scale);
        return;
    }
#endif
    to_int_runs(sum, values, n, stride, shards, scale);
}

void dist_int_to_float(float *out, const int64_t *sum, size_t n, double scale)
{
#if X86_DISPATCH
    if (HAS_AVX512DQ()) {
        int_to_float_avx512(out, sum, n, scale);
        return;
    }
#endif
    int_to_float(out, sum, n, scale);
}

void dist_shards_to_float(float *out, const float *values, size_t n, size_t stride, int shards,
                          double scale)
{
#if X86_DISPATCH
    if (HAS_AVX512DQ()) {
        to_float_runs_avx512(out, values, n, stride, shards, scale);
        return;
    }
#endif
    to_float_runs(out, values, n, stride, shards, scale);
}

uint32_t dist_max_magnitude_bits(const float *values, size_t n, uint32_t bits)
{
#if X86_DISPATCH
    if (HAS_AVX512DQ())
        return max_bits_avx512(values, n, bits);
    if (__builtin_cpu_supports("avx2"))
        return max_bits_avx2(values, n, bits);
#endif
    return max_bits(values, n, bits);
}

bool dist_any(bool yes)
{
    double v = yes ? 1.0 : 0.0;
    dist_max_doubles(&v, 1);
    return v != 0.0;
}

bool dist_launcher_variable(const char *entry)
{
    /* OpenMPI's own (OMPI_COMM_WORLD_SIZE, its MCA settings), PMIx's and
     * those of PMI launchers (Slurm's srun, MPICH's hydra). */
    static const char *const prefixes[] = {"OMPI_", "PMIX_", "PMI_"};
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(entry, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

void dist_meet_start(void)
{
#ifdef LRC_MPI
    if (world.size > 1)
        check(MPI_Ibarrier(MPI_COMM_WORLD, &meeting), "MPI_Ibarrier");
#endif
}

bool dist_meet_done(void)
{
#ifdef LRC_MPI
    if (meeting == MPI_REQUEST_NULL)
        return true;
    int done = 0;
    check(MPI_Test(&meeting, &done, MPI_STATUS_IGNORE), "MPI_Test");
    return done != 0;
#else
    return true;
#endif
}
