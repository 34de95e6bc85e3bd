/* bp-layer-maps.c — a network's conv and pool layers for one input, as BpFeatureMaps shows them
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-layer-maps.h"

#include <glib/gi18n.h>

char *
bp_layer_maps_caption (const BpNetwork *net,
                       gsize            i)
{
  const BpLayerSpec *spec = &net->arch.layers[i];
  const BpLayer *layer = &net->layers[i];
  int book = (int) i + 2;

  if (spec->kind == BP_LAYER_CONV)
    /* Translators: a conv layer's feature maps: the book's layer number, the count and size of
     * its filters, then the count and size of its maps. */
    return g_strdup_printf (_("Layer %d, convolution: %zu filters of %zu×%zu → %zu maps of %zu×%zu"),
                            book, spec->size, spec->kernel, spec->kernel, layer->out_c,
                            layer->out_h, layer->out_w);
  /* Translators: a max-pooling layer's feature maps: the book's layer number, the window, then
   * the count and size of its maps. */
  return g_strdup_printf (_("Layer %d, max-pooling over %zu×%zu windows → %zu maps of %zu×%zu"),
                          book, spec->kernel, spec->kernel, layer->out_c, layer->out_h,
                          layer->out_w);
}

void
bp_layer_maps_clear (BpLayerMaps *maps)
{
  for (guint l = 0; l < BP_MAX_LAYERS; l++)
    {
      g_clear_pointer (&maps->captions[l], g_free);
      g_clear_pointer (&maps->names[l], g_free);
    }
  g_clear_pointer (&maps->buffer, g_free);
  memset (maps, 0, sizeof *maps);
}

float *
bp_layer_maps_forward (const BpNetwork *net,
                       const float     *x,
                       float           *a[BP_MAX_LAYERS])
{
  float *buffer;
  gsize total = 0;

  for (gsize l = 0; l < net->arch.n_layers; l++)
    total += net->layers[l].n_out;
  buffer = g_new (float, total);
  total = 0;
  for (gsize l = 0; l < net->arch.n_layers; l++)
    {
      a[l] = buffer + total;
      total += net->layers[l].n_out;
    }
  bp_network_forward_layers (net, x, NULL, a);
  return buffer;
}

guint
bp_layer_maps_compute (BpLayerMaps     *maps,
                       const BpNetwork *net,
                       const float     *x)
{
  float *a[BP_MAX_LAYERS];

  g_return_val_if_fail (maps != NULL, 0);

  bp_layer_maps_clear (maps);
  if (net == NULL || x == NULL || !bp_arch_has_maps (&net->arch))
    return 0;

  maps->buffer = bp_layer_maps_forward (net, x, a);

  for (gsize l = 0; l < net->arch.n_layers && maps->n_layers < BP_MAX_LAYERS; l++)
    {
      const BpLayer *layer = &net->layers[l];
      guint m = maps->n_layers;

      if (net->arch.layers[l].kind == BP_LAYER_DENSE)
        continue;
      maps->captions[m] = bp_layer_maps_caption (net, l);
      /* Translators: a layer's short name in a feature map's tooltip (the book's number). */
      maps->names[m] = g_strdup_printf (_("Layer %d"), (int) l + 2);
      maps->net_layer[m] = l;
      maps->layers[m] = (BpFeatureMapsLayer) {
        .caption = maps->captions[m],
        .name = maps->names[m],
        .channels = (guint) layer->out_c,
        .height = (guint) layer->out_h,
        .width = (guint) layer->out_w,
        .values = a[l],
      };
      maps->n_layers++;
    }
  return maps->n_layers;
}
