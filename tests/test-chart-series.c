/* test-chart-series.c — a chart's data without its drawing: BpChartSeries and BpChartRuns
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The points, their ranges and the pinned runs, checked with no display and no Cairo: what
 * BpChart draws and what its hover read-out finds rest on these.
 */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "bp-chart-runs.h"
#include "bp-chart-series.h"

static void
test_range_empty (void)
{
  BpChartRange range;

  bp_chart_range_clear (&range);
  g_assert_true (bp_chart_range_is_empty (&range));

  range.x_min = range.x_max = 1.0;
  range.y_min = range.y_max = -2.0;
  g_assert_false (bp_chart_range_is_empty (&range));
}

static void
test_series_append (void)
{
  g_autoptr(BpChartSeries) series = bp_chart_series_new ("Validation", 1);
  g_autoptr(BpChartSeries) unnamed = bp_chart_series_new (NULL, 4);
  const BpChartPoint *points;
  guint n;
  double x = -1.0, y = -1.0;

  g_assert_cmpstr (bp_chart_series_get_name (series), ==, "Validation");
  g_assert_cmpuint (bp_chart_series_get_color_index (series), ==, 1);
  g_assert_cmpstr (bp_chart_series_get_name (unnamed), ==, "");
  g_assert_cmpuint (bp_chart_series_get_color_index (unnamed), ==, 4);

  /* No points yet: no last point, and the out-parameters are left alone. */
  g_assert_cmpuint (bp_chart_series_get_n_points (series), ==, 0);
  g_assert_false (bp_chart_series_get_last (series, &x, &y));
  g_assert_cmpfloat (x, ==, -1.0);
  g_assert_cmpfloat (y, ==, -1.0);

  /* NaN and infinities are left out; the others are kept in order. */
  g_assert_true (bp_chart_series_append (series, 0.25, 0.5));
  g_assert_false (bp_chart_series_append (series, NAN, 0.5));
  g_assert_false (bp_chart_series_append (series, 0.5, NAN));
  g_assert_false (bp_chart_series_append (series, 0.5, INFINITY));
  g_assert_false (bp_chart_series_append (series, -INFINITY, 0.5));
  g_assert_true (bp_chart_series_append (series, 1.0, 0.75));
  g_assert_true (bp_chart_series_append (series, 0.5, -3.0));

  points = bp_chart_series_get_points (series, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (bp_chart_series_get_n_points (series), ==, 3);
  g_assert_cmpfloat (points[0].x, ==, 0.25);
  g_assert_cmpfloat (points[0].y, ==, 0.5);
  g_assert_cmpfloat (points[1].x, ==, 1.0);
  g_assert_cmpfloat (points[1].y, ==, 0.75);
  g_assert_cmpfloat (points[2].x, ==, 0.5);
  g_assert_cmpfloat (points[2].y, ==, -3.0);

  /* The last point is the last appended, not the rightmost. */
  g_assert_true (bp_chart_series_get_last (series, &x, &y));
  g_assert_cmpfloat (x, ==, 0.5);
  g_assert_cmpfloat (y, ==, -3.0);
  g_assert_true (bp_chart_series_get_last (series, NULL, NULL));

  bp_chart_series_clear (series);
  g_assert_cmpuint (bp_chart_series_get_n_points (series), ==, 0);
  g_assert_false (bp_chart_series_get_last (series, NULL, NULL));
  g_assert_cmpstr (bp_chart_series_get_name (series), ==, "Validation");
}

static void
test_series_range (void)
{
  g_autoptr(BpChartSeries) series = bp_chart_series_new ("cost", 0);
  g_autoptr(BpChartSeries) zeros = bp_chart_series_new ("zeros", 0);
  BpChartRange range;

  bp_chart_range_clear (&range);
  g_assert_false (bp_chart_series_extend_range (series, FALSE, &range));
  g_assert_true (bp_chart_range_is_empty (&range));

  bp_chart_series_append (series, 2.0, 0.0);
  bp_chart_series_append (series, 1.0, 3.0);
  bp_chart_series_append (series, 4.0, -1.0);
  bp_chart_series_append (series, 3.0, 0.5);

  g_assert_true (bp_chart_series_extend_range (series, FALSE, &range));
  g_assert_cmpfloat (range.x_min, ==, 1.0);
  g_assert_cmpfloat (range.x_max, ==, 4.0);
  g_assert_cmpfloat (range.y_min, ==, -1.0);
  g_assert_cmpfloat (range.y_max, ==, 3.0);

  /* For a log axis the points at or below zero do not count, in y nor in x. */
  bp_chart_range_clear (&range);
  g_assert_true (bp_chart_series_extend_range (series, TRUE, &range));
  g_assert_cmpfloat (range.x_min, ==, 1.0);
  g_assert_cmpfloat (range.x_max, ==, 3.0);
  g_assert_cmpfloat (range.y_min, ==, 0.5);
  g_assert_cmpfloat (range.y_max, ==, 3.0);

  /* A series with no positive y adds nothing to a log range, and says so. */
  bp_chart_series_append (zeros, 10.0, 0.0);
  g_assert_false (bp_chart_series_extend_range (zeros, TRUE, &range));
  g_assert_cmpfloat (range.x_max, ==, 3.0);

  /* Ranges widen: a second series only pushes the ends out. */
  g_assert_true (bp_chart_series_extend_range (zeros, FALSE, &range));
  g_assert_cmpfloat (range.x_min, ==, 1.0);
  g_assert_cmpfloat (range.x_max, ==, 10.0);
  g_assert_cmpfloat (range.y_min, ==, 0.0);
  g_assert_cmpfloat (range.y_max, ==, 3.0);
}

static void
test_series_take (void)
{
  g_autoptr(BpChartSeries) live = bp_chart_series_new ("Training", 2);
  g_autoptr(BpChartSeries) kept = NULL;
  const BpChartPoint *points;
  guint n;

  for (int i = 0; i < 5; i++)
    bp_chart_series_append (live, i, i * i);

  kept = bp_chart_series_take (live);
  g_assert_cmpstr (bp_chart_series_get_name (kept), ==, "Training");
  g_assert_cmpuint (bp_chart_series_get_color_index (kept), ==, 2);
  points = bp_chart_series_get_points (kept, &n);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpfloat (points[4].x, ==, 4.0);
  g_assert_cmpfloat (points[4].y, ==, 16.0);

  /* The live series goes on, empty, and what it gets next stays its own. */
  g_assert_cmpuint (bp_chart_series_get_n_points (live), ==, 0);
  g_assert_cmpstr (bp_chart_series_get_name (live), ==, "Training");
  bp_chart_series_append (live, 9.0, 9.0);
  g_assert_cmpuint (bp_chart_series_get_n_points (live), ==, 1);
  g_assert_cmpuint (bp_chart_series_get_n_points (kept), ==, 5);
}

static void
test_runs_series (void)
{
  g_autoptr(BpChartRuns) runs = bp_chart_runs_new ();

  g_assert_cmpuint (bp_chart_runs_get_n_series (runs), ==, 0);
  g_assert_cmpuint (bp_chart_runs_add_series (runs, "Training", 0), ==, 0);
  g_assert_cmpuint (bp_chart_runs_add_series (runs, "Validation", 1), ==, 1);
  g_assert_cmpuint (bp_chart_runs_add_series (runs, "Sample", 3), ==, 2);
  g_assert_cmpuint (bp_chart_runs_get_n_series (runs), ==, 3);
  g_assert_cmpstr (bp_chart_series_get_name (bp_chart_runs_get_series (runs, 1)), ==, "Validation");
  g_assert_cmpuint (bp_chart_series_get_color_index (bp_chart_runs_get_series (runs, 2)), ==, 3);

  g_assert_true (bp_chart_runs_append (runs, 1, 1.0, 0.9));
  g_assert_false (bp_chart_runs_append (runs, 1, 2.0, NAN));
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 0)), ==, 0);
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 1)), ==, 1);

  bp_chart_runs_clear (runs);
  g_assert_cmpuint (bp_chart_runs_get_n_series (runs), ==, 3);
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 1)), ==, 0);
}

static void
test_runs_pin (void)
{
  g_autoptr(BpChartRuns) runs = bp_chart_runs_new ();
  BpChartSeries *pinned;
  double x, y;

  bp_chart_runs_add_series (runs, "Training", 0);
  bp_chart_runs_add_series (runs, "Validation", 1);

  /* Nothing to keep: no pin. */
  g_assert_false (bp_chart_runs_pin (runs, "empty"));
  g_assert_cmpuint (bp_chart_runs_get_n_pins (runs), ==, 0);

  bp_chart_runs_append (runs, 0, 1.0, 0.8);
  bp_chart_runs_append (runs, 0, 2.0, 0.85);
  g_assert_true (bp_chart_runs_pin (runs, "784-30-10 η 3"));
  g_assert_cmpuint (bp_chart_runs_get_n_pins (runs), ==, 1);
  g_assert_cmpstr (bp_chart_runs_get_pin_label (runs, 0), ==, "784-30-10 η 3");

  /* The pin keeps every live series, the empty one too, with names and colours. */
  g_assert_cmpuint (bp_chart_runs_get_pin_n_series (runs, 0), ==, 2);
  pinned = bp_chart_runs_get_pinned_series (runs, 0, 0);
  g_assert_cmpstr (bp_chart_series_get_name (pinned), ==, "Training");
  g_assert_cmpuint (bp_chart_series_get_n_points (pinned), ==, 2);
  g_assert_true (bp_chart_series_get_last (pinned, &x, &y));
  g_assert_cmpfloat (x, ==, 2.0);
  g_assert_cmpfloat (y, ==, 0.85);
  pinned = bp_chart_runs_get_pinned_series (runs, 0, 1);
  g_assert_cmpuint (bp_chart_series_get_color_index (pinned), ==, 1);
  g_assert_cmpuint (bp_chart_series_get_n_points (pinned), ==, 0);

  /* The live series are empty again. */
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 0)), ==, 0);

  /* Without a label a pin is numbered; a series added later is not in the older pins. */
  bp_chart_runs_add_series (runs, "Sample", 3);
  bp_chart_runs_append (runs, 2, 0.5, 0.7);
  g_assert_true (bp_chart_runs_pin (runs, NULL));
  g_assert_cmpstr (bp_chart_runs_get_pin_label (runs, 1), ==, "Pinned run 2");
  g_assert_cmpuint (bp_chart_runs_get_pin_n_series (runs, 0), ==, 2);
  g_assert_cmpuint (bp_chart_runs_get_pin_n_series (runs, 1), ==, 3);
  bp_chart_runs_append (runs, 2, 0.5, 0.7);
  g_assert_true (bp_chart_runs_pin (runs, ""));
  g_assert_cmpstr (bp_chart_runs_get_pin_label (runs, 2), ==, "Pinned run 3");

  /* Clearing the live run leaves the pins; clearing the pins leaves the live run. */
  bp_chart_runs_append (runs, 0, 3.0, 0.9);
  bp_chart_runs_clear (runs);
  g_assert_cmpuint (bp_chart_runs_get_n_pins (runs), ==, 3);
  bp_chart_runs_append (runs, 0, 3.0, 0.9);
  bp_chart_runs_clear_pins (runs);
  g_assert_cmpuint (bp_chart_runs_get_n_pins (runs), ==, 0);
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 0)), ==, 1);

  /* Numbering starts again with the pins. */
  g_assert_true (bp_chart_runs_pin (runs, NULL));
  g_assert_cmpstr (bp_chart_runs_get_pin_label (runs, 0), ==, "Pinned run 1");
}

static void
test_runs_range (void)
{
  g_autoptr(BpChartRuns) runs = bp_chart_runs_new ();
  BpChartRange range;

  bp_chart_runs_add_series (runs, "Training", 0);
  bp_chart_runs_add_series (runs, "Validation", 1);
  g_assert_false (bp_chart_runs_get_range (runs, FALSE, &range));
  g_assert_true (bp_chart_range_is_empty (&range));

  /* A pinned run's points count as much as the live run's. */
  bp_chart_runs_append (runs, 0, 1.0, 4.0);
  bp_chart_runs_append (runs, 1, 30.0, 0.5);
  bp_chart_runs_pin (runs, "first");
  bp_chart_runs_append (runs, 0, 2.0, 0.0);
  bp_chart_runs_append (runs, 1, 3.0, 9.0);

  g_assert_true (bp_chart_runs_get_range (runs, FALSE, &range));
  g_assert_cmpfloat (range.x_min, ==, 1.0);
  g_assert_cmpfloat (range.x_max, ==, 30.0);
  g_assert_cmpfloat (range.y_min, ==, 0.0);
  g_assert_cmpfloat (range.y_max, ==, 9.0);

  g_assert_true (bp_chart_runs_get_range (runs, TRUE, &range));
  g_assert_cmpfloat (range.x_min, ==, 1.0);
  g_assert_cmpfloat (range.y_min, ==, 0.5);

  /* The range is computed afresh each time, never widened from an older one. */
  bp_chart_runs_clear_pins (runs);
  g_assert_true (bp_chart_runs_get_range (runs, FALSE, &range));
  g_assert_cmpfloat (range.x_min, ==, 2.0);
  g_assert_cmpfloat (range.x_max, ==, 3.0);

  bp_chart_runs_clear (runs);
  g_assert_false (bp_chart_runs_get_range (runs, FALSE, &range));
  g_assert_true (bp_chart_range_is_empty (&range));
}

/* Removing the series takes the pins with them; new series start again from index 0. */
static void
test_runs_remove_series (void)
{
  g_autoptr(BpChartRuns) runs = bp_chart_runs_new ();

  bp_chart_runs_add_series (runs, "Hidden layer 1", 0);
  bp_chart_runs_add_series (runs, "Hidden layer 2", 1);
  g_assert_true (bp_chart_runs_append (runs, 1, 0.0, 0.5));
  g_assert_true (bp_chart_runs_pin (runs, "deep"));
  g_assert_true (bp_chart_runs_append (runs, 0, 1.0, 0.25));

  bp_chart_runs_remove_series (runs);
  g_assert_cmpuint (bp_chart_runs_get_n_series (runs), ==, 0);
  g_assert_cmpuint (bp_chart_runs_get_n_pins (runs), ==, 0);
  g_assert_cmpuint (bp_chart_runs_add_series (runs, "Hidden layer 1", 0), ==, 0);
  g_assert_cmpuint (bp_chart_series_get_n_points (bp_chart_runs_get_series (runs, 0)), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart-series/range/empty", test_range_empty);
  g_test_add_func ("/chart-series/series/append", test_series_append);
  g_test_add_func ("/chart-series/series/range", test_series_range);
  g_test_add_func ("/chart-series/series/take", test_series_take);
  g_test_add_func ("/chart-series/runs/series", test_runs_series);
  g_test_add_func ("/chart-series/runs/pin", test_runs_pin);
  g_test_add_func ("/chart-series/runs/range", test_runs_range);
  g_test_add_func ("/chart-series/runs/remove-series", test_runs_remove_series);

  return g_test_run ();
}
