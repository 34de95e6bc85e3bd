/* bp-model-private.h — what the model reader's two files share: the reader and the packed rows
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * bp-model-text.c checks a model file's text and takes the rows of numbers out of it before
 * json-glib parses the rest (its comment says why); bp-model-io.c reads the tree, and the rows
 * from the packed array, into a network. The short type names are this reader's own: nothing
 * outside these two files includes this header.
 */
#pragma once

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "bp-error.h"
#include "bp-model-io.h"

G_BEGIN_DECLS

/* BP_MODEL_MAX_FILE_BYTES: the text is held whole while it is read, and its numbers packed as
 * floats, so a file costs at most about three times its size (twice for files of written
 * floats), all of it checked against the memory limit before it is allocated. */
#define MAX_FILE_BYTES BP_MODEL_MAX_FILE_BYTES

/* The rows of numbers that the scan took out of the text: which member they are rows of. */
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

typedef struct _Packed Packed;

typedef struct
{
  const char *name;   /* the file, in messages */
  BpError    *error;
  Packed     *packed; /* the rows of numbers the scan took out of the text, or NULL */
} Reader;

/* Set @rd's error with the file's name in front, the message cut to whole characters. Returns
 * false. */
bool bp_model_failv (Reader     *rd,
                     const char *format,
                     va_list     args) G_GNUC_PRINTF (2, 0);

/* Doubles from here on round to ±FLT_MAX; from 2^128 − 2^103 (half a unit beyond) they round
 * to infinity. A file may well hold such a number: the shortest decimal that reads back as
 * FLT_MAX, 3.4028235e+38, is a little above FLT_MAX. */
#define BP_MODEL_FLOAT_OVERFLOW 0x1.ffffffp+127

/* @value as a float, if it rounds to a finite one. */
static inline bool
bp_model_to_float (double value,
                   float *out)
{
  /* The comparison is false for NaN too. */
  if (!(fabs (value) < BP_MODEL_FLOAT_OVERFLOW))
    return false;
  /* Clamped by hand so that no conversion ever goes out of range. */
  if (fabs (value) > FLT_MAX)
    *out = value > 0 ? FLT_MAX : -FLT_MAX;
  else
    *out = (float) value;
  return true;
}

/* A copy of @len bytes of @data with a NUL after them, for the scan to blank; NULL with @rd's
 * error set when @len is over MAX_FILE_BYTES or the memory limit. */
char *bp_model_copy_text (Reader     *rd,
                          const char *data,
                          size_t      len);

/* Check @text (@len bytes, a NUL after them), take the rows of numbers into @packed and blank
 * them, and parse the rest with @parser; @rd->packed is then @packed. @text is modified. Free
 * @packed with bp_model_packed_clear() whatever this returns. */
bool bp_model_parse_text (Reader     *rd,
                          char       *text,
                          size_t      len,
                          JsonParser *parser,
                          Packed     *packed);

void bp_model_packed_clear (Packed *packed);

/* The next packed row of @field, if it is @field[@layer][@row]: read_layers() asks for them in
 * the document's order, so a cursor finds each in turn (bp_model_packed_rewind() starts it
 * over). NULL when @packed is NULL or the row was left in the tree. */
const Row *bp_model_packed_row (Packed *packed,
                                Field   field,
                                guint   layer,
                                guint   row);
void bp_model_packed_rewind (Packed *packed,
                             Field   field);

G_END_DECLS
