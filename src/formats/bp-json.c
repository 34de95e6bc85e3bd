/* bp-json.c — the JSON pieces model files and session files share (json-glib)
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-json.h"

#include <math.h>
#include <string.h>

void
bp_json_append_double (GString *out,
                       double   value)
{
  static const char *const formats[] = { "%.15g", "%.16g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = NULL;

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }

  for (size_t i = 0; i < G_N_ELEMENTS (formats) && text == NULL; i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if (g_ascii_strtod (buf, NULL) == value)
        text = buf;
    }
  /* 17 digits always read back the same. */
  if (text == NULL)
    text = g_ascii_formatd (buf, sizeof buf, "%.17g", value);

  g_string_append (out, text);
  if (strpbrk (text, ".e") == NULL)
    g_string_append (out, ".0");
}

const char *
bp_json_describe (JsonNode *node)
{
  if (node == NULL)
    return "missing";

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    case G_TYPE_INT64:
      return "an integer";
    case G_TYPE_DOUBLE:
      return "a fractional number";
    default:
      return "an unknown value";
    }
}
