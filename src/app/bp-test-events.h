/* bp-test-events.h — the machine-readable event lines of the test mode (BACKPROP_TEST_EVENTS=1)
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tests drive the real app with xdotool and read back what happened from these lines on
 * stdout, rather than from pixels. The lines are documented in the README's developer section;
 * keep them stable.
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE when BACKPROP_TEST_EVENTS is set to 1. */
gboolean bp_test_events_enabled (void);

/* Print one line (no newline in @format) on stdout and flush it; nothing outside the test
 * mode. Numbers are formatted in the C locale whatever the user's locale. */
void bp_test_event (const char *format,
                    ...) G_GNUC_PRINTF (1, 2);

/* Print "widget NAME X Y WIDTH HEIGHT": @widget's bounds in the coordinates of its window's
 * surface, in logical pixels, so that a test can point at it. */
void bp_test_event_widget (const char *name,
                           GtkWidget  *widget);

/* Frame times of a window: from the start of each frame (the frame clock's "before-paint") to
 * the end of its painting ("after-paint"), collected while the window is mapped. */
typedef struct _BpFrameStats BpFrameStats;

BpFrameStats *bp_frame_stats_new (GtkWidget *window);
void          bp_frame_stats_free (BpFrameStats *stats);
/* Whether training runs: those frames are also counted apart. */
void          bp_frame_stats_set_running (BpFrameStats *stats,
                                          gboolean      running);
/* Print "frame-stats-running p50 MS p95 MS max MS frames N" for the frames painted while
 * training ran, then "frame-stats …" for all of them. */
void          bp_frame_stats_print (BpFrameStats *stats);

G_END_DECLS
