/* bp-test-data.h — small synthetic data sets for the tests that train a network or a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "bp-dataset.h"
#include "bp-network.h"

G_BEGIN_DECLS

/* Fill @pixels (@n images of @side × @side) and @labels (@n) with examples of @n_classes
 * classes, example i being of class i mod @n_classes. Each class lights its own pixels: pixel
 * p is lit in an image of class l when p ≡ l or p + 7 ≡ l (mod @n_classes), at 200 on a
 * ground of 20, each pixel off by up to ±20 at random (from @seed). With @identical every
 * example is the same image of class 3 mod @n_classes, without noise: the order of the
 * examples then cannot matter to training. */
void       bp_test_examples_fill (size_t    n,
                                  size_t    side,
                                  guint     n_classes,
                                  guint32   seed,
                                  gboolean  identical,
                                  guint8   *pixels,
                                  guint8   *labels);

/* A data set of such examples (aborts if it cannot be made). */
BpDataset *bp_test_dataset_new (size_t   n,
                                size_t   side,
                                guint    n_classes,
                                guint32  seed,
                                gboolean identical);

/* The network of layer description @text (ReLU unless a layer says otherwise, log-likelihood),
 * initialised with the scaled weights from @seed (aborts if @text is not a network). */
BpNetwork *bp_test_network_new (const char *text,
                                guint64     seed);

G_END_DECLS
