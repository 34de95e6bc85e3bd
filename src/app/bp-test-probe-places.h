/* bp-test-probe-places.h — the test mode's "widget NAME X Y W H" lines, for bp-test-probe.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* "widget NAME X Y W H" for a part (@x, @y, @width × @height) of @widget, in the coordinates of
 * its window's surface. FALSE (nothing printed) while @widget is not in a window. */
gboolean bp_test_probe_print_place (const char *name,
                                    GtkWidget  *widget,
                                    double      x,
                                    double      y,
                                    int         width,
                                    int         height);

/* The Mistakes view @widget's "widget mistake-cell", "widget first-digit" and
 * "first-digit-output" lines. FALSE (nothing printed) until its matrix and gallery are laid out. */
gboolean bp_test_probe_mistakes_places (GtkWidget *widget);

G_END_DECLS
