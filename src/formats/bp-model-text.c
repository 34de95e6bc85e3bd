/* bp-model-text.c — a model file's text before json-glib: checked, its rows of numbers packed
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What bp-model-io.c's readers get to see: the text checked against the limits, scanned (see
 * scan()), and what is left parsed by json-glib. Also bp_model_parse_document(), the same for
 * readers of a model file's other members.
 */
#include "config.h"

#include "bp-model-private.h"

#include <stdint.h>
#include <string.h>

#include "bp-memory.h"

/* Our own files nest at most 5 deep (velocity → weights → layer → row → number). json-glib 1.6
 * parses recursively and overflows the stack on a few hundred thousand brackets, so deeper input
 * is refused before it reaches the parser. */
#define MAX_NESTING 32

bool
bp_model_failv (Reader     *rd,
                const char *format,
                va_list     args)
{
  char message[BP_ERROR_MESSAGE_MAX];

  g_vsnprintf (message, sizeof message, format, args);

  /* bp_error_set() trims the whole message; this one may already have been cut. */
  {
    const char *end;

    if (!g_utf8_validate (message, -1, &end))
      message[end - message] = '\0';
  }
  return bp_error_set (rd->error, BP_ERROR_FORMAT, "%s: %s", rd->name, message);
}

static bool
fail (Reader     *rd,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static bool
fail (Reader     *rd,
      const char *format,
      ...)
{
  va_list args;
  bool result;

  va_start (args, format);
  result = bp_model_failv (rd, format, args);
  va_end (args);
  return result;
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

void
bp_model_packed_clear (Packed *packed)
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

              if (!bp_model_to_float (value, &f) && row->bad_column == G_MAXUINT)
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

const Row *
bp_model_packed_row (Packed *packed,
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

void
bp_model_packed_rewind (Packed *packed,
                        Field   field)
{
  if (packed != NULL && field < N_FIELDS)
    packed->cursor[field] = 0;
}

bool
bp_model_parse_text (Reader     *rd,
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

char *
bp_model_copy_text (Reader     *rd,
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

  text = bp_model_copy_text (&rd, data, len);
  if (text == NULL)
    return FALSE;
  ok = bp_model_parse_text (&rd, text, len, parser, &packed);
  bp_model_packed_clear (&packed);
  return ok;
}
