/* bp-test-widget.h — running the main loop and rendering real widgets, for the widget tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Run the default main context for @ms milliseconds. */
void             bp_test_iterate_for (guint ms);

/* Redraw @widget and let a few frames pass (asserts that they did). */
void             bp_test_wait_for_frames (GtkWidget *widget);

/* Draw @widget as GTK does (its snapshot, rendered with Cairo over white) at its allocated size,
 * after letting it draw a few frames; an ARGB32 surface. */
cairo_surface_t *bp_test_render_widget (GtkWidget *widget);

G_END_DECLS
