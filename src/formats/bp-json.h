/* bp-json.h — the JSON pieces model files and session files share (json-glib)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by bp-model-io.c and the app's bp-session-file.c, which write and read the same kind of
 * file.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Append a double with the shortest of 15 … 17 significant digits that reads back the same, in
 * the C locale, always with a "." or an exponent so that it stays a double when read back (and
 * keeps the sign of a zero); NaN and ∞, which JSON lacks, as null. */
void        bp_json_append_double (GString *out,
                                   double   value);

/* What a node holds, for "is …, expected …" messages: "an object", "an integer", …; "missing"
 * for NULL. */
const char *bp_json_describe (JsonNode *node);

/* Whether @node (may be NULL) is an integer or a fractional number. Inline: the readers that
 * call it on every number of a file are then as they were, and GCC still sees which of their
 * paths set their output. */
static inline gboolean
bp_json_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

G_END_DECLS
