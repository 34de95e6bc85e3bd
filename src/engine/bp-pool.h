/* bp-pool.h — a fixed set of worker threads that run one function on every thread at once
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's own threads, for splitting one mini-batch (or one evaluation) between cores. A
 * pool of N runs fn(0 … N−1) at once, the caller's thread running fn(0), and returns when all
 * have finished: a fork and a join, no queue. What each call computes must not depend on which
 * thread runs it, so that results are the same bits for any N (bp-network.c splits examples and
 * parameter rows, never a sum). Workers spin briefly before sleeping, since a mini-batch step
 * takes well under a millisecond and a sleeping thread takes tens of microseconds to wake.
 */
#pragma once

#include <stddef.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _BpPool BpPool;

/* One share of the work: @task of @n_tasks (n_tasks = the pool's size). */
typedef void (*BpPoolFunc) (size_t task,
                            size_t n_tasks,
                            void  *data);

/* The cores this machine has online (at least 1): the default number of threads. */
size_t bp_pool_default_threads (void);

/* A pool of @n_threads (1 … BP_POOL_MAX_THREADS) counting the caller's: n_threads − 1 workers
 * are started. NULL with @error set when a thread cannot be started. */
#define BP_POOL_MAX_THREADS 256
BpPool *bp_pool_new (size_t   n_threads,
                     BpError *error);

/* Stops and joins the workers. NULL is allowed. */
void bp_pool_free (BpPool *pool);

size_t bp_pool_size (const BpPool *pool);

/* fn (t, n, data) for every t < @n_tasks (1 … the pool's size) on the pool's threads, t = 0 on
 * the caller's; returns when all are done. Not reentrant: one caller at a time. A NULL @pool
 * runs every task on the caller's thread, in order. */
void bp_pool_run (BpPool     *pool,
                  size_t      n_tasks,
                  BpPoolFunc  fn,
                  void       *data);

#ifdef __cplusplus
}
#endif
