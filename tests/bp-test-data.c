/* bp-test-data.c — small synthetic data sets for the tests that train a network or a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-data.h"

#include "bp-rng.h"

void
bp_test_examples_fill (size_t    n,
                       size_t    side,
                       guint     n_classes,
                       guint32   seed,
                       gboolean  identical,
                       guint8   *pixels,
                       guint8   *labels)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  size_t n_pixels = side * side;

  g_assert (n_classes > 0);

  for (size_t i = 0; i < n; i++)
    {
      guint label = (identical ? 3u : (guint) i) % n_classes;

      labels[i] = (guint8) label;
      for (size_t p = 0; p < n_pixels; p++)
        {
          gboolean lit = p % n_classes == label || (p + 7) % n_classes == label;
          int v = (lit ? 200 : 20) + (identical ? 0 : g_rand_int_range (rand, -20, 21));

          pixels[i * n_pixels + p] = (guint8) CLAMP (v, 0, 255);
        }
    }
}

BpDataset *
bp_test_dataset_new (size_t   n,
                     size_t   side,
                     guint    n_classes,
                     guint32  seed,
                     gboolean identical)
{
  g_autofree guint8 *pixels = g_new0 (guint8, n * side * side);
  g_autofree guint8 *labels = g_new0 (guint8, n);
  BpError error = { 0 };
  BpDataset *data;

  bp_test_examples_fill (n, side, n_classes, seed, identical, pixels, labels);
  data = bp_dataset_new_from_data (n, side, side, pixels, labels, n_classes, &error);
  if (data == NULL)
    g_error ("a synthetic data set of %zu examples: %s", n, error.message);
  return data;
}

BpNetwork *
bp_test_network_new (const char *text,
                     guint64     seed)
{
  BpArch arch = { 0 };
  BpError error = { 0 };
  BpNetwork *net;
  BpRng rng;

  arch.cost = BP_COST_LOG_LIKELIHOOD;
  g_assert_true (bp_arch_parse (text, BP_ACTIVATION_RELU, &arch, &error));
  net = bp_network_new (&arch, &error);
  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  return net;
}
