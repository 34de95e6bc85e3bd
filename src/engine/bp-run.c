/* bp-run.c — the run description and its table of settings
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-run.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bp-book-presets.h"
#include "bp-number.h"

#define N_ELEMENTS(a) (sizeof (a) / sizeof (a)[0])

/* The kinds of distortion combine with commas; a combination's name lists them in this order,
 * and bp_expand_from_string() takes them in any order. */
static const char *const expand_names[] = {
  "none", "shifts", "affine", "thickness", "affine,thickness", NULL
};
static const char *const init_names[] = { "default", "large", "network3", NULL };
static const char *const l2_form_names[] = { "network2", "network3", NULL };

const char *
bp_expand_to_string (BpExpand expand)
{
  return (unsigned) expand <= BP_EXPAND_AFFINE_THICKNESS ? expand_names[expand] : "?";
}

bool
bp_expand_from_string (const char *s,
                       BpExpand   *out)
{
  for (unsigned i = 0; s != NULL && i <= BP_EXPAND_AFFINE_THICKNESS; i++)
    if (strcmp (s, expand_names[i]) == 0)
      {
        *out = (BpExpand) i;
        return true;
      }
  if (s != NULL && strcmp (s, "thickness,affine") == 0)
    {
      *out = BP_EXPAND_AFFINE_THICKNESS;
      return true;
    }
  return false;
}

/* ── The table ─────────────────────────────────────────────────────────────────────────────── */

#define RUN_OFFSET(member) offsetof (BpRun, member)

/* One patience message for both: they share the range and are read together. */
#define PATIENCE_MESSAGE "early stopping and the schedule take a patience of 0 to 100000 epochs"

/* In the order of `backprop-cli train --help`. The model-file order is that of the files
 * written since format version 1, which must not change. */
static const BpRunField fields[] = {
  {
    .name = "init", .type = BP_RUN_ENUM, .offset = RUN_OFFSET (init),
    .label = "initialiser", .choices = init_names,
    .flag = "init", .flag_arg = "NAME",
    .flag_help = "Initial weights: large, N(0,1) as in network.py (the default), default, N(0,1/√n_in), or network3, N(0,1/n_out) with a zero output layer",
    .settings_key = "init", .model_place = BP_RUN_MODEL_HYPER, .model_order = 7,
  },
  {
    .name = "eta", .type = BP_RUN_FLOAT, .offset = RUN_OFFSET (hyper.eta),
    .label = "η (learning rate)", .has_range = true, .min = 0.0, .min_open = true, .max = 1000.0,
    .live = true, .flag = "eta", .flag_arg = "η", .flag_help = "Learning rate η (default 3.0)",
    .settings_key = "eta", .model_place = BP_RUN_MODEL_HYPER, .model_order = 0,
  },
  {
    .name = "lambda", .type = BP_RUN_FLOAT, .offset = RUN_OFFSET (hyper.lambda_l2),
    .label = "λ (L2 regularisation)", .has_range = true, .min = 0.0, .max = 1e6,
    .live = true, .flag = "lambda", .flag_arg = "λ",
    .flag_help = "L2 regularisation λ, network2.py's weight decay (default 0)",
    .settings_key = "lambda", .model_place = BP_RUN_MODEL_HYPER, .model_order = 1,
  },
  {
    .name = "l1", .type = BP_RUN_FLOAT, .offset = RUN_OFFSET (hyper.lambda_l1),
    .label = "λ₁ (L1 regularisation)", .has_range = true, .min = 0.0, .max = 1e6,
    .live = true, .flag = "l1", .flag_arg = "λ", .flag_help = "L1 regularisation λ (default 0)",
    .settings_key = "lambda-l1", .model_place = BP_RUN_MODEL_HYPER, .model_order = 2,
  },
  {
    .name = "l2_form", .type = BP_RUN_ENUM, .offset = RUN_OFFSET (hyper.l2_form),
    .label = "L2 form", .choices = l2_form_names,
    .live = true, .flag = "l2-form", .flag_arg = "FORM",
    .flag_help = "How λ enters: network2, weight decay ηλ/n (the default), or network3, "
                 "0.5·λ·‖w‖² per mini-batch over n/m of them",
    .settings_key = "l2-form", .model_place = BP_RUN_MODEL_TOP_NONZERO, .model_order = 1,
  },
  {
    .name = "momentum", .type = BP_RUN_FLOAT, .offset = RUN_OFFSET (hyper.momentum),
    .label = "μ (momentum)", .has_range = true, .min = 0.0, .max = 1.0, .max_open = true,
    .live = true, .flag = "momentum", .flag_arg = "μ",
    .flag_help = "Momentum μ in [0, 1) (default 0)",
    .settings_key = "momentum", .model_place = BP_RUN_MODEL_HYPER, .model_order = 3,
  },
  {
    .name = "dropout", .type = BP_RUN_FLOAT, .offset = RUN_OFFSET (hyper.dropout),
    .label = "dropout probability", .has_range = true, .min = 0.0, .max = 1.0, .max_open = true,
    .live = true, .flag = "dropout", .flag_arg = "P",
    .flag_help = "Probability of dropping a hidden neuron, in [0, 1) (default 0)",
    .settings_key = "dropout", .model_place = BP_RUN_MODEL_HYPER, .model_order = 4,
  },
  {
    .name = "batch_size", .type = BP_RUN_SIZE, .offset = RUN_OFFSET (hyper.batch_size),
    .label = "mini-batch size", .has_range = true, .min = 1.0, .max = 60000.0,
    .live = true, .flag = "batch", .flag_arg = "M", .flag_help = "Mini-batch size (default 10)",
    .settings_key = "batch-size", .model_place = BP_RUN_MODEL_HYPER, .model_order = 5,
  },
  {
    .name = "epochs", .type = BP_RUN_UINT, .offset = RUN_OFFSET (epochs),
    .label = "epochs", .has_range = true, .min = 1.0, .max = 100000.0,
    .live = true, .flag = "epochs", .flag_arg = "N", .flag_help = "Epochs to train (default 30)",
    .settings_key = "epochs", .model_place = BP_RUN_MODEL_HYPER, .model_order = 6,
  },
  {
    .name = "seed", .type = BP_RUN_UINT64, .offset = RUN_OFFSET (seed),
    .label = "seed", .flag = "seed", .flag_arg = "N",
    .flag_help = "Random seed: the same seed repeats a run bit for bit (default 1)",
    .settings_key = "seed", .model_place = BP_RUN_MODEL_TOP, .model_order = 0,
  },
  {
    .name = "train_size", .type = BP_RUN_SIZE, .offset = RUN_OFFSET (train_size),
    .label = "training-set size", .flag = "train-size", .flag_arg = "N",
    .flag_help = "Train on the first N of the 50,000 training images",
    .settings_key = "train-size", .model_place = BP_RUN_MODEL_TOP_NONZERO, .model_order = 0,
  },
  {
    .name = "expand", .type = BP_RUN_ENUM, .offset = RUN_OFFSET (expand),
    .label = "expansion", .choices = expand_names,
    .flag = "expand", .flag_arg = "KIND",
    .flag_help = "Data expansion: none (default), shifts (expand_mnist.py), affine (random small distortions), thickness (random thicker or thinner strokes) or both: affine,thickness",
    .settings_key = "expand", .model_place = BP_RUN_MODEL_HYPER, .model_order = 8,
  },
  {
    .name = "early_stop", .type = BP_RUN_UINT, .offset = RUN_OFFSET (early_stop),
    .label = "early stopping", .has_range = true, .min = 0.0, .max = 100000.0,
    .range_message = PATIENCE_MESSAGE, .flag = "early-stop", .flag_arg = "N",
    .flag_help = "Stop after N epochs without a new best validation accuracy",
    .settings_key = "early-stop", .model_place = BP_RUN_MODEL_HYPER, .model_order = 9,
  },
  {
    .name = "schedule", .type = BP_RUN_UINT, .offset = RUN_OFFSET (schedule),
    .label = "learning-rate schedule", .has_range = true, .min = 0.0, .max = 100000.0,
    .range_message = PATIENCE_MESSAGE, .flag = "schedule", .flag_arg = "N",
    .flag_help = "Halve η after N epochs without improvement; stop at η/128",
    .settings_key = "schedule", .model_place = BP_RUN_MODEL_HYPER, .model_order = 10,
  },
};

const BpRunField *
bp_run_fields (size_t *n_fields)
{
  *n_fields = N_ELEMENTS (fields);
  return fields;
}

const BpRunField *
bp_run_field_find (const char *name)
{
  for (size_t i = 0; name != NULL && i < N_ELEMENTS (fields); i++)
    if (strcmp (fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

bool
bp_run_field_is_hyper (const BpRunField *field)
{
  return field->offset >= RUN_OFFSET (hyper)
         && field->offset < RUN_OFFSET (hyper) + sizeof (BpHyperparams);
}

static size_t
n_choices (const BpRunField *field)
{
  size_t n = 0;

  while (field->choices != NULL && field->choices[n] != NULL)
    n++;
  return n;
}

uint64_t
bp_run_field_type_max (const BpRunField *field)
{
  switch (field->type)
    {
    case BP_RUN_SIZE:
      return SIZE_MAX;
    case BP_RUN_UINT:
      return UINT_MAX;
    case BP_RUN_UINT64:
      return UINT64_MAX;
    case BP_RUN_ENUM:
      return n_choices (field) > 0 ? n_choices (field) - 1 : 0;
    case BP_RUN_FLOAT:
    default:
      return 0;
    }
}

/* ── Values ────────────────────────────────────────────────────────────────────────────────── */

static inline void *
member (BpRun            *run,
        const BpRunField *field)
{
  return (char *) run + field->offset;
}

static inline const void *
const_member (const BpRun      *run,
              const BpRunField *field)
{
  return (const char *) run + field->offset;
}

uint64_t
bp_run_field_get_uint (const BpRun      *run,
                       const BpRunField *field)
{
  const void *p = const_member (run, field);

  switch (field->type)
    {
    case BP_RUN_SIZE:
      return *(const size_t *) p;
    case BP_RUN_UINT:
      return *(const unsigned *) p;
    case BP_RUN_UINT64:
      return *(const uint64_t *) p;
    case BP_RUN_ENUM:
      /* Enumerations here are int-sized (C11 6.7.2.2); a negative value is out of range. */
      return *(const int *) p < 0 ? UINT64_MAX : (uint64_t) *(const int *) p;
    case BP_RUN_FLOAT:
    default:
      {
        float v = *(const float *) p;

        return v >= 0.0f && v < 18446744073709551616.0f ? (uint64_t) v : 0;
      }
    }
}

bool
bp_run_field_set_uint (BpRun            *run,
                       const BpRunField *field,
                       uint64_t          value)
{
  void *p = member (run, field);

  if (field->type != BP_RUN_FLOAT && value > bp_run_field_type_max (field))
    return false;
  switch (field->type)
    {
    case BP_RUN_SIZE:
      *(size_t *) p = (size_t) value;
      return true;
    case BP_RUN_UINT:
      *(unsigned *) p = (unsigned) value;
      return true;
    case BP_RUN_UINT64:
      *(uint64_t *) p = value;
      return true;
    case BP_RUN_ENUM:
      *(int *) p = (int) value;
      return true;
    case BP_RUN_FLOAT:
    default:
      *(float *) p = (float) value;
      return true;
    }
}

void
bp_run_field_copy (BpRun            *dest,
                   const BpRun      *src,
                   const BpRunField *field)
{
  size_t size;

  switch (field->type)
    {
    case BP_RUN_FLOAT:
      size = sizeof (float);
      break;
    case BP_RUN_SIZE:
      size = sizeof (size_t);
      break;
    case BP_RUN_UINT:
      size = sizeof (unsigned);
      break;
    case BP_RUN_UINT64:
      size = sizeof (uint64_t);
      break;
    case BP_RUN_ENUM:
    default:
      size = sizeof (int);
      break;
    }
  memcpy (member (dest, field), const_member (src, field), size);
}

double
bp_run_field_get_number (const BpRun      *run,
                         const BpRunField *field)
{
  if (field->type == BP_RUN_FLOAT)
    return *(const float *) const_member (run, field);
  if (field->type == BP_RUN_ENUM)
    return *(const int *) const_member (run, field);
  return (double) bp_run_field_get_uint (run, field);
}

bool
bp_run_field_set_number (BpRun            *run,
                         const BpRunField *field,
                         double            value)
{
  if (field->type == BP_RUN_FLOAT)
    {
      /* Beyond the float range the value becomes ±∞, as IEEE 754 rounds it, which the range
       * check then names ("= inf is out of range"). */
      float *out = member (run, field);

      /* 0x1.ffffffp+127 = FLT_MAX plus half a unit, where rounding goes to infinity. */
      if (isnan (value))
        *out = NAN;
      else if (!(fabs (value) < 0x1.ffffffp+127))
        *out = value > 0 ? INFINITY : -INFINITY;
      else if (fabs (value) > FLT_MAX)
        *out = value > 0 ? FLT_MAX : -FLT_MAX;
      else
        *out = (float) value;
      return true;
    }
  /* 2^64 is the first double beyond every uint64_t. */
  if (!(value >= 0.0 && value < 18446744073709551616.0) || value != floor (value))
    return false;
  return bp_run_field_set_uint (run, field, (uint64_t) value);
}

bool
bp_run_field_check (const BpRun      *run,
                    const BpRunField *field,
                    BpError          *error)
{
  double value;
  bool ok_lo, ok_hi;

  if (field->type == BP_RUN_ENUM)
    {
      if (bp_run_field_get_uint (run, field) >= n_choices (field))
        return bp_error_set (error, BP_ERROR_INVALID, "unknown %s", field->label);
      return true;
    }
  if (!field->has_range)
    return true;

  /* NaN fails every comparison, so the checks are written as "inside the range". */
  value = bp_run_field_get_number (run, field);
  ok_lo = field->min_open ? value > field->min : value >= field->min;
  ok_hi = field->max_open ? value < field->max : value <= field->max;
  if (ok_lo && ok_hi)
    return true;
  if (field->range_message != NULL)
    return bp_error_set (error, BP_ERROR_INVALID, "%s", field->range_message);
  return bp_error_set (error, BP_ERROR_INVALID, "%s = %g is out of range: it must be %s %g and %s %g",
                       field->label, value, field->min_open ? ">" : "≥", field->min,
                       field->max_open ? "<" : "≤", field->max);
}

void
bp_run_field_format (const BpRun      *run,
                     const BpRunField *field,
                     char             *buf,
                     size_t            buf_size)
{
  if (buf_size == 0)
    return;
  switch (field->type)
    {
    case BP_RUN_FLOAT:
      bp_number_format_float (*(const float *) const_member (run, field), buf, buf_size);
      break;
    case BP_RUN_ENUM:
      {
        uint64_t v = bp_run_field_get_uint (run, field);

        snprintf (buf, buf_size, "%s", v < n_choices (field) ? field->choices[v] : "?");
      }
      break;
    case BP_RUN_SIZE:
    case BP_RUN_UINT:
    case BP_RUN_UINT64:
    default:
      snprintf (buf, buf_size, "%llu", (unsigned long long) bp_run_field_get_uint (run, field));
      break;
    }
}

void
bp_run_field_list_choices (const BpRunField *field,
                           bool              quoted,
                           char             *buf,
                           size_t            buf_size)
{
  size_t n = n_choices (field);
  size_t used = 0;

  if (buf_size == 0)
    return;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < buf_size; i++)
    {
      const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
      int len = snprintf (buf + used, buf_size - used, quoted ? "%s\"%s\"" : "%s%s", sep,
                          field->choices[i]);

      if (len < 0)
        return;
      used += (size_t) len;
    }
}

/* A whole unsigned decimal number, no sign, no space. */
static bool
parse_uint (const char *text,
            uint64_t   *out)
{
  uint64_t v = 0;

  if (text == NULL || *text == '\0')
    return false;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p < '0' || *p > '9' || v > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
        return false;
      v = v * 10 + (uint64_t) (*p - '0');
    }
  *out = v;
  return true;
}

bool
bp_run_field_parse (BpRun            *run,
                    const BpRunField *field,
                    const char       *text,
                    BpError          *error)
{
  BpRun parsed = *run;

  switch (field->type)
    {
    case BP_RUN_FLOAT:
      {
        double value;

        if (!bp_number_parse (text, &value) || !bp_run_field_set_number (&parsed, field, value))
          return bp_error_set (error, BP_ERROR_INVALID, "%s: \"%s\" is not a number",
                               field->label, text != NULL ? text : "");
      }
      break;

    case BP_RUN_ENUM:
      {
        size_t n = n_choices (field);
        size_t i;

        for (i = 0; i < n && text != NULL; i++)
          if (strcmp (field->choices[i], text) == 0)
            break;
        /* The expansion's kinds combine in either order. */
        if (i == n && field->offset == RUN_OFFSET (expand))
          {
            BpExpand expand;

            if (bp_expand_from_string (text, &expand))
              i = (size_t) expand;
          }
        if (text == NULL || i == n)
          {
            char choices[256];

            bp_run_field_list_choices (field, false, choices, sizeof choices);
            return bp_error_set (error, BP_ERROR_INVALID, "%s: unknown value \"%s\" (use %s)",
                                 field->label, text != NULL ? text : "", choices);
          }
        bp_run_field_set_uint (&parsed, field, i);
      }
      break;

    case BP_RUN_SIZE:
    case BP_RUN_UINT:
    case BP_RUN_UINT64:
    default:
      {
        uint64_t value;

        if (!parse_uint (text, &value))
          return bp_error_set (error, BP_ERROR_INVALID, "%s: \"%s\" is not a whole number",
                               field->label, text != NULL ? text : "");
        if (!bp_run_field_set_uint (&parsed, field, value))
          return bp_error_set (error, BP_ERROR_INVALID, "%s: %s is too large", field->label, text);
      }
      break;
    }

  if (!bp_run_field_check (&parsed, field, error))
    return false;
  *run = parsed;
  return true;
}

/* ── Runs ──────────────────────────────────────────────────────────────────────────────────── */

void
bp_run_init (BpRun *run)
{
  *run = bp_book_preset_find ("ch1-30")->run;
  /* The defaults' seed stays 1 (the settings', the CLI's --seed); the preset's own seed is one
   * that reproduces the book's figure. */
  run->seed = 1;
}

bool
bp_run_check_fields (const BpRun *run,
                     BpError     *error)
{
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if (!bp_run_field_check (run, &fields[i], error))
      return false;
  return true;
}

bool
bp_run_check (const BpRun *run,
              BpError     *error)
{
  return bp_arch_check (&run->arch, error) && bp_run_check_fields (run, error);
}

/* Float settings compare as numbers (0 = −0, as the controls see them); the others by value. */
static bool
field_equal (const BpRun      *a,
             const BpRun      *b,
             const BpRunField *field)
{
  if (field->type == BP_RUN_FLOAT)
    return bp_run_field_get_number (a, field) == bp_run_field_get_number (b, field);
  return bp_run_field_get_uint (a, field) == bp_run_field_get_uint (b, field);
}

bool
bp_run_same_network (const BpRun *a,
                     const BpRun *b)
{
  if (!bp_arch_equal (&a->arch, &b->arch))
    return false;
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if (!fields[i].live && !field_equal (a, b, &fields[i]))
      return false;
  return true;
}

bool
bp_run_equal (const BpRun *a,
              const BpRun *b)
{
  if (!bp_arch_equal (&a->arch, &b->arch))
    return false;
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if (!field_equal (a, b, &fields[i]))
      return false;
  return true;
}

bool
bp_hyperparams_check (const BpHyperparams *hyper,
                      BpError             *error)
{
  BpRun run;

  bp_run_init (&run);
  run.hyper = *hyper;
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if (bp_run_field_is_hyper (&fields[i]) && !bp_run_field_check (&run, &fields[i], error))
      return false;
  return true;
}

bool
bp_hyperparams_equal (const BpHyperparams *a,
                      const BpHyperparams *b)
{
  BpRun ra, rb;

  bp_run_init (&ra);
  rb = ra;
  ra.hyper = *a;
  rb.hyper = *b;
  for (size_t i = 0; i < N_ELEMENTS (fields); i++)
    if (bp_run_field_is_hyper (&fields[i]) && !field_equal (&ra, &rb, &fields[i]))
      return false;
  return true;
}
