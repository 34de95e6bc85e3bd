/* bp-session-file-view.c — session files with the Train view's plots: the app's half of
 * bp-session-file.h
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session library reads and writes the files without GTK; the pinned runs and the start of
 * the live curves are the Train view's, so the two functions the window calls live here.
 */
#include "config.h"

#include "bp-session-file.h"

#include "bp-train-view.h"

gboolean
bp_session_file_save (BpSession   *session,
                      BpTrainView *view,
                      GFile       *file,
                      GError     **error)
{
  g_autoptr(BpSessionPlots) plots = NULL;

  g_return_val_if_fail (view == NULL || BP_IS_TRAIN_VIEW (view), FALSE);

  if (view != NULL)
    plots = bp_train_view_dup_plots (view);
  return bp_session_file_write (session, plots, file, error);
}

gboolean
bp_session_file_load (BpSession   *session,
                      BpTrainView *view,
                      GFile       *file,
                      GError     **error)
{
  g_autoptr(BpSessionPlots) plots = NULL;

  g_return_val_if_fail (view == NULL || BP_IS_TRAIN_VIEW (view), FALSE);

  if (!bp_session_file_read (session, file, &plots, error))
    return FALSE;
  /* The session's "network-reset" has already redrawn the view from the history: now the pins
   * and the live curves' start come back as they were saved. */
  if (view != NULL)
    bp_train_view_set_plots (view, plots);
  return TRUE;
}
