/* test-network-columns.c — BpNetworkColumns, the Backprop view's picture of a network: every
 * cell can be hit and is hit once, the outputs stay in one column, values and selection
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>

#include "bp-colormap.h"
#include "bp-network-columns.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display");
  return have_display;
}

static BpNetworkColumns *
new_columns (const guint *sizes,
             guint        n_layers)
{
  BpNetworkColumns *columns = g_object_ref_sink (BP_NETWORK_COLUMNS (bp_network_columns_new ()));

  bp_network_columns_set_shape (columns, n_layers, sizes);
  /* The last layer is the output layer, its cells labelled with their digits. */
  bp_network_columns_set_labelled (columns, n_layers - 1, TRUE);
  return columns;
}

/* Every cell of every column is hit somewhere, no point hits a cell that does not exist, and
 * the output layer's ten cells lie in one column of cells, top to bottom. */
static void
test_cells (void)
{
  static const guint shapes[][3] = { { 30, 10, 0 }, { 800, 10, 0 }, { 100, 30, 10 } };
  static const int sizes[][2] = { { 700, 400 }, { 520, 300 }, { 1000, 600 } };

  if (!need_display ())
    return;
  for (gsize k = 0; k < G_N_ELEMENTS (shapes); k++)
    for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
      {
        guint n_layers = shapes[k][2] != 0 ? 3 : 2;
        BpNetworkColumns *columns = new_columns (shapes[k], n_layers);
        int width = sizes[s][0], height = sizes[s][1];
        g_autofree guint *hits = g_new0 (guint, 800 * 3);
        double out_x_min = G_MAXDOUBLE, out_x_max = -1, last_y = -1;
        int last_out = -1;

        for (int y = 0; y < height; y += 1)
          for (int x = 0; x < width; x += 1)
            {
              int layer = -1;
              int j = bp_network_columns_neuron_at (columns, x, y, width, height, &layer);

              if (j < 0)
                continue;
              g_assert_cmpint (layer, >=, 0);
              g_assert_cmpint (layer, <, (int) n_layers);
              g_assert_cmpint (j, <, (int) shapes[k][layer]);
              hits[layer * 800 + j]++;
              if (layer == (int) n_layers - 1)
                {
                  out_x_min = MIN (out_x_min, x);
                  out_x_max = MAX (out_x_max, x);
                  if (j != last_out && x == (int) out_x_min)
                    {
                      /* Down the column, the digits go up. */
                      g_assert_cmpint (j, >, last_out);
                      g_assert_cmpfloat (y, >, last_y);
                      last_out = j;
                      last_y = y;
                    }
                }
            }
        for (guint l = 0; l < n_layers; l++)
          for (guint j = 0; j < shapes[k][l]; j++)
            g_assert_cmpuint (hits[l * 800 + j], >, 0);
        /* One column of cells: no wider than a cell is tall. */
        g_assert_cmpfloat (out_x_max - out_x_min, <, (height - 60) / 10.0 + 1);
        g_assert_cmpint (last_out, ==, 9);
        g_assert_finalize_object (columns);
      }
}

/* The input square is not a cell, nor are the captions above the columns. */
static void
test_misses (void)
{
  static const guint shape[] = { 30, 10 };
  BpNetworkColumns *columns;
  int layer;

  if (!need_display ())
    return;
  columns = new_columns (shape, 2);
  g_assert_cmpint (bp_network_columns_neuron_at (columns, 2, 2, 700, 400, &layer), ==, -1);
  g_assert_cmpint (bp_network_columns_neuron_at (columns, 350, 10, 700, 400, &layer), ==, -1);
  g_assert_cmpint (bp_network_columns_neuron_at (columns, 699, 399, 700, 400, &layer), ==, -1);
  g_assert_finalize_object (columns);
}

/* Values are copied, a new shape drops them and the selection, and a selection out of range is
 * none. Drawing works with and without values, in both styles. */
static void
test_values_and_selection (void)
{
  static const guint shape[] = { 30, 10 };
  static const guint other[] = { 20, 10 };
  BpNetworkColumns *columns;
  float values[30];
  guint8 marks[30] = { 1, 0, 1 };
  int neuron = 0;
  cairo_surface_t *surface;
  cairo_t *cr;

  if (!need_display ())
    return;
  columns = new_columns (shape, 2);
  for (int i = 0; i < 30; i++)
    values[i] = (float) (i - 15) / 15.0f;
  bp_network_columns_set_values (columns, 0, values, marks);
  values[0] = 1e9f; /* the widget keeps its own copy */
  bp_network_columns_set_caption (columns, 0, "a² (30)");
  bp_network_columns_set_active (columns, 0, -1);

  bp_network_columns_set_selected (columns, 1, 9);
  g_assert_cmpint (bp_network_columns_get_selected (columns, &neuron), ==, 1);
  g_assert_cmpint (neuron, ==, 9);
  bp_network_columns_set_selected (columns, 1, 10);
  g_assert_cmpint (bp_network_columns_get_selected (columns, &neuron), ==, -1);
  g_assert_cmpint (neuron, ==, -1);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 600, 360);
  cr = cairo_create (surface);
  bp_network_columns_draw (columns, cr, 600, 360, FALSE);
  bp_network_columns_draw (columns, cr, 600, 360, TRUE);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);

  bp_network_columns_set_selected (columns, 0, 3);
  bp_network_columns_set_shape (columns, 2, other);
  g_assert_cmpuint (bp_network_columns_get_n_layers (columns), ==, 2);
  g_assert_cmpint (bp_network_columns_get_selected (columns, NULL), ==, -1);
  g_assert_finalize_object (columns);
}

/* A conv net's columns as maps: every pixel of every map is hit at its cell's centre and
 * nowhere else's, at a large and a small size; the highlight and the maps' shape read back. */
static void
test_maps (void)
{
  static const guint sizes[] = { 4 * 24 * 24, 4 * 12 * 12, 30, 10 };
  static const int sizes_px[][2] = { { 1200, 560 }, { 680, 240 } };

  if (!need_display ())
    return;
  for (gsize s = 0; s < G_N_ELEMENTS (sizes_px); s++)
    {
      BpNetworkColumns *columns = new_columns (sizes, 4);
      GtkWidget *window = gtk_window_new ();
      int width = sizes_px[s][0], height = sizes_px[s][1];
      g_autofree guint8 *mask = g_new0 (guint8, sizes[0]);
      const guint8 *back = NULL;
      guint h = 0, w = 0;

      bp_network_columns_set_maps (columns, 0, 4, 24, 24);
      bp_network_columns_set_maps (columns, 1, 4, 12, 12);
      g_assert_cmpuint (bp_network_columns_get_maps (columns, 1, &h, &w, NULL), ==, 4);
      g_assert_cmpuint (h, ==, 12);
      g_assert_cmpuint (bp_network_columns_get_maps (columns, 2, NULL, NULL, NULL), ==, 0);
      mask[5] = mask[600] = 1;
      bp_network_columns_set_highlight (columns, 0, mask);
      bp_network_columns_get_maps (columns, 0, NULL, NULL, &back);
      g_assert_nonnull (back);
      g_assert_cmpuint (back[600], ==, 1);
      g_assert_cmpuint (back[601], ==, 0);

      gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (columns));
      gtk_window_set_default_size (GTK_WINDOW (window), width, height);
      gtk_widget_size_allocate (GTK_WIDGET (columns), &(GtkAllocation) { 0, 0, width, height }, -1);

      for (guint l = 0; l < 2; l++)
        for (guint j = 0; j < sizes[l]; j++)
          {
            graphene_rect_t r;
            int layer = -1;
            int hit;

            g_assert_true (bp_network_columns_get_cell (columns, l, j, &r));
            g_assert_cmpfloat (r.origin.x + r.size.width, <=, width);
            g_assert_cmpfloat (r.origin.y + r.size.height, <=, height);
            hit = bp_network_columns_neuron_at (columns, r.origin.x + r.size.width / 2,
                                                r.origin.y + r.size.height / 2, width, height,
                                                &layer);
            g_assert_cmpint (layer, ==, (int) l);
            g_assert_cmpint (hit, ==, (int) j);
          }
      g_object_unref (columns);
      gtk_window_destroy (GTK_WINDOW (window));
    }
}

/* A dense network's columns are as they were before maps: each one GAP (18 px) after the one
 * before, plus the output digits' 14 px, whatever room conv nets' captions take. */
static void
test_dense_gaps (void)
{
  static const guint sizes[] = { 30, 10 };
  BpNetworkColumns *columns;
  GtkWidget *window;
  graphene_rect_t a, b;

  if (!need_display ())
    return;
  columns = new_columns (sizes, 2);
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (columns));
  gtk_widget_size_allocate (GTK_WIDGET (columns), &(GtkAllocation) { 0, 0, 900, 500 }, -1);
  g_assert_true (bp_network_columns_get_cell (columns, 0, 29, &a));
  g_assert_true (bp_network_columns_get_cell (columns, 1, 0, &b));
  g_assert_cmpfloat_with_epsilon (b.origin.x - (a.origin.x + a.size.width), 18.0 + 14.0, 0.01);
  g_object_unref (columns);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Max-pool's winners stand out: a highlighted map pixel is drawn in its own colour, one not
 * highlighted under the veil (another colour), though both have the same value. */
static void
test_highlight_drawn (void)
{
  static const guint sizes[] = { 2 * 6 * 6, 10 };
  BpNetworkColumns *columns;
  GtkWidget *window;
  g_autofree float *values = g_new (float, sizes[0]);
  g_autofree guint8 *mask = g_new0 (guint8, sizes[0]);
  cairo_surface_t *surface;
  cairo_t *cr;
  graphene_rect_t won, lost;
  guint32 won_px, lost_px;
  const int width = 700, height = 400;

  if (!need_display ())
    return;
  for (guint j = 0; j < sizes[0]; j++)
    values[j] = j == 0 ? 1.0f : 0.5f;
  mask[7] = 1;
  columns = new_columns (sizes, 2);
  window = gtk_window_new ();
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (columns));
  gtk_widget_size_allocate (GTK_WIDGET (columns), &(GtkAllocation) { 0, 0, width, height }, -1);
  bp_network_columns_set_maps (columns, 0, 2, 6, 6);
  bp_network_columns_set_values (columns, 0, values, NULL);
  bp_network_columns_set_highlight (columns, 0, mask);

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  bp_network_columns_draw (columns, cr, width, height, FALSE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_assert_true (bp_network_columns_get_cell (columns, 0, 7, &won));
  g_assert_true (bp_network_columns_get_cell (columns, 0, 8, &lost));
  g_assert_cmpfloat (won.size.width, >=, 2.0);
  {
    const guint8 *data = cairo_image_surface_get_data (surface);
    int stride = cairo_image_surface_get_stride (surface);
    int wx = (int) (won.origin.x + won.size.width / 2), wy = (int) (won.origin.y + won.size.height / 2);
    int lx = (int) (lost.origin.x + lost.size.width / 2), ly = (int) (lost.origin.y + lost.size.height / 2);

    won_px = ((const guint32 *) (gconstpointer) (data + wy * stride))[wx] & 0xffffff;
    lost_px = ((const guint32 *) (gconstpointer) (data + ly * stride))[lx] & 0xffffff;
  }
  g_assert_cmphex (won_px, ==, bp_colormap_diverging_pixel (0.5) & 0xffffff);
  g_assert_cmphex (lost_px, !=, won_px);
  cairo_surface_destroy (surface);
  g_object_unref (columns);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/network-columns/cells", test_cells);
  g_test_add_func ("/network-columns/misses", test_misses);
  g_test_add_func ("/network-columns/values-and-selection", test_values_and_selection);
  g_test_add_func ("/network-columns/maps", test_maps);
  g_test_add_func ("/network-columns/dense-gaps", test_dense_gaps);
  g_test_add_func ("/network-columns/highlight-drawn", test_highlight_drawn);

  return g_test_run ();
}
