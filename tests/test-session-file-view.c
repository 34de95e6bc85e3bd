/* test-session-file-view.c — a session file brings the Train view's plots back as they were
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real BpTrainView on a session training small synthetic data: its pinned runs and live
 * curves go into a session file (bp_session_file_save()) and come back in another view and
 * session (bp_session_file_load()), point for point. Needs a display (meson runs it under
 * xvfb-run); skipped without one.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "bp-session-io.h"
#include "bp-test-data.h"
#include "bp-train-view.h"

#define SIDE      4
#define N_CLASSES 10

enum {
  ACCURACY_SERIES = 4,
  COST_SERIES = 3,
};

static gboolean have_display;

static BpSession *
new_session (void)
{
  BpSession *session = bp_session_new ();
  const size_t sizes[] = { SIDE * SIDE, 8, N_CLASSES };
  BpRun setup;

  bp_run_init (&setup);
  bp_arch_from_sizes (&setup.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_QUADRATIC, NULL);
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (2000, SIDE, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (500, SIDE, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (100, SIDE, N_CLASSES, 3, FALSE));
  return session;
}

/* A Train view (a reference of the test's own) showing @session. */
static BpTrainView *
new_view (BpSession *session)
{
  BpTrainView *view = g_object_ref_sink (g_object_new (BP_TYPE_TRAIN_VIEW, NULL));

  bp_view_set_session (BP_VIEW (view), session);
  return view;
}

/* Both views and sessions go, and nothing of them is left; then the file and its folder. */
static void
finish (BpTrainView *view,
        BpTrainView *other_view,
        BpSession   *session,
        BpSession   *other,
        const char  *path,
        const char  *tmp)
{
  bp_view_set_session (BP_VIEW (view), NULL);
  bp_view_set_session (BP_VIEW (other_view), NULL);
  g_assert_finalize_object (view);
  g_assert_finalize_object (other_view);
  g_assert_finalize_object (session);
  g_assert_finalize_object (other);
  g_unlink (path);
  g_rmdir (tmp);
}

static gboolean
timeout_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Train to @epochs, then let the view's throttled updates reach the plots. */
static void
train_to (BpSession *session,
          BpPlot    *accuracy,
          guint      live_epochs,
          guint      epochs)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (30, timeout_cb, &expired);

  bp_session_set_epochs (session, epochs);
  bp_session_start (session);
  while ((bp_session_get_busy (session) || bp_plot_get_n_points (accuracy, 0) < live_epochs)
         && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (id);
  g_assert_cmpuint (bp_session_get_epoch (session), ==, epochs);

  /* The last held-out sample points reach the plots within 250 ms. */
  {
    gint64 end = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;

    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, FALSE);
  }
}

/* What a session file would keep of the plots the view shows: its session's run history's. */
static BpSessionPlots *
dup_plots (BpTrainView *view)
{
  BpSession *session = bp_view_get_session (BP_VIEW (view));

  return bp_session_plots_copy (bp_run_history_get_plots (bp_session_get_run_history (session)));
}

static void
assert_same_plots (const BpSessionPlots *a,
                   const BpSessionPlots *b)
{
  g_assert_cmpuint (a->live_from, ==, b->live_from);
  g_assert_cmpuint (a->samples->len, ==, b->samples->len);
  g_assert_cmpmem (a->samples->data, a->samples->len * sizeof (BpSessionSample),
                   b->samples->data, b->samples->len * sizeof (BpSessionSample));
  g_assert_cmpuint (a->pins->len, ==, b->pins->len);
  for (guint i = 0; i < a->pins->len; i++)
    {
      const BpSessionPin *p = g_ptr_array_index (a->pins, i);
      const BpSessionPin *q = g_ptr_array_index (b->pins, i);

      g_assert_cmpstr (p->label, ==, q->label);
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        g_assert_cmpmem (p->accuracy[s]->data, p->accuracy[s]->len * sizeof (BpSessionPoint),
                         q->accuracy[s]->data, q->accuracy[s]->len * sizeof (BpSessionPoint));
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        g_assert_cmpmem (p->cost[s]->data, p->cost[s]->len * sizeof (BpSessionPoint),
                         q->cost[s]->data, q->cost[s]->len * sizeof (BpSessionPoint));
    }
}

/* The plots of two views hold as many pins and live points, series by series. */
static void
assert_same_charts (BpTrainView *a,
                    BpTrainView *b)
{
  BpPlot *plots_a[] = { bp_train_view_get_accuracy_plot (a), bp_train_view_get_cost_plot (a) };
  BpPlot *plots_b[] = { bp_train_view_get_accuracy_plot (b), bp_train_view_get_cost_plot (b) };
  guint n_series[] = { ACCURACY_SERIES, COST_SERIES };

  for (guint p = 0; p < 2; p++)
    {
      g_assert_cmpuint (bp_plot_get_n_pins (plots_a[p]), ==, bp_plot_get_n_pins (plots_b[p]));
      for (guint s = 0; s < n_series[p]; s++)
        g_assert_cmpuint (bp_plot_get_n_points (plots_a[p], s), ==,
                          bp_plot_get_n_points (plots_b[p], s));
    }
}

static void
test_view_round_trip (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(BpSessionPlots) saved = NULL;
  g_autoptr(BpSessionPlots) loaded = NULL;
  BpSession *session, *other;
  BpTrainView *view, *other_view;
  BpPlot *accuracy, *other_accuracy;
  const BpSessionPin *pin;
  guint live_accuracy[ACCURACY_SERIES], live_cost[COST_SERIES];

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  tmp = g_dir_make_tmp ("backprop-session-view-XXXXXX", NULL);
  path = g_build_filename (tmp, "run.backprop", NULL);
  file = g_file_new_for_path (path);

  session = new_session ();
  view = new_view (session);
  accuracy = bp_train_view_get_accuracy_plot (view);

  /* Two epochs, pinned; two more on the live curves. */
  train_to (session, accuracy, 2, 2);
  for (guint s = 0; s < ACCURACY_SERIES; s++)
    live_accuracy[s] = bp_plot_get_n_points (accuracy, s);
  for (guint s = 0; s < COST_SERIES; s++)
    live_cost[s] = bp_plot_get_n_points (bp_train_view_get_cost_plot (view), s);
  /* Held-out sample points too: one at least at each epoch's end. */
  g_assert_cmpuint (live_accuracy[3], >=, 2);
  bp_train_view_pin_run (view);
  g_assert_cmpuint (bp_plot_get_n_pins (accuracy), ==, 1);
  g_assert_cmpuint (bp_plot_get_n_points (accuracy, 0), ==, 0);
  train_to (session, accuracy, 2, 4);
  saved = dup_plots (view);
  g_assert_cmpuint (saved->live_from, ==, 2);
  g_assert_cmpuint (saved->pins->len, ==, 1);
  pin = g_ptr_array_index (saved->pins, 0);
  g_assert_nonnull (strstr (pin->label, "16-8-10"));
  /* The pin holds every point the plots had: the first two epochs of each data set's curve,
   * and the held-out sample's. */
  g_assert_cmpuint (pin->accuracy[0]->len, ==, 2);
  for (guint s = 0; s < ACCURACY_SERIES; s++)
    g_assert_cmpuint (pin->accuracy[s]->len, ==, live_accuracy[s]);
  for (guint s = 0; s < COST_SERIES; s++)
    g_assert_cmpuint (pin->cost[s]->len, ==, live_cost[s]);
  g_assert_true (bp_session_file_save (session, file, &error));
  g_assert_no_error (error);

  /* Another view, with a pin of its own that the file's replace. */
  other = new_session ();
  other_view = new_view (other);
  other_accuracy = bp_train_view_get_accuracy_plot (other_view);
  train_to (other, other_accuracy, 1, 1);
  bp_train_view_pin_run (other_view);
  bp_train_view_pin_run (other_view);
  g_assert_cmpuint (bp_plot_get_n_pins (other_accuracy), ==, 1);

  g_assert_true (bp_session_file_load (other, file, &error));
  g_assert_no_error (error);
  loaded = dup_plots (other_view);
  assert_same_plots (saved, loaded);
  assert_same_charts (view, other_view);
  g_assert_cmpuint (bp_plot_get_n_points (other_accuracy, 0), ==, 2);

  /* Training on adds to the live curves after the restored ones. */
  train_to (other, other_accuracy, 3, 5);
  g_assert_cmpuint (bp_plot_get_n_pins (other_accuracy), ==, 1);

  /* A new pin in the restored view, saved again, keeps both. */
  bp_train_view_pin_run (other_view);
  g_clear_pointer (&loaded, bp_session_plots_free);
  loaded = dup_plots (other_view);
  g_assert_cmpuint (loaded->pins->len, ==, 2);
  pin = g_ptr_array_index (loaded->pins, 1);
  g_assert_cmpuint (pin->accuracy[0]->len, ==, 3);

  /* Clearing the pins clears them from what a file would keep too. */
  bp_train_view_clear_pins (other_view);
  g_clear_pointer (&loaded, bp_session_plots_free);
  loaded = dup_plots (other_view);
  g_assert_cmpuint (loaded->pins->len, ==, 0);

  finish (view, other_view, session, other, path, tmp);
}

/* Pinned runs with another cost than each other's or the live run's are not one scale: the
 * cost chart's title says so; with one cost it is just "Cost". */
static void
test_view_costs (void)
{
  BpSession *session;
  BpTrainView *view;
  BpPlot *cost;
  const char *const labels[] = { "16-8-10 cross-entropy η 3 w ~ N(0, 1)", "16-8-10 quadratic η 3" };
  const char *title;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  session = new_session ();
  view = new_view (session);
  cost = bp_train_view_get_cost_plot (view);
  g_assert_cmpstr (bp_plot_get_title (cost), ==, "Cost");
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      BpSessionPlots *plots = bp_session_plots_new ();
      BpSessionPin *pin = bp_session_pin_new (labels[i]);
      BpSessionPoint point = { 1.0, 0.5 };

      g_array_append_val (pin->cost[0], point);
      g_ptr_array_add (plots->pins, pin);
      bp_session_set_plots (session, plots);
      title = bp_plot_get_title (cost);
      if (i == 0)
        {
          g_assert_nonnull (strstr (title, "not one scale"));
          g_assert_nonnull (strstr (title, "Quadratic"));
          g_assert_nonnull (strstr (title, "Cross-entropy"));
        }
      else
        g_assert_cmpstr (title, ==, "Cost");
    }
  bp_view_set_session (BP_VIEW (view), NULL);
  g_assert_finalize_object (view);
  g_assert_finalize_object (session);
}

/* With the speed of learning measured, the view draws it (epoch 0, then each epoch), and a
 * session file brings it back into another view. */
static void
test_view_speed (void)
{
  g_autofree char *tmp = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  BpSession *session, *other;
  BpTrainView *view, *other_view;
  BpPlot *speed, *other_speed;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  tmp = g_dir_make_tmp ("backprop-session-view-XXXXXX", NULL);
  path = g_build_filename (tmp, "speed.backprop", NULL);
  file = g_file_new_for_path (path);

  session = new_session ();
  view = new_view (session);
  speed = bp_train_view_get_speed_plot (view);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (speed)));

  bp_session_set_learning_speed (session, TRUE);
  train_to (session, bp_train_view_get_accuracy_plot (view), 2, 2);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (speed)));
  g_assert_cmpuint (bp_plot_get_n_series (speed), ==, 1);
  g_assert_cmpuint (bp_plot_get_n_points (speed, 0), ==, 3);
  g_assert_true (bp_session_file_save (session, file, &error));
  g_assert_no_error (error);

  other = new_session ();
  other_view = new_view (other);
  other_speed = bp_train_view_get_speed_plot (other_view);
  train_to (other, bp_train_view_get_accuracy_plot (other_view), 1, 1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (other_speed)));
  g_assert_true (bp_session_file_load (other, file, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (other_speed)));
  g_assert_cmpuint (bp_plot_get_n_points (other_speed, 0), ==, 3);

  /* A new network without it: the plot goes. */
  bp_session_reset (other, NULL);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (other_speed)));

  finish (view, other_view, session, other, path, tmp);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();
  if (have_display)
    adw_init ();

  g_test_add_func ("/session-file-view/round-trip", test_view_round_trip);
  g_test_add_func ("/session-file-view/speed", test_view_speed);
  g_test_add_func ("/session-file-view/costs", test_view_costs);

  return g_test_run ();
}
