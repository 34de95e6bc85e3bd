/* test-drawn-digits.c — drawn digits through bp-preprocess and the embedded default model
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The stroke paths in tests/data/drawn-digits/ (tests/data/make-drawn-digits.py) are rendered
 * with Cairo as a canvas would draw them — round caps and joins, anti-aliased — on a 280×280
 * canvas at varied positions, sizes and stroke widths, dark on light and light on dark, then
 * preprocessed and classified with the model compiled into this test from the same GResource
 * as backprop-cli and the app. The messages give the accuracy with the preprocessing and
 * without it (the whole canvas downscaled to 28×28), and the time a prediction takes.
 */
#include "config.h"

#include <cairo.h>
#include <gio/gio.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "bp-dataset.h"
#include "bp-model-io.h"
#include "bp-network.h"
#include "bp-preprocess.h"
#include "bp-rng.h"

#define CANVAS 280
#define N_VARIANTS 12
#define DEFAULT_MODEL_RESOURCE "/io/github/nndl/Backprop/model/default-model.json"

typedef struct
{
  int        digit;
  char      *name;
  GPtrArray *strokes; /* of GArray of double: x0, y0, x1, y1, … in the unit box */
} Style;

/* Where and how one style is drawn: the unit box becomes a square of @side pixels at
 * (@x, @y), turned by @tilt radians about its centre (clockwise on screen); strokes are @width
 * pixels wide. */
typedef struct
{
  double x;
  double y;
  double side;
  double width;
  bool   dark_on_light;
  double tilt;
} Placement;

static GPtrArray *styles;  /* of Style */
static BpNetwork *model;
static float     *scratch;

static void
style_free (gpointer data)
{
  Style *style = data;

  g_free (style->name);
  g_ptr_array_unref (style->strokes);
  g_free (style);
}

static void
load_styles (void)
{
  const char *data_dir = g_getenv ("BACKPROP_TEST_DATA");

  g_assert_nonnull (data_dir);
  styles = g_ptr_array_new_with_free_func (style_free);

  for (int digit = 0; digit < 10; digit++)
    {
      g_autofree char *name = g_strdup_printf ("%d.json", digit);
      g_autofree char *path = g_build_filename (data_dir, "drawn-digits", name, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *root;
      JsonArray *list;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      root = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (root, "digit"), ==, digit);
      list = json_object_get_array_member (root, "styles");
      /* At least three hand styles per digit. */
      g_assert_cmpuint (json_array_get_length (list), >=, 3);

      for (guint s = 0; s < json_array_get_length (list); s++)
        {
          JsonObject *obj = json_array_get_object_element (list, s);
          JsonArray *strokes = json_object_get_array_member (obj, "strokes");
          Style *style = g_new0 (Style, 1);

          style->digit = digit;
          style->name = g_strdup (json_object_get_string_member (obj, "name"));
          style->strokes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
          for (guint k = 0; k < json_array_get_length (strokes); k++)
            {
              JsonArray *points = json_array_get_array_element (strokes, k);
              GArray *xy = g_array_new (FALSE, FALSE, sizeof (double));

              g_assert_cmpuint (json_array_get_length (points), >=, 2);
              for (guint p = 0; p < json_array_get_length (points); p++)
                {
                  JsonArray *pt = json_array_get_array_element (points, p);
                  double v[2] = { json_array_get_double_element (pt, 0),
                                  json_array_get_double_element (pt, 1) };

                  g_array_append_vals (xy, v, 2);
                }
              g_ptr_array_add (style->strokes, xy);
            }
          g_ptr_array_add (styles, style);
        }
    }
}

/* The embedded model, or the file $BACKPROP_TEST_MODEL names: a candidate for the default model
 * is judged on the same drawings before it replaces resources/default-model.json. */
static void
load_model (void)
{
  const char *path = g_getenv ("BACKPROP_TEST_MODEL");
  BpError error = { 0 };

  if (path != NULL && *path != '\0')
    {
      g_test_message ("model: %s", path);
      model = bp_model_load (path, NULL, &error);
    }
  else
    {
      g_autoptr(GError) gerror = NULL;
      g_autoptr(GBytes) bytes = g_resources_lookup_data (DEFAULT_MODEL_RESOURCE,
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, &gerror);
      gsize len = 0;
      const char *data;

      g_assert_no_error (gerror);
      data = g_bytes_get_data (bytes, &len);
      model = bp_model_load_from_data (data, len, "the embedded default model", NULL, &error);
    }
  g_assert_cmpint (error.code, ==, BP_ERROR_NONE);
  g_assert_nonnull (model);
  g_assert_cmpuint (model->n_inputs, ==, BP_PREPROCESS_N_PIXELS);
  g_assert_cmpuint (model->n_outputs, ==, 10);
  scratch = g_new (float, bp_network_scratch_size (model));
}

/* Draw @style on an A8 canvas whose alpha is the grey level (255 white), as the app's canvas
 * and a greyscale PNG would hold it. */
static cairo_surface_t *
render (const Style     *style,
        const Placement *at)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_A8, CANVAS, CANVAS);
  cairo_t *cr = cairo_create (surface);

  cairo_set_operator (cr, CAIRO_OPERATOR_SOURCE);
  cairo_set_source_rgba (cr, 0.0, 0.0, 0.0, at->dark_on_light ? 1.0 : 0.0);
  cairo_paint (cr);
  cairo_set_source_rgba (cr, 0.0, 0.0, 0.0, at->dark_on_light ? 0.0 : 1.0);
  cairo_set_line_width (cr, at->width);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_GRAY);
  cairo_translate (cr, at->x + at->side / 2.0, at->y + at->side / 2.0);
  cairo_rotate (cr, at->tilt);
  cairo_translate (cr, -(at->x + at->side / 2.0), -(at->y + at->side / 2.0));

  for (guint k = 0; k < style->strokes->len; k++)
    {
      GArray *xy = g_ptr_array_index (style->strokes, k);

      for (guint p = 0; p < xy->len / 2; p++)
        {
          double x = at->x + at->side * g_array_index (xy, double, 2 * p);
          double y = at->y + at->side * g_array_index (xy, double, 2 * p + 1);

          if (p == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
    }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

static size_t
argmax (const float *out)
{
  size_t best = 0;

  for (size_t k = 1; k < 10; k++)
    if (out[k] > out[best])
      best = k;
  return best;
}

/* The digit the model reads from the canvas after bp_preprocess_u8(); -1 when it finds no ink.
 * @input (may be NULL) receives the 28×28 input. */
static int
classify (cairo_surface_t *surface,
          float           *input)
{
  float x[BP_PREPROCESS_N_PIXELS];
  float out[10];
  BpError error = { 0 };
  BpPreprocessStatus status;

  status = bp_preprocess_u8 (cairo_image_surface_get_data (surface), CANVAS, CANVAS,
                             (size_t) cairo_image_surface_get_stride (surface), BP_POLARITY_AUTO,
                             x, NULL, &error);
  g_assert_cmpint (status, !=, BP_PREPROCESS_ERROR);
  if (input != NULL)
    memcpy (input, x, sizeof x);
  if (status == BP_PREPROCESS_EMPTY)
    return -1;
  bp_network_predict (model, x, out, scratch);
  return (int) argmax (out);
}

/* Without preprocessing: the whole canvas area-averaged down to 28×28 (10×10 blocks), ink high.
 * It is even told the polarity, which bp-preprocess has to find out. */
static int
classify_naive (cairo_surface_t *surface,
                bool             dark_on_light)
{
  const uint8_t *data = cairo_image_surface_get_data (surface);
  size_t stride = (size_t) cairo_image_surface_get_stride (surface);
  const size_t block = CANVAS / BP_PREPROCESS_SIDE;
  float x[BP_PREPROCESS_N_PIXELS];
  float out[10];

  for (size_t r = 0; r < BP_PREPROCESS_SIDE; r++)
    for (size_t c = 0; c < BP_PREPROCESS_SIDE; c++)
      {
        double sum = 0.0;

        for (size_t y = r * block; y < (r + 1) * block; y++)
          for (size_t xx = c * block; xx < (c + 1) * block; xx++)
            sum += data[y * stride + xx];
        sum /= 255.0 * (double) (block * block);
        x[r * BP_PREPROCESS_SIDE + c] = (float) (dark_on_light ? 1.0 - sum : sum);
      }
  bp_network_predict (model, x, out, scratch);
  return (int) argmax (out);
}

/* The N_VARIANTS placements of every style: sizes from small to nearly the whole canvas, thin
 * to bold strokes, anywhere on the canvas, tilted by up to 12° either way as hands do,
 * alternately dark on light and light on dark. The digits' strokes lie within [0.1, 0.9] of the
 * unit box, so the placement keeps that band, plus half a stroke, on the canvas (a tilted
 * corner may graze the edge). */
static void
make_placements (Placement *at,
                 uint64_t   seed)
{
  BpRng rng;

  bp_rng_seed (&rng, seed, BP_RNG_STREAM_SAMPLE);
  for (size_t v = 0; v < N_VARIANTS; v++)
    {
      double side = 100.0 + 200.0 * bp_rng_uniform (&rng);
      double width = 8.0 + 20.0 * bp_rng_uniform (&rng);
      double lo = -0.1 * side + width / 2.0;
      double hi = CANVAS - 0.9 * side - width / 2.0;

      if (hi < lo)
        hi = lo = (CANVAS - side) / 2.0;
      at[v].side = side;
      at[v].width = width;
      at[v].x = lo + (hi - lo) * bp_rng_uniform (&rng);
      at[v].y = lo + (hi - lo) * bp_rng_uniform (&rng);
      at[v].dark_on_light = v % 2 == 0;
      at[v].tilt = (2.0 * bp_rng_uniform (&rng) - 1.0) * 12.0 * G_PI / 180.0;
    }
}

/* A contact sheet of the 28×28 inputs, one row per style, for looking at by eye. */
static void
write_sheet (const float *inputs,
             size_t       rows,
             size_t       cols)
{
  const char *dir = g_getenv ("BACKPROP_TEST_OUTPUT");
  const int cell = BP_PREPROCESS_SIDE + 2;
  g_autofree char *path = NULL;
  cairo_surface_t *sheet;
  uint8_t *data;
  int stride;

  if (dir == NULL)
    return;
  sheet = cairo_image_surface_create (CAIRO_FORMAT_A8, (int) cols * cell, (int) rows * cell);
  data = cairo_image_surface_get_data (sheet);
  stride = cairo_image_surface_get_stride (sheet);
  cairo_surface_flush (sheet);
  memset (data, 0x40, (size_t) stride * rows * cell);
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < cols; c++)
      for (size_t i = 0; i < BP_PREPROCESS_N_PIXELS; i++)
        {
          const float *in = inputs + (r * cols + c) * BP_PREPROCESS_N_PIXELS;
          size_t y = r * cell + 1 + i / BP_PREPROCESS_SIDE;
          size_t x = c * cell + 1 + i % BP_PREPROCESS_SIDE;

          data[y * (size_t) stride + x] = (uint8_t) lrintf (255.0f * in[i]);
        }
  cairo_surface_mark_dirty (sheet);
  path = g_build_filename (dir, "drawn-digits-inputs.png", NULL);
  g_assert_cmpint (cairo_surface_write_to_png (sheet, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (sheet);
  g_test_message ("inputs written to %s", path);
}

static bool
has_conv_layer (const BpNetwork *net)
{
  for (size_t l = 0; l < net->arch.n_layers; l++)
    if (net->arch.layers[l].kind == BP_LAYER_CONV)
      return true;
  return false;
}

static void
test_accuracy (void)
{
  Placement at[N_VARIANTS];
  size_t n = 0, correct = 0, naive_correct = 0;
  size_t per_digit[10] = { 0 }, per_digit_total[10] = { 0 };
  g_autofree float *inputs = g_new (float, styles->len * N_VARIANTS * BP_PREPROCESS_N_PIXELS);
  GString *digits = g_string_new (NULL);

  for (guint s = 0; s < styles->len; s++)
    {
      const Style *style = g_ptr_array_index (styles, s);

      make_placements (at, 1000 + s);
      for (size_t v = 0; v < N_VARIANTS; v++)
        {
          cairo_surface_t *surface = render (style, &at[v]);
          float *input = inputs + (s * N_VARIANTS + v) * BP_PREPROCESS_N_PIXELS;
          int got = classify (surface, input);
          int naive = classify_naive (surface, at[v].dark_on_light);

          n++;
          per_digit_total[style->digit]++;
          if (got == style->digit)
            {
              correct++;
              per_digit[style->digit]++;
            }
          else
            g_test_message ("missed: %d \"%s\" side %.0f width %.1f at (%.0f, %.0f) %s read as %d",
                            style->digit, style->name, at[v].side, at[v].width, at[v].x,
                            at[v].y, at[v].dark_on_light ? "dark-on-light" : "light-on-dark",
                            got);
          naive_correct += naive == style->digit;
          cairo_surface_destroy (surface);
        }
    }

  for (int d = 0; d < 10; d++)
    g_string_append_printf (digits, " %d:%zu/%zu", d, per_digit[d], per_digit_total[d]);
  g_test_message ("%u styles x %d placements = %zu drawings", styles->len, N_VARIANTS, n);
  g_test_message ("accuracy with preprocessing: %.1f%% (%zu/%zu); per digit%s",
                  100.0 * (double) correct / (double) n, correct, n, digits->str);
  g_test_message ("accuracy without preprocessing (whole canvas downscaled): %.1f%% (%zu/%zu)",
                  100.0 * (double) naive_correct / (double) n, naive_correct, n);
  g_string_free (digits, TRUE);
  write_sheet (inputs, styles->len, N_VARIANTS);

  /* The convolutional default model (README, *The default model*) reads all but at most one of
   * the 396 drawings; the fully connected one it replaces read 391. */
  if (has_conv_layer (model))
    {
      g_assert_cmpuint (n, ==, 396);
      g_assert_cmpuint (correct, >=, 395);
    }
  g_assert_cmpfloat ((double) correct / (double) n, >=, 0.95);
}

/* One drawing of each digit centred, in a corner, tiny and huge: the same (right) answer. */
static void
test_placement_invariance (void)
{
  static const struct
  {
    const char *what;
    Placement   at;
  } places[] = {
    { "centred", { 40.0, 40.0, 200.0, 18.0, true } },
    { "top-left corner", { -8.0, -8.0, 110.0, 12.0, true } },
    { "bottom-right corner", { 178.0, 178.0, 110.0, 12.0, false } },
    { "tiny", { 150.0, 60.0, 42.0, 5.0, false } },
    { "huge", { -25.0, -25.0, 330.0, 26.0, true } },
  };
  int previous = -1;

  for (int digit = 0; digit < 10; digit++)
    {
      const Style *style = NULL;

      for (guint s = 0; s < styles->len && style == NULL; s++)
        if (((const Style *) g_ptr_array_index (styles, s))->digit == digit)
          style = g_ptr_array_index (styles, s);
      g_assert_nonnull (style);

      for (size_t p = 0; p < G_N_ELEMENTS (places); p++)
        {
          cairo_surface_t *surface = render (style, &places[p].at);
          int got = classify (surface, NULL);

          cairo_surface_destroy (surface);
          if (got != digit)
            g_test_message ("%d \"%s\" %s read as %d", digit, style->name, places[p].what, got);
          g_assert_cmpint (got, ==, digit);
          previous = got;
        }
    }
  g_assert_cmpint (previous, ==, 9);
}

/* An empty canvas is "no digit", not a guess. */
static void
test_empty_canvas (void)
{
  Placement at = { 0.0, 0.0, 100.0, 10.0, true };
  Style nothing = { 0, (char *) "nothing", NULL };
  cairo_surface_t *surface;

  nothing.strokes = g_ptr_array_new ();
  surface = render (&nothing, &at);
  g_assert_cmpint (classify (surface, NULL), ==, -1);
  cairo_surface_destroy (surface);
  at.dark_on_light = false;
  surface = render (&nothing, &at);
  g_assert_cmpint (classify (surface, NULL), ==, -1);
  cairo_surface_destroy (surface);
  g_ptr_array_unref (nothing.strokes);
}

/* This thread's processor time in seconds: on a shared machine, the time the thread actually ran,
 * without the time it waited for a core. */
static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* Milliseconds per preprocessing and prediction: wall-clock, and into @cpu_ms the processor time. */
static double
time_prediction (const BpNetwork *net,
                 cairo_surface_t *surface,
                 double          *cpu_ms)
{
  const int reps = 300;
  g_autofree float *tmp = g_new (float, bp_network_scratch_size (net));
  float x[BP_PREPROCESS_N_PIXELS];
  float out[10];
  volatile float sink = 0.0f;
  gint64 t0;
  double c0;

  t0 = g_get_monotonic_time ();
  c0 = cpu_seconds ();
  for (int i = 0; i < reps; i++)
    {
      bp_preprocess_u8 (cairo_image_surface_get_data (surface), CANVAS, CANVAS,
                        (size_t) cairo_image_surface_get_stride (surface), BP_POLARITY_AUTO, x,
                        NULL, NULL);
      bp_network_predict (net, x, out, tmp);
      sink += out[0];
    }
  (void) sink;
  *cpu_ms = (cpu_seconds () - c0) / reps * 1000.0;
  return (double) (g_get_monotonic_time () - t0) / reps / 1000.0;
}

/* Measured, not asserted: the machines that run the tests are shared. */
static void
test_timing (void)
{
  static const size_t sizes[] = { 784, 100, 10 };
  const Style *three = NULL;
  Placement at = { 40.0, 40.0, 200.0, 18.0, true };
  cairo_surface_t *surface;
  BpNetwork *small;
  BpError error = { 0 };
  BpRng rng;
  char shape[64];
  double ms_small, ms_model, ms_pre, cpu_small, cpu_model;
  gint64 t0;
  float x[BP_PREPROCESS_N_PIXELS];

  for (guint s = 0; s < styles->len && three == NULL; s++)
    if (((const Style *) g_ptr_array_index (styles, s))->digit == 3)
      three = g_ptr_array_index (styles, s);
  surface = render (three, &at);

  small = bp_network_new_dense (sizes, 3, BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX,
                                BP_COST_LOG_LIKELIHOOD, &error);
  g_assert_nonnull (small);
  bp_rng_seed (&rng, 1, BP_RNG_STREAM_INIT);
  bp_network_init (small, BP_INIT_DEFAULT, &rng);

  t0 = g_get_monotonic_time ();
  for (int i = 0; i < 300; i++)
    bp_preprocess_u8 (cairo_image_surface_get_data (surface), CANVAS, CANVAS,
                      (size_t) cairo_image_surface_get_stride (surface), BP_POLARITY_AUTO, x, NULL,
                      NULL);
  ms_pre = (double) (g_get_monotonic_time () - t0) / 300 / 1000.0;
  ms_small = time_prediction (small, surface, &cpu_small);
  ms_model = time_prediction (model, surface, &cpu_model);
  bp_arch_format_sizes (&model->arch, '-', shape, sizeof shape);
  g_test_message ("preprocessing a %dx%d canvas: %.3f ms", CANVAS, CANVAS, ms_pre);
  g_test_message ("prediction with preprocessing, 784-100-10: %.3f ms (processor time %.3f ms)",
                  ms_small, cpu_small);
  g_test_message ("prediction with preprocessing, the %s model %s: %.3f ms (processor time %.3f ms)",
                  has_conv_layer (model) ? "conv" : "default", shape, ms_model, cpu_model);
  g_assert_cmpfloat (ms_small, >, 0.0);

  bp_network_free (small);
  cairo_surface_destroy (surface);
}

/* Preprocessing MNIST's own test digits again changes little: the recipe is MNIST's. Skipped
 * without MNIST. */
static void
test_mnist_again (void)
{
  g_autofree char *dir = bp_mnist_find_dir (NULL);
  BpMnist mnist = { 0 };
  BpError error = { 0 };
  size_t raw = 0, again = 0, n;
  float x[BP_PREPROCESS_N_PIXELS];
  float out[10];

  if (!bp_mnist_load (&mnist, dir, 0, &error))
    {
      g_test_skip ("MNIST is not installed (run build-aux/fetch-mnist.sh)");
      return;
    }

  n = mnist.test->n;
  for (size_t i = 0; i < n; i++)
    {
      const uint8_t *img = mnist.test->pixels + i * BP_PREPROCESS_N_PIXELS;

      for (size_t p = 0; p < BP_PREPROCESS_N_PIXELS; p++)
        x[p] = img[p] / 255.0f;
      bp_network_predict (model, x, out, scratch);
      raw += argmax (out) == mnist.test->labels[i];

      g_assert_cmpint (bp_preprocess_u8 (img, 28, 28, 28, BP_POLARITY_LIGHT_INK, x, NULL, &error),
                       ==, BP_PREPROCESS_OK);
      bp_network_predict (model, x, out, scratch);
      again += argmax (out) == mnist.test->labels[i];
    }
  g_test_message ("MNIST test set: %.2f%% as published, %.2f%% preprocessed again",
                  100.0 * (double) raw / (double) n, 100.0 * (double) again / (double) n);
  g_assert_cmpfloat ((double) again / (double) n, >=, (double) raw / (double) n - 0.01);
  bp_mnist_clear (&mnist);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  load_styles ();
  load_model ();

  g_test_add_func ("/drawn-digits/accuracy", test_accuracy);
  g_test_add_func ("/drawn-digits/placement-invariance", test_placement_invariance);
  g_test_add_func ("/drawn-digits/empty-canvas", test_empty_canvas);
  g_test_add_func ("/drawn-digits/timing", test_timing);
  g_test_add_func ("/drawn-digits/mnist-again", test_mnist_again);

  status = g_test_run ();
  g_ptr_array_unref (styles);
  bp_network_free (model);
  g_free (scratch);
  return status;
}
