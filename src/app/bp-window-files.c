/* bp-window-files.c — the window's files: models, sessions, exports, recent files, drops
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One entry point opens whatever the user hands the window, from the Open dialog, the Open
 * Recent menu, a drop or the command line: a PNG goes to the Draw view's pad, a session file
 * (a model file with the session's settings and history beside it) brings the whole session
 * back, and any other network2.py model becomes the network in training — or, without MNIST,
 * the network the solo Draw view asks. Every failure is a dialog that names the file and the
 * problem; nothing changes then.
 */
#include "config.h"

#include "bp-window-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "bp-export.h"
#include "bp-file-kind.h"
#include "bp-layer-pictures.h"
#include "bp-model-io.h"
#include "bp-onnx.h"
#include "bp-session-io.h"

/* The name the recent files are filed under, and how many the menu lists. */
#define RECENT_APP_NAME "Backprop"
#define RECENT_MAX      8

/* The window's signals about files (see bp-window.h). */
enum {
  MODEL_OPENED,
  SESSION_OPENED,
  MODEL_SAVED,
  SESSION_SAVED,
  PLOT_EXPORTED,
  HISTORY_EXPORTED,
  ONNX_EXPORTED,
  FILE_DIALOG_SHOWN,
  FILES_DROPPED,
  FILE_ERROR,
  REPLACE_ASKED,
  REPLACE_ANSWERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ── Messages ─────────────────────────────────────────────────────────────────────────────── */

static void
show_error (BpWindow   *self,
            const char *title,
            const char *message)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), title, message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
  g_signal_emit (self, signals[FILE_ERROR], 0, message);
}

static void
toast (BpWindow   *self,
       const char *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

/* ── Recent files ─────────────────────────────────────────────────────────────────────────── */

static void
add_recent (BpWindow *self,
            GFile    *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkRecentData data = {
    .display_name = NULL,
    .description = NULL,
    .mime_type = (char *) "application/json",
    .app_name = (char *) RECENT_APP_NAME,
    .app_exec = (char *) "backprop %u",
    .groups = NULL,
    .is_private = FALSE,
  };

  gtk_recent_manager_add_full (self->recent_manager, uri, &data);
}

static int
compare_recent_cb (gconstpointer a,
                   gconstpointer b)
{
  GDateTime *ta = gtk_recent_info_get_modified ((GtkRecentInfo *) a);
  GDateTime *tb = gtk_recent_info_get_modified ((GtkRecentInfo *) b);

  return g_date_time_compare (tb, ta);
}

/* The file dialogs file every file chosen in them under the application's name, pictures and
 * exports too: the menu lists the models and sessions. */
static gboolean
is_model_uri (const char *uri)
{
  g_autofree char *lower = g_ascii_strdown (uri, -1);

  return g_str_has_suffix (lower, ".json") || g_str_has_suffix (lower, "." BP_SESSION_FILE_SUFFIX);
}

/* The Open Recent submenu: Backprop's own recent models and sessions that still exist, newest
 * first. */
static void
rebuild_recent_menu (BpWindow *self)
{
  GList *items = gtk_recent_manager_get_items (self->recent_manager);
  GList *mine = NULL;
  guint n = 0;

  g_menu_remove_all (self->recent_section);
  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;

      if (gtk_recent_info_has_application (info, RECENT_APP_NAME) && gtk_recent_info_exists (info)
          && is_model_uri (gtk_recent_info_get_uri (info)))
        mine = g_list_prepend (mine, info);
    }
  mine = g_list_sort (mine, compare_recent_cb);
  for (GList *l = mine; l != NULL && n < RECENT_MAX; l = l->next, n++)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GMenuItem) item = NULL;

      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_section, item);
    }
  if (n == 0)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No Recent Files"), "win.no-recent");

      g_menu_append_item (self->recent_section, item);
    }
  g_list_free (mine);
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
}

typedef struct
{
  BpWindow *window;
  GFile    *file;
} OpenLater;

static gboolean
open_later_cb (gpointer user_data)
{
  OpenLater *later = user_data;

  bp_window_open_file (later->window, later->file);
  g_object_unref (later->window);
  g_object_unref (later->file);
  g_free (later);
  return G_SOURCE_REMOVE;
}

/* The menu's popover is still closing when its item activates: the file opens once it has,
 * so that a dialog about it (or the keyboard focus) is not caught up in the menu's grab. */
static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  OpenLater *later = g_new (OpenLater, 1);

  later->window = g_object_ref (BP_WINDOW (widget));
  later->file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));
  g_idle_add (open_later_cb, later);
}

static void
no_recent_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  /* Never enabled: the placeholder item of an empty Open Recent menu. */
}

/* ── Opening ──────────────────────────────────────────────────────────────────────────────── */

static void
open_png (BpWindow *self,
          GFile    *file)
{
  g_autoptr(GError) error = NULL;
  gboolean lab = self->session != NULL && bp_session_has_data (self->session);
  BpDrawView *view = lab ? self->draw_view : self->solo_draw_view;

  if (!bp_draw_view_load_png (view, file, &error))
    {
      show_error (self, _("Could Not Open the Picture"), error->message);
      return;
    }
  if (lab)
    adw_view_stack_set_visible_child_name (self->view_stack, "draw");
  else
    gtk_stack_set_visible_child_name (self->main_stack, "draw");
}

static void
open_session (BpWindow *self,
              GFile    *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = NULL;

  if (self->session == NULL || !bp_session_has_data (self->session))
    {
      g_autofree char *message = NULL;

      /* Translators: a session file's name. */
      message = g_strdup_printf (_("“%s” is a training session: it continues training on MNIST, "
                                   "which Backprop has not loaded. Choose the MNIST folder first."),
                                 name);
      show_error (self, _("Could Not Open the Session"), message);
      return;
    }

  self->opening_model = TRUE;
  if (!bp_session_file_load (self->session, file, &error))
    {
      self->opening_model = FALSE;
      show_error (self, _("Could Not Open the Session"), error->message);
      return;
    }
  self->opening_model = FALSE;
  g_set_object (&self->model_file, file);
  self->unsaved_epochs = 0;
  add_recent (self, file);
  adw_view_stack_set_visible_child_name (self->view_stack, "train");
  /* Translators: a session file's name. */
  text = g_strdup_printf (_("Opened the session “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[SESSION_OPENED], 0, file);
  bp_window_update_actions (self);
}

/* @restoring: the last model, reopened at launch; its failure is a toast rather than a dialog,
 * and the solo Draw view is not brought up by it. */
static void
open_model (BpWindow *self,
            GFile    *file,
            gboolean  restoring)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = NULL;
  gboolean lab = self->session != NULL && bp_session_has_data (self->session);
  BpRun setup;
  BpSession *session;
  g_autofree char *layers = NULL;

  if (path == NULL)
    {
      show_error (self, _("Could Not Open the Model"), _("Only local files can be opened."));
      return;
    }

  /* Without MNIST the model is only asked about drawn digits: a session without data holds it
   * for the solo Draw view. */
  if (!lab && self->solo_session == NULL)
    self->solo_session = bp_session_new ();
  session = lab ? self->session : self->solo_session;

  self->opening_model = TRUE;
  if (!bp_session_load_model (session, path, &error))
    {
      self->opening_model = FALSE;
      if (restoring)
        {
          toast (self, error->message);
          g_signal_emit (self, signals[FILE_ERROR], 0, error->message);
        }
      else
        show_error (self, _("Could Not Open the Model"), error->message);
      return;
    }
  self->opening_model = FALSE;
  g_set_object (&self->model_file, file);
  if (lab)
    self->unsaved_epochs = 0;
  if (!restoring)
    add_recent (self, file);

  bp_session_get_run (session, &setup);
  layers = bp_layer_pictures_arch_label (&setup.arch);
  if (!lab)
    {
      bp_view_set_session (BP_VIEW (self->solo_draw_view), session);
      if (!restoring)
        gtk_stack_set_visible_child_name (self->main_stack, "draw");
    }
  /* Translators: a model file's name, then its layer sizes (784-30-10). */
  text = g_strdup_printf (_("Opened the model “%s” (%s)"), name, layers);
  toast (self, text);
  g_signal_emit (self, signals[MODEL_OPENED], 0, file, session);
  bp_window_update_actions (self);
}

/* ── Checking a file before it is opened ─────────────────────────────────────────────────────
 *
 * Whatever a person hands the window is checked first in a GTask thread by
 * bp_file_kind_detect(), with the readers the command line uses: a FIFO fails at once instead
 * of freezing the window, and a model's nesting is checked before json-glib sees a byte
 * (100,000 nested brackets overflowed json-glib's stack and crashed the app). The UI thread
 * then opens what the thread found to be a PNG, a session or a model. */

typedef struct
{
  GWeakRef  window;
  GFile    *file;
  char     *path;     /* the thread's own copy of its input */
  char     *name;     /* the file's name, for messages */
  gboolean  restoring;
} CheckJob;

static void
check_job_free (gpointer data)
{
  CheckJob *job = data;

  g_weak_ref_clear (&job->window);
  g_clear_object (&job->file);
  g_free (job->path);
  g_free (job->name);
  g_free (job);
}

static void
check_file_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CheckJob *job = task_data;
  GError *error = NULL;
  BpFileKind kind;

  if (job->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("Only local files can be opened."));
      return;
    }
  if (bp_file_kind_detect (job->path, job->name, &kind, &error))
    g_task_return_int (task, kind);
  else
    g_task_return_error (task, error);
}

static void
file_checked_cb (GObject      *source_object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CheckJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(BpWindow) self = g_weak_ref_get (&job->window);
  g_autoptr(GError) error = NULL;
  gssize kind;

  /* The window may have closed while the thread read, or started loading data: then the file
   * waits for it, as one given during the load does. */
  if (self == NULL)
    return;
  if (self->loading_session != NULL)
    {
      self->pending_files = g_list_append (self->pending_files, g_object_ref (job->file));
      return;
    }

  kind = g_task_propagate_int (G_TASK (result), &error);
  if (kind < 0)
    {
      if (job->restoring)
        {
          toast (self, error->message);
          g_signal_emit (self, signals[FILE_ERROR], 0, error->message);
        }
      else
        show_error (self, _("Could Not Open the File"), error->message);
      return;
    }

  switch ((BpFileKind) kind)
    {
    case BP_FILE_KIND_PNG:
      open_png (self, job->file);
      break;
    case BP_FILE_KIND_SESSION:
      open_session (self, job->file);
      break;
    case BP_FILE_KIND_MODEL:
    default:
      open_model (self, job->file, job->restoring);
      break;
    }
}

/* Check @file in a thread, then open it (a model reopened at launch when @restoring). */
static void
open_checked (BpWindow *self,
              GFile    *file,
              gboolean  restoring)
{
  g_autoptr(GTask) task = NULL;
  CheckJob *job = g_new0 (CheckJob, 1);

  g_weak_ref_init (&job->window, self);
  job->file = g_object_ref (file);
  job->path = g_file_get_path (file);
  job->name = g_file_get_basename (file);
  job->restoring = restoring;

  /* No cancellable: the thread never blocks (a FIFO fails at once), and the weak reference
   * lets the window go while it runs. */
  task = g_task_new (NULL, NULL, file_checked_cb, NULL);
  g_task_set_source_tag (task, open_checked);
  g_task_set_task_data (task, job, check_job_free);
  g_task_run_in_thread (task, check_file_thread);
}

static void
open_file_now (BpWindow *self,
               GFile    *file)
{
  /* A file given while MNIST loads (from the command line, say) waits for the data: a session
   * needs it, and a model opened now would be replaced by the first network. */
  if (self->loading_session != NULL)
    {
      self->pending_files = g_list_append (self->pending_files, g_object_ref (file));
      return;
    }

  open_checked (self, file, FALSE);
}

static void
replace_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     BpWindow         *self)
{
  GFile *file = g_object_get_data (G_OBJECT (dialog), "file");

  g_signal_emit (self, signals[REPLACE_ANSWERED], 0, response);
  if (g_strcmp0 (response, "replace") == 0)
    open_file_now (self, file);
}

/* Opening a model or a session replaces the network in training: when it has trained since it
 * was last saved, ask first. A PNG only goes to the pad, so it never asks. */
void
bp_window_open_file (BpWindow *self,
                     GFile    *file)
{
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (BP_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  name = g_file_get_basename (file);
  lower = g_ascii_strdown (name != NULL ? name : "", -1);
  if (self->unsaved_epochs == 0 || self->loading_session != NULL || g_str_has_suffix (lower, ".png"))
    {
      open_file_now (self, file);
      return;
    }

  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       /* Translators: epochs trained, then the file's name. */
                                       "The network has trained %u epoch since it was last saved. "
                                       "Opening “%s” replaces it.",
                                       "The network has trained %u epochs since it was last saved. "
                                       "Opening “%s” replaces it.",
                                       self->unsaved_epochs),
                          self->unsaved_epochs, name);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Replace the Network in Training?"),
                                                       body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "replace", _("_Replace"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "file", g_object_ref (file), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (replace_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  g_signal_emit (self, signals[REPLACE_ASKED], 0, file, self->unsaved_epochs);
}

/* The file a dialog's answer chose, or NULL; the dialog is done with either way. */
static GFile *
chosen_file (BpWindow             *self,
             int                   response,
             GtkFileChooserNative *chooser)
{
  GFile *file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  return file;
}

static void
open_response_cb (BpWindow             *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = chosen_file (self, response, chooser);

  if (file != NULL)
    bp_window_open_file (self, file);
}

/* Add a filter of the file name suffixes given (up to a NULL) to the open dialog; returns it
 * (the dialog's). */
static GtkFileFilter *
add_filter (BpWindow   *self,
            const char *name,
            const char *suffix,
            ...)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  va_list args;

  gtk_file_filter_set_name (filter, name);
  va_start (args, suffix);
  for (const char *p = suffix; p != NULL; p = va_arg (args, const char *))
    gtk_file_filter_add_suffix (filter, p);
  va_end (args);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  return filter;
}

/* The one file dialog, modal, opening in the folder of the last model (or the user's
 * documents), with @suggested as the name to save under. Add its filters, then show_chooser(). */
static void
chooser_new (BpWindow             *self,
             const char           *title,
             GtkFileChooserAction  action,
             const char           *accept,
             const char           *suggested,
             GCallback             response)
{
  g_autoptr(GFile) folder = NULL;

  self->chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept, _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_swapped (self->chooser, "response", response, self);
  if (self->model_file != NULL)
    folder = g_file_get_parent (self->model_file);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
  if (suggested != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), suggested);
}

static void
show_chooser (BpWindow *self)
{
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
  g_signal_emit (self, signals[FILE_DIALOG_SHOWN], 0, self->chooser);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  chooser_new (self, _("Open a Model, a Session or a Picture"), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("_Open"), NULL, G_CALLBACK (open_response_cb));
  add_filter (self, _("Models, sessions and PNG pictures"), "json", BP_SESSION_FILE_SUFFIX, "png", NULL);
  add_filter (self, _("Models and sessions (JSON)"), "json", BP_SESSION_FILE_SUFFIX, NULL);
  add_filter (self, _("PNG pictures"), "png", NULL);
  show_chooser (self);
}

/* ── Saving ───────────────────────────────────────────────────────────────────────────────── */

static BpSession *
model_session (BpWindow *self)
{
  if (self->session != NULL && bp_session_has_data (self->session))
    return self->session;
  return self->solo_session;
}

static void
save_model_response_cb (BpWindow             *self,
                        int                   response,
                        GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = chosen_file (self, response, chooser);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  BpSession *session = model_session (self);

  if (file == NULL || session == NULL)
    return;

  path = g_file_get_path (file);
  name = g_file_get_basename (file);
  if (path == NULL || !bp_session_save_model (session, path, &error))
    {
      show_error (self, _("Could Not Save the Model"),
                  error != NULL ? error->message : _("Only local files can be written."));
      return;
    }
  g_set_object (&self->model_file, file);
  self->unsaved_epochs = 0;
  add_recent (self, file);
  /* Translators: a model file's name. */
  text = g_strdup_printf (_("Saved the model as “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[MODEL_SAVED], 0, file);
}

static void
save_model_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  /* Translators: the suggested file name of a saved model; keep the .json. */
  chooser_new (self, _("Save the Model"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("network.json"),
               G_CALLBACK (save_model_response_cb));
  add_filter (self, _("Models (network2.py JSON)"), "json", NULL);
  show_chooser (self);
}

static void
save_session_response_cb (BpWindow             *self,
                          int                   response,
                          GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = chosen_file (self, response, chooser);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (file == NULL || self->session == NULL)
    return;

  name = g_file_get_basename (file);
  if (!bp_session_file_save (self->session, file, &error))
    {
      show_error (self, _("Could Not Save the Session"), error->message);
      return;
    }
  self->unsaved_epochs = 0;
  add_recent (self, file);
  /* Translators: a session file's name. */
  text = g_strdup_printf (_("Saved the session as “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[SESSION_SAVED], 0, file);
}

static void
save_session_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);
  g_autofree char *suggested = NULL;

  if (self->chooser != NULL)
    return;
  /* Translators: the suggested file name of a saved session, without its extension. */
  suggested = g_strdup_printf ("%s.%s", _("session"), BP_SESSION_FILE_SUFFIX);
  chooser_new (self, _("Save the Session"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), suggested,
               G_CALLBACK (save_session_response_cb));
  add_filter (self, _("Backprop sessions"), BP_SESSION_FILE_SUFFIX, NULL);
  show_chooser (self);
}

/* ── Exports ──────────────────────────────────────────────────────────────────────────────── */

/* An export dialog keeps which plot it is for ("accuracy" or "cost") as its "plot", and each
 * of its filters the format it stands for as its "format". */
static void
export_plot_response_cb (BpWindow             *self,
                         int                   response,
                         GtkFileChooserNative *chooser)
{
  g_autofree char *which = g_strdup (g_object_get_data (G_OBJECT (chooser), "plot"));
  GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (chooser));
  BpExportFormat format = filter != NULL ? GPOINTER_TO_INT (g_object_get_data (G_OBJECT (filter), "format"))
                                         : BP_EXPORT_FORMAT_PNG;
  g_autoptr(GFile) file = chosen_file (self, response, chooser);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  BpPlot *plot = g_strcmp0 (which, "cost") == 0 ? bp_train_view_get_cost_plot (self->train_view)
                                                : bp_train_view_get_accuracy_plot (self->train_view);
  int width, height;

  if (file == NULL)
    return;

  /* The name's extension says the format; without one, the chosen filter does, and the name
   * gets its extension. */
  name = g_file_get_basename (file);
  if (!bp_export_format_from_name (name, &format))
    {
      g_autoptr(GFile) parent = g_file_get_parent (file);
      g_autofree char *named = g_strdup_printf ("%s.%s", name, bp_export_format_get_extension (format));

      g_set_object (&file, g_file_get_child (parent, named));
      g_free (name);
      name = g_steal_pointer (&named);
    }

  /* What is on the screen, at twice the resolution for a PNG; a plot never shown yet gets the
   * size of a typical window's. */
  width = gtk_widget_get_width (GTK_WIDGET (plot));
  height = gtk_widget_get_height (GTK_WIDGET (plot));
  if (width < 200 || height < 150)
    {
      width = 800;
      height = 360;
    }
  if (!bp_export_plot (plot, file, format, width, height, 2,
                       adw_style_manager_get_dark (adw_style_manager_get_default ()), &error))
    {
      show_error (self, _("Could Not Export the Plot"), error->message);
      return;
    }
  /* Translators: a picture file's name. */
  text = g_strdup_printf (_("Exported the plot as “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[PLOT_EXPORTED], 0, which, file);
}

static void
export_plot_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);
  gboolean cost = g_strcmp0 (g_variant_get_string (parameter, NULL), "cost") == 0;
  const char *names[] = { N_("PNG picture"), N_("SVG drawing"), N_("PDF document") };

  if (self->chooser != NULL)
    return;
  /* Translators: suggested file names of the exported plots; keep the .png. */
  chooser_new (self, cost ? _("Export the Cost Plot") : _("Export the Accuracy Plot"),
               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), cost ? _("cost.png") : _("accuracy.png"),
               G_CALLBACK (export_plot_response_cb));
  g_object_set_data (G_OBJECT (self->chooser), "plot", (gpointer) (cost ? "cost" : "accuracy"));
  for (BpExportFormat f = BP_EXPORT_FORMAT_PNG; f <= BP_EXPORT_FORMAT_PDF; f++)
    g_object_set_data (G_OBJECT (add_filter (self, _(names[f]), bp_export_format_get_extension (f), NULL)),
                       "format", GINT_TO_POINTER (f));
  show_chooser (self);
}

static void
export_history_response_cb (BpWindow             *self,
                            int                   response,
                            GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = chosen_file (self, response, chooser);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  const BpEpochMetrics *history;
  guint n_epochs;

  if (file == NULL || self->session == NULL)
    return;

  name = g_file_get_basename (file);
  history = bp_session_get_history (self->session, &n_epochs);
  if (!bp_export_history_csv (history, n_epochs, file, &error))
    {
      show_error (self, _("Could Not Export the History"), error->message);
      return;
    }
  /* Translators: a CSV file's name. */
  text = g_strdup_printf (_("Exported the history as “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[HISTORY_EXPORTED], 0, file, n_epochs);
}

static void
export_history_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  /* Translators: the suggested file name of the exported metrics; keep the .csv. */
  chooser_new (self, _("Export the History"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
               _("history.csv"), G_CALLBACK (export_history_response_cb));
  add_filter (self, _("CSV table"), "csv", NULL);
  show_chooser (self);
}

/* The network of the latest snapshot as ONNX, with the history it has trained (for the test
 * accuracy in the model's metadata). */
static gboolean
export_onnx (BpSession   *session,
             const char  *path,
             GError     **error)
{
  g_autoptr(BpSnapshot) snapshot = bp_session_dup_snapshot (session);
  BpModelInfo info = { 0 };
  BpError bp_error = { 0 };
  guint n_epochs = 0;

  if (snapshot == NULL || snapshot->generation != bp_session_get_generation (session))
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: not saved: there is no network yet"),
                   display);
      return FALSE;
    }
  /* While training runs, the epochs the snapshot had finished. */
  info.history = (BpEpochMetrics *) bp_session_get_history (session, &n_epochs);
  info.n_history = MIN (n_epochs, snapshot->epoch);
  if (!bp_onnx_save (snapshot->net, &info, path, &bp_error))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", bp_error.message);
      return FALSE;
    }
  return TRUE;
}

static void
export_onnx_response_cb (BpWindow             *self,
                         int                   response,
                         GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = chosen_file (self, response, chooser);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;
  BpSession *session = model_session (self);

  if (file == NULL || session == NULL)
    return;

  path = g_file_get_path (file);
  name = g_file_get_basename (file);
  if (path == NULL || !export_onnx (session, path, &error))
    {
      show_error (self, _("Could Not Export the Model"),
                  error != NULL ? error->message : _("Only local files can be written."));
      return;
    }
  /* Translators: an ONNX file's name. */
  text = g_strdup_printf (_("Exported the model as “%s”"), name);
  toast (self, text);
  g_signal_emit (self, signals[ONNX_EXPORTED], 0, file);
}

static void
export_onnx_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  BpWindow *self = BP_WINDOW (widget);

  if (self->chooser != NULL)
    return;
  /* Translators: the suggested file name of a model exported as ONNX; keep the .onnx. */
  chooser_new (self, _("Export the Model as ONNX"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
               _("network.onnx"), G_CALLBACK (export_onnx_response_cb));
  add_filter (self, _("ONNX models"), "onnx", NULL);
  show_chooser (self);
}

/* ── Drops ────────────────────────────────────────────────────────────────────────────────── */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         BpWindow      *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  g_signal_emit (self, signals[FILES_DROPPED], 0, g_slist_length (files));
  /* One network, one pad: the first file is the one opened. */
  bp_window_open_file (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* ── Window glue ──────────────────────────────────────────────────────────────────────────── */

void
bp_window_files_update_actions (BpWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean lab = self->session != NULL && bp_session_has_data (self->session);
  BpSession *session = model_session (self);
  BpPlot *accuracy = bp_train_view_get_accuracy_plot (self->train_view);
  BpPlot *cost = bp_train_view_get_cost_plot (self->train_view);
  gboolean plotted;
  guint n_epochs = 0;

  if (lab)
    bp_session_get_history (self->session, &n_epochs);
  plotted = lab && (n_epochs > 0 || bp_plot_get_n_pins (accuracy) > 0 || bp_plot_get_n_pins (cost) > 0);

  gtk_widget_action_set_enabled (widget, "win.save-model",
                                 session != NULL && bp_session_has_network (session));
  gtk_widget_action_set_enabled (widget, "win.export-onnx",
                                 session != NULL && bp_session_has_network (session));
  gtk_widget_action_set_enabled (widget, "win.save-session", lab);
  gtk_widget_action_set_enabled (widget, "win.export-plot", plotted);
  gtk_widget_action_set_enabled (widget, "win.export-history", lab && n_epochs > 0);
  gtk_widget_action_set_enabled (widget, "win.no-recent", FALSE);
}

/* The model of the last run comes back at the next launch, unless files were asked for. A model
 * that has gone since is forgotten quietly; one that no longer loads says why. */
static void
restore_last_model (BpWindow *self)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;

  if (self->settings == NULL)
    return;
  path = g_settings_get_string (self->settings, "last-model");
  if (*path == '\0')
    return;
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_settings_set_string (self->settings, "last-model", "");
      return;
    }
  file = g_file_new_for_path (path);
  open_checked (self, file, TRUE);
}

void
bp_window_files_data_ready (BpWindow *self)
{
  GList *files = g_steal_pointer (&self->pending_files);

  if (files == NULL)
    restore_last_model (self);
  for (GList *l = files; l != NULL; l = l->next)
    bp_window_open_file (self, l->data);
  g_list_free_full (files, g_object_unref);
}

void
bp_window_files_save_state (BpWindow *self)
{
  g_autofree char *path = NULL;

  if (self->settings == NULL)
    return;
  if (self->model_file != NULL)
    path = g_file_get_path (self->model_file);
  g_settings_set_string (self->settings, "last-model", path != NULL ? path : "");
}

void
bp_window_files_epoch_finished (BpWindow *self)
{
  self->unsaved_epochs++;
}

void
bp_window_files_network_reset (BpWindow *self)
{
  /* A new network from the settings is no longer the file's, and has nothing to lose yet. */
  if (!self->opening_model)
    {
      g_clear_object (&self->model_file);
      self->unsaved_epochs = 0;
    }
}

void
bp_window_files_class_init (GtkWidgetClass *widget_class)
{
  GType type = G_TYPE_FROM_CLASS (widget_class);

  signals[MODEL_OPENED] = g_signal_new ("model-opened", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 2, G_TYPE_FILE, BP_TYPE_SESSION);
  signals[SESSION_OPENED] = g_signal_new ("session-opened", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  signals[MODEL_SAVED] = g_signal_new ("model-saved", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                       NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  signals[SESSION_SAVED] = g_signal_new ("session-saved", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  signals[PLOT_EXPORTED] = g_signal_new ("plot-exported", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_FILE);
  signals[HISTORY_EXPORTED] = g_signal_new ("history-exported", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_UINT);
  signals[ONNX_EXPORTED] = g_signal_new ("onnx-exported", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 1, G_TYPE_FILE);
  signals[FILE_DIALOG_SHOWN] = g_signal_new ("file-dialog-shown", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 1, GTK_TYPE_NATIVE_DIALOG);
  signals[FILES_DROPPED] = g_signal_new ("files-dropped", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[FILE_ERROR] = g_signal_new ("file-error", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                      G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[REPLACE_ASKED] = g_signal_new ("replace-asked", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                         NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_UINT);
  signals[REPLACE_ANSWERED] = g_signal_new ("replace-answered", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                            NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.no-recent", NULL, no_recent_action);
  gtk_widget_class_install_action (widget_class, "win.save-model", NULL, save_model_action);
  gtk_widget_class_install_action (widget_class, "win.save-session", NULL, save_session_action);
  gtk_widget_class_install_action (widget_class, "win.export-plot", "s", export_plot_action);
  gtk_widget_class_install_action (widget_class, "win.export-history", NULL, export_history_action);
  gtk_widget_class_install_action (widget_class, "win.export-onnx", NULL, export_onnx_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "win.save-model", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-session", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "win.export-plot", "s", "accuracy");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-history", NULL);
}

void
bp_window_files_init (BpWindow *self)
{
  GtkDropTarget *target;

  self->recent_manager = g_object_ref (gtk_recent_manager_get_default ());
  self->recent_changed_id = g_signal_connect_swapped (self->recent_manager, "changed",
                                                      G_CALLBACK (rebuild_recent_menu), self);
  rebuild_recent_menu (self);

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));
}

void
bp_window_files_dispose (BpWindow *self)
{
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_signal_handler (&self->recent_changed_id, self->recent_manager);
  g_clear_object (&self->recent_manager);
  if (self->solo_session != NULL)
    bp_session_stop (self->solo_session);
  g_clear_object (&self->solo_session);
  g_clear_object (&self->model_file);
  g_list_free_full (g_steal_pointer (&self->pending_files), g_object_unref);
}
