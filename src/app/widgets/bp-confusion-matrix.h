/* bp-confusion-matrix.h — BpConfusionMatrix, true class against predicted class, coloured by count
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BP_TYPE_CONFUSION_MATRIX (bp_confusion_matrix_get_type ())
G_DECLARE_FINAL_TYPE (BpConfusionMatrix, bp_confusion_matrix, BP, CONFUSION_MATRIX, GtkWidget)

GtkWidget *bp_confusion_matrix_new (void);

/* Copy @counts, (@n_classes, @n_classes) row-major, [true][predicted]; NULL clears. At most 16
 * classes. */
void bp_confusion_matrix_set_counts (BpConfusionMatrix *self,
                                     const gsize       *counts,
                                     guint              n_classes);

/* The outlined cell, or -1, -1. */
void bp_confusion_matrix_set_selected (BpConfusionMatrix *self,
                                       int                true_class,
                                       int                predicted);

/* The cell under (@x, @y) of a @width × @height drawing: FALSE outside the cells. */
gboolean bp_confusion_matrix_cell_at (BpConfusionMatrix *self,
                                      double             x,
                                      double             y,
                                      int                width,
                                      int                height,
                                      guint             *true_class,
                                      guint             *predicted);

/* Draw into any cairo context (NULL @context: "Sans 9"); for the widget and display-free tests. */
void bp_confusion_matrix_draw (BpConfusionMatrix *self,
                               cairo_t           *cr,
                               PangoContext      *context,
                               int                width,
                               int                height,
                               gboolean           dark);

/* Signal "cell-activated" (guint true_class, guint predicted): a click on a cell. */

G_END_DECLS
