/* bp-test-golden.h — golden-image comparison shared by the drawing tests
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

/* A pixel differs when a colour channel is off by more than this; a golden image matches when
 * at most this share of its pixels differ: fonts may be hinted or shaped slightly differently
 * on another machine. */
#define BP_GOLDEN_CHANNEL_TOLERANCE 8
#define BP_GOLDEN_MAX_BAD_SHARE     0.02

/* The share of pixels of @a and @b (same size, ARGB32) whose colour differs by more than the
 * tolerance in some channel. */
double bp_test_bad_pixel_share (cairo_surface_t *a,
                                cairo_surface_t *b);

/* Compare @surface (opaque) with $BACKPROP_TEST_DATA/golden/@name, or rewrite that PNG when
 * BACKPROP_UPDATE_GOLDEN=1. On a mismatch the actual image is saved as actual-@name in
 * $BACKPROP_TEST_OUTPUT (or the current folder) before the assertion fails. */
void   bp_test_assert_golden (cairo_surface_t *surface,
                              const char      *name);
