/* test-weight-tiles.c — BpWeightTiles on its own: pictures, colour scale, layout and rings
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The weight grid's data and drawing without a widget or a display: what set_weights() keeps,
 * how the colour scale's limit is chosen and clamped, which colour a weight gets (NaN and ±∞
 * included), where the pictures of odd shapes go, and the selection and hover rings. The
 * golden images of the whole grid are in test-widgets.c.
 */
#include "config.h"

#include <cairo.h>
#include <glib.h>
#include <math.h>

#include "bp-colormap.h"
#include "bp-weight-tiles.h"

static cairo_surface_t *
render (BpWeightTiles            *tiles,
        const BpWeightTilesStyle *style,
        int                       width,
        int                       height)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);

  bp_weight_tiles_draw (tiles, cr, width, height, style);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  return surface;
}

/* The whole ARGB pixel at (@x, @y). */
static guint32
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return ((const guint32 *) (gconstpointer) (data + (gsize) y * stride))[x];
}

/* The box of pixels that hit-test to @neuron in a @width × @height drawing. */
static void
tile_bounds (BpWeightTiles *tiles,
             int            width,
             int            height,
             int            neuron,
             int           *x0,
             int           *y0,
             int           *x1,
             int           *y1)
{
  *x0 = *y0 = G_MAXINT;
  *x1 = *y1 = -1;
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (bp_weight_tiles_neuron_at (tiles, x + 0.5, y + 0.5, width, height) == neuron)
        {
          *x0 = MIN (*x0, x);
          *y0 = MIN (*y0, y);
          *x1 = MAX (*x1, x);
          *y1 = MAX (*y1, y);
        }
  g_assert_cmpint (*x1, >=, *x0);
}

/* The colour a one-weight picture of @w is drawn in. */
static guint32
colour_in (BpWeightTiles *tiles,
           float          w,
           gboolean       dark)
{
  BpWeightTilesStyle style;
  cairo_surface_t *surface;
  int x0, y0, x1, y1;
  guint32 pixel;

  bp_weight_tiles_set_weights (tiles, &w, 1, 1, 1, 1);
  bp_weight_tiles_style_init (&style, dark);
  surface = render (tiles, &style, 200, 200);
  tile_bounds (tiles, 200, 200, 0, &x0, &y0, &x1, &y1);
  pixel = pixel_at (surface, (x0 + x1) / 2, (y0 + y1) / 2) & 0xffffff;
  cairo_surface_destroy (surface);

  return pixel;
}

static guint32
colour_of (BpWeightTiles *tiles,
           float          w)
{
  return colour_in (tiles, w, FALSE);
}

static void
test_tiles_shape (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  g_autofree float *w = g_new0 (float, 3 * 12);
  guint rows = 99, cols = 99;

  /* Nothing yet. */
  g_assert_cmpuint (bp_weight_tiles_get_n_neurons (tiles), ==, 0);
  bp_weight_tiles_get_image_size (tiles, &rows, &cols);
  g_assert_cmpuint (rows, ==, 0);
  g_assert_cmpuint (cols, ==, 0);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 1.0);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 400, 300), ==, 0);

  /* Three neurons of 12 inputs, as 3 × 4 pictures; a later update replaces them whole. */
  bp_weight_tiles_set_weights (tiles, w, 3, 12, 3, 4);
  g_assert_cmpuint (bp_weight_tiles_get_n_neurons (tiles), ==, 3);
  bp_weight_tiles_get_image_size (tiles, &rows, NULL);
  bp_weight_tiles_get_image_size (tiles, NULL, &cols);
  g_assert_cmpuint (rows, ==, 3);
  g_assert_cmpuint (cols, ==, 4);

  bp_weight_tiles_set_weights (tiles, w, 2, 12, 12, 1);
  g_assert_cmpuint (bp_weight_tiles_get_n_neurons (tiles), ==, 2);
  bp_weight_tiles_get_image_size (tiles, &rows, &cols);
  g_assert_cmpuint (rows, ==, 12);
  g_assert_cmpuint (cols, ==, 1);

  /* Neurons without inputs have no pictures. */
  bp_weight_tiles_set_weights (tiles, NULL, 5, 0, 0, 0);
  g_assert_cmpuint (bp_weight_tiles_get_n_neurons (tiles), ==, 0);
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, 100, 100, 400, 300), ==, -1);
}

/* The scale's limit: the largest |w| of each update, unless one is fixed; never 0, NaN or ∞. */
static void
test_tiles_limit (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  const float some[4] = { 0.25f, -0.75f, NAN, 0.5f };
  const float zeros[4] = { 0.0f, 0.0f, -0.0f, 0.0f };
  const float infinite[4] = { 0.25f, -INFINITY, 0.0f, 0.0f };

  bp_weight_tiles_set_weights (tiles, some, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.75);
  bp_weight_tiles_set_weights (tiles, zeros, 2, 2, 1, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 1.0);
  bp_weight_tiles_set_weights (tiles, infinite, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 1.0);

  /* A fixed limit applies from the next update on. */
  bp_weight_tiles_set_limit (tiles, 2.5);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 1.0);
  bp_weight_tiles_set_weights (tiles, some, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 2.5);

  /* Zero, a negative number, NaN or ∞ all mean "automatic" again. */
  bp_weight_tiles_set_limit (tiles, -1.0);
  bp_weight_tiles_set_weights (tiles, some, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.75);
  bp_weight_tiles_set_limit (tiles, NAN);
  bp_weight_tiles_set_weights (tiles, some, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.75);
  bp_weight_tiles_set_limit (tiles, INFINITY);
  bp_weight_tiles_set_weights (tiles, some, 1, 4, 2, 2);
  g_assert_cmpfloat (bp_weight_tiles_get_limit (tiles), ==, 0.75);
}

/* A weight's colour is the colour map's at w / limit: the ends for anything beyond the limit,
 * ±∞ included; NaN is transparent. */
static void
test_tiles_colour_scale (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  guint32 zero, nan_colour;

  bp_weight_tiles_set_limit (tiles, 1.0);

  g_assert_cmphex (colour_of (tiles, 1.0f), ==, bp_colormap_diverging_pixel (1.0) & 0xffffff);
  g_assert_cmphex (colour_of (tiles, -1.0f), ==, bp_colormap_diverging_pixel (-1.0) & 0xffffff);
  g_assert_cmphex (colour_of (tiles, 7.0f), ==, bp_colormap_diverging_pixel (1.0) & 0xffffff);
  g_assert_cmphex (colour_of (tiles, -7.0f), ==, bp_colormap_diverging_pixel (-1.0) & 0xffffff);
  g_assert_cmphex (colour_of (tiles, INFINITY), ==, bp_colormap_diverging_pixel (1.0) & 0xffffff);
  g_assert_cmphex (colour_of (tiles, -INFINITY), ==, bp_colormap_diverging_pixel (-1.0) & 0xffffff);

  zero = colour_of (tiles, 0.0f);
  /* NaN is no weight (the gap between a conv filter's slices): the background shows through. */
  nan_colour = colour_in (tiles, NAN, TRUE);
  {
    BpWeightTilesStyle style;
    guint32 background;

    bp_weight_tiles_style_init (&style, TRUE);
    background = ((guint32) lround (style.background.red * 255.0) << 16)
                 | ((guint32) lround (style.background.green * 255.0) << 8)
                 | (guint32) lround (style.background.blue * 255.0);
    g_assert_cmphex (nan_colour, ==, background);
  }
  /* Zero is near white: the map's middle. */
  g_assert_cmpuint ((zero >> 16) & 0xff, >=, 0xf0);
  g_assert_cmpuint ((zero >> 8) & 0xff, >=, 0xf0);
  g_assert_cmpuint (zero & 0xff, >=, 0xf0);

  /* Positive is red, negative blue. */
  {
    guint32 plus = colour_of (tiles, 0.6f), minus = colour_of (tiles, -0.6f);

    g_assert_cmpuint ((plus >> 16) & 0xff, >, plus & 0xff);
    g_assert_cmpuint (minus & 0xff, >, (minus >> 16) & 0xff);
  }
}

/* Pictures keep their shape: a row of ten weights is a strip ten times as wide as it is high,
 * and a single neuron gets one column. */
static void
test_tiles_layout_shapes (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  float w[10] = { 0 };
  int x0, y0, x1, y1;

  bp_weight_tiles_set_weights (tiles, w, 1, 10, 1, 10);
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 500, 400), ==, 1);
  tile_bounds (tiles, 500, 400, 0, &x0, &y0, &x1, &y1);
  g_assert_cmpint (x1 - x0 + 1, ==, 10 * (y1 - y0 + 1));

  /* The same weights as a column: tall and thin, and room for nothing else. */
  bp_weight_tiles_set_weights (tiles, w, 1, 10, 10, 1);
  tile_bounds (tiles, 500, 400, 0, &x0, &y0, &x1, &y1);
  g_assert_cmpint (y1 - y0 + 1, ==, 10 * (x1 - x0 + 1));

  /* No room at all: nothing laid out, nothing hit. */
  g_assert_cmpuint (bp_weight_tiles_get_columns (tiles, 15, 15), ==, 0);
  g_assert_cmpint (bp_weight_tiles_neuron_at (tiles, 7, 7, 15, 15), ==, -1);
}

/* The selection ring in the foreground colour and the hover ring at half its strength, both
 * in the gap around the picture; the hover ring gives way to the selection on the same one. */
static void
test_tiles_rings (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  float w[2 * 4] = { 0 };
  BpWeightTilesStyle style;
  cairo_surface_t *surface;
  int x0, y0, x1, y1, ax0, ay0, ax1, ay1;

  bp_weight_tiles_set_weights (tiles, w, 2, 4, 2, 2);
  tile_bounds (tiles, 300, 200, 0, &x0, &y0, &x1, &y1);
  tile_bounds (tiles, 300, 200, 1, &ax0, &ay0, &ax1, &ay1);

  /* Neither: the gap two pixels out is the background. */
  bp_weight_tiles_style_init (&style, FALSE);
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, x0 - 2, (y0 + y1) / 2), ==, 0xffffffff);
  cairo_surface_destroy (surface);

  /* The light style's text colour, black at 80 %, on white; the hover ring at 40 %. */
  style.selected = 0;
  style.hover = 1;
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, x0 - 2, (y0 + y1) / 2), ==, 0xff333333);
  g_assert_cmphex (pixel_at (surface, (x0 + x1) / 2, y1 + 2), ==, 0xff333333);
  g_assert_cmphex (pixel_at (surface, ax1 + 2, (ay0 + ay1) / 2), ==, 0xff999999);
  cairo_surface_destroy (surface);

  style.hover = 0;
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, x0 - 2, (y0 + y1) / 2), ==, 0xff333333);
  g_assert_cmphex (pixel_at (surface, ax1 + 2, (ay0 + ay1) / 2), ==, 0xffffffff);
  cairo_surface_destroy (surface);

  /* Neurons that do not exist are ignored. */
  style.selected = 7;
  style.hover = -3;
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, x0 - 2, (y0 + y1) / 2), ==, 0xffffffff);
  cairo_surface_destroy (surface);
}

/* The styles: libadwaita's view colours, no selection; a background painted only if asked. */
static void
test_tiles_style (void)
{
  g_autoptr(BpWeightTiles) tiles = bp_weight_tiles_new ();
  float w[4] = { 0.5f, -0.5f, 0.25f, 0.0f };
  BpWeightTilesStyle style;
  cairo_surface_t *surface;

  bp_weight_tiles_style_init (&style, TRUE);
  g_assert_true (style.dark);
  g_assert_true (style.paint_background);
  g_assert_cmpint (style.selected, ==, -1);
  g_assert_cmpint (style.hover, ==, -1);
  g_assert_cmpfloat (style.foreground.red, ==, 1.0);

  bp_weight_tiles_set_weights (tiles, w, 1, 4, 2, 2);
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, 0, 0), ==, 0xff1e1e1e);
  cairo_surface_destroy (surface);

  bp_weight_tiles_style_init (&style, FALSE);
  g_assert_false (style.dark);
  style.paint_background = FALSE;
  surface = render (tiles, &style, 300, 200);
  g_assert_cmphex (pixel_at (surface, 0, 0), ==, 0);
  cairo_surface_destroy (surface);

  /* Drawing into nothing is harmless. */
  surface = render (tiles, &style, 1, 1);
  cairo_surface_destroy (surface);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/weight-tiles/shape", test_tiles_shape);
  g_test_add_func ("/weight-tiles/limit", test_tiles_limit);
  g_test_add_func ("/weight-tiles/colour-scale", test_tiles_colour_scale);
  g_test_add_func ("/weight-tiles/layout-shapes", test_tiles_layout_shapes);
  g_test_add_func ("/weight-tiles/rings", test_tiles_rings);
  g_test_add_func ("/weight-tiles/style", test_tiles_style);

  return g_test_run ();
}
