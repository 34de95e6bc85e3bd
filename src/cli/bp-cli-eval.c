/* bp-cli-eval.c — `backprop-cli eval`: test accuracy and confusion matrix of a saved model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <stdio.h>
#include <stdlib.h>

#include "bp-metrics.h"
#include "bp-model-io.h"

/* The matrix as a header line and one row per true label, every column as wide as the largest
 * count, so that it lines up in a terminal and splits on blanks in a script. */
static void
print_confusion (const BpEvaluation *evaluation)
{
  size_t k = evaluation->n_classes;
  size_t largest = 0;
  int width;

  for (size_t i = 0; i < k * k; i++)
    if (evaluation->confusion[i] > largest)
      largest = evaluation->confusion[i];
  width = (int) g_snprintf (NULL, 0, "%zu", largest);
  if (width < 4)
    width = 4;

  printf ("true\\pred");
  for (size_t p = 0; p < k; p++)
    printf (" %*zu", width, p);
  printf ("\n");

  for (size_t t = 0; t < k; t++)
    {
      printf ("%9zu", t);
      for (size_t p = 0; p < k; p++)
        printf (" %*zu", width, evaluation->confusion[t * k + p]);
      printf ("\n");
    }
}

int
bp_cli_eval (int    argc,
             char **argv)
{
  g_autofree char *model_path = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr(GOptionContext) context = NULL;
  BpModelInfo info = { 0 };
  BpEvaluation evaluation = { 0 };
  BpNetwork *net = NULL;
  BpMnist mnist = { 0 };
  BpError error = { 0 };
  char extensions[256];
  const char *described;
  int status = BP_CLI_EXIT_FAILURE;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_path,
      "The model file to evaluate (ours or network2.py's JSON)", "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Folder of the MNIST IDX files", "DIR" },
    { NULL },
  };

  context = g_option_context_new ("— test accuracy and confusion matrix of a model");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Prints `test_acc A` (a fraction of the 10,000 test images), then the confusion matrix: a\n"
    "header line of predicted labels and one row per true label.");

  if (!bp_cli_parse_options (context, &argc, &argv))
    return BP_CLI_EXIT_USAGE;
  if (model_path == NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "--model FILE is required (see `%s --help`)",
                        g_get_prgname ());

  net = bp_model_load (model_path, &info, &error);
  if (net == NULL)
    return bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);

  if (!bp_cli_load_mnist (&mnist, data_dir, 0))
    goto out;

  if (net->n_inputs != mnist.test->n_pixels)
    {
      status = bp_cli_fail (BP_CLI_EXIT_FAILURE,
                            "%s: the model takes %zu inputs but the test images have %zu pixels",
                            model_path, net->n_inputs, mnist.test->n_pixels);
      goto out;
    }
  if (net->n_outputs < mnist.test->n_classes)
    {
      status = bp_cli_fail (BP_CLI_EXIT_FAILURE,
                            "%s: the model has %zu outputs but the test labels have %zu classes",
                            model_path, net->n_outputs, mnist.test->n_classes);
      goto out;
    }

  if (!bp_evaluate (net, mnist.test, 0.0f, 0.0f, mnist.train->n, true, &evaluation, &error))
    {
      status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
      goto out;
    }

  printf ("test_acc %.4f\n", evaluation.accuracy);
  print_confusion (&evaluation);

  described = bp_model_describe_extensions (net, extensions, sizeof extensions);
  if (described != NULL)
    printf ("note: this model uses features network2.py cannot represent: %s\n", described);
  /* The results must reach their file: a full disk or a closed pipe is a failure. */
  status = bp_cli_flush_stdout () ? BP_CLI_EXIT_OK : BP_CLI_EXIT_FAILURE;

out:
  bp_evaluation_clear (&evaluation);
  bp_mnist_clear (&mnist);
  bp_model_info_clear (&info);
  if (net != NULL)
    bp_network_free (net);

  return status;
}
