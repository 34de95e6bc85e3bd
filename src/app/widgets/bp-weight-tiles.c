/* bp-weight-tiles.c — the data and the Cairo drawing of a grid of weight heatmaps, without GTK
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each update turns the weights into one small image surface per neuron, coloured through a
 * look-up table; drawing then only scales those images, so a redraw of a hundred neurons costs
 * a hundred scaled fills, and a live update ten times a second costs a hundred small copies.
 * The surfaces are made anew on every update rather than rewritten, because a widget's last
 * render node may still be holding the old ones.
 */
#include "config.h"

#include "bp-weight-tiles.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "bp-colormap.h"
#include "bp-text.h"

#define MARGIN 10.0
/* The gap between pictures: wide enough for the 2-pixel selection ring to sit in it with a
 * pixel to spare on either side. */
#define GAP 5.0
#define LEGEND_WIDTH 280.0
#define LEGEND_BAR 12.0
#define LUT_SIZE 1024

struct _BpWeightTiles
{
  GPtrArray    *surfaces; /* cairo_surface_t, one per neuron */
  guint         image_rows;
  guint         image_cols;
  double        fixed_limit; /* > 0 when set */
  double        limit;       /* in use for the current surfaces */
  guint32       lut[LUT_SIZE];
  PangoContext *text;
};

typedef struct
{
  guint    columns;
  guint    rows;
  double   unit;  /* the size of one weight's square */
  gboolean crisp; /* a whole number of pixels per weight */
  double   tile_w;
  double   tile_h;
  double   x0;
  double   y0;
  double   legend_x;
  double   legend_y;
  double   legend_w;
  double   legend_h;
} Layout;

BpWeightTiles *
bp_weight_tiles_new (void)
{
  BpWeightTiles *tiles = g_new0 (BpWeightTiles, 1);

  tiles->surfaces = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  tiles->limit = 1.0;

  for (guint i = 0; i < LUT_SIZE; i++)
    tiles->lut[i] = bp_colormap_diverging_pixel (2.0 * i / (LUT_SIZE - 1) - 1.0);

  return tiles;
}

void
bp_weight_tiles_free (BpWeightTiles *tiles)
{
  if (tiles == NULL)
    return;

  g_ptr_array_unref (tiles->surfaces);
  g_clear_object (&tiles->text);
  g_free (tiles);
}

void
bp_weight_tiles_set_text_context (BpWeightTiles *tiles,
                                  PangoContext  *context)
{
  g_return_if_fail (tiles != NULL);
  g_return_if_fail (context == NULL || PANGO_IS_CONTEXT (context));

  if (context != NULL)
    g_object_ref (context);
  g_clear_object (&tiles->text);
  tiles->text = context;
}

static PangoContext *
text_context (BpWeightTiles *tiles)
{
  if (tiles->text == NULL)
    tiles->text = bp_text_default_context_new ();

  return tiles->text;
}

void
bp_weight_tiles_set_weights (BpWeightTiles *tiles,
                             const float   *w,
                             guint          n_neurons,
                             guint          n_inputs,
                             guint          image_rows,
                             guint          image_cols)
{
  double limit = 0.0;
  double to_index;

  g_return_if_fail (tiles != NULL);
  g_return_if_fail (w != NULL || n_neurons == 0 || n_inputs == 0);
  g_return_if_fail ((guint64) image_rows * image_cols == n_inputs);

  g_ptr_array_set_size (tiles->surfaces, 0);
  tiles->image_rows = image_rows;
  tiles->image_cols = image_cols;

  if (n_inputs == 0)
    return;

  if (tiles->fixed_limit > 0.0)
    limit = tiles->fixed_limit;
  else
    {
      for (gsize i = 0; i < (gsize) n_neurons * n_inputs; i++)
        if (fabsf (w[i]) > limit)
          limit = fabsf (w[i]);
      if (!(limit > 0.0) || !isfinite (limit))
        limit = 1.0;
    }
  tiles->limit = limit;

  /* t = w / limit in −1 … 1 maps to 0 … LUT_SIZE − 1; +0.5 rounds. */
  to_index = (LUT_SIZE - 1) / (2.0 * limit);

  for (guint n = 0; n < n_neurons; n++)
    {
      cairo_surface_t *surface;
      guint8 *data;
      int stride;
      const float *row = w + (gsize) n * n_inputs;

      /* With alpha: a NaN is no weight (the gap between a conv filter's slices), transparent. */
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) image_cols, (int) image_rows);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);

      for (guint r = 0; r < image_rows; r++)
        {
          guint32 *pixels = (guint32 *) (gpointer) (data + (gsize) r * stride);
          const float *src = row + (gsize) r * image_cols;

          for (guint c = 0; c < image_cols; c++)
            {
              double pos = (src[c] + limit) * to_index + 0.5;
              int index;

              /* NaN fails every comparison: no weight, a transparent pixel. */
              if (pos >= LUT_SIZE - 1)
                index = LUT_SIZE - 1;
              else if (pos >= 0.0)
                index = (int) pos;
              else if (pos < 0.0)
                index = 0;
              else
                {
                  pixels[c] = 0;
                  continue;
                }
              pixels[c] = tiles->lut[index];
            }
        }

      cairo_surface_mark_dirty (surface);
      g_ptr_array_add (tiles->surfaces, surface);
    }
}

void
bp_weight_tiles_set_limit (BpWeightTiles *tiles,
                           double         limit)
{
  g_return_if_fail (tiles != NULL);

  tiles->fixed_limit = (isfinite (limit) && limit > 0.0) ? limit : 0.0;
}

double
bp_weight_tiles_get_limit (BpWeightTiles *tiles)
{
  g_return_val_if_fail (tiles != NULL, 1.0);

  return tiles->limit;
}

guint
bp_weight_tiles_get_n_neurons (BpWeightTiles *tiles)
{
  g_return_val_if_fail (tiles != NULL, 0);

  return tiles->surfaces->len;
}

void
bp_weight_tiles_get_image_size (BpWeightTiles *tiles,
                                guint         *rows,
                                guint         *cols)
{
  g_return_if_fail (tiles != NULL);

  if (rows != NULL)
    *rows = tiles->image_rows;
  if (cols != NULL)
    *cols = tiles->image_cols;
}

void
bp_weight_tiles_style_init (BpWeightTilesStyle *style,
                            gboolean            dark)
{
  BpChartStyle chart;

  g_return_if_fail (style != NULL);

  bp_chart_style_init (&chart, dark);
  memset (style, 0, sizeof *style);
  style->foreground = chart.foreground;
  style->background = chart.background;
  style->dark = !!dark;
  style->paint_background = TRUE;
  style->selected = -1;
  style->hover = -1;
}

static double
legend_height (BpWeightTiles *tiles)
{
  g_autoptr (PangoLayout) probe = bp_text_layout_new (text_context (tiles), "0", 1.0, FALSE);
  double w, h;

  bp_text_size (probe, &w, &h);

  return LEGEND_BAR + 4.0 + h;
}

/* Place the pictures: try every column count and keep the one giving the largest pictures. */
static gboolean
compute_layout (BpWeightTiles *tiles,
                int            width,
                int            height,
                Layout        *l)
{
  guint n = tiles->surfaces->len;
  double area_w, area_h;
  double grid_w, grid_h;

  memset (l, 0, sizeof *l);
  if (n == 0 || tiles->image_rows == 0 || tiles->image_cols == 0)
    return FALSE;

  l->legend_h = legend_height (tiles);
  area_w = width - 2.0 * MARGIN;
  area_h = height - 2.0 * MARGIN - l->legend_h - 8.0;
  if (area_w <= 0.0 || area_h <= 0.0)
    return FALSE;

  for (guint c = 1; c <= n; c++)
    {
      guint r = (n + c - 1) / c;
      double unit_w = (area_w - (c - 1) * GAP) / ((double) c * tiles->image_cols);
      double unit_h = (area_h - (r - 1) * GAP) / ((double) r * tiles->image_rows);
      double unit = MIN (unit_w, unit_h);

      if (unit > l->unit)
        {
          l->unit = unit;
          l->columns = c;
          l->rows = r;
        }
    }

  if (l->unit <= 0.0)
    return FALSE;

  /* Whole pixels per weight keep the squares crisp and equal. Below two pixels a weight, whole
   * pixels would waste too much room, so the pictures are smoothly scaled instead; either way
   * each picture covers whole pixels, so that its edges stay sharp. */
  if (l->unit >= 2.0)
    l->unit = floor (l->unit);
  l->tile_w = MAX (floor (l->unit * tiles->image_cols), 1.0);
  l->tile_h = MAX (floor (l->unit * tiles->image_rows), 1.0);
  l->crisp = l->unit == floor (l->unit);
  grid_w = l->columns * l->tile_w + (l->columns - 1) * GAP;
  grid_h = l->rows * l->tile_h + (l->rows - 1) * GAP;
  l->x0 = round ((width - grid_w) / 2.0);
  l->y0 = round (MARGIN + (area_h - grid_h) / 2.0);

  l->legend_w = MIN (LEGEND_WIDTH, area_w);
  l->legend_x = round ((width - l->legend_w) / 2.0);
  l->legend_y = l->y0 + grid_h + 8.0;

  return TRUE;
}

guint
bp_weight_tiles_get_columns (BpWeightTiles *tiles,
                             int            width,
                             int            height)
{
  Layout l;

  g_return_val_if_fail (tiles != NULL, 0);

  return compute_layout (tiles, width, height, &l) ? l.columns : 0;
}

static void
tile_origin (const Layout *l,
             guint         neuron,
             double       *x,
             double       *y)
{
  *x = l->x0 + (neuron % l->columns) * (l->tile_w + GAP);
  *y = l->y0 + (neuron / l->columns) * (l->tile_h + GAP);
}

int
bp_weight_tiles_neuron_at (BpWeightTiles *tiles,
                           double         x,
                           double         y,
                           int            width,
                           int            height)
{
  Layout l;
  double cx, cy;
  guint column, row, neuron;

  g_return_val_if_fail (tiles != NULL, -1);

  if (!compute_layout (tiles, width, height, &l))
    return -1;
  if (x < l.x0 || y < l.y0)
    return -1;

  column = (guint) ((x - l.x0) / (l.tile_w + GAP));
  row = (guint) ((y - l.y0) / (l.tile_h + GAP));
  if (column >= l.columns || row >= l.rows)
    return -1;

  neuron = row * l.columns + column;
  if (neuron >= tiles->surfaces->len)
    return -1;

  tile_origin (&l, neuron, &cx, &cy);
  if (x >= cx + l.tile_w || y >= cy + l.tile_h)
    return -1;

  return (int) neuron;
}

static void
set_color (cairo_t            *cr,
           const BpChartColor *color,
           double              alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

void
bp_weight_tiles_draw (BpWeightTiles            *tiles,
                      cairo_t                  *cr,
                      int                       width,
                      int                       height,
                      const BpWeightTilesStyle *style)
{
  Layout l;
  cairo_filter_t filter;

  g_return_if_fail (tiles != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  if (width <= 0 || height <= 0)
    return;

  cairo_save (cr);

  if (style->paint_background)
    {
      cairo_rectangle (cr, 0, 0, width, height);
      set_color (cr, &style->background, 1.0);
      cairo_fill (cr);
    }

  if (!compute_layout (tiles, width, height, &l))
    {
      cairo_restore (cr);
      return;
    }

  /* Whole-pixel squares are copied sharp; other scales are interpolated, since nearest-pixel
   * sampling would make some weights' squares a pixel wider than others. */
  filter = l.crisp ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD;

  for (guint n = 0; n < tiles->surfaces->len; n++)
    {
      cairo_pattern_t *pattern;
      cairo_matrix_t matrix;
      double x, y;

      tile_origin (&l, n, &x, &y);
      pattern = cairo_pattern_create_for_surface (g_ptr_array_index (tiles->surfaces, n));
      cairo_pattern_set_filter (pattern, filter);
      cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
      cairo_matrix_init_scale (&matrix, tiles->image_cols / l.tile_w, tiles->image_rows / l.tile_h);
      cairo_matrix_translate (&matrix, -x, -y);
      cairo_pattern_set_matrix (pattern, &matrix);
      cairo_set_source (cr, pattern);
      cairo_rectangle (cr, x, y, l.tile_w, l.tile_h);
      cairo_fill (cr);
      cairo_pattern_destroy (pattern);
    }

  /* A faint edge so that pictures whose border is near zero (near-white) still read as tiles
   * on a white background. */
  cairo_set_line_width (cr, 1.0);
  set_color (cr, &style->foreground, 0.15);
  for (guint n = 0; n < tiles->surfaces->len; n++)
    {
      double x, y;

      tile_origin (&l, n, &x, &y);
      cairo_rectangle (cr, x - 0.5, y - 0.5, l.tile_w + 1.0, l.tile_h + 1.0);
    }
  cairo_stroke (cr);

  /* Hover and selection: rings in the gap, one background-coloured pixel away from the
   * picture, in the foreground colour, so they show in light and dark styles whatever the
   * picture's own colours (near-white at zero). */
  cairo_set_line_width (cr, 2.0);
  if (style->hover >= 0 && (guint) style->hover < tiles->surfaces->len
      && style->hover != style->selected)
    {
      double x, y;

      tile_origin (&l, (guint) style->hover, &x, &y);
      set_color (cr, &style->foreground, 0.5);
      cairo_rectangle (cr, x - 2.0, y - 2.0, l.tile_w + 4.0, l.tile_h + 4.0);
      cairo_stroke (cr);
    }
  if (style->selected >= 0 && (guint) style->selected < tiles->surfaces->len)
    {
      double x, y;

      tile_origin (&l, (guint) style->selected, &x, &y);
      set_color (cr, &style->foreground, 1.0);
      cairo_rectangle (cr, x - 2.0, y - 2.0, l.tile_w + 4.0, l.tile_h + 4.0);
      cairo_stroke (cr);
    }

  bp_colormap_draw_legend_full (cr, text_context (tiles), l.legend_x, l.legend_y,
                                l.legend_w, l.legend_h, tiles->limit, style->dark);

  cairo_restore (cr);
}
