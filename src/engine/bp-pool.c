/* bp-pool.c — worker threads for one fork and join at a time (pthreads)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tasks of a run are claimed one by one from a shared ticket by whichever thread is free,
 * the caller's included: a worker that the scheduler has not woken yet simply claims nothing,
 * and the caller waits only for tasks in progress, never for a thread to start. The ticket
 * holds the run's number in its high half, so that a worker that wakes late cannot claim a task
 * of the next run with the previous run's function.
 */
#include "config.h"

#include "bp-pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause ()
#else
#define CPU_RELAX() ((void) 0)
#endif

/* How long a thread polls before it sleeps: 256 pauses, some 10 to 40 µs, longer than the gap
 * between the two halves of a mini-batch step, short enough not to starve the other threads of
 * a busy machine. */
#define SPIN_ROUNDS 256

typedef struct
{
  BpPool   *pool;
  size_t    index;
  pthread_t thread;
} Worker;

struct _BpPool
{
  size_t          n_threads;
  Worker         *workers;     /* [1 … n_threads − 1] started */
  size_t          n_started;

  pthread_mutex_t lock;
  pthread_cond_t  wake;        /* a run started, or quit */
  pthread_cond_t  done;        /* the last task of a run finished */
  atomic_uint_fast64_t ticket; /* run number << 32 | the next task to claim */
  atomic_size_t   n_done;      /* tasks of this run finished */
  atomic_bool     quit;

  /* This run's work, written before its ticket is published. */
  BpPoolFunc      fn;
  void           *data;
  atomic_size_t   n_tasks;
};

size_t
bp_pool_default_threads (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  if (n < 1)
    return 1;
  return (size_t) n < BP_POOL_MAX_THREADS ? (size_t) n : BP_POOL_MAX_THREADS;
}

/* Claim and run tasks of run @run until none is left (or another run has begun). */
static void
work (BpPool  *pool,
      uint64_t run,
      size_t   thread)
{
  for (;;)
    {
      uint_fast64_t t = atomic_load_explicit (&pool->ticket, memory_order_acquire);
      size_t task = (size_t) (t & 0xffffffffu);

      if ((t >> 32) != (run & 0xffffffffu) || task >= atomic_load (&pool->n_tasks))
        return;
      if (!atomic_compare_exchange_weak_explicit (&pool->ticket, &t, t + 1,
                                                  memory_order_acq_rel, memory_order_acquire))
        continue;
      pool->fn (task, thread, pool->data);
      if (atomic_fetch_add_explicit (&pool->n_done, 1, memory_order_acq_rel) + 1
          == atomic_load (&pool->n_tasks))
        {
          pthread_mutex_lock (&pool->lock);
          pthread_cond_signal (&pool->done);
          pthread_mutex_unlock (&pool->lock);
        }
    }
}

static void *
worker_main (void *user_data)
{
  Worker *self = user_data;
  BpPool *pool = self->pool;
  uint64_t seen = 0;

  for (;;)
    {
      uint64_t run = seen;

      for (int i = 0; i < SPIN_ROUNDS; i++)
        {
          run = atomic_load_explicit (&pool->ticket, memory_order_acquire) >> 32;
          if (run != seen || atomic_load_explicit (&pool->quit, memory_order_acquire))
            break;
          CPU_RELAX ();
        }
      if (run == seen)
        {
          pthread_mutex_lock (&pool->lock);
          while ((run = atomic_load (&pool->ticket) >> 32) == seen && !atomic_load (&pool->quit))
            pthread_cond_wait (&pool->wake, &pool->lock);
          pthread_mutex_unlock (&pool->lock);
        }
      if (atomic_load (&pool->quit))
        return NULL;
      seen = run;
      work (pool, run, self->index);
    }
}

BpPool *
bp_pool_new (size_t   n_threads,
             BpError *error)
{
  BpPool *pool;

  if (n_threads < 1 || n_threads > BP_POOL_MAX_THREADS)
    {
      bp_error_set (error, BP_ERROR_INVALID, "%zu threads: use 1 to %d", n_threads,
                    BP_POOL_MAX_THREADS);
      return NULL;
    }
  pool = calloc (1, sizeof *pool);
  if (pool == NULL)
    goto nomem;
  pool->n_threads = n_threads;
  pool->workers = calloc (n_threads, sizeof *pool->workers);
  if (pool->workers == NULL)
    {
      free (pool);
      goto nomem;
    }
  pthread_mutex_init (&pool->lock, NULL);
  pthread_cond_init (&pool->wake, NULL);
  pthread_cond_init (&pool->done, NULL);
  atomic_init (&pool->ticket, 0);
  atomic_init (&pool->n_done, 0);
  atomic_init (&pool->n_tasks, 0);
  atomic_init (&pool->quit, false);

  for (size_t i = 1; i < n_threads; i++)
    {
      Worker *w = &pool->workers[i];

      w->pool = pool;
      w->index = i;
      if (pthread_create (&w->thread, NULL, worker_main, w) != 0)
        {
          bp_pool_free (pool);
          bp_error_set (error, BP_ERROR_NOMEM, "could not start thread %zu of %zu", i + 1,
                        n_threads);
          return NULL;
        }
      pool->n_started = i;
    }
  return pool;

nomem:
  bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for a pool of %zu threads", n_threads);
  return NULL;
}

void
bp_pool_free (BpPool *pool)
{
  if (pool == NULL)
    return;
  pthread_mutex_lock (&pool->lock);
  atomic_store (&pool->quit, true);
  pthread_cond_broadcast (&pool->wake);
  pthread_mutex_unlock (&pool->lock);
  for (size_t i = 1; i <= pool->n_started; i++)
    pthread_join (pool->workers[i].thread, NULL);
  pthread_cond_destroy (&pool->done);
  pthread_cond_destroy (&pool->wake);
  pthread_mutex_destroy (&pool->lock);
  free (pool->workers);
  free (pool);
}

size_t
bp_pool_size (const BpPool *pool)
{
  return pool != NULL ? pool->n_threads : 1;
}

void
bp_pool_run (BpPool     *pool,
             size_t      n_tasks,
             BpPoolFunc  fn,
             void       *data)
{
  uint64_t run;

  if (pool == NULL || n_tasks <= 1 || pool->n_threads == 1)
    {
      for (size_t t = 0; t < n_tasks; t++)
        fn (t, 0, data);
      return;
    }

  /* Publish the run: its work first, then the ticket that lets threads claim it. */
  pthread_mutex_lock (&pool->lock);
  run = (atomic_load (&pool->ticket) >> 32) + 1;
  pool->fn = fn;
  pool->data = data;
  atomic_store (&pool->n_tasks, n_tasks);
  atomic_store (&pool->n_done, 0);
  atomic_store_explicit (&pool->ticket, (uint_fast64_t) (run & 0xffffffffu) << 32,
                         memory_order_release);
  pthread_cond_broadcast (&pool->wake);
  pthread_mutex_unlock (&pool->lock);

  work (pool, run, 0);

  /* Only tasks that other threads claimed can still be running. */
  for (int i = 0; i < SPIN_ROUNDS; i++)
    {
      if (atomic_load_explicit (&pool->n_done, memory_order_acquire) == n_tasks)
        return;
      CPU_RELAX ();
    }
  pthread_mutex_lock (&pool->lock);
  while (atomic_load (&pool->n_done) < n_tasks)
    pthread_cond_wait (&pool->done, &pool->lock);
  pthread_mutex_unlock (&pool->lock);
}
