/* bp-mistakes-view.c — the Mistakes view: the test set's confusion matrix and its misread digits
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole test set is classified off the main thread (a GTask with its own reference to the
 * network's snapshot, the session that owns the data and a cancellable), when the view is shown
 * with a network it has not evaluated yet and after each epoch while it shows. bp_evaluate()
 * gives the confusion matrix and bp_find_mistakes() the mistakes, most confident first; one more
 * pass keeps every image's answer so that a click on any cell, the diagonal too, lists its
 * images.
 */
#include "config.h"

#include "bp-mistakes-view.h"

#include <glib/gi18n.h>

#include "bp-confusion-matrix.h"
#include "bp-default-model.h"
#include "bp-digit-gallery.h"
#include "bp-metrics.h"

#define MAX_SHOWN   240   /* digits in the gallery: the most confident ones */
#define BATCH       100

typedef struct
{
  BpSession       *session;   /* keeps the test set alive */
  BpSnapshot      *snapshot;  /* keeps the network alive, or NULL for the default model */
  const BpNetwork *net;
  char            *description; /* which network, for the user */
} Job;

typedef struct
{
  gsize      confusion[10 * 10];
  guint      n_classes;
  gsize      n;
  double     accuracy;
  BpMistake *mistakes;        /* most confident first */
  gsize      n_mistakes;
  guint8    *predicted;       /* (n) */
  float     *confidence;      /* (n) */
  gboolean   probabilities;   /* a softmax output; sigmoid activations are not probabilities */
} Result;

struct _BpMistakesView
{
  BpView             parent_instance;

  /* Template children */
  GtkStack          *stack;
  GtkSpinner        *spinner;
  GtkLabel          *summary_label;
  BpConfusionMatrix *matrix;
  GtkLabel          *gallery_title;
  GtkLabel          *gallery_caption;
  GtkButton         *all_button;
  BpDigitGallery    *gallery;
  GtkScrolledWindow *gallery_scroller;

  GCancellable      *cancellable;
  Result            *result;
  guint64            serial;          /* of the snapshot evaluated; 0 for the default model */
  guint              generation;
  gboolean           evaluated;
  gboolean           pending;         /* asked again while a job ran */
  int                cell_true;
  int                cell_predicted;
  gboolean           focus_pending;   /* shown by the user, the matrix to get the keyboard */
};

G_DEFINE_FINAL_TYPE (BpMistakesView, bp_mistakes_view, BP_TYPE_VIEW)

enum {
  TEST_IMAGE_ACTIVATED,
  TEST_SET_CLASSIFIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (BpMistakesView *self);

/* The keyboard goes to the matrix when the view has been shown and the matrix is there: at
 * once, or when the test set's results come in. In the second case the user may have gone on
 * to type in a text field meanwhile, which keeps the focus (@check). */
static void
maybe_take_focus (BpMistakesView *self,
                  gboolean        check)
{
  if (!self->focus_pending || !gtk_widget_get_mapped (GTK_WIDGET (self))
      || g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "results") != 0)
    return;
  self->focus_pending = FALSE;
  if (check && !bp_view_may_take_focus (BP_VIEW (self)))
    return;
  bp_view_take_focus (BP_VIEW (self), GTK_WIDGET (self->matrix));
}

/* A spinner keeps its window redrawing even on a hidden page: it turns only while it shows. */
static void
show_page (BpMistakesView *self,
           const char     *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (name, "loading"));
  maybe_take_focus (self, TRUE);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_object (&job->session);
  g_clear_pointer (&job->snapshot, bp_snapshot_unref);
  g_free (job->description);
  g_free (job);
}

static void
result_free (Result *result)
{
  if (result == NULL)
    return;
  free (result->mistakes);
  g_free (result->predicted);
  g_free (result->confidence);
  g_free (result);
}

/* ── The worker ───────────────────────────────────────────────────────────────────────────── */

static void
evaluate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Job *job = task_data;
  const BpDataset *test = bp_session_get_test_set (job->session);
  const BpNetwork *net = job->net;
  gsize n_out = net->n_outputs;
  Result *result = g_new0 (Result, 1);
  BpEvaluation evaluation = { 0 };
  BpError error = { 0 };
  BpWorkspace *ws;
  g_autofree float *x = NULL;
  g_autofree size_t *indices = NULL;
  size_t n_mistakes;

  if (!bp_evaluate (net, test, 0.0f, 0.0f, test->n, TRUE, &evaluation, &error))
    {
      result_free (result);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", error.message);
      return;
    }
  result->n = evaluation.n;
  result->accuracy = evaluation.accuracy;
  result->probabilities = net->arch.output == BP_OUTPUT_SOFTMAX;
  result->n_classes = (guint) MIN (evaluation.n_classes, 10);
  for (guint t = 0; t < result->n_classes; t++)
    for (guint p = 0; p < result->n_classes; p++)
      result->confusion[t * result->n_classes + p] = evaluation.confusion[t * evaluation.n_classes + p];
  bp_evaluation_clear (&evaluation);

  if (g_task_return_error_if_cancelled (task))
    {
      result_free (result);
      return;
    }

  n_mistakes = bp_find_mistakes (net, test, &result->mistakes, &error);
  if (n_mistakes == (size_t) -1)
    {
      result_free (result);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", error.message);
      return;
    }
  result->n_mistakes = n_mistakes;

  /* Every image's answer, for the cells. */
  ws = bp_workspace_new (net, BATCH, &error);
  if (ws == NULL)
    {
      result_free (result);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", error.message);
      return;
    }
  result->predicted = g_new (guint8, MAX (test->n, 1));
  result->confidence = g_new (float, MAX (test->n, 1));
  x = g_new (float, BATCH * test->n_pixels);
  indices = g_new (size_t, BATCH);
  for (gsize start = 0; start < test->n; start += BATCH)
    {
      gsize batch = MIN (BATCH, test->n - start);
      const float *out;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      for (gsize i = 0; i < batch; i++)
        indices[i] = start + i;
      bp_dataset_gather (test, indices, batch, x);
      out = bp_network_forward (net, ws, x, batch, BP_KERNEL_FAST);
      for (gsize i = 0; i < batch; i++)
        {
          const float *o = out + i * n_out;
          gsize top = 0;

          for (gsize k = 1; k < n_out; k++)
            if (o[k] > o[top])
              top = k;
          result->predicted[start + i] = (guint8) top;
          result->confidence[start + i] = o[top];
        }
    }
  bp_workspace_free (ws);

  if (g_task_return_error_if_cancelled (task))
    {
      result_free (result);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) result_free);
}

/* ── Showing results ──────────────────────────────────────────────────────────────────────── */

static void
show_digits (BpMistakesView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  const BpDataset *test = bp_session_get_test_set (session);
  Result *r = self->result;
  g_autoptr(GArray) digits = g_array_new (FALSE, FALSE, sizeof (BpGalleryDigit));
  g_autofree char *title = NULL;
  g_autofree char *caption = NULL;
  gsize total = 0;

  if (self->cell_true < 0)
    {
      for (gsize i = 0; i < r->n_mistakes && digits->len < MAX_SHOWN; i++)
        {
          BpGalleryDigit d;

          memcpy (d.pixels, test->pixels + r->mistakes[i].index * test->n_pixels, sizeof d.pixels);
          d.index = (guint) r->mistakes[i].index;
          d.label = r->mistakes[i].label;
          d.predicted = r->mistakes[i].predicted;
          d.confidence = r->mistakes[i].confidence;
          g_array_append_val (digits, d);
        }
      total = r->n_mistakes;
      title = g_strdup_printf (ngettext ("%zu mistake", "%zu mistakes", total), total);
    }
  else
    {
      for (gsize i = 0; i < test->n; i++)
        if (test->labels[i] == self->cell_true && r->predicted[i] == self->cell_predicted)
          {
            BpGalleryDigit d;

            total++;
            memcpy (d.pixels, test->pixels + i * test->n_pixels, sizeof d.pixels);
            d.index = (guint) i;
            d.label = test->labels[i];
            d.predicted = r->predicted[i];
            d.confidence = r->confidence[i];
            g_array_append_val (digits, d);
          }
      /* Most confident first, as in the list of all mistakes. */
      for (guint i = 1; i < digits->len; i++)
        for (guint j = i; j > 0
             && g_array_index (digits, BpGalleryDigit, j).confidence > g_array_index (digits, BpGalleryDigit, j - 1).confidence;
             j--)
          {
            BpGalleryDigit tmp = g_array_index (digits, BpGalleryDigit, j);

            g_array_index (digits, BpGalleryDigit, j) = g_array_index (digits, BpGalleryDigit, j - 1);
            g_array_index (digits, BpGalleryDigit, j - 1) = tmp;
          }
      if (digits->len > MAX_SHOWN)
        g_array_set_size (digits, MAX_SHOWN);
      if (self->cell_true == self->cell_predicted)
        title = g_strdup_printf (_("Images of a %d read correctly: %zu"), self->cell_true, total);
      else
        title = g_strdup_printf (_("Images of a %d taken for a %d: %zu"), self->cell_true,
                                 self->cell_predicted, total);
    }
  /* The heading is short, so that it does not wrap in a narrow column (in Chinese, a last line
   * of one character and a bracket); the order and how many are shown go in the caption. */
  if (total > digits->len)
    caption = g_strdup_printf (ngettext ("The %u most confident shown. Click a digit to open it "
                                         "in the Draw view and see why.",
                                         "The %u most confident shown. Click a digit to open it "
                                         "in the Draw view and see why.",
                                         digits->len),
                               digits->len);
  else
    caption = g_strdup (_("The most confident first. Click a digit to open it in the Draw view and "
                          "see why."));
  gtk_label_set_text (self->gallery_title, title);
  gtk_label_set_text (self->gallery_caption, caption);
  gtk_widget_set_visible (GTK_WIDGET (self->all_button), self->cell_true >= 0);
  bp_digit_gallery_set_digits (self->gallery, (const BpGalleryDigit *) (gpointer) digits->data, digits->len);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->gallery_scroller), 0.0);
}

static void
evaluate_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Result *result = g_task_propagate_pointer (G_TASK (res), &error);
  BpMistakesView *self;
  g_autofree char *summary = NULL;
  Job *job;

  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Mistakes view: %s", error->message);
      return;
    }
  self = BP_MISTAKES_VIEW (source);
  job = g_task_get_task_data (G_TASK (res));
  g_clear_object (&self->cancellable);
  result_free (self->result);
  self->result = result;

  summary = g_strdup_printf (_("%s: %.2f%% of the %zu test images right, %zu wrong."),
                             job->description, 100.0 * result->accuracy, result->n, result->n_mistakes);
  gtk_label_set_text (self->summary_label, summary);
  bp_confusion_matrix_set_counts (self->matrix, result->confusion, result->n_classes);
  bp_digit_gallery_set_probabilities (self->gallery, result->probabilities);
  show_digits (self);
  show_page (self, "results");
  g_signal_emit (self, signals[TEST_SET_CLASSIFIED], 0, (guint) result->n_mistakes, result->accuracy);

  if (self->pending)
    {
      self->pending = FALSE;
      refresh (self);
    }
}

/* Evaluate the network the views use now, unless it is the one evaluated last. */
static void
refresh (BpMistakesView *self)
{
  BpSession *session = bp_view_get_session (BP_VIEW (self));
  g_autoptr(GTask) task = NULL;
  g_autoptr(BpSnapshot) snapshot = NULL;
  g_autofree char *description = NULL;
  const BpNetwork *net;
  guint64 serial;
  guint generation;
  Job *job;

  if (session == NULL || bp_session_get_test_set (session) == NULL
      || bp_session_get_test_set (session)->n_pixels != BP_DIGIT_GALLERY_SIDE * BP_DIGIT_GALLERY_SIDE)
    {
      show_page (self, "empty");
      return;
    }
  if (self->cancellable != NULL)
    {
      self->pending = TRUE;
      return;
    }

  net = bp_default_model_choose (session, &snapshot, &description);
  if (net == NULL)
    return;
  serial = snapshot != NULL ? snapshot->serial : 0;
  generation = snapshot != NULL ? snapshot->generation : 0;
  if (self->evaluated && serial == self->serial && generation == self->generation)
    return;
  self->evaluated = TRUE;
  self->serial = serial;
  self->generation = generation;

  if (self->result == NULL)
    show_page (self, "loading");
  job = g_new0 (Job, 1);
  job->description = g_steal_pointer (&description);
  job->session = g_object_ref (session);
  job->snapshot = g_steal_pointer (&snapshot);
  job->net = net;
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, evaluate_done_cb, NULL);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, evaluate_thread);
}

static void
epoch_finished_cb (BpMistakesView *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

static void
network_reset_cb (BpMistakesView *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->evaluated = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    refresh (self);
}

static void
cell_activated_cb (BpMistakesView *self,
                   guint           true_class,
                   guint           predicted)
{
  if (self->result == NULL)
    return;
  self->cell_true = (int) true_class;
  self->cell_predicted = (int) predicted;
  show_digits (self);
}

static void
show_all_cb (BpMistakesView *self)
{
  self->cell_true = self->cell_predicted = -1;
  bp_confusion_matrix_set_selected (self->matrix, -1, -1);
  if (self->result != NULL)
    show_digits (self);
}

static void
digit_activated_cb (BpMistakesView *self,
                    guint           position)
{
  const BpGalleryDigit *digit = bp_digit_gallery_get_digit (self->gallery, position);

  g_signal_emit (self, signals[TEST_IMAGE_ACTIVATED], 0, digit->index);
}

/* ── Public ───────────────────────────────────────────────────────────────────────────────── */

gboolean
bp_mistakes_view_get_top_mistake (BpMistakesView *self,
                                  guint          *label,
                                  guint          *predicted)
{
  g_return_val_if_fail (BP_IS_MISTAKES_VIEW (self), FALSE);

  if (self->result == NULL || self->result->n_mistakes == 0)
    return FALSE;
  if (label != NULL)
    *label = self->result->mistakes[0].label;
  if (predicted != NULL)
    *predicted = self->result->mistakes[0].predicted;
  return TRUE;
}

static void
bp_mistakes_view_session_changed (BpView *view)
{
  network_reset_cb (BP_MISTAKES_VIEW (view));
}

/* ── GObject ──────────────────────────────────────────────────────────────────────────────── */

static void
bp_mistakes_view_map (GtkWidget *widget)
{
  BpMistakesView *self = BP_MISTAKES_VIEW (widget);

  /* Where the focus is now, before the view stack moves it. */
  self->focus_pending = bp_view_may_take_focus (BP_VIEW (self));
  GTK_WIDGET_CLASS (bp_mistakes_view_parent_class)->map (widget);
  refresh (self);
  maybe_take_focus (self, FALSE);
}

static void
bp_mistakes_view_unmap (GtkWidget *widget)
{
  BpMistakesView *self = BP_MISTAKES_VIEW (widget);

  self->focus_pending = FALSE;
  GTK_WIDGET_CLASS (bp_mistakes_view_parent_class)->unmap (widget);
}

static void
bp_mistakes_view_dispose (GObject *object)
{
  BpMistakesView *self = BP_MISTAKES_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->result, result_free);
  /* The stack is the bin's child and a template child both: it goes once, from the bin. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), BP_TYPE_MISTAKES_VIEW);

  G_OBJECT_CLASS (bp_mistakes_view_parent_class)->dispose (object);
}

static void
bp_mistakes_view_class_init (BpMistakesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  BpViewClass *view_class = BP_VIEW_CLASS (klass);

  object_class->dispose = bp_mistakes_view_dispose;
  widget_class->map = bp_mistakes_view_map;
  widget_class->unmap = bp_mistakes_view_unmap;
  view_class->session_changed = bp_mistakes_view_session_changed;

  signals[TEST_IMAGE_ACTIVATED] = g_signal_new ("test-image-activated", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, G_TYPE_UINT);
  signals[TEST_SET_CLASSIFIED] = g_signal_new ("test-set-classified", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_DOUBLE);

  g_type_ensure (BP_TYPE_CONFUSION_MATRIX);
  g_type_ensure (BP_TYPE_DIGIT_GALLERY);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/nndl/Backprop/ui/bp-mistakes-view.ui");
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, stack);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, spinner);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, matrix);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, gallery_title);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, gallery_caption);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, all_button);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, gallery);
  gtk_widget_class_bind_template_child (widget_class, BpMistakesView, gallery_scroller);
  gtk_widget_class_bind_template_callback (widget_class, cell_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_all_cb);
  gtk_widget_class_bind_template_callback (widget_class, digit_activated_cb);
}

static void
bp_mistakes_view_init (BpMistakesView *self)
{
  GSignalGroup *session_signals = bp_view_get_session_signals (BP_VIEW (self));

  self->cell_true = self->cell_predicted = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
  show_page (self, "empty");

  g_signal_group_connect_swapped (session_signals, "epoch-finished",
                                  G_CALLBACK (epoch_finished_cb), self);
  g_signal_group_connect_swapped (session_signals, "network-reset",
                                  G_CALLBACK (network_reset_cb), self);
}
