/* bp-backprop-text.c — the Backprop view's words and equations (Pango markup), from a trace
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The equations are set with Pango markup: <sup> and <sub> for the layer and neuron indices,
 * ⊙ for the Hadamard product, Σ for sums. The maths itself is not translated; the words around
 * it are.
 */
#include "config.h"

#include "bp-backprop-text.h"

#include "bp-backprop-conv.h"

#include <glib/gi18n.h>
#include <math.h>

#define N_TERMS 5
#define NUM(v) bp_backprop_text_number ((v), 3)

/* The book's number of the trace's layer @layer. */
static int
book (int layer)
{
  return layer + 2;
}

/* f′ as written in the equations: σ′, tanh′, ReLU′. */
static const char *
derivative (const BpTrace *trace,
            int            layer)
{
  const char *f = bp_backprop_text_function (trace, layer);

  if (g_str_equal (f, "tanh"))
    return "tanh′";
  if (g_str_equal (f, "ReLU"))
    return "ReLU′";
  return "σ′";
}

static BpCost
cost_of (const BpTrace *trace)
{
  return bp_trace_get_network (trace)->arch.cost;
}

static int
last_layer (const BpTrace *trace)
{
  return (int) bp_trace_get_n_layers (trace) - 1;
}

char *
bp_backprop_text_title (const BpTrace      *trace,
                        BpBackpropStepKind  kind,
                        int                 layer)
{
  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
      return g_strdup (_("The input: layer 1 is the picture"));
    case BP_BACKPROP_STEP_FORWARD:
      if (layer == last_layer (trace))
        /* Translators: a step of the Backprop view; %d is the book's number of the layer. */
        return g_strdup_printf (_("Forward pass: the output layer %d"), book (layer));
      /* Translators: a step of the Backprop view; %d is the book's number of the layer. */
      return g_strdup_printf (_("Forward pass: layer %d"), book (layer));
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
      return g_strdup (_("The output error δᴸ (BP1)"));
    case BP_BACKPROP_STEP_BACKWARD:
      /* Translators: a step of the Backprop view; %d is the book's number of the layer. */
      return g_strdup_printf (_("Backpropagate the error to layer %d (BP2)"), book (layer));
    case BP_BACKPROP_STEP_GRADIENT:
      return g_strdup (_("The gradient (BP3 and BP4)"));
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return g_strdup (_("One step of gradient descent on this example"));
    }
}

char *
bp_backprop_text_equation (const BpTrace      *trace,
                           BpBackpropStepKind  kind,
                           int                 layer)
{
  int l = book (layer);
  const char *f = layer >= 0 ? bp_backprop_text_function (trace, layer) : "σ";

  if (bp_backprop_conv_applies (trace, kind, layer))
    return bp_backprop_conv_equation (trace, kind, layer);
  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
      return g_strdup ("a<sup>1</sup> = x");
    case BP_BACKPROP_STEP_FORWARD:
      if (g_str_equal (f, "softmax"))
        return g_strdup_printf ("z<sup>%d</sup> = w<sup>%d</sup>a<sup>%d</sup> + b<sup>%d</sup>,    "
                                "a<sup>%d</sup><sub>j</sub> = e<sup>z<sup>%d</sup><sub>j</sub></sup> / "
                                "Σ<sub>k</sub> e<sup>z<sup>%d</sup><sub>k</sub></sup>",
                                l, l, l - 1, l, l, l, l);
      return g_strdup_printf ("z<sup>%d</sup> = w<sup>%d</sup>a<sup>%d</sup> + b<sup>%d</sup>,    "
                              "a<sup>%d</sup> = %s(z<sup>%d</sup>)", l, l, l - 1, l, l, f, l);
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
      switch (cost_of (trace))
        {
        case BP_COST_QUADRATIC:
          return g_strdup ("δ<sup>L</sup> = ∇<sub>a</sub>C ⊙ σ′(z<sup>L</sup>) = "
                           "(a<sup>L</sup> − y) ⊙ σ′(z<sup>L</sup>)");
        case BP_COST_CROSS_ENTROPY:
        case BP_COST_LOG_LIKELIHOOD:
        default:
          return g_strdup ("δ<sup>L</sup> = a<sup>L</sup> − y");
        }
    case BP_BACKPROP_STEP_BACKWARD:
      return g_strdup_printf ("δ<sup>%d</sup> = ((w<sup>%d</sup>)<sup>T</sup> δ<sup>%d</sup>) ⊙ "
                              "%s(z<sup>%d</sup>)", l, l + 1, l + 1, derivative (trace, layer), l);
    case BP_BACKPROP_STEP_GRADIENT:
      return g_strdup ("∂C/∂b<sup>l</sup><sub>j</sub> = δ<sup>l</sup><sub>j</sub>    (BP3)        "
                       "∂C/∂w<sup>l</sup><sub>jk</sub> = a<sup>l−1</sup><sub>k</sub> "
                       "δ<sup>l</sup><sub>j</sub>    (BP4)");
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return g_strdup ("w → w − η ∂C/∂w,    b → b − η ∂C/∂b");
    }
}

char *
bp_backprop_text_equation_words (const BpTrace      *trace,
                                 BpBackpropStepKind  kind,
                                 int                 layer)
{
  int l = book (layer);

  if (bp_backprop_conv_applies (trace, kind, layer))
    return bp_backprop_conv_equation_words (trace, kind, layer);
  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
      return g_strdup (_("a 1 equals x: the activations of layer 1 are the input’s pixels."));
    case BP_BACKPROP_STEP_FORWARD:
      /* Translators: an equation read aloud; the numbers are layers. */
      return g_strdup_printf (_("z %d equals the weight matrix w %d times a %d, plus b %d; "
                                "a %d equals the activation function of z %d."),
                              l, l, l - 1, l, l, l);
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
      if (cost_of (trace) == BP_COST_QUADRATIC)
        return g_strdup (_("delta L equals a L minus y, Hadamard product with sigma prime of z L."));
      return g_strdup (_("delta L equals a L minus y."));
    case BP_BACKPROP_STEP_BACKWARD:
      /* Translators: an equation read aloud; the numbers are layers. */
      return g_strdup_printf (_("delta %d equals the transpose of w %d times delta %d, Hadamard "
                                "product with the derivative of the activation function at z %d."),
                              l, l + 1, l + 1, l);
    case BP_BACKPROP_STEP_GRADIENT:
      return g_strdup (_("The gradient of the cost with respect to bias j of layer l is delta l j; "
                         "with respect to weight j k, it is a l minus 1 k times delta l j."));
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return g_strdup (_("Each weight becomes itself minus eta times its gradient, and each bias "
                         "the same."));
    }
}

const char *
bp_backprop_text_cost_name (BpCost cost)
{
  switch (cost)
    {
    case BP_COST_QUADRATIC:
      return _("quadratic cost");
    case BP_COST_CROSS_ENTROPY:
      return _("cross-entropy cost");
    case BP_COST_LOG_LIKELIHOOD:
    default:
      return _("log-likelihood cost");
    }
}

char *
bp_backprop_text_explain (const BpTrace      *trace,
                          BpBackpropStepKind  kind,
                          int                 layer,
                          double              eta)
{
  const BpNetwork *net = bp_trace_get_network (trace);
  int l = book (layer);

  if (bp_backprop_conv_applies (trace, kind, layer))
    return bp_backprop_conv_explain (trace, kind, layer);
  switch (kind)
    {
    case BP_BACKPROP_STEP_INPUT:
      return g_strdup_printf (_("The %zu pixels of the picture, each from 0 (black) to 1 (white), "
                                "are the activations of the input layer. Press → to feed them "
                                "forward."), net->n_inputs);
    case BP_BACKPROP_STEP_FORWARD:
      {
        const BpTraceLayer *tl = bp_trace_get_layer (trace, (size_t) layer);
        size_t saturated = bp_trace_count_saturated (trace, (size_t) layer, NULL);
        g_autofree char *text = NULL;

        /* Translators: the forward step of one layer; sizes, then the layer numbers. */
        text = g_strdup_printf (_("Each of the %zu neurons of layer %d adds up its %zu inputs "
                                  "a<sup>%d</sup><sub>k</sub>, each times its weight, and its bias: "
                                  "that is its weighted input z. Its activation a is %s(z). "
                                  "w<sup>%d</sup> is a %zu × %zu matrix."),
                                tl->n_out, l, tl->n_in, l - 1,
                                bp_backprop_text_function (trace, layer), l, tl->n_out, tl->n_in);
        if (!tl->is_output || cost_of (trace) == BP_COST_QUADRATIC)
          {
            char *more = g_strdup_printf (_("%s %zu of them are saturated (marked with a dot): "
                                            "%s(z) is below a tenth of its peak, so they learn "
                                            "slowly."), text, saturated, derivative (trace, layer));
            g_free (text);
            text = more;
          }
        if (tl->is_output)
          {
            g_autofree char *guess = NULL;

            guess = g_strdup_printf (_("The network’s guess is the largest output: %zu."),
                                     bp_trace_get_guess (trace));
            return g_strdup_printf ("%s %s", text, guess);
          }
        return g_steal_pointer (&text);
      }
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
      {
        g_autofree char *cost = NUM (bp_trace_get_cost (trace));

        if (cost_of (trace) == BP_COST_QUADRATIC)
          /* Translators: %s are the cost's name and this example's cost. */
          return g_strdup_printf (_("BP1, the first of the four fundamental equations of "
                                    "backpropagation. The error of output neuron j is δ<sub>j</sub> = ∂C/∂z<sub>j</sub>. "
                                    "With the %s C = ½‖a − y‖², ∇<sub>a</sub>C = a − y, and each "
                                    "output’s error is scaled by σ′(z), the slope of its sigmoid. "
                                    "The cost of this example is %s."), bp_backprop_text_cost_name (cost_of (trace)), cost);
        if (cost_of (trace) == BP_COST_CROSS_ENTROPY)
          return g_strdup_printf (_("BP1, the first of the four fundamental equations of "
                                    "backpropagation. The error of output neuron j is δ<sub>j</sub> = ∂C/∂z<sub>j</sub>. "
                                    "With the %s and sigmoid outputs, σ′(z) cancels out of BP1: no "
                                    "slowdown when an output is badly wrong. The cost of this "
                                    "example is %s."), bp_backprop_text_cost_name (cost_of (trace)), cost);
        return g_strdup_printf (_("BP1, the first of the four fundamental equations of "
                                  "backpropagation. The error of output neuron j is δ<sub>j</sub> = ∂C/∂z<sub>j</sub>. "
                                  "With the %s and softmax outputs it is simply a − y. The cost "
                                  "of this example is %s."), bp_backprop_text_cost_name (cost_of (trace)), cost);
      }
    case BP_BACKPROP_STEP_BACKWARD:
      {
        const BpTraceLayer *tl = bp_trace_get_layer (trace, (size_t) layer);
        size_t saturated = bp_trace_count_saturated (trace, (size_t) layer, NULL);

        /* Translators: BP2; layer numbers, then a count of neurons. */
        return g_strdup_printf (_("The error moves back one layer: each neuron of layer %d collects "
                                  "the errors of layer %d through the weights that leave it, "
                                  "(w<sup>%d</sup>)<sup>T</sup>δ<sup>%d</sup>, times its own slope "
                                  "%s(z) — ⊙ is the Hadamard product, element by element. Its %zu saturated neurons "
                                  "pass almost nothing back."),
                                l, l + 1, l + 1, l + 1, derivative (trace, layer), saturated);
        (void) tl;
      }
    case BP_BACKPROP_STEP_GRADIENT:
      return g_strdup (_("Every bias’s gradient is its neuron’s error, and every weight’s is the "
                         "activation it comes from times the error it goes to: a weight out of a "
                         "dark pixel (a = 0) does not learn from this example. The pictures show "
                         "∂C/∂w of each neuron of the first layer: what this one example asks its "
                         "weights to do (red: lower them, blue: raise them)."));
    case BP_BACKPROP_STEP_UPDATE:
    default:
      {
        g_autofree char *eta_text = NUM (eta);

        /* Translators: %s is the learning rate η. */
        return g_strdup_printf (_("Gradient descent moves every weight and bias a little against its "
                                  "gradient, with the learning rate η = %s. Training does this with "
                                  "the mean gradient of a mini-batch; here it is this example alone. "
                                  "Take the step to see the cost of this example before and after."),
                                eta_text);
      }
    }
}

char *
bp_backprop_text_slowdown (const BpTrace *trace)
{
  const BpNetwork *net = bp_trace_get_network (trace);
  size_t n_out = net->n_outputs;
  g_autofree guint8 *mask = g_new0 (guint8, n_out);
  g_autofree float *ce = g_new0 (float, n_out);
  const BpTraceLayer *out = bp_trace_get_layer (trace, bp_trace_get_n_layers (trace) - 1);
  size_t n_slow = bp_trace_slowed_outputs (trace, mask);
  g_autoptr(GString) list = g_string_new (NULL);

  if (n_slow == 0 || !bp_trace_output_delta_for_cost (trace, BP_COST_CROSS_ENTROPY, ce))
    return NULL;
  for (size_t j = 0; j < n_out; j++)
    {
      g_autofree char *a = NULL, *d = NULL, *c = NULL;

      if (!mask[j])
        continue;
      a = NUM (out->a[j]);
      d = NUM (out->delta[j]);
      c = NUM (ce[j]);
      if (list->len > 0)
        g_string_append (list, "; ");
      /* Translators: one output of chapter 3's comparison: its digit, activation, δ with the
       * quadratic cost and δ with cross-entropy. */
      g_string_append_printf (list, _("output %zu: a = %s, δ = %s, with cross-entropy %s"), j, a,
                              d, c);
    }
  /* Translators: chapter 3's learning slowdown; %zu is a count, %s the list of outputs. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "<b>Learning slowdown.</b> %zu output is confidently wrong, "
                                       "and its δᴸ is tiny because σ′(zᴸ) is nearly 0 where the "
                                       "sigmoid is flat: it will hardly learn from this example. "
                                       "With the cross-entropy cost, δᴸ = aᴸ − y has no σ′(zᴸ) in "
                                       "it (chapter 3): %s.",
                                       "<b>Learning slowdown.</b> %zu outputs are confidently "
                                       "wrong, and their δᴸ is tiny because σ′(zᴸ) is nearly 0 "
                                       "where the sigmoid is flat: they will hardly learn from "
                                       "this example. With the cross-entropy cost, δᴸ = aᴸ − y "
                                       "has no σ′(zᴸ) in it (chapter 3): %s.", n_slow),
                          n_slow, list->str);
}

char *
bp_backprop_text_neuron (const BpTrace *trace,
                         int            layer,
                         guint          neuron,
                         char         **words)
{
  const BpTraceLayer *tl = bp_trace_get_layer (trace, (size_t) layer);
  BpTraceTerm top[N_TERMS];
  BpTraceRest rest;
  size_t n_top;

  if (tl->kind != BP_LAYER_DENSE)
    return bp_backprop_conv_neuron (trace, layer, neuron, words);
  n_top = bp_trace_neuron_terms (trace, (size_t) layer, neuron, top, N_TERMS, &rest);

  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) w = g_string_new (NULL);
  int l = book (layer);
  g_autofree char *z = NUM (tl->z[neuron]);
  g_autofree char *a = NUM (tl->a[neuron]);
  g_autofree char *d = NUM (tl->deriv[neuron]);
  g_autofree char *delta = NUM (tl->delta[neuron]);
  g_autofree char *b = NUM (tl->b[neuron]);
  const char *f = bp_backprop_text_function (trace, layer);
  gboolean saturated = bp_trace_is_saturated (trace, (size_t) layer, neuron);

  if (tl->is_output)
    /* Translators: the heading of a clicked neuron; %u is its index, %d the layer. */
    g_string_append_printf (s, _("<b>Output neuron %u of layer %d</b>"), neuron, l);
  else
    g_string_append_printf (s, _("<b>Neuron %u of layer %d</b>"), neuron, l);
  if (saturated && (!tl->is_output || bp_trace_get_network (trace)->arch.cost == BP_COST_QUADRATIC))
    g_string_append_printf (s, " — %s", _("saturated"));
  g_string_append_c (s, '\n');

  g_string_append_printf (s, "z<sup>%d</sup><sub>%u</sub> = Σ<sub>k</sub> w<sup>%d</sup><sub>%u,k</sub> "
                          "a<sup>%d</sup><sub>k</sub> + b<sup>%d</sup><sub>%u</sub> = ",
                          l, neuron, l, neuron, l - 1, l, neuron);
  for (size_t i = 0; i < n_top; i++)
    {
      g_autofree char *tw = NUM (top[i].w);
      g_autofree char *ta = NUM (top[i].a);

      g_string_append_printf (s, "%s(%s × %s)", i > 0 ? " + " : "", tw, ta);
    }
  if (rest.n > 0)
    {
      g_autofree char *sum = NUM (rest.sum);

      g_string_append (s, " + ");
      /* Translators: the terms of a sum not shown one by one, then their total. */
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "… and %zu more term (%s)",
                                              "… and %zu more terms (%s)", rest.n),
                              rest.n, sum);
    }
  if (tl->b[neuron] < 0)
    g_string_append_printf (s, " + (%s) = <b>%s</b>\n", b, z);
  else
    g_string_append_printf (s, " + %s = <b>%s</b>\n", b, z);

  if (g_str_equal (f, "softmax"))
    g_string_append_printf (s, "a<sup>%d</sup><sub>%u</sub> = softmax(z<sup>%d</sup>)<sub>%u</sub> = <b>%s</b>",
                            l, neuron, l, neuron, a);
  else
    g_string_append_printf (s, "a<sup>%d</sup><sub>%u</sub> = %s(z<sup>%d</sup><sub>%u</sub>) = <b>%s</b>",
                            l, neuron, f, l, neuron, a);
  if (tl->is_output && g_str_equal (f, "softmax"))
    g_string_append_printf (s, "    a(1 − a) = %s", d);
  else
    g_string_append_printf (s, "    %s(z<sup>%d</sup><sub>%u</sub>) = %s", derivative (trace, layer),
                            l, neuron, d);
  g_string_append_printf (s, "\nδ<sup>%d</sup><sub>%u</sub> = ∂C/∂z<sup>%d</sup><sub>%u</sub> = "
                          "∂C/∂b<sup>%d</sup><sub>%u</sub> = <b>%s</b>", l, neuron, l, neuron, l,
                          neuron, delta);
  if (tl->is_output)
    {
      g_autofree char *y = NUM (bp_trace_get_target (trace)[neuron]);

      if (bp_trace_get_network (trace)->arch.cost == BP_COST_QUADRATIC)
        g_string_append_printf (s, " = (%s − %s) × %s", a, y, d);
      else
        g_string_append_printf (s, " = %s − %s", a, y);
    }

  /* Translators: a clicked neuron's numbers read aloud: layer, index, z, a, f′(z), δ. */
  g_string_append_printf (w, _("Layer %d, neuron %u: weighted input z %s, activation %s, slope %s, "
                               "error delta %s."), l, neuron, z, a, d, delta);
  if (saturated)
    g_string_append_printf (w, " %s", _("Saturated."));
  if (words != NULL)
    *words = g_string_free (g_steal_pointer (&w), FALSE);
  return g_string_free (g_steal_pointer (&s), FALSE);
}
