/* test-backprop-text.c — the Backprop view's equations and words: valid Pango markup for every
 * step, cost and output, a neuron's sum with its largest terms and the rest counted, chapter 3's
 * slowdown told exactly when the engine finds it, numbers with true minus signs
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <pango/pango.h>

#include "bp-backprop-conv.h"
#include "bp-backprop-text.h"
#include "bp-rng.h"
#include "bp-test-data.h"

typedef struct
{
  BpActivation activation;
  BpOutput     output;
  BpCost       cost;
} Kind;

static const Kind kinds[] = {
  { BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID, BP_COST_QUADRATIC },
  { BP_ACTIVATION_TANH, BP_OUTPUT_SIGMOID, BP_COST_CROSS_ENTROPY },
  { BP_ACTIVATION_RELU, BP_OUTPUT_SOFTMAX, BP_COST_LOG_LIKELIHOOD },
};

static BpNetwork *
make_network (const size_t *sizes,
              size_t        n_sizes,
              const Kind   *kind,
              guint64       seed)
{
  BpError error = { 0 };
  BpNetwork *net = bp_network_new_dense (sizes, n_sizes, kind->activation, kind->output,
                                         kind->cost, &error);
  BpRng rng;

  g_assert_nonnull (net);
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);
  return net;
}

static void
fill_input (float  *x,
            size_t  n,
            guint64 seed)
{
  GRand *rand = g_rand_new_with_seed ((guint32) seed);

  /* A third of the pixels 0, as MNIST's background is. */
  for (size_t i = 0; i < n; i++)
    x[i] = i % 3 == 0 ? 0.0f : (float) g_rand_double (rand);
  g_rand_free (rand);
}

static void
assert_markup (const char *markup)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (markup);
  if (!pango_parse_markup (markup, -1, 0, NULL, NULL, NULL, &error))
    g_error ("not Pango markup (%s): %s", error->message, markup);
}

/* Every step's title, equation, words and explanation, for every cost and output: the labels
 * take them as markup, and a markup error would leave a label empty. */
static void
test_markup (void)
{
  static const size_t sizes[] = { 784, 30, 20, 10 };

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      BpNetwork *net = make_network (sizes, G_N_ELEMENTS (sizes), &kinds[k], 1 + k);
      BpTrace *trace = bp_trace_new (net, NULL);
      float x[784];

      fill_input (x, 784, k);
      g_assert_true (bp_trace_compute (trace, net, x, 3, NULL));
      for (int kind = BP_BACKPROP_STEP_INPUT; kind <= BP_BACKPROP_STEP_UPDATE; kind++)
        for (int layer = -1; layer < 3; layer++)
          {
            g_autofree char *title = NULL, *equation = NULL, *words = NULL, *explain = NULL;

            if ((kind == BP_BACKPROP_STEP_FORWARD && layer < 0)
                || (kind == BP_BACKPROP_STEP_BACKWARD && (layer < 0 || layer > 1))
                || (kind == BP_BACKPROP_STEP_OUTPUT_ERROR && layer != 2))
              continue;
            title = bp_backprop_text_title (trace, kind, layer);
            equation = bp_backprop_text_equation (trace, kind, layer);
            words = bp_backprop_text_equation_words (trace, kind, layer);
            explain = bp_backprop_text_explain (trace, kind, layer, 0.5);
            g_assert_cmpstr (title, !=, "");
            assert_markup (equation);
            assert_markup (explain);
            /* The words are plain text for a screen reader. */
            g_assert_null (strchr (words, '<'));
          }
      for (guint l = 0; l < 3; l++)
        for (guint j = 0; j < 10; j++)
          {
            g_autofree char *words = NULL;
            g_autofree char *markup = bp_backprop_text_neuron (trace, (int) l, j, &words);

            assert_markup (markup);
            g_assert_cmpstr (words, !=, "");
            g_assert_null (strchr (words, '<'));
          }
      bp_trace_free (trace);
      bp_network_free (net);
    }
}

/* A neuron's weighted input: the five largest terms, "… and 779 more terms" for 784 inputs, the
 * trace's z at the end; BP1's equation in the form of the cost. */
static void
test_neuron (void)
{
  static const size_t sizes[] = { 784, 30, 10 };
  BpNetwork *net = make_network (sizes, 3, &kinds[0], 7);
  BpTrace *trace = bp_trace_new (net, NULL);
  const BpTraceLayer *first;
  float x[784];
  g_autofree char *markup = NULL;
  g_autofree char *z = NULL;
  g_autofree char *words = NULL;
  g_autofree char *bp1 = NULL;
  g_autofree char *end = NULL;

  fill_input (x, 784, 7);
  g_assert_true (bp_trace_compute (trace, net, x, 5, NULL));
  first = bp_trace_get_layer (trace, 0);
  markup = bp_backprop_text_neuron (trace, 0, 4, &words);
  g_assert_nonnull (strstr (markup, "… and 779 more terms ("));
  z = bp_backprop_text_number (first->z[4], 3);
  end = g_strdup_printf ("= <b>%s</b>\n", z);
  g_assert_nonnull (strstr (markup, end));
  g_assert_nonnull (strstr (words, z));

  bp1 = bp_backprop_text_equation (trace, BP_BACKPROP_STEP_OUTPUT_ERROR, 1);
  g_assert_nonnull (strstr (bp1, "⊙ σ′(z<sup>L</sup>)"));
  bp_trace_free (trace);
  bp_network_free (net);

  /* Cross-entropy: no σ′(zᴸ) in BP1. */
  net = make_network (sizes, 3, &kinds[1], 7);
  trace = bp_trace_new (net, NULL);
  g_assert_true (bp_trace_compute (trace, net, x, 5, NULL));
  g_clear_pointer (&bp1, g_free);
  bp1 = bp_backprop_text_equation (trace, BP_BACKPROP_STEP_OUTPUT_ERROR, 1);
  g_assert_cmpstr (bp1, ==, "δ<sup>L</sup> = a<sup>L</sup> − y");
  bp_trace_free (trace);
  bp_network_free (net);
}

/* Chapter 3's slowdown is told when the engine finds a confidently wrong output under the
 * quadratic cost, with cross-entropy's δᴸ; never otherwise. */
static void
test_slowdown (void)
{
  static const size_t sizes[] = { 784, 30, 10 };

  for (gsize k = 0; k < 2; k++)
    {
      BpNetwork *net = make_network (sizes, 3, &kinds[k], 3);
      const BpLayer *out = &net->layers[1];
      BpTrace *trace = bp_trace_new (net, NULL);
      g_autofree char *slow = NULL;
      float x[784];

      /* Output 2 pushed far below 0.5: with target 2 it is confidently wrong and saturated. */
      net->params[out->b_offset + 2] = -30.0f;
      fill_input (x, 784, 3);
      g_assert_true (bp_trace_compute (trace, net, x, 2, NULL));
      slow = bp_backprop_text_slowdown (trace);
      if (kinds[k].cost == BP_COST_QUADRATIC)
        {
          g_assert_cmpuint (bp_trace_slowed_outputs (trace, NULL), >, 0);
          g_assert_nonnull (slow);
          assert_markup (slow);
          g_assert_nonnull (strstr (slow, "output 2: a = "));
          g_assert_nonnull (strstr (slow, "with cross-entropy −1"));
        }
      else
        g_assert_null (slow);

      /* The right target: nothing to tell. */
      g_clear_pointer (&slow, g_free);
      net->params[out->b_offset + 2] = 0.0f;
      g_assert_true (bp_trace_compute (trace, net, x, 2, NULL));
      if (bp_trace_slowed_outputs (trace, NULL) == 0)
        g_assert_null (bp_backprop_text_slowdown (trace));
      bp_trace_free (trace);
      bp_network_free (net);
    }
}

static void
test_number (void)
{
  static const struct { double value; int digits; const char *text; } cases[] = {
    { 0.0, 3, "0" },
    { 2.5, 3, "2.5" },
    { -0.302, 3, "−0.302" },
    { 1.5e-5, 2, "1.5×10⁻⁵" },
    { -6.42376e-5, 3, "−6.42×10⁻⁵" },
    { 3215.32, 3, "3.22×10³" },
    { 1e-11, 3, "1×10⁻¹¹" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = bp_backprop_text_number (cases[i].value, cases[i].digits);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Chapter 6's net: every step of the walk has valid markup and words, through conv and pool
 * layers, and so has a neuron of every map layer (a click on a map must not reach the dense
 * layers' sum). */
static void
test_conv_markup (void)
{
  BpNetwork *net = bp_test_network_new ("conv4x5,pool2,conv6x3:tanh,pool2,fc12,softmax10", 3);
  BpTrace *trace = bp_trace_new (net, NULL);
  int L = (int) net->arch.n_layers;
  float x[784];

  fill_input (x, 784, 9);
  g_assert_true (bp_trace_compute (trace, net, x, 4, NULL));
  for (int kind = BP_BACKPROP_STEP_INPUT; kind <= BP_BACKPROP_STEP_UPDATE; kind++)
    for (int layer = -1; layer < L; layer++)
      {
        g_autofree char *title = NULL, *equation = NULL, *words = NULL, *explain = NULL;

        if ((kind == BP_BACKPROP_STEP_FORWARD && layer < 0)
            || (kind == BP_BACKPROP_STEP_BACKWARD && (layer < 0 || layer > L - 2))
            || (kind == BP_BACKPROP_STEP_OUTPUT_ERROR && layer != L - 1))
          continue;
        title = bp_backprop_text_title (trace, kind, layer);
        equation = bp_backprop_text_equation (trace, kind, layer);
        words = bp_backprop_text_equation_words (trace, kind, layer);
        explain = bp_backprop_text_explain (trace, kind, layer, 0.5);
        g_assert_cmpstr (title, !=, "");
        assert_markup (equation);
        assert_markup (explain);
        g_assert_null (strchr (words, '<'));
      }
  for (int l = 0; l < L; l++)
    {
      const BpTraceLayer *tl = bp_trace_get_layer (trace, (gsize) l);

      for (guint j = 0; j < tl->n_out; j += 1 + (guint) tl->n_out / 7)
        {
          g_autofree char *words = NULL;
          g_autofree char *markup = bp_backprop_text_neuron (trace, l, j, &words);

          assert_markup (markup);
          g_assert_cmpstr (words, !=, "");
          g_assert_null (strchr (words, '<'));
        }
    }
  bp_trace_free (trace);
  bp_network_free (net);
}

/* Max-pooling's winners are one per window, the engine's own: the trace's δ before a pool is 0
 * off them; a conv neuron's sum ends at the trace's z; ∂C/∂b of a conv layer spread over its
 * maps is its channel's. */
static void
test_conv_numbers (void)
{
  BpNetwork *net = bp_test_network_new ("in1x12x12,conv3x3,pool2,fc8,softmax4", 5);
  BpTrace *trace = bp_trace_new (net, NULL);
  const BpTraceLayer *conv, *pool;
  g_autofree guint8 *winners = NULL;
  g_autofree float *bias = NULL;
  gsize n_winners = 0;
  float x[144];

  fill_input (x, 144, 2);
  g_assert_true (bp_trace_compute (trace, net, x, 1, NULL));
  conv = bp_trace_get_layer (trace, 0);
  pool = bp_trace_get_layer (trace, 1);
  g_assert_true (pool->kind == BP_LAYER_POOL);

  g_assert_null (bp_backprop_conv_winners (trace, 0, &n_winners));
  winners = bp_backprop_conv_winners (trace, 1, &n_winners);
  g_assert_nonnull (winners);
  g_assert_cmpuint (n_winners, ==, pool->n_out);
  for (gsize c = 0; c < conv->out_c; c++)
    for (gsize y = 0; y < pool->out_h; y++)
      for (gsize xx = 0; xx < pool->out_w; xx++)
        {
          guint in_window = 0;
          float best = -G_MAXFLOAT;

          for (gsize u = 0; u < 2; u++)
            for (gsize v = 0; v < 2; v++)
              {
                gsize k = (c * conv->out_h + 2 * y + u) * conv->out_w + 2 * xx + v;

                in_window += winners[k];
                best = MAX (best, conv->a[k]);
                if (winners[k])
                  g_assert_cmpfloat (conv->a[k], ==, pool->a[(c * pool->out_h + y) * pool->out_w + xx]);
              }
          g_assert_cmpuint (in_window, ==, 1);
          g_assert_cmpfloat (best, ==, pool->a[(c * pool->out_h + y) * pool->out_w + xx]);
        }
  for (gsize k = 0; k < conv->n_out; k++)
    if (!winners[k])
      g_assert_cmpfloat (conv->delta[k], ==, 0.0f);

  bias = bp_backprop_conv_bias_maps (trace, 0);
  g_assert_null (bp_backprop_conv_bias_maps (trace, 1));
  for (gsize k = 0; k < conv->n_out; k++)
    g_assert_cmpfloat (bias[k], ==, conv->nabla_b[k / (conv->out_h * conv->out_w)]);

  /* A conv neuron's sum: "… and N more terms" (9 taps, 4 shown) and its z at the end. */
  {
    guint j = 2 * (guint) (conv->out_h * conv->out_w) + 13;
    g_autofree char *markup = bp_backprop_text_neuron (trace, 0, j, NULL);
    g_autofree char *z = bp_backprop_text_number (conv->z[j], 3);
    g_autofree char *end = g_strdup_printf ("<b>%s</b>", z);

    g_assert_nonnull (strstr (markup, "Map 2, row 1, column 3 of layer 2"));
    g_assert_nonnull (strstr (markup, "and 5 more terms"));
    g_assert_nonnull (strstr (markup, end));
  }
  bp_trace_free (trace);
  bp_network_free (net);
}

int
main (int   argc,
      char *argv[])
{
  const char *locale_dir = g_getenv ("BACKPROP_LOCALEDIR");

  g_test_init (&argc, &argv, NULL);

  /* With BACKPROP_LOCALEDIR and LANGUAGE, the translations' markup is checked (the English
   * words the other cases look for are then translated, so they are left out). */
  if (locale_dir != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, locale_dir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      g_test_add_func ("/backprop-text/markup", test_markup);
      g_test_add_func ("/backprop-text/conv-markup", test_conv_markup);
      return g_test_run ();
    }

  g_test_add_func ("/backprop-text/markup", test_markup);
  g_test_add_func ("/backprop-text/neuron", test_neuron);
  g_test_add_func ("/backprop-text/slowdown", test_slowdown);
  g_test_add_func ("/backprop-text/number", test_number);
  g_test_add_func ("/backprop-text/conv-markup", test_conv_markup);
  g_test_add_func ("/backprop-text/conv-numbers", test_conv_numbers);

  return g_test_run ();
}
