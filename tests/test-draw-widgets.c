/* test-draw-widgets.c — the Draw and Mistakes views' widgets: golden images of the prediction
 * bars and the confusion matrix, hit-testing, and the drawing pad's strokes and ink
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widgets draw through functions that take any cairo context, so the golden cases render
 * to image surfaces; the widgets themselves need GTK initialised, so every case is skipped
 * when gtk_init_check() finds no display (meson runs this under xvfb-run).
 * BACKPROP_UPDATE_GOLDEN=1 rewrites the golden PNGs in tests/data/golden.
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "bp-confusion-matrix.h"
#include "bp-digit-gallery.h"
#include "bp-draw-canvas.h"
#include "bp-prediction-bars.h"
#include "bp-test-golden.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display");
  return have_display;
}

/* An opaque surface painted with libadwaita's light or dark view background. */
static cairo_surface_t *
background_surface (int      width,
                    int      height,
                    gboolean dark,
                    cairo_t **cr)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);

  *cr = cairo_create (surface);
  if (dark)
    cairo_set_source_rgb (*cr, 0x1e / 255.0, 0x1e / 255.0, 0x1e / 255.0);
  else
    cairo_set_source_rgb (*cr, 1.0, 1.0, 1.0);
  cairo_paint (*cr);
  return surface;
}

/* ── Prediction bars ──────────────────────────────────────────────────────────────────────── */

static const float softmax_outputs[10] = { 0.001f, 0.012f, 0.004f, 0.009f, 0.0f, 0.0f, 0.0f,
                                           0.972f, 0.0f, 0.002f };
static const float sigmoid_outputs[10] = { 0.02f, 0.61f, 0.05f, 0.03f, 0.18f, 0.01f, 0.0f,
                                           0.84f, 0.09f, 0.33f };

static void
golden_bars (BpPredictionBars *bars,
             gboolean          dark,
             const char       *name)
{
  cairo_t *cr;
  cairo_surface_t *surface = background_surface (300, 260, dark, &cr);

  bp_prediction_bars_draw (bars, cr, NULL, 300, 260, dark);
  cairo_destroy (cr);
  bp_test_assert_golden (surface, name);
  cairo_surface_destroy (surface);
}

static void
test_bars_golden (void)
{
  BpPredictionBars *bars;

  if (!need_display ())
    return;
  bars = g_object_ref_sink (BP_PREDICTION_BARS (bp_prediction_bars_new ()));

  bp_prediction_bars_set_outputs (bars, softmax_outputs, 10, TRUE);
  g_assert_cmpint (bp_prediction_bars_get_top (bars), ==, 7);
  golden_bars (bars, FALSE, "bars-softmax-light.png");
  golden_bars (bars, TRUE, "bars-softmax-dark.png");

  /* Sigmoid outputs are not probabilities: a different caption, raw values. */
  bp_prediction_bars_set_outputs (bars, sigmoid_outputs, 10, FALSE);
  g_assert_cmpint (bp_prediction_bars_get_top (bars), ==, 7);
  golden_bars (bars, FALSE, "bars-sigmoid-light.png");

  /* Nothing drawn: no guess. */
  bp_prediction_bars_set_outputs (bars, NULL, 0, TRUE);
  g_assert_cmpint (bp_prediction_bars_get_top (bars), ==, -1);
  golden_bars (bars, FALSE, "bars-empty-light.png");

  g_assert_finalize_object (bars);
}

/* ── Confusion matrix ─────────────────────────────────────────────────────────────────────── */

static void
fill_counts (gsize *counts)
{
  /* Mostly right, a few classic confusions (4 ↔ 9, 3 → 5, 7 → 2), one four-digit count. */
  for (guint t = 0; t < 10; t++)
    for (guint p = 0; p < 10; p++)
      counts[t * 10 + p] = t == p ? 950 + 20 * t : (t + p) % 7 == 0 ? 1 : 0;
  counts[1 * 10 + 1] = 1129;
  counts[4 * 10 + 9] = 14;
  counts[9 * 10 + 4] = 9;
  counts[3 * 10 + 5] = 12;
  counts[7 * 10 + 2] = 8;
}

static void
test_matrix_golden (void)
{
  BpConfusionMatrix *matrix;
  gsize counts[100];
  cairo_t *cr;
  cairo_surface_t *surface;

  if (!need_display ())
    return;
  matrix = g_object_ref_sink (BP_CONFUSION_MATRIX (bp_confusion_matrix_new ()));
  fill_counts (counts);
  bp_confusion_matrix_set_counts (matrix, counts, 10);
  bp_confusion_matrix_set_selected (matrix, 4, 9);

  surface = background_surface (420, 420, FALSE, &cr);
  bp_confusion_matrix_draw (matrix, cr, NULL, 420, 420, FALSE);
  cairo_destroy (cr);
  bp_test_assert_golden (surface, "confusion-light.png");
  cairo_surface_destroy (surface);

  surface = background_surface (420, 420, TRUE, &cr);
  bp_confusion_matrix_draw (matrix, cr, NULL, 420, 420, TRUE);
  cairo_destroy (cr);
  bp_test_assert_golden (surface, "confusion-dark.png");
  cairo_surface_destroy (surface);

  g_assert_finalize_object (matrix);
}

/* Every cell's centre maps back to the cell, at several sizes; the margins map to none. */
static void
test_matrix_cell_at (void)
{
  static const int sizes[][2] = { { 420, 420 }, { 220, 600 }, { 800, 300 } };
  BpConfusionMatrix *matrix;
  gsize counts[100];
  guint t, p;

  if (!need_display ())
    return;
  matrix = g_object_ref_sink (BP_CONFUSION_MATRIX (bp_confusion_matrix_new ()));

  /* No counts, no cells. */
  g_assert_false (bp_confusion_matrix_cell_at (matrix, 200, 200, 420, 420, &t, &p));

  fill_counts (counts);
  bp_confusion_matrix_set_counts (matrix, counts, 10);
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int width = sizes[s][0], height = sizes[s][1];
      gboolean seen[100] = { FALSE };
      double x_first = -1, x_last = -1;

      /* Scan a grid of points: each cell is hit, and consistently left to right. */
      for (int y = 0; y < height; y += 3)
        for (int x = 0; x < width; x += 3)
          if (bp_confusion_matrix_cell_at (matrix, x, y, width, height, &t, &p))
            {
              g_assert_cmpuint (t, <, 10);
              g_assert_cmpuint (p, <, 10);
              seen[t * 10 + p] = TRUE;
              if (t == 0 && p == 0 && x_first < 0)
                x_first = x;
              if (t == 0 && p == 9)
                x_last = x;
            }
      for (guint c = 0; c < 100; c++)
        g_assert_true (seen[c]);
      g_assert_cmpfloat (x_first, <, x_last);
      /* The top left corner holds the axis titles, not a cell. */
      g_assert_false (bp_confusion_matrix_cell_at (matrix, 1, 1, width, height, &t, &p));
    }
  g_assert_finalize_object (matrix);
}

/* ── Digit gallery ────────────────────────────────────────────────────────────────────────── */

static void
test_gallery_positions (void)
{
  BpDigitGallery *gallery;
  BpGalleryDigit digits[7];
  int last = -1;

  if (!need_display ())
    return;
  gallery = g_object_ref_sink (BP_DIGIT_GALLERY (bp_digit_gallery_new ()));
  memset (digits, 0, sizeof digits);
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    {
      digits[i].index = 100 + i;
      digits[i].label = (guint8) i;
      digits[i].predicted = (guint8) (9 - i);
      digits[i].confidence = 1.0f - 0.1f * i;
      digits[i].pixels[14 * 28 + i] = 255;
    }
  bp_digit_gallery_set_digits (gallery, digits, G_N_ELEMENTS (digits));
  g_assert_cmpuint (bp_digit_gallery_get_n_digits (gallery), ==, 7);
  g_assert_cmpuint (bp_digit_gallery_get_digit (gallery, 3)->index, ==, 103);

  /* The centre of each tile is that digit, in order, at a width of three and a half tiles. */
  for (guint i = 0; i < 7; i++)
    {
      graphene_rect_t tile;
      int position;

      bp_digit_gallery_get_tile (gallery, i, 270, &tile);
      position = bp_digit_gallery_position_at (gallery, tile.origin.x + tile.size.width / 2,
                                               tile.origin.y + tile.size.height / 2, 270);
      g_assert_cmpint (position, ==, (int) i);
      g_assert_cmpint (position, >, last);
      last = position;
    }
  /* Past the last digit and outside the widget: none. */
  g_assert_cmpint (bp_digit_gallery_position_at (gallery, 260, 10 * 98, 270), ==, -1);
  g_assert_cmpint (bp_digit_gallery_position_at (gallery, -1, 5, 270), ==, -1);

  bp_digit_gallery_set_digits (gallery, NULL, 0);
  g_assert_cmpuint (bp_digit_gallery_get_n_digits (gallery), ==, 0);
  g_assert_finalize_object (gallery);
}

/* ── Drawing pad ──────────────────────────────────────────────────────────────────────────── */

static void
count_cb (gpointer  object,
          guint    *count)
{
  (*count)++;
}

/* The ink of the A8 surface at (@x, @y) in logical pixels. */
static int
ink_at (cairo_surface_t *surface,
        int              scale,
        double           x,
        double           y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);

  return data[(int) (y * scale) * stride + (int) (x * scale)];
}

static void
test_canvas_strokes (void)
{
  GtkWidget *window;
  BpDrawCanvas *canvas;
  const graphene_point_t bar[] = { { 40, 50 }, { 160, 50 } };
  const graphene_point_t dot[] = { { 100, 150 } };
  cairo_surface_t *ink;
  guint changed = 0;

  if (!need_display ())
    return;
  window = gtk_window_new ();
  canvas = BP_DRAW_CANVAS (bp_draw_canvas_new ());
  gtk_widget_set_size_request (GTK_WIDGET (canvas), 200, 200);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (canvas));
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 200);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (GTK_WIDGET (canvas)) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (canvas, "changed", G_CALLBACK (count_cb), &changed);

  g_assert_true (bp_draw_canvas_get_empty (canvas));
  g_assert_cmpfloat (bp_draw_canvas_get_brush_width (canvas), ==, BP_DRAW_CANVAS_DEFAULT_BRUSH);
  g_assert_false (bp_draw_canvas_undo (canvas));

  bp_draw_canvas_add_stroke (canvas, bar, G_N_ELEMENTS (bar), 10.0);
  bp_draw_canvas_add_stroke (canvas, dot, G_N_ELEMENTS (dot), 20.0);
  g_assert_false (bp_draw_canvas_get_empty (canvas));
  g_assert_cmpuint (bp_draw_canvas_get_n_strokes (canvas), ==, 2);
  g_assert_cmpuint (changed, ==, 2);

  /* Ink where the strokes are, at 1× and at 2× (HiDPI: twice the pixels, same places); the
   * round brush reaches half its width from the path and no further. */
  for (int scale = 1; scale <= 2; scale++)
    {
      ink = bp_draw_canvas_render (canvas, scale);
      g_assert_cmpint (cairo_image_surface_get_format (ink), ==, CAIRO_FORMAT_A8);
      g_assert_cmpint (cairo_image_surface_get_width (ink), ==, 200 * scale);
      g_assert_cmpint (ink_at (ink, scale, 100, 50), ==, 255);
      g_assert_cmpint (ink_at (ink, scale, 100, 53), ==, 255);
      g_assert_cmpint (ink_at (ink, scale, 100, 58), ==, 0);
      g_assert_cmpint (ink_at (ink, scale, 100, 150), ==, 255);
      g_assert_cmpint (ink_at (ink, scale, 108, 150), ==, 255);
      g_assert_cmpint (ink_at (ink, scale, 113, 150), ==, 0);
      g_assert_cmpint (ink_at (ink, scale, 10, 190), ==, 0);
      /* Anti-aliased: some pixel on the dot's rim is neither ink nor paper. */
      {
        gboolean partial = FALSE;

        for (double x = 108; x <= 111; x += 0.5 / scale)
          partial |= ink_at (ink, scale, x, 150) > 0 && ink_at (ink, scale, x, 150) < 255;
        g_assert_true (partial);
      }
      cairo_surface_destroy (ink);
    }

  /* On a pad twice as big the drawing is twice as big, strokes included: what the network
   * sees does not depend on the window's size. */
  gtk_widget_set_size_request (GTK_WIDGET (canvas), 400, 400);
  while (gtk_widget_get_width (GTK_WIDGET (canvas)) != 400)
    g_main_context_iteration (NULL, TRUE);
  ink = bp_draw_canvas_render (canvas, 1);
  g_assert_cmpint (ink_at (ink, 1, 200, 100), ==, 255);
  g_assert_cmpint (ink_at (ink, 1, 200, 108), ==, 255);
  g_assert_cmpint (ink_at (ink, 1, 200, 112), ==, 0);
  g_assert_cmpint (ink_at (ink, 1, 216, 300), ==, 255);
  g_assert_cmpint (ink_at (ink, 1, 224, 300), ==, 0);
  cairo_surface_destroy (ink);
  gtk_widget_set_size_request (GTK_WIDGET (canvas), 200, 200);
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 200);
  while (gtk_widget_get_width (GTK_WIDGET (canvas)) != 200)
    g_main_context_iteration (NULL, TRUE);

  /* Undo takes the dot back; Clear the rest. */
  g_assert_true (bp_draw_canvas_undo (canvas));
  g_assert_cmpuint (bp_draw_canvas_get_n_strokes (canvas), ==, 1);
  ink = bp_draw_canvas_render (canvas, 1);
  g_assert_cmpint (ink_at (ink, 1, 100, 150), ==, 0);
  g_assert_cmpint (ink_at (ink, 1, 100, 50), ==, 255);
  cairo_surface_destroy (ink);
  bp_draw_canvas_clear (canvas);
  g_assert_true (bp_draw_canvas_get_empty (canvas));
  g_assert_cmpuint (changed, ==, 4);

  /* An image replaces the strokes and the next stroke replaces the image. */
  {
    guint8 pixels[28 * 28] = { 0 };

    pixels[14 * 28 + 14] = 255;
    bp_draw_canvas_add_stroke (canvas, bar, G_N_ELEMENTS (bar), 10.0);
    bp_draw_canvas_set_image (canvas, pixels, 28, 28);
    g_assert_true (bp_draw_canvas_has_image (canvas));
    g_assert_cmpuint (bp_draw_canvas_get_n_strokes (canvas), ==, 0);
    g_assert_false (bp_draw_canvas_get_empty (canvas));
    bp_draw_canvas_add_stroke (canvas, dot, G_N_ELEMENTS (dot), 10.0);
    g_assert_false (bp_draw_canvas_has_image (canvas));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/draw-widgets/bars/golden", test_bars_golden);
  g_test_add_func ("/draw-widgets/matrix/golden", test_matrix_golden);
  g_test_add_func ("/draw-widgets/matrix/cell-at", test_matrix_cell_at);
  g_test_add_func ("/draw-widgets/gallery/positions", test_gallery_positions);
  g_test_add_func ("/draw-widgets/canvas/strokes", test_canvas_strokes);

  return g_test_run ();
}
