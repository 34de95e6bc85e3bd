/* bp-focus-ring.c — the keyboard focus ring of the drawing widgets
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK draws a focus ring only where the theme's CSS gives the widget an outline, and
 * libadwaita gives one to cards but not to custom widgets: a pad, a matrix or a gallery that
 * takes the keyboard focus must show it itself, or a keyboard user cannot tell where they are.
 */
#include "config.h"

#include "bp-focus-ring.h"

#define RING_WIDTH  2.0
#define RING_RADIUS 6.0

void
bp_focus_ring_color (GtkWidget *widget,
                     GdkRGBA   *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (widget);

  if (!gtk_style_context_lookup_color (context, "accent_color", color))
    gtk_style_context_get_color (context, color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  color->alpha *= 0.5f;
}

void
bp_focus_ring_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRoundedRect outline;
  GdkRGBA color;
  float widths[4] = { RING_WIDTH, RING_WIDTH, RING_WIDTH, RING_WIDTH };
  GdkRGBA colors[4];

  if (!gtk_widget_has_visible_focus (widget) || gtk_widget_has_css_class (widget, "card")
      || width <= 2 * RING_WIDTH || height <= 2 * RING_WIDTH)
    return;

  bp_focus_ring_color (widget, &color);
  for (int i = 0; i < 4; i++)
    colors[i] = color;
  gsk_rounded_rect_init_from_rect (&outline, &GRAPHENE_RECT_INIT (0, 0, width, height),
                                   RING_RADIUS);
  gtk_snapshot_append_border (snapshot, &outline, widths, colors);
}

gboolean
bp_focus_ring_changed (GtkWidget     *widget,
                       GtkStateFlags  old_flags)
{
  GtkStateFlags mask = GTK_STATE_FLAG_FOCUSED | GTK_STATE_FLAG_FOCUS_VISIBLE;

  return ((old_flags ^ gtk_widget_get_state_flags (widget)) & mask) != 0;
}

gboolean
bp_focus_grid_move (guint  keyval,
                    int    cursor,
                    int    n,
                    int    columns,
                    int   *next)
{
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      *next = MAX (cursor - 1, 0);
      return TRUE;

    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      *next = MIN (cursor + 1, n - 1);
      return TRUE;

    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      *next = cursor >= columns ? cursor - columns : cursor;
      return TRUE;

    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      *next = cursor + columns < n ? cursor + columns : cursor;
      return TRUE;

    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      *next = 0;
      return TRUE;

    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      *next = n - 1;
      return TRUE;

    default:
      return FALSE;
    }
}
