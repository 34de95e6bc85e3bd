/* fuzz-model.c — libFuzzer target for the model loader: JSON bytes to a network, or an error
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any input must either load into a network with finite parameters whose extra fields agree
 * with it, or fail with an error that names the input and leaves the info zeroed; nothing may
 * crash, leak, read out of bounds or allocate more than the input justifies. A network that
 * loads is run once, so its layout is used for real. The seed corpus is corpus-model/.
 */
#include "config.h"

#include "bp-model-io.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

#define NAME "fuzz-input"

/* The harness checks invariants; breaking one is a finding, so it aborts. */
static void
check (bool ok)
{
  if (!ok)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  BpModelInfo info, zero;
  BpError error = { 0 };
  BpNetwork *net;
  float *x, *out, *scratch;

  memset (&info, 0xab, sizeof info);
  memset (&zero, 0, sizeof zero);
  net = bp_model_load_from_data ((const char *) data, size, NAME, &info, &error);
  if (net == NULL)
    {
      check (error.code != BP_ERROR_NONE);
      check (strncmp (error.message, NAME, strlen (NAME)) == 0);
      check (memcmp (&info, &zero, sizeof info) == 0);
      return 0;
    }

  check (net->arch.n_layers >= 1 && net->arch.n_layers <= BP_MAX_LAYERS - 1);
  check (bp_network_is_finite (net));
  check ((info.history == NULL) == (info.n_history == 0));

  x = calloc (net->n_inputs, sizeof *x);
  out = calloc (net->n_outputs, sizeof *out);
  scratch = calloc (bp_network_scratch_size (net), sizeof *scratch);
  check (x != NULL && out != NULL && scratch != NULL);
  for (size_t i = 0; i < net->n_inputs; i++)
    x[i] = (float) (i % 2);
  bp_network_predict (net, x, out, scratch);

  free (x);
  free (out);
  free (scratch);
  bp_model_info_clear (&info);
  check (memcmp (&info, &zero, sizeof info) == 0);
  bp_network_free (net);
  return 0;
}
