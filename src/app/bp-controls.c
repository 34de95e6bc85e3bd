/* bp-controls.c — the controls panel: network, learning and run settings of a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three kinds of settings. The learning ones (η, λ, λ₁, mini-batch size, momentum, dropout)
 * and the epoch count go to the session at once, even while it trains. The others make a new
 * network: when the current one has trained at all, a dialog asks first, and declining puts
 * the controls back as they were. Invalid values cannot be entered: every number has a spin
 * button with the engine's range, and the layer sizes are checked before anything changes.
 *
 * Besides the network's own rows (the layers, the activation, the cost), each control is a
 * setting of the run's table (bp-run.h), found in the template by the setting's name and read,
 * shown and connected by the same few loops: a new setting needs only its widget in the .ui.
 */
#include "config.h"

#include "bp-controls.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-presets.h"

/* The run's settings (bp_run_fields()) that a control may show: at most this many. */
#define MAX_FIELDS 32

struct _BpControls
{
  AdwBin          parent_instance;

  /* Template children */
  AdwComboRow    *preset_row;
  GtkStringList  *preset_list;
  GtkWidget      *lesson_row;
  GtkLabel       *lesson_section;
  GtkLabel       *lesson_look_for;
  GtkLabel       *lesson_figure;
  GtkLabel       *lesson_result;
  AdwEntryRow    *layers_row;
  GtkWidget      *layers_error_row;
  GtkLabel       *layers_error_label;
  AdwComboRow    *activation_row;
  AdwComboRow    *cost_row;

  /* The control of each setting of the run, by its index in bp_run_fields(): the template's
   * GtkSpinButton "<name>_spin" for a number, AdwComboRow "<name>_row" for a choice. */
  GtkWidget      *fields[MAX_FIELDS];

  BpSession      *session;
  GSignalGroup   *session_signals;
  guint           updating;       /* > 0 while the controls are being set from the session */
  BpRun           pending_run;    /* what the open dialog would apply */
  int             chosen_preset;  /* the preset the user picked last, or -1 */
  const BpBookPreset *lesson_preset; /* the preset whose lesson shows */
  /* A comparison's runs, one after the other: the preset, the variant training now (-1: no
   * series), its results so far, and a start waiting for the variant's network. */
  const BpBookPreset *series_preset;
  int             series_variant;
  GString        *series_results;
  gboolean        series_start_pending;
  guint           applying_preset; /* > 0 while a picked preset's settings go to the session */
  AdwMessageDialog *dialog;
};

G_DEFINE_FINAL_TYPE (BpControls, bp_controls, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  LAYERS_REFUSED,
  RESET_ASKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The id of @field's control in the template: "<name>_spin", a GtkSpinButton, for a number;
 * "<name>_row", an AdwComboRow, for a choice. Every setting has one. */
static const char *
field_widget_id (const BpRunField *field)
{
  g_autofree char *id = g_strdup_printf ("%s_%s", field->name,
                                         field->type == BP_RUN_ENUM ? "row" : "spin");

  return g_intern_string (id);
}

/* A choice row lists its choices in the table's order, but for the initialiser's, which lists
 * chapter 1's first. */
static guint
choice_to_index (const BpRunField *field,
                 guint             value)
{
  if (g_str_equal (field->name, "init"))
    return value == BP_INIT_LARGE ? 0 : value == BP_INIT_DEFAULT ? 1 : 2;
  return value;
}

static guint
index_to_choice (const BpRunField *field,
                 guint             index)
{
  if (g_str_equal (field->name, "init"))
    return index == 0 ? BP_INIT_LARGE : index == 1 ? BP_INIT_DEFAULT : BP_INIT_NETWORK3;
  return index;
}

/* The control of the setting called @name. */
static GtkWidget *
field_widget (BpControls *self,
              const char *name)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  const BpRunField *field = bp_run_field_find (name);

  g_assert (field != NULL);
  return self->fields[field - fields];
}

/* Read the control of @field into @run. The training-set size shows all of the data as its
 * size, which the run says with 0. */
static void
read_field (BpControls       *self,
            const BpRunField *field,
            GtkWidget        *widget,
            BpRun            *run)
{
  if (ADW_IS_COMBO_ROW (widget))
    {
      guint index = adw_combo_row_get_selected (ADW_COMBO_ROW (widget));

      bp_run_field_set_uint (run, field, index_to_choice (field, index));
      return;
    }
  if (field->type == BP_RUN_FLOAT)
    bp_run_field_set_number (run, field, gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)));
  else
    bp_run_field_set_number (run, field,
                             floor (gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)) + 0.5));
  if (g_str_equal (field->name, "train_size"))
    {
      const BpDataset *train = bp_session_get_train_set (self->session);

      if (train != NULL && run->train_size >= train->n)
        run->train_size = 0;
    }
}

/* Show @field of @run in its control. */
static void
show_field (BpControls       *self,
            const BpRunField *field,
            GtkWidget        *widget,
            const BpRun      *run)
{
  if (ADW_IS_COMBO_ROW (widget))
    {
      guint value = (guint) bp_run_field_get_uint (run, field);

      adw_combo_row_set_selected (ADW_COMBO_ROW (widget), choice_to_index (field, value));
      return;
    }
  if (g_str_equal (field->name, "train_size"))
    {
      const BpDataset *train = bp_session_get_train_set (self->session);

      if (train == NULL)
        return;
      gtk_spin_button_set_range (GTK_SPIN_BUTTON (widget), MIN (100, train->n), train->n);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), run->train_size > 0
                                                             ? (double) run->train_size
                                                             : (double) train->n);
      return;
    }
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (widget), bp_run_field_get_number (run, field));
}

/* The run the controls show. FALSE, with @error set, when the layer list does not parse or the
 * network does not fit the data. */
static gboolean
read_run (BpControls  *self,
          BpRun       *run,
          GError     **error)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  BpError bp_error = { 0 };
  const char *layers = gtk_editable_get_text (GTK_EDITABLE (self->layers_row));
  BpActivation activation;
  BpOutput output;
  BpArch before;

  bp_session_get_run (self->session, run);
  before = run->arch;
  activation = (BpActivation) adw_combo_row_get_selected (self->activation_row);
  run->arch.cost = (BpCost) adw_combo_row_get_selected (self->cost_row);
  output = run->arch.cost == BP_COST_LOG_LIKELIHOOD ? BP_OUTPUT_SOFTMAX : BP_OUTPUT_SIGMOID;
  if (!bp_arch_parse_any (layers, activation, output, &run->arch, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  for (size_t i = 0; i < n_fields; i++)
    if (self->fields[i] != NULL)
      read_field (self, &fields[i], self->fields[i], run);
  /* show_run() leaves a layer's dropout of 0 unsaid while the live dropout is 0 too (the
   * chapter-6 presets give every layer one): read back, it is the network's 0 again. */
  if (run->hyper.dropout == 0.0f)
    for (size_t i = 0; i < run->arch.n_layers && i < before.n_layers; i++)
      if (run->arch.layers[i].dropout == BP_DROPOUT_LIVE && before.layers[i].dropout == 0.0f)
        run->arch.layers[i].dropout = 0.0f;

  return bp_session_check_run (self->session, run, error);
}

static void update_preset_row (BpControls *self);

/* The preset shown, or NULL for settings of one's own. */
static const BpBookPreset *
shown_preset (BpControls *self)
{
  guint index = adw_combo_row_get_selected (self->preset_row);

  return index < bp_presets_get_count () ? bp_presets_get (index)->book : NULL;
}

/* What the preset shown is in the book and what to look for, under the preset row. */
static void
update_lesson (BpControls *self)
{
  const BpBookPreset *book = shown_preset (self);
  g_autofree char *section = NULL;

  gtk_widget_set_visible (self->lesson_row, book != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_result), FALSE);
  gtk_label_set_text (self->lesson_result, "");
  if (book == NULL)
    return;
  /* The engine's texts are marked for translation in bp-book-presets.c. */
  section = g_markup_printf_escaped ("<a href=\"%s\">%s</a>", book->url,
                                     g_dgettext (GETTEXT_PACKAGE, book->section));
  gtk_label_set_markup (self->lesson_section, section);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->lesson_section),
                               _("Read this section of the book in a web browser"));
  gtk_label_set_text (self->lesson_look_for, g_dgettext (GETTEXT_PACKAGE, book->look_for));
  gtk_label_set_text (self->lesson_figure, g_dgettext (GETTEXT_PACKAGE, book->figure));
}

/* A run of the preset shown has finished: its result beside the book's, scored as the book
 * scores it (the best epoch, or the last training cost for the η experiment), and a run that
 * trained as the book's did and stalled far below it explained. */
static void
show_lesson_result (BpControls *self)
{
  const BpBookPreset *book = shown_preset (self);
  const BpEpochMetrics *history;
  const BpDataset *train;
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean test_metric, at_best_validation;
  double value, best = NAN, last_cost = NAN;
  unsigned best_epoch = 0;
  size_t variant;
  BpRun run, book_run;
  guint n;

  if (book == NULL || self->session == NULL)
    return;
  history = bp_session_get_history (self->session, &n);
  if (n == 0 || bp_session_get_epoch (self->session) < bp_session_get_epochs (self->session))
    return;

  bp_session_get_run (self->session, &run);
  variant = bp_book_preset_find_variant (book, &run);
  value = bp_book_preset_book_value (book, variant);
  test_metric = g_strcmp0 (book->book_metric, "test") == 0;
  at_best_validation = g_strcmp0 (book->book_metric, "test at the best validation epoch") == 0;
  if (bp_book_metric_is_accuracy (book->book_metric))
    bp_book_metric_score (book->book_metric, history, n, &best, &best_epoch);
  else
    bp_book_metric_score (book->book_metric, history, n, &last_cost, &best_epoch);

  if (variant != (size_t) -1)
    /* Translators: a comparison's run, then its result ("η = 0.25: You: …"). */
    g_string_append_printf (text, _("%s: "), g_dgettext (GETTEXT_PACKAGE, book->variant[variant].label));
  if (!bp_book_metric_is_accuracy (book->book_metric))
    {
      if (isnan (last_cost))
        return;
      if (isnan (value))
        g_string_append_printf (text, _("You: training cost %.3f after the last epoch"), last_cost);
      else
        g_string_append_printf (text, _("You: training cost %.3f, the book: %.3f, after the last epoch"),
                                last_cost, value);
    }
  else
    {
      if (isnan (best))
        return;
      if (at_best_validation)
        g_string_append_printf (text, _("You: %.2f %%, the book: %.2f %% (test accuracy at the "
                                        "best validation epoch, %u)"),
                                100 * best, value, best_epoch);
      else if (isnan (value))
        g_string_append_printf (text, test_metric ? _("You: %.2f %% (test accuracy, best epoch %u)")
                                                  : _("You: %.2f %% (validation accuracy, best epoch %u)"),
                                100 * best, best_epoch);
      else
        g_string_append_printf (text, test_metric ? _("You: %.2f %%, the book: %.2f %% (test accuracy, best epoch %u)")
                                                  : _("You: %.2f %%, the book: %.2f %% (validation accuracy, best epoch %u)"),
                                100 * best, value, best_epoch);
    }

  /* A run as long as the book's, on as much data, with its learning settings. */
  if (variant == (size_t) -1 || !bp_book_preset_apply_variant (book, variant, 0, &book_run, NULL))
    bp_book_preset_apply (book, 0, &book_run, NULL);
  train = bp_session_get_train_set (self->session);
  if (bp_book_metric_is_accuracy (book->book_metric)
      && bp_book_run_stuck (100 * best, value,
                            n >= book_run.epochs && train != NULL
                            && train->n >= (book_run.train_size > 0 ? book_run.train_size : 50000)
                            && bp_hyperparams_equal (&book_run.hyper, &run.hyper)))
    {
      guint64 other = book->run.seed != run.seed ? book->run.seed : run.seed + 1;

      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("Stuck far below the book: some output neurons saturated "
                                      "early (a sigmoid stuck near 0, where σ′ ≈ 0, hardly "
                                      "learns), the bad start the book warns of when it says "
                                      "runs vary. Try seed %u."), (guint) other);
    }
  if (self->series_variant >= 0 && book == self->series_preset
      && (int) variant == self->series_variant)
    {
      if (self->series_results->len > 0)
        g_string_append_c (self->series_results, '\n');
      g_string_append (self->series_results, text->str);
      g_string_assign (text, self->series_results->str);
    }
  gtk_label_set_text (self->lesson_result, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_result), TRUE);
}

/* The results of a comparison's runs so far stay in sight while the next one trains. */
static void
show_series_results (BpControls *self)
{
  gboolean show = self->series_variant >= 0 && self->series_results->len > 0;

  if (show)
    gtk_label_set_text (self->lesson_result, self->series_results->str);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_result), show);
}

/* The run of @variant of the series' preset, from new random weights (the preset's seed). */
static void
start_series_variant (BpControls *self,
                      int         variant)
{
  BpRun run;

  if (!bp_book_preset_apply_variant (self->series_preset, (size_t) variant, 0, &run, NULL))
    {
      self->series_variant = -1;
      return;
    }
  self->series_variant = variant;
  self->series_start_pending = TRUE;
  self->applying_preset++;
  bp_session_reset (self->session, &run);
  bp_session_set_hyperparams (self->session, &run.hyper, NULL);
  bp_session_set_epochs (self->session, run.epochs);
  self->applying_preset--;
  update_preset_row (self);
  /* The session may take the new network at once; if not, "has-network" says when. (Its
   * notification alone can be missed: a worker quick to build the network publishes it before
   * the reset announces anything.) */
  if (bp_session_can_start (self->session))
    {
      self->series_start_pending = FALSE;
      bp_session_start (self->session);
    }
}

static void
session_has_network_cb (BpControls *self)
{
  if (self->series_start_pending && bp_session_has_network (self->session))
    {
      self->series_start_pending = FALSE;
      bp_session_start (self->session);
    }
}

/* A run stopped. When it was a finished run of a comparison, its curves are pinned and the next
 * variant starts, until the last: the Train view ends showing the book's figure. Stopping a run
 * before its end, or changing a setting, ends the series. */
static void
session_state_cb (BpControls *self)
{
  gboolean finished;
  BpRun run;
  int preset;

  if (bp_session_get_state (self->session) != BP_SESSION_STATE_STOPPED)
    return;
  show_lesson_result (self);
  if (self->series_variant < 0)
    return;

  finished = bp_session_get_epoch (self->session) >= bp_session_get_epochs (self->session);
  bp_session_get_run (self->session, &run);
  preset = bp_presets_find_by_name (self->series_preset->name);
  if (!finished || shown_preset (self) != self->series_preset
      || bp_presets_variant_of ((guint) preset, &run) != self->series_variant)
    {
      self->series_variant = -1;
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), "train.pin-run", NULL);
  if ((size_t) self->series_variant + 1 < self->series_preset->n_variants)
    start_series_variant (self, self->series_variant + 1);
  else
    self->series_variant = -1;
}

static void
update_preset_row (BpControls *self)
{
  BpRun run;
  guint selected;
  int preset;

  /* Half-way through applying a preset the session matches neither the old run nor the new;
   * nor does it while the dialog asks whether to make the new network. */
  if (self->applying_preset > 0 || self->dialog != NULL)
    return;

  bp_session_get_run (self->session, &run);
  /* The preset picked stays shown while the settings are its own, even if an earlier one
   * starts from the same run (chapter 5's depths from chapter 3's initialisation run); so does
   * the one shown. */
  selected = adw_combo_row_get_selected (self->preset_row);
  if (self->chosen_preset >= 0 && bp_presets_matches ((guint) self->chosen_preset, &run))
    preset = self->chosen_preset;
  else if (selected < bp_presets_get_count () && bp_presets_matches (selected, &run))
    preset = (int) selected;
  else
    preset = bp_presets_find (&run);
  if (preset != self->chosen_preset)
    self->chosen_preset = -1;

  self->updating++;
  adw_combo_row_set_selected (self->preset_row,
                              preset >= 0 ? (guint) preset : bp_presets_get_count ());
  self->updating--;
  if (shown_preset (self) != self->lesson_preset)
    {
      self->lesson_preset = shown_preset (self);
      update_lesson (self);
    }
}

/* Mark the layer field as refused with @message under it, or as good (@message NULL). */
static void
mark_layers (BpControls *self,
             const char *message)
{
  GtkWidget *row = GTK_WIDGET (self->layers_row);

  if (message != NULL)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, message);
  gtk_label_set_text (self->layers_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->layers_error_row, message != NULL);
}

static void
set_layers_error (BpControls *self,
                  const char *message)
{
  mark_layers (self, message);
  if (message != NULL)
    g_signal_emit (self, signals[LAYERS_REFUSED], 0, message);
}

/* Check the layers as they are typed: the message under the field names the layer that does
 * not fit, before Enter applies them. */
static void
layers_changed_cb (BpControls *self)
{
  g_autoptr(GError) error = NULL;
  BpRun run;

  if (self->updating > 0 || self->session == NULL || !bp_session_has_data (self->session))
    return;
  if (read_run (self, &run, &error))
    mark_layers (self, NULL);
  else
    mark_layers (self, error->message);
}

/* Show @run in the controls. */
static void
show_run (BpControls  *self,
          const BpRun *run)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  char layers[512];

  self->updating++;
  /* The layer sizes as network2.py lists them when they say it all, else the layer list. */
  if (bp_arch_is_plain (&run->arch))
    bp_arch_format_sizes (&run->arch, ',', layers, sizeof layers);
  else
    {
      BpArch shown = run->arch;

      /* "conv20x5:dropout=0,pool2:dropout=0,…" says nothing the live dropout of 0 does not. */
      if (run->hyper.dropout == 0.0f)
        for (size_t i = 0; i < shown.n_layers; i++)
          if (shown.layers[i].dropout == 0.0f)
            shown.layers[i].dropout = BP_DROPOUT_LIVE;
      bp_arch_format (&shown, layers, sizeof layers);
    }
  gtk_editable_set_text (GTK_EDITABLE (self->layers_row), layers);
  adw_combo_row_set_selected (self->activation_row, bp_arch_get_activation (&run->arch));
  adw_combo_row_set_selected (self->cost_row, run->arch.cost);
  for (size_t i = 0; i < n_fields; i++)
    if (self->fields[i] != NULL)
      show_field (self, &fields[i], self->fields[i], run);
  self->updating--;
}

/* Show the session's settings. */
static void
sync_from_session (BpControls *self)
{
  BpRun run;

  if (self->session == NULL)
    return;

  bp_session_get_run (self->session, &run);
  show_run (self, &run);
  set_layers_error (self, NULL);
  /* A new network has no result yet; a comparison's runs keep theirs. */
  show_series_results (self);
  update_preset_row (self);
}

static gboolean
session_untrained (BpSession *session)
{
  return bp_session_get_epoch (session) == 0 && bp_session_get_batches_done (session) == 0
         && bp_session_get_state (session) == BP_SESSION_STATE_STOPPED;
}

static void
dialog_response_cb (BpControls       *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  self->dialog = NULL;
  if (self->session == NULL)
    return;
  if (g_strcmp0 (response, "reset") == 0)
    bp_session_reset (self->session, &self->pending_run);
  else
    sync_from_session (self);
}

/* A setting that makes a new network changed: apply it, asking first if that loses training. */
static void
setup_changed (BpControls *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  BpRun current, run;
  GtkRoot *root;
  guint epochs;

  if (self->updating > 0 || self->session == NULL || !bp_session_has_data (self->session))
    return;

  if (!read_run (self, &run, &error))
    {
      set_layers_error (self, error->message);
      return;
    }
  set_layers_error (self, NULL);

  bp_session_get_run (self->session, &current);
  if (bp_run_same_network (&run, &current))
    return;

  if (session_untrained (self->session))
    {
      bp_session_reset (self->session, &run);
      update_preset_row (self);
      return;
    }

  self->pending_run = run;
  if (self->dialog != NULL)
    return;

  epochs = bp_session_get_epoch (self->session);
  if (epochs > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The network trained for %u epoch will be replaced by a new one with these settings.",
                                         "The network trained for %u epochs will be replaced by a new one with these settings.",
                                         epochs),
                            epochs);
  else
    body = g_strdup (_("The network being trained will be replaced by a new one with these settings."));

  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                             _("Start a New Network?"), body));
  adw_message_dialog_add_responses (self->dialog,
                                    "cancel", _("_Keep the Current One"),
                                    "reset", _("_New Network"),
                                    NULL);
  adw_message_dialog_set_response_appearance (self->dialog, "reset", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (self->dialog, "cancel");
  adw_message_dialog_set_close_response (self->dialog, "cancel");
  g_signal_connect_swapped (self->dialog, "response", G_CALLBACK (dialog_response_cb), self);
  gtk_window_present (GTK_WINDOW (self->dialog));
  g_signal_emit (self, signals[RESET_ASKED], 0);
}

/* A live setting changed: the learning settings go to the session at once. */
static void
hyperparams_changed (BpControls *self)
{
  g_autoptr(GError) error = NULL;
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);
  BpRun run;

  if (self->updating > 0 || self->session == NULL)
    return;

  bp_session_get_run (self->session, &run);
  for (size_t i = 0; i < n_fields; i++)
    if (self->fields[i] != NULL && bp_run_field_is_hyper (&fields[i]))
      read_field (self, &fields[i], self->fields[i], &run);
  if (!bp_session_set_hyperparams (self->session, &run.hyper, &error))
    {
      /* The spin buttons' ranges are inside the engine's, so this is a programming error. */
      g_warning ("%s", error->message);
      sync_from_session (self);
      return;
    }
  update_preset_row (self);
}

/* The epoch target changed: a run stops after it, and a finished run may go on. */
static void
epochs_changed (BpControls *self)
{
  GtkSpinButton *spin;

  if (self->updating > 0 || self->session == NULL)
    return;
  spin = GTK_SPIN_BUTTON (field_widget (self, "epochs"));
  bp_session_set_epochs (self->session, (guint) gtk_spin_button_get_value_as_int (spin));
}

/* Enter (or the apply button) in the layer sizes: apply them, then give the keyboard back to the
 * window, so that Space starts training as everywhere else rather than typing a space into the
 * field. Sizes that were refused keep the keyboard, to be corrected. */
static void
layers_applied_cb (BpControls *self)
{
  GtkRoot *root;

  setup_changed (self);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (root != NULL && !gtk_widget_has_css_class (GTK_WIDGET (self->layers_row), "error"))
    gtk_root_set_focus (root, NULL);
}

static void
preset_selected_cb (BpControls *self)
{
  guint index = adw_combo_row_get_selected (self->preset_row);
  const BpBookPreset *book;
  BpRun run;

  if (self->updating > 0 || self->session == NULL || index >= bp_presets_get_count ())
    return;

  /* The preset's run, its seed too: one that reproduces the book's figure. A comparison starts
   * with its first variant, and Start runs them all in turn; but for the training-set sizes,
   * whose small sets take 15,000 epochs: those are run one by one (or by backprop-cli). */
  book = bp_presets_get (index)->book;
  bp_session_get_run (self->session, &run);
  bp_book_preset_apply (book, 0, &run, NULL);
  self->series_variant = -1;
  self->series_start_pending = FALSE;
  g_string_truncate (self->series_results, 0);
  if (book->n_variants > 0 && !book->scale_with_train_size
      && bp_book_preset_apply_variant (book, 0, 0, &run, NULL))
    {
      self->series_preset = book;
      self->series_variant = 0;
    }
  self->chosen_preset = (int) index;
  show_run (self, &run);

  self->applying_preset++;
  hyperparams_changed (self);
  epochs_changed (self);
  setup_changed (self);
  self->applying_preset--;
  update_preset_row (self);
}

/* The session's run was set from a preset outside the controls (BACKPROP_PRESET at launch):
 * show that preset as if it had been picked, so that a run two presets share shows as this
 * one's, and a comparison's first variant starts the others after it. */
void
bp_controls_show_preset (BpControls *self,
                         guint       index)
{
  const BpBookPreset *book;
  BpRun run;

  g_return_if_fail (BP_IS_CONTROLS (self));
  g_return_if_fail (index < bp_presets_get_count ());
  g_return_if_fail (self->session != NULL);

  book = bp_presets_get (index)->book;
  self->chosen_preset = (int) index;
  self->series_variant = -1;
  self->series_start_pending = FALSE;
  g_string_truncate (self->series_results, 0);
  /* A comparison starts from its first variant, as when picked (ch3-eta's run is its second). */
  if (book->n_variants > 0 && !book->scale_with_train_size
      && bp_book_preset_apply_variant (book, 0, 0, &run, NULL))
    {
      self->series_preset = book;
      self->series_variant = 0;
      self->applying_preset++;
      bp_session_reset (self->session, &run);
      bp_session_set_hyperparams (self->session, &run.hyper, NULL);
      bp_session_set_epochs (self->session, run.epochs);
      self->applying_preset--;
    }
  update_preset_row (self);
}

static void
session_epochs_cb (BpControls *self)
{
  self->updating++;
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (field_widget (self, "epochs")),
                             bp_session_get_epochs (self->session));
  self->updating--;
}

BpSession *
bp_controls_get_session (BpControls *self)
{
  g_return_val_if_fail (BP_IS_CONTROLS (self), NULL);

  return self->session;
}

void
bp_controls_set_session (BpControls *self,
                         BpSession  *session)
{
  g_return_if_fail (BP_IS_CONTROLS (self));
  g_return_if_fail (session == NULL || BP_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  if (self->dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->dialog));
  g_signal_group_set_target (self->session_signals, session);
  sync_from_session (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
bp_controls_dispose (GObject *object)
{
  BpControls *self = BP_CONTROLS (object);

  if (self->dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->dialog)));
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  if (self->series_results != NULL)
    {
      g_string_free (self->series_results, TRUE);
      self->series_results = NULL;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_CONTROLS);

  G_OBJECT_CLASS (bp_controls_parent_class)->dispose (object);
}

static void
bp_controls_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  BpControls *self = BP_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_controls_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  BpControls *self = BP_CONTROLS (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      bp_controls_set_session (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_controls_class_init (BpControlsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_controls_dispose;
  object_class->get_property = bp_controls_get_property;
  object_class->set_property = bp_controls_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BP_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[LAYERS_REFUSED] = g_signal_new ("layers-refused", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[RESET_ASKED] = g_signal_new ("reset-asked", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-controls.ui");
  gtk_widget_class_bind_template_child (widget_class, BpControls, preset_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, preset_list);
  gtk_widget_class_bind_template_child (widget_class, BpControls, layers_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, activation_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, cost_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lesson_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, layers_error_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, layers_error_label);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lesson_section);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lesson_look_for);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lesson_figure);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lesson_result);

  /* The control of every setting of the run, by name, for bind_fields(). */
  {
    size_t n_fields;
    const BpRunField *fields = bp_run_fields (&n_fields);

    g_assert (n_fields <= MAX_FIELDS);
    for (size_t i = 0; i < n_fields; i++)
      gtk_widget_class_bind_template_child_full (widget_class, field_widget_id (&fields[i]),
                                                 FALSE, 0);
  }
}

/* Connect the control of each setting of the run (bound by name in class_init): the live
 * hyperparameters and the epoch count apply at once, the rest makes a new network. */
static void
bind_fields (BpControls *self)
{
  size_t n_fields;
  const BpRunField *fields = bp_run_fields (&n_fields);

  for (size_t i = 0; i < n_fields; i++)
    {
      const BpRunField *field = &fields[i];
      GObject *widget = gtk_widget_get_template_child (GTK_WIDGET (self), BP_TYPE_CONTROLS,
                                                       field_widget_id (field));
      GCallback handler;

      g_assert (GTK_IS_SPIN_BUTTON (widget) || ADW_IS_COMBO_ROW (widget));
      self->fields[i] = GTK_WIDGET (widget);

      if (!field->live)
        handler = G_CALLBACK (setup_changed);
      else if (bp_run_field_is_hyper (field))
        handler = G_CALLBACK (hyperparams_changed);
      else
        handler = G_CALLBACK (epochs_changed);
      g_signal_connect_swapped (widget, ADW_IS_COMBO_ROW (widget) ? "notify::selected"
                                                                  : "value-changed",
                                handler, self);
    }
}

static void
preset_item_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 44);
  gtk_label_set_width_chars (GTK_LABEL (label), 44);
  gtk_list_item_set_child (item, label);
}

static void
preset_item_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item,
                     gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (string));
}

static void
bp_controls_init (BpControls *self)
{
  AdwComboRow *reset_combos[2];
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->chosen_preset = -1;
  self->series_variant = -1;
  self->series_results = g_string_new (NULL);
  /* A widget expands when any widget inside it does (a row's title does), and GTK gives every
   * expanding child of the window's box a share of the spare room: the panel would widen and
   * narrow with the natural width of the view beside it. Its width is set in the template. */
  gtk_widget_set_hexpand (GTK_WIDGET (self), FALSE);

  /* The presets' descriptions are sentences: the row shows the chosen one as its subtitle, and
   * the menu wraps them rather than cutting them short. */
  for (guint i = 0; i < bp_presets_get_count (); i++)
    gtk_string_list_append (self->preset_list, bp_presets_get (i)->description);
  gtk_string_list_append (self->preset_list, _("Custom: your own settings"));
  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (preset_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (preset_item_bind_cb), NULL);
  adw_combo_row_set_list_factory (self->preset_row, factory);
  g_object_unref (factory);

  bind_fields (self);
  reset_combos[0] = self->activation_row;
  reset_combos[1] = self->cost_row;
  for (guint i = 0; i < G_N_ELEMENTS (reset_combos); i++)
    g_signal_connect_swapped (reset_combos[i], "notify::selected", G_CALLBACK (setup_changed), self);
  g_signal_connect_swapped (self->layers_row, "apply", G_CALLBACK (layers_applied_cb), self);
  g_signal_connect_swapped (self->layers_row, "changed", G_CALLBACK (layers_changed_cb), self);
  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (preset_selected_cb), self);

  self->session_signals = g_signal_group_new (BP_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "network-reset",
                                  G_CALLBACK (sync_from_session), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::epochs",
                                  G_CALLBACK (session_epochs_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (session_state_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::has-network",
                                  G_CALLBACK (session_has_network_cb), self);
}
