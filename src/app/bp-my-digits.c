/* bp-my-digits.c — BpMyDigits, the user's own handwritten digits kept as DIGIT/NNNN.png
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "bp-my-digits.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "bp-file.h"

/* A stored picture is never larger than this (a 4K pad is 400 KB as PNG). */
#define MAX_PICTURE_BYTES (16u * 1024u * 1024u)

struct _BpMyDigits
{
  GObject parent_instance;

  char   *dir;
};

G_DEFINE_FINAL_TYPE (BpMyDigits, bp_my_digits, G_TYPE_OBJECT)

enum {
  ADDED,
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

BpMyDigits *
bp_my_digits_new (const char *dir)
{
  BpMyDigits *self = g_object_new (BP_TYPE_MY_DIGITS, NULL);

  self->dir = dir != NULL ? g_strdup (dir)
                          : g_build_filename (g_get_user_data_dir (), "backprop", "my-digits", NULL);
  return self;
}

BpMyDigits *
bp_my_digits_get_default (void)
{
  static BpMyDigits *store;

  if (g_once_init_enter (&store))
    g_once_init_leave (&store, bp_my_digits_new (NULL));
  return store;
}

const char *
bp_my_digits_get_dir (BpMyDigits *self)
{
  g_return_val_if_fail (BP_IS_MY_DIGITS (self), NULL);

  return self->dir;
}

/* The number of a stored name "NNNN.png", or 0 for any other name. */
static guint
name_number (const char *name)
{
  char *end;
  guint64 n;

  if (!g_ascii_isdigit (name[0]))
    return 0;
  n = g_ascii_strtoull (name, &end, 10);
  if (strcmp (end, ".png") != 0 || n > G_MAXUINT / 2)
    return 0;
  return (guint) n;
}

/* Write @data into @digit's folder as the next free NNNN.png; returns the path. */
static char *
create_next (BpMyDigits *self,
             guint       digit,
             const void *data,
             gsize       len,
             GError    **error)
{
  char digit_name[2] = { (char) ('0' + digit), '\0' };
  g_autofree char *folder = g_build_filename (self->dir, digit_name, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint next = 1;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   /* Translators: a folder, then why it could not be made. */
                   _("Could not make the folder “%s”: %s"), folder, g_strerror (saved));
      return NULL;
    }
  dir = g_dir_open (folder, 0, error);
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    next = MAX (next, name_number (name) + 1);

  for (guint attempt = 0; attempt < 1000; attempt++, next++)
    {
      g_autofree char *base = g_strdup_printf ("%04u.png", next);
      g_autofree char *path = g_build_filename (folder, base, NULL);
      BpError engine_error = { 0 };

      if (bp_file_create_new (path, data, len, &engine_error))
        return g_steal_pointer (&path);
      if (errno != EEXIST)
        {
          g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errno),
                               engine_error.message);
          return NULL;
        }
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS, _("No free name in “%s”"), folder);
  return NULL;
}

/* Whether @path is DIR/D/NAME.png of this store, D a digit (a picture of someone else's folder
 * is not this store's to move or delete). */
static gboolean
is_own_picture (BpMyDigits *self,
                const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *grandparent = g_path_get_dirname (parent);
  g_autofree char *digit = g_path_get_basename (parent);
  g_autofree char *base = g_path_get_basename (path);

  return strcmp (grandparent, self->dir) == 0 && strlen (digit) == 1 && g_ascii_isdigit (digit[0])
         && g_str_has_suffix (base, ".png") && base[0] != '.';
}

char *
bp_my_digits_add (BpMyDigits   *self,
                  const guint8 *grey,
                  int           width,
                  int           height,
                  int           stride,
                  guint         digit,
                  GError      **error)
{
  g_autoptr(GBytes) png = NULL;
  g_autofree char *message = NULL;
  char *path;

  g_return_val_if_fail (BP_IS_MY_DIGITS (self), NULL);
  g_return_val_if_fail (grey != NULL && digit < 10, NULL);

  png = bp_digit_folder_encode_png (grey, width, height, stride, &message);
  if (png == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, message);
      return NULL;
    }
  path = create_next (self, digit, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
  if (path != NULL)
    {
      g_signal_emit (self, signals[ADDED], 0, digit, path);
      g_signal_emit (self, signals[CHANGED], 0);
    }
  return path;
}

char *
bp_my_digits_relabel (BpMyDigits *self,
                      const char *path,
                      guint       digit,
                      GError    **error)
{
  g_autofree char *data = NULL;
  BpError engine_error = { 0 };
  char *new_path;
  size_t len;

  g_return_val_if_fail (BP_IS_MY_DIGITS (self), NULL);
  g_return_val_if_fail (path != NULL && digit < 10, NULL);

  if (!is_own_picture (self, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not one of My Digits"), path);
      return NULL;
    }
  /* The bytes are copied rather than renamed: a rename would replace a file of that name. */
  if (!bp_file_read_all (path, MAX_PICTURE_BYTES, "a picture", &data, &len, &engine_error))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, engine_error.message);
      return NULL;
    }
  new_path = create_next (self, digit, data, len, error);
  if (new_path == NULL)
    return NULL;
  if (g_unlink (path) != 0)
    {
      int saved = errno;

      g_unlink (new_path);
      g_free (new_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return NULL;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return new_path;
}

gboolean
bp_my_digits_delete (BpMyDigits *self,
                     const char *path,
                     GError    **error)
{
  g_return_val_if_fail (BP_IS_MY_DIGITS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!is_own_picture (self, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not one of My Digits"), path);
      return FALSE;
    }
  if (g_unlink (path) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

BpDigitFolder *
bp_my_digits_load (BpMyDigits *self,
                   GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  BpDigitFolder *folder;

  g_return_val_if_fail (BP_IS_MY_DIGITS (self), NULL);

  if (!g_file_test (self->dir, G_FILE_TEST_IS_DIR))
    return NULL;
  folder = bp_digit_folder_load (self->dir, &local_error);
  if (folder == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return folder;
}

gboolean
bp_my_digits_is_held_out (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *digit = g_path_get_basename (parent);
  g_autofree char *key = g_strconcat (digit, "/", base, NULL);

  /* djb2 (g_str_hash), stable across runs and machines. */
  return g_str_hash (key) % 5 == 0;
}

static void
bp_my_digits_finalize (GObject *object)
{
  BpMyDigits *self = BP_MY_DIGITS (object);

  g_free (self->dir);
  G_OBJECT_CLASS (bp_my_digits_parent_class)->finalize (object);
}

static void
bp_my_digits_class_init (BpMyDigitsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bp_my_digits_finalize;

  /* ::added (guint digit, const char *path): a picture was stored. */
  signals[ADDED] = g_signal_new ("added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);
  /* ::changed: a picture was added, relabelled or deleted. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bp_my_digits_init (BpMyDigits *self)
{
}
