/* bp-pool.h — a fixed set of worker threads that share out the tasks of one run at a time
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's own threads, for splitting one mini-batch (or one evaluation) between cores. A
 * run of n tasks is a fork and a join: every thread of the pool, the caller's included, claims
 * tasks one at a time until none is left, and the run returns when all are done. Which thread
 * runs a task is left to chance, so what a task computes must not depend on it (its @thread
 * picks scratch memory, nothing else): bp-network.c's tasks are examples and parameter rows,
 * never parts of one sum, so results are the same bits for any number of threads. The caller
 * never waits for a sleeping worker to wake, only for tasks in progress; workers spin briefly
 * before sleeping, since a mini-batch step takes well under a millisecond.
 */
#pragma once

#include <stddef.h>

#include "bp-error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _BpPool BpPool;

/* Task @task of a run, on thread @thread (0 … the pool's size − 1; 0 is the caller's). */
typedef void (*BpPoolFunc) (size_t task,
                            size_t thread,
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

/* Its threads, the caller's included (1 for NULL). */
size_t bp_pool_size (const BpPool *pool);

/* fn (t, thread, data) for every task t < @n_tasks, on the pool's threads; returns when all are
 * done. Not reentrant: one caller at a time. A NULL @pool runs every task on the caller's
 * thread (thread 0), in order. */
void bp_pool_run (BpPool     *pool,
                  size_t      n_tasks,
                  BpPoolFunc  fn,
                  void       *data);

#ifdef __cplusplus
}
#endif
