/* test-feature-maps.c — the Draw view's feature maps: what BpFeatureMaps shows for a conv net
 * equals the engine's forward pass (checked against a double-precision oracle written here),
 * its grey levels follow the layer's range, and every map is laid out where it can be hit
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>

#include "bp-feature-maps.h"
#include "bp-layer-maps.h"
#include "bp-network.h"
#include "bp-rng.h"
#include "bp-test-data.h"

static gboolean have_display;

static double
activate (BpActivation f,
          double       z)
{
  switch (f)
    {
    case BP_ACTIVATION_SIGMOID:
      return 1.0 / (1.0 + exp (-z));
    case BP_ACTIVATION_TANH:
      return tanh (z);
    case BP_ACTIVATION_RELU:
    default:
      return z > 0.0 ? z : 0.0;
    }
}

/* Layer @i of @net on @in (its input, in double) into @out, written from the definitions in
 * bp-network.h: a valid cross-correlation of stride 1 then f, or the max of each window. */
static void
oracle_layer (const BpNetwork *net,
              gsize            i,
              const double    *in,
              double          *out)
{
  const BpLayer *L = &net->layers[i];
  const BpLayerSpec *spec = &net->arch.layers[i];
  gsize k = spec->kernel;

  if (spec->kind == BP_LAYER_CONV)
    {
      const float *w = net->params + L->w_offset;
      const float *b = net->params + L->b_offset;

      for (gsize o = 0; o < L->out_c; o++)
        for (gsize y = 0; y < L->out_h; y++)
          for (gsize x = 0; x < L->out_w; x++)
            {
              double z = b[o];

              for (gsize c = 0; c < L->in_c; c++)
                for (gsize u = 0; u < k; u++)
                  for (gsize v = 0; v < k; v++)
                    z += (double) w[((o * L->in_c + c) * k + u) * k + v]
                         * in[(c * L->in_h + y + u) * L->in_w + x + v];
              out[(o * L->out_h + y) * L->out_w + x] = activate (spec->activation, z);
            }
    }
  else if (spec->kind == BP_LAYER_POOL)
    {
      for (gsize c = 0; c < L->out_c; c++)
        for (gsize y = 0; y < L->out_h; y++)
          for (gsize x = 0; x < L->out_w; x++)
            {
              double m = -G_MAXDOUBLE;

              for (gsize u = 0; u < k; u++)
                for (gsize v = 0; v < k; v++)
                  m = MAX (m, in[(c * L->in_h + y * k + u) * L->in_w + x * k + v]);
              out[(c * L->out_h + y) * L->out_w + x] = m;
            }
    }
  else
    {
      const float *w = net->params + L->w_offset;
      const float *b = net->params + L->b_offset;

      for (gsize j = 0; j < L->n_out; j++)
        {
          double z = b[j];

          for (gsize q = 0; q < L->n_in; q++)
            z += (double) w[j * L->n_in + q] * in[q];
          out[j] = activate (spec->activation, z);
        }
    }
}

/* The maps of a net with conv and pool layers of several channels and odd sizes equal the
 * oracle's, layer for layer, and the widget draws each value at its grey level. */
static void
test_equal_forward (void)
{
  static const char *const nets[] = {
    "in1x12x12,conv3x3,pool2,conv2x3:tanh,fc5,softmax3",
    "in2x11x9,conv4x2:sigmoid,fc6,softmax4",
    "conv20x5,pool2,conv40x5,pool2,fc100,softmax10",
  };

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  for (gsize n = 0; n < G_N_ELEMENTS (nets); n++)
    {
      BpNetwork *net = bp_test_network_new (nets[n], 7 + n);
      BpFeatureMaps *widget = g_object_ref_sink (BP_FEATURE_MAPS (bp_feature_maps_new ()));
      BpLayerMaps maps = { 0 };
      g_autofree float *x = g_new (float, net->n_inputs);
      g_autofree double *in = g_new (double, net->n_inputs);
      double *acts[BP_MAX_LAYERS];
      guint expected = 0, shown = 0;
      double worst = 0.0;
      BpRng rng;

      bp_rng_seed (&rng, 100 + n, BP_RNG_STREAM_SAMPLE);
      for (gsize i = 0; i < net->n_inputs; i++)
        {
          x[i] = bp_rng_uniform_float (&rng) < 0.3f ? bp_rng_uniform_float (&rng) : 0.0f;
          in[i] = x[i];
        }
      for (gsize l = 0; l < net->arch.n_layers; l++)
        {
          acts[l] = g_new (double, net->layers[l].n_out);
          oracle_layer (net, l, l == 0 ? in : acts[l - 1], acts[l]);
          expected += net->arch.layers[l].kind != BP_LAYER_DENSE;
        }

      bp_layer_maps_compute (&maps, net, x);
      bp_feature_maps_set_layers (widget, maps.layers, maps.n_layers);
      g_assert_cmpuint (bp_feature_maps_get_n_layers (widget), ==, expected);

      for (gsize l = 0; l < net->arch.n_layers; l++)
        {
          const BpLayer *L = &net->layers[l];
          guint channels, height, width;
          const float *v;
          double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

          if (net->arch.layers[l].kind == BP_LAYER_DENSE)
            continue;
          g_assert_cmpuint (maps.net_layer[shown], ==, l);
          v = bp_feature_maps_get_values (widget, shown, &channels, &height, &width);
          g_assert_cmpuint (channels, ==, L->out_c);
          g_assert_cmpuint (height, ==, L->out_h);
          g_assert_cmpuint (width, ==, L->out_w);
          for (gsize i = 0; i < L->n_out; i++)
            {
              worst = MAX (worst, fabs (v[i] - acts[l][i]) / MAX (1.0, fabs (acts[l][i])));
              lo = MIN (lo, acts[l][i]);
              hi = MAX (hi, acts[l][i]);
            }
          g_assert_cmpfloat (hi, >, lo);
          for (guint c = 0; c < channels; c++)
            for (guint y = 0; y < height; y++)
              for (guint xx = 0; xx < width; xx++)
                {
                  double a = acts[l][((gsize) c * height + y) * width + xx];
                  int want = (int) lrint ((a - lo) / (hi - lo) * 255.0);
                  int got = bp_feature_maps_get_grey (widget, shown, c, y, xx);

                  g_assert_cmpint (ABS (got - want), <=, 1);
                }
          shown++;
        }
      g_test_message ("%s: %u map layers, worst relative difference %.2e", nets[n], shown, worst);
      g_assert_cmpfloat (worst, <, 1e-4);

      for (gsize l = 0; l < net->arch.n_layers; l++)
        g_free (acts[l]);
      bp_layer_maps_clear (&maps);
      g_assert_finalize_object (widget);
      bp_network_free (net);
    }
}

/* A dense network has no maps: the widget shows nothing and asks for no room. */
static void
test_dense (void)
{
  BpNetwork *net = bp_test_network_new ("fc30,softmax10", 3);
  BpLayerMaps maps = { 0 };
  g_autofree float *x = g_new0 (float, net->n_inputs);

  g_assert_cmpuint (bp_layer_maps_compute (&maps, net, x), ==, 0);
  g_assert_null (maps.buffer);
  bp_layer_maps_clear (&maps);
  bp_network_free (net);
}

/* Every map is hit somewhere and each point hits one map at most; narrower is taller. */
static void
test_layout (void)
{
  BpNetwork *net;
  BpFeatureMaps *widget;
  BpLayerMaps maps = { 0 };
  g_autofree float *x = NULL;
  int previous = 0;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }
  net = bp_test_network_new ("conv20x5,pool2,conv40x5,pool2,fc100,softmax10", 5);
  widget = g_object_ref_sink (BP_FEATURE_MAPS (bp_feature_maps_new ()));
  x = g_new (float, net->n_inputs);
  for (gsize i = 0; i < net->n_inputs; i++)
    x[i] = (float) (i % 7) / 7.0f;
  bp_layer_maps_compute (&maps, net, x);
  bp_feature_maps_set_layers (widget, maps.layers, maps.n_layers);

  for (int width = 600; width >= 200; width -= 100)
    {
      int height = bp_feature_maps_height_for_width (widget, width);
      g_autofree guint *hits = g_new0 (guint, 4 * 64);

      g_assert_cmpint (height, >=, previous);
      previous = height;
      for (int y = 0; y < height; y += 2)
        for (int xx = 0; xx < width; xx += 2)
          {
            guint layer = 99;
            int c = bp_feature_maps_map_at (widget, xx, y, width, &layer);

            if (c < 0)
              continue;
            g_assert_cmpuint (layer, <, 4);
            g_assert_cmpint (c, <, 40);
            hits[layer * 64 + (guint) c]++;
          }
      for (guint l = 0; l < maps.n_layers; l++)
        for (guint c = 0; c < maps.layers[l].channels; c++)
          g_assert_cmpuint (hits[l * 64 + c], >, 0);
      /* Nothing outside: below the last map. */
      g_assert_cmpint (bp_feature_maps_map_at (widget, 1, height + 5, width, NULL), ==, -1);
    }

  /* Drawing at a size paints the maps (white appears somewhere) and no more than the height. */
  {
    int width = 300, height = bp_feature_maps_height_for_width (widget, width);
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
    cairo_t *cr = cairo_create (surface);
    const guint8 *data;
    gboolean white = FALSE;

    bp_feature_maps_draw (widget, cr, width, FALSE);
    cairo_destroy (cr);
    cairo_surface_flush (surface);
    data = cairo_image_surface_get_data (surface);
    for (int i = 0; i < cairo_image_surface_get_stride (surface) * height / 4; i++)
      white |= ((const guint32 *) (gconstpointer) data)[i] == 0x00ffffffu
               || ((const guint32 *) (gconstpointer) data)[i] == 0xffffffffu;
    g_assert_true (white);
    cairo_surface_destroy (surface);
  }

  /* What the Draw view costs on each new stroke (a message, not an assertion). */
  {
    gint64 start = g_get_monotonic_time ();

    for (int r = 0; r < 20; r++)
      {
        bp_layer_maps_compute (&maps, net, x);
        bp_feature_maps_set_layers (widget, maps.layers, maps.n_layers);
      }
    g_test_message ("chapter 6's conv net: feature maps computed and set in %.2f ms",
                    (g_get_monotonic_time () - start) / 20000.0);
  }
  /* …beside the prediction and the saliency map it already made. */
  {
    g_autofree float *scratch = g_new (float, MAX (bp_network_scratch_size (net),
                                                   bp_network_input_gradient_scratch_size (net)));
    g_autofree float *grad = g_new (float, net->n_inputs);
    float out[10];
    gint64 start = g_get_monotonic_time ();

    for (int r = 0; r < 20; r++)
      {
        bp_network_predict (net, x, out, scratch);
        bp_network_input_gradient (net, x, 3, grad, scratch);
      }
    g_test_message ("chapter 6's conv net: prediction and saliency in %.2f ms",
                    (g_get_monotonic_time () - start) / 20000.0);
  }

  bp_layer_maps_clear (&maps);
  g_assert_finalize_object (widget);
  bp_network_free (net);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  have_display = gtk_init_check ();

  g_test_add_func ("/feature-maps/equal-forward", test_equal_forward);
  g_test_add_func ("/feature-maps/dense", test_dense);
  g_test_add_func ("/feature-maps/layout", test_layout);

  return g_test_run ();
}
