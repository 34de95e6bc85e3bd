/* bp-test-probe.h — the test mode's observer: the event lines, from the window's signals
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With BACKPROP_TEST_EVENTS=1 the application attaches a probe to each window it opens. The
 * probe listens to what the session, the window, its views and their widgets tell anyone (the
 * session's properties and signals; the window's "data-loaded", "model-opened", "file-error" and
 * other file signals; the views' "stroke-classified", "neuron-shown", "test-set-classified",
 * "pins-changed" and so on) and prints the README's test-mode lines for them, with
 * bp_test_event(). No view or widget prints anything itself.
 *
 * Lines that say where something is ("widget NAME X Y W H", "canvas …") wait for the layout
 * with a tick callback on the widget that shows it, as the view would, and find the widgets
 * they point at by their template names (gtk_widget_get_template_child()).
 */
#pragma once

#include "bp-window.h"

G_BEGIN_DECLS

/* Print the test-mode lines of @window until it is destroyed, and the frame-time lines then.
 * Does nothing outside the test mode (bp_test_events_enabled()). */
void bp_test_probe_attach (BpWindow *window);

G_END_DECLS
