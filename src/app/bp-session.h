/* bp-session.h — one training session: the data, the network, and the worker thread training it
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * BpSession is the one object the views observe: the GObject façade of a BpWorker
 * (bp-worker.h), which trains on a thread of its own, and the owner of the run history
 * (bp-run-history.h). It uses GLib and GObject only (no GTK), so it is tested without a
 * display. Everything public is called on the thread that created the session (the main
 * thread); the worker thread never runs a signal handler or touches a property. Results come
 * back through the creating thread's main context, coalesced so that at most one idle callback
 * is pending at any time.
 */
#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "bp-dataset.h"
#include "bp-network.h"
#include "bp-run.h"
#include "bp-run-history.h"
#include "bp-train.h"
#include "bp-worker.h"

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
 * network from the current run. Used by the tests with small synthetic sets. */
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

/* The session's run (bp-run.h): what its network is built from — the arch and the settings
 * that are not live, which only bp_session_reset() and bp_session_adopt() change — and the live
 * ones, the hyperparameters and the epoch target, which change while it trains. It starts as
 * bp_run_init()'s, the book's chapter 1. */
void                  bp_session_get_run (BpSession *self,
                                          BpRun     *run);
/* Check the part of @run that makes a network (the arch and the settings that are not live)
 * against the data (input size, outputs ≥ classes, cost with output, ranges). Without data
 * only the network's own rules are checked (bp_worker_check_run()). */
gboolean              bp_session_check_run (BpSession    *self,
                                            const BpRun  *run,
                                            GError      **error);

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
/* The mini-batch the last bp_session_step() of the current network took (borrowed: take a
 * reference to keep it), or NULL. The "batch-taken" signal (BpMiniBatch *) tells when there is
 * a new one. */
BpMiniBatch   *bp_session_get_last_batch (BpSession *self);
/* Train to the end of the current epoch (or one whole epoch), then paused. */
void           bp_session_step_epoch (BpSession *self);
/* End the run within one mini-batch; the network keeps its parameters. */
void           bp_session_stop (BpSession *self);
/* A new network from the arch and the settings that are not live of @run (NULL: the current
 * ones again, so fresh weights from its seed); the live hyperparameters and the epoch target
 * stay as they are (bp_session_set_hyperparams(), bp_session_set_epochs() change them). The
 * history is cleared at once; results still on their way from the old network are dropped.
 * @run must pass bp_session_check_run(). */
void           bp_session_reset (BpSession   *self,
                                 const BpRun *run);

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

/* The latest snapshot (a new reference), or NULL before the first network exists. Right after
 * a reset it may still be the previous network's until the new one is built: compare its
 * generation with bp_session_get_generation(). */
BpSnapshot *bp_session_dup_snapshot (BpSession *self);

/* ── The run history ──────────────────────────────────────────────────────────────────────── */

/* What the session's runs have measured (bp-run-history.h), owned by the session and kept up
 * to date from the worker's events: the views draw it and session files save it. Change it
 * only through the session. */
BpRunHistory *bp_session_get_run_history (BpSession *self);
/* Pin the live curves under a label that says what distinguishes the run (its network, cost
 * and learning settings), then emit "pins-changed" with the label. */
void          bp_session_pin_run (BpSession *self);
/* Forget the pinned runs; "pins-changed" with no label. */
void          bp_session_clear_pins (BpSession *self);
/* The history takes @plots (owned: pins, samples, live start) as a session file saved them;
 * "pins-changed" with no label. */
void          bp_session_set_plots (BpSession      *self,
                                    BpSessionPlots *plots);
/* Measure chapter 5's speed of learning of every hidden layer of a network with hidden layers,
 * before training ("speed-measured") and after every epoch (the metrics of "epoch-finished"),
 * into the history. Off by default. It applies from the next network, at once when the
 * network has not trained yet and comes from the run (it is built again, the same). */
void          bp_session_set_learning_speed (BpSession *self,
                                             gboolean   learning_speed);
gboolean      bp_session_get_learning_speed (BpSession *self);

/* ── Networks from files (loading and saving: bp-session-io.c) ────────────────────────────── */

/* Load a network2.py JSON model (bp_model_load(): Nielsen's files and ours) and make it the
 * session's network: the run's arch and initialiser come from the model (the initialiser is
 * "default", network2.py's, when the file does not say), the other settings stay; the history
 * is cleared; the state is STOPPED (a running run is stopped first); a snapshot of it is published at once, so that the Draw and Mistakes views ask this
 * model, also when the session has no data; and Start trains on from these weights (and from
 * the file's momentum velocities, if it has them). With data, a model that does not fit it
 * (inputs ≠ pixels, fewer outputs than classes) is refused. On error nothing changes, and the
 * message names the file: G_IO_ERROR_NOT_FOUND or G_IO_ERROR_FAILED when it cannot be read,
 * G_IO_ERROR_INVALID_DATA when it is not a model, G_IO_ERROR_INVALID_ARGUMENT when the model
 * does not fit the data. */
gboolean bp_session_load_model (BpSession   *self,
                                const char  *path,
                                GError     **error);
/* Save the network of the latest snapshot as network2.py JSON (bp_model_save(): a temporary
 * file beside @path, renamed over it), with the run (its live hyperparameters and epoch target
 * included), the history and the momentum velocities as our extra fields. While training runs
 * the snapshot is at most ~30 ms old. FALSE, and @path untouched, when there is no network
 * (bp_session_has_network()) or the file cannot be written; the message names @path. */
gboolean bp_session_save_model (BpSession   *self,
                                const char  *path,
                                GError     **error);
/* bp_session_save_model() of @snapshot, which must be the session's latest of the current
 * generation (or NULL, which fails as "no network"); *@n_saved (may be NULL) gets the number of
 * epochs of the history saved with it. */
gboolean bp_session_save_snapshot (BpSession   *self,
                                   BpSnapshot  *snapshot,
                                   const char  *path,
                                   guint       *n_saved,
                                   GError     **error);
/* The same into @out, as bp_model_write_begin() writes it: the model file's opening brace and
 * members, without the closing brace (bp_model_write_end()), so that a session file adds its
 * own member. @name names the file in messages. For bp_session_file_write(). */
gboolean bp_session_write_snapshot (BpSession   *self,
                                    BpSnapshot  *snapshot,
                                    GString     *out,
                                    const char  *name,
                                    guint       *n_saved,
                                    GError     **error);
/* Whether there is a network to save: a snapshot of the current network exists (property
 * "has-network"; FALSE for the few milliseconds after a reset while the worker builds the new
 * network, and when no network could be built). */
gboolean bp_session_has_network (BpSession *self);
/* TRUE when the current network came from a file (bp_session_load_model(), a session file,
 * bp_session_adopt()) rather than from the run's initialiser; FALSE again after a reset. */
gboolean bp_session_get_network_from_file (BpSession *self);

/* Make a copy of @net the session's network, the way bp_session_reset() makes a new one (the
 * run stops, "network-reset" is emitted, results of the old network are dropped), and publish
 * a snapshot of it at once. @run replaces the session's run, live settings included (pass
 * bp_session_get_run()'s to keep them): its arch must be @net's, and it must pass
 * bp_session_check_run(). The history becomes a copy of @history (@n_history epochs, numbered
 * 1 … @n_history): the epochs @net has already trained, so that training numbers the next one
 * @n_history + 1. @velocity (NULL: at rest) is the momentum state to continue from
 * (net->n_params floats). FALSE, with G_IO_ERROR_INVALID_ARGUMENT, and nothing changes when a
 * value is out of range or not finite.
 *
 * A resumed network (@n_history > 0) shuffles with a seed derived from the run's seed and
 * @n_history, so that its epochs do not repeat the first epochs' order; the trainer's random
 * state is not saved, so a resumed run is repeatable but not the same, bit for bit, as a run
 * that never stopped (unless the order of the examples does not matter). Early stopping and
 * the schedule count again from the resumed epoch. */
gboolean bp_session_adopt (BpSession            *self,
                           const BpNetwork      *net,
                           const BpRun          *run,
                           const BpEpochMetrics *history,
                           guint                 n_history,
                           const float          *velocity,
                           GError              **error);

G_END_DECLS
