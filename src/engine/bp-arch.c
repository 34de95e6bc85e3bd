/* bp-arch.c — what a network is: names, checks and the text forms of a layer list
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two text forms describe a network. network2.py's sizes list, "784,30,10" (printed
 * "784-30-10"), says dense layers of one activation; the layer list, "fc30:relu,softmax10",
 * says each layer's kind, size and options. bp_arch_is_plain() tells which an arch needs.
 */
#include "config.h"

#include "bp-network.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-number.h"

#define N_ELEMENTS(a) (sizeof (a) / sizeof (a)[0])

/* ── Names ─────────────────────────────────────────────────────────────────────────────────── */

static const char *const activation_names[] = { "sigmoid", "tanh", "relu" };
static const char *const output_names[] = { "sigmoid", "softmax" };
static const char *const cost_names[] = { "quadratic", "cross-entropy", "log-likelihood" };
static const char *const init_names[] = { "default", "large", "network3" };

static bool
lookup_name (const char *const *names,
             size_t             n_names,
             const char        *s,
             int               *out)
{
  if (s == NULL)
    return false;
  for (size_t i = 0; i < n_names; i++)
    if (strcmp (names[i], s) == 0)
      {
        *out = (int) i;
        return true;
      }
  return false;
}

const char *
bp_activation_to_string (BpActivation activation)
{
  return (size_t) activation < N_ELEMENTS (activation_names) ? activation_names[activation] : "?";
}

bool
bp_activation_from_string (const char   *s,
                           BpActivation *out)
{
  int v;

  if (!lookup_name (activation_names, N_ELEMENTS (activation_names), s, &v))
    return false;
  *out = (BpActivation) v;
  return true;
}

const char *
bp_output_to_string (BpOutput output)
{
  return (size_t) output < N_ELEMENTS (output_names) ? output_names[output] : "?";
}

bool
bp_output_from_string (const char *s,
                       BpOutput   *out)
{
  int v;

  if (!lookup_name (output_names, N_ELEMENTS (output_names), s, &v))
    return false;
  *out = (BpOutput) v;
  return true;
}

const char *
bp_cost_to_string (BpCost cost)
{
  return (size_t) cost < N_ELEMENTS (cost_names) ? cost_names[cost] : "?";
}

bool
bp_cost_from_string (const char *s,
                     BpCost     *out)
{
  int v;

  if (!lookup_name (cost_names, N_ELEMENTS (cost_names), s, &v))
    return false;
  *out = (BpCost) v;
  return true;
}

const char *
bp_init_to_string (BpInit init)
{
  return (size_t) init < N_ELEMENTS (init_names) ? init_names[init] : "?";
}

bool
bp_init_from_string (const char *s,
                     BpInit     *out)
{
  int v;

  if (!lookup_name (init_names, N_ELEMENTS (init_names), s, &v))
    return false;
  *out = (BpInit) v;
  return true;
}

bool
bp_cost_check_output (BpCost   cost,
                      BpOutput output,
                      BpError *error)
{
  if (output == BP_OUTPUT_SOFTMAX && cost != BP_COST_LOG_LIKELIHOOD)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "a softmax output layer goes with the log-likelihood cost, not %s",
                         bp_cost_to_string (cost));
  if (output == BP_OUTPUT_SIGMOID && cost == BP_COST_LOG_LIKELIHOOD)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "the log-likelihood cost needs a softmax output layer");
  if ((unsigned) cost > BP_COST_LOG_LIKELIHOOD || (unsigned) output > BP_OUTPUT_SOFTMAX)
    return bp_error_set (error, BP_ERROR_INVALID, "unknown cost or output layer");
  return true;
}

/* ── Sizes lists ───────────────────────────────────────────────────────────────────────────── */

bool
bp_parse_layers (const char *text,
                 size_t     *sizes,
                 size_t     *n_layers,
                 BpError    *error)
{
  const char *p = text;
  size_t n = 0;

  if (text == NULL || *text == '\0')
    return bp_error_set (error, BP_ERROR_INVALID, "empty layer list: expected sizes like 784,30,10");

  for (;;)
    {
      char *end;
      unsigned long long v;

      if (*p < '0' || *p > '9')
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": expected a number at \"%s\" (sizes like 784,30,10)",
                             text, p);
      errno = 0;
      v = strtoull (p, &end, 10);
      if (errno != 0 || v == 0 || v > BP_MAX_LAYER_SIZE)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": each size must be between 1 and %d", text,
                             BP_MAX_LAYER_SIZE);
      if (n == BP_MAX_LAYERS)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": at most %d layers", text, BP_MAX_LAYERS);
      sizes[n++] = (size_t) v;
      p = end;
      if (*p == '\0')
        break;
      if (*p != ',' && *p != '-')
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": unexpected \"%c\" (sizes like 784,30,10)", text, *p);
      p++;
    }

  if (n < 2)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "layer list \"%s\": at least an input and an output layer are needed", text);
  *n_layers = n;
  return true;
}

void
bp_format_layers (const size_t *sizes,
                  size_t        n_layers,
                  char          separator,
                  char         *buf,
                  size_t        buf_size)
{
  size_t used = 0;

  if (buf_size == 0)
    return;
  buf[0] = '\0';
  for (size_t l = 0; l < n_layers && used < buf_size; l++)
    {
      int n;

      if (l == 0)
        n = snprintf (buf + used, buf_size - used, "%zu", sizes[l]);
      else
        n = snprintf (buf + used, buf_size - used, "%c%zu", separator, sizes[l]);
      if (n < 0)
        return;
      used += (size_t) n;
    }
}

/* ── Architectures ─────────────────────────────────────────────────────────────────────────── */

/* The input shape a sizes list implies: a square picture when n is a square (784 is 28×28, the
 * shape a convolution would need), a row otherwise. Only convolutions care. */
static void
shape_of_size (size_t  n,
               size_t *channels,
               size_t *height,
               size_t *width)
{
  size_t side = (size_t) sqrt ((double) n);

  while (side > 0 && side * side > n)
    side--;
  while ((side + 1) * (side + 1) <= n)
    side++;
  *channels = 1;
  if (n > 0 && side * side == n)
    {
      *height = side;
      *width = side;
    }
  else
    {
      *height = 1;
      *width = n;
    }
}

static bool
check_layer_count (size_t   n_sizes,
                   BpError *error)
{
  if (n_sizes < 2 || n_sizes > BP_MAX_LAYERS)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "a network needs 2 to %d layers (input and output included), not %zu",
                         BP_MAX_LAYERS, n_sizes);
  return true;
}

bool
bp_arch_from_sizes (BpArch       *arch,
                    const size_t *sizes,
                    size_t        n_sizes,
                    BpActivation  activation,
                    BpOutput      output,
                    BpCost        cost,
                    BpError      *error)
{
  if (!check_layer_count (n_sizes, error))
    return false;

  memset (arch, 0, sizeof *arch);
  shape_of_size (sizes[0], &arch->in_channels, &arch->in_height, &arch->in_width);
  arch->n_layers = n_sizes - 1;
  for (size_t i = 0; i < arch->n_layers; i++)
    {
      BpLayerSpec *layer = &arch->layers[i];

      layer->kind = BP_LAYER_DENSE;
      layer->activation = activation;
      layer->size = sizes[i + 1];
      layer->kernel = 0;
      layer->dropout = BP_DROPOUT_LIVE;
    }
  arch->output = output;
  arch->cost = cost;
  return true;
}

/* The number of values of @arch's input, or 0 when a dimension is 0 or the product is beyond
 * BP_MAX_LAYER_SIZE (which the caller reports). */
static size_t
input_size (const BpArch *arch)
{
  uint64_t n;

  if (arch->in_channels > BP_MAX_LAYER_SIZE || arch->in_height > BP_MAX_LAYER_SIZE
      || arch->in_width > BP_MAX_LAYER_SIZE)
    return 0;
  n = (uint64_t) arch->in_channels * arch->in_height * arch->in_width;
  return n <= BP_MAX_LAYER_SIZE ? (size_t) n : 0;
}

/* The token of layer @i as bp_arch_format() writes it, its options aside: "fc30", "conv20x5",
 * "pool2", "softmax10". */
static void
layer_token (const BpArch *arch,
             size_t        i,
             char         *buf,
             size_t        buf_size)
{
  const BpLayerSpec *layer = &arch->layers[i];

  switch (layer->kind)
    {
    case BP_LAYER_CONV:
      snprintf (buf, buf_size, "conv%zux%zu", layer->size, layer->kernel);
      break;
    case BP_LAYER_POOL:
      snprintf (buf, buf_size, "pool%zu", layer->kernel);
      break;
    case BP_LAYER_DENSE:
    default:
      if (i + 1 == arch->n_layers)
        snprintf (buf, buf_size, "%s%zu", bp_output_to_string (arch->output), layer->size);
      else
        snprintf (buf, buf_size, "fc%zu", layer->size);
      break;
    }
}

bool
bp_arch_shapes (const BpArch *arch,
                size_t        shapes[][3],
                BpError      *error)
{
  size_t c = arch->in_channels, h = arch->in_height, w = arch->in_width;

  for (size_t i = 0; i < arch->n_layers && i < BP_MAX_LAYERS; i++)
    {
      const BpLayerSpec *layer = &arch->layers[i];
      size_t k = layer->kernel;
      char token[64];
      uint64_t n;

      layer_token (arch, i, token, sizeof token);
      switch (layer->kind)
        {
        case BP_LAYER_DENSE:
          if (layer->size == 0 || layer->size > BP_MAX_LAYER_SIZE)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu has %zu neurons; each layer needs 1 to %d", i + 1,
                                 layer->size, BP_MAX_LAYER_SIZE);
          if (k != 0)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu is dense and takes no kernel size", i + 1);
          c = layer->size;
          h = 1;
          w = 1;
          break;

        case BP_LAYER_CONV:
          if (layer->size == 0 || layer->size > BP_MAX_LAYER_SIZE)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu (%s) has %zu filters; a conv layer needs 1 to %d",
                                 i + 1, token, layer->size, BP_MAX_LAYER_SIZE);
          if (k == 0 || k > h || k > w)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu (%s): a %zu×%zu filter does not fit its %zu×%zu input",
                                 i + 1, token, k, k, h, w);
          c = layer->size;
          h = h - k + 1;
          w = w - k + 1;
          break;

        case BP_LAYER_POOL:
          if (layer->size != 0)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu (%s): a pool layer has no size of its own", i + 1,
                                 token);
          if (k == 0 || k > h || k > w || h % k != 0 || w % k != 0)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer %zu (%s): %zu×%zu windows do not divide its %zu×%zu input",
                                 i + 1, token, k, k, h, w);
          h /= k;
          w /= k;
          break;

        default:
          return bp_error_set (error, BP_ERROR_INVALID, "layer %zu is of an unknown kind", i + 1);
        }
      n = (uint64_t) c * h * w;
      if (n > BP_MAX_MAP_SIZE)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer %zu (%s) has %zu×%zu×%zu outputs; a layer has at most %d",
                             i + 1, token, c, h, w, BP_MAX_MAP_SIZE);
      shapes[i][0] = c;
      shapes[i][1] = h;
      shapes[i][2] = w;
    }
  return true;
}

bool
bp_arch_check (const BpArch *arch,
               BpError      *error)
{
  size_t shapes[BP_MAX_LAYERS][3];

  if (!check_layer_count (arch->n_layers + 1, error))
    return false;

  if (input_size (arch) == 0)
    {
      if (arch->in_channels > BP_MAX_LAYER_SIZE || arch->in_height > BP_MAX_LAYER_SIZE
          || arch->in_width > BP_MAX_LAYER_SIZE)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "the input is %zu×%zu×%zu; an input has 1 to %d values",
                             arch->in_channels, arch->in_height, arch->in_width,
                             BP_MAX_LAYER_SIZE);
      return bp_error_set (error, BP_ERROR_INVALID,
                           "layer 0 has %zu neurons; each layer needs 1 to %d",
                           arch->in_channels * arch->in_height * arch->in_width,
                           BP_MAX_LAYER_SIZE);
    }
  if (!bp_arch_shapes (arch, shapes, error))
    return false;
  for (size_t i = 0; i < arch->n_layers; i++)
    {
      const BpLayerSpec *layer = &arch->layers[i];

      if (layer->dropout != BP_DROPOUT_LIVE && !(layer->dropout >= 0.0f && layer->dropout < 1.0f))
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer %zu: dropout %g is not a probability in [0, 1)", i + 1,
                             (double) layer->dropout);
    }
  if (arch->layers[arch->n_layers - 1].kind != BP_LAYER_DENSE)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "layer %zu: the output layer must be dense (softmaxN or sigmoidN)",
                         arch->n_layers);
  for (size_t i = 0; i < arch->n_layers; i++)
    if ((unsigned) arch->layers[i].activation > BP_ACTIVATION_RELU)
      return bp_error_set (error, BP_ERROR_INVALID, "unknown activation");
  if (!bp_cost_check_output (arch->cost, arch->output, error))
    return false;
  if (arch->output == BP_OUTPUT_SOFTMAX && arch->layers[arch->n_layers - 1].size < 2)
    return bp_error_set (error, BP_ERROR_INVALID, "a softmax output layer needs at least 2 neurons");
  return true;
}

bool
bp_arch_has_maps (const BpArch *arch)
{
  for (size_t i = 0; i < arch->n_layers && i < BP_MAX_LAYERS; i++)
    if (arch->layers[i].kind != BP_LAYER_DENSE)
      return true;
  return false;
}

bool
bp_arch_equal (const BpArch *a,
               const BpArch *b)
{
  if (a->in_channels != b->in_channels || a->in_height != b->in_height
      || a->in_width != b->in_width || a->n_layers != b->n_layers || a->output != b->output
      || a->cost != b->cost)
    return false;
  for (size_t i = 0; i < a->n_layers && i < BP_MAX_LAYERS; i++)
    {
      const BpLayerSpec *x = &a->layers[i];
      const BpLayerSpec *y = &b->layers[i];

      if (x->kind != y->kind || x->activation != y->activation || x->size != y->size
          || x->kernel != y->kernel || x->dropout != y->dropout)
        return false;
    }
  return true;
}

BpActivation
bp_arch_get_activation (const BpArch *arch)
{
  return arch->n_layers > 0 ? arch->layers[arch->n_layers - 1].activation : BP_ACTIVATION_SIGMOID;
}

void
bp_arch_set_activation (BpArch      *arch,
                        BpActivation activation)
{
  for (size_t i = 0; i < arch->n_layers && i < BP_MAX_LAYERS; i++)
    arch->layers[i].activation = activation;
}

bool
bp_arch_is_plain (const BpArch *arch)
{
  BpActivation activation = bp_arch_get_activation (arch);
  size_t c, h, w;

  shape_of_size (input_size (arch), &c, &h, &w);
  if (arch->in_channels != c || arch->in_height != h || arch->in_width != w)
    return false;
  for (size_t i = 0; i < arch->n_layers && i < BP_MAX_LAYERS; i++)
    {
      const BpLayerSpec *layer = &arch->layers[i];

      if (layer->kind != BP_LAYER_DENSE || layer->activation != activation
          || layer->dropout != BP_DROPOUT_LIVE)
        return false;
    }
  return true;
}

size_t
bp_arch_get_sizes (const BpArch *arch,
                   size_t       *sizes)
{
  size_t n = arch->n_layers < BP_MAX_LAYERS ? arch->n_layers : BP_MAX_LAYERS - 1;

  size_t c = arch->in_channels, h = arch->in_height, w = arch->in_width;

  sizes[0] = c * h * w;
  for (size_t i = 0; i < n; i++)
    {
      const BpLayerSpec *layer = &arch->layers[i];
      size_t k = layer->kernel;

      /* The shapes bp_arch_shapes() computes, without its checks (0 where a layer does not
       * fit), so that an arch that fails them can still be printed. */
      if (layer->kind == BP_LAYER_CONV)
        {
          c = layer->size;
          h = k >= 1 && k <= h ? h - k + 1 : 0;
          w = k >= 1 && k <= w ? w - k + 1 : 0;
        }
      else if (layer->kind == BP_LAYER_POOL)
        {
          h = k >= 1 ? h / k : 0;
          w = k >= 1 ? w / k : 0;
        }
      else
        {
          c = layer->size;
          h = 1;
          w = 1;
        }
      sizes[i + 1] = c * h * w;
    }
  return n + 1;
}

void
bp_arch_format_sizes (const BpArch *arch,
                      char          separator,
                      char         *buf,
                      size_t        buf_size)
{
  size_t sizes[BP_MAX_LAYERS];
  size_t n = bp_arch_get_sizes (arch, sizes);

  bp_format_layers (sizes, n, separator, buf, buf_size);
}

/* ── The layer list's text form ────────────────────────────────────────────────────────────── */

/* The MNIST picture, implied when a layer list names no input. */
#define DEFAULT_CHANNELS 1
#define DEFAULT_SIDE     28

/* A token as messages quote it: at most 40 bytes, cut before a character rather than inside
 * one, control bytes as '?'. */
static const char *
quote_token (const char *token,
             size_t      len,
             char       *buf,
             size_t      buf_size)
{
  size_t n = len < 40 ? len : 40;
  size_t j = 0;

  while (n < len && n > 0 && ((unsigned char) token[n] & 0xc0) == 0x80)
    n--;
  for (size_t i = 0; i < n && j + 4 < buf_size; i++)
    buf[j++] = (unsigned char) token[i] < 0x20 || token[i] == 0x7f ? '?' : token[i];
  if (n < len && j + 4 < buf_size)
    {
      memcpy (buf + j, "…", 3);
      j += 3;
    }
  buf[j] = '\0';
  return buf;
}

/* A decimal count of 1 … @max at @p, nothing else before @end. */
static bool
parse_count (const char *p,
             const char *end,
             size_t      max,
             size_t     *out)
{
  size_t v = 0;

  if (p == end)
    return false;
  for (; p < end; p++)
    {
      if (*p < '0' || *p > '9')
        return false;
      v = v * 10 + (size_t) (*p - '0');
      if (v > max)
        {
          /* Keep reading digits to tell "too large" from "not a number". */
          for (p++; p < end; p++)
            if (*p < '0' || *p > '9')
              return false;
          *out = max + 1;
          return true;
        }
    }
  *out = v;
  return true;
}

/* "28x28" or "1x28x28", [p, end): the token after "in". */
static bool
parse_input (const char *p,
             const char *end,
             BpArch     *arch)
{
  size_t dims[3], n = 0;

  for (;;)
    {
      const char *x = memchr (p, 'x', (size_t) (end - p));
      const char *stop = x != NULL ? x : end;

      if (n == 3 || !parse_count (p, stop, BP_MAX_LAYER_SIZE, &dims[n]) || dims[n] == 0
          || dims[n] > BP_MAX_LAYER_SIZE)
        return false;
      n++;
      if (x == NULL)
        break;
      p = x + 1;
    }
  if (n < 2)
    return false;
  arch->in_channels = n == 3 ? dims[0] : 1;
  arch->in_height = dims[n - 2];
  arch->in_width = dims[n - 1];
  return true;
}

typedef struct
{
  const char *text;    /* the whole list, for messages */
  BpError    *error;
} Parser;

/* One layer token, [start, end), into @layer; *@is_output says whether it names the output. */
static bool
parse_layer (Parser      *ps,
             const char  *start,
             const char  *end,
             BpActivation activation,
             BpLayerSpec *layer,
             BpOutput    *output,
             bool        *is_output)
{
  static const struct
  {
    const char *prefix;
    BpLayerKind layer_kind;
    bool        is_output;
    BpOutput    output;
  } kinds[] = {
    { "fc", BP_LAYER_DENSE, false, BP_OUTPUT_SIGMOID },
    { "conv", BP_LAYER_CONV, false, BP_OUTPUT_SIGMOID },
    { "pool", BP_LAYER_POOL, false, BP_OUTPUT_SIGMOID },
    { "softmax", BP_LAYER_DENSE, true, BP_OUTPUT_SOFTMAX },
    { "sigmoid", BP_LAYER_DENSE, true, BP_OUTPUT_SIGMOID },
  };
  char quoted[64];
  const char *token = quote_token (start, (size_t) (end - start), quoted, sizeof quoted);
  const char *colon = memchr (start, ':', (size_t) (end - start));
  const char *head_end = colon != NULL ? colon : end;
  size_t kind = N_ELEMENTS (kinds);
  const char *digits = start;

  for (size_t k = 0; k < N_ELEMENTS (kinds); k++)
    {
      size_t len = strlen (kinds[k].prefix);

      if ((size_t) (head_end - start) >= len && memcmp (start, kinds[k].prefix, len) == 0
          && (start + len == head_end || (start[len] >= '0' && start[len] <= '9')))
        {
          kind = k;
          digits = start + len;
          break;
        }
    }
  if (kind == N_ELEMENTS (kinds))
    return bp_error_set (ps->error, BP_ERROR_INVALID,
                         "unknown layer \"%s\": expected fcN, convNxK, poolP, softmaxN or "
                         "sigmoidN, as in conv20x5,pool2,fc100,softmax10", token);

  memset (layer, 0, sizeof *layer);
  layer->kind = kinds[kind].layer_kind;
  layer->activation = activation;
  layer->dropout = BP_DROPOUT_LIVE;
  if (layer->kind == BP_LAYER_CONV)
    {
      const char *x = memchr (digits, 'x', (size_t) (head_end - digits));

      if (x == NULL || !parse_count (digits, x, BP_MAX_LAYER_SIZE, &layer->size)
          || !parse_count (x + 1, head_end, BP_MAX_LAYER_SIZE, &layer->kernel))
        return bp_error_set (ps->error, BP_ERROR_INVALID,
                             "layer \"%s\": expected filters and their size after \"conv\", as "
                             "in conv20x5", token);
      if (layer->size == 0 || layer->size > BP_MAX_LAYER_SIZE || layer->kernel == 0
          || layer->kernel > BP_MAX_LAYER_SIZE)
        return bp_error_set (ps->error, BP_ERROR_INVALID,
                             "layer \"%s\": the filters and their size must be 1 to %d", token,
                             BP_MAX_LAYER_SIZE);
    }
  else if (layer->kind == BP_LAYER_POOL)
    {
      if (!parse_count (digits, head_end, BP_MAX_LAYER_SIZE, &layer->kernel))
        return bp_error_set (ps->error, BP_ERROR_INVALID,
                             "layer \"%s\": expected a window size after \"pool\", as in pool2",
                             token);
      if (layer->kernel == 0 || layer->kernel > BP_MAX_LAYER_SIZE)
        return bp_error_set (ps->error, BP_ERROR_INVALID,
                             "layer \"%s\": the window size must be 1 to %d", token,
                             BP_MAX_LAYER_SIZE);
    }
  else
    {
      if (!parse_count (digits, head_end, BP_MAX_LAYER_SIZE, &layer->size))
        return bp_error_set (ps->error, BP_ERROR_INVALID,
                             "layer \"%s\": expected a size after \"%s\", as in %s30", token,
                             kinds[kind].prefix, kinds[kind].prefix);
      if (layer->size == 0 || layer->size > BP_MAX_LAYER_SIZE)
        return bp_error_set (ps->error, BP_ERROR_INVALID, "layer \"%s\": the size must be 1 to %d",
                             token, BP_MAX_LAYER_SIZE);
    }
  *is_output = kinds[kind].is_output;
  *output = kinds[kind].output;

  /* The options, one after each colon. */
  while (colon != NULL)
    {
      const char *opt = colon + 1;
      const char *next = memchr (opt, ':', (size_t) (end - opt));
      size_t len = (size_t) ((next != NULL ? next : end) - opt);
      bool too_long = len >= 64;
      char word[64];

      /* Longer than any option we take: cut, and refused below. */
      memcpy (word, opt, too_long ? sizeof word - 1 : len);
      word[too_long ? sizeof word - 1 : len] = '\0';

      if (strncmp (word, "dropout=", 8) == 0)
        {
          double p;

          /* A float may round up to 1 from just below it: the check is on the float. */
          if (too_long || !bp_number_parse (word + 8, &p) || !(p >= 0.0 && p < 1.0)
              || !((float) p < 1.0f))
            return bp_error_set (ps->error, BP_ERROR_INVALID,
                                 "layer \"%s\": dropout must be a probability in [0, 1)", token);
          layer->dropout = (float) p;
        }
      else
        {
          BpActivation named;
          char option[64];

          if (too_long || !bp_activation_from_string (word, &named))
            return bp_error_set (ps->error, BP_ERROR_INVALID,
                                 "layer \"%s\": unknown option \"%s\" (use sigmoid, tanh, relu "
                                 "or dropout=P)",
                                 token, quote_token (opt, len, option, sizeof option));
          if (*is_output)
            return bp_error_set (ps->error, BP_ERROR_INVALID,
                                 "layer \"%s\": the output layer's function is its name; it "
                                 "takes no activation", token);
          if (layer->kind == BP_LAYER_POOL)
            return bp_error_set (ps->error, BP_ERROR_INVALID,
                                 "layer \"%s\": a pool layer has no activation", token);
          layer->activation = named;
        }
      colon = next;
    }

  return true;
}

bool
bp_arch_parse (const char  *text,
               BpActivation activation,
               BpArch      *arch,
               BpError     *error)
{
  Parser ps = { text, error };
  BpArch result;
  const char *p = text;
  bool have_output = false;
  char quoted[64];

  if (text == NULL || *text == '\0')
    return bp_error_set (error, BP_ERROR_INVALID, "empty layer list: expected layers like fc30,softmax10");
  if ((unsigned) activation > BP_ACTIVATION_RELU)
    return bp_error_set (error, BP_ERROR_INVALID, "unknown activation");

  memset (&result, 0, sizeof result);
  result.in_channels = DEFAULT_CHANNELS;
  result.in_height = DEFAULT_SIDE;
  result.in_width = DEFAULT_SIDE;
  result.cost = arch->cost;

  for (size_t index = 0;; index++)
    {
      const char *comma = strchr (p, ',');
      const char *end = comma != NULL ? comma : p + strlen (p);
      const char *start = p;

      /* Spaces around a token are allowed: "fc30, softmax10". */
      while (start < end && *start == ' ')
        start++;
      while (end > start && end[-1] == ' ')
        end--;

      if (start == end)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": an empty layer between commas",
                             quote_token (text, strlen (text), quoted, sizeof quoted));
      if (have_output)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer \"%s\" comes after the output layer, which must be the last",
                             quote_token (start, (size_t) (end - start), quoted, sizeof quoted));

      if (end - start > 2 && start[0] == 'i' && start[1] == 'n' && start[2] >= '0' && start[2] <= '9')
        {
          if (index > 0)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "\"%s\" names the input, which comes first",
                                 quote_token (start, (size_t) (end - start), quoted, sizeof quoted));
          if (!parse_input (start + 2, end, &result))
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "input \"%s\": expected inHxW or inCxHxW of sizes 1 to %d, as in "
                                 "in28x28",
                                 quote_token (start, (size_t) (end - start), quoted, sizeof quoted),
                                 BP_MAX_LAYER_SIZE);
          if (input_size (&result) == 0)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "input \"%s\": an input has 1 to %d values",
                                 quote_token (start, (size_t) (end - start), quoted, sizeof quoted),
                                 BP_MAX_LAYER_SIZE);
        }
      else
        {
          BpLayerSpec layer;
          BpOutput output;
          bool is_output = false;

          if (result.n_layers == BP_MAX_LAYERS - 1)
            return bp_error_set (error, BP_ERROR_INVALID,
                                 "layer \"%s\": at most %d layers after the input",
                                 quote_token (start, (size_t) (end - start), quoted, sizeof quoted),
                                 BP_MAX_LAYERS - 1);
          if (!parse_layer (&ps, start, end, activation, &layer, &output, &is_output))
            return false;
          result.layers[result.n_layers++] = layer;
          if (is_output)
            {
              have_output = true;
              result.output = output;
            }
        }

      if (comma == NULL)
        break;
      p = comma + 1;
    }

  if (result.n_layers == 0)
    return bp_error_set (error, BP_ERROR_INVALID,
                         "layer list \"%s\": no layers after the input",
                         quote_token (text, strlen (text), quoted, sizeof quoted));
  if (!have_output)
    {
      const BpLayerSpec *last = &result.layers[result.n_layers - 1];

      if (last->kind != BP_LAYER_DENSE)
        return bp_error_set (error, BP_ERROR_INVALID,
                             "layer list \"%s\": the last layer must be the output layer, "
                             "softmaxN or sigmoidN",
                             quote_token (text, strlen (text), quoted, sizeof quoted));
      return bp_error_set (error, BP_ERROR_INVALID,
                           "layer list \"%s\": the last layer must be the output layer, "
                           "softmax%zu or sigmoid%zu",
                           quote_token (text, strlen (text), quoted, sizeof quoted),
                           last->size, last->size);
    }

  *arch = result;
  return true;
}

/* Append to @buf at *@used, like snprintf, never past @buf_size. */
static void
append (char       *buf,
        size_t      buf_size,
        size_t     *used,
        const char *format,
        ...) __attribute__ ((format (printf, 4, 5)));

static void
append (char       *buf,
        size_t      buf_size,
        size_t     *used,
        const char *format,
        ...)
{
  va_list args;
  int n;

  if (*used >= buf_size)
    return;
  va_start (args, format);
  n = vsnprintf (buf + *used, buf_size - *used, format, args);
  va_end (args);
  if (n > 0)
    *used += (size_t) n;
}

void
bp_arch_format (const BpArch *arch,
                char         *buf,
                size_t        buf_size)
{
  BpActivation activation = bp_arch_get_activation (arch);
  size_t used = 0;

  if (buf_size == 0)
    return;
  buf[0] = '\0';

  if (arch->in_channels != DEFAULT_CHANNELS || arch->in_height != DEFAULT_SIDE
      || arch->in_width != DEFAULT_SIDE)
    {
      if (arch->in_channels == 1)
        append (buf, buf_size, &used, "in%zux%zu,", arch->in_height, arch->in_width);
      else
        append (buf, buf_size, &used, "in%zux%zux%zu,", arch->in_channels, arch->in_height,
                arch->in_width);
    }

  for (size_t i = 0; i < arch->n_layers && i < BP_MAX_LAYERS; i++)
    {
      const BpLayerSpec *layer = &arch->layers[i];
      bool last = i + 1 == arch->n_layers;

      if (i > 0)
        append (buf, buf_size, &used, ",");
      if (last)
        append (buf, buf_size, &used, "%s%zu", bp_output_to_string (arch->output), layer->size);
      else if (layer->kind == BP_LAYER_CONV)
        append (buf, buf_size, &used, "conv%zux%zu", layer->size, layer->kernel);
      else if (layer->kind == BP_LAYER_POOL)
        append (buf, buf_size, &used, "pool%zu", layer->kernel);
      else
        append (buf, buf_size, &used, "fc%zu", layer->size);
      if (!last && layer->kind != BP_LAYER_POOL && layer->activation != activation)
        append (buf, buf_size, &used, ":%s", bp_activation_to_string (layer->activation));
      if (layer->dropout != BP_DROPOUT_LIVE)
        {
          char number[32];

          bp_number_format_float (layer->dropout, number, sizeof number);
          append (buf, buf_size, &used, ":dropout=%s", number);
        }
    }
}

bool
bp_arch_parse_any (const char  *text,
                   BpActivation activation,
                   BpOutput     output,
                   BpArch      *arch,
                   BpError     *error)
{
  size_t sizes[BP_MAX_LAYERS], n_sizes;
  BpArch result;

  if (text == NULL || !(text[0] >= '0' && text[0] <= '9'))
    return bp_arch_parse (text, activation, arch, error);

  if (!bp_parse_layers (text, sizes, &n_sizes, error)
      || !bp_arch_from_sizes (&result, sizes, n_sizes, activation, output, arch->cost, error))
    return false;
  *arch = result;
  return true;
}
