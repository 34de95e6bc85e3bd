/* bp-model-tool.c — the C side of the network2.py interop test: write random models, predict
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bp-model-tool random SIZES COST OUT.json [SEED]
 *       a network of SIZES ("784,30,10") with COST ("quadratic", "cross-entropy" or
 *       "log-likelihood", which takes a softmax output), sigmoid hidden layers and network2.py's
 *       default initialiser drawn from SEED (1 if left out), saved with bp_model_save().
 *   bp-model-tool predict MODEL.json
 *       loads MODEL.json with bp_model_load() and prints bp_network_predict() for 5 fixed inputs,
 *       one line each: input k has x_i = ((37 i + 11 k) mod 32) / 32, values exact in float and
 *       double, so tests/network2_interop.py can feed network2.py the very same numbers.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-model-io.h"

#define N_PROBES 5

static int
usage (void)
{
  fprintf (stderr,
           "usage: bp-model-tool random SIZES COST OUT.json [SEED]\n"
           "       bp-model-tool predict MODEL.json\n");
  return 2;
}

static int
cmd_random (const char *layers,
            const char *cost_name,
            const char *path,
            const char *seed_text)
{
  size_t sizes[BP_MAX_LAYERS], n_layers;
  BpNetwork *net;
  BpError error;
  BpCost cost;
  BpRng rng;
  char *end;
  unsigned long long seed = 1;
  bool ok;

  bp_error_clear (&error);
  if (!bp_parse_layers (layers, sizes, &n_layers, &error))
    {
      fprintf (stderr, "bp-model-tool: %s\n", error.message);
      return 1;
    }
  if (!bp_cost_from_string (cost_name, &cost))
    {
      fprintf (stderr, "bp-model-tool: unknown cost %s\n", cost_name);
      return 1;
    }
  if (seed_text != NULL)
    {
      seed = strtoull (seed_text, &end, 10);
      if (*seed_text == '\0' || *end != '\0')
        {
          fprintf (stderr, "bp-model-tool: bad seed %s\n", seed_text);
          return 1;
        }
    }

  net = bp_network_new_dense (sizes, n_layers, BP_ACTIVATION_SIGMOID,
                              cost == BP_COST_LOG_LIKELIHOOD ? BP_OUTPUT_SOFTMAX : BP_OUTPUT_SIGMOID,
                              cost, &error);
  if (net == NULL)
    {
      fprintf (stderr, "bp-model-tool: %s\n", error.message);
      return 1;
    }
  bp_rng_seed (&rng, seed, BP_RNG_STREAM_INIT);
  bp_network_init (net, BP_INIT_DEFAULT, &rng);

  ok = bp_model_save (net, NULL, path, &error);
  bp_network_free (net);
  if (!ok)
    {
      fprintf (stderr, "bp-model-tool: %s\n", error.message);
      return 1;
    }
  return 0;
}

static int
cmd_predict (const char *path)
{
  BpNetwork *net;
  BpError error;
  float *x, *out, *scratch;
  size_t n_in, n_out;

  bp_error_clear (&error);
  net = bp_model_load (path, NULL, &error);
  if (net == NULL)
    {
      fprintf (stderr, "bp-model-tool: %s\n", error.message);
      return 1;
    }

  n_in = net->n_inputs;
  n_out = net->n_outputs;
  x = calloc (n_in, sizeof *x);
  out = calloc (n_out, sizeof *out);
  scratch = calloc (bp_network_scratch_size (net), sizeof *scratch);
  if (x == NULL || out == NULL || scratch == NULL)
    {
      fprintf (stderr, "bp-model-tool: out of memory\n");
      return 1;
    }

  for (size_t k = 0; k < N_PROBES; k++)
    {
      for (size_t i = 0; i < n_in; i++)
        x[i] = (float) ((37 * i + 11 * k) % 32) / 32.0f;
      bp_network_predict (net, x, out, scratch);
      for (size_t j = 0; j < n_out; j++)
        printf ("%s%.9g", j > 0 ? " " : "", (double) out[j]);
      printf ("\n");
    }

  free (x);
  free (out);
  free (scratch);
  bp_network_free (net);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  if (argc >= 5 && argc <= 6 && strcmp (argv[1], "random") == 0)
    return cmd_random (argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
  if (argc == 3 && strcmp (argv[1], "predict") == 0)
    return cmd_predict (argv[2]);
  return usage ();
}
