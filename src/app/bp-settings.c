/* bp-settings.c — the training settings a session is remembered by between launches
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-settings.h"

#include <glib/gi18n.h>

void
bp_settings_save_training (GSettings *settings,
                           BpSession *session)
{
  BpSessionSetup setup;
  BpHyperparams hyper;
  char layers[256];

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (BP_IS_SESSION (session));

  bp_session_get_setup (session, &setup);
  bp_session_get_hyperparams (session, &hyper);
  bp_format_layers (setup.sizes, setup.n_layers, ',', layers, sizeof layers);

  g_settings_set_string (settings, "layers", layers);
  g_settings_set_string (settings, "activation", bp_activation_to_string (setup.activation));
  g_settings_set_string (settings, "output", bp_output_to_string (setup.output));
  g_settings_set_string (settings, "cost", bp_cost_to_string (setup.cost));
  g_settings_set_string (settings, "init", bp_init_to_string (setup.init));
  g_settings_set_uint64 (settings, "seed", setup.seed);
  g_settings_set_uint (settings, "train-size", (guint) MIN (setup.train_size, G_MAXUINT));
  g_settings_set_string (settings, "expand", bp_expand_to_string (setup.expand));
  g_settings_set_uint (settings, "early-stop", setup.early_stop);
  g_settings_set_uint (settings, "schedule", setup.schedule);
  g_settings_set_double (settings, "eta", hyper.eta);
  g_settings_set_double (settings, "lambda", hyper.lambda_l2);
  g_settings_set_double (settings, "lambda-l1", hyper.lambda_l1);
  g_settings_set_double (settings, "momentum", hyper.momentum);
  g_settings_set_double (settings, "dropout", hyper.dropout);
  g_settings_set_uint (settings, "batch-size", (guint) MIN (hyper.batch_size, G_MAXUINT));
  g_settings_set_uint (settings, "epochs", bp_session_get_epochs (session));
}

/* Collect the first problem only: one is enough to say the stored settings were not all used.
 * @key NULL: @message names the setting itself. */
static void
note_error (GError     **error,
            const char  *key,
            const char  *message)
{
  if (error == NULL || *error != NULL)
    return;
  if (key == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
      return;
    }
  /* Translators: a GSettings key, then what is wrong with its stored value. */
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Setting “%s”: %s"), key, message);
}

/* The enumerations the schema restricts with <choices>: a value could still be one a newer
 * version wrote, so an unknown name keeps the current value. */
#define READ_ENUM(settings, key, from_string, field, error)                                     \
  G_STMT_START                                                                                  \
  {                                                                                             \
    g_autofree char *name_ = g_settings_get_string ((settings), (key));                        \
    __typeof__ (field) value_;                                                                  \
    if (from_string (name_, &value_))                                                           \
      (field) = value_;                                                                         \
    else                                                                                        \
      note_error ((error), (key), _("unknown value"));                                          \
  }                                                                                             \
  G_STMT_END

gboolean
bp_settings_restore_training (GSettings  *settings,
                              BpSession  *session,
                              GError    **error)
{
  BpSessionSetup setup, old_setup;
  BpHyperparams hyper, old_hyper;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *layers = NULL;
  BpError engine_error = { 0 };
  guint epochs;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (BP_IS_SESSION (session), FALSE);

  bp_session_get_setup (session, &old_setup);
  bp_session_get_hyperparams (session, &old_hyper);
  setup = old_setup;
  hyper = old_hyper;

  layers = g_settings_get_string (settings, "layers");
  if (!bp_parse_layers (layers, setup.sizes, &setup.n_layers, &engine_error))
    {
      note_error (&local_error, "layers", engine_error.message);
      memcpy (setup.sizes, old_setup.sizes, sizeof setup.sizes);
      setup.n_layers = old_setup.n_layers;
    }
  READ_ENUM (settings, "activation", bp_activation_from_string, setup.activation, &local_error);
  READ_ENUM (settings, "output", bp_output_from_string, setup.output, &local_error);
  READ_ENUM (settings, "cost", bp_cost_from_string, setup.cost, &local_error);
  READ_ENUM (settings, "init", bp_init_from_string, setup.init, &local_error);
  READ_ENUM (settings, "expand", bp_expand_from_string, setup.expand, &local_error);
  setup.seed = g_settings_get_uint64 (settings, "seed");
  setup.train_size = g_settings_get_uint (settings, "train-size");
  setup.early_stop = g_settings_get_uint (settings, "early-stop");
  setup.schedule = g_settings_get_uint (settings, "schedule");

  /* A setup that does not hold together (a cost without its output layer, a shape the data
   * cannot feed) is dropped whole: half of it would be a network nobody chose. */
  {
    g_autoptr(GError) setup_error = NULL;

    if (!bp_session_check_setup (session, &setup, &setup_error))
      {
        note_error (&local_error, NULL, setup_error->message);
        setup = old_setup;
      }
  }
  if (!bp_session_setup_equal (&setup, &old_setup))
    bp_session_reset (session, &setup);

  hyper.eta = (float) g_settings_get_double (settings, "eta");
  hyper.lambda_l2 = (float) g_settings_get_double (settings, "lambda");
  hyper.lambda_l1 = (float) g_settings_get_double (settings, "lambda-l1");
  hyper.momentum = (float) g_settings_get_double (settings, "momentum");
  hyper.dropout = (float) g_settings_get_double (settings, "dropout");
  hyper.batch_size = g_settings_get_uint (settings, "batch-size");
  {
    g_autoptr(GError) hyper_error = NULL;

    if (!bp_session_set_hyperparams (session, &hyper, &hyper_error))
      note_error (&local_error, NULL, hyper_error->message);
  }

  epochs = g_settings_get_uint (settings, "epochs");
  if (epochs >= 1 && epochs <= 100000)
    bp_session_set_epochs (session, epochs);
  else
    note_error (&local_error, "epochs", _("out of range (1 to 100,000)"));

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
