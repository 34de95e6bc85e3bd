/* bp-cli-eval.c — `backprop-cli eval`: test accuracy and confusion matrix of a saved model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-cli-private.h"

#include <stdio.h>
#include <stdlib.h>

#include "bp-digit-folder.h"
#include "bp-metrics.h"
#include "bp-model-io.h"
#include "bp-pool.h"

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

/* A model that fits the test set, or a failure printed with its path. */
static BpNetwork *
load_fitting (const char      *path,
              const BpDataset *test,
              BpModelInfo     *info)
{
  BpError error = { 0 };
  BpNetwork *net = bp_model_load (path, info, &error);

  if (net == NULL)
    {
      bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
      return NULL;
    }
  if (net->n_inputs != test->n_pixels)
    bp_cli_fail (BP_CLI_EXIT_FAILURE,
                 "%s: the model takes %zu inputs but the test images have %zu pixels",
                 path, net->n_inputs, test->n_pixels);
  else if (net->n_outputs < test->n_classes)
    bp_cli_fail (BP_CLI_EXIT_FAILURE,
                 "%s: the model has %zu outputs but the test labels have %zu classes",
                 path, net->n_outputs, test->n_classes);
  else
    return net;
  bp_network_free (net);
  return NULL;
}

/* Several models: each one's accuracy, then their plurality vote's (conv.py's ensemble()), with
 * the vote's confusion matrix. */
static int
eval_ensemble (char **paths,
               const BpDataset *test)
{
  size_t n_models = g_strv_length (paths);
  size_t n = test->n, k = test->n_classes;
  g_autofree uint8_t **predicted = g_new0 (uint8_t *, n_models);
  g_autofree size_t *confusion = g_new0 (size_t, k * k);
  BpEvaluation evaluation = { 0 };
  size_t correct = 0;
  int status = BP_CLI_EXIT_FAILURE;

  for (size_t m = 0; m < n_models; m++)
    {
      BpModelInfo info = { 0 };
      BpNetwork *net = load_fitting (paths[m], test, &info);
      BpError error = { 0 };
      size_t right = 0;

      bp_model_info_clear (&info);
      if (net == NULL)
        goto out;
      predicted[m] = g_malloc (n);
      if (!bp_predict_classes (net, test, bp_pool_default_threads (), predicted[m], &error))
        {
          bp_network_free (net);
          bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
          goto out;
        }
      bp_network_free (net);
      for (size_t i = 0; i < n; i++)
        right += predicted[m][i] == test->labels[i];
      printf ("model %zu test_acc %.4f %s\n", m + 1, (double) right / (double) n, paths[m]);
    }

  for (size_t i = 0; i < n; i++)
    {
      size_t vote = bp_plurality_vote ((const uint8_t *const *) predicted, n_models, k, i);

      correct += vote == test->labels[i];
      if (test->labels[i] < k && vote < k)
        confusion[test->labels[i] * k + vote]++;
    }
  printf ("test_acc %.4f\n", n > 0 ? (double) correct / (double) n : 0.0);
  evaluation.confusion = confusion;
  evaluation.n_classes = k;
  print_confusion (&evaluation);
  printf ("note: the plurality vote of %zu models, a tie going to the smallest class as in "
          "conv.py's ensemble()\n", n_models);
  status = bp_cli_flush_stdout () ? BP_CLI_EXIT_OK : BP_CLI_EXIT_FAILURE;

out:
  for (size_t m = 0; m < n_models; m++)
    g_free (predicted[m]);
  return status;
}

/* `eval --data DIR`: the model (the embedded one without --model) on a folder of pictures. */
static int
eval_folder (const char *model_path,
             const char *dir)
{
  g_autoptr(BpDigitFolder) folder = NULL;
  g_autoptr(GError) gerror = NULL;
  BpEvaluation evaluation = { 0 };
  BpError error = { 0 };
  const char *name = NULL;
  BpNetwork *net;
  int status = BP_CLI_EXIT_FAILURE;

  net = bp_cli_load_model (model_path, NULL, &name);
  if (net == NULL)
    return BP_CLI_EXIT_FAILURE;
  folder = bp_digit_folder_load (dir, &gerror);
  if (folder == NULL)
    {
      bp_network_free (net);
      return bp_cli_fail (BP_CLI_EXIT_FAILURE, "--data: %s", gerror->message);
    }
  for (guint i = 0; i < folder->warnings->len; i++)
    bp_cli_note ("%s", (const char *) folder->warnings->pdata[i]);

  if (net->n_inputs != folder->set->n_pixels || net->n_outputs < 10)
    status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s: the model takes %zu inputs and has %zu "
                          "outputs, but pictures become 28×28 digits", name, net->n_inputs,
                          net->n_outputs);
  else if (!bp_evaluate (net, folder->set, 0.0f, 0.0f, 1, true, &evaluation, &error))
    status = bp_cli_fail (BP_CLI_EXIT_FAILURE, "%s", error.message);
  else
    {
      size_t k = evaluation.n_classes;

      printf ("data_acc %.4f n %zu skipped %u\n", evaluation.accuracy, folder->set->n,
              folder->warnings->len);
      /* Per digit: how many pictures and how many the model read right. */
      for (size_t t = 0; t < 10; t++)
        {
          size_t n = 0;

          for (size_t p = 0; p < k; p++)
            n += evaluation.confusion[t * k + p];
          printf ("digit %zu n %zu correct %zu\n", t, n, evaluation.confusion[t * k + t]);
        }
      print_confusion (&evaluation);
      status = bp_cli_flush_stdout () ? BP_CLI_EXIT_OK : BP_CLI_EXIT_FAILURE;
    }

  bp_evaluation_clear (&evaluation);
  bp_network_free (net);
  return status;
}

int
bp_cli_eval (int    argc,
             char **argv)
{
  g_auto (GStrv) model_paths = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *folder_dir = NULL;
  g_autoptr(GOptionContext) context = NULL;
  const char *model_path;
  BpModelInfo info = { 0 };
  BpEvaluation evaluation = { 0 };
  BpNetwork *net = NULL;
  BpMnist mnist = { 0 };
  BpError error = { 0 };
  char extensions[256];
  const char *described;
  int status = BP_CLI_EXIT_FAILURE;
  const GOptionEntry entries[] = {
    { "model", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &model_paths,
      "The model file to evaluate (ours or network2.py's JSON); several: their plurality vote",
      "FILE" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Folder of the MNIST IDX files", "DIR" },
    { "data", 0, 0, G_OPTION_ARG_FILENAME, &folder_dir,
      "Evaluate on the PNG pictures of DIR/0/ … DIR/9/ (My Digits' folder) instead of MNIST's "
      "test set; without --model, the embedded model", "DIR" },
    { NULL },
  };

  context = g_option_context_new ("— test accuracy and confusion matrix of a model");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "Prints `test_acc A` (a fraction of the 10,000 test images), then the confusion matrix: a\n"
    "header line of predicted labels and one row per true label.\n"
    "With --model given several times, first `model I test_acc A FILE` for each, then the\n"
    "accuracy and confusion matrix of their plurality vote (chapter 6's ensemble: the class\n"
    "most models predict, a tie going to the smallest class, as conv.py does it).\n"
    "With --data DIR: `data_acc A n N skipped K` (K unusable pictures, each named on stderr),\n"
    "then `digit D n N correct C` for each digit, then the confusion matrix.");

  if (!bp_cli_parse_options (context, &argc, &argv))
    return BP_CLI_EXIT_USAGE;
  if (folder_dir != NULL && data_dir != NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "--data and --data-dir do not go together: --data "
                        "evaluates on a folder of pictures instead of MNIST");
  if (folder_dir != NULL && model_paths != NULL && model_paths[0] != NULL && model_paths[1] != NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "--data evaluates one model; give --model once");
  if (folder_dir != NULL)
    return eval_folder (model_paths != NULL ? model_paths[0] : NULL, folder_dir);
  if (model_paths == NULL || model_paths[0] == NULL)
    return bp_cli_fail (BP_CLI_EXIT_USAGE, "--model FILE is required (see `%s --help`)",
                        g_get_prgname ());
  model_path = model_paths[0];

  if (model_paths[1] != NULL)
    {
      if (!bp_cli_load_mnist (&mnist, data_dir, 0))
        return BP_CLI_EXIT_FAILURE;
      status = eval_ensemble (model_paths, mnist.test);
      bp_mnist_clear (&mnist);
      return status;
    }

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
