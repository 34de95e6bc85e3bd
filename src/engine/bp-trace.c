/* bp-trace.c — chapter 2's backpropagation of one example, every layer's numbers kept
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing here computes a forward or a backward pass of its own: bp_network_forward_layers()
 * and bp_network_backward_layers() fill the buffers, and the helpers only read them.
 */
#include "config.h"

#include "bp-trace.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct _BpTrace
{
  BpNetwork   *net;                   /* owned copy: the parameters of the last computation */
  size_t       n_layers;
  BpTraceLayer layers[BP_MAX_LAYERS];
  bool         computed;

  float       *x;                     /* (n_inputs) */
  float       *y;                     /* (n_outputs) one-hot */
  float       *z[BP_MAX_LAYERS];      /* (n_out) each */
  float       *a[BP_MAX_LAYERS];
  float       *deriv[BP_MAX_LAYERS];
  float       *delta[BP_MAX_LAYERS];
  float       *grad;                  /* (n_params) */
  size_t       label;
  size_t       guess;
  double       cost;

  /* bp_trace_step()'s forward pass through the caller's network. */
  float       *step_z[BP_MAX_LAYERS];
  float       *step_a[BP_MAX_LAYERS];

  float       *block;                 /* one allocation behind the vectors */
};

static bool
same_arch (const BpTrace   *self,
           const BpNetwork *net,
           BpError         *error)
{
  if (!bp_network_same_shape (self->net, net))
    return bp_error_set (error, BP_ERROR_INVALID,
                         "the network's layers are not those the trace was made for");
  return true;
}

BpTrace *
bp_trace_new (const BpNetwork *net,
              BpError         *error)
{
  BpTrace *self;
  size_t L = net->arch.n_layers;
  size_t units = 0, total;
  float *p;

  for (size_t i = 0; i < L; i++)
    units += net->layers[i].n_out;
  /* x, y; z, a, f′, δ and the step's z and a of every layer; the gradient. Sizes are bounded by
   * the network's, which bp_network_new() has checked. */
  total = net->n_inputs + net->n_outputs + 6 * units + net->n_params;

  self = calloc (1, sizeof *self);
  if (self == NULL)
    goto nomem;
  self->net = bp_network_copy (net);
  self->block = malloc ((total > 0 ? total : 1) * sizeof (float));
  if (self->net == NULL || self->block == NULL)
    goto nomem;

  self->n_layers = L;
  p = self->block;
  self->x = p;
  p += net->n_inputs;
  self->y = p;
  p += net->n_outputs;
  for (size_t i = 0; i < L; i++)
    {
      size_t n = net->layers[i].n_out;
      float **bufs[] = { &self->z[i], &self->a[i], &self->deriv[i], &self->delta[i],
                         &self->step_z[i], &self->step_a[i] };

      for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        {
          *bufs[k] = p;
          p += n;
        }
    }
  self->grad = p;

  for (size_t i = 0; i < L; i++)
    {
      const BpLayer *shape = &self->net->layers[i];
      BpTraceLayer *layer = &self->layers[i];

      layer->kind = net->arch.layers[i].kind;
      layer->is_output = i + 1 == L;
      layer->activation = net->arch.layers[i].activation;
      layer->n_in = shape->n_in;
      layer->n_out = shape->n_out;
      layer->out_c = shape->out_c;
      layer->out_h = shape->out_h;
      layer->out_w = shape->out_w;
      layer->in = i == 0 ? self->x : self->a[i - 1];
      layer->z = self->z[i];
      layer->a = self->a[i];
      layer->deriv = self->deriv[i];
      layer->delta = self->delta[i];
      layer->w = self->net->params + shape->w_offset;
      layer->b = self->net->params + shape->b_offset;
      layer->nabla_w = self->grad + shape->w_offset;
      layer->nabla_b = self->grad + shape->b_offset;
      layer->n_weights = shape->n_weights;
      layer->n_biases = shape->n_biases;
      layer->w_offset = shape->w_offset;
      layer->b_offset = shape->b_offset;
    }
  return self;

nomem:
  bp_trace_free (self);
  bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to trace the network");
  return NULL;
}

void
bp_trace_free (BpTrace *self)
{
  if (self == NULL)
    return;
  bp_network_free (self->net);
  free (self->block);
  free (self);
}

/* The largest output; the first of equal ones, as bp_network_batch_correct() picks. */
static size_t
argmax (const float *a,
        size_t       n)
{
  size_t best = 0;

  for (size_t j = 1; j < n; j++)
    if (a[j] > a[best])
      best = j;
  return best;
}

bool
bp_trace_compute (BpTrace         *self,
                  const BpNetwork *net,
                  const float     *x,
                  size_t           label,
                  BpError         *error)
{
  BpNetwork *copy = self->net;
  size_t L = self->n_layers;
  size_t n_out = copy->n_outputs;

  if (!same_arch (self, net, error))
    return false;
  if (label >= n_out)
    return bp_error_set (error, BP_ERROR_INVALID, "label %zu is out of range: the network has %zu "
                         "outputs", label, n_out);

  memcpy (copy->params, net->params, copy->n_params * sizeof (float));
  memcpy (self->x, x, copy->n_inputs * sizeof (float));
  for (size_t j = 0; j < n_out; j++)
    self->y[j] = j == label ? 1.0f : 0.0f;
  self->label = label;

  bp_network_forward_layers (copy, self->x, self->z, self->a);
  bp_network_backward_layers (copy, self->x, (const float *const *) self->a, label, self->deriv,
                              self->delta, self->grad);
  self->cost = bp_cost_example (copy->arch.cost, self->a[L - 1], self->z[L - 1], label, n_out);
  self->guess = argmax (self->a[L - 1], n_out);
  self->computed = true;
  return true;
}

bool
bp_trace_is_computed (const BpTrace *self)
{
  return self->computed;
}

const BpNetwork *
bp_trace_get_network (const BpTrace *self)
{
  return self->net;
}

size_t
bp_trace_get_n_layers (const BpTrace *self)
{
  return self->n_layers;
}

const BpTraceLayer *
bp_trace_get_layer (const BpTrace *self,
                    size_t         layer)
{
  assert (layer < self->n_layers);
  return &self->layers[layer];
}

const float *
bp_trace_get_input (const BpTrace *self)
{
  return self->x;
}

const float *
bp_trace_get_target (const BpTrace *self)
{
  return self->y;
}

size_t
bp_trace_get_label (const BpTrace *self)
{
  return self->label;
}

size_t
bp_trace_get_guess (const BpTrace *self)
{
  return self->guess;
}

double
bp_trace_get_cost (const BpTrace *self)
{
  return self->cost;
}

const float *
bp_trace_get_gradient (const BpTrace *self)
{
  return self->grad;
}

/* ── Chapters 2 and 3 ──────────────────────────────────────────────────────────────────────── */

/* f′'s largest value: σ′ (and a(1 − a) of the output layer) peaks at 1/4, tanh′ and ReLU′ at 1. */
static float
deriv_peak (const BpTraceLayer *layer)
{
  if (layer->is_output)
    return 0.25f;
  switch (layer->activation)
    {
    case BP_ACTIVATION_SIGMOID:
      return 0.25f;
    case BP_ACTIVATION_TANH:
    case BP_ACTIVATION_RELU:
    default:
      return 1.0f;
    }
}

bool
bp_trace_is_saturated (const BpTrace *self,
                       size_t         layer,
                       size_t         neuron)
{
  const BpTraceLayer *l = bp_trace_get_layer (self, layer);

  assert (neuron < l->n_out);
  return l->deriv[neuron] < BP_TRACE_SATURATION * deriv_peak (l);
}

size_t
bp_trace_count_saturated (const BpTrace *self,
                          size_t         layer,
                          uint8_t       *mask)
{
  const BpTraceLayer *l = bp_trace_get_layer (self, layer);
  float threshold = BP_TRACE_SATURATION * deriv_peak (l);
  size_t count = 0;

  for (size_t j = 0; j < l->n_out; j++)
    {
      bool saturated = l->deriv[j] < threshold;

      count += saturated;
      if (mask != NULL)
        mask[j] = saturated;
    }
  return count;
}

bool
bp_trace_output_delta_for_cost (const BpTrace *self,
                                BpCost         cost,
                                float         *delta)
{
  const BpNetwork *net = self->net;

  if (!bp_cost_check_output (cost, net->arch.output, NULL))
    return false;
  bp_cost_output_delta (cost, self->a[self->n_layers - 1], self->label, delta, net->n_outputs);
  return true;
}

size_t
bp_trace_slowed_outputs (const BpTrace *self,
                         uint8_t       *mask)
{
  size_t L = self->n_layers;
  size_t n = self->net->n_outputs;
  const float *a = self->a[L - 1];
  bool quadratic = self->net->arch.cost == BP_COST_QUADRATIC;
  size_t count = 0;

  for (size_t j = 0; j < n; j++)
    {
      bool slowed = quadratic && fabsf (a[j] - self->y[j]) > 0.5f
                    && bp_trace_is_saturated (self, L - 1, j);

      count += slowed;
      if (mask != NULL)
        mask[j] = slowed;
    }
  return count;
}

/* Whether term @a goes before term @b: larger magnitude first, then smaller k. */
static inline bool
term_before (const BpTraceTerm *a,
             const BpTraceTerm *b)
{
  float ma = fabsf (a->product), mb = fabsf (b->product);

  return ma > mb || (ma == mb && a->k < b->k);
}

size_t
bp_trace_neuron_terms (const BpTrace *self,
                       size_t         layer,
                       size_t         neuron,
                       BpTraceTerm   *top,
                       size_t         max_terms,
                       BpTraceRest   *rest)
{
  const BpTraceLayer *l = bp_trace_get_layer (self, layer);
  size_t n_in = l->n_in;
  const float *w = l->w + neuron * n_in;
  size_t n_top = 0;
  double total = 0.0;
  size_t n_zero = 0;

  assert (l->kind == BP_LAYER_DENSE);
  assert (neuron < l->n_out);

  /* One pass: the sum and zero count of all terms, and the top ones kept sorted by insertion;
   * the rest's sum is the total less the top's. */
  for (size_t k = 0; k < n_in; k++)
    {
      BpTraceTerm t = { k, w[k], l->in[k], w[k] * l->in[k] };
      size_t pos;

      total += t.product;
      n_zero += t.product == 0.0f;
      if (max_terms == 0)
        continue;
      if (n_top == max_terms && !term_before (&t, &top[n_top - 1]))
        continue;
      pos = n_top < max_terms ? n_top++ : n_top - 1;
      while (pos > 0 && term_before (&t, &top[pos - 1]))
        {
          top[pos] = top[pos - 1];
          pos--;
        }
      top[pos] = t;
    }

  if (rest != NULL)
    {
      double shown = 0.0;
      size_t shown_zero = 0;

      for (size_t i = 0; i < n_top; i++)
        {
          shown += top[i].product;
          shown_zero += top[i].product == 0.0f;
        }
      rest->n = n_in - n_top;
      rest->n_zero = n_zero - shown_zero;
      rest->sum = total - shown;
    }
  return n_top;
}

/* ── A step ────────────────────────────────────────────────────────────────────────────────── */

bool
bp_trace_step (BpTrace     *self,
               BpNetwork   *net,
               float        eta,
               BpTraceStep *step,
               BpError     *error)
{
  size_t L = self->n_layers;
  size_t n_out = self->net->n_outputs;
  const float *params = self->net->params;

  assert (self->computed);
  if (!same_arch (self, net, error))
    return false;
  if (!(isfinite (eta) && eta > 0.0f))
    return bp_error_set (error, BP_ERROR_INVALID, "η = %g: a step needs a finite η > 0",
                         (double) eta);

  for (size_t i = 0; i < net->n_params; i++)
    net->params[i] = params[i] - eta * self->grad[i];

  bp_network_forward_layers (net, self->x, self->step_z, self->step_a);
  step->eta = eta;
  step->cost_before = self->cost;
  step->cost_after = bp_cost_example (net->arch.cost, self->step_a[L - 1], self->step_z[L - 1],
                                      self->label, n_out);
  step->guess_before = self->guess;
  step->guess_after = argmax (self->step_a[L - 1], n_out);
  step->output_before = self->a[L - 1];
  step->output_after = self->step_a[L - 1];
  return true;
}

bool
bp_trace_restore (const BpTrace *self,
                  BpNetwork     *net,
                  BpError       *error)
{
  if (!same_arch (self, net, error))
    return false;
  memcpy (net->params, self->net->params, net->n_params * sizeof (float));
  return true;
}
