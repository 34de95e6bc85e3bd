/* bp-metrics.c — cost, accuracy, confusion matrix and mistakes of a network on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Examples per forward pass when evaluating: big enough for the kernels to run at full speed,
 * small enough that the activations stay in cache. */
#define EVAL_BATCH 256

void
bp_network_weight_norms (const BpNetwork *net,
                         double          *sum_sq,
                         double          *sum_abs)
{
  double sq = 0.0;
  double ab = 0.0;

  for (size_t l = 0; l < net->arch.n_layers; l++)
    {
      const float *w = net->params + net->layers[l].w_offset;
      size_t n = net->layers[l].n_weights;

      for (size_t i = 0; i < n; i++)
        {
          sq += (double) w[i] * w[i];
          ab += fabs ((double) w[i]);
        }
    }
  if (sum_sq != NULL)
    *sum_sq = sq;
  if (sum_abs != NULL)
    *sum_abs = ab;
}

/* Run @net over @data in batches, calling @visit for each batch after its forward pass. */
typedef void (*VisitFunc) (const BpNetwork   *net,
                           const BpWorkspace *ws,
                           const float       *outputs,
                           size_t             first,
                           size_t             batch,
                           void              *user_data);

static bool
for_each_batch (const BpNetwork *net,
                const BpDataset *data,
                VisitFunc        visit,
                void            *user_data,
                BpError         *error)
{
  BpWorkspace *ws;
  size_t *idx;
  float *x;

  if (data->n_pixels != net->n_inputs)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "the data has %zu pixels per image but the network has %zu inputs",
                         data->n_pixels, net->n_inputs);

  ws = bp_workspace_new (net, EVAL_BATCH, error);
  idx = malloc (EVAL_BATCH * sizeof *idx);
  x = malloc (EVAL_BATCH * data->n_pixels * sizeof *x);
  if (ws == NULL || idx == NULL || x == NULL)
    {
      bp_workspace_free (ws);
      free (idx);
      free (x);
      return bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to evaluate the network");
    }

  for (size_t first = 0; first < data->n; first += EVAL_BATCH)
    {
      size_t batch = data->n - first < EVAL_BATCH ? data->n - first : EVAL_BATCH;
      const float *out;

      for (size_t i = 0; i < batch; i++)
        idx[i] = first + i;
      bp_dataset_gather (data, idx, batch, x);
      out = bp_network_forward (net, ws, x, batch, BP_KERNEL_FAST);
      visit (net, ws, out, first, batch, user_data);
    }

  bp_workspace_free (ws);
  free (idx);
  free (x);
  return true;
}

typedef struct
{
  const BpDataset *data;
  double           cost;
  size_t           correct;
  size_t          *confusion;
  size_t           n_out;
} EvalState;

static void
evaluate_batch_cb (const BpNetwork   *net,
                   const BpWorkspace *ws,
                   const float       *outputs,
                   size_t             first,
                   size_t             batch,
                   void              *user_data)
{
  EvalState *st = user_data;
  const uint8_t *labels = st->data->labels + first;
  uint8_t predicted[EVAL_BATCH];

  st->cost += bp_network_batch_cost (net, ws, labels, batch);
  st->correct += bp_network_batch_correct (net, ws, labels, batch, predicted);
  if (st->confusion != NULL)
    for (size_t i = 0; i < batch; i++)
      if (labels[i] < st->n_out)
        st->confusion[labels[i] * st->n_out + predicted[i]]++;
}

bool
bp_evaluate (const BpNetwork *net,
             const BpDataset *data,
             float            lambda_l2,
             float            lambda_l1,
             size_t           n_train,
             bool             want_confusion,
             BpEvaluation    *out,
             BpError         *error)
{
  EvalState st = { data, 0.0, 0, NULL, net->n_outputs };
  double sum_sq, sum_abs;
  double n = (double) (n_train > 0 ? n_train : 1);

  memset (out, 0, sizeof *out);
  if (want_confusion)
    {
      st.confusion = calloc (st.n_out * st.n_out, sizeof (size_t));
      if (st.confusion == NULL)
        return bp_error_set (error, BP_ERROR_NOMEM, "not enough memory for a confusion matrix");
    }

  if (data->n > 0 && !for_each_batch (net, data, evaluate_batch_cb, &st, error))
    {
      free (st.confusion);
      return false;
    }

  bp_network_weight_norms (net, &sum_sq, &sum_abs);
  out->n = data->n;
  out->correct = st.correct;
  out->accuracy = data->n > 0 ? (double) st.correct / (double) data->n : NAN;
  out->cost = data->n > 0 ? st.cost / (double) data->n : NAN;
  out->cost += 0.5 * (lambda_l2 / n) * sum_sq + (lambda_l1 / n) * sum_abs;
  out->confusion = st.confusion;
  out->n_classes = st.n_out;
  return true;
}

void
bp_evaluation_clear (BpEvaluation *evaluation)
{
  free (evaluation->confusion);
  memset (evaluation, 0, sizeof *evaluation);
}

typedef struct
{
  const BpDataset *data;
  BpMistake       *mistakes;
  size_t           n_mistakes;
} MistakeState;

static void
mistakes_batch_cb (const BpNetwork   *net,
                   const BpWorkspace *ws,
                   const float       *outputs,
                   size_t             first,
                   size_t             batch,
                   void              *user_data)
{
  MistakeState *st = user_data;
  size_t n_out = net->n_outputs;
  uint8_t predicted[EVAL_BATCH];

  bp_network_batch_correct (net, ws, st->data->labels + first, batch, predicted);
  for (size_t i = 0; i < batch; i++)
    if (predicted[i] != st->data->labels[first + i])
      {
        BpMistake *m = &st->mistakes[st->n_mistakes++];

        m->index = first + i;
        m->label = st->data->labels[first + i];
        m->predicted = predicted[i];
        m->confidence = outputs[i * n_out + predicted[i]];
      }
}

static int
compare_confidence (const void *a,
                    const void *b)
{
  const BpMistake *ma = a;
  const BpMistake *mb = b;

  if (ma->confidence != mb->confidence)
    return ma->confidence > mb->confidence ? -1 : 1;
  return ma->index < mb->index ? -1 : ma->index > mb->index;
}

size_t
bp_find_mistakes (const BpNetwork *net,
                  const BpDataset *data,
                  BpMistake      **mistakes,
                  BpError         *error)
{
  MistakeState st = { data, NULL, 0 };

  *mistakes = NULL;
  if (data->n == 0)
    return 0;
  st.mistakes = malloc (data->n * sizeof *st.mistakes);
  if (st.mistakes == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to list mistakes");
      return (size_t) -1;
    }
  if (!for_each_batch (net, data, mistakes_batch_cb, &st, error))
    {
      free (st.mistakes);
      return (size_t) -1;
    }
  if (st.n_mistakes == 0)
    {
      free (st.mistakes);
      return 0;
    }
  qsort (st.mistakes, st.n_mistakes, sizeof *st.mistakes, compare_confidence);
  *mistakes = st.mistakes;
  return st.n_mistakes;
}
