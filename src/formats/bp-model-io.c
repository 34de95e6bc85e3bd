/* bp-model-io.c — models as JSON files that network2.py reads and writes
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reading goes through a scan of our own (see scan()), which checks the text and takes the
 * rows of numbers out of it, and then json-glib's JsonParser for the rest. Writing is a plain
 * walk over the parameter views into one string: json-glib's generator prints every double with
 * 17 digits, and a float needs only 9 to come back bit for bit, which keeps a 784-100-10 model
 * near 1 MB instead of 1.7 MB. Every string we write is one of our own identifiers, so no
 * escaping is involved. The bytes then reach the disk through bp_save_file() (bp_file_replace()),
 * which writes a temporary file beside the target, flushes it and renames it over the target.
 */
#include "config.h"

#include "bp-model-io.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "bp-file.h"
#include "bp-json.h"
#include "bp-memory.h"
#include "bp-save-file.h"

/* Our own files nest at most 5 deep (velocity → weights → layer → row → number). json-glib 1.6
 * parses recursively and overflows the stack on a few hundred thousand brackets, so deeper input
 * is refused before it reaches the parser. */
#define MAX_NESTING 32

/* BP_MODEL_MAX_FILE_BYTES: the text is held whole while it is read, and its numbers packed as
 * floats, so a file costs at most about three times its size (twice for files of written
 * floats), all of it checked against the memory limit before it is allocated. */
#define MAX_FILE_BYTES BP_MODEL_MAX_FILE_BYTES

#define NETWORK2_QUADRATIC     "QuadraticCost"
#define NETWORK2_CROSS_ENTROPY "CrossEntropyCost"

void
bp_model_info_clear (BpModelInfo *info)
{
  if (info == NULL)
    return;

  free (info->history);
  free (info->velocity);
  memset (info, 0, sizeof *info);
}

/* ── Writing ─────────────────────────────────────────────────────────────────────────────── */

/* The shortest of 6 … 9 significant digits that reads back as the same float. Nine digits
 * always do (2^24 < 10^9 with room to spare, also after the parser's detour through double);
 * shorter forms keep round numbers such as 0.1 readable. */
static void
append_float (GString *out,
              float    value)
{
  static const char *const formats[] = { "%.6g", "%.7g", "%.8g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = NULL;

  for (size_t i = 0; i < G_N_ELEMENTS (formats) && text == NULL; i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], value);
      if ((float) g_ascii_strtod (buf, NULL) == value)
        text = buf;
    }
  if (text == NULL)
    text = g_ascii_formatd (buf, sizeof buf, "%.9g", value);

  g_string_append (out, text);
  /* "-0" and "16777216" would be read as integers, and an integer has no negative zero:
   * write floats as floats, as Python's json module does. */
  if (strpbrk (text, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
append_float_or_null (GString *out,
                      float    value)
{
  if (!isfinite (value))
    g_string_append (out, "null");
  else
    append_float (out, value);
}

/* One set of per-layer matrices in network2.py's layout: weights as sizes[l] rows of
 * sizes[l−1] numbers, one row per line; biases as sizes[l] rows of one number, one layer per
 * line. @indent is that of the line holding the key. */
static void
append_layers (GString         *out,
               const BpNetwork *net,
               const float     *buf,
               bool             biases,
               const char      *indent)
{
  g_string_append (out, "[\n");
  for (size_t l = 1; l < net->n_layers; l++)
    {
      size_t rows = net->sizes[l];
      size_t cols = biases ? 1 : net->sizes[l - 1];
      const float *m = buf + (biases ? net->b_offset[l] : net->w_offset[l]);

      g_string_append_printf (out, "%s  [", indent);
      for (size_t r = 0; r < rows; r++)
        {
          if (r > 0 && biases)
            g_string_append (out, ", ");
          else if (r > 0)
            g_string_append_printf (out, ",\n%s   ", indent);
          g_string_append_c (out, '[');
          for (size_t c = 0; c < cols; c++)
            {
              if (c > 0)
                g_string_append (out, ", ");
              append_float (out, m[r * cols + c]);
            }
          g_string_append_c (out, ']');
        }
      g_string_append_printf (out, "]%s\n", l + 1 < net->n_layers ? "," : "");
    }
  g_string_append_printf (out, "%s]", indent);
}

static void
append_config (GString             *out,
               const BpTrainConfig *config)
{
  const BpHyperparams *h = &config->hyper;

  g_string_append (out, "  \"hyperparameters\": {\"eta\": ");
  append_float (out, h->eta);
  g_string_append (out, ", \"lambda\": ");
  append_float (out, h->lambda_l2);
  g_string_append (out, ", \"l1\": ");
  append_float (out, h->lambda_l1);
  g_string_append (out, ", \"momentum\": ");
  append_float (out, h->momentum);
  g_string_append (out, ", \"dropout\": ");
  append_float (out, h->dropout);
  g_string_append_printf (out,
                          ", \"batch_size\": %zu, \"epochs\": %u, \"init\": \"%s\", "
                          "\"expand\": \"%s\", \"early_stop\": %u, \"schedule\": %u},\n",
                          h->batch_size, config->epochs, bp_init_to_string (config->init),
                          bp_expand_to_string (config->expand), config->early_stop,
                          config->schedule);
  /* Seeds are unsigned 64-bit; json-glib reads integers as int64 and wraps the top half
   * round, which the reader undoes, so every seed comes back bit for bit. */
  g_string_append_printf (out, "  \"seed\": %" G_GUINT64_FORMAT ",\n", config->seed);
}

static void
append_history (GString              *out,
                const BpEpochMetrics *history,
                size_t                n_history)
{
  g_string_append (out, "  \"history\": [");
  for (size_t i = 0; i < n_history; i++)
    {
      const BpEpochMetrics *m = &history[i];

      g_string_append_printf (out, "%s\n    {\"epoch\": %u, \"train_cost\": ",
                              i > 0 ? "," : "", m->epoch);
      bp_json_append_double (out, m->train_cost);
      g_string_append (out, ", \"train_accuracy\": ");
      bp_json_append_double (out, m->train_accuracy);
      g_string_append (out, ", \"validation_cost\": ");
      bp_json_append_double (out, m->validation_cost);
      g_string_append (out, ", \"validation_accuracy\": ");
      bp_json_append_double (out, m->validation_accuracy);
      g_string_append (out, ", \"test_cost\": ");
      bp_json_append_double (out, m->test_cost);
      g_string_append (out, ", \"test_accuracy\": ");
      bp_json_append_double (out, m->test_accuracy);
      g_string_append (out, ", \"seconds\": ");
      bp_json_append_double (out, m->seconds);
      g_string_append (out, ", \"eta\": ");
      append_float_or_null (out, m->eta);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "\n  ],\n");
}

static bool
all_finite (const float *values,
            size_t       n)
{
  for (size_t i = 0; i < n; i++)
    if (!isfinite (values[i]))
      return false;
  return true;
}

static const char *
network2_cost_name (BpCost cost)
{
  /* network2.py knows no log-likelihood; "CrossEntropyCost" lets it load the file and rank the
   * outputs as we do, and "backprop_cost" tells us the truth. */
  return cost == BP_COST_QUADRATIC ? NETWORK2_QUADRATIC : NETWORK2_CROSS_ENTROPY;
}

bool
bp_model_save (const BpNetwork   *net,
               const BpModelInfo *info,
               const char        *path,
               BpError           *error)
{
  g_autoptr (GString) out = NULL;

  g_return_val_if_fail (net != NULL, false);
  g_return_val_if_fail (path != NULL, false);
  g_return_val_if_fail (net->n_layers >= 2 && net->n_layers <= BP_MAX_LAYERS, false);

  /* JSON has no NaN, and a file we would refuse to read back is worse than no file. */
  if (!all_finite (net->params, net->n_params))
    return bp_error_set (error, BP_ERROR_INVALID,
                         "%s: not saved: the network has NaN or infinite parameters", path);
  if (info != NULL && info->velocity != NULL && !all_finite (info->velocity, net->n_params))
    return bp_error_set (error, BP_ERROR_INVALID,
                         "%s: not saved: the momentum velocities contain NaN or infinite values",
                         path);
  if (info != NULL && info->has_config && !bp_train_config_check (&info->config, error))
    {
      bp_error_prefix (error, "%s: not saved: hyperparameters: ", path);
      return false;
    }

  out = g_string_sized_new (16 * net->n_params + 4096);
  g_string_append_printf (out, "{\n  \"format\": \"backprop-model\",\n  \"format_version\": %d,\n",
                          BP_MODEL_FORMAT_VERSION);
  g_string_append (out, "  \"sizes\": [");
  for (size_t l = 0; l < net->n_layers; l++)
    g_string_append_printf (out, "%s%zu", l > 0 ? ", " : "", net->sizes[l]);
  g_string_append (out, "],\n");
  g_string_append_printf (out,
                          "  \"cost\": \"%s\",\n  \"backprop_cost\": \"%s\",\n"
                          "  \"activation\": \"%s\",\n  \"output\": \"%s\",\n",
                          network2_cost_name (net->cost), bp_cost_to_string (net->cost),
                          bp_activation_to_string (net->activation),
                          bp_output_to_string (net->output));
  if (info != NULL && info->has_config)
    append_config (out, &info->config);
  if (info != NULL && info->train_size > 0)
    g_string_append_printf (out, "  \"train_size\": %zu,\n", info->train_size);
  if (info != NULL && info->n_history > 0)
    append_history (out, info->history, info->n_history);
  if (info != NULL && info->velocity != NULL)
    {
      g_string_append (out, "  \"velocity\": {\n    \"weights\": ");
      append_layers (out, net, info->velocity, false, "    ");
      g_string_append (out, ",\n    \"biases\": ");
      append_layers (out, net, info->velocity, true, "    ");
      g_string_append (out, "\n  },\n");
    }
  g_string_append (out, "  \"weights\": ");
  append_layers (out, net, net->params, false, "  ");
  g_string_append (out, ",\n  \"biases\": ");
  append_layers (out, net, net->params, true, "  ");
  g_string_append (out, "\n}\n");

  /* A temporary file beside the target, renamed over it: see bp-file.h for what is kept (a
   * symbolic link, the permissions) and refused (a device, a FIFO). */
  return bp_save_file (path, out->str, out->len, error);
}

/* ── Reading ─────────────────────────────────────────────────────────────────────────────── */

typedef struct _Packed Packed;

typedef struct
{
  const char *name;   /* the file, in messages */
  BpError    *error;
  Packed     *packed; /* the rows of numbers scan() took out of the text, or NULL */
} Reader;

static bool
fail (Reader     *rd,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

/* Set the error with the file's name in front. Returns false. */
static bool
fail (Reader     *rd,
      const char *format,
      ...)
{
  char message[BP_ERROR_MESSAGE_MAX];
  va_list args;

  va_start (args, format);
  g_vsnprintf (message, sizeof message, format, args);
  va_end (args);

  /* bp_error_set() trims the whole message; this one may already have been cut. */
  {
    const char *end;

    if (!g_utf8_validate (message, -1, &end))
      message[end - message] = '\0';
  }
  return bp_error_set (rd->error, BP_ERROR_FORMAT, "%s: %s", rd->name, message);
}

/* A string from the file, quoted and escaped for a message, and cut short if long: names in
 * messages must not carry control characters or megabytes of text to the terminal. g_strescape
 * turns every byte outside printable ASCII into an escape, so the cut cannot split a character
 * (at worst an escape, which is still plain ASCII). */
static char *
quote_for_message (const char *s)
{
  g_autofree char *escaped = g_strescape (s, NULL);

  if (strlen (escaped) > 40)
    return g_strdup_printf ("\"%.40s…\"", escaped);
  return g_strdup_printf ("\"%s\"", escaped);
}

/* Doubles from here on round to ±FLT_MAX; from 2^128 − 2^103 (half a unit beyond) they round
 * to infinity. A file may well hold such a number: the shortest decimal that reads back as
 * FLT_MAX, 3.4028235e+38, is a little above FLT_MAX. */
#define FLOAT_OVERFLOW 0x1.ffffffp+127

/* @value as a float, if it rounds to a finite one. */
static inline bool
to_float (double value,
          float *out)
{
  /* The comparison is false for NaN too. */
  if (!(fabs (value) < FLOAT_OVERFLOW))
    return false;
  /* Clamped by hand so that no conversion ever goes out of range. */
  if (fabs (value) > FLT_MAX)
    *out = value > 0 ? FLT_MAX : -FLT_MAX;
  else
    *out = (float) value;
  return true;
}

/* ── The text before json-glib ───────────────────────────────────────────────────────────── */

/* A model file is nearly all numbers in the rows of "weights" and "biases" (and of "velocity"'s),
 * and json-glib keeps a node of about a hundred bytes for each, some forty times the text of a
 * small number. So the text is scanned first (scan()): it refuses what json-glib must not see
 * or should not accept (nesting deeper than MAX_NESTING, which its recursive parser would
 * overflow the stack on; single quotes, comments and hexadecimal numbers, which it takes but
 * JSON and network2.py do not; a second document after the first), and it finds every row of
 * numbers at those places: their numbers go into one packed float array, and the row's text
 * becomes blanks (its brackets and line breaks stay, so json-glib's positions are the file's).
 * json-glib then parses what is left, an empty array for each row, and read_layers() takes the
 * numbers from the packed array. A row that is not a plain list of numbers (a string in it, a
 * NaN) is left as it is, for json-glib and the readers to say what is wrong with it. */

typedef enum
{
  FIELD_WEIGHTS,
  FIELD_BIASES,
  FIELD_VELOCITY_WEIGHTS,
  FIELD_VELOCITY_BIASES,
  N_FIELDS,
  FIELD_NONE = N_FIELDS,
  FIELD_VELOCITY, /* the top-level "velocity" member, whose members are the last two fields */
} Field;

/* One row of numbers taken out of the text: field[layer][row]. */
typedef struct
{
  guint  layer;
  guint  row;
  guint  count;
  guint  bad_column; /* the first number that is not a finite float, or G_MAXUINT */
  double bad_value;
  gsize  first;      /* its first number in Packed.values */
} Row;

struct _Packed
{
  GArray *rows[N_FIELDS]; /* Row, in the document's order */
  guint   cursor[N_FIELDS];
  GArray *values;         /* float: the numbers of every row */
};

/* What the first pass counts, to estimate the memory before anything is allocated. */
typedef struct
{
  gsize    n_nodes;       /* values json-glib will hold (a packed row is one) */
  gsize    n_numbers;     /* numbers in packed rows */
  gboolean trailing;      /* something follows the top-level value */
  unsigned trailing_line;
  unsigned trailing_column;
} ScanCounts;

/* json-glib's cost per node (the JsonNode, its value or container, GSlice's rounding), measured
 * on json-glib 1.6 with a document of a million small numbers: about 90 bytes. */
#define JSON_NODE_BYTES 96

static void
packed_init (Packed *packed)
{
  for (int f = 0; f < N_FIELDS; f++)
    {
      packed->rows[f] = g_array_new (FALSE, FALSE, sizeof (Row));
      packed->cursor[f] = 0;
    }
  packed->values = g_array_new (FALSE, FALSE, sizeof (float));
}

static void
packed_clear (Packed *packed)
{
  for (int f = 0; f < N_FIELDS; f++)
    g_clear_pointer (&packed->rows[f], g_array_unref);
  g_clear_pointer (&packed->values, g_array_unref);
}

static gboolean
is_number_char (unsigned char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '+' || c == '.';
}

/* What is wrong with the number token @s (@n bytes), or NULL when it is JSON's grammar:
 * -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static const char *
number_problem (const char *s,
                size_t      n)
{
  size_t i = 0;

  if (i < n && s[i] == '-')
    i++;
  if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
    return "hexadecimal numbers are not JSON";
  if (i + 1 < n && s[i] == '0' && g_ascii_isdigit (s[i + 1]))
    return "a number with a leading zero is not JSON";
  if (i == n || !g_ascii_isdigit (s[i]))
    return "not a JSON number";
  while (i < n && g_ascii_isdigit (s[i]))
    i++;
  if (i < n && s[i] == '.')
    {
      i++;
      if (i == n || !g_ascii_isdigit (s[i]))
        return "not a JSON number";
      while (i < n && g_ascii_isdigit (s[i]))
        i++;
    }
  if (i < n && (s[i] == 'e' || s[i] == 'E'))
    {
      i++;
      if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
      if (i == n || !g_ascii_isdigit (s[i]))
        return "not a JSON number";
      while (i < n && g_ascii_isdigit (s[i]))
        i++;
    }
  return i == n ? NULL : "not a JSON number";
}

/* The value of a number token that number_problem() accepts, as json-glib reads it (an integer
 * as an integer, so "-0" is +0), correctly rounded to a double. Most numbers are short decimals:
 * when the digits fit in 2^53 and the power of ten is exact, one multiplication or division of
 * exact operands rounds correctly by itself (Clinger's fast path); the others go to
 * g_ascii_strtod(). */
static double
parse_number (const char *s,
              size_t      n)
{
  static const double powers[] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  };
  guint64 mantissa = 0;
  int significant = 0, exp10 = 0, exp_sign = 1, exp_value = 0;
  gboolean negative = FALSE, integer = TRUE, slow = FALSE;
  size_t i = 0;
  char buf[64];
  char *copy = NULL;
  double value;

  if (s[i] == '-')
    {
      negative = TRUE;
      i++;
    }
  /* Up to 19 significant digits fit in the mantissa; more go the slow way. */
  for (; i < n && g_ascii_isdigit (s[i]); i++)
    {
      if (mantissa == 0 && s[i] == '0')
        continue;
      if (significant == 19)
        slow = TRUE;
      else
        {
          mantissa = mantissa * 10 + (guint64) (s[i] - '0');
          significant++;
        }
    }
  if (i < n && s[i] == '.')
    {
      integer = FALSE;
      for (i++; i < n && g_ascii_isdigit (s[i]); i++)
        {
          if (mantissa == 0 && s[i] == '0')
            exp10--;
          else if (significant == 19)
            slow = TRUE;
          else
            {
              mantissa = mantissa * 10 + (guint64) (s[i] - '0');
              significant++;
              exp10--;
            }
        }
    }
  if (i < n && (s[i] == 'e' || s[i] == 'E'))
    {
      integer = FALSE;
      i++;
      if (i < n && (s[i] == '+' || s[i] == '-'))
        exp_sign = s[i++] == '-' ? -1 : 1;
      for (; i < n && g_ascii_isdigit (s[i]); i++)
        if (exp_value < 100000)
          exp_value = exp_value * 10 + (s[i] - '0');
      exp10 += exp_sign * exp_value;
    }

  /* json-glib reads "-0" as the integer 0. */
  if (integer && mantissa == 0 && !slow)
    return 0.0;
  if (!slow && mantissa <= ((guint64) 1 << 53) && exp10 >= -22 && exp10 <= 22)
    {
      value = (double) mantissa;
      value = exp10 < 0 ? value / powers[-exp10] : value * powers[exp10];
      return negative ? -value : value;
    }

  if (n < sizeof buf)
    {
      memcpy (buf, s, n);
      buf[n] = '\0';
    }
  else
    copy = g_strndup (s, n);
  value = g_ascii_strtod (copy != NULL ? copy : buf, NULL);
  g_free (copy);
  return value;
}

/* Scan a row at @start (just after its '['): blanks, numbers and commas up to a ']'. Returns the
 * index of that ']', or 0 when the row is not a plain list of numbers (then nothing is kept).
 * @newlines and @last_newline (its index) say where the lines went; with @packed the numbers
 * are appended to its values and @row gets their count and the first bad one. */
static size_t
scan_row (const char *data,
          size_t      len,
          size_t      start,
          unsigned   *newlines,
          size_t     *last_newline,
          Packed     *packed,
          Row        *row)
{
  size_t i = start, mark = packed != NULL ? packed->values->len : 0;
  gboolean want_number = TRUE, first = TRUE;
  guint count = 0;

  *newlines = 0;
  row->bad_column = G_MAXUINT;
  row->bad_value = 0.0;
  for (; i < len; i++)
    {
      unsigned char c = (unsigned char) data[i];

      if (c == ' ' || c == '\t' || c == '\r')
        continue;
      if (c == '\n')
        {
          (*newlines)++;
          *last_newline = i;
          continue;
        }
      if (c == ']' && (!want_number || first))
        {
          row->count = count;
          return i;
        }
      if (c == ',' && !want_number)
        {
          want_number = TRUE;
          continue;
        }
      if (want_number && (g_ascii_isdigit (c) || c == '-'))
        {
          size_t j = i;

          while (j < len && is_number_char ((unsigned char) data[j]))
            j++;
          if (j == len || number_problem (data + i, j - i) != NULL)
            break;
          if (packed != NULL)
            {
              double value = parse_number (data + i, j - i);
              float f = 0.0f;

              if (!to_float (value, &f) && row->bad_column == G_MAXUINT)
                {
                  row->bad_column = count;
                  row->bad_value = value;
                }
              g_array_append_val (packed->values, f);
            }
          count++;
          want_number = FALSE;
          first = FALSE;
          i = j - 1;
          continue;
        }
      break;
    }

  if (packed != NULL)
    g_array_set_size (packed->values, mark);
  return 0;
}

/* Where the scan is: one level per open bracket. */
typedef struct
{
  gboolean object;
  gboolean expect_key; /* objects: the next string names a member */
  Field    member;     /* objects: the field the current member's value is, if any */
  Field    field;      /* arrays: the field of a list of layers, or of a layer's rows */
  gboolean layers;     /* the list of a field's layers */
  gboolean rows;       /* one layer: a list of rows */
  gboolean velocity;   /* the top-level "velocity" object */
  guint    index;      /* arrays: the current element's index */
  guint    layer;      /* rows: which layer */
} Level;

static Field
member_field (const char *name,
              size_t      n,
              gboolean    in_velocity)
{
  if (n == 7 && memcmp (name, "weights", 7) == 0)
    return in_velocity ? FIELD_VELOCITY_WEIGHTS : FIELD_WEIGHTS;
  if (n == 6 && memcmp (name, "biases", 6) == 0)
    return in_velocity ? FIELD_VELOCITY_BIASES : FIELD_BIASES;
  if (!in_velocity && n == 8 && memcmp (name, "velocity", 8) == 0)
    return FIELD_VELOCITY;
  return FIELD_NONE;
}

/* One pass over the text. Without @packed it only checks and counts (@counts); with it, it also
 * takes the rows' numbers and blanks their text in @blank (which may be @data itself). */
static bool
scan (Reader     *rd,
      const char *data,
      size_t      len,
      ScanCounts *counts,
      Packed     *packed,
      char       *blank)
{
  Level stack[MAX_NESTING + 1];
  size_t depth = 0, key_start = 0;
  unsigned line = 1, column = 1;
  gboolean in_string = FALSE, in_key = FALSE, ended = FALSE;

  memset (counts, 0, sizeof *counts);
  memset (&stack[0], 0, sizeof stack[0]);

  for (size_t i = 0; i < len; i++, column++)
    {
      unsigned char c = (unsigned char) data[i];
      Level *top = &stack[depth];

      if (in_string)
        {
          if (c == '\\')
            {
              i++;
              column++;
            }
          else if (c == '"')
            {
              in_string = FALSE;
              if (in_key)
                top->member = member_field (data + key_start, i - key_start,
                                            top->velocity && depth == 2);
              in_key = FALSE;
              ended = ended || depth == 0;
            }
          else if (c == '\n')
            {
              line++;
              column = 0;
            }
          continue;
        }

      if (ended && depth == 0 && !counts->trailing && c != ' ' && c != '\t' && c != '\r'
          && c != '\n')
        {
          counts->trailing = TRUE;
          counts->trailing_line = line;
          counts->trailing_column = column;
        }

      switch (c)
        {
        case '\n':
          line++;
          column = 0;
          break;
        case ' ':
        case '\t':
        case '\r':
          break;
        case ',':
          if (depth > 0 && top->object)
            {
              top->expect_key = TRUE;
              top->member = FIELD_NONE;
            }
          else if (depth > 0)
            top->index++;
          break;
        case ':':
          if (depth > 0 && top->object)
            top->expect_key = FALSE;
          break;
        case '"':
          in_string = TRUE;
          counts->n_nodes++;
          in_key = depth > 0 && top->object && top->expect_key;
          key_start = i + 1;
          break;
        case '[':
          counts->n_nodes++;
          /* A row of a field's layer: packed when it is a plain list of numbers. */
          if (depth > 0 && top->rows)
            {
              unsigned newlines = 0;
              size_t last_newline = 0;
              Row row = { top->layer, top->index, 0, G_MAXUINT, 0.0, 0 };
              size_t end;

              row.first = packed != NULL ? packed->values->len : 0;
              end = scan_row (data, len, i + 1, &newlines, &last_newline, packed, &row);
              if (end > 0)
                {
                  counts->n_numbers += row.count;
                  if (packed != NULL)
                    {
                      g_array_append_val (packed->rows[top->field], row);
                      for (size_t k = i + 1; k < end; k++)
                        if (blank[k] != '\n')
                          blank[k] = ' ';
                    }
                  line += newlines;
                  column = newlines > 0 ? (unsigned) (end - last_newline) : column + (unsigned) (end - i);
                  i = end;
                  break;
                }
            }
          G_GNUC_FALLTHROUGH;
        case '{':
          if (c == '{')
            counts->n_nodes++;
          if (++depth > MAX_NESTING)
            return fail (rd, "%u:%u: nested deeper than %d levels", line, column, MAX_NESTING);
          {
            Level *parent = top;
            Level *level = &stack[depth];

            memset (level, 0, sizeof *level);
            level->object = c == '{';
            level->expect_key = level->object;
            level->member = FIELD_NONE;
            level->field = FIELD_NONE;
            if (depth == 1)
              break;
            /* What this value is: a field's list of layers, one layer's rows, the velocity. */
            if (depth == 2 && parent->object && parent->member == FIELD_VELOCITY && level->object)
              {
                level->velocity = TRUE;
                if (packed != NULL)
                  for (Field f = FIELD_VELOCITY_WEIGHTS; f <= FIELD_VELOCITY_BIASES; f++)
                    g_array_set_size (packed->rows[f], 0);
              }
            else if (!level->object && parent->object && parent->member < N_FIELDS
                     && (depth == 2 || (depth == 3 && parent->velocity)))
              {
                /* A field named again replaces the first, as in json-glib. */
                level->layers = TRUE;
                level->field = parent->member;
                if (packed != NULL)
                  g_array_set_size (packed->rows[level->field], 0);
              }
            else if (!level->object && parent->layers)
              {
                level->rows = TRUE;
                level->field = parent->field;
                level->layer = parent->index;
              }
          }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          ended = ended || depth == 0;
          break;
        default:
          if (is_number_char (c))
            {
              size_t j = i;

              while (j < len && is_number_char ((unsigned char) data[j]))
                j++;
              /* A word (true, NaN, -Infinity) is json-glib's to judge; a number is ours. */
              if (!g_ascii_isalpha (c) && !(c == '-' && j > i + 1 && g_ascii_isalpha (data[i + 1])))
                {
                  const char *problem = number_problem (data + i, j - i);

                  if (problem != NULL)
                    return fail (rd, "%u:%u: %.*s: %s", line, column,
                                 (int) MIN (j - i, (size_t) 40), data + i, problem);
                }
              counts->n_nodes++;
              ended = ended || depth == 0;
              column += (unsigned) (j - 1 - i);
              i = j - 1;
              break;
            }
          if (g_ascii_isprint (c))
            return fail (rd, "%u:%u: unexpected character '%c'", line, column, c);
          return fail (rd, "%u:%u: unexpected byte 0x%02x", line, column, c);
        }
    }

  return true;
}

/* The next packed row of @field, if it is @field[@layer][@row]. read_layers() asks for them in
 * the document's order, so a cursor finds each in turn. */
static const Row *
packed_row (Packed *packed,
            Field   field,
            guint   layer,
            guint   row)
{
  GArray *rows;

  if (packed == NULL || field >= N_FIELDS)
    return NULL;
  rows = packed->rows[field];
  while (packed->cursor[field] < rows->len)
    {
      const Row *r = &g_array_index (rows, Row, packed->cursor[field]);

      if (r->layer > layer || (r->layer == layer && r->row > row))
        return NULL;
      packed->cursor[field]++;
      if (r->layer == layer && r->row == row)
        return r;
    }
  return NULL;
}

/* A finite number that fits in a float. @what names it in messages. */
static bool
read_float (Reader     *rd,
            JsonNode   *node,
            const char *what,
            float      *out)
{
  double value;

  if (!bp_json_is_number (node))
    return fail (rd, "%s is %s, expected a number", what, bp_json_describe (node));

  value = json_node_get_double (node);
  if (!to_float (value, out))
    return fail (rd, "%s is %g, which is not a finite float", what, value);

  return true;
}

/* A finite double, or null (NaN), for the history's metrics. */
static bool
read_double_or_null (Reader     *rd,
                     JsonNode   *node,
                     const char *what,
                     double     *out)
{
  double value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return true;
    }
  if (!bp_json_is_number (node))
    return fail (rd, "%s is %s, expected a number or null", what, bp_json_describe (node));

  value = json_node_get_double (node);
  if (!isfinite (value))
    return fail (rd, "%s is %g, expected a finite number", what, value);

  *out = value;
  return true;
}

/* An integer from @min (≥ 0) to @max. */
static bool
read_uint (Reader     *rd,
           JsonNode   *node,
           const char *what,
           gint64      min,
           uint64_t    max,
           uint64_t   *out)
{
  gint64 value;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (rd, "%s is %s, expected an integer", what, bp_json_describe (node));

  /* json-glib saturates integers beyond 2^64 and wraps those above 2^63 to negative values,
   * so a huge number always shows up here as negative (not worth echoing) or above @max. */
  value = json_node_get_int (node);
  if (value < min || (uint64_t) value > max)
    {
      if (value < 0)
        return fail (rd, "%s is out of range, expected %" G_GINT64_FORMAT " to %" G_GUINT64_FORMAT,
                     what, min, max);
      return fail (rd, "%s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT " to %"
                   G_GUINT64_FORMAT, what, value, min, max);
    }

  *out = (uint64_t) value;
  return true;
}

/* @member of @object as a string, or NULL in *@out when it is absent. */
static bool
read_string_member (Reader      *rd,
                    JsonObject  *object,
                    const char  *member,
                    const char **out)
{
  JsonNode *node = json_object_get_member (object, member);

  *out = NULL;
  if (node == NULL)
    return true;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (rd, "\"%s\" is %s, expected a string", member, bp_json_describe (node));

  *out = json_node_get_string (node);
  return true;
}

static bool
read_sizes (Reader     *rd,
            JsonObject *root,
            size_t     *sizes,
            size_t     *n_layers)
{
  JsonNode *node = json_object_get_member (root, "sizes");
  JsonArray *array;
  guint n;

  if (node == NULL)
    return fail (rd, "missing \"sizes\"");
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "\"sizes\" is %s, expected a list of layer sizes", bp_json_describe (node));

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n < 2 || n > BP_MAX_LAYERS)
    return fail (rd, "\"sizes\" has %u entr%s, expected 2 to %d layers",
                 n, n == 1 ? "y" : "ies", BP_MAX_LAYERS);

  for (guint l = 0; l < n; l++)
    {
      JsonNode *element = json_array_get_element (array, l);
      char what[32];
      uint64_t size;

      g_snprintf (what, sizeof what, "sizes[%u]", l);
      if (!read_uint (rd, element, what, 1, BP_MAX_LAYER_SIZE, &size))
        return false;
      sizes[l] = (size_t) size;
    }

  *n_layers = n;
  return true;
}

/* Cost, activation and output. "backprop_cost" wins over network2.py's "cost"; a file without
 * "activation" or "output" is a sigmoid network, as every network2.py file is. */
static bool
read_kind (Reader       *rd,
           JsonObject   *root,
           BpActivation *activation,
           BpOutput     *output,
           BpCost       *cost)
{
  const char *network2_cost, *our_cost, *activation_name, *output_name;
  BpError check;

  if (!read_string_member (rd, root, "cost", &network2_cost) ||
      !read_string_member (rd, root, "backprop_cost", &our_cost) ||
      !read_string_member (rd, root, "activation", &activation_name) ||
      !read_string_member (rd, root, "output", &output_name))
    return false;

  if (network2_cost == NULL && our_cost == NULL)
    return fail (rd, "missing \"cost\"");
  if (network2_cost != NULL)
    {
      if (strcmp (network2_cost, NETWORK2_QUADRATIC) == 0)
        *cost = BP_COST_QUADRATIC;
      else if (strcmp (network2_cost, NETWORK2_CROSS_ENTROPY) == 0)
        *cost = BP_COST_CROSS_ENTROPY;
      else
        {
          g_autofree char *quoted = quote_for_message (network2_cost);

          return fail (rd, "unknown cost %s, expected \"%s\" or \"%s\"",
                       quoted, NETWORK2_QUADRATIC, NETWORK2_CROSS_ENTROPY);
        }
    }
  if (our_cost != NULL && !bp_cost_from_string (our_cost, cost))
    {
      g_autofree char *quoted = quote_for_message (our_cost);

      return fail (rd, "unknown backprop_cost %s, expected \"%s\", \"%s\" or \"%s\"", quoted,
                   bp_cost_to_string (BP_COST_QUADRATIC),
                   bp_cost_to_string (BP_COST_CROSS_ENTROPY),
                   bp_cost_to_string (BP_COST_LOG_LIKELIHOOD));
    }

  *activation = BP_ACTIVATION_SIGMOID;
  if (activation_name != NULL && !bp_activation_from_string (activation_name, activation))
    {
      g_autofree char *quoted = quote_for_message (activation_name);

      return fail (rd, "unknown activation %s, expected \"%s\", \"%s\" or \"%s\"", quoted,
                   bp_activation_to_string (BP_ACTIVATION_SIGMOID),
                   bp_activation_to_string (BP_ACTIVATION_TANH),
                   bp_activation_to_string (BP_ACTIVATION_RELU));
    }

  *output = BP_OUTPUT_SIGMOID;
  if (output_name != NULL && !bp_output_from_string (output_name, output))
    {
      g_autofree char *quoted = quote_for_message (output_name);

      return fail (rd, "unknown output %s, expected \"%s\" or \"%s\"", quoted,
                   bp_output_to_string (BP_OUTPUT_SIGMOID),
                   bp_output_to_string (BP_OUTPUT_SOFTMAX));
    }

  bp_error_clear (&check);
  if (!bp_cost_check_output (*cost, *output, &check))
    return fail (rd, "%s", check.message);

  return true;
}

/* One set of per-layer matrices shaped as network2.py's @field: for "weights" sizes[l] rows of
 * sizes[l−1] numbers, for "biases" sizes[l] rows of one number. With @dest NULL only checks;
 * otherwise copies into @dest at the network's offsets (after a check, so it cannot fail). */
static bool
read_layers (Reader          *rd,
             JsonNode        *node,
             const char      *field,
             Field            packed_field,
             bool             biases,
             const size_t    *sizes,
             size_t           n_layers,
             const BpNetwork *net,
             float           *dest)
{
  JsonArray *layers;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "%s is %s, expected a list of layers", field, bp_json_describe (node));

  layers = json_node_get_array (node);
  n = json_array_get_length (layers);
  if (n != n_layers - 1)
    return fail (rd, "%s has %u layers, expected %zu (one per layer after the input)",
                 field, n, n_layers - 1);
  if (rd->packed != NULL && packed_field < N_FIELDS)
    rd->packed->cursor[packed_field] = 0;

  for (size_t l = 1; l < n_layers; l++)
    {
      JsonNode *layer_node = json_array_get_element (layers, (guint) (l - 1));
      size_t rows = sizes[l];
      size_t cols = biases ? 1 : sizes[l - 1];
      float *m = NULL;
      JsonArray *layer;

      if (dest != NULL)
        m = dest + (biases ? net->b_offset[l] : net->w_offset[l]);

      if (!JSON_NODE_HOLDS_ARRAY (layer_node))
        return fail (rd, "%s[%zu] is %s, expected a list of rows",
                     field, l - 1, bp_json_describe (layer_node));
      layer = json_node_get_array (layer_node);
      if (json_array_get_length (layer) != rows)
        return fail (rd, "%s[%zu] has %u rows, expected %zu",
                     field, l - 1, json_array_get_length (layer), rows);

      for (size_t r = 0; r < rows; r++)
        {
          JsonNode *row_node = json_array_get_element (layer, (guint) r);
          const Row *packed;
          JsonArray *row;
          guint length;

          if (!JSON_NODE_HOLDS_ARRAY (row_node))
            return fail (rd, "%s[%zu][%zu] is %s, expected a list of %zu number%s",
                         field, l - 1, r, bp_json_describe (row_node), cols, cols == 1 ? "" : "s");
          row = json_node_get_array (row_node);
          length = json_array_get_length (row);
          /* An empty array in the tree may be a row scan() took the numbers of. */
          packed = length == 0 ? packed_row (rd->packed, packed_field, (guint) (l - 1), (guint) r)
                               : NULL;
          if (packed != NULL)
            length = packed->count;
          if (length != cols)
            return fail (rd, "%s[%zu][%zu] has %u columns, expected %zu",
                         field, l - 1, r, length, cols);
          if (packed != NULL)
            {
              if (packed->bad_column != G_MAXUINT)
                return fail (rd, "%s[%zu][%zu][%u] is %g, which is not a finite float",
                             field, l - 1, r, packed->bad_column, packed->bad_value);
              if (m != NULL)
                memcpy (m + r * cols, &g_array_index (rd->packed->values, float, packed->first),
                        cols * sizeof (float));
              continue;
            }

          for (size_t c = 0; c < cols; c++)
            {
              JsonNode *value = json_array_get_element (row, (guint) c);
              char what[96];
              float v;

              /* The common case stays free of formatting: the name is built only on error. */
              if (bp_json_is_number (value) && to_float (json_node_get_double (value), &v))
                {
                  if (m != NULL)
                    m[r * cols + c] = v;
                  continue;
                }
              g_snprintf (what, sizeof what, "%s[%zu][%zu][%zu]", field, l - 1, r, c);
              if (!read_float (rd, value, what, &v))
                return false;
            }
        }
    }

  return true;
}

/* "weights" and "biases" of @object, both required. @prefix is "" or "velocity.". */
static bool
read_parameters (Reader          *rd,
                 JsonObject      *object,
                 const char      *prefix,
                 const size_t    *sizes,
                 size_t           n_layers,
                 const BpNetwork *net,
                 float           *dest)
{
  static const char *const fields[] = { "weights", "biases" };

  for (size_t i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      JsonNode *node = json_object_get_member (object, fields[i]);
      char field[32];

      g_snprintf (field, sizeof field, "%s%s", prefix, fields[i]);
      if (node == NULL)
        return fail (rd, "missing \"%s\"", field);
      if (!read_layers (rd, node, field,
                        (Field) ((strcmp (prefix, "") == 0 ? FIELD_WEIGHTS : FIELD_VELOCITY_WEIGHTS) + i),
                        i == 1, sizes, n_layers, net, dest))
        return false;
    }

  return true;
}

/* Optional float member of "hyperparameters". */
static bool
read_hyper_float (Reader     *rd,
                  JsonObject *object,
                  const char *member,
                  float      *out)
{
  JsonNode *node = json_object_get_member (object, member);
  char what[64];

  if (node == NULL)
    return true;
  g_snprintf (what, sizeof what, "hyperparameters.%s", member);
  return read_float (rd, node, what, out);
}

/* Optional integer member of "hyperparameters". */
static bool
read_hyper_uint (Reader     *rd,
                 JsonObject *object,
                 const char *member,
                 uint64_t    max,
                 uint64_t   *out,
                 bool       *present)
{
  JsonNode *node = json_object_get_member (object, member);
  char what[64];

  *present = node != NULL;
  if (node == NULL)
    return true;
  g_snprintf (what, sizeof what, "hyperparameters.%s", member);
  return read_uint (rd, node, what, 0, max, out);
}

/* "hyperparameters" and "seed". Fields a file leaves out keep bp_train_config_init()'s values;
 * the monitors and the kernel are choices of the run, not of the model, and are never stored. */
static bool
read_config (Reader        *rd,
             JsonObject    *root,
             BpTrainConfig *config,
             bool          *has_config)
{
  JsonNode *node = json_object_get_member (root, "hyperparameters");
  JsonNode *seed = json_object_get_member (root, "seed");
  JsonObject *object;
  const char *name;
  uint64_t value;
  bool present;

  bp_train_config_init (config);
  *has_config = false;

  if (seed != NULL)
    {
      /* Seeds of 2^63 and above were written as unsigned numbers, which json-glib hands back
       * wrapped to negative int64: take the bits as they are. */
      if (!JSON_NODE_HOLDS_VALUE (seed) || json_node_get_value_type (seed) != G_TYPE_INT64)
        return fail (rd, "\"seed\" is %s, expected an integer", bp_json_describe (seed));
      config->seed = (uint64_t) json_node_get_int (seed);
    }

  if (node == NULL)
    return true;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fail (rd, "\"hyperparameters\" is %s, expected an object", bp_json_describe (node));
  object = json_node_get_object (node);

  if (!read_hyper_float (rd, object, "eta", &config->hyper.eta) ||
      !read_hyper_float (rd, object, "lambda", &config->hyper.lambda_l2) ||
      !read_hyper_float (rd, object, "l1", &config->hyper.lambda_l1) ||
      !read_hyper_float (rd, object, "momentum", &config->hyper.momentum) ||
      !read_hyper_float (rd, object, "dropout", &config->hyper.dropout))
    return false;

  if (!read_hyper_uint (rd, object, "batch_size", SIZE_MAX, &value, &present))
    return false;
  if (present)
    config->hyper.batch_size = (size_t) value;
  if (!read_hyper_uint (rd, object, "epochs", UINT_MAX, &value, &present))
    return false;
  if (present)
    config->epochs = (unsigned) value;
  if (!read_hyper_uint (rd, object, "early_stop", UINT_MAX, &value, &present))
    return false;
  if (present)
    config->early_stop = (unsigned) value;
  if (!read_hyper_uint (rd, object, "schedule", UINT_MAX, &value, &present))
    return false;
  if (present)
    config->schedule = (unsigned) value;

  if (!read_string_member (rd, object, "init", &name))
    return false;
  if (name != NULL && !bp_init_from_string (name, &config->init))
    {
      g_autofree char *quoted = quote_for_message (name);

      return fail (rd, "unknown hyperparameters.init %s, expected \"%s\" or \"%s\"", quoted,
                   bp_init_to_string (BP_INIT_DEFAULT), bp_init_to_string (BP_INIT_LARGE));
    }
  if (!read_string_member (rd, object, "expand", &name))
    return false;
  if (name != NULL && !bp_expand_from_string (name, &config->expand))
    {
      g_autofree char *quoted = quote_for_message (name);

      return fail (rd, "unknown hyperparameters.expand %s, expected \"%s\", \"%s\" or \"%s\"",
                   quoted, bp_expand_to_string (BP_EXPAND_NONE),
                   bp_expand_to_string (BP_EXPAND_SHIFTS),
                   bp_expand_to_string (BP_EXPAND_AFFINE));
    }

  {
    BpError check;

    bp_error_clear (&check);
    if (!bp_train_config_check (config, &check))
      return fail (rd, "hyperparameters: %s", check.message);
  }

  *has_config = true;
  return true;
}

/* "history": a list of per-epoch objects. With @dest NULL only checks and counts. */
static bool
read_history (Reader         *rd,
              JsonNode       *node,
              BpEpochMetrics *dest,
              size_t         *n_history)
{
  static const struct
  {
    const char *name;
    size_t      offset;
  } metrics[] = {
    { "train_cost", G_STRUCT_OFFSET (BpEpochMetrics, train_cost) },
    { "train_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, train_accuracy) },
    { "validation_cost", G_STRUCT_OFFSET (BpEpochMetrics, validation_cost) },
    { "validation_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, validation_accuracy) },
    { "test_cost", G_STRUCT_OFFSET (BpEpochMetrics, test_cost) },
    { "test_accuracy", G_STRUCT_OFFSET (BpEpochMetrics, test_accuracy) },
    { "seconds", G_STRUCT_OFFSET (BpEpochMetrics, seconds) },
  };
  JsonArray *array;
  guint n;

  *n_history = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return true;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (rd, "\"history\" is %s, expected a list of epochs", bp_json_describe (node));

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      BpEpochMetrics m;
      JsonObject *object;
      JsonNode *member;
      char what[64];
      uint64_t epoch;
      double eta;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return fail (rd, "history[%u] is %s, expected an object", i, bp_json_describe (element));
      object = json_node_get_object (element);

      member = json_object_get_member (object, "epoch");
      if (member == NULL)
        return fail (rd, "history[%u] has no \"epoch\"", i);
      g_snprintf (what, sizeof what, "history[%u].epoch", i);
      if (!read_uint (rd, member, what, 0, UINT_MAX, &epoch))
        return false;
      m.epoch = (unsigned) epoch;

      for (size_t k = 0; k < G_N_ELEMENTS (metrics); k++)
        {
          g_snprintf (what, sizeof what, "history[%u].%s", i, metrics[k].name);
          if (!read_double_or_null (rd, json_object_get_member (object, metrics[k].name), what,
                                    G_STRUCT_MEMBER_P (&m, metrics[k].offset)))
            return false;
        }

      g_snprintf (what, sizeof what, "history[%u].eta", i);
      if (!read_double_or_null (rd, json_object_get_member (object, "eta"), what, &eta))
        return false;
      if (isnan (eta))
        m.eta = NAN;
      else if (!to_float (eta, &m.eta))
        return fail (rd, "%s is %g, which is not a finite float", what, eta);

      if (dest != NULL)
        dest[i] = m;
    }

  *n_history = n;
  return true;
}

/* The document is parsed and @root is its top-level object: check everything, and only then
 * allocate, so a file whose "sizes" promise gigabytes is refused on the shape of its arrays
 * (which are only as large as the file) before anything of that size is allocated. */
static BpNetwork *
read_model (Reader      *rd,
            JsonObject  *root,
            BpModelInfo *info)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t n_layers = 0;
  BpActivation activation;
  BpOutput output;
  BpCost cost;
  JsonNode *node, *velocity_node, *history_node;
  JsonObject *velocity_object = NULL;
  BpTrainConfig config;
  bool has_config;
  uint64_t train_size = 0;
  size_t n_history;
  BpEpochMetrics *history = NULL;
  float *velocity = NULL;
  BpNetwork *net;
  const char *format;

  if (!read_string_member (rd, root, "format", &format))
    return NULL;
  if (format != NULL && strcmp (format, "backprop-model") != 0)
    {
      g_autofree char *quoted = quote_for_message (format);

      fail (rd, "\"format\" is %s, expected \"backprop-model\"", quoted);
      return NULL;
    }
  node = json_object_get_member (root, "format_version");
  if (node != NULL)
    {
      uint64_t version;

      if (!read_uint (rd, node, "\"format_version\"", 0, UINT64_MAX, &version))
        return NULL;
      if (version > BP_MODEL_FORMAT_VERSION)
        {
          fail (rd, "format version %" G_GUINT64_FORMAT " is newer than this program reads (%d)",
                version, BP_MODEL_FORMAT_VERSION);
          return NULL;
        }
    }

  if (!read_sizes (rd, root, sizes, &n_layers) ||
      !read_kind (rd, root, &activation, &output, &cost) ||
      !read_parameters (rd, root, "", sizes, n_layers, NULL, NULL))
    return NULL;

  velocity_node = json_object_get_member (root, "velocity");
  if (velocity_node != NULL && !JSON_NODE_HOLDS_NULL (velocity_node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (velocity_node))
        {
          fail (rd, "\"velocity\" is %s, expected an object with \"weights\" and \"biases\"",
                bp_json_describe (velocity_node));
          return NULL;
        }
      velocity_object = json_node_get_object (velocity_node);
      if (!read_parameters (rd, velocity_object, "velocity.", sizes, n_layers, NULL, NULL))
        return NULL;
    }

  if (!read_config (rd, root, &config, &has_config))
    return NULL;
  node = json_object_get_member (root, "train_size");
  if (node != NULL && !read_uint (rd, node, "\"train_size\"", 0, SIZE_MAX, &train_size))
    return NULL;
  history_node = json_object_get_member (root, "history");
  if (!read_history (rd, history_node, NULL, &n_history))
    return NULL;

  /* Everything is checked: allocate, then copy (which cannot fail). */
  {
    BpError new_error;

    bp_error_clear (&new_error);
    net = bp_network_new (sizes, n_layers, activation, output, cost, &new_error);
    if (net == NULL)
      {
        bp_error_set (rd->error, new_error.code, "%s: %s", rd->name, new_error.message);
        return NULL;
      }
  }
  if (info != NULL && velocity_object != NULL)
    velocity = calloc (net->n_params, sizeof *velocity);
  if (info != NULL && n_history > 0)
    history = calloc (n_history, sizeof *history);
  if ((info != NULL && velocity_object != NULL && velocity == NULL) ||
      (info != NULL && n_history > 0 && history == NULL))
    {
      free (velocity);
      free (history);
      bp_network_free (net);
      bp_error_set (rd->error, BP_ERROR_NOMEM, "%s: out of memory", rd->name);
      return NULL;
    }

  read_parameters (rd, root, "", sizes, n_layers, net, net->params);
  if (info == NULL)
    return net;

  if (velocity != NULL)
    read_parameters (rd, velocity_object, "velocity.", sizes, n_layers, net, velocity);
  if (history != NULL)
    read_history (rd, history_node, history, &n_history);

  info->has_config = has_config;
  info->config = config;
  info->train_size = (size_t) train_size;
  info->history = history;
  info->n_history = history != NULL ? n_history : 0;
  info->velocity = velocity;
  return net;
}

/* Check @text (@len bytes, a NUL after them), take the rows of numbers into @packed and blank
 * them, and parse the rest with @parser. @text is modified. */
static bool
parse_text (Reader     *rd,
            char       *text,
            size_t      len,
            JsonParser *parser,
            Packed     *packed)
{
  g_autoptr(GError) gerror = NULL;
  g_autofree char *what = NULL;
  ScanCounts counts;
  uint64_t need;

  if (!scan (rd, text, len, &counts, NULL, NULL))
    return false;

  /* The tree of what is left, the packed numbers, and as much again for the network (or the
   * velocities) they are copied into. */
  need = (uint64_t) counts.n_nodes * JSON_NODE_BYTES + (uint64_t) counts.n_numbers * 2 * sizeof (float);
  what = g_strdup_printf ("reading %s", rd->name);
  if (!bp_memory_check (need, what, rd->error))
    return false;

  packed_init (packed);
  g_array_set_size (packed->values, counts.n_numbers);
  g_array_set_size (packed->values, 0);
  scan (rd, text, len, &counts, packed, text);
  rd->packed = packed;

  if (!json_parser_load_from_data (parser, len > 0 ? text : "", (gssize) len, &gerror))
    {
      /* json-glib says "<data>:LINE:COLUMN: Parse error: …": put the file's name in place of
       * "<data>" so that the message points into the file. It quotes the file's bytes as they
       * decode (a lone surrogate escape gives bytes that are not UTF-8) and cuts them at a byte
       * count: a message must be valid UTF-8 to be shown. */
      g_autofree char *valid = g_utf8_make_valid (gerror->message, -1);
      const char *message = valid;

      if (g_str_has_prefix (message, "<data>:"))
        return bp_error_set (rd->error, BP_ERROR_FORMAT, "%s:%s", rd->name,
                             message + strlen ("<data>:"));
      return bp_error_set (rd->error, BP_ERROR_FORMAT, "%s: %s", rd->name, message);
    }
  /* json-glib reads the first of two documents and ignores the second; network2.py (Python's
   * json) refuses the file. */
  if (counts.trailing)
    return fail (rd, "%u:%u: more data after the end of the JSON document",
                 counts.trailing_line, counts.trailing_column);

  return true;
}

/* The model in @text (modified), whose bytes the caller has checked against the limits. */
static BpNetwork *
load_text (Reader      *rd,
           char        *text,
           size_t       len,
           BpModelInfo *info)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  Packed packed = { 0 };
  BpNetwork *net = NULL;
  JsonNode *root;

  if (!parse_text (rd, text, len, parser, &packed))
    goto out;

  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      fail (rd, "the file is empty, expected a JSON object");
      goto out;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (rd, "the top level is %s, expected an object", bp_json_describe (root));
      goto out;
    }

  net = read_model (rd, json_node_get_object (root), info);

out:
  packed_clear (&packed);
  return net;
}

/* A copy of @len bytes of @data with a NUL after them, for the scan to blank. */
static char *
copy_text (Reader     *rd,
           const char *data,
           size_t      len)
{
  g_autofree char *what = NULL;
  char *copy;

  if (len > MAX_FILE_BYTES)
    {
      bp_error_set (rd->error, BP_ERROR_FORMAT,
                    "%s: %zu bytes is too large for a model (the limit is %zu MiB)",
                    rd->name, len, MAX_FILE_BYTES >> 20);
      return NULL;
    }
  what = g_strdup_printf ("reading %s", rd->name);
  if (!bp_memory_check (len, what, rd->error))
    return NULL;
  copy = g_try_malloc (len + 1);
  if (copy == NULL)
    {
      bp_error_set (rd->error, BP_ERROR_NOMEM, "%s: out of memory for its %zu bytes", rd->name, len);
      return NULL;
    }
  if (len > 0)
    memcpy (copy, data, len);
  copy[len] = '\0';
  return copy;
}

BpNetwork *
bp_model_load_from_data (const char  *data,
                         size_t       len,
                         const char  *name,
                         BpModelInfo *info,
                         BpError     *error)
{
  Reader rd = { name != NULL ? name : "model", error, NULL };
  g_autofree char *text = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (info != NULL)
    memset (info, 0, sizeof *info);

  text = copy_text (&rd, data, len);
  if (text == NULL)
    return NULL;
  return load_text (&rd, text, len, info);
}

BpNetwork *
bp_model_load (const char  *path,
               BpModelInfo *info,
               BpError     *error)
{
  Reader rd = { path, error, NULL };
  g_autofree char *text = NULL;
  size_t len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (info != NULL)
    memset (info, 0, sizeof *info);

  /* A regular file only (a FIFO would block the read for ever, /dev/zero fill the memory), of
   * at most MAX_FILE_BYTES; the buffer is ours, so the rows are blanked in place. */
  if (!bp_file_read_all (path, MAX_FILE_BYTES, "a model file", &text, &len, error))
    return NULL;
  return load_text (&rd, text, len, info);
}

gboolean
bp_model_parse_document (JsonParser *parser,
                         const char *data,
                         size_t      len,
                         const char *name,
                         BpError    *error)
{
  Reader rd = { name != NULL ? name : "model", error, NULL };
  g_autofree char *text = NULL;
  Packed packed = { 0 };
  bool ok;

  g_return_val_if_fail (JSON_IS_PARSER (parser), FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  text = copy_text (&rd, data, len);
  if (text == NULL)
    return FALSE;
  ok = parse_text (&rd, text, len, parser, &packed);
  packed_clear (&packed);
  return ok;
}

/* ── What network2.py cannot represent ───────────────────────────────────────────────────── */

const char *
bp_model_describe_extensions (const BpNetwork *net,
                              char            *buf,
                              size_t           buf_size)
{
  const char *parts[2];
  size_t n = 0;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (buf != NULL && buf_size > 0, NULL);

  if (net->output == BP_OUTPUT_SOFTMAX || net->cost == BP_COST_LOG_LIKELIHOOD)
    parts[n++] = "softmax output with log-likelihood cost";

  /* The hidden activation only matters when there are hidden layers. */
  if (net->n_layers > 2)
    {
      if (net->activation == BP_ACTIVATION_TANH)
        parts[n++] = "tanh hidden layers";
      else if (net->activation == BP_ACTIVATION_RELU)
        parts[n++] = "ReLU hidden layers";
    }

  if (n == 0)
    return NULL;

  /* Truncated to @buf_size if need be, like snprintf. */
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0)
        g_strlcat (buf, ", ", buf_size);
      g_strlcat (buf, parts[i], buf_size);
    }
  return buf;
}
