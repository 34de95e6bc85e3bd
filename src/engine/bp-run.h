/* bp-run.h — what a run is: the network, how it starts, which data and every learning setting
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One BpRun says all of it, and presets, the CLI, the app's controls and settings, the session,
 * model and session files and the trainer all speak it. Besides the arch (which has its own
 * text forms, bp-network.h), a run is a list of settings, and one table describes each: its
 * name, type, range, whether it is live (changes between two mini-batches without a new
 * network), its backprop-cli flag and help line, its GSettings key and its place in model
 * files. The CLI's options, the range checks and their messages, model files'
 * "hyperparameters", the app's settings and its controls loop over that table (bp_run_fields()).
 *
 * Adding a setting: a member of BpRun (or of BpHyperparams when it is live), a row in bp-run.c,
 * its use in the engine, its key in data/io.github.nndl.Backprop.gschema.xml, its widget in
 * ui/bp-controls.ui (id "<name>_spin", or "<name>_row" for a choice), and a test.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-error.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum
{
  BP_EXPAND_NONE,
  BP_EXPAND_SHIFTS, /* expand_mnist.py: each image and its four 1-pixel shifts (5× the data) */
  BP_EXPAND_AFFINE, /* a fresh random small rotation, scale and shift per image per mini-batch */
  BP_EXPAND_THICKNESS, /* strokes made thicker or thinner by a fresh random amount (bp-distort.h) */
  BP_EXPAND_AFFINE_THICKNESS, /* both: the affine distortion, then the thickness */
} BpExpand;

/* Whether @expand distorts each image afresh per mini-batch: affine, thickness or both. */
#define BP_EXPAND_HAS_AFFINE(e) ((e) == BP_EXPAND_AFFINE || (e) == BP_EXPAND_AFFINE_THICKNESS)
#define BP_EXPAND_HAS_THICKNESS(e) ((e) == BP_EXPAND_THICKNESS || (e) == BP_EXPAND_AFFINE_THICKNESS)

const char *bp_expand_to_string (BpExpand expand);
bool        bp_expand_from_string (const char *s,
                                   BpExpand   *out);

typedef struct
{
  BpArch        arch;        /* the layers, the output function and the cost */
  BpInit        init;        /* how the parameters start */
  uint64_t      seed;        /* of the initial parameters, the shuffling, dropout and distortions */
  size_t        train_size;  /* the first N training examples; 0 = all of them */
  BpExpand      expand;      /* more training data */
  BpHyperparams hyper;       /* live: η, λ, λ₁, μ, dropout, the mini-batch size */
  unsigned      epochs;      /* 1 … 100,000; live in the app (a finished run may go on) */
  unsigned      early_stop;  /* stop after this many epochs without a new best validation
                              * accuracy; 0 = off */
  unsigned      schedule;    /* halve η after this many epochs without improvement; stop at
                              * η₀/128; 0 = off */
} BpRun;

/* The book's chapter-1 run (the preset ch1-30, but for its seed): 784-30-10 sigmoid with the
 * quadratic cost, N(0, 1) weights, seed 1, all 50,000 images, η 3.0, mini-batches of 10, 30 epochs. */
void bp_run_init (BpRun *run);

/* Every setting of the table in its range (the arch aside); the message names the setting,
 * the value and the range ("η (learning rate) = -1 is out of range: it must be > 0 and ≤
 * 1000"). */
bool bp_run_check_fields (const BpRun *run,
                          BpError     *error);

/* bp_arch_check() and bp_run_check_fields(). */
bool bp_run_check (const BpRun *run,
                   BpError     *error);

/* Every field equal. */
bool bp_run_equal (const BpRun *a,
                   const BpRun *b);

/* Whether @a and @b build the same network from the same start: the arch and every setting
 * that is not live equal. */
bool bp_run_same_network (const BpRun *a,
                          const BpRun *b);

/* The live settings alone (bp_run_check_fields() of the table's members of BpHyperparams). */
bool bp_hyperparams_check (const BpHyperparams *hyper,
                           BpError             *error);
bool bp_hyperparams_equal (const BpHyperparams *a,
                           const BpHyperparams *b);

/* ── The table ────────────────────────────────────────────────────────────────────────────── */

typedef enum
{
  BP_RUN_FLOAT,  /* float */
  BP_RUN_SIZE,   /* size_t */
  BP_RUN_UINT,   /* unsigned */
  BP_RUN_UINT64, /* uint64_t */
  BP_RUN_ENUM,   /* an enumeration (int-sized), by the names in `choices` */
} BpRunType;

/* Where a setting is in model files (see bp-model-io.h). */
typedef enum
{
  BP_RUN_MODEL_NONE,       /* not written */
  BP_RUN_MODEL_HYPER,      /* a member of "hyperparameters", written when the file has them */
  BP_RUN_MODEL_TOP,        /* a top-level member written with "hyperparameters", after it */
  BP_RUN_MODEL_TOP_NONZERO, /* a top-level member written whenever it is not 0 */
} BpRunModelPlace;

typedef struct
{
  const char        *name;          /* stable: the key in model files ("eta", "batch_size") */
  BpRunType          type;
  size_t             offset;        /* of the member in BpRun */
  const char        *label;         /* names it in messages: "η (learning rate)", "initialiser" */
  bool               has_range;     /* numbers: whether [min, max] applies */
  double             min, max;
  bool               min_open;      /* min < value rather than min ≤ value */
  bool               max_open;      /* value < max rather than value ≤ max */
  const char        *range_message; /* said instead of the usual message when out of range */
  const char *const *choices;       /* BP_RUN_ENUM: the names by value, NULL-terminated */
  bool               live;          /* changes between two mini-batches without a new network */
  const char        *flag;          /* backprop-cli train --FLAG, or NULL */
  const char        *flag_arg;      /* the argument's name in --help: "η", "N" */
  const char        *flag_help;     /* the --help line */
  const char        *settings_key;  /* the key of the io.github.nndl.Backprop schema, or NULL */
  BpRunModelPlace    model_place;
  unsigned           model_order;   /* the order of the members of one place in the file */
} BpRunField;

/* The table, in the order backprop-cli train --help lists the flags. */
const BpRunField *bp_run_fields (size_t *n_fields);

/* The row called @name, or NULL. */
const BpRunField *bp_run_field_find (const char *name);

/* Whether @field is a member of BpHyperparams (and so reaches the trainer live). */
bool bp_run_field_is_hyper (const BpRunField *field);

/* The largest value the member's C type holds (integers and choices). */
uint64_t bp_run_field_type_max (const BpRunField *field);

/* The value as a number: a float, an integer (a seed beyond 2^53 loses its low bits; use
 * bp_run_field_get_uint()), or a choice's index. */
double bp_run_field_get_number (const BpRun      *run,
                                const BpRunField *field);

/* Set from a number: a float field takes it rounded to float (±∞ beyond the float range, NaN as
 * NaN); an integer field or a choice only a whole number its type holds (false, and @run
 * unchanged, otherwise). No range check. */
bool bp_run_field_set_number (BpRun            *run,
                              const BpRunField *field,
                              double            value);

/* Integer fields and choices, exactly. */
uint64_t bp_run_field_get_uint (const BpRun      *run,
                                const BpRunField *field);
bool     bp_run_field_set_uint (BpRun            *run,
                                const BpRunField *field,
                                uint64_t          value);

/* Give @dest @src's value of @field. */
void bp_run_field_copy (BpRun            *dest,
                        const BpRun      *src,
                        const BpRunField *field);

/* The field's value in its range (a choice: one of the names); the message as
 * bp_run_check_fields() says it. */
bool bp_run_field_check (const BpRun      *run,
                         const BpRunField *field,
                         BpError          *error);

/* The value as text: the shortest decimal that reads back as the same float, an integer, or a
 * choice's name ("0.5", "30", "large"). */
void bp_run_field_format (const BpRun      *run,
                          const BpRunField *field,
                          char             *buf,
                          size_t            buf_size);

/* Set from text as bp_run_field_format() writes it, then check the range. The message names
 * the field: "η (learning rate): \"abc\" is not a number", "initialiser: unknown value \"x\"
 * (use default or large)". False, and @run unchanged, on error. */
bool bp_run_field_parse (BpRun            *run,
                         const BpRunField *field,
                         const char       *text,
                         BpError          *error);

/* A choice field's names joined for messages: "default or large", "none, shifts or affine";
 * with @quoted, each in double quotes. */
void bp_run_field_list_choices (const BpRunField *field,
                                bool              quoted,
                                char             *buf,
                                size_t            buf_size);

#ifdef __cplusplus
}
#endif
