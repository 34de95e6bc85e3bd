/* bp-worker-run.c — the worker's side of the system and of runs: its threads' priority, and
 * whether a run can be trained on the data
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-worker.h"

#include <errno.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* ── Priority ─────────────────────────────────────────────────────────────────────────────── */

void
bp_worker_lower_priority (void)
{
#ifdef __linux__
  /* Linux gives each thread its own nice value, and the threads a thread starts inherit it: the
   * trainer's threads, started from here, all run at this one. Five steps below the window's
   * thread, the window gets three quarters of a core it shares with one of them, so a conv
   * epoch that keeps every core busy does not take the frames' time, yet takes every idle
   * cycle. */
  pid_t tid = (pid_t) syscall (SYS_gettid);
  int now;

  errno = 0;
  now = getpriority (PRIO_PROCESS, (id_t) tid);
  if (errno == 0)
    (void) setpriority (PRIO_PROCESS, (id_t) tid, MIN (now + BP_WORKER_NICE, 19));
#endif
}

/* ── Runs against the data ────────────────────────────────────────────────────────────────── */

gboolean
bp_worker_check_run (const BpRun     *run,
                     const BpDataset *train,
                     const BpDataset *validation,
                     BpError         *error)
{
  const BpArch *arch;
  size_t size;

  g_return_val_if_fail (run != NULL, FALSE);

  arch = &run->arch;
  if (arch->n_layers < 1 || arch->n_layers > BP_MAX_LAYERS - 1)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "A network has 2 to %d layers, not %zu", BP_MAX_LAYERS, arch->n_layers + 1);
      return FALSE;
    }
  for (size_t l = 0; l <= arch->n_layers; l++)
    {
      /* Conv and pool layers' sizes are not neurons: bp_arch_check() judges their shapes. */
      if (l > 0 && arch->layers[l - 1].kind != BP_LAYER_DENSE)
        continue;
      size = l == 0 ? arch->in_channels * arch->in_height * arch->in_width
                    : arch->layers[l - 1].size;
      if (size == 0 || size > BP_MAX_LAYER_SIZE)
        {
          bp_error_set (error, BP_ERROR_INVALID,
                        "Layer %zu has %zu neurons; a layer has 1 to %d", l + 1, size,
                        BP_MAX_LAYER_SIZE);
          return FALSE;
        }
    }
  if (!bp_arch_check (arch, error))
    return FALSE;
  /* The settings that go with the network; the live ones have their own setters. */
  {
    size_t n_fields;
    const BpRunField *fields = bp_run_fields (&n_fields);

    for (size_t i = 0; i < n_fields; i++)
      if (!fields[i].live && !bp_run_field_check (run, &fields[i], error))
        return FALSE;
  }

  if (train == NULL)
    return TRUE;

  if (arch->in_channels * arch->in_height * arch->in_width != train->n_pixels)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "The input layer must have %zu neurons, one per pixel of the %zu×%zu images",
                    train->n_pixels, train->rows, train->cols);
      return FALSE;
    }
  /* Filters slide over the picture as it is: its rows and columns, not only its pixels. */
  if (bp_arch_has_maps (arch) && (arch->in_height != train->rows || arch->in_width != train->cols))
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "The input must be %zu×%zu, the images' shape, for convolution layers",
                    train->rows, train->cols);
      return FALSE;
    }
  if (arch->layers[arch->n_layers - 1].size < train->n_classes)
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "The output layer must have at least %zu neurons, one per class",
                    train->n_classes);
      return FALSE;
    }
  if ((run->early_stop > 0 || run->schedule > 0)
      && (validation == NULL || validation->n == 0))
    {
      bp_error_set (error, BP_ERROR_INVALID,
                    "Early stopping and the learning-rate schedule need a validation set");
      return FALSE;
    }
  return TRUE;
}
