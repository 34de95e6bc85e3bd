/* bp-my-digits-train.h — Train on My Digits: fine-tune the session's network on MNIST plus the
 * user's digits, in a thread, and make the result the session's network
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One epoch over the session's MNIST training set (its first train_size images) with the
 * user's digits that are not held out (bp_my_digits_is_held_out()) appended, each repeated
 * bp_digit_folder_auto_repeat() times, shuffled together by the trainer: so the network learns
 * the person's hand without forgetting MNIST. The run's own settings (η, λ, mini-batch…) are
 * used. The held-out digits and MNIST's test set are read before and after, to show what it
 * changed. The tuned network replaces the session's with bp_session_adopt() (the history kept),
 * so Start trains on from it and Save Model saves it.
 */
#pragma once

#include <gio/gio.h>

#include "bp-my-digits.h"
#include "bp-session.h"

G_BEGIN_DECLS

typedef struct
{
  guint  n_train;             /* the user's digits trained on */
  guint  repeat;              /* how many times each */
  guint  n_held;              /* held out */
  guint  held_right_before;   /* held-out digits read right before and after */
  guint  held_right_after;
  double test_before;         /* MNIST test accuracy before and after (NAN without a test set) */
  double test_after;
} BpMyDigitsTrainResult;

/* Whether @session can fine-tune now: it has MNIST and a network that reads 28×28 digits. */
gboolean bp_my_digits_can_train (BpSession *session);

void     bp_my_digits_train_async  (BpSession            *session,
                                    BpMyDigits           *store,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
gboolean bp_my_digits_train_finish (BpSession              *session,
                                    GAsyncResult           *result,
                                    BpMyDigitsTrainResult  *out,
                                    GError                **error);

G_END_DECLS
