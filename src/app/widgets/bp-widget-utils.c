/* bp-widget-utils.c — small helpers the drawing widgets and the views share
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-widget-utils.h"

gboolean
bp_widget_is_dark (GtkWidget *widget,
                   GdkRGBA   *foreground)
{
  GdkRGBA color;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (foreground != NULL)
    *foreground = color;

  return 0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue > 0.5;
}

gboolean
bp_accessible_update_description (GtkAccessible  *accessible,
                                  char          **last,
                                  const char     *description)
{
  g_return_val_if_fail (GTK_IS_ACCESSIBLE (accessible), FALSE);
  g_return_val_if_fail (last != NULL, FALSE);

  if (g_strcmp0 (*last, description) == 0)
    return FALSE;

  gtk_accessible_update_property (accessible, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
  g_free (*last);
  *last = g_strdup (description);

  return TRUE;
}
