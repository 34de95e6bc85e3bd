/* bp-session-file.c — session files: a model file with the session's own member
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model part of the file is exactly what bp_model_save() writes (so that every model reader,
 * ours and network2.py's, opens it): bp_model_write_begin() writes it into the document, the
 * session's own member follows (bp_session_file_append_member()), and bp_model_write_end()
 * closes it. The whole reaches its place
 * through bp_file_replace(), which writes a temporary file beside the target, flushes it and
 * renames it over the target, or fails and leaves the target alone (g_file_replace_contents()
 * would rewrite the target in place where it cannot make the temporary file: it is used only for
 * files that have no local path). Reading parses the document once (bp_model_document_new(),
 * which refuses anything too deep or too large for the parser and leaves the weights' numbers
 * out of the tree); the model is read from it, then the session's member.
 */
#include "config.h"

#include "bp-session-file.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "bp-file.h"
#include "bp-json.h"
#include "bp-model-io.h"

/* The limits of a file we read: bp_model_load_from_data()'s size limit, a run's epoch limit
 * (that of bp_run_check_fields()), and room for far more pins than anyone keeps. */
#define MAX_FILE_BYTES ((goffset) 256 << 20)
#define MAX_EPOCHS     100000
#define MAX_PINS       1000
#define MAX_LABEL      1024
#define MAX_MARKS      10000

static const char *const accuracy_names[BP_SESSION_ACCURACY_SERIES] = {
  "training", "validation", "test", "sample",
};
static const char *const cost_names[BP_SESSION_COST_SERIES] = {
  "training", "validation", "sample",
};

G_DEFINE_QUARK (bp-session-file-error-quark, bp_session_file_error)

/* ── Plots ────────────────────────────────────────────────────────────────────────────────── */

BpSessionPin *
bp_session_pin_new (const char *label)
{
  BpSessionPin *pin = g_new0 (BpSessionPin, 1);

  pin->label = g_strdup (label != NULL ? label : "");
  for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
    pin->accuracy[s] = g_array_new (FALSE, FALSE, sizeof (BpSessionPoint));
  for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
    pin->cost[s] = g_array_new (FALSE, FALSE, sizeof (BpSessionPoint));
  pin->marks = g_array_new (FALSE, FALSE, sizeof (BpSessionMark));
  return pin;
}

void
bp_session_pin_free (BpSessionPin *pin)
{
  if (pin == NULL)
    return;
  g_free (pin->label);
  for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
    g_array_unref (pin->accuracy[s]);
  for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
    g_array_unref (pin->cost[s]);
  g_array_unref (pin->marks);
  g_free (pin);
}

BpSessionPlots *
bp_session_plots_new (void)
{
  BpSessionPlots *plots = g_new0 (BpSessionPlots, 1);

  plots->samples = g_array_new (FALSE, FALSE, sizeof (BpSessionSample));
  plots->marks = g_array_new (FALSE, FALSE, sizeof (BpSessionMark));
  plots->pins = g_ptr_array_new_with_free_func ((GDestroyNotify) bp_session_pin_free);
  return plots;
}

void
bp_session_plots_free (BpSessionPlots *plots)
{
  if (plots == NULL)
    return;
  g_array_unref (plots->samples);
  g_array_unref (plots->marks);
  g_ptr_array_unref (plots->pins);
  g_free (plots);
}

static GArray *
copy_points (const GArray *points)
{
  GArray *copy = g_array_sized_new (FALSE, FALSE, g_array_get_element_size ((GArray *) points),
                                    points->len);

  g_array_append_vals (copy, points->data, points->len);
  return copy;
}

BpSessionPlots *
bp_session_plots_copy (const BpSessionPlots *plots)
{
  BpSessionPlots *copy;

  g_return_val_if_fail (plots != NULL, NULL);

  copy = bp_session_plots_new ();
  copy->live_from = plots->live_from;
  g_array_append_vals (copy->samples, plots->samples->data, plots->samples->len);
  g_array_append_vals (copy->marks, plots->marks->data, plots->marks->len);
  for (guint i = 0; i < plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (plots->pins, i);
      BpSessionPin *pin_copy = g_new0 (BpSessionPin, 1);

      pin_copy->label = g_strdup (pin->label);
      for (guint s = 0; s < BP_SESSION_ACCURACY_SERIES; s++)
        pin_copy->accuracy[s] = copy_points (pin->accuracy[s]);
      for (guint s = 0; s < BP_SESSION_COST_SERIES; s++)
        pin_copy->cost[s] = copy_points (pin->cost[s]);
      pin_copy->marks = copy_points (pin->marks);
      g_ptr_array_add (copy->pins, pin_copy);
    }
  return copy;
}

/* ── Writing ──────────────────────────────────────────────────────────────────────────────── */

/* A JSON string: quotes, backslashes and control characters escaped; @s is UTF-8. */
static void
append_string (GString    *out,
               const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, (char) *p);
    }
  g_string_append_c (out, '"');
}

static void
append_points (GString      *out,
               const GArray *points)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < points->len; i++)
    {
      const BpSessionPoint *p = &g_array_index (points, BpSessionPoint, i);

      g_string_append (out, i > 0 ? ", [" : "[");
      bp_json_append_double (out, p->x);
      g_string_append (out, ", ");
      bp_json_append_double (out, p->y);
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, ']');
}

/* [[x, "η", from, to], …] */
static void
append_marks (GString      *out,
              const GArray *marks)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < marks->len; i++)
    {
      const BpSessionMark *mark = &g_array_index (marks, BpSessionMark, i);

      g_string_append (out, i > 0 ? ", [" : "[");
      bp_json_append_double (out, mark->x);
      g_string_append (out, ", ");
      append_string (out, mark->name);
      g_string_append (out, ", ");
      bp_json_append_double (out, mark->from);
      g_string_append (out, ", ");
      bp_json_append_double (out, mark->to);
      g_string_append_c (out, ']');
    }
  g_string_append_c (out, ']');
}

static void
append_series (GString           *out,
               GArray           **series,
               const char *const *names,
               guint              n_series)
{
  g_string_append_c (out, '{');
  for (guint s = 0; s < n_series; s++)
    {
      g_string_append_printf (out, "%s\n         \"%s\": ", s > 0 ? "," : "", names[s]);
      append_points (out, series[s]);
    }
  g_string_append_c (out, '}');
}

void
bp_session_file_append_member (GString              *out,
                               guint                 n_epochs,
                               const char           *data_dir,
                               const BpSessionPlots *plots)
{
  g_autofree char *data_dir_utf8 = NULL;
  guint live_from = plots != NULL ? MIN (plots->live_from, n_epochs) : 0;

  /* A folder whose name is not UTF-8 cannot be written in JSON; it is only informative. */
  if (data_dir != NULL)
    data_dir_utf8 = g_filename_to_utf8 (data_dir, -1, NULL, NULL, NULL);

  g_string_append_printf (out, ",\n  \"%s\": {\n    \"version\": %d,\n    \"epoch\": %u,\n",
                          BP_SESSION_FILE_MEMBER, BP_SESSION_FILE_VERSION, n_epochs);
  g_string_append (out, "    \"data_dir\": ");
  if (data_dir_utf8 != NULL)
    append_string (out, data_dir_utf8);
  else
    g_string_append (out, "null");
  g_string_append_printf (out,
                          ",\n    \"plots\": {\n      \"live_from\": %u,\n      \"samples\": [",
                          live_from);
  for (guint i = 0; plots != NULL && i < plots->samples->len; i++)
    {
      const BpSessionSample *sample = &g_array_index (plots->samples, BpSessionSample, i);

      g_string_append (out, i > 0 ? ", [" : "[");
      bp_json_append_double (out, sample->x);
      g_string_append (out, ", ");
      bp_json_append_double (out, sample->accuracy);
      g_string_append (out, ", ");
      bp_json_append_double (out, sample->cost);
      g_string_append_c (out, ']');
    }
  g_string_append (out, "],\n      \"marks\": ");
  if (plots != NULL)
    append_marks (out, plots->marks);
  else
    g_string_append (out, "[]");
  g_string_append (out, ",\n      \"pins\": [");
  for (guint i = 0; plots != NULL && i < plots->pins->len; i++)
    {
      const BpSessionPin *pin = g_ptr_array_index (plots->pins, i);
      g_autofree char *label = g_utf8_make_valid (pin->label, -1);

      /* A label this file could not be read back with is cut (at a character's start). */
      if (strlen (label) > MAX_LABEL)
        *g_utf8_find_prev_char (label, label + MAX_LABEL + 1) = '\0';
      g_string_append (out, i > 0 ? ",\n        {\"label\": " : "\n        {\"label\": ");
      append_string (out, label);
      g_string_append (out, ",\n         \"accuracy\": ");
      append_series (out, (GArray **) pin->accuracy, accuracy_names, BP_SESSION_ACCURACY_SERIES);
      g_string_append (out, ",\n         \"cost\": ");
      append_series (out, (GArray **) pin->cost, cost_names, BP_SESSION_COST_SERIES);
      g_string_append (out, ",\n         \"marks\": ");
      append_marks (out, pin->marks);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "]\n    }\n  }");
}

/* Replace @file's contents atomically (bp_file_replace(): a symbolic link is written through,
 * the old file's permissions are kept, a device or a FIFO is refused); a G_IO_ERROR whose
 * message is the reason alone on failure. */
static gboolean
write_bytes (GFile       *file,
             const char  *data,
             gsize        len,
             GError     **error)
{
  g_autofree char *path = g_file_get_path (file);
  BpError bp_error = { 0 };
  const char *reason;
  int errsv;

  if (path == NULL)
    return g_file_replace_contents (file, data, len, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL,
                                    error);
  if (bp_file_replace (path, data, len, &bp_error))
    return TRUE;
  errsv = errno;
  reason = strstr (bp_error.message, ": not saved: ");
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                       reason != NULL ? reason + strlen (": not saved: ") : bp_error.message);
  return FALSE;
}

gboolean
bp_session_file_replace (GFile       *file,
                         const char  *name,
                         const char  *data,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!write_bytes (file, data, len, &local_error))
    {
      g_set_error (error, G_IO_ERROR, local_error->code, _("%s: not saved: %s"), name,
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ── Reading ──────────────────────────────────────────────────────────────────────────────── */

typedef struct
{
  const char *name;
  GError    **error;
} Reader;

static gboolean fail (Reader     *rd,
                      const char *format,
                      ...) G_GNUC_PRINTF (2, 3);

/* A file that is not a valid session: the detail says where and what. Returns FALSE. */
static gboolean
fail (Reader     *rd,
      const char *format,
      ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: a file name, then what is wrong in it (in English, as the engine's messages). */
  g_set_error (rd->error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID,
               _("%s: not a valid session: %s"), rd->name, detail);
  return FALSE;
}

/* An integer in @min … @max. */
static gboolean
read_uint (Reader     *rd,
           JsonNode   *node,
           const char *what,
           gint64      min,
           gint64      max,
           gint64     *out)
{
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (rd, "%s is %s, expected an integer", what, bp_json_describe (node));
  value = json_node_get_int (node);
  if (value < min || value > max)
    return fail (rd, "%s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT " to %"
                 G_GINT64_FORMAT, what, value, min, max);
  *out = value;
  return TRUE;
}

/* A finite number in @min … @max, or null (NaN) when @nullable. */
static gboolean
read_number (Reader     *rd,
             JsonNode   *node,
             const char *what,
             double      min,
             double      max,
             gboolean    nullable,
             double     *out)
{
  double value;

  if (nullable && node != NULL && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return TRUE;
    }
  if (!bp_json_is_number (node))
    return fail (rd, "%s is %s, expected a number%s", what, bp_json_describe (node),
                 nullable ? " or null" : "");
  value = json_node_get_double (node);
  if (!isfinite (value) || value < min || value > max)
    return fail (rd, "%s is %g, expected %g to %g", what, value, min, max);
  *out = value;
  return TRUE;
}

static JsonArray *
read_array (Reader     *rd,
            JsonNode   *node,
            const char *what)
{
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (rd, "%s is %s, expected a list", what, bp_json_describe (node));
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
read_object (Reader     *rd,
             JsonNode   *node,
             const char *what)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (rd, "%s is %s, expected an object", what, bp_json_describe (node));
      return NULL;
    }
  return json_node_get_object (node);
}

/* The points of one series: [[x, y], …], x an epoch count, y in @y_min … @y_max. */
static gboolean
read_points (Reader     *rd,
             JsonNode   *node,
             const char *what,
             double      y_min,
             double      y_max,
             GArray     *points)
{
  JsonArray *array = read_array (rd, node, what);
  guint n;

  if (array == NULL)
    return FALSE;
  n = json_array_get_length (array);
  g_array_set_size (points, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      BpSessionPoint *p = &g_array_index (points, BpSessionPoint, i);
      JsonArray *pair;
      char where[160];

      g_snprintf (where, sizeof where, "%s[%u]", what, i);
      pair = read_array (rd, element, where);
      if (pair == NULL)
        return FALSE;
      if (json_array_get_length (pair) != 2)
        return fail (rd, "%s has %u numbers, expected 2 (x, y)", where,
                     json_array_get_length (pair));
      g_snprintf (where, sizeof where, "%s[%u].x", what, i);
      if (!read_number (rd, json_array_get_element (pair, 0), where, 0.0, MAX_EPOCHS + 1, FALSE,
                        &p->x))
        return FALSE;
      g_snprintf (where, sizeof where, "%s[%u].y", what, i);
      if (!read_number (rd, json_array_get_element (pair, 1), where, y_min, y_max, FALSE, &p->y))
        return FALSE;
    }
  return TRUE;
}

/* One plot's series of a pin: {"training": [...], …}; a series left out has no points. */
static gboolean
read_pin_series (Reader            *rd,
                 JsonNode          *node,
                 const char        *what,
                 const char *const *names,
                 guint              n_series,
                 double             y_max,
                 GArray           **series)
{
  JsonObject *object = read_object (rd, node, what);

  if (object == NULL)
    return FALSE;
  for (guint s = 0; s < n_series; s++)
    {
      JsonNode *member = json_object_get_member (object, names[s]);
      char where[96];

      if (member == NULL)
        continue;
      g_snprintf (where, sizeof where, "%s.%s", what, names[s]);
      if (!read_points (rd, member, where, 0.0, y_max, series[s]))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_label (Reader      *rd,
            JsonNode    *node,
            const char  *what,
            const char **out)
{
  const char *label;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (rd, "%s is %s, expected a string", what, bp_json_describe (node));
  label = json_node_get_string (node);
  if (strlen (label) > MAX_LABEL || !g_utf8_validate (label, -1, NULL))
    return fail (rd, "%s is not a label of up to %d bytes of UTF-8", what, MAX_LABEL);
  *out = label;
  return TRUE;
}

/* The marks of a run's changes, [[x, "η", from, to], …]; a file older than marks has none. */
static gboolean
read_marks (Reader     *rd,
            JsonNode   *node,
            const char *what,
            double      x_max,
            GArray     *marks)
{
  JsonArray *array;
  guint n;

  if (node == NULL)
    return TRUE;
  array = read_array (rd, node, what);
  if (array == NULL)
    return FALSE;
  n = json_array_get_length (array);
  if (n > MAX_MARKS)
    return fail (rd, "%s has %u marks, expected at most %d", what, n, MAX_MARKS);
  for (guint i = 0; i < n; i++)
    {
      BpSessionMark mark = { 0 };
      JsonArray *quad;
      JsonNode *name;
      char where[96];

      g_snprintf (where, sizeof where, "%s[%u]", what, i);
      quad = read_array (rd, json_array_get_element (array, i), where);
      if (quad == NULL)
        return FALSE;
      if (json_array_get_length (quad) != 4)
        return fail (rd, "%s has %u members, expected 4 (x, setting, from, to)", where,
                     json_array_get_length (quad));
      name = json_array_get_element (quad, 1);
      if (!JSON_NODE_HOLDS_VALUE (name) || json_node_get_value_type (name) != G_TYPE_STRING
          || (g_strcmp0 (json_node_get_string (name), "η") != 0
              && g_strcmp0 (json_node_get_string (name), "λ") != 0
              && g_strcmp0 (json_node_get_string (name), "μ") != 0))
        return fail (rd, "%s[1] is %s, expected \"η\", \"λ\" or \"μ\"", where,
                     bp_json_describe (name));
      g_strlcpy (mark.name, json_node_get_string (name), sizeof mark.name);
      if (!read_number (rd, json_array_get_element (quad, 0), where, 0.0, x_max, FALSE, &mark.x)
          || !read_number (rd, json_array_get_element (quad, 2), where, 0.0, 1e6, FALSE,
                           &mark.from)
          || !read_number (rd, json_array_get_element (quad, 3), where, 0.0, 1e6, FALSE,
                           &mark.to))
        return FALSE;
      g_array_append_val (marks, mark);
    }
  return TRUE;
}

static gboolean
read_plots (Reader         *rd,
            JsonNode       *node,
            guint           n_epochs,
            BpSessionPlots *plots)
{
  JsonObject *object;
  JsonArray *samples, *pins;
  gint64 live_from;
  guint n;

  /* A session without plots: no pins, every epoch on the live curves. */
  if (node == NULL)
    return TRUE;
  object = read_object (rd, node, "plots");
  if (object == NULL)
    return FALSE;

  if (!read_uint (rd, json_object_get_member (object, "live_from"), "plots.live_from", 0,
                  n_epochs, &live_from))
    return FALSE;
  plots->live_from = (guint) live_from;

  samples = read_array (rd, json_object_get_member (object, "samples"), "plots.samples");
  if (samples == NULL)
    return FALSE;
  n = json_array_get_length (samples);
  g_array_set_size (plots->samples, n);
  for (guint i = 0; i < n; i++)
    {
      BpSessionSample *sample = &g_array_index (plots->samples, BpSessionSample, i);
      JsonArray *triple;
      char where[64];

      g_snprintf (where, sizeof where, "plots.samples[%u]", i);
      triple = read_array (rd, json_array_get_element (samples, i), where);
      if (triple == NULL)
        return FALSE;
      if (json_array_get_length (triple) != 3)
        return fail (rd, "%s has %u numbers, expected 3 (x, accuracy, cost)", where,
                     json_array_get_length (triple));
      /* A sample is taken inside the epoch after the last one finished, at the latest. */
      g_snprintf (where, sizeof where, "plots.samples[%u].x", i);
      if (!read_number (rd, json_array_get_element (triple, 0), where, 0.0, n_epochs + 1.0,
                        FALSE, &sample->x))
        return FALSE;
      g_snprintf (where, sizeof where, "plots.samples[%u].accuracy", i);
      if (!read_number (rd, json_array_get_element (triple, 1), where, 0.0, 1.0, TRUE,
                        &sample->accuracy))
        return FALSE;
      g_snprintf (where, sizeof where, "plots.samples[%u].cost", i);
      if (!read_number (rd, json_array_get_element (triple, 2), where, 0.0, G_MAXDOUBLE, TRUE,
                        &sample->cost))
        return FALSE;
    }

  if (!read_marks (rd, json_object_get_member (object, "marks"), "plots.marks", n_epochs + 1.0,
                   plots->marks))
    return FALSE;

  pins = read_array (rd, json_object_get_member (object, "pins"), "plots.pins");
  if (pins == NULL)
    return FALSE;
  n = json_array_get_length (pins);
  if (n > MAX_PINS)
    return fail (rd, "plots.pins has %u pinned runs, expected at most %d", n, MAX_PINS);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(BpSessionPin) pin = NULL;
      JsonObject *pin_object;
      const char *label = NULL;
      char where[64];

      g_snprintf (where, sizeof where, "plots.pins[%u]", i);
      pin_object = read_object (rd, json_array_get_element (pins, i), where);
      if (pin_object == NULL)
        return FALSE;
      g_snprintf (where, sizeof where, "plots.pins[%u].label", i);
      if (!read_label (rd, json_object_get_member (pin_object, "label"), where, &label))
        return FALSE;
      pin = bp_session_pin_new (label);
      g_snprintf (where, sizeof where, "plots.pins[%u].accuracy", i);
      if (!read_pin_series (rd, json_object_get_member (pin_object, "accuracy"), where,
                            accuracy_names, BP_SESSION_ACCURACY_SERIES, 1.0, pin->accuracy))
        return FALSE;
      g_snprintf (where, sizeof where, "plots.pins[%u].cost", i);
      if (!read_pin_series (rd, json_object_get_member (pin_object, "cost"), where,
                            cost_names, BP_SESSION_COST_SERIES, G_MAXDOUBLE, pin->cost))
        return FALSE;
      g_snprintf (where, sizeof where, "plots.pins[%u].marks", i);
      if (!read_marks (rd, json_object_get_member (pin_object, "marks"), where, G_MAXDOUBLE,
                       pin->marks))
        return FALSE;
      g_ptr_array_add (plots->pins, g_steal_pointer (&pin));
    }
  return TRUE;
}

/* What bp_model_load_from_data() leaves to us: the numbering and the ranges of the history. */
static gboolean
check_history (Reader               *rd,
               const BpEpochMetrics *history,
               guint                 n)
{
  for (guint i = 0; i < n; i++)
    {
      const BpEpochMetrics *m = &history[i];
      const struct
      {
        const char *name;
        double      value;
        double      max;
      } fields[] = {
        { "train_cost", m->train_cost, G_MAXDOUBLE },
        { "train_accuracy", m->train_accuracy, 1.0 },
        { "validation_cost", m->validation_cost, G_MAXDOUBLE },
        { "validation_accuracy", m->validation_accuracy, 1.0 },
        { "test_cost", m->test_cost, G_MAXDOUBLE },
        { "test_accuracy", m->test_accuracy, 1.0 },
        { "seconds", m->seconds, G_MAXDOUBLE },
      };

      if (m->epoch != i + 1)
        return fail (rd, "history[%u].epoch is %u, expected %u", i, m->epoch, i + 1);
      for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
        if (!isnan (fields[k].value)
            && !(fields[k].value >= 0.0 && fields[k].value <= fields[k].max))
          return fail (rd, "history[%u].%s is %g, expected 0 to %g", i, fields[k].name,
                       fields[k].value, fields[k].max);
      if (!isnan (m->eta) && !(m->eta > 0.0f && m->eta <= 1000.0f))
        return fail (rd, "history[%u].eta is %g, expected more than 0 and at most 1000", i,
                     (double) m->eta);
    }
  return TRUE;
}

/* The file's bytes, refused beyond the model reader's size limit before they are read, and read
 * as the model reader reads its files (bp_file_read_all()): a regular file only, so that a FIFO
 * fails at once instead of blocking. */
static char *
load_bytes (GFile       *file,
            const char  *name,
            gsize       *len,
            GError     **error)
{
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  BpError bp_error = { 0 };
  char *data = NULL;
  size_t size = 0;

  if (path != NULL)
    {
      if (bp_file_read_all (path, (size_t) MAX_FILE_BYTES, "a session file", &data, &size, &bp_error))
        {
          *len = size;
          return data;
        }
      if (bp_error.code == BP_ERROR_FORMAT)
        g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID,
                     _("%s: not a valid session: larger than %d MiB"), name,
                     (int) (MAX_FILE_BYTES >> 20));
      else
        g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno), bp_error.message);
      return NULL;
    }

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            &local_error);
  if (info != NULL && g_file_info_get_size (info) > MAX_FILE_BYTES)
    {
      g_set_error (error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID,
                   _("%s: not a valid session: larger than %d MiB"), name,
                   (int) (MAX_FILE_BYTES >> 20));
      return NULL;
    }
  if (info == NULL || !g_file_load_contents (file, NULL, &data, len, NULL, &local_error))
    {
      /* Translators: a file name, then why it could not be read. */
      g_set_error (error, local_error->domain, local_error->code, _("%s: could not read: %s"),
                   name, local_error->message);
      return NULL;
    }
  return data;
}

/* The model and the "backprop-session" object of @data, checked as far as they go without a
 * session. *@net and *@info are the model's; *@doc (free it whatever this returns) keeps
 * *@object alive. */
static JsonObject *
parse_file (Reader           *rd,
            const char       *data,
            gsize             len,
            BpModelDocument **doc,
            BpNetwork       **net,
            BpModelInfo      *info)
{
  BpError bp_error = { 0 };
  JsonObject *root, *object;
  JsonNode *node;
  gint64 version;

  *doc = bp_model_document_new (data, len, rd->name, &bp_error);
  *net = *doc != NULL ? bp_model_document_read (*doc, info, &bp_error) : NULL;
  if (*net == NULL)
    {
      /* The model reader's message starts with the file's name. */
      g_set_error (rd->error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_INVALID, "%s",
                   bp_error.message);
      return NULL;
    }
  root = bp_model_document_get_root (*doc);
  node = json_object_get_member (root, BP_SESSION_FILE_MEMBER);
  if (node == NULL)
    {
      g_set_error (rd->error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NOT_SESSION,
                   _("%s is a model, not a saved session"), rd->name);
      return NULL;
    }
  object = read_object (rd, node, BP_SESSION_FILE_MEMBER);
  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, "version");
  if (!read_uint (rd, node, "version", 1, G_MAXINT64, &version))
    return NULL;
  if (version > BP_SESSION_FILE_VERSION)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, version);

      /* Translators: a file name, then the version numbers of the file and of the program. */
      g_set_error (rd->error, BP_SESSION_FILE_ERROR, BP_SESSION_FILE_ERROR_NEWER,
                   _("%s was saved by a newer Backprop (session version %s); this one opens "
                     "version %d"),
                   rd->name, number, BP_SESSION_FILE_VERSION);
      return NULL;
    }
  return object;
}

BpNetwork *
bp_session_file_parse (GFile           *file,
                       BpModelInfo     *info,
                       BpSessionPlots **plots_out,
                       GError         **error)
{
  g_autoptr(BpModelDocument) doc = NULL;
  g_autoptr(BpSessionPlots) plots = NULL;
  g_autofree char *name = NULL;
  g_autofree char *data = NULL;
  BpNetwork *net = NULL;
  JsonObject *object;
  JsonNode *node;
  Reader rd;
  gint64 epoch;
  gsize len = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (info != NULL, NULL);

  memset (info, 0, sizeof *info);
  name = g_file_get_parse_name (file);
  rd.name = name;
  rd.error = error;
  data = load_bytes (file, name, &len, error);
  if (data == NULL)
    return NULL;

  object = parse_file (&rd, data, len, &doc, &net, info);
  if (object == NULL)
    goto fail;

  if (!info->has_run)
    {
      fail (&rd, "no \"hyperparameters\"");
      goto fail;
    }
  if (!read_uint (&rd, json_object_get_member (object, "epoch"), "epoch", 0, MAX_EPOCHS, &epoch))
    goto fail;
  if ((gsize) epoch != info->n_history)
    {
      fail (&rd, "the history has %zu epochs, expected %" G_GINT64_FORMAT, info->n_history, epoch);
      goto fail;
    }
  if (!check_history (&rd, info->history, (guint) info->n_history))
    goto fail;
  node = json_object_get_member (object, "data_dir");
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node)
      && (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING))
    {
      fail (&rd, "data_dir is %s, expected a string or null", bp_json_describe (node));
      goto fail;
    }
  plots = bp_session_plots_new ();
  if (!read_plots (&rd, json_object_get_member (object, "plots"), (guint) epoch, plots))
    goto fail;

  if (plots_out != NULL)
    *plots_out = g_steal_pointer (&plots);
  return net;

fail:
  bp_network_free (net);
  bp_model_info_clear (info);
  return NULL;
}

char *
bp_session_file_dup_data_dir (GFile   *file,
                              GError **error)
{
  g_autoptr(BpModelDocument) doc = NULL;
  g_autofree char *name = NULL;
  g_autofree char *data = NULL;
  BpModelInfo info = { 0 };
  BpNetwork *net = NULL;
  JsonObject *object;
  JsonNode *node;
  Reader rd;
  char *dir = NULL;
  gsize len = 0;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  name = g_file_get_parse_name (file);
  rd.name = name;
  rd.error = error;
  data = load_bytes (file, name, &len, error);
  if (data == NULL)
    return NULL;
  object = parse_file (&rd, data, len, &doc, &net, &info);
  if (object != NULL)
    {
      node = json_object_get_member (object, "data_dir");
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        dir = g_filename_from_utf8 (json_node_get_string (node), -1, NULL, NULL, NULL);
    }
  bp_network_free (net);
  bp_model_info_clear (&info);
  return dir;
}
