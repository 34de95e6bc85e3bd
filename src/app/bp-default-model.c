/* bp-default-model.c — the network the Draw and Mistakes views ask: the one in training, or the
 * embedded default model
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A fresh network's random weights guess at random, which would make a first visit to the
 * Draw view look broken: until training has begun, the views use the default model, trained by
 * the project's own CLI with the chapter-3 techniques that make drawn digits robust. A network
 * opened from a file (a model, a saved session) has learnt already: the views ask it at once,
 * also in a session without data.
 */
#include "config.h"

#include "bp-default-model.h"

#include <glib/gi18n.h>

#include "bp-model-io.h"
#include "bp-preprocess.h"

#define DEFAULT_MODEL_RESOURCE "/io/github/nndl/Backprop/model/default-model.json"

static BpNetwork *default_model;

const BpNetwork *
bp_default_model_get (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  BpError bp_error = { 0 };
  gsize len = 0;
  const char *data;

  if (default_model != NULL)
    return default_model;

  bytes = g_resources_lookup_data (DEFAULT_MODEL_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  default_model = bp_model_load_from_data (data, len, "the embedded default model", NULL, &bp_error);
  if (default_model == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, bp_error.message);
  return default_model;
}

static gboolean
fits_digits (const BpNetwork *net)
{
  return net->n_inputs == BP_PREPROCESS_N_PIXELS && net->n_outputs >= 10;
}

/* A network's shape as the captions give it: its sizes (784-30-10) for a dense one, its layer
 * list (conv20x5,pool2,…,softmax10) for one with maps, whose sizes say little. */
static void
describe_arch (const BpArch *arch,
               char         *buf,
               size_t        buf_size)
{
  if (bp_arch_has_maps (arch))
    {
      g_autoptr(GString) text = NULL;

      bp_arch_format (arch, buf, buf_size);
      /* A fixed dropout of 0 (network3.py's default) drops nothing: the caption leaves it out. */
      text = g_string_new (buf);
      g_string_replace (text, ":dropout=0,", ",", 0);
      if (g_str_has_suffix (text->str, ":dropout=0"))
        g_string_truncate (text, text->len - strlen (":dropout=0"));
      g_strlcpy (buf, text->str, buf_size);
    }
  else
    bp_arch_format_sizes (arch, '-', buf, buf_size);
}

const BpNetwork *
bp_default_model_choose (BpSession   *session,
                         BpSnapshot **snapshot,
                         char       **description)
{
  g_autoptr(BpSnapshot) latest = NULL;
  g_autoptr(GError) error = NULL;
  const BpNetwork *net;
  char layers[256];

  *snapshot = NULL;
  if (session != NULL
      && (bp_session_get_batches_done (session) > 0 || bp_session_get_network_from_file (session)))
    latest = bp_session_dup_snapshot (session);
  /* Right after a reset the snapshot may still be the old network's. */
  if (latest != NULL && latest->generation == bp_session_get_generation (session)
      && fits_digits (latest->net))
    {
      if (description != NULL)
        {
          describe_arch (&latest->net->arch, layers, sizeof layers);
          if (latest->epoch == 0 && bp_session_get_batches_done (session) == 0)
            /* Translators: the layer sizes of a model opened from a file, not trained since. */
            *description = g_strdup_printf (_("The opened model (%s)"), layers);
          else
            /* Translators: the network's layer sizes and the epochs it has finished. */
            *description = g_strdup_printf (_("The network in training (%s, %u epochs done)"),
                                            layers, latest->epoch);
        }
      *snapshot = g_steal_pointer (&latest);
      return (*snapshot)->net;
    }

  net = bp_default_model_get (&error);
  if (net == NULL)
    {
      g_warning ("%s", error->message);
      if (description != NULL)
        *description = g_strdup (error->message);
      return NULL;
    }
  if (description != NULL)
    {
      describe_arch (&net->arch, layers, sizeof layers);
      *description = g_strdup_printf (_("The built-in model (%s): train a network to use your own"),
                                      layers);
    }
  return net;
}
