/* bp-test-probe-places.c — the test mode's "widget NAME X Y W H" lines: where a part of a widget
 * is in the window, for xdotool to click; the Mistakes view's cell and first digit
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-probe-places.h"

#include "bp-confusion-matrix.h"
#include "bp-digit-gallery.h"
#include "bp-mistakes-view.h"
#include "bp-test-events.h"

/* "widget NAME X Y W H" for a part (@x, @y, @width × @height) of @widget. */
gboolean
bp_test_probe_print_place (const char *name,
                           GtkWidget  *widget,
                           double      x,
                           double      y,
                           int         width,
                           int         height)
{
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t point;
  double nx, ny;

  if (native == NULL
      || !gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (x, y), &point))
    return FALSE;
  /* Widget coordinates of the native include its shadow and borders; the surface's do not. */
  gtk_native_get_surface_transform (native, &nx, &ny);
  bp_test_event ("widget %s %d %d %d %d", name, (int) (point.x + nx), (int) (point.y + ny),
                 width, height);
  return TRUE;
}

/* Where the cell of the most confident mistake and the first digit of the gallery are, in the
 * window's coordinates, once they are laid out. */
gboolean
bp_test_probe_mistakes_places (GtkWidget *widget)
{
  BpMistakesView *view = BP_MISTAKES_VIEW (widget);
  GtkWidget *matrix = GTK_WIDGET (gtk_widget_get_template_child (widget, BP_TYPE_MISTAKES_VIEW, "matrix"));
  GtkWidget *gallery = GTK_WIDGET (gtk_widget_get_template_child (widget, BP_TYPE_MISTAKES_VIEW, "gallery"));
  int mw = gtk_widget_get_width (matrix), mh = gtk_widget_get_height (matrix);
  guint label, predicted, t, p;
  graphene_rect_t tile;

  if (gtk_widget_get_native (widget) == NULL || mw == 0 || gtk_widget_get_width (gallery) == 0)
    return FALSE;

  /* Scan for a point of the cell: the layout is the widget's own business. */
  if (bp_mistakes_view_get_top_mistake (view, &label, &predicted))
    for (int y = 0; y < mh; y += 2)
      for (int x = 0; x < mw; x += 2)
        if (bp_confusion_matrix_cell_at (BP_CONFUSION_MATRIX (matrix), x, y, mw, mh, &t, &p)
            && t == label && p == predicted && bp_test_probe_print_place ("mistake-cell", matrix, x, y, 8, 8))
          {
            y = mh;
            break;
          }
  if (bp_digit_gallery_get_n_digits (BP_DIGIT_GALLERY (gallery)) > 0)
    {
      bp_digit_gallery_get_tile (BP_DIGIT_GALLERY (gallery), 0, gtk_widget_get_width (gallery), &tile);
      bp_test_probe_print_place ("first-digit", gallery, tile.origin.x, tile.origin.y, (int) tile.size.width,
                   (int) tile.size.height);
      {
        g_autofree char *output = bp_digit_gallery_format_output (BP_DIGIT_GALLERY (gallery), 0);

        bp_test_event ("first-digit-output %s", output);
      }
    }
  return TRUE;
}
