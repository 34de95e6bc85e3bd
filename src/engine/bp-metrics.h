/* bp-metrics.h — cost, accuracy, confusion matrix and mistakes of a network on a data set
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bp-dataset.h"
#include "bp-network.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct
{
  size_t  n;          /* examples evaluated */
  size_t  correct;
  double  accuracy;   /* correct / n */
  double  cost;       /* mean cost plus the regularisation terms (network2.py's total_cost) */
  size_t *confusion;  /* (n_classes, n_classes) counts, [true][predicted], or NULL if not asked */
  size_t  n_classes;
} BpEvaluation;

/* Evaluate @net on every example of @data in batches (no dropout). The cost is the mean cost
 * plus ½(λ₂/n)·Σw² + (λ₁/n)·Σ|w| with n = @n_train, the training-set size, for every set (unlike
 * network2.py, which divides by the size of whichever set it evaluates). @want_confusion
 * allocates @out->confusion (free with bp_evaluation_clear()). Returns false if memory runs out. */
bool bp_evaluate (const BpNetwork *net,
                  const BpDataset *data,
                  float            lambda_l2,
                  float            lambda_l1,
                  size_t           n_train,
                  bool             want_confusion,
                  BpEvaluation    *out,
                  BpError         *error);

/* bp_evaluate() on @threads threads (1 … 256; bp_evaluate() takes every core): batches of the
 * data computed at once, one per thread, and added up in order, so the same bits for any
 * number. */
bool bp_evaluate_threads (const BpNetwork *net,
                          const BpDataset *data,
                          float            lambda_l2,
                          float            lambda_l1,
                          size_t           n_train,
                          bool             want_confusion,
                          size_t           threads,
                          BpEvaluation    *out,
                          BpError         *error);

void bp_evaluation_clear (BpEvaluation *evaluation);

/* The class @net predicts (its largest output) for every example of @data, into @predicted
 * (data->n bytes), on @threads threads. False when memory runs out or the shapes differ. */
bool bp_predict_classes (const BpNetwork *net,
                         const BpDataset *data,
                         size_t           threads,
                         uint8_t         *predicted,
                         BpError         *error);

/* The plurality vote of @n_models models on example @index, @predicted[m] being model m's
 * classes (bp_predict_classes(), each below @n_classes ≤ 256): the class most of them predict, a
 * tie going to the smallest class, as conv.py's ensemble() does it under Python 2. */
size_t bp_plurality_vote (const uint8_t *const *predicted,
                          size_t                n_models,
                          size_t                n_classes,
                          size_t                index);

/* A misclassified example. */
typedef struct
{
  size_t  index;      /* in the data set */
  uint8_t label;
  uint8_t predicted;
  float   confidence; /* the output for the predicted class */
} BpMistake;

/* All misclassified examples of @data, most confident first. Returns the count and sets
 * *@mistakes (free()) — NULL when there are none. Returns (size_t) −1 if memory runs out. */
size_t bp_find_mistakes (const BpNetwork *net,
                         const BpDataset *data,
                         BpMistake      **mistakes,
                         BpError         *error);

/* Regularisation sums over the weights only (biases excluded): Σw² and Σ|w|, in double. */
void bp_network_weight_norms (const BpNetwork *net,
                              double          *sum_sq,
                              double          *sum_abs);

#ifdef __cplusplus
}
#endif
