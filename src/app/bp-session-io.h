/* bp-session-io.h — a session saved to a session file and opened again
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session's side of session files (bp-session-file.h, in src/formats, reads and writes the
 * bytes); model files are bp-session.h's bp_session_load_model() and bp_session_save_model(),
 * implemented beside these in bp-session-io.c. GLib only, tested without a display.
 */
#pragma once

#include <gio/gio.h>

#include "bp-session.h"
#include "bp-session-file.h"

G_BEGIN_DECLS

/* Save @session and @plots (NULL: no pins, live curves from the first epoch) to @file,
 * atomically (bp_session_file_replace()), so that a failed save leaves an older file as it
 * was. The network is that of the latest snapshot: saved while training runs, it is at most
 * ~30 ms old, and the history goes up to the epochs it had done, with the speed of learning
 * before the first when it was measured. Needs data (BP_SESSION_FILE_ERROR_NO_DATA) and a
 * network (…_NO_NETWORK). */
gboolean bp_session_file_write (BpSession            *session,
                                const BpSessionPlots *plots,
                                GFile                *file,
                                GError              **error);

/* Read @file (bp_session_file_parse()), check all of it against @session's data, then make it
 * the session: the network (bp_session_adopt(): stopped, a snapshot published at once, Start
 * trains on from the saved weights and velocities with the epochs numbered on), setup,
 * hyperparameters, epoch target and history. *@plots (may be NULL) gets the saved plots; the
 * session's own stay as they are. On error nothing changes: G_IO_ERROR when the file cannot be
 * read, BP_SESSION_FILE_ERROR otherwise, the message naming the file. A run saved in the
 * middle of an epoch resumes with a new epoch from the saved weights. */
gboolean bp_session_file_read (BpSession       *session,
                               GFile           *file,
                               BpSessionPlots **plots,
                               GError         **error);

/* bp_session_file_write() with the plots of the session's run history. */
gboolean bp_session_file_save (BpSession  *session,
                               GFile      *file,
                               GError    **error);
/* bp_session_file_read(), then the session's run history takes the saved plots (its pins are
 * replaced; "pins-changed" says so). */
gboolean bp_session_file_load (BpSession  *session,
                               GFile      *file,
                               GError    **error);

G_END_DECLS
