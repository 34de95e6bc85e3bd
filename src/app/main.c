/* main.c — the entry point of the Backprop desktop app
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "bp-application.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(BpApplication) app = NULL;
  const char *localedir = g_getenv ("BACKPROP_LOCALEDIR");

  /* An uninstalled build reads its translations from the build folder. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = bp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
