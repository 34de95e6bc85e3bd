/* bp-test-probe-maps.c — the test mode's lines about a conv net's maps: the Draw view's feature
 * maps and the Backprop view's map columns
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-test-probe-maps.h"

#include "bp-feature-maps.h"
#include "bp-network-columns.h"
#include "bp-test-events.h"
#include "bp-trace.h"

/* Each layer's shape and the sum of its values, which a new drawing changes. */
void
bp_test_probe_feature_maps (BpDrawView *view)
{
  BpFeatureMaps *maps = bp_draw_view_get_feature_maps (view);
  guint n = bp_feature_maps_get_n_layers (maps);
  g_autoptr(GString) m = NULL;

  if (n == 0)
    return;
  m = g_string_new (NULL);
  g_string_append_printf (m, "feature-maps %u", n);
  for (guint l = 0; l < n; l++)
    {
      guint c, h, w;
      const float *v = bp_feature_maps_get_values (maps, l, &c, &h, &w);
      double sum = 0.0;
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      for (gsize i = 0; i < (gsize) c * h * w; i++)
        sum += v[i];
      g_string_append_printf (m, " %ux%ux%u:%s", c, h, w,
                              g_ascii_formatd (number, sizeof number, "%.6g", sum));
    }
  bp_test_event ("%s", m->str);
}

/* Each map column's shape, the max-pool winners it highlights and, at the backward step into
 * it, how many of its δ are not 0 at them and elsewhere (max-pooling sends δ to its winners
 * only). */
void
bp_test_probe_backprop_maps (BpBackpropView     *view,
                             BpBackpropStepKind  kind,
                             int                 layer)
{
  const BpTrace *trace = bp_backprop_view_get_trace (view);
  BpNetworkColumns *columns;

  if (trace == NULL)
    return;
  columns = BP_NETWORK_COLUMNS (gtk_widget_get_template_child (GTK_WIDGET (view),
                                                               BP_TYPE_BACKPROP_VIEW, "columns"));
  for (guint l = 0; l < bp_network_columns_get_n_layers (columns); l++)
    {
      const BpTraceLayer *tl = bp_trace_get_layer (trace, l);
      const guint8 *mask = NULL;
      guint h = 0, w = 0;
      guint c = bp_network_columns_get_maps (columns, l, &h, &w, &mask);
      gsize n_mask = 0, outside = 0, inside = 0;

      if (c == 0)
        continue;
      for (gsize j = 0; mask != NULL && j < tl->n_out; j++)
        {
          n_mask += mask[j] != 0;
          if (kind == BP_BACKPROP_STEP_BACKWARD && (int) l == layer)
            {
              outside += !mask[j] && tl->delta[j] != 0.0f;
              inside += mask[j] && tl->delta[j] != 0.0f;
            }
        }
      bp_test_event ("backprop-maps %u %s %u %u %u winners %zu delta-at-winners %zu "
                     "delta-elsewhere %zu", l, tl->kind == BP_LAYER_CONV ? "conv" : "pool", c, h,
                     w, n_mask, inside, outside);
    }
}

gboolean
bp_test_probe_first_map (BpNetworkColumns *columns,
                         graphene_rect_t  *rect)
{
  guint h = 0, w = 0;
  graphene_rect_t first, last;

  if (bp_network_columns_get_maps (columns, 0, &h, &w, NULL) == 0
      || !bp_network_columns_get_cell (columns, 0, 0, &first)
      || !bp_network_columns_get_cell (columns, 0, h * w - 1, &last))
    return FALSE;
  graphene_rect_union (&first, &last, rect);
  return TRUE;
}
