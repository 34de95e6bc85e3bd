/* bp-drag-source.c — a window that drags files, for tests/app/test-drop.sh to drop on the app
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bp-drag-source FILE…
 *
 * Shows a 200×200 window whose whole area is a GtkDragSource offering FILE… as a GdkFileList,
 * the type a file manager offers and the app's drop target asks for. Under X11 GDK hands the
 * list to another process as text/uri-list (and GNOME's portal type where a portal runs): the
 * drop then crosses processes through XDND as a person's drag from Files would.
 *
 * It prints one line per event on stdout, for the test to read back:
 *   ready WIDTH HEIGHT             the window is mapped
 *   drag-begin N                   the pointer moved past the drag threshold with N files
 *   drag-end ACTION                the drop was taken; ACTION is copy, move, link or none
 *   drag-cancel REASON             no-target, user-cancelled or error
 */
#include "config.h"

#include <stdio.h>

#include <gtk/gtk.h>

#define WINDOW_SIZE 200

static const char *
action_name (GdkDragAction action)
{
  if (action & GDK_ACTION_COPY)
    return "copy";
  if (action & GDK_ACTION_MOVE)
    return "move";
  if (action & GDK_ACTION_LINK)
    return "link";
  return "none";
}

static const char *
cancel_reason_name (GdkDragCancelReason reason)
{
  switch (reason)
    {
    case GDK_DRAG_CANCEL_NO_TARGET:
      return "no-target";
    case GDK_DRAG_CANCEL_USER_CANCELLED:
      return "user-cancelled";
    case GDK_DRAG_CANCEL_ERROR:
    default:
      return "error";
    }
}

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            GSList        *files)
{
  GdkFileList *list = gdk_file_list_new_from_list (files);
  GdkContentProvider *provider;

  /* The provider keeps its own copy of the list. */
  provider = gdk_content_provider_new_typed (GDK_TYPE_FILE_LIST, list);
  g_boxed_free (GDK_TYPE_FILE_LIST, list);
  return provider;
}

static void
drag_begin_cb (GtkDragSource *source,
               GdkDrag       *drag,
               GSList        *files)
{
  printf ("drag-begin %u\n", g_slist_length (files));
  fflush (stdout);
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  printf ("drag-end %s\n", action_name (gdk_drag_get_selected_action (drag)));
  fflush (stdout);
}

static gboolean
drag_cancel_cb (GtkDragSource       *source,
                GdkDrag             *drag,
                GdkDragCancelReason  reason,
                gpointer             user_data)
{
  printf ("drag-cancel %s\n", cancel_reason_name (reason));
  fflush (stdout);
  /* FALSE keeps GTK's own animation of the icon going back, as in any app. */
  return FALSE;
}

static void
map_cb (GtkWidget *window,
        gpointer   user_data)
{
  printf ("ready %d %d\n", WINDOW_SIZE, WINDOW_SIZE);
  fflush (stdout);
}

static void
destroy_cb (GtkWidget *window,
            gboolean  *done)
{
  *done = TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoslist(GFile) files = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  GtkDragSource *source;
  GtkWidget *window;
  GtkWidget *label;
  gboolean done = FALSE;

  if (argc < 2)
    {
      fprintf (stderr, "usage: bp-drag-source FILE…\n");
      return 2;
    }
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bp-drag-source: no display\n");
      return 77;
    }

  for (int i = argc - 1; i >= 1; i--)
    files = g_slist_prepend (files, g_file_new_for_commandline_arg (argv[i]));
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *name = g_path_get_basename (argv[i]);

      g_string_append_printf (names, "%s%s", i > 1 ? "\n" : "", name);
    }

  window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), "bp-drag-source");
  gtk_window_set_default_size (GTK_WINDOW (window), WINDOW_SIZE, WINDOW_SIZE);
  gtk_window_set_resizable (GTK_WINDOW (window), FALSE);
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);

  /* The label fills the window, so a press anywhere in it starts the drag. */
  label = gtk_label_new (names->str);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_size_request (label, WINDOW_SIZE, WINDOW_SIZE);
  gtk_window_set_child (GTK_WINDOW (window), label);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (prepare_cb), files);
  g_signal_connect (source, "drag-begin", G_CALLBACK (drag_begin_cb), files);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), NULL);
  g_signal_connect (source, "drag-cancel", G_CALLBACK (drag_cancel_cb), NULL);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (source));

  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  g_signal_connect (window, "destroy", G_CALLBACK (destroy_cb), &done);
  gtk_window_present (GTK_WINDOW (window));

  while (!done)
    g_main_context_iteration (NULL, TRUE);

  return 0;
}
