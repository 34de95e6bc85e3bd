/* bp-session-tool.c — the C side of network2_interop.py's session-file checks: write a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bp-session-tool write OUT.backprop SIDE HIDDEN EPOCHS
 *       a session on 200 synthetic SIDE×SIDE images of 10 classes, whose SIDE²-HIDDEN-10 network
 *       (cross-entropy cost, momentum 0.5) trains EPOCHS epochs, with one pinned run, saved with
 *       bp_session_file_write(); prints the number of epochs saved.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "bp-session.h"
#include "bp-session-io.h"
#include "bp-test-data.h"

#define N_CLASSES 10

static void
wait_idle (BpSession *session)
{
  while (bp_session_get_busy (session))
    g_main_context_iteration (NULL, TRUE);
}

static int
cmd_write (const char *path,
           size_t      side,
           size_t      hidden,
           guint       epochs)
{
  g_autoptr(BpSession) session = bp_session_new ();
  g_autoptr(BpSessionPlots) plots = bp_session_plots_new ();
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GError) error = NULL;
  BpSessionPin *pin = bp_session_pin_new ("a pinned run");
  BpSessionPoint point = { 1.0, 0.5 };
  const size_t sizes[] = { side * side, hidden, N_CLASSES };
  BpRun setup;
  BpHyperparams hyper;

  bp_run_init (&setup);
  bp_arch_from_sizes (&setup.arch, sizes, 3, BP_ACTIVATION_SIGMOID, BP_OUTPUT_SIGMOID,
                      BP_COST_CROSS_ENTROPY, NULL);
  setup.init = BP_INIT_DEFAULT;
  bp_session_reset (session, &setup);
  bp_session_set_datasets (session, bp_test_dataset_new (200, side, N_CLASSES, 1, FALSE),
                           bp_test_dataset_new (50, side, N_CLASSES, 2, FALSE),
                           bp_test_dataset_new (50, side, N_CLASSES, 3, FALSE));
  bp_session_get_hyperparams (session, &hyper);
  hyper.eta = 0.5f;
  hyper.momentum = 0.5f;
  if (!bp_session_set_hyperparams (session, &hyper, &error))
    {
      fprintf (stderr, "bp-session-tool: %s\n", error->message);
      return 1;
    }
  bp_session_set_epochs (session, epochs);
  wait_idle (session);
  bp_session_start (session);
  wait_idle (session);

  g_array_append_val (pin->accuracy[1], point);
  g_ptr_array_add (plots->pins, pin);
  if (!bp_session_file_write (session, plots, file, &error))
    {
      fprintf (stderr, "bp-session-tool: %s\n", error->message);
      return 1;
    }
  printf ("%u\n", bp_session_get_epoch (session));
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "write"))
    return cmd_write (argv[2], (size_t) atoi (argv[3]), (size_t) atoi (argv[4]),
                      (guint) atoi (argv[5]));
  fprintf (stderr, "usage: bp-session-tool write OUT.backprop SIDE HIDDEN EPOCHS\n");
  return 2;
}
