/* bp-cli-export.c — `backprop-cli export`: a model as ONNX, for Netron, ONNX Runtime and PyTorch
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <stdio.h>

#include "bp-onnx.h"

int
bp_cli_export (int    argc,
               char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *onnx_path = NULL;
  g_autoptr(GOptionContext) context = NULL;
  BpModelInfo info = { 0 };
  BpError error = { 0 };
  BpNetwork *net;
  const char *model_name = NULL;
  char layers[BP_MAX_LAYERS * 32];
  int status = BP_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      "The model file (ours or network2.py's JSON); default: the embedded model", "FILE" },
    { "onnx", 0, 0, G_OPTION_ARG_FILENAME, &onnx_path,
      "Write the model as ONNX to OUT (replaced if it exists)", "OUT" },
    { NULL },
  };

  context = g_option_context_new ("— write a model as ONNX");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The ONNX graph (opset 13) takes \"input\", float32 [N, 1, 28, 28]: pixels in [0, 1], light\n"
    "ink on dark, as MNIST's bytes divided by 255. It gives \"output\", float32 [N, 10]: what\n"
    "`backprop-cli classify` prints (softmax probabilities, or the sigmoid activations). Only\n"
    "inference is exported: no dropout, no training state. The file is written to a temporary\n"
    "file beside OUT and renamed over it, so a failed export leaves OUT as it was.\n"
    "Exit codes: 0 exported, 1 the model could not be read or written, 2 usage error.");

  if (!bp_cli_parse_options (context, &argc, &argv))
    return BP_CLI_EXIT_USAGE;
  if (onnx_path == NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "--onnx OUT is required (see `%s --help`)",
                        g_get_prgname ());

  net = bp_cli_load_model (model_path, &info, &model_name);
  if (net == NULL)
    return BP_CLI_EXIT_FAILURE;

  if (!bp_onnx_save (net, &info, onnx_path, &error))
    status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
  else
    {
      /* A conv net by its layer list, as --net takes it: its sizes (784-11520-2880-…) say
       * little. */
      if (bp_arch_has_maps (&net->arch))
        bp_arch_format (&net->arch, layers, sizeof layers);
      else
        bp_arch_format_sizes (&net->arch, '-', layers, sizeof layers);
      bp_cli_note ("wrote %s: %s (%s) as ONNX", onnx_path, model_name, layers);
    }

  bp_model_info_clear (&info);
  bp_network_free (net);
  return status;
}
