/* bp-metrics.c — cost, accuracy, confusion matrix and mistakes of a network on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-metrics.h"

#include "bp-pool.h"

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

/* One thread's share of a group of batches: its workspace and buffers. */
typedef struct
{
  BpWorkspace *ws;
  size_t      *idx;
  float       *x;
  const float *out;
  size_t       first, batch;
} Lane;

typedef struct
{
  const BpNetwork *net;
  const BpDataset *data;
  Lane            *lanes;
} Group;

static void
forward_lane_cb (size_t task,
                 size_t thread,
                 void  *user_data)
{
  Group *g = user_data;
  Lane *lane = &g->lanes[task];

  if (lane->batch == 0)
    return;
  for (size_t i = 0; i < lane->batch; i++)
    lane->idx[i] = lane->first + i;
  bp_dataset_gather (g->data, lane->idx, lane->batch, lane->x);
  lane->out = bp_network_forward (g->net, lane->ws, lane->x, lane->batch, BP_KERNEL_FAST);
}

/* Run @net over @data in batches of EVAL_BATCH, calling @visit for each batch after its forward
 * pass, in the order of the data. With @threads > 1, that many batches are computed at once,
 * one per thread, and visited in order afterwards: every batch's numbers are those of one
 * thread, so what the visits add up is the same for any number of threads. */
static bool
for_each_batch (const BpNetwork *net,
                const BpDataset *data,
                size_t           threads,
                VisitFunc        visit,
                void            *user_data,
                BpError         *error)
{
  size_t n_batches = (data->n + EVAL_BATCH - 1) / EVAL_BATCH;
  Lane lanes[BP_POOL_MAX_THREADS] = { { 0 } };
  Group group = { net, data, lanes };
  BpPool *pool = NULL;
  bool ok = true;

  if (data->n_pixels != net->n_inputs)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "the data has %zu pixels per image but the network has %zu inputs",
                         data->n_pixels, net->n_inputs);

  threads = threads < 1 ? 1 : threads;
  threads = threads > n_batches ? (n_batches > 0 ? n_batches : 1) : threads;
  threads = threads > BP_POOL_MAX_THREADS ? BP_POOL_MAX_THREADS : threads;
  for (size_t t = 0; t < threads && ok; t++)
    {
      lanes[t].ws = bp_workspace_new (net, EVAL_BATCH, NULL);
      lanes[t].idx = malloc (EVAL_BATCH * sizeof *lanes[t].idx);
      lanes[t].x = malloc (EVAL_BATCH * data->n_pixels * sizeof *lanes[t].x);
      ok = lanes[t].ws != NULL && lanes[t].idx != NULL && lanes[t].x != NULL;
    }
  if (ok && threads > 1)
    {
      pool = bp_pool_new (threads, NULL);
      if (pool == NULL)
        threads = 1; /* no threads to be had: one does it all */
    }
  if (!ok)
    bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to evaluate the network");

  for (size_t b0 = 0; ok && b0 < n_batches; b0 += threads)
    {
      for (size_t t = 0; t < threads; t++)
        {
          size_t first = (b0 + t) * EVAL_BATCH;

          lanes[t].first = first;
          lanes[t].batch = first < data->n ? (data->n - first < EVAL_BATCH ? data->n - first
                                                                           : EVAL_BATCH)
                                           : 0;
        }
      bp_pool_run (pool, threads, forward_lane_cb, &group);
      for (size_t t = 0; t < threads; t++)
        if (lanes[t].batch > 0)
          visit (net, lanes[t].ws, lanes[t].out, lanes[t].first, lanes[t].batch, user_data);
    }

  bp_pool_free (pool);
  for (size_t t = 0; t < threads; t++)
    {
      bp_workspace_free (lanes[t].ws);
      free (lanes[t].idx);
      free (lanes[t].x);
    }
  return ok;
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
  return bp_evaluate_threads (net, data, lambda_l2, lambda_l1, n_train, want_confusion,
                              bp_pool_default_threads (), out, error);
}

bool
bp_evaluate_threads (const BpNetwork *net,
                     const BpDataset *data,
                     float            lambda_l2,
                     float            lambda_l1,
                     size_t           n_train,
                     bool             want_confusion,
                     size_t           threads,
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

  if (data->n > 0 && !for_each_batch (net, data, threads, evaluate_batch_cb, &st, error))
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
  if (!for_each_batch (net, data, bp_pool_default_threads (), mistakes_batch_cb, &st, error))
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

static void
predict_batch_cb (const BpNetwork   *net,
                  const BpWorkspace *ws,
                  const float       *outputs,
                  size_t             first,
                  size_t             batch,
                  void              *user_data)
{
  uint8_t *predicted = user_data;
  const uint8_t zeros[EVAL_BATCH] = { 0 };

  bp_network_batch_correct (net, ws, zeros, batch, predicted + first);
}

bool
bp_predict_classes (const BpNetwork *net,
                    const BpDataset *data,
                    size_t           threads,
                    uint8_t         *predicted,
                    BpError         *error)
{
  if (data->n == 0)
    return true;
  return for_each_batch (net, data, threads, predict_batch_cb, predicted, error);
}

size_t
bp_plurality_vote (const uint8_t *const *predicted,
                   size_t               n_models,
                   size_t               n_classes,
                   size_t               index)
{
  size_t votes[256] = { 0 };
  size_t best = 0;

  for (size_t m = 0; m < n_models; m++)
    votes[predicted[m][index]]++;
  /* The most votes, the smallest class among a tie: conv.py's Counter(p).most_common(1) under
   * Python 2, whose dict of small integers iterates in their order. */
  for (size_t c = 1; c < n_classes && c < 256; c++)
    if (votes[c] > votes[best])
      best = c;
  return best;
}
