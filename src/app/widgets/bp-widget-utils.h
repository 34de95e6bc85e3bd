/* bp-widget-utils.h — small helpers the drawing widgets and the views share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether @widget is drawn in a dark style: its text colour is light (a relative luminance
 * above ½). @foreground, when not NULL, gets that colour, which the drawing code uses for its
 * text and lines. */
gboolean bp_widget_is_dark (GtkWidget *widget,
                            GdkRGBA   *foreground);

/* Set @accessible's description to @description, unless it already reads so: *@last holds the
 * description last set (a copy, freed by the caller's dispose with g_free()). A screen reader
 * may announce every change, and the data the descriptions follow changes many times a second.
 * Returns whether the description changed. */
gboolean bp_accessible_update_description (GtkAccessible  *accessible,
                                           char          **last,
                                           const char     *description);

G_END_DECLS
