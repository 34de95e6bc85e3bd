/* bp-pool.c — worker threads for one fork and join at a time (pthreads)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
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
  pthread_cond_t  wake;        /* the generation moved, or quit */
  pthread_cond_t  done;        /* pending reached 0 */
  atomic_ulong    generation;  /* one more per bp_pool_run() */
  atomic_size_t   pending;     /* workers still running this generation's task */
  atomic_bool     quit;

  /* This generation's work, written before the generation moves. */
  BpPoolFunc      fn;
  void           *data;
  size_t          n_tasks;
};

size_t
bp_pool_default_threads (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  if (n < 1)
    return 1;
  return (size_t) n < BP_POOL_MAX_THREADS ? (size_t) n : BP_POOL_MAX_THREADS;
}

static void *
worker_main (void *user_data)
{
  Worker *self = user_data;
  BpPool *pool = self->pool;
  unsigned long seen = 0;

  for (;;)
    {
      unsigned long gen;

      for (int i = 0; i < SPIN_ROUNDS; i++)
        {
          if (atomic_load_explicit (&pool->generation, memory_order_acquire) != seen
              || atomic_load_explicit (&pool->quit, memory_order_acquire))
            break;
          CPU_RELAX ();
        }
      pthread_mutex_lock (&pool->lock);
      while (atomic_load (&pool->generation) == seen && !atomic_load (&pool->quit))
        pthread_cond_wait (&pool->wake, &pool->lock);
      pthread_mutex_unlock (&pool->lock);
      if (atomic_load (&pool->quit))
        return NULL;

      gen = atomic_load (&pool->generation);
      seen = gen;
      if (self->index < pool->n_tasks)
        pool->fn (self->index, pool->n_tasks, pool->data);
      if (atomic_fetch_sub (&pool->pending, 1) == 1)
        {
          pthread_mutex_lock (&pool->lock);
          pthread_cond_signal (&pool->done);
          pthread_mutex_unlock (&pool->lock);
        }
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
  atomic_init (&pool->generation, 0);
  atomic_init (&pool->pending, 0);
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
  return pool->n_threads;
}

void
bp_pool_run (BpPool     *pool,
             size_t      n_tasks,
             BpPoolFunc  fn,
             void       *data)
{
  if (pool == NULL || n_tasks <= 1 || pool->n_threads == 1)
    {
      for (size_t t = 0; t < n_tasks; t++)
        fn (t, n_tasks, data);
      return;
    }
  if (n_tasks > pool->n_threads)
    n_tasks = pool->n_threads;

  /* Every worker wakes for every generation (those beyond n_tasks only count themselves done),
   * so that none misses one. */
  pthread_mutex_lock (&pool->lock);
  pool->fn = fn;
  pool->data = data;
  pool->n_tasks = n_tasks;
  atomic_store (&pool->pending, pool->n_threads - 1);
  atomic_fetch_add_explicit (&pool->generation, 1, memory_order_release);
  pthread_cond_broadcast (&pool->wake);
  pthread_mutex_unlock (&pool->lock);

  fn (0, n_tasks, data);

  for (int i = 0; i < SPIN_ROUNDS; i++)
    {
      if (atomic_load_explicit (&pool->pending, memory_order_acquire) == 0)
        return;
      CPU_RELAX ();
    }
  pthread_mutex_lock (&pool->lock);
  while (atomic_load (&pool->pending) > 0)
    pthread_cond_wait (&pool->done, &pool->lock);
  pthread_mutex_unlock (&pool->lock);
}
