/* dist.h — lrc across processes: data-parallel training under `mpirun`
 * (OpenMPI). dist.c is the only file that includes <mpi.h>; built without
 * MPI (LRC_MPI unset) it is a world of one process that refuses to be
 * started by mpirun as one of several.
 *
 * Every rank runs the same experiment on the same data with the same
 * seed. A step's batch is cut into fixed shards (train shard=, rows each);
 * the ranks share the shards out, and their gradients are summed exactly
 * (dist_sum_scale), so that the update, and so every byte of the run,
 * does not depend on how many ranks there are.
 *
 * A sweep under mpirun is shared out the other way: each rank runs whole
 * runs of it, each one a process of its own that is a world of one
 * (dist_launcher_variable), and the ranks meet at the end
 * (dist_meet_start). */
#ifndef LR_DIST_H
#define LR_DIST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "status.h"

/* Joins the MPI world when started by mpirun (its environment says so),
 * else stays a world of one. Returns 0; -1 with a reason when mpirun
 * started lrc as one of several processes and this lrc cannot join them
 * (built without MPI, or MPI_Init failed). */
int dist_init(int *argc, char ***argv, char *why, size_t why_size);
/* Leaves the MPI world (after the last collective call). */
void dist_finish(void);
/* Ends every rank at once after an error only this rank met: the others
 * would wait for it forever. */
void dist_abort(int code);

int dist_rank(void);
int dist_size(void);
/* The ranks mpirun started on this machine (1 when not known). */
int dist_local_size(void);
/* Whether this lrc was built with MPI ("OpenMPI 4.1.4" in run.json). */
const char *dist_library(void);

/* Every rank's outcome becomes the worst of them (a language error over
 * a failed run over success), so that all go on or all stop; the point
 * where each rank calls it must be the same. */
LrStatus dist_agree(LrStatus status);

/* The ranks but the first write nothing, results or messages: the job's
 * output is rank 0's. dist_quiet sends a worker's stdout and stderr to
 * /dev/null; dist_speak gives a worker its stderr back, its messages
 * marked with its rank, for what only it may meet (building its plan). */
void dist_quiet(void);
void dist_speak(void);

/* In place on every rank: the largest of each element over the ranks. */
void dist_max_doubles(double *v, int n);
/* In place on every rank: the sum of each element over the ranks (exact:
 * integers). */
void dist_sum_int64(int64_t *v, size_t n);
/* rank `root`'s n floats, on every rank. */
void dist_broadcast(float *v, size_t n, int root);
/* rank `root`'s n bytes, on every rank. */
void dist_broadcast_bytes(void *v, size_t n, int root);
/* all[r] := rank r's `mine`, on every rank (all has dist_size() slots). */
void dist_gather_int64(int64_t mine, int64_t *all);
/* In place on every rank: rank r's counts[r] bytes, which it holds at
 * offset at[r] of all, reach every rank there. */
void dist_gather_bytes(void *all, const int *counts, const int *at);
/* Every rank sends send_counts[r] floats from send + send_at[r] to rank r,
 * and receives recv_counts[r] floats from rank r at recv + recv_at[r]. */
void dist_exchange(const float *send, const int *send_counts, const int *send_at, float *recv,
                   const int *recv_counts, const int *recv_at);
/* A sum that runs through the ranks in order, so that it is the one a
 * single process adds up: dist_relay_wait takes the running values from
 * the rank before (the first rank keeps its own), the rank adds its rows,
 * and dist_relay_pass hands them to the next; afterwards every rank holds
 * the last rank's (the whole sum). Each rank calls both, once each. */
void dist_relay_wait(double *v, size_t n);
void dist_relay_pass(double *v, size_t n);

/* Whether any rank says yes. */
bool dist_any(bool yes);

/* Whether an environment entry ("NAME=value") is one that mpirun (or
 * another launcher) gives its ranks: a process a rank starts is started
 * without them, so that it does not take itself for a rank. */
bool dist_launcher_variable(const char *entry);

/* A barrier that leaves the cores alone: dist_meet_start enters it and
 * dist_meet_done says, without waiting, whether every rank has (the
 * caller sleeps in between). MPI's own wait spins on a core, which the
 * runs still training on other ranks of the machine need. Only one
 * meeting at a time. */
void dist_meet_start(void);
bool dist_meet_done(void);

/* The exact sum of shard gradients, in three steps that any split of the
 * shards among ranks gives the same bytes: every value of a variable (of
 * any shard, on any rank) is scaled by the same power of two,
 * dist_sum_scale of the variable's largest magnitude over all shards,
 * and truncated to an integer; the integers are summed, on each rank
 * (dist_shards_to_int) and across them (dist_sum_int64), exactly and in
 * any order; dist_int_to_float scales the sum back. A value keeps
 * 2^-(62 - ceil(log2(shards))) of the variable's largest magnitude. */

/* The power of two that puts max_abs (finite, >= 0) just below
 * 2^62 / shards (rounded up to a power of two): the sum of `shards`
 * values of at most max_abs, so scaled, fits in an int64. 0 when max_abs
 * is 0 (every value is 0). */
double dist_sum_scale(double max_abs, int shards);
/* sum[i] := the sum over s < shards of values[s * stride + i], each
 * scaled by `scale` and truncated toward zero (i < n). */
void dist_shards_to_int(int64_t *sum, const float *values, size_t n, size_t stride, int shards,
                        double scale);
/* out[i] := sum[i] / scale, rounded once to a float (i < n); 0 when scale
 * is 0. */
void dist_int_to_float(float *out, const int64_t *sum, size_t n, double scale);
/* out[i] := what dist_int_to_float makes of dist_shards_to_int's sum[i],
 * the same bytes, without the integers in memory: the sum when one
 * process computes every shard (no other rank's integers to add). out
 * may be values, the first shard's. */
void dist_shards_to_float(float *out, const float *values, size_t n, size_t stride, int shards,
                          double scale);
/* The largest of `bits` and the bit patterns of |values[i]| (i < n). The
 * patterns of non-negative floats order as the floats do, infinity's and
 * NaN's above every finite one's (so a caller finds both), and an
 * integer maximum vectorizes where a float compare does not. */
uint32_t dist_max_magnitude_bits(const float *values, size_t n, uint32_t bits);

/* The shards [*first, *end) of a batch of `shards` shards that rank
 * `rank` of `size` computes: contiguous, as even as they come, the lower
 * ranks first when there are fewer shards than ranks (rank 0 always has
 * shard 0). */
static inline void dist_shards_of(int shards, int rank, int size, int *first, int *end)
{
    *first = (int)(((int64_t)shards * rank + size - 1) / size);
    *end = (int)(((int64_t)shards * (rank + 1) + size - 1) / size);
}

#endif
