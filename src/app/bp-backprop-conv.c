/* bp-backprop-conv.c — the Backprop view's convolutional and pooling layers: chapter 6's forms
 * of the forward pass and of BP1–BP4, a neuron of a map, the winners of a max-pool
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The conv forms, in the trace's terms (a map neuron is indexed by its channel c and its place
 * y, x; a filter by its output channel, input channel c′ and tap u, v; p is a pool's window):
 *   conv forward  zˡ_c,y,x = Σ_c′,u,v wˡ_c,c′,u,v aˡ⁻¹_c′,y+u,x+v + bˡ_c,   aˡ = f(zˡ)
 *   pool forward  aˡ_c,y,x = max_u,v<p aˡ⁻¹_c,py+u,px+v
 *   BP2 into a conv layer from a conv layer: δˡ_c,y,x = Σ_o,u,v wˡ⁺¹_o,c,u,v δˡ⁺¹_o,y−u,x−v ⊙ f′
 *   BP2 into a layer before a pool: δˡ_c,y,x = δˡ⁺¹_c,⌊y/p⌋,⌊x/p⌋ ⊙ f′ at its window's winner, 0
 *       elsewhere
 *   BP3, BP4 of a conv layer: ∂C/∂b_c = Σ_y,x δ_c,y,x,  ∂C/∂w_c,c′,u,v = Σ_y,x aˡ⁻¹_c′,y+u,x+v δ_c,y,x
 */
#include "config.h"

#include "bp-backprop-conv.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-backprop-notation.h"

#define N_TERMS 4
#define NUM(v) bp_backprop_text_number ((v), 3)

static int
book (int layer)
{
  return layer + 2;
}

static BpLayerKind
kind_of (const BpTrace *trace,
         int            layer)
{
  if (layer < 0 || (gsize) layer >= bp_trace_get_n_layers (trace))
    return BP_LAYER_DENSE;
  return bp_trace_get_layer (trace, (gsize) layer)->kind;
}

static gsize
kernel_of (const BpTrace *trace,
           int            layer)
{
  return bp_trace_get_network (trace)->arch.layers[layer].kernel;
}

static gboolean
has_conv (const BpTrace *trace)
{
  for (gsize l = 0; l < bp_trace_get_n_layers (trace); l++)
    if (bp_trace_get_layer (trace, l)->kind == BP_LAYER_CONV)
      return TRUE;
  return FALSE;
}

/* f′ as written in the equations. */
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

gboolean
bp_backprop_conv_applies (const BpTrace      *trace,
                          BpBackpropStepKind  kind,
                          int                 layer)
{
  switch (kind)
    {
    case BP_BACKPROP_STEP_FORWARD:
      return kind_of (trace, layer) != BP_LAYER_DENSE;
    case BP_BACKPROP_STEP_BACKWARD:
      return kind_of (trace, layer) != BP_LAYER_DENSE || kind_of (trace, layer + 1) != BP_LAYER_DENSE;
    case BP_BACKPROP_STEP_GRADIENT:
      return has_conv (trace);
    case BP_BACKPROP_STEP_INPUT:
    case BP_BACKPROP_STEP_OUTPUT_ERROR:
    case BP_BACKPROP_STEP_UPDATE:
    default:
      return FALSE;
    }
}

void
bp_backprop_conv_position (const BpTraceLayer *tl,
                           guint               neuron,
                           guint              *channel,
                           guint              *y,
                           guint              *x)
{
  gsize size = tl->out_h * tl->out_w;

  *channel = (guint) (neuron / size);
  *y = (guint) ((neuron % size) / tl->out_w);
  *x = (guint) (neuron % tl->out_w);
}

char *
bp_backprop_conv_equation (const BpTrace      *trace,
                           BpBackpropStepKind  kind,
                           int                 layer)
{
  int l = book (layer);

  switch (kind)
    {
    case BP_BACKPROP_STEP_FORWARD:
      if (kind_of (trace, layer) == BP_LAYER_POOL)
        return g_strdup_printf ("a<sup>%d</sup><sub>c,y,x</sub> = max<sub>u,v &lt; %zu</sub> "
                                "a<sup>%d</sup><sub>c, %zu y + u, %zu x + v</sub>",
                                l, kernel_of (trace, layer), l - 1, kernel_of (trace, layer),
                                kernel_of (trace, layer));
      return g_strdup_printf ("z<sup>%d</sup><sub>c,y,x</sub> = Σ<sub>c′,u,v</sub> "
                              "w<sup>%d</sup><sub>c,c′,u,v</sub> a<sup>%d</sup><sub>c′, y+u, x+v</sub> "
                              "+ b<sup>%d</sup><sub>c</sub>,    a<sup>%d</sup> = %s(z<sup>%d</sup>)",
                              l, l, l - 1, l, l, bp_backprop_text_function (trace, layer), l);
    case BP_BACKPROP_STEP_BACKWARD:
      {
        BpLayerKind next = kind_of (trace, layer + 1);
        gboolean pool = kind_of (trace, layer) == BP_LAYER_POOL;
        g_autofree char *slope = pool ? g_strdup ("")
                                      : g_strdup_printf (" ⊙ %s(z<sup>%d</sup>)",
                                                         derivative (trace, layer), l);

        if (next == BP_LAYER_POOL)
          {
            gsize p = kernel_of (trace, layer + 1);

            /* Translators: part of an equation: the condition of max-pooling's BP2. */
            return g_strdup_printf ("δ<sup>%d</sup><sub>c,y,x</sub> = δ<sup>%d</sup><sub>c, ⌊y/%zu⌋, ⌊x/%zu⌋</sub>%s    "
                                    "%s", l, l + 1, p, p, slope,
                                    _("at the maximum of each window, 0 at the others"));
          }
        if (next == BP_LAYER_CONV)
          return g_strdup_printf ("δ<sup>%d</sup><sub>c,y,x</sub> = (Σ<sub>o,u,v</sub> "
                                  "w<sup>%d</sup><sub>o,c,u,v</sub> δ<sup>%d</sup><sub>o, y−u, x−v</sub>)%s",
                                  l, l + 1, l + 1, slope);
        /* A dense layer after the maps reads them flattened: the dense form. */
        return g_strdup_printf ("δ<sup>%d</sup> = (w<sup>%d</sup>)<sup>T</sup> δ<sup>%d</sup>%s",
                                l, l + 1, l + 1, slope);
      }
    case BP_BACKPROP_STEP_GRADIENT:
    default:
      return g_strdup ("∂C/∂b<sup>l</sup><sub>j</sub> = δ<sup>l</sup><sub>j</sub>,   "
                       "∂C/∂w<sup>l</sup><sub>jk</sub> = a<sup>l−1</sup><sub>k</sub> δ<sup>l</sup><sub>j</sub>    "
                       "(BP3, BP4)\n"
                       "∂C/∂b<sup>l</sup><sub>c</sub> = Σ<sub>y,x</sub> δ<sup>l</sup><sub>c,y,x</sub>,   "
                       "∂C/∂w<sup>l</sup><sub>c,c′,u,v</sub> = Σ<sub>y,x</sub> "
                       "a<sup>l−1</sup><sub>c′, y+u, x+v</sub> δ<sup>l</sup><sub>c,y,x</sub>    (conv)");
    }
}

char *
bp_backprop_conv_equation_words (const BpTrace      *trace,
                                 BpBackpropStepKind  kind,
                                 int                 layer)
{
  int l = book (layer);

  switch (kind)
    {
    case BP_BACKPROP_STEP_FORWARD:
      if (kind_of (trace, layer) == BP_LAYER_POOL)
        /* Translators: an equation read aloud; the numbers are layers, then the window's size. */
        return g_strdup_printf (_("Each activation of layer %d is the largest of a %zu by %zu "
                                  "window of its map in layer %d."), l, kernel_of (trace, layer),
                                kernel_of (trace, layer), l - 1);
      /* Translators: an equation read aloud; the numbers are layers. */
      return g_strdup_printf (_("z %d at map c, row y, column x equals the sum over the input "
                                "maps and the filter’s taps of the filter’s weight times the "
                                "activation of layer %d under it, plus the map’s bias; a %d equals "
                                "the activation function of z %d."), l, l - 1, l, l);
    case BP_BACKPROP_STEP_BACKWARD:
      if (kind_of (trace, layer + 1) == BP_LAYER_POOL)
        /* Translators: an equation read aloud; the numbers are layers. */
        return g_strdup_printf (_("delta %d at each window’s maximum equals the delta %d of its "
                                  "pooling neuron, times the derivative of the activation "
                                  "function; at the other inputs of the window it is 0."), l, l + 1);
      if (kind_of (trace, layer + 1) == BP_LAYER_CONV)
        /* Translators: an equation read aloud; the numbers are layers. */
        return g_strdup_printf (_("delta %d at map c, row y, column x equals the sum of the deltas "
                                  "of layer %d that this neuron fed, each times the filter weight "
                                  "that connected them, Hadamard product with the derivative of "
                                  "the activation function."), l, l + 1);
      /* Translators: an equation read aloud; the numbers are layers. */
      return g_strdup_printf (_("delta %d equals the transpose of w %d times delta %d, the maps "
                                "read as one long vector."), l, l + 1, l + 1);
    case BP_BACKPROP_STEP_GRADIENT:
    default:
      return g_strdup (_("For a dense layer, the gradient of bias j is delta j and of weight j k "
                         "it is a k times delta j. For a convolutional layer, the gradient of a "
                         "map’s bias is the sum of its deltas over the map, and of a filter "
                         "weight the sum over the map of the delta times the input under that "
                         "weight."));
    }
}

char *
bp_backprop_conv_explain (const BpTrace      *trace,
                          BpBackpropStepKind  kind,
                          int                 layer)
{
  int l = book (layer);

  switch (kind)
    {
    case BP_BACKPROP_STEP_FORWARD:
      {
        const BpTraceLayer *tl = bp_trace_get_layer (trace, (gsize) layer);
        const BpNetwork *net = bp_trace_get_network (trace);
        const BpLayer *shape = &net->layers[layer];
        gsize k = kernel_of (trace, layer);

        if (tl->kind == BP_LAYER_POOL)
          /* Translators: max-pooling's forward step; sizes, then layer numbers. */
          return g_strdup_printf (_("Max-pooling: each of the %zu maps of layer %d shrinks from "
                                    "%zu×%zu to %zu×%zu, every neuron keeping the largest "
                                    "activation of the %zu×%zu window under it. The winners are "
                                    "the bright pixels of layer %d; the veiled ones are dropped. "
                                    "No weights, no bias, no activation function: it keeps where "
                                    "a feature is strongest, roughly."),
                                  tl->out_c, l - 1, shape->in_h, shape->in_w, tl->out_h,
                                  tl->out_w, k, k, l - 1);
        /* Translators: a conv layer's forward step; sizes, then layer numbers, then the activation
         * function's name. */
        return g_strdup_printf (_("Each of the %zu filters of layer %d is %zu×%zu weights over "
                                  "each of the %zu maps of layer %d, and one bias. It slides over "
                                  "its input: at every place the weights times the activations "
                                  "under them, plus the bias, give one neuron’s weighted input z, "
                                  "and its activation is %s(z). So each filter makes one %zu×%zu "
                                  "map, and all the neurons of a map share the same %zu weights: "
                                  "the same feature is looked for everywhere (chapter 6’s shared "
                                  "weights and local receptive fields)."),
                                tl->out_c, l, k, k, shape->in_c, l - 1,
                                bp_backprop_text_function (trace, layer), tl->out_h, tl->out_w,
                                shape->in_c * k * k);
      }
    case BP_BACKPROP_STEP_BACKWARD:
      {
        gsize saturated = bp_trace_count_saturated (trace, (gsize) layer, NULL);

        if (kind_of (trace, layer + 1) == BP_LAYER_POOL)
          {
            gsize winners = 0;
            g_autofree guint8 *mask = bp_backprop_conv_winners (trace, layer + 1, &winners);
            gsize p = kernel_of (trace, layer + 1);

            /* Translators: BP2 through max-pooling; layer numbers, the window, counts. */
            return g_strdup_printf (_("BP2 through max-pooling: a pooling neuron’s output is just "
                                      "one of its inputs, the largest, so its error goes back to "
                                      "that input alone. Of the %zu×%zu inputs of each window, "
                                      "only the winner (bright; %zu of the %zu neurons of layer "
                                      "%d) gets δ<sup>%d</sup>, times its own slope %s(z); the "
                                      "others get 0: a small change of them would not change the "
                                      "cost at all."),
                                    p, p, winners, bp_trace_get_layer (trace, (gsize) layer)->n_out,
                                    l, l + 1, derivative (trace, layer));
          }
        if (kind_of (trace, layer) == BP_LAYER_POOL)
          /* Translators: BP2 into a pooling layer; layer numbers. */
          return g_strdup_printf (_("The error moves back into the pooling layer %d: each of its "
                                    "neurons collects the errors of layer %d through the weights "
                                    "that leave it. A pooling layer has no activation function, "
                                    "so there is no slope to multiply by: its δ is that sum."),
                                  l, l + 1);
        if (kind_of (trace, layer + 1) == BP_LAYER_CONV)
          /* Translators: BP2 into a conv layer from a conv layer; layer numbers, a count. */
          return g_strdup_printf (_("BP2 for shared weights: each neuron of layer %d fed every "
                                    "neuron of layer %d whose filter covered it, so it collects "
                                    "their errors, each times the weight that joined them — a "
                                    "convolution of δ<sup>%d</sup> with the filters turned "
                                    "180° — times its own slope %s(z). Its %zu saturated neurons "
                                    "pass almost nothing back."),
                                  l, l + 1, l + 1, derivative (trace, layer), saturated);
        /* Translators: BP2 into conv maps from a dense layer; layer numbers, a count. */
        return g_strdup_printf (_("The error moves back one layer: the dense layer %d reads the "
                                  "maps of layer %d as one long vector, so BP2 is its usual form, "
                                  "(w<sup>%d</sup>)<sup>T</sup>δ<sup>%d</sup>, read back into "
                                  "maps, times each neuron’s slope %s(z). Its %zu saturated "
                                  "neurons pass almost nothing back."),
                                l + 1, l, l + 1, l + 1, derivative (trace, layer), saturated);
      }
    case BP_BACKPROP_STEP_GRADIENT:
    default:
      {
        const BpTraceLayer *first = bp_trace_get_layer (trace, 0);
        gsize k = kernel_of (trace, 0);

        if (first->kind == BP_LAYER_CONV)
          /* Translators: the gradient step of a conv net; the first layer's filter count and
           * size. */
          return g_strdup_printf (_("A conv layer’s weights are shared by every neuron of its "
                                    "map, so each weight’s gradient adds up BP4 over the whole "
                                    "map: the error at each place times the input its tap saw "
                                    "there; and each map’s one bias gets the sum of its errors "
                                    "(BP3). Pooling layers have no parameters. The pictures show "
                                    "∂C/∂w of the %zu first-layer filters, %zu×%zu each: what "
                                    "this one example asks each filter to become (red: lower "
                                    "those weights, blue: raise them)."),
                                  first->out_c, k, k);
        return g_strdup (_("A conv layer’s weights are shared by every neuron of its map, so each "
                           "weight’s gradient adds up BP4 over the whole map, and each map’s one "
                           "bias gets the sum of its errors (BP3). Pooling layers have no "
                           "parameters."));
      }
    }
}

/* ── A neuron of a map ───────────────────────────────────────────────────────────────────── */

typedef struct
{
  guint c, u, v;
  float w, a, product;
} Term;

char *
bp_backprop_conv_neuron (const BpTrace *trace,
                         int            layer,
                         guint          neuron,
                         char         **words)
{
  const BpTraceLayer *tl = bp_trace_get_layer (trace, (gsize) layer);
  const BpNetwork *net = bp_trace_get_network (trace);
  const BpLayer *shape = &net->layers[layer];
  gsize k = net->arch.layers[layer].kernel;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) w = g_string_new (NULL);
  int l = book (layer);
  guint c, y, x;
  g_autofree char *z = NUM (tl->z[neuron]);
  g_autofree char *a = NUM (tl->a[neuron]);
  g_autofree char *d = NUM (tl->deriv[neuron]);
  g_autofree char *delta = NUM (tl->delta[neuron]);

  bp_backprop_conv_position (tl, neuron, &c, &y, &x);
  if (tl->kind == BP_LAYER_POOL)
    {
      gsize best_u = 0, best_v = 0;
      float best = -G_MAXFLOAT;

      for (gsize u = 0; u < k; u++)
        for (gsize v = 0; v < k; v++)
          {
            float in = tl->in[(c * shape->in_h + y * k + u) * shape->in_w + x * k + v];

            if (in > best)
              {
                best = in;
                best_u = u;
                best_v = v;
              }
          }
      /* Translators: the heading of a clicked neuron of a pooling layer: map (from 0), row,
       * column, layer. */
      g_string_append_printf (s, _("<b>Map %u, row %u, column %u of layer %d (max-pooling)</b>"),
                              c, y, x, l);
      g_string_append_printf (s, "\na<sup>%d</sup><sub>%u,%u,%u</sub> = max<sub>u,v &lt; %zu</sub> "
                              "a<sup>%d</sup><sub>%u, %zu+u, %zu+v</sub> = "
                              "a<sup>%d</sup><sub>%u,%zu,%zu</sub> = <b>%s</b>",
                              l, c, y, x, k, l - 1, c, y * k, x * k, l - 1, c, y * k + best_u,
                              x * k + best_v, a);
      g_string_append_printf (s, "\nδ<sup>%d</sup><sub>%u,%u,%u</sub> = <b>%s</b>    ", l, c, y, x,
                              delta);
      /* Translators: where a pooling neuron's error goes back to; the layer, then the place. */
      g_string_append_printf (s, _("goes back to the winner (%zu, %zu) of layer %d alone"),
                              y * k + best_u, x * k + best_v, l - 1);
      /* Translators: a clicked pooling neuron read aloud. */
      g_string_append_printf (w, _("Layer %d, map %u, row %u, column %u, max-pooling: activation %s, "
                                   "the largest of its window, at row %zu, column %zu of layer %d; "
                                   "error delta %s, which goes back to that input alone."),
                              l, c, y, x, a, y * k + best_u, x * k + best_v, l - 1, delta);
    }
  else
    {
      Term top[N_TERMS];
      guint n_top = 0, n_terms = 0;
      double total = 0.0, rest;
      const float *wt = tl->w + (gsize) c * shape->in_c * k * k;
      float b = tl->b[c];
      g_autofree char *bias = NUM (b);
      g_autofree char *nb = NUM (tl->nabla_b[c]);

      for (guint ci = 0; ci < shape->in_c; ci++)
        for (guint u = 0; u < k; u++)
          for (guint v = 0; v < k; v++)
            {
              Term t = { ci, u, v, wt[(ci * k + u) * k + v],
                         tl->in[(ci * shape->in_h + y + u) * shape->in_w + x + v], 0 };
              guint pos;

              t.product = t.w * t.a;
              total += t.product;
              n_terms++;
              if (n_top == N_TERMS && fabsf (t.product) <= fabsf (top[n_top - 1].product))
                continue;
              pos = n_top < N_TERMS ? n_top++ : n_top - 1;
              while (pos > 0 && fabsf (top[pos - 1].product) < fabsf (t.product))
                {
                  top[pos] = top[pos - 1];
                  pos--;
                }
              top[pos] = t;
            }
      rest = total;
      for (guint i = 0; i < n_top; i++)
        rest -= top[i].product;

      /* Translators: the heading of a clicked neuron of a conv layer: map (from 0), row,
       * column, layer. */
      g_string_append_printf (s, _("<b>Map %u, row %u, column %u of layer %d (convolution)</b>"),
                              c, y, x, l);
      if (bp_trace_is_saturated (trace, (gsize) layer, neuron))
        g_string_append_printf (s, " — %s", _("saturated"));
      g_string_append_printf (s, "\nz<sup>%d</sup><sub>%u,%u,%u</sub> = Σ<sub>c′,u,v</sub> "
                              "w<sup>%d</sup><sub>%u,c′,u,v</sub> a<sup>%d</sup><sub>c′,%u+u,%u+v</sub> "
                              "+ b<sup>%d</sup><sub>%u</sub> = ", l, c, y, x, l, c, l - 1, y, x, l, c);
      for (guint i = 0; i < n_top; i++)
        {
          g_autofree char *tw = NUM (top[i].w);
          g_autofree char *ta = NUM (top[i].a);

          g_string_append_printf (s, "%s(%s × %s)", i > 0 ? " + " : "", tw, ta);
        }
      if (n_terms > n_top)
        {
          g_autofree char *sum = NUM (rest);

          g_string_append (s, " + ");
          g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "… and %zu more term (%s)",
                                                  "… and %zu more terms (%s)", n_terms - n_top),
                                  (gsize) (n_terms - n_top), sum);
        }
      g_string_append_printf (s, b < 0 ? " + (%s) = <b>%s</b>" : " + %s = <b>%s</b>", bias, z);
      g_string_append_printf (s, "\na<sup>%d</sup><sub>%u,%u,%u</sub> = %s(z) = <b>%s</b>    %s(z) = %s",
                              l, c, y, x, bp_backprop_text_function (trace, layer), a,
                              derivative (trace, layer), d);
      g_string_append_printf (s, "\nδ<sup>%d</sup><sub>%u,%u,%u</sub> = <b>%s</b>    "
                              "∂C/∂b<sup>%d</sup><sub>%u</sub> = Σ<sub>y,x</sub> δ<sup>%d</sup><sub>%u,y,x</sub> = %s",
                              l, c, y, x, delta, l, c, l, c, nb);
      /* Translators: a clicked conv neuron read aloud: layer, map, row, column, z, a, f′(z), δ,
       * then the map's bias gradient. */
      g_string_append_printf (w, _("Layer %d, map %u, row %u, column %u: weighted input z %s, "
                                   "activation %s, slope %s, error delta %s; the map’s bias "
                                   "gradient %s."), l, c, y, x, z, a, d, delta, nb);
    }
  if (words != NULL)
    *words = g_string_free (g_steal_pointer (&w), FALSE);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* ── Winners and bias maps ───────────────────────────────────────────────────────────────── */

guint8 *
bp_backprop_conv_winners (const BpTrace *trace,
                          int            pool_layer,
                          gsize         *n_winners)
{
  const BpTraceLayer *pool;
  g_autofree float *ones = NULL;
  g_autofree float *back = NULL;
  guint8 *mask;

  *n_winners = 0;
  if (pool_layer < 1 || kind_of (trace, pool_layer) != BP_LAYER_POOL)
    return NULL;
  pool = bp_trace_get_layer (trace, (gsize) pool_layer);
  ones = g_new (float, pool->n_out);
  back = g_new (float, pool->n_in);
  for (gsize j = 0; j < pool->n_out; j++)
    ones[j] = 1.0f;
  /* The engine's own routing: a δ of 1 on every pooling neuron lands on its window's winner. */
  bp_network_layer_backward_input (bp_trace_get_network (trace), (gsize) pool_layer, back, ones,
                                   pool->in);
  mask = g_new0 (guint8, pool->n_in);
  for (gsize k = 0; k < pool->n_in; k++)
    if (back[k] != 0.0f)
      {
        mask[k] = 1;
        (*n_winners)++;
      }
  return mask;
}

float *
bp_backprop_conv_bias_maps (const BpTrace *trace,
                            int            layer)
{
  const BpTraceLayer *tl = bp_trace_get_layer (trace, (gsize) layer);
  gsize size;
  float *maps;

  if (tl->kind != BP_LAYER_CONV)
    return NULL;
  size = tl->out_h * tl->out_w;
  maps = g_new (float, tl->n_out);
  for (gsize j = 0; j < tl->n_out; j++)
    maps[j] = tl->nabla_b[j / size];
  return maps;
}
