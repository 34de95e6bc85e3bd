/* bp-test-widget.c — running the main loop and rendering real widgets, for the widget tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-widget.h"

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

void
bp_test_iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  (*(int *) data)++;

  return G_SOURCE_CONTINUE;
}

void
bp_test_wait_for_frames (GtkWidget *widget)
{
  int frames = 0;
  guint id = gtk_widget_add_tick_callback (widget, tick_cb, &frames, NULL);

  gtk_widget_queue_draw (widget);
  for (int i = 0; i < 500 && frames < 3; i++)
    bp_test_iterate_for (10);
  gtk_widget_remove_tick_callback (widget, id);
  g_assert_cmpint (frames, >=, 3);
}

cairo_surface_t *
bp_test_render_widget (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;

  /* The paintable takes the widget's picture the next time the widget draws. */
  bp_test_wait_for_frames (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);

  gsk_render_node_unref (node);
  g_object_unref (paintable);

  return surface;
}
