/* bp-test-events.c — the machine-readable event lines of the test mode (BACKPROP_TEST_EVENTS=1)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-events.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

gboolean
bp_test_events_enabled (void)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("BACKPROP_TEST_EVENTS"), "1") == 0;
  return enabled;
}

void
bp_test_event (const char *format,
               ...)
{
  static locale_t c_locale = (locale_t) 0;
  locale_t previous;
  va_list args;

  if (!bp_test_events_enabled ())
    return;

  /* A test reads "0.9512", never "0,9512", whatever LC_NUMERIC the app runs under. */
  if (c_locale == (locale_t) 0)
    c_locale = newlocale (LC_ALL_MASK, "C", (locale_t) 0);
  previous = uselocale (c_locale);

  va_start (args, format);
  vfprintf (stdout, format, args);
  va_end (args);
  fputc ('\n', stdout);
  fflush (stdout);

  uselocale (previous);
}

void
bp_test_event_widget (const char *name,
                      GtkWidget  *widget)
{
  GtkNative *native;
  graphene_rect_t bounds;
  double nx, ny;

  if (!bp_test_events_enabled ())
    return;

  native = gtk_widget_get_native (widget);
  if (native == NULL || !gtk_widget_compute_bounds (widget, GTK_WIDGET (native), &bounds))
    return;
  /* Widget coordinates of the native include its shadow and borders; the surface's do not. */
  gtk_native_get_surface_transform (native, &nx, &ny);
  bp_test_event ("widget %s %d %d %d %d", name,
                 (int) (bounds.origin.x + nx), (int) (bounds.origin.y + ny),
                 (int) bounds.size.width, (int) bounds.size.height);
}

struct _BpFrameStats
{
  GtkWidget     *window;     /* weak */
  GdkFrameClock *clock;
  GArray        *durations;  /* double, milliseconds */
  GArray        *running;    /* the same, of the frames painted while training ran */
  gboolean       is_running;
  gint64         frame_start;
  gulong         before_id;
  gulong         after_id;
  gulong         realize_id;
  gulong         unrealize_id;
};

static void
before_paint_cb (GdkFrameClock *clock,
                 BpFrameStats  *stats)
{
  stats->frame_start = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock,
                BpFrameStats  *stats)
{
  double ms;

  if (stats->frame_start == 0)
    return;
  ms = (double) (g_get_monotonic_time () - stats->frame_start) / 1000.0;
  stats->frame_start = 0;
  if (stats->window != NULL && gtk_widget_get_mapped (stats->window))
    {
      g_array_append_val (stats->durations, ms);
      if (stats->is_running)
        g_array_append_val (stats->running, ms);
    }
}

static void
disconnect_clock (BpFrameStats *stats)
{
  if (stats->clock == NULL)
    return;
  g_clear_signal_handler (&stats->before_id, stats->clock);
  g_clear_signal_handler (&stats->after_id, stats->clock);
  g_clear_object (&stats->clock);
}

static void
window_realize_cb (GtkWidget    *window,
                   BpFrameStats *stats)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  disconnect_clock (stats);
  if (clock == NULL)
    return;
  stats->clock = g_object_ref (clock);
  stats->before_id = g_signal_connect (clock, "before-paint", G_CALLBACK (before_paint_cb), stats);
  stats->after_id = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), stats);
}

/* The frame clock goes with the surface: let go of it before the surface is destroyed. */
static void
window_unrealize_cb (GtkWidget    *window,
                     BpFrameStats *stats)
{
  disconnect_clock (stats);
}

BpFrameStats *
bp_frame_stats_new (GtkWidget *window)
{
  BpFrameStats *stats = g_new0 (BpFrameStats, 1);

  stats->durations = g_array_new (FALSE, FALSE, sizeof (double));
  stats->running = g_array_new (FALSE, FALSE, sizeof (double));
  stats->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &stats->window);
  stats->realize_id = g_signal_connect (window, "realize", G_CALLBACK (window_realize_cb), stats);
  stats->unrealize_id = g_signal_connect (window, "unrealize", G_CALLBACK (window_unrealize_cb), stats);
  if (gtk_widget_get_realized (window))
    window_realize_cb (window, stats);
  return stats;
}

void
bp_frame_stats_free (BpFrameStats *stats)
{
  if (stats == NULL)
    return;
  disconnect_clock (stats);
  if (stats->window != NULL)
    {
      g_clear_signal_handler (&stats->realize_id, stats->window);
      g_clear_signal_handler (&stats->unrealize_id, stats->window);
      g_object_remove_weak_pointer (G_OBJECT (stats->window), (gpointer *) &stats->window);
    }
  g_array_unref (stats->durations);
  g_array_unref (stats->running);
  g_free (stats);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The nearest-rank percentile of the sorted @values. */
static double
percentile (const GArray *values,
            double        p)
{
  guint rank;

  if (values->len == 0)
    return 0.0;
  rank = (guint) (p / 100.0 * values->len + 0.999999);
  rank = CLAMP (rank, 1, values->len);
  return g_array_index (values, double, rank - 1);
}

void
bp_frame_stats_set_running (BpFrameStats *stats,
                            gboolean      running)
{
  g_return_if_fail (stats != NULL);

  stats->is_running = running;
}

static void
print_line (const char   *name,
            const GArray *durations)
{
  g_autoptr(GArray) sorted = g_array_copy ((GArray *) durations);

  g_array_sort (sorted, compare_doubles);
  bp_test_event ("%s p50 %.2f p95 %.2f max %.2f frames %u", name,
                 percentile (sorted, 50.0), percentile (sorted, 95.0),
                 sorted->len > 0 ? g_array_index (sorted, double, sorted->len - 1) : 0.0,
                 sorted->len);
}

void
bp_frame_stats_print (BpFrameStats *stats)
{
  g_return_if_fail (stats != NULL);

  print_line ("frame-stats-running", stats->running);
  print_line ("frame-stats", stats->durations);
}
