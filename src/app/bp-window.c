/* bp-window.c — the main window: header bar, views, data pages, the train.* actions
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window owns the BpSession and hands it to its views; they observe it through its
 * properties and signals. Actions are the verbs (train.start, train.pause, train.step,
 * train.step-epoch, train.reset, win.show-view, …), enabled by the session's state; buttons,
 * menus and shortcuts only name them.
 */
#include "config.h"

#include "bp-window.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-controls.h"
#include "bp-draw-view.h"
#include "bp-layer-pictures.h"
#include "bp-mistakes-view.h"
#include "bp-presets.h"
#include "bp-settings.h"
#include "bp-train-view.h"
#include "bp-weights-view.h"
#include "bp-window-private.h"


G_DEFINE_FINAL_TYPE (BpWindow, bp_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_LEARNING_SPEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  DATA_LOADED,
  DATA_MISSING,
  RESET_ASKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ── State → actions and header bar ──────────────────────────────────────────────────────── */

static void
update_actions (BpWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean has_data = self->session != NULL && bp_session_has_data (self->session);
  BpSessionState state = self->session != NULL ? bp_session_get_state (self->session)
                                               : BP_SESSION_STATE_STOPPED;
  gboolean running = state == BP_SESSION_STATE_RUNNING;
  gboolean can_start = self->session != NULL && bp_session_can_start (self->session);

  gtk_widget_action_set_enabled (widget, "train.start", can_start);
  gtk_widget_action_set_enabled (widget, "train.pause", has_data && running);
  gtk_widget_action_set_enabled (widget, "train.step", has_data && !running);
  gtk_widget_action_set_enabled (widget, "train.step-batch", has_data && !running);
  gtk_widget_action_set_enabled (widget, "train.step-epoch", has_data && !running);
  gtk_widget_action_set_enabled (widget, "train.reset", has_data);
  gtk_widget_action_set_enabled (widget, "train.pin-run", has_data);
  gtk_widget_action_set_enabled (widget, "train.clear-pins", has_data);
  gtk_widget_action_set_enabled (widget, "win.show-view", has_data);
  bp_window_files_update_actions (self);

  /* One button that starts or pauses: its action follows the state. */
  if (running)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "train.pause");
      adw_button_content_set_icon_name (self->start_content, "media-playback-pause-symbolic");
      adw_button_content_set_label (self->start_content, _("_Pause"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button), _("Pause training (Space)"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->start_button), "suggested-action");
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "train.start");
      adw_button_content_set_icon_name (self->start_content, "media-playback-start-symbolic");
      adw_button_content_set_label (self->start_content,
                                    state == BP_SESSION_STATE_PAUSED ? _("_Resume") : _("_Start"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->start_button),
                                   can_start || !has_data
                                     ? _("Start training (Space)")
                                     : _("All epochs are done: raise the epoch count to train on, or reset"));
      gtk_widget_add_css_class (GTK_WIDGET (self->start_button), "suggested-action");
    }
}

void
bp_window_update_actions (BpWindow *self)
{
  update_actions (self);
}

/* The training buttons and the view switcher only mean something once there is data. */
static void
main_page_changed_cb (BpWindow *self)
{
  gboolean lab = g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "lab") == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->start_button), lab);
  gtk_widget_set_visible (GTK_WIDGET (self->step_button), lab);
  gtk_widget_set_visible (GTK_WIDGET (self->reset_button), lab);
  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, lab);
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), lab);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button),
                          g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "draw") == 0);

  /* A spinner animates its style even on a hidden page, which keeps the window redrawing: it
   * spins only while the loading page shows. */
  gtk_spinner_set_spinning (self->loading_spinner,
                            g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "loading") == 0);
}

static void
update_subtitle (BpWindow *self)
{
  BpRun setup;
  g_autofree char *text = NULL;
  g_autofree char *layers = NULL;

  if (self->session == NULL || !bp_session_has_data (self->session))
    {
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
      return;
    }

  bp_session_get_run (self->session, &setup);
  layers = bp_layer_pictures_arch_label (&setup.arch);
  /* Translators: the network's layer sizes, then the epochs done and asked for. */
  text = g_strdup_printf (_("%s · epoch %u of %u"), layers,
                          bp_session_get_epoch (self->session),
                          bp_session_get_epochs (self->session));
  adw_view_switcher_title_set_subtitle (self->switcher_title, text);
}

static void
session_epoch_finished_cb (BpWindow *self)
{
  update_subtitle (self);
  bp_window_files_epoch_finished (self);
  bp_window_files_update_actions (self);
}

static void
show_divergence_details (BpWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->divergence == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Training Diverged"),
                                                       self->divergence));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
session_diverged_cb (BpWindow   *self,
                     const char *message)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  /* A step that diverged took no mini-batch to show. */
  self->batches_to_show = 0;

  /* The engine's message starts in lower case, to follow "backprop-cli: " on a terminal. */
  g_free (self->divergence);
  self->divergence = g_strdup_printf ("%c%s.", g_ascii_toupper (message[0]), message + 1);

  /* A toast holds one line: it says what happened and where training stands, and Details
   * shows the engine's whole message with its advice. */
  title = g_strdup_printf (_("Training diverged: back to the start of epoch %u"),
                           bp_session_get_epoch (self->session) + 1);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "win.divergence-details");
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
divergence_details_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  show_divergence_details (BP_WINDOW (widget));
}

static void
session_failed_cb (BpWindow   *self,
                   const char *message)
{
  g_autofree char *text = g_strdup_printf (_("Could not build the network: %s"), message);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* The Step arrow's tooltip ("More steps", or without it the button's) shows below the arrow,
 * over the menu's first item, One Mini-Batch: neither is shown while the menu is open. */
static void
step_menu_visible_cb (GtkWidget      *popover,
                      GParamSpec     *pspec,
                      AdwSplitButton *button)
{
  GObject *object = G_OBJECT (button);

  if (gtk_widget_get_visible (popover))
    {
      g_object_set_data_full (object, "bp-dropdown-tooltip",
                              g_strdup (adw_split_button_get_dropdown_tooltip (button)), g_free);
      g_object_set_data_full (object, "bp-tooltip",
                              g_strdup (gtk_widget_get_tooltip_text (GTK_WIDGET (button))), g_free);
      adw_split_button_set_dropdown_tooltip (button, "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), NULL);
    }
  else if (g_object_get_data (object, "bp-dropdown-tooltip") != NULL)
    {
      adw_split_button_set_dropdown_tooltip (button, g_object_get_data (object, "bp-dropdown-tooltip"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), g_object_get_data (object, "bp-tooltip"));
    }
}

static void
session_reset_cb (BpWindow *self)
{
  self->batches_to_show = 0;
  bp_window_files_network_reset (self);
  update_subtitle (self);
  bp_window_files_update_actions (self);
}

static void
set_session (BpWindow  *self,
             BpSession *session)
{
  if (self->session == session)
    return;

  if (self->session != NULL)
    bp_session_stop (self->session);
  g_set_object (&self->session, session);
  g_signal_group_set_target (self->session_signals, session);

  bp_controls_set_session (self->controls, session);
  bp_view_set_session (BP_VIEW (self->train_view), session);
  bp_view_set_session (BP_VIEW (self->weights_view), session);
  bp_view_set_session (BP_VIEW (self->draw_view), session);
  bp_view_set_session (BP_VIEW (self->mistakes_view), session);
  bp_view_set_session (BP_VIEW (self->backprop_view), session);

  update_actions (self);
  update_subtitle (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* ── Data ─────────────────────────────────────────────────────────────────────────────────── */

/* Settings for tests and quick experiments, applied to a new session before its data arrives:
 * BACKPROP_PRESET starts from one of the book's configurations (by the engine's names in
 * bp-book-presets.c: ch1-30, ch3-100, …), BACKPROP_TRAIN_SIZE trains on the first N images, BACKPROP_EPOCHS sets the
 * epoch count. */
static void
apply_environment (BpSession *session)
{
  const char *preset_name = g_getenv ("BACKPROP_PRESET");
  const char *train_size = g_getenv ("BACKPROP_TRAIN_SIZE");
  const char *epochs = g_getenv ("BACKPROP_EPOCHS");
  BpRun setup;
  guint64 value;

  if (preset_name != NULL && *preset_name != '\0')
    {
      int index = bp_presets_find_by_name (preset_name);

      if (index >= 0)
        {
          const BpPreset *preset = bp_presets_get ((guint) index);

          bp_session_reset (session, &preset->book->run);
          bp_session_set_hyperparams (session, &preset->book->run.hyper, NULL);
          bp_session_set_epochs (session, preset->book->run.epochs);
        }
      else
        g_warning ("BACKPROP_PRESET: no preset is called “%s”", preset_name);
    }
  if (train_size != NULL && *train_size != '\0')
    {
      bp_session_get_run (session, &setup);
      setup.train_size = (gsize) g_ascii_strtoull (train_size, NULL, 10);
      bp_session_reset (session, &setup);
    }
  if (epochs != NULL && *epochs != '\0')
    {
      value = g_ascii_strtoull (epochs, NULL, 10);
      if (value >= 1 && value <= 10000)
        bp_session_set_epochs (session, (guint) value);
    }
}

static void
show_missing (BpWindow   *self,
              const char *message)
{
  g_autofree char *description = NULL;
  g_autofree char *dir = NULL;
  char *found = bp_mnist_find_dir (NULL);

  dir = g_strdup (found);
  free (found);
  description = g_markup_printf_escaped (
    _("Backprop trains networks on the MNIST handwritten digits. It looks for the four files "
      "<tt>train-images-idx3-ubyte</tt>, <tt>train-labels-idx1-ubyte</tt>, "
      "<tt>t10k-images-idx3-ubyte</tt> and <tt>t10k-labels-idx1-ubyte</tt> (or the same "
      "with <tt>.gz</tt>) in <tt>%s</tt>."),
    dir);
  adw_status_page_set_description (self->missing_page, description);
  gtk_label_set_text (self->missing_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->missing_error_label), message != NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "missing");
  g_signal_emit (self, signals[DATA_MISSING], 0);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(BpWindow) self = user_data;
  BpSession *session = BP_SESSION (source);
  g_autoptr(GError) error = NULL;
  GApplication *app = g_application_get_default ();
  int preset;

  if (app != NULL)
    g_application_release (app);

  if (!bp_session_load_mnist_finish (session, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->session_signals == NULL)
        return;
      if (session == self->loading_session)
        g_clear_object (&self->loading_session);
      if (self->session != NULL && bp_session_has_data (self->session))
        {
          /* A new folder that did not work: keep training on the old one. */
          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
          gtk_stack_set_visible_child_name (self->main_stack, "lab");
        }
      else
        /* Missing files are what the page already explains; anything else (files that are
         * not MNIST, unreadable files) needs the loader's own words. */
        show_missing (self, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? NULL
                                                                                       : error->message);
      bp_window_files_data_ready (self);
      return;
    }

  /* The window was closed while loading. */
  if (self->session_signals == NULL || session != self->loading_session)
    return;

  if (self->settings != NULL && g_getenv ("BACKPROP_DATA_DIR") == NULL)
    g_settings_set_string (self->settings, "data-dir", bp_session_get_data_dir (session));

  set_session (self, session);
  g_clear_object (&self->loading_session);
  /* BACKPROP_PRESET's run may be another preset's too (ch5-depth's first is ch3-init's). */
  preset = bp_presets_find_by_name (g_getenv ("BACKPROP_PRESET"));
  if (preset >= 0)
    bp_controls_show_preset (self->controls, (guint) preset);
  gtk_stack_set_visible_child_name (self->main_stack, "lab");
  if (self->settings != NULL)
    {
      g_autofree char *view = g_settings_get_string (self->settings, "last-view");

      if (adw_view_stack_get_child_by_name (self->view_stack, view) != NULL)
        adw_view_stack_set_visible_child_name (self->view_stack, view);
    }
  bp_window_files_data_ready (self);
  g_signal_emit (self, signals[DATA_LOADED], 0);
}

static void
load_data (BpWindow   *self,
           const char *dir)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(BpSession) session = bp_session_new ();

  if (self->loading_session != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (self->settings != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* Settings from an older version, or edited by hand, that make no sense are dropped;
       * they are not worth a dialog at every launch. */
      if (!bp_settings_restore_training (self->settings, session, &error))
        g_message ("Not all the training settings were restored: %s", error->message);
    }
  apply_environment (session);
  g_set_object (&self->loading_session, session);
  gtk_stack_set_visible_child_name (self->main_stack, "loading");

  /* Keep the application alive until the files are read, even if the window closes. */
  if (app != NULL)
    g_application_hold (app);
  bp_session_load_mnist_async (session, dir, self->cancellable, load_done_cb, g_object_ref (self));
}

static void
chooser_response_cb (BpWindow             *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (folder == NULL)
    return;

  path = g_file_get_path (folder);
  if (path == NULL)
    return;
  load_data (self, path);
}

static void
choose_data_folder_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose the MNIST Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_swapped (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Without MNIST the built-in model still reads drawn digits: the missing-data page offers the
 * Draw view on its own, and Back returns to the page. */
static void
draw_without_data_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  gtk_stack_set_visible_child_name (BP_WINDOW (widget)->main_stack, "draw");
}

static void
leave_draw_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  gtk_stack_set_visible_child_name (BP_WINDOW (widget)->main_stack, "missing");
}

/* ── Actions ──────────────────────────────────────────────────────────────────────────────── */

static void
train_start_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (bp_session_can_start (self->session))
    bp_session_start (self->session);
}

static void
train_pause_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  bp_session_pause (BP_WINDOW (widget)->session);
}

static void
train_step_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  bp_session_step (BP_WINDOW (widget)->session);
}

/* Step → One Mini-Batch: one mini-batch, then the Backprop view on it (batch_taken_cb). */
static void
train_step_batch_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (bp_session_get_state (self->session) == BP_SESSION_STATE_RUNNING)
    return;
  self->batches_to_show++;
  bp_session_step (self->session);
}

/* The mini-batch of a single step: shown by the Backprop view when it was asked for by
 * Step → One Mini-Batch, or when the Backprop view is the one on screen. */
static void
batch_taken_cb (BpWindow    *self,
                BpMiniBatch *batch)
{
  const char *visible = adw_view_stack_get_visible_child_name (self->view_stack);

  if (self->batches_to_show > 0)
    {
      self->batches_to_show--;
      adw_view_stack_set_visible_child_name (self->view_stack, "backprop");
    }
  else if (g_strcmp0 (visible, "backprop") != 0)
    return;
  bp_backprop_view_show_batch (self->backprop_view, batch);
}

static void
train_step_epoch_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  bp_session_step_epoch (BP_WINDOW (widget)->session);
}

/* Whether the network's run is pinned as it is now: its curves are kept. */
static gboolean
run_pinned (BpWindow *self)
{
  return self->pinned_generation == bp_session_get_generation (self->session) + 1
         && self->pinned_epoch == bp_session_get_epoch (self->session)
         && self->pinned_batches == bp_session_get_batches_done (self->session);
}

static void
pin_run (BpWindow *self)
{
  bp_train_view_pin_run (self->train_view);
  self->pinned_generation = bp_session_get_generation (self->session) + 1;
  self->pinned_epoch = bp_session_get_epoch (self->session);
  self->pinned_batches = bp_session_get_batches_done (self->session);
}

static void
reset_response_cb (BpWindow         *self,
                   const char       *response,
                   AdwMessageDialog *dialog)
{
  if (self->session == NULL)
    return;
  if (g_strcmp0 (response, "pin") == 0)
    pin_run (self);
  if (g_strcmp0 (response, "pin") == 0 || g_strcmp0 (response, "reset") == 0)
    bp_session_reset (self->session, NULL);
}

/* Reset (Ctrl+R, ↻) starts the network again from new random weights. A network that has
 * trained and whose run is not pinned asks first, as a changed setting does: its curves would
 * go with it. */
static void
train_reset_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;
  guint epochs = bp_session_get_epoch (self->session);

  if ((epochs == 0 && bp_session_get_batches_done (self->session) == 0) || run_pinned (self))
    {
      bp_session_reset (self->session, NULL);
      return;
    }

  if (epochs > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The network trained for %u epoch and its curves will be replaced by new random weights. Pin the run to keep its curves beside the next one.",
                                         "The network trained for %u epochs and its curves will be replaced by new random weights. Pin the run to keep its curves beside the next one.",
                                         epochs),
                            epochs);
  else
    body = g_strdup (_("The network being trained will be replaced by new random weights."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Reset the Network?"),
                                                       body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "pin", _("_Pin and Reset"),
                                    "reset", _("_Reset"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "pin", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_appearance (dialog, "reset", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_swapped (dialog, "response", G_CALLBACK (reset_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  g_signal_emit (self, signals[RESET_ASKED], 0);
}

static void
train_pin_run_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  pin_run (BP_WINDOW (widget));
}

static void
train_clear_pins_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  bp_train_view_clear_pins (BP_WINDOW (widget)->train_view);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* A hidden neuron clicked in the Draw view opens in the Weights view's dialog, over the Draw
 * view: the drawing stays in sight when the dialog closes. */
static void
draw_neuron_activated_cb (BpWindow *self,
                          guint     neuron)
{
  bp_weights_view_show_neuron (self->weights_view, neuron);
}

/* A test digit clicked in the Mistakes view opens in the Draw view. */
static void
test_image_activated_cb (BpWindow *self,
                         guint     index)
{
  bp_draw_view_show_test_image (self->draw_view, index);
  bp_backprop_view_show_test_image (self->backprop_view, index);
  adw_view_stack_set_visible_child_name (self->view_stack, "draw");
}

/* The Backprop view can walk the digit on the Draw view's pad. */
static void
draw_input_changed_cb (BpWindow *self)
{
  bp_backprop_view_set_drawing (self->backprop_view, bp_draw_view_get_input (self->draw_view));
}

/* Space starts and pauses, Shift+Space trains to the end of the epoch, wherever the focus is —
 * except in a text field or a menu, where Space has its own meaning. In a spin button, whose
 * numbers have no spaces, the value typed so far is committed first. */
static gboolean
key_pressed_cb (BpWindow              *self,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                GtkEventControllerKey *controller)
{
  GtkWidget *focus;
  GtkWidget *spin;

  if (keyval != GDK_KEY_space && keyval != GDK_KEY_KP_Space)
    return FALSE;
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK)) != 0)
    return FALSE;
  if (self->session == NULL || !bp_session_has_data (self->session)
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "lab") != 0)
    return FALSE;

  focus = gtk_root_get_focus (GTK_ROOT (self));
  spin = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_SPIN_BUTTON) : NULL;
  if (focus != NULL && spin == NULL
      && (GTK_IS_EDITABLE (focus) || GTK_IS_TEXT_VIEW (focus)
          || gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) != NULL))
    return FALSE;
  if (spin != NULL)
    gtk_spin_button_update (GTK_SPIN_BUTTON (spin));

  if (state & GDK_SHIFT_MASK)
    gtk_widget_activate_action (GTK_WIDGET (self), "train.step-epoch", NULL);
  else if (bp_session_get_state (self->session) == BP_SESSION_STATE_RUNNING)
    gtk_widget_activate_action (GTK_WIDGET (self), "train.pause", NULL);
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "train.start", NULL);
  return TRUE;
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed; window size and data folder will "
                 "not be remembered", APPLICATION_ID);
      return NULL;
    }
  return g_settings_new (APPLICATION_ID);
}

static gboolean
bp_window_close_request (GtkWindow *window)
{
  BpWindow *self = BP_WINDOW (window);
  int width, height;

  if (self->settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_set (self->settings, "window-size", "(ii)", width, height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (self->session != NULL && bp_session_has_data (self->session))
        {
          bp_settings_save_training (self->settings, self->session);
          g_settings_set_string (self->settings, "last-view",
                                 adw_view_stack_get_visible_child_name (self->view_stack));
        }
      bp_window_files_save_state (self);
      /* The backend writes later, in the main loop; the process may be about to end. */
      g_settings_sync ();
    }
  return GTK_WINDOW_CLASS (bp_window_parent_class)->close_request (window);
}

static void
bp_window_constructed (GObject *object)
{
  BpWindow *self = BP_WINDOW (object);
  g_autofree char *dir = NULL;

  G_OBJECT_CLASS (bp_window_parent_class)->constructed (object);

  /* BACKPROP_DATA_DIR wins (bp_mnist_find_dir() reads it), then the folder chosen last time. */
  if (self->settings != NULL && g_getenv ("BACKPROP_DATA_DIR") == NULL)
    {
      dir = g_settings_get_string (self->settings, "data-dir");
      if (*dir == '\0')
        g_clear_pointer (&dir, g_free);
    }
  load_data (self, dir);
}

static void
bp_window_dispose (GObject *object)
{
  BpWindow *self = BP_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  bp_window_files_dispose (self);

  /* Stop training at once; the views let go of the session with the template, and dropping
   * the last reference joins its worker. */
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  if (self->session != NULL)
    bp_session_stop (self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->loading_session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->divergence, g_free);

  G_OBJECT_CLASS (bp_window_parent_class)->dispose (object);
}

static void
bp_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  BpWindow *self = BP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    case PROP_LEARNING_SPEED:
      g_value_set_boolean (value, self->session != NULL
                                  && bp_session_get_learning_speed (self->session));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  BpWindow *self = BP_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LEARNING_SPEED:
      if (self->session != NULL
          && bp_session_get_learning_speed (self->session) != g_value_get_boolean (value))
        {
          bp_session_set_learning_speed (self->session, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bp_window_class_init (BpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = bp_window_constructed;
  object_class->dispose = bp_window_dispose;
  object_class->get_property = bp_window_get_property;
  object_class->set_property = bp_window_set_property;
  window_class->close_request = bp_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, BP_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the session measures chapter 5's speed of learning (the train.learning-speed
   * action, a check item of the main menu). */
  properties[PROP_LEARNING_SPEED] =
    g_param_spec_boolean ("learning-speed", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[DATA_LOADED] = g_signal_new ("data-loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DATA_MISSING] = g_signal_new ("data-missing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Reset asked before throwing away a trained network whose run is not pinned. */
  signals[RESET_ASKED] = g_signal_new ("reset-asked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (BP_TYPE_CONTROLS);
  g_type_ensure (BP_TYPE_TRAIN_VIEW);
  g_type_ensure (BP_TYPE_WEIGHTS_VIEW);
  g_type_ensure (BP_TYPE_DRAW_VIEW);
  g_type_ensure (BP_TYPE_MISTAKES_VIEW);
  g_type_ensure (BP_TYPE_BACKPROP_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, start_content);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, step_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, reset_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, missing_page);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, missing_error_label);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, choose_folder_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, draw_button);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, solo_draw_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, controls);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, train_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, weights_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, draw_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, mistakes_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, backprop_view);
  gtk_widget_class_bind_template_child (widget_class, BpWindow, recent_section);

  gtk_widget_class_install_action (widget_class, "train.start", NULL, train_start_action);
  gtk_widget_class_install_action (widget_class, "train.pause", NULL, train_pause_action);
  gtk_widget_class_install_action (widget_class, "train.step", NULL, train_step_action);
  gtk_widget_class_install_action (widget_class, "train.step-epoch", NULL, train_step_epoch_action);
  gtk_widget_class_install_action (widget_class, "train.step-batch", NULL, train_step_batch_action);
  gtk_widget_class_install_action (widget_class, "train.reset", NULL, train_reset_action);
  gtk_widget_class_install_action (widget_class, "train.pin-run", NULL, train_pin_run_action);
  gtk_widget_class_install_action (widget_class, "train.clear-pins", NULL, train_clear_pins_action);
  gtk_widget_class_install_property_action (widget_class, "train.learning-speed", "learning-speed");
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.choose-data-folder", NULL,
                                   choose_data_folder_action);
  gtk_widget_class_install_action (widget_class, "win.draw-without-data", NULL,
                                   draw_without_data_action);
  gtk_widget_class_install_action (widget_class, "win.leave-draw", NULL, leave_draw_action);
  gtk_widget_class_install_action (widget_class, "win.divergence-details", NULL,
                                   divergence_details_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK,
                                       "win.show-view", "s", "train");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK,
                                       "win.show-view", "s", "weights");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK,
                                       "win.show-view", "s", "draw");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK,
                                       "win.show-view", "s", "mistakes");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK,
                                       "win.show-view", "s", "backprop");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "train.reset", NULL);

  bp_window_files_class_init (widget_class);
}

static void
bp_window_init (BpWindow *self)
{
  GtkEventController *key;
  int width = 0, height = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (adw_split_button_get_popover (self->step_button), "notify::visible",
                           G_CALLBACK (step_menu_visible_cb), self->step_button, 0);

  self->settings = settings_new_if_installed ();
  if (self->settings != NULL)
    {
      g_settings_get (self->settings, "window-size", "(ii)", &width, &height);
      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      bp_draw_view_bind_settings (self->draw_view, self->settings);
      bp_draw_view_bind_settings (self->solo_draw_view, self->settings);
    }
  bp_window_files_init (self);

  self->session_signals = g_signal_group_new (BP_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::state",
                                  G_CALLBACK (update_actions), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::can-start",
                                  G_CALLBACK (update_actions), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::epochs",
                                  G_CALLBACK (update_subtitle), self);
  g_signal_group_connect_swapped (self->session_signals, "epoch-finished",
                                  G_CALLBACK (session_epoch_finished_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "diverged",
                                  G_CALLBACK (session_diverged_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "failed",
                                  G_CALLBACK (session_failed_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "batch-taken",
                                  G_CALLBACK (batch_taken_cb), self);
  g_signal_group_connect_swapped (self->session_signals, "network-reset",
                                  G_CALLBACK (session_reset_cb), self);

  g_signal_connect_swapped (self->draw_view, "neuron-activated",
                            G_CALLBACK (draw_neuron_activated_cb), self);
  g_signal_connect_swapped (self->mistakes_view, "test-image-activated",
                            G_CALLBACK (test_image_activated_cb), self);
  for (guint i = 0; i < 4; i++)
    {
      static const char *const classified[] = { "stroke-classified", "test-image-classified",
                                                "picture-classified", "strokes-removed" };

      g_signal_connect_swapped (self->draw_view, classified[i], G_CALLBACK (draw_input_changed_cb),
                                self);
    }

  g_signal_connect_swapped (self->main_stack, "notify::visible-child",
                            G_CALLBACK (main_page_changed_cb), self);
  main_page_changed_cb (self);

  key = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (key, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);

  update_actions (self);
}

BpWindow *
bp_window_new (GtkApplication *application)
{
  return g_object_new (BP_TYPE_WINDOW, "application", application, NULL);
}

BpSession *
bp_window_get_session (BpWindow *self)
{
  g_return_val_if_fail (BP_IS_WINDOW (self), NULL);

  return self->session;
}
