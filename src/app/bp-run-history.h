/* bp-run-history.h — what a session's runs have measured: epochs, samples, speeds and pins
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One model of the history, owned by the session (bp_session_get_run_history()), which fills it
 * from the worker's events: the metrics of every epoch of the current network, the speed of
 * learning before its first epoch, the held-out sample's points since the last pin, and the
 * pinned runs. The charts only draw it and session files only save and load it
 * (bp_run_history_get_plots(), bp_session_set_plots()). GLib only.
 */
#pragma once

#include <glib.h>

#include "bp-run.h"
#include "bp-session-file.h"
#include "bp-train.h"

G_BEGIN_DECLS

typedef struct _BpRunHistory BpRunHistory;

BpRunHistory *bp_run_history_new (void);
void          bp_run_history_free (BpRunHistory *self);

/* A new network: its epochs become a copy of @epochs (@n_epochs, numbered 1 … @n_epochs), its
 * speed of learning before training @initial_speed (@n_speeds; 0: not measured); the samples go
 * and the live curves start from the first epoch. The pins stay. */
void bp_run_history_restart (BpRunHistory         *self,
                             const BpEpochMetrics *epochs,
                             guint                 n_epochs,
                             const double         *initial_speed,
                             size_t                n_speeds);

/* ── Epochs ───────────────────────────────────────────────────────────────────────────────── */

void                  bp_run_history_add_epoch (BpRunHistory         *self,
                                                const BpEpochMetrics *metrics);
guint                 bp_run_history_get_n_epochs (const BpRunHistory *self);
/* Oldest first; valid until the next change. */
const BpEpochMetrics *bp_run_history_get_epochs (const BpRunHistory *self,
                                                 guint              *n_epochs);

/* Chapter 5's speed of learning of each hidden layer before the first epoch (epoch 0), or
 * NULL with *@n_speeds 0 when it was not measured. */
void          bp_run_history_set_initial_speed (BpRunHistory *self,
                                                const double *speed,
                                                size_t        n_speeds);
const double *bp_run_history_get_initial_speed (const BpRunHistory *self,
                                                size_t             *n_speeds);

/* ── The held-out sample ──────────────────────────────────────────────────────────────────── */

void                   bp_run_history_add_sample (BpRunHistory *self,
                                                  double        x,
                                                  double        accuracy,
                                                  double        cost);
/* Forget the samples taken after @x epochs (a network back at an epoch's start); whether any
 * went. */
gboolean               bp_run_history_drop_samples_after (BpRunHistory *self,
                                                          double        x);
const BpSessionSample *bp_run_history_get_samples (const BpRunHistory *self,
                                                   guint              *n_samples);

/* ── Changes of η, λ and μ during the run ───────────────────────────────────────────────────── */

/* A change is a session file's mark (bp-session-file.h): files keep them. */
typedef BpSessionMark BpHyperChange;

/* Record the live settings' changes from @from to @to at @x epochs: one per setting of η, λ
 * and μ that differs. They mark the live curves; a new network forgets them, a pin takes them
 * along (bp_run_history_get_plots(): each pin's marks). */
void                 bp_run_history_add_changes (BpRunHistory        *self,
                                                 double               x,
                                                 const BpHyperparams *from,
                                                 const BpHyperparams *to);
/* Oldest first; valid until the next change. */
const BpHyperChange *bp_run_history_get_changes (const BpRunHistory *self,
                                                 guint              *n_changes);
/* "η 0.5 → 0.1". */
char                *bp_hyper_change_to_string (const BpHyperChange *change);

/* ── Pinned runs ──────────────────────────────────────────────────────────────────────────── */

/* Keep the live curves' points (the epochs after live_from and the samples, finite ones only)
 * as a pinned run labelled @label; the live curves then start after the last epoch, without
 * samples. Nothing happens, and FALSE, when there are no such points. */
gboolean bp_run_history_pin (BpRunHistory *self,
                             const char   *label);
/* What distinguishes the live curves of @run (its network, cost and learning settings, η as
 * its epochs since live_from used it, the training set, the initial weights) as a pin's label:
 * "784-30-10 quadratic η 3→1.5 λ 5 w ~ N(0, 1)"; " seed N", then " #K", when a pin already
 * has that label. */
char    *bp_run_history_make_label (const BpRunHistory *self,
                                    const BpRun        *run);
/* @label, a bp_run_history_make_label() label (which session files keep and which stays in
 * the CLI's words whatever the language), in the app's own words for a legend: the cost, the
 * hidden activation, dropout, the expansion and the training set's size as the controls name
 * them, translated ("784-30-10 交叉熵 η 0.1 λ 5 …"). The rest (numbers, symbols) is kept. */
char    *bp_run_history_display_label (const char *label);
void     bp_run_history_clear_pins (BpRunHistory *self);
/* The costs of the pinned runs, as read from their labels' second word (the cost's name, as
 * bp_run_history_make_label() writes it): a mask of 1 << BpCost; labels that name none add
 * nothing. */
guint    bp_run_history_get_pin_costs (const BpRunHistory *self);
/* The epochs already pinned: the live curves show those after it. */
guint    bp_run_history_get_live_from (const BpRunHistory *self);

/* What a session file keeps of the plots: live_from, the samples and the pins, owned by the
 * history and valid until its next change. */
const BpSessionPlots *bp_run_history_get_plots (const BpRunHistory *self);
/* Take @plots (owned) as they were saved, live_from cut to the epochs there are. */
void                  bp_run_history_set_plots (BpRunHistory   *self,
                                                BpSessionPlots *plots);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpRunHistory, bp_run_history_free)

G_END_DECLS
