/* bp-layer-pictures.c — a layer's weights as pictures: a dense first layer's neurons as images
 * of the input, a conv layer's filters as strips of their slices
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A conv layer's weights are W (C_out, C_in, k, k). A filter of the first layer (C_in = 1) is
 * one k × k picture; a deeper one reads C_in channels, so it is drawn as one row: its C_in
 * slices side by side, a one-weight gap (NaN, which the weight tiles leave transparent)
 * between two, so that each output channel is one row of small pictures.
 */
#include "config.h"

#include "bp-layer-pictures.h"

#include <glib/gi18n.h>
#include <math.h>

gboolean
bp_layer_pictures_shown (const BpNetwork *net,
                         guint            layer)
{
  g_return_val_if_fail (net != NULL, FALSE);

  if (layer >= net->arch.n_layers)
    return FALSE;
  switch (net->arch.layers[layer].kind)
    {
    case BP_LAYER_CONV:
      return TRUE;
    case BP_LAYER_DENSE:
      return layer == 0;
    case BP_LAYER_POOL:
    default:
      return FALSE;
    }
}

float *
bp_layer_pictures_new (const BpNetwork *net,
                       guint            layer,
                       guint            image_rows,
                       guint            image_cols,
                       guint           *n_pictures,
                       guint           *rows,
                       guint           *cols)
{
  const BpLayer *shape;
  const float *w;
  float *out;
  gsize k, c_in, width;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (n_pictures != NULL && rows != NULL && cols != NULL, NULL);

  if (!bp_layer_pictures_shown (net, layer))
    return NULL;
  shape = &net->layers[layer];
  w = net->params + shape->w_offset;

  if (net->arch.layers[layer].kind == BP_LAYER_DENSE)
    {
      if ((gsize) image_rows * image_cols != shape->n_in)
        return NULL;
      *n_pictures = (guint) shape->n_out;
      *rows = image_rows;
      *cols = image_cols;
      return g_memdup2 (w, shape->n_weights * sizeof (float));
    }

  /* (C_out, C_in, k, k) → C_out strips of k × (C_in·(k + 1) − 1). */
  k = net->arch.layers[layer].kernel;
  c_in = shape->in_c;
  width = c_in * (k + 1) - 1;
  out = g_new (float, shape->out_c * k * width);
  for (gsize o = 0; o < shape->out_c; o++)
    for (gsize u = 0; u < k; u++)
      {
        float *row = out + (o * k + u) * width;

        for (gsize x = 0; x < width; x++)
          {
            gsize c = x / (k + 1), v = x % (k + 1);

            row[x] = v == k ? NAN : w[((o * c_in + c) * k + u) * k + v];
          }
      }
  *n_pictures = (guint) shape->out_c;
  *rows = (guint) k;
  *cols = (guint) width;
  return out;
}

/* A weight as the legends write it: a sign (a true minus), three decimals. */
static void
append_weight (GString *text,
               float    w)
{
  g_string_append_printf (text, "%s%.3f", w < 0.0f ? "−" : "+", fabs ((double) w));
}

char *
bp_layer_pictures_filter_text (const BpNetwork *net,
                               guint            layer,
                               guint            filter)
{
  const BpLayer *shape;
  const float *w;
  GString *text;
  gsize k;

  g_return_val_if_fail (net != NULL, NULL);
  g_return_val_if_fail (layer < net->arch.n_layers, NULL);
  g_return_val_if_fail (net->arch.layers[layer].kind == BP_LAYER_CONV, NULL);
  g_return_val_if_fail (filter < net->layers[layer].out_c, NULL);

  shape = &net->layers[layer];
  k = net->arch.layers[layer].kernel;
  w = net->params + shape->w_offset + (gsize) filter * shape->in_c * k * k;
  text = g_string_new (NULL);
  for (gsize c = 0; c < shape->in_c; c++)
    {
      if (shape->in_c > 1)
        {
          if (c > 0)
            g_string_append_c (text, '\n');
          /* Translators: a heading above the weights a filter gives one channel of its input. */
          g_string_append_printf (text, _("Input channel %zu"), c + 1);
          g_string_append_c (text, '\n');
        }
      for (gsize u = 0; u < k; u++)
        {
          for (gsize v = 0; v < k; v++)
            {
              if (v > 0)
                g_string_append (text, "  ");
              append_weight (text, w[(c * k + u) * k + v]);
            }
          g_string_append_c (text, '\n');
        }
    }
  return g_string_free (text, FALSE);
}

char *
bp_layer_pictures_token (const BpArch *arch,
                         guint         layer)
{
  const BpLayerSpec *spec;

  g_return_val_if_fail (arch != NULL, NULL);
  g_return_val_if_fail (layer < arch->n_layers, NULL);

  spec = &arch->layers[layer];
  switch (spec->kind)
    {
    case BP_LAYER_CONV:
      return g_strdup_printf ("conv%zux%zu", spec->size, spec->kernel);
    case BP_LAYER_POOL:
      return g_strdup_printf ("pool%zu", spec->kernel);
    case BP_LAYER_DENSE:
    default:
      if (layer + 1 == arch->n_layers)
        return g_strdup_printf ("%s%zu", bp_output_to_string (arch->output), spec->size);
      return g_strdup_printf ("fc%zu", spec->size);
    }
}

char *
bp_layer_pictures_arch_label (const BpArch *arch)
{
  GString *text;
  char sizes[256];

  g_return_val_if_fail (arch != NULL, NULL);

  if (!bp_arch_has_maps (arch))
    {
      bp_arch_format_sizes (arch, '-', sizes, sizeof sizes);
      return g_strdup (sizes);
    }
  text = g_string_new (NULL);
  for (guint l = 0; l < arch->n_layers; l++)
    {
      g_autofree char *token = bp_layer_pictures_token (arch, l);

      if (l > 0)
        g_string_append_c (text, '-');
      g_string_append (text, token);
    }
  return g_string_free (text, FALSE);
}
