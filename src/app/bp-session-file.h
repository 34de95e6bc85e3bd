/* bp-session-file.h — a whole training session in one file, saved and opened again
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session file (extension ".backprop", BP_SESSION_FILE_SUFFIX) keeps what it takes to come
 * back to a session as it was: the network (the latest snapshot, with its momentum
 * velocities), the setup, the live hyperparameters, the epoch target, the metrics of every
 * epoch, the data folder, and the Train view's plots (the pinned runs, and where the live
 * curves start). It is a model file too: bp_model_save() writes its top level — network2.py's
 * "sizes", "weights", "biases" and "cost", so that Nielsen's network2.load() opens it, and our
 * "hyperparameters" (the live ones, "epochs" being the target), "seed", "train_size",
 * "history" (NaN as null) and "velocity" — and one more member holds the rest:
 *
 *   "backprop-session": {
 *     "version": 1,
 *     "epoch": N,                         the history's length, checked against it
 *     "data_dir": "/home/…/mnist" | null, the folder the data came from (informative)
 *     "plots": {
 *       "live_from": K,                   epochs 1 … K are in the last pin, not on the live curves
 *       "samples": [[x, accuracy, cost], …],   the held-out sample's points since the last pin
 *       "pins": [{"label": "784-30-10 quadratic η 3",
 *                 "accuracy": {"training": [[x, y], …], "validation": …, "test": …, "sample": …},
 *                 "cost": {"training": …, "validation": …, "sample": …}}, …]
 *     }
 *   }
 *
 * Reading checks everything (the model as bp_model_load() does, the version, the setup against
 * the session's data, every range, the history's numbering and length, every point) before
 * anything changes; an error names the file and the problem, and the session stays as it was.
 *
 * The reading and writing (bp_session_file_read(), bp_session_file_write()) use GLib and
 * json-glib only and live in the session library, tested without a display; the two functions
 * the window calls, with the Train view's part, are in the app (bp-session-file-view.c).
 */
#pragma once

#include <gio/gio.h>

#include "bp-session.h"

G_BEGIN_DECLS

/* The file name extension, without its dot, and the top-level member that makes a model file a
 * session file. */
#define BP_SESSION_FILE_SUFFIX  "backprop"
#define BP_SESSION_FILE_MEMBER  "backprop-session"
/* The version written; files of a later version are refused (BP_SESSION_FILE_ERROR_NEWER). */
#define BP_SESSION_FILE_VERSION 1

#define BP_SESSION_FILE_ERROR (bp_session_file_error_quark ())
GQuark bp_session_file_error_quark (void);

/* Errors of the session-file functions; reading and writing the file itself gives G_IO_ERROR
 * codes, with the file's name in the message. */
typedef enum
{
  BP_SESSION_FILE_ERROR_NO_DATA,     /* the session has no MNIST data: a session trains on it */
  BP_SESSION_FILE_ERROR_NO_NETWORK,  /* nothing to save yet (bp_session_has_network()) */
  BP_SESSION_FILE_ERROR_NOT_SESSION, /* a valid model file without "backprop-session" */
  BP_SESSION_FILE_ERROR_NEWER,       /* written by a later Backprop (a higher version) */
  BP_SESSION_FILE_ERROR_INVALID,     /* not a model, malformed, out of range, or does not fit */
} BpSessionFileError;

/* ── The Train view's plots ───────────────────────────────────────────────────────────────── */

/* The series of the Train view's two plots, in the order of BpTrainView's. */
#define BP_SESSION_ACCURACY_SERIES 4 /* training, validation, test, held-out sample */
#define BP_SESSION_COST_SERIES     3 /* training, validation, held-out sample */

typedef struct
{
  double x;  /* epochs */
  double y;
} BpSessionPoint;

/* A pinned run: its legend label and the points of each series (finite; accuracies in
 * [0, 1], costs ≥ 0). */
typedef struct
{
  char   *label;
  GArray *accuracy[BP_SESSION_ACCURACY_SERIES]; /* BpSessionPoint */
  GArray *cost[BP_SESSION_COST_SERIES];         /* BpSessionPoint */
} BpSessionPin;

/* A point of the held-out sample's curves; NaN where nothing was measured. */
typedef struct
{
  double x;
  double accuracy;
  double cost;
} BpSessionSample;

typedef struct
{
  guint      live_from;  /* the epochs of the history up to this one belong to the last pin */
  GArray    *samples;    /* BpSessionSample: the held-out sample's points on the live curves */
  GPtrArray *pins;       /* BpSessionPin, oldest first */
} BpSessionPlots;

/* A pin with @label and empty series. */
BpSessionPin   *bp_session_pin_new (const char *label);
void            bp_session_pin_free (BpSessionPin *pin);
/* No pins, no samples, live curves from the first epoch. */
BpSessionPlots *bp_session_plots_new (void);
void            bp_session_plots_free (BpSessionPlots *plots);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSessionPin, bp_session_pin_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSessionPlots, bp_session_plots_free)

/* ── Reading and writing (GLib only) ──────────────────────────────────────────────────────── */

/* Save @session and @plots (NULL: no pins, live curves from the first epoch) to @file, atomically
 * (bp_file_replace(): a temporary file beside it, flushed, renamed over it; a symbolic link is
 * written through, the mode kept, a device or a FIFO refused), so that a failed save leaves an
 * older file as it was. The network is that of the latest snapshot:
 * saved while training runs, it is at most ~30 ms old, and the history goes up to the epochs it
 * had done.
 * Needs data (BP_SESSION_FILE_ERROR_NO_DATA) and a network (…_NO_NETWORK). */
gboolean bp_session_file_write (BpSession            *session,
                                const BpSessionPlots *plots,
                                GFile                *file,
                                GError              **error);

/* Read @file, check all of it against @session's data, then make it the session: the network
 * (bp_session_adopt(): stopped, a snapshot published at once, Start trains on from the saved
 * weights and velocities with the epochs numbered on), setup, hyperparameters, epoch target and
 * history. *@plots (may be NULL) gets the saved plots. On error nothing changes: G_IO_ERROR when
 * the file cannot be read, BP_SESSION_FILE_ERROR otherwise, the message naming the file. A
 * run saved in the middle of an epoch resumes with a new epoch from the saved weights. */
gboolean bp_session_file_read (BpSession       *session,
                               GFile           *file,
                               BpSessionPlots **plots,
                               GError         **error);

/* The data folder a session file names, or NULL (with no error) when it names none: to load
 * that data before bp_session_file_read() when the session has none yet. NULL with @error set
 * when the file cannot be read or is not a session file. */
char *bp_session_file_dup_data_dir (GFile   *file,
                                    GError **error);

/* ── With the Train view (the app) ────────────────────────────────────────────────────────── */

typedef struct _BpTrainView BpTrainView;

/* bp_session_file_write() with @view's pinned runs and live-curve state. */
gboolean bp_session_file_save (BpSession   *session,
                               BpTrainView *view,
                               GFile       *file,
                               GError     **error);
/* bp_session_file_read(), then @view shows the saved history's curves and pinned runs as they
 * were when the file was saved (its own pins are replaced). @view may be NULL. */
gboolean bp_session_file_load (BpSession   *session,
                               BpTrainView *view,
                               GFile       *file,
                               GError     **error);

G_END_DECLS
