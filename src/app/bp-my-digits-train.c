/* bp-my-digits-train.c — Train on My Digits: fine-tune the session's network on MNIST plus the
 * user's digits, in a thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-my-digits-train.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "bp-metrics.h"
#include "bp-preprocess.h"
#include "bp-train.h"

typedef struct
{
  BpSnapshot      *snapshot;   /* the network to start from */
  BpRun            run;        /* the session's, to train with */
  const BpDataset *mnist;      /* the session's (it is kept alive by the task's reference) */
  const BpDataset *test;
  BpDigitFolder   *folder;     /* the user's digits */
  BpNetwork       *tuned;      /* the result */
  BpMyDigitsTrainResult result;
} TrainData;

static void
train_data_free (gpointer data)
{
  TrainData *td = data;

  g_clear_pointer (&td->snapshot, bp_snapshot_unref);
  g_clear_pointer (&td->folder, bp_digit_folder_free);
  if (td->tuned != NULL)
    bp_network_free (td->tuned);
  g_free (td);
}

gboolean
bp_my_digits_can_train (BpSession *session)
{
  g_autoptr(BpSnapshot) snapshot = NULL;

  if (session == NULL || !bp_session_has_data (session))
    return FALSE;
  snapshot = bp_session_dup_snapshot (session);
  return snapshot != NULL && snapshot->net->n_inputs == BP_PREPROCESS_N_PIXELS
         && snapshot->net->n_outputs >= 10;
}

/* How many of the held-out digits of @folder @net reads right. */
static guint
held_right (const BpNetwork *net,
            BpDigitFolder   *folder)
{
  g_autofree float *scratch = g_new (float, bp_network_scratch_size (net));
  g_autofree float *out = g_new (float, net->n_outputs);
  float input[BP_PREPROCESS_N_PIXELS];
  guint n = 0;

  for (size_t i = 0; i < folder->set->n; i++)
    {
      size_t best = 0;

      if (!bp_my_digits_is_held_out (folder->paths->pdata[i]))
        continue;
      bp_dataset_gather (folder->set, &i, 1, input);
      bp_network_predict (net, input, out, scratch);
      for (size_t k = 1; k < 10; k++)
        if (out[k] > out[best])
          best = k;
      n += best == folder->set->labels[i];
    }
  return n;
}

static double
test_accuracy (const BpNetwork *net,
               const BpDataset *test)
{
  BpEvaluation evaluation = { 0 };
  BpError error = { 0 };
  double accuracy = NAN;

  if (test != NULL && test->n > 0 && bp_evaluate (net, test, 0, 0, 1, false, &evaluation, &error))
    accuracy = evaluation.accuracy;
  bp_evaluation_clear (&evaluation);
  return accuracy;
}

static void
train_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TrainData *td = task_data;
  g_autoptr(GByteArray) pixels = g_byte_array_new ();
  g_autoptr(GByteArray) labels = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  BpDataset *mine = NULL, *mnist = NULL, *mixed = NULL;
  BpTrainer *trainer = NULL;
  BpError engine_error = { 0 };
  gsize n_mnist;

  /* The user's training digits: all but the held-out ones. */
  for (size_t i = 0; i < td->folder->set->n; i++)
    {
      if (bp_my_digits_is_held_out (td->folder->paths->pdata[i]))
        {
          td->result.n_held++;
          continue;
        }
      g_byte_array_append (pixels, td->folder->set->pixels + i * BP_PREPROCESS_N_PIXELS,
                           BP_PREPROCESS_N_PIXELS);
      g_byte_array_append (labels, &td->folder->set->labels[i], 1);
    }
  td->result.n_train = labels->len;
  if (labels->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                               _("All of your digits are held out to test: add a few more to "
                                 "train on."));
      return;
    }

  n_mnist = td->run.train_size > 0 ? MIN (td->run.train_size, td->mnist->n) : td->mnist->n;
  td->result.repeat = bp_digit_folder_auto_repeat (n_mnist, labels->len);
  td->tuned = bp_network_copy (td->snapshot->net);
  mine = bp_dataset_new_from_data (labels->len, BP_PREPROCESS_SIDE, BP_PREPROCESS_SIDE,
                                   pixels->data, labels->data, 10, &engine_error);
  mnist = mine != NULL ? bp_dataset_view (td->mnist, 0, n_mnist, &engine_error) : NULL;
  mixed = mnist != NULL ? bp_digit_folder_mix (mnist, mine, td->result.repeat, &error) : NULL;
  if (td->tuned == NULL || mixed == NULL)
    goto out;

  td->result.held_right_before = held_right (td->tuned, td->folder);
  td->result.test_before = test_accuracy (td->tuned, td->test);

  /* One epoch, as the run trains, without its stopping rules (nothing to validate on here). */
  td->run.epochs = 1;
  td->run.early_stop = 0;
  td->run.schedule = 0;
  td->run.train_size = 0;
  trainer = bp_trainer_new (td->tuned, &td->run, NULL, mixed, NULL, NULL, &engine_error);
  if (trainer == NULL
      || !bp_trainer_run (trainer, NULL, NULL, NULL, NULL, &engine_error))
    goto out;

  td->result.held_right_after = held_right (td->tuned, td->folder);
  td->result.test_after = test_accuracy (td->tuned, td->test);

out:
  if (trainer != NULL)
    bp_trainer_free (trainer);
  if (mixed != NULL)
    bp_dataset_free (mixed);
  if (mnist != NULL)
    bp_dataset_free (mnist);
  if (mine != NULL)
    bp_dataset_free (mine);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (engine_error.message[0] != '\0' || td->tuned == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s",
                             engine_error.message[0] != '\0' ? engine_error.message
                                                             : _("Not enough memory"));
  else
    g_task_return_boolean (task, TRUE);
}

void
bp_my_digits_train_async (BpSession           *session,
                          BpMyDigits          *store,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (session, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  TrainData *td = g_new0 (TrainData, 1);

  g_task_set_task_data (task, td, train_data_free);
  td->snapshot = bp_session_dup_snapshot (session);
  td->mnist = bp_session_get_train_set (session);
  td->test = bp_session_get_test_set (session);
  bp_session_get_run (session, &td->run);
  td->result.test_before = td->result.test_after = NAN;
  td->folder = bp_my_digits_load (store, &error);
  if (td->snapshot == NULL || td->mnist == NULL || td->folder == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s",
                                 td->folder == NULL ? _("There are no digits to train on yet.")
                                                    : _("Training on My Digits needs MNIST and a network."));
      return;
    }
  g_task_run_in_thread (task, train_thread);
}

gboolean
bp_my_digits_train_finish (BpSession              *session,
                           GAsyncResult           *result,
                           BpMyDigitsTrainResult  *out,
                           GError                **error)
{
  TrainData *td = g_task_get_task_data (G_TASK (result));
  g_autofree BpEpochMetrics *history = NULL;
  guint n_history = 0;
  BpRun run;

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *out = td->result;
  /* The history stays: the network has trained those epochs and a little more. */
  history = g_memdup2 (bp_session_get_history (session, &n_history),
                       n_history * sizeof (BpEpochMetrics));
  bp_session_get_run (session, &run);
  return bp_session_adopt (session, td->tuned, &run, history, n_history, NULL, error);
}
