/* bp-colormap.c — the diverging, colour-blind-safe colour map of the weight pictures, its legend
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-colormap.h"

#include <math.h>
#include <pango/pangocairo.h>

#include "bp-text.h"

/* ColorBrewer RdBu, 11 classes, from −1 (dark blue) through the near-white centre to +1 (dark
 * red). Interpolating linearly between the published stops keeps the map piecewise linear in
 * sRGB, which is exactly what a Cairo linear gradient draws, so the legend matches the tiles. */
#define N_STOPS 11

static const guint8 stops[N_STOPS][3] = {
  { 0x05, 0x30, 0x61 },
  { 0x21, 0x66, 0xac },
  { 0x43, 0x93, 0xc3 },
  { 0x92, 0xc5, 0xde },
  { 0xd1, 0xe5, 0xf0 },
  { 0xf7, 0xf7, 0xf7 },
  { 0xfd, 0xdb, 0xc7 },
  { 0xf4, 0xa5, 0x82 },
  { 0xd6, 0x60, 0x4d },
  { 0xb2, 0x18, 0x2b },
  { 0x67, 0x00, 0x1f },
};

void
bp_colormap_diverging (double  t,
                       double *r,
                       double *g,
                       double *b)
{
  double pos;
  double frac;
  int i;

  g_return_if_fail (r != NULL && g != NULL && b != NULL);

  if (isnan (t))
    t = 0.0;
  t = CLAMP (t, -1.0, 1.0);

  pos = (t + 1.0) * 0.5 * (N_STOPS - 1);
  i = (int) floor (pos);
  if (i >= N_STOPS - 1)
    i = N_STOPS - 2;
  frac = pos - i;

  *r = (stops[i][0] + frac * (stops[i + 1][0] - stops[i][0])) / 255.0;
  *g = (stops[i][1] + frac * (stops[i + 1][1] - stops[i][1])) / 255.0;
  *b = (stops[i][2] + frac * (stops[i + 1][2] - stops[i][2])) / 255.0;
}

guint32
bp_colormap_diverging_pixel (double t)
{
  double r, g, b;

  bp_colormap_diverging (t, &r, &g, &b);

  return 0xff000000u
         | ((guint32) lround (r * 255.0) << 16)
         | ((guint32) lround (g * 255.0) << 8)
         | (guint32) lround (b * 255.0);
}

void
bp_colormap_draw_legend (cairo_t *cr,
                         double   x,
                         double   y,
                         double   width,
                         double   height,
                         double   limit,
                         gboolean dark)
{
  bp_colormap_draw_legend_full (cr, NULL, x, y, width, height, limit, dark);
}

static char *
format_limit (double value)
{
  /* Three significant digits say enough about a scale; %g keeps tiny limits readable. */
  g_autofree char *digits = g_strdup_printf ("%.3g", fabs (value));

  if (value < 0.0)
    return g_strconcat ("\342\210\222", digits, NULL); /* U+2212 MINUS SIGN */
  if (value > 0.0)
    return g_strconcat ("+", digits, NULL);
  return g_steal_pointer (&digits);
}

void
bp_colormap_draw_legend_full (cairo_t      *cr,
                              PangoContext *context,
                              double        x,
                              double        y,
                              double        width,
                              double        height,
                              double        limit,
                              gboolean      dark)
{
  PangoContext *own_context = NULL;
  cairo_pattern_t *gradient;
  double fg = dark ? 1.0 : 0.0;
  double fg_alpha = dark ? 0.9 : 0.8;
  double label_w, label_h;
  double bar_h;
  const double values[3] = { -1.0, 0.0, 1.0 };

  g_return_if_fail (cr != NULL);

  if (width <= 0.0 || height <= 0.0)
    return;

  if (context == NULL)
    context = own_context = bp_text_default_context_new ();
  pango_cairo_update_context (cr, context);

  {
    g_autoptr (PangoLayout) probe = bp_text_layout_new (context, "0", 1.0, FALSE);

    bp_text_size (probe, &label_w, &label_h);
  }

  bar_h = height - label_h - 4.0;
  if (bar_h < 4.0)
    bar_h = MIN (height, 4.0);

  cairo_save (cr);

  gradient = cairo_pattern_create_linear (x, 0.0, x + width, 0.0);
  for (int i = 0; i < N_STOPS; i++)
    cairo_pattern_add_color_stop_rgb (gradient,
                                      (double) i / (N_STOPS - 1),
                                      stops[i][0] / 255.0,
                                      stops[i][1] / 255.0,
                                      stops[i][2] / 255.0);
  cairo_rectangle (cr, x, y, width, bar_h);
  cairo_set_source (cr, gradient);
  cairo_fill (cr);
  cairo_pattern_destroy (gradient);

  /* An outline so that the near-white centre still has an edge on a white background. */
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg, fg, fg, 0.35);
  cairo_rectangle (cr, x + 0.5, y + 0.5, width - 1.0, bar_h - 1.0);
  cairo_stroke (cr);

  if (height - bar_h >= label_h)
    {
      cairo_set_source_rgba (cr, fg, fg, fg, fg_alpha);
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        {
          g_autofree char *text = format_limit (values[i] * limit);
          g_autoptr (PangoLayout) layout = bp_text_layout_new (context, text, 1.0, FALSE);
          double tx = x + (values[i] + 1.0) * 0.5 * width;

          cairo_rectangle (cr, tx - 0.5, y + bar_h, 1.0, 3.0);
          cairo_fill (cr);
          bp_text_draw (cr, layout, tx, y + bar_h + 3.0, (values[i] + 1.0) * 0.5, 0.0);
        }
    }

  cairo_restore (cr);
  g_clear_object (&own_context);
}
