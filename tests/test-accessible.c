/* test-accessible.c — what the custom widgets tell assistive technology, and their keyboard use
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under GTK's "test" accessibility backend (GTK_A11Y=test), which keeps each widget's
 * role, properties and relations where gtk_test_accessible_* can read them back: every widget
 * has a role and a label, and its label or description follows the data (a point appended, a
 * prediction set, a stroke drawn). The keyboard cases press keys through the widgets' own key
 * controllers and move the focus the way Tab does. Everything needs GTK initialised, so each
 * case is skipped when gtk_init_check() finds no display (meson runs this under xvfb-run).
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "bp-confusion-matrix.h"
#include "bp-digit-gallery.h"
#include "bp-draw-canvas.h"
#include "bp-feature-maps.h"
#include "bp-plot.h"
#include "bp-prediction-bars.h"
#include "bp-test-widget.h"
#include "bp-weight-grid.h"

static gboolean have_display;

static gboolean
need_display (void)
{
  if (!have_display)
    g_test_skip ("no display");
  return have_display;
}

/* ── Helpers ──────────────────────────────────────────────────────────────────────────────── */

/* gtk_test_accessible_assert_property() pastes the expected value into a format string, which
 * the percentages here would break: the value the check returns on a mismatch is compared
 * instead, so that a failure shows it. */
static void
assert_property (GtkWidget             *widget,
                 GtkAccessibleProperty  property,
                 const char            *expected)
{
  g_autofree char *actual = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property,
                                                                expected);

  g_assert_cmpstr (actual, ==, NULL);
}

#define assert_label(widget, expected) \
  assert_property ((widget), GTK_ACCESSIBLE_PROPERTY_LABEL, (expected))
#define assert_description(widget, expected) \
  assert_property ((widget), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, (expected))

static GtkWindow *
show_in_window (GtkWidget *child,
                int        width,
                int        height)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 500 && !(gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0); i++)
    bp_test_iterate_for (10);
  g_assert_true (gtk_widget_get_mapped (child));

  return GTK_WINDOW (window);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  GListModel *controllers = gtk_widget_observe_controllers (widget);
  GtkEventController *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && found == NULL; i++)
    {
      GtkEventController *controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        found = controller;
      g_object_unref (controller);
    }
  g_object_unref (controllers);
  g_assert_nonnull (found);

  return found;
}

/* A key press as the widget's key controller gets it; returns whether it was handled. */
static gboolean
press (GtkWidget *widget,
       guint      keyval)
{
  GtkEventController *key = find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  g_signal_emit_by_name (key, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
  return handled;
}

/* The widget's picture as GTK draws it (its snapshot rendered with Cairo). */
static cairo_surface_t *
render_widget (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  if (node != NULL)
    {
      gsk_render_node_draw (node, cr);
      gsk_render_node_unref (node);
    }
  cairo_destroy (cr);

  return surface;
}

/* How many pixels of @a and @b (the same size, ARGB32) differ. */
static guint
count_differences (cairo_surface_t *a,
                   cairo_surface_t *b)
{
  int width = cairo_image_surface_get_width (a);
  int height = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a);
  const guint8 *pa, *pb;
  guint n = 0;

  cairo_surface_flush (a);
  cairo_surface_flush (b);
  pa = cairo_image_surface_get_data (a);
  pb = cairo_image_surface_get_data (b);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      n += memcmp (pa + y * stride + x * 4, pb + y * stride + x * 4, 4) != 0;
  return n;
}

/* Whether the visible keyboard focus changes what @widget draws: give @window's focus to
 * @widget with the focus shown (as after a key press) and compare with the focus elsewhere. */
static gboolean
focus_is_visible (GtkWindow *window,
                  GtkWidget *widget,
                  GtkWidget *elsewhere)
{
  cairo_surface_t *unfocused, *focused;
  guint n;

  gtk_window_set_focus_visible (window, TRUE);
  gtk_widget_grab_focus (elsewhere);
  bp_test_iterate_for (20);
  unfocused = render_widget (widget);
  g_assert_true (gtk_widget_grab_focus (widget));
  bp_test_iterate_for (20);
  g_assert_true (gtk_widget_has_visible_focus (widget));
  focused = render_widget (widget);
  n = count_differences (unfocused, focused);
  cairo_surface_destroy (unfocused);
  cairo_surface_destroy (focused);

  return n > 0;
}

/* ── BpPlot ───────────────────────────────────────────────────────────────────────────────── */

static void
test_plot (void)
{
  GtkWidget *box, *button, *plot;
  GtkWindow *window;
  guint training, validation;

  if (!need_display ())
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  plot = bp_plot_new ();
  gtk_widget_set_vexpand (plot, TRUE);
  gtk_box_append (GTK_BOX (box), plot);
  window = show_in_window (box, 480, 360);

  gtk_test_accessible_assert_role (plot, GTK_ACCESSIBLE_ROLE_IMG);
  assert_label (plot, "Chart");
  assert_description (plot, "No data yet");
  bp_plot_set_title (BP_PLOT (plot), "Accuracy");
  assert_label (plot, "Accuracy");

  bp_plot_set_x_label (BP_PLOT (plot), "Epoch");
  training = bp_plot_add_series (BP_PLOT (plot), "Training", 0);
  validation = bp_plot_add_series (BP_PLOT (plot), "Validation", 1);
  bp_test_iterate_for (600);

  /* The description names the latest point of each series, but not on every append: it
   * catches up within half a second. */
  for (int k = 1; k <= 12; k++)
    {
      bp_plot_append (BP_PLOT (plot), training, k, 0.90 + k / 1000.0);
      bp_plot_append (BP_PLOT (plot), validation, k, 0.9400 + k / 1000.0);
    }
  assert_description (plot, "No data yet");
  bp_test_iterate_for (600);
  assert_description (plot, "Training: 0.912 at epoch 12.0; Validation: 0.952 at epoch 12.0");

  bp_plot_append (BP_PLOT (plot), validation, 12.25, 0.9541);
  bp_test_iterate_for (600);
  assert_description (plot, "Training: 0.912 at epoch 12.0; Validation: 0.9541 at epoch 12.25");

  /* Pinned runs are counted. */
  bp_plot_pin_run (BP_PLOT (plot), "η = 3.0");
  bp_plot_append (BP_PLOT (plot), validation, 1.0, 0.9);
  bp_test_iterate_for (600);
  assert_description (plot, "Validation: 0.9 at epoch 1.0; 1 pinned run");
  bp_plot_pin_run (BP_PLOT (plot), "η = 0.5");
  bp_test_iterate_for (600);
  assert_description (plot, "No data yet; 2 pinned runs");
  bp_plot_clear_pins (BP_PLOT (plot));
  bp_test_iterate_for (600);
  assert_description (plot, "No data yet");

  /* Tab reaches the plot and its focus shows. */
  g_assert_true (gtk_widget_get_focusable (plot));
  g_assert_true (focus_is_visible (window, plot, button));

  /* A description still to come when the plot goes is not set on a dead widget. */
  bp_plot_append (BP_PLOT (plot), training, 13.0, 0.95);
  g_object_ref (plot);
  gtk_window_destroy (window);
  g_assert_finalize_object (plot);
  bp_test_iterate_for (600);
}

/* ── BpPredictionBars ─────────────────────────────────────────────────────────────────────── */

static const float softmax_outputs[10] = { 0.001f, 0.012f, 0.004f, 0.009f, 0.0f, 0.0f, 0.0f,
                                           0.972f, 0.0f, 0.002f };
static const float sigmoid_outputs[10] = { 0.02f, 0.61f, 0.05f, 0.03f, 0.18f, 0.01f, 0.0f,
                                           0.84f, 0.09f, 0.33f };

static void
test_prediction_bars (void)
{
  GtkWidget *box, *button, *bars;
  GtkWindow *window;
  float outputs[10];

  if (!need_display ())
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  bars = bp_prediction_bars_new ();
  gtk_box_append (GTK_BOX (box), bars);
  window = show_in_window (box, 300, 300);

  /* A status: what a screen reader reads out as the guess changes. */
  gtk_test_accessible_assert_role (bars, GTK_ACCESSIBLE_ROLE_STATUS);
  assert_label (bars, "No prediction: draw a digit");

  bp_prediction_bars_set_outputs (BP_PREDICTION_BARS (bars), softmax_outputs, 10, TRUE);
  assert_label (bars, "Prediction: 7, 97% sure; next: 1, 1%");
  assert_description (bars, "Softmax probabilities: 0: 0.1%; 1: 1.2%; 2: 0.4%; 3: 0.9%; "
                            "4: 0.0%; 5: 0.0%; 6: 0.0%; 7: 97.2%; 8: 0.0%; 9: 0.2%");

  /* A new guess is a new label. */
  memcpy (outputs, softmax_outputs, sizeof outputs);
  outputs[7] = 0.01f;
  outputs[3] = 0.951f;
  bp_prediction_bars_set_outputs (BP_PREDICTION_BARS (bars), outputs, 10, TRUE);
  assert_label (bars, "Prediction: 3, 95% sure; next: 1, 1%");

  /* The book's sigmoid outputs are not called probabilities. */
  bp_prediction_bars_set_outputs (BP_PREDICTION_BARS (bars), sigmoid_outputs, 10, FALSE);
  assert_label (bars, "Prediction: 7, output 0.84; next: 1, output 0.61");
  assert_description (bars, "Sigmoid activations, not probabilities: 0: 0.020; 1: 0.610; "
                            "2: 0.050; 3: 0.030; 4: 0.180; 5: 0.010; 6: 0.000; 7: 0.840; "
                            "8: 0.090; 9: 0.330");

  bp_prediction_bars_set_outputs (BP_PREDICTION_BARS (bars), NULL, 0, FALSE);
  assert_label (bars, "No prediction: draw a digit");

  g_assert_true (gtk_widget_get_focusable (bars));
  g_assert_true (focus_is_visible (window, bars, button));

  g_object_ref (bars);
  gtk_window_destroy (window);
  g_assert_finalize_object (bars);
}

/* ── BpDrawCanvas ─────────────────────────────────────────────────────────────────────────── */

static void
test_draw_canvas (void)
{
  static const graphene_point_t bar[] = { { 40, 50 }, { 160, 50 } };
  static const graphene_point_t dot[] = { { 100, 150 } };
  GtkWidget *box, *button, *canvas;
  GtkWindow *window;
  guint8 pixels[28 * 28] = { 0 };

  if (!need_display ())
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  canvas = bp_draw_canvas_new ();
  gtk_widget_set_size_request (canvas, 200, 200);
  gtk_box_append (GTK_BOX (box), canvas);
  window = show_in_window (box, 200, 240);

  gtk_test_accessible_assert_role (canvas, GTK_ACCESSIBLE_ROLE_IMG);
  assert_label (canvas, "Drawing pad");
  assert_description (canvas, "Empty: draw a digit with the mouse, a finger or a stylus");

  bp_draw_canvas_add_stroke (BP_DRAW_CANVAS (canvas), bar, G_N_ELEMENTS (bar), 10.0);
  assert_description (canvas, "1 stroke");
  bp_draw_canvas_add_stroke (BP_DRAW_CANVAS (canvas), dot, G_N_ELEMENTS (dot), 10.0);
  assert_description (canvas, "2 strokes");
  bp_draw_canvas_undo (BP_DRAW_CANVAS (canvas));
  assert_description (canvas, "1 stroke");
  pixels[14 * 28 + 14] = 255;
  bp_draw_canvas_set_image (BP_DRAW_CANVAS (canvas), pixels, 28, 28);
  assert_description (canvas, "A 28 × 28 image");
  bp_draw_canvas_clear (BP_DRAW_CANVAS (canvas));
  assert_description (canvas, "Empty: draw a digit with the mouse, a finger or a stylus");

  g_assert_true (gtk_widget_get_focusable (canvas));
  g_assert_true (focus_is_visible (window, canvas, button));

  g_object_ref (canvas);
  gtk_window_destroy (window);
  g_assert_finalize_object (canvas);
}

/* ── BpWeightGrid ─────────────────────────────────────────────────────────────────────────── */

static float *
weights (guint n_neurons)
{
  float *w = g_new (float, n_neurons * 784);

  for (guint i = 0; i < n_neurons * 784; i++)
    w[i] = (float) sin (i * 0.37) * 0.5f;
  return w;
}

static void
activated_cb (GtkWidget *widget,
              guint      index,
              int       *activated)
{
  *activated = (int) index;
}

static void
test_weight_grid (void)
{
  g_autofree float *w = weights (16);
  GtkWidget *box, *button, *grid;
  GtkWindow *window;
  g_autofree char *base = NULL;
  g_autofree char *expected = NULL;
  int activated = -1;

  if (!need_display ())
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  grid = bp_weight_grid_new ();
  gtk_widget_set_vexpand (grid, TRUE);
  gtk_box_append (GTK_BOX (box), grid);
  window = show_in_window (box, 480, 400);
  g_signal_connect (grid, "neuron-activated", G_CALLBACK (activated_cb), &activated);

  gtk_test_accessible_assert_role (grid, GTK_ACCESSIBLE_ROLE_IMG);
  assert_label (grid, "Weights");
  assert_description (grid, "No weights yet");

  bp_weight_grid_set_weights (BP_WEIGHT_GRID (grid), w, 16, 784, 28, 28);
  base = g_strdup_printf ("16 neurons, each one's incoming weights as a 28 × 28 picture; blue "
                          "is negative, red positive, scale ±%.2g",
                          bp_weight_grid_get_limit (BP_WEIGHT_GRID (grid)));
  assert_description (grid, base);

  /* The keyboard: the first arrow selects the first neuron, Right the next; the description
   * says which one (counting from 1), and Enter activates it as a click does. */
  g_assert_true (press (grid, GDK_KEY_Right));
  g_assert_true (press (grid, GDK_KEY_Right));
  g_assert_cmpint (bp_weight_grid_get_selected (BP_WEIGHT_GRID (grid)), ==, 1);
  expected = g_strdup_printf ("%s; neuron 2 selected", base);
  assert_description (grid, expected);
  g_assert_true (press (grid, GDK_KEY_End));
  g_assert_true (press (grid, GDK_KEY_Return));
  g_assert_cmpint (activated, ==, 15);
  g_free (expected);
  expected = g_strdup_printf ("%s; neuron 16 selected", base);
  assert_description (grid, expected);
  bp_weight_grid_set_selected (BP_WEIGHT_GRID (grid), -1);
  assert_description (grid, base);

  /* A conv layer's filters are called filters. */
  bp_weight_grid_set_weights (BP_WEIGHT_GRID (grid), w, 20, 25, 5, 5);
  bp_weight_grid_set_filters (BP_WEIGHT_GRID (grid), TRUE);
  bp_weight_grid_set_selected (BP_WEIGHT_GRID (grid), 2);
  g_free (expected);
  expected = g_strdup_printf ("20 filters, each one's weights as a 5 × 5 picture; blue is "
                              "negative, red positive, scale ±%.2g; filter 3 selected",
                              bp_weight_grid_get_limit (BP_WEIGHT_GRID (grid)));
  assert_description (grid, expected);
  bp_weight_grid_set_filters (BP_WEIGHT_GRID (grid), FALSE);
  bp_weight_grid_set_selected (BP_WEIGHT_GRID (grid), -1);

  g_assert_true (gtk_widget_get_focusable (grid));
  g_assert_true (focus_is_visible (window, grid, button));

  g_object_ref (grid);
  gtk_window_destroy (window);
  g_assert_finalize_object (grid);
}

/* ── BpConfusionMatrix ────────────────────────────────────────────────────────────────────── */

/* 100 images of each digit: 95 right, and a few mistakes, the most common 4 read as 9. */
static void
fill_counts (gsize *counts)
{
  memset (counts, 0, 100 * sizeof (gsize));
  for (guint t = 0; t < 10; t++)
    counts[t * 10 + t] = 95;
  for (guint t = 0; t < 10; t++)
    counts[t * 10 + (t + 1) % 10] = 5;
  counts[4 * 10 + 4] = 88;
  counts[4 * 10 + 5] = 0;
  counts[4 * 10 + 9] = 12;
}

static void
cell_cb (GtkWidget *matrix,
         guint      true_class,
         guint      predicted,
         int       *cell)
{
  cell[0] = (int) true_class;
  cell[1] = (int) predicted;
}

static void
test_confusion_matrix (void)
{
  GtkWidget *box, *button, *matrix;
  GtkWindow *window;
  gsize counts[100];
  int cell[2] = { -1, -1 };

  if (!need_display ())
    return;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  matrix = bp_confusion_matrix_new ();
  gtk_widget_set_vexpand (matrix, TRUE);
  gtk_box_append (GTK_BOX (box), matrix);
  window = show_in_window (box, 360, 400);
  g_signal_connect (matrix, "cell-activated", G_CALLBACK (cell_cb), cell);

  gtk_test_accessible_assert_role (matrix, GTK_ACCESSIBLE_ROLE_IMG);
  assert_label (matrix, "Confusion matrix of the test set");
  assert_description (matrix, "No results yet");

  fill_counts (counts);
  bp_confusion_matrix_set_counts (BP_CONFUSION_MATRIX (matrix), counts, 10);
  assert_description (matrix, "Accuracy 94.30% (943 of 1000); most common mistake: 4 read "
                              "as 9, 12 times");

  /* The keyboard reaches the cells: focus lands on the first, the arrows move, the
   * description says where, and Enter does what a click on that cell does. */
  g_assert_true (gtk_widget_get_focusable (matrix));
  gtk_widget_grab_focus (matrix);
  bp_test_iterate_for (20);
  assert_description (matrix, "Accuracy 94.30% (943 of 1000); most common mistake: 4 read "
                              "as 9, 12 times; cell 0 read as 0: 95 images");
  for (int i = 0; i < 4; i++)
    g_assert_true (press (matrix, GDK_KEY_Down));
  g_assert_true (press (matrix, GDK_KEY_End));
  assert_description (matrix, "Accuracy 94.30% (943 of 1000); most common mistake: 4 read "
                              "as 9, 12 times; cell 4 read as 9: 12 images");
  g_assert_true (press (matrix, GDK_KEY_Left));
  assert_description (matrix, "Accuracy 94.30% (943 of 1000); most common mistake: 4 read "
                              "as 9, 12 times; cell 4 read as 8: 0 images");
  g_assert_true (press (matrix, GDK_KEY_Right));
  g_assert_cmpint (cell[0], ==, -1);
  g_assert_true (press (matrix, GDK_KEY_Return));
  g_assert_cmpint (cell[0], ==, 4);
  g_assert_cmpint (cell[1], ==, 9);
  /* Keys it does not use go on to the window (Tab, the view's shortcuts). */
  g_assert_false (press (matrix, GDK_KEY_Tab));
  g_assert_false (press (matrix, GDK_KEY_a));

  /* The cursor shows only while the focus is visible. */
  g_assert_true (focus_is_visible (window, matrix, button));

  g_object_ref (matrix);
  gtk_window_destroy (window);
  g_assert_finalize_object (matrix);
}

/* ── BpDigitGallery ───────────────────────────────────────────────────────────────────────── */

static void
digit_cb (GtkWidget *gallery,
          guint      position,
          int       *activated)
{
  *activated = (int) position;
}

static void
test_digit_gallery (void)
{
  GtkWidget *box, *button, *scrolled, *gallery;
  GtkWindow *window;
  GtkAdjustment *adjustment;
  BpGalleryDigit digits[60];
  int activated = -1;
  int columns;

  if (!need_display ())
    return;

  memset (digits, 0, sizeof digits);
  for (guint i = 0; i < G_N_ELEMENTS (digits); i++)
    {
      digits[i].index = 1000 + i;
      digits[i].label = (guint8) (i % 10);
      digits[i].predicted = (guint8) ((i + 3) % 10);
      digits[i].confidence = 0.5f + (float) (i % 5) / 10.0f;
      for (guint p = 0; p < BP_DIGIT_GALLERY_SIDE * BP_DIGIT_GALLERY_SIDE; p += 7)
        digits[i].pixels[p] = 255;
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  button = gtk_button_new_with_label ("Elsewhere");
  gtk_box_append (GTK_BOX (box), button);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gallery = bp_digit_gallery_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), gallery);
  gtk_box_append (GTK_BOX (box), scrolled);
  window = show_in_window (box, 320, 300);
  g_signal_connect (gallery, "digit-activated", G_CALLBACK (digit_cb), &activated);

  gtk_test_accessible_assert_role (gallery, GTK_ACCESSIBLE_ROLE_IMG);
  assert_label (gallery, "Digits");
  assert_description (gallery, "No digits");
  /* Nothing to reach: no stop for Tab. */
  g_assert_false (gtk_widget_get_focusable (gallery));

  bp_digit_gallery_set_digits (BP_DIGIT_GALLERY (gallery), digits, G_N_ELEMENTS (digits));
  assert_description (gallery, "60 digits");
  g_assert_true (gtk_widget_get_focusable (gallery));
  while (gtk_widget_get_width (gallery) == 0)
    bp_test_iterate_for (10);

  /* Focus lands on the first digit; Right, Down and End move; Enter activates as a click. */
  gtk_widget_grab_focus (gallery);
  bp_test_iterate_for (20);
  assert_description (gallery, "60 digits; digit 1 of 60: the network says 3 (50%), it is 0");
  g_assert_true (press (gallery, GDK_KEY_Right));
  assert_description (gallery, "60 digits; digit 2 of 60: the network says 4 (60%), it is 1");
  columns = (int) (gtk_widget_get_width (gallery) / 76);
  g_assert_cmpint (columns, >=, 2);
  g_assert_true (press (gallery, GDK_KEY_Down));
  {
    g_autofree char *expected = NULL;
    int at = 1 + columns;

    expected = g_strdup_printf ("60 digits; digit %d of 60: the network says %d (%d%%), it is %d",
                                at + 1, (at + 3) % 10, 50 + 10 * (at % 5), at % 10);
    assert_description (gallery, expected);
  }
  g_assert_true (press (gallery, GDK_KEY_Return));
  g_assert_cmpint (activated, ==, 1 + columns);

  /* The last digit is far below the window: End scrolls it into view, and it stays there
   * after the next layouts (the viewport's own scrolling to the focus would undo it). */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 0.0);
  g_assert_true (press (gallery, GDK_KEY_End));
  assert_description (gallery, "60 digits; digit 60 of 60: the network says 2 (90%), it is 9");
  bp_test_iterate_for (100);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), >, 0.0);
  {
    graphene_rect_t tile;
    graphene_point_t top;

    bp_digit_gallery_get_tile (BP_DIGIT_GALLERY (gallery), 59, gtk_widget_get_width (gallery), &tile);
    g_assert_true (gtk_widget_compute_point (gallery, scrolled, &tile.origin, &top));
    g_assert_cmpfloat (top.y, >=, 0.0);
    g_assert_cmpfloat (top.y + tile.size.height, <=, gtk_widget_get_height (scrolled) + 0.5);
  }
  g_assert_true (press (gallery, GDK_KEY_Home));
  g_assert_true (press (gallery, GDK_KEY_space));
  g_assert_cmpint (activated, ==, 0);

  g_assert_true (focus_is_visible (window, gallery, button));

  g_object_ref (gallery);
  gtk_window_destroy (window);
  g_assert_finalize_object (gallery);
}

/* ── Tab ──────────────────────────────────────────────────────────────────────────────────── */

static void
test_tab_order (void)
{
  GtkWidget *box, *button, *scrolled;
  GtkWidget *widgets[6];
  GtkWindow *window;
  g_autofree float *w = weights (4);
  gsize counts[100];
  BpGalleryDigit digit = { { 0 }, 7, 7, 1, 0.8f };
  gboolean reached[G_N_ELEMENTS (widgets)] = { FALSE };

  if (!need_display ())
    return;

  widgets[0] = bp_plot_new ();
  widgets[1] = bp_weight_grid_new ();
  bp_weight_grid_set_weights (BP_WEIGHT_GRID (widgets[1]), w, 4, 784, 28, 28);
  widgets[2] = bp_draw_canvas_new ();
  widgets[3] = bp_prediction_bars_new ();
  widgets[4] = bp_confusion_matrix_new ();
  fill_counts (counts);
  bp_confusion_matrix_set_counts (BP_CONFUSION_MATRIX (widgets[4]), counts, 10);
  widgets[5] = bp_digit_gallery_new ();
  bp_digit_gallery_set_digits (BP_DIGIT_GALLERY (widgets[5]), &digit, 1);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  button = gtk_button_new_with_label ("Start");
  gtk_box_append (GTK_BOX (box), button);
  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      gtk_widget_set_size_request (widgets[i], 120, 120);
      if (i == 5)
        {
          scrolled = gtk_scrolled_window_new ();
          gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), widgets[i]);
          gtk_widget_set_size_request (scrolled, 120, 120);
          gtk_box_append (GTK_BOX (box), scrolled);
        }
      else
        gtk_box_append (GTK_BOX (box), widgets[i]);
    }
  window = show_in_window (box, 1200, 300);
  gtk_widget_grab_focus (button);

  /* What Tab does: the window's move-focus keybinding signal. */
  for (guint step = 0; step < 2 * G_N_ELEMENTS (widgets) + 4; step++)
    {
      GtkWidget *focus;

      g_signal_emit_by_name (window, "move-focus", GTK_DIR_TAB_FORWARD);
      focus = gtk_window_get_focus (window);
      for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
        if (focus == widgets[i])
          reached[i] = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (widgets); i++)
    {
      if (!reached[i])
        g_test_message ("Tab never reached %s", G_OBJECT_TYPE_NAME (widgets[i]));
      g_assert_true (reached[i]);
    }

  gtk_window_destroy (window);
}

/* The feature maps: an image whose description names each layer and its strongest map, and
 * follows new numbers. */
static void
test_feature_maps (void)
{
  GtkWidget *maps;
  GtkWindow *window;
  float values[2 * 2 * 2] = { 0, 0, 0, 0, 1, 1, 0, 0 };
  BpFeatureMapsLayer layer = { "Layer 2, convolution", "Layer 2", 2, 2, 2, values };

  if (!need_display ())
    return;
  maps = bp_feature_maps_new ();
  window = show_in_window (maps, 300, 200);
  gtk_test_accessible_assert_role (maps, GTK_ACCESSIBLE_ROLE_IMG);
  bp_feature_maps_set_layers (BP_FEATURE_MAPS (maps), &layer, 1);
  assert_description (maps, "Layer 2, convolution; map 2 responds most.");
  values[0] = 5;
  bp_feature_maps_set_layers (BP_FEATURE_MAPS (maps), &layer, 1);
  assert_description (maps, "Layer 2, convolution; map 1 responds most.");
  gtk_window_destroy (window);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/accessible/plot", test_plot);
  g_test_add_func ("/accessible/prediction-bars", test_prediction_bars);
  g_test_add_func ("/accessible/draw-canvas", test_draw_canvas);
  g_test_add_func ("/accessible/weight-grid", test_weight_grid);
  g_test_add_func ("/accessible/confusion-matrix", test_confusion_matrix);
  g_test_add_func ("/accessible/digit-gallery", test_digit_gallery);
  g_test_add_func ("/accessible/feature-maps", test_feature_maps);
  g_test_add_func ("/accessible/tab-order", test_tab_order);

  return g_test_run ();
}
