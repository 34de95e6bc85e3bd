/* bp-settings.c — the training settings a session is remembered by between launches
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-settings.h"

#include <glib/gi18n.h>

/* The layer list as the "layers" key keeps it: network2.py's sizes ("784,30,10") when they say
 * it all, as every version has written, and the layer list's text form otherwise. */
static void
format_layers (const BpArch *arch,
               char         *buf,
               size_t        buf_size)
{
  if (bp_arch_is_plain (arch))
    bp_arch_format_sizes (arch, ',', buf, buf_size);
  else
    bp_arch_format (arch, buf, buf_size);
}

void
bp_settings_save_training (GSettings *settings,
                           BpSession *session)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  BpRun run;
  char layers[512];

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (BP_IS_SESSION (session));

  bp_session_get_run (session, &run);
  format_layers (&run.arch, layers, sizeof layers);
  g_settings_set_string (settings, "layers", layers);
  g_settings_set_string (settings, "activation",
                         bp_activation_to_string (bp_arch_get_activation (&run.arch)));
  g_settings_set_string (settings, "output", bp_output_to_string (run.arch.output));
  g_settings_set_string (settings, "cost", bp_cost_to_string (run.arch.cost));

  /* Every setting of the run with a key, by its type: d, u (a size beyond it is cut), t, s. */
  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];
      const char *key = field->settings_key;

      if (key == NULL)
        continue;
      switch (field->type)
        {
        case BP_RUN_FLOAT:
          g_settings_set_double (settings, key, bp_run_field_get_number (&run, field));
          break;
        case BP_RUN_SIZE:
        case BP_RUN_UINT:
          g_settings_set_uint (settings, key,
                               (guint) MIN (bp_run_field_get_uint (&run, field), G_MAXUINT));
          break;
        case BP_RUN_UINT64:
          g_settings_set_uint64 (settings, key, bp_run_field_get_uint (&run, field));
          break;
        case BP_RUN_ENUM:
        default:
          {
            char name[64];

            bp_run_field_format (&run, field, name, sizeof name);
            g_settings_set_string (settings, key, name);
          }
          break;
        }
    }
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

/* Read @field from its key into @run. An unknown name keeps the value and is noted. */
static void
read_field (GSettings        *settings,
            const BpRunField *field,
            BpRun            *run,
            GError          **error)
{
  const char *key = field->settings_key;

  switch (field->type)
    {
    case BP_RUN_FLOAT:
      bp_run_field_set_number (run, field, g_settings_get_double (settings, key));
      break;
    case BP_RUN_SIZE:
    case BP_RUN_UINT:
      bp_run_field_set_uint (run, field, g_settings_get_uint (settings, key));
      break;
    case BP_RUN_UINT64:
      bp_run_field_set_uint (run, field, g_settings_get_uint64 (settings, key));
      break;
    case BP_RUN_ENUM:
    default:
      {
        g_autofree char *name = g_settings_get_string (settings, key);

        if (!bp_run_field_parse (run, field, name, NULL))
          note_error (error, key, _("unknown value"));
      }
      break;
    }
}

gboolean
bp_settings_restore_training (GSettings  *settings,
                              BpSession  *session,
                              GError    **error)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GError) enum_error = NULL;
  g_autofree char *layers = NULL;
  BpError engine_error = { 0 };
  BpActivation activation;
  BpOutput output;
  BpRun run, old;

  g_return_val_if_fail (G_IS_SETTINGS (settings), FALSE);
  g_return_val_if_fail (BP_IS_SESSION (session), FALSE);

  bp_session_get_run (session, &old);
  run = old;

  /* The network: the activation its layers take unless they say otherwise, the output layer,
   * the cost, and the layer list, in either of its forms. */
  activation = bp_arch_get_activation (&run.arch);
  output = run.arch.output;
  READ_ENUM (settings, "activation", bp_activation_from_string, activation, &enum_error);
  READ_ENUM (settings, "output", bp_output_from_string, output, &enum_error);
  READ_ENUM (settings, "cost", bp_cost_from_string, run.arch.cost, &enum_error);
  layers = g_settings_get_string (settings, "layers");
  if (!bp_arch_parse_any (layers, activation, output, &run.arch, &engine_error))
    {
      note_error (&local_error, "layers", engine_error.message);
      bp_arch_set_activation (&run.arch, activation);
      run.arch.output = output;
    }
  if (enum_error != NULL && local_error == NULL)
    g_propagate_error (&local_error, g_steal_pointer (&enum_error));

  /* Every other setting with a key. A live one out of range keeps the session's value; the
   * others are judged with the network below. */
  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];

      if (field->settings_key == NULL)
        continue;
      read_field (settings, field, &run, &local_error);
      if (field->live && !bp_run_field_check (&run, field, &engine_error))
        {
          note_error (&local_error, NULL, engine_error.message);
          bp_run_field_copy (&run, &old, field);
        }
    }

  /* A network that does not hold together (a cost without its output layer, a shape the data
   * cannot feed) is dropped whole: half of it would be a network nobody chose. */
  {
    g_autoptr(GError) run_error = NULL;

    if (!bp_session_check_run (session, &run, &run_error))
      {
        BpRun live = run;

        note_error (&local_error, NULL, run_error->message);
        run = old;
        run.hyper = live.hyper;
        run.epochs = live.epochs;
      }
  }
  if (!bp_run_same_network (&run, &old))
    bp_session_reset (session, &run);

  {
    g_autoptr(GError) hyper_error = NULL;

    if (!bp_session_set_hyperparams (session, &run.hyper, &hyper_error))
      note_error (&local_error, NULL, hyper_error->message);
  }
  bp_session_set_epochs (session, run.epochs);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
