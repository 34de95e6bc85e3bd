/* bp-focus-ring.h — the keyboard focus ring of the drawing widgets (private to them)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The colour of focus rings: libadwaita's accent at half opacity, as its own rings are, or the
 * text colour at half opacity under a theme without an accent colour. */
void bp_focus_ring_color (GtkWidget *widget,
                          GdkRGBA   *color);

/* Draw a ring just inside @widget's edge when it has the visible keyboard focus. A widget with
 * the "card" style class gets its ring from the theme (libadwaita's .card:focus-visible), so
 * nothing is drawn then. */
void bp_focus_ring_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot);

/* Whether a change from @old_flags to @widget's present state flags shows or hides the ring:
 * the widget then queues a redraw. */
gboolean bp_focus_ring_changed (GtkWidget     *widget,
                                GtkStateFlags  old_flags);

/* Where the arrow keys, Home and End move a keyboard cursor at @cursor (≥ 0) among @n cells laid
 * out in rows of @columns: Left and Right step along the reading order, Up and Down a row where
 * there is one, Home and End to the first and last cell. FALSE, and *@next untouched, for any
 * other key. */
gboolean bp_focus_grid_move (guint  keyval,
                             int    cursor,
                             int    n,
                             int    columns,
                             int   *next);

G_END_DECLS
