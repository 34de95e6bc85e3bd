/* bp-controls.c — the controls panel: network, learning and run settings of a session
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three kinds of settings. The learning ones (η, λ, λ₁, mini-batch size, momentum, dropout)
 * and the epoch count go to the session at once, even while it trains. The others make a new
 * network: when the current one has trained at all, a dialog asks first, and declining puts
 * the controls back as they were. Invalid values cannot be entered: every number has a spin
 * button with the engine's range, and the layer sizes are checked before anything changes.
 */
#include "config.h"

#include "bp-controls.h"

#include <glib/gi18n.h>
#include <stdarg.h>

#include "bp-presets.h"

struct _BpControls
{
  AdwBin          parent_instance;

  /* Template children */
  AdwComboRow    *preset_row;
  GtkStringList  *preset_list;
  AdwEntryRow    *layers_row;
  AdwComboRow    *activation_row;
  AdwComboRow    *cost_row;
  AdwComboRow    *init_row;
  GtkSpinButton  *seed_spin;
  GtkSpinButton  *eta_spin;
  GtkSpinButton  *lambda_spin;
  GtkSpinButton  *l1_spin;
  GtkSpinButton  *batch_spin;
  GtkSpinButton  *momentum_spin;
  GtkSpinButton  *dropout_spin;
  GtkSpinButton  *epochs_spin;
  GtkSpinButton  *train_size_spin;
  AdwComboRow    *expand_row;
  GtkSpinButton  *early_stop_spin;
  GtkSpinButton  *schedule_spin;

  BpSession      *session;
  GSignalGroup   *session_signals;
  guint           updating;       /* > 0 while the controls are being set from the session */
  BpSessionSetup  pending_setup;  /* what the open dialog would apply */
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

static guint
init_to_index (BpInit init)
{
  return init == BP_INIT_LARGE ? 0 : 1;
}

static BpInit
index_to_init (guint index)
{
  return index == 0 ? BP_INIT_LARGE : BP_INIT_DEFAULT;
}

static void
read_hyperparams (BpControls    *self,
                  BpHyperparams *hyper)
{
  hyper->eta = (float) gtk_spin_button_get_value (self->eta_spin);
  hyper->lambda_l2 = (float) gtk_spin_button_get_value (self->lambda_spin);
  hyper->lambda_l1 = (float) gtk_spin_button_get_value (self->l1_spin);
  hyper->batch_size = (size_t) gtk_spin_button_get_value_as_int (self->batch_spin);
  hyper->momentum = (float) gtk_spin_button_get_value (self->momentum_spin);
  hyper->dropout = (float) gtk_spin_button_get_value (self->dropout_spin);
}

/* The setup the controls show. FALSE, with @error set, when the layer sizes do not parse or do
 * not fit the data. */
static gboolean
read_setup (BpControls     *self,
            BpSessionSetup *setup,
            GError        **error)
{
  const BpDataset *train = bp_session_get_train_set (self->session);
  BpError bp_error = { 0 };
  const char *layers = gtk_editable_get_text (GTK_EDITABLE (self->layers_row));
  guint train_size;

  bp_session_get_setup (self->session, setup);
  if (!bp_parse_layers (layers, setup->sizes, &setup->n_layers, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s", bp_error.message);
      return FALSE;
    }
  setup->activation = (BpActivation) adw_combo_row_get_selected (self->activation_row);
  setup->cost = (BpCost) adw_combo_row_get_selected (self->cost_row);
  setup->output = setup->cost == BP_COST_LOG_LIKELIHOOD ? BP_OUTPUT_SOFTMAX : BP_OUTPUT_SIGMOID;
  setup->init = index_to_init (adw_combo_row_get_selected (self->init_row));
  setup->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
  train_size = (guint) gtk_spin_button_get_value_as_int (self->train_size_spin);
  setup->train_size = train != NULL && train_size >= train->n ? 0 : train_size;
  setup->expand = (BpExpand) adw_combo_row_get_selected (self->expand_row);
  setup->early_stop = (guint) gtk_spin_button_get_value_as_int (self->early_stop_spin);
  setup->schedule = (guint) gtk_spin_button_get_value_as_int (self->schedule_spin);

  return bp_session_check_setup (self->session, setup, error);
}

static void
update_preset_row (BpControls *self)
{
  BpSessionSetup setup;
  BpHyperparams hyper;
  guint selected, epochs;
  int preset;

  bp_session_get_setup (self->session, &setup);
  bp_session_get_hyperparams (self->session, &hyper);
  epochs = bp_session_get_epochs (self->session);
  /* The preset chosen stays chosen while it matches, even if an earlier one matches too. */
  selected = adw_combo_row_get_selected (self->preset_row);
  if (selected < bp_presets_get_count () && bp_presets_matches (selected, &setup, &hyper, epochs))
    preset = (int) selected;
  else
    preset = bp_presets_find (&setup, &hyper, epochs);

  self->updating++;
  adw_combo_row_set_selected (self->preset_row,
                              preset >= 0 ? (guint) preset : bp_presets_get_count ());
  self->updating--;
}

static void
set_layers_error (BpControls *self,
                  const char *message)
{
  GtkWidget *row = GTK_WIDGET (self->layers_row);

  if (message != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      g_signal_emit (self, signals[LAYERS_REFUSED], 0, message);
    }
  else
    gtk_widget_remove_css_class (row, "error");
  gtk_widget_set_tooltip_text (row, message);
}

/* Show the session's settings. */
static void
sync_from_session (BpControls *self)
{
  const BpDataset *train;
  BpSessionSetup setup;
  BpHyperparams hyper;
  char layers[256];

  if (self->session == NULL)
    return;

  bp_session_get_setup (self->session, &setup);
  bp_session_get_hyperparams (self->session, &hyper);
  train = bp_session_get_train_set (self->session);

  self->updating++;
  bp_format_layers (setup.sizes, setup.n_layers, ',', layers, sizeof layers);
  gtk_editable_set_text (GTK_EDITABLE (self->layers_row), layers);
  set_layers_error (self, NULL);
  adw_combo_row_set_selected (self->activation_row, setup.activation);
  adw_combo_row_set_selected (self->cost_row, setup.cost);
  adw_combo_row_set_selected (self->init_row, init_to_index (setup.init));
  gtk_spin_button_set_value (self->seed_spin, (double) setup.seed);
  if (train != NULL)
    {
      gtk_spin_button_set_range (self->train_size_spin, MIN (100, train->n), train->n);
      gtk_spin_button_set_value (self->train_size_spin,
                                 setup.train_size > 0 ? (double) setup.train_size : (double) train->n);
    }
  adw_combo_row_set_selected (self->expand_row, setup.expand);
  gtk_spin_button_set_value (self->early_stop_spin, setup.early_stop);
  gtk_spin_button_set_value (self->schedule_spin, setup.schedule);

  gtk_spin_button_set_value (self->eta_spin, hyper.eta);
  gtk_spin_button_set_value (self->lambda_spin, hyper.lambda_l2);
  gtk_spin_button_set_value (self->l1_spin, hyper.lambda_l1);
  gtk_spin_button_set_value (self->batch_spin, (double) hyper.batch_size);
  gtk_spin_button_set_value (self->momentum_spin, hyper.momentum);
  gtk_spin_button_set_value (self->dropout_spin, hyper.dropout);
  gtk_spin_button_set_value (self->epochs_spin, bp_session_get_epochs (self->session));
  self->updating--;

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
    bp_session_reset (self->session, &self->pending_setup);
  else
    sync_from_session (self);
}

/* A setting that makes a new network changed: apply it, asking first if that loses training. */
static void
setup_changed (BpControls *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  BpSessionSetup current, setup;
  GtkRoot *root;
  guint epochs;

  if (self->updating > 0 || self->session == NULL || !bp_session_has_data (self->session))
    return;

  if (!read_setup (self, &setup, &error))
    {
      set_layers_error (self, error->message);
      return;
    }
  set_layers_error (self, NULL);

  bp_session_get_setup (self->session, &current);
  if (bp_session_setup_equal (&setup, &current))
    return;

  if (session_untrained (self->session))
    {
      bp_session_reset (self->session, &setup);
      update_preset_row (self);
      return;
    }

  self->pending_setup = setup;
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

static void
hyperparams_changed (BpControls *self)
{
  g_autoptr(GError) error = NULL;
  BpHyperparams hyper;

  if (self->updating > 0 || self->session == NULL)
    return;

  read_hyperparams (self, &hyper);
  if (!bp_session_set_hyperparams (self->session, &hyper, &error))
    {
      /* The spin buttons' ranges are inside the engine's, so this is a programming error. */
      g_warning ("%s", error->message);
      sync_from_session (self);
      return;
    }
  update_preset_row (self);
}

static void
epochs_changed (BpControls *self)
{
  if (self->updating > 0 || self->session == NULL)
    return;
  bp_session_set_epochs (self->session, (guint) gtk_spin_button_get_value_as_int (self->epochs_spin));
}

static void
preset_selected_cb (BpControls *self)
{
  guint index = adw_combo_row_get_selected (self->preset_row);
  const BpPreset *preset;
  char layers[256];

  if (self->updating > 0 || self->session == NULL || index >= bp_presets_get_count ())
    return;

  preset = bp_presets_get (index);
  self->updating++;
  bp_format_layers (preset->setup.sizes, preset->setup.n_layers, ',', layers, sizeof layers);
  gtk_editable_set_text (GTK_EDITABLE (self->layers_row), layers);
  adw_combo_row_set_selected (self->activation_row, preset->setup.activation);
  adw_combo_row_set_selected (self->cost_row, preset->setup.cost);
  adw_combo_row_set_selected (self->init_row, init_to_index (preset->setup.init));
  gtk_spin_button_set_value (self->eta_spin, preset->hyper.eta);
  gtk_spin_button_set_value (self->lambda_spin, preset->hyper.lambda_l2);
  gtk_spin_button_set_value (self->l1_spin, preset->hyper.lambda_l1);
  gtk_spin_button_set_value (self->batch_spin, (double) preset->hyper.batch_size);
  gtk_spin_button_set_value (self->momentum_spin, preset->hyper.momentum);
  gtk_spin_button_set_value (self->dropout_spin, preset->hyper.dropout);
  gtk_spin_button_set_value (self->epochs_spin, preset->epochs);
  adw_combo_row_set_selected (self->expand_row, preset->setup.expand);
  gtk_spin_button_set_value (self->early_stop_spin, preset->setup.early_stop);
  gtk_spin_button_set_value (self->schedule_spin, preset->setup.schedule);
  if (bp_session_get_train_set (self->session) != NULL)
    gtk_spin_button_set_value (self->train_size_spin,
                               preset->setup.train_size > 0
                                 ? (double) preset->setup.train_size
                                 : (double) bp_session_get_train_set (self->session)->n);
  self->updating--;

  hyperparams_changed (self);
  epochs_changed (self);
  setup_changed (self);
  update_preset_row (self);
}

static void
session_epochs_cb (BpControls *self)
{
  self->updating++;
  gtk_spin_button_set_value (self->epochs_spin, bp_session_get_epochs (self->session));
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
  gtk_widget_class_bind_template_child (widget_class, BpControls, init_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, eta_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, lambda_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, l1_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, batch_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, momentum_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, dropout_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, epochs_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, train_size_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, expand_row);
  gtk_widget_class_bind_template_child (widget_class, BpControls, early_stop_spin);
  gtk_widget_class_bind_template_child (widget_class, BpControls, schedule_spin);
}

/* Connect a value-changed handler to each of the spin buttons listed after @handler. */
static void
connect_spins (BpControls *self,
               GCallback   handler,
               ...)
{
  GtkSpinButton *spin;
  va_list args;

  va_start (args, handler);
  while ((spin = va_arg (args, GtkSpinButton *)) != NULL)
    g_signal_connect_swapped (spin, "value-changed", handler, self);
  va_end (args);
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
  AdwComboRow *reset_combos[4];
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
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

  connect_spins (self, G_CALLBACK (hyperparams_changed),
                 self->eta_spin, self->lambda_spin, self->l1_spin, self->batch_spin,
                 self->momentum_spin, self->dropout_spin, NULL);
  connect_spins (self, G_CALLBACK (setup_changed),
                 self->seed_spin, self->train_size_spin, self->early_stop_spin,
                 self->schedule_spin, NULL);
  reset_combos[0] = self->activation_row;
  reset_combos[1] = self->cost_row;
  reset_combos[2] = self->init_row;
  reset_combos[3] = self->expand_row;
  for (guint i = 0; i < G_N_ELEMENTS (reset_combos); i++)
    g_signal_connect_swapped (reset_combos[i], "notify::selected", G_CALLBACK (setup_changed), self);
  g_signal_connect_swapped (self->epochs_spin, "value-changed", G_CALLBACK (epochs_changed), self);
  g_signal_connect_swapped (self->layers_row, "apply", G_CALLBACK (setup_changed), self);
  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (preset_selected_cb), self);

  self->session_signals = g_signal_group_new (BP_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "network-reset",
                                  G_CALLBACK (sync_from_session), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::epochs",
                                  G_CALLBACK (session_epochs_cb), self);
}
