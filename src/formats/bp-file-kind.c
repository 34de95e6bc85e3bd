/* bp-file-kind.c — what a file handed to the app is: a PNG picture, a model or a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-file-kind.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "bp-file.h"
#include "bp-model-io.h"
#include "bp-png.h"
#include "bp-session-file.h"

static gboolean
starts_with_png_signature (const char *path)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 head[sizeof signature];
  size_t got = 0;
  int fd = bp_file_open_read (path, NULL);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = bp_file_read_fd (fd, head, sizeof head, &got) && got == sizeof head
       && memcmp (head, signature, sizeof head) == 0;
  close (fd);
  return ok;
}

gboolean
bp_file_kind_detect (const char  *path,
                     const char  *name,
                     BpFileKind  *kind,
                     GError     **error_out)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *data = NULL;
  BpError error = { 0 };
  BpNetwork *net;
  JsonNode *root;
  size_t len = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);

  if (starts_with_png_signature (path))
    {
      g_autofree char *message = NULL;
      g_autofree guint8 *grey = NULL;
      int width, height;

      grey = bp_png_load_grey (path, &width, &height, &message);
      if (grey == NULL)
        {
          /* Translators: a file name, then why it could not be read. */
          g_set_error (error_out, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Could not open “%s”: %s"), name, message);
          return FALSE;
        }
      *kind = BP_FILE_KIND_PNG;
      return TRUE;
    }

  /* Anything else must be a model or a session: the model reader's checks, on a file read
   * whole only if it is a regular one of at most its size limit. */
  if (!bp_file_read_all (path, BP_MODEL_MAX_FILE_BYTES, "a model file", &data, &len, &error))
    {
      g_set_error_literal (error_out, G_IO_ERROR, G_IO_ERROR_FAILED, error.message);
      return FALSE;
    }
  net = bp_model_load_from_data (data, len, name, NULL, &error);
  if (net == NULL)
    {
      const char *detail = error.message;

      /* The reader's message starts with the name, which the sentence has already. */
      if (g_str_has_prefix (detail, name) && detail[strlen (name)] == ':')
        detail += strlen (name) + 1;
      while (*detail == ' ')
        detail++;
      /* Translators: a file name, then the model reader's message ("1:3: Parse error: …"). */
      g_set_error (error_out, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not a model, a session or a PNG picture (%s)"), name, detail);
      return FALSE;
    }
  bp_network_free (net);

  /* A session is a model with one more member: the members are read without the weights. */
  parser = json_parser_new_immutable ();
  if (!bp_model_parse_document (parser, data, len, name, &error))
    {
      g_set_error_literal (error_out, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, error.message);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root)
      && json_object_has_member (json_node_get_object (root), BP_SESSION_FILE_MEMBER))
    *kind = BP_FILE_KIND_SESSION;
  else
    *kind = BP_FILE_KIND_MODEL;
  return TRUE;
}

