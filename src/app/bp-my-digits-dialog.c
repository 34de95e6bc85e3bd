/* bp-my-digits-dialog.c — My Digits in the app: the Add popover and the gallery window
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The popover asks which digit the drawing is, offering the network's guess (a person who
 * has picked another digit keeps it until the pad is cleared), and stores the drawing with
 * bp_my_digits_add(). Typing a digit picks it; Enter adds.
 *
 * The gallery is a list, one row per picture: what the network sees (the preprocessed 28×28
 * input, dark ink on paper), its digit, its file, whether it is held out of Train on My Digits
 * to test on, a drop-down to relabel it and a button to delete it. On a row, typing a digit
 * relabels the picture and Delete deletes it, so the keyboard does everything; each row, drop-
 * down and button has a name a screen reader reads ("A 7, picture 0003.png, held out to test").
 */
#include "config.h"

#include "bp-my-digits-dialog.h"

#include <glib/gi18n.h>
#include <math.h>

#include "bp-default-model.h"
#include "bp-my-digits-train.h"
#include "bp-preprocess.h"

#define THUMB 56

struct _BpMyDigitsDialog
{
  AdwWindow   parent_instance;

  BpMyDigits *store;
  GWeakRef    session;    /* the Draw view's, whose network reads the digits */
  GtkStack   *stack;
  GtkListBox *list;
  GtkLabel   *summary;
  GtkLabel   *reading;    /* how the network reads them */
  GtkWidget  *train;      /* Train on My Digits */
  GtkLabel   *trained;    /* what training on them did */
  gboolean    training;
  guint       n_digits;
  int         focus_row;  /* the row to focus after a reload, or -1 */
};

G_DEFINE_FINAL_TYPE (BpMyDigitsDialog, bp_my_digits_dialog, ADW_TYPE_WINDOW)

static const char * const digit_names[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL };

/* The digit a key types, or -1. */
static int
key_digit (guint keyval)
{
  if (keyval >= GDK_KEY_0 && keyval <= GDK_KEY_9)
    return (int) (keyval - GDK_KEY_0);
  if (keyval >= GDK_KEY_KP_0 && keyval <= GDK_KEY_KP_9)
    return (int) (keyval - GDK_KEY_KP_0);
  return -1;
}

/* ── The gallery ──────────────────────────────────────────────────────────────────────────── */

static GdkTexture *
digit_texture (const guint8 *pixels)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 rgb[BP_PREPROCESS_N_PIXELS * 3];

  /* Dark ink on paper, as the picture was drawn. */
  for (guint i = 0; i < BP_PREPROCESS_N_PIXELS; i++)
    rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (guint8) (255 - pixels[i]);
  bytes = g_bytes_new (rgb, sizeof rgb);
  return gdk_memory_texture_new (BP_PREPROCESS_SIDE, BP_PREPROCESS_SIDE, GDK_MEMORY_R8G8B8, bytes,
                                 BP_PREPROCESS_SIDE * 3);
}

static void
report_error (BpMyDigitsDialog *self,
              const GError     *error)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("My Digits"),
                                                       error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
relabel (BpMyDigitsDialog *self,
         GtkWidget        *row,
         guint             digit)
{
  const char *path = g_object_get_data (G_OBJECT (row), "path");
  guint label = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "digit"));
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;

  if (digit == label)
    return;
  self->focus_row = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  moved = bp_my_digits_relabel (self->store, path, digit, &error);
  if (moved == NULL)
    report_error (self, error);
}

static void
delete_row (BpMyDigitsDialog *self,
            GtkWidget        *row)
{
  g_autoptr(GError) error = NULL;

  self->focus_row = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));
  if (!bp_my_digits_delete (self->store, g_object_get_data (G_OBJECT (row), "path"), &error))
    report_error (self, error);
}

static void
dropdown_selected_cb (GtkDropDown      *dropdown,
                      GParamSpec       *pspec,
                      BpMyDigitsDialog *self)
{
  GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (dropdown), GTK_TYPE_LIST_BOX_ROW);

  relabel (self, row, gtk_drop_down_get_selected (dropdown));
}

static void
delete_clicked_cb (GtkButton        *button,
                   BpMyDigitsDialog *self)
{
  delete_row (self, gtk_widget_get_ancestor (GTK_WIDGET (button), GTK_TYPE_LIST_BOX_ROW));
}

static gboolean
row_key_pressed_cb (GtkEventControllerKey *controller,
                    guint                  keyval,
                    guint                  keycode,
                    GdkModifierType        state,
                    BpMyDigitsDialog      *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  int digit = key_digit (keyval);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return FALSE;
  if (digit >= 0)
    {
      relabel (self, row, (guint) digit);
      return TRUE;
    }
  if (keyval == GDK_KEY_Delete || keyval == GDK_KEY_KP_Delete)
    {
      delete_row (self, row);
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
make_row (BpMyDigitsDialog *self,
          const guint8     *pixels,
          guint             digit,
          const char       *path,
          int               predicted,
          float             confidence)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autoptr(GdkTexture) texture = digit_texture (pixels);
  gboolean held_out = bp_my_digits_is_held_out (path);
  g_autofree char *row_name = NULL;
  g_autofree char *dropdown_name = NULL;
  g_autofree char *delete_name = NULL;
  g_autofree char *digit_text = g_strdup_printf ("%u", digit);
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (texture));
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *big = gtk_label_new (digit_text);
  GtkWidget *small;
  GtkWidget *dropdown = gtk_drop_down_new_from_strings ((const char * const *) digit_names);
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  GtkEventController *keys = gtk_event_controller_key_new ();

  g_autofree char *small_text = held_out
    /* Translators: a picture's file name, kept out of Train on My Digits to test on. */
    ? g_strdup_printf (_("%s · held out to test"), base)
    : g_strdup (base);

  g_autofree char *read_text = predicted < 0 ? NULL
    /* Translators: how the network reads a stored digit: the digit and how sure, in %. */
    : g_strdup_printf (_("Read as %d, %.0f%%"), predicted, 100.0 * confidence);

  small = gtk_label_new (small_text);

  g_object_set_data_full (G_OBJECT (row), "path", g_strdup (path), g_free);
  g_object_set_data (G_OBJECT (row), "digit", GUINT_TO_POINTER (digit));

  gtk_widget_set_size_request (picture, THUMB, THUMB);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), FALSE);
  gtk_widget_add_css_class (picture, "card");
  gtk_widget_add_css_class (big, "title-2");
  gtk_label_set_xalign (GTK_LABEL (big), 0);
  gtk_label_set_xalign (GTK_LABEL (small), 0);
  gtk_widget_add_css_class (small, "caption");
  gtk_widget_add_css_class (small, "dim-label");
  gtk_box_append (GTK_BOX (text), big);
  gtk_box_append (GTK_BOX (text), small);
  if (read_text != NULL)
    {
      GtkWidget *read = gtk_label_new (read_text);

      gtk_label_set_xalign (GTK_LABEL (read), 0);
      gtk_widget_add_css_class (read, "caption");
      gtk_widget_add_css_class (read, (guint) predicted == digit ? "success" : "error");
      gtk_box_append (GTK_BOX (text), read);
    }
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);

  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), digit);
  gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
  /* Translators: the drop-down that changes which digit a picture is; "Relabel" in the
   * tooltip. */
  gtk_widget_set_tooltip_text (dropdown, _("Relabel: which digit this is (or type the digit)"));
  g_signal_connect (dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self);

  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, _("Delete this picture (Delete)"));
  g_signal_connect (remove, "clicked", G_CALLBACK (delete_clicked_cb), self);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), picture);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), dropdown);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  row_name = held_out
    /* Translators: a row of the My Digits gallery, read by a screen reader. */
    ? g_strdup_printf (_("A %u, picture %s, held out to test"), digit, base)
    : g_strdup_printf (_("A %u, picture %s"), digit, base);
  if (read_text != NULL)
    {
      char *with = g_strdup_printf ("%s. %s", row_name, read_text);

      g_free (row_name);
      row_name = with;
    }
  /* Translators: the relabel drop-down of one picture, read by a screen reader. */
  dropdown_name = g_strdup_printf (_("Digit of picture %s"), base);
  /* Translators: the delete button of one picture, read by a screen reader. */
  delete_name = g_strdup_printf (_("Delete picture %s"), base);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, row_name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Type a digit to relabel it, Delete to delete it"), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (picture), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  row_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  dropdown_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  delete_name, -1);

  g_signal_connect (keys, "key-pressed", G_CALLBACK (row_key_pressed_cb), self);
  gtk_widget_add_controller (row, keys);
  return row;
}

static void
reload (BpMyDigitsDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(BpDigitFolder) folder = bp_my_digits_load (self->store, &error);
  g_autoptr(BpSession) session = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autofree char *source = NULL;
  g_autofree float *scratch = NULL;
  g_autofree float *out = NULL;
  float input[BP_PREPROCESS_N_PIXELS];
  const BpNetwork *net;
  GtkWidget *child;
  guint n_held = 0, n_right = 0, n_held_right = 0;
  g_autofree char *summary = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);

  self->n_digits = folder != NULL ? (guint) folder->set->n : 0;
  session = g_weak_ref_get (&self->session);
  net = bp_default_model_choose (session, &snapshot, &source);
  if (net != NULL && (net->n_inputs != BP_PREPROCESS_N_PIXELS || net->n_outputs < 10))
    net = NULL;
  if (net != NULL)
    {
      scratch = g_new (float, bp_network_scratch_size (net));
      out = g_new (float, net->n_outputs);
    }
  for (guint i = 0; i < self->n_digits; i++)
    {
      const char *path = folder->paths->pdata[i];
      const guint8 *pixels = folder->set->pixels + (gsize) i * BP_PREPROCESS_N_PIXELS;
      gboolean held = bp_my_digits_is_held_out (path);
      int predicted = -1;
      float confidence = 0;

      if (net != NULL)
        {
          bp_dataset_gather (folder->set, &(size_t) { i }, 1, input);
          bp_network_predict (net, input, out, scratch);
          predicted = 0;
          for (guint k = 1; k < 10; k++)
            if (out[k] > out[predicted])
              predicted = (int) k;
          confidence = out[predicted];
          if ((guint) predicted == folder->set->labels[i])
            {
              n_right++;
              n_held_right += held;
            }
        }
      n_held += held;
      gtk_list_box_append (self->list, make_row (self, pixels, folder->set->labels[i], path,
                                                 predicted, confidence));
    }
  if (net != NULL && self->n_digits > 0)
    {
      g_autofree char *reading = g_strdup_printf (
        /* Translators: which network reads the digits (a sentence), then how many of all the
         * stored digits and of those held out it reads right. */
        _("%s\nIt reads %u of %u of your digits right, %u of the %u held out."), source,
        n_right, self->n_digits, n_held_right, n_held);

      gtk_label_set_text (self->reading, reading);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->reading), net != NULL && self->n_digits > 0);
  gtk_widget_set_sensitive (self->train, !self->training && self->n_digits > n_held
                                         && bp_my_digits_can_train (session));

  gtk_stack_set_visible_child_name (self->stack, self->n_digits > 0 ? "list" : "empty");
  summary = g_strdup_printf (
    /* Translators: the count of stored digits, how many are held out, and the folder. */
    g_dngettext (GETTEXT_PACKAGE, "%u digit, %u held out to test, in %s",
                 "%u digits, %u held out to test, in %s", self->n_digits),
    self->n_digits, n_held, bp_my_digits_get_dir (self->store));
  gtk_label_set_text (self->summary, summary);
  if (error != NULL)
    gtk_label_set_text (self->summary, error->message);

  if (self->focus_row >= 0 && self->n_digits > 0)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list,
                                                          MIN (self->focus_row, (int) self->n_digits - 1));

      gtk_widget_grab_focus (GTK_WIDGET (row));
    }
  self->focus_row = -1;
}

/* ── Train on My Digits ───────────────────────────────────────────────────────────────────── */

static void
train_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(BpMyDigitsDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  BpMyDigitsTrainResult r;

  self->training = FALSE;
  if (!bp_my_digits_train_finish (BP_SESSION (source), result, &r, &error))
    text = g_strdup (error->message);
  else if (isnan (r.test_before))
    text = g_strdup_printf (
      /* Translators: after Train on My Digits: the digits trained on, how many times each,
       * then the held-out digits read right before and after. */
      _("Trained one epoch with %u of your digits, each %u times. Held-out digits read right: "
        "%u of %u before, %u after."),
      r.n_train, r.repeat, r.held_right_before, r.n_held, r.held_right_after);
  else
    text = g_strdup_printf (
      /* Translators: as above, then MNIST's test accuracy before and after, in %. */
      _("Trained one epoch with %u of your digits, each %u times. Held-out digits read right: "
        "%u of %u before, %u after. MNIST test accuracy: %.2f%% before, %.2f%% after."),
      r.n_train, r.repeat, r.held_right_before, r.n_held, r.held_right_after,
      100.0 * r.test_before, 100.0 * r.test_after);
  gtk_label_set_text (self->trained, text);
  gtk_widget_set_visible (GTK_WIDGET (self->trained), TRUE);
  reload (self);
}

static void
train_clicked_cb (BpMyDigitsDialog *self)
{
  g_autoptr(BpSession) session = g_weak_ref_get (&self->session);

  if (session == NULL || self->training)
    return;
  self->training = TRUE;
  gtk_widget_set_sensitive (self->train, FALSE);
  gtk_label_set_text (self->trained, _("Training on MNIST and your digits…"));
  gtk_widget_set_visible (GTK_WIDGET (self->trained), TRUE);
  bp_my_digits_train_async (session, self->store, NULL, train_done_cb, g_object_ref (self));
}

guint
bp_my_digits_dialog_get_n_digits (BpMyDigitsDialog *self)
{
  g_return_val_if_fail (BP_IS_MY_DIGITS_DIALOG (self), 0);

  return self->n_digits;
}

static void
bp_my_digits_dialog_dispose (GObject *object)
{
  BpMyDigitsDialog *self = BP_MY_DIGITS_DIALOG (object);

  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);
  g_clear_object (&self->store);
  g_weak_ref_set (&self->session, NULL);
  G_OBJECT_CLASS (bp_my_digits_dialog_parent_class)->dispose (object);
}

static void
bp_my_digits_dialog_finalize (GObject *object)
{
  BpMyDigitsDialog *self = BP_MY_DIGITS_DIALOG (object);

  g_weak_ref_clear (&self->session);
  G_OBJECT_CLASS (bp_my_digits_dialog_parent_class)->finalize (object);
}

static void
bp_my_digits_dialog_class_init (BpMyDigitsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bp_my_digits_dialog_dispose;
  object_class->finalize = bp_my_digits_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bp_my_digits_dialog_init (BpMyDigitsDialog *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *status = adw_status_page_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *reading = gtk_label_new (NULL);

  self->focus_row = -1;
  g_weak_ref_init (&self->session, NULL);
  gtk_window_set_title (GTK_WINDOW (self), _("My Digits"));
  gtk_window_set_default_size (GTK_WINDOW (self), 520, 520);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  adw_status_page_set_icon_name (ADW_STATUS_PAGE (status), "document-edit-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (status), _("No Digits Yet"));
  adw_status_page_set_description (ADW_STATUS_PAGE (status),
                                   _("Draw a digit in the Draw view and choose Add to My Digits "
                                     "(Ctrl+D)."));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("My Digits"), -1);
  self->summary = GTK_LABEL (summary);
  gtk_label_set_xalign (self->summary, 0);
  gtk_label_set_wrap (self->summary, TRUE);
  gtk_label_set_wrap_mode (self->summary, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->summary, TRUE);
  gtk_widget_add_css_class (summary, "dim-label");
  gtk_widget_add_css_class (summary, "caption");
  self->reading = GTK_LABEL (reading);
  gtk_label_set_xalign (self->reading, 0);
  gtk_label_set_wrap (self->reading, TRUE);
  gtk_label_set_wrap_mode (self->reading, PANGO_WRAP_WORD_CHAR);
  self->train = gtk_button_new_with_mnemonic (_("_Train on My Digits"));
  gtk_widget_set_halign (self->train, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (self->train,
                               _("One epoch over MNIST with your digits mixed in (the held-out "
                                 "ones left out), so the network learns your hand without "
                                 "forgetting MNIST"));
  g_signal_connect_swapped (self->train, "clicked", G_CALLBACK (train_clicked_cb), self);
  self->trained = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->trained, 0);
  gtk_label_set_wrap (self->trained, TRUE);
  gtk_label_set_wrap_mode (self->trained, PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_visible (GTK_WIDGET (self->trained), FALSE);
  gtk_box_append (GTK_BOX (column), summary);
  gtk_box_append (GTK_BOX (column), reading);
  gtk_box_append (GTK_BOX (column), self->train);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->trained));
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (self->list));
  gtk_widget_set_margin_top (column, 12);
  gtk_widget_set_margin_bottom (column, 12);
  gtk_widget_set_margin_start (column, 12);
  gtk_widget_set_margin_end (column, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), column);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, status, "empty");
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  gtk_box_append (GTK_BOX (content), header);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->stack));
  adw_window_set_content (ADW_WINDOW (self), content);
}

static void
store_changed_cb (BpMyDigitsDialog *self)
{
  reload (self);
}

BpMyDigitsDialog *
bp_my_digits_dialog_new (GtkWindow  *parent,
                         BpMyDigits *store,
                         BpSession  *session)
{
  BpMyDigitsDialog *self = g_object_new (BP_TYPE_MY_DIGITS_DIALOG, "transient-for", parent, NULL);

  self->store = g_object_ref (store);
  g_weak_ref_set (&self->session, session);
  g_signal_connect_swapped (store, "changed", G_CALLBACK (store_changed_cb), self);
  self->focus_row = 0;
  reload (self);
  return self;
}

/* ── The Draw view's popover ──────────────────────────────────────────────────────────────── */

typedef struct
{
  BpDrawView  *view;      /* the popover is the view's: no reference */
  GtkPopover  *popover;
  GtkDropDown *digit;
  GtkWidget   *add;
  GtkLabel    *status;
  gboolean     chosen;    /* the person picked the digit since the pad was last empty */
  gboolean     setting;   /* the code is setting the drop-down */
} AddPopover;

static void
set_digit (AddPopover *ap,
           guint       digit)
{
  ap->setting = TRUE;
  gtk_drop_down_set_selected (ap->digit, digit);
  ap->setting = FALSE;
}

static void
popover_show_cb (AddPopover *ap)
{
  int guess = bp_draw_view_get_guess (ap->view);
  gboolean can_add = guess >= 0;

  if (!ap->chosen && guess >= 0)
    set_digit (ap, (guint) guess);
  gtk_widget_set_sensitive (ap->add, can_add);
  gtk_widget_set_sensitive (GTK_WIDGET (ap->digit), can_add);
  gtk_label_set_text (ap->status, can_add ? _("Type the digit, then Enter.")
                                          : _("Draw a digit on the pad first."));
  /* Enter adds; a digit key picks the digit wherever the focus is. */
  gtk_widget_grab_focus (ap->add);
}

static void
digit_chosen_cb (AddPopover *ap)
{
  if (!ap->setting)
    ap->chosen = TRUE;
}

static void
add_clicked_cb (AddPopover *ap)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *grey = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  guint digit = gtk_drop_down_get_selected (ap->digit);
  int width = 0, height = 0;

  grey = bp_draw_view_get_drawing (ap->view, &width, &height);
  if (grey == NULL)
    return;
  path = bp_my_digits_add (bp_my_digits_get_default (), grey, width, height, width, digit, &error);
  if (path == NULL)
    {
      gtk_label_set_text (ap->status, error->message);
      return;
    }
  {
    g_autofree char *base = g_path_get_basename (path);

    /* Translators: a digit was stored; the digit and its file name. */
    text = g_strdup_printf (_("Added as a %u (%s)."), digit, base);
  }
  gtk_label_set_text (ap->status, text);
  /* Heard by a screen reader: the button that opens the popover says what was done. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (GTK_WIDGET (ap->popover))),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
  gtk_popover_popdown (ap->popover);
}

static void
show_gallery (BpDrawView *view)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (view));
  BpMyDigitsDialog *dialog = bp_my_digits_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                      bp_my_digits_get_default (),
                                                      bp_view_get_session (BP_VIEW (view)));

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
show_clicked_cb (AddPopover *ap)
{
  gtk_popover_popdown (ap->popover);
  show_gallery (ap->view);
}

static gboolean
popover_key_pressed_cb (GtkEventControllerKey *controller,
                        guint                  keyval,
                        guint                  keycode,
                        GdkModifierType        state,
                        AddPopover            *ap)
{
  int digit = key_digit (keyval);

  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0 || digit < 0
      || !gtk_widget_get_sensitive (GTK_WIDGET (ap->digit)))
    return FALSE;
  gtk_drop_down_set_selected (ap->digit, (guint) digit);
  return TRUE;
}

static void
pad_changed_cb (AddPopover *ap)
{
  /* A new drawing: the guess is offered again. */
  if (bp_draw_view_get_guess (ap->view) < 0)
    ap->chosen = FALSE;
}

void
bp_my_digits_setup_button (GtkMenuButton *button,
                           BpDrawView    *view)
{
  AddPopover *ap = g_new0 (AddPopover, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *heading = gtk_label_new (_("Add to My Digits"));
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label = gtk_label_new_with_mnemonic (_("Which _digit it is"));
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *show = gtk_button_new_with_mnemonic (_("_Show My Digits…"));
  GtkEventController *keys = gtk_event_controller_key_new ();

  g_return_if_fail (GTK_IS_MENU_BUTTON (button));

  ap->view = view;
  ap->popover = GTK_POPOVER (gtk_popover_new ());
  ap->digit = GTK_DROP_DOWN (gtk_drop_down_new_from_strings ((const char * const *) digit_names));
  ap->add = gtk_button_new_with_mnemonic (_("_Add"));
  ap->status = GTK_LABEL (status);
  g_object_set_data_full (G_OBJECT (ap->popover), "bp-add-popover", ap, g_free);

  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), GTK_WIDGET (ap->digit));
  gtk_widget_set_hexpand (label, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (row), label);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (ap->digit));
  gtk_widget_add_css_class (ap->add, "suggested-action");
  gtk_label_set_xalign (ap->status, 0);
  gtk_label_set_wrap (ap->status, TRUE);
  gtk_label_set_max_width_chars (ap->status, 30);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_box_append (GTK_BOX (box), heading);
  gtk_box_append (GTK_BOX (box), row);
  gtk_box_append (GTK_BOX (box), ap->add);
  gtk_box_append (GTK_BOX (box), status);
  gtk_box_append (GTK_BOX (box), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL));
  gtk_box_append (GTK_BOX (box), show);
  gtk_popover_set_child (ap->popover, box);
  gtk_popover_set_default_widget (ap->popover, ap->add);

  g_signal_connect_swapped (ap->popover, "show", G_CALLBACK (popover_show_cb), ap);
  g_signal_connect_swapped (ap->digit, "notify::selected", G_CALLBACK (digit_chosen_cb), ap);
  g_signal_connect_swapped (ap->add, "clicked", G_CALLBACK (add_clicked_cb), ap);
  g_signal_connect_swapped (show, "clicked", G_CALLBACK (show_clicked_cb), ap);
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (popover_key_pressed_cb), ap);
  gtk_widget_add_controller (GTK_WIDGET (ap->popover), keys);
  g_signal_connect_swapped (view, "strokes-removed", G_CALLBACK (pad_changed_cb), ap);

  gtk_menu_button_set_popover (button, GTK_WIDGET (ap->popover));
  g_object_set_data (G_OBJECT (view), "bp-my-digits-button", button);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  GtkMenuButton *button = g_object_get_data (G_OBJECT (widget), "bp-my-digits-button");

  if (button != NULL)
    gtk_menu_button_popup (button);
}

static void
show_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  show_gallery (BP_DRAW_VIEW (widget));
}

void
bp_my_digits_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "draw.add-to-my-digits", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "draw.show-my-digits", NULL, show_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK,
                                       "draw.add-to-my-digits", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_d, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "draw.show-my-digits", NULL);
}
