/* bp-export.h — export a plot as PNG, SVG or PDF and the metric history as CSV
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "bp-plot.h"
#include "bp-train.h"

G_BEGIN_DECLS

typedef enum
{
  BP_EXPORT_FORMAT_PNG,
  BP_EXPORT_FORMAT_SVG,
  BP_EXPORT_FORMAT_PDF,
} BpExportFormat;

/* The format a file name asks for by its extension (".png", ".svg", ".pdf", in any case);
 * FALSE, @format untouched, when none fits. @format may be NULL to only test the name. */
gboolean bp_export_format_from_name (const char     *name,
                                     BpExportFormat *format);

/* The extension of @format without the dot ("png"), and its MIME type ("image/png"), for
 * the file chooser's name and filters. */
const char *bp_export_format_get_extension (BpExportFormat format);
const char *bp_export_format_get_mime_type (BpExportFormat format);

/* Draw @plot (bp_plot_draw()) at @width × @height logical pixels into @file, on libadwaita's
 * light or @dark view background. PNG: @width × @scale by @height × @scale pixels (2 for
 * HiDPI). SVG: vectors, @width × @height px. PDF: vectors and text as text (embedded fonts),
 * on a page of @width × @height CSS pixels, i.e. 0.75 pt each. Atomic: written to a temporary
 * file in the same folder and renamed over @file, so a failed export leaves an existing file
 * as it was; the error (G_IO_ERROR) names the file and the reason. */
gboolean bp_export_plot (BpPlot        *plot,
                         GFile         *file,
                         BpExportFormat format,
                         int            width,
                         int            height,
                         int            scale,
                         gboolean       dark,
                         GError       **error);

/* Write the history as backprop-cli train --csv writes it (bp_history_csv_format()) into
 * @file, atomically as bp_export_plot() does. */
gboolean bp_export_history_csv (const BpEpochMetrics *history,
                                guint                 n_epochs,
                                GFile                *file,
                                GError              **error);

G_END_DECLS
