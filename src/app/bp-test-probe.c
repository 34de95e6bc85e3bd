/* bp-test-probe.c — the test mode's observer: the event lines, from the window's signals
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every line the README lists comes from here; which signal prints which line is in the
 * sections below. The probe connects after the window and the views have connected their own
 * handlers, so that a line is printed once what it reports has happened (the view updated, the
 * dialog shown).
 */
#include "config.h"

#include "bp-test-probe.h"
#include "bp-test-probe-maps.h"
#include "bp-test-probe-places.h"

#include "bp-backprop-view.h"
#include "bp-confusion-matrix.h"
#include "bp-controls.h"
#include "bp-digit-gallery.h"
#include "bp-draw-view.h"
#include "bp-gradcheck.h"
#include "bp-mistakes-view.h"
#include "bp-my-digits.h"
#include "bp-network-columns.h"
#include "bp-presets.h"
#include "bp-test-events.h"
#include "bp-train-view.h"
#include "bp-weight-grid.h"
#include "bp-weights-view.h"

typedef struct _Probe Probe;

/* What the probe keeps for one view: the tick callbacks it has added to the view's widget,
 * which go when the view is hidden. */
typedef struct
{
  Probe     *probe;
  GtkWidget *view;
  guint      place_tick;   /* the view's "where" lines: canvas, neuron-0, mistake-cell … */
  int        place_frames; /* frames the place tick has waited */
  guint      strip_tick;   /* the Draw view's hidden-layer strip, after a stroke */
} ViewProbe;

struct _Probe
{
  BpWindow     *window;     /* the probe is the window's data: no reference */
  GSignalGroup *session_signals;
  BpFrameStats *frame_stats;
  ViewProbe     draw;
  ViewProbe     solo_draw;
  ViewProbe     weights;
  ViewProbe     mistakes;
  ViewProbe     backprop;
  guint         ready_tick;
  guint         missing_tick;
  gboolean      ready_printed;
  gboolean      done;       /* the window is going: print nothing more */
};

static GtkWidget *
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert (GTK_IS_WIDGET (child));
  return GTK_WIDGET (child);
}

static GtkWidget *
window_child (Probe      *probe,
              const char *name)
{
  return template_child (probe->window, BP_TYPE_WINDOW, name);
}

static void
remove_tick (GtkWidget *widget,
             guint     *tick)
{
  if (*tick != 0)
    gtk_widget_remove_tick_callback (widget, *tick);
  *tick = 0;
}

/* "widget NAME X Y W H": bp-test-probe-places.c's, under the short name this file uses. */
static inline gboolean
print_place (const char *name,
             GtkWidget  *widget,
             double      x,
             double      y,
             int         width,
             int         height)
{
  return bp_test_probe_print_place (name, widget, x, y, width, height);
}

/* ── The session: state, epoch, reset, diverged, failed ───────────────────────────────────── */

static void
state_cb (Probe      *probe,
          GParamSpec *pspec,
          BpSession  *session)
{
  BpSessionState state = bp_session_get_state (session);

  if (probe->done)
    return;
  if (probe->frame_stats != NULL)
    bp_frame_stats_set_running (probe->frame_stats, state == BP_SESSION_STATE_RUNNING);
  bp_test_event ("state %s", bp_session_state_to_string (state));
}

/* "batch-taken epoch E batch B of N examples K I1 I2 …": the mini-batch a single step took,
 * its training-set indices as the engine gave them. */
static void
batch_taken_cb (Probe       *probe,
                BpMiniBatch *batch)
{
  g_autoptr(GString) line = g_string_new (NULL);

  if (probe->done)
    return;
  g_string_printf (line, "batch-taken epoch %u batch %u of %u examples %u", batch->epoch,
                   batch->batch, batch->n_batches, batch->n);
  for (guint i = 0; i < batch->n; i++)
    g_string_append_printf (line, " %u", batch->indices[i]);
  bp_test_event ("%s", line->str);
}

/* "speed EPOCH S1 S2 …", as backprop-cli train --learning-speed prints it. */
static void
print_speed (const BpEpochMetrics *m)
{
  g_autoptr(GString) line = g_string_new (NULL);
  char number[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_printf (line, "speed %u", m->epoch);
  for (size_t k = 0; k < m->n_speeds; k++)
    g_string_append_printf (line, " %s",
                            g_ascii_formatd (number, sizeof number, "%.6g", m->speed[k]));
  bp_test_event ("%s", line->str);
}

static void
epoch_finished_cb (Probe                *probe,
                   const BpEpochMetrics *m,
                   BpSession            *session)
{
  if (probe->done)
    return;
  bp_test_event ("epoch %u train_acc %.4f val_acc %.4f test_acc %.4f seconds %.3f eta %g",
                 m->epoch, m->train_accuracy, m->validation_accuracy, m->test_accuracy,
                 m->seconds, (double) m->eta);
  if (m->n_speeds > 0)
    print_speed (m);
}

static void
speed_measured_cb (Probe                *probe,
                   const BpEpochMetrics *m,
                   BpSession            *session)
{
  if (!probe->done)
    print_speed (m);
}

/* "hyper-change X LABEL": η, λ or μ changed within a run, marked at X epochs ("η 3 → 0.25");
 * one line per mark recorded by this change. */
static void
hyperparams_changed_cb (Probe     *probe,
                        BpSession *session)
{
  const BpHyperChange *changes;
  guint n;

  if (probe->done)
    return;
  changes = bp_run_history_get_changes (bp_session_get_run_history (session), &n);
  for (guint i = n; i > 0 && changes[i - 1].x == changes[n - 1].x; i--)
    {
      g_autofree char *label = bp_hyper_change_to_string (&changes[i - 1]);

      bp_test_event ("hyper-change %.4f %s", changes[i - 1].x, label);
    }
}

static void
network_reset_cb (Probe     *probe,
                  BpSession *session)
{
  if (!probe->done)
    bp_test_event ("reset");
}

static void
diverged_cb (Probe      *probe,
             const char *message,
             BpSession  *session)
{
  if (!probe->done)
    bp_test_event ("diverged %s", message);
}

static void
failed_cb (Probe      *probe,
           const char *message,
           BpSession  *session)
{
  if (!probe->done)
    bp_test_event ("failed %s", message);
}

static void
window_session_cb (Probe *probe)
{
  if (!probe->done)
    g_signal_group_set_target (probe->session_signals, bp_window_get_session (probe->window));
}

/* ── The window: ready, missing-data, setup and the controls' places ──────────────────────── */

/* What the session starts from, restored from the settings or not: "setup view NAME layers L
 * eta E lambda L2 batch B epochs N brush W". */
static void
print_setup (Probe *probe)
{
  BpSession *session = bp_window_get_session (probe->window);
  AdwViewStack *stack = ADW_VIEW_STACK (window_child (probe, "view_stack"));
  BpDrawView *draw = BP_DRAW_VIEW (window_child (probe, "draw_view"));
  BpRun setup;
  BpHyperparams hyper;
  char layers[128];

  bp_session_get_run (session, &setup);
  bp_session_get_hyperparams (session, &hyper);
  bp_arch_format_sizes (&setup.arch, '-', layers, sizeof layers);
  bp_test_event ("setup view %s layers %s eta %g lambda %g batch %zu epochs %u brush %g",
                 adw_view_stack_get_visible_child_name (stack), layers,
                 (double) hyper.eta, (double) hyper.lambda_l2, hyper.batch_size,
                 bp_session_get_epochs (session), bp_draw_view_get_brush_width (draw));
}

/* Once the lab is laid out and painted, say where the controls a test needs are, then "ready". */
static gboolean
ready_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  Probe *probe = user_data;
  GtkWidget *controls = window_child (probe, "controls");
  GtkWidget *eta = template_child (controls, BP_TYPE_CONTROLS, "eta_spin");

  if (!gtk_widget_get_mapped (eta) || gtk_widget_get_width (eta) == 0)
    return G_SOURCE_CONTINUE;

  probe->ready_tick = 0;
  probe->ready_printed = TRUE;
  print_setup (probe);
  bp_test_event_widget ("eta", eta);
  bp_test_event_widget ("lambda", template_child (controls, BP_TYPE_CONTROLS, "lambda_spin"));
  bp_test_event_widget ("activation", template_child (controls, BP_TYPE_CONTROLS, "activation_row"));
  bp_test_event_widget ("layers", template_child (controls, BP_TYPE_CONTROLS, "layers_row"));
  bp_test_event_widget ("preset", template_child (controls, BP_TYPE_CONTROLS, "preset_row"));
  bp_test_event_widget ("start", window_child (probe, "start_button"));
  bp_test_event_widget ("step", window_child (probe, "step_button"));
  bp_test_event ("ready");
  return G_SOURCE_REMOVE;
}

/* The Step menu opened: whether a tooltip may cover its first item (the arrow's, or without
 * one, the button's). */
static void
step_menu_cb (GtkWidget      *popover,
              GParamSpec     *pspec,
              AdwSplitButton *button)
{
  const char *tooltip = adw_split_button_get_dropdown_tooltip (button);

  if (tooltip == NULL || *tooltip == '\0')
    tooltip = gtk_widget_get_tooltip_text (GTK_WIDGET (button));

  if (gtk_widget_get_visible (popover))
    bp_test_event ("step-menu tooltip %s", tooltip != NULL && *tooltip != '\0' ? tooltip : "none");
}

static void
data_loaded_cb (Probe *probe)
{
  if (probe->done || probe->ready_printed || probe->ready_tick != 0)
    return;
  probe->ready_tick = gtk_widget_add_tick_callback (GTK_WIDGET (probe->window), ready_tick_cb,
                                                    probe, NULL);
}

/* Where the missing-data page's buttons are, once laid out. */
static gboolean
missing_tick_cb (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  Probe *probe = user_data;
  GtkWidget *button = window_child (probe, "choose_folder_button");

  if (!gtk_widget_get_mapped (button) || gtk_widget_get_width (button) == 0)
    return G_SOURCE_CONTINUE;
  probe->missing_tick = 0;
  bp_test_event_widget ("choose-folder", button);
  bp_test_event_widget ("draw-digit", window_child (probe, "draw_button"));
  return G_SOURCE_REMOVE;
}

static void
data_missing_cb (Probe *probe)
{
  if (probe->done)
    return;
  bp_test_event ("missing-data");
  if (probe->missing_tick == 0)
    probe->missing_tick = gtk_widget_add_tick_callback (GTK_WIDGET (probe->window), missing_tick_cb,
                                                        probe, NULL);
}

/* ── The controls: invalid-layers, confirm-reset, preset ──────────────────────────────────── */

/* "lesson-result TEXT": a run of the preset shown finished, and its result is set beside the
 * book's (its first line). */
static void
lesson_result_cb (Probe      *probe,
                  GParamSpec *pspec,
                  GtkLabel   *label)
{
  const char *text = gtk_label_get_text (label);

  if (!probe->done && text[0] != '\0')
    bp_test_event ("lesson-result %.*s", (int) strcspn (text, "\n"), text);
}

/* "epoch-label TEXT": the Train view's header changed ("Epoch 7 of 30", "6 of 30 epochs
 * done"). */
static void
epoch_label_cb (Probe      *probe,
                GParamSpec *pspec,
                GtkLabel   *label)
{
  if (!probe->done)
    bp_test_event ("epoch-label %s", gtk_label_get_text (label));
}

/* "train-hint TEXT": the line under the Train view's header changed (the accuracies, or what
 * the mini-batches stepped did). */
static void
train_hint_cb (Probe      *probe,
               GParamSpec *pspec,
               GtkLabel   *label)
{
  if (!probe->done)
    bp_test_event ("train-hint %s", gtk_label_get_text (label));
}

/* "x-axis LABEL": the accuracy chart's x axis changed its unit (Epoch, Mini-batch). */
static void
x_axis_cb (Probe      *probe,
           GParamSpec *pspec,
           BpPlot     *plot)
{
  if (!probe->done)
    bp_test_event ("x-axis %s", bp_plot_get_x_label (plot));
}

/* "confirm-reset-network": Reset asks before throwing away a trained, unpinned network. */
static void
reset_network_asked_cb (Probe *probe)
{
  if (!probe->done)
    bp_test_event ("confirm-reset-network");
}

/* "preset NAME" (custom for none): the preset the controls show, whenever it changes. */
static void
preset_shown_cb (Probe      *probe,
                 GParamSpec *pspec,
                 AdwComboRow *row)
{
  guint index = adw_combo_row_get_selected (row);

  if (probe->done)
    return;
  bp_test_event ("preset %s", index < bp_presets_get_count () ? bp_presets_get (index)->book->name
                                                               : "custom");
}

static void
layers_refused_cb (Probe      *probe,
                   const char *message)
{
  if (!probe->done)
    bp_test_event ("invalid-layers %s", message);
}

static void
reset_asked_cb (Probe *probe)
{
  if (!probe->done)
    bp_test_event ("confirm-reset");
}

/* ── The window's files ───────────────────────────────────────────────────────────────────── */

static void
file_dialog_shown_cb (Probe           *probe,
                      GtkNativeDialog *dialog)
{
  if (!probe->done)
    bp_test_event ("file-dialog %s", gtk_native_dialog_get_title (dialog));
}

static void
model_opened_cb (Probe     *probe,
                 GFile     *file,
                 BpSession *session)
{
  g_autofree char *name = g_file_get_basename (file);
  BpRun setup;
  char layers[128];

  if (probe->done)
    return;
  bp_session_get_run (session, &setup);
  bp_arch_format_sizes (&setup.arch, '-', layers, sizeof layers);
  bp_test_event ("model-opened %s layers %s", name, layers);
}

static void
session_opened_cb (Probe *probe,
                   GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("session-opened %s epochs %u", name,
                   bp_session_get_epoch (bp_window_get_session (probe->window)));
}

static void
model_saved_cb (Probe *probe,
                GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("model-saved %s", name);
}

static void
session_saved_cb (Probe *probe,
                  GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("session-saved %s epochs %u", name,
                   bp_session_get_epoch (bp_window_get_session (probe->window)));
}

static void
plot_exported_cb (Probe      *probe,
                  const char *which,
                  GFile      *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("plot-exported %s %s", which, name);
}

static void
history_exported_cb (Probe *probe,
                     GFile *file,
                     guint  n_epochs)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("history-exported %s epochs %u", name, n_epochs);
}

static void
onnx_exported_cb (Probe *probe,
                  GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("onnx-exported %s", name);
}

static void
files_dropped_cb (Probe *probe,
                  guint  n_files)
{
  if (!probe->done)
    bp_test_event ("dropped %u", n_files);
}

static void
file_error_cb (Probe      *probe,
               const char *message)
{
  if (!probe->done)
    bp_test_event ("file-error %s", message);
}

static void
replace_asked_cb (Probe *probe,
                  GFile *file,
                  guint  n_epochs)
{
  g_autofree char *name = g_file_get_basename (file);

  if (!probe->done)
    bp_test_event ("confirm-replace %s epochs %u", name, n_epochs);
}

static void
replace_answered_cb (Probe      *probe,
                     const char *response)
{
  if (!probe->done)
    bp_test_event ("replace-answer %s", response);
}

/* ── The Train view: pinned ───────────────────────────────────────────────────────────────── */

static void
pins_changed_cb (Probe      *probe,
                 guint       n_pins,
                 const char *label)
{
  if (probe->done)
    return;
  if (label != NULL)
    bp_test_event ("pinned %u %s", n_pins, label);
  else
    bp_test_event ("pinned %u", n_pins);
}

/* ── The Weights view: neuron-0, neuron-dialog ────────────────────────────────────────────── */

/* Once the grid is laid out with its pictures, where the first neuron's picture is, so that a
 * test can click it. A coarse scan finds a point of it (pictures are at least 28 pixels wide),
 * then its edges are walked to one pixel. */
static gboolean
neuron_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  ViewProbe *vp = user_data;
  BpWeightGrid *grid = BP_WEIGHT_GRID (template_child (widget, BP_TYPE_WEIGHTS_VIEW, "grid"));
  int width = gtk_widget_get_width (GTK_WIDGET (grid));
  int height = gtk_widget_get_height (GTK_WIDGET (grid));
  int x = -1, y = -1, x0, y0, x1, y1;

  if (bp_weight_grid_get_n_neurons (grid) == 0 || width == 0
      || gtk_widget_get_native (GTK_WIDGET (grid)) == NULL)
    return G_SOURCE_CONTINUE;
  vp->place_tick = 0;

  for (int sy = 0; sy < height && x < 0; sy += 8)
    for (int sx = 0; sx < width; sx += 8)
      if (bp_weight_grid_neuron_at (grid, sx, sy, width, height) == 0)
        {
          x = sx;
          y = sy;
          break;
        }
  if (x < 0)
    return G_SOURCE_REMOVE;

  for (x0 = x; x0 > 0 && bp_weight_grid_neuron_at (grid, x0 - 1, y, width, height) == 0; x0--)
    ;
  for (x1 = x; x1 + 1 < width && bp_weight_grid_neuron_at (grid, x1 + 1, y, width, height) == 0; x1++)
    ;
  for (y0 = y; y0 > 0 && bp_weight_grid_neuron_at (grid, x, y0 - 1, width, height) == 0; y0--)
    ;
  for (y1 = y; y1 + 1 < height && bp_weight_grid_neuron_at (grid, x, y1 + 1, width, height) == 0; y1++)
    ;

  print_place ("neuron-0", GTK_WIDGET (grid), x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  bp_test_event ("weights-scale %.4g", bp_weight_grid_get_limit (grid));
  return G_SOURCE_REMOVE;
}

static void
weights_map_cb (ViewProbe *vp)
{
  if (!vp->probe->done && vp->place_tick == 0)
    vp->place_tick = gtk_widget_add_tick_callback (vp->view, neuron_tick_cb, vp, NULL);
}

static void
neuron_shown_cb (Probe *probe,
                 guint  layer,
                 guint  neuron)
{
  if (!probe->done && layer == 0)
    bp_test_event ("neuron-dialog %u", neuron);
  else if (!probe->done)
    bp_test_event ("neuron-dialog %u layer %u", neuron, layer);
}

/* A conv layer's filters were drawn from a new snapshot: the sum of their |w| says they moved. */
static void
filters_updated_cb (Probe  *probe,
                    guint   layer,
                    guint   n_filters,
                    guint   rows,
                    guint   cols,
                    gdouble sum_abs)
{
  if (!probe->done)
    bp_test_event ("filters layer %u count %u size %ux%u sum %.9g", layer, n_filters, rows, cols, sum_abs);
}

/* ── The Draw views: canvas, prediction, hidden-strip, strokes, test-image, png ───────────── */

/* Once the pad is laid out: "canvas X Y WIDTH HEIGHT" in the window's coordinates. A tick
 * callback runs before the frame's layout, so the first one after the view is shown would
 * still see the size the pad had when it was last shown (the window may have been resized
 * since): the line waits for the second frame. */
static gboolean
canvas_tick_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       user_data)
{
  ViewProbe *vp = user_data;
  GtkWidget *canvas = template_child (widget, BP_TYPE_DRAW_VIEW, "canvas");
  GtkNative *native = gtk_widget_get_native (canvas);
  graphene_point_t origin;
  double nx, ny;

  if (vp->place_frames++ == 0 || native == NULL || gtk_widget_get_width (canvas) == 0)
    return G_SOURCE_CONTINUE;
  vp->place_tick = 0;
  if (!gtk_widget_compute_point (canvas, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (0, 0), &origin))
    return G_SOURCE_REMOVE;
  gtk_native_get_surface_transform (native, &nx, &ny);
  bp_test_event ("canvas %d %d %d %d", (int) (origin.x + nx), (int) (origin.y + ny),
                 gtk_widget_get_width (canvas), gtk_widget_get_height (canvas));
  bp_test_event_widget ("why-class", template_child (widget, BP_TYPE_DRAW_VIEW, "why_class"));
  return G_SOURCE_REMOVE;
}

static void
draw_map_cb (ViewProbe *vp)
{
  if (vp->probe->done || vp->place_tick != 0)
    return;
  vp->place_frames = 0;
  vp->place_tick = gtk_widget_add_tick_callback (vp->view, canvas_tick_cb, vp, NULL);
}

/* Where the hidden-layer strip is, once laid out after a stroke, so that a test can click a
 * neuron. */
static gboolean
strip_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  ViewProbe *vp = user_data;
  GtkWidget *strip = template_child (widget, BP_TYPE_DRAW_VIEW, "hidden_area");

  if (gtk_widget_get_visible (strip) && gtk_widget_get_height (strip) == 0)
    return G_SOURCE_CONTINUE;
  vp->strip_tick = 0;
  if (gtk_widget_get_visible (strip))
    bp_test_event_widget ("hidden-strip", strip);
  return G_SOURCE_REMOVE;
}

/* "prediction D P0 … P9": the guess and every output, with four decimals. */
static void
stroke_classified_cb (ViewProbe  *vp,
                      BpDrawView *view)
{
  g_autoptr(GString) line = g_string_new (NULL);
  const float *outputs;
  guint n_outputs;

  if (vp->probe->done)
    return;
  outputs = bp_draw_view_get_outputs (view, &n_outputs);
  g_string_append_printf (line, "prediction %d", bp_draw_view_get_guess (view));
  for (guint k = 0; k < n_outputs; k++)
    {
      char number[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_c (line, ' ');
      g_string_append (line, g_ascii_formatd (number, sizeof number, "%.4f", outputs[k]));
    }
  bp_test_event ("%s", line->str);
  if (bp_draw_view_get_why_class (view) >= 0)
    bp_test_event ("why %d", bp_draw_view_get_why_class (view));
  else
    bp_test_event ("why top");
  bp_test_probe_feature_maps (view);
  if (vp->strip_tick == 0)
    vp->strip_tick = gtk_widget_add_tick_callback (vp->view, strip_tick_cb, vp, NULL);
}

static void
test_image_classified_cb (ViewProbe  *vp,
                          guint       index,
                          BpDrawView *view)
{
  const BpDataset *test = bp_session_get_test_set (bp_view_get_session (BP_VIEW (view)));

  if (!vp->probe->done)
    bp_test_event ("test-image %u label %u prediction %d", index, test->labels[index],
                   bp_draw_view_get_guess (view));
}

static void
picture_classified_cb (ViewProbe  *vp,
                       const char *name,
                       BpDrawView *view)
{
  if (!vp->probe->done)
    bp_test_event ("png %s prediction %d", name, bp_draw_view_get_guess (view));
}

static void
strokes_removed_cb (ViewProbe *vp,
                    guint      n_strokes)
{
  if (!vp->probe->done)
    bp_test_event ("strokes %u", n_strokes);
}

/* ── My Digits: my-digit-added, my-digits ─────────────────────────────────────────────────── */

static void
my_digit_added_cb (Probe      *probe,
                   guint       digit,
                   const char *path)
{
  if (!probe->done)
    bp_test_event ("my-digit-added %u %s", digit, path);
}

static void
my_digits_changed_cb (Probe      *probe,
                      BpMyDigits *store)
{
  g_autoptr(BpDigitFolder) folder = NULL;

  if (probe->done)
    return;
  folder = bp_my_digits_load (store, NULL);
  bp_test_event ("my-digits %zu", folder != NULL ? folder->set->n : 0);
}

/* ── The Mistakes view: mistakes, mistake-cell, first-digit, cell ─────────────────────────── */

/* Where the most confident mistake's cell and the first digit are, once they are laid out. */
static gboolean
mistakes_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  ViewProbe *vp = user_data;

  if (!bp_test_probe_mistakes_places (widget))
    return G_SOURCE_CONTINUE;
  vp->place_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
test_set_classified_cb (ViewProbe *vp,
                        guint      n_mistakes,
                        double     accuracy)
{
  if (vp->probe->done)
    return;
  bp_test_event ("mistakes %u accuracy %.4f", n_mistakes, accuracy);
  if (vp->place_tick == 0)
    vp->place_tick = gtk_widget_add_tick_callback (vp->view, mistakes_tick_cb, vp, NULL);
}

static void
cell_activated_cb (Probe *probe,
                   guint  true_class,
                   guint  predicted)
{
  if (!probe->done)
    bp_test_event ("cell %u %u", true_class, predicted);
}

/* ── The Backprop view: backprop-example, backprop-step, backprop-neuron, … ──────────────── */

/* Where the first hidden neuron's cell and the first output's are, once the columns are laid
 * out (the second frame after the view is shown, as for the canvas). */
static gboolean
backprop_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  ViewProbe *vp = user_data;
  BpNetworkColumns *columns = BP_NETWORK_COLUMNS (template_child (widget, BP_TYPE_BACKPROP_VIEW,
                                                                  "columns"));
  guint n = bp_network_columns_get_n_layers (columns);
  graphene_rect_t cell;

  if (gtk_widget_get_native (widget) == NULL || n == 0 || ++vp->place_frames < 2
      || !bp_network_columns_get_cell (columns, 0, 0, &cell))
    return G_SOURCE_CONTINUE;
  vp->place_tick = 0;
  {
    GtkWidget *next = template_child (widget, BP_TYPE_BACKPROP_VIEW, "next_example_button");
    GtkWidget *slow = template_child (widget, BP_TYPE_BACKPROP_VIEW, "slow_button");

    print_place ("backprop-next-image", next, 0, 0, gtk_widget_get_width (next),
                 gtk_widget_get_height (next));
    print_place ("backprop-slow", slow, 0, 0, gtk_widget_get_width (slow),
                 gtk_widget_get_height (slow));
  }
  {
    GtkWidget *batch_next = template_child (widget, BP_TYPE_BACKPROP_VIEW, "batch_next_button");

    if (gtk_widget_get_mapped (batch_next))
      print_place ("backprop-batch-next", batch_next, 0, 0, gtk_widget_get_width (batch_next),
                   gtk_widget_get_height (batch_next));
  }
  {
    GtkWidget *pad = template_child (widget, BP_TYPE_BACKPROP_VIEW, "pad");

    if (gtk_widget_get_mapped (pad))
      print_place ("backprop-pad", pad, 0, 0, gtk_widget_get_width (pad),
                   gtk_widget_get_height (pad));
  }
  if (n > 1)
    print_place ("backprop-hidden-0", GTK_WIDGET (columns), cell.origin.x, cell.origin.y,
                 (int) cell.size.width, (int) cell.size.height);
  if (bp_test_probe_first_map (columns, &cell))
    print_place ("backprop-map-0", GTK_WIDGET (columns), cell.origin.x, cell.origin.y,
                 (int) cell.size.width, (int) cell.size.height);
  if (bp_network_columns_get_cell (columns, n - 1, 0, &cell))
    print_place ("backprop-output-0", GTK_WIDGET (columns), cell.origin.x, cell.origin.y,
                 (int) cell.size.width, (int) cell.size.height);
  return G_SOURCE_REMOVE;
}

static void
backprop_map_cb (ViewProbe *vp)
{
  vp->place_frames = 0;
  if (!vp->probe->done && vp->place_tick == 0)
    vp->place_tick = gtk_widget_add_tick_callback (vp->view, backprop_tick_cb, vp, NULL);
}

static void
backprop_example_cb (ViewProbe      *vp,
                     BpBackpropView *view)
{
  const BpTrace *trace = bp_backprop_view_get_trace (view);
  const char *source;
  guint index;

  if (vp->probe->done || trace == NULL)
    return;
  source = bp_backprop_view_get_source (view, &index);
  bp_test_event ("backprop-example %s %u label %zu guess %zu cost %.9g", source, index,
                 bp_trace_get_label (trace), bp_trace_get_guess (trace), bp_trace_get_cost (trace));
  {
    guint position;
    BpMiniBatch *batch = bp_backprop_view_get_batch (view, &position);

    /* "backprop-batch example P of N index I": the view on a mini-batch just taken. */
    if (batch != NULL)
      bp_test_event ("backprop-batch example %u of %u index %u epoch %u batch %u", position + 1,
                     batch->n, batch->indices[position], batch->epoch, batch->batch);
  }
}

/* On the gradient step, where its "Check with Finite Differences" button is; on the update
 * step, its "Take the Step" and "Undo" buttons: once laid out. */
static gboolean
backprop_buttons_tick_cb (GtkWidget     *widget,
                          GdkFrameClock *clock,
                          gpointer       user_data)
{
  ViewProbe *vp = user_data;
  BpBackpropStepKind kind = bp_backprop_view_get_step_kind (BP_BACKPROP_VIEW (widget));
  static const struct { BpBackpropStepKind kind; const char *child, *name; } buttons[] = {
    { BP_BACKPROP_STEP_GRADIENT, "check_button", "backprop-check" },
    { BP_BACKPROP_STEP_UPDATE, "take_step_button", "backprop-take-step" },
    { BP_BACKPROP_STEP_UPDATE, "undo_button", "backprop-undo" },
  };

  /* The labels above the buttons wrap to their new text a frame or two after the step. */
  if (++vp->place_frames < 6)
    return G_SOURCE_CONTINUE;
  vp->strip_tick = 0;
  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    if (buttons[i].kind == kind)
      {
        GtkWidget *button = template_child (widget, BP_TYPE_BACKPROP_VIEW, buttons[i].child);

        if (gtk_widget_get_mapped (button))
          print_place (buttons[i].name, button, 0, 0, gtk_widget_get_width (button),
                       gtk_widget_get_height (button));
      }
  return G_SOURCE_REMOVE;
}

static void
backprop_step_cb (ViewProbe      *vp,
                  BpBackpropView *view)
{
  BpBackpropStepKind kind = bp_backprop_view_get_step_kind (view);
  guint n, step;
  int layer;

  if (vp->probe->done)
    return;
  step = bp_backprop_view_get_step (view, &n, &layer);
  bp_test_event ("backprop-step %u %u %s %d", step, n, bp_backprop_step_kind_to_string (kind),
                 layer);
  /* Chapter 3's slowdown: the outputs the engine finds confidently wrong, and whether the view
   * says so. */
  if (kind == BP_BACKPROP_STEP_OUTPUT_ERROR && bp_backprop_view_get_trace (view) != NULL)
    bp_test_event ("backprop-slowdown %zu shown %d",
                   bp_trace_slowed_outputs (bp_backprop_view_get_trace (view), NULL),
                   gtk_widget_get_visible (template_child (view, BP_TYPE_BACKPROP_VIEW, "slow_label")));
  if (kind == BP_BACKPROP_STEP_FORWARD || kind == BP_BACKPROP_STEP_BACKWARD)
    bp_test_probe_backprop_maps (view, kind, layer);
  if ((kind == BP_BACKPROP_STEP_GRADIENT || kind == BP_BACKPROP_STEP_UPDATE) && vp->strip_tick == 0)
    {
      vp->place_frames = 0;
      vp->strip_tick = gtk_widget_add_tick_callback (vp->view, backprop_buttons_tick_cb, vp, NULL);
    }
}

static void
backprop_neuron_cb (ViewProbe      *vp,
                    int             layer,
                    guint           neuron,
                    BpBackpropView *view)
{
  const BpTrace *trace = bp_backprop_view_get_trace (view);
  const BpTraceLayer *tl;

  if (vp->probe->done || trace == NULL)
    return;
  tl = bp_trace_get_layer (trace, (size_t) layer);
  bp_test_event ("backprop-neuron %d %u z %.9g a %.9g deriv %.9g delta %.9g nabla_b %.9g "
                 "saturated %d", layer, neuron, tl->z[neuron], tl->a[neuron], tl->deriv[neuron],
                 tl->delta[neuron],
                 tl->kind == BP_LAYER_DENSE ? tl->nabla_b[neuron]
                 : tl->kind == BP_LAYER_CONV ? tl->nabla_b[neuron / (tl->out_h * tl->out_w)] : 0.0f,
                 bp_trace_is_saturated (trace, (size_t) layer, neuron));
}

static void
backprop_gradient_step_cb (ViewProbe *vp,
                           double     before,
                           double     after)
{
  if (!vp->probe->done)
    bp_test_event ("backprop-gradient-step cost_before %.9g cost_after %.9g", before, after);
}

static void
backprop_undone_cb (ViewProbe *vp)
{
  if (!vp->probe->done)
    bp_test_event ("backprop-gradient-step-undone");
}

static void
backprop_gradcheck_cb (ViewProbe *vp,
                       gpointer   data)
{
  const BpGradcheck *r = data;

  if (!vp->probe->done)
    bp_test_event ("gradcheck params %zu checked %zu backprop_seconds %.6g "
                   "finite_difference_seconds %.6g ratio %.6g max_relative_error %.6g",
                   r->n_params, r->n_checked, r->backprop_seconds, r->numerical_seconds, r->ratio,
                   r->max_relative_error);
}

static void
watch_backprop_view (ViewProbe *vp)
{
  g_signal_connect_swapped (vp->view, "map", G_CALLBACK (backprop_map_cb), vp);
  /* The drawing pad shows when the example is a drawing: where it is, and where the cells went. */
  g_signal_connect_swapped (template_child (vp->view, BP_TYPE_BACKPROP_VIEW, "pad_box"),
                            "notify::visible", G_CALLBACK (backprop_map_cb), vp);
  /* The bar of the mini-batch just taken, with its next button. */
  g_signal_connect_swapped (template_child (vp->view, BP_TYPE_BACKPROP_VIEW, "batch_box"),
                            "notify::visible", G_CALLBACK (backprop_map_cb), vp);
  g_signal_connect_swapped (vp->view, "example-changed", G_CALLBACK (backprop_example_cb), vp);
  g_signal_connect_swapped (vp->view, "step-changed", G_CALLBACK (backprop_step_cb), vp);
  g_signal_connect_swapped (vp->view, "neuron-shown", G_CALLBACK (backprop_neuron_cb), vp);
  g_signal_connect_swapped (vp->view, "gradient-step", G_CALLBACK (backprop_gradient_step_cb), vp);
  g_signal_connect_swapped (vp->view, "gradient-step-undone", G_CALLBACK (backprop_undone_cb), vp);
  g_signal_connect_swapped (vp->view, "gradcheck-done", G_CALLBACK (backprop_gradcheck_cb), vp);
}

/* ── The application: about-window ────────────────────────────────────────────────────────── */

static void
about_cb (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  bp_test_event ("about-window");
}

/* ── Attaching and letting go ─────────────────────────────────────────────────────────────── */

static void
view_unmap_cb (ViewProbe *vp)
{
  remove_tick (vp->view, &vp->place_tick);
  remove_tick (vp->view, &vp->strip_tick);
}

static void
view_probe_init (ViewProbe *vp,
                 Probe     *probe,
                 GtkWidget *view)
{
  vp->probe = probe;
  vp->view = view;
  g_signal_connect_swapped (view, "unmap", G_CALLBACK (view_unmap_cb), vp);
}

static void
watch_draw_view (ViewProbe *vp)
{
  g_signal_connect_swapped (vp->view, "map", G_CALLBACK (draw_map_cb), vp);
  g_signal_connect_swapped (vp->view, "stroke-classified", G_CALLBACK (stroke_classified_cb), vp);
  g_signal_connect_swapped (vp->view, "test-image-classified",
                            G_CALLBACK (test_image_classified_cb), vp);
  g_signal_connect_swapped (vp->view, "picture-classified", G_CALLBACK (picture_classified_cb), vp);
  g_signal_connect_swapped (vp->view, "strokes-removed", G_CALLBACK (strokes_removed_cb), vp);
}

/* The window is going (it is unrealized before it is disposed): the frame times, once. */
static void
window_gone_cb (Probe *probe)
{
  if (probe->done)
    return;
  probe->done = TRUE;
  g_signal_group_set_target (probe->session_signals, NULL);
  remove_tick (GTK_WIDGET (probe->window), &probe->ready_tick);
  remove_tick (GTK_WIDGET (probe->window), &probe->missing_tick);
  if (probe->frame_stats != NULL)
    bp_frame_stats_print (probe->frame_stats);
  g_clear_pointer (&probe->frame_stats, bp_frame_stats_free);
}

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  g_signal_handlers_disconnect_by_data (bp_my_digits_get_default (), probe);
  g_clear_object (&probe->session_signals);
  g_clear_pointer (&probe->frame_stats, bp_frame_stats_free);
  g_free (probe);
}

void
bp_test_probe_attach (BpWindow *window)
{
  GtkApplication *app;
  GtkWidget *controls;
  Probe *probe;

  g_return_if_fail (BP_IS_WINDOW (window));

  if (!bp_test_events_enabled ())
    return;

  probe = g_new0 (Probe, 1);
  probe->window = window;
  g_object_set_data_full (G_OBJECT (window), "bp-test-probe", probe, probe_free);
  probe->frame_stats = bp_frame_stats_new (GTK_WIDGET (window));

  probe->session_signals = g_signal_group_new (BP_TYPE_SESSION);
  g_signal_group_connect_swapped (probe->session_signals, "notify::state",
                                  G_CALLBACK (state_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "epoch-finished",
                                  G_CALLBACK (epoch_finished_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "speed-measured",
                                  G_CALLBACK (speed_measured_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "hyperparams-changed",
                                  G_CALLBACK (hyperparams_changed_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "network-reset",
                                  G_CALLBACK (network_reset_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "diverged",
                                  G_CALLBACK (diverged_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "batch-taken",
                                  G_CALLBACK (batch_taken_cb), probe);
  g_signal_group_connect_swapped (probe->session_signals, "failed", G_CALLBACK (failed_cb), probe);
  g_signal_connect_swapped (window, "notify::session", G_CALLBACK (window_session_cb), probe);
  window_session_cb (probe);

  g_signal_connect_swapped (window, "data-loaded", G_CALLBACK (data_loaded_cb), probe);
  g_signal_connect_swapped (bp_my_digits_get_default (), "added", G_CALLBACK (my_digit_added_cb),
                            probe);
  g_signal_connect_swapped (bp_my_digits_get_default (), "changed",
                            G_CALLBACK (my_digits_changed_cb), probe);
  g_signal_connect_swapped (window, "data-missing", G_CALLBACK (data_missing_cb), probe);
  g_signal_connect_swapped (window, "reset-asked", G_CALLBACK (reset_network_asked_cb), probe);
  g_signal_connect_swapped (window, "file-dialog-shown", G_CALLBACK (file_dialog_shown_cb), probe);
  g_signal_connect_swapped (window, "model-opened", G_CALLBACK (model_opened_cb), probe);
  g_signal_connect_swapped (window, "session-opened", G_CALLBACK (session_opened_cb), probe);
  g_signal_connect_swapped (window, "model-saved", G_CALLBACK (model_saved_cb), probe);
  g_signal_connect_swapped (window, "session-saved", G_CALLBACK (session_saved_cb), probe);
  g_signal_connect_swapped (window, "plot-exported", G_CALLBACK (plot_exported_cb), probe);
  g_signal_connect_swapped (window, "history-exported", G_CALLBACK (history_exported_cb), probe);
  g_signal_connect_swapped (window, "onnx-exported", G_CALLBACK (onnx_exported_cb), probe);
  g_signal_connect_swapped (window, "files-dropped", G_CALLBACK (files_dropped_cb), probe);
  g_signal_connect_swapped (window, "file-error", G_CALLBACK (file_error_cb), probe);
  g_signal_connect_swapped (window, "replace-asked", G_CALLBACK (replace_asked_cb), probe);
  g_signal_connect_swapped (window, "replace-answered", G_CALLBACK (replace_answered_cb), probe);
  g_signal_connect_swapped (window, "unrealize", G_CALLBACK (window_gone_cb), probe);
  g_signal_connect_swapped (window, "destroy", G_CALLBACK (window_gone_cb), probe);

  controls = window_child (probe, "controls");
  g_signal_connect_swapped (controls, "layers-refused", G_CALLBACK (layers_refused_cb), probe);
  g_signal_connect_swapped (controls, "reset-asked", G_CALLBACK (reset_asked_cb), probe);
  g_signal_connect_swapped (template_child (controls, BP_TYPE_CONTROLS, "preset_row"),
                            "notify::selected", G_CALLBACK (preset_shown_cb), probe);
  g_signal_connect_swapped (template_child (controls, BP_TYPE_CONTROLS, "lesson_result"),
                            "notify::label", G_CALLBACK (lesson_result_cb), probe);

  g_signal_connect_swapped (window_child (probe, "train_view"), "pins-changed",
                            G_CALLBACK (pins_changed_cb), probe);
  g_signal_connect_swapped (template_child (window_child (probe, "train_view"), BP_TYPE_TRAIN_VIEW,
                                            "epoch_label"),
                            "notify::label", G_CALLBACK (epoch_label_cb), probe);
  g_signal_connect_swapped (template_child (window_child (probe, "train_view"), BP_TYPE_TRAIN_VIEW,
                                            "accuracy_label"),
                            "notify::label", G_CALLBACK (train_hint_cb), probe);
  g_signal_connect_swapped (bp_train_view_get_accuracy_plot (BP_TRAIN_VIEW (window_child (probe, "train_view"))),
                            "notify::x-label", G_CALLBACK (x_axis_cb), probe);

  view_probe_init (&probe->weights, probe, window_child (probe, "weights_view"));
  g_signal_connect_swapped (probe->weights.view, "map", G_CALLBACK (weights_map_cb), &probe->weights);
  g_signal_connect_swapped (probe->weights.view, "neuron-shown", G_CALLBACK (neuron_shown_cb), probe);
  g_signal_connect_swapped (probe->weights.view, "filters-updated", G_CALLBACK (filters_updated_cb), probe);

  view_probe_init (&probe->draw, probe, window_child (probe, "draw_view"));
  watch_draw_view (&probe->draw);
  view_probe_init (&probe->solo_draw, probe, window_child (probe, "solo_draw_view"));
  watch_draw_view (&probe->solo_draw);

  view_probe_init (&probe->mistakes, probe, window_child (probe, "mistakes_view"));
  g_signal_connect_swapped (probe->mistakes.view, "test-set-classified",
                            G_CALLBACK (test_set_classified_cb), &probe->mistakes);
  g_signal_connect_swapped (template_child (probe->mistakes.view, BP_TYPE_MISTAKES_VIEW, "matrix"),
                            "cell-activated", G_CALLBACK (cell_activated_cb), probe);

  view_probe_init (&probe->backprop, probe, window_child (probe, "backprop_view"));
  watch_backprop_view (&probe->backprop);

  g_signal_connect (adw_split_button_get_popover (ADW_SPLIT_BUTTON (window_child (probe, "step_button"))),
                    "notify::visible", G_CALLBACK (step_menu_cb), window_child (probe, "step_button"));

  /* The About window is the application's: one probe says when it opens. */
  app = gtk_window_get_application (GTK_WINDOW (window));
  if (app != NULL && g_object_get_data (G_OBJECT (app), "bp-test-probe") == NULL)
    {
      GAction *about = g_action_map_lookup_action (G_ACTION_MAP (app), "about");

      g_object_set_data (G_OBJECT (app), "bp-test-probe", probe);
      if (about != NULL)
        g_signal_connect_after (about, "activate", G_CALLBACK (about_cb), NULL);
    }
}
