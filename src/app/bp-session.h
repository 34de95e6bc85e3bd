/* bp-session.h — one training session: the data, the network, and the worker thread training it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BpSession is the one object the views observe. It uses GLib and GObject only (no GTK), so it
 * is tested without a display. Everything public is called on the thread that created the
 * session (the main thread); the worker thread never runs a signal handler or touches a
 * property. Results come back through the creating thread's main context, coalesced so that at
 * most one idle callback is pending at any time.
 */
#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "bp-dataset.h"
#include "bp-network.h"
#include "bp-train.h"

G_BEGIN_DECLS

typedef enum
{
  BP_SESSION_STATE_STOPPED, /* no run in progress: a fresh network, or the run has ended */
  BP_SESSION_STATE_RUNNING,
  BP_SESSION_STATE_PAUSED,  /* a run is in progress, parked between two mini-batches */
} BpSessionState;

#define BP_TYPE_SESSION_STATE (bp_session_state_get_type ())
GType bp_session_state_get_type (void);

/* "stopped", "running" or "paused": the words of the test-mode event lines. */
const char *bp_session_state_to_string (BpSessionState state);

/* What a run is built from. Changing any of it needs a new network (bp_session_reset()); the
 * live hyperparameters (BpHyperparams) and the epoch count do not. */
typedef struct
{
  size_t       sizes[BP_MAX_LAYERS];
  size_t       n_layers;
  BpActivation activation;
  BpOutput     output;
  BpCost       cost;
  BpInit       init;
  guint64      seed;
  gsize        train_size;  /* first N training examples; 0 = all of them */
  BpExpand     expand;
  guint        early_stop;  /* 0 = off */
  guint        schedule;    /* 0 = off */
} BpSessionSetup;

/* The book's chapter-1 network: 784-30-10, sigmoid, quadratic cost, N(0, 1) weights, seed 1. */
void     bp_session_setup_init (BpSessionSetup *setup);
gboolean bp_session_setup_equal (const BpSessionSetup *a,
                                 const BpSessionSetup *b);

/* A copy of the parameters of the network being trained, taken by the worker at most every
 * ~30 ms. Immutable once published: a reader may keep one as long as it holds a reference. */
typedef struct
{
  const BpNetwork *net;        /* shape and parameters; net->params is the copy */
  guint            generation; /* bumped by every reset */
  guint64          serial;     /* increases with every snapshot published */
  guint            epoch;      /* epochs finished when it was taken */
} BpSnapshot;

BpSnapshot *bp_snapshot_ref (BpSnapshot *snapshot);
void        bp_snapshot_unref (BpSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpSnapshot, bp_snapshot_unref)

#define BP_TYPE_SESSION (bp_session_get_type ())
G_DECLARE_FINAL_TYPE (BpSession, bp_session, BP, SESSION, GObject)

BpSession *bp_session_new (void);

/* ── Data ─────────────────────────────────────────────────────────────────────────────────── */

/* Load the four MNIST IDX files from @dir in a thread (GTask); the session keeps them and builds
 * its first network. @dir NULL means bp_mnist_find_dir (NULL). Only while the session has no
 * data. The error is G_IO_ERROR_NOT_FOUND when files are missing, G_IO_ERROR_INVALID_DATA when
 * they are not IDX files; its message names the folder and the files. */
void     bp_session_load_mnist_async (BpSession           *self,
                                      const char          *dir,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean bp_session_load_mnist_finish (BpSession     *self,
                                       GAsyncResult  *result,
                                       GError       **error);

/* Take ownership of three data sets (validation and test may be NULL) and build the first
 * network from the current setup. Used by the tests with small synthetic sets. */
void bp_session_set_datasets (BpSession *self,
                              BpDataset *train,
                              BpDataset *validation,
                              BpDataset *test);

gboolean         bp_session_has_data (BpSession *self);
const char      *bp_session_get_data_dir (BpSession *self);
/* The full training set (before train_size), the validation set and the test set, or NULL. */
const BpDataset *bp_session_get_train_set (BpSession *self);
const BpDataset *bp_session_get_validation_set (BpSession *self);
const BpDataset *bp_session_get_test_set (BpSession *self);

/* ── Settings ─────────────────────────────────────────────────────────────────────────────── */

void                  bp_session_get_setup (BpSession      *self,
                                            BpSessionSetup *setup);
/* Check that @setup fits the data (input size, outputs ≥ classes, cost with output, ranges).
 * Without data only the network's own rules are checked. */
gboolean              bp_session_check_setup (BpSession            *self,
                                              const BpSessionSetup *setup,
                                              GError              **error);

void                  bp_session_get_hyperparams (BpSession     *self,
                                                  BpHyperparams *hyper);
/* Live: applied by the worker before its next mini-batch. FALSE (and nothing changes) when a
 * value is out of range; the message names it. */
gboolean              bp_session_set_hyperparams (BpSession           *self,
                                                  const BpHyperparams *hyper,
                                                  GError             **error);
guint                 bp_session_get_epochs (BpSession *self);
/* Live: a run stops after this many epochs; raising it lets a finished run continue. */
void                  bp_session_set_epochs (BpSession *self,
                                             guint      epochs);

/* ── Training ─────────────────────────────────────────────────────────────────────────────── */

BpSessionState bp_session_get_state (BpSession *self);
gboolean       bp_session_can_start (BpSession *self);
void           bp_session_start (BpSession *self);
void           bp_session_pause (BpSession *self);
/* One mini-batch (queued: three calls train three mini-batches), then paused. */
void           bp_session_step (BpSession *self);
/* Train to the end of the current epoch (or one whole epoch), then paused. */
void           bp_session_step_epoch (BpSession *self);
/* End the run within one mini-batch; the network keeps its parameters. */
void           bp_session_stop (BpSession *self);
/* A new network from @setup (NULL: the current setup again, so fresh weights from its seed).
 * The history is cleared at once; results still on their way from the old network are
 * dropped. @setup must pass bp_session_check_setup(). */
void           bp_session_reset (BpSession            *self,
                                 const BpSessionSetup *setup);

/* Epochs finished in this run, and the metrics of each, oldest first. */
guint                 bp_session_get_epoch (BpSession *self);
const BpEpochMetrics *bp_session_get_history (BpSession *self,
                                              guint     *n_epochs);
/* Mini-batches trained since the last reset. */
guint64               bp_session_get_batches_done (BpSession *self);
double                bp_session_get_progress (BpSession *self);
guint                 bp_session_get_generation (BpSession *self);
/* TRUE while the worker has work queued or results on their way. */
gboolean              bp_session_get_busy (BpSession *self);

/* The latest snapshot (a new reference), or NULL before the first network exists. */
BpSnapshot *bp_session_dup_snapshot (BpSession *self);

G_END_DECLS
