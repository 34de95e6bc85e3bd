/* bp-session-load.c — reading MNIST for a session, in a GTask's thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files are read off the main thread; BpSession takes the result in
 * bp_session_load_mnist_finish(). For tests and quick experiments, BACKPROP_MNIST_SIZE=N keeps
 * the first N images of each of the training, validation and test sets, as if MNIST were that
 * small: every run, the book's presets and their variants too, trains on at most N images and
 * is measured on N and N (each epoch measures both sets, which on a small training set costs
 * far more than the training itself). A run asking for more images than that is refused.
 */
#include "config.h"

#include "bp-session-load.h"

#include <stdlib.h>

typedef struct
{
  char *dir;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *load = data;

  g_free (load->dir);
  g_free (load);
}

static void
mnist_free (gpointer data)
{
  BpMnist *mnist = data;

  bp_mnist_clear (mnist);
  g_free (mnist);
}

/* The views and the owned test set keep their buffers; fewer of their examples are used. */
static void
limit_size (BpMnist *mnist)
{
  const char *text = g_getenv ("BACKPROP_MNIST_SIZE");
  guint64 n;

  if (text == NULL || *text == '\0')
    return;
  n = g_ascii_strtoull (text, NULL, 10);
  if (n == 0)
    return;
  if (mnist->train != NULL && mnist->train->n > n)
    mnist->train->n = (size_t) n;
  if (mnist->validation != NULL && mnist->validation->n > n)
    mnist->validation->n = (size_t) n;
  if (mnist->test != NULL && mnist->test->n > n)
    mnist->test->n = (size_t) n;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  BpMnist *mnist = g_new0 (BpMnist, 1);
  BpError error = { 0 };

  if (!bp_mnist_load (mnist, load->dir, 0, &error))
    {
      g_free (mnist);
      g_task_return_new_error (task, G_IO_ERROR,
                               error.code == BP_ERROR_IO ? G_IO_ERROR_NOT_FOUND
                                                         : G_IO_ERROR_INVALID_DATA,
                               "%s", error.message);
      return;
    }
  limit_size (mnist);
  g_task_return_pointer (task, mnist, mnist_free);
}

GTask *
bp_session_load_task_new (gpointer             source_object,
                          const char          *dir,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);
  LoadData *load = g_new0 (LoadData, 1);

  if (dir != NULL)
    load->dir = g_strdup (dir);
  else
    {
      char *found = bp_mnist_find_dir (NULL);

      load->dir = g_strdup (found);
      free (found);
    }
  g_task_set_name (task, "[backprop] load MNIST");
  g_task_set_task_data (task, load, load_data_free);
  return task;
}

void
bp_session_load_task_run (GTask *task)
{
  g_task_run_in_thread (task, load_thread);
}

const char *
bp_session_load_task_get_dir (GTask *task)
{
  LoadData *load = g_task_get_task_data (task);

  return load->dir;
}
