/* bp-network-columns.c — BpNetworkColumns, a network as columns of coloured cells
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layout: a caption row on top, the scale labels under the columns, and between them the input
 * square and the columns. One cell size serves every layer after the input, the largest that
 * fits them all side by side: a layer of n neurons takes ⌈n / rows⌉ columns of cells. A conv or
 * pool layer's column is its maps instead, one picture per channel stacked top to bottom and
 * wrapping into more columns of pictures; every map column has the same pixel size, so that a
 * pooled map looks the size it is beside its input: the largest (up to MAX_PX) with which the
 * columns still fit at cells of MIN_FIT_CELL.
 */
#include "config.h"

#include "bp-network-columns.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "bp-colormap.h"
#include "bp-focus-ring.h"
#include "bp-text.h"
#include "bp-widget-utils.h"

#define MAX_COLUMNS 16
#define PAD         8.0
#define GAP         18.0   /* between columns: room for the arrow */
#define CAPTION_H   34.0   /* two lines of caption */
#define SCALE_H     20.0
#define MAX_CELL    36.0
#define MAP_GAP     3.0    /* between two maps of a column */
#define MAX_PX      8.0    /* the most screen pixels a map pixel takes */
#define MAP_SLOT    84.0   /* the least room a map column takes: its caption's */
#define MIN_FIT_CELL 6.0

typedef struct
{
  guint   n;
  float  *values;   /* NULL: not known yet */
  guint8 *marks;
  char   *caption;
  gboolean labelled;
  guint   maps_c, maps_h, maps_w; /* a map column's shape; maps_c 0 for cells */
  guint8 *highlight;              /* a map column's highlighted pixels, or NULL */
  /* Layout, for the last size drawn or hit-tested. */
  double  x, width;
  guint   rows, cols;
  double  px;                     /* a map column's pixel size */
  guint   per_col;                /* its maps per column of pictures */
} Column;

struct _BpNetworkColumns
{
  GtkWidget     parent_instance;

  float        *input;
  guint         input_rows, input_cols;
  char         *input_caption;
  guint         n_layers;
  Column        columns[MAX_COLUMNS];
  int           active, from;
  int           sel_layer, sel_neuron;

  /* Layout */
  int           laid_w, laid_h;
  double        cell, top, input_x, input_side;
  double        map_slot;     /* the least width of a map column */
  gboolean      has_maps;     /* some column is maps: captions keep to their own room */

  PangoContext *text;
};

G_DEFINE_FINAL_TYPE (BpNetworkColumns, bp_network_columns, GTK_TYPE_WIDGET)

enum
{
  NEURON_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GtkWidget *
bp_network_columns_new (void)
{
  return g_object_new (BP_TYPE_NETWORK_COLUMNS, NULL);
}

/* ── Layout ───────────────────────────────────────────────────────────────────────────────── */

/* A map column's pictures at @px screen pixels per map pixel, stacked in columns of pictures
 * @avail_h high. */
static void
place_maps (Column *col,
            double  px,
            double  avail_h)
{
  double ph;

  col->px = px;
  ph = col->maps_h * col->px;
  col->per_col = (guint) MAX (1.0, floor ((avail_h + MAP_GAP) / (ph + MAP_GAP)));
  col->per_col = MIN (col->per_col, MAX (col->maps_c, 1));
  col->rows = col->per_col;
  col->cols = (col->maps_c + col->per_col - 1) / col->per_col;
  col->width = col->cols * col->maps_w * col->px + (col->cols > 0 ? (col->cols - 1) * MAP_GAP : 0);
}

/* The top left corner of map @channel of a map column. */
static void
map_origin (BpNetworkColumns *self,
            const Column     *col,
            guint             channel,
            double           *x,
            double           *y)
{
  *x = col->x + (channel / col->per_col) * (col->maps_w * col->px + MAP_GAP);
  *y = self->top + (channel % col->per_col) * (col->maps_h * col->px + MAP_GAP);
}

/* The height a column's cells or maps take. */
static double
column_height (BpNetworkColumns *self,
               const Column     *col)
{
  if (col->maps_c > 0)
    return col->per_col * (col->maps_h * col->px + MAP_GAP) - MAP_GAP;
  return col->rows * self->cell;
}

/* The width every column needs with map pixels of @map, cells of @cell and map columns at
 * least @slot wide (each after a GAP). */
static double
need_width (BpNetworkColumns *self,
            double            map,
            double            cell,
            double            slot,
            double            avail_h)
{
  double need = 0.0;
  guint rows = (guint) MAX (1.0, floor (avail_h / cell));

  for (guint l = 0; l < self->n_layers; l++)
    {
      Column *col = &self->columns[l];

      if (col->maps_c > 0)
        {
          place_maps (col, map, avail_h);
          need += GAP + MAX (col->width, slot);
        }
      else
        {
          guint r = MIN (rows, MAX (col->n, 1));

          need += GAP + MAX (((col->n + r - 1) / r) * cell, slot) + (col->labelled ? 14.0 : 0.0);
        }
    }
  return need;
}

static void
layout (BpNetworkColumns *self,
        int               width,
        int               height)
{
  double avail_h = height - CAPTION_H - SCALE_H - 2 * PAD;
  double avail_w;
  double cell;

  self->laid_w = width;
  self->laid_h = height;
  self->top = PAD + CAPTION_H;
  {
    gboolean maps = FALSE;

    /* Beside a conv net's maps the input leaves them more room. */
    for (guint l = 0; l < self->n_layers; l++)
      maps |= self->columns[l].maps_c > 0;
    self->input_side = MAX (0.0, MIN (avail_h, MIN (width * (maps ? 0.18 : 0.28), 196.0)));
  }
  self->input_x = PAD;
  avail_w = width - 2 * PAD - self->input_side;

  /* The largest map pixels and cells with which every column fits, each map column with room
   * for its caption: maps first, as long as the cells can stay MIN_FIT_CELL; then without the
   * captions' room; then the cells (down to 2 px) with one-pixel maps. */
  {
    gboolean any_maps = FALSE;
    double start_cell = MAX_CELL;
    double map = 1.0, slot = 0.0;
    gboolean found = FALSE;

    for (guint l = 0; l < self->n_layers; l++)
      {
        any_maps |= self->columns[l].maps_c > 0;
        if (self->columns[l].labelled && self->columns[l].n > 0)
          start_cell = MIN (start_cell, floor (avail_h / self->columns[l].n));
      }
    static const double slots[] = { MAP_SLOT, 0.8 * MAP_SLOT, 0.65 * MAP_SLOT, 0.5 * MAP_SLOT, 0.0 };

    /* A dense network's columns take only their cells' room, as they always have. */
    for (guint pass = any_maps ? 0 : G_N_ELEMENTS (slots) - 1;
         pass < G_N_ELEMENTS (slots) && !found; pass++)
      for (map = any_maps ? MAX_PX : 1.0; map >= 1.0 && !found; map -= 1.0)
        for (cell = start_cell; cell >= (slots[pass] > 0 ? 2.0 : MIN_FIT_CELL) && !found;
             cell -= 1.0)
          {
            slot = slots[pass];
            found = need_width (self, map, cell, slot, avail_h) <= avail_w
                    && (cell >= MIN_FIT_CELL || map <= 1.0);
          }
    if (found)
      {
        /* The loops stepped once more after the fit. */
        map += 1.0;
        cell += 1.0;
      }
    else
      {
        map = 1.0;
        slot = 0.0;
        for (cell = start_cell; cell > 2.0; cell -= 1.0)
          if (need_width (self, map, cell, slot, avail_h) <= avail_w)
            break;
      }
    cell = MAX (cell, 2.0);
    self->map_slot = slot;
    self->has_maps = any_maps;
    for (guint l = 0; l < self->n_layers; l++)
      if (self->columns[l].maps_c > 0)
        place_maps (&self->columns[l], map, avail_h);
  }
  self->cell = cell;

  {
    double x = self->input_x + self->input_side;
    guint rows = (guint) MAX (1.0, floor (avail_h / cell));

    for (guint l = 0; l < self->n_layers; l++)
      {
        Column *col = &self->columns[l];
        guint r = MIN (rows, MAX (col->n, 1));

        if (col->maps_c == 0)
          {
            col->rows = r;
            col->cols = (col->n + r - 1) / r;
            col->width = col->cols * cell;
          }
        x += GAP + (col->labelled ? 14.0 : 0.0);
        /* Beside maps, a narrow column sits in the middle of its caption's room. */
        if (col->width < self->map_slot)
          {
            col->x = x + floor ((self->map_slot - col->width) / 2);
            x += self->map_slot;
            continue;
          }
        col->x = x;
        x += col->width;
      }

    /* A small network sits in the middle of the room it leaves. */
    if (x + PAD < width)
      {
        double shift = floor ((width - PAD - x) / 2.0);

        self->input_x += shift;
        for (guint l = 0; l < self->n_layers; l++)
          self->columns[l].x += shift;
      }
  }
}

static void
ensure_layout (BpNetworkColumns *self,
               int               width,
               int               height)
{
  if (self->laid_w != width || self->laid_h != height)
    layout (self, width, height);
}

static void
invalidate (BpNetworkColumns *self)
{
  self->laid_w = self->laid_h = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
cell_rect (BpNetworkColumns *self,
           const Column     *col,
           guint             j,
           graphene_rect_t  *rect)
{
  guint c = j / col->rows, r = j % col->rows;

  if (col->maps_c > 0)
    {
      guint size = col->maps_h * col->maps_w;
      guint channel = j / size, at = j % size;
      double x, y;

      map_origin (self, col, channel, &x, &y);
      graphene_rect_init (rect, (float) (x + (at % col->maps_w) * col->px),
                          (float) (y + (at / col->maps_w) * col->px), (float) col->px,
                          (float) col->px);
      return;
    }
  graphene_rect_init (rect, (float) (col->x + c * self->cell), (float) (self->top + r * self->cell),
                      (float) self->cell, (float) self->cell);
}

/* ── Drawing ──────────────────────────────────────────────────────────────────────────────── */

static float
column_limit (const Column *col)
{
  float m = 0.0f;

  if (col->values == NULL)
    return 0.0f;
  for (guint j = 0; j < col->n; j++)
    if (isfinite (col->values[j]))
      m = MAX (m, fabsf (col->values[j]));
  return m;
}

/* A caption box of at least @min_width centred on @centre, moved inside the widget. */
static void
caption_box (BpNetworkColumns *self,
             double            centre,
             double            width_wanted,
             double            min_width,
             double           *x,
             double           *width)
{
  double w = MIN (MAX (width_wanted, min_width), self->laid_w - 2 * PAD);

  *x = CLAMP (centre - w / 2, PAD, self->laid_w - PAD - w);
  *width = w;
}

static void
draw_text (BpNetworkColumns *self,
           cairo_t          *cr,
           const char       *text,
           double            x,
           double            y,
           double            xalign,
           double            yalign,
           double            scale,
           gboolean          bold,
           double            max_width)
{
  g_autoptr(PangoLayout) layout = bp_text_layout_new (self->text, text, scale, bold);

  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, xalign < 0.25 ? PANGO_ALIGN_LEFT : PANGO_ALIGN_CENTER);
      if (xalign >= 0.25)
        {
          x -= max_width * xalign;
          xalign = 0.0;
        }
    }
  bp_text_draw (cr, layout, x, y, xalign, yalign);
}

static void
draw_input (BpNetworkColumns *self,
            cairo_t          *cr,
            const GdkRGBA    *fg)
{
  double side = self->input_side;

  if (side <= 0)
    return;
  if (self->input != NULL && self->input_rows > 0 && self->input_cols > 0)
    {
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                                             (int) self->input_cols,
                                                             (int) self->input_rows);
      guint8 *data;
      int stride;
      double s = side / MAX (self->input_rows, self->input_cols);

      cairo_surface_flush (surface);
      data = cairo_image_surface_get_data (surface);
      stride = cairo_image_surface_get_stride (surface);
      for (guint r = 0; r < self->input_rows; r++)
        for (guint c = 0; c < self->input_cols; c++)
          {
            float v = self->input[r * self->input_cols + c];
            guint32 g = (guint32) lrintf (CLAMP (isfinite (v) ? v : 0.0f, 0.0f, 1.0f) * 255.0f);

            ((guint32 *) (gpointer) (data + r * stride))[c] = 0xff000000u | g << 16 | g << 8 | g;
          }
      cairo_surface_mark_dirty (surface);
      cairo_save (cr);
      cairo_translate (cr, self->input_x, self->top);
      cairo_scale (cr, s, s);
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (surface);
    }
  else
    {
      cairo_rectangle (cr, self->input_x + 0.5, self->top + 0.5, side - 1, side - 1);
      cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.3);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);
    }
  if (self->active == -1)
    {
      cairo_rectangle (cr, self->input_x - 3, self->top - 3, side + 6, side + 6);
      cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.8);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
    }
  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, self->active == -1 ? 1.0 : 0.75);
  if (self->input_caption != NULL)
    draw_text (self, cr, self->input_caption, self->input_x, PAD, 0.0, 0.0, 1.0,
               self->active == -1, side + GAP - 4);
}

/* A map column's pictures: each map on the column's scale in the diverging colours, the pixels
 * not highlighted (when some are) under a veil of the text colour, so that the highlighted ones
 * (the winners of a max-pool) stand out. */
static void
draw_maps (BpNetworkColumns *self,
           cairo_t          *cr,
           const Column     *col,
           float             limit,
           const GdkRGBA    *fg)
{
  guint size = col->maps_h * col->maps_w;

  for (guint c = 0; c < col->maps_c; c++)
    {
      double x, y;

      map_origin (self, col, c, &x, &y);
      if (col->values == NULL)
        {
          cairo_rectangle (cr, x + 0.5, y + 0.5, col->maps_w * col->px - 1, col->maps_h * col->px - 1);
          cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.2);
          cairo_set_line_width (cr, 1.0);
          cairo_stroke (cr);
          continue;
        }
      {
        cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) col->maps_w,
                                                               (int) col->maps_h);
        guint8 *data;
        int stride;

        cairo_surface_flush (surface);
        data = cairo_image_surface_get_data (surface);
        stride = cairo_image_surface_get_stride (surface);
        for (guint i = 0; i < size; i++)
          {
            float v = col->values[c * size + i];
            guint32 pixel = bp_colormap_diverging_pixel (limit > 0.0f && isfinite (v) ? v / limit : 0.0);

            if (col->highlight != NULL && !col->highlight[c * size + i])
              {
                /* The veil: halfway to the text colour's grey. */
                double g = fg->red > 0.5 ? 0.25 : 0.62;
                guint32 r = (pixel >> 16) & 0xff, gr = (pixel >> 8) & 0xff, b = pixel & 0xff;

                r = (guint32) lrint (r * 0.45 + g * 255 * 0.55);
                gr = (guint32) lrint (gr * 0.45 + g * 255 * 0.55);
                b = (guint32) lrint (b * 0.45 + g * 255 * 0.55);
                pixel = r << 16 | gr << 8 | b;
              }
            ((guint32 *) (gpointer) (data + (i / col->maps_w) * (gsize) stride))[i % col->maps_w] =
              0xff000000u | pixel;
          }
        cairo_surface_mark_dirty (surface);
        cairo_save (cr);
        cairo_translate (cr, x, y);
        cairo_scale (cr, col->px, col->px);
        cairo_set_source_surface (cr, surface, 0, 0);
        cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
        cairo_rectangle (cr, 0, 0, col->maps_w, col->maps_h);
        cairo_fill (cr);
        cairo_restore (cr);
        cairo_surface_destroy (surface);
      }
    }
}

static void
draw_column (BpNetworkColumns *self,
             cairo_t          *cr,
             guint             l,
             const GdkRGBA    *fg,
             gboolean          dark)
{
  Column *col = &self->columns[l];
  double cell = self->cell;
  double inset = cell >= 6 ? 1.0 : 0.0;
  float limit = column_limit (col);
  gboolean active = self->active == (int) l;
  double bottom = self->top + column_height (self, col);

  if (active)
    {
      cairo_rectangle (cr, col->x - 4, self->top - 4, col->width + 8, column_height (self, col) + 8);
      cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.10);
      cairo_fill (cr);
    }

  if (col->maps_c > 0)
    draw_maps (self, cr, col, limit, fg);
  for (guint j = 0; col->maps_c == 0 && j < col->n; j++)
    {
      graphene_rect_t r;

      cell_rect (self, col, j, &r);
      if (col->values != NULL)
        {
          double red, green, blue;
          double t = limit > 0.0f ? col->values[j] / limit : 0.0;

          bp_colormap_diverging (t, &red, &green, &blue);
          cairo_set_source_rgb (cr, red, green, blue);
          cairo_rectangle (cr, r.origin.x + inset / 2, r.origin.y + inset / 2, r.size.width - inset,
                           r.size.height - inset);
          cairo_fill (cr);
          if (col->marks != NULL && col->marks[j] && cell >= 5)
            {
              /* A saturated neuron: a dot in the cell's corner, in the text colour. */
              double d = MAX (1.2, cell / 9.0);

              cairo_arc (cr, r.origin.x + r.size.width - d - inset, r.origin.y + d + inset, d, 0, 2 * G_PI);
              cairo_set_source_rgba (cr, dark ? 0.1 : 0.0, dark ? 0.1 : 0.0, dark ? 0.1 : 0.0, 0.85);
              cairo_fill (cr);
            }
        }
      else if (cell >= 4)
        {
          cairo_rectangle (cr, r.origin.x + 1, r.origin.y + 1, r.size.width - 2, r.size.height - 2);
          cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.15);
          cairo_set_line_width (cr, 1.0);
          cairo_stroke (cr);
        }
      if (col->labelled && cell >= 9)
        {
          char digit[16];

          g_snprintf (digit, sizeof digit, "%u", j);
          cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.8);
          draw_text (self, cr, digit, r.origin.x - 3, r.origin.y + r.size.height / 2, 1.0, 0.5,
                     MIN (1.0, cell / 16.0), FALSE, 0);
        }
    }
  if (col->values == NULL && cell < 4 && col->maps_c == 0)
    {
      cairo_rectangle (cr, col->x + 0.5, self->top + 0.5, col->width - 1, col->rows * cell - 1);
      cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.25);
      cairo_set_line_width (cr, 1.0);
      cairo_stroke (cr);
    }

  if (self->sel_layer == (int) l && self->sel_neuron >= 0 && (guint) self->sel_neuron < col->n)
    {
      graphene_rect_t r;

      cell_rect (self, col, (guint) self->sel_neuron, &r);
      cairo_rectangle (cr, r.origin.x - 1.5, r.origin.y - 1.5, r.size.width + 3, r.size.height + 3);
      cairo_set_source_rgb (cr, fg->red, fg->green, fg->blue);
      cairo_set_line_width (cr, 2.0);
      cairo_stroke (cr);
      if (col->maps_c > 0)
        {
          /* A map pixel is small: a halo of the background keeps its ring apart. */
          cairo_rectangle (cr, r.origin.x - 3.5, r.origin.y - 3.5, r.size.width + 7, r.size.height + 7);
          cairo_set_source_rgba (cr, dark ? 0 : 1, dark ? 0 : 1, dark ? 0 : 1, 0.9);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }

  cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, active ? 1.0 : 0.75);
  if (col->caption != NULL)
    {
      double bx, bw;

      /* Beside maps, each column's caption has its own room (a map column's on two lines). */
      if (self->has_maps)
        caption_box (self, col->x + col->width / 2, MAX (col->width, self->map_slot) + GAP - 4,
                     0.0, &bx, &bw);
      else
        caption_box (self, col->x + col->width / 2, col->width + GAP - 4, 112.0, &bx, &bw);
      /* Small type when the room is short. */
      draw_text (self, cr, col->caption, bx + bw / 2, PAD, 0.5, 0.0,
                 self->has_maps && self->map_slot < MAP_SLOT ? 0.8 : 1.0, active, bw);
    }
  if (col->values != NULL)
    {
      g_autofree char *num = bp_text_format_number (limit, limit >= 10 ? 1 : limit >= 0.01 ? 3 : 5);
      g_autofree char *text = g_strdup_printf ("±%s", num);

      if (limit > 0 && limit < 0.01)
        {
          g_free (text);
          text = g_strdup_printf ("±%.2g", limit);
        }
      double bx, bw;

      caption_box (self, col->x + col->width / 2, col->width + GAP - 4, 60.0, &bx, &bw);
      draw_text (self, cr, text, bx + bw / 2, bottom + 4, 0.5, 0.0, 0.85, FALSE, bw);
    }
}

static void
draw_arrow (BpNetworkColumns *self,
            cairo_t          *cr,
            const GdkRGBA    *fg)
{
  double x_from, x_to, y, tip;

  if (self->from == G_MININT || self->active == G_MININT || self->from == self->active)
    return;
  if (self->from < -1 || self->from >= (int) self->n_layers || self->active < -1
      || self->active >= (int) self->n_layers)
    return;
  /* The gap between the two columns, next to the active one. */
  if (self->from < self->active)
    {
      const Column *col = &self->columns[self->active];

      x_to = col->x - 2 - (col->labelled ? 14.0 : 0.0);
      x_from = x_to - GAP + 6;
      tip = x_to;
    }
  else
    {
      const Column *col = &self->columns[self->active];

      x_from = col->x + col->width + GAP - 2;
      x_to = col->x + col->width + 3;
      tip = x_to;
    }
  /* Beside maps the captions take two lines, and the arrow goes below them, in the gap. */
  y = self->has_maps ? self->top + 10 : self->top - 10;
  cairo_set_source_rgb (cr, fg->red, fg->green, fg->blue);
  cairo_set_line_width (cr, 2.0);
  cairo_move_to (cr, x_from, y);
  cairo_line_to (cr, x_to, y);
  cairo_stroke (cr);
  cairo_move_to (cr, tip, y);
  cairo_line_to (cr, tip + (x_from < x_to ? -6 : 6), y - 4);
  cairo_line_to (cr, tip + (x_from < x_to ? -6 : 6), y + 4);
  cairo_close_path (cr);
  cairo_fill (cr);
}

void
bp_network_columns_draw (BpNetworkColumns *self,
                         cairo_t          *cr,
                         int               width,
                         int               height,
                         gboolean          dark)
{
  GdkRGBA fg = dark ? (GdkRGBA) { 1, 1, 1, 1 } : (GdkRGBA) { 0, 0, 0, 0.8f };

  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));

  if (self->text == NULL)
    self->text = bp_text_default_context_new ();
  ensure_layout (self, width, height);
  draw_input (self, cr, &fg);
  for (guint l = 0; l < self->n_layers; l++)
    draw_column (self, cr, l, &fg, dark);
  draw_arrow (self, cr, &fg);
}

static void
bp_network_columns_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  BpNetworkColumns *self = BP_NETWORK_COLUMNS (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  gboolean dark;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  if (self->text == NULL)
    self->text = gtk_widget_create_pango_context (widget);
  dark = bp_widget_is_dark (widget, &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  ensure_layout (self, width, height);
  draw_input (self, cr, &fg);
  for (guint l = 0; l < self->n_layers; l++)
    draw_column (self, cr, l, &fg, dark);
  draw_arrow (self, cr, &fg);
  cairo_destroy (cr);
  bp_focus_ring_snapshot (widget, snapshot);
}

static void
bp_network_columns_measure (GtkWidget      *widget,
                            GtkOrientation  orientation,
                            int             for_size,
                            int            *minimum,
                            int            *natural,
                            int            *minimum_baseline,
                            int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 150;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 600 : 360;
}

static void
bp_network_columns_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  invalidate (BP_NETWORK_COLUMNS (widget));
}

static void
bp_network_columns_css_changed (GtkWidget         *widget,
                                GtkCssStyleChange *change)
{
  BpNetworkColumns *self = BP_NETWORK_COLUMNS (widget);

  GTK_WIDGET_CLASS (bp_network_columns_parent_class)->css_changed (widget, change);
  g_clear_object (&self->text);
  gtk_widget_queue_draw (widget);
}

static void
bp_network_columns_state_flags_changed (GtkWidget     *widget,
                                        GtkStateFlags  old_flags)
{
  GTK_WIDGET_CLASS (bp_network_columns_parent_class)->state_flags_changed (widget, old_flags);

  if (bp_focus_ring_changed (widget, old_flags))
    gtk_widget_queue_draw (widget);
}

/* ── Input ────────────────────────────────────────────────────────────────────────────────── */

int
bp_network_columns_neuron_at (BpNetworkColumns *self,
                              double            x,
                              double            y,
                              int               width,
                              int               height,
                              int              *layer)
{
  g_return_val_if_fail (BP_IS_NETWORK_COLUMNS (self), -1);

  ensure_layout (self, width, height);
  for (guint l = 0; l < self->n_layers; l++)
    {
      const Column *col = &self->columns[l];
      int c, r;
      guint j;

      if (x < col->x || x >= col->x + col->width || y < self->top
          || y >= self->top + column_height (self, col))
        continue;
      if (col->maps_c > 0)
        {
          double pw = col->maps_w * col->px, ph = col->maps_h * col->px;
          guint pc = (guint) ((x - col->x) / (pw + MAP_GAP));
          guint pr = (guint) ((y - self->top) / (ph + MAP_GAP));
          double mx = x - col->x - pc * (pw + MAP_GAP), my = y - self->top - pr * (ph + MAP_GAP);
          guint channel = pc * col->per_col + pr;

          if (mx >= pw || my >= ph || pr >= col->per_col || channel >= col->maps_c)
            return -1;
          if (layer != NULL)
            *layer = (int) l;
          return (int) (channel * col->maps_h * col->maps_w
                        + (guint) (my / col->px) * col->maps_w + (guint) (mx / col->px));
        }
      c = (int) ((x - col->x) / self->cell);
      r = (int) ((y - self->top) / self->cell);
      j = (guint) c * col->rows + (guint) r;
      if (j >= col->n)
        return -1;
      if (layer != NULL)
        *layer = (int) l;
      return (int) j;
    }
  return -1;
}

gboolean
bp_network_columns_get_cell (BpNetworkColumns *self,
                             guint             layer,
                             guint             neuron,
                             graphene_rect_t  *rect)
{
  GtkWidget *widget = GTK_WIDGET (self);

  g_return_val_if_fail (BP_IS_NETWORK_COLUMNS (self), FALSE);

  if (layer >= self->n_layers || neuron >= self->columns[layer].n
      || gtk_widget_get_width (widget) <= 0)
    return FALSE;
  ensure_layout (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  cell_rect (self, &self->columns[layer], neuron, rect);
  return TRUE;
}

static void
activate (BpNetworkColumns *self)
{
  if (self->sel_layer >= 0)
    g_signal_emit (self, signals[NEURON_ACTIVATED], 0, self->sel_layer, (guint) self->sel_neuron);
}

static void
pressed_cb (GtkGestureClick  *gesture,
            int               n_press,
            double            x,
            double            y,
            BpNetworkColumns *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int layer = -1;
  int neuron = bp_network_columns_neuron_at (self, x, y, gtk_widget_get_width (widget),
                                             gtk_widget_get_height (widget), &layer);

  if (neuron < 0)
    return;
  gtk_widget_grab_focus (widget);
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  bp_network_columns_set_selected (self, layer, neuron);
  activate (self);
}

/* Up and Down move in a column, Page Up and Page Down between columns; Enter shows the neuron.
 * Left and Right are left to the view (its steps). */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                BpNetworkColumns      *self)
{
  int l = self->sel_layer, j = self->sel_neuron;

  if (self->n_layers == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (l < 0)
    {
      l = 0;
      j = 0;
    }
  switch (keyval)
    {
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      j = self->sel_layer < 0 ? 0 : MAX (j - 1, 0);
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      j = self->sel_layer < 0 ? 0 : MIN (j + 1, (int) self->columns[l].n - 1);
      break;
    case GDK_KEY_Page_Up:
    case GDK_KEY_KP_Page_Up:
      l = self->sel_layer < 0 ? 0 : MAX (l - 1, 0);
      j = MIN (j, (int) self->columns[l].n - 1);
      break;
    case GDK_KEY_Page_Down:
    case GDK_KEY_KP_Page_Down:
      l = self->sel_layer < 0 ? 0 : MIN (l + 1, (int) self->n_layers - 1);
      j = MIN (j, (int) self->columns[l].n - 1);
      break;
    case GDK_KEY_Return:
    case GDK_KEY_KP_Enter:
    case GDK_KEY_space:
      bp_network_columns_set_selected (self, l, j);
      activate (self);
      return TRUE;
    default:
      return FALSE;
    }
  bp_network_columns_set_selected (self, l, j);
  activate (self);
  return TRUE;
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

void
bp_network_columns_set_input (BpNetworkColumns *self,
                              const float      *x,
                              guint             rows,
                              guint             cols)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));

  g_clear_pointer (&self->input, g_free);
  if (x != NULL)
    {
      self->input = g_memdup2 (x, (gsize) rows * cols * sizeof (float));
      self->input_rows = rows;
      self->input_cols = cols;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
clear_column (Column *col)
{
  g_clear_pointer (&col->highlight, g_free);
  col->maps_c = col->maps_h = col->maps_w = 0;
  g_clear_pointer (&col->values, g_free);
  g_clear_pointer (&col->marks, g_free);
  g_clear_pointer (&col->caption, g_free);
  col->labelled = FALSE;
}

void
bp_network_columns_set_shape (BpNetworkColumns *self,
                              guint             n_layers,
                              const guint      *sizes)
{
  gboolean same;

  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (n_layers <= MAX_COLUMNS);

  same = n_layers == self->n_layers;
  for (guint l = 0; same && l < n_layers; l++)
    same = self->columns[l].n == sizes[l];
  if (same)
    return;
  for (guint l = 0; l < MAX_COLUMNS; l++)
    clear_column (&self->columns[l]);
  self->n_layers = n_layers;
  for (guint l = 0; l < n_layers; l++)
    self->columns[l].n = sizes[l];
  self->sel_layer = -1;
  self->sel_neuron = -1;
  invalidate (self);
}

guint
bp_network_columns_get_n_layers (BpNetworkColumns *self)
{
  g_return_val_if_fail (BP_IS_NETWORK_COLUMNS (self), 0);

  return self->n_layers;
}

void
bp_network_columns_set_values (BpNetworkColumns *self,
                               guint             layer,
                               const float      *values,
                               const guint8     *marks)
{
  Column *col;

  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (layer < self->n_layers);

  col = &self->columns[layer];
  g_clear_pointer (&col->values, g_free);
  g_clear_pointer (&col->marks, g_free);
  if (values != NULL)
    col->values = g_memdup2 (values, col->n * sizeof (float));
  if (values != NULL && marks != NULL)
    col->marks = g_memdup2 (marks, col->n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_network_columns_set_maps (BpNetworkColumns *self,
                             guint             layer,
                             guint             channels,
                             guint             height,
                             guint             width)
{
  Column *col;

  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (layer < self->n_layers);

  col = &self->columns[layer];
  g_return_if_fail (channels == 0 || (gsize) channels * height * width == col->n);
  if (col->maps_c == channels && col->maps_h == height && col->maps_w == width)
    return;
  col->maps_c = channels;
  col->maps_h = channels > 0 ? height : 0;
  col->maps_w = channels > 0 ? width : 0;
  g_clear_pointer (&col->highlight, g_free);
  invalidate (self);
}

void
bp_network_columns_set_highlight (BpNetworkColumns *self,
                                  guint             layer,
                                  const guint8     *mask)
{
  Column *col;

  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (layer < self->n_layers);

  col = &self->columns[layer];
  g_clear_pointer (&col->highlight, g_free);
  if (mask != NULL && col->maps_c > 0)
    col->highlight = g_memdup2 (mask, col->n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
bp_network_columns_get_maps (BpNetworkColumns *self,
                             guint             layer,
                             guint            *height,
                             guint            *width,
                             const guint8    **highlight)
{
  const Column *col;

  g_return_val_if_fail (BP_IS_NETWORK_COLUMNS (self), 0);
  g_return_val_if_fail (layer < self->n_layers, 0);

  col = &self->columns[layer];
  if (height != NULL)
    *height = col->maps_h;
  if (width != NULL)
    *width = col->maps_w;
  if (highlight != NULL)
    *highlight = col->highlight;
  return col->maps_c;
}

void
bp_network_columns_set_caption (BpNetworkColumns *self,
                                guint             layer,
                                const char       *caption)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (layer < self->n_layers);

  g_free (self->columns[layer].caption);
  self->columns[layer].caption = g_strdup (caption);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_network_columns_set_input_caption (BpNetworkColumns *self,
                                      const char       *caption)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));

  g_free (self->input_caption);
  self->input_caption = g_strdup (caption);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_network_columns_set_labelled (BpNetworkColumns *self,
                                 guint             layer,
                                 gboolean          labelled)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));
  g_return_if_fail (layer < self->n_layers);

  self->columns[layer].labelled = labelled;
  invalidate (self);
}

void
bp_network_columns_set_active (BpNetworkColumns *self,
                               int               layer,
                               int               from)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));

  self->active = layer;
  self->from = from;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
bp_network_columns_set_selected (BpNetworkColumns *self,
                                 int               layer,
                                 int               neuron)
{
  g_return_if_fail (BP_IS_NETWORK_COLUMNS (self));

  if (layer < 0 || layer >= (int) self->n_layers || neuron < 0
      || neuron >= (int) self->columns[layer].n)
    layer = neuron = -1;
  self->sel_layer = layer;
  self->sel_neuron = neuron;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
bp_network_columns_get_selected (BpNetworkColumns *self,
                                 int              *neuron)
{
  g_return_val_if_fail (BP_IS_NETWORK_COLUMNS (self), -1);

  if (neuron != NULL)
    *neuron = self->sel_neuron;
  return self->sel_layer;
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_network_columns_finalize (GObject *object)
{
  BpNetworkColumns *self = BP_NETWORK_COLUMNS (object);

  for (guint l = 0; l < MAX_COLUMNS; l++)
    clear_column (&self->columns[l]);
  g_clear_pointer (&self->input, g_free);
  g_clear_pointer (&self->input_caption, g_free);
  g_clear_object (&self->text);

  G_OBJECT_CLASS (bp_network_columns_parent_class)->finalize (object);
}

static void
bp_network_columns_class_init (BpNetworkColumnsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bp_network_columns_finalize;
  widget_class->snapshot = bp_network_columns_snapshot;
  widget_class->measure = bp_network_columns_measure;
  widget_class->size_allocate = bp_network_columns_size_allocate;
  widget_class->css_changed = bp_network_columns_css_changed;
  widget_class->state_flags_changed = bp_network_columns_state_flags_changed;

  signals[NEURON_ACTIVATED] = g_signal_new ("neuron-activated", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_UINT);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_widget_class_set_css_name (widget_class, "bpnetworkcolumns");
}

static void
bp_network_columns_init (BpNetworkColumns *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *key = gtk_event_controller_key_new ();

  self->active = G_MININT;
  self->from = G_MININT;
  self->sel_layer = -1;
  self->sel_neuron = -1;
  self->laid_w = self->laid_h = -1;

  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
}
