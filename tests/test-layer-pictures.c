/* test-layer-pictures.c — a layer's weights as the Weights view draws them: a dense first
 * layer's neurons as images, a conv layer's filters as strips of their slices
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bp-layer-pictures.h"

/* in 1×6×6 → conv2x3 (2×4×4) → pool2 (2×2×2) → conv3x2 (3×1×1) → softmax4, every weight its own
 * index in the buffer, negative for odd ones. */
static BpNetwork *
small_net (void)
{
  BpArch arch;
  BpError error = { 0 };
  BpNetwork *net;

  g_assert_true (bp_arch_parse ("in1x6x6,conv2x3,pool2,conv3x2,softmax4", BP_ACTIVATION_SIGMOID,
                                &arch, &error));
  arch.cost = BP_COST_LOG_LIKELIHOOD;
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = (i % 2 ? -1.0f : 1.0f) * (float) i / 100.0f;
  return net;
}

static void
test_conv_pictures (void)
{
  BpNetwork *net = small_net ();
  g_autofree float *first = NULL, *deeper = NULL;
  guint n, rows, cols;
  const float *w;

  g_assert_true (bp_layer_pictures_shown (net, 0));
  g_assert_false (bp_layer_pictures_shown (net, 1)); /* pool */
  g_assert_true (bp_layer_pictures_shown (net, 2));
  g_assert_false (bp_layer_pictures_shown (net, 3)); /* a dense layer after the first */
  g_assert_false (bp_layer_pictures_shown (net, 4)); /* none */
  g_assert_null (bp_layer_pictures_new (net, 1, 6, 6, &n, &rows, &cols));

  /* The first layer: two 3×3 filters, as they are. */
  first = bp_layer_pictures_new (net, 0, 6, 6, &n, &rows, &cols);
  g_assert_nonnull (first);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (rows, ==, 3);
  g_assert_cmpuint (cols, ==, 3);
  g_assert_cmpmem (first, 18 * sizeof (float), net->params + net->layers[0].w_offset, 18 * sizeof (float));

  /* The deeper one: three filters over two channels, each a strip of 2 rows by 2 + 1 + 2. */
  deeper = bp_layer_pictures_new (net, 2, 6, 6, &n, &rows, &cols);
  g_assert_nonnull (deeper);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (rows, ==, 2);
  g_assert_cmpuint (cols, ==, 5);
  w = net->params + net->layers[2].w_offset; /* (3, 2, 2, 2) */
  for (guint o = 0; o < 3; o++)
    for (guint u = 0; u < 2; u++)
      for (guint x = 0; x < 5; x++)
        {
          float got = deeper[(o * 2 + u) * 5 + x];

          if (x == 2)
            g_assert_true (isnan (got));
          else
            g_assert_cmpfloat (got, ==, w[((o * 2 + x / 3) * 2 + u) * 2 + x % 3]);
        }

  bp_network_free (net);
}

static void
test_dense_pictures (void)
{
  BpArch arch;
  BpError error = { 0 };
  BpNetwork *net;
  g_autofree float *pictures = NULL;
  guint n, rows, cols;

  g_assert_true (bp_arch_parse ("in1x2x3,fc4,sigmoid2", BP_ACTIVATION_SIGMOID, &arch, &error));
  arch.cost = BP_COST_CROSS_ENTROPY;
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = (float) i;

  /* Four neurons' six weights as 2×3 pictures; a shape that is not the input's gives none. */
  pictures = bp_layer_pictures_new (net, 0, 2, 3, &n, &rows, &cols);
  g_assert_nonnull (pictures);
  g_assert_cmpuint (n, ==, 4);
  g_assert_cmpuint (rows * cols, ==, 6);
  g_assert_cmpmem (pictures, 24 * sizeof (float), net->params + net->layers[0].w_offset, 24 * sizeof (float));
  g_assert_null (bp_layer_pictures_new (net, 0, 2, 2, &n, &rows, &cols));
  g_assert_false (bp_layer_pictures_shown (net, 1));
  bp_network_free (net);
}

static void
test_filter_text (void)
{
  BpNetwork *net = small_net ();
  g_autofree char *first = bp_layer_pictures_filter_text (net, 0, 1);
  g_autofree char *deeper = bp_layer_pictures_filter_text (net, 2, 0);
  g_autofree char *token0 = bp_layer_pictures_token (&net->arch, 0);
  g_autofree char *token1 = bp_layer_pictures_token (&net->arch, 1);
  g_autofree char *token3 = bp_layer_pictures_token (&net->arch, 3);
  const float *w = net->params + net->layers[0].w_offset + 9;
  g_autofree char *expected = NULL;

  /* Filter 2 of the first layer: three lines of three numbers, signed, no channel headings. */
  expected = g_strdup_printf ("%s%.3f  %s%.3f  %s%.3f\n", w[0] < 0 ? "−" : "+", fabs (w[0]),
                              w[1] < 0 ? "−" : "+", fabs (w[1]), w[2] < 0 ? "−" : "+", fabs (w[2]));
  g_test_message ("%s", first);
  g_assert_true (g_str_has_prefix (first, expected));
  g_assert_null (strstr (first, "channel"));
  {
    g_auto(GStrv) lines = g_strsplit (first, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 4); /* three and the empty one after the last */
  }
  /* A deeper filter names each channel of its input. */
  g_test_message ("%s", deeper);
  g_assert_nonnull (strstr (deeper, "Input channel 1\n"));
  g_assert_nonnull (strstr (deeper, "Input channel 2\n"));

  g_assert_cmpstr (token0, ==, "conv2x3");
  g_assert_cmpstr (token1, ==, "pool2");
  g_assert_cmpstr (token3, ==, "softmax4");
  {
    g_autofree char *label = bp_layer_pictures_arch_label (&net->arch);
    BpArch plain;

    g_assert_cmpstr (label, ==, "conv2x3-pool2-conv3x2-softmax4");
    g_assert_true (bp_arch_parse ("fc30,sigmoid10", BP_ACTIVATION_SIGMOID, &plain, NULL));
    g_clear_pointer (&label, g_free);
    label = bp_layer_pictures_arch_label (&plain);
    g_assert_cmpstr (label, ==, "784-30-10");
  }
  bp_network_free (net);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/layer-pictures/conv", test_conv_pictures);
  g_test_add_func ("/layer-pictures/dense", test_dense_pictures);
  g_test_add_func ("/layer-pictures/filter-text", test_filter_text);

  return g_test_run ();
}
