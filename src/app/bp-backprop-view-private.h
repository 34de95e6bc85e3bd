/* bp-backprop-view-private.h — BpBackpropView's insides, shared by bp-backprop-view.c and
 * bp-backprop-check.c
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "bp-backprop-view.h"
#include "bp-session.h"
#include "bp-draw-canvas.h"
#include "bp-gradcheck.h"
#include "bp-network-columns.h"
#include "bp-preprocess.h"
#include "bp-weight-grid.h"

G_BEGIN_DECLS

#define N_PIXELS   BP_PREPROCESS_N_PIXELS
#define SIDE       BP_PREPROCESS_SIDE
#define MAX_OUT    16
#define MAX_UNDO   32

typedef enum
{
  SOURCE_TEST,
  SOURCE_TRAIN,
  SOURCE_DRAWING,
} Source;

typedef enum
{
  QUANTITY_A,
  QUANTITY_Z,
  QUANTITY_DELTA,
  QUANTITY_NABLA_B,
} Quantity;

typedef struct _BpCheckJob BpCheckJob;

struct _BpBackpropView
{
  BpView            parent_instance;

  /* Template children */
  GtkDropDown      *source_drop;
  GtkSpinButton    *index_spin;
  GtkWidget        *next_example_button;
  GtkDropDown      *label_drop;
  GtkDropDown      *quantity_drop;
  GtkLabel         *example_label;
  GtkWidget        *pad_box;
  BpDrawCanvas     *pad;
  GtkStack         *main_stack;
  BpNetworkColumns *columns;
  GtkLabel         *gradient_caption;
  BpWeightGrid     *gradient_grid;
  GtkDrawingArea   *matrices_area;
  GtkLabel         *step_title;
  GtkLabel         *equation_label;
  GtkLabel         *explain_label;
  GtkLabel         *slow_label;
  GtkWidget        *update_box;
  GtkWidget        *take_step_button;
  GtkWidget        *undo_button;
  GtkLabel         *update_label;
  GtkWidget        *check_box;
  GtkWidget        *check_button;
  GtkProgressBar   *check_progress;
  GtkWidget        *cancel_button;
  GtkWidget        *check_result_box;
  GtkDrawingArea   *scatter_area;
  GtkLabel         *check_label;
  GtkLabel         *neuron_label;
  GtkLabel         *step_count;
  GtkToggleButton  *slow_button;
  GtkScale         *speed_scale;
  GtkWidget        *batch_box;
  GtkLabel         *batch_label;

  BpSnapshot       *snapshot;       /* the snapshot self->net was copied from, if any */
  const BpNetwork  *source_net;     /* the network self->net was copied from */
  char             *net_description;
  BpNetwork        *net;            /* the view's own copy */
  BpTrace          *trace;
  GPtrArray        *undo;           /* parameters before each gradient step (float *) */
  GArray           *undo_steps;     /* (guint) steps_taken when each was pushed */
  guint             steps_taken;    /* gradient steps since the copy left the session's */

  float             x[N_PIXELS];
  gboolean          have_x;
  guint             true_label;     /* the data set's label; for a drawing, unknown */
  float             drawing[N_PIXELS];
  gboolean          have_drawing;
  gboolean          pad_is_import;  /* the pad shows the Draw view's digit, not strokes */

  guint             step;
  gboolean          setting_quantity;
  int               sel_layer, sel_neuron;

  /* The last gradient step taken. */
  gboolean          have_update;
  double            cost_before, cost_after;
  size_t            guess_before, guess_after;
  float             out_before[MAX_OUT], out_after[MAX_OUT];

  BpCheckJob       *check;          /* the check running, if any */
  BpGradcheck       check_result;
  gboolean          have_check_result;

  char             *a11y_columns;
  char             *columns_words;  /* the columns' captions, for their description */
  char             *a11y_equation;
  char             *a11y_neuron;
  guint             tick_id;
  guint             slow_timer;     /* slow motion's timeout, 0 when it is off */
  guint             slow_phase;
  gboolean          dirty_network;

  BpMiniBatch      *batch;          /* the mini-batch shown (bp-backprop-batch.c), or NULL */
  guint             batch_pos;      /* its example shown */
  gboolean          batch_setting;  /* the batch itself is setting the source and index */
};

static inline guint
n_layers (BpBackpropView *self)
{
  return self->trace != NULL ? (guint) bp_trace_get_n_layers (self->trace) : 0;
}

/* bp-backprop-view.c: show the step, the example and the neuron again; trace the example
 * again; show step @step; trace at the next frame (@network: copy the session's network
 * first). */
void bp_backprop_view_update (BpBackpropView *self);
void bp_backprop_view_recompute (BpBackpropView *self);
void bp_backprop_view_set_step (BpBackpropView *self,
                                guint           step);
void bp_backprop_view_queue_refresh (BpBackpropView *self,
                                     gboolean        network);
/* Copy the network to explain now (the session's, or the one before the mini-batch shown),
 * unless the user has stepped the view's copy; whether it changed. */
gboolean bp_backprop_view_refresh_network (BpBackpropView *self);

/* bp-backprop-train.c: the result of the last gradient step; the backprop.take-step and
 * backprop.undo-step actions. */
void bp_backprop_view_update_result (BpBackpropView *self);
void bp_backprop_train_class_init (GtkWidgetClass *widget_class);
void bp_backprop_train_init (BpBackpropView *self);
/* Stop slow motion (the button goes up). */
void bp_backprop_slow_stop (BpBackpropView *self);

/* bp-backprop-check.c: the gradient's pictures, and section 2.8's check with finite
 * differences (the backprop.check and backprop.cancel-check actions). */
void bp_backprop_view_update_gradient (BpBackpropView *self);
void bp_backprop_check_class_init (GtkWidgetClass *widget_class);
void bp_backprop_check_init (BpBackpropView *self);
void bp_backprop_check_dispose (BpBackpropView *self);

/* bp-backprop-batch.c: the mini-batch Step → One Mini-Batch took. Leave it (the user chose
 * another example); its example's input into self->x (FALSE: no batch shown); the network to
 * explain, the one before the mini-batch (NULL: no batch shown); the update step's words. */
void             bp_backprop_batch_leave (BpBackpropView *self);
gboolean         bp_backprop_batch_load (BpBackpropView *self);
const BpNetwork *bp_backprop_batch_get_network (BpBackpropView  *self,
                                                BpSnapshot     **snapshot,
                                                char           **description);
gboolean         bp_backprop_batch_describe_update (BpBackpropView *self,
                                                    GString        *s);
void             bp_backprop_batch_class_init (GtkWidgetClass *widget_class);
void             bp_backprop_batch_init (BpBackpropView *self);
void             bp_backprop_batch_dispose (BpBackpropView *self);

G_END_DECLS
