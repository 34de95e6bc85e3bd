/* bp-default-model.h — the network the Draw and Mistakes views ask: the one in training, or the
 * embedded default model
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bp-session.h"

G_BEGIN_DECLS

/* The default model embedded as a GResource (made by the README's backprop-cli command),
 * loaded on first use and kept for the life of the process; NULL with @error set if it cannot
 * be read. Call from the main thread. */
const BpNetwork *bp_default_model_get (GError **error);

/* The network to classify 28×28 digits with: once @session has trained at least one
 * mini-batch, or when its network was opened from a file (bp_session_load_model(), a session
 * file; also without data), its latest snapshot (*@snapshot gets a reference to keep while
 * using the network); before that, or without a session, or when the session's network does
 * not take 784 inputs to at least 10 outputs, the default model (*@snapshot NULL). NULL when
 * neither exists.
 * *@description (may be NULL) gets a short sentence naming the choice for the user. */
const BpNetwork *bp_default_model_choose (BpSession   *session,
                                          BpSnapshot **snapshot,
                                          char       **description);

G_END_DECLS
