/* bp-draw-prediction.h — what the Draw view computes for a drawing: the outputs, the saliency
 * map, the first hidden layer and a conv net's feature maps, on any thread
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A conv net's prediction, saliency map and feature maps cost several milliseconds: while the
 * pen moves the Draw view computes them in a GTask thread (bp_draw_prediction_run_async()), so
 * that the pad keeps its frames; at the end of a stroke it computes them at once.
 */
#pragma once

#include <gio/gio.h>

#include "bp-layer-maps.h"
#include "bp-network.h"
#include "bp-preprocess.h"
#include "bp-worker.h"

G_BEGIN_DECLS

#define BP_DRAW_MAX_OUT 16

typedef struct
{
  /* In */
  BpSnapshot      *snapshot;   /* keeps @net alive (a ref), or NULL for the built-in model */
  const BpNetwork *net;
  float            input[BP_PREPROCESS_N_PIXELS];
  int              chosen;     /* the digit the saliency map explains, -1 for the top guess */
  guint            serial;     /* the caller's, to know a stale result */
  /* Out */
  float            outputs[BP_DRAW_MAX_OUT];
  guint            n_outputs;
  guint            top;
  guint            saliency_class;
  float            saliency[BP_PREPROCESS_N_PIXELS];
  float           *hidden;     /* a dense first hidden layer's activations, or NULL */
  gsize            n_hidden;
  BpLayerMaps      maps;
  double           milliseconds;
} BpDrawPrediction;

/* A prediction of @net (kept alive by @snapshot, which gets a ref, when not NULL) for @input
 * (BP_PREPROCESS_N_PIXELS floats, copied), not computed yet. */
BpDrawPrediction *bp_draw_prediction_new (BpSnapshot      *snapshot,
                                          const BpNetwork *net,
                                          const float     *input,
                                          int              chosen,
                                          guint            serial);
void              bp_draw_prediction_free (BpDrawPrediction *prediction);

/* Compute everything (the engine's forward pass, saliency, forward layers), on any thread. */
void bp_draw_prediction_compute (BpDrawPrediction *prediction);

/* bp_draw_prediction_compute() in a thread; takes @prediction. @callback runs on the calling
 * thread's main context; bp_draw_prediction_finish() gives the prediction back (free it). */
void              bp_draw_prediction_run_async (BpDrawPrediction    *prediction,
                                                gpointer             source_object,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
BpDrawPrediction *bp_draw_prediction_finish (GAsyncResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpDrawPrediction, bp_draw_prediction_free)

G_END_DECLS
