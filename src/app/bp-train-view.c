/* bp-train-view.c — the Train view: progress, speed, and the live accuracy and cost curves
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every finished epoch adds a point to each curve; between epochs, the session's held-out
 * sample adds points of its own, so the curves move within a second of pressing Start even
 * when an epoch takes minutes.
 *
 * The points are the session's run history (bp-run-history.h): the view only hands them to
 * its plots, counting how many of the history's epochs and samples the live curves show, and
 * draws the history's pinned runs again whenever they change ("pins-changed").
 */
#include "config.h"

#include "bp-train-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-plot.h"

#define PLOT_INTERVAL_MS 250

struct _BpTrainView
{
  BpView           parent_instance;

  /* Template children */
  GtkLabel        *epoch_label;
  GtkProgressBar  *progress_bar;
  GtkLabel        *status_label;
  GtkLabel        *accuracy_label;
  GtkToggleButton *log_button;
  BpPlot          *accuracy_plot;
  BpPlot          *cost_plot;
  BpPlot          *speed_plot;

  guint            plotted_epochs;   /* epochs of the history on the live curves */
  guint            speed_epochs;     /* epochs of the history looked at for speeds */
  gboolean         speed_initial;    /* the speed before training is drawn */
  guint            plotted_samples;  /* samples on the live curves */
  gboolean         replotting;
  guint            x_batches;        /* x in mini-batches of an epoch this many long, or 0:
                                      * in epochs */
  guint            flush_id;
  gint64           last_flush;
};

G_DEFINE_FINAL_TYPE (BpTrainView, bp_train_view, BP_TYPE_VIEW)

enum {
  PINS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_cost_title (BpTrainView *self);
static void replot (BpTrainView *self);

static void
update_epoch_label (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autofree char *text = NULL;
  guint epoch, epochs;
  double progress;

  /* A hidden view's labels would only make the window lay itself out again for nothing; they
   * are brought up to date when the view is shown. */
  if (session == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  epoch = bp_session_get_epoch (session);
  epochs = bp_session_get_epochs (session);
  progress = bp_session_get_progress (session);

  /* While training runs, the epoch in progress. Paused or stopped, what is true: how many
   * epochs are done, and how far the next one got when it was paused in the middle (a run
   * paused a few mini-batches into epoch 7 is not "Epoch 7" over an empty bar). */
  if (bp_session_get_state (session) == BP_SESSION_STATE_RUNNING && epoch < epochs)
    text = g_strdup_printf (_("Epoch %u of %u"), epoch + 1, epochs);
  else if (progress > 0.0 && epoch < epochs)
    /* Translators: the header of the Train view when training is paused in the middle of an
     * epoch: "6 of 30 epochs done · epoch 7 at 4 %". */
    text = g_strdup_printf (_("%u of %u epochs done · epoch %u at %.0f %%"),
                            epoch, epochs, epoch + 1, floor (100.0 * progress));
  else
    /* Translators: the header of the Train view between epochs, training paused or ended. */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u epoch done",
                                         "%u of %u epochs done", epochs),
                            epoch, epochs);
  gtk_label_set_text (self->epoch_label, text);
  /* The bar is the epoch in progress, or paused in the middle; between epochs (and at the end
   * of a run) the last one finished, so it is full rather than empty. */
  if (progress > 0.0 && epoch < epochs)
    gtk_progress_bar_set_fraction (self->progress_bar, progress);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, epoch > 0 ? 1.0 : 0.0);
}

/* "212000 images/s · 1 min 05 s left": the speed while there is one, the time left while
 * running. */
static void
update_speed (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(GString) text = g_string_new (NULL);
  double rate = 0.0, seconds = -1.0;
  BpSessionState state = BP_SESSION_STATE_STOPPED;

  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (session != NULL)
    {
      g_object_get (session, "images-per-second", &rate, "seconds-left", &seconds, NULL);
      state = bp_session_get_state (session);
    }

  /* Three significant digits: the label (and the layout around it) changes only when the speed
   * does, not with every measurement's noise. */
  if (rate > 0.0)
    {
      double unit = pow (10.0, MAX (0.0, floor (log10 (rate)) - 2.0));

      /* Translators: training speed. */
      g_string_append_printf (text, _("%.0f images/s"), round (rate / unit) * unit);
    }

  if (state == BP_SESSION_STATE_RUNNING && seconds >= 0.0)
    {
      guint s = (guint) ceil (seconds);

      if (text->len > 0)
        g_string_append (text, " · ");
      if (s < 60)
        g_string_append_printf (text, _("%u s left"), s);
      else if (s < 3600)
        g_string_append_printf (text, _("%u min %02u s left"), s / 60, s % 60);
      else
        g_string_append_printf (text, _("%u h %02u min left"), s / 3600, (s / 60) % 60);
    }
  gtk_label_set_text (self->status_label, text->str);
}

static void
append_percent (GString    *text,
                const char *name,
                double      value)
{
  if (value < 0.0)
    return;
  if (text->len > 0)
    g_string_append (text, "   ");
  /* Translators: a data set's name and its accuracy in percent. */
  g_string_append_printf (text, _("%s %.2f %%"), name, 100.0 * value);
}

/* Within a run's first epoch, the mini-batches done (those since the network was made), and
 * in *@n_batches how many the epoch has (their share is the session's progress); otherwise 0
 * and 0. */
static guint
first_epoch_batches (BpSession *session,
                     guint     *n_batches)
{
  double progress = bp_session_get_progress (session);
  guint64 done = bp_session_get_batches_done (session);

  *n_batches = 0;
  if (bp_session_get_epoch (session) > 0 || progress <= 0.0 || done == 0)
    return 0;
  *n_batches = (guint) round ((double) done / progress);
  return (guint) done;
}

static void
update_accuracy_label (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(GString) text = g_string_new (NULL);
  double train, validation, test;

  if (session == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  g_object_get (session,
                "train-accuracy", &train,
                "validation-accuracy", &validation,
                "test-accuracy", &test,
                NULL);
  append_percent (text, _("Training"), train);
  append_percent (text, _("Validation"), validation);
  append_percent (text, _("Test"), test);
  if (text->len == 0)
    {
      const BpSessionSample *samples;
      guint n_samples, batch, n_batches;

      batch = first_epoch_batches (session, &n_batches);
      samples = bp_run_history_get_samples (bp_session_get_run_history (session), &n_samples);
      /* Stepped (or a first epoch under way): what the mini-batches did so far. */
      if (batch > 0 && n_samples > 0 && isfinite (samples[n_samples - 1].accuracy))
        /* Translators: the Train view's line after stepping one mini-batch (or during the
         * first epoch): "Mini-batch 3 of 5000 trained: held-out sample 12.4 % correct, cost
         * 1.62". */
        g_string_printf (text, _("Mini-batch %u of %u trained: held-out sample %.1f %% correct, "
                                 "cost %.3g"),
                         batch, n_batches, 100.0 * samples[n_samples - 1].accuracy,
                         samples[n_samples - 1].cost);
      else
        g_string_assign (text, _("Press Start or Space to train; the curves appear here."));
    }
  gtk_label_set_text (self->accuracy_label, text->str);
}

static void
append_accuracy (BpTrainView *self,
                 guint        series,
                 double       x,
                 double       y)
{
  bp_plot_append (self->accuracy_plot, series, x, y);
}

static void
append_cost (BpTrainView *self,
             guint        series,
             double       x,
             double       y)
{
  bp_plot_append (self->cost_plot, series, x, y);
}

static void
clear_live (BpTrainView *self)
{
  bp_plot_clear (self->accuracy_plot);
  bp_plot_clear (self->cost_plot);
}

static void
add_epoch (BpTrainView          *self,
           const BpEpochMetrics *m)
{
  double x = m->epoch;

  append_accuracy (self, BP_SESSION_ACCURACY_TRAIN, x, m->train_accuracy);
  append_accuracy (self, BP_SESSION_ACCURACY_VALIDATION, x, m->validation_accuracy);
  append_accuracy (self, BP_SESSION_ACCURACY_TEST, x, m->test_accuracy);
  append_cost (self, BP_SESSION_COST_TRAIN, x, m->train_cost);
  append_cost (self, BP_SESSION_COST_VALIDATION, x, m->validation_cost);
}

/* The speed plot gets one series per hidden layer measured. */
static void
ensure_speed_series (BpTrainView *self,
                     size_t       n_layers)
{
  if (bp_plot_get_n_series (self->speed_plot) == n_layers)
    return;
  bp_plot_remove_series (self->speed_plot);
  for (size_t k = 0; k < n_layers; k++)
    {
      /* Translators: a series of the speed-of-learning plot; %u counts from 1. */
      g_autofree char *name = g_strdup_printf (_("Hidden layer %u"), (guint) k + 1);

      bp_plot_add_series (self->speed_plot, name, (guint) k);
    }
}

static void
add_speeds (BpTrainView  *self,
            double        x,
            const double *speed,
            size_t        n_speeds)
{
  ensure_speed_series (self, n_speeds);
  for (size_t k = 0; k < n_speeds; k++)
    bp_plot_append (self->speed_plot, (guint) k, x, speed[k]);
  gtk_widget_set_visible (GTK_WIDGET (self->speed_plot), TRUE);
}

/* Chapter 5's speed of learning: the whole network's, before training (epoch 0) and after
 * every epoch that measured it; pins leave it alone. */
static void
flush_speeds (BpTrainView  *self,
              BpRunHistory *history)
{
  const BpEpochMetrics *epochs;
  const double *initial;
  size_t n_initial;
  guint n;

  initial = bp_run_history_get_initial_speed (history, &n_initial);
  if (!self->speed_initial && n_initial > 0)
    {
      add_speeds (self, 0.0, initial, n_initial);
      self->speed_initial = TRUE;
    }
  epochs = bp_run_history_get_epochs (history, &n);
  for (; self->speed_epochs < n; self->speed_epochs++)
    {
      const BpEpochMetrics *m = &epochs[self->speed_epochs];

      if (m->n_speeds > 0)
        add_speeds (self, m->epoch, m->speed, m->n_speeds);
    }
}

/* Before a run's first epoch ends (one mini-batch stepped, say), its points are a few
 * thousandths of an epoch apart: the x axis counts mini-batches then, and epochs again once an
 * epoch has ended or a run is pinned. Returns TRUE when the unit changed (the curves must be
 * drawn again). */
static gboolean
choose_x_unit (BpTrainView *self,
               BpSession   *session)
{
  BpRunHistory *history = bp_session_get_run_history (session);
  guint n_batches = 0, x_batches = 0;

  first_epoch_batches (session, &n_batches);
  if (bp_run_history_get_n_epochs (history) == 0
      && bp_run_history_get_plots (history)->pins->len == 0)
    {
      guint n_samples;

      bp_run_history_get_samples (history, &n_samples);
      x_batches = n_batches > 0 ? n_batches : n_samples > 0 ? self->x_batches : 0;
    }
  if (x_batches == self->x_batches)
    return FALSE;
  self->x_batches = x_batches;
  bp_plot_set_x_label (self->accuracy_plot, x_batches > 0 ? _("Mini-batch") : _("Epoch"));
  bp_plot_set_x_label (self->cost_plot, x_batches > 0 ? _("Mini-batch") : _("Epoch"));
  return TRUE;
}

/* Append to the plots what they do not show yet. */
static void
flush_points (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  BpRunHistory *history;
  const BpEpochMetrics *epochs;
  const BpSessionSample *samples;
  guint n, n_samples;

  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->last_flush = g_get_monotonic_time ();
  if (session == NULL)
    return;

  history = bp_session_get_run_history (session);
  epochs = bp_run_history_get_epochs (history, &n);
  samples = bp_run_history_get_samples (history, &n_samples);
  if (choose_x_unit (self, session) && !self->replotting)
    {
      self->replotting = TRUE;
      replot (self);
      self->replotting = FALSE;
      return;
    }
  for (; self->plotted_epochs < n; self->plotted_epochs++)
    add_epoch (self, &epochs[self->plotted_epochs]);
  for (; self->plotted_samples < n_samples; self->plotted_samples++)
    {
      const BpSessionSample *sample = &samples[self->plotted_samples];

      double x = self->x_batches > 0 ? sample->x * self->x_batches : sample->x;

      append_accuracy (self, BP_SESSION_ACCURACY_SAMPLE, x, sample->accuracy);
      append_cost (self, BP_SESSION_COST_SAMPLE, x, sample->cost);
    }
  flush_speeds (self, history);
}

static gboolean
flush_cb (gpointer data)
{
  BpTrainView *self = data;

  self->flush_id = 0;
  flush_points (self);
  return G_SOURCE_REMOVE;
}

/* New points reach the plots at most every PLOT_INTERVAL_MS: redrawing both charts for each of
 * a dozen points a second would cost the window, and the training thread sharing its
 * machine, more than the curves gain. The first point after a quiet spell shows at once. */
static void
schedule_flush (BpTrainView *self)
{
  gint64 since = (g_get_monotonic_time () - self->last_flush) / 1000;

  if (self->flush_id != 0)
    return;
  self->flush_id = g_timeout_add (since >= PLOT_INTERVAL_MS ? 0 : (guint) (PLOT_INTERVAL_MS - since),
                                  flush_cb, self);
}

static void
epoch_finished_cb (BpTrainView          *self,
                   const BpEpochMetrics *m)
{
  schedule_flush (self);
  update_accuracy_label (self);
  update_epoch_label (self);
}

/* The mini-batch a step trained reaches the session with its progress, which may come after
 * the held-out sample's point: the x axis may have to count mini-batches only now. */
static void
progress_cb (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));

  update_epoch_label (self);
  update_accuracy_label (self);
  if (session != NULL && !self->replotting && choose_x_unit (self, session))
    {
      self->replotting = TRUE;
      replot (self);
      self->replotting = FALSE;
    }
}

static void
metrics_sampled_cb (BpTrainView *self)
{
  schedule_flush (self);
  update_accuracy_label (self);
}

static void
add_marks (BpTrainView  *self,
           const GArray *marks)
{
  for (guint i = 0; i < marks->len; i++)
    {
      const BpHyperChange *change = &g_array_index (marks, BpHyperChange, i);
      g_autofree char *label = bp_hyper_change_to_string (change);

      bp_plot_add_mark (self->accuracy_plot, change->x, label);
      bp_plot_add_mark (self->cost_plot, change->x, label);
    }
}

/* Where η, λ or μ changed during the pinned runs and the live one: a tick on both plots,
 * "η 0.5 → 0.1". */
static void
update_marks (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  const BpSessionPlots *plots;

  bp_plot_clear_marks (self->accuracy_plot);
  bp_plot_clear_marks (self->cost_plot);
  if (session == NULL)
    return;
  plots = bp_run_history_get_plots (bp_session_get_run_history (session));
  for (guint i = 0; i < plots->pins->len; i++)
    add_marks (self, ((const BpSessionPin *) g_ptr_array_index (plots->pins, i))->marks);
  add_marks (self, plots->marks);
}

/* Redraw the live curves from the session's history. */
static void
replot (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));

  clear_live (self);
  bp_plot_remove_series (self->speed_plot);
  gtk_widget_set_visible (GTK_WIDGET (self->speed_plot), FALSE);
  self->speed_epochs = 0;
  self->speed_initial = FALSE;
  self->plotted_epochs =
    session != NULL ? bp_run_history_get_live_from (bp_session_get_run_history (session)) : 0;
  self->plotted_samples = 0;
  flush_points (self);
  update_marks (self);
}

/* The network is back at the start of the epoch that diverged, and the history has dropped
 * the sample points after it. */
static void
diverged_cb (BpTrainView *self)
{
  replot (self);
}

/* Start again from the session: after a reset, or for a new session. */
static void
reload (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));

  replot (self);
  if (session == NULL)
    return;
  update_cost_title (self);
  update_accuracy_label (self);
  update_epoch_label (self);
  update_speed (self);
}

/* Runs with different costs measure different things: the cost chart says so in its title
 * ("Cost · not one scale: Quadratic, Cross-entropy") rather than drawing them as comparable. */
static void
update_cost_title (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  static const char *const names[] = { N_("Quadratic"), N_("Cross-entropy"), N_("Log-likelihood") };
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *title = NULL;
  BpRun run;
  guint mask, n = 0;

  if (session == NULL)
    return;
  bp_session_get_run (session, &run);
  mask = bp_run_history_get_pin_costs (bp_session_get_run_history (session));
  if (mask != 0)
    mask |= 1u << run.arch.cost;
  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    if (mask & (1u << c))
      {
        if (n++ > 0)
          /* Translators: between the names of two costs in a list. */
          g_string_append (list, _(", "));
        g_string_append (list, _(names[c]));
      }
  if (n > 1)
    /* Translators: the cost chart's title when its runs use different costs (%s lists them). */
    title = g_strdup_printf (_("Cost · not one scale: %s"), list->str);
  bp_plot_set_title (self->cost_plot, title != NULL ? title : _("Cost"));
}

/* Draw the history's pinned runs: each is made as it was at first, its points on the live
 * curves, then pinned; then the live curves. */
static void
draw_pins (BpTrainView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  const BpSessionPlots *plots;

  if (session == NULL)
    return;
  plots = bp_run_history_get_plots (bp_session_get_run_history (session));
  bp_plot_clear_pins (self->accuracy_plot);
  bp_plot_clear_pins (self->cost_plot);
  for (guint i = 0; i < plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (plots->pins, i);
      g_autofree char *shown = NULL;

      clear_live (self);
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        for (guint k = 0; k < pin->accuracy[s]->len; k++)
          {
            const BpSessionPoint *p = &g_array_index (pin->accuracy[s], BpSessionPoint, k);

            append_accuracy (self, s, p->x, p->y);
          }
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        for (guint k = 0; k < pin->cost[s]->len; k++)
          {
            const BpSessionPoint *p = &g_array_index (pin->cost[s], BpSessionPoint, k);

            append_cost (self, s, p->x, p->y);
          }
      shown = bp_run_history_display_label (pin->label);
      bp_plot_pin_run (self->accuracy_plot, shown);
      bp_plot_pin_run (self->cost_plot, shown);
    }
  update_cost_title (self);
  replot (self);
}

static void
pins_changed_cb (BpTrainView *self,
                 const char  *label)
{
  draw_pins (self);
  g_signal_emit (self, signals[PINS_CHANGED], 0, bp_plot_get_n_pins (self->accuracy_plot),
                 label);
}

void
bp_train_view_pin_run (BpTrainView *self)
{
  BpSession *session;

  g_return_if_fail (BP_IS_TRAIN_VIEW (self));

  session = bp_view_get_session (BP_VIEW (self));
  if (session != NULL)
    bp_session_pin_run (session);
}

void
bp_train_view_clear_pins (BpTrainView *self)
{
  BpSession *session;

  g_return_if_fail (BP_IS_TRAIN_VIEW (self));

  session = bp_view_get_session (BP_VIEW (self));
  if (session != NULL)
    bp_session_clear_pins (session);
}

BpPlot *
bp_train_view_get_accuracy_plot (BpTrainView *self)
{
  g_return_val_if_fail (BP_IS_TRAIN_VIEW (self), NULL);

  return self->accuracy_plot;
}

BpPlot *
bp_train_view_get_cost_plot (BpTrainView *self)
{
  g_return_val_if_fail (BP_IS_TRAIN_VIEW (self), NULL);

  return self->cost_plot;
}

BpPlot *
bp_train_view_get_speed_plot (BpTrainView *self)
{
  g_return_val_if_fail (BP_IS_TRAIN_VIEW (self), NULL);

  return self->speed_plot;
}

static void
bp_train_view_session_changed (BpView *view)
{
  draw_pins (BP_TRAIN_VIEW (view));
  reload (BP_TRAIN_VIEW (view));
}

static void
bp_train_view_map (GtkWidget *widget)
{
  BpTrainView *self = BP_TRAIN_VIEW (widget);

  GTK_WIDGET_CLASS (bp_train_view_parent_class)->map (widget);

  update_accuracy_label (self);
  update_epoch_label (self);
  update_speed (self);
}

static void
bp_train_view_dispose (GObject *object)
{
  BpTrainView *self = BP_TRAIN_VIEW (object);

  g_clear_handle_id (&self->flush_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_TRAIN_VIEW);

  G_OBJECT_CLASS (bp_train_view_parent_class)->dispose (object);
}

static void
bp_train_view_class_init (BpTrainViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BpViewClass *view_class = BP_VIEW_CLASS (klass);

  object_class->dispose = bp_train_view_dispose;
  widget_class->map = bp_train_view_map;
  view_class->session_changed = bp_train_view_session_changed;

  signals[PINS_CHANGED] = g_signal_new ("pins-changed", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  g_type_ensure (BP_TYPE_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-train-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, epoch_label);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, status_label);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, accuracy_label);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, log_button);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, accuracy_plot);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, cost_plot);
  gtk_widget_class_bind_template_child (widget_class, BpTrainView, speed_plot);
}

static void
bp_train_view_init (BpTrainView *self)
{
  GSignalGroup *session_signals;
  /* The fourth curve is not in the book: say what it is (bp-worker.c's sample()). */
  const char *sample_tooltip =
    _("Not in the book: the first 500 validation images, measured about three times a second "
      "within an epoch, so that the curves move before the epoch ends. At each epoch’s end it "
      "is measured on the same network as the validation set, so a gap there is these 500 "
      "images alone: when it sits below the validation curve, they are harder than the 10,000 "
      "on average, and 500 are few (a point or so either way).");
  guint sample;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Colours: the same data set has the same colour in both plots. */
  bp_plot_set_title (self->accuracy_plot, _("Accuracy"));
  bp_plot_set_x_label (self->accuracy_plot, _("Epoch"));
  bp_plot_set_y_label (self->accuracy_plot, _("Fraction correct"));
  bp_plot_add_series (self->accuracy_plot, _("Training"), 0);
  bp_plot_add_series (self->accuracy_plot, _("Validation"), 1);
  bp_plot_add_series (self->accuracy_plot, _("Test"), 2);
  sample = bp_plot_add_series (self->accuracy_plot, _("Held-out sample (500)"), 3);
  bp_plot_set_series_tooltip (self->accuracy_plot, sample, sample_tooltip);

  bp_plot_set_title (self->cost_plot, _("Cost"));
  bp_plot_set_x_label (self->cost_plot, _("Epoch"));
  bp_plot_set_y_label (self->cost_plot, _("Cost"));
  bp_plot_add_series (self->cost_plot, _("Training"), 0);
  bp_plot_add_series (self->cost_plot, _("Validation"), 1);
  sample = bp_plot_add_series (self->cost_plot, _("Held-out sample (500)"), 3);
  bp_plot_set_series_tooltip (self->cost_plot, sample, sample_tooltip);

  g_object_bind_property (self->log_button, "active", self->cost_plot, "log-y",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);

  bp_plot_set_title (self->speed_plot, _("Speed of learning"));
  bp_plot_set_x_label (self->speed_plot, _("Epoch"));
  /* Translators: the y axis of the speed-of-learning plot: the length of the cost's gradient
   * with respect to a hidden layer's biases, averaged over 1,000 training images. */
  bp_plot_set_y_label (self->speed_plot, _("Length of ∂C/∂b"));


  session_signals = bp_view_get_session_signals (BP_VIEW (self));
  g_signal_group_connect_swapped (session_signals, "epoch-finished",
                                  G_CALLBACK (epoch_finished_cb), self);
  g_signal_group_connect_swapped (session_signals, "metrics-sampled",
                                  G_CALLBACK (metrics_sampled_cb), self);
  g_signal_group_connect_swapped (session_signals, "network-reset",
                                  G_CALLBACK (reload), self);
  g_signal_group_connect_swapped (session_signals, "diverged",
                                  G_CALLBACK (diverged_cb), self);
  g_signal_group_connect_swapped (session_signals, "pins-changed",
                                  G_CALLBACK (pins_changed_cb), self);
  g_signal_group_connect_swapped (session_signals, "hyperparams-changed",
                                  G_CALLBACK (update_marks), self);
  g_signal_group_connect_swapped (session_signals, "speed-measured",
                                  G_CALLBACK (schedule_flush), self);
  g_signal_group_connect_swapped (session_signals, "notify::progress",
                                  G_CALLBACK (progress_cb), self);
  g_signal_group_connect_swapped (session_signals, "notify::epochs",
                                  G_CALLBACK (update_epoch_label), self);
  g_signal_group_connect_swapped (session_signals, "notify::images-per-second",
                                  G_CALLBACK (update_speed), self);
  g_signal_group_connect_swapped (session_signals, "notify::seconds-left",
                                  G_CALLBACK (update_speed), self);
  g_signal_group_connect_swapped (session_signals, "notify::state",
                                  G_CALLBACK (update_speed), self);
  g_signal_group_connect_swapped (session_signals, "notify::state",
                                  G_CALLBACK (update_epoch_label), self);
}
