/* bp-session-file.h — session files: a whole training session in one file
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session file (extension ".backprop", BP_SESSION_FILE_SUFFIX) keeps what it takes to come
 * back to a session as it was: the network (the latest snapshot, with its momentum
 * velocities), the setup, the live hyperparameters, the epoch target, the metrics of every
 * epoch (and the speed of learning before the first, when it was measured), the data folder,
 * and the run history's plots (the pinned runs, the held-out sample's points, and where the
 * live curves start). It is a model file too: bp_model_save() writes its top level —
 * network2.py's "sizes", "weights", "biases" and "cost", so that Nielsen's network2.load()
 * opens it, and our "hyperparameters" (the live ones, "epochs" being the target), "seed",
 * "train_size", "history" (NaN as null), "initial_speed" and "velocity" — and one more member
 * holds the rest:
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
 * Reading checks everything the file says on its own (the model as bp_model_load() does, the
 * version, every range, the history's numbering and length, every point); what depends on the
 * data a session has (the shapes, the settings) is the session's to check (bp-session-io.h).
 * An error names the file and the problem.
 *
 * GLib, GIO and json-glib only: this is src/formats; BpSession reads and writes these files
 * through bp-session-io.h.
 */
#pragma once

#include <gio/gio.h>

#include "bp-model-io.h"

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

/* ── The plots ────────────────────────────────────────────────────────────────────────────── */

/* The series of the Train view's two plots, in the order of BpTrainView's. */
typedef enum
{
  BP_SESSION_ACCURACY_TRAIN,
  BP_SESSION_ACCURACY_VALIDATION,
  BP_SESSION_ACCURACY_TEST,
  BP_SESSION_ACCURACY_SAMPLE, /* the held-out sample */
} BpSessionAccuracySeries;

typedef enum
{
  BP_SESSION_COST_TRAIN,
  BP_SESSION_COST_VALIDATION,
  BP_SESSION_COST_SAMPLE,
} BpSessionCostSeries;

#define BP_SESSION_ACCURACY_SERIES 4
#define BP_SESSION_COST_SERIES     3

typedef struct
{
  double x;  /* epochs */
  double y;
} BpSessionPoint;

/* A live setting changed during a run: a mark on its curves, "η 3 → 0.25" at @x epochs. */
typedef struct
{
  double x;       /* epochs done when it changed, fractions within an epoch */
  char   name[8]; /* "η", "λ" or "μ" */
  double from;
  double to;
} BpSessionMark;

/* A pinned run: its legend label, the points of each series (finite; accuracies in [0, 1],
 * costs ≥ 0) and the marks of its changes. */
typedef struct
{
  char   *label;
  GArray *accuracy[BP_SESSION_ACCURACY_SERIES]; /* BpSessionPoint */
  GArray *cost[BP_SESSION_COST_SERIES];         /* BpSessionPoint */
  GArray *marks;                                /* BpSessionMark */
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
  GArray    *marks;      /* BpSessionMark: the changes marked on the live curves */
  GPtrArray *pins;       /* BpSessionPin, oldest first */
} BpSessionPlots;

/* A pin with @label and empty series. */
BpSessionPin   *bp_session_pin_new (const char *label);
void            bp_session_pin_free (BpSessionPin *pin);
/* No pins, no samples, live curves from the first epoch. */
BpSessionPlots *bp_session_plots_new (void);
void            bp_session_plots_free (BpSessionPlots *plots);
/* A deep copy of @plots. */
BpSessionPlots *bp_session_plots_copy (const BpSessionPlots *plots);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSessionPin, bp_session_pin_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSessionPlots, bp_session_plots_free)

/* ── Reading and writing ──────────────────────────────────────────────────────────────────── */

/* Append the "backprop-session" member to @out, a model document that bp_model_write_begin()
 * opened (with its comma before it and no newline after): @n_epochs, the history's length;
 * @data_dir (NULL: none; a name that is not UTF-8 is written as null), and @plots (NULL: no
 * pins, no samples, live curves from the first epoch). Labels too long to read back are cut. */
void bp_session_file_append_member (GString              *out,
                                    guint                 n_epochs,
                                    const char           *data_dir,
                                    const BpSessionPlots *plots);

/* Replace @file's contents with @data atomically (bp_file_replace(): a temporary file beside
 * it, flushed, renamed over it; a symbolic link is written through, the mode kept, a device or
 * a FIFO refused), so that a failed save leaves an older file as it was. The G_IO_ERROR's
 * message is "@name: not saved: " and the reason. */
gboolean bp_session_file_replace (GFile       *file,
                                  const char  *name,
                                  const char  *data,
                                  gsize        len,
                                  GError     **error);

/* Read @file and check everything it says on its own: the model (returned, with @info filled
 * as bp_model_load() fills it, "hyperparameters" required), the session member's version, the
 * history's length and ranges, the data folder's type and the plots (*@plots_out, may be
 * NULL). NULL on error, @info zeroed: G_IO_ERROR when the file cannot be read,
 * BP_SESSION_FILE_ERROR otherwise (NOT_SESSION for a model without the member, NEWER, INVALID),
 * the message naming the file. */
BpNetwork *bp_session_file_parse (GFile           *file,
                                  BpModelInfo     *info,
                                  BpSessionPlots **plots_out,
                                  GError         **error);

/* The data folder a session file names, or NULL (with no error) when it names none: to load
 * that data before opening the session when the session has none yet. NULL with @error set
 * when the file cannot be read or is not a session file. */
char *bp_session_file_dup_data_dir (GFile   *file,
                                    GError **error);

G_END_DECLS
