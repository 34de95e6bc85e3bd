/* bp-history-csv.h — the metric history as CSV, for backprop-cli train --csv and the app's export
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bp-train.h"

G_BEGIN_DECLS

/* The columns, a header line. */
#define BP_HISTORY_CSV_HEADER \
  "epoch,train_cost,train_accuracy,validation_cost,validation_accuracy,test_cost," \
  "test_accuracy,seconds,eta\n"

/* @n_epochs epoch metrics as CSV text: BP_HISTORY_CSV_HEADER, then one row per epoch; a NaN
 * (unmeasured) field is an empty cell, as spreadsheets and pandas read an empty cell as
 * missing; numbers in "%.9g" with a '.' decimal point whatever LC_NUMERIC says. When some
 * epoch has chapter 5's speed of learning (n_speeds > 0), the header and every row end with
 * the columns speed_1 … speed_k, k the most hidden layers measured (empty cells in a row that
 * has none); otherwise the text is exactly the columns above. A row of epoch 0 (the speed
 * before training, bp_trainer_get_initial_speed()) is written like any other. Free with
 * g_free(). */
char *bp_history_csv_format (const BpEpochMetrics *history,
                             size_t                n_epochs);

G_END_DECLS
