/* bp-backprop-maps.c — the Backprop view's columns for a conv net: conv and pool layers as maps,
 * their captions, max-pooling's winners
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-backprop-maps.h"

#include <glib/gi18n.h>

#include "bp-backprop-conv.h"

void
bp_backprop_maps_set_shapes (BpNetworkColumns *columns,
                             const BpTrace    *trace)
{
  for (guint l = 0; l < bp_trace_get_n_layers (trace); l++)
    {
      const BpTraceLayer *tl = bp_trace_get_layer (trace, l);

      if (tl->kind == BP_LAYER_DENSE)
        bp_network_columns_set_maps (columns, l, 0, 0, 0);
      else
        bp_network_columns_set_maps (columns, l, (guint) tl->out_c, (guint) tl->out_h,
                                     (guint) tl->out_w);
    }
}

char *
bp_backprop_maps_caption (const BpTraceLayer *tl,
                          const char         *symbol,
                          gboolean            biases)
{
  if (tl->kind == BP_LAYER_DENSE)
    return NULL;
  if (biases && tl->kind == BP_LAYER_POOL)
    /* Translators: the caption of a pooling layer's column when biases are shown. */
    return g_strdup_printf (_("%s: none (pooling)"), symbol);
  /* Translators: the caption of a conv or pool layer's column: the quantity, e.g. a², then on a
   * second line the number of maps and their size. */
  return g_strdup_printf (_("%s\n%zu × %zu×%zu"), symbol, tl->out_c, tl->out_h, tl->out_w);
}

void
bp_backprop_maps_highlight (BpNetworkColumns   *columns,
                            const BpTrace      *trace,
                            BpBackpropStepKind  kind,
                            int                 step_layer,
                            guint               layer)
{
  g_autofree guint8 *winners = NULL;
  gsize n_winners = 0;

  /* Bright winners among veiled losers: in the pool's input when the forward pass pools it,
   * and when BP2 sends the error back through the pool to them alone. */
  if ((kind == BP_BACKPROP_STEP_FORWARD && step_layer == (int) layer + 1)
      || (kind == BP_BACKPROP_STEP_BACKWARD && step_layer == (int) layer))
    winners = bp_backprop_conv_winners (trace, (int) layer + 1, &n_winners);
  bp_network_columns_set_highlight (columns, layer, winners);
}
