/* bp-text.c — Pango text helpers shared by the drawing code of the widgets
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-text.h"

#include <math.h>
#include <pango/pangocairo.h>

PangoContext *
bp_text_default_context_new (void)
{
  PangoContext *context;
  PangoFontDescription *desc;
  cairo_font_options_t *options;

  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());

  desc = pango_font_description_from_string ("Sans 9");
  pango_context_set_font_description (context, desc);
  pango_font_description_free (desc);

  pango_cairo_context_set_resolution (context, 96.0);

  /* Hinting snaps glyphs to the pixel grid of one particular scale; without it the same text
   * has the same shape at every scale and on every machine with the same fonts. */
  options = cairo_font_options_create ();
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);

  return context;
}

PangoLayout *
bp_text_layout_new (PangoContext *context,
                    const char   *text,
                    double        scale,
                    gboolean      bold)
{
  PangoLayout *layout;
  PangoFontDescription *desc;

  g_return_val_if_fail (PANGO_IS_CONTEXT (context), NULL);

  layout = pango_layout_new (context);
  desc = pango_font_description_copy (pango_context_get_font_description (context));

  if (scale != 1.0)
    {
      int size = pango_font_description_get_size (desc);

      if (pango_font_description_get_size_is_absolute (desc))
        pango_font_description_set_absolute_size (desc, size * scale);
      else
        pango_font_description_set_size (desc, (int) lround (size * scale));
    }

  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);

  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);

  return layout;
}

void
bp_text_size (PangoLayout *layout,
              double      *width,
              double      *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  *width = (double) logical.width / PANGO_SCALE;
  *height = (double) logical.height / PANGO_SCALE;
}

void
bp_text_draw (cairo_t     *cr,
              PangoLayout *layout,
              double       x,
              double       y,
              double       xalign,
              double       yalign)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  cairo_move_to (cr,
                 x - xalign * logical.width / PANGO_SCALE - (double) logical.x / PANGO_SCALE,
                 y - yalign * logical.height / PANGO_SCALE - (double) logical.y / PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
}

char *
bp_text_format_number (double value,
                       int    decimals)
{
  g_autofree char *digits = NULL;

  decimals = CLAMP (decimals, 0, 12);

  /* Round first so that a value that prints as zero is not shown as "−0". */
  if (fabs (value) < 0.5 * pow (10.0, -decimals))
    value = 0.0;

  /* printf, not g_ascii_formatd: the decimal separator follows the user's locale. */
  digits = g_strdup_printf ("%.*f", decimals, fabs (value));

  if (value < 0.0)
    return g_strconcat ("\342\210\222", digits, NULL); /* U+2212 MINUS SIGN */

  return g_steal_pointer (&digits);
}
