/* bp-session-io.c — a session's network and history to and from files
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session's side of model files (bp-model-io.h) and session files (bp-session-file.h), which
 * read and write the bytes: here is what the session adds — its snapshot, run and history, and
 * the checks against its data before anything changes. Only BpSession's public API is used.
 */
#include "config.h"

#include "bp-session-io.h"

#include <glib/gi18n.h>
#include <string.h>

#include "bp-model-io.h"
#include "bp-save-file.h"

/* ── Model files ──────────────────────────────────────────────────────────────────────────── */

gboolean
bp_session_load_model (BpSession   *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };
  BpRun run;
  BpNetwork *net;
  gboolean ok;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  net = bp_model_load (path, &info, &bp_error);
  if (net == NULL)
    {
      GIOErrorEnum code = G_IO_ERROR_INVALID_DATA;

      if (bp_error.code == BP_ERROR_IO)
        code = g_file_test (path, G_FILE_TEST_EXISTS) ? G_IO_ERROR_FAILED : G_IO_ERROR_NOT_FOUND;
      g_set_error (error, G_IO_ERROR, code, "%s", bp_error.message);
      return FALSE;
    }

  /* The network is the model's; the other settings stay. */
  bp_session_get_run (self, &run);
  run.arch = net->arch;
  /* network2.py's own files say nothing of it: they come from its default initialiser. */
  run.init = info.has_run ? info.run.init : BP_INIT_DEFAULT;

  ok = bp_session_adopt (self, net, &run, NULL, 0, info.velocity, &local_error);
  if (!ok)
    {
      display = g_filename_display_name (path);
      /* Translators: a model file's name, then why it cannot be used. */
      g_set_error (error, G_IO_ERROR, local_error->code, _("%s does not fit: %s"), display,
                   local_error->message);
    }
  bp_network_free (net);
  bp_model_info_clear (&info);
  return ok;
}

gboolean
bp_session_write_snapshot (BpSession   *self,
                           BpSnapshot  *snapshot,
                           GString     *out,
                           const char  *name,
                           guint       *n_saved,
                           GError     **error)
{
  BpRunHistory *history;
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };
  const double *initial_speed;
  guint n_epochs;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (snapshot == NULL || snapshot->generation != bp_session_get_generation (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not saved: there is no network yet"), name);
      return FALSE;
    }

  info.has_run = TRUE;
  bp_session_get_run (self, &info.run);
  history = bp_session_get_run_history (self);
  /* While training runs, the epochs the snapshot had finished. */
  info.history = (BpEpochMetrics *) bp_run_history_get_epochs (history, &n_epochs);
  info.n_history = MIN (n_epochs, snapshot->epoch);
  initial_speed = bp_run_history_get_initial_speed (history, &info.n_initial_speeds);
  if (info.n_initial_speeds > 0)
    memcpy (info.initial_speed, initial_speed, info.n_initial_speeds * sizeof (double));
  info.velocity = (float *) snapshot->velocity;
  if (!bp_model_write_begin (out, snapshot->net, &info, name, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", bp_error.message);
      return FALSE;
    }
  if (n_saved != NULL)
    *n_saved = (guint) info.n_history;
  return TRUE;
}

gboolean
bp_session_save_snapshot (BpSession   *self,
                          BpSnapshot  *snapshot,
                          const char  *path,
                          guint       *n_saved,
                          GError     **error)
{
  g_autoptr(GString) out = NULL;
  g_autofree char *display = NULL;
  BpError bp_error = { 0 };

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (snapshot == NULL || snapshot->generation != bp_session_get_generation (self))
    {
      display = g_filename_display_name (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: not saved: there is no network yet"), display);
      return FALSE;
    }
  out = g_string_sized_new (16 * snapshot->net->n_params + 4096);
  if (!bp_session_write_snapshot (self, snapshot, out, path, n_saved, error))
    return FALSE;
  bp_model_write_end (out);
  /* The atomic write model files go through (bp_model_save()'s). */
  if (!bp_save_file (path, out->str, out->len, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", bp_error.message);
      return FALSE;
    }
  return TRUE;
}

gboolean
bp_session_save_model (BpSession   *self,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(BpSnapshot) snapshot = NULL;

  g_return_val_if_fail (BP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  snapshot = bp_session_dup_snapshot (self);
  return bp_session_save_snapshot (self, snapshot, path, NULL, error);
}


/* ── Session files ────────────────────────────────────────────────────────────────────────── */

gboolean
bp_session_file_write (BpSession            *session,
                       const BpSessionPlots *plots,
                       GFile                *file,
                       GError              **error)
{
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autoptr(GString) out = NULL;
  g_autofree char *name = NULL;
  guint n_epochs = 0;

  g_return_val_if_fail (BP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = g_file_get_parse_name (file);
  if (!bp_session_has_data (session))
    {
      g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_DATA,
                   _("%s: not saved: a session trains on MNIST, and none is loaded"), name);
      return FALSE;
    }
  snapshot = bp_session_dup_snapshot (session);
  if (snapshot == NULL || snapshot->generation != bp_session_get_generation (session))
    {
      g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_NETWORK,
                   _("%s: not saved: there is no network yet"), name);
      return FALSE;
    }

  /* The model's members, then the session's own, then the closing brace. */
  out = g_string_sized_new (16 * snapshot->net->n_params + 8192);
  if (!bp_session_write_snapshot (session, snapshot, out, name, &n_epochs, error))
    return FALSE;
  bp_session_file_append_member (out, n_epochs, bp_session_get_data_dir (session), plots);
  bp_model_write_end (out);
  return bp_session_file_replace (file, name, out->str, out->len, error);
}

gboolean
bp_session_file_read (BpSession       *session,
                      GFile           *file,
                      BpSessionPlots **plots_out,
                      GError         **error)
{
  g_autoptr(BpSessionPlots) plots = NULL;
  g_autoptr(GError) adopt_error = NULL;
  g_autofree char *name = NULL;
  BpModelInfo info = { 0 };
  BpNetwork *net;
  gboolean ok = FALSE;

  g_return_val_if_fail (BP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  name = g_file_get_parse_name (file);
  if (!bp_session_has_data (session))
    {
      g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NO_DATA,
                   _("%s: a session continues training on MNIST, and none is loaded"), name);
      return FALSE;
    }
  net = bp_session_file_parse (file, &info, &plots, error);
  if (net == NULL)
    return FALSE;

  /* Everything the file says is checked; the session checks the fit with its data and changes
   * only if all of it is right. The run is the file's, its arch the model's. */
  if (!bp_session_adopt (session, net, &info.run, info.history, (guint) info.n_history,
                         info.velocity, &adopt_error))
    {
      /* Translators: a session file's name, then why it does not fit the data loaded. */
      g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID,
                   _("%s does not fit: %s"), name, adopt_error->message);
      goto out;
    }
  /* The speed of learning before the history's first epoch goes with it. */
  bp_run_history_set_initial_speed (bp_session_get_run_history (session), info.initial_speed,
                                    info.n_initial_speeds);
  if (plots_out != NULL)
    *plots_out = g_steal_pointer (&plots);
  ok = TRUE;

out:
  bp_network_free (net);
  bp_model_info_clear (&info);
  return ok;
}

gboolean
bp_session_file_save (BpSession  *session,
                      GFile      *file,
                      GError    **error)
{
  g_return_val_if_fail (BP_IS_SESSION (session), FALSE);

  return bp_session_file_write (session,
                                bp_run_history_get_plots (bp_session_get_run_history (session)),
                                file, error);
}

gboolean
bp_session_file_load (BpSession  *session,
                      GFile      *file,
                      GError    **error)
{
  BpSessionPlots *plots = NULL;

  if (!bp_session_file_read (session, file, &plots, error))
    return FALSE;
  /* The session's "network-reset" has already restarted the history: now the pins and the
   * live curves' start come back as they were saved. */
  bp_session_set_plots (session, plots);
  return TRUE;
}
