/* bp-learning-speed.c — chapter 5's speed of learning of each hidden layer
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-learning-speed.h"

#include <math.h>
#include <stdlib.h>

/* Examples per forward pass: large enough for the fast kernels to reach their speed. */
#define BATCH 100

size_t
bp_learning_speed_count (const BpNetwork *net)
{
  return net->arch.n_layers - 1;
}

bool
bp_learning_speed_measure (const BpNetwork *net,
                           const BpDataset *data,
                           size_t           n_examples,
                           double          *speed,
                           size_t          *n_speeds,
                           BpError         *error)
{
  size_t n_hidden = bp_learning_speed_count (net);
  size_t units = 0, batch, n;
  BpWorkspace *ws = NULL;
  size_t *idx = NULL;
  float *x = NULL;
  double *sum = NULL;
  float *grad;
  bool ok = false;

  if (n_speeds != NULL)
    *n_speeds = n_hidden;
  if (data == NULL || data->n == 0)
    return bp_error_set (error, BP_ERROR_INVALID, "no training images to measure the speed of "
                         "learning on");
  if (data->n_pixels != net->n_inputs)
    return bp_error_set (error, BP_ERROR_INVALID, "the images have %zu pixels but the network "
                         "has %zu inputs", data->n_pixels, net->n_inputs);
  if (data->n_classes > net->n_outputs)
    return bp_error_set (error, BP_ERROR_INVALID, "the data has %zu classes but the network "
                         "only %zu outputs", data->n_classes, net->n_outputs);
  if (n_hidden == 0)
    return true;

  n = n_examples == 0 ? BP_LEARNING_SPEED_EXAMPLES : n_examples;
  n = n < data->n ? n : data->n;
  batch = n < BATCH ? n : BATCH;
  for (size_t i = 0; i < n_hidden; i++)
    units += net->layers[i].n_biases;

  ws = bp_workspace_new (net, batch, error);
  if (ws == NULL)
    return false;
  idx = malloc (batch * sizeof *idx);
  x = malloc (batch * data->n_pixels * sizeof *x);
  sum = calloc (units, sizeof *sum);
  if (idx == NULL || x == NULL || sum == NULL)
    {
      bp_error_set (error, BP_ERROR_NOMEM, "not enough memory to measure the speed of learning");
      goto out;
    }
  grad = bp_workspace_gradient (ws);

  for (size_t first = 0; first < n; first += batch)
    {
      size_t m = n - first < batch ? n - first : batch;
      double *s = sum;

      for (size_t i = 0; i < m; i++)
        idx[i] = first + i;
      bp_dataset_gather (data, idx, m, x);
      bp_network_forward (net, ws, x, m, BP_KERNEL_FAST);
      bp_network_backward_biases (net, ws, data->labels + first, m, grad);
      for (size_t l = 0; l < n_hidden; l++)
        {
          const float *gb = grad + net->layers[l].b_offset;

          for (size_t j = 0; j < net->layers[l].n_biases; j++)
            s[j] += gb[j];
          s += net->layers[l].n_biases;
        }
    }

  {
    const double *s = sum;

    for (size_t l = 0; l < n_hidden; l++)
      {
        double norm2 = 0.0;

        for (size_t j = 0; j < net->layers[l].n_biases; j++)
          {
            double mean = s[j] / (double) n;

            norm2 += mean * mean;
          }
        speed[l] = sqrt (norm2);
        s += net->layers[l].n_biases;
      }
  }
  ok = true;

out:
  bp_workspace_free (ws);
  free (idx);
  free (x);
  free (sum);
  return ok;
}
