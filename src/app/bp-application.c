/* bp-application.c — BpApplication: the Backprop desktop application
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-application.h"

#include <glib/gi18n.h>

#include "bp-test-probe.h"
#include "bp-window.h"

struct _BpApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (BpApplication, bp_application, ADW_TYPE_APPLICATION)

/* The window, made the first time; in the test mode it gets the probe that prints the event
 * lines. */
static GtkWindow *
get_window (GApplication *application)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (bp_window_new (GTK_APPLICATION (application)));
      bp_test_probe_attach (BP_WINDOW (window));
    }
  return window;
}

static void
bp_application_activate (GApplication *application)
{
  gtk_window_present (get_window (application));
}

/* `backprop FILE…` and "Open With": models, sessions and PNG pictures (bp_window_open_file). */
static void
bp_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  GtkWindow *window = get_window (application);

  gtk_window_present (window);
  for (int i = 0; i < n_files; i++)
    bp_window_open_file (BP_WINDOW (window), files[i]);
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows;

  /* Close the windows, as Ctrl+W and the close button do, rather than destroying them: a
   * window's close request saves the settings the next launch starts from. Closing still
   * destroys each one, so that it stops and joins its training thread and reports its frame
   * times, rather than only leaving the main loop. Closing one may destroy others (its
   * dialogs), hence the references. */
  windows = g_list_copy (gtk_application_get_windows (app));
  g_list_foreach (windows, (GFunc) (void (*) (void)) g_object_ref, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free_full (windows, g_object_unref);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { "The Backprop authors https://github.com/nndl/backprop", NULL };
  const char *book[] = { "Michael Nielsen https://michaelnielsen.org/", NULL };
  const char *mnist[] = { "Yann LeCun http://yann.lecun.com/exdb/mnist/", "Corinna Cortes",
                          "Christopher J. C. Burges", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  adw_about_window_set_application_name (about, _("Backprop"));
  adw_about_window_set_application_icon (about, APPLICATION_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, _("The Backprop authors"));
  adw_about_window_set_comments (about,
                                 _("Train neural networks on handwritten digits and watch them "
                                   "learn, following Michael Nielsen’s “Neural Networks and "
                                   "Deep Learning”."));
  adw_about_window_set_website (about, "https://github.com/nndl/backprop");
  adw_about_window_set_issue_url (about, "https://github.com/nndl/backprop/issues");
  adw_about_window_set_developers (about, developers);
  /* Translators: put your names here, one per line, to be credited in the About window. */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  adw_about_window_set_copyright (about, "© 2026 The Backprop authors");
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_add_link (about, _("Neural Networks and Deep Learning"),
                             "http://neuralnetworksanddeeplearning.com/");
  adw_about_window_add_link (about, _("The MNIST Database"), "http://yann.lecun.com/exdb/mnist/");
  /* The networks, costs and experiments are the book's, and the digits MNIST's. */
  adw_about_window_add_credit_section (about, _("The Book"), book);
  adw_about_window_add_acknowledgement_section (about, _("The MNIST Database of Handwritten Digits"),
                                                mnist);
  adw_about_window_set_release_notes_version (about, "0.1.0");
  adw_about_window_set_release_notes (about,
                                      _("<p>The first release: the book’s networks of chapters 1 "
                                        "to 3 on MNIST, live cost and accuracy curves, weight "
                                        "heatmaps, a pad to draw digits on, the test set’s "
                                        "mistakes, and model and session files that move "
                                        "between Backprop and network2.py.</p>"));
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
};

static void
bp_application_startup (GApplication *application)
{
  GtkApplication *app = GTK_APPLICATION (application);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *close_accels[] = { "<Control>w", NULL };

  G_APPLICATION_CLASS (bp_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (app, "app.quit", quit_accels);
  gtk_application_set_accels_for_action (app, "window.close", close_accels);
}

static void
bp_application_class_init (BpApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = bp_application_activate;
  app_class->open = bp_application_open;
  app_class->startup = bp_application_startup;
}

static void
bp_application_init (BpApplication *self)
{
}

BpApplication *
bp_application_new (void)
{
  return g_object_new (BP_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/nndl/Backprop",
                       NULL);
}
